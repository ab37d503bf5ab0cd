"""Cross-checks named in the hazard log (docs/clinical-safety.md): on a council with a backlog,
no child who needs seeing is missing from the worklist, the worklist agrees with the schedule,
and no rule recommends a less intensive modality than the statutory minimum."""

from __future__ import annotations

from typing import Any

import lac_backlog as lb
import pytest

AS_OF = "2021-10-21"


@pytest.fixture(scope="module")
def council() -> lb.Cohort:
    return lb.synthetic_cohort(children=1500, seed=2021, as_of=AS_OF, overdue_share=0.4)


@pytest.fixture(scope="module")
def status_rows(council: lb.Cohort) -> dict[str, dict[str, Any]]:
    return {r["child_id"]: r for r in lb.status(council, as_of=AS_OF).rows()}


def test_status_lists_every_child_once(council: lb.Cohort, status_rows: dict[str, dict[str, Any]]) -> None:
    st = lb.status(council, as_of=AS_OF)
    assert sorted(st.column("child_id")) == council.child_ids and len(status_rows) == len(council)


def test_every_child_overdue_or_due_soon_is_on_the_worklist_once_and_no_other(
    council: lb.Cohort, status_rows: dict[str, dict[str, Any]]
) -> None:
    wl = lb.triage(council, as_of=AS_OF)
    listed = wl.column("child_id")
    assert len(listed) == len(set(listed))
    need = {c for c, r in status_rows.items() if r["status"] in ("overdue", "due_soon")}
    assert set(listed) == need and len(need) > 100


def test_the_worklist_agrees_with_the_schedule(council: lb.Cohort, status_rows: dict[str, dict[str, Any]]) -> None:
    for r in lb.triage(council, as_of=AS_OF).rows():
        s = status_rows[r["child_id"]]
        assert (r["next_assessment"], r["due_date"], r["days_overdue"], r["age_band"]) == (
            s["next_assessment"],
            s["due_date"],
            s["days_overdue"],
            s["age_band"],
        ), r["child_id"]


def test_statutory_face_to_face_is_never_downgraded_by_the_rules(council: lb.Cohort) -> None:
    rows = list(lb.triage(council, as_of=AS_OF).rows())
    must = [r for r in rows if r["next_assessment"] == "IHA" or r["age_band"] == "under_5" or r["tier"] == "P1"]
    assert must and all(r["recommended_modality"] == "face_to_face" for r in must)


def test_pseudonymising_changes_no_decision(council: lb.Cohort) -> None:
    wl = lb.triage(council, as_of=AS_OF)
    ps = wl.pseudonymised(lb.PseudonymKey("a test key that is long enough to be accepted here"))
    for a, b in zip(wl.rows(), ps.rows()):
        assert {k: v for k, v in a.items() if k not in ("child_id", "reasons")} == {
            k: v for k, v in b.items() if k not in ("child_id", "reasons")
        }


def test_every_test_the_hazard_log_names_exists() -> None:
    """docs/clinical-safety.md names real tests: a renamed or deleted test fails here."""
    import re

    from conftest import ROOT

    text = (ROOT / "docs" / "clinical-safety.md").read_text()
    named = 0
    for para in re.findall(r"\*\*Tests\*\*:(.*?)(?=\n- \*\*|\n## |\Z)", text, re.S):
        current = None
        for token in re.findall(r"`([^`]+)`", para):
            m = re.fullmatch(r"((?:tests|src)/[\w/]+\.(?:rs|py))(?:::(\w+))?", token)
            if m:
                current, name = m.group(1), m.group(2)
            elif re.fullmatch(r"(?:::)?\w+", token):
                name = token.lstrip(":")
            else:
                continue
            assert current is not None, token
            if name:
                source = (ROOT / current).read_text()
                assert re.search(rf"\b(?:fn|def) {name}\b", source), f"{current}::{name}"
                named += 1
    assert named > 60


def test_a_stale_extract_is_warned_about(council: lb.Cohort, tmp_path) -> None:
    from conftest import run_cli

    assert lb.stale_data(council, as_of=AS_OF) is None
    warning = lb.stale_data(council, as_of="2022-06-30")
    assert warning is not None and "is the extract stale?" in warning
    c, a = tmp_path / "c.csv", tmp_path / "a.csv"
    council.to_csv(c, a)
    fresh = run_cli("status", "--children", str(c), "--assessments", str(a), "--as-of", AS_OF)
    assert fresh.returncode == 0 and "stale" not in fresh.stderr
    late = run_cli("status", "--children", str(c), "--assessments", str(a), "--as-of", "2022-06-30")
    assert late.returncode == 0 and "warning: the newest care_start or completed assessment" in late.stderr


def test_the_stale_warning_hides_the_childs_date_with_hide_values(council: lb.Cohort, tmp_path) -> None:
    from conftest import run_cli

    c, a = tmp_path / "c.csv", tmp_path / "a.csv"
    council.to_csv(c, a)
    newest = lb.stale_data(council, as_of="2022-06-30")
    assert newest is not None
    date = newest.split(" is ", 1)[1].split(",", 1)[0]
    r = run_cli("status", "--children", str(c), "--assessments", str(a), "--as-of", "2022-06-30", "--hide-values")
    assert r.returncode == 0 and "is [hidden], " in r.stderr and date not in r.stderr
