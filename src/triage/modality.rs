//! The recommended modality: ordered, named rules; the first that matches wins, with its reason.
//! The face-to-face rules are safeguards: an override below one of them is applied (clinicians
//! decide) but said (docs/triage.md).

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::model::{AssessmentType, Child, Modality, NeedSignal};
use crate::policy::TriagePolicy;
use crate::schedule::{AgeBand, ChildStatus};

/// Clinical need level, from the need factors' points and what is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NeedLevel {
    Low,
    /// Not enough recorded to say the need is low: a need signal (or, aged 4 to 16, the SDQ)
    /// is not recorded and the known signals do not reach moderate. Never read as low.
    Unknown,
    Moderate,
    High,
}

impl NeedLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            NeedLevel::Low => "low",
            NeedLevel::Unknown => "unknown",
            NeedLevel::Moderate => "moderate",
            NeedLevel::High => "high",
        }
    }

    /// High or moderate when the known need points reach it; low only when every need signal
    /// is known (`unknown` = 0); unknown otherwise.
    pub fn of(points: u32, unknown: u16, p: &TriagePolicy) -> NeedLevel {
        if points >= p.high_need_from {
            NeedLevel::High
        } else if points >= p.moderate_need_from {
            NeedLevel::Moderate
        } else if unknown != 0 {
            NeedLevel::Unknown
        } else {
            NeedLevel::Low
        }
    }
}

/// How intensive a format is: face to face, then virtual, then questionnaire.
pub fn intensity(m: Modality) -> u8 {
    match m {
        Modality::FaceToFace => 2,
        Modality::Virtual => 1,
        Modality::Questionnaire => 0,
    }
}

/// What the rules look at.
pub struct RuleInput<'a> {
    pub child: &'a Child,
    pub status: &'a ChildStatus,
    pub as_of: NaiveDate,
    /// True when the child is in the most urgent tier.
    pub most_urgent_tier: bool,
    pub tier_name: &'a str,
    /// True when any red flag holds.
    pub any_red_flag: bool,
    pub need: NeedLevel,
    pub need_points: u32,
    /// The need signals not recorded ([`crate::triage::factors::unknown_signals`]).
    pub unknown: u16,
    /// The review after this one would fall on or after the 18th birthday.
    pub final_review: bool,
    pub policy: &'a TriagePolicy,
    /// as_of minus `face_to_face_within_months` (worked out once per worklist).
    pub face_to_face_since: Option<NaiveDate>,
    pub last_face_to_face: Option<NaiveDate>,
    pub last_declined: Option<(NaiveDate, Modality)>,
}

/// The latest completed face-to-face assessment on or before as_of, and the latest declined
/// offer after the latest completed assessment: one pass over the child's assessments.
pub fn history(child: &Child, as_of: NaiveDate, last_completed: Option<NaiveDate>) -> (Option<NaiveDate>, Option<(NaiveDate, Modality)>) {
    let mut f2f = None;
    let mut declined = None;
    for a in child.assessments.iter().take_while(|a| a.completed_on <= as_of) {
        match a.outcome {
            crate::model::Outcome::Completed if a.modality == Modality::FaceToFace => f2f = Some(a.completed_on),
            crate::model::Outcome::Declined if last_completed.is_none_or(|l| a.completed_on > l) => {
                declined = Some((a.completed_on, a.modality))
            }
            _ => {}
        }
    }
    (f2f, declined)
}

pub struct ModalityRule {
    pub name: &'static str,
    /// `Some(modality)` when the rule matches.
    pub decide: fn(&RuleInput) -> Option<Modality>,
    /// Why, in words, written at the end of the text given (only when a reason is shown).
    pub why: fn(&mut String, &Why),
}

/// What the words of a rule need: kept on the worklist row.
pub struct Why<'a> {
    pub status: &'a ChildStatus,
    pub tier_name: &'a str,
    pub red_flags: &'a [String],
    pub need_points: u32,
    pub unknown: u16,
    pub leaves_care_on: Option<NaiveDate>,
    pub last_face_to_face: Option<NaiveDate>,
    pub last_declined: Option<(NaiveDate, Modality)>,
    pub policy: &'a TriagePolicy,
}

fn iha(i: &RuleInput) -> Option<Modality> {
    (i.status.next_assessment == Some(AssessmentType::Iha)).then_some(Modality::FaceToFace)
}
fn iha_why(s: &mut String, _: &Why) {
    s.push_str("an IHA is done face to face by a doctor, with a physical examination");
}

fn under_5(i: &RuleInput) -> Option<Modality> {
    (i.status.age_band == AgeBand::Under5).then_some(Modality::FaceToFace)
}
fn under_5_why(s: &mut String, _: &Why) {
    s.push_str("under 5: growth and development need a face-to-face review");
}

fn urgent(i: &RuleInput) -> Option<Modality> {
    (i.any_red_flag || i.most_urgent_tier).then_some(Modality::FaceToFace)
}
fn urgent_why(s: &mut String, w: &Why) {
    if w.red_flags.is_empty() {
        let _ = write!(s, "tier {}", w.tier_name);
    } else {
        s.push_str("red flag (");
        super::push_joined(s, w.red_flags, ", ");
        s.push(')');
    }
}

fn pregnant_or_parent(i: &RuleInput) -> Option<Modality> {
    (i.child.signals.get(NeedSignal::PregnantOrParent) == Some(true)).then_some(Modality::FaceToFace)
}
fn pregnant_or_parent_why(s: &mut String, _: &Why) {
    s.push_str("pregnant or a parent: antenatal care, contraception and the baby's health are checked in person");
}

fn disability(i: &RuleInput) -> Option<Modality> {
    (i.child.signals.get(NeedSignal::Disability) == Some(true)).then_some(Modality::FaceToFace)
}
fn disability_why(s: &mut String, _: &Why) {
    s.push_str("disability: communication and physical needs are assessed in person");
}

fn final_review_before_18(i: &RuleInput) -> Option<Modality> {
    i.final_review.then_some(Modality::FaceToFace)
}
fn final_review_before_18_why(s: &mut String, w: &Why) {
    s.push_str("the last review before the 18th birthday");
    if let Some(d) = w.leaves_care_on {
        let _ = write!(s, " ({d})");
    }
    s.push_str(": see in person and prepare the leaving-care health summary");
}

fn no_recent_face_to_face(i: &RuleInput) -> Option<Modality> {
    let since = i.face_to_face_since?;
    match i.last_face_to_face {
        Some(d) if d >= since => None,
        _ => Some(Modality::FaceToFace),
    }
}
fn no_recent_face_to_face_why(s: &mut String, w: &Why) {
    let _ = match w.last_face_to_face {
        Some(d) => write!(s, "last face-to-face assessment {d}, over {} months ago", w.policy.modality.face_to_face_within_months),
        None => write!(s, "no face-to-face assessment on record"),
    };
}

fn high_need(i: &RuleInput) -> Option<Modality> {
    (i.need == NeedLevel::High).then_some(Modality::FaceToFace)
}
/// "high clinical need (50 points)".
fn need_words(s: &mut String, level: NeedLevel, points: u32) {
    s.push_str(level.as_str());
    s.push_str(" clinical need (");
    super::push_number(s, points);
    s.push_str(" points)");
}
fn high_need_why(s: &mut String, w: &Why) {
    need_words(s, NeedLevel::High, w.need_points);
}

/// After a declined offer, a different format (policy `offer_alternative_after_decline`, off
/// by default): only after every face-to-face safeguard, and never a questionnaire.
fn declined_offer(i: &RuleInput) -> Option<Modality> {
    let m = &i.policy.modality;
    if !m.offer_alternative_after_decline {
        return None;
    }
    let (_, declined) = i.last_declined?;
    match declined {
        Modality::FaceToFace if m.allow_virtual => Some(Modality::Virtual),
        Modality::FaceToFace => None,
        Modality::Virtual => Some(Modality::FaceToFace),
        Modality::Questionnaire if m.allow_virtual => Some(Modality::Virtual),
        Modality::Questionnaire => Some(Modality::FaceToFace),
    }
}
fn declined_offer_why(s: &mut String, w: &Why) {
    let _ = match w.last_declined {
        Some((date, declined)) => write!(s, "declined a {} offer on {date}: offer a different format", declined.as_str()),
        None => write!(s, "declined an offer: offer a different format"),
    };
}

fn need_unknown(i: &RuleInput) -> Option<Modality> {
    (i.need == NeedLevel::Unknown).then_some(Modality::Virtual)
}
fn need_unknown_why(s: &mut String, w: &Why) {
    s.push_str("clinical need unknown (not recorded: ");
    for (n, name) in super::factors::unknown_names(w.unknown).enumerate() {
        if n > 0 {
            s.push_str(", ");
        }
        s.push_str(name);
    }
    s.push_str("): never a questionnaire; record the need signals");
}

fn moderate_need(i: &RuleInput) -> Option<Modality> {
    (i.need == NeedLevel::Moderate).then_some(Modality::Virtual)
}
fn moderate_need_why(s: &mut String, w: &Why) {
    need_words(s, NeedLevel::Moderate, w.need_points);
}

/// A questionnaire-led review: low need with every signal known, 16 or over, an SDQ in the
/// normal band recorded within the last year, and a known, stable placement.
fn questionnaire(i: &RuleInput) -> Option<Modality> {
    let m = &i.policy.modality;
    let stable = match i.child.placement_moves_12m {
        Some(n) => n <= m.questionnaire_max_placement_moves,
        None => m.unknown_moves_count_as_stable,
    };
    let recent_from = crate::calendar::sub_months(i.as_of, m.questionnaire_sdq_within_months);
    let sdq_ok = i.child.sdq_score.is_some_and(|v| v <= m.questionnaire_max_sdq)
        && i.child.sdq_date.is_some_and(|d| d <= i.as_of && recent_from.is_some_and(|from| d >= from));
    (m.allow_questionnaire
        && i.need == NeedLevel::Low
        && i.unknown == 0
        && i.status.age_years >= m.questionnaire_min_age
        && sdq_ok
        && stable)
        .then_some(Modality::Questionnaire)
}
fn questionnaire_why(s: &mut String, w: &Why) {
    let m = &w.policy.modality;
    let _ = write!(
        s,
        "low clinical need with every signal known, aged {} (from {}), SDQ under {} in the last {} months, no placement move",
        w.status.age_years,
        m.questionnaire_min_age,
        u32::from(m.questionnaire_max_sdq) + 1,
        m.questionnaire_sdq_within_months
    );
}

fn otherwise(_: &RuleInput) -> Option<Modality> {
    Some(Modality::Virtual)
}
fn otherwise_why(s: &mut String, _: &Why) {
    s.push_str("no rule above applies");
}

/// The rules in order; the first that matches wins (docs/triage.md).
pub const RULES: &[ModalityRule] = &[
    ModalityRule { name: "iha", decide: iha, why: iha_why },
    ModalityRule { name: "under_5", decide: under_5, why: under_5_why },
    ModalityRule { name: "urgent", decide: urgent, why: urgent_why },
    ModalityRule { name: "pregnant_or_parent", decide: pregnant_or_parent, why: pregnant_or_parent_why },
    ModalityRule { name: "disability", decide: disability, why: disability_why },
    ModalityRule { name: "final_review_before_18", decide: final_review_before_18, why: final_review_before_18_why },
    ModalityRule { name: "no_recent_face_to_face", decide: no_recent_face_to_face, why: no_recent_face_to_face_why },
    ModalityRule { name: "high_need", decide: high_need, why: high_need_why },
    ModalityRule { name: "declined_offer", decide: declined_offer, why: declined_offer_why },
    ModalityRule { name: "need_unknown", decide: need_unknown, why: need_unknown_why },
    ModalityRule { name: "moderate_need", decide: moderate_need, why: moderate_need_why },
    ModalityRule { name: "questionnaire", decide: questionnaire, why: questionnaire_why },
    ModalityRule { name: "otherwise", decide: otherwise, why: otherwise_why },
];

/// The rules that require face to face: an override to a less intensive format is "below the
/// safeguard" (applied, but said).
pub const SAFEGUARDS: &[&str] =
    &["iha", "under_5", "urgent", "pregnant_or_parent", "disability", "final_review_before_18", "no_recent_face_to_face", "high_need"];

/// The recommendation: modality, the rule that fired, and whether virtual was switched off
/// (then what the rule would have made virtual is face to face: a more intensive format, never
/// a less intensive one).
pub fn recommend(i: &RuleInput) -> (Modality, &'static str, bool) {
    for rule in RULES {
        if let Some(m) = (rule.decide)(i) {
            if m == Modality::Virtual && !i.policy.modality.allow_virtual {
                return (Modality::FaceToFace, rule.name, true);
            }
            return (m, rule.name, false);
        }
    }
    (Modality::FaceToFace, "none", false)
}

/// The words for the rule that fired.
pub fn why(rule: &str, w: &Why, virtual_switched_off: bool) -> String {
    let mut s = String::new();
    write_why(&mut s, rule, w, virtual_switched_off);
    s
}

/// [`why`] written at the end of `s` (writing to a String cannot fail).
pub fn write_why(s: &mut String, rule: &str, w: &Why, virtual_switched_off: bool) {
    // The name is one of RULES' own: the same pointer, so most lookups compare no text.
    match RULES.iter().find(|r| std::ptr::eq(r.name, rule) || r.name == rule) {
        Some(r) => (r.why)(s, w),
        None => s.push_str("no rule matched"),
    }
    if virtual_switched_off {
        s.push_str("; virtual is switched off, so face to face");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::sub_months;
    use crate::model::{Assessment, Outcome, Signals};
    use crate::policy::Policy;
    use crate::schedule::{Reason, Status};

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const AS_OF: NaiveDate = match NaiveDate::from_ymd_opt(2021, 10, 21) {
        Some(d) => d,
        None => panic!(),
    };

    fn st(next: AssessmentType, band: AgeBand, age: u32, last: Option<NaiveDate>) -> ChildStatus {
        ChildStatus {
            status: Status::Overdue,
            next_assessment: Some(next),
            due_date: Some(ymd(2021, 9, 1)),
            days_overdue: Some(50),
            age_band: band,
            age_years: age,
            reason: Reason::OutOfRange,
            last_assessment: last,
            declined_offers: 0,
        }
    }

    /// A 16-year-old with a recent face-to-face assessment, a stable placement, every need
    /// signal known to be no and an SDQ of 8 taken in June 2021: everything a questionnaire
    /// needs. Each test takes one thing away.
    fn base() -> (Child, ChildStatus) {
        let mut c = Child::new("A", ymd(2005, 1, 1), ymd(2015, 1, 1));
        c.placement_moves_12m = Some(0);
        c.signals = Signals::none();
        c.sdq_score = Some(8);
        c.sdq_date = Some(ymd(2021, 6, 1));
        c.assessments.push(Assessment {
            completed_on: ymd(2020, 8, 1),
            kind: AssessmentType::Rha,
            modality: Modality::FaceToFace,
            outcome: Outcome::Completed,
        });
        (c, st(AssessmentType::Rha, AgeBand::FiveTo16, 16, Some(ymd(2020, 8, 1))))
    }

    struct Case<'a> {
        need: NeedLevel,
        unknown: u16,
        tier_p1: bool,
        flags: &'a [String],
        final_review: bool,
    }

    const LOW: Case = Case { need: NeedLevel::Low, unknown: 0, tier_p1: false, flags: &[], final_review: false };

    fn rec(c: &Child, s: &ChildStatus, k: &Case, p: &TriagePolicy) -> (Modality, &'static str) {
        let i = RuleInput {
            child: c,
            status: s,
            as_of: AS_OF,
            most_urgent_tier: k.tier_p1,
            tier_name: if k.tier_p1 { "P1" } else { "P3" },
            any_red_flag: !k.flags.is_empty(),
            need: k.need,
            need_points: 0,
            unknown: k.unknown,
            final_review: k.final_review,
            policy: p,
            face_to_face_since: sub_months(AS_OF, p.modality.face_to_face_within_months),
            last_face_to_face: history(c, AS_OF, s.last_assessment).0,
            last_declined: history(c, AS_OF, s.last_assessment).1,
        };
        let (m, rule, _) = recommend(&i);
        (m, rule)
    }

    fn p() -> TriagePolicy {
        Policy::default().triage
    }

    #[test]
    fn everything_known_and_well_gets_a_questionnaire() {
        let (c, s) = base();
        assert_eq!(rec(&c, &s, &LOW, &p()), (Modality::Questionnaire, "questionnaire"));
    }

    #[test]
    fn need_levels() {
        let tp = p();
        assert_eq!(NeedLevel::of(25, 0, &tp), NeedLevel::High);
        assert_eq!(NeedLevel::of(25, 0xff, &tp), NeedLevel::High, "known signals reach high");
        assert_eq!(NeedLevel::of(10, 1, &tp), NeedLevel::Moderate);
        assert_eq!(NeedLevel::of(9, 1, &tp), NeedLevel::Unknown, "unknown is never low");
        assert_eq!(NeedLevel::of(9, 0, &tp), NeedLevel::Low, "low only with every signal known");
    }

    #[test]
    fn iha_is_face_to_face() {
        let (c, _) = base();
        let s = st(AssessmentType::Iha, AgeBand::FiveTo16, 12, None);
        assert_eq!(rec(&c, &s, &LOW, &p()), (Modality::FaceToFace, "iha"));
    }

    #[test]
    fn under_5_is_face_to_face() {
        let (c, _) = base();
        let s = st(AssessmentType::Rha, AgeBand::Under5, 3, Some(ymd(2021, 3, 1)));
        assert_eq!(rec(&c, &s, &LOW, &p()), (Modality::FaceToFace, "under_5"));
    }

    #[test]
    fn most_urgent_tier_or_red_flag_is_face_to_face() {
        let (c, s) = base();
        assert_eq!(rec(&c, &s, &Case { tier_p1: true, ..LOW }, &p()), (Modality::FaceToFace, "urgent"));
        let flags = ["self_harm_overdue".to_string()];
        assert_eq!(rec(&c, &s, &Case { flags: &flags, ..LOW }, &p()), (Modality::FaceToFace, "urgent"));
    }

    #[test]
    fn pregnant_or_parent_is_face_to_face_even_when_not_overdue() {
        let (mut c, mut s) = base();
        s.status = Status::DueSoon;
        c.signals.pregnant_or_parent = true;
        assert_eq!(rec(&c, &s, &Case { need: NeedLevel::Moderate, ..LOW }, &p()), (Modality::FaceToFace, "pregnant_or_parent"));
    }

    #[test]
    fn disability_alone_is_face_to_face() {
        let (mut c, s) = base();
        c.signals.disability = true;
        assert_eq!(rec(&c, &s, &Case { need: NeedLevel::Moderate, ..LOW }, &p()), (Modality::FaceToFace, "disability"));
    }

    #[test]
    fn the_final_review_before_18_is_face_to_face() {
        let (c, s) = base();
        assert_eq!(rec(&c, &s, &Case { final_review: true, ..LOW }, &p()), (Modality::FaceToFace, "final_review_before_18"));
    }

    #[test]
    fn no_face_to_face_in_24_months() {
        let (mut c, s) = base();
        c.assessments[0].modality = Modality::Virtual;
        assert_eq!(rec(&c, &s, &LOW, &p()), (Modality::FaceToFace, "no_recent_face_to_face"));
        c.assessments[0].modality = Modality::FaceToFace;
        c.assessments[0].completed_on = ymd(2019, 10, 20); // 24 months and a day before as_of
        assert_eq!(rec(&c, &s, &LOW, &p()), (Modality::FaceToFace, "no_recent_face_to_face"));
        c.assessments[0].completed_on = ymd(2019, 10, 21); // exactly 24 months: recent enough
        assert_eq!(rec(&c, &s, &LOW, &p()).1, "questionnaire");
    }

    #[test]
    fn high_need_face_to_face_unknown_and_moderate_virtual() {
        let (c, s) = base();
        assert_eq!(rec(&c, &s, &Case { need: NeedLevel::High, ..LOW }, &p()), (Modality::FaceToFace, "high_need"));
        assert_eq!(rec(&c, &s, &Case { need: NeedLevel::Unknown, unknown: 1, ..LOW }, &p()), (Modality::Virtual, "need_unknown"));
        assert_eq!(rec(&c, &s, &Case { need: NeedLevel::Moderate, ..LOW }, &p()), (Modality::Virtual, "moderate_need"));
    }

    #[test]
    fn a_questionnaire_needs_16_a_recent_normal_sdq_and_a_known_stable_placement() {
        let (c0, s0) = base();
        let otherwise = (Modality::Virtual, "otherwise");
        let mut s = s0.clone();
        s.age_years = 15;
        assert_eq!(rec(&c0, &s, &LOW, &p()), otherwise, "under 16");
        let mut c = c0.clone();
        c.sdq_score = Some(14);
        assert_eq!(rec(&c, &s0, &LOW, &p()), otherwise, "SDQ 14");
        c.sdq_score = None;
        assert_eq!(rec(&c, &s0, &LOW, &p()), otherwise, "no SDQ");
        let mut c = c0.clone();
        c.sdq_date = None;
        assert_eq!(rec(&c, &s0, &LOW, &p()), otherwise, "an SDQ with no date is not recent");
        c.sdq_date = Some(ymd(2020, 10, 20));
        assert_eq!(rec(&c, &s0, &LOW, &p()), otherwise, "an SDQ over 12 months old");
        c.sdq_date = Some(ymd(2020, 10, 21));
        assert_eq!(rec(&c, &s0, &LOW, &p()).1, "questionnaire", "exactly 12 months: recent");
        let mut c = c0.clone();
        c.placement_moves_12m = Some(1);
        assert_eq!(rec(&c, &s0, &LOW, &p()), otherwise, "a placement move");
        c.placement_moves_12m = None;
        assert_eq!(rec(&c, &s0, &LOW, &p()), otherwise, "moves unknown");
        let mut lenient = p();
        lenient.modality.unknown_moves_count_as_stable = true;
        assert_eq!(rec(&c, &s0, &LOW, &lenient).1, "questionnaire");
        // Unknown signals never get a questionnaire, whatever level is given.
        assert_eq!(rec(&c0, &s0, &Case { unknown: 2, ..LOW }, &p()), otherwise);
    }

    #[test]
    fn questionnaire_and_virtual_can_be_switched_off() {
        let (c, s) = base();
        let mut pol = p();
        pol.modality.allow_questionnaire = false;
        assert_eq!(rec(&c, &s, &LOW, &pol), (Modality::Virtual, "otherwise"));
        pol.modality.allow_virtual = false;
        assert_eq!(rec(&c, &s, &LOW, &pol), (Modality::FaceToFace, "otherwise"));
        assert_eq!(rec(&c, &s, &Case { need: NeedLevel::Moderate, ..LOW }, &pol), (Modality::FaceToFace, "moderate_need"));
    }

    #[test]
    fn each_rule_says_why_in_words() {
        let (_, s) = base();
        let pol = p();
        let flags = ["self_harm".to_string(), "overdue".to_string()];
        let mut w = Why {
            status: &s,
            tier_name: "P1",
            red_flags: &[],
            need_points: 45,
            unknown: crate::model::NeedSignal::Disability.bit() | super::super::factors::SDQ_UNKNOWN_BIT,
            leaves_care_on: Some(ymd(2023, 1, 1)),
            last_face_to_face: Some(ymd(2019, 3, 4)),
            last_declined: Some((ymd(2021, 9, 10), Modality::FaceToFace)),
            policy: &pol,
        };
        let words = |w: &Why, rule: &str, off: bool| why(rule, w, off);
        assert_eq!(words(&w, "urgent", false), "tier P1");
        assert_eq!(words(&w, "high_need", false), "high clinical need (45 points)");
        assert_eq!(words(&w, "moderate_need", true), "moderate clinical need (45 points); virtual is switched off, so face to face");
        assert_eq!(
            words(&w, "need_unknown", false),
            "clinical need unknown (not recorded: disability, sdq_score): never a questionnaire; record the need signals"
        );
        assert_eq!(
            words(&w, "final_review_before_18", false),
            "the last review before the 18th birthday (2023-01-01): see in person and prepare the leaving-care health summary"
        );
        assert!(words(&w, "pregnant_or_parent", false).starts_with("pregnant or a parent"));
        assert!(words(&w, "disability", false).starts_with("disability"));
        assert_eq!(
            words(&w, "questionnaire", false),
            "low clinical need with every signal known, aged 16 (from 16), SDQ under 14 in the last 12 months, no placement move"
        );
        assert_eq!(
            words(&w, "no_recent_face_to_face", false),
            format!("last face-to-face assessment 2019-03-04, over {} months ago", pol.modality.face_to_face_within_months)
        );
        assert_eq!(words(&w, "declined_offer", false), "declined a face_to_face offer on 2021-09-10: offer a different format");
        assert_eq!(words(&w, "otherwise", true), "no rule above applies; virtual is switched off, so face to face");
        assert_eq!(words(&w, "no_such_rule", false), "no rule matched");
        w.red_flags = &flags;
        w.last_face_to_face = None;
        w.last_declined = None;
        assert_eq!(words(&w, "urgent", false), "red flag (self_harm, overdue)");
        assert_eq!(words(&w, "no_recent_face_to_face", false), "no face-to-face assessment on record");
        assert_eq!(words(&w, "declined_offer", false), "declined an offer: offer a different format");
        // Written at the end of what is there.
        let mut text = String::from("x: ");
        write_why(&mut text, "iha", &w, false);
        assert_eq!(text, "x: an IHA is done face to face by a doctor, with a physical examination");
    }

    #[test]
    fn a_declined_offer_gets_a_different_format_when_switched_on() {
        let (mut c, s) = base();
        c.assessments.push(Assessment {
            completed_on: ymd(2021, 9, 10),
            kind: AssessmentType::Rha,
            modality: Modality::FaceToFace,
            outcome: Outcome::Declined,
        });
        c.assessments.sort();
        let mut on = p();
        on.modality.offer_alternative_after_decline = true;
        // Never below a face-to-face safeguard.
        assert_eq!(rec(&c, &s, &Case { need: NeedLevel::High, ..LOW }, &on), (Modality::FaceToFace, "high_need"));
        assert_eq!(rec(&c, &s, &LOW, &on), (Modality::Virtual, "declined_offer"));
        c.assessments[1].modality = Modality::Virtual;
        assert_eq!(rec(&c, &s, &LOW, &on), (Modality::FaceToFace, "declined_offer"));
        c.assessments[1].modality = Modality::Questionnaire;
        assert_eq!(rec(&c, &s, &LOW, &on), (Modality::Virtual, "declined_offer"));
        assert_eq!(rec(&c, &s, &LOW, &p()).1, "questionnaire", "off by default");
        // A decline before the latest completed assessment is history, not a pending refusal.
        c.assessments[1].completed_on = ymd(2020, 7, 1);
        c.assessments.sort();
        assert_eq!(rec(&c, &s, &LOW, &on).1, "questionnaire");
    }

    #[test]
    fn the_rules_come_in_the_contract_order() {
        let names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
        assert_eq!(
            names,
            [
                "iha",
                "under_5",
                "urgent",
                "pregnant_or_parent",
                "disability",
                "final_review_before_18",
                "no_recent_face_to_face",
                "high_need",
                "declined_offer",
                "need_unknown",
                "moderate_need",
                "questionnaire",
                "otherwise"
            ]
        );
        // Every rule before declined_offer gives face to face: those are the safeguards.
        assert_eq!(SAFEGUARDS, &names[..SAFEGUARDS.len()]);
        assert_eq!(names[SAFEGUARDS.len()], "declined_offer");
    }
}
