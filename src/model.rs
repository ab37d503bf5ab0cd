//! The typed cohort: children and their assessments, checked once on the way in.

use chrono::NaiveDate;

use crate::report::ValidationReport;

/// Short text (a child_id, a legal status code, a locality): a string held inline up to 24
/// bytes, so reading a child allocates nothing for them (it derefs to `&str`).
pub type ShortText = compact_str::CompactString;

/// Initial or review health assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AssessmentType {
    Iha,
    Rha,
}

impl AssessmentType {
    pub fn as_str(self) -> &'static str {
        match self {
            AssessmentType::Iha => "IHA",
            AssessmentType::Rha => "RHA",
        }
    }
}

/// How an assessment is (or would be) done, least intensive last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Modality {
    FaceToFace,
    Virtual,
    Questionnaire,
}

impl Modality {
    pub fn as_str(self) -> &'static str {
        match self {
            Modality::FaceToFace => "face_to_face",
            Modality::Virtual => "virtual",
            Modality::Questionnaire => "questionnaire",
        }
    }
}

/// Whether an offered assessment took place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Completed,
    /// A young person of sufficient understanding declined: not an assessment; changes no due
    /// date and no indicator, but triage shows it.
    Declined,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::Declined => "declined",
        }
    }
}

/// One row of the assessments table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Assessment {
    pub completed_on: NaiveDate,
    pub kind: AssessmentType,
    pub modality: Modality,
    pub outcome: Outcome,
}

/// The eight signals of clinical need, in the order of their columns. Each is yes, no or
/// unknown: a blank cell or an absent column is unknown, never no (docs/triage.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NeedSignal {
    ComplexHealthNeeds,
    Disability,
    MentalHealthConcern,
    SelfHarm,
    SubstanceMisuse,
    PregnantOrParent,
    ExploitationRisk,
    YouthJustice,
}

impl NeedSignal {
    pub const ALL: [NeedSignal; 8] = [
        NeedSignal::ComplexHealthNeeds,
        NeedSignal::Disability,
        NeedSignal::MentalHealthConcern,
        NeedSignal::SelfHarm,
        NeedSignal::SubstanceMisuse,
        NeedSignal::PregnantOrParent,
        NeedSignal::ExploitationRisk,
        NeedSignal::YouthJustice,
    ];

    /// The column (and factor) name.
    pub fn name(self) -> &'static str {
        match self {
            NeedSignal::ComplexHealthNeeds => "complex_health_needs",
            NeedSignal::Disability => "disability",
            NeedSignal::MentalHealthConcern => "mental_health_concern",
            NeedSignal::SelfHarm => "self_harm",
            NeedSignal::SubstanceMisuse => "substance_misuse",
            NeedSignal::PregnantOrParent => "pregnant_or_parent",
            NeedSignal::ExploitationRisk => "exploitation_risk",
            NeedSignal::YouthJustice => "youth_justice",
        }
    }

    /// Its bit in [`Signals::unknown`].
    pub fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// Clinical need signals and the out-of-area flag. A need signal is yes when its field is true,
/// unknown when its field is false and its bit of `unknown` is set, and no otherwise. The
/// default is every need signal unknown (nothing recorded); [`Signals::none`] is every one
/// known to be no. `out_of_area` is where the child lives, not a need, and blank means no.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signals {
    pub complex_health_needs: bool,
    pub disability: bool,
    pub mental_health_concern: bool,
    pub self_harm: bool,
    pub substance_misuse: bool,
    pub pregnant_or_parent: bool,
    pub exploitation_risk: bool,
    pub youth_justice: bool,
    pub out_of_area: bool,
    /// Bit i ([`NeedSignal::bit`]): need signal i was not recorded (blank or no column).
    pub unknown: u16,
}

impl Default for Signals {
    /// Nothing recorded: every need signal unknown.
    fn default() -> Self {
        Signals { unknown: Signals::ALL_UNKNOWN, ..Signals::none() }
    }
}

impl Signals {
    /// Every need signal's bit.
    pub const ALL_UNKNOWN: u16 = (1 << NeedSignal::ALL.len()) - 1;

    /// Every need signal known to be no.
    pub const fn none() -> Signals {
        Signals {
            complex_health_needs: false,
            disability: false,
            mental_health_concern: false,
            self_harm: false,
            substance_misuse: false,
            pregnant_or_parent: false,
            exploitation_risk: false,
            youth_justice: false,
            out_of_area: false,
            unknown: 0,
        }
    }

    fn field(&mut self, s: NeedSignal) -> &mut bool {
        match s {
            NeedSignal::ComplexHealthNeeds => &mut self.complex_health_needs,
            NeedSignal::Disability => &mut self.disability,
            NeedSignal::MentalHealthConcern => &mut self.mental_health_concern,
            NeedSignal::SelfHarm => &mut self.self_harm,
            NeedSignal::SubstanceMisuse => &mut self.substance_misuse,
            NeedSignal::PregnantOrParent => &mut self.pregnant_or_parent,
            NeedSignal::ExploitationRisk => &mut self.exploitation_risk,
            NeedSignal::YouthJustice => &mut self.youth_justice,
        }
    }

    /// Yes, no, or unknown (`None`).
    pub fn get(&self, s: NeedSignal) -> Option<bool> {
        let yes = match s {
            NeedSignal::ComplexHealthNeeds => self.complex_health_needs,
            NeedSignal::Disability => self.disability,
            NeedSignal::MentalHealthConcern => self.mental_health_concern,
            NeedSignal::SelfHarm => self.self_harm,
            NeedSignal::SubstanceMisuse => self.substance_misuse,
            NeedSignal::PregnantOrParent => self.pregnant_or_parent,
            NeedSignal::ExploitationRisk => self.exploitation_risk,
            NeedSignal::YouthJustice => self.youth_justice,
        };
        if yes {
            Some(true)
        } else if self.unknown & s.bit() != 0 {
            None
        } else {
            Some(false)
        }
    }

    /// Record yes, no or unknown.
    pub fn set(&mut self, s: NeedSignal, value: Option<bool>) {
        *self.field(s) = value == Some(true);
        if value.is_none() {
            self.unknown |= s.bit();
        } else {
            self.unknown &= !s.bit();
        }
    }

    /// The bits of the need signals that are unknown (a yes is known whatever its bit).
    /// Bit arithmetic, not a walk over the signals: the simulation asks it of every queued
    /// child every week.
    pub fn unknown_bits(&self) -> u16 {
        let yes = [
            self.complex_health_needs,
            self.disability,
            self.mental_health_concern,
            self.self_harm,
            self.substance_misuse,
            self.pregnant_or_parent,
            self.exploitation_risk,
            self.youth_justice,
        ]
        .iter()
        .enumerate()
        .fold(0u16, |m, (i, y)| m | (u16::from(*y) << i));
        self.unknown & !yes & Signals::ALL_UNKNOWN
    }
}

/// One looked-after child with everything the library knows of them. The id, legal status
/// and locality are [`ShortText`]: held inline up to 24 bytes, no allocation a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    pub id: ShortText,
    pub date_of_birth: NaiveDate,
    pub care_start: NaiveDate,
    pub care_end: Option<NaiveDate>,
    pub legal_status: Option<ShortText>,
    pub uasc: bool,
    pub missing: bool,
    pub locality: Option<ShortText>,
    pub sdq_score: Option<u8>,
    /// When the SDQ score was recorded (`sdq_date`); no date means not known to be recent.
    pub sdq_date: Option<NaiveDate>,
    pub signals: Signals,
    pub placement_moves_12m: Option<u32>,
    pub missing_episodes_12m: Option<u32>,
    /// Sex as the 903 codes it (`1` male, `2` female); None when not recorded. For the equality
    /// impact only: no rule reads it.
    pub sex: Option<ShortText>,
    /// Ethnicity as a DfE 903 ETHNIC code (`WBRI`, `MWBC`, ...); None when not recorded. For the
    /// equality impact only.
    pub ethnicity: Option<ShortText>,
    /// The health provider responsible for the child's assessments (for a child placed out of
    /// area, the host area's), as the children table names it; None when not recorded.
    pub provider: Option<ShortText>,
    /// The latest dental check (`last_dental_check`); None when not recorded.
    pub last_dental_check: Option<NaiveDate>,
    /// Whether immunisations are up to date (`immunisations_up_to_date`); None when not known.
    pub immunisations_up_to_date: Option<bool>,
    /// Whether a referral to CAMHS is noted (`camhs_referral`); None when nothing is noted.
    pub camhs_referral: Option<bool>,
    /// All assessment rows of the child, completed and declined, sorted by date (then type,
    /// modality, outcome), so that the order of the input never matters.
    pub assessments: Vec<Assessment>,
}

impl Child {
    /// A child with only the required fields; the rest unknown. Handy for tests and examples.
    pub fn new(id: &str, date_of_birth: NaiveDate, care_start: NaiveDate) -> Child {
        Child {
            id: id.into(),
            date_of_birth,
            care_start,
            care_end: None,
            legal_status: None,
            uasc: false,
            missing: false,
            locality: None,
            sdq_score: None,
            sdq_date: None,
            signals: Signals::default(),
            placement_moves_12m: None,
            missing_episodes_12m: None,
            sex: None,
            ethnicity: None,
            provider: None,
            last_dental_check: None,
            immunisations_up_to_date: None,
            camhs_referral: None,
            assessments: Vec::new(),
        }
    }

    /// Completed assessments (not declined offers) on or before `as_of`, oldest first.
    pub fn completed_by(&self, as_of: NaiveDate) -> impl Iterator<Item = &Assessment> {
        self.assessments.iter().filter(move |a| a.outcome == Outcome::Completed && a.completed_on <= as_of)
    }
}

/// A validated cohort: children sorted by child_id, each with their assessments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cohort {
    pub children: Vec<Child>,
    /// What reading found: warnings (a cohort never holds errors) and row counts.
    pub report: ValidationReport,
}

impl Cohort {
    /// Build a cohort from children whose assessments are already attached. Sorts children by
    /// id and each child's assessments by date so that input order never changes any output.
    pub fn from_children(mut children: Vec<Child>) -> Cohort {
        // Each child's assessments sorted, on every core for a large cohort.
        crate::par::for_each_stretch_mut(&mut children, crate::par::CHILDREN_A_STRETCH, |_, kids| {
            for c in kids {
                c.assessments.sort();
            }
        });
        children.sort_by(|a, b| a.id.cmp(&b.id));
        Cohort { children, report: ValidationReport::default() }
    }

    pub fn len(&self) -> usize {
        self.children.len()
    }

    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }

    pub fn assessment_count(&self) -> usize {
        self.children.iter().map(|c| c.assessments.len()).sum()
    }

    pub fn get(&self, id: &str) -> Option<&Child> {
        self.children.binary_search_by(|c| c.id.as_str().cmp(id)).ok().map(|i| &self.children[i])
    }
}

#[cfg(test)]
mod signal_tests {
    use super::*;

    #[test]
    fn unknown_bits_are_the_signals_get_calls_unknown() {
        // Every combination of yes fields and unknown bits (a field set directly may leave its
        // bit set: a yes is known whatever its bit).
        for yes in 0u16..256 {
            for unknown in 0u16..512 {
                let mut s = Signals { unknown, ..Signals::none() };
                for (i, n) in NeedSignal::ALL.into_iter().enumerate() {
                    *s.field(n) = yes & (1 << i) != 0;
                }
                let by_get = NeedSignal::ALL.iter().filter(|n| s.get(**n).is_none()).fold(0, |m, n| m | n.bit());
                assert_eq!(s.unknown_bits(), by_get, "yes {yes:b} unknown {unknown:b}");
            }
        }
    }
}
