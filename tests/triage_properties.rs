//! Property tests of triage: an extra risk factor never lowers a score or the tier; more days
//! overdue never ranks a child lower; input order never changes the worklist; and the clinical
//! safety invariants of docs/triage.md: no booking after the statutory date or the 18th
//! birthday, no IHA below P2, no questionnaire without everything a questionnaire needs.

mod common;
use common::*;

use chrono::{Days, NaiveDate};
use lac_backlog::table::worklist_table;
use lac_backlog::triage::triage;
use lac_backlog::{Assessment, AssessmentType, Child, Cohort, Modality, NeedSignal, Outcome, Policy, Signals, Status};
use proptest::prelude::*;

fn as_of() -> NaiveDate {
    ymd(2021, 10, 21)
}

/// Children aged 6-17 in care since 2005, last assessed 300-700 days ago (an RHA due 12 months
/// later: up to date, due soon or overdue), with random need signals.
fn arb_child() -> impl Strategy<Value = Child> {
    (
        6i32..18,
        1u32..360,
        300u64..700,
        prop::collection::vec(any::<bool>(), 11),
        prop::collection::vec(0u8..3, 8),
        prop::option::of(0u8..41),
        prop::option::of(0u32..6),
        prop::option::of(0u32..6),
    )
        .prop_map(|(age, dob_day, ago, f, need, sdq, moves, missing)| {
            let dob = ymd(2021 - age, 1, 1) - Days::new(u64::from(dob_day));
            let last = as_of() - Days::new(ago);
            let mut c = child(dob, ymd(2005, 1, 1).max(dob), vec![done(last)]);
            c.signals = signals(&need);
            c.signals.out_of_area = f[8];
            c.uasc = f[9];
            c.missing = f[10];
            c.sdq_score = sdq;
            c.placement_moves_12m = moves;
            c.missing_episodes_12m = missing;
            c
        })
}

/// Need signals from codes: 0 no, 1 yes, 2 unknown.
fn signals(codes: &[u8]) -> Signals {
    let mut s = Signals::none();
    for (sig, code) in NeedSignal::ALL.into_iter().zip(codes) {
        s.set(
            sig,
            match code {
                0 => Some(false),
                1 => Some(true),
                _ => None,
            },
        );
    }
    s
}

/// Any child: aged 0 to 17, in care for days or years, with 0 to 3 records of any type,
/// modality and outcome (so IHAs, exemptions and questionnaires all come up), need signals
/// yes, no or unknown, and an SDQ with or without a date.
fn arb_any_child() -> impl Strategy<Value = Child> {
    (
        0u64..(18 * 365 - 1),
        0u64..3000,
        prop::collection::vec((0u64..1500, 0u8..2, 0u8..3, 0u8..5), 0..4),
        prop::collection::vec(0u8..3, 8),
        prop::option::of((0u8..41, prop::option::of(0u64..800))),
        prop::option::of(0u32..4),
        any::<bool>(),
    )
        .prop_map(|(age_days, in_care, records, need, sdq, moves, uasc)| {
            let dob = as_of() - Days::new(age_days);
            let care_start = (as_of() - Days::new(in_care)).max(dob);
            let assessments = records
                .into_iter()
                .map(|(ago, kind, m, outcome)| Assessment {
                    completed_on: (as_of() - Days::new(ago)).max(dob),
                    kind: if kind == 0 { AssessmentType::Iha } else { AssessmentType::Rha },
                    modality: [Modality::FaceToFace, Modality::Virtual, Modality::Questionnaire][m as usize],
                    outcome: if outcome == 0 { Outcome::Declined } else { Outcome::Completed },
                })
                .collect();
            let mut c = child(dob, care_start, assessments);
            c.signals = signals(&need);
            c.sdq_score = sdq.map(|s| s.0);
            c.sdq_date = sdq.and_then(|s| s.1).map(|ago| as_of() - Days::new(ago));
            c.placement_moves_12m = moves;
            c.uasc = uasc;
            c
        })
}

fn arb_cohort() -> impl Strategy<Value = Vec<Child>> {
    prop::collection::vec(arb_child(), 1..30).prop_map(|mut v| {
        for (i, c) in v.iter_mut().enumerate() {
            c.id = format!("C{i:03}").into();
        }
        v
    })
}

/// Turn on one more risk factor (index into the list of switchable factors).
fn add_factor(c: &mut Child, which: usize) {
    match which {
        0 => c.signals.complex_health_needs = true,
        1 => c.signals.disability = true,
        2 => c.signals.mental_health_concern = true,
        3 => c.signals.self_harm = true,
        4 => c.signals.substance_misuse = true,
        5 => c.signals.pregnant_or_parent = true,
        6 => c.signals.exploitation_risk = true,
        7 => c.signals.youth_justice = true,
        8 => c.signals.out_of_area = true,
        9 => c.uasc = true,
        10 => c.missing = true,
        11 => c.placement_moves_12m = Some(c.placement_moves_12m.unwrap_or(0) + 1),
        12 => c.missing_episodes_12m = Some(c.missing_episodes_12m.unwrap_or(0) + 1),
        _ => c.sdq_score = Some(c.sdq_score.unwrap_or(0).max(17)),
    }
}

fn arb_any_cohort() -> impl Strategy<Value = Vec<Child>> {
    prop::collection::vec(arb_any_child(), 1..40).prop_map(|mut v| {
        for (i, c) in v.iter_mut().enumerate() {
            c.id = format!("C{i:03}").into();
        }
        v
    })
}

proptest! {
    #![proptest_config(prop_config(256))]

    /// No child is told to be booked after their statutory due date (when not yet overdue) or
    /// on or after their 18th birthday; see_within_days is book_by - as_of.
    #[test]
    fn book_by_never_passes_the_due_date_or_the_18th_birthday(children in arb_any_cohort()) {
        let p = Policy::default();
        let wl = triage(&Cohort::from_children(children), as_of(), &p, &[]);
        for r in &wl.rows {
            if r.status.status != Status::Overdue {
                prop_assert!(r.book_by <= r.status.due_date.unwrap(), "{} after due {:?}", r.book_by, r.status.due_date);
            }
            prop_assert!(r.book_by < r.leaves_care_on.unwrap(), "{} not before 18 ({:?})", r.book_by, r.leaves_care_on);
            prop_assert!(r.book_by >= as_of());
            prop_assert_eq!(wl.see_within_days(r), (r.book_by - as_of()).num_days());
        }
    }

    /// Every listed IHA is at least P2.
    #[test]
    fn no_iha_is_below_p2(children in arb_any_cohort()) {
        let p = Policy::default();
        let wl = triage(&Cohort::from_children(children), as_of(), &p, &[]);
        for r in wl.rows.iter().filter(|r| r.status.next_assessment == Some(AssessmentType::Iha)) {
            prop_assert!(r.tier <= 1, "IHA at {}", wl.tier_name(r));
        }
    }

    /// A questionnaire only for a child with every need signal known and low need, 16 or over,
    /// an SDQ under 14 from the last 12 months, no disability or pregnancy, and not at the last
    /// review before 18.
    #[test]
    fn no_questionnaire_without_everything_it_needs(children in arb_any_cohort()) {
        let p = Policy::default();
        let cohort = Cohort::from_children(children);
        let wl = triage(&cohort, as_of(), &p, &[]);
        let year_ago = lac_backlog::calendar::sub_months(as_of(), 12).unwrap();
        for r in wl.rows.iter().filter(|r| r.modality == Modality::Questionnaire) {
            let c = &cohort.children[r.child];
            prop_assert_eq!(r.unknown, 0);
            prop_assert!(r.status.age_years >= 16);
            prop_assert!(c.sdq_score.is_some_and(|s| s < 14) && c.sdq_date.is_some_and(|d| d >= year_ago && d <= as_of()));
            prop_assert!(c.signals.get(NeedSignal::Disability) == Some(false));
            prop_assert!(c.signals.get(NeedSignal::PregnantOrParent) == Some(false));
            prop_assert!(!lac_backlog::triage::is_final_review(c, &r.status, r.book_by, r.leaves_care_on, &p));
            prop_assert_eq!(r.status.next_assessment, Some(AssessmentType::Rha));
        }
    }

    #[test]
    fn an_extra_risk_factor_never_lowers_the_score_or_the_tier(children in arb_cohort(), k in any::<prop::sample::Index>(), which in 0usize..14) {
        let p = Policy::default();
        let before = triage(&Cohort::from_children(children.clone()), as_of(), &p, &[]);
        let mut more = children.clone();
        let k = k.index(more.len());
        add_factor(&mut more[k], which);
        let after = triage(&Cohort::from_children(more.clone()), as_of(), &p, &[]);
        let id = &more[k].id;
        if let (Some(b), Some(a)) = (before.get(id), after.get(id)) {
            prop_assert!(a.score >= b.score, "{} -> {}", b.score, a.score);
            prop_assert!(a.tier <= b.tier);
            prop_assert!(a.rank <= b.rank, "rank {} -> {}", b.rank, a.rank);
        }
    }

    #[test]
    fn more_days_overdue_never_ranks_a_child_lower(children in arb_cohort(), k in any::<prop::sample::Index>(), extra in 1u64..400) {
        let p = Policy::default();
        let before = triage(&Cohort::from_children(children.clone()), as_of(), &p, &[]);
        let mut later = children.clone();
        let k = k.index(later.len());
        // Last assessed `extra` days earlier: the review falls due earlier.
        for a in &mut later[k].assessments {
            a.completed_on = a.completed_on - Days::new(extra);
        }
        let after = triage(&Cohort::from_children(later.clone()), as_of(), &p, &[]);
        let id = &later[k].id;
        if let Some(b) = before.get(id) {
            let a = after.get(id).expect("still on the worklist");
            prop_assert!(a.status.days_overdue >= b.status.days_overdue);
            prop_assert!(a.score >= b.score);
            prop_assert!(a.rank <= b.rank, "rank {} -> {}", b.rank, a.rank);
        }
    }

    #[test]
    fn input_order_never_changes_the_worklist(children in arb_cohort(), seed in any::<u64>()) {
        let p = Policy::default();
        let want = worklist_table(&std::sync::Arc::new(triage(&Cohort::from_children(children.clone()), as_of(), &p, &[]))).to_csv_string();
        let mut shuffled = children.clone();
        let n = shuffled.len();
        for i in 0..n {
            let j = ((seed.rotate_left(i as u32 % 64) ^ (i as u64).wrapping_mul(0x9E37_79B9)) % n as u64) as usize;
            shuffled.swap(i, j);
        }
        let got = worklist_table(&std::sync::Arc::new(triage(&Cohort::from_children(shuffled), as_of(), &p, &[]))).to_csv_string();
        prop_assert_eq!(want, got);
    }

    #[test]
    fn ranks_are_one_to_n_and_every_listed_child_is_overdue_or_due_soon(children in arb_cohort()) {
        let wl = triage(&Cohort::from_children(children), as_of(), &Policy::default(), &[]);
        for (i, r) in wl.rows.iter().enumerate() {
            prop_assert_eq!(r.rank, i + 1);
            prop_assert!(r.status.due_date.unwrap() <= as_of() + Days::new(28));
            prop_assert_eq!(r.score, wl.contributions(r).iter().map(|c| c.points).sum::<u32>());
        }
    }
}

/// A large cohort is triaged in stretches on several cores: the worklist is the same, row for
/// row and word for word, as on one core.
#[test]
fn several_cores_give_the_one_core_worklist() {
    let o = lac_backlog::synth::SynthOptions {
        overdue_share: Some(0.4),
        ..lac_backlog::synth::SynthOptions::new(3 * lac_backlog::triage::PARALLEL_MIN_CHILDREN + 7, 5, as_of())
    };
    let cohort = lac_backlog::synth::synthetic_cohort(&o);
    let p = Policy::default();
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| worklist_table(&std::sync::Arc::new(triage(&cohort, as_of(), &p, &[]))).to_csv_string())
    };
    let one = on(1);
    assert!(one.lines().count() > 20_000);
    assert_eq!(on(3), one);
}
