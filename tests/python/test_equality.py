"""The equality impact from Python and the command line (issue 21, item 3)."""

from __future__ import annotations

from pathlib import Path

import lac_backlog as lb
from conftest import PUBLIC_DATA, run_cli

AS_OF = "2021-10-21"
HEADER = "child_id,date_of_birth,care_start,sex,ethnicity\n"


def test_sex_and_ethnicity_are_read_and_a_wrong_code_is_warned_about(tmp_path: Path) -> None:
    c, a = tmp_path / "c.csv", tmp_path / "a.csv"
    c.write_text(
        HEADER + "A,2011-01-01,2015-01-05,1,WBRI\nB,2011-01-01,2015-01-05,F,bafr\nC,2011-01-01,2015-01-05,x,ZZZZ\n"
    )
    a.write_text("child_id,assessment_type,completed_on\nA,IHA,2015-01-20\nB,IHA,2015-01-20\nC,IHA,2015-01-20\n")
    cohort = lb.Cohort.from_csv(c, a, today=AS_OF)
    assert [(w.line, w.column, w.kind) for w in cohort.warnings] == [
        (4, "sex", "unknown_code"),
        (4, "ethnicity", "unknown_code"),
    ]
    t = lb.equality(cohort, as_of=AS_OF)
    groups = {(r["characteristic"], r["group"]) for r in t.rows()}
    assert {("sex", "Male"), ("sex", "Female"), ("sex", "Not recorded")} <= groups
    assert {("ethnicity", "White"), ("ethnicity", "Black"), ("ethnicity", "Not recorded")} <= groups
    # Every group here is under 10 children: blank, and marked.
    assert all(r["suppressed"] == "yes" and r["children"] is None for r in t.rows())
    # The canonical CSV keeps the codes.
    out_c, out_a = tmp_path / "c2.csv", tmp_path / "a2.csv"
    cohort.to_csv(out_c, out_a)
    assert out_c.read_text().splitlines()[2].endswith(",2,BAFR,,,,")  # then the (blank) provider and follow-ups


def test_a_synthetic_council_has_sex_and_ethnicity_and_the_notes_have_numbers() -> None:
    council = lb.synthetic_cohort(children=1500, seed=3, as_of=AS_OF, overdue_share=0.4)
    t = lb.equality(council, as_of=AS_OF)
    rows = list(t.rows())
    sexes = {r["group"]: r["children"] for r in rows if r["characteristic"] == "sex"}
    assert set(sexes) == {"Male", "Female"} and 0.5 < sexes["Male"] / 1500 < 0.62
    assert {r["group"] for r in rows if r["characteristic"] == "ethnicity"} >= {"White", "Mixed", "Black", "Asian"}
    for r in rows:
        for note in filter(None, (r["note"] or "").split(" | ")):
            assert "percentage points" in note and " of " in note
    assert t.manifest["call"]["function"] == "lac_backlog.equality"


def test_the_903_return_keeps_sex_and_ethnicity() -> None:
    cohort = lb.Cohort.from_ssda903(PUBLIC_DATA / "ssda903-fake", as_of="2018-03-31")
    t = lb.equality(cohort, as_of="2018-03-31")
    sexes = {r["group"] for r in t.rows() if r["characteristic"] == "sex"}
    assert sexes & {"Male", "Female"}


def test_cli_equality(tmp_path: Path) -> None:
    d = tmp_path / "council"
    run_cli(
        "synth", "--children", "600", "--seed", "2", "--as-of", AS_OF, "--overdue-share", "0.4", "--out-dir", str(d)
    )
    out = tmp_path / "equality.csv"
    r = run_cli(
        "equality",
        "--children",
        str(d / "children.csv"),
        "--assessments",
        str(d / "assessments.csv"),
        "--as-of",
        AS_OF,
        "--out",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    assert out.read_text().startswith("characteristic,group,children,overdue_pct,median_days_overdue,urgent_pct,")
    assert (tmp_path / "equality.csv.manifest.json").exists()
    assert r.stdout.strip()  # the differences in words, or that there are none
