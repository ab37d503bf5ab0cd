//! The catalogue of bad input (docs/bad-input.md): one test per class, asserting what the user
//! sees (the exact file, line, column and value of each problem) and that no row is lost
//! (rows read = rows accepted + rows rejected). Classes already tested elsewhere are named in
//! the catalogue with their test. The two large cases (10 million rows, a 1 GB file) are
//! `#[ignore]`d here and run by `make fuzz`.

mod common;
use common::*;

use lac_backlog::{Error, Loaded, ReadOptions, Scheduler, Severity};

const CH: &str = "child_id,date_of_birth,care_start\n";
const AS: &str = "child_id,assessment_type,completed_on\n";

fn load(children: &str, assessments: &str) -> Loaded {
    load_tables(children, assessments)
}

/// One error as (file, line, column, value, message).
type Seen = (String, Option<u64>, Option<String>, String, String);

/// The errors, in the report's order.
fn errors(l: &Loaded) -> Vec<Seen> {
    l.report
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| (p.file.clone(), p.line, p.column.clone(), p.value.clone(), p.problem.clone()))
        .collect()
}

fn one_error_containing(l: &Loaded, line: u64, column: &str, value: &str, text: &str) {
    let e = errors(l);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!((e[0].1, e[0].2.as_deref(), e[0].3.as_str()), (Some(line), Some(column), value), "{e:#?}");
    assert!(e[0].4.contains(text), "{}", e[0].4);
}

#[test]
fn excel_date_serial_numbers_are_explained() {
    let l = load(&format!("{CH}A,44197,2021-01-05\n"), AS);
    one_error_containing(&l, 2, "date_of_birth", "44197", "Excel date serial number");
}

#[test]
fn excel_two_digit_years_and_month_names_are_explained() {
    let l = load(&format!("{CH}A,01/02/10,2021-01-05\nB,2010-02-01,5-Jan-21\n"), AS);
    let e = errors(&l);
    assert_eq!(e.len(), 2, "{e:#?}");
    assert_eq!((e[0].1, e[0].2.as_deref(), e[0].3.as_str()), (Some(2), Some("date_of_birth"), "01/02/10"));
    assert!(e[0].4.contains("two-digit year"));
    assert_eq!((e[1].1, e[1].2.as_deref(), e[1].3.as_str()), (Some(3), Some("care_start"), "5-Jan-21"));
    assert!(e[1].4.contains("month names"));
}

#[test]
fn excel_and_pandas_datetimes_are_read_as_their_date() {
    let l = load(&format!("{CH}A,2010-02-01 00:00:00,05/01/2021 00:00\n"), &format!("{AS}A,IHA,2021-01-20T09:30:00\n"));
    let c = l.into_cohort().expect("datetimes read");
    assert_eq!(c.children[0].date_of_birth, ymd(2010, 2, 1));
    assert_eq!(c.children[0].care_start, ymd(2021, 1, 5));
    assert_eq!(c.children[0].assessments[0].completed_on, ymd(2021, 1, 20));
}

#[test]
fn dates_in_1900_are_excels_empty_date() {
    let l = load(&format!("{CH}A,1900-01-00,2021-01-05\nB,2010-01-01,30/12/1899\n"), AS);
    let e = errors(&l);
    assert_eq!(e.len(), 2, "{e:#?}");
    assert_eq!((e[0].1, e[0].2.as_deref()), (Some(2), Some("date_of_birth")));
    assert!(e[0].4.contains("Excel's day 0"), "{}", e[0].4);
    assert_eq!((e[1].1, e[1].2.as_deref(), e[1].3.as_str()), (Some(3), Some("care_start"), "30/12/1899"));
    assert!(e[1].4.contains("1900 date system"), "{}", e[1].4);
}

#[test]
fn a_date_of_birth_18_years_before_care_start_is_rejected() {
    // 1905 typed for 2005: a real date, but no child enters care at 18 or over.
    let l = load(&format!("{CH}A,1905-03-01,2021-01-05\n"), AS);
    one_error_containing(&l, 2, "date_of_birth", "1905-03-01", "no child starts care at 18");
}

#[test]
fn dates_in_2100_are_typing_errors() {
    // A birth after today is impossible; a care start years ahead would take the child off
    // every worklist (and puts the birth 18+ years before it); an assessment after today is
    // kept but warned about.
    let l = load(
        &format!("{CH}A,2100-01-01,2100-01-02\nB,2010-01-01,2100-01-05\nC,2010-01-01,2021-01-05\n"),
        &format!("{AS}C,IHA,2100-01-20\n"),
    );
    let e = errors(&l);
    let at: Vec<(Option<u64>, Option<&str>)> = e.iter().map(|e| (e.1, e.2.as_deref())).collect();
    assert_eq!(
        at,
        [(Some(2), Some("date_of_birth")), (Some(2), Some("care_start")), (Some(3), Some("care_start")), (Some(3), Some("date_of_birth"))],
        "{e:#?}"
    );
    assert!(e[0].4.contains("after today"));
    assert!(e[1].4.contains("more than 1 year after today") && e[2].4.contains("more than 1 year after today"));
    assert!(e[3].4.contains("no child starts care at 18"));
    let w: Vec<_> = l.report.warnings().collect();
    assert_eq!(w.len(), 1);
    assert_eq!((w[0].file.as_str(), w[0].line, w[0].value.as_str()), ("assessments.csv", Some(2), "2100-01-20"));
}

#[test]
fn duplicate_headers() {
    // A known column twice: which one is meant cannot be known, so the table is not read (one
    // error on the header, one saying how many rows were not read). An unknown column twice is
    // only a warning.
    let l = load("child_id,date_of_birth,care_start,Care_Start\nA,2010-01-01,2021-01-05,2021-01-06\n", AS);
    let e = errors(&l);
    assert_eq!((e[0].1, e[0].2.as_deref(), e[0].3.as_str()), (Some(1), Some("Care_Start"), "Care_Start"), "{e:#?}");
    assert!(e[0].4.contains("duplicate column (also column 3 of the header)"));
    assert!(e.iter().any(|e| e.4.contains("1 row(s) not read because the header is not usable")));
    assert_eq!(l.report.tables[0].1.rejected, 1);
    let l = load("child_id,date_of_birth,care_start,notes,notes\nA,2010-01-01,2021-01-05,x,y\n", AS);
    assert!(errors(&l).is_empty());
    assert_eq!(l.report.warnings().filter(|w| w.problem.contains("duplicate column")).count(), 1);
}

#[test]
fn conflicting_duplicate_assessments_change_no_due_date() {
    // The same assessment twice, and a completed and a declined offer on one day: all rows
    // are kept (nothing is lost) and the due date is that of the completed assessment.
    let kids = format!("{CH}A,2010-01-01,2020-01-06\n");
    let once = load(&kids, &format!("{AS}A,RHA,2021-03-01\n")).into_cohort().unwrap();
    let l = load(&kids, "child_id,assessment_type,completed_on,outcome\nA,RHA,2021-03-01,completed\nA,RHA,2021-03-01,completed\nA,RHA,2021-03-01,declined\n");
    assert_eq!(l.report.tables[1].1.accepted, 3);
    let twice = l.into_cohort().unwrap();
    let s = Scheduler::new(&lac_backlog::Policy::default());
    let (a, b) = (s.child_status(&once.children[0], today()), s.child_status(&twice.children[0], today()));
    assert_eq!((a.due_date, a.status), (b.due_date, b.status));
}

#[test]
fn lenient_mode_skips_bad_rows_reports_each_and_reconciles() {
    let children = format!("{CH}A,2010-01-01,2021-01-05\nB,not a date,2021-01-05\nC,2011-01-01,2021-02-01\n");
    let assessments = format!("{AS}A,IHA,2021-01-20\nB,IHA,2021-01-21\nC,XYZ,2021-02-10\nC,IHA,2021-02-11\n");
    let l = load(&children, &assessments);
    assert!(matches!(l.clone().into_cohort(), Err(Error::Data { .. })), "strict mode fails");
    let c = l.into_cohort_skipping_bad_rows().expect("lenient mode carries on");
    assert_eq!(c.children.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(), ["A", "C"]);
    assert_eq!(c.assessment_count(), 2);
    // Every skipped row is reported, by line; the counts reconcile.
    let skipped: Vec<(String, Option<u64>)> = c.report.errors().map(|p| (p.file.clone(), p.line)).collect();
    assert_eq!(
        skipped,
        [("children.csv".to_string(), Some(3)), ("assessments.csv".to_string(), Some(3)), ("assessments.csv".to_string(), Some(4))]
    );
    let counts: Vec<(u64, u64, u64)> = c.report.tables.iter().map(|(_, t)| (t.read, t.accepted, t.rejected)).collect();
    assert_eq!(counts, [(3, 2, 1), (4, 2, 2)]);
}

#[test]
fn lenient_mode_still_stops_when_a_whole_table_is_unusable() {
    let l = load("child_id,care_start\nA,2021-01-05\n", AS);
    assert!(matches!(l.into_cohort_skipping_bad_rows(), Err(Error::Data { .. })));
    let l = load("", AS);
    assert!(matches!(l.into_cohort_skipping_bad_rows(), Err(Error::Data { .. })));
}

/// A children CSV of `n` rows and its assessments, written straight to a file.
fn write_big(dir: &std::path::Path, children: usize, assessments_each: usize, pad: usize) -> (std::path::PathBuf, std::path::PathBuf) {
    use std::io::Write;
    let (cp, ap) = (dir.join("children.csv"), dir.join("assessments.csv"));
    let mut c = std::io::BufWriter::new(std::fs::File::create(&cp).unwrap());
    let mut a = std::io::BufWriter::new(std::fs::File::create(&ap).unwrap());
    writeln!(c, "child_id,date_of_birth,care_start,notes").unwrap();
    writeln!(a, "child_id,assessment_type,completed_on").unwrap();
    let note = "x".repeat(pad);
    for i in 0..children {
        writeln!(c, "C{i:08},2012-05-01,2020-01-06,{note}").unwrap();
        for j in 0..assessments_each {
            writeln!(a, "C{i:08},{},2020-{:02}-10", if j == 0 { "IHA" } else { "RHA" }, 1 + j % 12).unwrap();
        }
    }
    (cp, ap)
}

#[test]
#[ignore = "10 million rows: run by make fuzz"]
fn ten_million_rows_read_and_reconcile() {
    let dir = std::env::temp_dir().join(format!("lac-backlog-10m-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cp, ap) = write_big(&dir, 2_000_000, 4, 0);
    let t = std::time::Instant::now();
    let l = lac_backlog::load_csv(&cp, &ap, &ReadOptions::new(today())).unwrap();
    eprintln!("10 million rows (2,000,000 children, 8,000,000 assessments) read in {:?}", t.elapsed());
    assert_eq!(l.report.tables[0].1.read + l.report.tables[1].1.read, 10_000_000);
    assert!(l.report.tables.iter().all(|(_, c)| c.reconciles() && c.rejected == 0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "a 1 GB file: run by make fuzz"]
fn a_one_gigabyte_file_reads_and_reconciles() {
    let dir = std::env::temp_dir().join(format!("lac-backlog-1gb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // 1,000,000 children with a 1,000-character unknown column: a children file over 1 GB.
    let (cp, ap) = write_big(&dir, 1_000_000, 1, 1_050);
    let size = std::fs::metadata(&cp).unwrap().len();
    assert!(size > 1_000_000_000, "{size}");
    let t = std::time::Instant::now();
    let l = lac_backlog::load_csv(&cp, &ap, &ReadOptions::new(today())).unwrap();
    eprintln!("{} MB read in {:?}", size / 1_000_000, t.elapsed());
    assert!(l.report.tables.iter().all(|(_, c)| c.reconciles() && c.rejected == 0));
    // The unknown column is one warning, not a million.
    assert_eq!(l.report.warnings().count(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The warnings, in the report's order, as (line, column, value, message).
fn warnings(l: &Loaded) -> Vec<(Option<u64>, Option<String>, String, String)> {
    l.report
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Warning)
        .map(|p| (p.line, p.column.clone(), p.value.clone(), p.problem.clone()))
        .collect()
}

#[test]
fn formula_like_text_is_read_with_a_warning() {
    let l = load(
        "child_id,date_of_birth,care_start,locality\n=HYPERLINK(\"x\"),2015-01-01,2020-01-01,North\nB2,2015-01-01,2020-01-01,@SUM(A1)\nC3,2015-01-01,2020-01-01,+1\n",
        AS,
    );
    assert!(errors(&l).is_empty());
    let w: Vec<(Option<u64>, Option<String>, String)> = warnings(&l).into_iter().map(|(l, c, v, _)| (l, c, v)).collect();
    assert_eq!(
        w,
        vec![
            (Some(2), Some("child_id".into()), "=HYPERLINK(\"x\")".into()),
            (Some(3), Some("locality".into()), "@SUM(A1)".into()),
            (Some(4), Some("locality".into()), "+1".into()),
        ]
    );
    assert_eq!(l.cohort.len(), 3);
}

#[test]
fn look_alike_child_ids_are_warned_about_by_line() {
    let l = load(
        &format!("{CH}AB12,2015-01-01,2020-01-01\nab12,2015-01-01,2020-01-01\n0777,2015-01-01,2020-01-01\n777,2015-01-01,2020-01-01\nX\u{200b}9,2015-01-01,2020-01-01\nX9,2015-01-01,2020-01-01\nZ1,2015-01-01,2020-01-01\n"),
        AS,
    );
    assert_eq!(l.cohort.len(), 7, "look-alikes stay distinct children");
    let w: Vec<(Option<u64>, String)> = warnings(&l).into_iter().map(|(line, _, _, m)| (line, m)).collect();
    let lines: Vec<(u64, &str)> =
        w.iter().map(|(l, m)| (l.unwrap(), m.split("line ").nth(1).unwrap().split(' ').next().unwrap())).collect();
    assert_eq!(lines, vec![(3, "2"), (5, "4"), (7, "6")]);
    assert!(w[0].1.contains("only in letter case, Unicode form, invisible characters or leading zeros"));
}

/// A file that is not a children table at all (a key file given by mistake): one error on
/// line 1, and its first line is quoted nowhere.
#[test]
fn the_wrong_file_is_not_quoted() {
    let secret = "k3y-9f2c71d0a8b4e69f2c71d0a8b4e6";
    let l = load(&format!("{secret}\n"), AS);
    for p in &l.report.problems {
        assert!(!p.value.contains(secret) && !p.problem.contains(secret) && !p.column.as_deref().unwrap_or("").contains(secret), "{p}");
    }
    assert!(errors(&l).iter().any(|e| e.4.contains("none of the expected columns")));
}

/// The writer's temporary file is made exclusively under a random name: links planted at the
/// names the old writer used (`.NAME.PID.tmp`) are never written through, and no temporary
/// file is left.
#[test]
fn writes_never_follow_a_planted_link() {
    let dir = std::env::temp_dir().join(format!("lac-backlog-links-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "untouched").unwrap();
    let pid = std::process::id();
    for p in pid.saturating_sub(20)..pid + 200 {
        std::os::unix::fs::symlink(&victim, dir.join(format!(".out.csv.{p}.tmp"))).unwrap();
    }
    let mut t = lac_backlog::table::Table::default();
    t.push("x", lac_backlog::table::ColumnData::Int(vec![Some(1)]));
    t.write_csv_file(&dir.join("out.csv")).unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    assert_eq!(std::fs::read_to_string(dir.join("out.csv")).unwrap(), "x\n1\n");
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(dir.join("out.csv")).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(lac_backlog::table::TEMP_PREFIX))
        .collect();
    assert!(left.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn csv_output_neutralises_formulas_unless_raw() {
    use lac_backlog::table::{ColumnData, CsvCells, Table};
    let mut t = Table::default();
    t.push("text", ColumnData::Str(["=1+1", "+44 1234", "-x", "@SUM", "\tx", "plain", "'=kept"].map(|s| Some(s.to_string())).to_vec()));
    t.push("n", ColumnData::Int(vec![Some(-5); 7]));
    assert_eq!(t.to_csv_string(), "text,n\n'=1+1,-5\n'+44 1234,-5\n'-x,-5\n'@SUM,-5\n'\tx,-5\nplain,-5\n'=kept,-5\n");
    assert!(t.to_csv_string_as(CsvCells::Raw).starts_with("text,n\n=1+1,-5\n"));
}
