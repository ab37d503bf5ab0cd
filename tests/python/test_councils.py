"""Several councils at once (issue 21, item 4): councils.toml, a council column in every table,
the ICB's total, and capacity pooled against each council alone; numbers worked by hand."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import lac_backlog as lb
import pytest
from conftest import ROOT, run_cli

AS_OF = "2021-10-21"
CH = "child_id,date_of_birth,care_start\n"
AS = "child_id,assessment_type,completed_on\n"


@pytest.fixture
def icb(tmp_path: Path) -> Path:
    """Two councils with a child "1" each (ids may repeat across councils). North: 1 reviewed
    2021-06-01 (up to date), 2 last reviewed 2020-01-10 (overdue). South: 1 last reviewed
    2019-12-01 (overdue), 2 and 3 reviewed in 2021 (up to date). All aged 10, in care since 2015."""
    for name, rows in {
        "north": [("1", "2021-06-01"), ("2", "2020-01-10")],
        "south": [("1", "2019-12-01"), ("2", "2021-03-01"), ("3", "2021-05-01")],
    }.items():
        d = tmp_path / name
        d.mkdir()
        (d / "children.csv").write_text(CH + "".join(f"{i},2011-01-01,2015-01-05\n" for i, _ in rows))
        (d / "assessments.csv").write_text(AS + "".join(f"{i},IHA,2015-01-20\n{i},RHA,{done}\n" for i, done in rows))
    f = tmp_path / "councils.toml"
    f.write_text(
        '[[council]]\nname = "North"\nchildren = "north/children.csv"\nassessments = "north/assessments.csv"\n\n'
        '[[council]]\nname = "South"\nchildren = "south/children.csv"\nassessments = "south/assessments.csv"\n'
    )
    return f


def test_status_has_a_council_column(icb: Path) -> None:
    c = lb.Councils.from_toml(icb, today=AS_OF)
    st = c.status(as_of=AS_OF)
    rows = list(st.rows())
    assert st.columns[:2] == ["council", "child_id"]
    assert sorted((r["council"], r["child_id"], r["status"]) for r in rows) == [
        ("North", "1", "up_to_date"),
        ("North", "2", "overdue"),
        ("South", "1", "overdue"),
        ("South", "2", "up_to_date"),
        ("South", "3", "up_to_date"),
    ]


def test_kpis_by_council_with_the_icb_total(icb: Path) -> None:
    c = lb.Councils.from_toml(icb, today=AS_OF)
    k = c.kpis(as_of=AS_OF)
    utd = {
        r["council"]: (r["numerator"], r["denominator"])
        for r in k.rows()
        if r["indicator"] == "up_to_date" and r["exclusion"] == "none"
    }
    # North 1 of 2 up to date, South 2 of 3, the ICB 3 of 5.
    assert utd == {"ICB total": (3, 5), "North": (1, 2), "South": (2, 3)}
    # Suppressed, nothing from 1 to 5 is shown, the total included.
    safe = c.kpis(as_of=AS_OF, suppress=True)
    shown = list(csv.DictReader(io.StringIO(safe.to_csv() or "")))
    assert all(r["numerator"] == "c" or not 1 <= int(r["numerator"]) <= 5 for r in shown)


def test_pooled_capacity_against_each_council_alone(icb: Path) -> None:
    from lac_backlog._councils import POOLED, _scaled, _split

    # Three equal councils share 10 slots as 4 + 3 + 3: the parts add up to the pooled number.
    assert _split(10, [1.0, 1.0, 1.0]) == [4, 3, 3] and _split(7, [1.0, 3.0]) == [2, 5]
    f = {
        "scenario": [
            {
                "name": "x",
                "face_to_face_per_week": 10,
                "new_entrants_per_week": 3.0,
                "admin_hours_per_week": 20.0,
                "changes": [{"from_week": 2, "face_to_face_per_week": 6}],
            }
        ]
    }
    parts = [_scaled(f, [1.0, 3.0], k)["scenario"][0] for k in (0, 1)]
    assert [p["face_to_face_per_week"] for p in parts] == [3, 7]  # 2.5 and 7.5: a tie goes to the first
    assert [p["new_entrants_per_week"] for p in parts] == [0.75, 2.25]
    assert [p["admin_hours_per_week"] for p in parts] == [5.0, 15.0]
    assert [p["changes"][0]["face_to_face_per_week"] for p in parts] == [2, 4]
    c = lb.Councils.from_toml(icb, today=AS_OF)
    t = c.simulate(
        [{"name": "a", "face_to_face_per_week": 2, "new_entrants_per_week": 0.0}], as_of=AS_OF, runs=2, weeks=4
    )
    assert [(r["council"], r["scenario"]) for r in t.rows()] == [(POOLED, "a"), ("North", "a"), ("South", "a")]


def test_a_councils_file_is_checked(tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text('[[council]]\nname = "A"\nchildren = "x.csv"\n')
    with pytest.raises(lb.PolicyError, match="children and assessments"):
        lb.Councils.from_toml(bad)
    bad.write_text('[[council]]\nname = "A"\npostcode = "x"\n')
    with pytest.raises(lb.PolicyError, match="known keys"):
        lb.Councils.from_toml(bad)


def test_cli_councils(icb: Path, tmp_path: Path) -> None:
    out = tmp_path / "k.csv"
    r = run_cli("kpi", "--councils", str(icb), "--as-of", AS_OF, "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_text().splitlines()[0].startswith("indicator,period_end,exclusion,council,")
    r = run_cli("status", "--councils", str(icb), "--as-of", AS_OF)
    assert r.returncode == 0 and r.stdout.startswith("council,child_id,")
    r = run_cli(
        "simulate",
        "--councils",
        str(icb),
        "--as-of",
        AS_OF,
        "--scenarios",
        str(ROOT / "examples" / "scenarios.toml"),
        "--runs",
        "2",
        "--weeks",
        "4",
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("council,scenario,")


def test_the_icb_report(icb: Path, tmp_path: Path) -> None:
    out = tmp_path / "icb.html"
    r = run_cli("report", "--councils", str(icb), "--as-of", AS_OF, "--out", str(out))
    assert r.returncode == 0, r.stderr
    page = out.read_text()
    assert ">By council<" in page and "ICB total" in page and "North" in page and "South" in page
