//! Problems as data (docs/bad-input.md "Problems as data"): each problem's kind and facts, so
//! that no one parses a sentence; and every kind documented.

mod common;
use common::*;

use lac_backlog::{Fact, Loaded, ProblemKind, Severity};

const CH: &str = "child_id,date_of_birth,care_start\n";
const AS: &str = "child_id,assessment_type,completed_on\n";

/// A problem as (line, kind, facts).
type Seen = (Option<u64>, ProblemKind, Vec<(&'static str, Fact)>);

/// (line, kind, facts) of every problem of one severity, in the report's order.
fn seen(l: &Loaded, severity: Severity) -> Vec<Seen> {
    l.report.problems.iter().filter(|p| p.severity == severity).map(|p| (p.line, p.kind, p.facts.clone())).collect()
}

#[test]
fn children_errors_carry_their_kind_and_facts() {
    let l = load_tables(
        &format!("{CH}A,2010-01-01,2020-01-01\nA,2011-01-01,2020-01-01\nB,2021-01-01,2020-05-01\nC,2010-02-30,2020-01-01\nD,,2020-01-01\n"),
        AS,
    );
    let cs = ymd(2020, 5, 1);
    assert_eq!(
        seen(&l, Severity::Error),
        vec![
            (Some(2), ProblemKind::DuplicateChildId, vec![("also_on_lines", Fact::Lines(vec![3]))]),
            (Some(3), ProblemKind::DuplicateChildId, vec![("also_on_lines", Fact::Lines(vec![2]))]),
            (Some(4), ProblemKind::BornAfterCareStart, vec![("care_start", Fact::Date(cs))]),
            (Some(5), ProblemKind::InvalidValue, vec![]),
            (Some(6), ProblemKind::RequiredBlank, vec![]),
        ]
    );
}

#[test]
fn assessment_problems_name_the_children_file_and_line() {
    let l = load_tables(
        &format!("{CH}A,2010-01-01,2020-01-01\nB,2030-01-01,2020-01-01\n"),
        &format!("{AS}Z,RHA,2021-01-01\nB,RHA,2021-01-01\nA,RHA,2009-12-31\n"),
    );
    let kinds: Vec<_> = seen(&l, Severity::Error).into_iter().filter(|p| p.0 != Some(3) || p.1 != ProblemKind::BornAfterToday).collect();
    let names = |f: &str| Fact::Name(f.to_string());
    assert!(kinds.contains(&(Some(2), ProblemKind::UnknownChild, vec![("children_file", names("children.csv"))])), "{kinds:?}");
    assert!(
        kinds.contains(&(
            Some(3),
            ProblemKind::ChildRejected,
            vec![("children_file", names("children.csv")), ("child_line", Fact::Line(3))]
        )),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(Some(4), ProblemKind::AssessedBeforeBirth, vec![("date_of_birth", Fact::Date(ymd(2010, 1, 1)))])),
        "{kinds:?}"
    );
}

#[test]
fn header_problems_carry_their_kind() {
    let l = load_tables("child_id,date_of_birth,date_of_birth,care_start,shoe_size\nA,2010-01-01,2010-01-01,2020-01-01,4\n", AS);
    let kinds: Vec<_> = l.report.problems.iter().map(|p| (p.severity, p.kind, p.column.clone())).collect();
    assert!(kinds.contains(&(Severity::Error, ProblemKind::DuplicateColumn, Some("date_of_birth".into()))), "{kinds:?}");
    let dup = l.report.problems.iter().find(|p| p.kind == ProblemKind::DuplicateColumn).unwrap();
    assert_eq!(dup.fact("also_column"), Some(&Fact::Number(2)));
    let l = load_tables("child_id,care_start\nA,2020-01-01\n", AS);
    assert!(l.report.problems.iter().any(|p| p.kind == ProblemKind::MissingColumn && p.column.as_deref() == Some("date_of_birth")));
}

#[test]
fn a_look_alike_is_named_by_its_line_never_its_id() {
    let l = load_tables(&format!("{CH}ab1,2010-01-01,2020-01-01\nAB1,2010-01-01,2020-01-01\n"), AS);
    let w: Vec<_> = seen(&l, Severity::Warning).into_iter().filter(|p| p.1 == ProblemKind::LookAlikeChildId).collect();
    assert_eq!(w, vec![(Some(3), ProblemKind::LookAlikeChildId, vec![("other_line", Fact::Line(2))])]);
}

#[test]
fn every_kind_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/bad-input.md")).unwrap();
    for k in ProblemKind::ALL {
        assert!(doc.contains(&format!("| `{}` |", k.code())), "docs/bad-input.md does not list {}", k.code());
    }
}
