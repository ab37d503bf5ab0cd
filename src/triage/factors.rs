//! The priority score's factors: each a small named unit that says whether it applies to a child
//! and how many points it adds (from the policy's weights), with the fact behind it.

use crate::model::{AssessmentType, Child, NeedSignal};
use crate::policy::TriagePolicy;
use crate::schedule::{AgeBand, ChildStatus, Status};

/// What a factor measures. Clinical need factors add up to the child's need level; the others
/// add to the score only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactorKind {
    /// A signal of clinical need. Reads the child's own fields only (never the status, the
    /// date or the assessments), so it can be worked out once per child
    /// ([`crate::triage::NeedPart`]); a test holds every need factor to this.
    Need,
    /// Risk and logistics (placement moves, missing, out of area, UASC): they raise the score
    /// but never the clinical need. Read the child's own fields only, like need factors.
    Risk,
    /// What the record does not say (need signals not recorded).
    Data,
    Age,
    Timing,
}

impl FactorKind {
    /// Whether the factor reads the child's own fields only (worked out once per child).
    pub fn child_only(self) -> bool {
        matches!(self, FactorKind::Need | FactorKind::Risk)
    }
}

/// What a factor looks at.
pub struct FactorInput<'a> {
    pub child: &'a Child,
    pub status: &'a ChildStatus,
    pub policy: &'a TriagePolicy,
    /// The record's unknown need signals and whether it has no SDQ score, when a caller has
    /// them already ([`crate::triage::Known`]); None: read from `child`.
    pub record_unknown: Option<(u16, bool)>,
}

impl<'a> FactorInput<'a> {
    pub fn new(child: &'a Child, status: &'a ChildStatus, policy: &'a TriagePolicy) -> FactorInput<'a> {
        FactorInput { child, status, policy, record_unknown: None }
    }
}

/// The record's unknown need signals and whether it has no SDQ score.
pub fn record_unknown(child: &Child) -> (u16, bool) {
    (child.signals.unknown_bits(), child.sdq_score.is_none())
}

/// A factor that applies: its points (possibly 0 if the policy weighs it so) and the number
/// behind it (an SDQ score, a count, days overdue; 0 for a yes/no signal). The words come from
/// [`Contribution::detail`], only when a reason is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contribution {
    pub factor: &'static str,
    pub kind: FactorKind,
    pub points: u32,
    pub value: i64,
}

impl Contribution {
    /// The fact behind the points, in words.
    pub fn detail(&self, p: &TriagePolicy) -> String {
        let mut s = String::new();
        self.write_detail(&mut s, p);
        s
    }

    /// [`Contribution::detail`] written at the end of `s` (the reasons column writes every
    /// row's words into one buffer).
    pub fn write_detail(&self, s: &mut String, p: &TriagePolicy) {
        // The name is one of FACTORS' own: the same pointer, so most lookups compare no text.
        let same = |f: &&Factor| std::ptr::eq(f.name, self.factor) || f.name == self.factor;
        if let Some(f) = FACTORS.iter().find(same) {
            (f.describe)(s, self.value, p);
        }
    }
}

pub struct Factor {
    pub name: &'static str,
    pub kind: FactorKind,
    /// `Some((points, value))` when the factor applies to the child.
    pub eval: fn(&FactorInput) -> Option<(u32, i64)>,
    /// The words for a value, written at the end of the text given.
    pub describe: fn(&mut String, i64, &TriagePolicy),
}

fn flag(on: bool, points: u32) -> Option<(u32, i64)> {
    on.then_some((points, 0))
}

/// "1 day", "2 days".
fn plural(s: &mut String, n: i64, one: &str, many: &str) {
    super::push_number(s, n);
    s.push(' ');
    s.push_str(if n == 1 { one } else { many });
}

fn sdq_concern(i: &FactorInput) -> Option<(u32, i64)> {
    let s = i.child.sdq_score?;
    (s >= i.policy.sdq_concern_from).then_some((i.policy.weights.sdq_concern, i64::from(s)))
}

fn sdq_borderline(i: &FactorInput) -> Option<(u32, i64)> {
    let s = i.child.sdq_score?;
    (s >= i.policy.sdq_borderline_from && s < i.policy.sdq_concern_from).then_some((i.policy.weights.sdq_borderline, i64::from(s)))
}

fn complex_health_needs(i: &FactorInput) -> Option<(u32, i64)> {
    flag(i.child.signals.complex_health_needs, i.policy.weights.complex_health_needs)
}
fn disability(i: &FactorInput) -> Option<(u32, i64)> {
    flag(i.child.signals.disability, i.policy.weights.disability)
}
fn mental_health_concern(i: &FactorInput) -> Option<(u32, i64)> {
    flag(i.child.signals.mental_health_concern, i.policy.weights.mental_health_concern)
}
fn self_harm(i: &FactorInput) -> Option<(u32, i64)> {
    flag(i.child.signals.self_harm, i.policy.weights.self_harm)
}
fn substance_misuse(i: &FactorInput) -> Option<(u32, i64)> {
    flag(i.child.signals.substance_misuse, i.policy.weights.substance_misuse)
}
fn pregnant_or_parent(i: &FactorInput) -> Option<(u32, i64)> {
    flag(i.child.signals.pregnant_or_parent, i.policy.weights.pregnant_or_parent)
}
fn exploitation_risk(i: &FactorInput) -> Option<(u32, i64)> {
    flag(i.child.signals.exploitation_risk, i.policy.weights.exploitation_risk)
}
fn youth_justice(i: &FactorInput) -> Option<(u32, i64)> {
    flag(i.child.signals.youth_justice, i.policy.weights.youth_justice)
}
fn out_of_area(i: &FactorInput) -> Option<(u32, i64)> {
    flag(i.child.signals.out_of_area, i.policy.weights.out_of_area)
}
fn uasc(i: &FactorInput) -> Option<(u32, i64)> {
    flag(i.child.uasc, i.policy.weights.uasc)
}

fn per_count(n: u32, per: u32, cap: u32) -> u32 {
    n.saturating_mul(per).min(cap)
}

fn placement_moves(i: &FactorInput) -> Option<(u32, i64)> {
    let n = i.child.placement_moves_12m.filter(|n| *n > 0)?;
    let w = &i.policy.weights;
    Some((per_count(n, w.placement_move, w.placement_moves_cap), i64::from(n)))
}

fn missing_episodes(i: &FactorInput) -> Option<(u32, i64)> {
    let n = i.child.missing_episodes_12m.filter(|n| *n > 0)?;
    let w = &i.policy.weights;
    Some((per_count(n, w.missing_episode, w.missing_episodes_cap), i64::from(n)))
}

fn currently_missing(i: &FactorInput) -> Option<(u32, i64)> {
    flag(i.child.missing, i.policy.weights.currently_missing)
}

fn under_5(i: &FactorInput) -> Option<(u32, i64)> {
    flag(i.status.age_band == AgeBand::Under5, i.policy.weights.under_5)
}

fn plus_17(i: &FactorInput) -> Option<(u32, i64)> {
    flag(i.status.age_band == AgeBand::Plus17, i.policy.weights.plus_17)
}

fn iha_overdue(i: &FactorInput) -> Option<(u32, i64)> {
    flag(i.status.status == Status::Overdue && i.status.next_assessment == Some(AssessmentType::Iha), i.policy.weights.iha_overdue)
}

/// The need signals not recorded for the child at this status (bit i: [`NeedSignal::ALL`]`[i]`;
/// bit [`SDQ_UNKNOWN_BIT`]: no SDQ score for a child aged 4 to 16).
pub fn unknown_signals(i: &FactorInput) -> u16 {
    let sdq_expected = (SDQ_AGES.0..=SDQ_AGES.1).contains(&i.status.age_years);
    let (bits, no_sdq) = i.record_unknown.unwrap_or_else(|| record_unknown(i.child));
    bits | if sdq_expected && no_sdq { SDQ_UNKNOWN_BIT } else { 0 }
}

/// The ages at which an SDQ score is expected (the DfE collects it for 4 to 16).
pub const SDQ_AGES: (u32, u32) = (4, 16);
/// The bit of [`unknown_signals`] for the SDQ score.
pub const SDQ_UNKNOWN_BIT: u16 = 1 << 8;

/// The names of the unknown signals of a mask from [`unknown_signals`], in column order.
pub fn unknown_names(mask: u16) -> impl Iterator<Item = &'static str> {
    NeedSignal::ALL
        .into_iter()
        .filter(move |s| mask & s.bit() != 0)
        .map(NeedSignal::name)
        .chain((mask & SDQ_UNKNOWN_BIT != 0).then_some("sdq_score"))
}

fn need_unknown(i: &FactorInput) -> Option<(u32, i64)> {
    let n = unknown_signals(i).count_ones();
    (n > 0).then_some((i.policy.weights.need_unknown, i64::from(n)))
}
fn need_unknown_words(s: &mut String, v: i64, _: &TriagePolicy) {
    s.push_str("need unknown: ");
    plural(s, v, "need signal", "need signals");
    s.push_str(" not recorded");
}

fn days_overdue(i: &FactorInput) -> Option<(u32, i64)> {
    if i.status.status != Status::Overdue {
        return None;
    }
    let days = i.status.days_overdue.unwrap_or(0).max(0) as u64;
    let w = &i.policy.weights;
    let points = ((days / 7).saturating_mul(u64::from(w.overdue_per_week))).min(u64::from(w.overdue_cap)) as u32;
    Some((points, days as i64))
}

macro_rules! said {
    ($text:expr) => {
        |s: &mut String, _: i64, _: &TriagePolicy| s.push_str($text)
    };
}

/// "SDQ 17 (cause for concern, 17-40)": the score and its band.
fn sdq_words(s: &mut String, v: i64, band: &str, from: u8, to: u8) {
    s.push_str("SDQ ");
    super::push_number(s, v);
    s.push_str(" (");
    s.push_str(band);
    s.push_str(", ");
    super::push_number(s, from);
    s.push('-');
    super::push_number(s, to);
    s.push(')');
}
fn sdq_concern_words(s: &mut String, v: i64, p: &TriagePolicy) {
    sdq_words(s, v, "cause for concern", p.sdq_concern_from, crate::fields::SDQ_MAX);
}
fn sdq_borderline_words(s: &mut String, v: i64, p: &TriagePolicy) {
    sdq_words(s, v, "borderline", p.sdq_borderline_from, p.sdq_concern_from.saturating_sub(1));
}
fn moves_words(s: &mut String, v: i64, _: &TriagePolicy) {
    plural(s, v, "placement move", "placement moves");
    s.push_str(" in 12 months");
}
fn missing_words(s: &mut String, v: i64, _: &TriagePolicy) {
    plural(s, v, "missing episode", "missing episodes");
    s.push_str(" in 12 months");
}
fn overdue_words(s: &mut String, v: i64, _: &TriagePolicy) {
    plural(s, v, "day", "days");
    s.push_str(" overdue");
}

/// Every factor, in the order explanations list them.
pub const FACTORS: &[Factor] = &[
    Factor { name: "days_overdue", kind: FactorKind::Timing, eval: days_overdue, describe: overdue_words },
    Factor { name: "iha_overdue", kind: FactorKind::Timing, eval: iha_overdue, describe: said!("overdue IHA: health unknown") },
    Factor {
        name: "self_harm",
        kind: FactorKind::Need,
        eval: self_harm,
        describe: said!("self-harm: the health assessment is not the response to acute risk; check a crisis or CAMHS plan is in place"),
    },
    Factor { name: "exploitation_risk", kind: FactorKind::Need, eval: exploitation_risk, describe: said!("exploitation risk") },
    Factor { name: "complex_health_needs", kind: FactorKind::Need, eval: complex_health_needs, describe: said!("complex health needs") },
    Factor { name: "disability", kind: FactorKind::Need, eval: disability, describe: said!("disability") },
    Factor { name: "mental_health_concern", kind: FactorKind::Need, eval: mental_health_concern, describe: said!("mental health concern") },
    Factor { name: "sdq_concern", kind: FactorKind::Need, eval: sdq_concern, describe: sdq_concern_words },
    Factor { name: "sdq_borderline", kind: FactorKind::Need, eval: sdq_borderline, describe: sdq_borderline_words },
    Factor { name: "pregnant_or_parent", kind: FactorKind::Need, eval: pregnant_or_parent, describe: said!("pregnant or a parent") },
    Factor { name: "substance_misuse", kind: FactorKind::Need, eval: substance_misuse, describe: said!("substance misuse") },
    Factor { name: "uasc", kind: FactorKind::Risk, eval: uasc, describe: said!("unaccompanied asylum-seeking child") },
    Factor { name: "youth_justice", kind: FactorKind::Need, eval: youth_justice, describe: said!("youth justice") },
    Factor { name: "out_of_area", kind: FactorKind::Risk, eval: out_of_area, describe: said!("placed out of area") },
    Factor { name: "placement_moves", kind: FactorKind::Risk, eval: placement_moves, describe: moves_words },
    Factor { name: "missing_episodes", kind: FactorKind::Risk, eval: missing_episodes, describe: missing_words },
    Factor {
        name: "currently_missing",
        kind: FactorKind::Risk,
        eval: currently_missing,
        describe: said!("currently missing: book when found"),
    },
    Factor { name: "need_unknown", kind: FactorKind::Data, eval: need_unknown, describe: need_unknown_words },
    Factor { name: "under_5", kind: FactorKind::Age, eval: under_5, describe: said!("under 5") },
    Factor { name: "plus_17", kind: FactorKind::Age, eval: plus_17, describe: said!("aged 17 or over") },
];

/// A condition a red flag may name that is not a factor: whether it holds for the child.
pub struct Condition {
    pub name: &'static str,
    pub holds: fn(&FactorInput) -> bool,
}

fn overdue(i: &FactorInput) -> bool {
    i.status.status == Status::Overdue
}
fn iha(i: &FactorInput) -> bool {
    i.status.next_assessment == Some(AssessmentType::Iha)
}
fn under_1(i: &FactorInput) -> bool {
    i.status.age_years < 1
}
fn repeat_missing(i: &FactorInput) -> bool {
    i.child.missing_episodes_12m.is_some_and(|n| n >= i.policy.repeat_missing_from)
}

/// The conditions that are not factors: `overdue`, `iha` (the next assessment is the IHA),
/// `under_1` (under 1 at as_of) and `repeat_missing` (`repeat_missing_from` or more missing
/// episodes in 12 months).
pub const CONDITIONS: &[Condition] = &[
    Condition { name: "overdue", holds: overdue },
    Condition { name: "iha", holds: iha },
    Condition { name: "under_1", holds: under_1 },
    Condition { name: "repeat_missing", holds: repeat_missing },
];

/// The conditions a red flag may name: [`CONDITIONS`], and every factor but the raw days
/// overdue and the unknown need.
pub fn red_flag_conditions() -> Vec<&'static str> {
    CONDITIONS
        .iter()
        .map(|c| c.name)
        .chain(FACTORS.iter().map(|f| f.name).filter(|n| !matches!(*n, "days_overdue" | "need_unknown")))
        .collect()
}

/// Every factor that applies to the child.
pub fn contributions(input: &FactorInput) -> Vec<Contribution> {
    FACTORS
        .iter()
        .filter_map(|f| (f.eval)(input).map(|(points, value)| Contribution { factor: f.name, kind: f.kind, points, value }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;
    use crate::schedule::{Reason, Status};
    use chrono::NaiveDate;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn status(st: Status, next: AssessmentType, days: i64, band: AgeBand) -> ChildStatus {
        ChildStatus {
            status: st,
            next_assessment: Some(next),
            due_date: Some(ymd(2021, 1, 1)),
            days_overdue: Some(days),
            age_band: band,
            age_years: 10,
            reason: Reason::OutOfRange,
            last_assessment: None,
            declined_offers: 0,
        }
    }

    fn eval(name: &str, child: &Child, st: &ChildStatus) -> Option<(u32, i64)> {
        let p = Policy::default();
        let f = FACTORS.iter().find(|f| f.name == name).unwrap();
        (f.eval)(&FactorInput::new(child, st, &p.triage))
    }

    fn kid() -> Child {
        Child::new("A", ymd(2010, 1, 1), ymd(2020, 1, 1))
    }

    fn rha(days: i64) -> ChildStatus {
        status(if days > 0 { Status::Overdue } else { Status::DueSoon }, AssessmentType::Rha, days.max(0), AgeBand::FiveTo16)
    }

    #[test]
    fn sdq_bands() {
        let mut c = kid();
        for (score, concern, borderline) in
            [(13, None, None), (14, None, Some(8)), (16, None, Some(8)), (17, Some(20), None), (40, Some(20), None)]
        {
            c.sdq_score = Some(score);
            assert_eq!(eval("sdq_concern", &c, &rha(1)).map(|x| x.0), concern, "{score}");
            assert_eq!(eval("sdq_borderline", &c, &rha(1)).map(|x| x.0), borderline, "{score}");
        }
        c.sdq_score = None;
        assert_eq!(eval("sdq_concern", &c, &rha(1)), None);
    }

    #[test]
    fn each_signal_flag() {
        let w = Policy::default().triage.weights;
        type Case = (&'static str, fn(&mut Child), u32);
        let cases: [Case; 10] = [
            ("complex_health_needs", |c| c.signals.complex_health_needs = true, w.complex_health_needs),
            ("disability", |c| c.signals.disability = true, w.disability),
            ("mental_health_concern", |c| c.signals.mental_health_concern = true, w.mental_health_concern),
            ("self_harm", |c| c.signals.self_harm = true, w.self_harm),
            ("substance_misuse", |c| c.signals.substance_misuse = true, w.substance_misuse),
            ("pregnant_or_parent", |c| c.signals.pregnant_or_parent = true, w.pregnant_or_parent),
            ("exploitation_risk", |c| c.signals.exploitation_risk = true, w.exploitation_risk),
            ("youth_justice", |c| c.signals.youth_justice = true, w.youth_justice),
            ("out_of_area", |c| c.signals.out_of_area = true, w.out_of_area),
            ("uasc", |c| c.uasc = true, w.uasc),
        ];
        for (name, set, points) in cases {
            let mut c = kid();
            assert_eq!(eval(name, &c, &rha(3)), None, "{name} off");
            set(&mut c);
            assert_eq!(eval(name, &c, &rha(3)).map(|x| x.0), Some(points), "{name} on");
        }
    }

    #[test]
    fn placement_moves_and_missing_episodes_are_capped() {
        let mut c = kid();
        c.placement_moves_12m = Some(0);
        assert_eq!(eval("placement_moves", &c, &rha(1)), None);
        c.placement_moves_12m = Some(2);
        assert_eq!(eval("placement_moves", &c, &rha(1)).unwrap().0, 10);
        c.placement_moves_12m = Some(9);
        assert_eq!(eval("placement_moves", &c, &rha(1)).unwrap().0, 20);
        c.missing_episodes_12m = Some(1);
        assert_eq!(eval("missing_episodes", &c, &rha(1)).unwrap().0, 5);
        c.missing_episodes_12m = Some(100);
        assert_eq!(eval("missing_episodes", &c, &rha(1)).unwrap().0, 20);
    }

    #[test]
    fn currently_missing() {
        let mut c = kid();
        assert_eq!(eval("currently_missing", &c, &rha(1)), None);
        c.missing = true;
        assert_eq!(eval("currently_missing", &c, &rha(1)).unwrap().0, 10);
    }

    #[test]
    fn age_bands() {
        let c = kid();
        let u5 = status(Status::Overdue, AssessmentType::Rha, 10, AgeBand::Under5);
        let p17 = status(Status::Overdue, AssessmentType::Rha, 10, AgeBand::Plus17);
        assert_eq!(eval("under_5", &c, &u5).unwrap().0, 15);
        assert_eq!(eval("under_5", &c, &p17), None);
        assert_eq!(eval("plus_17", &c, &p17).unwrap().0, 15);
        assert_eq!(eval("plus_17", &c, &rha(10)), None);
    }

    #[test]
    fn overdue_iha() {
        let c = kid();
        assert_eq!(eval("iha_overdue", &c, &status(Status::Overdue, AssessmentType::Iha, 3, AgeBand::FiveTo16)).unwrap().0, 25);
        assert_eq!(eval("iha_overdue", &c, &status(Status::DueSoon, AssessmentType::Iha, 0, AgeBand::FiveTo16)), None);
        assert_eq!(eval("iha_overdue", &c, &rha(30)), None);
    }

    #[test]
    fn days_overdue_one_point_a_week_capped() {
        let c = kid();
        assert_eq!(eval("days_overdue", &c, &rha(0)), None);
        assert_eq!(eval("days_overdue", &c, &rha(6)).unwrap().0, 0);
        assert_eq!(eval("days_overdue", &c, &rha(7)).unwrap().0, 1);
        assert_eq!(eval("days_overdue", &c, &rha(70)).unwrap().0, 10);
        assert_eq!(eval("days_overdue", &c, &rha(700)).unwrap().0, 30);
    }

    #[test]
    fn the_policys_list_of_red_flag_conditions_is_the_factors_and_conditions() {
        assert_eq!(crate::policy::RED_FLAG_CONDITIONS, red_flag_conditions().as_slice());
    }

    #[test]
    fn red_flags_may_name_every_factor_and_the_conditions() {
        let conds = red_flag_conditions();
        assert_eq!(conds.len(), FACTORS.len() - 2 + CONDITIONS.len());
        for c in ["overdue", "iha", "under_1", "repeat_missing", "self_harm", "uasc"] {
            assert!(conds.contains(&c), "{c}");
        }
        assert!(!conds.contains(&"days_overdue") && !conds.contains(&"need_unknown"));
    }

    fn holds(name: &str, child: &Child, st: &ChildStatus) -> bool {
        let p = Policy::default();
        let c = CONDITIONS.iter().find(|c| c.name == name).unwrap();
        (c.holds)(&FactorInput::new(child, st, &p.triage))
    }

    #[test]
    fn each_condition() {
        let mut c = kid();
        let iha_due = status(Status::DueSoon, AssessmentType::Iha, 0, AgeBand::Under5);
        assert!(holds("iha", &c, &iha_due) && !holds("iha", &c, &rha(3)));
        assert!(holds("overdue", &c, &rha(3)) && !holds("overdue", &c, &iha_due));
        let mut baby = iha_due.clone();
        baby.age_years = 0;
        assert!(holds("under_1", &c, &baby) && !holds("under_1", &c, &iha_due));
        for (episodes, want) in [(None, false), (Some(2), false), (Some(3), true), (Some(6), true)] {
            c.missing_episodes_12m = episodes;
            assert_eq!(holds("repeat_missing", &c, &rha(1)), want, "{episodes:?}");
        }
    }

    #[test]
    fn need_unknown_counts_the_signals_not_recorded() {
        let w = Policy::default().triage.weights.need_unknown;
        let mut c = kid(); // Child::new: nothing recorded
        let aged = |age: u32| ChildStatus { age_years: age, ..rha(3) };
        assert_eq!(eval("need_unknown", &c, &aged(10)), Some((w, 9)), "8 signals and the SDQ");
        assert_eq!(eval("need_unknown", &c, &aged(17)), Some((w, 8)), "no SDQ expected at 17");
        c.signals = crate::model::Signals::none();
        assert_eq!(eval("need_unknown", &c, &aged(17)), None);
        assert_eq!(eval("need_unknown", &c, &aged(3)), None, "no SDQ expected under 4");
        assert_eq!(eval("need_unknown", &c, &aged(4)), Some((w, 1)));
        c.sdq_score = Some(5);
        assert_eq!(eval("need_unknown", &c, &aged(4)), None);
        c.signals.set(NeedSignal::Disability, None);
        assert_eq!(
            unknown_names(unknown_signals(&FactorInput::new(&c, &aged(10), &Policy::default().triage))).collect::<Vec<_>>(),
            ["disability"]
        );
        // A yes is known whatever its bit says.
        c.signals.disability = true;
        assert_eq!(eval("need_unknown", &c, &aged(10)), None);
    }

    #[test]
    fn self_harm_says_the_assessment_is_not_the_response_to_acute_risk() {
        let c = Contribution { factor: "self_harm", kind: FactorKind::Need, points: 30, value: 0 };
        let words = c.detail(&Policy::default().triage);
        assert!(words.contains("not the response to acute risk") && words.contains("crisis or CAMHS plan"), "{words}");
    }

    #[test]
    fn risk_and_logistics_never_count_as_need() {
        for name in ["uasc", "out_of_area", "placement_moves", "missing_episodes", "currently_missing"] {
            assert_eq!(FACTORS.iter().find(|f| f.name == name).unwrap().kind, FactorKind::Risk, "{name}");
        }
    }

    #[test]
    fn need_factors_read_the_child_alone() {
        use crate::model::{Child, Signals};
        use crate::schedule::{AgeBand, Reason, Status};
        let p = Policy::default();
        let d = |y, m, dd| chrono::NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let mut c = Child::new("x", d(2010, 1, 1), d(2020, 1, 1));
        c.signals = Signals { complex_health_needs: true, self_harm: true, out_of_area: true, ..Signals::default() };
        c.sdq_score = Some(18);
        c.placement_moves_12m = Some(4);
        c.missing_episodes_12m = Some(2);
        c.missing = true;
        c.uasc = true;
        let statuses = [
            ChildStatus {
                status: Status::Overdue,
                next_assessment: Some(AssessmentType::Iha),
                due_date: Some(d(2020, 2, 1)),
                days_overdue: Some(400),
                age_band: AgeBand::Under5,
                age_years: 3,
                reason: Reason::OutOfRange,
                last_assessment: None,
                declined_offers: 2,
            },
            ChildStatus {
                status: Status::DueSoon,
                next_assessment: Some(AssessmentType::Rha),
                due_date: Some(d(2024, 2, 1)),
                days_overdue: Some(0),
                age_band: AgeBand::Plus17,
                age_years: 17,
                reason: Reason::OutOfRange,
                last_assessment: Some(d(2023, 2, 1)),
                declined_offers: 0,
            },
        ];
        for f in FACTORS.iter().filter(|f| f.kind.child_only()) {
            let got: Vec<_> = statuses.iter().map(|st| (f.eval)(&FactorInput::new(&c, st, &p.triage))).collect();
            assert_eq!(got[0], got[1], "need factor {} reads more than the child", f.name);
        }
    }
}
