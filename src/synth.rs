//! A synthetic council: realistic children and assessment histories without real children.
//! Seeded and reproducible (each child comes from its own random stream), any size, with
//! England's shape (docs/synthetic.md, from DfE statistics) and a knob for a council in trouble. docs/synthetic.md
//! gives every distribution and its source.

use chrono::{Datelike, Days, NaiveDate};

use crate::calendar::{add_months, age_on, anniversary, sub_months};
use crate::model::{Assessment, AssessmentType, Child, Cohort, Modality, NeedSignal, Outcome, Signals};
use crate::policy::{LeapDayBirthday, Policy};
use crate::rng::Rng;
use crate::schedule::{Scheduler, Status};

/// What to generate.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    pub children: usize,
    pub seed: u64,
    pub as_of: NaiveDate,
    /// A council in trouble: the share of children needing an assessment who are overdue at
    /// as_of (e.g. 0.4). `None`: a council keeping up about as well as England does.
    pub overdue_share: Option<f64>,
    pub localities: Vec<String>,
}

/// The years an as_of may fall in: every child is born within 18 years before it, so from
/// 1920 no date reaches 1900 (which readers refuse as Excel's empty date, docs/bad-input.md);
/// up to 2999 every date the schedule works out stays within the calendar.
pub const AS_OF_YEARS: (i32, i32) = (1920, 2999);

impl SynthOptions {
    /// Whether a council can be made with these options: an as_of within [`AS_OF_YEARS`] and
    /// an overdue share from 0 to below 1. The message says what to change.
    pub fn check(&self) -> Result<(), String> {
        let (lo, hi) = AS_OF_YEARS;
        if !(lo..=hi).contains(&self.as_of.year()) {
            return Err(format!("as_of must be in the years {lo} to {hi}, not {}", self.as_of));
        }
        if let Some(q) = self.overdue_share {
            if !(0.0..1.0).contains(&q) {
                return Err(format!("overdue_share must be from 0 to below 1, not {q}"));
            }
        }
        Ok(())
    }

    pub fn new(children: usize, seed: u64, as_of: NaiveDate) -> Self {
        SynthOptions {
            children,
            seed,
            as_of,
            overdue_share: None,
            localities: ["North", "South", "East", "West"].iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// Age bands at as_of and their shares of children looked after (DfE, 31 March 2024).
const AGE_BANDS: [(u32, u32, f64); 5] = [(0, 1, 0.04), (1, 5, 0.13), (5, 10, 0.18), (10, 16, 0.38), (16, 18, 0.27)];
/// Share of UASC by age band: 9% of all, nearly 90% of them 16 or over.
const UASC_BY_BAND: [f64; 5] = [0.0, 0.0, 0.0, 0.024, 0.30];
/// Children who started to be looked after in the last 12 months, other than infants (with
/// the under-1s this gives about 29%: 83,630 looked after, 59,480 of them for 12 months+).
const RECENT_ENTRY: f64 = 0.26;
/// Mean time in care beyond the first year, in days, for longer-stay children.
const LONG_STAY_MEAN_DAYS: f64 = 1100.0;
const LEGAL_STATUS: [(&str, f64); 7] = [("C2", 0.60), ("V2", 0.15), ("E1", 0.12), ("C1", 0.08), ("D1", 0.02), ("J2", 0.02), ("L1", 0.01)];
/// SDQ bands of children with a score (DfE 2024): 46% normal, 13% borderline, 41% concern.
const SDQ_BANDS: [f64; 3] = [0.46, 0.13, 0.41];
/// Share of children aged 4-16 with an SDQ score.
const SDQ_RECORDED: f64 = 0.80;
/// IHA within 20 working days (real figures are poor: Dorset 52.5%).
const IHA_ON_TIME: f64 = 0.52;
const IHA_LATE_MEAN_DAYS: f64 = 35.0;
/// Reviews done by their due date, and the mean lateness of the rest, calibrated so that about
/// 89% of the 12-month cohort have an assessment in the year (England 2024).
const RHA_ON_TIME: f64 = 0.65;
const RHA_LATE_MEAN_DAYS: f64 = 115.0;
/// Young people (15+) who decline an offer, before accepting a later one.
const DECLINE_15_PLUS: f64 = 0.06;
/// Children with no health information recorded at all (every need signal blank): a new
/// entrant whose records have not arrived, a council whose extract leaves the columns empty.
const NO_HEALTH_RECORD: f64 = 0.06;
/// Each need signal left blank on its own, for the other children.
const SIGNAL_BLANK: f64 = 0.03;
/// SDQ scores recorded in the last 12 months (the rest 12 to 24 months ago), and scores with
/// no date at all.
const SDQ_RECENT: f64 = 0.75;
const SDQ_UNDATED: f64 = 0.05;

/// Placement moves in 12 months: 0, 1, 2, 3, 4, 5 (DfE: 68% one placement in the year, 22% two,
/// 10% three or more).
const MOVES: [f64; 6] = [0.68, 0.22, 0.05, 0.03, 0.01, 0.01];

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn minus_days(d: NaiveDate, n: i64) -> NaiveDate {
    if n >= 0 { d.checked_sub_days(Days::new(n as u64)) } else { d.checked_add_days(Days::new((-n) as u64)) }.unwrap_or(d)
}

fn plus_days(d: NaiveDate, n: i64) -> NaiveDate {
    minus_days(d, -n)
}

/// The dates of birth giving an age from `lo` (inclusive) to `hi` (exclusive) years at `as_of`,
/// by the same calendar-month arithmetic as the reader's "18 or more years before care_start"
/// check (`calendar::sub_months`, clamped to month end), so that nobody generated is 18 at
/// as_of: born on `as_of - hi years` is `hi`, born the day after is not.
fn dob_range(as_of: NaiveDate, lo: u32, hi: u32) -> (NaiveDate, NaiveDate) {
    let back = |years: u32| sub_months(as_of, 12 * years).unwrap_or(as_of);
    (back(hi).succ_opt().unwrap_or(as_of), if lo == 0 { as_of.pred_opt().unwrap_or(as_of) } else { back(lo) })
}

fn modality(rng: &mut Rng, on: NaiveDate, age: u32) -> Modality {
    if age < 5 || on < ymd(2020, 3, 23) {
        return if rng.chance(0.97) || age < 5 { Modality::FaceToFace } else { Modality::Virtual };
    }
    match rng.weighted(&[0.55, 0.35, 0.10]) {
        0 => Modality::FaceToFace,
        1 => Modality::Virtual,
        _ if age >= 10 => Modality::Questionnaire,
        _ => Modality::Virtual,
    }
}

/// What the generator draws about a child besides dates.
struct Attributes {
    legal_status: &'static str,
    uasc: bool,
    locality: Option<String>,
    sdq_score: Option<u8>,
    signals: Signals,
    moves: u32,
    missing_episodes: u32,
    missing_now: bool,
}

impl Attributes {
    fn apply(self, c: &mut Child, as_of: NaiveDate) {
        c.legal_status = Some(self.legal_status.into());
        c.uasc = self.uasc;
        c.missing = self.missing_now;
        c.locality = self.locality.map(Into::into);
        c.sdq_score = self.sdq_score;
        c.signals = self.signals;
        c.placement_moves_12m = Some(self.moves.min(((as_of - c.care_start).num_days() / 30).max(0) as u32));
        c.missing_episodes_12m = Some(self.missing_episodes);
    }
}

fn attributes(rng: &mut Rng, age: u32, uasc: bool, localities: &[String]) -> Attributes {
    let legal_status = if uasc { "V2" } else { LEGAL_STATUS[rng.weighted(&LEGAL_STATUS.map(|l| l.1))].0 };
    let locality = (!localities.is_empty()).then(|| localities[rng.below(localities.len() as u64) as usize].clone());
    let sdq_score = ((4..=16).contains(&age) && rng.chance(SDQ_RECORDED)).then(|| match rng.weighted(&SDQ_BANDS) {
        0 => rng.range(0, 13) as u8,
        1 => rng.range(14, 16) as u8,
        _ => (17 + (rng.exp(7.5) as i64).min(23)) as u8,
    });
    let concern = sdq_score.is_some_and(|s| s >= 17);
    let signals = Signals {
        complex_health_needs: rng.chance(0.08),
        disability: rng.chance(0.04),
        mental_health_concern: age >= 5 && rng.chance(if concern { 0.35 } else { 0.12 }),
        self_harm: age >= 11 && rng.chance(0.07),
        substance_misuse: age >= 12 && rng.chance(0.06),
        pregnant_or_parent: age >= 15 && rng.chance(0.02),
        exploitation_risk: age >= 11 && rng.chance(0.06),
        youth_justice: age >= 10 && rng.chance(0.02),
        out_of_area: rng.chance(0.40),
        unknown: 0,
    };
    let moves = rng.weighted(&MOVES) as u32;
    let went_missing = rng.chance(if age >= 10 { 0.18 } else { 0.01 });
    let missing_episodes = if went_missing { 1 + rng.poisson(4.0) as u32 } else { 0 };
    let missing_now = went_missing && rng.chance(0.05);

    Attributes { legal_status, uasc, locality, sdq_score, signals, moves, missing_episodes, missing_now }
}

/// Ages of children starting to be looked after (DfE starters, England 2024, approximately):
/// under 1 18%, 1-4 15%, 5-9 15%, 10-15 33%, 16-17 19%.
const ENTRANT_AGE_BANDS: [(u32, u32, f64); 5] = [(0, 1, 0.18), (1, 5, 0.15), (5, 10, 0.15), (10, 16, 0.33), (16, 18, 0.19)];
/// UASC among starters, by band: about 1 in 8 starters, mostly 16-17.
const ENTRANT_UASC_BY_BAND: [f64; 5] = [0.0, 0.0, 0.0, 0.05, 0.45];

/// A child starting to be looked after on `care_start`, with no assessment yet (the
/// simulation's new entrants). Placement moves and missing episodes start at 0.
pub fn new_entrant(id: &str, care_start: NaiveDate, localities: &[String], rng: &mut Rng) -> Child {
    let band = rng.weighted(&ENTRANT_AGE_BANDS.map(|b| b.2));
    let (lo, hi, _) = ENTRANT_AGE_BANDS[band];
    let (first, last) = dob_range(care_start, lo, hi);
    let dob = plus_days(first, rng.range(0, (last - first).num_days()));
    let age = age_on(dob, care_start, LeapDayBirthday::March1);
    let uasc = rng.chance(ENTRANT_UASC_BY_BAND[band]);
    let mut a = attributes(rng, age, uasc, localities);
    a.moves = 0;
    a.missing_episodes = 0;
    a.missing_now = false;
    let mut c = Child::new(id, dob, care_start);
    a.apply(&mut c, care_start);
    c
}

/// What a real extract leaves out, drawn from a stream of its own (so adding it changed no
/// other draw): blank need signals, and the date of each SDQ score.
fn record_gaps(c: &mut Child, seed: u64, i: usize, as_of: NaiveDate) {
    let mut rng = Rng::new(seed, (1 << 63) | i as u64);
    if rng.chance(NO_HEALTH_RECORD) {
        for s in NeedSignal::ALL {
            if c.signals.get(s) == Some(false) {
                c.signals.set(s, None);
            }
        }
    } else {
        for s in NeedSignal::ALL {
            if rng.chance(SIGNAL_BLANK) && c.signals.get(s) == Some(false) {
                c.signals.set(s, None);
            }
        }
    }
    if c.sdq_score.is_some() && !rng.chance(SDQ_UNDATED) {
        let days_back = if rng.chance(SDQ_RECENT) { rng.range(0, 364) } else { rng.range(366, 730) };
        let earliest = c.date_of_birth.max(c.care_start);
        c.sdq_date = Some(minus_days(as_of, days_back).max(earliest));
    }
}

/// Child `i` of the council, keeping up as well as England does.
fn child(i: usize, id_width: usize, o: &SynthOptions, sched: &Scheduler, rng: &mut Rng) -> Child {
    let as_of = o.as_of;
    let leap = LeapDayBirthday::March1;
    let band = rng.weighted(&AGE_BANDS.map(|b| b.2));
    let (lo, hi, _) = AGE_BANDS[band];
    let (first, last) = dob_range(as_of, lo, hi);
    let dob = plus_days(first, rng.range(0, (last - first).num_days()));
    let age = age_on(dob, as_of, leap);
    let uasc = rng.chance(UASC_BY_BAND[band]);
    let alive_days = (as_of - dob).num_days().max(1);
    // Time in care.
    let days_in_care = if band == 0 || rng.chance(RECENT_ENTRY) || alive_days <= 365 {
        rng.range(0, 364.min(alive_days - 1))
    } else {
        let cap = if uasc { (alive_days - 13 * 365).max(366) } else { alive_days - 1 };
        (365 + rng.exp(LONG_STAY_MEAN_DAYS) as i64).min(cap)
    };
    let care_start = minus_days(as_of, days_in_care);
    let a = attributes(rng, age, uasc, &o.localities);
    // Assessment history: the IHA, then reviews, each on time or late.
    let mut assessments = Vec::new();
    let birthday18 = anniversary(dob, 18, leap).unwrap_or(NaiveDate::MAX);
    let iha_due = sched.iha_due(care_start).unwrap_or(care_start);
    let allowed = (iha_due - care_start).num_days().max(1);
    let iha_on = if rng.chance(IHA_ON_TIME) {
        plus_days(care_start, rng.range(allowed / 3, allowed))
    } else {
        plus_days(iha_due, 1 + rng.exp(IHA_LATE_MEAN_DAYS) as i64)
    };
    let mut done = iha_on;
    let mut kind = AssessmentType::Iha;
    while done <= as_of && done < birthday18 {
        let age_then = age_on(dob, done, leap);
        if age_then >= 15 && kind == AssessmentType::Rha && rng.chance(DECLINE_15_PLUS) {
            let offered = minus_days(done, 45);
            if offered > care_start {
                assessments.push(Assessment { completed_on: offered, kind, modality: Modality::FaceToFace, outcome: Outcome::Declined });
            }
        }
        let m = if kind == AssessmentType::Iha { Modality::FaceToFace } else { modality(rng, done, age_then) };
        assessments.push(Assessment { completed_on: done, kind, modality: m, outcome: Outcome::Completed });
        let (months, _) = sched.rha_interval(dob, done);
        let Some(due) = add_months(done, months) else { break };
        done = if rng.chance(RHA_ON_TIME) {
            minus_days(due, rng.range(0, 42))
        } else {
            plus_days(due, 1 + rng.exp(RHA_LATE_MEAN_DAYS) as i64)
        };
        kind = AssessmentType::Rha;
    }
    let mut c = Child::new(&format!("{:0width$}", i + 1, width = id_width), dob, care_start);
    a.apply(&mut c, as_of);
    c.assessments = assessments;
    record_gaps(&mut c, o.seed, i, as_of);
    characteristics(&mut c, o.seed, i, o.as_of);
    c
}

/// The share of boys among children looked after (DfE 2024: 56%), and among unaccompanied
/// children (nearly all boys).
const MALE: f64 = 0.56;
const MALE_UASC: f64 = 0.95;
/// ETHNIC codes and their weights (DfE 2024, children looked after: about 71% White, 10%
/// Mixed, 7% Black, 5% Asian, 4% other, 3% not recorded), and for unaccompanied children.
const ETHNICITY: [(&str, f64); 17] = [
    ("WBRI", 64.0),
    ("WOTH", 6.0),
    ("WIRI", 0.5),
    ("WROM", 0.5),
    ("MWBC", 4.0),
    ("MWBA", 2.0),
    ("MWAS", 1.0),
    ("MOTH", 3.0),
    ("APKN", 2.0),
    ("AIND", 1.0),
    ("ABAN", 1.0),
    ("AOTH", 1.0),
    ("BAFR", 4.0),
    ("BCRB", 1.0),
    ("BOTH", 2.0),
    ("OOTH", 4.0),
    ("NOBT", 3.0),
];
const ETHNICITY_UASC: [(&str, f64); 4] = [("AOTH", 25.0), ("BAFR", 30.0), ("OOTH", 35.0), ("BOTH", 10.0)];

/// Sex and ethnicity (for the equality impact), from a stream of their own (so adding them
/// changed no other draw).
fn characteristics(c: &mut Child, seed: u64, i: usize, as_of: NaiveDate) {
    let mut rng = Rng::new(seed, (1 << 62) | i as u64);
    let male = rng.chance(if c.uasc { MALE_UASC } else { MALE });
    c.sex = Some(if male { "1" } else { "2" }.into());
    let table: &[(&str, f64)] = if c.uasc { &ETHNICITY_UASC } else { &ETHNICITY };
    let weights: Vec<f64> = table.iter().map(|(_, w)| *w).collect();
    c.ethnicity = Some(table[rng.weighted(&weights)].0.into());
    // The provider: the council's own community health trust, or for a child placed out of
    // area one of a few host providers (drawn last, so the draws above did not move).
    let provider = if c.signals.out_of_area { HOST_PROVIDERS[rng.below(HOST_PROVIDERS.len() as u64) as usize] } else { LOCAL_PROVIDER };
    c.provider = Some(provider.into());
    follow_up_columns(c, as_of, &mut rng);
}

/// Shares for the follow-ups' columns (docs/synthetic.md): immunisations up to date 82% and a
/// dental check in the year 79% (England's OC2 figures), the rest split between not up to date
/// and not recorded; a CAMHS referral noted for 60% of children with an SDQ of 17 or more.
const IMMUNISED: f64 = 0.82;
const IMMUNISATIONS_NOT_RECORDED: f64 = 0.08;
const DENTAL_IN_YEAR: f64 = 0.79;
const DENTAL_NOT_RECORDED: f64 = 0.06;
const CAMHS_NOTED: f64 = 0.6;

/// The optional follow-up columns, drawn after everything else on the characteristics' stream.
fn follow_up_columns(c: &mut Child, as_of: NaiveDate, rng: &mut Rng) {
    let u = rng.f64();
    c.immunisations_up_to_date = if u < IMMUNISED {
        Some(true)
    } else if u < IMMUNISED + IMMUNISATIONS_NOT_RECORDED {
        None
    } else {
        Some(false)
    };
    let first_birthday = anniversary(c.date_of_birth, 1, LeapDayBirthday::March1).unwrap_or(c.date_of_birth);
    let u = rng.f64();
    let days_back = if u < DENTAL_IN_YEAR { rng.range(0, 364) } else { rng.range(365, 900) };
    c.last_dental_check =
        (first_birthday <= as_of && u < 1.0 - DENTAL_NOT_RECORDED).then(|| minus_days(as_of, days_back).max(first_birthday));
    let high_sdq = c.sdq_score.is_some_and(|s| s >= 17);
    c.camhs_referral = (high_sdq && rng.chance(CAMHS_NOTED)).then_some(true);
}

/// The synthetic council's own provider, and the host providers of children placed out of area.
const LOCAL_PROVIDER: &str = "Local community health";
const HOST_PROVIDERS: [&str; 3] = ["Host provider North", "Host provider South", "Host provider West"];

/// Make a child overdue at as_of by taking away their latest completed assessments, as when
/// a service stops keeping up. Returns false if that cannot make them overdue.
fn stall(c: &mut Child, sched: &Scheduler, as_of: NaiveDate) -> bool {
    let mut history = c.assessments.clone();
    while let Some(pos) = history.iter().rposition(|a| a.outcome == Outcome::Completed) {
        history.truncate(pos);
        let trial = Child { assessments: history.clone(), ..c.clone() };
        match sched.child_status(&trial, as_of).status {
            Status::Overdue => {
                c.assessments = history;
                return true;
            }
            Status::NotRequired => return false,
            _ => {}
        }
    }
    false
}

/// The share of children needing an assessment who are overdue.
fn overdue_share(children: &[Child], sched: &Scheduler, as_of: NaiveDate) -> f64 {
    let (mut due, mut over) = (0u64, 0u64);
    for c in children {
        match sched.child_status(c, as_of).status {
            Status::NotRequired => {}
            Status::Overdue => {
                due += 1;
                over += 1;
            }
            _ => due += 1,
        }
    }
    if due == 0 {
        0.0
    } else {
        over as f64 / due as f64
    }
}

/// The synthetic council (children sorted by id, with their assessments).
pub fn synthetic_cohort(o: &SynthOptions) -> Cohort {
    let sched = Scheduler::new(&Policy::default());
    let id_width = o.children.to_string().len().max(6);
    let make = |i: usize| {
        let mut rng = Rng::new(o.seed, i as u64);
        let c = child(i, id_width, o, &sched, &mut rng);
        (c, rng)
    };
    // A council in trouble: stall a share q of the children who are not already overdue, with
    // q chosen from a pilot of the first children so that the overdue share meets the target.
    let q = match o.overdue_share {
        None => 0.0,
        Some(target) => {
            let pilot: Vec<Child> = (0..o.children.min(4000)).map(|i| make(i).0).collect();
            let base = overdue_share(&pilot, &sched, o.as_of);
            if target <= base {
                0.0
            } else {
                ((target - base) / (1.0 - base)).min(1.0)
            }
        }
    };
    let children = (0..o.children)
        .map(|i| {
            let (mut c, mut rng) = make(i);
            if q > 0.0 && rng.chance(q) {
                let st = sched.child_status(&c, o.as_of);
                if matches!(st.status, Status::DueSoon | Status::UpToDate) {
                    stall(&mut c, &sched, o.as_of);
                }
            }
            c
        })
        .collect();
    Cohort::from_children(children)
}

/// Shares for the synthetic pathway events (docs/synthetic.md): most steps on time, a share
/// late, a few never recorded, so that `actions` and the stage indicators have something to find.
const EVENT_RECORDED: f64 = 0.9;
const EVENT_LATE: f64 = 0.2;
const REPORT_RECORDED: f64 = 0.92;
const NOT_BROUGHT: f64 = 0.08;
const QUALITY_ASSURED: f64 = 0.7;
const PENDING_REQUESTED: f64 = 0.6;
const PENDING_BOOKED: f64 = 0.5;
const SUMMARY_GIVEN: f64 = 0.4;

/// The pathway's events of a synthetic council over the year to `as_of` (its events table
/// started then): for each child, the notification and IHA request on entering care, a request
/// before each assessment and its booking (sometimes a child not brought first), the report back
/// and its quality assurance, declined offers, requests and bookings for what is due next, and
/// leaving-care health summaries. Each child from its own stream of `seed`; sorted by child,
/// date and kind, with the lines of the CSV [`crate::pathway::write_events_csv`] writes.
pub fn synthetic_events(cohort: &Cohort, as_of: NaiveDate, seed: u64) -> Vec<crate::pathway::Event> {
    use crate::pathway::{Event, EventKind as K};
    let policy = Policy::default();
    let sched = Scheduler::new(&policy);
    let from = sub_months(as_of, 12).unwrap_or(as_of);
    let wd = |d: NaiveDate, n: i64| sched.calendar.add_working_days(d, n.max(0) as u32).unwrap_or(d);
    let mut out = Vec::new();
    for (i, c) in cohort.children.iter().enumerate() {
        let mut rng = Rng::new(seed, (1 << 61) | i as u64);
        let earliest = sub_months(c.care_start, 3).unwrap_or(c.care_start).max(from);
        let mut ev: Vec<(K, NaiveDate)> = Vec::new();
        // Lateness in working days: on time (0 to on_time) or late (on_time + 1 to late).
        let delay = |rng: &mut Rng, on_time: i64, late: i64| {
            if rng.chance(EVENT_LATE) {
                rng.range(on_time + 1, late)
            } else {
                rng.range(0, on_time)
            }
        };
        if c.care_start >= from {
            if rng.chance(EVENT_RECORDED) {
                let d = wd(c.care_start, delay(&mut rng, 4, 15));
                ev.push((K::Notified, d));
                ev.push((K::ConsentReceived, wd(d, rng.range(0, 3))));
            }
            if rng.chance(EVENT_RECORDED) {
                ev.push((K::Requested, wd(c.care_start, delay(&mut rng, 4, 20))));
            }
        }
        let mut prev: Option<NaiveDate> = None;
        for a in c.assessments.iter().filter(|a| a.completed_on <= as_of) {
            let on = a.completed_on;
            if on >= earliest {
                if a.outcome == Outcome::Declined {
                    ev.push((K::Declined, on));
                } else {
                    // A request before the assessment (for an IHA, the one made on entering care).
                    let requested_since = ev.iter().any(|(k, d)| *k == K::Requested && *d <= on && prev.is_none_or(|p| *d > p));
                    if !requested_since && rng.chance(EVENT_RECORDED) {
                        let asked = minus_days(on, rng.range(20, 80)).max(earliest).max(prev.map_or(earliest, |p| p + Days::new(1)));
                        if asked <= on {
                            ev.push((K::Requested, asked));
                        }
                    }
                    let asked = ev.iter().filter(|(k, d)| *k == K::Requested && *d <= on).map(|(_, d)| *d).max();
                    if let Some(asked) = asked {
                        let missed = minus_days(on, rng.range(14, 28));
                        if rng.chance(NOT_BROUGHT) && missed > asked {
                            ev.push((K::Booked, missed));
                            ev.push((K::WasNotBrought, missed));
                        }
                        ev.push((K::Booked, on));
                    }
                    if rng.chance(REPORT_RECORDED) {
                        let back = wd(on, delay(&mut rng, 9, 25));
                        if back <= as_of {
                            ev.push((K::ReportReturned, back));
                            if rng.chance(QUALITY_ASSURED) {
                                let qa = wd(back, rng.range(0, 5));
                                if qa <= as_of {
                                    ev.push((K::QualityAssured, qa));
                                }
                            }
                        }
                    }
                }
            }
            if a.outcome == Outcome::Completed {
                prev = Some(on);
            }
        }
        // What is due next: requested (some), booked ahead (some of those).
        let st = sched.child_status(c, as_of);
        if let (Some(due), true) = (st.due_date, crate::kpi::in_scope(&sched, c, as_of)) {
            let open_from = minus_days(due, 56).max(earliest).max(prev.map_or(earliest, |p| p + Days::new(1)));
            let asked_already = ev.iter().any(|(k, d)| *k == K::Requested && prev.is_none_or(|p| *d > p));
            if !asked_already && open_from <= as_of && rng.chance(PENDING_REQUESTED) {
                let asked = open_from + Days::new(rng.range(0, 10) as u64);
                if asked <= as_of {
                    ev.push((K::Requested, asked));
                    if rng.chance(PENDING_BOOKED) {
                        ev.push((K::Booked, as_of + Days::new(rng.range(1, 40) as u64)));
                    }
                }
            }
        }
        // The leaving-care health summary, for some of those in their last 6 months.
        if let Some(eighteen) = sched.leaves_care_on(c) {
            let opens = sub_months(eighteen, 6).unwrap_or(eighteen).max(earliest);
            if opens <= as_of && eighteen > as_of && rng.chance(SUMMARY_GIVEN) {
                let span = (as_of - opens).num_days();
                ev.push((K::HealthSummary, opens + Days::new(rng.range(0, span) as u64)));
            }
        }
        // Nothing after as_of but bookings (the appointment's date).
        ev.retain(|(k, d)| *k == K::Booked || *d <= as_of);
        out.extend(ev.into_iter().map(|(kind, date)| Event { child: i, kind, date, line: 0 }));
    }
    out.sort_by_key(|e| (e.child, e.date, e.kind));
    for (k, e) in out.iter_mut().enumerate() {
        e.line = k as u64 + 2;
    }
    out
}
