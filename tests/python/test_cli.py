"""The command line (docs/interface.md section 4): outputs, exit codes and errors, through subprocess."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import lac_backlog as lb
from conftest import run_cli


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_status_matches_hand_worked_cases(write_cohort) -> None:
    c, a = write_cohort(
        "IHA-XMAS,2012-05-01,2021-12-20,,C2\n"
        "UNDER5,2018-01-10,2020-01-01,,C2\n"
        "STRADDLE,2016-09-01,2020-01-01,,C2\n"
        "AGEDOUT,2004-03-10,2019-01-01,,C2\n"
        "SHORT,2010-01-01,2020-01-01,,V3\n",
        "UNDER5,IHA,2020-01-20,,\nUNDER5,RHA,2021-01-05,,\n"
        "STRADDLE,IHA,2020-01-20,,\nSTRADDLE,RHA,2021-06-01,,\n"
        "AGEDOUT,IHA,2019-01-20,,\nAGEDOUT,RHA,2021-05-01,,\n",
    )
    r = run_cli("status", "--children", str(c), "--assessments", str(a), "--as-of", "2021-12-23")
    assert r.returncode == 0, r.stderr
    out = {row["child_id"]: row for row in rows(r.stdout)}
    assert list(rows(r.stdout)[0])[:7] == [
        "child_id",
        "status",
        "next_assessment",
        "due_date",
        "days_overdue",
        "age_band",
        "reason",
    ]
    assert (out["IHA-XMAS"]["due_date"], out["IHA-XMAS"]["status"]) == ("2022-01-20", "due_soon")
    assert (out["UNDER5"]["due_date"], out["UNDER5"]["status"], out["UNDER5"]["days_overdue"]) == (
        "2021-07-05",
        "overdue",
        "171",
    )
    assert out["STRADDLE"]["due_date"] == "2021-12-01"
    assert out["AGEDOUT"]["status"] == "not_required" and "18th birthday" in out["AGEDOUT"]["reason"]
    assert out["SHORT"]["next_assessment"] == "none" and "short breaks" in out["SHORT"]["reason"]


def test_status_writes_out_file(write_cohort, tmp_path: Path) -> None:
    c, a = write_cohort("A,2012-05-01,2021-12-20,,\n")
    out = tmp_path / "status.csv"
    r = run_cli(
        "status", "--children", str(c), "--assessments", str(a), "--as-of", "2022-01-01", "--out", str(out), script=True
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert rows(out.read_text())[0]["due_date"] == "2022-01-20"


def test_bad_data_exits_1_names_line_column_value_and_writes_nothing(write_cohort, tmp_path: Path) -> None:
    c, a = write_cohort("A,2012-05-01,2021-12-20,,\nB,2012-05-01,2021-02-30,,\n")
    out = tmp_path / "status.csv"
    r = run_cli("status", "--children", str(c), "--assessments", str(a), "--out", str(out))
    assert r.returncode == 1
    assert f"{c}, line 3, column care_start, value '2021-02-30': impossible date" in r.stderr
    assert "no output written" in r.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assessments.csv", "children.csv"]


def test_values_in_errors_are_cut_to_100_characters(write_cohort) -> None:
    c, a = write_cohort("A,2012-05-01," + "9" * 300 + ",,\n")
    r = run_cli("status", "--children", str(c), "--assessments", str(a))
    assert r.returncode == 1
    assert "'" + "9" * 100 + "'" in r.stderr and "9" * 101 not in r.stderr


def test_usage_errors_exit_2(write_cohort, tmp_path: Path) -> None:
    c, a = write_cohort("A,2012-05-01,2021-12-20,,\n")
    assert run_cli("status", "--children", str(c)).returncode == 2
    assert run_cli("status", "--children", str(c), "--assessments", str(a), "--as-of", "tomorrow").returncode == 2
    assert run_cli("status", "--children", str(c), "--assessments", str(a), "--out", "x.xlsx").returncode == 2
    assert run_cli("nonsense").returncode == 2
    r = run_cli("status", "--children", str(tmp_path / "missing.csv"), "--assessments", str(a))
    assert r.returncode == 2 and "missing.csv" in r.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("[schedule]\nnot_a_setting = 1\n")
    r = run_cli("status", "--children", str(c), "--assessments", str(a), "--policy", str(bad))
    assert r.returncode == 2 and "not_a_setting" in r.stderr


def test_policy_and_closures_options(write_cohort, tmp_path: Path) -> None:
    c, a = write_cohort("A,2012-05-01,2021-12-20,,\n")
    kent = tmp_path / "kent.toml"
    kent.write_text('[schedule]\niha_deadline = 28\niha_deadline_unit = "calendar_days"\n')
    r = run_cli("status", "--children", str(c), "--assessments", str(a), "--as-of", "2022-01-01", "--policy", str(kent))
    assert rows(r.stdout)[0]["due_date"] == "2022-01-17"
    closures = tmp_path / "closures.txt"
    closures.write_text("# local closure\n2022-01-04\n")
    r = run_cli(
        "status", "--children", str(c), "--assessments", str(a), "--as-of", "2022-01-01", "--closures", str(closures)
    )
    assert rows(r.stdout)[0]["due_date"] == "2022-01-21"


def test_validate_lists_problems_and_counts(write_cohort, tmp_path: Path) -> None:
    c, a = write_cohort("A,2012-05-01,2021-12-20,,\nA,2012-05-01,2021-12-20,,\n", "A,RHA,2022-01-05,,\n")
    r = run_cli("validate", "--children", str(c), "--assessments", str(a))
    assert r.returncode == 1
    got = rows(r.stdout)
    assert list(got[0]) == ["severity", "file", "line", "column", "value", "problem"]
    assert [(p["severity"], p["line"], p["column"], p["value"]) for p in got] == [
        ("error", "2", "child_id", "A"),
        ("error", "3", "child_id", "A"),
        ("error", "2", "child_id", "A"),
    ]
    assert "2 rows read, 0 accepted, 2 rejected" in r.stderr
    c2, a2 = write_cohort("A,2012-05-01,2021-12-20,,\n", "A,IHA,2022-01-05,,\n")
    r = run_cli("validate", "--children", str(c2), "--assessments", str(a2))
    assert r.returncode == 0, r.stdout + r.stderr
    assert rows(r.stdout) == []
    bad = tmp_path / "bad.toml"
    bad.write_text("[schedule]\niha_deadline = 0\n")
    r = run_cli(
        "validate", "--children", str(c2), "--assessments", str(a2), "--policy", str(bad), "--as-of", "2022-02-01"
    )
    assert r.returncode == 2 and "iha_deadline" in r.stderr


def test_policy_command_prints_the_full_default(tmp_path: Path) -> None:
    r = run_cli("policy")
    assert r.returncode == 0
    assert lb.Policy.from_toml_str(r.stdout) == lb.Policy.default()
    assert "iha_deadline = 20" in r.stdout


def test_demo_prints_a_report_a_nurse_can_use() -> None:
    r = run_cli("demo", script=True)
    assert r.returncode == 0, r.stderr
    for text in [
        "Children by status and age band",
        "under_5",
        "17_plus",
        "Most overdue",
        "Up to date (the up_to_date indicator",
    ]:
        assert text in r.stdout


def test_version() -> None:
    r = run_cli("--version")
    assert r.returncode == 0 and lb.__version__ in r.stdout


def test_the_command_line_gives_freed_memory_back_at_once() -> None:
    """Issue 23: the command line sets mimalloc's purge delay to 0 (its 1M-child triage then
    peaks near 775 MiB, not 930-970) and restores it when the command ends. In a fresh process
    the option is where this build expects it and holds its default, so the switch takes (a
    mimalloc that numbered its options otherwise would fail here, not silently set another
    option); a command run in-process leaves the library's setting as it found it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIMALLOC_")}
    code = (
        "from lac_backlog import _native, cli\n"
        "print(_native.return_memory_promptly(), _native.return_memory_promptly(), "
        "_native.return_memory_promptly(False), _native.return_memory_promptly(False))\n"
        "try:\n    cli.main(['validate'])\nexcept SystemExit:\n    pass\n"  # a usage error: exits 2
        "print(_native.return_memory_promptly(False), _native.return_memory_promptly(True))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.split() == ["True", "False", "True", "False", "False", "True"]
