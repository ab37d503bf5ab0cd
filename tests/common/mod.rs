//! Helpers shared by the integration tests.
#![allow(dead_code)]

use chrono::NaiveDate;
use lac_backlog::{Assessment, AssessmentType, Child, Modality, Outcome};

pub fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

pub fn iso(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("valid test date")
}

pub fn done(on: NaiveDate) -> Assessment {
    Assessment { completed_on: on, kind: AssessmentType::Rha, modality: Modality::FaceToFace, outcome: Outcome::Completed }
}

pub fn declined(on: NaiveDate) -> Assessment {
    Assessment { completed_on: on, kind: AssessmentType::Rha, modality: Modality::Virtual, outcome: Outcome::Declined }
}

/// A child born `dob`, in care from `care_start`, with the given assessments.
pub fn child(dob: NaiveDate, care_start: NaiveDate, assessments: Vec<Assessment>) -> Child {
    let mut c = Child::new("C1", dob, care_start);
    c.assessments = assessments;
    c.assessments.sort();
    c
}

pub fn today() -> NaiveDate {
    ymd(2026, 11, 23)
}

/// Read a children and an assessments table from text (as `children.csv` and
/// `assessments.csv`, today = [`today`]), asserting that every table reconciles.
pub fn load_tables(children: &str, assessments: &str) -> lac_backlog::Loaded {
    let l = lac_backlog::load_csv_bytes(
        "children.csv",
        children.as_bytes(),
        "assessments.csv",
        assessments.as_bytes(),
        &lac_backlog::ReadOptions::new(today()),
    );
    for (file, c) in &l.report.tables {
        assert!(c.reconciles(), "{file}: {c:?}");
    }
    l
}

/// The seed every property and fuzz test starts from in `make test`.
pub const PROPERTY_SEED: u64 = 0x1ac_ba61;

/// A property test's configuration: `cases` cases drawn from [`PROPERTY_SEED`], so that
/// `make test` (and a plain `cargo test`) runs the same cases every time. `FUZZ_RANDOM=1` (what
/// `make fuzz` sets) draws a fresh seed each run to explore; `PROPTEST_RNG_SEED=N` replays seed
/// N. A failure found while exploring is added to the test's fixed regression cases.
pub fn prop_config(cases: u32) -> proptest::test_runner::Config {
    use proptest::test_runner::{Config, RngSeed};
    let mut config = Config { cases, ..Config::default() };
    let explore = std::env::var_os("FUZZ_RANDOM").is_some_and(|v| !v.is_empty() && v != "0");
    if !explore && std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(PROPERTY_SEED);
    }
    config
}
