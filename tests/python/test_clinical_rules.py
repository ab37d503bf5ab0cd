"""Clinically safe triage from Python and the command line (issue 18; docs/triage.md): book_by
and unknown_signals in the worklist, data completeness said out loud, the IHA record rules with
their warnings, and overrides below a safeguard."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import lac_backlog as lb
import pytest
from lac_backlog import cli

AS_OF = "2021-10-21"
NEED = [
    "complex_health_needs",
    "disability",
    "mental_health_concern",
    "self_harm",
    "substance_misuse",
    "pregnant_or_parent",
    "exploitation_risk",
    "youth_justice",
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = cli.main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def council(tmp_path: Path) -> tuple[Path, Path]:
    """A synthetic council (with the gaps a real extract has) written as CSV."""
    c, a = tmp_path / "children.csv", tmp_path / "assessments.csv"
    lb.synthetic_cohort(children=400, seed=7, as_of=AS_OF, overdue_share=0.4).to_csv(c, a)
    return c, a


def test_the_worklist_has_book_by_and_unknown_signals_in_place(council) -> None:
    wl = lb.triage(lb.Cohort.from_csv(*council, today=AS_OF), as_of=AS_OF)
    cols = wl.columns
    assert cols[cols.index("see_within_days") + 1] == "book_by"
    assert cols[cols.index("clinical_need") + 1] == "unknown_signals"
    as_of = dt.date.fromisoformat(AS_OF)
    for r in wl.rows():
        assert r["see_within_days"] == (r["book_by"] - as_of).days
        if r["days_overdue"] == 0:
            assert r["book_by"] <= r["due_date"]
        assert (r["clinical_need"] == "unknown") <= bool(r["unknown_signals"])
        if r["recommended_modality"] == "questionnaire":
            assert r["unknown_signals"] == "" and r["clinical_need"] == "low"


def test_completeness_counts_each_need_signal_over_the_listed_children(council) -> None:
    wl = lb.triage(lb.Cohort.from_csv(*council, today=AS_OF), as_of=AS_OF)
    table = wl.completeness()
    assert table.columns == ["signal", "known", "unknown", "unknown_pct"]
    rows = {r["signal"]: r for r in table.rows()}
    assert list(rows) == [*NEED, "sdq_score"]
    listed = wl.column("unknown_signals")
    for name in NEED:
        unknown = sum(name in s.split(";") for s in listed)
        assert (rows[name]["known"], rows[name]["unknown"]) == (len(wl) - unknown, unknown)
        assert rows[name]["unknown_pct"] == pytest.approx(100 * unknown / len(wl))
    dob = {
        r["child_id"]: dt.date.fromisoformat(r["date_of_birth"])
        for r in csv.DictReader(io.StringIO(council[0].read_text()))
    }
    as_of = dt.date.fromisoformat(AS_OF)

    def age(child_id: str) -> int:
        b = dob[child_id]
        return as_of.year - b.year - ((as_of.month, as_of.day) < (b.month, b.day))

    aged = sum(4 <= age(c) <= 16 for c in wl.column("child_id"))
    assert rows["sdq_score"]["known"] + rows["sdq_score"]["unknown"] == aged


def test_dropping_the_need_columns_is_said_out_loud(tmp_path: Path, council, capsys) -> None:
    c, a = council
    rows = list(csv.DictReader(io.StringIO(c.read_text())))
    kept = [k for k in rows[0] if k not in NEED]
    dropped = tmp_path / "no_need.csv"
    with dropped.open("w", newline="") as f:
        w = csv.DictWriter(f, kept, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    out = tmp_path / "completeness.csv"
    status, _, err = run(
        capsys, "triage", "--children", str(dropped), "--assessments", str(a), "--as-of", AS_OF,
        "--out", str(tmp_path / "w.csv"), "--completeness-out", str(out),
    )  # fmt: skip
    assert status == 0, err
    assert "need signals not recorded" in err
    for name in NEED:
        assert f"warning: {name} is not recorded for 100.0% of the listed children" in err
    got = {r["signal"]: r for r in csv.DictReader(io.StringIO(out.read_text()))}
    assert all(got[n]["known"] == "0" and got[n]["unknown_pct"] == "100.0" for n in NEED)
    assert Path(str(out) + ".manifest.json").exists()
    # No child with unknown signals is sent a questionnaire.
    modalities = {r["recommended_modality"] for r in csv.DictReader(io.StringIO((tmp_path / "w.csv").read_text()))}
    assert "questionnaire" not in modalities


def test_a_903_cohort_says_its_signals_are_unknown(capsys) -> None:
    fake = Path(__file__).resolve().parents[1] / "data" / "ssda903-fake"
    status, _, err = run(capsys, "triage", "--ssda903", str(fake))
    assert status == 0, err
    assert "the rest are unknown for every child, never no" in err
    assert "warning: complex_health_needs is not recorded for 100.0%" in err


def test_iha_records_that_do_not_answer_the_iha_are_warned_about_by_line(write_cohort) -> None:
    c, a = write_cohort(
        "PRE,2012-01-01,2021-06-15,,C2\nPOST,2012-01-01,2021-06-15,,C2\nQ,2012-01-01,2021-06-15,,C2\n",
        "PRE,RHA,2021-05-01,face_to_face,\n"  # line 2: a nurse's review before entry: no exemption
        "POST,RHA,2021-07-01,virtual,\n"  # line 3: the first record after entry, an RHA: taken as the IHA
        "Q,IHA,2021-06-20,questionnaire,\n",  # line 4: a questionnaire never answers the IHA
    )
    cohort = lb.Cohort.from_csv(c, a, today=AS_OF)
    notes = {(w.line, w.problem.split(":")[0]) for w in cohort.warnings}
    assert any(line == 2 and "does not exempt the child from the IHA" in p for line, p in notes), notes
    assert any(line == 3 and "taken as the IHA" in w.problem for w in cohort.warnings for line in [w.line])
    assert not any(w.line == 4 for w in cohort.warnings)
    st = {r["child_id"]: r for r in lb.status(cohort, as_of=AS_OF).rows()}
    assert (st["PRE"]["next_assessment"], st["POST"]["next_assessment"], st["Q"]["next_assessment"]) == (
        "IHA",
        "RHA",
        "IHA",
    )
    # The old rule as a policy switch: then no such warning.
    old = lb.Policy.from_toml_str('[schedule]\niha_exemption = "any"\n')
    cohort = lb.Cohort.from_csv(c, a, today=AS_OF, policy=old)
    assert not [w for w in cohort.warnings if "IHA" in w.problem]
    st = {r["child_id"]: r for r in lb.status(cohort, as_of=AS_OF, policy=old).rows()}
    assert st["PRE"]["next_assessment"] == "RHA"


def test_overrides_below_a_safeguard_or_undated_warn_in_python(write_cohort) -> None:
    c, a = write_cohort("U5,2018-01-01,2019-01-01,,C2\n", "U5,IHA,2019-01-20,,\nU5,RHA,2021-03-01,,\n")
    cohort = lb.Cohort.from_csv(c, a, today=AS_OF)
    decided = [{"child_id": "U5", "modality": "virtual", "reason": "parent's wish", "decided_by": "Nurse Ali"}]
    with pytest.warns(lb.OverrideWarning) as caught:
        wl = lb.triage(cohort, as_of=AS_OF, overrides=decided)
    said = [str(w.message) for w in caught]
    assert any("column decided_on: no date" in m for m in said)
    assert any("below the under_5 safeguard" in m for m in said)
    assert wl.below_safeguards == [("U5", 2, "under_5")]
    assert "(below the under_5 safeguard)" in next(wl.rows())["reasons"]
    # Dated and not below a safeguard: no warning.
    decided = [{"child_id": "U5", "tier": "P1", "reason": "x", "decided_by": "Dr", "decided_on": "2021-10-20"}]
    assert lb.triage(cohort, as_of=AS_OF, overrides=decided).override_warnings() == []


def test_the_cli_prints_override_warnings_with_the_file(tmp_path: Path, write_cohort, capsys) -> None:
    c, a = write_cohort("U5,2018-01-01,2019-01-01,,C2\n", "U5,IHA,2019-01-20,,\nU5,RHA,2021-03-01,,\n")
    o = tmp_path / "o.csv"
    o.write_text("child_id,modality,reason,decided_by,decided_on\nU5,questionnaire,asked,Nurse,2021-10-20\n")
    status, _, err = run(capsys, "triage", "--children", str(c), "--assessments", str(a), "--as-of", AS_OF,
                         "--overrides", str(o))  # fmt: skip
    assert status == 0
    assert f"warning: {o}, line 2: this override is below the under_5 safeguard" in err


def test_the_demo_shows_completeness(capsys) -> None:
    status, out, _ = run(capsys, "demo", "--children", "300")
    assert status == 0
    assert "Data completeness" in out and "need signals not recorded" in out


def test_a_worklist_csv_round_trips_the_new_columns(council) -> None:
    wl = lb.triage(lb.Cohort.from_csv(*council, today=AS_OF), as_of=AS_OF)
    rows = list(csv.DictReader(io.StringIO(wl.to_csv() or "")))
    assert all(dt.date.fromisoformat(r["book_by"]) for r in rows)
    assert {r["clinical_need"] for r in rows} <= {"low", "unknown", "moderate", "high"}
