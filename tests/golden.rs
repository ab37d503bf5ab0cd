//! Golden-file back-tests: outputs that must not change without a reviewed update. Regenerate
//! with `UPDATE_GOLDEN=1 cargo test --test golden` and review the diff.

mod common;

use std::path::{Path, PathBuf};

use lac_backlog::table::{status_table, worklist_table};
use lac_backlog::{load_csv, status_all, Cohort, Policy, ReadOptions};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read_cohort(dir: PathBuf, children: &str, assessments: &str) -> Cohort {
    let today = common::ymd(2021, 10, 21);
    load_csv(&dir.join(children), &dir.join(assessments), &ReadOptions { today })
        .and_then(|l| l.into_cohort())
        .expect("the test cohort is valid")
}

/// Compare with `tests/golden/NAME` (or write it when UPDATE_GOLDEN is set).
fn check_golden(name: &str, got: &str) {
    let golden = root().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, got).expect("write golden");
    }
    let want = std::fs::read_to_string(&golden).expect("golden file exists (UPDATE_GOLDEN=1 to create)");
    assert_eq!(got, want, "{name} changed; review and UPDATE_GOLDEN=1 if intended");
}

#[test]
fn example_cohort_status_matches_the_golden_file() {
    let cohort = read_cohort(root().join("python/lac_backlog/data"), "example_children.csv", "example_assessments.csv");
    let as_of = common::ymd(2021, 10, 21);
    let got = status_table(&cohort, &status_all(&cohort, as_of, &Policy::default())).to_csv_string();
    check_golden("example_status_2021-10-21.csv", &got);
}

#[test]
fn triage_of_the_50_child_cohort_matches_the_golden_worklist() {
    let cohort = read_cohort(root().join("tests/data"), "triage50_children.csv", "triage50_assessments.csv");
    let wl = lac_backlog::triage::triage(&cohort, common::ymd(2021, 10, 21), &Policy::default(), &[]);
    check_golden("triage50_worklist_2021-10-21.csv", &worklist_table(&wl).to_csv_string());
}

#[test]
fn a_12_month_kpi_series_on_a_synthetic_council_matches_the_golden_file() {
    use lac_backlog::kpi::{compute, kpi_table, month_ends, trend_table, GroupBy};
    let as_of = common::ymd(2021, 10, 21);
    let mut o = lac_backlog::synth::SynthOptions::new(1500, 2021, as_of);
    o.overdue_share = Some(0.4);
    let cohort = lac_backlog::synth::synthetic_cohort(&o);
    let rows = compute(&cohort, &month_ends(as_of, 12), GroupBy::None, &Policy::default());
    check_golden("kpi_series_synth1500_2021-10-21.csv", &kpi_table(&rows, GroupBy::None, false, &Policy::default()).to_csv_string());
    check_golden("kpi_trend_synth1500_2021-10-21.csv", &trend_table(&rows, false, &Policy::default()).to_csv_string());
}
