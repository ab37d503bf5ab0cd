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
    # Each team's rows carry their section; without it, together they are the whole list.
    assert {r.pop("section") for r in parts} <= {"overdue", "due", "waiting_on_others"}
    assert sorted(map(str, parts)) == sorted(map(str, all_rows))
    assert all((out / (n + ".manifest.json")).exists() for n in names)


def test_events_from_a_frame_are_read_as_the_csv(files: tuple[Path, Path, Path]) -> None:
    import pandas as pd

    c, a, e = files
    cohort = lb.Cohort.from_csv(c, a, today=AS_OF)
    frame = pd.read_csv(e, dtype=str)
    from_frame = lb.actions(cohort, frame, as_of=AS_OF)
    assert list(from_frame.rows()) == list(lb.actions(cohort, e, as_of=AS_OF).rows())
    assert from_frame.manifest["inputs"][-1]["kind"] == "in_memory"
    # A bad row names the frame, the line it would have in a CSV file, the column and value.
    bad = pd.DataFrame({"child_id": ["B", "B"], "event": ["notified", "phoned"], "date": ["2021-10-04", "2021-10-05"]})
    with pytest.raises(lb.DataError) as err:
        lb.Events.from_frame(bad, cohort, as_of=AS_OF)
    p = err.value.problems[0]
    assert (p.file, p.line, p.column, p.value) == ("events", 3, "event", "phoned")
    # Events read against one cohort are refused with another.
    other = lb.Cohort.from_csv(c, a, today=AS_OF)
    ev = lb.Events.from_csv(e, cohort, as_of=AS_OF)
    with pytest.raises(ValueError, match="another cohort"):
        lb.actions(other, ev, as_of=AS_OF)


def test_a_team_file_has_its_sections_in_words(files: tuple[Path, Path, Path], tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    c, a, e = files
    c.write_text(
        "child_id,date_of_birth,care_start,provider\nA,2011-01-01,2021-10-01,Trust One\nB,2011-01-01,2021-10-01,Trust One\n"
    )
    args = ["--children", str(c), "--assessments", str(a), "--events", str(e), "--as-of", AS_OF]
    out = tmp_path / "teams"
    r = run_cli("actions", *args, "--out-dir", str(out), "--by", "provider", "--format", "xlsx")
    assert r.returncode == 0, r.stderr
    assert "2 actions late, 2 escalated, 1 due in the next 8 weeks" in r.stdout
    wb = openpyxl.load_workbook(out / "Trust_One.xlsx")
    assert wb.sheetnames == ["Overdue", "Due in the next 8 weeks", "Waiting on others", "About"]
    # Trust One's own: B's booking, due; it waits on the council for A's notification and IHA
    # request (13 days late) and their escalations to the service manager.
    due = [[c.value for c in row] for row in wb["Due in the next 8 weeks"].iter_rows(min_row=2)]
    assert [(r[0], r[2], r[3], r[6]) for r in due] == [
        ("B", "book the assessment", "Provider (health team)", "Booking")
    ]
    assert (
        due[0][4].date().isoformat() == "2021-10-29"
        and wb["Due in the next 8 weeks"]["E2"].number_format == "dd/mm/yyyy"
    )
    waiting = [[c.value for c in row] for row in wb["Waiting on others"].iter_rows(min_row=2)]
    assert [r[3] for r in waiting] == ["Council (social worker)"] * 2 + ["Council service manager"] * 2
    assert "29/10/2021" in waiting[0][7]  # the reason in UK dates
    about = {r[0].value: r[1].value for r in wb["About"].iter_rows()}
    assert about["As of"] == "21/10/2021" and about["Overdue"] == "0 actions"
    assert (out / "Trust_One.xlsx.manifest.json").exists()
    # --by and --format need --out-dir.
    r = run_cli("actions", *args, "--by", "provider")
    assert r.returncode == 2 and "--out-dir" in r.stderr


def test_stage_indicators_and_kpi_by_provider(files: tuple[Path, Path, Path], tmp_path: Path) -> None:
    c, a, e = files
    # In care from Monday 4 October, the events' first date (steps before it are not counted).
    c.write_text(
        "child_id,date_of_birth,care_start,provider\nA,2011-01-01,2021-10-04,Trust One\nB,2011-01-01,2021-10-04,Host Two\n"
    )
    args = ["--children", str(c), "--assessments", str(a), "--as-of", AS_OF]
    stages = tmp_path / "stages.csv"
    r = run_cli("kpi", *args, "--events", str(e), "--stages-out", str(stages), "--by", "provider")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(stages.read_text())))
    got = {(x["step"], x["group"]): (x["numerator"], x["denominator"], x["median_days"]) for x in rows}
    # A was neither notified nor asked by Monday 11 October; B was notified on the day and
    # asked the next.
    assert got[("notification", "all")] == ("1", "2", "0.0")
    assert got[("iha_request", "all")] == ("1", "2", "1.0")
    assert got[("notification", "Host Two")] == ("1", "1", "0.0")
    assert got[("notification", "Trust One")] == ("0", "1", "")
    kpi = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {x["group"] for x in kpi} == {"all", "Host Two", "Trust One"}
    # Suppressed: the counts of 1 and 2 are hidden.
    r = run_cli(
        "kpi", *args, "--events", str(e), "--stages-out", str(stages), "--suppress", "--out", str(tmp_path / "k.csv")
    )
    assert r.returncode == 0, r.stderr
    first = next(csv.DictReader(io.StringIO(stages.read_text())))
    assert (first["numerator"], first["denominator"], first["median_days"]) == ("c", "c", "c")
    r = run_cli("kpi", *args, "--events", str(e))
    assert r.returncode == 2 and "--stages-out" in r.stderr


def test_synth_writes_events_the_actions_read(tmp_path: Path) -> None:
    out = tmp_path / "council"
    r = run_cli("synth", "--children", "300", "--seed", "5", "--as-of", AS_OF, "--out-dir", str(out))
    assert r.returncode == 0, r.stderr
    assert (out / "events.csv").exists() and (out / "events.csv.manifest.json").exists()
    args = ["--children", str(out / "children.csv"), "--assessments", str(out / "assessments.csv")]
    r = run_cli("actions", *args, "--events", str(out / "events.csv"), "--as-of", AS_OF)
    assert r.returncode == 0, r.stderr
    steps = {row["step"] for row in csv.DictReader(io.StringIO(r.stdout))}
    assert {"report", "booking", "sdq", "dental_check", "immunisations", "escalation"} <= steps
    cohort = lb.synthetic_cohort(300, 5, AS_OF)
    ev = lb.synthetic_events(cohort, as_of=AS_OF, seed=5)
    assert ev.table().to_csv() == (out / "events.csv").read_text()
    assert len(lb.actions(cohort, ev, as_of=AS_OF)) == len(list(csv.DictReader(io.StringIO(r.stdout))))
    r = run_cli("synth", "--children", "10", "--as-of", AS_OF, "--out-dir", str(tmp_path / "x"), "--no-events")
    assert r.returncode == 0 and not (tmp_path / "x" / "events.csv").exists()


def test_team_files_never_collide_nor_overwrite_an_input(files: tuple[Path, Path, Path], tmp_path: Path) -> None:
    c, a, e = files
    # "Trust One" and "Trust_One" would both be Trust_One.csv; "provider_not_recorded" would be
    # the file of children with none; "Quiet" has no action this week but still gets its file.
    c.write_text(
        "child_id,date_of_birth,care_start,provider,legal_status\nA,2011-01-01,2021-10-01,Trust One,\n"
        "B,2011-01-01,2021-10-01,Trust_One,\nC,2011-01-01,2021-10-01,provider_not_recorded,\n"
        "D,2011-01-01,2021-10-01,,\nE,2011-01-01,2021-10-01,Quiet,V3\n"
    )
    args = ["--children", str(c), "--assessments", str(a), "--events", str(e), "--as-of", AS_OF]
    whole = list(csv.DictReader(io.StringIO(run_cli("actions", *args).stdout)))
    out = tmp_path / "teams"
    r = run_cli("actions", *args, "--out-dir", str(out))
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in out.iterdir() if p.suffix == ".csv")
    assert len(names) == 5 and "Quiet.csv" in names and "provider_not_recorded.csv" in names, names
    assert sum(1 for n in names if n.startswith("Trust_One-")) == 2, names
    parts = [row for n in names for row in csv.DictReader(io.StringIO((out / n).read_text()))]
    assert len(parts) == len(whole)
    assert list(csv.DictReader(io.StringIO((out / "Quiet.csv").read_text()))) == []
    # A provider named like an input, written into the input's folder, is refused.
    c.write_text(
        "child_id,date_of_birth,care_start,provider\nA,2011-01-01,2021-10-01,children\nB,2011-01-01,2021-10-01,\n"
    )
    before = c.read_text()
    r = run_cli("actions", *args, "--out-dir", str(c.parent))
    assert r.returncode == 2 and "input" in r.stderr
    assert c.read_text() == before
