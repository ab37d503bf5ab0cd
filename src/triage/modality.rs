//! The recommended modality: ordered, named rules; the first that matches wins, with its reason.

use chrono::NaiveDate;

use crate::calendar::sub_months;
use crate::model::{AssessmentType, Child, Modality};
use crate::policy::TriagePolicy;
use crate::schedule::{AgeBand, ChildStatus};

/// Clinical need level, from the need factors' points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NeedLevel {
    Low,
    Moderate,
    High,
}

impl NeedLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            NeedLevel::Low => "low",
            NeedLevel::Moderate => "moderate",
            NeedLevel::High => "high",
        }
    }

    pub fn from_points(points: u32, p: &TriagePolicy) -> NeedLevel {
        if points >= p.high_need_from {
            NeedLevel::High
        } else if points >= p.moderate_need_from {
            NeedLevel::Moderate
        } else {
            NeedLevel::Low
        }
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
    pub red_flags: &'a [String],
    pub need: NeedLevel,
    pub need_points: u32,
    pub policy: &'a TriagePolicy,
}

impl RuleInput<'_> {
    /// The latest completed face-to-face assessment on or before as_of.
    fn last_face_to_face(&self) -> Option<NaiveDate> {
        self.child.completed_by(self.as_of).filter(|a| a.modality == Modality::FaceToFace).map(|a| a.completed_on).last()
    }

    /// The latest declined offer after the latest completed assessment, on or before as_of.
    pub fn last_declined(&self) -> Option<(NaiveDate, Modality)> {
        let last = self.status.last_assessment;
        self.child
            .assessments
            .iter()
            .filter(|a| a.outcome == crate::model::Outcome::Declined && a.completed_on <= self.as_of)
            .filter(|a| last.is_none_or(|l| a.completed_on > l))
            .map(|a| (a.completed_on, a.modality))
            .last()
    }
}

pub struct ModalityRule {
    pub name: &'static str,
    /// `Some((modality, reason))` when the rule matches.
    pub decide: fn(&RuleInput) -> Option<(Modality, String)>,
}

fn iha(i: &RuleInput) -> Option<(Modality, String)> {
    (i.status.next_assessment == Some(AssessmentType::Iha))
        .then(|| (Modality::FaceToFace, "an IHA is done face to face by a doctor, with a physical examination".into()))
}

fn under_5(i: &RuleInput) -> Option<(Modality, String)> {
    (i.status.age_band == AgeBand::Under5)
        .then(|| (Modality::FaceToFace, "under 5: growth and development need a face-to-face review".into()))
}

fn urgent(i: &RuleInput) -> Option<(Modality, String)> {
    if !i.red_flags.is_empty() {
        return Some((Modality::FaceToFace, format!("red flag ({})", i.red_flags.join(", "))));
    }
    i.most_urgent_tier.then(|| (Modality::FaceToFace, format!("tier {}", i.tier_name)))
}

fn no_recent_face_to_face(i: &RuleInput) -> Option<(Modality, String)> {
    let months = i.policy.modality.face_to_face_within_months;
    let since = sub_months(i.as_of, months)?;
    match i.last_face_to_face() {
        Some(d) if d >= since => None,
        Some(d) => Some((Modality::FaceToFace, format!("last face-to-face assessment {d}, over {months} months ago"))),
        None => Some((Modality::FaceToFace, "no face-to-face assessment on record".into())),
    }
}

fn declined_offer(i: &RuleInput) -> Option<(Modality, String)> {
    let m = &i.policy.modality;
    if !m.offer_alternative_after_decline {
        return None;
    }
    let (date, declined) = i.last_declined()?;
    let questionnaire_ok = m.allow_questionnaire && i.status.age_years >= m.questionnaire_from_age;
    let alternative = match declined {
        Modality::FaceToFace if m.allow_virtual => Modality::Virtual,
        Modality::FaceToFace if questionnaire_ok => Modality::Questionnaire,
        Modality::FaceToFace => return None,
        Modality::Virtual => Modality::FaceToFace,
        Modality::Questionnaire if m.allow_virtual => Modality::Virtual,
        Modality::Questionnaire => Modality::FaceToFace,
    };
    Some((alternative, format!("declined a {} offer on {date}: offer a different format", declined.as_str())))
}

fn high_need(i: &RuleInput) -> Option<(Modality, String)> {
    (i.need == NeedLevel::High).then(|| (Modality::FaceToFace, format!("high clinical need ({} points)", i.need_points)))
}

fn moderate_need(i: &RuleInput) -> Option<(Modality, String)> {
    (i.need == NeedLevel::Moderate).then(|| (Modality::Virtual, format!("moderate clinical need ({} points)", i.need_points)))
}

fn low_need_stable_older(i: &RuleInput) -> Option<(Modality, String)> {
    let m = &i.policy.modality;
    let stable = match i.child.placement_moves_12m {
        Some(n) => n <= m.questionnaire_max_placement_moves,
        None => m.unknown_moves_count_as_stable,
    };
    (m.allow_questionnaire && i.need == NeedLevel::Low && stable && i.status.age_years >= m.questionnaire_from_age).then(|| {
        (
            Modality::Questionnaire,
            format!("low clinical need, stable placement, aged {} (from {})", i.status.age_years, m.questionnaire_from_age),
        )
    })
}

fn otherwise(_: &RuleInput) -> Option<(Modality, String)> {
    Some((Modality::Virtual, "no rule above applies".into()))
}

/// The rules in order; the first that matches wins.
pub const RULES: &[ModalityRule] = &[
    ModalityRule { name: "iha", decide: iha },
    ModalityRule { name: "under_5", decide: under_5 },
    ModalityRule { name: "urgent", decide: urgent },
    ModalityRule { name: "no_recent_face_to_face", decide: no_recent_face_to_face },
    ModalityRule { name: "declined_offer", decide: declined_offer },
    ModalityRule { name: "high_need", decide: high_need },
    ModalityRule { name: "moderate_need", decide: moderate_need },
    ModalityRule { name: "low_need_stable_older", decide: low_need_stable_older },
    ModalityRule { name: "otherwise", decide: otherwise },
];

/// The recommendation: modality, the rule that fired and why. Virtual switched off by the policy
/// becomes face to face (a more intensive format, never a less intensive one).
pub fn recommend(i: &RuleInput) -> (Modality, &'static str, String) {
    for rule in RULES {
        if let Some((m, why)) = (rule.decide)(i) {
            if m == Modality::Virtual && !i.policy.modality.allow_virtual {
                return (Modality::FaceToFace, rule.name, format!("{why}; virtual is switched off, so face to face"));
            }
            return (m, rule.name, why);
        }
    }
    (Modality::FaceToFace, "none", "no rule matched".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Assessment, Outcome};
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

    /// A 12-year-old with a recent face-to-face assessment, stable placement, low need, RHA.
    fn base() -> (Child, ChildStatus) {
        let mut c = Child::new("A", ymd(2009, 1, 1), ymd(2015, 1, 1));
        c.placement_moves_12m = Some(0);
        c.assessments.push(Assessment {
            completed_on: ymd(2020, 8, 1),
            kind: AssessmentType::Rha,
            modality: Modality::FaceToFace,
            outcome: Outcome::Completed,
        });
        (c, st(AssessmentType::Rha, AgeBand::FiveTo16, 12, Some(ymd(2020, 8, 1))))
    }

    fn rec(c: &Child, s: &ChildStatus, need: NeedLevel, tier_p1: bool, flags: &[String], p: &TriagePolicy) -> (Modality, &'static str) {
        let i = RuleInput {
            child: c,
            status: s,
            as_of: AS_OF,
            most_urgent_tier: tier_p1,
            tier_name: if tier_p1 { "P1" } else { "P3" },
            red_flags: flags,
            need,
            need_points: 0,
            policy: p,
        };
        let (m, rule, _) = recommend(&i);
        (m, rule)
    }

    fn p() -> TriagePolicy {
        Policy::default().triage
    }

    #[test]
    fn low_need_stable_older_gets_a_questionnaire() {
        let (c, s) = base();
        assert_eq!(rec(&c, &s, NeedLevel::Low, false, &[], &p()), (Modality::Questionnaire, "low_need_stable_older"));
    }

    #[test]
    fn iha_is_face_to_face() {
        let (c, _) = base();
        let s = st(AssessmentType::Iha, AgeBand::FiveTo16, 12, None);
        assert_eq!(rec(&c, &s, NeedLevel::Low, false, &[], &p()), (Modality::FaceToFace, "iha"));
    }

    #[test]
    fn under_5_is_face_to_face() {
        let (c, _) = base();
        let s = st(AssessmentType::Rha, AgeBand::Under5, 3, Some(ymd(2021, 3, 1)));
        assert_eq!(rec(&c, &s, NeedLevel::Low, false, &[], &p()), (Modality::FaceToFace, "under_5"));
    }

    #[test]
    fn most_urgent_tier_or_red_flag_is_face_to_face() {
        let (c, s) = base();
        assert_eq!(rec(&c, &s, NeedLevel::Low, true, &[], &p()), (Modality::FaceToFace, "urgent"));
        assert_eq!(rec(&c, &s, NeedLevel::Low, false, &["self_harm_overdue".into()], &p()), (Modality::FaceToFace, "urgent"));
    }

    #[test]
    fn no_face_to_face_in_24_months() {
        let (mut c, s) = base();
        c.assessments[0].modality = Modality::Virtual;
        assert_eq!(rec(&c, &s, NeedLevel::Low, false, &[], &p()), (Modality::FaceToFace, "no_recent_face_to_face"));
        c.assessments[0].modality = Modality::FaceToFace;
        c.assessments[0].completed_on = ymd(2019, 10, 20); // 24 months and a day before as_of
        assert_eq!(rec(&c, &s, NeedLevel::Low, false, &[], &p()), (Modality::FaceToFace, "no_recent_face_to_face"));
        c.assessments[0].completed_on = ymd(2019, 10, 21); // exactly 24 months: recent enough
        assert_eq!(rec(&c, &s, NeedLevel::Low, false, &[], &p()).1, "low_need_stable_older");
    }

    #[test]
    fn high_need_face_to_face_moderate_virtual() {
        let (c, s) = base();
        assert_eq!(rec(&c, &s, NeedLevel::High, false, &[], &p()), (Modality::FaceToFace, "high_need"));
        assert_eq!(rec(&c, &s, NeedLevel::Moderate, false, &[], &p()), (Modality::Virtual, "moderate_need"));
    }

    #[test]
    fn questionnaire_needs_age_10_and_a_stable_placement() {
        let (mut c, mut s) = base();
        s.age_years = 9;
        assert_eq!(rec(&c, &s, NeedLevel::Low, false, &[], &p()), (Modality::Virtual, "otherwise"));
        s.age_years = 10;
        c.placement_moves_12m = Some(1);
        assert_eq!(rec(&c, &s, NeedLevel::Low, false, &[], &p()), (Modality::Virtual, "otherwise"));
        c.placement_moves_12m = None;
        assert_eq!(rec(&c, &s, NeedLevel::Low, false, &[], &p()).1, "otherwise");
        let mut lenient = p();
        lenient.modality.unknown_moves_count_as_stable = true;
        assert_eq!(rec(&c, &s, NeedLevel::Low, false, &[], &lenient).1, "low_need_stable_older");
    }

    #[test]
    fn questionnaire_and_virtual_can_be_switched_off() {
        let (c, s) = base();
        let mut pol = p();
        pol.modality.allow_questionnaire = false;
        assert_eq!(rec(&c, &s, NeedLevel::Low, false, &[], &pol), (Modality::Virtual, "otherwise"));
        pol.modality.allow_virtual = false;
        assert_eq!(rec(&c, &s, NeedLevel::Low, false, &[], &pol), (Modality::FaceToFace, "otherwise"));
        assert_eq!(rec(&c, &s, NeedLevel::Moderate, false, &[], &pol), (Modality::FaceToFace, "moderate_need"));
    }

    #[test]
    fn a_declined_offer_gets_a_different_format() {
        let (mut c, s) = base();
        c.assessments.push(Assessment {
            completed_on: ymd(2021, 9, 10),
            kind: AssessmentType::Rha,
            modality: Modality::FaceToFace,
            outcome: Outcome::Declined,
        });
        c.assessments.sort();
        assert_eq!(rec(&c, &s, NeedLevel::High, false, &[], &p()), (Modality::Virtual, "declined_offer"));
        c.assessments[1].modality = Modality::Virtual;
        assert_eq!(rec(&c, &s, NeedLevel::Low, false, &[], &p()), (Modality::FaceToFace, "declined_offer"));
        c.assessments[1].modality = Modality::Questionnaire;
        assert_eq!(rec(&c, &s, NeedLevel::Low, false, &[], &p()), (Modality::Virtual, "declined_offer"));
        let mut off = p();
        off.modality.offer_alternative_after_decline = false;
        assert_eq!(rec(&c, &s, NeedLevel::Low, false, &[], &off).1, "low_need_stable_older");
        // A decline before the latest completed assessment is history, not a pending refusal.
        c.assessments[1].completed_on = ymd(2020, 7, 1);
        c.assessments.sort();
        assert_eq!(rec(&c, &s, NeedLevel::Low, false, &[], &p()).1, "low_need_stable_older");
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
                "no_recent_face_to_face",
                "declined_offer",
                "high_need",
                "moderate_need",
                "low_need_stable_older",
                "otherwise"
            ]
        );
    }
}
