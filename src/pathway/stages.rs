//! Where the time goes (docs/pathway.md, "Stage indicators"): for each step of the pathway whose
//! deadline fell in the 12 months to as_of, whether it was done in time and how long it took,
//! by the agency that owns it and (asked for) the provider, so that a board can see whether
//! lateness sits with the council or with health.

use chrono::NaiveDate;

use super::{Event, EventKind};
use crate::calendar::sub_months;
use crate::kpi::provider_group;
use crate::model::{AssessmentType, Child, Cohort};
use crate::policy::Policy;
use crate::schedule::Scheduler;
use crate::suppress::{Protect, Suppressor};
use crate::table::{ColumnData, Table};

/// A step measured by the stage indicators, in the pathway's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// The council notified health: due `notify_within_working_days` after care_start.
    Notification,
    /// The council requested the IHA: due `iha_request_within_working_days` after care_start.
    IhaRequest,
    /// The council requested a review: due `review_request_weeks_before` its due date.
    ReviewRequest,
    /// Health assessed the child after the request: due on the assessment's due date.
    Assessment,
    /// Health returned the report: due `report_within_working_days` after the assessment.
    Report,
}

impl Step {
    pub const ALL: [Step; 5] = [Step::Notification, Step::IhaRequest, Step::ReviewRequest, Step::Assessment, Step::Report];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Notification => "notification",
            Step::IhaRequest => "iha_request",
            Step::ReviewRequest => "review_request",
            Step::Assessment => "assessment",
            Step::Report => "report",
        }
    }

    /// The indicator the step reports under (the two requests share `requested_in_time`).
    pub fn indicator(self) -> &'static str {
        match self {
            Step::Notification => "notified_in_time",
            Step::IhaRequest | Step::ReviewRequest => "requested_in_time",
            Step::Assessment => "assessed_in_time",
            Step::Report => "report_returned_in_time",
        }
    }

    /// Who owns the step.
    pub fn agency(self) -> &'static str {
        match self {
            Step::Notification | Step::IhaRequest | Step::ReviewRequest => "council",
            Step::Assessment | Step::Report => "health",
        }
    }

    /// What `median_days` counts for the step.
    pub fn measured(self) -> &'static str {
        match self {
            Step::Notification | Step::IhaRequest => "days from care_start",
            Step::ReviewRequest => "days before the due date",
            Step::Assessment => "days from the request",
            Step::Report => "days from the assessment",
        }
    }
}

/// One step of one child: done in time or not, and its length in days when done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    step: Step,
    in_time: bool,
    days: Option<i64>,
}

/// The counts of one step for one group (`all`, or a provider).
#[derive(Debug, Clone, PartialEq)]
pub struct StageRow {
    pub step: Step,
    pub group: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// Steps whose deadline fell in the period.
    pub denominator: u64,
    /// ... done by the deadline.
    pub numerator: u64,
    /// ... done at all by the period end (late or not): what the median is over.
    pub done: u64,
    /// The median length of the done steps (`Step::measured`), None with none done.
    pub median_days: Option<f64>,
}

impl StageRow {
    pub fn value(&self) -> Option<f64> {
        (self.denominator > 0).then(|| 100.0 * self.numerator as f64 / self.denominator as f64)
    }
}

/// The steps of one child whose deadline fell in `(from, as_of]` and on or after `covered_from`
/// (the first date of the events table: before it, a step's event may simply not be recorded).
fn child_steps(sched: &Scheduler, c: &Child, mine: &[&Event], from: NaiveDate, as_of: NaiveDate, covered_from: NaiveDate) -> Vec<Seen> {
    let p = &sched.policy.pathway;
    let wd = |d: NaiveDate, n: u32| sched.calendar.add_working_days(d, n).unwrap_or(d);
    let counts = |deadline: NaiveDate| deadline > from && deadline <= as_of && deadline >= covered_from;
    let first = |kind: EventKind, lo: NaiveDate, hi: NaiveDate| {
        mine.iter().filter(|e| e.kind == kind && e.date >= lo && e.date <= hi && e.date <= as_of).map(|e| e.date).min()
    };
    let mut out = Vec::new();
    let mut seen = |step: Step, deadline: NaiveDate, done: Option<NaiveDate>, days: Option<i64>| {
        out.push(Seen { step, in_time: done.is_some_and(|d| d <= deadline), days });
    };
    let window = sub_months(c.care_start, 3).unwrap_or(c.care_start);
    let completed: Vec<crate::model::Assessment> = c.completed_by(as_of).cloned().collect();
    // Entering care: notify health (every placement) and request the IHA (unless an assessment
    // before care_start answers it).
    if c.care_start >= covered_from {
        let deadline = wd(c.care_start, p.notify_within_working_days);
        if counts(deadline) {
            let done = first(EventKind::Notified, window, as_of);
            seen(Step::Notification, deadline, done, done.map(|d| (d - c.care_start).num_days()));
        }
        let before: Vec<crate::model::Assessment> = completed.iter().filter(|a| a.completed_on <= c.care_start).cloned().collect();
        let deadline = wd(c.care_start, p.iha_request_within_working_days);
        if sched.next_due(c, &before).0 == AssessmentType::Iha && counts(deadline) {
            let done = first(EventKind::Requested, window, as_of);
            seen(Step::IhaRequest, deadline, done, done.map(|d| (d - c.care_start).num_days()));
        }
    }
    // Each review: requested the policy's weeks before its due date, unless the review was done
    // before the request was due.
    let eighteen = sched.leaves_care_on(c);
    for k in 0..completed.len() {
        let last = completed[k].completed_on;
        if last < window {
            continue;
        }
        let (kind, due, _) = sched.next_due(c, &completed[..=k]);
        let Some(due) = due.filter(|d| kind == AssessmentType::Rha && eighteen.is_none_or(|e| *d < e)) else { continue };
        let weeks = if c.signals.out_of_area { p.review_request_weeks_before_out_of_area } else { p.review_request_weeks_before };
        let deadline = due - chrono::Days::new(7 * u64::from(weeks));
        let next_done = completed.get(k + 1).map(|a| a.completed_on);
        if !counts(deadline) || next_done.is_some_and(|n| n <= deadline) || !crate::kpi::in_scope(sched, c, deadline) {
            continue;
        }
        let done = first(EventKind::Requested, last.succ_opt().unwrap_or(last), due);
        seen(Step::ReviewRequest, deadline, done, done.map(|d| (due - d).num_days()));
    }
    // Each request answered by an assessment by the due date it was made for (a second request
    // for the same due date is the same step).
    let mut due_dates: Vec<NaiveDate> = Vec::new();
    for r in mine.iter().filter(|e| e.kind == EventKind::Requested && e.date >= covered_from && e.date <= as_of) {
        let st = sched.child_status(c, r.date.pred_opt().unwrap_or(r.date));
        // A request made after the due date is not counted: the assessment was already late,
        // and that lateness is the council's (the request step), not health's.
        let Some(due) = st.due_date.filter(|d| *d > from && *d <= as_of && *d >= r.date) else { continue };
        if due_dates.contains(&due) {
            continue;
        }
        due_dates.push(due);
        let done = completed.iter().map(|a| a.completed_on).find(|d| *d >= r.date);
        seen(Step::Assessment, due, done, done.map(|d| (d - r.date).num_days()));
    }
    // Each assessment's report back to the social worker.
    for a in completed.iter().filter(|a| a.completed_on >= window && a.completed_on >= covered_from) {
        let deadline = wd(a.completed_on, p.report_within_working_days);
        if counts(deadline) {
            let done = first(EventKind::ReportReturned, a.completed_on, as_of);
            seen(Step::Report, deadline, done, done.map(|d| (d - a.completed_on).num_days()));
        }
    }
    out
}

/// The median of some day counts (the mean of the middle two for an even number).
fn median(mut v: Vec<i64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] as f64 } else { (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0 })
}

/// The stage indicators at `as_of` over the 12 months to it: one row a step for `all`, and with
/// `by_provider` one a step for each provider (`not recorded` for children without one). Steps
/// due before the events' first date are left out (their events may not have been recorded).
/// Empty with no events.
pub fn stages(cohort: &Cohort, events: &[Event], as_of: NaiveDate, by_provider: bool, policy: &Policy) -> Vec<StageRow> {
    let Some(covered_from) = events.iter().map(|e| e.date).min() else { return Vec::new() };
    let sched = Scheduler::new(policy);
    let from = sub_months(as_of, 12).unwrap_or(as_of);
    let mut groups: Vec<String> = vec!["all".to_string()];
    if by_provider {
        let mut g: Vec<String> = cohort.children.iter().map(|c| provider_group(c).to_string()).collect();
        g.sort();
        g.dedup();
        groups.extend(g);
    }
    // (denominator, numerator, days) per group and step.
    let mut acc: Vec<Vec<(u64, u64, Vec<i64>)>> = vec![vec![(0, 0, Vec::new()); Step::ALL.len()]; groups.len()];
    let mut start = 0;
    for (i, c) in cohort.children.iter().enumerate() {
        if c.legal_status.as_deref().is_some_and(|ls| policy.is_short_break(ls)) {
            continue;
        }
        // Events are sorted by child: this child's are one stretch.
        while start < events.len() && events[start].child < i {
            start += 1;
        }
        let mine: Vec<&Event> = events[start..].iter().take_while(|e| e.child == i).collect();
        let gi = groups.iter().position(|g| g == provider_group(c)).filter(|_| by_provider);
        for s in child_steps(&sched, c, &mine, from, as_of, covered_from) {
            let k = Step::ALL.iter().position(|x| *x == s.step).unwrap_or(0);
            for g in [Some(0), gi].into_iter().flatten() {
                let cell = &mut acc[g][k];
                cell.0 += 1;
                cell.1 += u64::from(s.in_time);
                cell.2.extend(s.days);
            }
        }
    }
    let mut rows = Vec::new();
    for (k, step) in Step::ALL.iter().enumerate() {
        for (g, name) in groups.iter().enumerate() {
            let (den, num, days) = std::mem::take(&mut acc[g][k]);
            rows.push(StageRow {
                step: *step,
                group: name.clone(),
                period_start: from.succ_opt().unwrap_or(from),
                period_end: as_of,
                denominator: den,
                numerator: num,
                done: days.len() as u64,
                median_days: median(days),
            });
        }
    }
    rows
}

/// Which cells to hide for sharing: per step, a count from the suppression range, anything
/// worked out from a row (denominator minus numerator or minus done) or from the providers'
/// rows adding up to `all`. Returns (numerator, denominator, done) hidden.
fn suppression(rows: &[StageRow], policy: &Policy) -> Vec<[bool; 3]> {
    let s = Suppressor::new(&policy.suppression);
    let mut hidden = vec![[false; 3]; rows.len()];
    for step in Step::ALL {
        let idx: Vec<usize> = (0..rows.len()).filter(|i| rows[*i].step == step).collect();
        let mut b = Protect::default();
        let cells: Vec<[usize; 3]> =
            idx.iter().map(|i| [b.cell(rows[*i].numerator), b.cell(rows[*i].denominator), b.cell(rows[*i].done)]).collect();
        for [n, d, done] in &cells {
            b.guarded.push((vec![(*d, 1), (*n, -1)], *n));
            b.guarded.push((vec![(*d, 1), (*done, -1)], *done));
            b.guarded.push((vec![(*done, 1), (*n, -1)], *n));
        }
        if let Some(all) = idx.iter().position(|i| rows[*i].group == "all") {
            let parts: Vec<usize> = (0..idx.len()).filter(|k| *k != all).collect();
            if !parts.is_empty() {
                for (c, total) in cells[all].iter().enumerate() {
                    b.sums.push((parts.iter().map(|k| cells[*k][c]).collect(), *total));
                }
            }
        }
        b.run(&s);
        for (k, i) in idx.iter().enumerate() {
            hidden[*i] = cells[k].map(|c| b.hidden[c]);
        }
    }
    hidden
}

/// The stage table: indicator, step, agency, period_start, period_end, [group], numerator,
/// denominator, value_pct, done, median_days, measured. With `suppress`, counts that could
/// identify a child are hidden (CSV shows the policy's symbol) with the value and median they
/// would give away.
pub fn stage_table(rows: &[StageRow], by_provider: bool, suppress: bool, policy: &Policy) -> Table {
    let hidden = if suppress { suppression(rows, policy) } else { vec![[false; 3]; rows.len()] };
    let sym = policy.suppression.symbol.clone();
    let text = |f: &dyn Fn(&StageRow) -> String| ColumnData::Str(rows.iter().map(|r| Some(f(r))).collect());
    let mut t = Table::default();
    t.push("indicator", text(&|r| r.step.indicator().to_string()));
    t.push("step", text(&|r| r.step.as_str().to_string()));
    t.push("agency", text(&|r| r.step.agency().to_string()));
    t.push("period_start", ColumnData::Date(rows.iter().map(|r| Some(r.period_start)).collect()));
    t.push("period_end", ColumnData::Date(rows.iter().map(|r| Some(r.period_end)).collect()));
    if by_provider {
        t.push("group", text(&|r| r.group.clone()));
    }
    let count = |c: usize, v: &dyn Fn(&StageRow) -> u64| -> (ColumnData, Vec<bool>) {
        let h: Vec<bool> = hidden.iter().map(|x| x[c]).collect();
        (ColumnData::Int(rows.iter().zip(&h).map(|(r, h)| (!h).then_some(v(r) as i64)).collect()), h)
    };
    let value_hidden: Vec<bool> = hidden.iter().map(|h| h[0] || h[1]).collect();
    let median_hidden: Vec<bool> = hidden.iter().map(|h| h[2]).collect();
    let values = ColumnData::Float(rows.iter().zip(&value_hidden).map(|(r, h)| if *h { None } else { r.value() }).collect());
    let medians = ColumnData::Float(rows.iter().zip(&median_hidden).map(|(r, h)| if *h { None } else { r.median_days }).collect());
    let (num, num_h) = count(0, &|r| r.numerator);
    let (den, den_h) = count(1, &|r| r.denominator);
    let (done, done_h) = count(2, &|r| r.done);
    if suppress {
        t.push_suppressed("numerator", num, num_h, &sym);
        t.push_suppressed("denominator", den, den_h, &sym);
        t.push_suppressed("value_pct", values, value_hidden, &sym);
        t.push_suppressed("done", done, done_h, &sym);
        t.push_suppressed("median_days", medians, median_hidden, &sym);
    } else {
        t.push("numerator", num);
        t.push("denominator", den);
        t.push("value_pct", values);
        t.push("done", done);
        t.push("median_days", medians);
    }
    t.push("measured", text(&|r| r.step.measured().to_string()));
    t
}
