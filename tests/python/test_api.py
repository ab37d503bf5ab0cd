"""The Python API (docs/interface.md section 5) for the foundation: Cohort, Policy, status, validate."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import lac_backlog as lb
import pytest

STATUS_COLUMNS = ["child_id", "status", "next_assessment", "due_date", "days_overdue", "age_band", "reason"]


def test_example_cohort_reads_and_reconciles() -> None:
    cohort = lb.Cohort.from_csv(*lb.example_paths())
    assert len(cohort) == 40
    assert cohort.n_assessments > 0
    assert cohort.child_ids[0] == "0001"  # leading zeros kept
    counts = list(cohort.row_counts().rows())
    assert [c["rows_read"] for c in counts] == [c["rows_accepted"] + c["rows_rejected"] for c in counts]


def test_status_columns_types_and_provenance() -> None:
    cohort = lb.Cohort.from_csv(*lb.example_paths())
    st = lb.status(cohort, as_of="2021-10-21")
    assert st.columns[: len(STATUS_COLUMNS)] == STATUS_COLUMNS
    assert len(st) == len(cohort)  # every child, one row each
    assert st.as_of == dt.date(2021, 10, 21)
    assert st.policy == lb.Policy.default()
    first = next(st.rows())
    assert first["status"] == "overdue"
    assert isinstance(first["due_date"], dt.date)
    assert set(st.column("status")) <= {"overdue", "due_soon", "up_to_date", "not_required"}
    assert set(st.column("age_band")) <= {"under_5", "5_to_16", "17_plus"}


def test_hand_worked_iha_over_christmas(write_cohort) -> None:
    c, a = write_cohort("A1,2012-05-01,2021-12-20,,C2\n")
    st = lb.status(lb.Cohort.from_csv(c, a), as_of=dt.date(2021, 12, 23))
    row = next(st.rows())
    assert (row["next_assessment"], row["due_date"], row["status"]) == ("IHA", dt.date(2022, 1, 20), "due_soon")


def test_as_of_accepts_date_datetime_and_iso_string() -> None:
    cohort = lb.Cohort.from_csv(*lb.example_paths())
    a = lb.status(cohort, as_of="2021-10-21").to_dict()
    assert lb.status(cohort, as_of=dt.date(2021, 10, 21)).to_dict() == a
    assert lb.status(cohort, as_of=dt.datetime(2021, 10, 21, 15, 30)).to_dict() == a
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        lb.status(cohort, as_of="21/10/2021")
    with pytest.raises(TypeError):
        lb.status(cohort, as_of=20211021)  # type: ignore[arg-type]


def test_to_pandas_and_polars() -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    st = lb.status(lb.Cohort.from_csv(*lb.example_paths()), as_of="2021-10-21")
    df = st.to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == st.columns and len(df) == len(st)
    pf = st.to_polars()
    assert isinstance(pf, pl.DataFrame)
    assert pf.columns == st.columns and pf.height == len(st)


def test_bad_data_raises_data_error_with_every_problem(write_cohort) -> None:
    c, a = write_cohort("1,2010-02-30,2020-01-01,,\n2,2010-01-01,2020-01-01,2019-01-01,\n", "9,RHA,2020-06-01,,\n")
    with pytest.raises(lb.DataError) as info:
        lb.Cohort.from_csv(c, a)
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, lb.LacBacklogError)
    got = [(p.file, p.line, p.column, p.value) for p in err.problems]
    assert got == [
        (str(c), 2, "date_of_birth", "2010-02-30"),
        (str(c), 3, "care_end", "2019-01-01"),
        (str(a), 2, "child_id", "9"),
    ]
    assert all(p.severity == "error" for p in err.problems)
    assert "3 errors" in str(err)


def test_warnings_are_kept_on_the_cohort(write_cohort) -> None:
    c, a = write_cohort(
        "1,2010-01-01,2020-01-01,,\n",
        "1,IHA,2020-01-20,,\n",
        children_header="child_id,date_of_birth,care_start,shoe_size,x\n",
    )
    cohort = lb.Cohort.from_csv(c, a)
    assert [(w.line, w.column) for w in cohort.warnings] == [(1, "shoe_size"), (1, "x")]


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        lb.Cohort.from_csv(tmp_path / "nope.csv", tmp_path / "nope2.csv")


def test_policy_round_trip_and_errors(tmp_path: Path) -> None:
    p = lb.Policy.default()
    assert lb.Policy.from_toml_str(p.to_toml()) == p
    f = tmp_path / "kent.toml"
    f.write_text('[schedule]\niha_deadline = 28\niha_deadline_unit = "calendar_days"\n')
    kent = lb.Policy.from_toml(f)
    assert kent != p and "28 calendar days" in repr(kent)
    with pytest.raises(lb.PolicyError, match="iha_deadlin"):
        lb.Policy.from_toml_str("[schedule]\niha_deadlin = 3\n")
    assert issubclass(lb.PolicyError, ValueError)


def test_policy_changes_the_schedule(write_cohort) -> None:
    c, a = write_cohort("A1,2012-05-01,2021-12-20,,\n")
    cohort = lb.Cohort.from_csv(c, a)
    kent = lb.Policy.from_toml_str('[schedule]\niha_deadline = 28\niha_deadline_unit = "calendar_days"\n')
    assert lb.status(cohort, as_of="2021-12-21", policy=kent).column("due_date") == [dt.date(2022, 1, 17)]
    closed = lb.Policy.default().with_closures([dt.date(2022, 1, 4)])
    assert lb.status(cohort, as_of="2021-12-21", policy=closed).column("due_date") == [dt.date(2022, 1, 21)]


def test_validate_reports_without_raising(write_cohort) -> None:
    c, a = write_cohort("1,2010-01-01,2020-01-01,,\n2,bad,2020-01-01,,\n", "1,XHA,2020-06-01,,\n")
    v = lb.validate(c, a)
    assert not v.ok and v.n_errors == 2
    assert v.problems.columns == ["severity", "file", "line", "column", "value", "problem"]
    assert [(r["file"], r["line"]) for r in v.problems.rows()] == [(str(c), 3), (str(a), 2)]
    counts = list(v.row_counts.rows())
    assert [(r["rows_read"], r["rows_accepted"], r["rows_rejected"]) for r in counts] == [(2, 1, 1), (1, 0, 1)]


def test_table_csv_is_written_whole(tmp_path: Path) -> None:
    st = lb.status(lb.Cohort.from_csv(*lb.example_paths()), as_of="2021-10-21")
    out = tmp_path / "status.csv"
    st.to_csv(out)
    text = out.read_text()
    assert text == st.to_csv()
    assert text.splitlines()[0].startswith(",".join(STATUS_COLUMNS))
    assert [p.name for p in tmp_path.iterdir()] == ["status.csv"]  # no temporary file left
    with pytest.raises(OSError):
        st.to_csv(tmp_path / "no" / "such" / "dir.csv")


def test_reprs_say_what_produced_them() -> None:
    st = lb.status(lb.Cohort.from_csv(*lb.example_paths()), as_of="2021-10-21")
    assert "as_of 2021-10-21" in repr(st) and "statutory default" in repr(st)
    html = st._repr_html_()
    assert html.count("<tr>") == 21  # header + 20 rows shown
    assert "<th>child_id</th>" in html


def test_a_column_or_the_rows_shown_are_the_whole_tables_own() -> None:
    # column() and the displays convert only what they need (a worklist's reasons are written
    # for the rows shown only): the same values as the whole table's.
    wl = lb.triage(lb.Cohort.from_csv(*lb.example_paths()), as_of="2021-10-21")
    whole = wl.to_dict()
    assert len(wl) > 20
    for name in wl.columns:
        assert wl.column(name) == whole[name]
    head = wl._inner.to_pydict(None, 5)
    assert list(head) == wl.columns and all(head[c] == whole[c][:5] for c in wl.columns)
    assert wl._inner.to_pydict(["reasons", "no_such"], 10**9) == {"reasons": whole["reasons"]}
    assert wl._inner.to_pydict(None, 0) == {c: [] for c in wl.columns}
    shown = repr(wl)
    assert whole["reasons"][0] in shown and whole["reasons"][5] not in shown
    assert wl._repr_html_().count("<tr>") == 21
