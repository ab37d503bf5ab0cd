"""Who must act: the pathway's actions from Python and the command line (issue 22, part)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import lac_backlog as lb
import pytest
from conftest import run_cli

AS_OF = "2021-10-21"


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    c, a, e = tmp_path / "children.csv", tmp_path / "assessments.csv", tmp_path / "events.csv"
    c.write_text("child_id,date_of_birth,care_start\nA,2011-01-01,2021-10-01\nB,2011-01-01,2021-10-01\n")
    a.write_text("child_id,assessment_type,completed_on\n")
    e.write_text("child_id,event,date\nB,notified,2021-10-04\nB,requested,2021-10-05\n")
    return c, a, e


def test_actions_from_python(files: tuple[Path, Path, Path]) -> None:
    c, a, e = files
    cohort = lb.Cohort.from_csv(c, a, today=AS_OF)
    t = lb.actions(cohort, e, as_of=AS_OF)
    assert t.columns == ["child_id", "action", "owner", "provider", "due_on", "days_late", "step", "reason"]
    rows = [(r["child_id"], r["step"], r["owner"], r["days_late"]) for r in t.rows()]
    # A: nothing recorded: notify and request by Friday 8 October, 13 days late, escalated.
    # B: notified and requested: health books by the IHA's due date (29 October).
    assert rows == [
        ("A", "iha_request", "council", 13),
        ("A", "notification", "council", 13),
        ("A", "escalation", "service_manager", 13),
        ("A", "escalation", "service_manager", 13),
        ("B", "booking", "provider", -8),
    ]
    assert [r["step"] for r in lb.actions(cohort, e, as_of=AS_OF, weeks=0).rows()].count("booking") == 0
    assert t.manifest["inputs"][-1]["role"] == "events"


def test_actions_from_the_command_line(files: tuple[Path, Path, Path], tmp_path: Path) -> None:
    c, a, e = files
    r = run_cli("actions", "--children", str(c), "--assessments", str(a), "--events", str(e), "--as-of", AS_OF)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 5 and rows[0]["child_id"] == "A"
    e.write_text("child_id,event,date\nZ,notified,2021-10-04\n")
    r = run_cli("actions", "--children", str(c), "--assessments", str(a), "--events", str(e), "--as-of", AS_OF)
    assert r.returncode == 1 and "no child with this child_id" in r.stderr


def test_one_file_a_provider_adds_up_to_the_whole_list(files: tuple[Path, Path, Path], tmp_path: Path) -> None:
    c, a, e = files
    c.write_text(
        "child_id,date_of_birth,care_start,provider\nA,2011-01-01,2021-10-01,Trust One\n"
        "B,2011-01-01,2021-10-01,Host Two\nC,2011-01-01,2021-10-01,\n"
    )
    args = ["--children", str(c), "--assessments", str(a), "--events", str(e), "--as-of", AS_OF]
    whole = run_cli("actions", *args)
    assert whole.returncode == 0, whole.stderr
    all_rows = list(csv.DictReader(io.StringIO(whole.stdout)))
    assert {r["provider"] for r in all_rows} == {"Trust One", "Host Two", ""}
    out = tmp_path / "teams"
    r = run_cli("actions", *args, "--out-dir", str(out))
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in out.iterdir() if p.suffix == ".csv")
    assert names == ["Host_Two.csv", "Trust_One.csv", "provider_not_recorded.csv"]
    parts = [row for n in names for row in csv.DictReader(io.StringIO((out / n).read_text()))]
    assert sorted(map(str, parts)) == sorted(map(str, all_rows))
    assert all((out / (n + ".manifest.json")).exists() for n in names)
