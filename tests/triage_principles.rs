//! The principles the default triage policy must keep (issue: triage), each as a test on small
//! hand-built cohorts, and the red flags, tiers, overrides and explanations.

mod common;
use common::*;

use chrono::NaiveDate;
use lac_backlog::calendar::sub_months;
use lac_backlog::table::worklist_table;
use lac_backlog::triage::{read_overrides, triage, TierBy, Worklist};
use lac_backlog::{Child, Cohort, Modality, Policy, Signals, Status};

const AS_OF: (i32, u32, u32) = (2021, 10, 21);

fn as_of() -> NaiveDate {
    ymd(AS_OF.0, AS_OF.1, AS_OF.2)
}

/// A child aged `age` at as_of (birthday in January), in care since 2015, whose RHA is
/// `days` overdue (negative: due in that many days), every need signal recorded as no.
/// Interval by age at the last assessment.
fn rha_child(id: &str, age: i32, days: i64) -> Child {
    let dob = ymd(2021 - age, 1, 1);
    let due = as_of() - chrono::Days::new(days.max(0) as u64) + chrono::Days::new((-days).max(0) as u64);
    let last12 = sub_months(due, 12).unwrap();
    let under5_at_last = lac_backlog::calendar::age_on(dob, last12, lac_backlog::policy::LeapDayBirthday::March1) < 5;
    let last = if under5_at_last { sub_months(due, 6).unwrap() } else { last12 };
    let mut c = child(dob, ymd(2015, 6, 1).max(dob), vec![done(ymd(2015, 6, 10).max(dob)), done(last)]);
    c.id = id.into();
    c.placement_moves_12m = Some(0);
    c.signals = Signals::none();
    // A normal SDQ from two months ago: everything a questionnaire needs is known.
    c.sdq_score = Some(5);
    c.sdq_date = Some(as_of() - chrono::Days::new(60));
    c
}

/// [`rha_child`] aged 16 with an October birthday: the review after this one still falls
/// before 18, so a questionnaire-led review is open to them.
fn questionnaire_child(id: &str, days: i64) -> Child {
    let mut c = rha_child(id, 16, days);
    c.date_of_birth = ymd(2005, 10, 1);
    c
}

/// A child whose IHA is `days` overdue: care_start chosen so that the 20th working day falls
/// `days` before as_of.
fn iha_child(id: &str, age: i32, days: i64) -> Child {
    let dob = ymd(2021 - age, 1, 1);
    let sched = lac_backlog::Scheduler::new(&Policy::default());
    let target = as_of() - chrono::Days::new(days as u64);
    let mut start = target - chrono::Days::new(40);
    while sched.iha_due(start).unwrap() < target {
        start = start.succ_opt().unwrap();
    }
    let mut c = child(dob, start, vec![]);
    c.id = id.into();
    c
}

fn worklist(children: Vec<Child>) -> Worklist {
    triage(&Cohort::from_children(children), as_of(), &Policy::default(), &[])
}

fn rank(wl: &Worklist, id: &str) -> usize {
    wl.get(id).unwrap_or_else(|| panic!("{id} not on the worklist")).rank
}

#[test]
fn helpers_make_what_they_say() {
    let wl = worklist(vec![rha_child("A", 10, 30), rha_child("B", 3, 30), iha_child("C", 10, 30), rha_child("D", 10, -10)]);
    for (id, days) in [("A", 30), ("B", 30), ("C", 30), ("D", 0)] {
        assert_eq!(wl.get(id).unwrap().status.days_overdue, Some(days), "{id}");
    }
    assert_eq!(wl.get("D").unwrap().status.status, Status::DueSoon);
}

#[test]
fn clinical_need_dominates_age_alone() {
    // Equal days overdue: a 5-16 child with substantial need (high need level) ranks above an
    // under-5 and a 17-year-old whose only factor is their age band.
    for need in [
        |c: &mut Child| c.signals.complex_health_needs = true,
        |c: &mut Child| c.signals.self_harm = true,
        |c: &mut Child| c.signals.exploitation_risk = true,
        |c: &mut Child| {
            c.sdq_score = Some(20);
            c.signals.substance_misuse = true
        },
    ] {
        let mut b = rha_child("NEED", 12, 60);
        need(&mut b);
        let wl = worklist(vec![rha_child("BABY", 3, 60), rha_child("SEVENTEEN", 17, 60), b]);
        assert_eq!(rank(&wl, "NEED"), 1, "{}", wl.reasons(wl.get("NEED").unwrap()));
    }
}

#[test]
fn the_age_bands_count() {
    let wl = worklist(vec![rha_child("MID", 10, 45), rha_child("BABY", 3, 45), rha_child("SEVENTEEN", 17, 45)]);
    assert!(rank(&wl, "BABY") < rank(&wl, "MID"));
    assert!(rank(&wl, "SEVENTEEN") < rank(&wl, "MID"));
}

#[test]
fn an_overdue_iha_ranks_above_an_equally_overdue_rha() {
    let wl = worklist(vec![rha_child("RHA", 10, 30), iha_child("IHA", 10, 30)]);
    assert!(rank(&wl, "IHA") < rank(&wl, "RHA"));
    assert!(wl.get("IHA").unwrap().score > wl.get("RHA").unwrap().score);
}

#[test]
fn more_overdue_ranks_higher_and_ties_break_by_child_id() {
    let wl = worklist(vec![rha_child("B", 10, 50), rha_child("A", 10, 10), rha_child("C", 10, 50)]);
    let order: Vec<&str> = wl.rows.iter().map(|r| wl.child_id(r)).collect();
    assert_eq!(order, ["B", "C", "A"]);
}

#[test]
fn due_soon_children_are_listed_up_to_date_and_not_required_are_not() {
    let mut left = rha_child("LEFT", 10, 100);
    left.care_end = Some(ymd(2021, 1, 1));
    let wl = worklist(vec![rha_child("SOON", 10, -20), rha_child("LATER", 10, -60), left]);
    let ids: Vec<&str> = wl.rows.iter().map(|r| wl.child_id(r)).collect();
    assert_eq!(ids, ["SOON"]);
}

#[test]
fn red_flag_self_harm_overdue_forces_p1_whatever_the_score() {
    let mut c = rha_child("SH", 14, 8);
    c.signals.self_harm = true;
    let wl = worklist(vec![c.clone(), rha_child("X", 10, 300)]);
    let row = wl.get("SH").unwrap();
    assert!(row.score < Policy::default().triage.tiers[0].min_score);
    assert_eq!(wl.tier_name(row), "P1");
    assert_eq!(row.tier_by, TierBy::RedFlag("self_harm_overdue".into()));
    assert_eq!(row.modality, Modality::FaceToFace);
    assert_eq!(row.modality_rule, "urgent");
    assert_eq!(row.rank, 1);
    // Due soon, not overdue: the flag does not fire.
    let mut c = rha_child("SH", 14, -5);
    c.signals.self_harm = true;
    let wl = worklist(vec![c]);
    assert!(wl.get("SH").unwrap().red_flags.is_empty());
}

#[test]
fn under_5_with_an_overdue_iha_is_at_least_p2() {
    let wl = worklist(vec![iha_child("U5", 2, 3)]);
    let row = wl.get("U5").unwrap();
    assert_eq!(wl.tier_name(row), "P2");
    assert_eq!(row.modality_rule, "iha");
}

#[test]
fn tiers_by_score_hand_worked() {
    // 17 years old (15), 300 days overdue (42 weeks -> capped 30), SDQ 18 (20): 65 -> P2.
    let mut c = rha_child("A", 17, 300);
    c.sdq_score = Some(18);
    let wl = worklist(vec![c]);
    let row = wl.get("A").unwrap();
    assert_eq!(row.score, 65);
    assert_eq!(wl.tier_name(row), "P2");
    assert_eq!(wl.see_within_days(row), 28);
    // 10 years old, 70 days overdue (10), nothing else: P4.
    let wl = worklist(vec![rha_child("B", 10, 70)]);
    assert_eq!((wl.rows[0].score, wl.tier_name(&wl.rows[0])), (10, "P4"));
    // + complex needs (25) and disability (20) and 3 moves (15): 70 -> P1.
    let mut c = rha_child("C", 10, 70);
    c.signals.complex_health_needs = true;
    c.signals.disability = true;
    c.placement_moves_12m = Some(3);
    let wl = worklist(vec![c]);
    assert_eq!((wl.rows[0].score, wl.tier_name(&wl.rows[0])), (70, "P1"));
}

#[test]
fn reasons_and_explain_say_why() {
    let mut c = rha_child("A", 17, 300);
    c.sdq_score = Some(18);
    let wl = worklist(vec![c]);
    let row = wl.get("A").unwrap();
    // Born 2004-01-01: 18 on 2022-01-01, so the review after this one falls after 18 and this
    // is the last review before 18: face to face (issue 18), not virtual.
    assert_eq!(
        wl.reasons(row),
        "score 65: days_overdue +30 (300 days overdue), sdq_concern +20 (SDQ 18 (cause for concern, 17-40)), \
         plus_17 +15 (aged 17 or over) | tier P2 by score >= 45 | need moderate (20 points) | modality face_to_face by \
         rule final_review_before_18: the last review before the 18th birthday (2022-01-01): see in person and \
         prepare the leaving-care health summary"
    );
    let text = wl.explain(row);
    assert!(text.starts_with("Child A: rank 1 of 1, tier P2 (book by 2021-11-18, within 28 days), recommended face_to_face."), "{text}");
    assert!(text.contains("+20  sdq_concern"), "{text}");
}

#[test]
fn overrides_apply_after_the_rules_and_show() {
    let cohort = Cohort::from_children(vec![questionnaire_child("A", 10), rha_child("B", 10, 200), questionnaire_child("C", 5)]);
    let p = Policy::default();
    let text = "child_id,tier,modality,reason,decided_by,decided_on\nA,P1,face_to_face,new safeguarding concern,Dr Jones,2021-10-20\nC,,virtual,young person prefers a video call,Nurse Ali,\n";
    let (ovr, warnings) = read_overrides("overrides.csv", text.as_bytes(), &cohort, &p).unwrap();
    assert!(warnings.is_empty());
    let wl = triage(&cohort, as_of(), &p, &ovr);
    let a = wl.get("A").unwrap();
    assert_eq!((a.rank, wl.tier_name(a), a.modality), (1, "P1", Modality::FaceToFace));
    assert!(wl.reasons(a).ends_with(
        "| override by Dr Jones on 2021-10-20: tier P1 (rules: P4) modality face_to_face (rules: questionnaire) - new safeguarding concern"
    ), "{}", wl.reasons(a));
    let c = wl.get("C").unwrap();
    assert_eq!((wl.tier_name(c), c.modality, c.rule_modality), ("P4", Modality::Virtual, Modality::Questionnaire));
    let table = worklist_table(&std::sync::Arc::new(wl));
    let overridden = table.column("overridden").unwrap();
    assert_eq!((0..overridden.len()).map(|i| overridden.cell(i)).collect::<Vec<_>>(), ["yes", "no", "yes"]);
}

#[test]
fn bad_overrides_are_errors_naming_line_column_value() {
    let cohort = Cohort::from_children(vec![rha_child("A", 10, 10), rha_child("B", 10, 10)]);
    let p = Policy::default();
    let text = "child_id,tier,modality,reason,decided_by\nZZ,P1,,x,Dr\nA,P1,,,Dr\nB,,,why,Dr\nA,P9,,x,Dr\nB,P2,,x,\n";
    let err = read_overrides("o.csv", text.as_bytes(), &cohort, &p).unwrap_err();
    let lac_backlog::Error::Data { errors, .. } = err else { panic!("not a data error") };
    let got: Vec<(Option<u64>, Option<&str>, &str)> = errors.iter().map(|e| (e.line, e.column.as_deref(), e.value.as_str())).collect();
    assert_eq!(
        got,
        [
            (Some(2), Some("child_id"), "ZZ"), // unknown child
            (Some(3), Some("reason"), ""),     // no reason
            (Some(4), Some("tier"), ""),       // neither tier nor modality
            (Some(5), Some("tier"), "P9"),     // unknown tier
            (Some(6), Some("decided_by"), ""), // nobody decided
        ]
    );
    assert!(errors[0].problem.contains("no child"));
    let dup = "child_id,tier,reason,decided_by\nA,P1,x,Dr\nA,P2,y,Dr\n";
    let lac_backlog::Error::Data { errors, .. } = read_overrides("o.csv", dup.as_bytes(), &cohort, &p).unwrap_err() else { panic!() };
    assert!(errors[0].problem.contains("second override") && errors[0].line == Some(3));
}

#[test]
fn an_override_for_a_child_not_on_the_worklist_is_not_applied() {
    let cohort = Cohort::from_children(vec![rha_child("A", 10, 10), rha_child("LATER", 10, -100)]);
    let p = Policy::default();
    let (ovr, _) = read_overrides("o.csv", b"child_id,tier,reason,decided_by\nLATER,P1,x,Dr\n", &cohort, &p).unwrap();
    let wl = triage(&cohort, as_of(), &p, &ovr);
    assert_eq!(wl.unapplied.len(), 1);
    assert!(wl.get("LATER").is_none());
}

#[test]
fn switching_questionnaire_off_changes_the_recommendation() {
    let mut p = Policy::default();
    let cohort = Cohort::from_children(vec![questionnaire_child("A", 10)]);
    assert_eq!(triage(&cohort, as_of(), &p, &[]).rows[0].modality, Modality::Questionnaire);
    p.triage.modality.allow_questionnaire = false;
    assert_eq!(triage(&cohort, as_of(), &p, &[]).rows[0].modality, Modality::Virtual);
    p.triage.modality.allow_virtual = false;
    assert_eq!(triage(&cohort, as_of(), &p, &[]).rows[0].modality, Modality::FaceToFace);
}

// Issue 18: the cases a designated nurse found, each worked by hand at 2021-10-21.

/// A baby born 2021-10-01 who came into care 2021-10-11: the IHA is due on the 20th working
/// day, 2021-11-08. It was listed P4, "see within 182 days". Now: P1 by the `iha_under_1` red
/// flag, face to face, book by 2021-10-28 (7 days), never after the due date.
#[test]
fn a_baby_coming_into_care_is_p1_and_booked_before_the_iha_is_due() {
    let mut c = child(ymd(2021, 10, 1), ymd(2021, 10, 11), vec![]);
    c.id = "BABY".into();
    let wl = worklist(vec![c]);
    let row = wl.get("BABY").unwrap();
    assert_eq!(row.status.due_date, Some(ymd(2021, 11, 8)));
    assert_eq!(wl.tier_name(row), "P1");
    assert!(row.red_flags.contains(&"iha_under_1".to_string()), "{:?}", row.red_flags);
    assert_eq!((row.modality, row.modality_rule), (Modality::FaceToFace, "iha"));
    assert_eq!((row.book_by, wl.see_within_days(row)), (ymd(2021, 10, 28), 7));
}

/// Every listed IHA is at least P2 (the IHA lane), even with nothing else known to score:
/// an IHA due in 5 days for a 10-year-old scores 8 (need unknown) and would be P4.
#[test]
fn an_iha_is_never_below_p2() {
    let wl = worklist(vec![iha_child("I", 10, 0)]);
    let row = &wl.rows[0];
    assert_eq!((wl.tier_name(row), &row.tier_by), ("P2", &TierBy::IhaLane));
    assert!(wl.reasons(row).contains("tier P2 by the IHA lane"), "{}", wl.reasons(row));
    // Due in 20 days: booked by the due date, not 28 days out.
    let mut c = iha_child("J", 10, 0);
    c.care_start = c.care_start + chrono::Days::new(20);
    let wl = worklist(vec![c]);
    let row = &wl.rows[0];
    assert!(row.book_by <= row.status.due_date.unwrap() && row.status.status == Status::DueSoon);
    // An unaccompanied asylum-seeking child's IHA is P1.
    let mut c = iha_child("U", 16, 0);
    c.uasc = true;
    let wl = worklist(vec![c]);
    assert_eq!(wl.tier_name(&wl.rows[0]), "P1");
    assert!(wl.rows[0].red_flags.contains(&"iha_uasc".to_string()));
}

/// A young person of 17 years 8 months whose last review before 18 is due 2021-11-15 got P4,
/// 182 days (past the 18th birthday) and virtual. Now: booked by the due date, face to face
/// by `final_review_before_18`, and the reason prompts the leaving-care health summary.
#[test]
fn the_last_review_before_18_is_booked_in_time_and_face_to_face() {
    let mut c = child(ymd(2004, 2, 21), ymd(2015, 6, 1), vec![done(ymd(2015, 6, 10)), done(ymd(2020, 11, 15))]);
    c.id = "YP".into();
    c.signals = Signals::none();
    c.placement_moves_12m = Some(0);
    let wl = worklist(vec![c]);
    let row = &wl.rows[0];
    assert_eq!((row.status.due_date, row.status.status), (Some(ymd(2021, 11, 15)), Status::DueSoon));
    assert_eq!(wl.tier_name(row), "P4");
    assert_eq!(row.book_by, ymd(2021, 11, 15), "not 182 days out, past the 18th birthday on 2022-02-21");
    assert_eq!((row.modality, row.modality_rule), (Modality::FaceToFace, "final_review_before_18"));
    assert!(wl.reasons(row).contains("leaving-care health summary"));
}

/// A child with every need column blank got clinical need "low" and could be sent a
/// questionnaire. Now: need unknown, the unknown signals listed, a need_unknown score so the
/// child never ranks below one known to be low need, and virtual, never a questionnaire.
#[test]
fn unknown_is_not_no() {
    let mut blank = questionnaire_child("BLANK", 10);
    blank.signals = Signals::default();
    let known_low = questionnaire_child("LOW", 10);
    let wl = worklist(vec![blank, known_low]);
    let (b, l) = (wl.get("BLANK").unwrap(), wl.get("LOW").unwrap());
    assert_eq!((b.need.as_str(), l.need.as_str()), ("unknown", "low"));
    assert_eq!((b.modality, b.modality_rule), (Modality::Virtual, "need_unknown"));
    assert_eq!(l.modality, Modality::Questionnaire);
    assert!(b.score > l.score && b.rank < l.rank);
    let table = worklist_table(&std::sync::Arc::new(wl));
    let col = table.column("unknown_signals").unwrap();
    let by_id: Vec<(String, String)> = (0..table.n_rows()).map(|i| (table.column("child_id").unwrap().cell(i), col.cell(i))).collect();
    assert!(by_id.contains(&(
        "BLANK".into(),
        "complex_health_needs;disability;mental_health_concern;self_harm;substance_misuse;pregnant_or_parent;exploitation_risk;youth_justice"
            .into()
    )));
    assert!(by_id.contains(&("LOW".into(), String::new())));
}

/// Disability alone was "moderate", so virtual; a pregnant young person not yet overdue got
/// virtual. Now each is face to face by its own rule. Out of area, missing and placement moves
/// add to the score but never to the clinical need.
#[test]
fn disability_and_pregnancy_are_face_to_face_and_logistics_are_not_need() {
    let mut d = rha_child("D", 12, 10);
    d.signals.disability = true;
    let mut p = rha_child("P", 16, -10);
    p.signals.pregnant_or_parent = true;
    let mut o = rha_child("O", 12, 10);
    o.signals.out_of_area = true;
    o.missing = true;
    o.placement_moves_12m = Some(4);
    let wl = worklist(vec![d, p, o]);
    assert_eq!(wl.get("D").unwrap().modality_rule, "disability");
    assert_eq!(wl.get("P").unwrap().modality_rule, "pregnant_or_parent");
    let o = wl.get("O").unwrap();
    assert_eq!((o.need.as_str(), o.need_points), ("low", 0));
    assert!(o.score >= 10 + 10 + 20);
}

/// Six missing episodes in 12 months gave P3 and virtual; repeated missing (3 or more) is now
/// a red flag: P1 and face to face.
#[test]
fn repeated_missing_is_a_red_flag() {
    let mut c = rha_child("M", 15, 10);
    c.missing_episodes_12m = Some(6);
    let wl = worklist(vec![c]);
    let row = &wl.rows[0];
    assert_eq!(wl.tier_name(row), "P1");
    assert_eq!(row.tier_by, TierBy::RedFlag("repeat_missing".into()));
    assert_eq!((row.modality, row.modality_rule), (Modality::FaceToFace, "urgent"));
    let mut c = rha_child("M2", 15, 10);
    c.missing_episodes_12m = Some(2);
    assert!(worklist(vec![c]).rows[0].red_flags.is_empty());
}

/// An override that moved an under-5 to virtual was applied without a word. It is still
/// applied (clinicians decide), but reasons and explain say it is below the safeguard, and
/// the worklist lists it; so is an IHA moved below P2.
#[test]
fn an_override_below_a_safeguard_is_applied_and_said() {
    let cohort = Cohort::from_children(vec![rha_child("U5", 3, 10), iha_child("I", 10, 3)]);
    let p = Policy::default();
    let text = "child_id,tier,modality,reason,decided_by,decided_on\n\
                U5,,virtual,parent asked for a video call,Nurse Ali,2021-10-20\n\
                I,P4,,seen by the GP last week,Dr Jones,2021-10-20\n";
    let (ovr, _) = read_overrides("o.csv", text.as_bytes(), &cohort, &p).unwrap();
    let wl = triage(&cohort, as_of(), &p, &ovr);
    let u5 = wl.get("U5").unwrap();
    assert_eq!((u5.modality, u5.below_safeguard), (Modality::Virtual, Some("under_5")));
    assert!(wl.reasons(u5).ends_with("(below the under_5 safeguard)"), "{}", wl.reasons(u5));
    assert!(wl.explain(u5).contains("below the 'under_5' safeguard"));
    let i = wl.get("I").unwrap();
    assert_eq!((wl.tier_name(i), i.below_safeguard), ("P4", Some("iha_lane")));
    assert_eq!(wl.below_safeguards().count(), 2);
    // The book-by date follows the tier the clinician chose, still never past the due date.
    assert!(i.book_by <= as_of() + chrono::Days::new(182));
}
