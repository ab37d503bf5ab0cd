//! The DfE OC2 table: children looked after continuously for 12 months at the year end, and the
//! health measures over them as the DfE publishes them (docs/interface.md section 4).

use chrono::NaiveDate;

use crate::calendar::{age_on, sub_months};
use crate::policy::{LeapDayBirthday, Policy};
use crate::ssda903::{Child903, Return903};
use crate::suppress::Suppressor;
use crate::table::{ColumnData, Table};

/// Why a child with an episode in the year is not in the cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exclusion {
    /// An episode started with RNE S after the year start and on or before the year end.
    NewEntrant,
    /// An episode ended with a REC other than X1 in the year.
    LeftCare,
    /// An episode with LS V3 or V4 overlapped the year.
    ShortBreaks,
}

/// The first day of the collection year ending on `year_end` (1 April for a 31 March end).
pub fn year_start(year_end: NaiveDate) -> NaiveDate {
    sub_months(year_end, 12).and_then(|d| d.succ_opt()).unwrap_or(year_end)
}

/// Whether the child is in the OC2 cohort for the year ending `year_end`: `None` if no episode
/// overlaps the year; `Some(Ok(()))` if in; `Some(Err(reason))` if excluded.
pub fn cohort_membership(child: &Child903, year_end: NaiveDate) -> Option<Result<(), Exclusion>> {
    let start = year_start(year_end);
    if !child.episodes.iter().any(|e| e.overlaps(start, year_end)) {
        return None;
    }
    for e in &child.episodes {
        if e.rne == "S" && e.decom > start && e.decom <= year_end {
            return Some(Err(Exclusion::NewEntrant));
        }
        if !e.rec.is_empty() && e.rec != "X1" && e.dec.is_some_and(|d| d >= start && d <= year_end) {
            return Some(Err(Exclusion::LeftCare));
        }
        if matches!(e.ls.as_str(), "V3" | "V4") && e.overlaps(start, year_end) {
            return Some(Err(Exclusion::ShortBreaks));
        }
    }
    Some(Ok(()))
}

/// One measure: numerator over denominator; `value` a percentage (or, for `sdq_average`, the
/// mean score; for `cohort`, the count).
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    pub name: &'static str,
    pub numerator: u64,
    pub denominator: Option<u64>,
    pub value: Option<f64>,
}

/// The OC2 measures for the return at `year_end`.
pub fn oc2_measures(ret: &Return903, year_end: NaiveDate) -> Vec<Measure> {
    let cohort: Vec<&Child903> = ret.children.iter().filter(|c| matches!(cohort_membership(c, year_end), Some(Ok(())))).collect();
    let n = cohort.len() as u64;
    let age = |c: &Child903| age_on(c.dob, year_end, LeapDayBirthday::March1);
    let count = |f: &dyn Fn(&Child903) -> bool, over: &[&Child903]| over.iter().filter(|c| f(c)).count() as u64;
    let flag = |get: fn(&crate::ssda903::Oc2Record) -> Option<bool>| move |c: &Child903| c.oc2.as_ref().and_then(get).unwrap_or(false);
    let pct = |num: u64, den: u64| (den > 0).then(|| 100.0 * num as f64 / den as f64);
    let ratio = |name, f: &dyn Fn(&Child903) -> bool, over: &[&Child903]| {
        let num = count(f, over);
        let den = over.len() as u64;
        Measure { name, numerator: num, denominator: Some(den), value: pct(num, den) }
    };
    let under5: Vec<&Child903> = cohort.iter().copied().filter(|c| age(c) < 5).collect();
    let five_to_16: Vec<&Child903> = cohort.iter().copied().filter(|c| (5..=16).contains(&age(c))).collect();
    let scores: Vec<u8> = five_to_16.iter().filter_map(|c| c.oc2.as_ref().and_then(|o| o.sdq_score)).collect();
    let sdq_sum: u64 = scores.iter().map(|s| u64::from(*s)).sum();
    vec![
        Measure { name: "cohort", numerator: n, denominator: None, value: Some(n as f64) },
        ratio("health_assessment", &flag(|o| o.health_assessment), &cohort),
        ratio("immunisations", &flag(|o| o.immunisations), &cohort),
        ratio("teeth_check", &flag(|o| o.teeth_check), &cohort),
        ratio("substance_misuse", &flag(|o| o.substance_misuse), &cohort),
        ratio("health_check_under_5", &flag(|o| o.health_check), &under5),
        Measure {
            name: "sdq_received",
            numerator: scores.len() as u64,
            denominator: Some(five_to_16.len() as u64),
            value: pct(scores.len() as u64, five_to_16.len() as u64),
        },
        Measure {
            name: "sdq_average",
            numerator: sdq_sum,
            denominator: Some(scores.len() as u64),
            value: (!scores.is_empty()).then(|| sdq_sum as f64 / scores.len() as f64),
        },
    ]
}

/// The OC2 table: measure, numerator, denominator, value (one decimal place). With
/// `suppress`, counts from 1 to 5 and anything that would reveal one are shown as the policy's
/// symbol (`c`), and values derived from them too.
pub fn oc2_table(measures: &[Measure], suppress: bool, policy: &Policy) -> Table {
    let s = Suppressor::new(&policy.suppression);
    let mut t = Table::default();
    let mut num = Vec::new();
    let mut den = Vec::new();
    let mut val = Vec::new();
    for m in measures {
        // sdq_average's numerator is a sum of scores, not a count of children: only its
        // denominator is a count.
        let (n, d, v) = if m.name == "cohort" {
            let n = if suppress { s.ratio(m.numerator, None).0 } else { m.numerator.to_string() };
            (Some(n.clone()), None, Some(n))
        } else if !suppress {
            (Some(m.numerator.to_string()), m.denominator.map(|d| d.to_string()), m.value.map(|v| format!("{v:.1}")))
        } else if m.name == "sdq_average" {
            let hidden = m.denominator.is_some_and(|d| s.is_small(d));
            let show = |x: String| if hidden { s.symbol() } else { x };
            (Some(show(m.numerator.to_string())), m.denominator.map(|d| show(d.to_string())), m.value.map(|v| show(format!("{v:.1}"))))
        } else {
            let (n, d) = s.ratio(m.numerator, m.denominator);
            let v = if n == s.symbol() || d.as_deref() == Some(&s.symbol()) {
                m.value.map(|_| s.symbol())
            } else {
                m.value.map(|v| format!("{v:.1}"))
            };
            (Some(n), d, v)
        };
        num.push(n);
        den.push(d);
        val.push(v);
    }
    t.push("measure", ColumnData::Str(measures.iter().map(|m| Some(m.name.to_string())).collect()));
    t.push("numerator", ColumnData::Str(num));
    t.push("denominator", ColumnData::Str(den));
    t.push("value", ColumnData::Str(val));
    t
}
