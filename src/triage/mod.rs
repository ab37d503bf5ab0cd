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
    /// The IHA lane: an IHA is at least `triage.iha_min_tier`.
    IhaLane,
}

/// Write `n` in decimal at the end of `s`, as `write!(s, "{n}")` does, without the formatting
/// machinery (the reasons column writes several numbers for every row), by itoa. Any integer
/// type that fits in an `i64`.
pub(crate) fn push_number(s: &mut String, n: impl Into<i64>) {
    s.push_str(itoa::Buffer::new().format(n.into()));
}

/// Write `items` at the end of `s`, `sep` between them, as `items.join(sep)` gives them, without
/// a `String` for the joined text.
pub(crate) fn push_joined(s: &mut String, items: &[String], sep: &str) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            s.push_str(sep);
        }
        s.push_str(item);
    }
}

/// One child on the worklist, with everything that explains the row.
#[derive(Debug, Clone, PartialEq)]
pub struct WorklistRow {
    /// Index of the child in the cohort.
    pub child: usize,
    /// Where the child's id is in the worklist's id text ([`Worklist::child_id`]).
    id: (u32, u32),
    pub status: ChildStatus,
    pub score: u32,
    /// Where the factors that apply are in the worklist's list ([`Worklist::contributions`]).
    factors: (u32, u32),
    pub need_points: u32,
    pub need: NeedLevel,
    /// The need signals not recorded ([`factors::unknown_signals`]).
    pub unknown: u16,
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
    /// The 18th birthday (the child leaves the duty).
    pub leaves_care_on: Option<NaiveDate>,
    /// Book the assessment by this day ([`book_by`]), for the tier after any override.
    pub book_by: NaiveDate,
    pub applied_override: Option<Box<Override>>,
    /// The safeguard an override goes below (a face-to-face rule, or `iha_lane`), if any: the
    /// override is applied, and said.
    pub below_safeguard: Option<&'static str>,
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
    /// Every row's child_id, one after another (rows keep where theirs is: no `String` a row).
    ids: String,
    /// Every row's contributions, one after another (rows keep where theirs are).
    factors: Vec<Contribution>,
}

/// What the rules decided for one child, without words and without allocating: enough to
/// order a queue and pick a modality (the simulation's weekly triage), and the core of a
/// [`WorklistRow`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    pub score: u32,
    pub need_points: u32,
    pub need: NeedLevel,
    /// The need signals not recorded.
    pub unknown: u16,
    /// Index into the policy's tiers (0 = most urgent).
    pub tier: usize,
    /// The red flag (index into the policy's red flags) that raised the tier, if one did.
    pub raised_by: Option<usize>,
    /// The IHA lane raised the tier (after any red flag).
    pub iha_lane: bool,
    /// Book by this day ([`book_by`]).
    pub book_by: NaiveDate,
    pub leaves_care_on: Option<NaiveDate>,
    /// Bit i set: the policy's red flag i holds.
    pub red_flags: u64,
    pub modality: Modality,
    pub modality_rule: &'static str,
    pub virtual_switched_off: bool,
    pub last_face_to_face: Option<NaiveDate>,
    pub last_declined: Option<(NaiveDate, Modality)>,
}

/// A red flag with its conditions resolved once per policy: the factors it needs (bits of
/// `FACTORS`), whether it needs the child overdue, and the tier it raises to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlagRule {
    factors: u64,
    /// Bits of [`factors::CONDITIONS`].
    conditions: u8,
    tier: Option<usize>,
}

/// The policy's red flags resolved for [`decide`] (names are looked up here, not per child).
pub fn flag_rules(policy: &Policy) -> Vec<FlagRule> {
    let tp = &policy.triage;
    tp.red_flags
        .iter()
        .map(|f| {
            let mut rule = FlagRule { factors: 0, conditions: 0, tier: tp.tier_index(&f.tier) };
            for c in &f.when {
                if let Some(i) = factors::CONDITIONS.iter().position(|x| x.name == c.as_str()) {
                    rule.conditions |= 1 << i;
                } else if let Some(i) = FACTORS.iter().position(|x| x.name == c.as_str()) {
                    rule.factors |= 1 << i;
                } else {
                    // An unknown condition never holds (a validated policy has none).
                    rule.factors = u64::MAX;
                }
            }
            rule
        })
        .collect()
}

/// The factors of a child that read the child alone ([`FactorKind::child_only`]: need, risk and
/// logistics): worked out once per child where one child is triaged many times (the
/// simulation's weekly queue).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeedPart {
    /// Their points.
    pub points: u32,
    /// The points of the need factors alone (the clinical need).
    pub need_points: u32,
    /// Bit i set: `FACTORS[i]` applies.
    pub applied: u64,
}

/// The child-only factors of `child` (the status is not read by them; any will do).
pub fn need_part(child: &Child, status: &ChildStatus, policy: &Policy) -> NeedPart {
    let input = factors::FactorInput::new(child, status, &policy.triage);
    let mut part = NeedPart { points: 0, need_points: 0, applied: 0 };
    for (i, f) in FACTORS.iter().enumerate().filter(|(_, f)| f.kind.child_only()) {
        if let Some((points, _)) = (f.eval)(&input) {
            part.points = part.points.saturating_add(points);
            if f.kind == FactorKind::Need {
                part.need_points = part.need_points.saturating_add(points);
            }
            part.applied |= 1 << i;
        }
    }
    part
}

/// The day to book the assessment by: the earliest of as_of plus the tier's window, the due
/// date when the child is not yet overdue, and the day before the 18th birthday. No child is
/// told to wait past their statutory date or past 18 (docs/triage.md).
pub fn book_by(as_of: NaiveDate, window_days: u32, status: &ChildStatus, leaves_care_on: Option<NaiveDate>) -> NaiveDate {
    let mut d = as_of.checked_add_days(chrono::Days::new(u64::from(window_days))).unwrap_or(NaiveDate::MAX);
    if status.status != Status::Overdue {
        if let Some(due) = status.due_date {
            d = d.min(due);
        }
    }
    if let Some(last_day) = leaves_care_on.and_then(|b| b.pred_opt()) {
        d = d.min(last_day);
    }
    d
}

/// Whether the review after this one would fall on or after the 18th birthday, if this one is
/// done on `book_by`: then this is the last review before 18.
pub fn is_final_review(
    child: &Child,
    status: &ChildStatus,
    book_by: NaiveDate,
    leaves_care_on: Option<NaiveDate>,
    policy: &Policy,
) -> bool {
    if status.next_assessment != Some(crate::model::AssessmentType::Rha) {
        return false;
    }
    let Some(birthday) = leaves_care_on else { return false };
    // Far from 18 (more than the longest review interval's days away), no review after this one
    // can reach the birthday: no age or month arithmetic needed (the simulation asks this of
    // every queued child every week).
    let s = &policy.schedule;
    let longest = s.rha_interval_months_under_cadence_age.max(s.rha_interval_months_from_cadence_age);
    if (birthday - book_by).num_days() > 31 * i64::from(longest) {
        return false;
    }
    let (months, _) = crate::schedule::rha_interval_months(policy, child.date_of_birth, book_by);
    crate::calendar::add_months(book_by, months).is_none_or(|next| next >= birthday)
}

/// What [`decide`] would work out from the child's record alone, kept by a caller that triages
/// the same child many times while its record does not change (the simulation's weekly
/// queue): the need factors and the assessment history. Valid while the record is unchanged
/// and every assessment in it is on or before the as_of it is used at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    pub need: NeedPart,
    pub last_face_to_face: Option<NaiveDate>,
    pub last_declined: Option<(NaiveDate, Modality)>,
    /// The 18th birthday (the policy's leaving-care age), None if out of the calendar.
    pub leaves_care_on: Option<NaiveDate>,
    /// The record's unknown need signals and whether it has no SDQ score.
    pub record_unknown: (u16, bool),
}

impl Known {
    pub fn new(child: &Child, status: &ChildStatus, policy: &Policy) -> Known {
        let (last_face_to_face, last_declined) = modality::history(child, NaiveDate::MAX, status.last_assessment);
        let s = &policy.schedule;
        let leaves_care_on = crate::calendar::anniversary(child.date_of_birth, s.leaves_care_age, s.leap_day_birthday);
        Known {
            need: need_part(child, status, policy),
            last_face_to_face,
            last_declined,
            leaves_care_on,
            record_unknown: factors::record_unknown(child),
        }
    }
}

/// The rules for one child who is overdue or due soon: factors, score, tier (raised by red
/// flags), modality. Each factor that applies is also pushed to `contributions` when given.
/// `known`: what the child's record gives, already worked out ([`Known`]); then only the
/// factors other than need are evaluated (and only those are pushed).
const _: () = assert!(FACTORS.len() <= 64, "factors that apply are kept as bits of a u64");

/// What every decision of one triage date shares, worked out once: the date, the policy, the
/// start of the face-to-face window and the red flags resolved.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    pub as_of: NaiveDate,
    pub policy: &'a Policy,
    /// as_of minus `face_to_face_within_months`.
    pub face_to_face_since: Option<NaiveDate>,
    pub flags: &'a [FlagRule],
}

impl<'a> Rules<'a> {
    /// The rules at `as_of` with `flags` resolved from `policy` ([`flag_rules`]).
    pub fn new(as_of: NaiveDate, policy: &'a Policy, flags: &'a [FlagRule]) -> Rules<'a> {
        let face_to_face_since = crate::calendar::sub_months(as_of, policy.triage.modality.face_to_face_within_months);
        Rules { as_of, policy, face_to_face_since, flags }
    }
}

pub fn decide(
    child: &Child,
    status: &ChildStatus,
    rules: &Rules,
    mut contributions: Option<&mut Vec<Contribution>>,
    known: Option<&Known>,
) -> Decision {
    let Rules { as_of, policy, face_to_face_since, flags } = *rules;
    let need = known.map(|k| k.need);
    let tp = &policy.triage;
    let input = factors::FactorInput { child, status, policy: tp, record_unknown: known.map(|k| k.record_unknown) };
    let (mut score, mut need_points, mut applied) = need.map_or((0, 0, 0), |n| (n.points, n.need_points, n.applied));
    for (i, f) in FACTORS.iter().enumerate() {
        if need.is_some() && f.kind.child_only() {
            continue;
        }
        if let Some((points, value)) = (f.eval)(&input) {
            score = score.saturating_add(points);
            if f.kind == FactorKind::Need {
                need_points = need_points.saturating_add(points);
            }
            applied |= 1 << i;
            if let Some(out) = contributions.as_deref_mut() {
                out.push(Contribution { factor: f.name, kind: f.kind, points, value });
            }
        }
    }
    let unknown = factors::unknown_signals(&input);
    let need = NeedLevel::of(need_points, unknown, tp);
    let by_score = tp.tiers.iter().position(|t| score >= t.min_score).unwrap_or(tp.tiers.len() - 1);
    let conditions = factors::CONDITIONS.iter().enumerate().filter(|(_, c)| (c.holds)(&input)).fold(0u8, |m, (i, _)| m | (1 << i));
    let (mut tier, mut raised_by, mut red_flags) = (by_score, None, 0u64);
    for (fi, flag) in flags.iter().enumerate() {
        if flag.factors & applied == flag.factors && flag.conditions & conditions == flag.conditions {
            red_flags |= 1u64.checked_shl(fi as u32).unwrap_or(0);
            let t = flag.tier.unwrap_or(tier);
            if t < tier {
                tier = t;
                raised_by = Some(fi);
            }
        }
    }
    // The IHA lane: an IHA is never left to a later tier than iha_min_tier.
    let mut iha_lane = false;
    if status.next_assessment == Some(crate::model::AssessmentType::Iha) {
        if let Some(lane) = tp.tier_index(&tp.iha_min_tier).filter(|lane| *lane < tier) {
            tier = lane;
            iha_lane = true;
        }
    }
    let leaves_care_on = match known {
        Some(k) => k.leaves_care_on,
        None => crate::calendar::anniversary(child.date_of_birth, policy.schedule.leaves_care_age, policy.schedule.leap_day_birthday),
    };
    let book_by = book_by(as_of, tp.tiers[tier].see_within_days, status, leaves_care_on);
    let final_review = is_final_review(child, status, book_by, leaves_care_on, policy);
    let (last_face_to_face, last_declined) =
        known.map_or_else(|| modality::history(child, as_of, status.last_assessment), |k| (k.last_face_to_face, k.last_declined));
    let input = modality::RuleInput {
        child,
        status,
        as_of,
        face_to_face_since,
        last_face_to_face,
        last_declined,
        most_urgent_tier: tier == 0,
        tier_name: &tp.tiers[tier].name,
        any_red_flag: red_flags != 0,
        need,
        need_points,
        unknown,
        final_review,
        policy: tp,
    };
    let (modality, modality_rule, virtual_switched_off) = modality::recommend(&input);
    Decision {
        score,
        need_points,
        need,
        unknown,
        tier,
        raised_by,
        iha_lane,
        book_by,
        leaves_care_on,
        red_flags,
        modality,
        modality_rule,
        virtual_switched_off,
        last_face_to_face,
        last_declined,
    }
}

/// Triage builds the worklist on several cores in stretches of children, each at least this
/// long (a smaller stretch costs more in threads than it saves); a smaller cohort, or a
/// one-thread pool, is one stretch.
pub const PARALLEL_MIN_CHILDREN: usize = 20_000;

/// A buffer position as stored in a row (buffers stay far below 4 GB: saturates if not).
fn at_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One worklist row (rules only, no override, rank 0), its id and contributions appended to
/// the worklist's buffers (ids, factors).
fn triage_child(
    child: &Child,
    index: usize,
    status: ChildStatus,
    rules: &Rules,
    buffers: (&mut String, &mut Vec<Contribution>),
) -> WorklistRow {
    let (ids, factors) = buffers;
    let tp = &rules.policy.triage;
    let at = at_u32;
    let f0 = factors.len();
    let d = decide(child, &status, rules, Some(factors), None);
    let i0 = ids.len();
    ids.push_str(&child.id);
    let bit = |i: usize| 1u64.checked_shl(i as u32).unwrap_or(0);
    let red_flags = if d.red_flags == 0 {
        Vec::new()
    } else {
        tp.red_flags.iter().enumerate().filter(|(i, _)| d.red_flags & bit(*i) != 0).map(|(_, f)| f.name.clone()).collect()
    };
    WorklistRow {
        child: index,
        id: (at(i0), at(ids.len())),
        status,
        score: d.score,
        factors: (at(f0), at(factors.len())),
        need_points: d.need_points,
        need: d.need,
        unknown: d.unknown,
        tier: d.tier,
        rule_tier: d.tier,
        tier_by: if d.iha_lane {
            TierBy::IhaLane
        } else {
            d.raised_by.map_or(TierBy::Score, |i| TierBy::RedFlag(tp.red_flags[i].name.clone()))
        },
        red_flags,
        modality: d.modality,
        rule_modality: d.modality,
        modality_rule: d.modality_rule,
        virtual_switched_off: d.virtual_switched_off,
        last_face_to_face: d.last_face_to_face,
        last_declined: d.last_declined,
        leaves_care_on: d.leaves_care_on,
        book_by: d.book_by,
        applied_override: None,
        below_safeguard: None,
        rank: 0,
    }
}

/// The worklist at `as_of`: every child who is overdue or due soon, best first, with the
/// clinicians' overrides applied. Overrides must already be checked against the cohort
/// ([`read_overrides`]); one for a child not on the worklist is ignored (the reader warns).
pub fn triage(cohort: &Cohort, as_of: NaiveDate, policy: &Policy, overrides: &[Override]) -> Worklist {
    let sched = Scheduler::new(policy);
    let flags = flag_rules(policy);
    let rules = Rules::new(as_of, policy, &flags);
    // The children in stretches, one a core (a large cohort), each with its own rows and
    // buffers, joined in cohort order; one stretch when single-threaded or small.
    let per = crate::par::stretch_len(cohort.children.len(), crate::par::threads(), PARALLEL_MIN_CHILDREN);
    let stretch = |lo: usize| {
        let kids = &cohort.children[lo..(lo + per).min(cohort.children.len())];
        // Statuses first (small), then rows allocated once at the right size.
        let listed: Vec<(usize, ChildStatus)> = kids
            .iter()
            .enumerate()
            .map(|(i, c)| (lo + i, sched.child_status(c, as_of)))
            .filter(|(_, st)| matches!(st.status, Status::Overdue | Status::DueSoon))
            .collect();
        let mut rows: Vec<WorklistRow> = Vec::with_capacity(listed.len());
        let (mut ids, mut factors) = (String::new(), Vec::new());
        rows.extend(listed.into_iter().map(|(i, st)| triage_child(&cohort.children[i], i, st, &rules, (&mut ids, &mut factors))));
        (rows, ids, factors)
    };
    let mut parts = crate::par::map_in_order((0..cohort.children.len()).step_by(per).collect(), stretch);
    let (mut rows, mut ids, mut factors) = if parts.is_empty() { Default::default() } else { parts.remove(0) };
    rows.reserve(parts.iter().map(|p| p.0.len()).sum());
    for (more, more_ids, more_factors) in parts {
        let (di, df) = (at_u32(ids.len()), at_u32(factors.len()));
        rows.extend(more.into_iter().map(|mut r| {
            r.id = (r.id.0 + di, r.id.1 + di);
            r.factors = (r.factors.0 + df, r.factors.1 + df);
            r
        }));
        ids.push_str(&more_ids);
        factors.extend(more_factors);
    }
    let mut unapplied = Vec::new();
    for o in overrides {
        let Some(row) = rows.iter_mut().find(|r| cohort.children[r.child].id == o.child_id) else {
            unapplied.push(o.clone());
            continue;
        };
        {
            let tp = &policy.triage;
            if let Some(t) = o.tier.as_deref().and_then(|t| tp.tier_index(t)) {
                row.tier = t;
                row.book_by = book_by(as_of, tp.tiers[t].see_within_days, &row.status, row.leaves_care_on);
                let lane = tp.tier_index(&tp.iha_min_tier).unwrap_or(usize::MAX);
                if row.status.next_assessment == Some(crate::model::AssessmentType::Iha) && t > lane {
                    row.below_safeguard = Some("iha_lane");
                }
            }
            if let Some(m) = o.modality {
                row.modality = m;
                if modality::intensity(m) < modality::intensity(row.rule_modality) && modality::SAFEGUARDS.contains(&row.modality_rule) {
                    row.below_safeguard = Some(row.modality_rule);
                }
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
    Worklist { as_of, policy: policy.clone(), rows, unapplied, ids, factors }
}

impl Worklist {
    /// The worklist with only the rows `keep` keeps, in order, with their ranks, reasons and
    /// overrides as they were (the unapplied overrides stay with it).
    pub fn retained(&self, keep: impl Fn(&WorklistRow) -> bool) -> Worklist {
        Worklist {
            as_of: self.as_of,
            policy: self.policy.clone(),
            rows: self.rows.iter().filter(|r| keep(r)).cloned().collect(),
            unapplied: self.unapplied.clone(),
            ids: self.ids.clone(),
            factors: self.factors.clone(),
        }
    }

    pub fn tier_name(&self, row: &WorklistRow) -> &str {
        &self.policy.triage.tiers[row.tier].name
    }

    /// Days from as_of to the book-by date.
    pub fn see_within_days(&self, row: &WorklistRow) -> i64 {
        (row.book_by - self.as_of).num_days()
    }

    /// How complete the need signals are over the listed children: for each need signal, and
    /// the SDQ score (over the listed children aged 4 to 16), (name, known, unknown).
    pub fn completeness(&self) -> Vec<(&'static str, u64, u64)> {
        let signals = crate::model::NeedSignal::ALL.into_iter().map(|s| {
            let unknown = self.rows.iter().filter(|r| r.unknown & s.bit() != 0).count() as u64;
            (s.name(), self.rows.len() as u64 - unknown, unknown)
        });
        let (lo, hi) = factors::SDQ_AGES;
        let sdq_rows = self.rows.iter().filter(|r| (lo..=hi).contains(&r.status.age_years));
        let (mut known, mut unknown) = (0u64, 0u64);
        for r in sdq_rows {
            if r.unknown & factors::SDQ_UNKNOWN_BIT != 0 {
                unknown += 1;
            } else {
                known += 1;
            }
        }
        signals.chain(std::iter::once(("sdq_score", known, unknown))).collect()
    }

    /// How a row's tier was set by the rules: `score`, `red_flag:<name>` or `iha_lane`.
    pub fn tier_by(&self, row: &WorklistRow) -> String {
        match &row.tier_by {
            TierBy::Score => "score".to_string(),
            TierBy::RedFlag(f) => format!("red_flag:{f}"),
            TierBy::IhaLane => "iha_lane".to_string(),
        }
    }

    /// The rows whose override goes below a safeguard, with the safeguard.
    pub fn below_safeguards(&self) -> impl Iterator<Item = (&WorklistRow, &'static str)> {
        self.rows.iter().filter_map(|r| r.below_safeguard.map(|s| (r, s)))
    }

    /// Why the modality rule fired, in words.
    pub fn modality_reason(&self, row: &WorklistRow) -> String {
        let mut s = String::new();
        self.write_modality_reason(row, &mut s);
        s
    }

    /// [`Worklist::modality_reason`] written at the end of `s`.
    pub fn write_modality_reason(&self, row: &WorklistRow, s: &mut String) {
        let w = modality::Why {
            status: &row.status,
            tier_name: &self.policy.triage.tiers[row.rule_tier].name,
            red_flags: &row.red_flags,
            need_points: row.need_points,
            unknown: row.unknown,
            leaves_care_on: row.leaves_care_on,
            last_face_to_face: row.last_face_to_face,
            last_declined: row.last_declined,
            policy: &self.policy.triage,
        };
        modality::write_why(s, row.modality_rule, &w, row.virtual_switched_off);
    }

    /// The child_id of a row.
    pub fn child_id(&self, row: &WorklistRow) -> &str {
        self.ids.get(row.id.0 as usize..row.id.1 as usize).unwrap_or("")
    }

    /// The factors that apply to a row's child, in the order explanations list them.
    pub fn contributions(&self, row: &WorklistRow) -> &[Contribution] {
        self.factors.get(row.factors.0 as usize..row.factors.1 as usize).unwrap_or(&[])
    }

    pub fn get(&self, child_id: &str) -> Option<&WorklistRow> {
        self.rows.iter().find(|r| self.child_id(r) == child_id)
    }

    /// The `reasons` column: the score and its factors, the tier, the modality rule, declined
    /// offers and any override, on one line.
    pub fn reasons(&self, row: &WorklistRow) -> String {
        let mut s = String::with_capacity(256);
        self.write_reasons(row, &mut s);
        s
    }

    /// [`Worklist::reasons`] written at the end of `s`. Returns where in `s` the free text a
    /// clinician typed (an override's reason) begins, when there is one: it runs to the end,
    /// and a pseudonymised table withholds it from there ([`crate::privacy`]).
    pub fn write_reasons(&self, row: &WorklistRow, s: &mut String) -> Option<usize> {
        use std::fmt::Write as _;
        // Writing to a String cannot fail. Fixed words are pushed and numbers written without
        // the formatting machinery: this runs for every row of every worklist.
        let tp = &self.policy.triage;
        s.push_str("score ");
        push_number(s, row.score);
        s.push_str(": ");
        let contributions = self.contributions(row);
        if contributions.is_empty() {
            s.push_str("no factor");
        }
        for (i, c) in contributions.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(c.factor);
            s.push_str(" +");
            push_number(s, c.points);
            s.push_str(" (");
            c.write_detail(s, tp);
            s.push(')');
        }
        let rule_tier = &tp.tiers[row.rule_tier];
        s.push_str(" | tier ");
        s.push_str(&rule_tier.name);
        match &row.tier_by {
            TierBy::Score => {
                s.push_str(" by score >= ");
                push_number(s, rule_tier.min_score);
            }
            TierBy::RedFlag(f) => {
                s.push_str(" by red flag ");
                s.push_str(f);
            }
            TierBy::IhaLane => s.push_str(" by the IHA lane (an IHA is never later)"),
        }
        s.push_str(" | need ");
        s.push_str(row.need.as_str());
        s.push_str(" (");
        push_number(s, row.need_points);
        s.push_str(" points) | modality ");
        s.push_str(row.rule_modality.as_str());
        s.push_str(" by rule ");
        s.push_str(row.modality_rule);
        s.push_str(": ");
        self.write_modality_reason(row, s);
        if row.status.declined_offers > 0 {
            let _ = write!(s, " | declined {} offer(s)", row.status.declined_offers);
            if let Some((d, m)) = row.last_declined {
                let _ = write!(s, ", last {} on {d}", m.as_str());
            }
        }
        if let Some(o) = &row.applied_override {
            let _ = write!(s, " | override by {}", o.decided_by);
            if let Some(d) = o.decided_on {
                let _ = write!(s, " on {d}");
            }
            s.push(':');
            if o.tier.is_some() {
                let _ = write!(s, " tier {} (rules: {})", tp.tiers[row.tier].name, rule_tier.name);
            }
            if o.modality.is_some() {
                let _ = write!(s, " modality {} (rules: {})", row.modality.as_str(), row.rule_modality.as_str());
            }
            s.push_str(" - ");
            let clinician_text = s.len();
            s.push_str(&o.reason);
            if let Some(g) = row.below_safeguard {
                let _ = write!(s, " (below the {g} safeguard)");
            }
            return Some(clinician_text);
        }
        None
    }

    /// A readable, multi-line account of one row, for a nurse.
    pub fn explain(&self, row: &WorklistRow) -> String {
        let tp = &self.policy.triage;
        let tier = &tp.tiers[row.tier];
        let st = &row.status;
        let mut out = vec![format!(
            "Child {}: rank {} of {}, tier {} (book by {}, within {} days), recommended {}.",
            self.child_id(row),
            row.rank,
            self.rows.len(),
            tier.name,
            row.book_by,
            self.see_within_days(row),
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
        if self.contributions(row).is_empty() {
            out.push("  (no factor applies)".into());
        }
        for c in self.contributions(row) {
            out.push(format!("  {:>4}  {:<22} {}", format!("+{}", c.points), c.factor, c.detail(tp)));
        }
        out.push(format!("Clinical need: {} ({} points from need factors).", row.need.as_str(), row.need_points));
        if row.unknown != 0 {
            out.push(format!(
                "Not recorded: {}. Unknown is not no: record them before any questionnaire-led review.",
                factors::unknown_names(row.unknown).collect::<Vec<_>>().join(", ")
            ));
        }
        let rule_tier = &tp.tiers[row.rule_tier];
        out.push(match &row.tier_by {
            TierBy::Score => format!("Tier {}: the score reaches {} (tier threshold).", rule_tier.name, rule_tier.min_score),
            TierBy::RedFlag(f) => format!("Tier {}: red flag {f}, whatever the score.", rule_tier.name),
            TierBy::IhaLane => format!("Tier {}: the IHA lane (an IHA is never in a later tier).", rule_tier.name),
        });
        if !row.red_flags.is_empty() {
            out.push(format!("Red flags: {}.", row.red_flags.join(", ")));
        }
        out.push(format!("Modality: {} by rule '{}': {}.", row.rule_modality.as_str(), row.modality_rule, self.modality_reason(row)));
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
            if let Some(g) = row.below_safeguard {
                out.push(format!("This override is below the '{g}' safeguard: applied as the clinician decided, and flagged."));
            }
        }
        out.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::{push_joined, push_number};

    #[test]
    fn lists_are_written_as_join_gives_them() {
        for items in [vec![], vec!["a".to_string()], vec!["self_harm".to_string(), "overdue".to_string(), "x".to_string()]] {
            let mut s = String::from("x: ");
            push_joined(&mut s, &items, ", ");
            assert_eq!(s, format!("x: {}", items.join(", ")));
        }
    }

    #[test]
    fn numbers_are_written_as_format_writes_them() {
        for n in [0, 7, 10, 99, 100, 4_093, 65_536, 999_999_999, u32::MAX] {
            let mut s = String::from("x");
            push_number(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
        for n in [-1, -10, -4_093, i64::from(u32::MAX) + 1, i64::MAX, i64::MIN] {
            let mut s = String::from("x");
            push_number(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
    }
}
