//! The synthetic council: deterministic per seed, and its marginals match the distributions
//! docs/synthetic.md states (England, DOMAIN.md section 10) within tolerance on 100,000 children.

mod common;
use common::*;

use chrono::NaiveDate;
use lac_backlog::calendar::{age_on, sub_months};
use lac_backlog::policy::LeapDayBirthday;
use lac_backlog::synth::{synthetic_cohort, SynthOptions};
use lac_backlog::table::status_table;
use lac_backlog::{status_all, Cohort, Outcome, Policy, Scheduler, Status};

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
    let entrants: Vec<_> = c
        .children
        .iter()
        .filter(|k| k.care_start > year_ago && sched.iha_due(k.care_start).unwrap() <= t)
        .collect();
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
    let l = lac_backlog::load_csv_bytes("c.csv", children.as_bytes(), "a.csv", assessments.as_bytes(), &lac_backlog::ReadOptions { today: as_of() });
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
                lac_backlog::load_csv_bytes("c.csv", children.as_bytes(), "a.csv", a.as_bytes(), &lac_backlog::ReadOptions { today: as_of() })
            });
            let back = l.into_cohort().unwrap();
            assert_eq!(back.children.len(), c.children.len());
            for (a, b) in c.children.iter().zip(&back.children) {
                assert_eq!((&a.id, &a.assessments), (&b.id, &b.assessments), "{threads} thread(s)");
            }
        }
    }
}
