//! The nurse's worklist (src/workbook.rs): words, the child's details, filtering, privacy.

mod common;
use common::*;

use lac_backlog::table::ColumnData;
use lac_backlog::workbook::{filtered, nurse_table, WorklistFilter, NURSE_COLUMNS};
use lac_backlog::{Cohort, Policy};

fn cohort() -> Cohort {
    let mut kids = vec![
        // A baby overdue for a review: P1 (under 5, overdue), face to face.
        child(ymd(2020, 6, 1), ymd(2020, 7, 1), vec![done(ymd(2020, 7, 20)), done(ymd(2021, 1, 10))]),
        // A 12-year-old a year overdue.
        child(ymd(2009, 3, 3), ymd(2015, 1, 5), vec![done(ymd(2015, 1, 20)), done(ymd(2019, 10, 1))]),
        // Up to date: not listed.
        child(ymd(2010, 1, 1), ymd(2015, 1, 5), vec![done(ymd(2015, 1, 20)), done(ymd(2021, 6, 1))]),
    ];
    for (i, (k, place)) in kids.iter_mut().zip(["North", "South", "East"]).enumerate() {
        k.id = format!("K{i}").into();
        k.locality = Some(place.into());
    }
    Cohort::from_children(kids)
}

#[test]
fn the_nurse_table_has_words_dates_of_birth_localities_and_room_to_work() {
    let c = cohort();
    let wl = std::sync::Arc::new(lac_backlog::triage::triage(&c, ymd(2021, 10, 21), &Policy::default(), &[]));
    let t = nurse_table(&wl, &c);
    assert_eq!(t.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), NURSE_COLUMNS);
    let col = |name: &str| &t.columns.iter().find(|c| c.name == name).unwrap().data;
    assert_eq!(t.n_rows(), 2);
    let ids: Vec<String> = (0..2).map(|i| col("Child ID").cell(i)).collect();
    let k0 = ids.iter().position(|x| x == "K0").unwrap();
    assert_eq!(col("Date of birth").cell(k0), "2020-06-01");
    assert_eq!(col("Locality").cell(k0), "North");
    assert_eq!(col("Age band").cell(k0), "Under 5");
    assert_eq!(col("Recommended format").cell(k0), "Face to face");
    assert_eq!(col("Assessment").cell(k0), "Review health assessment");
    assert_eq!(col("Last assessment").cell(k0), "2021-01-10");
    assert!(matches!(col("Booked on"), ColumnData::Date(v) if v.iter().all(Option::is_none)));
    // Roles travel: pseudonymising hides the ids and reduces dates of birth to the month.
    let key = lac_backlog::privacy::PseudonymKey::new(b"a key of at least thirty-two bytes, kept secret");
    let p = t.pseudonymised(&key);
    let pc = |name: &str| &p.columns.iter().find(|c| c.name == name).unwrap().data;
    assert!(pc("Child ID").cell(0).starts_with("ps_"));
    assert_eq!(pc("Date of birth").cell(k0), "2020-06");
}

#[test]
fn a_filter_keeps_the_rows_asked_for_with_their_ranks() {
    let c = cohort();
    let wl = lac_backlog::triage::triage(&c, ymd(2021, 10, 21), &Policy::default(), &[]);
    let under_5 = filtered(&wl, &c, &WorklistFilter { age_bands: vec!["Under 5".into()], ..Default::default() });
    assert_eq!(under_5.rows.len(), 1);
    assert_eq!(under_5.child_id(&under_5.rows[0]), "K0");
    let south = filtered(&wl, &c, &WorklistFilter { localities: vec!["South".into()], ..Default::default() });
    assert_eq!((south.rows.len(), south.child_id(&south.rows[0])), (1, "K1"));
    assert_eq!(south.rows[0].rank, wl.rows.iter().find(|r| wl.child_id(r) == "K1").unwrap().rank);
    let none = filtered(&wl, &c, &WorklistFilter { statuses: vec!["due_soon".into()], ..Default::default() });
    assert!(none.rows.is_empty());
    let bad = WorklistFilter {
        tiers: vec!["P9".into()],
        modalities: vec!["telepathy".into()],
        localities: vec!["north".into()],
        ..Default::default()
    };
    assert_eq!(bad.unknown(&wl, &c), ["tier \"P9\"", "format \"telepathy\"", "locality \"north\""]);
}
