//! Triage: the ordered, explained worklist of children who are overdue or due soon.
//!
//! Score = the sum of the factors' points (`factors`); tier = the first tier whose threshold the
//! score reaches, raised by any red flag; modality = the first matching rule (`modality`);
//! clinician overrides (`overrides`) are applied last and shown. Every row can say why.

pub mod factors;
pub mod modality;
pub mod overrides;

use chrono::NaiveDate;

use crate::model::{Child, Cohort, Modality};
use crate::policy::Policy;
use crate::schedule::{ChildStatus, Scheduler, Status};

pub use factors::{Contribution, FactorKind, FACTORS};
pub use modality::{NeedLevel, RULES};
pub use overrides::{read_overrides, Override};

/// How the tier was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TierBy {
    Score,
    RedFlag(String),
}

/// One child on the worklist, with everything that explains the row.
#[derive(Debug, Clone, PartialEq)]
pub struct WorklistRow {
    /// Index of the child in the cohort.
    pub child: usize,
    pub child_id: String,
    pub status: ChildStatus,
    pub score: u32,
    pub contributions: Vec<Contribution>,
    pub need_points: u32,
    pub need: NeedLevel,
    /// Index into the policy's tiers (0 = most urgent), after any override.
    pub tier: usize,
    /// The tier the rules gave, before any override.
    pub rule_tier: usize,
    pub tier_by: TierBy,
    /// Every red flag that holds.
    pub red_flags: Vec<String>,
    pub modality: Modality,
    pub rule_modality: Modality,
    pub modality_rule: &'static str,
    /// What the rule's words need.
    pub virtual_switched_off: bool,
    pub last_face_to_face: Option<NaiveDate>,
    pub last_declined: Option<(NaiveDate, Modality)>,
    pub applied_override: Option<Box<Override>>,
    /// 1-based position in the worklist.
    pub rank: usize,
}

/// The worklist and what produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct Worklist {
    pub as_of: NaiveDate,
    pub policy: Policy,
    pub rows: Vec<WorklistRow>,
    /// Overrides for children who are not on the worklist (not overdue or due soon): not applied.
    pub unapplied: Vec<Override>,
}

/// Triage one child who is overdue or due soon (rules only, no override).
pub fn triage_child(child: &Child, index: usize, status: ChildStatus, as_of: NaiveDate, policy: &Policy) -> WorklistRow {
    let since = crate::calendar::sub_months(as_of, policy.triage.modality.face_to_face_within_months);
    triage_child_since(child, index, status, as_of, policy, since)
}

/// [`triage_child`] with as_of minus `face_to_face_within_months` worked out by the caller.
fn triage_child_since(
    child: &Child,
    index: usize,
    status: ChildStatus,
    as_of: NaiveDate,
    policy: &Policy,
    face_to_face_since: Option<NaiveDate>,
) -> WorklistRow {
    let tp = &policy.triage;
    let contributions = factors::contributions(&factors::FactorInput { child, status: &status, policy: tp });
    let score: u32 = contributions.iter().map(|c| c.points).sum();
    let need_points: u32 = contributions.iter().filter(|c| c.kind == FactorKind::Need).map(|c| c.points).sum();
    let need = NeedLevel::from_points(need_points, tp);

    let by_score = tp.tiers.iter().position(|t| score >= t.min_score).unwrap_or(tp.tiers.len() - 1);
    let holds = |cond: &str| {
        if cond == "overdue" {
            status.status == Status::Overdue
        } else {
            contributions.iter().any(|c| c.factor == cond)
        }
    };
    let mut tier = by_score;
    let mut tier_by = TierBy::Score;
    let mut red_flags = Vec::new();
    for flag in &tp.red_flags {
        if flag.when.iter().all(|c| holds(c)) {
            red_flags.push(flag.name.clone());
            let t = tp.tier_index(&flag.tier).unwrap_or(tier);
            if t < tier {
                tier = t;
                tier_by = TierBy::RedFlag(flag.name.clone());
            }
        }
    }
    let (last_face_to_face, last_declined) = modality::history(child, as_of, status.last_assessment);
    let input = modality::RuleInput {
        child,
        status: &status,
        as_of,
        face_to_face_since,
        last_face_to_face,
        last_declined,
        most_urgent_tier: tier == 0,
        tier_name: &tp.tiers[tier].name,
        red_flags: &red_flags,
        need,
        need_points,
        policy: tp,
    };
    let (m, rule, virtual_switched_off) = modality::recommend(&input);
    WorklistRow {
        child: index,
        child_id: child.id.clone(),
        status,
        score,
        contributions,
        need_points,
        need,
        tier,
        rule_tier: tier,
        tier_by,
        red_flags,
        modality: m,
        rule_modality: m,
        modality_rule: rule,
        virtual_switched_off,
        last_face_to_face,
        last_declined,
        applied_override: None,
        rank: 0,
    }
}

/// The worklist at `as_of`: every child who is overdue or due soon, best first, with the
/// clinicians' overrides applied. Overrides must already be checked against the cohort
/// ([`read_overrides`]); one for a child not on the worklist is ignored (the reader warns).
pub fn triage(cohort: &Cohort, as_of: NaiveDate, policy: &Policy, overrides: &[Override]) -> Worklist {
    let sched = Scheduler::new(policy);
    // Statuses first (small), then rows allocated once at the right size.
    let listed: Vec<(usize, ChildStatus)> = cohort
        .children
        .iter()
        .enumerate()
        .map(|(i, c)| (i, sched.child_status(c, as_of)))
        .filter(|(_, st)| matches!(st.status, Status::Overdue | Status::DueSoon))
        .collect();
    let mut rows: Vec<WorklistRow> = Vec::with_capacity(listed.len());
    let since = crate::calendar::sub_months(as_of, policy.triage.modality.face_to_face_within_months);
    rows.extend(listed.into_iter().map(|(i, st)| triage_child_since(&cohort.children[i], i, st, as_of, policy, since)));
    let mut unapplied = Vec::new();
    for o in overrides {
        let Some(row) = rows.iter_mut().find(|r| r.child_id == o.child_id) else {
            unapplied.push(o.clone());
            continue;
        };
        {
            if let Some(t) = o.tier.as_deref().and_then(|t| policy.triage.tier_index(t)) {
                row.tier = t;
            }
            if let Some(m) = o.modality {
                row.modality = m;
            }
            row.applied_override = Some(Box::new(o.clone()));
        }
    }
    // Sort by small cached keys, permuting the rows in place: tier, score, days overdue, due
    // date, then the cohort index (children are sorted by id: the child_id tie-break).
    rows.sort_by_cached_key(|r| {
        (r.tier, std::cmp::Reverse(r.score), std::cmp::Reverse(r.status.days_overdue.unwrap_or(0)), r.status.due_date, r.child)
    });
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    Worklist { as_of, policy: policy.clone(), rows, unapplied }
}

impl Worklist {
    pub fn tier_name(&self, row: &WorklistRow) -> &str {
        &self.policy.triage.tiers[row.tier].name
    }

    pub fn see_within_days(&self, row: &WorklistRow) -> u32 {
        self.policy.triage.tiers[row.tier].see_within_days
    }

    /// Why the modality rule fired, in words.
    pub fn modality_reason(&self, row: &WorklistRow) -> String {
        let w = modality::Why {
            status: &row.status,
            tier_name: &self.policy.triage.tiers[row.rule_tier].name,
            red_flags: &row.red_flags,
            need_points: row.need_points,
            last_face_to_face: row.last_face_to_face,
            last_declined: row.last_declined,
            policy: &self.policy.triage,
        };
        modality::why(row.modality_rule, &w, row.virtual_switched_off)
    }

    pub fn get(&self, child_id: &str) -> Option<&WorklistRow> {
        self.rows.iter().find(|r| r.child_id == child_id)
    }

    /// The `reasons` column: the score and its factors, the tier, the modality rule, declined
    /// offers and any override, on one line.
    pub fn reasons(&self, row: &WorklistRow) -> String {
        let tp = &self.policy.triage;
        let factors: Vec<String> =
            row.contributions.iter().map(|c| format!("{} +{} ({})", c.factor, c.points, c.detail(tp))).collect();
        let mut s = format!("score {}: {}", row.score, if factors.is_empty() { "no factor".into() } else { factors.join(", ") });
        let rule_tier = &tp.tiers[row.rule_tier];
        match &row.tier_by {
            TierBy::Score => s.push_str(&format!(" | tier {} by score >= {}", rule_tier.name, rule_tier.min_score)),
            TierBy::RedFlag(f) => s.push_str(&format!(" | tier {} by red flag {f}", rule_tier.name)),
        }
        s.push_str(&format!(
            " | need {} ({} points) | modality {} by rule {}: {}",
            row.need.as_str(),
            row.need_points,
            row.rule_modality.as_str(),
            row.modality_rule,
            self.modality_reason(row)
        ));
        if row.status.declined_offers > 0 {
            s.push_str(&format!(" | declined {} offer(s)", row.status.declined_offers));
            if let Some((d, m)) = row.last_declined {
                s.push_str(&format!(", last {} on {d}", m.as_str()));
            }
        }
        if let Some(o) = &row.applied_override {
            s.push_str(&format!(" | override by {}", o.decided_by));
            if let Some(d) = o.decided_on {
                s.push_str(&format!(" on {d}"));
            }
            s.push(':');
            if o.tier.is_some() {
                s.push_str(&format!(" tier {} (rules: {})", tp.tiers[row.tier].name, rule_tier.name));
            }
            if o.modality.is_some() {
                s.push_str(&format!(" modality {} (rules: {})", row.modality.as_str(), row.rule_modality.as_str()));
            }
            s.push_str(&format!(" - {}", o.reason));
        }
        s
    }

    /// A readable, multi-line account of one row, for a nurse.
    pub fn explain(&self, row: &WorklistRow) -> String {
        let tp = &self.policy.triage;
        let tier = &tp.tiers[row.tier];
        let st = &row.status;
        let mut out = vec![format!(
            "Child {}: rank {} of {}, tier {} (see within {} days), recommended {}.",
            row.child_id,
            row.rank,
            self.rows.len(),
            tier.name,
            tier.see_within_days,
            row.modality.as_str()
        )];
        out.push(format!(
            "Next assessment: {} due {}{}; age band {}. {}.",
            st.next_assessment.map_or("none", |a| a.as_str()),
            st.due_date.map_or("-".into(), |d| d.to_string()),
            match st.status {
                Status::Overdue => format!(", {} days overdue", st.days_overdue.unwrap_or(0)),
                _ => " (due soon)".into(),
            },
            st.age_band.as_str(),
            st.reason
        ));
        out.push(format!("Priority score {} from:", row.score));
        if row.contributions.is_empty() {
            out.push("  (no factor applies)".into());
        }
        for c in &row.contributions {
            out.push(format!("  {:>4}  {:<22} {}", format!("+{}", c.points), c.factor, c.detail(tp)));
        }
        out.push(format!("Clinical need: {} ({} points from need factors).", row.need.as_str(), row.need_points));
        let rule_tier = &tp.tiers[row.rule_tier];
        out.push(match &row.tier_by {
            TierBy::Score => format!("Tier {}: the score reaches {} (tier threshold).", rule_tier.name, rule_tier.min_score),
            TierBy::RedFlag(f) => format!("Tier {}: red flag {f}, whatever the score.", rule_tier.name),
        });
        if !row.red_flags.is_empty() {
            out.push(format!("Red flags: {}.", row.red_flags.join(", ")));
        }
        out.push(format!(
            "Modality: {} by rule '{}': {}.",
            row.rule_modality.as_str(),
            row.modality_rule,
            self.modality_reason(row)
        ));
        if st.declined_offers > 0 {
            out.push(format!(
                "Declined offers since the last assessment: {}{}.",
                st.declined_offers,
                row.last_declined.map_or(String::new(), |(d, m)| format!(" (latest: {} on {d})", m.as_str()))
            ));
        }
        if let Some(o) = &row.applied_override {
            out.push(format!(
                "Override by {}{}: {}{}. Reason: {}",
                o.decided_by,
                o.decided_on.map_or(String::new(), |d| format!(" on {d}")),
                o.tier.as_ref().map_or(String::new(), |_| format!("tier {} instead of {}", tier.name, rule_tier.name)),
                o.modality.map_or(String::new(), |m| {
                    format!("{}modality {} instead of {}", if o.tier.is_some() { ", " } else { "" }, m.as_str(), row.rule_modality.as_str())
                }),
                o.reason
            ));
        }
        out.join("\n")
    }
}
