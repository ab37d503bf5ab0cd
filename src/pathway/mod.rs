//! The pathway, not just the due date (docs/pathway.md): a health assessment is a chain of steps
//! owned by different agencies (the council notifies health and requests the assessment, health
//! books and does it, the report goes back to the social worker), and most lateness happens
//! between steps. From an optional `events` table this lists every action due or late at as_of,
//! who owns it, and the escalations of those long late ([`actions`]), the follow-ups of a child
//! in care (leaving-care health summary, SDQ, CAMHS referral, dental check, immunisations), and
//! how long each step takes and whether it was in time ([`stages`]).

mod stages;
pub use stages::{stage_table, stages, StageRow, Step};

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};

use crate::calendar::sub_months;
use crate::error::{Error, Result};
use crate::model::{AssessmentType, Child, Cohort, Outcome};
use crate::policy::Policy;
use crate::read::{Cell, Columns, CsvRows, RowCheck, RowStream};
use crate::report::{Fact, Problem, ProblemKind, Severity};
use crate::schedule::{Scheduler, Status};
use crate::table::{ColumnData, Role, Table};

/// A step of the pathway that happened, as the `events` table records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventKind {
    /// The council told health the child came into care.
    Notified,
    ConsentReceived,
    /// The council asked health (or the host provider) for the assessment.
    Requested,
    /// An appointment was made: the event's date is the appointment's.
    Booked,
    WasNotBrought,
    Declined,
    /// The assessment's report reached the social worker.
    ReportReturned,
    QualityAssured,
    /// The leaving-care health summary was given to the young person (an addition to the
    /// issue's list: without it the summary could never be closed).
    HealthSummary,
}

impl EventKind {
    pub const ALL: [EventKind; 9] = [
        EventKind::Notified,
        EventKind::ConsentReceived,
        EventKind::Requested,
        EventKind::Booked,
        EventKind::WasNotBrought,
        EventKind::Declined,
        EventKind::ReportReturned,
        EventKind::QualityAssured,
        EventKind::HealthSummary,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Notified => "notified",
            EventKind::ConsentReceived => "consent_received",
            EventKind::Requested => "requested",
            EventKind::Booked => "booked",
            EventKind::WasNotBrought => "was_not_brought",
            EventKind::Declined => "declined",
            EventKind::ReportReturned => "report_returned",
            EventKind::QualityAssured => "quality_assured",
            EventKind::HealthSummary => "health_summary",
        }
    }
}

/// One event of one child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The child's index in the cohort.
    pub child: usize,
    pub kind: EventKind,
    pub date: NaiveDate,
    pub line: u64,
}

const COLUMNS: &[&str] = &["child_id", "event", "date", "assessment_type", "agency", "note"];
/// A booking may be this far after the report date, no further (12 months).
pub const BOOKED_AHEAD_MONTHS: u32 = 12;
const REQUIRED: &[&str] = &["child_id", "event", "date"];

/// Read and check an events CSV against the cohort (see [`read_event_rows`]).
pub fn read_events(file: &str, bytes: &[u8], cohort: &Cohort, as_of: NaiveDate) -> Result<(Vec<Event>, Vec<Problem>)> {
    let mut problems = Vec::new();
    let rows = CsvRows::new(file, bytes, &mut problems);
    read_event_rows(rows, cohort, as_of, problems)
}

/// Read and check an events table (CSV rows or a DataFrame's) against the cohort: every row
/// names a child of the cohort, a known event and a date from 3 months before the child's
/// care_start up to `as_of` (a `booked` may be later: it is the appointment's date); a `booked`
/// with no `requested` before it is a warning. Errors stop the reading ([`Error::Data`]); the
/// events come back sorted by child, date and line.
pub(crate) fn read_event_rows<S: RowStream>(
    mut src: S,
    cohort: &Cohort,
    as_of: NaiveDate,
    mut problems: Vec<Problem>,
) -> Result<(Vec<Event>, Vec<Problem>)> {
    let file = src.file().to_string();
    let file = file.as_str();
    let cols = Columns::of_header(file, src.header(), COLUMNS, REQUIRED, &mut problems);
    let mut out: Vec<Event> = Vec::new();
    if !cols.unusable {
        while let Some(line) = src.advance(&mut problems) {
            let row = src.row();
            let line = &line;
            let mut chk = RowCheck { file, line: *line, cols: &cols, problems: &mut problems, ok: true };
            chk.extra_fields(row);
            let id = chk.required(row, "child_id").map(Cow::into_owned);
            let kind = chk.parse_req(row, "event", |c| {
                let t = c.text();
                let t = t.trim();
                EventKind::ALL.into_iter().find(|k| k.as_str().eq_ignore_ascii_case(t)).ok_or_else(|| {
                    let known: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
                    format!("unknown event (expected one of {})", known.join(", "))
                })
            });
            let date = chk.parse_req(row, "date", Cell::date);
            let child = id.as_deref().and_then(|id| cohort.children.binary_search_by(|c| c.id.as_str().cmp(id)).ok());
            if let (Some(id), None) = (&id, child) {
                chk.error(ProblemKind::UnknownChild, "child_id", id, "no child with this child_id in the cohort");
            }
            if let (Some(i), Some(d)) = (child, date) {
                let c = &cohort.children[i];
                let from = sub_months(c.care_start, 3).unwrap_or(c.care_start);
                let raw = chk.optional(row, "date").unwrap_or_default().to_string();
                if d < from {
                    chk.error(
                        ProblemKind::InvalidValue,
                        "date",
                        &raw,
                        format!("event more than 3 months before care_start ({})", c.care_start),
                    )
                    .add("care_start", Fact::Date(c.care_start));
                } else if d > as_of && kind != Some(EventKind::Booked) {
                    chk.error(ProblemKind::InvalidValue, "date", &raw, format!("event after the report date ({as_of})"))
                        .add("today", Fact::Date(as_of));
                } else if kind == Some(EventKind::Booked) && crate::calendar::add_months(as_of, BOOKED_AHEAD_MONTHS).is_some_and(|l| d > l)
                {
                    // A mistyped year (2201) would hide an overdue child behind its booking.
                    chk.error(
                        ProblemKind::InvalidValue,
                        "date",
                        &raw,
                        format!("a booking more than {BOOKED_AHEAD_MONTHS} months after the report date ({as_of}): a typing error?"),
                    )
                    .add("today", Fact::Date(as_of));
                }
            }
            if let (true, Some(child), Some(kind), Some(date)) = (chk.ok, child, kind, date) {
                out.push(Event { child, kind, date, line: *line });
            }
        }
    }
    out.sort_by_key(|e| (e.child, e.date, e.line));
    // A booking with no request on or before its date: the booking stands, but the record is
    // odd. One pass: the first request of each child's stretch of events.
    let mut first_request: Option<(usize, NaiveDate)> = None;
    for (k, e) in out.iter().enumerate() {
        if k == 0 || out[k - 1].child != e.child {
            first_request =
                out[k..].iter().take_while(|x| x.child == e.child).find(|x| x.kind == EventKind::Requested).map(|x| (x.child, x.date));
        }
        if e.kind == EventKind::Booked && first_request.is_none_or(|(_, d)| d > e.date) {
            problems.push(
                Problem::new(
                    Severity::Warning,
                    ProblemKind::InvalidValue,
                    file,
                    Some(e.line),
                    Some("event"),
                    "booked",
                    "a booking with no request before it: check the request was recorded",
                )
                .with("child_line", Fact::Line(e.line)),
            );
        }
    }
    let (errors, warnings): (Vec<Problem>, Vec<Problem>) = problems.into_iter().partition(Problem::is_error);
    if !errors.is_empty() {
        return Err(Error::Data { errors, warnings });
    }
    Ok((out, warnings))
}

/// Write events as the `events` table's CSV: child_id, event, date.
pub fn write_events_csv<W: std::io::Write>(cohort: &Cohort, events: &[Event], out: W) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["child_id", "event", "date"])?;
    for e in events {
        w.write_record([cohort.children[e.child].id.as_str(), e.kind.as_str(), &e.date.format("%Y-%m-%d").to_string()])?;
    }
    w.flush()
}

/// The events as a table (child_id, event, date), in their order.
pub fn events_table(cohort: &Cohort, events: &[Event]) -> Table {
    let mut t = Table::default();
    t.push_as("child_id", Role::ChildId, ColumnData::Str(events.iter().map(|e| Some(cohort.children[e.child].id.to_string())).collect()));
    t.push("event", ColumnData::Str(events.iter().map(|e| Some(e.kind.as_str().to_string())).collect()));
    t.push("date", ColumnData::Date(events.iter().map(|e| Some(e.date)).collect()));
    t
}

/// Who owns an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Council,
    Health,
    Provider,
    HostProvider,
    DesignatedNurse,
    ServiceManager,
}

impl Owner {
    pub fn as_str(self) -> &'static str {
        match self {
            Owner::Council => "council",
            Owner::Health => "health",
            Owner::Provider => "provider",
            Owner::HostProvider => "host_provider",
            Owner::DesignatedNurse => "designated_nurse",
            Owner::ServiceManager => "service_manager",
        }
    }
}

/// One action due or late.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub child: usize,
    pub action: &'static str,
    pub owner: Owner,
    pub due_on: NaiveDate,
    /// Days after `due_on` (negative: days left).
    pub days_late: i64,
    /// The step of the pathway: `notification`, `iha_request`, `review_request`, `booking`,
    /// `rebooking`, `report`; a follow-up: `health_summary`, `sdq`, `camhs_referral`,
    /// `dental_check`, `immunisations`; or `escalation`.
    pub step: &'static str,
    pub reason: String,
    /// An action listed from this day whatever the look-ahead (the health summary, listed
    /// through the last months before 18); None: listed when due within the look-ahead.
    pub opens_on: Option<NaiveDate>,
}

/// The follow-ups a cohort's data allow: a check whose column holds no value for any child was
/// not given, so it raises no action (every child would be "not recorded") and is named in
/// [`FollowUps::not_checked`] for the output to say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowUps {
    pub sdq: bool,
    pub dental: bool,
    pub immunisations: bool,
    /// Whether any child has `camhs_referral` recorded. Without it the CAMHS check is still
    /// made (an SDQ of concern with no referral noted is what it looks for), and said.
    pub camhs: bool,
}

impl FollowUps {
    pub fn of(cohort: &Cohort) -> FollowUps {
        let any = |f: &dyn Fn(&Child) -> bool| cohort.children.iter().any(f);
        FollowUps {
            sdq: any(&|c| c.sdq_score.is_some()),
            dental: any(&|c| c.last_dental_check.is_some()),
            immunisations: any(&|c| c.immunisations_up_to_date.is_some()),
            camhs: any(&|c| c.camhs_referral.is_some()),
        }
    }

    /// The checks not made, as sentences for the output.
    pub fn not_checked(&self) -> Vec<String> {
        [
            (self.sdq, "no SDQ score in the children table: SDQs due and CAMHS referrals were not checked"),
            (self.dental, "no last_dental_check in the children table: dental checks were not checked"),
            (self.immunisations, "no immunisations_up_to_date in the children table: immunisations were not checked"),
        ]
        .into_iter()
        .filter(|(on, _)| !on)
        .map(|(_, s)| s.to_string())
        .chain(
            (self.sdq && !self.camhs)
                .then(|| "no camhs_referral in the children table: every SDQ of concern is listed for a CAMHS referral check".to_string()),
        )
        .collect()
    }
}

/// The steps whose lateness is escalated only when `pathway.escalate_follow_ups` is on.
const FOLLOW_UP_STEPS: [&str; 2] = ["sdq", "dental_check"];

/// The provider side of a child: the host area's provider for a child placed out of area.
fn provider_owner(c: &Child) -> Owner {
    if c.signals.out_of_area {
        Owner::HostProvider
    } else {
        Owner::Provider
    }
}

/// Every action due by `as_of` + `ahead_days` (or late) for the children in scope at `as_of`,
/// most urgent first (most days late, then due date, then child), with an escalation for each
/// action late by more than the policy's `pathway.escalate_after_days`.
pub fn actions(cohort: &Cohort, events: &[Event], as_of: NaiveDate, ahead_days: i64, policy: &Policy) -> Vec<Action> {
    let sched = Scheduler::new(policy);
    let p = &policy.pathway;
    let wd = |d: NaiveDate, n: u32| sched.calendar.add_working_days(d, n).unwrap_or(d);
    let mut out = Vec::new();
    // The events cover the time from their first date: an assessment before it may have had
    // its report returned unrecorded, so only later ones are followed up.
    let covered_from = events.iter().map(|e| e.date).min();
    let checks = FollowUps::of(cohort);
    let mut start = 0;
    for (i, c) in cohort.children.iter().enumerate() {
        // Events are sorted by child: this child's are one stretch (no scan of all events a child).
        while start < events.len() && events[start].child < i {
            start += 1;
        }
        if !crate::kpi::in_scope(&sched, c, as_of) {
            continue;
        }
        // Events after as_of did not happen yet at as_of (events read at a later date), but for a
        // booking, whose date is the appointment's.
        let mine: Vec<&Event> =
            events[start..].iter().take_while(|e| e.child == i).filter(|e| e.date <= as_of || e.kind == EventKind::Booked).collect();
        let since = |kind: EventKind, from: NaiveDate| mine.iter().filter(|e| e.kind == kind && e.date >= from).map(|e| e.date).max();
        let st = sched.child_status(c, as_of);
        let mut push = |action: &'static str, owner: Owner, due_on: NaiveDate, step: &'static str, reason: String| {
            out.push(Action { child: i, action, owner, due_on, days_late: (as_of - due_on).num_days(), step, reason, opens_on: None });
        };
        let window = sub_months(c.care_start, 3).unwrap_or(c.care_start);
        // Notification, for a child whose IHA is still to come: the council tells health
        // within days of care_start.
        if st.next_assessment == Some(AssessmentType::Iha) && since(EventKind::Notified, window).is_none() {
            let due = wd(c.care_start, p.notify_within_working_days);
            push(
                "notify health that the child came into care",
                Owner::Council,
                due,
                "notification",
                format!("came into care on {}; notify within {} working days", c.care_start, p.notify_within_working_days),
            );
        }
        let last_done =
            c.assessments.iter().filter(|a| a.outcome == Outcome::Completed && a.completed_on <= as_of).map(|a| a.completed_on).max();
        if let (Status::Overdue | Status::DueSoon | Status::UpToDate, Some(kind), Some(due)) = (st.status, st.next_assessment, st.due_date)
        {
            // A request or booking on the day of the last assessment was for that one: the next
            // is asked for from the day after.
            let from = last_done.and_then(|d| d.succ_opt()).unwrap_or(window);
            let requested = since(EventKind::Requested, from);
            let (request_due, step, action) = if kind == AssessmentType::Iha {
                (wd(c.care_start, p.iha_request_within_working_days), "iha_request", "request the initial health assessment")
            } else {
                let weeks = if c.signals.out_of_area { p.review_request_weeks_before_out_of_area } else { p.review_request_weeks_before };
                (due - chrono::Days::new(7 * u64::from(weeks)), "review_request", "request the review health assessment")
            };
            match requested {
                None => push(action, Owner::Council, request_due, step, format!("{} due on {due}", kind.as_str())),
                Some(asked) => {
                    let booked = since(EventKind::Booked, asked);
                    let missed = since(EventKind::WasNotBrought, asked);
                    match (booked, missed) {
                        (_, Some(m)) if booked.is_none_or(|b| b <= m) => push(
                            "rebook after the child was not brought",
                            provider_owner(c),
                            wd(m, p.rebook_within_working_days),
                            "rebooking",
                            format!("not brought on {m}; {} due on {due}", kind.as_str()),
                        ),
                        (None, _) => push(
                            "book the assessment",
                            provider_owner(c),
                            due,
                            "booking",
                            format!("requested on {asked}; {} due on {due}", kind.as_str()),
                        ),
                        (Some(b), _) if b < as_of && st.status == Status::Overdue => push(
                            "record the assessment, or rebook",
                            provider_owner(c),
                            b,
                            "booking",
                            format!("booked for {b}; no assessment recorded since"),
                        ),
                        // A booking after the due date leaves the child overdue until then.
                        (Some(b), _) if b > due => push(
                            "bring the appointment forward",
                            provider_owner(c),
                            due,
                            "booking",
                            format!("booked for {b}, after the {} due on {due}", kind.as_str()),
                        ),
                        _ => {}
                    }
                }
            }
        }
        // The report of the latest assessment back to the social worker.
        if let Some(done) = last_done.filter(|d| *d >= window && covered_from.is_some_and(|f| *d >= f)) {
            if since(EventKind::ReportReturned, done).is_none() {
                push(
                    "return the report to the social worker",
                    provider_owner(c),
                    wd(done, p.report_within_working_days),
                    "report",
                    format!("assessment on {done}; report within {} working days", p.report_within_working_days),
                );
            }
        }
        out.extend(follow_ups(&sched, c, i, &mine, as_of, checks));
    }
    out.retain(|a| a.days_late >= -ahead_days || a.opens_on.is_some_and(|o| o <= as_of));
    // Escalations of actions long late: health's to the designated nurse, the council's to the
    // service manager.
    let escalations: Vec<Action> = out
        .iter()
        .filter(|a| a.days_late > i64::from(p.escalate_after_days))
        .filter(|a| p.escalate_follow_ups || !FOLLOW_UP_STEPS.contains(&a.step))
        .map(|a| Action {
            child: a.child,
            action: "escalate",
            owner: if a.owner == Owner::Council { Owner::ServiceManager } else { Owner::DesignatedNurse },
            due_on: a.due_on,
            days_late: a.days_late,
            step: "escalation",
            reason: format!("{} ({}) is {} days late", a.action, owner_words(a.owner), a.days_late),
            opens_on: None,
        })
        .collect();
    out.extend(escalations);
    out.sort_by(|a, b| {
        b.days_late
            .cmp(&a.days_late)
            .then(a.due_on.cmp(&b.due_on))
            .then(cohort.children[a.child].id.cmp(&cohort.children[b.child].id))
            .then((a.step == "escalation").cmp(&(b.step == "escalation")))
            .then(a.step.cmp(b.step))
    });
    out
}

/// The follow-ups of one child in scope at `as_of` (docs/pathway.md): the leaving-care health
/// summary, an SDQ due, a CAMHS referral after a high SDQ, a dental check, immunisations. Each
/// check runs only when the cohort's data hold its column ([`FollowUps`]).
fn follow_ups(sched: &Scheduler, c: &Child, i: usize, mine: &[&Event], as_of: NaiveDate, checks: FollowUps) -> Vec<Action> {
    let policy = &sched.policy;
    let p = &policy.pathway;
    let leap = policy.schedule.leap_day_birthday;
    let age = crate::calendar::age_on(c.date_of_birth, as_of, leap);
    let mut out = Vec::new();
    let mut push = |action: &'static str, owner: Owner, due_on: NaiveDate, step: &'static str, reason: String, opens_on| {
        out.push(Action { child: i, action, owner, due_on, days_late: (as_of - due_on).num_days(), step, reason, opens_on });
    };
    let health = provider_owner(c);
    // The leaving-care health summary: given in the last months before 18 (the child leaves
    // care on the 18th birthday), due by the end of the month before the birthday's month, so
    // that it can be late while the young person is still in care, and its date does not give
    // the birthday away in a pseudonymised file (the reason's date is reduced to its month).
    if let Some(eighteen) = sched.leaves_care_on(c) {
        let opens = sub_months(eighteen, p.health_summary_months_before_18).unwrap_or(eighteen);
        let given = mine.iter().any(|e| e.kind == EventKind::HealthSummary && e.date >= opens && e.date <= as_of);
        if as_of >= opens && !given {
            let due = eighteen.with_day(1).and_then(|d| d.pred_opt()).unwrap_or(eighteen).max(opens);
            push(
                "give the leaving-care health summary",
                health,
                due,
                "health_summary",
                format!(
                    "leaves care at the 18th birthday ({eighteen}); the summary is given in the last {} months in care",
                    p.health_summary_months_before_18
                ),
                Some(opens),
            );
        }
    }
    if checks.sdq && (p.sdq_from_age..=p.sdq_to_age).contains(&age) {
        // No SDQ, or one with no date (not known to be recent), is due from the later of the
        // child's first SDQ age and the IHA's due date; a dated one a period after it.
        let first_due = crate::calendar::anniversary(c.date_of_birth, p.sdq_from_age, leap)
            .unwrap_or(c.date_of_birth)
            .max(sched.iha_due(c.care_start).unwrap_or(c.care_start));
        let (due, why) = match (c.sdq_score, c.sdq_date) {
            (Some(_), Some(d)) => (crate::calendar::add_months(d, p.sdq_every_months).unwrap_or(d), format!("last SDQ on {d}")),
            (Some(_), None) => (first_due, "the SDQ score has no date: not known to be recent".to_string()),
            (None, _) => (first_due, "no SDQ recorded".to_string()),
        };
        push(
            "complete an SDQ",
            Owner::Council,
            due,
            "sdq",
            format!("{why}; an SDQ every {} months from age {}", p.sdq_every_months, p.sdq_from_age),
            None,
        );
    }
    let concern = policy.triage.sdq_concern_from;
    if let (true, Some(score)) = (checks.sdq, c.sdq_score.filter(|s| *s >= concern)) {
        if c.camhs_referral != Some(true) {
            let from = c.sdq_date.unwrap_or(as_of);
            let due = sched.calendar.add_working_days(from, p.camhs_referral_within_working_days).unwrap_or(from);
            push(
                "check a CAMHS referral is made",
                health,
                due,
                "camhs_referral",
                format!("SDQ {score} (cause for concern from {concern}); no CAMHS referral noted"),
                None,
            );
        }
    }
    if checks.dental && age >= p.dental_from_age {
        let from = crate::calendar::anniversary(c.date_of_birth, p.dental_from_age, leap).unwrap_or(c.date_of_birth);
        let (due, why) = match c.last_dental_check {
            Some(d) => (crate::calendar::add_months(d, p.dental_check_every_months).unwrap_or(d), format!("last dental check on {d}")),
            None => (from.max(sched.iha_due(c.care_start).unwrap_or(c.care_start)), "no dental check recorded".to_string()),
        };
        push(
            "arrange a dental check",
            Owner::Council,
            due,
            "dental_check",
            format!("{why}; a check every {} months", p.dental_check_every_months),
            None,
        );
    }
    if checks.immunisations && c.immunisations_up_to_date != Some(true) {
        let (action, why) = match c.immunisations_up_to_date {
            Some(false) => ("arrange catch-up immunisations", "immunisations not up to date"),
            _ => ("record whether immunisations are up to date", "immunisations not recorded"),
        };
        push(action, health, as_of, "immunisations", why.to_string(), None);
    }
    out
}

/// The young people who turned 18 in the 12 months to `as_of` while in care (not on short
/// breaks) with an assessment overdue the day before: the children a backlog failed for good.
pub fn turned_18_overdue(cohort: &Cohort, as_of: NaiveDate, policy: &Policy) -> Vec<usize> {
    let sched = Scheduler::new(policy);
    turned_18_in_year(&sched, cohort, as_of)
        .filter(|(_, c, _, last_day)| sched.child_status(c, *last_day).status == Status::Overdue)
        .map(|(i, ..)| i)
        .collect()
}

/// The children who turned 18 in the 12 months to `as_of` while in care (not on short breaks):
/// (index, child, 18th birthday, the last day in care).
fn turned_18_in_year<'a>(
    sched: &'a Scheduler,
    cohort: &'a Cohort,
    as_of: NaiveDate,
) -> impl Iterator<Item = (usize, &'a Child, NaiveDate, NaiveDate)> + 'a {
    let from = sub_months(as_of, 12).unwrap_or(as_of);
    cohort.children.iter().enumerate().filter_map(move |(i, c)| {
        let eighteen = sched.leaves_care_on(c)?;
        let last_day = eighteen.pred_opt()?;
        (eighteen > from && eighteen <= as_of && crate::kpi::in_scope(sched, c, last_day)).then_some((i, c, eighteen, last_day))
    })
}

/// The young people who turned 18 in the 12 months to `as_of` while in care, whose summary
/// window opened on or after the events' first date (so a summary would be recorded), with no
/// `health_summary` event in it: those who left care without their health summary.
pub fn left_without_summary(cohort: &Cohort, events: &[Event], as_of: NaiveDate, policy: &Policy) -> Vec<usize> {
    let Some(covered_from) = events.iter().map(|e| e.date).min() else { return Vec::new() };
    let sched = Scheduler::new(policy);
    let months = policy.pathway.health_summary_months_before_18;
    turned_18_in_year(&sched, cohort, as_of)
        .filter(|(i, _, eighteen, last_day)| {
            let opens = sub_months(*eighteen, months).unwrap_or(*eighteen);
            let mine = events[events.partition_point(|e| e.child < *i)..].iter().take_while(|e| e.child == *i);
            opens >= covered_from && !mine.filter(|e| e.kind == EventKind::HealthSummary).any(|e| e.date >= opens && e.date <= *last_day)
        })
        .map(|(i, ..)| i)
        .collect()
}

/// The actions table: child_id, action, owner, provider, due_on, days_late, step, reason.
pub fn actions_table(cohort: &Cohort, actions: &[Action]) -> Table {
    let mut t = Table::default();
    let child = |a: &Action| &cohort.children[a.child];
    t.push_as("child_id", Role::ChildId, ColumnData::Str(actions.iter().map(|a| Some(child(a).id.to_string())).collect()));
    t.push("action", ColumnData::Str(actions.iter().map(|a| Some(a.action.to_string())).collect()));
    t.push("owner", ColumnData::Str(actions.iter().map(|a| Some(a.owner.as_str().to_string())).collect()));
    // The provider responsible, as the children table names it (blank when not recorded).
    t.push("provider", ColumnData::Str(actions.iter().map(|a| child(a).provider.as_deref().map(str::to_string)).collect()));
    t.push("due_on", ColumnData::Date(actions.iter().map(|a| Some(a.due_on)).collect()));
    t.push("days_late", ColumnData::Int(actions.iter().map(|a| Some(a.days_late)).collect()));
    t.push("step", ColumnData::Str(actions.iter().map(|a| Some(a.step.to_string())).collect()));
    t.push_as("reason", Role::Text, ColumnData::Str(actions.iter().map(|a| Some(a.reason.clone())).collect()));
    t
}

/// Where an action stands in a provider team's weekly file: its own actions late or due, and
/// what it waits on from others (the council's steps for its children).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    Overdue,
    Due,
    WaitingOnOthers,
}

impl Section {
    pub const ALL: [Section; 3] = [Section::Overdue, Section::Due, Section::WaitingOnOthers];

    pub fn as_str(self) -> &'static str {
        match self {
            Section::Overdue => "overdue",
            Section::Due => "due",
            Section::WaitingOnOthers => "waiting_on_others",
        }
    }

    /// The section's sheet title in a team's workbook.
    pub fn title(self, weeks: u32) -> String {
        match self {
            Section::Overdue => "Overdue".to_string(),
            Section::Due => format!("Due in the next {weeks} weeks"),
            Section::WaitingOnOthers => "Waiting on others".to_string(),
        }
    }

    /// The section of an action in its provider team's file: the council's (and its service
    /// manager's) actions are what the team waits on; the rest are the team's own (health's,
    /// and escalations of them to the designated nurse).
    pub fn of(a: &Action) -> Section {
        match a.owner {
            Owner::Council | Owner::ServiceManager => Section::WaitingOnOthers,
            _ if a.days_late > 0 => Section::Overdue,
            _ => Section::Due,
        }
    }
}

/// An owner in words, for people.
pub fn owner_words(o: Owner) -> &'static str {
    match o {
        Owner::Council => "Council (social worker)",
        Owner::Health => "Health",
        Owner::Provider => "Provider (health team)",
        Owner::HostProvider => "Host area's provider",
        Owner::DesignatedNurse => "Designated nurse",
        Owner::ServiceManager => "Council service manager",
    }
}

/// A step in words, for people.
pub fn step_words(step: &str) -> &'static str {
    match step {
        "notification" => "Notification",
        "iha_request" => "IHA request",
        "review_request" => "Review request",
        "booking" => "Booking",
        "rebooking" => "Rebooking",
        "report" => "Report back",
        "health_summary" => "Leaving-care health summary",
        "sdq" => "SDQ",
        "camhs_referral" => "CAMHS referral",
        "dental_check" => "Dental check",
        "immunisations" => "Immunisations",
        "escalation" => "Escalation",
        _ => "",
    }
}

/// The actions of one provider's children (`None`: children with no provider recorded), in the
/// list's order.
fn of_provider<'a>(cohort: &'a Cohort, actions: &'a [Action], provider: Option<&'a str>) -> impl Iterator<Item = &'a Action> + 'a {
    actions.iter().filter(move |a| cohort.children[a.child].provider.as_deref() == provider)
}

/// A provider team's file as CSV codes: the actions table's columns for its children, each
/// with its `section` (overdue, due, waiting_on_others), sections in that order.
pub fn team_table(cohort: &Cohort, actions: &[Action], provider: Option<&str>) -> Table {
    let mut mine: Vec<Action> = of_provider(cohort, actions, provider).cloned().collect();
    // A stable sort keeps the list's urgency order within each section.
    mine.sort_by_key(Section::of);
    let mut t = actions_table(cohort, &mine);
    t.push("section", ColumnData::Str(mine.iter().map(|a| Some(Section::of(a).as_str().to_string())).collect()));
    t
}

/// The columns of a team's workbook sheet, in order.
pub const TEAM_COLUMNS: [&str; 10] =
    ["Child ID", "Date of birth", "Action", "Who acts", "Due on", "Days late", "Step", "Why", "Done on", "Notes"];

/// A provider team's workbook, one sheet a section (title, table in words: child, date of
/// birth, action, who acts, due on, days late, step, why, and empty `Done on` and `Notes`
/// columns to work in). Python writes it with UK dates and an About sheet.
pub fn team_sheets(cohort: &Cohort, actions: &[Action], provider: Option<&str>, weeks: u32) -> Vec<(String, Table)> {
    Section::ALL
        .iter()
        .map(|s| {
            let rows: Vec<&Action> = of_provider(cohort, actions, provider).filter(|a| Section::of(a) == *s).collect();
            let kid = |a: &Action| &cohort.children[a.child];
            let text = |f: &dyn Fn(&Action) -> Option<String>| ColumnData::Str(rows.iter().map(|a| f(a)).collect());
            let mut t = Table::default();
            let [id, dob, action, who, due, late, step, why, done, notes] = TEAM_COLUMNS;
            t.push_as(id, Role::ChildId, text(&|a| Some(kid(a).id.to_string())));
            t.push_as(dob, Role::DateOfBirth, ColumnData::Date(rows.iter().map(|a| Some(kid(a).date_of_birth)).collect()));
            t.push(action, text(&|a| Some(a.action.to_string())));
            t.push(who, text(&|a| Some(owner_words(a.owner).to_string())));
            t.push(due, ColumnData::Date(rows.iter().map(|a| Some(a.due_on)).collect()));
            t.push(late, ColumnData::Int(rows.iter().map(|a| Some(a.days_late.max(0))).collect()));
            t.push(step, text(&|a| Some(step_words(a.step).to_string())));
            t.push_as(why, Role::Text, text(&|a| Some(uk_dates(&a.reason))));
            t.push(done, ColumnData::Date(vec![None; rows.len()]));
            t.push(notes, text(&|_| None));
            (s.title(weeks), t)
        })
        .collect()
}

/// Text with each ISO date (`2021-10-01`) written the UK way (`01/10/2021`), for people.
pub fn uk_dates(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        let iso = b.len() - i >= 10
            && b[i..i + 10].iter().enumerate().all(|(k, c)| if k == 4 || k == 7 { *c == b'-' } else { c.is_ascii_digit() })
            && !b.get(i + 10).is_some_and(u8::is_ascii_digit)
            && (i == 0 || !b[i - 1].is_ascii_digit());
        if iso {
            out.push_str(&format!("{}/{}/{}", &s[i + 8..i + 10], &s[i + 5..i + 7], &s[i..i + 4]));
            i += 10;
        } else {
            // Copy one whole character (the text may hold more than ASCII).
            let ch = s[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// The providers the cohort's children name, sorted, with `None` (not recorded) last when a
/// child has none: every team gets its file each week, an empty one when it has nothing to do
/// (so last week's list is never left standing).
pub fn providers(cohort: &Cohort) -> Vec<Option<String>> {
    let mut named: Vec<String> = cohort.children.iter().filter_map(|c| c.provider.as_deref().map(str::to_string)).collect();
    named.sort();
    named.dedup();
    let mut out: Vec<Option<String>> = named.into_iter().map(Some).collect();
    if cohort.children.iter().any(|c| c.provider.is_none()) {
        out.push(None);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uk_dates_in_words() {
        assert_eq!(uk_dates("not brought on 2021-08-20; IHA due on 2021-10-29"), "not brought on 20/08/2021; IHA due on 29/10/2021");
        assert_eq!(uk_dates("id 12021-08-201 and é 2021-01-02"), "id 12021-08-201 and é 02/01/2021");
        assert_eq!(uk_dates(""), "");
    }

    #[test]
    fn sections_of_a_team_file() {
        let a = |owner, days_late| Action {
            child: 0,
            action: "x",
            owner,
            due_on: NaiveDate::MIN,
            days_late,
            step: "booking",
            reason: String::new(),
            opens_on: None,
        };
        assert_eq!(Section::of(&a(Owner::Provider, 3)), Section::Overdue);
        assert_eq!(Section::of(&a(Owner::HostProvider, 0)), Section::Due);
        assert_eq!(Section::of(&a(Owner::DesignatedNurse, 40)), Section::Overdue);
        assert_eq!(Section::of(&a(Owner::Council, 40)), Section::WaitingOnOthers);
        assert_eq!(Section::of(&a(Owner::ServiceManager, -3)), Section::WaitingOnOthers);
    }
}
