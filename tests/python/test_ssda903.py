"""The 903 import, the OC2 table and the CLI on the public fake and dirty returns. The OC2
cohort is worked out here independently, in plain Python from the CSV files, by the DfE rule."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import lac_backlog as lb
import pytest
from conftest import PUBLIC_DATA, run_cli

FAKE = PUBLIC_DATA / "ssda903-fake"
DIRTY = PUBLIC_DATA / "ssda903-dirty"
YEAR_END = dt.date(2018, 3, 31)


def _d(s: str) -> dt.date | None:
    return dt.datetime.strptime(s, "%d/%m/%Y").date() if s else None


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _age(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def independent_oc2() -> dict[str, tuple[int, int]]:
    """The OC2 cohort and measures, straight from the CSV files."""
    start = dt.date(2017, 4, 1)
    episodes = _read(FAKE / "episodes.csv")
    by_child: dict[str, list[dict[str, str]]] = {}
    for e in episodes:
        by_child.setdefault(e["CHILD"], []).append(e)
    cohort = set()
    for child, eps in by_child.items():
        overlaps = [e for e in eps if _d(e["DECOM"]) <= YEAR_END and (not e["DEC"] or _d(e["DEC"]) >= start)]
        if not overlaps:
            continue
        new = any(e["RNE"] == "S" and start < _d(e["DECOM"]) <= YEAR_END for e in eps)
        left = any(e["REC"] not in ("X1", "") and e["DEC"] and start <= _d(e["DEC"]) <= YEAR_END for e in eps)
        short = any(e["LS"] in ("V3", "V4") for e in overlaps)
        if not (new or left or short):
            cohort.add(child)
    oc2 = {r["CHILD"]: r for r in _read(FAKE / "oc2.csv")}
    dob = {r["CHILD"]: _d(r["DOB"]) for r in _read(FAKE / "header.csv")}
    n = len(cohort)
    out = {"cohort": (n, n)}
    for m in ("health_assessment", "immunisations", "teeth_check", "substance_misuse"):
        out[m] = (sum(oc2.get(c, {}).get(m.upper()) == "1" for c in cohort), n)
    under5 = [c for c in cohort if _age(dob[c], YEAR_END) < 5]
    out["health_check_under_5"] = (sum(oc2.get(c, {}).get("HEALTH_CHECK") == "1" for c in under5), len(under5))
    mid = [c for c in cohort if 5 <= _age(dob[c], YEAR_END) <= 16]
    scores = [int(oc2[c]["SDQ_SCORE"]) for c in mid if c in oc2 and oc2[c]["SDQ_SCORE"]]
    out["sdq_received"] = (len(scores), len(mid))
    out["sdq_average"] = (sum(scores), len(scores))
    return out


def test_oc2_matches_an_independent_computation() -> None:
    table = lb.oc2(FAKE, year_end=YEAR_END)
    got = {r["measure"]: r for r in table.rows()}
    want = independent_oc2()
    assert list(got) == list(want)
    for m, (num, den) in want.items():
        assert int(got[m]["numerator"]) == num, m
        if m != "cohort":
            assert int(got[m]["denominator"]) == den, m
            assert float(got[m]["value"]) == pytest.approx(
                round((num / den) * (1 if m == "sdq_average" else 100), 1), abs=0.051
            )


def test_oc2_suppressed_hides_small_counts() -> None:
    table = lb.oc2(FAKE, year_end=YEAR_END, suppress=True)
    for r in table.rows():
        for cell in (r["numerator"], r["denominator"]):
            assert cell in (None, "c") or not 1 <= int(cell) <= 5


def test_cohort_from_the_fake_return_feeds_triage() -> None:
    cohort = lb.Cohort.from_ssda903(FAKE)
    assert cohort.derived_at == YEAR_END
    assert len(cohort) == 2123  # every child with an episode; 552 header-only children are warned about
    assert sum("no episode of care" in w.problem for w in cohort.warnings) == 552
    wl = lb.triage(cohort, as_of=cohort.derived_at)
    assert len(wl) > 0 and wl.column("rank")[0] == 1
    # With no assessments table every child in scope still needs their IHA.
    assert set(wl.column("next_assessment")) == {"IHA"}


def test_cohort_from_the_xml_form(tmp_path: Path) -> None:
    shutil.copy(FAKE / "fake_903.xml", tmp_path / "fake_903.xml")
    cohort = lb.Cohort.from_ssda903(tmp_path, as_of="2018-03-31")
    import xml.etree.ElementTree as ET

    children = ET.parse(FAKE / "fake_903.xml").getroot().findall("CHILD")
    with_episodes = [c for c in children if c.find("EPISODE") is not None]
    assert len(children) == 253
    assert len(cohort) == len(with_episodes) == 198


def test_assessments_join_a_903_cohort(tmp_path: Path) -> None:
    a = tmp_path / "assessments.csv"
    a.write_text("child_id,assessment_type,completed_on\n566910,RHA,2017-09-01\n")
    cohort = lb.Cohort.from_ssda903(FAKE, a)
    row = next(r for r in lb.status(cohort, as_of=YEAR_END).rows() if r["child_id"] == "566910")
    assert row["next_assessment"] == "RHA" and row["due_date"] == dt.date(2018, 9, 1)
    bad = tmp_path / "bad.csv"
    bad.write_text("child_id,assessment_type,completed_on\nNOBODY,RHA,2017-09-01\n")
    with pytest.raises(lb.DataError) as info:
        lb.Cohort.from_ssda903(FAKE, bad)
    assert [(p.line, p.value) for p in info.value.problems] == [(2, "NOBODY")]


def test_the_dirty_return_raises_precise_errors() -> None:
    with pytest.raises(lb.DataError) as info:
        lb.Cohort.from_ssda903(DIRTY)
    assert {p.line for p in info.value.problems} == {2, 3, 4, 5, 6}
    assert all(p.column == "DOB" and "different dates of birth" in p.problem for p in info.value.problems)


def test_cli_oc2_and_903_commands(tmp_path: Path) -> None:
    r = run_cli("oc2", "--ssda903", str(FAKE), "--year-end", "2018-03-31")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [x["measure"] for x in rows] == [
        "cohort",
        "health_assessment",
        "immunisations",
        "teeth_check",
        "substance_misuse",
        "health_check_under_5",
        "sdq_received",
        "sdq_average",
    ]
    assert rows[0]["numerator"] == str(independent_oc2()["cohort"][0])
    # Without --year-end, the year end the return covers.
    assert run_cli("oc2", "--ssda903", str(FAKE)).stdout == r.stdout
    r = run_cli("status", "--ssda903", str(FAKE))
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2124
    r = run_cli("validate", "--ssda903", str(DIRTY))
    assert r.returncode == 1 and "different dates of birth" in r.stdout
    r = run_cli("triage", "--ssda903", str(DIRTY), "--out", str(tmp_path / "w.csv"))
    assert r.returncode == 1 and not (tmp_path / "w.csv").exists()
    assert run_cli("status", "--children", "x.csv").returncode == 2  # --children needs --assessments
