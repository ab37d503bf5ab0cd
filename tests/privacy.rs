//! Privacy from Rust alone (no Python): a worklist pseudonymised by each column's role.

mod common;
use common::*;

use lac_backlog::privacy::{PseudonymKey, CLINICIAN_TEXT_WITHHELD};
use lac_backlog::table::worklist_table;
use lac_backlog::triage::{read_overrides, triage};
use lac_backlog::{Cohort, Policy};

#[test]
fn a_rust_user_pseudonymises_a_worklist() {
    let mut a = child(ymd(2004, 3, 9), ymd(2015, 1, 5), vec![done(ymd(2015, 1, 20)), done(ymd(2020, 11, 15))]);
    a.id = "CHILD-A".into();
    let mut b = child(ymd(2012, 6, 1), ymd(2015, 1, 5), vec![done(ymd(2015, 1, 20)), done(ymd(2020, 6, 1))]);
    b.id = "CHILD-B".into();
    let cohort = Cohort::from_children(vec![a, b]);
    let p = Policy::default();
    let text = "child_id,tier,reason,decided_by,decided_on\nCHILD-B,P1,Mrs Smith phoned about bruising,Dr Jones,2021-10-20\n";
    let (ovr, _) = read_overrides("o.csv", text.as_bytes(), &cohort, &p).unwrap();
    let table = worklist_table(&std::sync::Arc::new(triage(&cohort, ymd(2021, 10, 21), &p, &ovr)));
    let key = PseudonymKey::new(b"a key of at least thirty-two bytes, kept secret");
    let shared = table.pseudonymised(&key).to_csv_string();
    for secret in ["CHILD-A", "CHILD-B", "Mrs Smith", "bruising", "2022-03-09"] {
        assert!(!shared.contains(secret), "{secret} in {shared}");
    }
    assert!(shared.contains(&key.pseudonym("CHILD-A")) && shared.contains(&key.pseudonym("CHILD-B")));
    assert!(shared.contains(CLINICIAN_TEXT_WITHHELD));
    // A's last review before 18 names the birthday: reduced to its month.
    assert!(shared.contains("18th birthday (2022-03)"), "{shared}");
    // Who decided and when stay.
    assert!(shared.contains("override by Dr Jones on 2021-10-20"));
    // Everything else is unchanged: the same table with the ids swapped back.
    let plain = table.to_csv_string();
    assert_eq!(plain.lines().count(), shared.lines().count());
}
