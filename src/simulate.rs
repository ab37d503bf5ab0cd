//! Backlog scenarios: a weekly simulation of who is seen, with Monte Carlo replications
//! (docs/interface.md section 6; docs/simulation.md).
//!
//! Each week from as_of: children leave at 18 or care end; new entrants arrive; the children
//! whose assessment has fallen due by the week's end are queued and served in triage order;
//! a child may use a slot of their recommended modality or a more intensive one
//! (questionnaire -> virtual -> face to face), never a less intensive one; a did-not-attend uses
//! the slot and the child stays queued; a seen child's next assessment is scheduled by the
//! statutory rules; a child flagged missing cannot be seen and is left out of the clearance test.

use chrono::{Days, NaiveDate};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::calendar::anniversary;
use crate::error::{Error, Result};
use crate::model::{Assessment, AssessmentType, Child, Cohort, Modality};
use crate::policy::{Policy, WaitsFrom};
use crate::rng::Rng;
use crate::schedule::{ChildStatus, Reason, Scheduler, Status};
use crate::table::{ColumnData, Table};
use crate::triage::{decide, flag_rules, Known};

/// Time and cost of one assessment slot, by kind (docs/simulation.md gives the reasons).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Costs {
    pub iha_clinician_minutes: f64,
    pub iha_admin_minutes: f64,
    pub face_to_face_clinician_minutes: f64,
    pub face_to_face_admin_minutes: f64,
    pub virtual_clinician_minutes: f64,
    pub virtual_admin_minutes: f64,
    pub questionnaire_clinician_minutes: f64,
    pub questionnaire_admin_minutes: f64,
    /// A doctor does the IHA; a nurse the reviews.
    pub doctor_cost_per_hour: f64,
    pub nurse_cost_per_hour: f64,
    pub admin_cost_per_hour: f64,
}

impl Default for Costs {
    fn default() -> Self {
        Costs {
            iha_clinician_minutes: 90.0,
            iha_admin_minutes: 60.0,
            face_to_face_clinician_minutes: 60.0,
            face_to_face_admin_minutes: 30.0,
            virtual_clinician_minutes: 45.0,
            virtual_admin_minutes: 20.0,
            questionnaire_clinician_minutes: 30.0,
            questionnaire_admin_minutes: 30.0,
            doctor_cost_per_hour: 110.0,
            nurse_cost_per_hour: 55.0,
            admin_cost_per_hour: 25.0,
        }
    }
}

/// The most slots of one kind a week (a whole region's service is a few hundred).
pub const MAX_SLOTS_PER_WEEK: u32 = 100_000;
/// The longest horizon, in weeks: ten years.
pub const MAX_WEEKS: u32 = 520;
/// The most replications.
pub const MAX_RUNS: u32 = 100_000;
/// The most admin hours a week a scenario may give (a large region's booking team).
pub const MAX_ADMIN_HOURS_PER_WEEK: f64 = 100_000.0;
/// The most a minute or an hour of anyone's time may cost or last in a cost setting.
pub const MAX_COST_SETTING: f64 = 1_000_000.0;

impl Costs {
    /// Every setting with its name.
    fn named(&self) -> [(&'static str, f64); 11] {
        [
            ("iha_clinician_minutes", self.iha_clinician_minutes),
            ("iha_admin_minutes", self.iha_admin_minutes),
            ("face_to_face_clinician_minutes", self.face_to_face_clinician_minutes),
            ("face_to_face_admin_minutes", self.face_to_face_admin_minutes),
            ("virtual_clinician_minutes", self.virtual_clinician_minutes),
            ("virtual_admin_minutes", self.virtual_admin_minutes),
            ("questionnaire_clinician_minutes", self.questionnaire_clinician_minutes),
            ("questionnaire_admin_minutes", self.questionnaire_admin_minutes),
            ("doctor_cost_per_hour", self.doctor_cost_per_hour),
            ("nurse_cost_per_hour", self.nurse_cost_per_hour),
            ("admin_cost_per_hour", self.admin_cost_per_hour),
        ]
    }

    /// Each setting a number from 0 to [`MAX_COST_SETTING`] (not NaN, not infinite).
    pub fn validate(&self) -> std::result::Result<(), String> {
        match self.named().into_iter().find(|(_, v)| !(0.0..=MAX_COST_SETTING).contains(v)) {
            Some((name, v)) => Err(format!("{name} must be a number from 0 to {MAX_COST_SETTING}, not {v}")),
            None => Ok(()),
        }
    }

    /// (clinician minutes, admin minutes, cost) of one slot.
    fn slot(&self, kind: AssessmentType, m: Modality) -> (f64, f64, f64) {
        let (clin, admin, rate) = match (kind, m) {
            (AssessmentType::Iha, _) => (self.iha_clinician_minutes, self.iha_admin_minutes, self.doctor_cost_per_hour),
            (_, Modality::FaceToFace) => (self.face_to_face_clinician_minutes, self.face_to_face_admin_minutes, self.nurse_cost_per_hour),
            (_, Modality::Virtual) => (self.virtual_clinician_minutes, self.virtual_admin_minutes, self.nurse_cost_per_hour),
            (_, Modality::Questionnaire) => {
                (self.questionnaire_clinician_minutes, self.questionnaire_admin_minutes, self.nurse_cost_per_hour)
            }
        };
        (clin, admin, clin / 60.0 * rate + admin / 60.0 * self.admin_cost_per_hour)
    }
}

/// Slots from a given week on (a ramp-up of a new clinic), or for a while (`to_week`: a
/// waiting-list initiative, whose cost is one-off).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacityChange {
    /// Week number from 1.
    pub from_week: u32,
    /// The last week (from 1) the change applies; None: to the end.
    #[serde(default)]
    pub to_week: Option<u32>,
    pub face_to_face_per_week: Option<u32>,
    pub virtual_per_week: Option<u32>,
    pub questionnaire_per_week: Option<u32>,
    #[serde(default)]
    pub doctor_iha_per_week: Option<u32>,
}

impl CapacityChange {
    fn applies(&self, week: u32) -> bool {
        self.from_week <= week && self.to_week.is_none_or(|t| week <= t)
    }
}

/// The slot kinds, in the order of [`Scenario::slots`]: face to face, virtual, questionnaire,
/// and the doctors' IHA slots (an IHA lane).
const SLOT_MODALITY: [Modality; 4] = [Modality::FaceToFace, Modality::Virtual, Modality::Questionnaire, Modality::FaceToFace];
/// The index of the IHA lane's slots.
const IHA_SLOT: usize = 3;
/// Mixed into a run's key for the out-of-area draws of new entrants.
const OUT_OF_AREA_KEY: u64 = 0x0A0A_5EED_0F0A_4EA5;

/// One option.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub face_to_face_per_week: u32,
    pub virtual_per_week: u32,
    pub questionnaire_per_week: u32,
    pub new_entrants_per_week: f64,
    pub did_not_attend_rate: f64,
    /// Switch questionnaire-led or virtual reviews off for this option (None: the policy's).
    pub allow_questionnaire: Option<bool>,
    pub allow_virtual: Option<bool>,
    pub changes: Vec<CapacityChange>,
    /// Costs for this option (None: the file's).
    pub costs: Option<Costs>,
    /// Doctors' face-to-face slots a week for IHAs only (an IHA lane). When given, IHAs use
    /// only these, and a new entrant's IHA is queued from the day of entry; when not, IHAs
    /// share `face_to_face_per_week` with the reviews.
    pub doctor_iha_per_week: Option<u32>,
    /// Admin hours a week for booking: each slot used takes its kind's admin minutes
    /// (`[costs]`), and bookings stop for the week when the hours run out. None: no limit.
    pub admin_hours_per_week: Option<f64>,
    /// The share of new entrants placed out of area (seen by host providers). None: the
    /// synthetic council's (England's, about 40%).
    pub new_entrants_out_of_area_share: Option<f64>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            name: "baseline".into(),
            face_to_face_per_week: 20,
            virtual_per_week: 0,
            questionnaire_per_week: 0,
            new_entrants_per_week: 3.0,
            did_not_attend_rate: 0.1,
            allow_questionnaire: None,
            allow_virtual: None,
            changes: Vec::new(),
            costs: None,
            doctor_iha_per_week: None,
            admin_hours_per_week: None,
            new_entrants_out_of_area_share: None,
        }
    }
}

impl Scenario {
    /// Slots (face to face, virtual, questionnaire, doctors' IHA) in week `week` (from 1),
    /// with every change that applies that week.
    pub fn slots(&self, week: u32) -> [u32; 4] {
        self.slots_with(week, true)
    }

    /// Whether the option has an IHA lane (doctors' IHA slots) at all.
    pub fn iha_lane(&self) -> bool {
        self.doctor_iha_per_week.is_some() || self.changes.iter().any(|c| c.doctor_iha_per_week.is_some())
    }

    /// The slots with the changes that end (`to_week`) left out when `temporary` is false.
    fn slots_with(&self, week: u32, temporary: bool) -> [u32; 4] {
        let mut s = [self.face_to_face_per_week, self.virtual_per_week, self.questionnaire_per_week, self.doctor_iha_per_week.unwrap_or(0)];
        let mut changes: Vec<&CapacityChange> =
            self.changes.iter().filter(|c| c.applies(week) && (temporary || c.to_week.is_none())).collect();
        changes.sort_by_key(|c| c.from_week);
        for c in changes {
            s = [
                c.face_to_face_per_week.unwrap_or(s[0]),
                c.virtual_per_week.unwrap_or(s[1]),
                c.questionnaire_per_week.unwrap_or(s[2]),
                c.doctor_iha_per_week.unwrap_or(s[3]),
            ];
        }
        s
    }

    fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::Policy(format!("scenario {:?}: {m}", self.name)));
        let slots = [
            ("face_to_face_per_week", Some(self.face_to_face_per_week)),
            ("virtual_per_week", Some(self.virtual_per_week)),
            ("questionnaire_per_week", Some(self.questionnaire_per_week)),
            ("doctor_iha_per_week", self.doctor_iha_per_week),
        ];
        let changed = self.changes.iter().flat_map(|c| {
            [
                ("changes: face_to_face_per_week", c.face_to_face_per_week),
                ("changes: virtual_per_week", c.virtual_per_week),
                ("changes: questionnaire_per_week", c.questionnaire_per_week),
                ("changes: doctor_iha_per_week", c.doctor_iha_per_week),
            ]
        });
        if let Some((name, Some(v))) = slots.into_iter().chain(changed).find(|(_, v)| v.is_some_and(|v| v > MAX_SLOTS_PER_WEEK)) {
            return bad(format!("{name} must be 0 to {MAX_SLOTS_PER_WEEK}, not {v}"));
        }
        if self.changes.len() > MAX_WEEKS as usize || self.changes.iter().any(|c| c.from_week > MAX_WEEKS) {
            return bad(format!("changes: at most {MAX_WEEKS}, each from_week 1 to {MAX_WEEKS}"));
        }
        if let Some(c) = &self.costs {
            c.validate().map_err(|m| Error::Policy(format!("scenario {:?}: costs: {m}", self.name)))?;
        }
        if !(0.0..1.0).contains(&self.did_not_attend_rate) {
            return bad(format!("did_not_attend_rate must be from 0 to below 1, not {}", self.did_not_attend_rate));
        }
        if let Some(h) = self.admin_hours_per_week.filter(|h| !(0.0..=MAX_ADMIN_HOURS_PER_WEEK).contains(h)) {
            return bad(format!("admin_hours_per_week must be 0 to {MAX_ADMIN_HOURS_PER_WEEK}, not {h}"));
        }
        if let Some(x) = self.new_entrants_out_of_area_share.filter(|x| !(0.0..=1.0).contains(x)) {
            return bad(format!("new_entrants_out_of_area_share must be from 0 to 1, not {x}"));
        }
        if !(0.0..=10_000.0).contains(&self.new_entrants_per_week) {
            return bad(format!("new_entrants_per_week must be 0 to 10000, not {}", self.new_entrants_per_week));
        }
        if self.changes.iter().any(|c| c.from_week == 0) {
            return bad("changes: from_week counts from 1".into());
        }
        if let Some(c) = self.changes.iter().find(|c| c.to_week.is_some_and(|t| t < c.from_week || t > MAX_WEEKS)) {
            return bad(format!("changes: to_week must be from from_week ({}) to {MAX_WEEKS}", c.from_week));
        }
        Ok(())
    }
}

/// A scenario file: horizon, replications, seed, default costs and the options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScenarioFile {
    pub weeks: u32,
    pub runs: u32,
    pub seed: u64,
    pub costs: Costs,
    /// No default: a file without a `[[scenario]]` is refused rather than run as some option
    /// nobody wrote.
    #[serde(default)]
    pub scenario: Vec<Scenario>,
    /// The option others are costed against (`extra_cost_vs_baseline`); None: the first.
    pub baseline: Option<String>,
}

impl Default for ScenarioFile {
    fn default() -> Self {
        ScenarioFile { weeks: 52, runs: 200, seed: 7, costs: Costs::default(), scenario: vec![Scenario::default()], baseline: None }
    }
}

impl ScenarioFile {
    pub fn from_toml_str(text: &str) -> Result<ScenarioFile> {
        let f: ScenarioFile =
            toml::from_str(text).map_err(|e| Error::Policy(format!("scenarios: {}", crate::policy::toml_error(text, &e))))?;
        f.validate()?;
        Ok(f)
    }

    /// The same from JSON (what Python passes for scenarios given as dicts).
    pub fn from_json_str(text: &str) -> Result<ScenarioFile> {
        let f: ScenarioFile = serde_json::from_str(text).map_err(|e| Error::Policy(format!("scenarios: {e}")))?;
        f.validate()?;
        Ok(f)
    }

    pub fn validate(&self) -> Result<()> {
        if self.scenario.is_empty() {
            return Err(Error::Policy("scenarios: the file has no [[scenario]]: describe at least one option".into()));
        }
        if self.weeks == 0 || self.weeks > MAX_WEEKS {
            return Err(Error::Policy(format!("scenarios: weeks must be 1 to {MAX_WEEKS}, not {}", self.weeks)));
        }
        if self.runs == 0 || self.runs > MAX_RUNS {
            return Err(Error::Policy(format!("scenarios: runs must be 1 to {MAX_RUNS}, not {}", self.runs)));
        }
        self.costs.validate().map_err(|m| Error::Policy(format!("scenarios: costs: {m}")))?;
        let mut names: Vec<&str> = self.scenario.iter().map(|s| s.name.as_str()).collect();
        names.sort();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return Err(Error::Policy("scenarios: two scenarios have the same name".into()));
        }
        if let Some(b) = self.baseline.as_deref().filter(|b| !self.scenario.iter().any(|s| s.name == *b)) {
            return Err(Error::Policy(format!("scenarios: baseline = {b:?} names no [[scenario]]")));
        }
        self.scenario.iter().try_for_each(Scenario::validate)
    }

    /// The option named `name` (None: the first).
    pub fn option(&self, name: Option<&str>) -> Result<&Scenario> {
        match name {
            None => self.scenario.first().ok_or_else(|| Error::Policy("scenarios: no [[scenario]]".into())),
            Some(n) => self.scenario.iter().find(|s| s.name == n).ok_or_else(|| {
                let names: Vec<&str> = self.scenario.iter().map(|s| s.name.as_str()).collect();
                Error::Policy(format!("scenarios: no option named {n:?} (the file has {})", names.join(", ")))
            }),
        }
    }

    /// The index of the baseline option (named by `baseline`, else the first).
    pub fn baseline_index(&self) -> usize {
        self.baseline.as_deref().and_then(|b| self.scenario.iter().position(|s| s.name == b)).unwrap_or(0)
    }
}

/// The memory a simulation would take, in bytes, estimated before it starts: the results kept
/// (a [`Run`] with its weeks, for every run of every option) and each core's working copy of
/// the children (those at the start and every new entrant). An estimate that errs high.
pub fn memory_estimate(children: usize, options: usize, weeks: u32, runs: u32, entrants_per_week: f64) -> u64 {
    let results = (options as u128) * (runs as u128) * ((weeks as u128) * size_of::<Week>() as u128 + size_of::<Run>() as u128);
    let entrants = (entrants_per_week.max(0.0) * f64::from(weeks) * 2.0).ceil() as u128;
    let per_child = (size_of::<SimChild>() + size_of::<Child>() + 64) as u128;
    let working = (rayon::current_num_threads() as u128) * (children as u128 + entrants) * per_child;
    u64::try_from(results + working).unwrap_or(u64::MAX)
}

/// Refuse up front a simulation whose horizon is over [`MAX_WEEKS`], whose runs are over
/// [`MAX_RUNS`], or whose [`memory_estimate`] is over the policy's `simulation.max_memory_mb`,
/// saying what to shrink.
pub fn check_size(children: usize, options: usize, weeks: u32, runs: u32, entrants_per_week: f64, policy: &Policy) -> Result<()> {
    if weeks == 0 || weeks > MAX_WEEKS {
        return Err(Error::Policy(format!("weeks must be 1 to {MAX_WEEKS} (ten years), not {weeks}")));
    }
    if runs == 0 || runs > MAX_RUNS {
        return Err(Error::Policy(format!("runs must be 1 to {MAX_RUNS}, not {runs}")));
    }
    let need = memory_estimate(children, options, weeks, runs, entrants_per_week);
    let limit = policy.simulation.max_memory_mb.saturating_mul(1 << 20);
    if need > limit {
        return Err(Error::Policy(format!(
            "this simulation would need about {} MB ({options} option(s) x {runs} runs x {weeks} weeks, {children} children), \
             over the limit of {} MB (policy simulation.max_memory_mb): use fewer runs, weeks or options, or raise the limit",
            need.div_ceil(1 << 20),
            policy.simulation.max_memory_mb
        )));
    }
    Ok(())
}

/// The reviews falling due a week, on average, among the children in scope at `as_of`: each
/// child is reviewed once per the policy's interval for their age now (6 months under 5 and
/// 12 from 5 by default), a month being 52/12 weeks. For the waiting-list arithmetic
/// (docs/interface.md section 6), which needs demand a week. The local service's demand:
/// children placed out of area are left out when host providers see them (policy
/// `simulation.out_of_area_seen_by_host`), as in the simulation.
pub fn review_demand_per_week(cohort: &Cohort, as_of: NaiveDate, policy: &Policy) -> f64 {
    let sched = Scheduler::new(policy);
    let host = policy.simulation.out_of_area_seen_by_host;
    cohort
        .children
        .iter()
        .filter(|c| !(host && c.signals.out_of_area))
        .filter(|c| sched.child_status(c, as_of).status != Status::NotRequired)
        .map(|c| {
            let (months, _) = crate::schedule::rha_interval_months(policy, c.date_of_birth, as_of);
            12.0 / (52.0 * f64::from(months.max(1)))
        })
        .sum()
}

/// What one week looked like at its end.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Week {
    /// Children waiting when the week's slots were served (due by the week's end).
    pub queued: u32,
    pub seen: u32,
    pub did_not_attend: u32,
    /// Children placed out of area seen by the host area's provider (no local slot).
    pub seen_by_host: u32,
    /// Children in scope (in care, under 18) at the week's end.
    pub present: u32,
    pub overdue: u32,
    /// Overdue children the local service could see (not flagged missing, not placed out of
    /// area, whom the host area's provider sees).
    pub overdue_seeable: u32,
    /// Of those, the ones more than the policy's `clear_grace_weeks` overdue: "cleared" is a
    /// week that ends with none.
    pub overdue_past_grace: u32,
    pub clinician_minutes: f64,
    pub admin_minutes: f64,
    /// The cost of the slots used (activity).
    pub cost: f64,
    /// The cost of every slot commissioned that week, used or not.
    pub commissioned_cost: f64,
    /// The part of `commissioned_cost` from changes that end (`to_week`): one-off money.
    pub one_off_cost: f64,
}

impl Week {
    pub fn up_to_date_pct(&self) -> Option<f64> {
        (self.present > 0).then(|| 100.0 * f64::from(self.present - self.overdue) / f64::from(self.present))
    }
}

/// One replication.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub weeks: Vec<Week>,
    /// The first week (from 1) from which every week to the horizon's end ends with no child
    /// who could be seen more than the policy's grace overdue (cleared, and staying so).
    pub weeks_to_clear: Option<u32>,
    /// Children in scope at the start, arriving, leaving, and in scope at the end.
    pub started: u32,
    pub arrived: u32,
    pub left: u32,
    /// Children joining the queue, and the sum over seen children of weeks waited in it
    /// (counting the week they were seen).
    pub joined: u32,
    pub queue_weeks_of_seen: u64,
    /// Children who turned 18 or left care while overdue: harm the backlog did, never
    /// "cleared".
    pub aged_out_overdue: u32,
    /// IHAs falling due in the horizon (to children in care on their due date), and those of
    /// them done by their due date.
    pub ihas_due: u32,
    pub ihas_on_time: u32,
    /// Children seen while overdue (brought up to date).
    pub seen_overdue: u32,
    /// At the first 31 March in the horizon (the week holding it): up to date and the OC2
    /// annual health assessment measure, in percent; None when no 31 March falls in it.
    pub year_end_up_to_date: Option<f64>,
    pub year_end_oc2: Option<f64>,
}

impl Run {
    pub fn present_end(&self) -> u32 {
        self.weeks.last().map_or(self.started, |w| w.present)
    }
    pub fn seen(&self) -> u32 {
        self.weeks.iter().map(|w| w.seen).sum()
    }
    pub fn clinician_hours(&self) -> f64 {
        self.weeks.iter().map(|w| w.clinician_minutes).sum::<f64>() / 60.0
    }
    pub fn admin_hours(&self) -> f64 {
        self.weeks.iter().map(|w| w.admin_minutes).sum::<f64>() / 60.0
    }
    pub fn cost(&self) -> f64 {
        self.weeks.iter().map(|w| w.cost).sum()
    }
    pub fn commissioned_cost(&self) -> f64 {
        self.weeks.iter().map(|w| w.commissioned_cost).sum()
    }
    pub fn one_off_cost(&self) -> f64 {
        self.weeks.iter().map(|w| w.one_off_cost).sum()
    }
    /// Percent of the IHAs falling due in the horizon done by their due date (None: none fell due).
    pub fn iha_in_timescale_pct(&self) -> Option<f64> {
        (self.ihas_due > 0).then(|| 100.0 * f64::from(self.ihas_on_time) / f64::from(self.ihas_due))
    }
}

/// The first 31 March from `as_of` within `weeks` weeks (the DfE's year end), if any.
pub fn year_end_in(as_of: NaiveDate, weeks: u32) -> Option<NaiveDate> {
    let last = plus(as_of, 7 * u64::from(weeks)).pred_opt()?;
    let y = chrono::Datelike::year(&as_of);
    [y, y + 1].into_iter().filter_map(|y| NaiveDate::from_ymd_opt(y, 3, 31)).find(|d| *d >= as_of && *d <= last)
}

/// The last day of week `w` (from 1) of a horizon starting on `as_of`.
pub fn week_end(as_of: NaiveDate, w: u32) -> NaiveDate {
    plus(as_of, 7 * u64::from(w)).pred_opt().unwrap_or(as_of)
}

/// Where a simulated child's record is: the prepared start (shared by every run), or the
/// run's own new entrants. Records are never changed: what the run adds (assessments) is kept
/// on the [`SimChild`] as the latest assessment and the history triage needs.
#[derive(Debug, Clone, Copy)]
enum Record {
    Start(usize),
    Own(usize),
}

/// A child in a run: small, so that the weekly passes over every child stay in cache.
#[derive(Debug, Clone)]
struct SimChild {
    record: Record,
    /// The next assessment and its due date; None when nothing more is due before 18.
    next: Option<(AssessmentType, NaiveDate)>,
    care_start: NaiveDate,
    /// The day the child leaves scope (care end or 18th birthday).
    leaves: NaiveDate,
    /// Week the child joined the current queue spell (for waits).
    queued_since: Option<u32>,
    present: bool,
    missing: bool,
    /// Left scope during the run (never comes back).
    gone: bool,
    /// The latest completed assessment (kept as the simulation adds them).
    last_done: Option<NaiveDate>,
    /// Age in whole years and the next birthday, kept from week to week.
    age: Option<(u32, NaiveDate)>,
    /// Offers made to the child in the run (each draws its attendance by number).
    offers: u32,
    /// After a did-not-attend, the week (from 0) from which the child is offered again.
    rebook_week: u32,
    /// The day of the last offer the child missed since last seen (for the cleared test).
    missed_offer: Option<NaiveDate>,
    /// Placed out of area: seen by the host area's provider.
    out_of_area: bool,
    /// Weeks the host provider takes (its named provider's wait, else the default).
    host_wait: u32,
}

/// The records of a run's children: the shared start, and the run's new entrants.
struct Records<'a> {
    start: &'a [Child],
    own: Vec<Child>,
    /// Children placed out of area are seen by host providers (policy).
    host: bool,
    /// The host providers' wait for new entrants (no provider named yet: the default).
    host_wait: u32,
}

impl Records<'_> {
    fn get(&self, r: Record) -> &Child {
        match r {
            Record::Start(i) => &self.start[i],
            Record::Own(i) => &self.own[i],
        }
    }

    fn add(&mut self, c: Child, next: Option<(AssessmentType, NaiveDate)>, leaves: NaiveDate) -> SimChild {
        let k = SimChild {
            record: Record::Own(self.own.len()),
            next,
            care_start: c.care_start,
            leaves,
            queued_since: None,
            present: true,
            missing: c.missing,
            gone: false,
            last_done: None,
            age: None,
            offers: 0,
            rebook_week: 0,
            missed_offer: None,
            out_of_area: c.signals.out_of_area && self.host,
            host_wait: self.host_wait,
        };
        self.own.push(c);
        k
    }
}

fn plus(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_add_days(Days::new(days)).unwrap_or(d)
}

/// The policy a scenario runs under (its modality switches applied).
pub fn scenario_policy(policy: &Policy, s: &Scenario) -> Policy {
    let mut p = policy.clone();
    if let Some(q) = s.allow_questionnaire {
        p.triage.modality.allow_questionnaire = q;
    }
    if let Some(v) = s.allow_virtual {
        p.triage.modality.allow_virtual = v;
    }
    p
}

fn next_for(sched: &Scheduler, c: &Child, upto: NaiveDate) -> Option<(AssessmentType, NaiveDate)> {
    let birthday = sched.leaves_care_on(c)?;
    let done: Vec<Assessment> = c.completed_by(upto).cloned().collect();
    let (kind, due, _) = sched.next_due(c, &done);
    due.filter(|d| *d < birthday).map(|d| (kind, d))
}

/// [`next_for`] the record plus a completed assessment on `seen_on` (on or after every
/// assessment in it), without copying the record.
fn next_after_seen(sched: &Scheduler, c: &Child, seen_on: NaiveDate) -> Option<(AssessmentType, NaiveDate)> {
    let birthday = sched.leaves_care_on(c)?;
    let window_start = sched.iha_window_start(c);
    let any_in_window = seen_on >= window_start || c.completed_by(seen_on).any(|a| a.completed_on >= window_start);
    let (kind, due, _) = sched.next_due_after(c, window_start, Some(seen_on), any_in_window);
    due.filter(|d| *d < birthday).map(|d| (kind, d))
}

fn leaves(sched: &Scheduler, c: &Child) -> NaiveDate {
    let b = sched.leaves_care_on(c).unwrap_or(NaiveDate::MAX);
    c.care_end.map_or(b, |e| e.min(b))
}

/// What every run of a scenario starts from, worked out once: the records of the children in
/// scope at as_of or starting care later (assessments after as_of dropped), each child's
/// state at the start (copied by every run), and the localities new entrants are drawn from.
struct Start {
    policy: Policy,
    children: Vec<Child>,
    kids: Vec<SimChild>,
    started: u32,
    localities: Vec<String>,
}

impl Start {
    fn new(cohort: &Cohort, s: &Scenario, as_of: NaiveDate, policy: &Policy) -> Start {
        let policy = scenario_policy(policy, s);
        let sched = Scheduler::new(&policy);
        let mut localities: Vec<String> = cohort.children.iter().filter_map(|c| c.locality.as_deref().map(str::to_string)).collect();
        localities.sort();
        localities.dedup();
        let mut start = Start { policy: policy.clone(), children: Vec::new(), kids: Vec::new(), started: 0, localities };
        for c in &cohort.children {
            let in_scope = crate::kpi::in_scope(&sched, c, as_of);
            let future = c.care_start > as_of && !c.legal_status.as_deref().is_some_and(|ls| policy.is_short_break(ls));
            if !in_scope && !future {
                continue;
            }
            let mut child = c.clone();
            child.assessments.retain(|a| a.completed_on <= as_of);
            start.started += u32::from(in_scope);
            start.kids.push(SimChild {
                record: Record::Start(start.children.len()),
                next: next_for(&sched, &child, as_of),
                care_start: child.care_start,
                leaves: leaves(&sched, &child),
                queued_since: None,
                present: in_scope,
                missing: child.missing,
                gone: false,
                last_done: child.completed_by(as_of).map(|a| a.completed_on).last(),
                age: None,
                offers: 0,
                rebook_week: 0,
                missed_offer: None,
                out_of_area: child.signals.out_of_area && policy.simulation.out_of_area_seen_by_host,
                host_wait: policy.simulation.host_wait_weeks(child.provider.as_deref()),
            });
            start.children.push(child);
        }
        start
    }
}

/// A child in the week's queue: the keys of the triage order, and what the rules recommend.
struct Queued {
    /// Tier, score (higher first), days overdue (more first), due date, packed so that a
    /// smaller key comes first; ties are broken by child_id.
    key: u128,
    kid: usize,
    kind: AssessmentType,
    due: NaiveDate,
    modality: Modality,
}

/// What every run of a simulation shares: the day it starts, its horizon in weeks, the seed of
/// its runs' streams, the policy and the costs, and whether new entrants arrive exactly at the
/// mean rate, rounded by accumulation (docs/simulation.md: when runs = 1).
#[derive(Debug, Clone, Copy)]
pub struct Setup<'a> {
    pub as_of: NaiveDate,
    pub weeks: u32,
    pub seed: u64,
    pub policy: &'a Policy,
    pub costs: &'a Costs,
    pub deterministic: bool,
}

/// One replication of one scenario, drawing from `rng` (the setup's seed is not used).
pub fn run_once(cohort: &Cohort, s: &Scenario, setup: &Setup, rng: &mut Rng) -> Run {
    let start = Start::new(cohort, s, setup.as_of, setup.policy);
    run_from(&start, &Scheduler::new(&start.policy), s, setup, rng)
}

/// The queue's order: the worklist's (tier, score, days overdue, due date, child_id).
fn queue_order(kids: &[SimChild], recs: &Records, a: &Queued, b: &Queued) -> std::cmp::Ordering {
    a.key.cmp(&b.key).then_with(|| recs.get(kids[a.kid].record).id.cmp(&recs.get(kids[b.kid].record).id)).then_with(|| a.kid.cmp(&b.kid))
}

/// The sort key of a queued child: each part is 32 bits, so the packed order is the order of
/// (tier, highest score, most days overdue, earliest due date).
fn queue_key(tier: usize, score: u32, days_overdue: i64, due: NaiveDate) -> u128 {
    let tier = u32::try_from(tier).unwrap_or(u32::MAX);
    let days = u32::try_from(days_overdue.max(0)).unwrap_or(u32::MAX);
    // Days from the earliest date chrono knows, so every date maps to a u32 in order.
    let due = u32::try_from((due - NaiveDate::MIN).num_days()).unwrap_or(u32::MAX);
    (u128::from(tier) << 96) | (u128::from(u32::MAX - score) << 64) | (u128::from(u32::MAX - days) << 32) | u128::from(due)
}

/// The slot a child recommended `m` takes: that modality's or a more intensive one's (never
/// a less intensive one), the least intensive with one free. With an IHA lane, an IHA takes
/// only a doctor's IHA slot, and a review never does.
fn slot_for(m: Modality, kind: AssessmentType, iha_lane: bool, slots: &[u32; 4]) -> Option<usize> {
    if iha_lane && kind == AssessmentType::Iha {
        return (slots[IHA_SLOT] > 0).then_some(IHA_SLOT);
    }
    let order: &[usize] = match m {
        Modality::FaceToFace => &[0],
        Modality::Virtual => &[1, 0],
        Modality::Questionnaire => &[2, 1, 0],
    };
    order.iter().copied().find(|i| slots[*i] > 0)
}

/// How many more queued children than free slots are put in order at a time: the queue is
/// ordered only as far as the week's slots reach (the same order as sorting all of it).
const ORDER_AHEAD: usize = 16;

/// The commissioned cost of a week's slots (every slot paid for, used or not): face-to-face,
/// virtual and questionnaire slots at a review's cost, doctors' IHA slots at an IHA's.
fn commissioned(slots: &[u32; 4], costs: &Costs) -> f64 {
    let review = |m| costs.slot(AssessmentType::Rha, m).2;
    f64::from(slots[0]) * review(Modality::FaceToFace)
        + f64::from(slots[1]) * review(Modality::Virtual)
        + f64::from(slots[2]) * review(Modality::Questionnaire)
        + f64::from(slots[IHA_SLOT]) * costs.slot(AssessmentType::Iha, Modality::FaceToFace).2
}

/// The cost a year of one more face-to-face slot a week (a review's cost, 52 weeks).
pub fn slot_cost_per_year(costs: &Costs) -> f64 {
    52.0 * costs.slot(AssessmentType::Rha, Modality::FaceToFace).2
}

/// What a week's end counts of one child, or of many ([`Week`]'s fields of the same names).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct EndCounts {
    present: u32,
    overdue: u32,
    overdue_seeable: u32,
    overdue_past_grace: u32,
}

impl EndCounts {
    fn add(&mut self, c: EndCounts) {
        self.present += c.present;
        self.overdue += c.overdue;
        self.overdue_seeable += c.overdue_seeable;
        self.overdue_past_grace += c.overdue_past_grace;
    }

    fn sub(&mut self, c: EndCounts) {
        self.present -= c.present;
        self.overdue -= c.overdue;
        self.overdue_seeable -= c.overdue_seeable;
        self.overdue_past_grace -= c.overdue_past_grace;
    }
}

/// How a present child counts at the end of the week ending `we`: overdue (due before `we`),
/// seeable (not missing, not placed out of area) and past the grace (waiting since before
/// `grace_cut`, from the due date or the missed offer as the policy says).
struct EndOfWeek {
    we: NaiveDate,
    grace_cut: Option<NaiveDate>,
    waits_from: WaitsFrom,
}

impl EndOfWeek {
    fn of(&self, k: &SimChild) -> EndCounts {
        let mut c = EndCounts { present: 1, ..EndCounts::default() };
        if let Some((_, d)) = k.next.filter(|(_, d)| *d < self.we) {
            c.overdue = 1;
            if !k.missing && !k.out_of_area {
                c.overdue_seeable = 1;
                let waiting_from = match self.waits_from {
                    WaitsFrom::MissedOffer => k.missed_offer.map_or(d, |m| m.max(d)),
                    WaitsFrom::DueDate => d,
                };
                // waiting_from + grace < we, with the week's cut worked out once.
                c.overdue_past_grace = u32::from(self.grace_cut.is_some_and(|g| waiting_from < g));
            }
        }
        c
    }
}

fn run_from(start: &Start, sched: &Scheduler, s: &Scenario, setup: &Setup, rng: &mut Rng) -> Run {
    let Setup { as_of, weeks, costs, deterministic, .. } = *setup;
    let policy = &start.policy;
    let sch = &policy.schedule;
    let sim = &policy.simulation;
    let mut recs =
        Records { start: &start.children, own: Vec::new(), host: sim.out_of_area_seen_by_host, host_wait: sim.host_provider_wait_weeks };
    let flags = flag_rules(policy);
    let mut kids = start.kids.clone();
    // What triage takes from each child's record, worked out when the child is queued and kept
    // until the record changes (the child is seen): apart from the children, so the weekly
    // passes over every child do not carry it.
    let mut known: Vec<Option<Known>> = vec![None; kids.len()];
    let mut queue: Vec<Queued> = Vec::new();
    let mut run = Run {
        weeks: Vec::with_capacity(weeks as usize),
        weeks_to_clear: None,
        started: start.started,
        arrived: 0,
        left: 0,
        joined: 0,
        queue_weeks_of_seen: 0,
        aged_out_overdue: 0,
        ihas_due: 0,
        ihas_on_time: 0,
        seen_overdue: 0,
        year_end_up_to_date: None,
        year_end_oc2: None,
    };
    // Attendance is drawn by (child, offer) from this key, not from the stream, so that the
    // arrivals (the stream) and the attendance do not depend on the capacity: every capacity
    // a search tries sees the same children attend (common random numbers).
    let attendance_key = rng.next_u64();
    let horizon_end = week_end(as_of, weeks);
    let year_end = year_end_in(as_of, weeks);
    // Whether the option ever has doctors' IHA slots; each week, IHAs use them only while there
    // are some (otherwise they share the face-to-face slots).
    let has_lane = s.iha_lane();
    let grace_days = 7 * u64::from(sim.clear_grace_weeks);
    let slot_costs = s.costs.as_ref().unwrap_or(costs);
    // An IHA that fell due in the horizon and was not done by the time it is counted.
    let iha_missed = |k: &SimChild, by: NaiveDate| k.next.is_some_and(|(kind, d)| kind == AssessmentType::Iha && d >= as_of && d <= by);
    let mut arrivals_due = 0.0f64;
    for w in 0..weeks {
        let ws = plus(as_of, 7 * u64::from(w));
        let we = plus(ws, 6);
        // Leavers, and children whose care starts this week.
        for k in kids.iter_mut().filter(|k| !k.gone) {
            if !k.present && k.care_start <= ws {
                k.present = true;
                run.arrived += 1;
            }
            if k.present && k.leaves <= ws {
                if k.next.is_some_and(|(_, d)| d < k.leaves) {
                    run.aged_out_overdue += 1;
                }
                // An IHA missed while the child was in care counts, as missed.
                if iha_missed(k, k.leaves.pred_opt().unwrap_or(k.leaves).min(horizon_end)) {
                    run.ihas_due += 1;
                }
                k.present = false;
                k.gone = true;
                k.queued_since = None;
                run.left += 1;
            }
        }
        // New entrants.
        let n_new = if deterministic {
            arrivals_due += s.new_entrants_per_week;
            let n = arrivals_due.floor();
            arrivals_due -= n;
            n as u64
        } else {
            rng.poisson(s.new_entrants_per_week)
        };
        for j in 0..n_new {
            let start_day = if deterministic { ws } else { plus(ws, rng.below(7)) };
            let mut child = crate::synth::new_entrant(&format!("new-w{:03}-{j:03}", w + 1), start_day, &start.localities, rng);
            if let Some(share) = s.new_entrants_out_of_area_share {
                // Drawn by the entrant's number, not from the stream, so the stream is the same.
                let n = u64::from(run.arrived) << 20 | u64::from(w);
                child.signals.out_of_area = crate::rng::uniform_at(attendance_key ^ OUT_OF_AREA_KEY, n, 0) < share;
            }
            let next = next_for(sched, &child, start_day);
            let gone_on = leaves(sched, &child);
            kids.push(recs.add(child, next, gone_on));
            known.push(None);
            run.arrived += 1;
        }
        // The queue, in triage order (the worklist's: tier, score, days overdue, due date,
        // child_id), each child decided by the same rules as the worklist. With an IHA lane, a
        // new entrant's IHA is queued from the day of entry.
        queue.clear();
        let mut slots = s.slots(w + 1);
        let iha_lane = has_lane && slots[IHA_SLOT] > 0;
        let mut week_host = 0u32;
        let rules = crate::triage::Rules::new(ws, policy, &flags);
        // The week's end counts (present, overdue, ...), tallied in this pass as each child is
        // left after it, and mended below for the children the week's slots change: one pass
        // over the children fewer than counting them again at the end of the week.
        let tally = EndOfWeek { we, grace_cut: we.checked_sub_days(Days::new(grace_days)), waits_from: sim.did_not_attend_waits_from };
        let mut end = EndCounts::default();
        for (i, k) in kids.iter_mut().enumerate() {
            if !k.present {
                continue;
            }
            'queue: {
                let Some((kind, due)) = k
                    .next
                    .filter(|(kind, d)| k.rebook_week <= w && (*d <= we || (iha_lane && !k.out_of_area && *kind == AssessmentType::Iha)))
                else {
                    break 'queue;
                };
                if k.queued_since.is_none() {
                    k.queued_since = Some(w);
                    // The local queue's joiners (for Little's law); the host's are apart.
                    run.joined += u32::from(!k.out_of_area);
                }
                let child = recs.get(k.record);
                // A child placed out of area is assessed by the host area's provider after its wait,
                // using no local slot (and is not in the local queue meanwhile).
                if k.out_of_area {
                    // The host provider cannot see a child who is missing either.
                    if !k.missing && w - k.queued_since.unwrap_or(w) >= k.host_wait {
                        week_host += 1;
                        if kind == AssessmentType::Iha && due >= as_of && due <= horizon_end {
                            run.ihas_due += 1;
                            run.ihas_on_time += u32::from(ws <= due);
                        }
                        k.queued_since = None;
                        k.missed_offer = None;
                        known[i] = None;
                        k.last_done = Some(ws);
                        k.next = next_after_seen(sched, child, ws);
                    }
                    break 'queue;
                }
                let days = (ws - due).num_days();
                let age = match k.age {
                    Some((years, next_birthday)) if ws < next_birthday => years,
                    _ => {
                        let years = crate::calendar::age_on(child.date_of_birth, ws, sch.leap_day_birthday);
                        let next = anniversary(child.date_of_birth, years + 1, sch.leap_day_birthday).unwrap_or(NaiveDate::MAX);
                        k.age = Some((years, next));
                        years
                    }
                };
                let status = ChildStatus {
                    status: if days > 0 { Status::Overdue } else { Status::DueSoon },
                    next_assessment: Some(kind),
                    due_date: Some(due),
                    days_overdue: Some(days.max(0)),
                    age_band: sched.age_band(age),
                    age_years: age,
                    reason: Reason::OutOfRange,
                    last_assessment: k.last_done,
                    declined_offers: 0,
                };
                let known = *known[i].get_or_insert_with(|| Known::new(child, &status, policy));
                let d = decide(child, &status, &rules, None, Some(&known));
                queue.push(Queued { key: queue_key(d.tier, d.score, days, due), kid: i, kind, due, modality: d.modality });
            }
            end.add(tally.of(k));
        }
        let commissioned_now = commissioned(&slots, slot_costs);
        let mut week = Week {
            queued: queue.len() as u32,
            seen_by_host: week_host,
            commissioned_cost: commissioned_now,
            one_off_cost: (commissioned_now - commissioned(&s.slots_with(w + 1, false), slot_costs)).max(0.0),
            ..Week::default()
        };
        let (mut lo, mut stretch) = (0, 0);
        // Admin minutes left for booking this week (None: no limit).
        let mut admin_left = s.admin_hours_per_week.map(|h| h * 60.0);
        'serve: while lo < queue.len() && slots.iter().any(|n| *n > 0) {
            // Drop from the rest of the queue whoever no free slot can serve (slots only run
            // out, so they could not be served later this week either): missing children,
            // and those whose modality and the more intensive ones have no slot left.
            let mut keep = lo;
            for j in lo..queue.len() {
                if !kids[queue[j].kid].missing && slot_for(queue[j].modality, queue[j].kind, iha_lane, &slots).is_some() {
                    queue.swap(keep, j);
                    keep += 1;
                }
            }
            queue.truncate(keep);
            if lo == queue.len() {
                break;
            }
            // Put the next stretch of the queue in order: the best `hi - lo` of the rest, sorted.
            // Stretches at least double, so a queue walked to its end costs O(n log n).
            stretch = (slots.iter().sum::<u32>() as usize + ORDER_AHEAD).max(2 * stretch);
            let hi = (lo + stretch).min(queue.len());
            if hi < queue.len() {
                queue[lo..].select_nth_unstable_by(hi - lo - 1, |a, b| queue_order(&kids, &recs, a, b));
            }
            queue[lo..hi].sort_unstable_by(|a, b| queue_order(&kids, &recs, a, b));
            for q in &queue[lo..hi] {
                let k = &mut kids[q.kid];
                let Some(slot) = slot_for(q.modality, q.kind, iha_lane, &slots) else { continue };
                let modality = SLOT_MODALITY[slot];
                let (clin, admin, cost) = slot_costs.slot(q.kind, modality);
                if let Some(left) = admin_left.as_mut() {
                    if *left < admin {
                        break 'serve;
                    }
                    *left -= admin;
                }
                slots[slot] -= 1;
                week.clinician_minutes += clin;
                week.admin_minutes += admin;
                week.cost += cost;
                // This child's end-of-week counts change with the offer: taken out, put back after.
                end.sub(tally.of(k));
                let offer = k.offers;
                k.offers += 1;
                if s.did_not_attend_rate > 0.0
                    && crate::rng::uniform_at(attendance_key, q.kid as u64, u64::from(offer)) < s.did_not_attend_rate
                {
                    week.did_not_attend += 1;
                    k.rebook_week = w + sim.rebook_after_weeks;
                    k.missed_offer = Some(ws);
                    end.add(tally.of(k));
                    continue;
                }
                week.seen += 1;
                run.queue_weeks_of_seen += u64::from(w - k.queued_since.unwrap_or(w) + 1);
                run.seen_overdue += u32::from(q.due < ws);
                if q.kind == AssessmentType::Iha && q.due >= as_of && q.due <= horizon_end {
                    run.ihas_due += 1;
                    run.ihas_on_time += u32::from(ws <= q.due);
                }
                k.queued_since = None;
                k.missed_offer = None;
                // The record plus this assessment: the latest completed is now, declined offers
                // before it no longer count, and a face-to-face one is the latest such.
                let child = recs.get(k.record);
                // Every queued child's `known` was set when the queue was built.
                debug_assert!(known[q.kid].is_some());
                if let Some(known) = known[q.kid].as_mut() {
                    known.last_declined = None;
                    if modality == Modality::FaceToFace {
                        known.last_face_to_face = Some(ws);
                    }
                }
                k.last_done = Some(ws);
                k.next = next_after_seen(sched, child, ws);
                end.add(tally.of(k));
            }
            lo = hi;
        }
        // The tally is the count over every present child at the week's end (checked so in
        // every test build).
        debug_assert_eq!(
            end,
            kids.iter().filter(|k| k.present).fold(EndCounts::default(), |mut e, k| {
                e.add(tally.of(k));
                e
            })
        );
        week.present = end.present;
        week.overdue = end.overdue;
        week.overdue_seeable = end.overdue_seeable;
        week.overdue_past_grace = end.overdue_past_grace;
        if let Some(e) = year_end.filter(|e| (ws..=we).contains(e)) {
            run.year_end_up_to_date = week.up_to_date_pct();
            let cohort_start = crate::kpi::oc2_cohort_start(e);
            let year_ago = crate::calendar::sub_months(e, 12).unwrap_or(e);
            let (mut den, mut num) = (0u32, 0u32);
            for k in kids.iter().filter(|k| k.present && k.care_start <= cohort_start) {
                den += 1;
                num += u32::from(k.last_done.is_some_and(|d| d > year_ago));
            }
            run.year_end_oc2 = (den > 0).then(|| 100.0 * f64::from(num) / f64::from(den));
        }
        run.weeks.push(week);
    }
    // A child who leaves in the last week is still present: count an IHA missed only while in care.
    run.ihas_due +=
        kids.iter().filter(|k| k.present && iha_missed(k, k.leaves.pred_opt().unwrap_or(k.leaves).min(horizon_end))).count() as u32;
    // Cleared, and staying so: the week after the last that ended with a child past the grace
    // (a week clear between two that are not is not "cleared"); None if the last week is not.
    run.weeks_to_clear = match run.weeks.iter().rposition(|w| w.overdue_past_grace > 0) {
        None => Some(1),
        Some(last) if last + 1 < run.weeks.len() => Some(last as u32 + 2),
        Some(_) => None,
    };
    run
}

/// `runs` replications of a scenario, in parallel, each from its own random stream (the
/// setup's seed, run number): the same results on any machine and any number of threads.
pub fn simulate(cohort: &Cohort, s: &Scenario, setup: &Setup, runs: std::ops::Range<u32>) -> Vec<Run> {
    let start = Start::new(cohort, s, setup.as_of, setup.policy);
    let sched = Scheduler::new(&start.policy);
    runs.into_par_iter()
        .map(|r| {
            let mut rng = Rng::new(setup.seed, u64::from(r));
            run_from(&start, &sched, s, setup, &mut rng)
        })
        .collect()
}

/// The nearest-rank quantile (q in (0, 1]) of values, `None` counted as larger than any.
pub fn quantile<T: Copy + PartialOrd>(values: &[Option<T>], q: f64) -> Option<T> {
    let mut v: Vec<Option<T>> = values.to_vec();
    v.sort_by(|a, b| match (a, b) {
        (Some(x), Some(y)) => x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    if v.is_empty() {
        return None;
    }
    let idx = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
    v[idx]
}

/// The summary table: scenario, runs, weeks_to_clear_p50, weeks_to_clear_p90, overdue_end_p50,
/// seen_p50, clinician_hours_p50, up_to_date_end_p50, then weeks_to_clear_p10, cleared_share,
/// overdue_end_p10, overdue_end_p90, did_not_attend_p50, admin_hours_p50, cost_p10, cost_p50,
/// cost_p90, up_to_date_end_p10, up_to_date_end_p90, then (docs/simulation.md) clear_date_p50,
/// clear_date_p90, aged_out_overdue_p50, iha_in_timescale_p50, iha_slots,
/// commissioned_cost_p50, one_off_cost_p50, extra_cost_vs_baseline_p50,
/// cost_per_child_brought_up_to_date_p50, year_end, up_to_date_at_year_end_p50,
/// oc2_annual_ha_at_year_end_p50, seen_by_host_p50. `file` is the scenario file the results come from (in its
/// order), for the IHA lanes, the baseline and the horizon.
pub fn summary_table(results: &[(String, Vec<Run>)], as_of: NaiveDate, file: &ScenarioFile) -> Table {
    let mut t = Table::default();
    let q_i = |runs: &[Run], f: &dyn Fn(&Run) -> Option<u32>, q: f64| quantile(&runs.iter().map(f).collect::<Vec<_>>(), q).map(i64::from);
    let q_f = |runs: &[Run], f: &dyn Fn(&Run) -> Option<f64>, q: f64| quantile(&runs.iter().map(f).collect::<Vec<_>>(), q);
    let ints = |f: &dyn Fn(&[Run]) -> Option<i64>| ColumnData::Int(results.iter().map(|(_, r)| f(r)).collect());
    let floats = |f: &dyn Fn(&[Run]) -> Option<f64>| ColumnData::Float(results.iter().map(|(_, r)| f(r)).collect());
    let overdue_end = |r: &Run| r.weeks.last().map(|w| w.overdue);
    let utd_end = |r: &Run| r.weeks.last().and_then(Week::up_to_date_pct);
    t.push("scenario", ColumnData::Str(results.iter().map(|(n, _)| Some(n.clone())).collect()));
    t.push("runs", ints(&|r| Some(r.len() as i64)));
    t.push("weeks_to_clear_p50", ints(&|r| q_i(r, &|x| x.weeks_to_clear, 0.5)));
    t.push("weeks_to_clear_p90", ints(&|r| q_i(r, &|x| x.weeks_to_clear, 0.9)));
    t.push("overdue_end_p50", ints(&|r| q_i(r, &overdue_end, 0.5)));
    t.push("seen_p50", ints(&|r| q_i(r, &|x| Some(x.seen()), 0.5)));
    t.push("clinician_hours_p50", floats(&|r| q_f(r, &|x| Some(x.clinician_hours()), 0.5)));
    t.push("up_to_date_end_p50", floats(&|r| q_f(r, &utd_end, 0.5)));
    t.push("weeks_to_clear_p10", ints(&|r| q_i(r, &|x| x.weeks_to_clear, 0.1)));
    t.push("cleared_share", floats(&|r| Some(r.iter().filter(|x| x.weeks_to_clear.is_some()).count() as f64 / r.len().max(1) as f64)));
    t.push("overdue_end_p10", ints(&|r| q_i(r, &overdue_end, 0.1)));
    t.push("overdue_end_p90", ints(&|r| q_i(r, &overdue_end, 0.9)));
    t.push("did_not_attend_p50", ints(&|r| q_i(r, &|x| Some(x.weeks.iter().map(|w| w.did_not_attend).sum()), 0.5)));
    t.push("admin_hours_p50", floats(&|r| q_f(r, &|x| Some(x.admin_hours()), 0.5)));
    t.push("cost_p10", floats(&|r| q_f(r, &|x| Some(x.cost()), 0.1)));
    t.push("cost_p50", floats(&|r| q_f(r, &|x| Some(x.cost()), 0.5)));
    t.push("cost_p90", floats(&|r| q_f(r, &|x| Some(x.cost()), 0.9)));
    t.push("up_to_date_end_p10", floats(&|r| q_f(r, &utd_end, 0.1)));
    t.push("up_to_date_end_p90", floats(&|r| q_f(r, &utd_end, 0.9)));
    let clear_date = |q: f64| {
        ColumnData::Date(results.iter().map(|(_, r)| q_i(r, &|x| x.weeks_to_clear, q).map(|w| week_end(as_of, w as u32))).collect())
    };
    t.push("clear_date_p50", clear_date(0.5));
    t.push("clear_date_p90", clear_date(0.9));
    t.push("aged_out_overdue_p50", ints(&|r| q_i(r, &|x| Some(x.aged_out_overdue), 0.5)));
    // Over the runs in which an IHA fell due (a run with none says nothing about timeliness).
    let iha_pct = |r: &[Run]| {
        let v: Vec<Option<f64>> = r.iter().map(Run::iha_in_timescale_pct).filter(Option::is_some).collect();
        quantile(&v, 0.5)
    };
    t.push("iha_in_timescale_p50", floats(&iha_pct));
    let lane = |i: usize| file.scenario.get(i).is_some_and(Scenario::iha_lane);
    let slots_of = |i: usize| Some(if lane(i) { "doctor_iha" } else { "shared_face_to_face" }.to_string());
    t.push("iha_slots", ColumnData::Str((0..results.len()).map(slots_of).collect()));
    let commissioned = |r: &[Run]| q_f(r, &|x| Some(x.commissioned_cost()), 0.5);
    t.push("commissioned_cost_p50", floats(&commissioned));
    t.push("one_off_cost_p50", floats(&|r| q_f(r, &|x| Some(x.one_off_cost()), 0.5)));
    let base = results.get(file.baseline_index()).and_then(|(_, r)| commissioned(r));
    t.push("extra_cost_vs_baseline_p50", floats(&|r| commissioned(r).zip(base).map(|(c, b)| c - b)));
    t.push(
        "cost_per_child_brought_up_to_date_p50",
        floats(&|r| q_f(r, &|x| (x.seen_overdue > 0).then(|| x.commissioned_cost() / f64::from(x.seen_overdue)), 0.5)),
    );
    let year_end = year_end_in(as_of, file.weeks);
    t.push("year_end", ColumnData::Date(results.iter().map(|_| year_end).collect()));
    t.push("up_to_date_at_year_end_p50", floats(&|r| q_f(r, &|x| x.year_end_up_to_date, 0.5)));
    t.push("oc2_annual_ha_at_year_end_p50", floats(&|r| q_f(r, &|x| x.year_end_oc2, 0.5)));
    t.push("seen_by_host_p50", ints(&|r| q_i(r, &|x| Some(x.weeks.iter().map(|w| w.seen_by_host).sum()), 0.5)));
    t
}

/// The weekly trajectory: scenario, week, week_start, overdue_p10, overdue_p50, overdue_p90,
/// seen_p50, up_to_date_p50, then up_to_date_p10, up_to_date_p90, queued_p50.
pub fn trajectory_table(results: &[(String, Vec<Run>)], as_of: NaiveDate) -> Table {
    let mut cols: (Vec<_>, Vec<_>, Vec<_>, Vec<_>, Vec<_>, Vec<_>, Vec<_>, Vec<_>, Vec<_>, Vec<_>, Vec<_>) = Default::default();
    for (name, runs) in results {
        let weeks = runs.iter().map(|r| r.weeks.len()).max().unwrap_or(0);
        for w in 0..weeks {
            let at = |f: &dyn Fn(&Week) -> u32| runs.iter().map(|r| r.weeks.get(w).map(f)).collect::<Vec<_>>();
            let overdue = at(&|x| x.overdue);
            let utd: Vec<Option<f64>> = runs.iter().map(|r| r.weeks.get(w).and_then(Week::up_to_date_pct)).collect();
            cols.0.push(Some(name.clone()));
            cols.1.push(Some(w as i64 + 1));
            cols.2.push(Some(plus(as_of, 7 * w as u64)));
            cols.3.push(quantile(&overdue, 0.1).map(i64::from));
            cols.4.push(quantile(&overdue, 0.5).map(i64::from));
            cols.5.push(quantile(&overdue, 0.9).map(i64::from));
            cols.6.push(quantile(&at(&|x| x.seen), 0.5).map(i64::from));
            cols.7.push(quantile(&utd, 0.5));
            cols.8.push(quantile(&utd, 0.1));
            cols.9.push(quantile(&utd, 0.9));
            cols.10.push(quantile(&at(&|x| x.queued), 0.5).map(i64::from));
        }
    }
    let mut t = Table::default();
    t.push("scenario", ColumnData::Str(cols.0));
    t.push("week", ColumnData::Int(cols.1));
    t.push("week_start", ColumnData::Date(cols.2));
    t.push("overdue_p10", ColumnData::Int(cols.3));
    t.push("overdue_p50", ColumnData::Int(cols.4));
    t.push("overdue_p90", ColumnData::Int(cols.5));
    t.push("seen_p50", ColumnData::Int(cols.6));
    t.push("up_to_date_p50", ColumnData::Float(cols.7));
    t.push("up_to_date_p10", ColumnData::Float(cols.8));
    t.push("up_to_date_p90", ColumnData::Float(cols.9));
    t.push("queued_p50", ColumnData::Int(cols.10));
    t
}

/// A simulation of a scenario file's options run in batches, so that a caller can show
/// progress and stop between batches (Ctrl-C in Python): the file (with any overrides of
/// weeks, runs and seed), checked and sized up front, and the runs done so far, per option.
#[derive(Debug, Clone)]
pub struct Batch {
    pub file: ScenarioFile,
    pub as_of: NaiveDate,
    pub policy: Policy,
    /// (option name, runs done), in the file's order.
    pub results: Vec<(String, Vec<Run>)>,
}

impl Batch {
    /// The simulation of `file` for a cohort of `children` at `as_of`, refused up front when it
    /// is not valid or too big ([`check_size`]).
    pub fn new(file: ScenarioFile, children: usize, as_of: NaiveDate, policy: &Policy) -> Result<Batch> {
        file.validate()?;
        let entrants = file.scenario.iter().map(|s| s.new_entrants_per_week).fold(0.0, f64::max);
        check_size(children, file.scenario.len(), file.weeks, file.runs, entrants, policy)?;
        let results = file.scenario.iter().map(|s| (s.name.clone(), Vec::new())).collect();
        Ok(Batch { file, as_of, policy: policy.clone(), results })
    }

    /// Runs to do in all (runs x options), and done so far.
    pub fn progress(&self) -> (u32, u32) {
        let done: usize = self.results.iter().map(|(_, r)| r.len()).sum();
        (self.file.runs.saturating_mul(self.file.scenario.len() as u32), done as u32)
    }

    /// Do up to `max_runs` more runs of the first unfinished option, in parallel; how many
    /// were done (0 when every option is finished).
    pub fn step(&mut self, cohort: &Cohort, max_runs: u32) -> u32 {
        let f = &self.file;
        let Some(i) = self.results.iter().position(|(_, r)| (r.len() as u32) < f.runs) else { return 0 };
        let start = self.results[i].1.len() as u32;
        let end = start.saturating_add(max_runs.max(1)).min(f.runs);
        let setup =
            Setup { as_of: self.as_of, weeks: f.weeks, seed: f.seed, policy: &self.policy, costs: &f.costs, deterministic: f.runs == 1 };
        let runs = simulate(cohort, &f.scenario[i], &setup, start..end);
        self.results[i].1.extend(runs);
        end - start
    }

    /// The summary table, one row per option.
    pub fn summary(&self) -> Table {
        summary_table(&self.results, self.as_of, &self.file)
    }

    /// The weekly trajectory table (p10, p50, p90).
    pub fn trajectory(&self) -> Table {
        trajectory_table(&self.results, self.as_of)
    }
}

/// What a capacity search looks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// Every child who can be seen is seen (no one overdue) by this date.
    ClearBy(NaiveDate),
    /// `up_to_date` at the horizon's end at least this percentage.
    UpToDate(f64),
}

impl Goal {
    /// The goal from its two forms: a date to clear by, or a percentage up to date; exactly one.
    pub fn of(clear_by: Option<NaiveDate>, up_to_date_pct: Option<f64>) -> Result<Goal> {
        match (clear_by, up_to_date_pct) {
            (Some(d), None) => Ok(Goal::ClearBy(d)),
            (None, Some(p)) => Ok(Goal::UpToDate(p)),
            _ => Err(Error::Policy("give exactly one of clear_by and target_up_to_date".into())),
        }
    }
}

impl std::str::FromStr for Goal {
    type Err = String;

    /// `clear_by=YYYY-MM-DD` or `up_to_date=PCT`.
    fn from_str(s: &str) -> std::result::Result<Goal, String> {
        let bad = || format!("a goal is clear_by=YYYY-MM-DD or up_to_date=PERCENT, not {s:?}");
        match s.split_once('=') {
            Some(("clear_by", d)) => NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map(Goal::ClearBy).map_err(|_| bad()),
            Some(("up_to_date", p)) => p.trim().parse::<f64>().ok().filter(|p| p.is_finite()).map(Goal::UpToDate).ok_or_else(bad),
            _ => Err(bad()),
        }
    }
}

/// What a capacity search found: the capacity (None: not reachable, with the reason), every
/// (capacity, success share) tried in order of capacity, the largest capacity the search
/// would try (a slot for every child every week), and the answer in clinics and money.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityAnswer {
    pub face_to_face_per_week: Option<u32>,
    pub tried: Vec<(u32, f64)>,
    pub bound: u32,
    /// Why no capacity up to `bound` meets the goal (None when one does).
    pub not_reachable: Option<String>,
    /// The capacity in clinics a week (`simulation.slots_per_clinic` slots each, rounded up).
    pub clinics_per_week: Option<u32>,
    /// What the capacity costs a year if every slot is commissioned (a face-to-face review's
    /// cost, 52 weeks).
    pub commissioned_cost_per_year: Option<f64>,
}

/// The smallest weekly face-to-face capacity (other slots as in `base`) that meets the goal in
/// at least `probability` of `runs` replications: a rough answer on a sample of the runs, then
/// the exact one on every run stepping out from it (docs/simulation.md); with every capacity
/// tried on every run and its success share. Every capacity is tried on the same runs (the same arrivals and the same
/// attendance: common random numbers), so noise does not reorder capacities. The search goes up
/// to a slot for every child every week; when even that fails the goal, the answer says it is
/// not reachable and why. The setup's `weeks` is the horizon of an `UpToDate` goal (a `ClearBy`
/// goal sets its own) and its `deterministic` is ignored (one run is deterministic).
pub fn capacity_needed(cohort: &Cohort, base: &Scenario, setup: &Setup, runs: u32, goal: Goal, probability: f64) -> Result<CapacityAnswer> {
    let Setup { as_of, weeks, policy, costs, .. } = *setup;
    let bad = |m: String| Err(Error::Policy(m));
    let weeks = match goal {
        Goal::ClearBy(d) => {
            let days = (d - as_of).num_days();
            if days < 7 {
                return bad(format!("clear_by ({d}) must be at least a week after as_of ({as_of})"));
            }
            if days / 7 > i64::from(MAX_WEEKS) {
                return bad(format!("clear_by ({d}) must be within {MAX_WEEKS} weeks (ten years) of as_of ({as_of})"));
            }
            (days / 7) as u32
        }
        Goal::UpToDate(p) => {
            if !(0.0..=100.0).contains(&p) {
                return bad(format!("target_up_to_date must be a percentage from 0 to 100, not {p}"));
            }
            if p <= 1.0 {
                return bad(format!("target_up_to_date is a percentage: {p} means {p}% up to date; for {}% give {}", p * 100.0, p * 100.0));
            }
            weeks
        }
    };
    if !(probability > 0.0 && probability <= 1.0) {
        return bad(format!("probability must be above 0 and at most 1, not {probability}"));
    }
    base.validate()?;
    costs.validate().map_err(|m| Error::Policy(format!("costs: {m}")))?;
    check_size(cohort.len(), 1, weeks, runs, base.new_entrants_per_week, policy)?;
    let arrivals = (base.new_entrants_per_week * f64::from(weeks)).ceil() as u64;
    let bound = u32::try_from((cohort.len() as u64).saturating_add(arrivals).max(1)).unwrap_or(u32::MAX).min(MAX_SLOTS_PER_WEEK);
    // The base scenario at capacity `c`, and whether a run meets the goal.
    let scenario_at = |c: u32| Scenario { face_to_face_per_week: c, changes: Vec::new(), ..base.clone() };
    let setup_n = Setup { weeks, deterministic: runs == 1, ..*setup };
    let met = |r: &Run| match goal {
        Goal::ClearBy(_) => r.weeks_to_clear.is_some_and(|w| w <= weeks),
        Goal::UpToDate(p) => r.weeks.last().and_then(Week::up_to_date_pct).is_some_and(|v| v >= p),
    };
    // The share of runs `0..n` meeting the goal at capacity `c`.
    let share_of = |c: u32, n: u32| {
        let ok = simulate(cohort, &scenario_at(c), &setup_n, 0..n).iter().filter(|r| met(r)).count();
        ok as f64 / n.max(1) as f64
    };
    // Whether the share of runs `0..n` at `c` reaches the probability, deciding as soon as the
    // runs so far settle it (in chunks of runs on every core): for the rough search only, whose
    // shares are not reported.
    let passes_early = |c: u32, n: u32| {
        let need = (0..=n).find(|k| f64::from(*k) / f64::from(n.max(1)) >= probability).unwrap_or(n + 1);
        let chunk = (4 * crate::par::threads() as u32).max(8);
        let (mut ok, mut done) = (0u32, 0u32);
        while done < n {
            let to = (done + chunk).min(n);
            ok += simulate(cohort, &scenario_at(c), &setup_n, done..to).iter().filter(|r| met(r)).count() as u32;
            done = to;
            if ok >= need {
                return true;
            }
            if ok + (n - done) < need {
                return false;
            }
        }
        ok >= need
    };
    // The smallest capacity from `lo` up to `hi` (which passes, or is the bound) that passes, by
    // doubling then bisection, each capacity asked once.
    let search = |mut lo: u32, mut hi: u32, passes: &mut dyn FnMut(u32) -> bool| -> Option<u32> {
        let mut known: Vec<(u32, bool)> = Vec::new();
        let mut pass = |c: u32| match known.iter().find(|(x, _)| *x == c) {
            Some(&(_, p)) => p,
            None => {
                let p = passes(c);
                known.push((c, p));
                p
            }
        };
        while !pass(hi) {
            if hi >= bound {
                return None;
            }
            lo = hi + 1;
            hi = hi.saturating_mul(2).min(bound);
        }
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if pass(mid) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        Some(hi)
    };
    // First a rough answer on a sample of the runs (a sixteenth, at least 16, each capacity
    // decided as soon as its runs settle it), then the exact one on every run, searched
    // outwards from the rough answer: the shares are the same at every capacity (the same runs,
    // common random numbers), so this finds exactly what a bisection on every run would,
    // trying two or three capacities on every run instead of eight or more. Only the
    // capacities tried on every run are reported, each with its share of every run.
    let sample = (runs / 16).max(16);
    let start_at = base.face_to_face_per_week.clamp(1, bound);
    // Not reachable on the sample: start the exact search at the bound (one run of every
    // replication there settles "not reachable", instead of doubling up to it again).
    let rough = (sample < runs).then(|| search(0, start_at, &mut |c| passes_early(c, sample)).unwrap_or(bound));
    let mut tried: Vec<(u32, f64)> = Vec::new();
    // Whether capacity `c` passes on every run, each capacity simulated once.
    let mut full = |c: u32| {
        let s = match tried.iter().find(|(x, _)| *x == c) {
            Some(&(_, s)) => s,
            None => {
                let s = share_of(c, runs);
                tried.push((c, s));
                s
            }
        };
        s >= probability
    };
    let answer = match rough {
        None => search(0, start_at, &mut full),
        Some(r) => {
            if full(r) {
                // Down from the rough answer, a step then doubling steps, to the first failure.
                let (mut pass, mut step) = (r, 1u32);
                let fail = loop {
                    if pass == 0 {
                        break None;
                    }
                    let c = pass.saturating_sub(step);
                    if full(c) {
                        pass = c;
                        step = step.saturating_mul(2);
                    } else {
                        break Some(c);
                    }
                };
                match fail {
                    None => Some(0),
                    Some(f) => search(f + 1, pass, &mut full),
                }
            } else {
                // Up from the rough answer, likewise, to the first success (or the bound).
                let (mut fail, mut step) = (r, 1u32);
                loop {
                    if fail >= bound {
                        break None;
                    }
                    let c = fail.saturating_add(step).min(bound);
                    if full(c) {
                        break search(fail + 1, c, &mut full);
                    }
                    fail = c;
                    step = step.saturating_mul(2);
                }
            }
        }
    };
    tried.sort_by_key(|x| x.0);
    let found = answer.is_some();
    let hi = answer.unwrap_or(bound);
    let slot_cost = slot_cost_per_year(base.costs.as_ref().unwrap_or(costs));
    if !found {
        let best = tried.last().map_or(0.0, |t| t.1);
        let mut why = format!(
            "not reachable: even with {bound} face-to-face slots a week (a slot for every child, every week) only {:.0}% of runs \
             meet the goal, below the {:.0}% asked",
            100.0 * best,
            100.0 * probability
        );
        if base.iha_lane() {
            why.push_str("; IHAs use only the doctors' IHA slots (doctor_iha_per_week), which this search does not change");
        }
        if let Some(h) = base.admin_hours_per_week {
            let per = base.costs.as_ref().unwrap_or(costs).face_to_face_admin_minutes.max(1.0);
            why.push_str(&format!(
                "; bookings are limited by admin_hours_per_week ({h} hours: at most {} face-to-face bookings a week at {per} admin \
                 minutes each), which more slots do not change",
                (h * 60.0 / per).floor()
            ));
        }
        if base.did_not_attend_rate > 0.0 {
            why.push_str(&format!(
                "; {:.0}% of offers are not attended and each is offered again only {} week(s) later (policy simulation.rebook_after_weeks)",
                100.0 * base.did_not_attend_rate,
                policy.simulation.rebook_after_weeks
            ));
        }
        if let Goal::UpToDate(p) = goal {
            why.push_str(&format!(
                "; children flagged missing cannot be seen and new entrants' IHAs keep falling due, so {p}% up to date may be out of reach"
            ));
        }
        return Ok(CapacityAnswer {
            face_to_face_per_week: None,
            tried,
            bound,
            not_reachable: Some(why),
            clinics_per_week: None,
            commissioned_cost_per_year: None,
        });
    }
    Ok(CapacityAnswer {
        face_to_face_per_week: Some(hi),
        tried,
        bound,
        not_reachable: None,
        clinics_per_week: Some(hi.div_ceil(policy.simulation.slots_per_clinic.max(1))),
        commissioned_cost_per_year: Some(f64::from(hi) * slot_cost),
    })
}
