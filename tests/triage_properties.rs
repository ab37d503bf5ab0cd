//! Property tests of triage: an extra risk factor never lowers a score or the tier; more days
//! overdue never ranks a child lower; input order never changes the worklist.

mod common;
use common::*;

use chrono::{Days, NaiveDate};
use lac_backlog::table::worklist_table;
use lac_backlog::triage::triage;
use lac_backlog::{Child, Cohort, Policy, Signals};
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
        prop::option::of(0u8..41),
        prop::option::of(0u32..6),
        prop::option::of(0u32..6),
    )
        .prop_map(|(age, dob_day, ago, f, sdq, moves, missing)| {
            let dob = ymd(2021 - age, 1, 1) - Days::new(u64::from(dob_day));
            let last = as_of() - Days::new(ago);
            let mut c = child(dob, ymd(2005, 1, 1).max(dob), vec![done(last)]);
            c.signals = Signals {
                complex_health_needs: f[0],
                disability: f[1],
                mental_health_concern: f[2],
                self_harm: f[3],
                substance_misuse: f[4],
                pregnant_or_parent: f[5],
                exploitation_risk: f[6],
                youth_justice: f[7],
                out_of_area: f[8],
            };
            c.uasc = f[9];
            c.missing = f[10];
            c.sdq_score = sdq;
            c.placement_moves_12m = moves;
            c.missing_episodes_12m = missing;
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

proptest! {
    #![proptest_config(prop_config(256))]

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
        let want = worklist_table(&triage(&Cohort::from_children(children.clone()), as_of(), &p, &[])).to_csv_string();
        let mut shuffled = children.clone();
        let n = shuffled.len();
        for i in 0..n {
            let j = ((seed.rotate_left(i as u32 % 64) ^ (i as u64).wrapping_mul(0x9E37_79B9)) % n as u64) as usize;
            shuffled.swap(i, j);
        }
        let got = worklist_table(&triage(&Cohort::from_children(shuffled), as_of(), &p, &[])).to_csv_string();
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
        pool.install(|| worklist_table(&triage(&cohort, as_of(), &p, &[])).to_csv_string())
    };
    let one = on(1);
    assert!(one.lines().count() > 20_000);
    assert_eq!(on(3), one);
}
