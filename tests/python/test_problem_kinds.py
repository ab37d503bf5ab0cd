"""Problems as data: a program reads ``Problem.kind`` and ``Problem.facts``, never the sentence
(docs/bad-input.md "Problems as data")."""

from __future__ import annotations

import datetime as dt

import lac_backlog as lb
import pytest
from lac_backlog._privacy import HIDDEN_VALUE, hide_problem


def test_errors_carry_kind_and_facts(write_cohort) -> None:
    c, a = write_cohort("A,2010-01-01,2020-01-01,,C2\nA,2011-01-01,2020-01-01,,C2\nB,2021-01-01,2020-05-01,,C2\n")
    with pytest.raises(lb.DataError) as e:
        lb.Cohort.from_csv(c, a, today="2021-10-21")
    got = [(p.line, p.kind, dict(p.facts)) for p in e.value.problems]
    assert got == [
        (2, "duplicate_child_id", {"also_on_lines": [3]}),
        (3, "duplicate_child_id", {"also_on_lines": [2]}),
        (4, "born_after_care_start", {"care_start": dt.date(2020, 5, 1)}),
    ]
    # The sentence is still there, for people.
    assert e.value.problems[0].problem == "duplicate child_id (also on line 3)"


def test_hidden_problems_mask_date_facts_and_keep_lines(write_cohort) -> None:
    c, a = write_cohort("B,2021-01-01,2020-05-01,,C2\n")
    with pytest.raises(lb.DataError) as e:
        lb.Cohort.from_csv(c, a, today="2021-10-21")
    (p,) = e.value.problems
    h = hide_problem(p)
    assert (h.kind, h.line, h.value, dict(h.facts)) == (
        "born_after_care_start",
        2,
        HIDDEN_VALUE,
        {"care_start": HIDDEN_VALUE},
    )
    assert "2020" not in h.problem


def test_warnings_and_override_problems_have_kinds(write_cohort, tmp_path) -> None:
    c, a = write_cohort("A,2010-01-01,2020-01-01,,C2\nX9,2010-01-01,2020-01-01,,Z9\n")
    cohort = lb.Cohort.from_csv(c, a, today="2021-10-21")
    assert [(w.line, w.kind) for w in cohort.warnings] == [(3, "unknown_code")]
    ovr = tmp_path / "o.csv"
    ovr.write_text("child_id,tier,reason,decided_by\nA,P1,x,Dr A\nA,P2,y,Dr B\n")
    with pytest.raises(lb.DataError) as e:
        lb.triage(cohort, as_of="2021-10-21", overrides=ovr)
    assert [(p.line, p.kind, dict(p.facts)) for p in e.value.problems] == [(3, "second_override", {"first_line": 2})]


def test_a_problem_built_by_hand_has_no_kind_or_facts() -> None:
    p = lb.Problem("error", "f.csv", 2, "c", "v", "bad")
    assert (p.kind, dict(p.facts)) == ("", {})
    assert str(p) == "error: f.csv, line 2, column c, value 'v': bad"
