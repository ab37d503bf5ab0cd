//! The pathway's actions (src/pathway.rs), worked by hand on one child per step, late and on
//! time. Report date Thursday 21 October 2021; working days skip weekends and bank holidays
//! (Monday 30 August 2021).

mod common;
use common::*;

use lac_backlog::pathway::{actions, actions_table, read_events};
use lac_backlog::{Cohort, Policy};

fn as_of() -> chrono::NaiveDate {
    ymd(2021, 10, 21)
}

fn kid(id: &str, care_start: (i32, u32, u32), reviews: &[(i32, u32, u32)]) -> lac_backlog::Child {
    let mut done_on = vec![];
    if care_start.0 < 2021 {
        done_on.push(done(ymd(2015, 1, 20)));
    }
    done_on.extend(reviews.iter().map(|(y, m, d)| done(ymd(*y, *m, *d))));
    let mut c = child(ymd(2011, 1, 1), ymd(care_start.0, care_start.1, care_start.2), done_on);
    c.id = id.into();
    c
}

fn cohort() -> Cohort {
    let mut h = kid("H", (2015, 1, 5), &[(2020, 12, 20)]);
    h.signals.out_of_area = true;
    Cohort::from_children(vec![
        kid("A", (2021, 10, 1), &[]),
        kid("B", (2021, 10, 1), &[]),
        kid("C", (2015, 1, 5), &[(2020, 12, 1)]),
        kid("D", (2015, 1, 5), &[(2020, 12, 1)]),
        kid("E", (2015, 1, 5), &[(2020, 9, 1)]),
        kid("F", (2015, 1, 5), &[(2020, 9, 1)]),
        kid("G", (2015, 1, 5), &[(2021, 10, 15)]),
        h,
    ])
}

const EVENTS: &str = "child_id,event,date
B,notified,2021-10-04
B,requested,2021-10-05
D,requested,2021-10-01
D,booked,2021-11-10
E,requested,2021-07-01
E,booked,2021-08-20
F,requested,2021-07-01
F,booked,2021-08-20
F,was_not_brought,2021-08-20
G,requested,2021-08-01
";

#[test]
fn one_child_per_step_by_hand() {
    let c = cohort();
    let (events, warnings) = read_events("events.csv", EVENTS.as_bytes(), &c, as_of()).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let got = actions(&c, &events, as_of(), 56, &Policy::default());
    let rows: Vec<(String, &str, &str, String, i64)> =
        got.iter().map(|a| (c.children[a.child].id.to_string(), a.step, a.owner.as_str(), a.due_on.to_string(), a.days_late)).collect();
    let want: Vec<(String, &str, &str, String, i64)> = [
        // E: booked for 20 August, nothing recorded since: the provider, 62 days late, escalated.
        ("E", "booking", "provider", "2021-08-20", 62),
        ("E", "escalation", "designated_nurse", "2021-08-20", 62),
        // F: not brought on Friday 20 August: rebook within 10 working days (Monday 30 August a
        // bank holiday): by Monday 6 September, 45 days late, escalated.
        ("F", "rebooking", "provider", "2021-09-06", 45),
        ("F", "escalation", "designated_nurse", "2021-09-06", 45),
        // H (out of area): review due 20 December, requested 12 weeks before, by 27 September.
        ("H", "review_request", "council", "2021-09-27", 24),
        ("H", "escalation", "service_manager", "2021-09-27", 24),
        // C: review due 1 December, requested 8 weeks before, by 6 October.
        ("C", "review_request", "council", "2021-10-06", 15),
        ("C", "escalation", "service_manager", "2021-10-06", 15),
        // A: in care from Friday 1 October, nothing recorded: notify and request within 5
        // working days, by Friday 8 October.
        ("A", "iha_request", "council", "2021-10-08", 13),
        ("A", "notification", "council", "2021-10-08", 13),
        ("A", "escalation", "service_manager", "2021-10-08", 13),
        ("A", "escalation", "service_manager", "2021-10-08", 13),
        // B: notified and requested in time; health books by the IHA's due date, 29 October.
        ("B", "booking", "provider", "2021-10-29", -8),
        // G: assessed on 15 October; its report within 10 working days, by 29 October.
        ("G", "report", "provider", "2021-10-29", -8),
    ]
    .into_iter()
    .map(|(a, b, o, d, n)| (a.to_string(), b, o, d.to_string(), n))
    .collect();
    assert_eq!(rows, want);
    // D (requested, booked for November) has nothing to do. The table has the contract's columns.
    let t = actions_table(&c, &got);
    assert_eq!(
        t.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["child_id", "action", "owner", "provider", "due_on", "days_late", "step", "reason"]
    );
}

#[test]
fn events_are_checked_like_any_input() {
    let c = cohort();
    let bad = "child_id,event,date\nZ,notified,2021-10-04\nA,phoned,2021-10-04\nA,notified,2021-05-01\nB,notified,2021-11-01\n";
    let e = read_events("events.csv", bad.as_bytes(), &c, as_of()).unwrap_err();
    let lac_backlog::Error::Data { errors, .. } = e else { panic!("{e}") };
    let seen: Vec<(Option<u64>, Option<String>)> = errors.iter().map(|p| (p.line, p.column.clone())).collect();
    assert_eq!(
        seen,
        [
            (Some(2), Some("child_id".into())),
            (Some(3), Some("event".into())),
            (Some(4), Some("date".into())),
            (Some(5), Some("date".into()))
        ]
    );
    // A booking with no request: kept, with a warning.
    let (ev, warnings) = read_events("events.csv", b"child_id,event,date\nA,booked,2021-10-20\n", &c, as_of()).unwrap();
    assert_eq!((ev.len(), warnings.len()), (1, 1));
}
