//! The statutory schedule (docs/interface.md section 3): for each child at a date, the next
//! assessment, its due date, the status and the reason.

use std::fmt;

use chrono::NaiveDate;

use crate::calendar::{add_months, age_on, anniversary, sub_months, Calendar};
use crate::model::{Assessment, AssessmentType, Child, Cohort, Modality, Outcome};
use crate::policy::{CadenceAge, DeadlineUnit, IhaExemption, Policy};

/// Where a child stands at a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Overdue,
    DueSoon,
    UpToDate,
    NotRequired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Overdue => "overdue",
            Status::DueSoon => "due_soon",
            Status::UpToDate => "up_to_date",
            Status::NotRequired => "not_required",
        }
    }
    pub const ALL: [Status; 4] = [Status::Overdue, Status::DueSoon, Status::UpToDate, Status::NotRequired];
}

/// Age band at a date (labels fixed by the contract; ages from the policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgeBand {
    Under5,
    FiveTo16,
    Plus17,
}

impl AgeBand {
    pub fn as_str(self) -> &'static str {
        match self {
            AgeBand::Under5 => "under_5",
            AgeBand::FiveTo16 => "5_to_16",
            AgeBand::Plus17 => "17_plus",
        }
    }
    pub const ALL: [AgeBand; 3] = [AgeBand::Under5, AgeBand::FiveTo16, AgeBand::Plus17];
}

/// Why a child has the status they have: structured, so triage and audit can use the facts,
/// and displayed as a sentence in the `reason` column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    NotYetInCare {
        care_start: NaiveDate,
    },
    LeftCare {
        care_end: NaiveDate,
    },
    ShortBreaks {
        legal_status: String,
    },
    AgedOut {
        age: u32,
        birthday: NaiveDate,
    },
    DueAfterLeavingAge {
        next: AssessmentType,
        due: NaiveDate,
        age: u32,
        birthday: NaiveDate,
    },
    /// The IHA: no assessment since `window_start` (care_start minus the exemption months).
    Iha {
        care_start: NaiveDate,
        deadline: u32,
        unit: DeadlineUnit,
        window_start: NaiveDate,
    },
    /// A review after the latest completed assessment.
    Rha {
        last: NaiveDate,
        age_at_last: u32,
        months: u32,
    },
    /// A date could not be computed (beyond the calendar's range).
    OutOfRange,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NotYetInCare { care_start } => write!(f, "not yet in care: care starts {care_start}"),
            Reason::LeftCare { care_end } => write!(f, "left care on {care_end}"),
            Reason::ShortBreaks { legal_status } => {
                write!(f, "short breaks (legal status {legal_status}): the health assessment duty does not apply")
            }
            Reason::AgedOut { age, birthday } => write!(f, "aged {age} or over (birthday {birthday})"),
            Reason::DueAfterLeavingAge { next, due, age, birthday } => {
                write!(f, "next {} would fall due on {due}, on or after the {age}th birthday ({birthday})", next.as_str())
            }
            Reason::Iha { care_start, deadline, unit, window_start } => write!(
                f,
                "IHA due {deadline} {} after care start {care_start}; no health assessment since {window_start}",
                match unit {
                    DeadlineUnit::WorkingDays => "working days",
                    DeadlineUnit::CalendarDays => "calendar days",
                }
            ),
            Reason::Rha { last, age_at_last, months } => {
                write!(f, "RHA due {months} months after the last assessment on {last} (age {age_at_last} then)")
            }
            Reason::OutOfRange => write!(f, "due date outside the supported calendar"),
        }
    }
}

/// The schedule of one child at a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildStatus {
    pub status: Status,
    pub next_assessment: Option<AssessmentType>,
    pub due_date: Option<NaiveDate>,
    /// Days after the due date (0 when not overdue; `None` when nothing is due).
    pub days_overdue: Option<i64>,
    pub age_band: AgeBand,
    pub age_years: u32,
    pub reason: Reason,
    /// The latest completed assessment on or before the date.
    pub last_assessment: Option<NaiveDate>,
    /// Declined offers after the latest completed assessment (or ever, if none), on or before
    /// the date.
    pub declined_offers: u32,
}

/// The schedule engine: a policy with its working-day calendar, built once.
#[derive(Debug, Clone)]
pub struct Scheduler {
    pub policy: Policy,
    pub calendar: Calendar,
}

impl Scheduler {
    pub fn new(policy: &Policy) -> Scheduler {
        let c = &policy.calendar;
        Scheduler { policy: policy.clone(), calendar: Calendar::new(c.bank_holidays, &c.extra_closures) }
    }

    pub fn age_band(&self, age: u32) -> AgeBand {
        let b = &self.policy.age_bands;
        if age < b.under_5_below {
            AgeBand::Under5
        } else if age >= b.plus_17_from {
            AgeBand::Plus17
        } else {
            AgeBand::FiveTo16
        }
    }

    /// The IHA due date for a period of care starting on `care_start`.
    pub fn iha_due(&self, care_start: NaiveDate) -> Option<NaiveDate> {
        let s = &self.policy.schedule;
        match s.iha_deadline_unit {
            DeadlineUnit::WorkingDays => self.calendar.add_working_days(care_start, s.iha_deadline),
            DeadlineUnit::CalendarDays => care_start.checked_add_days(chrono::Days::new(u64::from(s.iha_deadline))),
        }
    }

    /// The review interval in months after an assessment on `last`, and the age that set it.
    pub fn rha_interval(&self, dob: NaiveDate, last: NaiveDate) -> (u32, u32) {
        rha_interval_months(&self.policy, dob, last)
    }

    /// The birthday on which the child leaves the duty (`schedule.leaves_care_age`, 18); `None`
    /// only for a date chrono cannot hold.
    pub fn leaves_care_on(&self, child: &Child) -> Option<NaiveDate> {
        let s = &self.policy.schedule;
        anniversary(child.date_of_birth, s.leaves_care_age, s.leap_day_birthday)
    }

    /// The start of the IHA exemption window: an assessment from this day on means no IHA.
    pub fn iha_window_start(&self, child: &Child) -> NaiveDate {
        sub_months(child.care_start, self.policy.schedule.iha_exemption_months).unwrap_or(child.care_start)
    }

    /// Whether a completed assessment answers the child's IHA (policy `iha_exemption`,
    /// docs/schedule.md): by default, before care_start (in the exemption window) only an IHA
    /// done face to face, and from care_start any record but a questionnaire.
    pub fn answers_iha(&self, child: &Child, a: &Assessment) -> bool {
        iha_rule_answers(self.policy.schedule.iha_exemption, self.iha_window_start(child), child.care_start, a)
    }

    /// The next assessment after the given completed assessments (oldest first): the IHA until
    /// one answers it ([`Scheduler::answers_iha`]), else an RHA after the latest. Ignores the
    /// 18th birthday and the status date; `child_status` applies those.
    pub fn next_due(&self, child: &Child, completed: &[Assessment]) -> (AssessmentType, Option<NaiveDate>, Reason) {
        let window_start = self.iha_window_start(child);
        let answered = completed.iter().any(|a| self.answers_iha(child, a));
        self.next_due_after(child, window_start, completed.last().map(|a| a.completed_on), answered)
    }

    /// [`Scheduler::next_due`] from the latest completed assessment and whether the IHA has
    /// been answered.
    pub fn next_due_after(
        &self,
        child: &Child,
        window_start: NaiveDate,
        last: Option<NaiveDate>,
        iha_answered: bool,
    ) -> (AssessmentType, Option<NaiveDate>, Reason) {
        let s = &self.policy.schedule;
        match last.as_ref().filter(|_| iha_answered) {
            None => {
                let reason =
                    Reason::Iha { care_start: child.care_start, deadline: s.iha_deadline, unit: s.iha_deadline_unit, window_start };
                (AssessmentType::Iha, self.iha_due(child.care_start), reason)
            }
            Some(&last) => {
                let (months, age_at_last) = self.rha_interval(child.date_of_birth, last);
                (AssessmentType::Rha, add_months(last, months), Reason::Rha { last, age_at_last, months })
            }
        }
    }

    /// The status of one child at `as_of`. A pure function of the child, the assessments
    /// completed on or before `as_of`, `as_of` and the policy.
    pub fn child_status(&self, child: &Child, as_of: NaiveDate) -> ChildStatus {
        let s = &self.policy.schedule;
        let leap = s.leap_day_birthday;
        let age = age_on(child.date_of_birth, as_of, leap);
        let last = child.completed_by(as_of).map(|a| a.completed_on).last();
        let declined_offers = child
            .assessments
            .iter()
            .filter(|a| a.outcome == Outcome::Declined && a.completed_on <= as_of && last.is_none_or(|l| a.completed_on > l))
            .count() as u32;
        let base = ChildStatus {
            status: Status::NotRequired,
            next_assessment: None,
            due_date: None,
            days_overdue: None,
            age_band: self.age_band(age),
            age_years: age,
            reason: Reason::OutOfRange,
            last_assessment: last,
            declined_offers,
        };
        let not_required = |reason: Reason| ChildStatus { reason, ..base.clone() };

        if child.care_start > as_of {
            return not_required(Reason::NotYetInCare { care_start: child.care_start });
        }
        if let Some(end) = child.care_end.filter(|e| *e <= as_of) {
            return not_required(Reason::LeftCare { care_end: end });
        }
        if let Some(ls) = child.legal_status.as_deref().filter(|ls| self.policy.is_short_break(ls)) {
            return not_required(Reason::ShortBreaks { legal_status: ls.to_string() });
        }
        let Some(birthday) = self.leaves_care_on(child) else {
            return not_required(Reason::OutOfRange);
        };
        if as_of >= birthday {
            return not_required(Reason::AgedOut { age: s.leaves_care_age, birthday });
        }

        let window_start = self.iha_window_start(child);
        let answered = child.completed_by(as_of).any(|a| self.answers_iha(child, a));
        let (next, due, reason) = self.next_due_after(child, window_start, last, answered);
        let Some(due) = due else {
            return not_required(Reason::OutOfRange);
        };
        if due >= birthday {
            return not_required(Reason::DueAfterLeavingAge { next, due, age: s.leaves_care_age, birthday });
        }
        let days = (as_of - due).num_days();
        let status = if days > 0 {
            Status::Overdue
        } else if -days <= i64::from(s.due_soon_days) {
            Status::DueSoon
        } else {
            Status::UpToDate
        };
        ChildStatus { status, next_assessment: Some(next), due_date: Some(due), days_overdue: Some(days.max(0)), reason, ..base }
    }
}

/// The review interval in months after an assessment on `last` for a child born on `dob`,
/// and the age that set it (policy `schedule`: 6 months under 5, 12 from 5, by the age at the
/// previous assessment or at the due date).
pub fn rha_interval_months(policy: &Policy, dob: NaiveDate, last: NaiveDate) -> (u32, u32) {
    let s = &policy.schedule;
    let age_at_last = age_on(dob, last, s.leap_day_birthday);
    if age_at_last >= s.cadence_change_age {
        return (s.rha_interval_months_from_cadence_age, age_at_last);
    }
    let short = s.rha_interval_months_under_cadence_age;
    match s.cadence_age {
        CadenceAge::PreviousAssessment => (short, age_at_last),
        CadenceAge::DueDate => match add_months(last, short) {
            Some(due) if age_on(dob, due, s.leap_day_birthday) >= s.cadence_change_age => {
                (s.rha_interval_months_from_cadence_age, age_at_last)
            }
            _ => (short, age_at_last),
        },
    }
}

/// Whether a completed assessment `a` answers the IHA of a child whose care starts on
/// `care_start`, with the exemption window starting on `window_start` (see
/// [`IhaExemption`]). Declined offers never do.
pub fn iha_rule_answers(rule: IhaExemption, window_start: NaiveDate, care_start: NaiveDate, a: &Assessment) -> bool {
    if a.outcome != Outcome::Completed || a.completed_on < window_start {
        return false;
    }
    match rule {
        IhaExemption::Any => true,
        IhaExemption::IhaFaceToFace if a.completed_on < care_start => a.kind == AssessmentType::Iha && a.modality == Modality::FaceToFace,
        IhaExemption::IhaFaceToFace => a.modality != Modality::Questionnaire,
    }
}

/// The status of every child of a cohort, one row each, in the contract's order: overdue
/// (most overdue first), due soon (soonest first), up to date (soonest first), not required;
/// ties by child_id. The order never depends on the order of the input.
pub fn status_all(cohort: &Cohort, as_of: NaiveDate, policy: &Policy) -> Vec<(usize, ChildStatus)> {
    let sched = Scheduler::new(policy);
    let mut rows: Vec<(usize, ChildStatus)> = cohort.children.iter().enumerate().map(|(i, c)| (i, sched.child_status(c, as_of))).collect();
    // Children are sorted by id, so the cohort index is the child_id tie-break.
    rows.sort_unstable_by(|(ia, a), (ib, b)| {
        a.status
            .cmp(&b.status)
            .then_with(|| b.days_overdue.unwrap_or(0).cmp(&a.days_overdue.unwrap_or(0)))
            .then_with(|| a.due_date.cmp(&b.due_date))
            .then_with(|| ia.cmp(ib))
    });
    rows
}

/// A warning when the extract looks stale at `as_of`: the newest care_start and the newest
/// completed assessment on or before `as_of` are both more than `data.stale_after_days` before
/// it (hazard H4 in docs/clinical-safety.md). `None` when fresh, when the check is off, or for
/// an empty cohort.
pub fn stale_data(cohort: &crate::model::Cohort, as_of: NaiveDate, policy: &Policy) -> Option<String> {
    StaleData::of(cohort, as_of, policy).map(|s| s.message(false))
}

/// The facts of a stale-data warning: the newest care_start or completed assessment (one
/// child's date), how many days before as_of it is, and the policy's threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaleData {
    pub newest: NaiveDate,
    pub gap_days: i64,
    pub as_of: NaiveDate,
    pub threshold_days: u32,
}

impl StaleData {
    /// The warning's facts when the extract looks stale at `as_of`, else `None`.
    pub fn of(cohort: &crate::model::Cohort, as_of: NaiveDate, policy: &Policy) -> Option<StaleData> {
        let days = policy.data.stale_after_days;
        if days == 0 {
            return None;
        }
        let newest = cohort
            .children
            .iter()
            .flat_map(|c| std::iter::once(c.care_start).chain(c.completed_by(as_of).map(|a| a.completed_on)))
            .filter(|d| *d <= as_of)
            .max()?;
        let gap_days = (as_of - newest).num_days();
        (gap_days > i64::from(days)).then_some(StaleData { newest, gap_days, as_of, threshold_days: days })
    }

    /// The warning in words; `hide_date` masks the newest date, which is one child's
    /// (`--hide-values`).
    pub fn message(&self, hide_date: bool) -> String {
        let newest = if hide_date { crate::privacy::HIDDEN_VALUE.to_string() } else { self.newest.to_string() };
        format!(
            "the newest care_start or completed assessment in the input is {newest}, {} days before {}: is the extract \
             stale? Children who came into care since would be missing (warned after {} days: policy \
             data.stale_after_days)",
            self.gap_days, self.as_of, self.threshold_days
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Assessment, Modality};

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn with(mut c: Child, dates: &[NaiveDate]) -> Child {
        for d in dates {
            c.assessments.push(Assessment {
                completed_on: *d,
                kind: AssessmentType::Rha,
                modality: Modality::FaceToFace,
                outcome: Outcome::Completed,
            });
        }
        c.assessments.sort();
        c
    }

    #[test]
    fn iha_due_twentieth_working_day() {
        let s = Scheduler::new(&Policy::default());
        let c = Child::new("A", ymd(2015, 1, 1), ymd(2021, 12, 20));
        let st = s.child_status(&c, ymd(2022, 1, 5));
        assert_eq!(st.next_assessment, Some(AssessmentType::Iha));
        assert_eq!(st.due_date, Some(ymd(2022, 1, 20)));
        assert_eq!(st.status, Status::DueSoon);
    }

    #[test]
    fn status_boundaries() {
        let s = Scheduler::new(&Policy::default());
        let c = with(Child::new("A", ymd(2010, 1, 1), ymd(2019, 1, 1)), &[ymd(2020, 6, 1)]);
        // Due 2021-06-01.
        assert_eq!(s.child_status(&c, ymd(2021, 6, 1)).status, Status::DueSoon);
        assert_eq!(s.child_status(&c, ymd(2021, 6, 2)).status, Status::Overdue);
        assert_eq!(s.child_status(&c, ymd(2021, 6, 2)).days_overdue, Some(1));
        assert_eq!(s.child_status(&c, ymd(2021, 5, 4)).status, Status::DueSoon); // 28 days
        assert_eq!(s.child_status(&c, ymd(2021, 5, 3)).status, Status::UpToDate);
        // 29 days
    }

    #[test]
    fn declined_offers_change_nothing_but_are_counted() {
        let s = Scheduler::new(&Policy::default());
        let mut c = with(Child::new("A", ymd(2010, 1, 1), ymd(2019, 1, 1)), &[ymd(2020, 6, 1)]);
        let before = s.child_status(&c, ymd(2021, 7, 1));
        c.assessments.push(Assessment {
            completed_on: ymd(2021, 6, 10),
            kind: AssessmentType::Rha,
            modality: Modality::Virtual,
            outcome: Outcome::Declined,
        });
        let after = s.child_status(&c, ymd(2021, 7, 1));
        assert_eq!(after.due_date, before.due_date);
        assert_eq!(after.status, Status::Overdue);
        assert_eq!(after.declined_offers, 1);
    }
}
