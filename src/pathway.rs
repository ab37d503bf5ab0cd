//! The pathway, not just the due date (docs/pathway.md): a health assessment is a chain of steps
//! owned by different agencies (the council notifies health and requests the assessment, health
//! books and does it, the report goes back to the social worker), and most lateness happens
//! between steps. From an optional `events` table this lists every action due or late at as_of,
//! who owns it, and the escalations of those long late.

use std::borrow::Cow;

use chrono::NaiveDate;

use crate::calendar::sub_months;
use crate::error::{Error, Result};
use crate::model::{AssessmentType, Child, Cohort, Outcome};
use crate::policy::Policy;
use crate::read::{Cell, Columns, RawTable, RowCheck};
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
}

impl EventKind {
    pub const ALL: [EventKind; 8] = [
        EventKind::Notified,
        EventKind::ConsentReceived,
        EventKind::Requested,
        EventKind::Booked,
        EventKind::WasNotBrought,
        EventKind::Declined,
        EventKind::ReportReturned,
        EventKind::QualityAssured,
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
const REQUIRED: &[&str] = &["child_id", "event", "date"];

/// Read and check an events table against the cohort: every row names a child of the cohort,
/// a known event and a date from 3 months before the child's care_start up to `as_of`;
/// a `booked` with no `requested` before it is a warning. Errors stop the reading
/// ([`Error::Data`]); the events come back sorted by child, date and line.
pub fn read_events(file: &str, bytes: &[u8], cohort: &Cohort, as_of: NaiveDate) -> Result<(Vec<Event>, Vec<Problem>)> {
    let mut problems = Vec::new();
    let table = RawTable::parse(file, bytes, &mut problems);
    let cols = Columns::new(&table, COLUMNS, REQUIRED, &mut problems);
    let mut out: Vec<Event> = Vec::new();
    if !cols.unusable {
        for (line, row) in &table.rows {
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
                }
            }
            if let (true, Some(child), Some(kind), Some(date)) = (chk.ok, child, kind, date) {
                out.push(Event { child, kind, date, line: *line });
            }
        }
    }
    out.sort_by_key(|e| (e.child, e.date, e.line));
    // A booking with no request before it: the booking stands, but the record is odd.
    for (k, e) in out.iter().enumerate() {
        if e.kind == EventKind::Booked && !out[..k].iter().any(|p| p.child == e.child && p.kind == EventKind::Requested) {
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
    /// `rebooking`, `report`, or `escalation`.
    pub step: &'static str,
    pub reason: String,
}

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
    for (i, c) in cohort.children.iter().enumerate() {
        if !crate::kpi::in_scope(&sched, c, as_of) {
            continue;
        }
        let mine: Vec<&Event> = events.iter().filter(|e| e.child == i).collect();
        let since = |kind: EventKind, from: NaiveDate| mine.iter().filter(|e| e.kind == kind && e.date >= from).map(|e| e.date).max();
        let st = sched.child_status(c, as_of);
        let mut push = |action: &'static str, owner: Owner, due_on: NaiveDate, step: &'static str, reason: String| {
            out.push(Action { child: i, action, owner, due_on, days_late: (as_of - due_on).num_days(), step, reason });
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
            let from = last_done.unwrap_or(window);
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
    }
    out.retain(|a| a.days_late >= -ahead_days);
    // Escalations of actions long late: health's to the designated nurse, the council's to the
    // service manager.
    let escalations: Vec<Action> = out
        .iter()
        .filter(|a| a.days_late > i64::from(p.escalate_after_days))
        .map(|a| Action {
            child: a.child,
            action: "escalate",
            owner: if a.owner == Owner::Council { Owner::ServiceManager } else { Owner::DesignatedNurse },
            due_on: a.due_on,
            days_late: a.days_late,
            step: "escalation",
            reason: format!("{} ({}) is {} days late", a.action, a.owner.as_str(), a.days_late),
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
