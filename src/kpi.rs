//! Performance indicators at a period end, month by month, with RAG, trend, forecast and safe
//! aggregates (docs/interface.md section 4, `kpi`; docs/kpi.md).

use chrono::{Datelike, NaiveDate};

use crate::calendar::{add_months, sub_months};
use crate::model::{Assessment, Child, Cohort};
use crate::policy::Policy;
use crate::schedule::{AgeBand, Scheduler, Status};
use crate::suppress::{Protect, Suppressor};
use crate::table::{ColumnData, Table};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Indicator {
    UpToDate,
    Oc2AnnualHa,
    AllInTimescale,
    IhaInTimescale,
}

impl Indicator {
    pub const ALL: [Indicator; 4] = [Indicator::UpToDate, Indicator::Oc2AnnualHa, Indicator::AllInTimescale, Indicator::IhaInTimescale];
    pub fn as_str(self) -> &'static str {
        match self {
            Indicator::UpToDate => "up_to_date",
            Indicator::Oc2AnnualHa => "oc2_annual_ha",
            Indicator::AllInTimescale => "all_in_timescale",
            Indicator::IhaInTimescale => "iha_in_timescale",
        }
    }
}

/// Which children are left out of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Exclusion {
    None,
    Uasc,
    Missing,
}

impl Exclusion {
    pub const ALL: [Exclusion; 3] = [Exclusion::None, Exclusion::Uasc, Exclusion::Missing];
    pub fn as_str(self) -> &'static str {
        match self {
            Exclusion::None => "none",
            Exclusion::Uasc => "uasc",
            Exclusion::Missing => "missing",
        }
    }
    fn excludes(self, c: &Child) -> bool {
        match self {
            Exclusion::None => false,
            Exclusion::Uasc => c.uasc,
            Exclusion::Missing => c.missing,
        }
    }
}

/// Breakdown of the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    None,
    AgeBand,
    Locality,
    /// The health provider responsible (`provider`; `not recorded` when blank).
    Provider,
}

impl std::str::FromStr for GroupBy {
    type Err = String;

    /// `age_band`, `locality` or `provider` (a blank or `none`: no breakdown).
    fn from_str(s: &str) -> Result<GroupBy, String> {
        match s {
            "" | "none" => Ok(GroupBy::None),
            "age_band" => Ok(GroupBy::AgeBand),
            "locality" => Ok(GroupBy::Locality),
            "provider" => Ok(GroupBy::Provider),
            other => Err(format!("by must be 'age_band', 'locality' or 'provider', not {other:?}")),
        }
    }
}

/// What a KPI report is asked for: the indicators at `as_of`, or at each of the last
/// `months` month ends; a breakdown; suppression for sharing; a forecast of `forecast` month
/// ends if nobody else is seen (0: none).
#[derive(Debug, Clone, PartialEq)]
pub struct KpiRequest {
    pub as_of: NaiveDate,
    pub months: Option<u32>,
    pub by: GroupBy,
    pub suppress: bool,
    pub forecast: u32,
}

/// A KPI report: the indicators, their direction of travel and the forecast (when asked for).
#[derive(Debug, Clone, PartialEq)]
pub struct KpiReport {
    pub indicators: Table,
    pub trend: Table,
    pub forecast: Option<Table>,
    /// Warnings about what the figures can be trusted for ([`leavers_warning`]).
    pub warnings: Vec<String>,
}

/// A warning for a series of month ends when no child in the input left care during it (no
/// care_end from the day after the month before the first period end up to the last): an
/// extract of the children in care today lacks those who have since left, so past months
/// count only the children still here (a 17-year-old band a year back looks 100% up to date).
pub fn leavers_warning(cohort: &Cohort, period_ends: &[NaiveDate]) -> Option<String> {
    let (first, last) = (*period_ends.first()?, *period_ends.last()?);
    if period_ends.len() < 2 {
        return None;
    }
    // The last day of the month before the first period end (its month end, not the same day).
    let from = sub_months(first, 1).map(month_end).unwrap_or(first);
    let any_leaver = cohort.children.iter().any(|c| c.care_end.is_some_and(|e| e > from && e <= last));
    (!any_leaver).then(|| {
        format!(
            "no child in the input left care between {} and {}: past months need the children who have since left \
             (an extract of today's children makes earlier months look better than they were)",
            from.succ_opt().unwrap_or(from).format("%d/%m/%Y"),
            last.format("%d/%m/%Y")
        )
    })
}

/// The KPI report a request asks for (the `kpi` command and `lb.kpis`).
pub fn report(cohort: &Cohort, request: &KpiRequest, policy: &Policy) -> KpiReport {
    let ends = match request.months {
        Some(n) => month_ends(request.as_of, n),
        None => vec![request.as_of],
    };
    let rows = compute(cohort, &ends, request.by, policy);
    KpiReport {
        warnings: leavers_warning(cohort, &ends).into_iter().collect(),
        indicators: kpi_table(&rows, request.by, request.suppress, policy),
        trend: trend_table(&rows, request.suppress, policy),
        forecast: (request.forecast > 0).then(|| {
            let rows = forecast(cohort, request.as_of, request.forecast, policy);
            kpi_table(&rows, GroupBy::None, request.suppress, policy)
        }),
    }
}

/// Where one child stands on the four indicators at a period end: (in the denominator,
/// counted in the numerator) for each, in `Indicator::ALL` order.
pub type ChildKpi = [(bool, bool); 4];

/// In scope at E (docs/interface.md section 3): in care, not short breaks, under 18.
pub fn in_scope(sched: &Scheduler, c: &Child, e: NaiveDate) -> bool {
    let under_18 = sched.leaves_care_on(c).is_some_and(|b| e < b);
    c.care_start <= e
        && c.care_end.is_none_or(|end| end > e)
        && !c.legal_status.as_deref().is_some_and(|ls| sched.policy.is_short_break(ls))
        && under_18
}

/// Kent's indicator for one child: (has an assessment due on or before E, every assessment due
/// in the 12 months to E was done by its due date and none is overdue at E). Due dates are
/// replayed from the actual completion dates within the current period of care. A child exempt
/// from the IHA (assessed before care_start) owes no IHA: its first due date is the review
/// after the exempting assessment, so with nothing yet due it is not in the indicator.
pub fn all_in_timescale(sched: &Scheduler, c: &Child, e: NaiveDate, overdue_now: bool) -> (bool, bool) {
    // The completed assessments of this period of care, from the one that answers the IHA on
    // (records before it that do not answer it, such as a questionnaire, set no due date).
    let first = c.completed_by(e).position(|a| sched.answers_iha(c, a));
    let done: Vec<Assessment> = match first {
        Some(i) => c.completed_by(e).skip(i).cloned().collect(),
        None => Vec::new(),
    };
    // An exempting assessment answers no due date: the due dates start after it.
    let exempt = done.first().is_some_and(|a| a.completed_on < c.care_start);
    let birthday = sched.leaves_care_on(c).unwrap_or(NaiveDate::MAX);
    let year_ago = sub_months(e, 12).unwrap_or(e);
    let (mut has_due, mut ok) = (false, true);
    for j in usize::from(exempt)..=done.len() {
        let (_, due, _) = sched.next_due(c, &done[..j]);
        let Some(due) = due.filter(|d| *d < birthday && *d <= e) else { break };
        has_due = true;
        if due > year_ago && done.get(j).is_none_or(|a| a.completed_on > due) {
            ok = false;
        }
    }
    (has_due, ok && !overdue_now)
}

/// The first day of the DfE's 12-month cohort for a period end E: a child in care at E who
/// was in care on this day (the day after E minus 12 months) had been looked after for 12
/// months at E (for E = 31 March, children who came into care on 1 April of the year before
/// count, as in the 903 cohort rule).
pub fn oc2_cohort_start(e: NaiveDate) -> NaiveDate {
    sub_months(e, 12).and_then(|d| d.succ_opt()).unwrap_or(e)
}

/// IHA timeliness for one child at E: (the child came into care in the 12 months to E and its
/// IHA fell due on or before E while it was in care, not on short breaks, under 18 and not
/// exempt; the IHA was done by its due date). Judged on the due date, so an entrant who missed
/// the IHA and then left care still counts (as missed); one who left care before the due date
/// owed none.
pub fn iha_in_timescale(sched: &Scheduler, c: &Child, e: NaiveDate) -> (bool, bool) {
    let year_ago = sub_months(e, 12).unwrap_or(e);
    if c.care_start <= year_ago || c.care_start > e || c.legal_status.as_deref().is_some_and(|ls| sched.policy.is_short_break(ls)) {
        return (false, false);
    }
    let Some(due) = sched.iha_due(c.care_start).filter(|d| *d <= e) else { return (false, false) };
    let in_care_on_due = c.care_end.is_none_or(|end| end > due) && sched.leaves_care_on(c).is_some_and(|b| due < b);
    let exempt = c.completed_by(e).any(|a| a.completed_on < c.care_start && sched.answers_iha(c, a));
    if !in_care_on_due || exempt {
        return (false, false);
    }
    let iha = c.completed_by(e).find(|a| a.completed_on >= c.care_start && sched.answers_iha(c, a)).map(|a| a.completed_on);
    (true, iha.is_some_and(|d| d <= due))
}

/// The four indicators for one child at E. `iha_in_timescale` is judged at the IHA's due date
/// (the child may have left care since); the other three need the child in scope at E.
pub fn child_kpi(sched: &Scheduler, c: &Child, e: NaiveDate) -> ChildKpi {
    let mut out = [(false, false); 4];
    out[3] = iha_in_timescale(sched, c, e);
    if !in_scope(sched, c, e) {
        return out;
    }
    let overdue = sched.child_status(c, e).status == Status::Overdue;
    out[0] = (true, !overdue);
    let year_ago = sub_months(e, 12).unwrap_or(e);
    if c.care_start <= oc2_cohort_start(e) {
        out[1] = (true, c.completed_by(e).any(|a| a.completed_on > year_ago));
    }
    out[2] = all_in_timescale(sched, c, e, overdue);
    out
}

/// One row of counts.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiRow {
    pub indicator: Indicator,
    pub period_end: NaiveDate,
    pub exclusion: Exclusion,
    pub group: String,
    pub numerator: u64,
    pub denominator: u64,
}

impl KpiRow {
    /// The unrounded percentage, `None` when the denominator is 0.
    pub fn value(&self) -> Option<f64> {
        (self.denominator > 0).then(|| 100.0 * self.numerator as f64 / self.denominator as f64)
    }
}

/// The last day of `d`'s month.
pub fn month_end(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year(), d.month(), 1).and_then(|f| add_months(f, 1)).and_then(|n| n.pred_opt()).unwrap_or(d)
}

/// The last `n` month ends on or before `as_of`, oldest first.
pub fn month_ends(as_of: NaiveDate, n: u32) -> Vec<NaiveDate> {
    let last = if month_end(as_of) == as_of { as_of } else { month_end(sub_months(as_of, 1).unwrap_or(as_of)) };
    (0..n).rev().filter_map(|k| sub_months(last, k).map(month_end)).collect()
}

/// A child's provider group: its provider, or "not recorded" when blank.
pub(crate) fn provider_group(c: &Child) -> &str {
    c.provider.as_deref().unwrap_or("not recorded")
}

/// A child's locality group: its locality, or "unknown" when blank.
fn locality_group(c: &Child) -> &str {
    c.locality.as_deref().unwrap_or("unknown")
}

fn group_of(by: GroupBy, sched: &Scheduler, c: &Child, e: NaiveDate) -> Option<String> {
    match by {
        GroupBy::None => None,
        GroupBy::AgeBand => {
            let s = &sched.policy.schedule;
            Some(sched.age_band(crate::calendar::age_on(c.date_of_birth, e, s.leap_day_birthday)).as_str().to_string())
        }
        GroupBy::Locality => Some(locality_group(c).to_string()),
        GroupBy::Provider => Some(provider_group(c).to_string()),
    }
}

/// Counts for every indicator, exclusion and group at each period end.
pub fn compute(cohort: &Cohort, period_ends: &[NaiveDate], by: GroupBy, policy: &Policy) -> Vec<KpiRow> {
    let sched = Scheduler::new(policy);
    let mut groups: Vec<String> = match by {
        GroupBy::None => vec![],
        GroupBy::AgeBand => AgeBand::ALL.iter().map(|b| b.as_str().to_string()).collect(),
        GroupBy::Locality | GroupBy::Provider => {
            let name = if by == GroupBy::Locality { locality_group } else { provider_group };
            let mut g: Vec<String> = cohort.children.iter().map(|c| name(c).to_string()).collect();
            g.sort();
            g.dedup();
            g
        }
    };
    groups.insert(0, "all".to_string());
    let mut rows = Vec::new();
    for &e in period_ends {
        // counts[indicator][exclusion][group] = (num, den)
        let mut counts = vec![[[(0u64, 0u64); 3]; 4]; groups.len()];
        for c in &cohort.children {
            let k = child_kpi(&sched, c, e);
            let gi = group_of(by, &sched, c, e).and_then(|g| groups.iter().position(|x| *x == g));
            for (xi, x) in Exclusion::ALL.iter().enumerate() {
                if x.excludes(c) {
                    continue;
                }
                for (ii, (den, num)) in k.iter().enumerate() {
                    if *den {
                        for g in [Some(0), gi].into_iter().flatten() {
                            let cell = &mut counts[g][ii][xi];
                            cell.1 += 1;
                            cell.0 += u64::from(*num);
                        }
                    }
                }
            }
        }
        for (ii, ind) in Indicator::ALL.iter().enumerate() {
            for (xi, x) in Exclusion::ALL.iter().enumerate() {
                for (g, name) in groups.iter().enumerate() {
                    let (numerator, denominator) = counts[g][ii][xi];
                    rows.push(KpiRow { indicator: *ind, period_end: e, exclusion: *x, group: name.clone(), numerator, denominator });
                }
            }
        }
    }
    rows
}

/// RAG on the unrounded value: green at or better than target, amber at or better than floor.
pub fn rag(value: f64, target: f64, floor: f64, higher_is_better: bool) -> &'static str {
    let better_or_equal = |a: f64, b: f64| if higher_is_better { a >= b } else { a <= b };
    if better_or_equal(value, target) {
        "green"
    } else if better_or_equal(value, floor) {
        "amber"
    } else {
        "red"
    }
}

/// Which cells of the rows to hide for publication, by the policy's suppression rule applied
/// per period over every relation between the rows (groups add up to `all`; a denominator minus
/// its numerator; a headline count minus the same without UASC or missing children; the
/// up_to_date denominator minus a nested one). Returns (numerator hidden, denominator hidden).
pub fn suppression(rows: &[KpiRow], policy: &Policy) -> Vec<(bool, bool)> {
    let s = Suppressor::new(&policy.suppression);
    let mut hidden = vec![(false, false); rows.len()];
    let mut periods: Vec<NaiveDate> = rows.iter().map(|r| r.period_end).collect();
    periods.dedup();
    for e in periods {
        let idx: Vec<usize> = (0..rows.len()).filter(|i| rows[*i].period_end == e).collect();
        let mut b = Protect::default();
        // cell ids: row i -> (num, den)
        let cells: Vec<(usize, usize)> = idx.iter().map(|i| (b.cell(rows[*i].numerator), b.cell(rows[*i].denominator))).collect();
        let find = |ind: Indicator, x: Exclusion, g: &str| {
            idx.iter().position(|i| rows[*i].indicator == ind && rows[*i].exclusion == x && rows[*i].group == g)
        };
        for (k, i) in idx.iter().enumerate() {
            let r = &rows[*i];
            let (n, d) = cells[k];
            b.guarded.push((vec![(d, 1), (n, -1)], n));
            if r.exclusion != Exclusion::None {
                if let Some(h) = find(r.indicator, Exclusion::None, &r.group) {
                    let (hn, hd) = cells[h];
                    b.guarded.push((vec![(hn, 1), (n, -1)], n));
                    b.guarded.push((vec![(hd, 1), (d, -1)], d));
                    b.guarded.push((vec![(hd, 1), (hn, -1), (d, -1), (n, 1)], n));
                }
            }
            if r.indicator != Indicator::UpToDate {
                if let Some(u) = find(Indicator::UpToDate, r.exclusion, &r.group) {
                    b.guarded.push((vec![(cells[u].1, 1), (d, -1)], d));
                }
            }
            if r.group == "all" {
                let parts: Vec<usize> = (0..idx.len())
                    .filter(|k2| {
                        let o = &rows[idx[*k2]];
                        o.group != "all" && o.indicator == r.indicator && o.exclusion == r.exclusion
                    })
                    .collect();
                if !parts.is_empty() {
                    b.sums.push((parts.iter().map(|k2| cells[*k2].0).collect(), n));
                    b.sums.push((parts.iter().map(|k2| cells[*k2].1).collect(), d));
                }
            }
        }
        b.run(&s);
        for (k, i) in idx.iter().enumerate() {
            hidden[*i] = (b.hidden[cells[k].0], b.hidden[cells[k].1]);
        }
    }
    hidden
}

/// The `kpi` table: indicator, period_end, exclusion, [group], numerator, denominator,
/// value_pct, target_pct, floor_pct, rag.
pub fn kpi_table(rows: &[KpiRow], by: GroupBy, suppress: bool, policy: &Policy) -> Table {
    let hidden = if suppress { suppression(rows, policy) } else { vec![(false, false); rows.len()] };
    let sym = policy.suppression.symbol.clone();
    let mut t = Table::default();
    t.push("indicator", ColumnData::Str(rows.iter().map(|r| Some(r.indicator.as_str().to_string())).collect()));
    t.push("period_end", ColumnData::Date(rows.iter().map(|r| Some(r.period_end)).collect()));
    t.push("exclusion", ColumnData::Str(rows.iter().map(|r| Some(r.exclusion.as_str().to_string())).collect()));
    if by != GroupBy::None {
        t.push("group", ColumnData::Str(rows.iter().map(|r| Some(r.group.clone())).collect()));
    }
    let shown = |i: usize| !hidden[i].0 && !hidden[i].1;
    if suppress {
        // Numbers stay numbers (blank where hidden) so data frames keep their types; CSV shows
        // the symbol in their place.
        let num_hidden: Vec<bool> = hidden.iter().map(|h| h.0).collect();
        let den_hidden: Vec<bool> = hidden.iter().map(|h| h.1).collect();
        let value_hidden: Vec<bool> = (0..rows.len()).map(|i| !shown(i)).collect();
        let count = |v: u64, h: bool| (!h).then_some(v as i64);
        let nums = rows.iter().zip(&num_hidden).map(|(r, h)| count(r.numerator, *h)).collect();
        t.push_suppressed("numerator", ColumnData::Int(nums), num_hidden, &sym);
        let dens = rows.iter().zip(&den_hidden).map(|(r, h)| count(r.denominator, *h)).collect();
        t.push_suppressed("denominator", ColumnData::Int(dens), den_hidden, &sym);
        let values = rows.iter().enumerate().map(|(i, r)| if shown(i) { r.value() } else { None }).collect();
        t.push_suppressed("value_pct", ColumnData::Float(values), value_hidden, &sym);
    } else {
        t.push("numerator", ColumnData::Int(rows.iter().map(|r| Some(r.numerator as i64)).collect()));
        t.push("denominator", ColumnData::Int(rows.iter().map(|r| Some(r.denominator as i64)).collect()));
        t.push("value_pct", ColumnData::Float(rows.iter().map(KpiRow::value).collect()));
    }
    let rag_of = |r: &KpiRow| policy.kpi.rag_for(r.indicator.as_str());
    t.push("target_pct", ColumnData::Float(rows.iter().map(|r| Some(rag_of(r).0)).collect()));
    t.push("floor_pct", ColumnData::Float(rows.iter().map(|r| Some(rag_of(r).1)).collect()));
    t.push(
        "rag",
        ColumnData::Str(
            rows.iter()
                .enumerate()
                .map(|(i, r)| {
                    let (target, floor, higher) = rag_of(r);
                    if suppress && !shown(i) {
                        return Some(sym.clone());
                    }
                    r.value().map(|v| rag(v, target, floor, higher).to_string())
                })
                .collect(),
        ),
    );
    if suppress {
        let flag = |i: usize| Some(if shown(i) { "no" } else { "yes" }.to_string());
        t.push_frame_only("suppressed", ColumnData::Str((0..rows.len()).map(flag).collect()));
    }
    t
}

/// The least-squares slope of the values over months 0, 1, 2, ... (percentage points a month).
pub fn slope(values: &[f64]) -> Option<f64> {
    let n = values.len() as f64;
    if values.len() < 2 {
        return None;
    }
    let mx = (n - 1.0) / 2.0;
    let my = values.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, y) in values.iter().enumerate() {
        let dx = i as f64 - mx;
        sxy += dx * (y - my);
        sxx += dx * dx;
    }
    Some(sxy / sxx)
}

/// The direction of travel of each series (indicator, exclusion, group): indicator, exclusion,
/// group, months, first_period_end, last_period_end, first_pct, last_pct,
/// slope_pct_per_month, direction (improving, worsening or stable). With `suppress`, only the
/// values published are used.
pub fn trend_table(rows: &[KpiRow], suppress: bool, policy: &Policy) -> Table {
    let hidden = if suppress { suppression(rows, policy) } else { vec![(false, false); rows.len()] };
    let mut keys: Vec<(Indicator, Exclusion, String)> = rows.iter().map(|r| (r.indicator, r.exclusion, r.group.clone())).collect();
    keys.sort();
    keys.dedup();
    let mut cols: (Vec<_>, Vec<_>, Vec<_>, Vec<_>, Vec<_>, Vec<_>, Vec<_>, Vec<_>, Vec<_>, Vec<_>) = Default::default();
    for (ind, x, g) in keys {
        let series: Vec<(NaiveDate, f64)> = rows
            .iter()
            .enumerate()
            .filter(|(i, r)| r.indicator == ind && r.exclusion == x && r.group == g && !hidden[*i].0 && !hidden[*i].1)
            .filter_map(|(_, r)| r.value().map(|v| (r.period_end, v)))
            .collect();
        let values: Vec<f64> = series.iter().map(|p| p.1).collect();
        let sl = slope(&values);
        let (_, _, higher) = policy.kpi.rag_for(ind.as_str());
        let direction = sl.map(|s| {
            if s.abs() < policy.kpi.trend_stable_pp_per_month {
                "stable"
            } else if (s > 0.0) == higher {
                "improving"
            } else {
                "worsening"
            }
        });
        cols.0.push(Some(ind.as_str().to_string()));
        cols.1.push(Some(x.as_str().to_string()));
        cols.2.push(Some(g));
        cols.3.push(Some(series.len() as i64));
        cols.4.push(series.first().map(|p| p.0));
        cols.5.push(series.last().map(|p| p.0));
        cols.6.push(series.first().map(|p| p.1));
        cols.7.push(series.last().map(|p| p.1));
        cols.8.push(sl);
        cols.9.push(direction.map(str::to_string));
    }
    let mut t = Table::default();
    t.push("indicator", ColumnData::Str(cols.0));
    t.push("exclusion", ColumnData::Str(cols.1));
    t.push("group", ColumnData::Str(cols.2));
    t.push("months", ColumnData::Int(cols.3));
    t.push("first_period_end", ColumnData::Date(cols.4));
    t.push("last_period_end", ColumnData::Date(cols.5));
    t.push("first_pct", ColumnData::Float(cols.6));
    t.push("last_pct", ColumnData::Float(cols.7));
    t.push("slope_pct_per_month", ColumnData::Float(cols.8));
    t.push("direction", ColumnData::Str(cols.9));
    t
}

/// The `up_to_date` indicator at each of the next `months` month ends if nobody else is seen:
/// only assessments done on or before `as_of` count, children age, turn 18 and leave care on
/// their recorded dates, and no new child arrives.
pub fn forecast(cohort: &Cohort, as_of: NaiveDate, months: u32, policy: &Policy) -> Vec<KpiRow> {
    let sched = Scheduler::new(policy);
    let frozen: Vec<Child> = cohort
        .children
        .iter()
        .map(|c| {
            let mut c = c.clone();
            c.assessments.retain(|a| a.completed_on <= as_of);
            c
        })
        .collect();
    let first = month_end(as_of);
    let ends: Vec<NaiveDate> = (1..=months).filter_map(|k| add_months(first, k).map(month_end)).collect();
    let mut rows = Vec::new();
    for e in ends {
        for x in Exclusion::ALL {
            let (mut num, mut den) = (0, 0);
            for c in frozen.iter().filter(|c| !x.excludes(c)) {
                if in_scope(&sched, c, e) {
                    den += 1;
                    num += u64::from(sched.child_status(c, e).status != Status::Overdue);
                }
            }
            rows.push(KpiRow {
                indicator: Indicator::UpToDate,
                period_end: e,
                exclusion: x,
                group: "all".into(),
                numerator: num,
                denominator: den,
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn month_ends_before_as_of() {
        assert_eq!(month_ends(ymd(2021, 10, 21), 3), [ymd(2021, 7, 31), ymd(2021, 8, 31), ymd(2021, 9, 30)]);
        assert_eq!(month_ends(ymd(2021, 9, 30), 2), [ymd(2021, 8, 31), ymd(2021, 9, 30)]);
        assert_eq!(month_ends(ymd(2024, 3, 15), 2), [ymd(2024, 1, 31), ymd(2024, 2, 29)]);
    }

    #[test]
    fn rag_bands_on_unrounded_values() {
        assert_eq!(rag(90.0, 90.0, 85.0, true), "green");
        assert_eq!(rag(89.99, 90.0, 85.0, true), "amber");
        assert_eq!(rag(85.0, 90.0, 85.0, true), "amber");
        assert_eq!(rag(84.96, 90.0, 85.0, true), "red"); // shows as 85.0 but is red
        assert_eq!(rag(4.0, 5.0, 10.0, false), "green");
        assert_eq!(rag(7.0, 5.0, 10.0, false), "amber");
        assert_eq!(rag(11.0, 5.0, 10.0, false), "red");
    }

    #[test]
    fn least_squares_slope() {
        assert_eq!(slope(&[80.0, 82.0, 84.0]), Some(2.0));
        assert_eq!(slope(&[50.0]), None);
        // Kent, May-Aug 2017: x mean 1.5, y mean 84.475, sum dx*dy -2.55, sum dx^2 5.
        assert!((slope(&[86.1, 83.8, 83.5, 84.5]).unwrap() - (-0.51)).abs() < 1e-9);
    }
}
