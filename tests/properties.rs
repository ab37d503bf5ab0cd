//! Property tests of the schedule and the reader (proptest).

mod common;
use common::*;

use chrono::{Days, NaiveDate};
use lac_backlog::table::status_table;
use lac_backlog::{
    load_csv_bytes, status_all, Assessment, AssessmentType, Child, Modality, Outcome, Policy, ReadOptions, Scheduler, Status,
};
use proptest::prelude::*;

fn day(offset: u32) -> NaiveDate {
    ymd(1995, 1, 1) + Days::new(u64::from(offset))
}

/// A child with random dates, status fields and assessments, and an as_of date.
fn arb_case() -> impl Strategy<Value = (Child, NaiveDate)> {
    (
        0u32..9000,                                                              // dob
        0u32..6500,                                                              // care_start after dob, before 18
        prop::collection::vec((0u32..7300, any::<bool>(), any::<bool>()), 0..7), // assessments
        prop::option::of(0u32..3000),                                            // care_end after care_start
        prop::sample::select(vec![None, Some("C2"), Some("V3"), Some("V4"), Some("E1")]),
        0u32..3000, // as_of after care_start - 100
    )
        .prop_map(|(dob, cs, assessments, ce, ls, t)| {
            let dob = day(dob);
            let care_start = dob + Days::new(u64::from(cs));
            let mut c = Child::new("X", dob, care_start);
            c.care_end = ce.map(|e| care_start + Days::new(u64::from(e)));
            c.legal_status = ls.map(Into::into);
            c.assessments = assessments
                .into_iter()
                .map(|(off, declined, iha)| Assessment {
                    completed_on: dob + Days::new(u64::from(off)),
                    kind: if iha { AssessmentType::Iha } else { AssessmentType::Rha },
                    modality: Modality::FaceToFace,
                    outcome: if declined { Outcome::Declined } else { Outcome::Completed },
                })
                .collect();
            c.assessments.sort();
            let as_of = care_start + Days::new(u64::from(t)) - Days::new(100);
            (c, as_of)
        })
}

proptest! {
    #![proptest_config(prop_config(512))]

    #[test]
    fn due_date_never_precedes_the_last_assessment_or_care_start((c, as_of) in arb_case()) {
        let st = Scheduler::new(&Policy::default()).child_status(&c, as_of);
        if let Some(due) = st.due_date {
            prop_assert!(due > c.care_start);
            if let Some(last) = st.last_assessment {
                prop_assert!(due > last, "due {due} before last {last}");
            }
        }
    }

    #[test]
    fn status_depends_only_on_assessments_up_to_as_of((c, as_of) in arb_case()) {
        let s = Scheduler::new(&Policy::default());
        let full = s.child_status(&c, as_of);
        let mut cut = c.clone();
        cut.assessments.retain(|a| a.completed_on <= as_of);
        prop_assert_eq!(&full, &s.child_status(&cut, as_of));
        prop_assert_eq!(&full, &s.child_status(&c, as_of)); // and it is repeatable
    }

    #[test]
    fn status_agrees_with_days_overdue_and_due_date((c, as_of) in arb_case()) {
        let st = Scheduler::new(&Policy::default()).child_status(&c, as_of);
        match st.status {
            Status::NotRequired => prop_assert!(st.due_date.is_none() && st.days_overdue.is_none()),
            Status::Overdue => prop_assert!(st.days_overdue.unwrap() > 0 && st.due_date.unwrap() < as_of),
            Status::DueSoon => prop_assert!(st.due_date.unwrap() >= as_of && (st.due_date.unwrap() - as_of).num_days() <= 28),
            Status::UpToDate => prop_assert!((st.due_date.unwrap() - as_of).num_days() > 28),
        }
    }

    #[test]
    fn an_assessment_today_is_never_overdue((c, as_of) in arb_case()) {
        let mut seen = c.clone();
        seen.assessments.push(done(as_of));
        seen.assessments.sort();
        let st = Scheduler::new(&Policy::default()).child_status(&seen, as_of);
        prop_assert!(st.status != Status::Overdue, "{st:?}");
    }
}

fn csv_of(children: &[Child]) -> (Vec<String>, Vec<String>) {
    let mut c = Vec::new();
    let mut a = Vec::new();
    for ch in children {
        c.push(format!(
            "{},{},{},{},{}",
            ch.id,
            ch.date_of_birth,
            ch.care_start.format("%d/%m/%Y"),
            ch.care_end.map(|d| d.to_string()).unwrap_or_default(),
            ch.legal_status.clone().unwrap_or_default()
        ));
        for x in &ch.assessments {
            a.push(format!("{},{},{},{}", ch.id, x.kind.as_str(), x.completed_on, x.outcome.as_str()));
        }
    }
    (c, a)
}

proptest! {
    #![proptest_config(prop_config(64))]

    #[test]
    fn input_row_order_never_changes_the_output(
        cases in prop::collection::vec(arb_case(), 1..25),
        seed in any::<u64>(),
    ) {
        let children: Vec<Child> = cases
            .iter()
            .enumerate()
            .map(|(i, (c, _))| Child { id: format!("{:03}", i * 7 % 101).into(), ..c.clone() })
            .collect();
        let mut uniq = std::collections::HashSet::new();
        prop_assume!(children.iter().all(|c| uniq.insert(c.id.clone())));
        let as_of = cases[0].1;
        let (crows, arows) = csv_of(&children);
        let render = |crows: &[String], arows: &[String]| {
            let ctext = format!("child_id,date_of_birth,care_start,care_end,legal_status\n{}\n", crows.join("\n"));
            let atext = format!("child_id,assessment_type,completed_on,outcome\n{}\n", arows.join("\n"));
            let l = load_csv_bytes("c.csv", ctext.as_bytes(), "a.csv", atext.as_bytes(), &ReadOptions::new(ymd(2100, 1, 1)));
            let cohort = l.into_cohort().expect("generated data is valid");
            status_table(&cohort, &status_all(&cohort, as_of, &Policy::default())).to_csv_string()
        };
        let before = render(&crows, &arows);
        // A deterministic shuffle from the seed.
        let shuffle = |v: &[String], s: u64| {
            let mut keyed: Vec<(u64, String)> = v.iter().enumerate().map(|(i, x)| ((i as u64 + 1).wrapping_mul(s | 1).rotate_left(17) ^ s, x.clone())).collect();
            keyed.sort();
            keyed.into_iter().map(|(_, x)| x).collect::<Vec<_>>()
        };
        let after = render(&shuffle(&crows, seed), &shuffle(&arows, seed.rotate_left(7)));
        prop_assert_eq!(before, after);
    }

    #[test]
    fn the_reader_never_panics_and_always_reconciles(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let l = load_csv_bytes("c.csv", &bytes, "a.csv", &bytes, &ReadOptions::new(today()));
        for (_, c) in &l.report.tables {
            prop_assert!(c.reconciles());
        }
    }
}
