//! Indicators on a hand-worked cohort (numerators and denominators checked exactly), RAG,
//! breakdowns, series, forecast; and a property test that suppressed output never lets a
//! count from 1 to 5 be read or worked out.

mod common;
use common::*;

use std::collections::HashMap;

use chrono::NaiveDate;
use lac_backlog::kpi::{compute, forecast, kpi_table, month_ends, Exclusion, GroupBy, Indicator, KpiRow};
use lac_backlog::{Child, Cohort, Policy};
use proptest::prelude::*;

fn kid(id: &str, dob: &str, care_start: &str, done_on: &[&str]) -> Child {
    let mut c = child(iso(dob), iso(care_start), done_on.iter().map(|d| done(iso(d))).collect());
    c.id = id.into();
    c
}

/// The hand-worked cohort (period end 2021-09-30; the window is 2020-10-01..2021-09-30).
fn cohort() -> Cohort {
    let mut v = vec![
        // A: reviews every year on time; next due 2022-01-01.
        kid(
            "A",
            "2010-01-01",
            "2015-01-05",
            &["2015-01-20", "2016-01-10", "2017-01-05", "2018-01-01", "2019-01-01", "2020-01-01", "2021-01-01"],
        ),
        // B: last review 2020-06-01, due 2021-06-01: overdue.
        kid("B", "2010-01-01", "2015-01-05", &["2015-01-20", "2020-06-01"]),
        // C: due 2021-03-01, done late on 2021-04-15: up to date now, but not all in timescale.
        kid("C", "2010-01-01", "2015-01-05", &["2015-01-20", "2020-03-01", "2021-04-15"]),
        // D: entered Mon 2021-08-02; IHA due Tue 2021-08-31 (Mon 30 Aug is a bank holiday); done 2021-08-20.
        kid("D", "2012-05-05", "2021-08-02", &["2021-08-20"]),
        // E: entered 2021-09-15; IHA due in October: nothing due yet.
        kid("E", "2012-05-05", "2021-09-15", &[]),
        // F: left care 2021-09-01: out of scope at 2021-09-30.
        kid("F", "2010-01-01", "2015-01-05", &["2015-01-20", "2021-01-01"]),
        // G: 18 on 2021-09-15: out of scope at 2021-09-30, in scope at 2021-08-31.
        kid("G", "2003-09-15", "2015-01-05", &["2015-01-20", "2020-12-01"]),
        // H: UASC, overdue since 2021-05-01.
        kid("H", "2005-01-01", "2019-01-07", &["2019-01-25", "2020-05-01"]),
        // I: missing, overdue since 2021-05-01.
        kid("I", "2005-01-01", "2019-01-07", &["2019-01-25", "2020-05-01"]),
        // J: assessed 2021-06-01, a month before entering care on 2021-07-01: exempt from the IHA.
        kid("J", "2012-05-05", "2021-07-01", &["2021-06-01"]),
        // K: turns 5 on 2021-08-15; 6-monthly reviews on time through it (due 2021-04-01, done
        // 03-20; due 09-20, done 09-10 aged 5); next due 2022-09-10.
        kid("K", "2016-08-15", "2017-01-09", &["2017-01-25", "2020-10-01", "2021-03-20", "2021-09-10"]),
    ];
    // J's record is an IHA done face to face (a doctor's): only that exempts (regulation 7(2)).
    v[9].assessments[0].kind = lac_backlog::AssessmentType::Iha;
    v[5].care_end = Some(ymd(2021, 9, 1));
    v[7].uasc = true;
    v[8].missing = true;
    v[0].locality = Some("North".into());
    v[1].locality = Some("South".into());
    Cohort::from_children(v)
}

fn counts(rows: &[KpiRow], e: NaiveDate, x: Exclusion, group: &str) -> HashMap<Indicator, (u64, u64)> {
    rows.iter()
        .filter(|r| r.period_end == e && r.exclusion == x && r.group == group)
        .map(|r| (r.indicator, (r.numerator, r.denominator)))
        .collect()
}

#[test]
fn every_indicator_hand_worked() {
    let e = ymd(2021, 9, 30);
    let rows = compute(&cohort(), &[e], GroupBy::None, &Policy::default());
    // In scope: A B C D E H I J K (F left care, G is 18).
    let c = counts(&rows, e, Exclusion::None, "all");
    // Not overdue: A C D E J K = 6 of 9.
    assert_eq!(c[&Indicator::UpToDate], (6, 9));
    // In care since 2020-09-30 or before: A B C H I K; assessed in the year: A C K.
    assert_eq!(c[&Indicator::Oc2AnnualHa], (3, 6));
    // Something due by 2021-09-30: all but E and J (exempt from the IHA, first review due
    // 2022-06-01); all on time and none overdue: A D K.
    assert_eq!(c[&Indicator::AllInTimescale], (3, 7));
    // Entered in the year, not exempt, IHA due by the period end: D (on time). J is exempt, E not due.
    assert_eq!(c[&Indicator::IhaInTimescale], (1, 1));
    let u = counts(&rows, e, Exclusion::Uasc, "all");
    assert_eq!((u[&Indicator::UpToDate], u[&Indicator::Oc2AnnualHa], u[&Indicator::AllInTimescale]), ((6, 8), (3, 5), (3, 6)));
    let m = counts(&rows, e, Exclusion::Missing, "all");
    assert_eq!(m[&Indicator::UpToDate], (6, 8));
}

/// One child's four indicators at E, as (numerator, denominator) pairs in `Indicator::ALL` order.
fn one(c: Child, e: NaiveDate) -> Vec<(u64, u64)> {
    let rows = compute(&Cohort::from_children(vec![c]), &[e], GroupBy::None, &Policy::default());
    let got = counts(&rows, e, Exclusion::None, "all");
    Indicator::ALL.iter().map(|i| got[i]).collect()
}

#[test]
fn oc2_counts_a_child_in_care_since_1_april_of_the_year_before() {
    // The DfE's 12-month cohort at 31 March 2022: in care on 1 April 2021 (the day after E
    // minus 12 months) and at E. Came into care on 1 April 2021, IHA on time, nothing since.
    let e = ymd(2022, 3, 31);
    let on_1_april = kid("A", "2012-01-01", "2021-04-01", &["2021-04-20"]);
    assert_eq!(one(on_1_april, e)[1], (1, 1), "in the cohort; the IHA on 20 April 2021 is in the year");
    let on_2_april = kid("B", "2012-01-01", "2021-04-02", &["2021-04-20"]);
    assert_eq!(one(on_2_april, e)[1], (0, 0), "in care 364 days at E: not in the cohort");
    let on_31_march = kid("C", "2012-01-01", "2021-03-31", &["2021-03-31"]);
    assert_eq!(one(on_31_march, e)[1], (0, 1), "in the cohort; its IHA on 31 March 2021 is not in the 12 months to E");
}

#[test]
fn iha_timeliness_counts_an_entrant_who_missed_the_iha_and_left() {
    // Entered Mon 2021-08-02, IHA due Tue 2021-08-31 (Mon 30 Aug a bank holiday); E = 2021-09-30.
    let e = ymd(2021, 9, 30);
    let mut missed_then_left = kid("A", "2012-05-05", "2021-08-02", &[]);
    missed_then_left.care_end = Some(ymd(2021, 9, 10));
    assert_eq!(one(missed_then_left, e)[3], (0, 1), "missed on 31 August while in care: counts, as missed");
    let mut done_then_left = kid("B", "2012-05-05", "2021-08-02", &["2021-08-20"]);
    done_then_left.care_end = Some(ymd(2021, 9, 10));
    assert_eq!(one(done_then_left, e)[3], (1, 1), "done on time, then left: counts, as on time");
    let mut left_before_due = kid("C", "2012-05-05", "2021-08-02", &[]);
    left_before_due.care_end = Some(ymd(2021, 8, 31));
    assert_eq!(one(left_before_due, e)[3], (0, 0), "left care on the due date: owed no IHA");
    let mut short_breaks = kid("D", "2012-05-05", "2021-08-02", &[]);
    short_breaks.legal_status = Some("V3".into());
    assert_eq!(one(short_breaks, e)[3], (0, 0), "short breaks: not in the indicator");
}

#[test]
fn all_in_timescale_leaves_out_an_exempt_child_with_nothing_yet_due() {
    // Assessed by a doctor face to face on 2021-06-01, a month before care on 2021-07-01: no
    // IHA is owed, and the first review falls due on 2022-06-01 (aged 9: 12 months).
    let e = ymd(2021, 9, 30);
    let mut exempt = kid("J", "2012-05-05", "2021-07-01", &["2021-06-01"]);
    exempt.assessments[0].kind = lac_backlog::AssessmentType::Iha;
    assert_eq!(one(exempt.clone(), e)[2], (0, 0), "nothing due by E: not in the indicator");
    // A year on, the review fell due on 2022-06-01: done on 2022-05-20, so on time.
    exempt.assessments.push(done(ymd(2022, 5, 20)));
    assert_eq!(one(exempt.clone(), ymd(2022, 6, 30))[2], (1, 1));
    // Not done: in the indicator and missed.
    exempt.assessments.pop();
    assert_eq!(one(exempt, ymd(2022, 6, 30))[2], (0, 1));
}

#[test]
fn a_series_sees_children_turn_18_and_leave_care() {
    let ends = month_ends(ymd(2021, 10, 21), 2);
    assert_eq!(ends, [ymd(2021, 8, 31), ymd(2021, 9, 30)]);
    let rows = compute(&cohort(), &ends, GroupBy::None, &Policy::default());
    let aug = counts(&rows, ends[0], Exclusion::None, "all");
    // At 2021-08-31: F (still in care) and G (17) are in scope; E not yet in care.
    // Not overdue: A C D F G(next falls after 18: nothing due) J K = 7 of 10.
    assert_eq!(aug[&Indicator::UpToDate], (7, 10));
    // D's IHA is due that very day and done: on time.
    assert_eq!(aug[&Indicator::IhaInTimescale], (1, 1));
}

#[test]
fn breakdowns_add_up_to_the_headline() {
    let e = ymd(2021, 9, 30);
    for by in [GroupBy::AgeBand, GroupBy::Locality] {
        let rows = compute(&cohort(), &[e], by, &Policy::default());
        for ind in Indicator::ALL {
            let all = rows.iter().find(|r| r.indicator == ind && r.exclusion == Exclusion::None && r.group == "all").unwrap();
            let parts: Vec<&KpiRow> =
                rows.iter().filter(|r| r.indicator == ind && r.exclusion == Exclusion::None && r.group != "all").collect();
            assert_eq!(parts.iter().map(|r| r.numerator).sum::<u64>(), all.numerator);
            assert_eq!(parts.iter().map(|r| r.denominator).sum::<u64>(), all.denominator);
        }
    }
    let rows = compute(&cohort(), &[e], GroupBy::Locality, &Policy::default());
    let groups: Vec<&str> =
        rows.iter().filter(|r| r.indicator == Indicator::UpToDate && r.exclusion == Exclusion::None).map(|r| r.group.as_str()).collect();
    assert_eq!(groups, ["all", "North", "South", "unknown"]);
}

#[test]
fn the_table_has_the_contract_columns_rag_and_one_decimal() {
    let e = ymd(2021, 9, 30);
    let rows = compute(&cohort(), &[e], GroupBy::None, &Policy::default());
    let t = kpi_table(&rows, GroupBy::None, false, &Policy::default());
    let csv = t.to_csv_string();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("indicator,period_end,exclusion,numerator,denominator,value_pct,target_pct,floor_pct,rag"));
    assert_eq!(lines.next(), Some("up_to_date,2021-09-30,none,6,9,66.7,90.0,85.0,red"));
    assert_eq!(csv.lines().count(), 1 + 4 * 3);
    let mut p = Policy::default();
    p.kpi.indicators.insert(
        "up_to_date".into(),
        lac_backlog::policy::RagSetting { target_pct: Some(60.0), floor_pct: Some(50.0), higher_is_better: None },
    );
    let t = kpi_table(&rows, GroupBy::None, false, &p).to_csv_string();
    assert!(t.contains("up_to_date,2021-09-30,none,6,9,66.7,60.0,50.0,green"), "{t}");
}

#[test]
fn the_forecast_assumes_nobody_else_is_seen() {
    let rows = forecast(&cohort(), ymd(2021, 9, 30), 4, &Policy::default());
    let none: Vec<&KpiRow> = rows.iter().filter(|r| r.exclusion == Exclusion::None).collect();
    assert_eq!(
        none.iter().map(|r| r.period_end).collect::<Vec<_>>(),
        [ymd(2021, 10, 31), ymd(2021, 11, 30), ymd(2021, 12, 31), ymd(2022, 1, 31)]
    );
    // E's IHA falls due in October, A's review in January: the value can only fall.
    assert_eq!((none[0].numerator, none[0].denominator), (5, 9));
    assert_eq!((none[3].numerator, none[3].denominator), (4, 9));
}

/// An independent reader of a suppressed table: works out hidden counts from the published
/// ones (groups add up to `all`) and the quantities beside them, and returns any small count.
fn attack(csv: &str) -> Vec<String> {
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    // key (indicator, period, exclusion, group) -> (num, den); None where suppressed.
    type Key = (String, String, String, String);
    let mut cells: HashMap<Key, (Option<i64>, Option<i64>)> = HashMap::new();
    for r in &rows {
        let v = |s: &str| if s == "c" { None } else { Some(s.parse::<i64>().unwrap()) };
        cells.insert((r[0].into(), r[1].into(), r[2].into(), r[3].into()), (v(&r[4]), v(&r[5])));
    }
    // Work out a hidden group or total from the others.
    loop {
        let mut changed = false;
        let keys: Vec<_> = cells.keys().filter(|k| k.3 == "all").cloned().collect();
        for k in keys {
            let parts: Vec<_> = cells.keys().filter(|p| p.0 == k.0 && p.1 == k.1 && p.2 == k.2 && p.3 != "all").cloned().collect();
            for m in 0..2 {
                let get = |c: &(Option<i64>, Option<i64>)| if m == 0 { c.0 } else { c.1 };
                let mut unknown: Vec<_> = parts.iter().filter(|p| get(&cells[*p]).is_none()).cloned().collect();
                let total = get(&cells[&k]);
                if total.is_none() {
                    unknown.push(k.clone());
                }
                if unknown.len() == 1 {
                    let sum: i64 = parts.iter().filter_map(|p| get(&cells[p])).sum();
                    let u = unknown[0].clone();
                    let val = if u == k { sum } else { total.unwrap() - sum };
                    let cell = cells.get_mut(&u).unwrap();
                    if m == 0 {
                        cell.0 = Some(val)
                    } else {
                        cell.1 = Some(val)
                    }
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let small = |v: i64| (1..=5).contains(&v);
    let mut leaks = Vec::new();
    for (k, (n, d)) in &cells {
        for v in [n, d].into_iter().flatten() {
            if small(*v) {
                leaks.push(format!("{k:?} count {v}"));
            }
        }
        if let (Some(n), Some(d)) = (n, d) {
            if small(d - n) {
                leaks.push(format!("{k:?} failures {}", d - n));
            }
        }
        if k.2 != "none" {
            if let Some((hn, hd)) = cells.get(&(k.0.clone(), k.1.clone(), "none".into(), k.3.clone())) {
                for (a, b) in [(hn, n), (hd, d)] {
                    if let (Some(a), Some(b)) = (a, b) {
                        if small(a - b) {
                            leaks.push(format!("{k:?} excluded children {}", a - b));
                        }
                    }
                }
                if let (Some(hn), Some(hd), Some(n), Some(d)) = (hn, hd, n, d) {
                    if small((hd - hn) - (d - n)) {
                        leaks.push(format!("{k:?} excluded failures"));
                    }
                }
            }
        }
        if k.0 != "up_to_date" {
            if let (Some((_, Some(ud))), Some(d)) = (cells.get(&("up_to_date".into(), k.1.clone(), k.2.clone(), k.3.clone())), d) {
                if small(ud - d) {
                    leaks.push(format!("{k:?} nested denominator {}", ud - d));
                }
            }
        }
    }
    leaks
}

proptest! {
    #![proptest_config(prop_config(48))]

    #[test]
    fn suppressed_output_never_reveals_a_count_from_1_to_5(n in 5usize..160, seed in any::<u64>(), share in 0.0f64..0.7) {
        let mut o = lac_backlog::synth::SynthOptions::new(n, seed, ymd(2021, 10, 21));
        o.overdue_share = Some(share);
        o.localities = vec!["North".into(), "South".into(), "East".into()];
        let c = lac_backlog::synth::synthetic_cohort(&o);
        for by in [GroupBy::AgeBand, GroupBy::Locality] {
            let rows = compute(&c, &month_ends(ymd(2021, 10, 21), 2), by, &Policy::default());
            let csv = kpi_table(&rows, by, true, &Policy::default()).to_csv_string();
            let leaks = attack(&csv);
            prop_assert!(leaks.is_empty(), "{leaks:?}\n{csv}");
        }
    }
}

/// The KPI report a request asks for is the sum of its parts (what the `kpi` command and
/// `lb.kpis` call), and the breakdown reads from its name.
#[test]
fn a_report_request_gives_the_indicators_trend_and_forecast() {
    let e = ymd(2021, 9, 30);
    let request = lac_backlog::kpi::KpiRequest { as_of: e, months: Some(2), by: "age_band".parse().unwrap(), suppress: false, forecast: 2 };
    let r = lac_backlog::kpi::report(&cohort(), &request, &Policy::default());
    let rows = compute(&cohort(), &month_ends(e, 2), GroupBy::AgeBand, &Policy::default());
    assert_eq!(r.indicators, kpi_table(&rows, GroupBy::AgeBand, false, &Policy::default()));
    assert!(r.forecast.is_some_and(|f| f.n_rows() > 0) && r.trend.n_rows() > 0);
    assert_eq!("".parse::<GroupBy>(), Ok(GroupBy::None));
    assert!("ward".parse::<GroupBy>().unwrap_err().contains("age_band"));
}

#[test]
fn suppression_keeps_the_headline_and_data_frames_keep_numbers() {
    // On councils of several sizes, broken down by age band: the headline rows (exclusion
    // none, group all) are never hidden unless their own count is small, and a hidden
    // exclusion row of the whole council hides only what its difference from the headline
    // would reveal (1 to 5 children excluded).
    for (n, seed) in [(300, 1), (1230, 1), (1230, 7), (3000, 2)] {
        let mut o = lac_backlog::synth::SynthOptions::new(n, seed, ymd(2021, 10, 21));
        o.overdue_share = Some(0.3);
        let c = lac_backlog::synth::synthetic_cohort(&o);
        let p = Policy::default();
        let rows = compute(&c, &month_ends(ymd(2021, 10, 21), 3), GroupBy::AgeBand, &p);
        let hidden = lac_backlog::kpi::suppression(&rows, &p);
        let small = |v: u64| (1..=5).contains(&v);
        for (r, h) in rows.iter().zip(&hidden) {
            if r.group == "all" && r.exclusion == Exclusion::None {
                assert_eq!(h.0, small(r.numerator) || small(r.denominator - r.numerator) || small(r.denominator), "{r:?}");
            }
            if r.group == "all" && r.exclusion != Exclusion::None && (h.0 || h.1) {
                let head = rows
                    .iter()
                    .find(|x| {
                        x.indicator == r.indicator && x.period_end == r.period_end && x.group == "all" && x.exclusion == Exclusion::None
                    })
                    .unwrap();
                let excluded = (head.numerator - r.numerator, head.denominator - r.denominator);
                assert!(
                    small(excluded.0)
                        || small(excluded.1)
                        || small(r.numerator)
                        || small(r.denominator - r.numerator)
                        || small(excluded.1 - excluded.0),
                    "{r:?} hidden for no reason of its own: {excluded:?}"
                );
            }
        }
        // The table: numbers blank where hidden (data frames keep their type), `c` in the CSV,
        // and a `suppressed` flag for data frames only.
        let t = kpi_table(&rows, GroupBy::AgeBand, true, &p);
        let col = |name: &str| t.columns.iter().find(|c| c.name == name).unwrap();
        assert!(matches!(col("numerator").data, lac_backlog::table::ColumnData::Int(_)));
        assert!(!col("suppressed").in_csv && t.csv_columns().last() == Some(&"rag"));
        let csv = t.to_csv_string();
        for (i, h) in hidden.iter().enumerate() {
            let line = csv.lines().nth(i + 1).unwrap();
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(cells[4] == "c", h.0, "{line}");
            assert_eq!(col("numerator").data.cell(i).is_empty(), h.0);
            assert_eq!(col("suppressed").data.cell(i) == "yes", h.0 || h.1);
        }
    }
}

#[test]
fn a_series_without_leavers_is_warned_about() {
    let ends = month_ends(ymd(2021, 10, 21), 12);
    // The hand cohort has F, who left care on 2021-09-01: no warning.
    assert_eq!(lac_backlog::kpi::leavers_warning(&cohort(), &ends), None);
    let mut today_only = cohort();
    today_only.children.retain(|c| c.care_end.is_none());
    let w = lac_backlog::kpi::leavers_warning(&today_only, &ends).unwrap();
    assert!(w.contains("between 01/10/2020 and 30/09/2021") && w.contains("past months need the children who have since left"), "{w}");
    // The window starts the day after the month before the first period end ends: a series
    // from 30 November starts on 1 November (not 31 October).
    let w = lac_backlog::kpi::leavers_warning(&today_only, &month_ends(ymd(2022, 5, 20), 6)).unwrap();
    assert!(w.contains("between 01/11/2021 and 30/04/2022"), "{w}");
    // One month end is a snapshot: nothing to say.
    assert_eq!(lac_backlog::kpi::leavers_warning(&today_only, &ends[11..]), None);
}
