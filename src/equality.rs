//! The equality impact (docs/equality.md): whether the backlog, or the triage, falls harder on
//! children of one sex, ethnic group, age band, with a disability, or unaccompanied. A council's
//! corporate parenting board has the public sector equality duty (Equality Act 2010 s.149) and
//! its papers carry an equality impact assessment; this gives it the figures.
//!
//! For each characteristic and group, over the children in scope at as_of: how many, the share
//! overdue, the median days overdue (of those overdue), the share in the two most urgent tiers
//! and the share of those listed recommended face to face. Groups under the policy's
//! `equality.min_group_size` are not shown; a group differing from the rest by more than
//! `equality.difference_pp` percentage points is named in a sentence with the numbers.

use chrono::NaiveDate;

use crate::calendar::age_on;
use crate::model::{Child, Cohort, Modality, NeedSignal};
use crate::policy::Policy;
use crate::read::ETHNIC_CODES;
use crate::schedule::{Scheduler, Status};
use crate::table::{ColumnData, Table};
use crate::workbook::age_band_words;

/// The characteristics, in the order the table lists them.
pub const CHARACTERISTICS: [&str; 5] = ["sex", "ethnicity", "age_band", "disability", "uasc"];

/// One child as the equality impact sees them.
struct Seen {
    groups: [String; 5],
    overdue: bool,
    days_overdue: i64,
    urgent: bool,
    listed: bool,
    face_to_face: bool,
}

fn group_of(c: &Child, characteristic: usize, band: &str) -> String {
    let yes_no = |b: Option<bool>| match b {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Not recorded",
    };
    match characteristic {
        0 => match c.sex.as_deref() {
            Some("1") => "Male",
            Some("2") => "Female",
            _ => "Not recorded",
        }
        .to_string(),
        1 => c
            .ethnicity
            .as_deref()
            .and_then(|e| ETHNIC_CODES.iter().find(|(code, _)| *code == e).map(|(_, g)| *g))
            .unwrap_or("Not recorded")
            .to_string(),
        2 => age_band_words(band).to_string(),
        3 => yes_no(c.signals.get(NeedSignal::Disability)).to_string(),
        _ => if c.uasc { "Yes" } else { "No" }.to_string(),
    }
}

/// One group's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupFigures {
    pub characteristic: &'static str,
    pub group: String,
    pub children: u64,
    pub overdue: u64,
    pub median_days_overdue: Option<i64>,
    pub urgent: u64,
    pub listed: u64,
    pub face_to_face: u64,
}

impl GroupFigures {
    fn pct(n: u64, d: u64) -> Option<f64> {
        (d > 0).then(|| 100.0 * n as f64 / d as f64)
    }
    pub fn overdue_pct(&self) -> Option<f64> {
        Self::pct(self.overdue, self.children)
    }
    pub fn urgent_pct(&self) -> Option<f64> {
        Self::pct(self.urgent, self.children)
    }
    pub fn face_to_face_pct(&self) -> Option<f64> {
        Self::pct(self.face_to_face, self.listed)
    }
}

/// The figures for every characteristic and group present (groups in a fixed order within a
/// characteristic: by name, "Not recorded" last).
pub fn figures(cohort: &Cohort, as_of: NaiveDate, policy: &Policy) -> Vec<GroupFigures> {
    let sched = Scheduler::new(policy);
    let wl = crate::triage::triage(cohort, as_of, policy, &[]);
    let mut by_child: Vec<Option<&crate::triage::WorklistRow>> = vec![None; cohort.children.len()];
    for r in &wl.rows {
        if let Some(slot) = by_child.get_mut(r.child) {
            *slot = Some(r);
        }
    }
    let urgent_tiers = 2.min(policy.triage.tiers.len());
    let seen: Vec<Seen> = cohort
        .children
        .iter()
        .enumerate()
        .filter(|(_, c)| crate::kpi::in_scope(&sched, c, as_of))
        .map(|(i, c)| {
            let st = sched.child_status(c, as_of);
            let band = sched.age_band(age_on(c.date_of_birth, as_of, policy.schedule.leap_day_birthday));
            let row = by_child[i];
            Seen {
                groups: std::array::from_fn(|k| group_of(c, k, band.as_str())),
                overdue: st.status == Status::Overdue,
                days_overdue: st.days_overdue.unwrap_or(0),
                urgent: row.is_some_and(|r| r.tier < urgent_tiers),
                listed: row.is_some(),
                face_to_face: row.is_some_and(|r| r.modality == Modality::FaceToFace),
            }
        })
        .collect();
    let mut out = Vec::new();
    for (k, name) in CHARACTERISTICS.iter().enumerate() {
        let mut groups: Vec<&str> = seen.iter().map(|s| s.groups[k].as_str()).collect();
        groups.sort_by_key(|g| (*g == "Not recorded", *g));
        groups.dedup();
        for g in groups {
            let mine: Vec<&Seen> = seen.iter().filter(|s| s.groups[k] == g).collect();
            let mut days: Vec<i64> = mine.iter().filter(|s| s.overdue).map(|s| s.days_overdue).collect();
            days.sort_unstable();
            let median = (!days.is_empty()).then(|| {
                let m = days.len() / 2;
                if days.len() % 2 == 1 {
                    days[m]
                } else {
                    (days[m - 1] + days[m]) / 2
                }
            });
            out.push(GroupFigures {
                characteristic: name,
                group: g.to_string(),
                children: mine.len() as u64,
                overdue: mine.iter().filter(|s| s.overdue).count() as u64,
                median_days_overdue: median,
                urgent: mine.iter().filter(|s| s.urgent).count() as u64,
                listed: mine.iter().filter(|s| s.listed).count() as u64,
                face_to_face: mine.iter().filter(|s| s.face_to_face).count() as u64,
            });
        }
    }
    out
}

/// What to say of a group that differs from the rest of its characteristic by more than the
/// policy's `difference_pp` (both it and the rest at least `min_group_size` children): one
/// sentence a measure, with the numbers.
pub fn notes(all: &[GroupFigures], g: &GroupFigures, policy: &Policy) -> Vec<String> {
    let p = &policy.equality;
    let rest: Vec<&GroupFigures> = all.iter().filter(|x| x.characteristic == g.characteristic && x.group != g.group).collect();
    let sum = |f: &dyn Fn(&GroupFigures) -> u64| rest.iter().map(|x| f(x)).sum::<u64>();
    let (rest_children, rest_listed) = (sum(&|x| x.children), sum(&|x| x.listed));
    let min = u64::from(p.min_group_size);
    if g.children < min || rest_children < min {
        return Vec::new();
    }
    let who = match g.characteristic {
        "sex" | "ethnicity" | "age_band" => format!("{} children", g.group),
        "disability" => format!("Children with a disability recorded as {}", g.group.to_lowercase()),
        _ => format!("Children whose UASC flag is {}", g.group.to_lowercase()),
    };
    let mut out = Vec::new();
    let mut say = |what: &str, n: u64, d: u64, rn: u64, rd: u64| {
        if d < min || rd < min {
            return;
        }
        let (a, b) = (100.0 * n as f64 / d as f64, 100.0 * rn as f64 / rd as f64);
        // No count is quoted: a count, or the rest's total, could give away a small group.
        let small = |x: u64| policy.suppression.min_count <= x && x <= policy.suppression.max_count;
        if (a - b).abs() > p.difference_pp && !small(n) && !small(rn) {
            out.push(format!(
                "{who}: {a:.0}% {what} against {b:.0}% of the other children, a difference of {:.0} percentage points",
                (a - b).abs()
            ));
        }
    };
    say("overdue", g.overdue, g.children, sum(&|x| x.overdue), rest_children);
    say("in the two most urgent tiers", g.urgent, g.children, sum(&|x| x.urgent), rest_children);
    say("of those listed recommended face to face", g.face_to_face, g.listed, sum(&|x| x.face_to_face), rest_listed);
    out
}

/// The equality table: characteristic, group, children, overdue_pct, median_days_overdue,
/// urgent_pct, face_to_face_pct, suppressed (`yes` for a group under the minimum size, whose
/// figures are blank), note (the sentences of [`notes`], joined by " | ").
pub fn equality_table(cohort: &Cohort, as_of: NaiveDate, policy: &Policy) -> Table {
    let all = figures(cohort, as_of, policy);
    let min = u64::from(policy.equality.min_group_size);
    // Groups under the minimum are hidden; when a characteristic would hide exactly one group,
    // the smallest other is hidden too, so the hidden one cannot be worked out from the rest
    // (the groups of a characteristic add up to the same children as any other's).
    let mut hidden: Vec<bool> = all.iter().map(|g| g.children < min).collect();
    for name in CHARACTERISTICS {
        let idx: Vec<usize> = (0..all.len()).filter(|i| all[*i].characteristic == name).collect();
        if idx.len() > 1 && idx.iter().filter(|i| hidden[**i]).count() == 1 {
            if let Some(&j) = idx.iter().filter(|i| !hidden[**i]).min_by_key(|i| (all[**i].children, **i)) {
                hidden[j] = true;
            }
        }
    }
    let shown = |g: &GroupFigures| !hidden[all.iter().position(|x| std::ptr::eq(x, g)).unwrap_or(0)];
    // A share whose count is small (1 to 5 by default) would give the count away: blank.
    let small = |x: u64| policy.suppression.min_count <= x && x <= policy.suppression.max_count;
    let share = |v: Option<f64>, n: u64, g: &GroupFigures| v.filter(|_| shown(g) && !small(n));
    let mut t = Table::default();
    t.push("characteristic", ColumnData::Str(all.iter().map(|g| Some(g.characteristic.to_string())).collect()));
    t.push("group", ColumnData::Str(all.iter().map(|g| Some(g.group.clone())).collect()));
    t.push("children", ColumnData::Int(all.iter().map(|g| shown(g).then_some(g.children as i64)).collect()));
    t.push("overdue_pct", ColumnData::Float(all.iter().map(|g| share(g.overdue_pct(), g.overdue, g)).collect()));
    t.push(
        "median_days_overdue",
        ColumnData::Int(all.iter().map(|g| g.median_days_overdue.filter(|_| shown(g) && !small(g.overdue))).collect()),
    );
    t.push("urgent_pct", ColumnData::Float(all.iter().map(|g| share(g.urgent_pct(), g.urgent, g)).collect()));
    t.push("face_to_face_pct", ColumnData::Float(all.iter().map(|g| share(g.face_to_face_pct(), g.face_to_face, g)).collect()));
    t.push("suppressed", ColumnData::Str(all.iter().map(|g| Some(if shown(g) { "no" } else { "yes" }.to_string())).collect()));
    t.push(
        "note",
        ColumnData::Str(all.iter().map(|g| Some(if shown(g) { notes(&all, g, policy).join(" | ") } else { String::new() })).collect()),
    );
    t
}
