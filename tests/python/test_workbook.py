"""The nurse's Excel worklist and filtering the worklist (issue 21, item 1)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import lac_backlog as lb
import pytest
from conftest import PUBLIC_DATA as DATA
from conftest import run_cli

AS_OF = "2021-10-21"
NURSE_COLUMNS = [
    "Rank",
    "Child ID",
    "Priority",
    "Book by",
    "Assessment",
    "Due date",
    "Days overdue",
    "Date of birth",
    "Age band",
    "Locality",
    "Last assessment",
    "Recommended format",
    "Clinical need",
    "Red flags",
    "Reasons",
    "Override by",
    "Override on",
    "Override reason",
    "Booked on",
    "Notes",
]


@pytest.fixture(scope="module")
def cohort() -> lb.Cohort:
    return lb.Cohort.from_csv(DATA / "triage50_children.csv", DATA / "triage50_assessments.csv")


@pytest.fixture(scope="module")
def worklist(cohort: lb.Cohort) -> lb.Worklist:
    return lb.triage(cohort, as_of=AS_OF)


def test_the_nurse_table_is_in_words_with_the_childs_details(cohort: lb.Cohort, worklist: lb.Worklist) -> None:
    t = worklist.nurse_table()
    assert t.columns == NURSE_COLUMNS
    rows = list(t.rows())
    codes = list(worklist.rows())
    assert [r["Child ID"] for r in rows] == [r["child_id"] for r in codes]
    words = {"under_5": "Under 5", "5_to_16": "5 to 16", "17_plus": "17 and over"}
    formats = {"face_to_face": "Face to face", "virtual": "Virtual", "questionnaire": "Questionnaire-led"}
    for r, c in zip(rows, codes):
        assert r["Age band"] == words[c["age_band"]]
        assert r["Recommended format"] == formats[c["recommended_modality"]]
        assert r["Assessment"] in ("Initial health assessment", "Review health assessment")
        assert (r["Book by"], r["Due date"], r["Priority"]) == (c["book_by"], c["due_date"], c["tier"])
        assert r["Booked on"] is None and r["Notes"] is None
        assert isinstance(r["Date of birth"], dt.date)
    # A child's date of birth and locality are the cohort's (read back from the children file).
    import csv

    with open(DATA / "triage50_children.csv", newline="") as f:
        by_id = {r["child_id"]: r for r in csv.DictReader(f)}
    for r in rows:
        child = by_id[r["Child ID"]]
        assert r["Date of birth"].isoformat() == child["date_of_birth"]
        assert (r["Locality"] or "") == child.get("locality", "")
    first = rows[0]
    st = {r["child_id"]: r for r in lb.status(cohort, as_of=AS_OF).rows()}
    assert first["Last assessment"] == st[first["Child ID"]]["last_assessment"]


def test_filter_by_tier_age_band_modality_locality_and_status(worklist: lb.Worklist) -> None:
    rows = list(worklist.rows())
    p1 = worklist.filter(tier="P1")
    assert [r["child_id"] for r in p1.rows()] == [r["child_id"] for r in rows if r["tier"] == "P1"]
    assert p1.column("rank") == [r["rank"] for r in rows if r["tier"] == "P1"]  # ranks kept
    both = worklist.filter(tier=["P1", "P2"], age_band="Under 5")
    assert [r["child_id"] for r in both.rows()] == [
        r["child_id"] for r in rows if r["tier"] in ("P1", "P2") and r["age_band"] == "under_5"
    ]
    f2f = worklist.filter(modality="face_to_face", status="overdue")
    assert all(r["recommended_modality"] == "face_to_face" and r["days_overdue"] > 0 for r in f2f.rows())
    nurse = worklist.nurse_table()
    locality = next(v for v in nurse.column("Locality") if v)
    here = worklist.filter(locality=locality)
    assert set(here.nurse_table().column("Locality")) == {locality}
    # A filtered worklist explains and exports like the whole one, and records the filter.
    child = p1.column("child_id")[0]
    assert child in str(p1.explain(child))
    assert p1.manifest["call"]["arguments"]["filter"] == {"tier": "P1"}
    with pytest.raises(ValueError, match='tier "P9"'):
        worklist.filter(tier="P9")
    with pytest.raises(ValueError, match="age band"):
        worklist.filter(age_band="toddlers")


def test_the_workbook_a_nurse_opens(tmp_path: Path, worklist: lb.Worklist) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "worklist.xlsx"
    assert worklist.to_excel(out) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Worklist", "About"]
    ws = wb["Worklist"]
    assert [c.value for c in ws[1]] == NURSE_COLUMNS
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref == ws.dimensions
    # Dates as dates, shown dd/mm/yyyy, the empty Booked on column too.
    for name in ("Book by", "Due date", "Date of birth", "Last assessment", "Booked on"):
        col = NURSE_COLUMNS.index(name) + 1
        assert ws.cell(2, col).number_format == "dd/mm/yyyy", name
    assert isinstance(ws.cell(2, 4).value, dt.datetime)
    # Each row filled with its tier's colour, and the key on the About sheet.
    from lac_backlog._excel import TIER_FILLS

    tiers = [t[0] for t in worklist.tiers()]
    for r in range(2, ws.max_row + 1):
        tier = ws.cell(r, 3).value
        assert ws.cell(r, 1).fill.fgColor.rgb[-6:] == TIER_FILLS[tiers.index(tier)], (r, tier)
    # Reasons wrapped in a readable width.
    reasons = ws.cell(2, NURSE_COLUMNS.index("Reasons") + 1)
    assert reasons.alignment.wrap_text and ws.column_dimensions["O"].width == 70
    # A4 landscape, fitted to the width, the header row on every page.
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == "$1:$1" and ws.sheet_properties.pageSetUpPr.fitToPage
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True) if r[0]}
    assert about["As of"] == "21/10/2021"
    assert about["Made by"] == f"lac-backlog {lb.__version__}"
    assert worklist.manifest["policy"]["sha256"] in about["Policy"]
    assert about["P1"].startswith("book within 7 days")
    key_rows = [r for r in wb["About"].iter_rows() if r[0].value in tiers]
    assert [r[0].fill.fgColor.rgb[-6:] for r in key_rows] == TIER_FILLS[: len(tiers)]
    children_input = next(v for k, v in about.items() if k == "Input: children")
    assert hashlib.sha256((DATA / "triage50_children.csv").read_bytes()).hexdigest() in children_input
    # The same worklist gives the same bytes (manifests hash it).
    again = tmp_path / "again.xlsx"
    worklist.to_excel(again)
    assert out.read_bytes() == again.read_bytes()
    # A filtered worklist exports the same way.
    worklist.filter(tier="P1").to_excel(tmp_path / "p1.xlsx")
    p1 = openpyxl.load_workbook(tmp_path / "p1.xlsx")["Worklist"]
    assert {p1.cell(r, 3).value for r in range(2, p1.max_row + 1)} == {"P1"}


def test_the_cli_writes_the_nurses_workbook_pseudonymised_too(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    key = tmp_path / "key"
    key.write_text("k" * 64 + "\n")
    out = tmp_path / "shared.xlsx"
    r = run_cli(
        "triage",
        "--children",
        str(DATA / "triage50_children.csv"),
        "--assessments",
        str(DATA / "triage50_assessments.csv"),
        "--as-of",
        AS_OF,
        "--pseudonymise-key-file",
        str(key),
        "--out",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    wb = openpyxl.load_workbook(out)
    ws = wb["Worklist"]
    assert ws.cell(2, 2).value.startswith("ps_")
    dob = ws.cell(2, NURSE_COLUMNS.index("Date of birth") + 1).value
    assert isinstance(dob, str) and len(dob) == 7  # the month only
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True) if r[0]}
    assert about["Privacy"].startswith("pseudonymised")
