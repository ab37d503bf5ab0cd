//! The pathway's actions (src/pathway), worked by hand on one child per step, late and on
//! time. Report date Thursday 21 October 2021; working days skip weekends and bank holidays
//! (Monday 30 August 2021).

mod common;
use common::*;

use chrono::NaiveDate;
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

/// The follow-ups of a small cohort, worked by hand (report date Thursday 21 October 2021).
fn follow_up_cohort() -> Cohort {
    let in_care = |id: &str, dob: (i32, u32, u32)| {
        let mut c = child(ymd(dob.0, dob.1, dob.2), ymd(2015, 1, 5), vec![done(ymd(2015, 1, 20)), done(ymd(2021, 6, 1))]);
        c.id = id.into();
        c.last_dental_check = Some(ymd(2021, 9, 1));
        c.immunisations_up_to_date = Some(true);
        c
    };
    // S1 is 18 on 10 February 2022: the summary is listed from 10 August 2021.
    let s1 = in_care("S1", (2004, 2, 10));
    // S2 is 18 on 10 June 2022: listed from 10 December 2021, not yet.
    let s2 = in_care("S2", (2004, 6, 10));
    // S3 is 18 on 1 March 2022 and had the summary on 1 October 2021.
    let s3 = in_care("S3", (2004, 3, 1));
    // Q1: SDQ a year old on 1 September; dental check due 1 December; immunisations not up to date.
    let mut q1 = in_care("Q1", (2011, 1, 1));
    q1.sdq_score = Some(12);
    q1.sdq_date = Some(ymd(2020, 9, 1));
    q1.last_dental_check = Some(ymd(2021, 6, 1));
    q1.immunisations_up_to_date = Some(false);
    // Q2: SDQ recent; immunisations not recorded.
    let mut q2 = in_care("Q2", (2011, 1, 1));
    q2.sdq_score = Some(12);
    q2.sdq_date = Some(ymd(2021, 6, 1));
    q2.immunisations_up_to_date = None;
    // Q3: no SDQ at all since care began in 2015.
    let q3 = in_care("Q3", (2011, 1, 1));
    // Q4: SDQ 20 on Monday 11 October, no CAMHS referral noted; Q5: the same, referred.
    let mut q4 = in_care("Q4", (2011, 1, 1));
    q4.sdq_score = Some(20);
    q4.sdq_date = Some(ymd(2021, 10, 11));
    let mut q5 = q4.clone();
    q5.id = "Q5".into();
    q5.camhs_referral = Some(true);
    // Q6: aged 2, in care from Tuesday 1 June 2021, no dental check recorded; too young for an SDQ.
    let mut q6 = child(ymd(2019, 5, 1), ymd(2021, 6, 1), vec![done(ymd(2021, 6, 20))]);
    q6.id = "Q6".into();
    q6.immunisations_up_to_date = Some(true);
    Cohort::from_children(vec![s1, s2, s3, q1, q2, q3, q4, q5, q6])
}

#[test]
fn follow_ups_by_hand() {
    let c = follow_up_cohort();
    let events = "child_id,event,date\nS3,health_summary,2021-10-01\n";
    let (events, _) = read_events("events.csv", events.as_bytes(), &c, as_of()).unwrap();
    let got = actions(&c, &events, as_of(), 56, &Policy::default());
    let follow_ups = ["health_summary", "sdq", "camhs_referral", "dental_check", "immunisations"];
    let rows: Vec<(String, &str, &str, String, i64)> = got
        .iter()
        .filter(|a| follow_ups.contains(&a.step) || (a.step == "escalation" && a.reason.contains("SDQ") || a.reason.contains("dental")))
        .map(|a| (c.children[a.child].id.to_string(), a.step, a.owner.as_str(), a.due_on.to_string(), a.days_late))
        .collect();
    let want: Vec<(String, &str, &str, String, i64)> = [
        // Q3: no SDQ since care began: due from the IHA's due date (20 working days after
        // Monday 5 January 2015: Monday 2 February 2015), 2,453 days late, escalated.
        ("Q3", "sdq", "council", "2015-02-02", 2453),
        ("Q3", "escalation", "service_manager", "2015-02-02", 2453),
        // Q6: no dental check: due from the IHA's due date (Tuesday 29 June 2021; Monday 31 May
        // was a bank holiday, before care began), 114 days late, escalated.
        ("Q6", "dental_check", "council", "2021-06-29", 114),
        ("Q6", "escalation", "service_manager", "2021-06-29", 114),
        // Q1: SDQ of 1 September 2020 a year old on 1 September 2021: 50 days late, escalated.
        ("Q1", "sdq", "council", "2021-09-01", 50),
        ("Q1", "escalation", "service_manager", "2021-09-01", 50),
        // Immunisations: due now.
        ("Q1", "immunisations", "provider", "2021-10-21", 0),
        ("Q2", "immunisations", "provider", "2021-10-21", 0),
        // Q4: SDQ 20 on Monday 11 October: CAMHS referral checked within 10 working days, by
        // Monday 25 October.
        ("Q4", "camhs_referral", "provider", "2021-10-25", -4),
        // Q1: dental check of 1 June 2021 due again 6 months on, 1 December (41 days ahead).
        ("Q1", "dental_check", "council", "2021-12-01", -41),
        // S1: 18 on 10 February 2022: the summary by the end of January, listed though 102 days
        // ahead.
        ("S1", "health_summary", "provider", "2022-01-31", -102),
    ]
    .into_iter()
    .map(|(a, b, o, d, n)| (a.to_string(), b, o, d.to_string(), n))
    .collect();
    assert_eq!(rows, want);
    let named = |id: &str, step: &str| got.iter().find(|a| c.children[a.child].id.as_str() == id && a.step == step).cloned();
    assert_eq!(named("Q1", "immunisations").unwrap().action, "arrange catch-up immunisations");
    assert_eq!(named("Q2", "immunisations").unwrap().action, "record whether immunisations are up to date");
    // Q5 (referred), S2 (summary not yet open), S3 (summary given) and Q6's SDQ (aged 2): none.
    for (id, step) in [("Q5", "camhs_referral"), ("S2", "health_summary"), ("S3", "health_summary"), ("Q6", "sdq")] {
        assert!(named(id, step).is_none(), "{id} {step}");
    }
    // The switch: follow-ups stay on the list without an escalation.
    let mut p = Policy::default();
    p.pathway.escalate_follow_ups = false;
    let quiet = actions(&c, &events, as_of(), 56, &p);
    assert!(quiet.iter().filter(|a| a.step == "escalation").all(|a| !a.reason.contains("SDQ") && !a.reason.contains("dental")));
    assert_eq!(quiet.iter().filter(|a| a.step == "sdq").count(), 2);
}

#[test]
fn a_check_with_no_data_at_all_is_not_made_and_said() {
    // The 8-child cohort has no SDQ, dental or immunisation data: no follow-up actions, and
    // the three checks are named as not made.
    let c = cohort();
    let (events, _) = read_events("events.csv", EVENTS.as_bytes(), &c, as_of()).unwrap();
    let got = actions(&c, &events, as_of(), 56, &Policy::default());
    assert!(got.iter().all(|a| !["sdq", "camhs_referral", "dental_check", "immunisations"].contains(&a.step)));
    let said = lac_backlog::pathway::FollowUps::of(&c).not_checked();
    assert_eq!(said.len(), 3, "{said:?}");
}

#[test]
fn turned_18_still_overdue_by_hand() {
    // T1 turned 18 on 1 March 2021, last seen 1 January 2020 (review due 1 January 2021):
    // overdue on its last day in care. T2 turned 18 on 1 March 2021 up to date. T3 turned 18
    // in 2020, outside the 12 months. T4 turned 18 on 1 March 2021 but left care in 2020.
    let kid = |id: &str, dob: NaiveDate, last: NaiveDate| {
        let mut c = child(dob, ymd(2015, 1, 5), vec![done(ymd(2015, 1, 20)), done(last)]);
        c.id = id.into();
        c
    };
    let mut t4 = kid("T4", ymd(2003, 3, 1), ymd(2019, 1, 1));
    t4.care_end = Some(ymd(2020, 6, 1));
    let c = Cohort::from_children(vec![
        kid("T1", ymd(2003, 3, 1), ymd(2020, 1, 1)),
        kid("T2", ymd(2003, 3, 1), ymd(2020, 6, 1)),
        kid("T3", ymd(2002, 3, 1), ymd(2019, 1, 1)),
        t4,
    ]);
    let got = lac_backlog::pathway::turned_18_overdue(&c, as_of(), &Policy::default());
    assert_eq!(got.iter().map(|i| c.children[*i].id.as_str()).collect::<Vec<_>>(), ["T1"]);
}

#[test]
fn stage_indicators_by_hand() {
    use lac_backlog::pathway::{stages, Step};
    // The 8-child fixture; the events cover from 1 July 2021 (their first date). The year to
    // 21 October 2021: notification and IHA request due for A and B (by 8 October), B's in
    // time (3 and 4 days after care_start); review requests due for C (6 October, none), D
    // (6 October, requested 1 October, 61 days before the due date), E and F (7 July, requested
    // 1 July, 62 days before), H (out of area, 27 September, none); assessments after E's and
    // F's requests due 1 September, neither done; no report yet due since 1 July (G's is due
    // 29 October).
    let mut c = cohort();
    for k in c.children.iter_mut().filter(|k| ["C", "D"].contains(&k.id.as_str())) {
        k.provider = Some("Trust One".into());
    }
    let (events, _) = read_events("events.csv", EVENTS.as_bytes(), &c, as_of()).unwrap();
    let rows = stages(&c, &events, as_of(), true, &Policy::default());
    let get = |step: Step, group: &str| {
        let r = rows.iter().find(|r| r.step == step && r.group == group).unwrap();
        (r.denominator, r.numerator, r.done, r.median_days)
    };
    assert_eq!(get(Step::Notification, "all"), (2, 1, 1, Some(3.0)));
    assert_eq!(get(Step::IhaRequest, "all"), (2, 1, 1, Some(4.0)));
    assert_eq!(get(Step::ReviewRequest, "all"), (5, 3, 3, Some(62.0)));
    assert_eq!(get(Step::ReviewRequest, "Trust One"), (2, 1, 1, Some(61.0)));
    assert_eq!(get(Step::ReviewRequest, "not recorded"), (3, 2, 2, Some(62.0)));
    assert_eq!(get(Step::Assessment, "all"), (2, 0, 0, None));
    assert_eq!(get(Step::Report, "all"), (0, 0, 0, None));
    // Reports: J assessed Wednesday 1 September, report back 10 September (in time, 9 days);
    // K assessed Monday 2 August, due back by 16 August, back 20 August (late, 18 days).
    let j = |id: &str, on: NaiveDate| {
        let mut k = child(ymd(2011, 1, 1), ymd(2015, 1, 5), vec![done(ymd(2015, 1, 20)), done(on)]);
        k.id = id.into();
        k
    };
    let c = Cohort::from_children(vec![j("J", ymd(2021, 9, 1)), j("K", ymd(2021, 8, 2))]);
    let ev = "child_id,event,date\nJ,report_returned,2021-09-10\nK,report_returned,2021-08-20\nK,requested,2021-06-01\n";
    let (events, _) = read_events("events.csv", ev.as_bytes(), &c, as_of()).unwrap();
    let rows = stages(&c, &events, as_of(), false, &Policy::default());
    let r = rows.iter().find(|r| r.step == Step::Report).unwrap();
    assert_eq!((r.denominator, r.numerator, r.done, r.median_days), (2, 1, 2, Some(13.5)));
    // No events, no stage indicators.
    assert!(stages(&c, &[], as_of(), false, &Policy::default()).is_empty());
}

#[test]
fn a_synthetic_councils_events_read_clean_and_raise_actions() {
    use lac_backlog::pathway::write_events_csv;
    use lac_backlog::synth::{synthetic_cohort, synthetic_events, SynthOptions};
    let c = synthetic_cohort(&SynthOptions::new(400, 7, as_of()));
    let events = synthetic_events(&c, as_of(), 7);
    assert!(events.len() > 400, "{}", events.len());
    // Written and read back: no error, no warning, the same events.
    let mut csv = Vec::new();
    write_events_csv(&c, &events, &mut csv).unwrap();
    let (back, warnings) = read_events("events.csv", &csv, &c, as_of()).unwrap();
    assert!(warnings.is_empty(), "{:?}", warnings.first());
    assert_eq!(back, events);
    // Every kind of event appears, and the actions hold every owner of the pathway.
    for kind in lac_backlog::pathway::EventKind::ALL {
        assert!(events.iter().any(|e| e.kind == kind), "{kind:?}");
    }
    let got = actions(&c, &events, as_of(), 56, &Policy::default());
    for owner in ["council", "provider", "host_provider", "designated_nurse", "service_manager"] {
        assert!(got.iter().any(|a| a.owner.as_str() == owner), "{owner}");
    }
    // Reproducible from the seed.
    assert_eq!(synthetic_events(&c, as_of(), 7), events);
}

#[test]
fn reviews_found_cases_stay_mended() {
    let p = Policy::default();
    // An IHA due Monday 1 February 2021 (in care from Monday 4 January), requested in time but
    // booked for 30 June: at 5 March the child is overdue behind a booking; health must bring it
    // forward (due on the IHA's date, 32 days late), escalated.
    let mut a = child(ymd(2011, 1, 1), ymd(2021, 1, 4), vec![]);
    a.id = "A".into();
    let c = Cohort::from_children(vec![a]);
    let ev = "child_id,event,date\nA,notified,2021-01-05\nA,requested,2021-01-05\nA,booked,2021-06-30\n";
    let (events, _) = read_events("events.csv", ev.as_bytes(), &c, ymd(2021, 3, 5)).unwrap();
    let got = actions(&c, &events, ymd(2021, 3, 5), 56, &p);
    let steps: Vec<(&str, &str, i64)> = got.iter().map(|a| (a.step, a.action, a.days_late)).collect();
    assert_eq!(steps, [("booking", "bring the appointment forward", 32), ("escalation", "escalate", 32)]);
    // A booking years ahead is a typing error, not a reason to list nothing.
    let typo = "child_id,event,date\nA,requested,2021-01-05\nA,booked,2201-06-30\n";
    assert!(read_events("events.csv", typo.as_bytes(), &c, ymd(2021, 3, 5)).is_err());
    // Events after the date asked for did not happen yet: the request of 1 March does not
    // close the IHA request at 15 February.
    let later = "child_id,event,date\nA,notified,2021-01-05\nA,requested,2021-03-01\n";
    let (events, _) = read_events("events.csv", later.as_bytes(), &c, ymd(2021, 3, 5)).unwrap();
    let got = actions(&c, &events, ymd(2021, 2, 15), 56, &p);
    assert!(got.iter().any(|a| a.step == "iha_request"), "{got:?}");

    // Events on the day of the last assessment were for it: a review request is still due.
    let mut b = child(ymd(2011, 1, 1), ymd(2021, 2, 15), vec![done(ymd(2021, 3, 10))]);
    b.id = "B".into();
    let c = Cohort::from_children(vec![b]);
    let ev = "child_id,event,date\nB,booked,2021-03-10\nB,requested,2021-03-10\n";
    let (events, warnings) = read_events("events.csv", ev.as_bytes(), &c, ymd(2022, 1, 20)).unwrap();
    assert!(warnings.is_empty(), "a request on the booking's day, on a later line, is a request before it: {warnings:?}");
    let got = actions(&c, &events, ymd(2022, 1, 20), 56, &p);
    assert!(got.iter().any(|a| a.step == "review_request" && a.due_on == ymd(2022, 1, 13)), "{got:?}");

    // A request made after the due date is not health's lateness.
    let mut d = child(ymd(2011, 1, 1), ymd(2021, 1, 4), vec![done(ymd(2021, 3, 10))]);
    d.id = "D".into();
    let c = Cohort::from_children(vec![d]);
    let ev = "child_id,event,date\nD,requested,2021-03-01\n";
    let (events, _) = read_events("events.csv", ev.as_bytes(), &c, ymd(2021, 10, 21)).unwrap();
    let rows = lac_backlog::pathway::stages(&c, &events, ymd(2021, 10, 21), false, &p);
    let r = rows.iter().find(|r| r.step == lac_backlog::pathway::Step::Assessment).unwrap();
    assert_eq!(r.denominator, 0);

    // A summary window of 0 months would open when the young person has already left.
    let mut q = Policy::default();
    q.pathway.health_summary_months_before_18 = 0;
    assert!(q.validate().is_err());
}

#[test]
fn left_care_without_a_health_summary_by_hand() {
    // L1 turned 18 on 1 September 2021 with no summary; L2 on the same day with one given on
    // 1 August; the events cover from 1 January 2021, so both summary windows (from 1 March)
    // are covered. L3 turned 18 on 1 February 2021: its window opened before the events began.
    let kid = |id: &str, dob: NaiveDate| {
        let mut c = child(dob, ymd(2015, 1, 5), vec![done(ymd(2015, 1, 20)), done(ymd(2021, 1, 1))]);
        c.id = id.into();
        c
    };
    let c = Cohort::from_children(vec![kid("L1", ymd(2003, 9, 1)), kid("L2", ymd(2003, 9, 1)), kid("L3", ymd(2003, 2, 1))]);
    let ev = "child_id,event,date\nL2,requested,2021-01-01\nL2,health_summary,2021-08-01\n";
    let (events, _) = read_events("events.csv", ev.as_bytes(), &c, as_of()).unwrap();
    let got = lac_backlog::pathway::left_without_summary(&c, &events, as_of(), &Policy::default());
    assert_eq!(got.iter().map(|i| c.children[*i].id.as_str()).collect::<Vec<_>>(), ["L1"]);
}

proptest::proptest! {
    #![proptest_config(prop_config(12))]
    /// The order of the events table's rows never changes the actions, the counts or the stage
    /// indicators (a synthetic council of 150 children and its events, rows shuffled).
    #[test]
    fn row_order_of_the_events_never_changes_the_output(shuffle in proptest::prelude::any::<u64>()) {
        use lac_backlog::pathway::write_events_csv;
    use lac_backlog::synth::{synthetic_cohort, synthetic_events, SynthOptions};
        let c = synthetic_cohort(&SynthOptions::new(150, 3, as_of()));
        let events = synthetic_events(&c, as_of(), 3);
        let mut csv = Vec::new();
        write_events_csv(&c, &events, &mut csv).unwrap();
        let text = String::from_utf8(csv).unwrap();
        let mut lines: Vec<&str> = text.lines().skip(1).collect();
        // A Fisher-Yates shuffle from the drawn number.
        let mut rng = lac_backlog::rng::Rng::new(shuffle, 0);
        for i in (1..lines.len()).rev() {
            lines.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let shuffled = format!("child_id,event,date\n{}\n", lines.join("\n"));
        let (again, _) = read_events("events.csv", shuffled.as_bytes(), &c, as_of()).unwrap();
        let p = Policy::default();
        let key = |a: &lac_backlog::pathway::Action| (a.child, a.step, a.due_on, a.days_late, a.owner.as_str(), a.reason.clone());
        let first: Vec<_> = actions(&c, &events, as_of(), 56, &p).iter().map(key).collect();
        let second: Vec<_> = actions(&c, &again, as_of(), 56, &p).iter().map(key).collect();
        proptest::prop_assert_eq!(first, second);
        let s1 = lac_backlog::pathway::stages(&c, &events, as_of(), true, &p);
        let s2 = lac_backlog::pathway::stages(&c, &again, as_of(), true, &p);
        proptest::prop_assert_eq!(s1, s2);
        let l1 = lac_backlog::pathway::left_without_summary(&c, &events, as_of(), &p);
        let l2 = lac_backlog::pathway::left_without_summary(&c, &again, as_of(), &p);
        proptest::prop_assert_eq!(l1, l2);
    }
}
