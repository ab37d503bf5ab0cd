//! Fuzzing every reader (issue 9; docs/bad-input.md): arbitrary bytes, and mutations of valid
//! files (bytes deleted, inserted, replaced, lines duplicated or dropped, the file cut short).
//! Every reader must return a result or a precise error, never panic, and the table readers
//! must account for every row (read = accepted + rejected).
//!
//! `make test` runs a short budget (`FUZZ_CASES`, default 48 cases a reader) from a fixed seed,
//! the same cases every run; `make fuzz` a long one from fresh random seeds (`FUZZ_RANDOM=1`).
//! A crash found becomes a case in `regressions()` below.

mod common;
use common::prop_config;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use lac_backlog::simulate::ScenarioFile;
use lac_backlog::triage::read_overrides;
use lac_backlog::{load_csv_bytes, Error, Policy, ReadOptions};
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48)
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 10, 21).unwrap()
}

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn read(p: &str) -> Vec<u8> {
    std::fs::read(repo(p)).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// The first `n` lines of a file (the public 903 files are large; a prefix keeps cases fast).
fn head(bytes: &[u8], n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for line in bytes.split_inclusive(|b| *b == b'\n').take(n) {
        out.extend_from_slice(line);
    }
    out
}

/// One change to a file.
#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, bytes: Vec<u8> },
    Replace { at: usize, byte: u8 },
    DuplicateLine { line: usize },
    DropLine { line: usize },
    Truncate { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    // Bytes that matter to CSV, XML and TOML, and some that do not.
    let special =
        prop::sample::select(vec![b',', b'"', b'\n', b'\r', b'<', b'>', b'/', b'=', b'[', b']', b'-', b'0', b'9', 0xFF, 0xEF, 0x00, b' ']);
    prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..12)).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (any::<usize>(), special.clone()).prop_map(|(at, byte)| Mutation::Replace { at, byte }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Replace { at, byte }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        any::<usize>().prop_map(|line| Mutation::DropLine { line }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
    ]
}

fn apply(file: &[u8], muts: &[Mutation]) -> Vec<u8> {
    let mut b = file.to_vec();
    for m in muts {
        let n = b.len().max(1);
        match m {
            Mutation::Delete { at, len } => {
                let at = at % n;
                let end = (at + len).min(b.len());
                if at < end {
                    b.drain(at..end);
                }
            }
            Mutation::Insert { at, bytes } => {
                let at = at % (b.len() + 1);
                b.splice(at..at, bytes.iter().copied());
            }
            Mutation::Replace { at, byte } => {
                if !b.is_empty() {
                    let at = at % b.len();
                    b[at] = *byte;
                }
            }
            Mutation::DuplicateLine { line } | Mutation::DropLine { line } => {
                let mut lines: Vec<Vec<u8>> = b.split_inclusive(|c| *c == b'\n').map(<[u8]>::to_vec).collect();
                if !lines.is_empty() {
                    let i = line % lines.len();
                    if matches!(m, Mutation::DuplicateLine { .. }) {
                        let l = lines[i].clone();
                        lines.insert(i, l);
                    } else {
                        lines.remove(i);
                    }
                }
                b = lines.concat();
            }
            Mutation::Truncate { at } => b.truncate(at % n),
        }
    }
    b
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(mutation(), 1..6)
}

/// A case the fuzzer found (2026-11-23): a child's row duplicated twice over after an
/// inserted byte, so one child_id was on three rows, among them a row rejected for another
/// reason. Reading panicked looking for the lines of that id; it must report them all.
#[test]
fn a_child_id_on_several_rows_some_rejected_is_reported() {
    let mc = [
        Mutation::DropLine { line: 5525431367587290267 },
        Mutation::Insert { at: 17467330176430662446, bytes: vec![49] },
        Mutation::DuplicateLine { line: 2930659973829252204 },
        Mutation::DuplicateLine { line: 12031623152272648328 },
    ];
    let ma = [Mutation::DropLine { line: 16068872803117094711 }, Mutation::Truncate { at: 11115071543226027457 }];
    let c = apply(&read("python/lac_backlog/data/example_children.csv"), &mc);
    let a = apply(&read("python/lac_backlog/data/example_assessments.csv"), &ma);
    check_tables(&c, &a);
}

/// The children and assessments reader: never panics, and every row is accounted for.
fn check_tables(children: &[u8], assessments: &[u8]) {
    let l = load_csv_bytes("children.csv", children, "assessments.csv", assessments, &ReadOptions::new(today()));
    assert!(l.report.tables.iter().all(|(_, c)| c.reconciles()), "rows do not reconcile: {:?}", l.report.tables);
    for p in &l.report.problems {
        assert!(!p.file.is_empty(), "a problem names no file: {p:?}");
        assert!(p.value.chars().count() <= 101, "a value is not cut to 100 characters: {p:?}");
    }
    let accepted = l.report.tables[0].1.accepted as usize;
    let had_errors = l.report.has_errors();
    let n_assessments: u64 = l.report.tables[1].1.accepted;
    match l.into_cohort() {
        Ok(c) => {
            assert!(!had_errors);
            assert_eq!(c.len(), accepted);
            assert_eq!(c.assessment_count() as u64, n_assessments);
        }
        Err(Error::Data { errors, .. }) => assert!(!errors.is_empty()),
        Err(e) => panic!("only data errors come from bytes: {e}"),
    }
}

/// A 903 return written to a fresh folder, then read: never panics; a data problem is in the
/// report, and only an unreadable file is an `Err`.
fn check_903(files: &[(&str, Vec<u8>)]) {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("lac-backlog-fuzz-903-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let ret = lac_backlog::ssda903::read_dir(&dir, None).expect("the files exist and can be read");
    if let Some(end) = ret.year_end() {
        let _ = lac_backlog::oc2::oc2_table(&lac_backlog::oc2::oc2_measures(&ret, end), true, &Policy::default());
        let l = lac_backlog::ssda903::load_cohort(&ret, end, None, &ReadOptions::new(today()));
        assert!(l.report.problems.iter().all(|p| !p.file.is_empty()));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn check_policy(text: &str) {
    match Policy::from_toml_str(text) {
        Ok(p) => {
            // A policy that reads is valid, and writes and reads back the same.
            assert_eq!(Policy::from_toml_str(&p.to_toml()).ok().as_ref(), Some(&p));
        }
        Err(Error::Policy(msg)) => assert!(!msg.is_empty()),
        Err(e) => panic!("a policy text gives a policy error, not {e}"),
    }
}

fn check_scenarios(text: &str) {
    match ScenarioFile::from_toml_str(text) {
        Ok(f) => assert!(f.validate().is_ok()),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

fn check_overrides(bytes: &[u8]) {
    let (c, a) = (read("tests/data/triage50_children.csv"), read("tests/data/triage50_assessments.csv"));
    let cohort = load_csv_bytes("c", &c, "a", &a, &ReadOptions::new(today())).into_cohort().unwrap();
    match read_overrides("overrides.csv", bytes, &cohort, &Policy::default()) {
        Ok((ovr, _warnings)) => {
            for o in &ovr {
                assert!(cohort.get(&o.child_id).is_some() && !o.reason.is_empty() && !o.decided_by.is_empty());
            }
        }
        Err(Error::Data { errors, .. }) => assert!(!errors.is_empty()),
        Err(e) => panic!("overrides give data errors, not {e}"),
    }
}

/// A number as a policy or scenario file might hold it: small, at a type's edge, negative,
/// huge, fractional, or not a number at all.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..200).prop_map(|n| n.to_string()),
        any::<u32>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| format!("{f:?}")),
        Just("4294967295".to_string()),
        Just("18446744073709551615".to_string()),
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("-inf".to_string()),
        Just("-1".to_string()),
        Just("0".to_string()),
    ]
}

/// Every number a policy holds, by section and key.
const POLICY_NUMBERS: &[(&str, &str)] = &[
    ("schedule", "iha_deadline"),
    ("schedule", "iha_exemption_months"),
    ("schedule", "rha_interval_months_under_cadence_age"),
    ("schedule", "rha_interval_months_from_cadence_age"),
    ("schedule", "cadence_change_age"),
    ("schedule", "leaves_care_age"),
    ("schedule", "due_soon_days"),
    ("age_bands", "under_5_below"),
    ("age_bands", "plus_17_from"),
    ("data", "stale_after_days"),
    ("suppression", "min_count"),
    ("suppression", "max_count"),
    ("kpi", "target_pct"),
    ("kpi", "floor_pct"),
    ("kpi", "trend_stable_pp_per_month"),
    ("simulation", "max_memory_mb"),
    ("triage", "sdq_borderline_from"),
    ("triage", "sdq_concern_from"),
    ("triage", "high_need_from"),
    ("triage", "moderate_need_from"),
    ("triage.modality", "face_to_face_within_months"),
    ("triage.modality", "questionnaire_from_age"),
    ("triage.modality", "questionnaire_max_placement_moves"),
    ("triage.weights", "sdq_concern"),
    ("triage.weights", "self_harm"),
    ("triage.weights", "placement_move"),
    ("triage.weights", "placement_moves_cap"),
    ("triage.weights", "missing_episode"),
    ("triage.weights", "under_5"),
    ("triage.weights", "iha_overdue"),
    ("triage.weights", "overdue_per_week"),
    ("triage.weights", "overdue_cap"),
];

/// A policy with some numbers set: if it is accepted, the schedule and triage run on the
/// 50-child cohort without a panic; if not, the error says which setting.
fn check_policy_numbers(settings: &[(usize, String)]) {
    let mut sections: std::collections::BTreeMap<&str, Vec<String>> = std::collections::BTreeMap::new();
    for (i, v) in settings {
        let (section, key) = POLICY_NUMBERS[i % POLICY_NUMBERS.len()];
        sections.entry(section).or_default().push(format!("{key} = {v}"));
    }
    let text: String = sections.iter().map(|(s, kv)| format!("[{s}]\n{}\n", kv.join("\n"))).collect();
    match Policy::from_toml_str(&text) {
        Ok(p) => {
            let (c, a) = (read("tests/data/triage50_children.csv"), read("tests/data/triage50_assessments.csv"));
            let cohort = load_csv_bytes("c", &c, "a", &a, &ReadOptions::new(today())).into_cohort().unwrap();
            let wl = lac_backlog::triage::triage(&cohort, today(), &p, &[]);
            let _ = lac_backlog::table::worklist_table(&std::sync::Arc::new(wl));
            let _ = lac_backlog::status_all(&cohort, today(), &p);
        }
        Err(Error::Policy(msg)) => assert!(!msg.is_empty()),
        Err(e) => panic!("a policy text gives a policy error, not {e}"),
    }
}

/// Every number a scenario holds.
const SCENARIO_NUMBERS: &[&str] =
    &["face_to_face_per_week", "virtual_per_week", "questionnaire_per_week", "new_entrants_per_week", "did_not_attend_rate"];

/// A scenario file with some numbers set: if accepted (and small enough), it simulates a few
/// weeks of the 50-child cohort without a panic.
fn check_scenario_numbers(weeks: &str, runs: &str, cost: &str, settings: &[(usize, String)]) {
    let mut text = format!("weeks = {weeks}\nruns = {runs}\n[costs]\nnurse_cost_per_hour = {cost}\n[[scenario]]\nname = \"x\"\n");
    for (i, v) in settings {
        text.push_str(&format!("{} = {v}\n", SCENARIO_NUMBERS[i % SCENARIO_NUMBERS.len()]));
    }
    let Ok(f) = ScenarioFile::from_toml_str(&text) else { return };
    let (c, a) = (read("tests/data/triage50_children.csv"), read("tests/data/triage50_assessments.csv"));
    let cohort = load_csv_bytes("c", &c, "a", &a, &ReadOptions::new(today())).into_cohort().unwrap();
    let p = Policy::default();
    let s = &f.scenario[0];
    if lac_backlog::simulate::check_size(cohort.len(), 1, f.weeks, f.runs, s.new_entrants_per_week, &p).is_ok() {
        let weeks = f.weeks.min(6);
        let setup = lac_backlog::simulate::Setup { as_of: today(), weeks, seed: 1, policy: &p, costs: &f.costs, deterministic: false };
        let runs = lac_backlog::simulate::simulate(&cohort, s, &setup, 0..f.runs.min(2));
        assert!(runs.iter().all(|r| r.weeks.len() == weeks as usize && r.cost().is_finite()));
    }
}

const OVERRIDES: &str = "child_id,tier,modality,reason,decided_by,decided_on\n\
T001,P1,,seen in A&E last week,Dr A Nurse,2021-10-20\n\
T002,,face_to_face,\"needs an examination, not a form\",Designated Nurse,\n";

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..prop_config(cases()) })]

    #[test]
    fn children_and_assessments_from_arbitrary_bytes(c in prop::collection::vec(any::<u8>(), 0..600), a in prop::collection::vec(any::<u8>(), 0..600)) {
        check_tables(&c, &a);
    }

    #[test]
    fn children_and_assessments_mutated(mc in mutations(), ma in mutations()) {
        let c = apply(&read("python/lac_backlog/data/example_children.csv"), &mc);
        let a = apply(&read("python/lac_backlog/data/example_assessments.csv"), &ma);
        check_tables(&c, &a);
    }

    #[test]
    fn ssda903_csv_mutated(which in 0usize..5, m in mutations()) {
        let names = ["header.csv", "episodes.csv", "uasc.csv", "missing.csv", "oc2.csv"];
        let mut files: Vec<(&str, Vec<u8>)> = names.iter().map(|n| (*n, head(&read(&format!("tests/data/ssda903-fake/{n}")), 60))).collect();
        files[which].1 = apply(&files[which].1, &m);
        check_903(&files);
    }

    #[test]
    fn ssda903_csv_arbitrary(h in prop::collection::vec(any::<u8>(), 0..400), e in prop::collection::vec(any::<u8>(), 0..400)) {
        check_903(&[("header.csv", h), ("episodes.csv", e)]);
    }

    #[test]
    fn ssda903_xml_mutated(m in mutations()) {
        // The first children of the fake return, closed so that the unmutated file is whole.
        let xml = read("tests/data/ssda903-fake/fake_903.xml");
        let text = String::from_utf8_lossy(&xml);
        let cut = text.match_indices("</CHILD>").nth(20).map_or(text.len(), |(i, _)| i + "</CHILD>".len());
        let base = format!("{}</EXPSSDA903>", &text[..cut]);
        check_903(&[("return.xml", apply(base.as_bytes(), &m))]);
    }

    #[test]
    fn ssda903_xml_arbitrary(x in prop::collection::vec(any::<u8>(), 0..600)) {
        let mut b = b"<?xml version='1.0'?><EXPSSDA903>".to_vec();
        b.extend(x);
        check_903(&[("return.xml", b)]);
    }

    #[test]
    fn policy_toml_arbitrary(t in ".{0,300}") {
        check_policy(&t);
    }

    #[test]
    fn policy_toml_mutated(m in mutations()) {
        let base = Policy::default().to_toml();
        check_policy(&String::from_utf8_lossy(&apply(base.as_bytes(), &m)));
    }

    #[test]
    fn scenario_toml_arbitrary(t in ".{0,300}") {
        check_scenarios(&t);
    }

    #[test]
    fn scenario_toml_mutated(m in mutations()) {
        let base = read("examples/scenarios.toml");
        check_scenarios(&String::from_utf8_lossy(&apply(&base, &m)));
    }

    #[test]
    fn policy_numbers(settings in prop::collection::vec((any::<usize>(), number()), 1..6)) {
        check_policy_numbers(&settings);
    }

    #[test]
    fn scenario_numbers(
        weeks in number(),
        runs in number(),
        cost in number(),
        settings in prop::collection::vec((any::<usize>(), number()), 1..6),
    ) {
        check_scenario_numbers(&weeks, &runs, &cost, &settings);
    }

    #[test]
    fn overrides_csv_mutated(m in mutations()) {
        check_overrides(&apply(OVERRIDES.as_bytes(), &m));
    }

    #[test]
    fn overrides_csv_arbitrary(b in prop::collection::vec(any::<u8>(), 0..400)) {
        check_overrides(&b);
    }
}

/// Inputs that once broke a reader, or would if the code regressed (each was found by the
/// fuzzer or by thinking like it).
#[test]
fn regressions() {
    // A lone quote opens a field that never closes.
    check_tables(b"child_id,date_of_birth,care_start\n\"A,2010-01-01,2020-01-01\n", b"child_id,assessment_type,completed_on\n");
    // Only a BOM; only a header; a header of empty names; NUL bytes.
    check_tables(b"\xEF\xBB\xBF", b"");
    check_tables(b",,,\n,,,\n", b"\0\0\0\n\0");
    // A date at the edge of what chrono holds, and a huge number.
    check_tables(
        b"child_id,date_of_birth,care_start,sdq_score,placement_moves_12m\nA,9999-12-31,9999-12-31,40,99999999999999999999\n",
        b"child_id,assessment_type,completed_on\nA,IHA,0000-01-01\n",
    );
    check_policy("[schedule]\niha_deadline = 18446744073709551615\n");
    check_policy("[[triage.red_flags]]\nname = \"x\"\nwhen = []\ntier = \"P1\"\n");
    check_scenarios("weeks = 0\nruns = 0\n[[scenario]]\nname = \"\"\n");
    // Found by the fuzzer: a header row too short to have a DOB field panicked (a map lookup).
    check_903(&[("header.csv", b"CHILD,SEX,DOB\n1,2,01/01/2010\n2,1\n".to_vec()), ("episodes.csv", b"CHILD,DECOM\n".to_vec())]);
    check_903(&[("return.xml", b"<?xml version='1.0'?><EXPSSDA903><CHILD><HEADER><CHILDID>1</CHILDID><DOB>31/02/2010</DOB></HEADER><EPISODE><DECOM>99/99/9999</DECOM></EPISODE></CHILD></EXPSSDA903>".to_vec())]);
}
