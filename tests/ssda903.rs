//! The 903 reader, the derived cohort and the OC2 table: on the public fake and dirty returns
//! (vendored in tests/data, with their licences) and on hand-built returns, one per rule.

mod common;
use common::*;

use std::path::{Path, PathBuf};

use lac_backlog::oc2::{cohort_membership, oc2_measures, oc2_table, Exclusion};
use lac_backlog::ssda903::{derive_child, load_cohort, read_dir};
use lac_backlog::{Policy, ReadOptions, Severity};

/// The public test data, vendored in the repository (`tests/data`, each folder with its
/// licence and provenance).
fn public_data(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(p)
}

/// A fresh folder holding the given files.
fn return_dir(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lac-backlog-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (f, text) in files {
        std::fs::write(dir.join(f), text).unwrap();
    }
    dir
}

const H: &str = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n";
const E: &str = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n";

fn ep(child: &str, decom: &str, rne: &str, ls: &str, dec: &str, rec: &str) -> String {
    format!("{child},{decom},{rne},{ls},N1,U1,PR1,{dec},{rec},,,,\n")
}

#[test]
fn the_public_fake_return_imports() {
    let ret = read_dir(&public_data("ssda903-fake"), Some(ymd(2018, 3, 31))).unwrap();
    let errors: Vec<_> = ret.report.errors().collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(ret.children.len(), 2675);
    let counts: Vec<(String, u64, u64, u64)> = ret
        .report
        .tables
        .iter()
        .map(|(f, c)| (Path::new(f).file_name().unwrap().to_string_lossy().to_string(), c.read, c.accepted, c.rejected))
        .collect();
    assert!(counts.contains(&("header.csv".into(), 2675, 2675, 0)), "{counts:?}");
    assert!(counts.contains(&("episodes.csv".into(), 5050, 5050, 0)), "{counts:?}");
    assert!(counts.iter().all(|(_, r, a, j)| r == &(a + j)));
    // The XML beside the CSV tables is ignored, with a warning.
    assert!(ret.report.warnings().any(|w| w.file.ends_with("fake_903.xml") && w.problem.contains("ignored")));
    // The published figures of the data README: 149 under 5 and 49 aged 17+ at 31/03/2018,
    // counted over the children looked after on that day.
    let cohort = load_cohort(&ret, ymd(2018, 3, 31), None, &ReadOptions::new(today())).into_cohort().unwrap();
    assert!(cohort.len() > 2000);
}

#[test]
fn the_xml_form_imports() {
    let xml = std::fs::read_to_string(public_data("ssda903-fake/fake_903.xml")).unwrap();
    let dir = return_dir("xml", &[("fake_903.xml", &xml)]);
    let ret = read_dir(&dir, Some(ymd(2018, 3, 31))).unwrap();
    assert!(ret.report.errors().next().is_none(), "{:#?}", ret.report.errors().collect::<Vec<_>>());
    assert_eq!(ret.children.len(), 253);
    let k = ret.get("907440").unwrap();
    assert_eq!(k.dob, ymd(2010, 7, 28));
    assert_eq!(k.episodes.len(), 2);
    assert_eq!(k.episodes[0].place, "R5"); // <PL> in the XML
    assert!(ret.children.iter().filter(|c| c.uasc).count() == 12);
    assert!(ret.children.iter().filter(|c| !c.missing.is_empty()).count() > 0);
    assert!(ret.children.iter().filter(|c| c.oc2.is_some()).count() == 253);
    let c = derive_child(k, ymd(2017, 12, 1)).unwrap();
    assert!(c.signals.youth_justice); // LS J3, placement R5
}

#[test]
fn the_dirty_return_gives_precise_errors_and_no_crash() {
    let ret = read_dir(&public_data("ssda903-dirty"), None).unwrap();
    let errors: Vec<_> = ret.report.errors().collect();
    assert!(!errors.is_empty());
    let dob: Vec<_> = errors.iter().filter(|e| e.problem.contains("different dates of birth")).collect();
    assert_eq!(dob.iter().map(|e| e.line).collect::<Vec<_>>(), [Some(2), Some(3), Some(4), Some(5), Some(6)], "{dob:#?}");
    assert!(dob.iter().all(|e| e.file.ends_with("SSDA903_2020_header.csv") && e.column.as_deref() == Some("DOB")));
    assert_eq!(dob[0].value, "11/07/2015");
    assert!(dob[0].problem.contains("21/03/2012 on line 3"));
    let w: Vec<_> = ret.report.warnings().collect();
    assert!(w.iter().any(|p| p.column.as_deref() == Some("TEST_COLUMN") && p.problem.contains("unknown column")));
    assert!(ret.check().is_err());
}

#[test]
fn a_chain_of_x1_episodes_is_one_period() {
    let dir = return_dir(
        "chain",
        &[
            ("header.csv", &format!("{H}A,1,01/06/2010,WBRI,,,\n")),
            (
                "episodes.csv",
                &format!(
                    "{E}{}{}{}",
                    ep("A", "01/02/2016", "S", "C2", "01/05/2017", "X1"),
                    ep("A", "01/05/2017", "P", "C2", "10/01/2018", "X1"),
                    ep("A", "10/01/2018", "T", "E1", "", "")
                ),
            ),
        ],
    );
    let ret = read_dir(&dir, None).unwrap();
    let c = derive_child(ret.get("A").unwrap(), ymd(2018, 3, 1)).unwrap();
    assert_eq!((c.care_start, c.care_end), (ymd(2016, 2, 1), None));
    assert_eq!(c.legal_status.as_deref(), Some("E1"));
    assert_eq!(c.placement_moves_12m, Some(2)); // P on 01/05/2017 and T on 10/01/2018
}

#[test]
fn a_period_that_ended_and_a_new_one() {
    let dir = return_dir("periods", &[
        ("header.csv", &format!("{H}A,1,01/06/2010,WBRI,,1,\n")),
        ("episodes.csv", &format!(
            "{E}{}{}",
            ep("A", "01/02/2015", "S", "C2", "01/05/2016", "E11"),
            ep("A", "01/09/2017", "S", "J2", "", "")
        )),
        ("missing.csv", "CHILD,DOB,MISSING,MIS_START,MIS_END\nA,01/06/2010,M,01/01/2018,\nA,01/06/2010,A,01/03/2017,03/03/2017\n"),
        ("uasc.csv", "CHILD,SEX,DOB,DUC\nA,1,01/06/2010,01/06/2028\n"),
        ("oc2.csv", "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED\nA,01/06/2010,19,,0,,1,1,1,1,0,0\n"),
    ]);
    let ret = read_dir(&dir, None).unwrap();
    let k = ret.get("A").unwrap();
    let old = derive_child(k, ymd(2016, 1, 1)).unwrap();
    assert_eq!((old.care_start, old.care_end), (ymd(2015, 2, 1), Some(ymd(2016, 5, 1))));
    let now = derive_child(k, ymd(2018, 2, 1)).unwrap();
    assert_eq!((now.care_start, now.care_end), (ymd(2017, 9, 1), None));
    assert!(now.signals.youth_justice && now.signals.pregnant_or_parent && now.signals.substance_misuse);
    assert!(now.uasc && now.missing);
    assert_eq!(now.missing_episodes_12m, Some(2));
    assert_eq!(now.sdq_score, Some(19));
    assert!(!derive_child(k, ymd(2018, 1, 1).pred_opt().unwrap()).unwrap().missing);
}

#[test]
fn assessments_join_the_derived_cohort() {
    let dir = return_dir(
        "assess",
        &[
            ("header.csv", &format!("{H}0042,1,01/06/2010,WBRI,,,\n")),
            ("episodes.csv", &format!("{E}{}", ep("0042", "01/02/2016", "S", "C2", "", ""))),
        ],
    );
    let ret = read_dir(&dir, None).unwrap();
    let a = b"child_id,assessment_type,completed_on\n0042,IHA,2016-02-20\n0042,RHA,2017-02-01\n9,RHA,2017-02-01\n";
    let l = load_cohort(&ret, ymd(2018, 1, 1), Some(("assessments.csv", a)), &ReadOptions::new(today()));
    let e: Vec<_> = l.report.errors().collect();
    assert_eq!((e.len(), e[0].line, e[0].value.as_str()), (1, Some(4), "9"));
    let a = b"child_id,assessment_type,completed_on\n0042,IHA,2016-02-20\n0042,RHA,2017-02-01\n";
    let cohort = load_cohort(&ret, ymd(2018, 1, 1), Some(("assessments.csv", a)), &ReadOptions::new(today())).into_cohort().unwrap();
    assert_eq!(cohort.get("0042").unwrap().assessments.len(), 2);
}

fn membership(episodes: &[String]) -> Option<Result<(), Exclusion>> {
    let dir = return_dir(
        "oc2rule",
        &[("header.csv", &format!("{H}A,1,01/06/2008,WBRI,,,\n")), ("episodes.csv", &format!("{E}{}", episodes.concat()))],
    );
    let ret = read_dir(&dir, None).unwrap();
    cohort_membership(ret.get("A").unwrap(), ymd(2018, 3, 31))
}

#[test]
fn oc2_cohort_rules_one_each() {
    // In care all year.
    assert_eq!(membership(&[ep("A", "01/01/2015", "S", "C2", "", "")]), Some(Ok(())));
    // No episode in the year.
    assert_eq!(membership(&[ep("A", "01/01/2015", "S", "C2", "31/03/2017", "E11")]), None);
    // Started (RNE S) on 1 April itself: looked after for the whole year.
    assert_eq!(membership(&[ep("A", "01/04/2017", "S", "C2", "", "")]), Some(Ok(())));
    // Started after the year start: a new entrant.
    assert_eq!(membership(&[ep("A", "02/04/2017", "S", "C2", "", "")]), Some(Err(Exclusion::NewEntrant)));
    // A placement change (RNE P) in the year is not a new entry.
    assert_eq!(membership(&[ep("A", "01/01/2015", "S", "C2", "01/06/2017", "X1"), ep("A", "01/06/2017", "P", "C2", "", "")]), Some(Ok(())));
    // Left care in the year (REC not X1), including on 31 March itself.
    assert_eq!(membership(&[ep("A", "01/01/2015", "S", "C2", "31/03/2018", "E13")]), Some(Err(Exclusion::LeftCare)));
    assert_eq!(membership(&[ep("A", "01/01/2015", "S", "C2", "01/04/2017", "E13")]), Some(Err(Exclusion::LeftCare)));
    // Short breaks overlapping the year.
    assert_eq!(membership(&[ep("A", "01/01/2015", "S", "V3", "", "")]), Some(Err(Exclusion::ShortBreaks)));
    assert_eq!(membership(&[ep("A", "01/01/2015", "S", "V4", "", "")]), Some(Err(Exclusion::ShortBreaks)));
    // Short breaks that ended before the year do not exclude a child in care all year.
    assert_eq!(membership(&[ep("A", "01/01/2015", "S", "V3", "01/02/2016", "X1"), ep("A", "01/02/2016", "L", "C2", "", "")]), Some(Ok(())));
}

#[test]
fn oc2_measures_and_suppression_on_a_hand_built_return() {
    // Six children in the cohort: three under 5 (one with a health check), three aged 5-16
    // with SDQ 10, 20 and blank.
    let mut h = String::from(H);
    let mut e = String::from(E);
    let mut o = String::from("CHILD,DOB,SDQ_SCORE,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,HEALTH_ASSESSMENT,SUBSTANCE_MISUSE\n");
    for (id, dob, sdq, hc, ha) in [
        ("U1", "01/06/2014", "", "1", "1"),
        ("U2", "01/06/2015", "", "0", "1"),
        ("U3", "01/06/2016", "", "0", "0"),
        ("S1", "01/06/2008", "10", "", "1"),
        ("S2", "01/06/2009", "20", "", "1"),
        ("S3", "01/06/2010", "", "", "1"),
    ] {
        h.push_str(&format!("{id},1,{dob},WBRI,,,\n"));
        e.push_str(&ep(id, "01/01/2017", "S", "C2", "", ""));
        o.push_str(&format!("{id},{dob},{sdq},{hc},1,1,{ha},0\n"));
    }
    let dir = return_dir("measures", &[("header.csv", &h), ("episodes.csv", &e), ("oc2.csv", &o)]);
    let ret = read_dir(&dir, Some(ymd(2018, 3, 31))).unwrap();
    let m = oc2_measures(&ret, ymd(2018, 3, 31));
    let get = |name: &str| m.iter().find(|x| x.name == name).unwrap().clone();
    assert_eq!((get("cohort").numerator, get("health_assessment").numerator), (6, 5));
    assert_eq!((get("health_check_under_5").numerator, get("health_check_under_5").denominator), (1, Some(3)));
    assert_eq!((get("sdq_received").numerator, get("sdq_received").denominator), (2, Some(3)));
    assert_eq!(get("sdq_average").value, Some(15.0));
    let plain = oc2_table(&m, false, &Policy::default()).to_csv_string();
    assert!(plain.contains("health_assessment,5,6,83.3\n"), "{plain}");
    let safe = oc2_table(&m, true, &Policy::default()).to_csv_string();
    assert!(safe.contains("cohort,6,,6\n"), "{safe}");
    assert!(safe.contains("health_assessment,c,6,c\n"), "{safe}"); // 5 of 6, and 1 without
    assert!(safe.contains("immunisations,6,6,100.0\n"), "{safe}");
    assert!(safe.contains("health_check_under_5,c,c,c\n"), "{safe}");
    assert!(safe.contains("sdq_average,c,c,c\n"), "{safe}");
    let _ = Severity::Error;
}

/// (severity, file name, line, column, value) of a problem, for exact comparisons.
type Seen = (Severity, String, Option<u64>, Option<String>, String);

/// Every problem of a return folder, as [`Seen`].
fn problems_of(dir: &Path) -> Vec<Seen> {
    let ret = read_dir(dir, Some(ymd(2018, 3, 31))).unwrap();
    ret.report
        .problems
        .iter()
        .map(|p| {
            let f = Path::new(&p.file).file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
            (p.severity, f, p.line, p.column.clone(), p.value.clone())
        })
        .collect()
}

fn has(ps: &[Seen], sev: Severity, file: &str, line: u64, col: &str, value: &str) {
    let want = (sev, file.to_string(), Some(line), Some(col.to_string()), value.to_string());
    assert!(ps.contains(&want), "missing {want:?} in {ps:#?}");
}

#[test]
fn each_903_problem_names_table_line_column_and_value() {
    let dir = return_dir(
        "problems",
        &[
            ("header.csv", &format!("{H}A,1,01/06/2010,WBRI,,,\nB,1,31/02/2010,WBRI,,,\nA,1,01/06/2010,WBRI,,,\nC,7,01/06/2011,WBRI,,,\n")),
            (
                "episodes.csv",
                &format!(
                    "{E}{}{}{}{}{}{}",
                    ep("A", "01/01/2016", "S", "C2", "", "E11"), // line 2: open with a REC
                    ep("A", "01/06/2016", "Q", "C2", "", ""),    // line 3: unknown RNE; overlaps line 2
                    ep("C", "yesterday", "S", "C2", "", ""),     // line 4: DECOM not a date
                    ep("C", "01/05/2017", "S", "C2", "01/04/2017", "X1"), // line 5: ends before it starts
                    ep("Z", "01/05/2017", "S", "C2", "", ""),    // line 6: no header row
                    ep("C", "01/05/2018", "S", "C2", "", "")     // line 7: after the year end
                ),
            ),
            ("uasc.csv", "CHILD,SEX,DOB,DUC\nA,1,01/06/2010,soon\n"),
            ("missing.csv", "CHILD,DOB,MISSING,MIS_START,MIS_END\nA,01/06/2010,X,01/13/2017,\n"),
            ("oc2.csv", "CHILD,DOB,SDQ_SCORE\nA,01/06/2010,44\n"),
        ],
    );
    let ps = problems_of(&dir);
    use Severity::{Error, Warning};
    has(&ps, Error, "header.csv", 3, "DOB", "31/02/2010");
    has(&ps, Warning, "header.csv", 4, "CHILD", "A"); // repeated identical row
    has(&ps, Warning, "header.csv", 5, "SEX", "7");
    has(&ps, Warning, "episodes.csv", 2, "REC", "E11");
    has(&ps, Warning, "episodes.csv", 3, "RNE", "Q");
    has(&ps, Warning, "episodes.csv", 3, "DECOM", "01/06/2016"); // overlap
    has(&ps, Error, "episodes.csv", 4, "DECOM", "yesterday");
    has(&ps, Warning, "episodes.csv", 5, "DEC", "01/04/2017");
    has(&ps, Warning, "episodes.csv", 6, "CHILD", "Z");
    has(&ps, Warning, "episodes.csv", 7, "DECOM", "01/05/2018");
    has(&ps, Warning, "uasc.csv", 2, "DUC", "soon");
    has(&ps, Warning, "missing.csv", 2, "MISSING", "X");
    has(&ps, Warning, "missing.csv", 2, "MIS_START", "01/13/2017");
    has(&ps, Warning, "oc2.csv", 2, "SDQ_SCORE", "44");
    let errors = ps.iter().filter(|p| p.0 == Error).count();
    assert_eq!(errors, 2, "{ps:#?}");
    let ret = read_dir(&dir, Some(ymd(2018, 3, 31))).unwrap();
    for (f, c) in &ret.report.tables {
        assert!(c.reconciles(), "{f}: {c:?}");
    }
}

#[test]
fn missing_tables_and_columns_are_errors() {
    let dir = return_dir(
        "nocol",
        &[("header.csv", &format!("{H}A,1,01/06/2010,WBRI,,,\n")), ("episodes.csv", "CHILD,DECOM,RNE,LS,REC\nA,01/01/2016,S,C2,\n")],
    );
    let ps = problems_of(&dir);
    assert!(ps.contains(&(Severity::Error, "episodes.csv".into(), Some(1), Some("DEC".into()), String::new())), "{ps:#?}");
    let dir = return_dir("notable", &[("header.csv", &format!("{H}A,1,01/06/2010,WBRI,,,\n"))]);
    let ret = read_dir(&dir, None).unwrap();
    assert!(ret.report.errors().any(|e| e.problem.contains("no episodes table")));
    let dir = return_dir(
        "twice",
        &[
            ("header.csv", &format!("{H}A,1,01/06/2010,WBRI,,,\n")),
            ("SSDA903_2018_header.csv", &format!("{H}A,1,01/06/2010,WBRI,,,\n")),
            ("episodes.csv", &format!("{E}{}", ep("A", "01/01/2016", "S", "C2", "", ""))),
        ],
    );
    let ret = read_dir(&dir, None).unwrap();
    assert!(ret.report.errors().any(|e| e.problem.contains("a second header table")));
}
