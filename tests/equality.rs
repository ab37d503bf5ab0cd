//! The equality impact (src/equality.rs), worked by hand.

mod common;
use common::*;

use chrono::Days;
use lac_backlog::calendar::sub_months;
use lac_backlog::equality::{equality_table, figures};
use lac_backlog::{Cohort, Policy};

fn as_of() -> chrono::NaiveDate {
    ymd(2021, 10, 21)
}

/// A 10-year-old in care since 2015 whose review is `days_overdue` days overdue (0: up to date,
/// reviewed 100 days ago).
fn kid(id: &str, sex: &str, ethnicity: &str, days_overdue: u64) -> lac_backlog::Child {
    let last = if days_overdue == 0 { as_of() - Days::new(100) } else { sub_months(as_of() - Days::new(days_overdue), 12).unwrap() };
    let mut c = child(ymd(2011, 1, 1), ymd(2015, 1, 5), vec![done(ymd(2015, 1, 20)), done(last)]);
    c.id = id.into();
    c.sex = Some(sex.into());
    c.ethnicity = Some(ethnicity.into());
    c
}

/// Ten boys (six overdue by 10, 20, ..., 60 days), ten girls (two overdue by 100 and 200 days;
/// three of the up-to-date girls Black African, the rest White British).
fn cohort() -> Cohort {
    let mut v = Vec::new();
    for (i, d) in [10, 20, 30, 40, 50, 60, 0, 0, 0, 0].into_iter().enumerate() {
        v.push(kid(&format!("B{i}"), "1", "WBRI", d));
    }
    for (i, d) in [100, 200, 0, 0, 0, 0, 0, 0, 0, 0].into_iter().enumerate() {
        v.push(kid(&format!("G{i}"), "2", if i >= 7 { "BAFR" } else { "WBRI" }, d));
    }
    Cohort::from_children(v)
}

#[test]
fn each_group_by_hand() {
    let f = figures(&cohort(), as_of(), &Policy::default());
    let get = |c: &str, g: &str| f.iter().find(|x| x.characteristic == c && x.group == g).unwrap();
    let boys = get("sex", "Male");
    assert_eq!((boys.children, boys.overdue, boys.median_days_overdue), (10, 6, Some(35)));
    let girls = get("sex", "Female");
    assert_eq!((girls.children, girls.overdue, girls.median_days_overdue), (10, 2, Some(150)));
    let white = get("ethnicity", "White");
    assert_eq!((white.children, white.overdue), (17, 8));
    assert_eq!(get("ethnicity", "Black").children, 3);
    assert_eq!(get("age_band", "5 to 16").children, 20);
    assert_eq!(get("disability", "Not recorded").children, 20);
    assert_eq!(get("uasc", "No").children, 20);
    // Every overdue child is listed, and only they are (nobody is due soon).
    assert_eq!(boys.listed + girls.listed, 8);
}

#[test]
fn small_groups_are_blank_and_differences_are_said_without_counts() {
    let t = equality_table(&cohort(), as_of(), &Policy::default());
    let csv = t.to_csv_string();
    let line = |c: &str, g: &str| csv.lines().find(|l| l.starts_with(&format!("{c},{g},"))).unwrap().to_string();
    // Three Black children: under 10, so blank and marked; and as the only hidden group of its
    // characteristic, the White group (17) is hidden too, or 20 - 17 would give the 3 away.
    assert_eq!(line("ethnicity", "Black"), "ethnicity,Black,,,,,,yes,");
    assert_eq!(line("ethnicity", "White"), "ethnicity,White,,,,,,yes,");
    // Boys 60% overdue; girls 2 overdue, a small count: their share and median are blank, and
    // no sentence quotes a figure built on it.
    let boys = line("sex", "Male");
    assert!(boys.starts_with("sex,Male,10,60.0,35,"), "{boys}");
    assert!(!boys.contains("percentage points"), "{boys}");
    assert!(line("sex", "Female").starts_with("sex,Female,10,,,"), "{}", line("sex", "Female"));
    // With counts past the small range, the difference is said in words and percentages only.
    let mut p = Policy::default();
    p.suppression.max_count = 1;
    let said = equality_table(&cohort(), as_of(), &p).to_csv_string();
    assert!(said.contains("Male children: 60% overdue against 20% of the other children, a difference of 40 percentage points"), "{said}");
    assert!(!said.contains(" of 10"), "no count is quoted: {said}");
    // A larger threshold says nothing.
    p.equality.difference_pp = 50.0;
    assert!(!equality_table(&cohort(), as_of(), &p).to_csv_string().contains("percentage points"));
    assert!(Policy::from_toml_str("[equality]\nmin_group_size = 0\n").is_err());
}
