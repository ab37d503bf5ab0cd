"""The lenient mode (--skip-bad-rows, skip_bad_rows=True) and the catalogue's date classes as
the Python user and the command line see them (docs/bad-input.md)."""

from __future__ import annotations

from pathlib import Path

import lac_backlog as lb
import pytest
from conftest import run_cli

CHILDREN = (
    "A,2012-01-01,2021-01-04,,C2\n"
    "B,44197,2021-01-04,,C2\n"  # an Excel serial number
    "C,2013-02-02,2021-02-01,,C2\n"
)
ASSESSMENTS = (
    "A,IHA,2021-01-20,face_to_face,completed\n"
    "B,IHA,2021-01-21,face_to_face,completed\n"  # its child's row is skipped
    "C,IHA,1900-01-00,face_to_face,completed\n"  # Excel's empty date
    "C,IHA,2021-02-20 00:00:00,face_to_face,completed\n"  # a datetime: read as its date
)


def test_strict_by_default_lenient_on_request(write_cohort) -> None:
    c, a = write_cohort(CHILDREN, ASSESSMENTS)
    with pytest.raises(lb.DataError) as info:
        lb.Cohort.from_csv(c, a)
    assert [(p.line, p.column) for p in info.value.problems] == [
        (3, "date_of_birth"),
        (3, "child_id"),
        (4, "completed_on"),
    ]
    cohort = lb.Cohort.from_csv(c, a, skip_bad_rows=True)
    assert cohort.child_ids == ["A", "C"] and cohort.n_assessments == 2
    assert [(Path(p.file).name, p.line) for p in cohort.skipped] == [
        ("children.csv", 3),
        ("assessments.csv", 3),
        ("assessments.csv", 4),
    ]
    assert "serial number" in cohort.skipped[0].problem
    counts = [(r["rows_read"], r["rows_accepted"], r["rows_rejected"]) for r in cohort.row_counts().rows()]
    assert counts == [(3, 2, 1), (4, 2, 2)]


def test_cli_skip_bad_rows_reports_every_skipped_row_and_reconciles(write_cohort, tmp_path: Path) -> None:
    c, a = write_cohort(CHILDREN, ASSESSMENTS)
    out = tmp_path / "status.csv"
    strict = run_cli(
        "status", "--children", str(c), "--assessments", str(a), "--as-of", "2021-10-21", "--out", str(out)
    )
    assert strict.returncode == 1 and not out.exists()
    r = run_cli(
        "status",
        "--children",
        str(c),
        "--assessments",
        str(a),
        "--as-of",
        "2021-10-21",
        "--out",
        str(out),
        "--skip-bad-rows",
    )
    assert r.returncode == 0, r.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["A", "C"]
    assert f"{c}, line 3, column date_of_birth" in r.stderr
    assert f"{a}, line 3, column child_id" in r.stderr and f"{a}, line 4, column completed_on" in r.stderr
    assert "3 rows read = 2 accepted + 1 skipped" in r.stderr
    assert "4 rows read = 2 accepted + 2 skipped" in r.stderr


def test_cli_skip_bad_rows_still_stops_on_an_unusable_table(write_cohort, tmp_path: Path) -> None:
    c, a = write_cohort("A,2021-01-04\n", children_header="child_id,care_start\n")
    r = run_cli("triage", "--children", str(c), "--assessments", str(a), "--skip-bad-rows")
    assert r.returncode == 1
    assert "required column is missing" in r.stderr


def test_skip_bad_rows_from_frames() -> None:
    pa = pytest.importorskip("pyarrow")
    kids = pa.table(
        {"child_id": ["A", "B"], "date_of_birth": ["2012-01-01", "2100-01-01"], "care_start": ["2021-01-04"] * 2}
    )
    seen = pa.table({"child_id": ["A"], "assessment_type": ["IHA"], "completed_on": ["2021-01-20"]})
    cohort = lb.Cohort.from_frames(kids, seen, today="2021-10-21", skip_bad_rows=True)
    assert cohort.child_ids == ["A"]
    # Born after today, and after care_start: both errors of the skipped row are reported.
    assert [(p.file, p.line, p.column) for p in cohort.skipped] == [("children", 3, "date_of_birth")] * 2


def test_line_numbers_are_the_file_lines_with_crlf_ends_and_empty_lines(tmp_path: Path) -> None:
    """Excel's CSV ends lines with CR LF, and exports can hold empty lines: every problem still
    names the line the row is on in the file (the CSV reader put a row where the row before it
    ended, one line too early after a CR LF and before any empty lines)."""
    kids = [
        "child_id,date_of_birth,care_start",
        "A1,2010-01-01,2020-01-01",
        "",
        "A2,2010-13-01,2020-01-01",
        "A3,x,2020-01-01",
    ]
    seen = ["child_id,assessment_type,completed_on", "A1,IHA,2020-01-20", "", "", "A9,IHA,2020-01-20", "  ,  ,  "]
    for eol in ("\r\n", "\n"):
        c, a = tmp_path / "c.csv", tmp_path / "a.csv"
        c.write_bytes(eol.join(kids + [""]).encode())
        a.write_bytes(eol.join(seen + [""]).encode())
        with pytest.raises(lb.DataError) as info:
            lb.Cohort.from_csv(c, a, today="2021-01-01")
        problems = info.value.problems + info.value.warnings
        assert sorted((p.file[-5:], p.line, p.column) for p in problems) == [
            ("a.csv", 5, "child_id"),  # A9: no such child
            ("a.csv", 6, None),  # the blank row
            ("c.csv", 4, "date_of_birth"),  # 2010-13-01
            ("c.csv", 5, "date_of_birth"),  # x
        ], eol
