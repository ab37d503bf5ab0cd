"""Triage from Python and the command line: the worklist, explanations, overrides, xlsx."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import lac_backlog as lb
import pytest
from conftest import ROOT, run_cli

DATA = ROOT / "tests" / "data"
GOLDEN = ROOT / "tests" / "golden" / "triage50_worklist_2021-10-21.csv"
TRIAGE_COLUMNS = [
    "rank",
    "child_id",
    "tier",
    "priority_score",
    "next_assessment",
    "due_date",
    "days_overdue",
    "age_band",
    "recommended_modality",
    "reasons",
]


@pytest.fixture(scope="module")
def cohort50() -> lb.Cohort:
    return lb.Cohort.from_csv(DATA / "triage50_children.csv", DATA / "triage50_assessments.csv", today="2021-10-21")


def test_worklist_columns_and_order(cohort50: lb.Cohort) -> None:
    wl = lb.triage(cohort50, as_of="2021-10-21")
    assert wl.columns[:10] == TRIAGE_COLUMNS
    ranks = wl.column("rank")
    assert ranks == list(range(1, len(wl) + 1))
    tiers = wl.column("tier")
    assert tiers == sorted(tiers)  # P1 first
    assert set(wl.column("recommended_modality")) == {"face_to_face", "virtual", "questionnaire"}
    assert wl.as_of == dt.date(2021, 10, 21) and wl.kind == "triage"


def test_python_worklist_matches_the_golden_file(cohort50: lb.Cohort) -> None:
    assert lb.triage(cohort50, as_of="2021-10-21").to_csv() == GOLDEN.read_text()


def test_reasons_are_the_same_text_whichever_way_they_are_read() -> None:
    # The reasons are written from the worklist's facts when read (on both cores for a whole
    # column): Arrow, pandas, a list and the CSV file hold the same text, row for row.
    import pandas as pd
    import pyarrow as pa

    wl = lb.triage(
        lb.synthetic_cohort(children=3000, seed=4, as_of="2021-10-21", overdue_share=0.4), as_of="2021-10-21"
    )
    assert len(wl) > 1000
    as_list = wl.column("reasons")
    assert pa.table(wl).column("reasons").to_pylist() == as_list
    assert wl.to_pandas()["reasons"].tolist() == as_list
    from_csv = pd.read_csv(io.StringIO(wl.to_csv(raw=True)), dtype=str, keep_default_na=False)
    assert from_csv["reasons"].tolist() == as_list
    assert all(r.startswith("score ") and " | tier " in r for r in as_list)


def test_explain_is_readable_and_raises_for_children_not_listed(cohort50: lb.Cohort) -> None:
    wl = lb.triage(cohort50, as_of="2021-10-21")
    text = wl.explain("T05")
    assert isinstance(text, str) and repr(text) == str(text)
    assert "tier P1" in text and "red flag self_harm_overdue" in text and "+30  self_harm" in text
    with pytest.raises(KeyError, match="T48"):
        wl.explain("T48")  # due in 60 days: not on the worklist


def test_overrides_from_a_list_of_dicts_and_a_dataframe(cohort50: lb.Cohort) -> None:
    pd = pytest.importorskip("pandas")
    decision = {
        "child_id": "T01",
        "tier": "P1",
        "reason": "new safeguarding concern",
        "decided_by": "Dr Jones",
        "decided_on": dt.date(2021, 10, 20),
    }
    for overrides in ([decision], pd.DataFrame([decision])):
        wl = lb.triage(cohort50, as_of="2021-10-21", overrides=overrides)
        row = next(r for r in wl.rows() if r["child_id"] == "T01")
        assert row["tier"] == "P1" and row["overridden"] == "yes"
        assert "override by Dr Jones on 2021-10-20: tier P1 (rules: P4) - new safeguarding concern" in row["reasons"]
        assert "Override by Dr Jones" in wl.explain("T01")


def test_bad_overrides_raise_data_error(cohort50: lb.Cohort) -> None:
    with pytest.raises(lb.DataError) as info:
        lb.triage(
            cohort50,
            as_of="2021-10-21",
            overrides=[
                {"child_id": "NOPE", "tier": "P1", "reason": "x", "decided_by": "Dr"},
                {"child_id": "T01", "tier": "P1", "reason": "", "decided_by": "Dr"},
            ],
        )
    assert [(p.line, p.column, p.value) for p in info.value.problems] == [(2, "child_id", "NOPE"), (3, "reason", "")]
    with pytest.raises(TypeError):
        lb.triage(cohort50, as_of="2021-10-21", overrides=42)


def test_policy_switches_reach_triage(cohort50: lb.Cohort) -> None:
    p = lb.Policy.from_toml_str("[triage.modality]\nallow_questionnaire = false\n")
    assert "questionnaire" not in lb.triage(cohort50, as_of="2021-10-21", policy=p).column("recommended_modality")
    heavy = lb.Policy.from_toml_str("[triage.weights]\nuasc = 100\n")
    wl = lb.triage(cohort50, as_of="2021-10-21", policy=heavy)
    assert wl.column("child_id")[0] in {"T19", "T20", "T41"}


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_cli_triage_matches_the_golden_file() -> None:
    r = run_cli(
        "triage",
        "--children",
        str(DATA / "triage50_children.csv"),
        "--assessments",
        str(DATA / "triage50_assessments.csv"),
        "--as-of",
        "2021-10-21",
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout == GOLDEN.read_text()


def test_cli_triage_with_overrides(tmp_path: Path) -> None:
    ovr = tmp_path / "overrides.csv"
    ovr.write_text(
        "child_id,tier,modality,reason,decided_by\nT44,P2,face_to_face,carer reports weight loss,Nurse Ali\n"
        "T48,P1,,not due yet but worried,Dr Jones\n"
    )
    r = run_cli(
        "triage",
        "--children",
        str(DATA / "triage50_children.csv"),
        "--assessments",
        str(DATA / "triage50_assessments.csv"),
        "--as-of",
        "2021-10-21",
        "--overrides",
        str(ovr),
    )
    assert r.returncode == 0, r.stderr
    row = next(x for x in _rows(r.stdout) if x["child_id"] == "T44")
    assert (row["tier"], row["recommended_modality"]) == ("P2", "face_to_face")
    assert "override by Nurse Ali" in row["reasons"]
    assert "line 3: override for child T48 not applied" in r.stderr


def test_cli_bad_overrides_exit_1_and_write_nothing(tmp_path: Path) -> None:
    ovr = tmp_path / "overrides.csv"
    ovr.write_text("child_id,tier,reason,decided_by\nGHOST,P1,worried,Dr Jones\n")
    out = tmp_path / "worklist.csv"
    r = run_cli(
        "triage",
        "--children",
        str(DATA / "triage50_children.csv"),
        "--assessments",
        str(DATA / "triage50_assessments.csv"),
        "--overrides",
        str(ovr),
        "--out",
        str(out),
    )
    assert r.returncode == 1
    assert f"{ovr}, line 2, column child_id, value 'GHOST': no child with this child_id in the cohort" in r.stderr
    assert not out.exists()


def test_cli_triage_writes_xlsx(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "worklist.xlsx"
    r = run_cli(
        "triage",
        "--children",
        str(DATA / "triage50_children.csv"),
        "--assessments",
        str(DATA / "triage50_assessments.csv"),
        "--as-of",
        "2021-10-21",
        "--out",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    # The nurse's workbook (issue 21): plain-English headers, the worklist's rows in order.
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    assert ws.title == "Worklist" and wb.sheetnames == ["Worklist", "About"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["Rank", "Child ID", "Priority", "Book by", "Assessment", "Due date"]
    golden = _rows(GOLDEN.read_text())
    assert ws.max_row == len(golden) + 1
    assert ws.cell(2, 2).value == golden[0]["child_id"]
    assert ws.cell(2, 6).value.date().isoformat() == golden[0]["due_date"]
    assert ws.cell(2, 6).number_format == "dd/mm/yyyy"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "worklist.xlsx",
        "worklist.xlsx.manifest.json",
    ]  # no temporary file left
