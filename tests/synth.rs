//! The synthetic council: deterministic per seed, and its marginals match the distributions
//! docs/synthetic.md states (England, from the DfE statistics it cites) within tolerance on 100,000 children.

mod common;
use common::*;

use chrono::NaiveDate;
use lac_backlog::calendar::{age_on, sub_months};
use lac_backlog::policy::LeapDayBirthday;
use lac_backlog::synth::{synthetic_cohort, SynthOptions};
use lac_backlog::table::status_table;
use lac_backlog::{status_all, Cohort, Outcome, Policy, Scheduler, Status};
use proptest::prelude::*;

fn as_of() -> NaiveDate {
    ymd(2024, 3, 31)
}

struct Marginals {
    age: [f64; 5],
    uasc: f64,
    uasc_16_plus: f64,
    sdq: [f64; 3],
    sdq_mean: f64,
    twelve_month_share: f64,
    annual_ha: f64,
    iha_on_time: f64,
    overdue: f64,
}

fn marginals(c: &Cohort) -> Marginals {
    let n = c.len() as f64;
    let t = as_of();
    let ages: Vec<u32> = c.children.iter().map(|k| age_on(k.date_of_birth, t, LeapDayBirthday::March1)).collect();
    let band = |lo: u32, hi: u32| ages.iter().filter(|a| (lo..hi).contains(*a)).count() as f64 / n;
    let uasc: Vec<usize> = (0..c.len()).filter(|i| c.children[*i].uasc).collect();
    let scores: Vec<u8> = c.children.iter().filter_map(|k| k.sdq_score).collect();
    let sband = |lo: u8, hi: u8| scores.iter().filter(|s| (lo..=hi).contains(*s)).count() as f64 / scores.len() as f64;
    let year_ago = sub_months(t, 12).unwrap();
    let cohort12: Vec<_> = c.children.iter().filter(|k| k.care_start <= year_ago).collect();
    let assessed = cohort12
        .iter()
        .filter(|k| k.assessments.iter().any(|a| a.outcome == Outcome::Completed && a.completed_on > year_ago && a.completed_on <= t))
        .count() as f64;
    let sched = Scheduler::new(&Policy::default());
    let entrants: Vec<_> = c.children.iter().filter(|k| k.care_start > year_ago && sched.iha_due(k.care_start).unwrap() <= t).collect();
    let on_time = entrants
        .iter()
        .filter(|k| {
            let due = sched.iha_due(k.care_start).unwrap();
            k.assessments.iter().any(|a| a.outcome == Outcome::Completed && a.completed_on >= k.care_start && a.completed_on <= due)
        })
        .count() as f64;
    let statuses: Vec<Status> = c.children.iter().map(|k| sched.child_status(k, t).status).collect();
    let in_scope = statuses.iter().filter(|s| **s != Status::NotRequired).count() as f64;
    Marginals {
        age: [band(0, 1), band(1, 5), band(5, 10), band(10, 16), band(16, 18)],
        uasc: uasc.len() as f64 / n,
        uasc_16_plus: uasc.iter().filter(|i| ages[**i] >= 16).count() as f64 / uasc.len() as f64,
        sdq: [sband(0, 13), sband(14, 16), sband(17, 40)],
        sdq_mean: scores.iter().map(|s| f64::from(*s)).sum::<f64>() / scores.len() as f64,
        twelve_month_share: cohort12.len() as f64 / n,
        annual_ha: assessed / cohort12.len() as f64,
        iha_on_time: on_time / entrants.len() as f64,
        overdue: statuses.iter().filter(|s| **s == Status::Overdue).count() as f64 / in_scope,
    }
}

fn close(name: &str, got: f64, want: f64, tol: f64) {
    assert!((got - want).abs() <= tol, "{name}: got {got:.4}, want {want} ± {tol}");
}

#[test]
fn the_same_seed_gives_the_same_council() {
    let o = SynthOptions::new(500, 7, as_of());
    let a = synthetic_cohort(&o);
    assert_eq!(a, synthetic_cohort(&o));
    assert_ne!(a, synthetic_cohort(&SynthOptions { seed: 8, ..o.clone() }));
    // A larger council begins with the same children (each child is its own random stream).
    let big = synthetic_cohort(&SynthOptions { children: 600, ..o.clone() });
    assert_eq!(a.children[0].date_of_birth, big.children.iter().find(|c| c.id == a.children[0].id).unwrap().date_of_birth);
    assert_eq!(a.children[0].id, "000001");
}

#[test]
fn marginals_match_england_on_100000_children() {
    let c = synthetic_cohort(&SynthOptions::new(100_000, 1, as_of()));
    let m = marginals(&c);
    eprintln!(
        "age {:?} uasc {:.3} uasc16+ {:.3} sdq {:?} mean {:.2} 12m {:.3} annual_ha {:.3} iha {:.3} overdue {:.3}",
        m.age, m.uasc, m.uasc_16_plus, m.sdq, m.sdq_mean, m.twelve_month_share, m.annual_ha, m.iha_on_time, m.overdue
    );
    for (got, want) in m.age.iter().zip([0.04, 0.13, 0.18, 0.38, 0.27]) {
        close("age band", *got, want, 0.01);
    }
    close("UASC share", m.uasc, 0.09, 0.01);
    close("UASC aged 16+", m.uasc_16_plus, 0.90, 0.03);
    for (got, want) in m.sdq.iter().zip([0.46, 0.13, 0.41]) {
        close("SDQ band", *got, want, 0.015);
    }
    close("SDQ mean", m.sdq_mean, 14.7, 0.4);
    close("looked after 12 months+", m.twelve_month_share, 59_480.0 / 83_630.0, 0.03);
    close("annual health assessment", m.annual_ha, 0.89, 0.02);
    close("IHA within 20 working days", m.iha_on_time, 0.525, 0.05);
    assert!(m.overdue < 0.15, "a typical council is mostly up to date: {}", m.overdue);
}

#[test]
fn the_backlog_knob_hits_its_target() {
    for target in [0.25, 0.40, 0.60] {
        let mut o = SynthOptions::new(20_000, 3, as_of());
        o.overdue_share = Some(target);
        let m = marginals(&synthetic_cohort(&o));
        close("overdue share", m.overdue, target, 0.03);
    }
}

#[test]
fn a_synthetic_council_passes_its_own_validation() {
    let c = synthetic_cohort(&SynthOptions::new(2_000, 11, as_of()));
    let (children, assessments) = lac_backlog::table::cohort_csv(&c);
    let l =
        lac_backlog::load_csv_bytes("c.csv", children.as_bytes(), "a.csv", assessments.as_bytes(), &lac_backlog::ReadOptions::new(as_of()));
    assert!(l.report.errors().next().is_none(), "{:?}", l.report.errors().take(3).collect::<Vec<_>>());
    let back = l.into_cohort().unwrap();
    let before = status_table(&c, &status_all(&c, as_of(), &Policy::default())).to_csv_string();
    let after = status_table(&back, &status_all(&back, as_of(), &Policy::default())).to_csv_string();
    assert_eq!(before, after);
}

/// A council large enough that reading shares the attaching and sorting of assessments among
/// the cores (stretches of at least 20,000 children): read back on one, two and three threads,
/// with the assessment rows in child order and reversed, every child has exactly their own
/// assessments, in order, whatever stretch they and their assessments fell in.
#[test]
fn a_large_council_reads_back_whole() {
    let c = synthetic_cohort(&SynthOptions::new(45_000, 5, as_of()));
    let (children, assessments) = lac_backlog::table::cohort_csv(&c);
    let mut lines: Vec<&str> = assessments.lines().collect();
    lines[1..].reverse();
    let reversed = lines.join("\n");
    for threads in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        for a in [&assessments, &reversed] {
            let l = pool.install(|| {
                lac_backlog::load_csv_bytes("c.csv", children.as_bytes(), "a.csv", a.as_bytes(), &lac_backlog::ReadOptions::new(as_of()))
            });
            let back = l.into_cohort().unwrap();
            assert_eq!(back.children.len(), c.children.len());
            for (a, b) in c.children.iter().zip(&back.children) {
                assert_eq!((&a.id, &a.assessments), (&b.id, &b.assessments), "{threads} thread(s)");
            }
        }
    }
}

/// Whatever synth writes is accepted whole by the reader with today = as_of (no error, every
/// row accepted), and holds the facts the reader cannot see: no date after as_of, nobody in
/// care at or after 18 at as_of, nobody starting care at 18 or before birth, no assessment
/// before birth.
fn assert_validates_whole(o: &SynthOptions) -> Result<(), TestCaseError> {
    let c = synthetic_cohort(o);
    let as_of = o.as_of;
    let (children, assessments) = lac_backlog::table::cohort_csv(&c);
    let l =
        lac_backlog::load_csv_bytes("c.csv", children.as_bytes(), "a.csv", assessments.as_bytes(), &lac_backlog::ReadOptions::new(as_of));
    let errors: Vec<String> = l.report.errors().take(3).map(|p| p.to_string()).collect();
    prop_assert!(errors.is_empty(), "{:?}: {:?}", (o.children, o.seed, as_of, o.overdue_share), errors);
    for (file, counts) in &l.report.tables {
        prop_assert_eq!(counts.read, counts.accepted, "{}: every row accepted", file);
    }
    for k in &c.children {
        prop_assert!(k.date_of_birth <= k.care_start && k.care_start <= as_of, "{}", k.id);
        prop_assert!(sub_months(k.care_start, 12 * 18).is_none_or(|l| k.date_of_birth > l), "{} starts care at 18", k.id);
        prop_assert!(age_on(k.date_of_birth, as_of, LeapDayBirthday::March1) < 18, "{} is 18 at as_of", k.id);
        for a in &k.assessments {
            prop_assert!(a.completed_on >= k.date_of_birth && a.completed_on <= as_of, "{} assessment {}", k.id, a.completed_on);
        }
    }
    Ok(())
}

/// An as_of anywhere in the years synth allows, often on a month end, a 29 February or a 31
/// March (the dates that broke it once).
fn any_as_of() -> impl Strategy<Value = NaiveDate> {
    let (lo, hi) = lac_backlog::synth::AS_OF_YEARS;
    prop_oneof![
        (lo..=hi, 1u32..=12, 1u32..=31).prop_map(|(y, m, d)| {
            (0..4).filter_map(|back| d.checked_sub(back)).find_map(|d| NaiveDate::from_ymd_opt(y, m, d)).unwrap_or_else(|| ymd(y, m, 1))
        }),
        (lo..=hi).prop_map(|y| ymd(y, 3, 31)),
        (lo / 4 + 1..=hi / 4).prop_map(|q| NaiveDate::from_ymd_opt(q * 4, 2, 29).unwrap_or_else(|| ymd(q * 4, 2, 28))),
    ]
}

proptest! {
    #![proptest_config(prop_config(48))]

    #[test]
    fn synth_output_always_validates(
        children in 1usize..250,
        seed in any::<u64>(),
        as_of in any_as_of(),
        overdue_share in proptest::option::of(0.0f64..0.95),
    ) {
        let o = SynthOptions { overdue_share, ..SynthOptions::new(children, seed, as_of) };
        prop_assert!(o.check().is_ok());
        assert_validates_whole(&o)?;
    }
}

/// The case that was refused (issue 16): with seed 5 at 2024-03-31, child 175,768 of a
/// 1,000,000-child council was born 2006-03-31 and came into care on 2024-03-31, its 18th
/// birthday (birth dates were drawn up to the 28th of as_of's month 18 years back). Each child
/// is its own random stream, so the first 175,768 children are that council's first.
#[test]
fn synth_seed_5_at_31_march_2024_validates() {
    let o = SynthOptions::new(175_768, 5, as_of());
    let c = synthetic_cohort(&o);
    let last = c.children.last().unwrap();
    assert!(last.date_of_birth > ymd(2006, 3, 31), "{} born {}", last.id, last.date_of_birth);
    assert_validates_whole(&o).unwrap();
}

#[test]
fn synth_refuses_an_as_of_it_cannot_fill() {
    for bad in [ymd(1919, 12, 31), ymd(3000, 1, 1), ymd(1, 1, 1)] {
        let err = SynthOptions::new(10, 1, bad).check().unwrap_err();
        assert!(err.contains("1920 to 2999"), "{err}");
    }
    assert!(SynthOptions { overdue_share: Some(1.0), ..SynthOptions::new(10, 1, as_of()) }.check().is_err());
    assert!(SynthOptions::new(10, 1, ymd(1920, 1, 1)).check().is_ok());
}

/// The whole 1,000,000-child council of issue 16 (seed 5, as of 2024-03-31) is accepted whole.
/// Minutes and gigabytes in a dev build: `make fuzz` runs it in release.
#[test]
#[ignore]
fn synth_one_million_seed_5_validates() {
    assert_validates_whole(&SynthOptions::new(1_000_000, 5, as_of())).unwrap();
}
