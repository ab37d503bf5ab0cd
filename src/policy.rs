//! The policy: every number and rule the library applies, in one serde struct with a TOML form.
//! `Policy::default()` is the statutory policy for England (docs/schedule.md,
//! docs/interface.md section 3). docs/policy.md documents every field and the reason for its default.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use crate::calendar::{BankHolidays, LeapDayBirthday};
use crate::error::{Error, Result};

/// The conditions a red flag may name: the triage conditions (`overdue`, `iha`, `under_1`,
/// `repeat_missing`) and every score factor but the raw days overdue and the unknown need.
/// Kept here as data so that a policy can be read and checked without triage; a test in
/// `triage::factors` holds this list to the factors and conditions themselves.
pub const RED_FLAG_CONDITIONS: &[&str] = &[
    "overdue",
    "iha",
    "under_1",
    "repeat_missing",
    "iha_overdue",
    "self_harm",
    "exploitation_risk",
    "complex_health_needs",
    "disability",
    "mental_health_concern",
    "sdq_concern",
    "sdq_borderline",
    "pregnant_or_parent",
    "substance_misuse",
    "uasc",
    "youth_justice",
    "out_of_area",
    "placement_moves",
    "missing_episodes",
    "currently_missing",
    "under_5",
    "plus_17",
];

/// The most red flags a policy may have (triage keeps which hold as bits of a u64).
pub const MAX_RED_FLAGS: usize = 64;

/// Bounds on the policy's numbers (docs/policy.md, "Bounds"): wide enough for any local policy,
/// narrow enough that no sum or product of them can overflow, hang or exhaust memory.
pub mod bounds {
    /// Points of any one weight or cap (the default weights are 1 to 30).
    pub const MAX_POINTS: u32 = 1_000;
    /// A tier's min_score (22 weights of MAX_POINTS stay far below it).
    pub const MAX_TIER_SCORE: u32 = 1_000_000;
    /// Days in any "within N days" setting: ten years.
    pub const MAX_DAYS: u32 = 3_660;
    /// Months in any "within N months" setting: twenty years.
    pub const MAX_MONTHS: u32 = 240;
    /// An age in years.
    pub const MAX_AGE: u32 = 25;
    /// Extra closure days.
    pub const MAX_CLOSURES: usize = 10_000;
    /// Tiers.
    pub const MAX_TIERS: usize = 20;
    /// The largest count that suppression may hide.
    pub const MAX_SUPPRESSED_COUNT: u64 = 1_000;
    /// The most memory a simulation may plan to use, in MB (the default is 2,048).
    pub const MAX_SIMULATION_MEMORY_MB: u64 = 65_536;
    /// The most weeks of grace or rebooking delay a simulation setting may give: a year.
    pub const MAX_SIMULATION_WEEKS_SETTING: u32 = 52;
    /// The most slots in one clinic.
    pub const MAX_SLOTS_PER_CLINIC: u32 = 100;
    /// The largest pathway deadline (days, working days or weeks): a year of days.
    pub const MAX_PATHWAY_SETTING: u32 = 366;
}

/// All policy settings. Unknown keys in a TOML file are an error, so a typo never passes silently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    pub schedule: SchedulePolicy,
    pub age_bands: AgeBandPolicy,
    pub calendar: CalendarPolicy,
    pub triage: TriagePolicy,
    pub suppression: SuppressionPolicy,
    pub kpi: KpiPolicy,
    pub data: DataPolicy,
    pub simulation: SimulationPolicy,
    pub equality: EqualityPolicy,
    pub pathway: PathwayPolicy,
}

/// The steps of the pathway and their deadlines (docs/pathway.md): local practice, not
/// statute, each adjustable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PathwayPolicy {
    /// The council notifies health within this many working days of care_start (5).
    pub notify_within_working_days: u32,
    /// The council requests the IHA within this many working days of care_start (5), so that
    /// health can meet the 20-working-day deadline.
    pub iha_request_within_working_days: u32,
    /// The council requests a review this many weeks before it is due (8; 12 for a child
    /// placed out of area, whose host provider needs longer).
    pub review_request_weeks_before: u32,
    pub review_request_weeks_before_out_of_area: u32,
    /// The provider returns the report within this many working days of the assessment (10).
    pub report_within_working_days: u32,
    /// A child not brought is rebooked within this many working days (10).
    pub rebook_within_working_days: u32,
    /// An action late by more than this many days is escalated (10): health's to the
    /// designated nurse, the council's to its service manager.
    pub escalate_after_days: u32,
    /// The leaving-care health summary is due before the 18th birthday and listed from this
    /// many months before it (6: practice is the last 6 months in care).
    pub health_summary_months_before_18: u32,
    /// An SDQ is due for a child aged `sdq_from_age` to `sdq_to_age` (4 to 16, the DfE's
    /// ages) when none is recorded or the latest is older than `sdq_every_months` (12).
    pub sdq_from_age: u32,
    pub sdq_to_age: u32,
    pub sdq_every_months: u32,
    /// An SDQ of `triage.sdq_concern_from` or more with no CAMHS referral noted: health acts
    /// within this many working days of the SDQ (10).
    pub camhs_referral_within_working_days: u32,
    /// A dental check is due from the first birthday (`dental_from_age`, 1) and then every
    /// `dental_check_every_months` (6: the safer reading; the OC2 return counts a check in
    /// the last 12 months, which a council may set).
    pub dental_from_age: u32,
    pub dental_check_every_months: u32,
    /// Escalate late follow-ups (SDQ, dental check) like the pathway's steps (true, the safer
    /// default; false leaves them on the team's list without an escalation).
    pub escalate_follow_ups: bool,
}

impl Default for PathwayPolicy {
    fn default() -> Self {
        PathwayPolicy {
            notify_within_working_days: 5,
            iha_request_within_working_days: 5,
            review_request_weeks_before: 8,
            review_request_weeks_before_out_of_area: 12,
            report_within_working_days: 10,
            rebook_within_working_days: 10,
            escalate_after_days: 10,
            health_summary_months_before_18: 6,
            sdq_from_age: 4,
            sdq_to_age: 16,
            sdq_every_months: 12,
            camhs_referral_within_working_days: 10,
            dental_from_age: 1,
            dental_check_every_months: 6,
            escalate_follow_ups: true,
        }
    }
}

/// The equality impact (`lac-backlog equality`, docs/equality.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EqualityPolicy {
    /// Groups of fewer children than this are not shown (their figures could identify a
    /// child, and a share of a handful says nothing): 10 by default.
    pub min_group_size: u32,
    /// A group whose share (overdue, P1 or P2, face to face) differs from the rest of the
    /// children by more than this many percentage points is named in a sentence: 10 by default.
    pub difference_pp: f64,
}

impl Default for EqualityPolicy {
    fn default() -> Self {
        EqualityPolicy { min_group_size: 10, difference_pp: 10.0 }
    }
}

/// Limits on what a simulation may ask of the machine, and how it counts and books.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimulationPolicy {
    /// A simulation whose estimated memory (results kept for every run, week and option, and
    /// each core's working copy of the children) is above this many MB is refused before it
    /// starts, with what to shrink. 2,048 MB by default: a laptop's share.
    pub max_memory_mb: u64,
    /// "Cleared" means no child who could be seen is more than this many weeks overdue (4 by
    /// default): did-not-attends always leave a few just overdue, so "nobody overdue at all"
    /// is never reached. 0 is the strict reading.
    pub clear_grace_weeks: u32,
    /// A child who did not attend is offered again this many weeks later (1: the next week).
    pub rebook_after_weeks: u32,
    /// Slots in one clinic, to give a capacity in clinics (8 by default: a day's list).
    pub slots_per_clinic: u32,
    /// From when a child who did not attend counts as waiting in the "cleared" test:
    /// `missed_offer` (default, as NHS waiting lists count) or `due_date` (strict).
    pub did_not_attend_waits_from: WaitsFrom,
    /// Whether children placed out of area are assessed by the host area's provider (true by
    /// default), using no local slot; false: the local service sees them like any child.
    pub out_of_area_seen_by_host: bool,
    /// The host provider assesses a child this many weeks after the child joins the queue (8).
    pub host_provider_wait_weeks: u32,
    /// Waits of named host providers (the children table's `provider`), in weeks, where they
    /// differ from `host_provider_wait_weeks` (none by default). At most 1,000 names.
    pub host_provider_wait_weeks_by_provider: std::collections::BTreeMap<String, u32>,
}

impl SimulationPolicy {
    /// The host provider's wait for a child (its named provider's, else the default).
    pub fn host_wait_weeks(&self, provider: Option<&str>) -> u32 {
        provider.and_then(|p| self.host_provider_wait_weeks_by_provider.get(p)).copied().unwrap_or(self.host_provider_wait_weeks)
    }
}

impl Default for SimulationPolicy {
    fn default() -> Self {
        SimulationPolicy {
            max_memory_mb: 2_048,
            clear_grace_weeks: 4,
            rebook_after_weeks: 1,
            slots_per_clinic: 8,
            did_not_attend_waits_from: WaitsFrom::MissedOffer,
            out_of_area_seen_by_host: true,
            host_provider_wait_weeks: 8,
            host_provider_wait_weeks_by_provider: std::collections::BTreeMap::new(),
        }
    }
}

/// Checks on the input as a whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataPolicy {
    /// Warn when the newest care_start and the newest completed assessment on or before as_of
    /// are both more than this many days before it: the extract may be stale, so new entrants,
    /// whose IHA is the most urgent, may be missing (hazard H4). 0 switches the check off.
    pub stale_after_days: u32,
    /// `triage` warns when a need signal is unknown for more than this share of the listed
    /// children (0.2: one in five), so a missing column never passes silently.
    pub need_unknown_warn_share: f64,
}

impl Default for DataPolicy {
    fn default() -> Self {
        // Four weeks: a council of any size sees an entry or an assessment within a month.
        DataPolicy { stale_after_days: 28, need_unknown_warn_share: 0.2 }
    }
}

/// The largest policy or scenario file read: settings are a few kB, so anything bigger is
/// the wrong file (or `/dev/zero`), refused before it is read into memory.
pub const MAX_SETTINGS_FILE_BYTES: u64 = 1 << 20;

/// A settings file (policy or scenarios) as text: at most [`MAX_SETTINGS_FILE_BYTES`], UTF-8.
/// The messages name the file but never quote what is in it, which may be something else given
/// by mistake (a key file).
pub fn read_settings_file(path: &std::path::Path) -> Result<String> {
    use std::io::Read;
    let io = |source| Error::Io { path: path.display().to_string(), source };
    let mut bytes = Vec::new();
    std::fs::File::open(path).and_then(|f| f.take(MAX_SETTINGS_FILE_BYTES + 1).read_to_end(&mut bytes)).map_err(io)?;
    if bytes.len() as u64 > MAX_SETTINGS_FILE_BYTES {
        return Err(Error::Policy(format!(
            "{}: larger than {} kB: not a settings file (is it the right file?)",
            path.display(),
            MAX_SETTINGS_FILE_BYTES / 1024
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        Error::Policy(format!(
            "{}: not UTF-8 text (byte {}): not a settings file (is it the right file?)",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })
}

/// A TOML error as "line L, column C: what is wrong", without the excerpt of the file that
/// the toml crate shows (the file may be something else given by mistake, such as a key).
pub fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim();
    match e.span() {
        Some(span) => {
            let before = text.get(..span.start.min(text.len())).unwrap_or("");
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message.to_string(),
    }
}

/// How the IHA deadline is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineUnit {
    /// Monday to Friday, not a bank holiday or an extra closure (the statutory 20 working days).
    WorkingDays,
    /// Calendar days (Kent's "28 days").
    CalendarDays,
}

/// Which records answer the IHA. Regulation 7 of the Care Planning, Placement and Case Review
/// (England) Regulations 2010 asks for an assessment by a registered medical practitioner; a
/// review by a nurse, or a questionnaire, does not meet it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IhaExemption {
    /// Only an IHA recorded face to face in the exemption window before care_start exempts the
    /// child (any other record there is a warning); after care_start a questionnaire never
    /// answers the IHA, and the first other record does (a warning when it is an RHA or virtual).
    IhaFaceToFace,
    /// The rule before issue 18: any completed assessment from the window on answers the IHA.
    Any,
}

/// From when a child who did not attend (was not brought) counts as waiting, for the
/// simulation's "cleared" test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitsFrom {
    /// From the missed appointment, as NHS waiting lists count a did-not-attend: the service
    /// offered the child a slot; the child is rebooked and counts against clearance again once
    /// more than `clear_grace_weeks` have passed since the missed offer.
    MissedOffer,
    /// From the statutory due date, whatever was offered (the strict reading: a child not
    /// brought holds up clearance as any overdue child does).
    DueDate,
}

/// Which age sets the review interval when a review would straddle the cadence-change birthday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CadenceAge {
    /// Age on the date of the previous assessment (the contract's default).
    PreviousAssessment,
    /// Age on the date the shorter interval would fall due: a child who would be 5 or over then
    /// gets the longer interval.
    DueDate,
}

/// The statutory schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchedulePolicy {
    /// IHA due this many days (see `iha_deadline_unit`) after care_start.
    pub iha_deadline: u32,
    pub iha_deadline_unit: DeadlineUnit,
    /// No IHA is needed if an IHA (see `iha_exemption`) was completed this many calendar months
    /// before care_start or later.
    pub iha_exemption_months: u32,
    /// Which records answer the IHA (regulation 7(2), docs/schedule.md).
    pub iha_exemption: IhaExemption,
    /// Review interval in calendar months for a child under `cadence_change_age`.
    pub rha_interval_months_under_cadence_age: u32,
    /// Review interval in calendar months for a child of `cadence_change_age` or over.
    pub rha_interval_months_from_cadence_age: u32,
    /// The birthday at which reviews go from the shorter to the longer interval (5).
    pub cadence_change_age: u32,
    pub cadence_age: CadenceAge,
    /// No assessment is due on or after this birthday (18: the child leaves care).
    pub leaves_care_age: u32,
    /// `due_soon` when the due date is within this many days from as_of, inclusive.
    pub due_soon_days: u32,
    /// 903 legal status codes of short breaks, for which no assessment is due (matched
    /// case-insensitively).
    pub short_break_legal_statuses: Vec<String>,
    pub leap_day_birthday: LeapDayBirthday,
}

/// The age bands reported and used by triage. The labels are fixed by the contract
/// (`under_5`, `5_to_16`, `17_plus`); these are the ages at which they change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgeBandPolicy {
    /// `under_5` below this age.
    pub under_5_below: u32,
    /// `17_plus` from this age.
    pub plus_17_from: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalendarPolicy {
    pub bank_holidays: BankHolidays,
    /// Further days that are not working days: a local closure, a future special bank holiday.
    pub extra_closures: Vec<NaiveDate>,
}

impl Default for SchedulePolicy {
    fn default() -> Self {
        SchedulePolicy {
            iha_deadline: 20,
            iha_deadline_unit: DeadlineUnit::WorkingDays,
            iha_exemption_months: 3,
            iha_exemption: IhaExemption::IhaFaceToFace,
            rha_interval_months_under_cadence_age: 6,
            rha_interval_months_from_cadence_age: 12,
            cadence_change_age: 5,
            cadence_age: CadenceAge::PreviousAssessment,
            leaves_care_age: 18,
            due_soon_days: 28,
            short_break_legal_statuses: vec!["V3".to_string(), "V4".to_string()],
            leap_day_birthday: LeapDayBirthday::March1,
        }
    }
}

impl Default for AgeBandPolicy {
    fn default() -> Self {
        AgeBandPolicy { under_5_below: 5, plus_17_from: 17 }
    }
}

impl Default for CalendarPolicy {
    fn default() -> Self {
        CalendarPolicy { bank_holidays: BankHolidays::EnglandAndWales, extra_closures: Vec::new() }
    }
}

impl Default for Policy {
    /// The statutory policy for England.
    fn default() -> Self {
        Policy {
            schedule: SchedulePolicy::default(),
            age_bands: AgeBandPolicy::default(),
            calendar: CalendarPolicy::default(),
            triage: TriagePolicy::default(),
            suppression: SuppressionPolicy::default(),
            kpi: KpiPolicy::default(),
            data: DataPolicy::default(),
            simulation: SimulationPolicy::default(),
            equality: EqualityPolicy::default(),
            pathway: PathwayPolicy::default(),
        }
    }
}

impl Policy {
    /// Kent's variant: the IHA within 28 calendar days of entering care.
    pub fn with_calendar_day_iha(mut self, days: u32) -> Self {
        self.schedule.iha_deadline = days;
        self.schedule.iha_deadline_unit = DeadlineUnit::CalendarDays;
        self
    }

    /// Parse a policy from TOML text; keys left out take their defaults.
    pub fn from_toml_str(text: &str) -> Result<Policy> {
        let policy: Policy = toml::from_str(text).map_err(|e| Error::Policy(toml_error(text, &e)))?;
        policy.validate()?;
        Ok(policy)
    }

    /// Read a policy from a TOML file (at most [`MAX_SETTINGS_FILE_BYTES`]).
    pub fn from_toml_file(path: &std::path::Path) -> Result<Policy> {
        Policy::from_toml_file_recorded(path).map(|(p, _)| p)
    }

    /// [`Policy::from_toml_file`], with the file as read (for the manifest).
    pub fn from_toml_file_recorded(path: &std::path::Path) -> Result<(Policy, crate::report::InputRecord)> {
        let text = read_settings_file(path)?;
        let record = crate::report::InputRecord::of("policy", path, text.as_bytes());
        Policy::from_toml_str(&text)
            .map(|p| (p, record))
            .map_err(|e| Error::Policy(format!("{}: {}", path.display(), e.to_string().trim_start_matches("invalid policy: "))))
    }

    /// The policy in full as TOML.
    pub fn to_toml(&self) -> String {
        // Serialising plain structs of numbers, strings, enums and dates cannot fail.
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// Check that the numbers make sense together.
    pub fn validate(&self) -> Result<()> {
        let s = &self.schedule;
        let bad = |msg: String| Err(Error::Policy(msg));
        if s.iha_deadline == 0 || s.iha_deadline > 366 {
            return bad(format!("schedule.iha_deadline must be 1 to 366, not {}", s.iha_deadline));
        }
        if s.iha_exemption_months > 24 {
            return bad(format!("schedule.iha_exemption_months must be 0 to 24, not {}", s.iha_exemption_months));
        }
        for (name, v) in [
            ("rha_interval_months_under_cadence_age", s.rha_interval_months_under_cadence_age),
            ("rha_interval_months_from_cadence_age", s.rha_interval_months_from_cadence_age),
        ] {
            if v == 0 || v > 60 {
                return bad(format!("schedule.{name} must be 1 to 60, not {v}"));
            }
        }
        if s.leaves_care_age == 0 || s.leaves_care_age > 25 {
            return bad(format!("schedule.leaves_care_age must be 1 to 25, not {}", s.leaves_care_age));
        }
        if s.cadence_change_age >= s.leaves_care_age {
            return bad(format!(
                "schedule.cadence_change_age ({}) must be below schedule.leaves_care_age ({})",
                s.cadence_change_age, s.leaves_care_age
            ));
        }
        if s.due_soon_days > 366 {
            return bad(format!("schedule.due_soon_days must be 0 to 366, not {}", s.due_soon_days));
        }
        self.triage.validate()?;
        self.kpi.validate()?;
        self.suppression.validate()?;
        let share = self.data.need_unknown_warn_share;
        if !(0.0..=1.0).contains(&share) {
            return bad(format!("data.need_unknown_warn_share must be a share from 0 to 1, not {share}"));
        }
        if self.data.stale_after_days > bounds::MAX_DAYS {
            return bad(format!("data.stale_after_days must be 0 to {}, not {}", bounds::MAX_DAYS, self.data.stale_after_days));
        }
        if self.calendar.extra_closures.len() > bounds::MAX_CLOSURES {
            return bad(format!("calendar.extra_closures: at most {} dates", bounds::MAX_CLOSURES));
        }
        let m = self.simulation.max_memory_mb;
        if m == 0 || m > bounds::MAX_SIMULATION_MEMORY_MB {
            return bad(format!("simulation.max_memory_mb must be 1 to {}, not {m}", bounds::MAX_SIMULATION_MEMORY_MB));
        }
        let eq = &self.equality;
        if eq.min_group_size == 0 || eq.min_group_size > 1_000 {
            return bad(format!("equality.min_group_size must be 1 to 1000, not {}", eq.min_group_size));
        }
        if !(0.0..=100.0).contains(&eq.difference_pp) {
            return bad(format!("equality.difference_pp must be a number of percentage points from 0 to 100, not {}", eq.difference_pp));
        }
        let pw = &self.pathway;
        for (name, v) in [
            ("notify_within_working_days", pw.notify_within_working_days),
            ("iha_request_within_working_days", pw.iha_request_within_working_days),
            ("review_request_weeks_before", pw.review_request_weeks_before),
            ("review_request_weeks_before_out_of_area", pw.review_request_weeks_before_out_of_area),
            ("report_within_working_days", pw.report_within_working_days),
            ("rebook_within_working_days", pw.rebook_within_working_days),
            ("escalate_after_days", pw.escalate_after_days),
            ("sdq_every_months", pw.sdq_every_months),
            ("camhs_referral_within_working_days", pw.camhs_referral_within_working_days),
            ("dental_check_every_months", pw.dental_check_every_months),
        ] {
            if v > bounds::MAX_PATHWAY_SETTING {
                return bad(format!("pathway.{name} must be 0 to {}, not {v}", bounds::MAX_PATHWAY_SETTING));
            }
        }
        if !(1..=24).contains(&pw.health_summary_months_before_18) {
            // 0 would open the summary on the 18th birthday, when the child has left care.
            return bad(format!("pathway.health_summary_months_before_18 must be 1 to 24, not {}", pw.health_summary_months_before_18));
        }
        if pw.sdq_from_age > pw.sdq_to_age || pw.sdq_to_age > 17 || pw.dental_from_age > 17 {
            return bad(format!(
                "pathway ages must be children's ages: sdq_from_age ({}) to sdq_to_age ({}) within 0 to 17, dental_from_age ({}) 0 to 17",
                pw.sdq_from_age, pw.sdq_to_age, pw.dental_from_age
            ));
        }
        let sim = &self.simulation;
        let weeks = bounds::MAX_SIMULATION_WEEKS_SETTING;
        for (name, v, lo, hi) in [
            ("clear_grace_weeks", sim.clear_grace_weeks, 0, weeks),
            ("rebook_after_weeks", sim.rebook_after_weeks, 1, weeks),
            ("host_provider_wait_weeks", sim.host_provider_wait_weeks, 0, weeks),
            (
                "host_provider_wait_weeks_by_provider",
                sim.host_provider_wait_weeks_by_provider.values().copied().max().unwrap_or(0),
                0,
                weeks,
            ),
            ("slots_per_clinic", sim.slots_per_clinic, 1, bounds::MAX_SLOTS_PER_CLINIC),
        ] {
            if !(lo..=hi).contains(&v) {
                return bad(format!("simulation.{name} must be {lo} to {hi}, not {v}"));
            }
        }
        if sim.host_provider_wait_weeks_by_provider.len() > 1_000 {
            return bad(format!(
                "simulation.host_provider_wait_weeks_by_provider: at most 1000 providers, not {}",
                sim.host_provider_wait_weeks_by_provider.len()
            ));
        }
        let b = &self.age_bands;
        if b.plus_17_from > bounds::MAX_AGE {
            return bad(format!("age_bands.plus_17_from must be at most {}, not {}", bounds::MAX_AGE, b.plus_17_from));
        }
        if b.under_5_below >= b.plus_17_from {
            return bad(format!("age_bands.under_5_below ({}) must be below age_bands.plus_17_from ({})", b.under_5_below, b.plus_17_from));
        }
        Ok(())
    }

    /// True if the legal status is one of the short-break codes.
    pub fn is_short_break(&self, legal_status: &str) -> bool {
        self.schedule.short_break_legal_statuses.iter().any(|c| c.eq_ignore_ascii_case(legal_status.trim()))
    }
}

/// Targets and RAG for the indicators (defaults: Kent's, target 90, floor 85, higher is better).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KpiPolicy {
    pub target_pct: f64,
    pub floor_pct: f64,
    pub higher_is_better: bool,
    /// Per-indicator settings (`[kpi.indicators.up_to_date]`), each key optional.
    pub indicators: std::collections::BTreeMap<String, RagSetting>,
    /// A trend slope smaller than this (percentage points a month, either way) is `stable`.
    pub trend_stable_pp_per_month: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RagSetting {
    pub target_pct: Option<f64>,
    pub floor_pct: Option<f64>,
    pub higher_is_better: Option<bool>,
}

impl Default for KpiPolicy {
    fn default() -> Self {
        KpiPolicy {
            target_pct: 90.0,
            floor_pct: 85.0,
            higher_is_better: true,
            indicators: Default::default(),
            trend_stable_pp_per_month: 0.25,
        }
    }
}

/// The indicator names the KPI policy may configure.
pub const KPI_INDICATORS: [&str; 4] = ["up_to_date", "oc2_annual_ha", "all_in_timescale", "iha_in_timescale"];

impl KpiPolicy {
    /// (target, floor, higher is better) for an indicator.
    pub fn rag_for(&self, indicator: &str) -> (f64, f64, bool) {
        let o = self.indicators.get(indicator).cloned().unwrap_or_default();
        (
            o.target_pct.unwrap_or(self.target_pct),
            o.floor_pct.unwrap_or(self.floor_pct),
            o.higher_is_better.unwrap_or(self.higher_is_better),
        )
    }

    fn validate(&self) -> Result<()> {
        for name in self.indicators.keys() {
            if !KPI_INDICATORS.contains(&name.as_str()) {
                return Err(Error::Policy(format!("kpi.indicators: unknown indicator {name:?} (one of {})", KPI_INDICATORS.join(", "))));
            }
        }
        for name in KPI_INDICATORS {
            let (t, f, higher) = self.rag_for(name);
            let ordered = if higher { f <= t } else { f >= t };
            if !(0.0..=100.0).contains(&t) || !(0.0..=100.0).contains(&f) || !ordered {
                return Err(Error::Policy(format!(
                    "kpi: {name}: target {t} and floor {f} must be 0-100, with the floor {} the target",
                    if higher { "at or below" } else { "at or above" }
                )));
            }
        }
        // NaN is refused too.
        if self.trend_stable_pp_per_month.is_nan() || self.trend_stable_pp_per_month < 0.0 {
            return Err(Error::Policy("kpi.trend_stable_pp_per_month must be 0 or more".into()));
        }
        Ok(())
    }
}

/// Disclosure control for outputs shared beyond the care team (DfE: counts 1 to 5 as `c`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SuppressionPolicy {
    pub min_count: u64,
    pub max_count: u64,
    pub symbol: String,
}

impl SuppressionPolicy {
    fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(Error::Policy(msg));
        if self.min_count == 0 || self.min_count > self.max_count {
            return bad("suppression.min_count must be 1 or more and not above suppression.max_count".into());
        }
        if self.max_count > bounds::MAX_SUPPRESSED_COUNT {
            return bad(format!("suppression.max_count must be at most {}, not {}", bounds::MAX_SUPPRESSED_COUNT, self.max_count));
        }
        // The symbol stands in a number's place: it must never be read as a number, a blank or
        // a formula (docs/kpi.md).
        let sym = &self.symbol;
        let ok = (1..=3).contains(&sym.chars().count())
            && !sym.chars().any(|c| c.is_numeric() || c.is_whitespace() || c.is_control())
            && !crate::table::looks_like_formula(sym)
            && !matches!(sym.as_str(), "." | "," | "'" | "\"");
        if !ok {
            return bad(format!(
                "suppression.symbol must be 1 to 3 characters, with no digit, space or control character, not \
                 starting with = + - @, and not . , ' or \" (the DfE uses c), not {sym:?}"
            ));
        }
        Ok(())
    }
}

impl Default for SuppressionPolicy {
    fn default() -> Self {
        SuppressionPolicy { min_count: 1, max_count: 5, symbol: "c".to_string() }
    }
}

/// Triage: the points model, tiers, red flags, need levels and modality rules. docs/triage.md
/// explains each default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TriagePolicy {
    pub weights: Weights,
    /// SDQ total difficulties bands (DfE / Goodman): 0-13 normal, 14-16 borderline, 17-40 concern.
    pub sdq_borderline_from: u8,
    pub sdq_concern_from: u8,
    /// Tiers, most urgent first: a child gets the first tier whose `min_score` the score reaches.
    /// The last tier should have `min_score = 0`.
    pub tiers: Vec<Tier>,
    /// Single-parameter triggers that force at least a tier whatever the sum (NEWS2-style).
    /// At most [`MAX_RED_FLAGS`].
    pub red_flags: Vec<RedFlag>,
    /// Clinical need points (the need factors only, not age or timing) at which need is high or
    /// moderate; below `moderate_from` it is low.
    pub high_need_from: u32,
    pub moderate_need_from: u32,
    /// Every listed child whose next assessment is the IHA is at least in this tier (the IHA
    /// lane: an IHA is never left to a late tier).
    pub iha_min_tier: String,
    /// Missing episodes in 12 months from which the `repeat_missing` condition holds.
    pub repeat_missing_from: u32,
    pub modality: ModalityPolicy,
}

/// Points per factor. All are 0 or more, so an extra factor never lowers a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    pub sdq_concern: u32,
    pub sdq_borderline: u32,
    pub complex_health_needs: u32,
    pub disability: u32,
    pub mental_health_concern: u32,
    pub self_harm: u32,
    pub substance_misuse: u32,
    pub pregnant_or_parent: u32,
    pub exploitation_risk: u32,
    pub youth_justice: u32,
    pub out_of_area: u32,
    pub uasc: u32,
    /// Points per placement move in the last 12 months, up to `placement_moves_cap`.
    pub placement_move: u32,
    pub placement_moves_cap: u32,
    /// Points per missing episode in the last 12 months, up to `missing_episodes_cap`.
    pub missing_episode: u32,
    pub missing_episodes_cap: u32,
    /// Currently missing or away from placement.
    pub currently_missing: u32,
    pub under_5: u32,
    pub plus_17: u32,
    /// The next assessment is an overdue IHA: the child's health is unknown.
    pub iha_overdue: u32,
    /// A need signal (or, aged 4 to 16, the SDQ score) is not recorded: the need is unknown,
    /// so the child never ranks below one known to be low need. At most the smallest need
    /// weight, so that learning a signal is yes never lowers a score.
    pub need_unknown: u32,
    /// Points per full week overdue, up to `overdue_cap`.
    pub overdue_per_week: u32,
    pub overdue_cap: u32,
}

/// One priority tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub name: String,
    pub min_score: u32,
    /// Target: see the child within this many days of the triage date.
    pub see_within_days: u32,
}

/// A red flag: when every condition holds, the child is at least in tier `tier`.
/// Conditions are factor names (`self_harm`, `under_5`, `iha_overdue`, ...) or `overdue`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedFlag {
    pub name: String,
    pub when: Vec<String>,
    pub tier: String,
}

/// Modality rules (docs/triage.md). The order of the rules is fixed; these switch and tune them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModalityPolicy {
    pub allow_virtual: bool,
    pub allow_questionnaire: bool,
    /// Face to face if the child has had no face-to-face assessment in this many months.
    pub face_to_face_within_months: u32,
    /// Questionnaire-led review only from this age (16: a young person able to give an account
    /// of their own health; docs/triage.md). `questionnaire_from_age` is read as this too.
    #[serde(alias = "questionnaire_from_age")]
    pub questionnaire_min_age: u32,
    /// Questionnaire-led review only with an SDQ score at most this (13: the normal band)...
    pub questionnaire_max_sdq: u8,
    /// ... recorded within this many months (`sdq_date`; no date is not recent).
    pub questionnaire_sdq_within_months: u32,
    /// Questionnaire-led review only with at most this many placement moves in 12 months.
    pub questionnaire_max_placement_moves: u32,
    /// Whether an unknown placement-move count counts as stable for the questionnaire rule.
    pub unknown_moves_count_as_stable: bool,
    /// After a declined offer, recommend a different format for the next one.
    pub offer_alternative_after_decline: bool,
}

impl Weights {
    /// Every weight and cap with its TOML name (for bounds checks and messages).
    pub fn named(&self) -> [(&'static str, u32); 23] {
        [
            ("sdq_concern", self.sdq_concern),
            ("sdq_borderline", self.sdq_borderline),
            ("complex_health_needs", self.complex_health_needs),
            ("disability", self.disability),
            ("mental_health_concern", self.mental_health_concern),
            ("self_harm", self.self_harm),
            ("substance_misuse", self.substance_misuse),
            ("pregnant_or_parent", self.pregnant_or_parent),
            ("exploitation_risk", self.exploitation_risk),
            ("youth_justice", self.youth_justice),
            ("out_of_area", self.out_of_area),
            ("uasc", self.uasc),
            ("placement_move", self.placement_move),
            ("placement_moves_cap", self.placement_moves_cap),
            ("missing_episode", self.missing_episode),
            ("missing_episodes_cap", self.missing_episodes_cap),
            ("currently_missing", self.currently_missing),
            ("under_5", self.under_5),
            ("plus_17", self.plus_17),
            ("iha_overdue", self.iha_overdue),
            ("need_unknown", self.need_unknown),
            ("overdue_per_week", self.overdue_per_week),
            ("overdue_cap", self.overdue_cap),
        ]
    }
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            sdq_concern: 20,
            sdq_borderline: 8,
            complex_health_needs: 25,
            disability: 20,
            mental_health_concern: 20,
            self_harm: 30,
            substance_misuse: 15,
            pregnant_or_parent: 20,
            exploitation_risk: 25,
            youth_justice: 10,
            out_of_area: 10,
            uasc: 15,
            placement_move: 5,
            placement_moves_cap: 20,
            missing_episode: 5,
            missing_episodes_cap: 20,
            currently_missing: 10,
            under_5: 15,
            plus_17: 15,
            iha_overdue: 25,
            need_unknown: 8,
            overdue_per_week: 1,
            overdue_cap: 30,
        }
    }
}

impl Default for TriagePolicy {
    fn default() -> Self {
        let tier = |name: &str, min_score, see_within_days| Tier { name: name.to_string(), min_score, see_within_days };
        let flag = |name: &str, when: &[&str], tier: &str| RedFlag {
            name: name.to_string(),
            when: when.iter().map(|s| s.to_string()).collect(),
            tier: tier.to_string(),
        };
        TriagePolicy {
            weights: Weights::default(),
            sdq_borderline_from: 14,
            sdq_concern_from: 17,
            tiers: vec![tier("P1", 70, 7), tier("P2", 45, 28), tier("P3", 20, 84), tier("P4", 0, 182)],
            red_flags: vec![
                flag("self_harm_overdue", &["self_harm", "overdue"], "P1"),
                flag("exploitation_overdue", &["exploitation_risk", "overdue"], "P1"),
                flag("pregnant_or_parent_overdue", &["pregnant_or_parent", "overdue"], "P2"),
                flag("under_5_iha_overdue", &["under_5", "iha_overdue"], "P2"),
                flag("iha_under_1", &["iha", "under_1"], "P1"),
                flag("iha_uasc", &["iha", "uasc"], "P1"),
                flag("repeat_missing", &["repeat_missing"], "P1"),
            ],
            high_need_from: 25,
            moderate_need_from: 10,
            iha_min_tier: "P2".to_string(),
            repeat_missing_from: 3,
            modality: ModalityPolicy::default(),
        }
    }
}

impl Default for ModalityPolicy {
    fn default() -> Self {
        ModalityPolicy {
            allow_virtual: true,
            allow_questionnaire: true,
            face_to_face_within_months: 24,
            questionnaire_min_age: 16,
            questionnaire_max_sdq: 13,
            questionnaire_sdq_within_months: 12,
            questionnaire_max_placement_moves: 0,
            unknown_moves_count_as_stable: false,
            offer_alternative_after_decline: false,
        }
    }
}

impl TriagePolicy {
    /// The tier index (0 = most urgent) of a tier name.
    pub fn tier_index(&self, name: &str) -> Option<usize> {
        self.tiers.iter().position(|t| t.name.eq_ignore_ascii_case(name))
    }

    fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(Error::Policy(msg));
        if self.tiers.is_empty() || self.tiers.len() > bounds::MAX_TIERS {
            return bad(format!("triage.tiers must list 1 to {} tiers", bounds::MAX_TIERS));
        }
        for t in &self.tiers {
            if t.min_score > bounds::MAX_TIER_SCORE || t.see_within_days > bounds::MAX_DAYS {
                return bad(format!(
                    "triage.tiers {:?}: min_score must be 0 to {} and see_within_days 0 to {}",
                    t.name,
                    bounds::MAX_TIER_SCORE,
                    bounds::MAX_DAYS
                ));
            }
        }
        if let Some((name, v)) = self.weights.named().into_iter().find(|(_, v)| *v > bounds::MAX_POINTS) {
            return bad(format!("triage.weights.{name} must be 0 to {}, not {v}", bounds::MAX_POINTS));
        }
        if self.high_need_from > bounds::MAX_TIER_SCORE {
            return bad(format!("triage.high_need_from must be 0 to {}", bounds::MAX_TIER_SCORE));
        }
        let m = &self.modality;
        if m.face_to_face_within_months > bounds::MAX_MONTHS {
            return bad(format!("triage.modality.face_to_face_within_months must be 0 to {}", bounds::MAX_MONTHS));
        }
        if m.questionnaire_min_age > bounds::MAX_AGE
            || m.questionnaire_max_placement_moves > bounds::MAX_POINTS
            || m.questionnaire_sdq_within_months > bounds::MAX_MONTHS
            || m.questionnaire_max_sdq > crate::fields::SDQ_MAX
        {
            return bad(format!(
                "triage.modality: questionnaire_min_age must be 0 to {}, questionnaire_max_placement_moves 0 to {}, \
                 questionnaire_sdq_within_months 0 to 240 and questionnaire_max_sdq 0 to 40",
                bounds::MAX_AGE,
                bounds::MAX_POINTS
            ));
        }
        if self.tiers.windows(2).any(|w| w[0].min_score <= w[1].min_score) {
            return bad("triage.tiers must be most urgent first, with strictly falling min_score".into());
        }
        if self.tiers.last().is_some_and(|t| t.min_score != 0) {
            return bad("the last of triage.tiers must have min_score = 0, so every child gets a tier".into());
        }
        if self.red_flags.len() > MAX_RED_FLAGS {
            return bad(format!("triage.red_flags: at most {MAX_RED_FLAGS} red flags"));
        }
        for f in &self.red_flags {
            if self.tier_index(&f.tier).is_none() {
                return bad(format!("triage.red_flags {:?}: unknown tier {:?}", f.name, f.tier));
            }
            if f.when.is_empty() {
                return bad(format!("triage.red_flags {:?}: `when` lists no condition", f.name));
            }
            if let Some(c) = f.when.iter().find(|c| !RED_FLAG_CONDITIONS.contains(&c.as_str())) {
                return bad(format!("triage.red_flags {:?}: unknown condition {c:?} (one of {})", f.name, RED_FLAG_CONDITIONS.join(", ")));
            }
        }
        if self.sdq_borderline_from > self.sdq_concern_from || self.sdq_concern_from > crate::fields::SDQ_MAX {
            return bad("triage.sdq_borderline_from <= triage.sdq_concern_from <= 40 is required".into());
        }
        if self.moderate_need_from > self.high_need_from {
            return bad("triage.moderate_need_from must not exceed triage.high_need_from".into());
        }
        if self.tier_index(&self.iha_min_tier).is_none() {
            return bad(format!("triage.iha_min_tier {:?} is not one of triage.tiers", self.iha_min_tier));
        }
        if self.repeat_missing_from == 0 || self.repeat_missing_from > bounds::MAX_POINTS {
            return bad(format!("triage.repeat_missing_from must be 1 to {}", bounds::MAX_POINTS));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_round_trips_through_toml() {
        let p = Policy::default();
        let text = p.to_toml();
        assert_eq!(Policy::from_toml_str(&text).unwrap(), p);
    }

    #[test]
    fn empty_toml_is_the_default() {
        assert_eq!(Policy::from_toml_str("").unwrap(), Policy::default());
    }

    #[test]
    fn kent_28_calendar_days_is_one_setting() {
        let p = Policy::from_toml_str("[schedule]\niha_deadline = 28\niha_deadline_unit = \"calendar_days\"\n").unwrap();
        assert_eq!(p, Policy::default().with_calendar_day_iha(28));
    }

    #[test]
    fn unknown_keys_are_errors() {
        let e = Policy::from_toml_str("[schedule]\niha_deadlin = 28\n").unwrap_err();
        assert!(e.to_string().contains("iha_deadlin"), "{e}");
    }

    #[test]
    fn impossible_numbers_are_errors() {
        assert!(Policy::from_toml_str("[schedule]\niha_deadline = 0\n").is_err());
        assert!(Policy::from_toml_str("[schedule]\ncadence_change_age = 18\n").is_err());
        assert!(Policy::from_toml_str("[age_bands]\nunder_5_below = 17\n").is_err());
    }

    #[test]
    fn extra_closures_are_dates() {
        let p = Policy::from_toml_str("[calendar]\nextra_closures = [\"2030-01-02\"]\n").unwrap();
        assert_eq!(p.calendar.extra_closures, vec![NaiveDate::from_ymd_opt(2030, 1, 2).unwrap()]);
        assert!(Policy::from_toml_str("[calendar]\nextra_closures = [\"2030-02-30\"]\n").is_err());
    }

    #[test]
    fn triage_policy_checks() {
        assert!(Policy::from_toml_str("[triage]\ntiers = []\n").is_err());
        let e = Policy::from_toml_str("[[triage.red_flags]]\nname = \"x\"\nwhen = [\"self_harn\"]\ntier = \"P1\"\n").unwrap_err();
        assert!(e.to_string().contains("self_harn"), "{e}");
        let e = Policy::from_toml_str("[[triage.red_flags]]\nname = \"x\"\nwhen = [\"uasc\"]\ntier = \"P9\"\n").unwrap_err();
        assert!(e.to_string().contains("P9"), "{e}");
        let p = Policy::from_toml_str("[triage.weights]\nself_harm = 50\n").unwrap();
        assert_eq!(p.triage.weights.self_harm, 50);
        assert_eq!(p.triage.weights.uasc, Weights::default().uasc);
    }

    #[test]
    fn numbers_past_their_bounds_are_errors() {
        // Each once panicked (overflow) or ran away with memory before it had a bound.
        let e = Policy::from_toml_str("[triage.weights]\nself_harm = 4294967295\n").unwrap_err();
        assert!(e.to_string().contains("triage.weights.self_harm must be 0 to 1000"), "{e}");
        assert!(Policy::from_toml_str("[triage.weights]\nself_harm = 1000\n").is_ok());
        assert!(Policy::from_toml_str("[data]\nstale_after_days = 4000\n").is_err());
        assert!(Policy::from_toml_str("[simulation]\nmax_memory_mb = 0\n").is_err());
        assert!(Policy::from_toml_str("[simulation]\nclear_grace_weeks = 53\n").is_err());
        assert!(Policy::from_toml_str("[simulation]\nrebook_after_weeks = 0\n").is_err());
        assert!(Policy::from_toml_str("[simulation]\nslots_per_clinic = 0\n").is_err());
        assert!(Policy::from_toml_str("[simulation]\nclear_grace_weeks = 0\nrebook_after_weeks = 52\nslots_per_clinic = 100\n").is_ok());
        assert!(Policy::from_toml_str("[suppression]\nmax_count = 5000\n").is_err());
        assert!(Policy::from_toml_str("[triage.modality]\nface_to_face_within_months = 4294967295\n").is_err());
        let tiers = "[[triage.tiers]]\nname = \"P1\"\nmin_score = 4294967295\nsee_within_days = 7\n\
                     [[triage.tiers]]\nname = \"P2\"\nmin_score = 0\nsee_within_days = 7\n";
        assert!(Policy::from_toml_str(tiers).is_err());
    }

    #[test]
    fn the_suppression_symbol_is_never_a_number_blank_or_formula() {
        for bad in ["5", "", " ", "=1+1", "-", "+c", "@x", "c 1", "long", "\"", "."] {
            let toml = format!("[suppression]\nsymbol = {bad:?}\n");
            assert!(Policy::from_toml_str(&toml).is_err(), "{bad:?} accepted");
        }
        for good in ["c", "*", "x", "[c]", "~"] {
            let toml = format!("[suppression]\nsymbol = {good:?}\n");
            assert!(Policy::from_toml_str(&toml).is_ok(), "{good:?} refused");
        }
    }

    #[test]
    fn short_break_codes_match_case_insensitively() {
        let p = Policy::default();
        assert!(p.is_short_break("v3"));
        assert!(p.is_short_break("V4"));
        assert!(!p.is_short_break("C2"));
    }
}
