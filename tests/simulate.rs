//! The simulation: closed-form cases in deterministic mode, upward-only substitution,
//! conservation (proptest), seed reproducibility, Little's law, and a back-test against a
//! stored summary.

mod common;
use common::*;

use chrono::{Days, NaiveDate};
use lac_backlog::calendar::sub_months;
use lac_backlog::rng::Rng;
use lac_backlog::simulate::{
    capacity_needed, run_once, simulate, summary_table, trajectory_table, CapacityChange, Costs, Goal, Scenario, ScenarioFile,
};
use lac_backlog::synth::{synthetic_cohort, SynthOptions};
use lac_backlog::{Child, Cohort, Policy};
use proptest::prelude::*;

fn as_of() -> NaiveDate {
    ymd(2021, 10, 4) // a Monday
}

/// `b` children aged 10, each about two months overdue for a review (next due 12 months after).
fn overdue_cohort(b: usize) -> Cohort {
    let last = sub_months(as_of(), 14).unwrap();
    Cohort::from_children(
        (0..b)
            .map(|i| {
                let mut c = child(ymd(2011, 1, 1), ymd(2015, 1, 5), vec![done(ymd(2015, 1, 20)), done(last - Days::new(i as u64 % 20))]);
                c.id = format!("C{i:04}").into();
                c
            })
            .collect(),
    )
}

fn only(face_to_face: u32, virtual_: u32, questionnaire: u32) -> Scenario {
    Scenario {
        name: "test".into(),
        face_to_face_per_week: face_to_face,
        virtual_per_week: virtual_,
        questionnaire_per_week: questionnaire,
        new_entrants_per_week: 0.0,
        did_not_attend_rate: 0.0,
        ..Scenario::default()
    }
}

/// The setup of a simulation from as_of.
fn setup<'a>(weeks: u32, seed: u64, policy: &'a Policy, costs: &'a Costs, deterministic: bool) -> lac_backlog::simulate::Setup<'a> {
    lac_backlog::simulate::Setup { as_of: as_of(), weeks, seed, policy, costs, deterministic }
}

fn once(cohort: &Cohort, s: &Scenario, weeks: u32) -> lac_backlog::simulate::Run {
    let (p, costs) = (Policy::default(), Costs::default());
    run_once(cohort, s, &setup(weeks, 0, &p, &costs, true), &mut Rng::new(1, 0))
}

#[test]
fn b_overdue_and_c_slots_clear_in_ceil_b_over_c_weeks() {
    for (b, c) in [(1, 1), (10, 3), (50, 7), (120, 20), (100, 100), (37, 1)] {
        let cohort = overdue_cohort(b);
        let r = once(&cohort, &only(c, 0, 0), (b as u32).div_ceil(c) + 3);
        assert_eq!(r.weeks_to_clear, Some((b as u32).div_ceil(c)), "B={b} c={c}");
        assert_eq!(r.seen(), b as u32);
        for (w, week) in r.weeks.iter().enumerate() {
            assert_eq!(week.seen, c.min((b as u32).saturating_sub(w as u32 * c)), "week {w}");
        }
    }
}

#[test]
fn substitution_is_upward_only() {
    // Aged 16, stable placement, every need signal known and no, a recent normal SDQ, recent
    // face-to-face: recommended a questionnaire.
    let cohort = {
        let mut k = overdue_cohort(10);
        for c in &mut k.children {
            c.date_of_birth = ymd(2005, 6, 1);
            c.placement_moves_12m = Some(0);
            c.signals = lac_backlog::Signals::none();
            c.sdq_score = Some(8);
            c.sdq_date = Some(ymd(2021, 6, 1));
        }
        k
    };
    let wl = lac_backlog::triage::triage(&cohort, as_of(), &Policy::default(), &[]);
    assert!(wl.rows.iter().all(|r| r.modality == lac_backlog::Modality::Questionnaire));
    // Face-to-face slots may serve them.
    assert_eq!(once(&cohort, &only(10, 0, 0), 2).seen(), 10);
    // Under-5s (face to face only) cannot use questionnaire or virtual slots.
    let babies = {
        let mut k = overdue_cohort(10);
        for c in &mut k.children {
            c.date_of_birth = ymd(2018, 1, 1);
            c.assessments.truncate(1);
            c.assessments.push(done(sub_months(as_of(), 8).unwrap()));
        }
        k
    };
    assert_eq!(once(&babies, &only(0, 10, 10), 3).seen(), 0);
    assert_eq!(once(&babies, &only(5, 10, 10), 1).seen(), 5);
}

#[test]
fn a_ramp_up_adds_slots_from_its_week() {
    let mut s = only(2, 0, 0);
    s.changes.push(CapacityChange { from_week: 3, face_to_face_per_week: Some(10), virtual_per_week: None, questionnaire_per_week: None });
    assert_eq!((s.slots(1), s.slots(2), s.slots(3), s.slots(9)), ([2, 0, 0], [2, 0, 0], [10, 0, 0], [10, 0, 0]));
    let r = once(&overdue_cohort(30), &s, 6);
    // 2 + 2 + 10 + 10 + 6: cleared in week 5.
    assert_eq!(r.weeks_to_clear, Some(5));
}

#[test]
fn missing_children_are_not_seen_and_do_not_block_clearance() {
    let mut cohort = overdue_cohort(6);
    cohort.children[0].missing = true;
    let r = once(&cohort, &only(10, 0, 0), 3);
    assert_eq!(r.seen(), 5);
    assert_eq!(r.weeks_to_clear, Some(1));
    assert_eq!(r.weeks[0].overdue, 1);
}

#[test]
fn the_same_seed_gives_the_same_runs_in_any_batches() {
    let c = synthetic_cohort(&SynthOptions { overdue_share: Some(0.3), ..SynthOptions::new(300, 4, as_of()) });
    let s = Scenario { face_to_face_per_week: 8, virtual_per_week: 4, ..Scenario::default() };
    let p = Policy::default();
    let all = simulate(&c, &s, &setup(20, 9, &p, &Costs::default(), false), 0..8);
    let mut parts = simulate(&c, &s, &setup(20, 9, &p, &Costs::default(), false), 0..3);
    parts.extend(simulate(&c, &s, &setup(20, 9, &p, &Costs::default(), false), 3..8));
    assert_eq!(all, parts);
    assert_ne!(all, simulate(&c, &s, &setup(20, 10, &p, &Costs::default(), false), 0..8));
}

#[test]
fn littles_law_holds_for_the_queue() {
    // No one at the start; 3.5 entrants a week (3, 4, 3, 4, ... by accumulation, then their
    // reviews), slots to spare, and 30% did-not-attend: each child waits a geometric number of
    // weeks, 1 / (1 - 0.3) on average. Time-average queue = joining rate x mean weeks queued.
    let empty = Cohort::from_children(Vec::<Child>::new());
    let s = Scenario { new_entrants_per_week: 3.5, did_not_attend_rate: 0.3, ..only(40, 0, 0) };
    let r = once(&empty, &s, 260);
    let weeks = r.weeks.len() as f64;
    let l = r.weeks.iter().map(|w| f64::from(w.queued)).sum::<f64>() / weeks;
    let lambda = f64::from(r.joined) / weeks;
    let w = r.queue_weeks_of_seen as f64 / f64::from(r.seen());
    assert!((l - lambda * w).abs() / l < 0.05, "L {l:.3} vs lambda W {:.3}", lambda * w);
    assert!((w - 1.0 / 0.7).abs() < 0.1, "mean weeks queued {w:.3}");
    assert_eq!(r.arrived, (3.5f64 * 260.0).floor() as u32);
}

proptest! {
    #![proptest_config(prop_config(24))]

    #[test]
    fn no_child_is_lost_or_invented(n in 1usize..120, seed in any::<u64>(), f2f in 0u32..15, virt in 0u32..6, q in 0u32..6, arrivals in 0.0f64..4.0, dna in 0.0f64..0.4, weeks in 1u32..40) {
        let c = synthetic_cohort(&SynthOptions { overdue_share: Some(0.3), ..SynthOptions::new(n, seed, as_of()) });
        let s = Scenario { face_to_face_per_week: f2f, virtual_per_week: virt, questionnaire_per_week: q, new_entrants_per_week: arrivals, did_not_attend_rate: dna, ..Scenario::default() };
        let (p, costs) = (Policy::default(), Costs::default());
        let r = run_once(&c, &s, &setup(weeks, 0, &p, &costs, false), &mut Rng::new(seed, 1));
        prop_assert_eq!(r.started + r.arrived, r.present_end() + r.left);
        prop_assert!(r.weeks.iter().all(|w| w.seen + w.did_not_attend <= f2f + virt + q));
        prop_assert!(r.weeks.iter().all(|w| w.overdue <= w.present && w.overdue_seeable <= w.overdue));
    }
}

#[test]
fn capacity_search_finds_the_smallest_that_clears() {
    let cohort = overdue_cohort(60);
    let base = only(1, 0, 0);
    // Clear 60 children within 6 weeks: 10 a week.
    let (p, costs) = (Policy::default(), Costs::default());
    let (c, tried) =
        capacity_needed(&cohort, &base, &setup(52, 1, &p, &costs, false), 1, Goal::ClearBy(as_of() + Days::new(42)), 1.0).unwrap();
    assert_eq!(c, Some(10), "{tried:?}");
}

/// Each of these once aborted, hung or overflowed; now each is refused up front with a
/// message saying what to change (issue 17).
#[test]
fn capacity_and_size_limits_are_refused_up_front() {
    let cohort = overdue_cohort(10);
    let base = only(1, 0, 0);
    let p = Policy::default();
    let ask = |weeks, runs, goal, probability| {
        let costs = Costs::default();
        capacity_needed(&cohort, &base, &setup(weeks, 1, &p, &costs, false), runs, goal, probability).unwrap_err().to_string()
    };
    let far = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
    assert!(ask(52, 1, Goal::ClearBy(far), 0.9).contains("within 520 weeks"));
    assert!(ask(52, 1, Goal::ClearBy(as_of()), 0.9).contains("at least a week after"));
    assert!(ask(4_000_000_000, 1, Goal::UpToDate(90.0), 0.9).contains("weeks must be 1 to 520"));
    assert!(ask(0, 1, Goal::UpToDate(90.0), 0.9).contains("weeks must be 1 to 520"));
    assert!(ask(52, 1, Goal::UpToDate(900.0), 0.9).contains("percentage"));
    assert!(ask(52, 1, Goal::UpToDate(90.0), 0.0).contains("probability"));
    assert!(ask(52, 0, Goal::UpToDate(90.0), 0.9).contains("runs must be"));
    // 100,000 runs of 520 weeks of 4 options: about 11 GB of results, over the 2 GB default.
    let e = lac_backlog::simulate::check_size(1_500, 4, 520, 100_000, 3.0, &p).unwrap_err().to_string();
    assert!(e.contains("MB") && e.contains("simulation.max_memory_mb"), "{e}");
    assert!(lac_backlog::simulate::check_size(1_500, 4, 52, 1_000, 3.0, &p).is_ok());
    // Slots past their bound, costs that are not numbers, and a file with no option.
    let e = ScenarioFile::from_toml_str("[[scenario]]\nname = \"x\"\nface_to_face_per_week = 4294967295\nvirtual_per_week = 1\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("face_to_face_per_week must be 0 to 100000"), "{e}");
    for bad in ["nan", "-1.0", "inf"] {
        let text = format!("[costs]\nnurse_cost_per_hour = {bad}\n[[scenario]]\nname = \"x\"\n");
        assert!(ScenarioFile::from_toml_str(&text).unwrap_err().to_string().contains("nurse_cost_per_hour"), "{bad}");
    }
    assert!(ScenarioFile::from_toml_str("weeks = 52\n").unwrap_err().to_string().contains("no [[scenario]]"));
}

#[test]
fn back_test_against_the_stored_summary() {
    let c = synthetic_cohort(&SynthOptions { overdue_share: Some(0.4), ..SynthOptions::new(400, 2021, as_of()) });
    let p = Policy::default();
    let scenarios = [
        Scenario { name: "baseline".into(), face_to_face_per_week: 6, ..Scenario::default() },
        Scenario { name: "more_clinics".into(), face_to_face_per_week: 12, ..Scenario::default() },
        Scenario {
            name: "virtual_and_questionnaire".into(),
            face_to_face_per_week: 6,
            virtual_per_week: 4,
            questionnaire_per_week: 3,
            ..Scenario::default()
        },
    ];
    let results: Vec<(String, Vec<lac_backlog::simulate::Run>)> =
        scenarios.iter().map(|s| (s.name.clone(), simulate(&c, s, &setup(26, 7, &p, &Costs::default(), false), 0..30))).collect();
    let summary = summary_table(&results).to_csv_string();
    let trajectory = trajectory_table(&results, as_of()).to_csv_string();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    for (name, got) in [("simulate_summary_synth400.csv", &summary), ("simulate_trajectory_synth400.csv", &trajectory)] {
        let path = dir.join(name);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, got).unwrap();
        }
        assert_eq!(got, &std::fs::read_to_string(&path).expect("golden (UPDATE_GOLDEN=1 to create)"), "{name} changed");
    }
    // Twelve clinics a week only just exceed the ongoing demand: nothing clears in 26 weeks, but
    // the backlog left is far smaller than with six, and mixed slots sit between.
    let overdue_end = |i: usize| results[i].1.iter().map(|r| r.weeks.last().unwrap().overdue).sum::<u32>();
    assert!(overdue_end(1) < overdue_end(2) && overdue_end(2) < overdue_end(0));
}

/// The core's batch type runs a scenario file to the end in batches and gives the same summary
/// as one call per option (the Python layer only shows progress between batches).
#[test]
fn a_batch_run_in_pieces_gives_the_whole_runs_summary() {
    let cohort = overdue_cohort(40);
    let file = ScenarioFile::from_toml_str("weeks = 8\nruns = 5\nseed = 3\n[[scenario]]\nname = \"a\"\nface_to_face_per_week = 4\n[[scenario]]\nname = \"b\"\nface_to_face_per_week = 8\n").unwrap();
    let mut b = lac_backlog::simulate::Batch::new(file.clone(), cohort.len(), as_of(), &Policy::default()).unwrap();
    assert_eq!(b.progress(), (10, 0));
    let mut steps = 0;
    while b.step(&cohort, 2) > 0 {
        steps += 1;
    }
    assert_eq!((b.progress(), steps), ((10, 10), 6));
    let whole: Vec<(String, Vec<lac_backlog::simulate::Run>)> = file
        .scenario
        .iter()
        .map(|s| (s.name.clone(), simulate(&cohort, s, &setup(8, 3, &Policy::default(), &file.costs, false), 0..5)))
        .collect();
    assert_eq!(b.summary().to_csv_string(), summary_table(&whole).to_csv_string());
    assert!(lac_backlog::simulate::Batch::new(ScenarioFile { runs: 0, ..file }, 40, as_of(), &Policy::default()).is_err());
}

#[test]
fn goals_read_from_text() {
    assert_eq!("clear_by=2022-03-31".parse::<Goal>(), Ok(Goal::ClearBy(NaiveDate::from_ymd_opt(2022, 3, 31).unwrap())));
    assert_eq!("up_to_date=90".parse::<Goal>(), Ok(Goal::UpToDate(90.0)));
    assert!("clear_by=31/03/2022".parse::<Goal>().is_err() && "soon".parse::<Goal>().is_err());
    assert!(Goal::of(None, None).is_err() && Goal::of(Some(as_of()), Some(1.0)).is_err());
}
