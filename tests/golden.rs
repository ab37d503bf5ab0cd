//! Golden-file back-test: the status table of the shipped example cohort at 2021-10-21 must not
//! change without a reviewed update. Regenerate with `UPDATE_GOLDEN=1 cargo test --test golden`
//! and review the diff.

mod common;

use std::path::Path;

use lac_backlog::table::status_table;
use lac_backlog::{load_csv, status_all, Policy, ReadOptions};

#[test]
fn example_cohort_status_matches_the_golden_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("python/lac_backlog/data");
    let as_of = common::ymd(2021, 10, 21);
    let cohort = load_csv(&data.join("example_children.csv"), &data.join("example_assessments.csv"), &ReadOptions { today: as_of })
        .and_then(|l| l.into_cohort())
        .expect("the example cohort is valid");
    let got = status_table(&cohort, &status_all(&cohort, as_of, &Policy::default())).to_csv_string();
    let golden = root.join("tests/golden/example_status_2021-10-21.csv");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &got).expect("write golden");
    }
    let want = std::fs::read_to_string(&golden).expect("golden file exists (UPDATE_GOLDEN=1 to create)");
    assert_eq!(got, want, "status of the example cohort changed; review and UPDATE_GOLDEN=1 if intended");
}

#[test]
fn triage_of_the_50_child_cohort_matches_the_golden_worklist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("tests/data");
    let as_of = common::ymd(2021, 10, 21);
    let cohort = load_csv(&data.join("triage50_children.csv"), &data.join("triage50_assessments.csv"), &ReadOptions { today: as_of })
        .and_then(|l| l.into_cohort())
        .expect("the 50-child cohort is valid");
    let wl = lac_backlog::triage::triage(&cohort, as_of, &Policy::default(), &[]);
    let got = lac_backlog::table::worklist_table(&wl).to_csv_string();
    let golden = root.join("tests/golden/triage50_worklist_2021-10-21.csv");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &got).expect("write golden");
    }
    let want = std::fs::read_to_string(&golden).expect("golden file exists (UPDATE_GOLDEN=1 to create)");
    assert_eq!(got, want, "the worklist of the 50-child cohort changed; review and UPDATE_GOLDEN=1 if intended");
}
