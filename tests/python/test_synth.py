"""The synthetic council from Python and the CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import lac_backlog as lb
import pytest
from conftest import run_cli


def test_reproducible_and_sized() -> None:
    a = lb.synthetic_cohort(children=300, seed=5, as_of="2021-10-21")
    b = lb.synthetic_cohort(children=300, seed=5, as_of=dt.date(2021, 10, 21))
    assert len(a) == 300 and a.child_ids == b.child_ids and a.child_ids[0] == "000001"
    sa = lb.status(a, as_of="2021-10-21").to_csv()
    assert sa == lb.status(b, as_of="2021-10-21").to_csv()
    assert sa != lb.status(lb.synthetic_cohort(children=300, seed=6, as_of="2021-10-21"), as_of="2021-10-21").to_csv()


def test_backlog_knob() -> None:
    c = lb.synthetic_cohort(children=3000, seed=2, as_of="2021-10-21", overdue_share=0.4)
    st = [s for s in lb.status(c, as_of="2021-10-21").column("status") if s != "not_required"]
    assert st.count("overdue") / len(st) == pytest.approx(0.4, abs=0.04)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="10,000,000"):
        lb.synthetic_cohort(children=0)
    with pytest.raises(ValueError):
        lb.synthetic_cohort(children=10, overdue_share=1.5)
    with pytest.raises(TypeError):
        lb.synthetic_cohort(children="many")  # type: ignore[arg-type]


def test_round_trip_through_csv(tmp_path: Path) -> None:
    c = lb.synthetic_cohort(children=400, seed=9, as_of="2021-10-21", localities=["Ward A", "Ward B"])
    c.to_csv(tmp_path / "c.csv", tmp_path / "a.csv")
    back = lb.Cohort.from_csv(tmp_path / "c.csv", tmp_path / "a.csv", today="2021-10-21")
    assert back.warnings == []
    assert lb.triage(back, as_of="2021-10-21").to_csv() == lb.triage(c, as_of="2021-10-21").to_csv()


def test_cli_synth_writes_the_three_tables(tmp_path: Path) -> None:
    out = tmp_path / "council"
    r = run_cli("synth", "--children", "250", "--seed", "3", "--as-of", "2021-10-21", "--out-dir", str(out))
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "assessments.csv",
        "assessments.csv.manifest.json",
        "children.csv",
        "children.csv.manifest.json",
        "events.csv",
        "events.csv.manifest.json",
    ]  # docs/audit.md
    assert len((out / "children.csv").read_text().splitlines()) == 251
    again = tmp_path / "again"
    run_cli("synth", "--children", "250", "--seed", "3", "--as-of", "2021-10-21", "--out-dir", str(again))
    assert (out / "assessments.csv").read_bytes() == (again / "assessments.csv").read_bytes()
    assert run_cli("synth", "--children", "0", "--out-dir", str(out)).returncode == 2
