"""DataFrames in and out through Arrow: pandas, polars and pyarrow give the same cohort as CSV,
with the same checks and errors; every result converts to all three."""

from __future__ import annotations

import datetime as dt
import random

import lac_backlog as lb
import pytest

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")


@pytest.fixture(scope="module")
def csv_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    c, a = lb.example_paths()
    return pd.read_csv(c, dtype={"child_id": str}), pd.read_csv(a, dtype={"child_id": str})


def _status(cohort: lb.Cohort) -> str:
    return lb.status(cohort, as_of="2021-10-21").to_csv() or ""


def test_pandas_polars_and_pyarrow_give_the_csv_cohort(csv_frames) -> None:
    want = _status(lb.Cohort.from_csv(*lb.example_paths(), today="2021-10-21"))
    kids, seen = csv_frames
    assert _status(lb.Cohort.from_frames(kids, seen, today="2021-10-21")) == want
    assert _status(lb.Cohort.from_frames(pl.from_pandas(kids), pl.from_pandas(seen), today="2021-10-21")) == want
    assert (
        _status(lb.Cohort.from_frames(pa.Table.from_pandas(kids), pa.Table.from_pandas(seen), today="2021-10-21"))
        == want
    )


def test_dates_and_booleans_in_any_reasonable_type() -> None:
    seen = pd.DataFrame(
        {
            "child_id": ["1", "2", "3"],
            "assessment_type": ["IHA"] * 3,
            "completed_on": [dt.date(2021, 1, 20), dt.date(2021, 2, 1), dt.date(2021, 3, 1)],
        }
    )
    variants = [
        pd.DataFrame(
            {
                "child_id": ["1", "2", "3"],
                "date_of_birth": ["2010-01-01", "01/02/2011", "2012-03-04"],
                "care_start": ["2021-01-04"] * 3,
                "uasc": ["yes", "N", "1"],
                "sdq_score": [12, None, 20],
            }
        ),
        pd.DataFrame(
            {
                "child_id": ["1", "2", "3"],
                "date_of_birth": pd.to_datetime(["2010-01-01", "2011-02-01", "2012-03-04"]),
                "care_start": [dt.date(2021, 1, 4)] * 3,
                "uasc": [True, False, True],
                "sdq_score": [12.0, float("nan"), 20.0],
            }
        ),
        pl.DataFrame(
            {
                "child_id": ["1", "2", "3"],
                "date_of_birth": [dt.date(2010, 1, 1), dt.date(2011, 2, 1), dt.date(2012, 3, 4)],
                "care_start": [dt.datetime(2021, 1, 4, 9, 30)] * 3,
                "uasc": [1, 0, 1],
                "sdq_score": [12, None, 20],
            }
        ),
    ]
    results = [_status(lb.Cohort.from_frames(v, seen, today="2021-10-21")) for v in variants]
    assert results[0] == results[1] == results[2]
    c = lb.Cohort.from_frames(variants[1], seen, today="2021-10-21")
    assert c.child_ids == ["1", "2", "3"]


def test_bad_frames_raise_data_error_with_records() -> None:
    kids = pd.DataFrame(
        {
            "child_id": ["1", "2"],
            "date_of_birth": ["2010-01-01", "2010-02-30"],
            "care_start": ["2021-01-04"] * 2,
            "sdq_score": [12, 55],
        }
    )
    seen = pd.DataFrame({"child_id": ["9"], "assessment_type": ["IHA"], "completed_on": ["2021-02-01"]})
    with pytest.raises(lb.DataError) as info:
        lb.Cohort.from_frames(kids, seen)
    got = [(p.file, p.line, p.column, p.value) for p in info.value.problems]
    assert got == [
        ("children", 3, "date_of_birth", "2010-02-30"),
        ("children", 3, "sdq_score", "55"),
        ("assessments", 2, "child_id", "9"),
    ]
    missing = pd.DataFrame({"child_id": ["1"], "date_of_birth": ["2010-01-01"]})
    with pytest.raises(lb.DataError, match="care_start"):
        lb.Cohort.from_frames(missing, seen)
    with pytest.raises(TypeError):
        lb.Cohort.from_frames({"child_id": ["1"]}, seen)


def test_every_result_converts_to_all_three() -> None:
    cohort = lb.Cohort.from_csv(*lb.example_paths(), today="2021-10-21")
    council = lb.synthetic_cohort(children=120, seed=1, as_of="2021-10-21", overdue_share=0.4)
    results = [
        lb.status(cohort, as_of="2021-10-21"),
        lb.triage(cohort, as_of="2021-10-21"),
        lb.kpis(cohort, as_of="2021-10-21", months=2),
        lb.kpis(cohort, as_of="2021-10-21", suppress=True),
        lb.validate(*lb.example_paths()).problems,
        lb.simulate(council, [{"name": "x", "face_to_face_per_week": 5}], as_of="2021-10-21", runs=3, weeks=4),
    ]
    for r in results:
        t = pa.table(r)
        assert t.column_names == r.columns and t.num_rows == len(r)
        p = pl.DataFrame(r)
        assert p.columns == r.columns and p.height == len(r)
        d = r.to_pandas()
        assert list(d.columns) == r.columns and len(d) == len(r)
        assert r.to_polars().equals(p)
    st = pa.table(results[0])
    assert st.schema.field("due_date").type == pa.date32()
    assert st.schema.field("days_overdue").type == pa.int64()
    assert st.column("child_id").to_pylist() == results[0].column("child_id")


def test_exported_text_outlives_the_table() -> None:
    """Arrow exports share the table's text without copying it: the Arrow table stays whole,
    and its text right, after the result it came from is gone (and after another export)."""
    import gc

    council = lb.synthetic_cohort(children=300, seed=4, as_of="2021-10-21", overdue_share=0.4)
    wl = lb.triage(council, as_of="2021-10-21")
    want = {name: wl.column(name) for name in ("child_id", "reasons", "red_flags", "override_by")}
    first, second = pa.table(wl), pa.table(wl)
    del wl
    gc.collect()
    for t in (first, second):
        t.validate(full=True)
        for name, values in want.items():
            assert t.column(name).to_pylist() == values
    # No one in care yet: no rows, so every text column is empty (no bytes to share).
    empty = pa.table(lb.triage(lb.Cohort.from_csv(*lb.example_paths(), today="2021-10-21"), as_of="2000-01-01"))
    gc.collect()
    empty.validate(full=True)
    assert empty.num_rows == 0 and empty.schema.field("reasons").type == pa.string()


def test_large_frames_checked_on_several_cores_match_csv(tmp_path) -> None:
    """Frames large enough to be checked in stretches on every core (and triaged so) give the
    CSV file's cohort, worklist and problems: every line number right, in order, whatever the
    stretch a bad row falls in; typed columns (dates, numbers) are judged as their text."""
    council = lb.synthetic_cohort(children=30_000, seed=3, as_of="2021-10-21", overdue_share=0.4)
    c, a = tmp_path / "c.csv", tmp_path / "a.csv"
    council.to_csv(c, a)
    kids, seen = pd.read_csv(c, dtype={"child_id": str}), pd.read_csv(a, dtype={"child_id": str})
    assert len(seen) > 20_000
    wl = lambda cohort: lb.triage(cohort, as_of="2021-10-21").to_csv()  # noqa: E731
    assert wl(lb.Cohort.from_frames(kids, seen, today="2021-10-21")) == wl(lb.Cohort.from_csv(c, a, today="2021-10-21"))
    typed = kids.assign(date_of_birth=pd.to_datetime(kids["date_of_birth"]))
    assert wl(lb.Cohort.from_frames(typed, seen, today="2021-10-21")) == wl(
        lb.Cohort.from_frames(kids, seen, today="2021-10-21")
    )
    # Bad rows early, in the middle and at the end of each table.
    kids["sdq_score"] = kids["sdq_score"].astype("Int64")  # written to CSV as 12, not 12.0
    for i in (0, 15_000, 29_999):
        kids.loc[i, "sdq_score"] = 55
    for i in (3, len(seen) // 2, len(seen) - 1):
        seen.loc[i, "completed_on"] = "2021-02-30"
    kids.to_csv(c, index=False)
    seen.to_csv(a, index=False)
    with pytest.raises(lb.DataError) as from_frames:
        lb.Cohort.from_frames(kids, seen, today="2021-10-21")
    with pytest.raises(lb.DataError) as from_csv:
        lb.Cohort.from_csv(c, a, today="2021-10-21")
    got = [(p.line, p.column, p.value, p.problem) for p in from_frames.value.problems]
    want = [(p.line, p.column, p.value, p.problem.replace(str(c), "children")) for p in from_csv.value.problems]
    assert got == want
    assert [p.line for p in from_frames.value.problems if p.file == "children"] == [2, 15_002, 30_001]
    dates = [p.line for p in from_frames.value.problems if p.column == "completed_on"]
    assert dates == [5, len(seen) // 2 + 2, len(seen) + 1]


def _random_frames(rng: random.Random, n: int) -> tuple[pa.Table, pa.Table]:
    """Random children and assessments frames: each column text (plain or large), or typed
    (dates, datetimes, booleans, integers, floats with gaps), mostly good values with odd ones
    among them (blank, null, impossible dates, formula-like text, unknown codes)."""

    def text(values: list[str | None]) -> pa.Array:
        return pa.array(values, type=rng.choice([pa.string(), pa.large_string()]))

    def dates(lo: int, hi: int) -> pa.Array:
        days = [dt.date(rng.randint(lo, hi), rng.randint(1, 12), rng.randint(1, 28)) for _ in range(n)]
        kind = rng.choice(["text", "date", "timestamp"])
        if kind == "date":
            return pa.array([None if rng.random() < 0.05 else d for d in days], type=pa.date32())
        if kind == "timestamp":
            return pa.array([dt.datetime(d.year, d.month, d.day) for d in days], type=pa.timestamp("us"))
        odd = ["", "2021-02-30", "1900-01-01", "44490", "5/6/2019", " 2020-02-29 ", "2031-01-01", None]
        return text([rng.choice(odd) if rng.random() < 0.08 else d.isoformat() for d in days])

    def flags() -> pa.Array:
        kind = rng.choice(["text", "bool", "int", "float"])
        if kind == "bool":
            return pa.array([rng.choice([True, False, None]) for _ in range(n)], type=pa.bool_())
        if kind == "int":
            return pa.array([rng.choice([0, 1, 1, 2]) for _ in range(n)], type=pa.int64())
        if kind == "float":
            return pa.array([rng.choice([0.0, 1.0, float("nan"), 0.5]) for _ in range(n)], type=pa.float64())
        return text([rng.choice(["0", "1", "", "yes", "N", "1.0", "true", "maybe", None]) for _ in range(n)])

    def words(good: list[str], odd: list[str]) -> pa.Array:
        return text([rng.choice(odd) if rng.random() < 0.07 else rng.choice(good) for _ in range(n)])

    ids = [f"C{rng.randint(0, n + 20):04d}" for _ in range(n)]
    kids = pa.table(
        {
            "child_id": words(ids, ["", "=1+1", " C0001", "c0001"]),
            "date_of_birth": dates(2007, 2020),
            "care_start": dates(2018, 2026),
            "care_end": words([""] * 9 + ["2025-05-05"], ["2010-01-01"]),
            "legal_status": words(["C2", "C1", "", "v2"], ["ZZ"]),
            "uasc": flags(),
            "locality": words(["North", "", "Acme"], ["+44", "@x"]),
            "sdq_score": pa.array([rng.choice([None, 3, 40, 41, -1]) for _ in range(n)], type=pa.int64()),
            "self_harm": flags(),
            "out_of_area": flags(),
            "placement_moves_12m": words(["0", "3", ""], ["-2", "1.5"]),
            "sex": words(["1", "2", "", "F"], ["9"]),
            "ethnicity": words(["WBRI", "", "mwbc"], ["XXXX"]),
            "provider": words(["Acme", ""], ["=A1"]),
            "last_dental_check": dates(2021, 2027),
            "immunisations_up_to_date": flags(),
        }
    )
    m = n * 3
    seen = pa.table(
        {
            "child_id": pa.array([rng.choice(ids) if ids and rng.random() < 0.95 else "X9" for _ in range(m)]),
            "assessment_type": pa.array([rng.choice(["IHA", "RHA", "RHA", "rha", "", "X"]) for _ in range(m)]),
            "completed_on": pa.array(
                [dt.date(rng.randint(2005, 2026), rng.randint(1, 12), rng.randint(1, 28)) for _ in range(m)],
                type=pa.date32(),
            ),
            "modality": pa.array([rng.choice(["", "virtual", "questionnaire", "phone", None]) for _ in range(m)]),
        }
    )
    return kids, seen


def test_columnar_checks_match_the_row_checks_on_random_frames() -> None:
    """Issue 23: a DataFrame's columns are checked whole and only failing rows row by row; on
    random frames of every column type that gives the cohort and every problem (line, column,
    value, message) that checking each row gives."""
    from lac_backlog import _native

    rng = random.Random(23)
    today = dt.date(2026, 3, 31)
    for trial in range(40):
        kids, seen = _random_frames(rng, rng.choice([0, 5, 60, 400, 3000]))
        if trial % 3 == 1:  # in several record batches, an empty one among them
            cut = rng.randint(0, kids.num_rows)
            kids = pa.concat_tables([kids.slice(0, cut), kids.slice(cut, 0), kids.slice(cut)])
            seen = pa.concat_tables([seen.slice(0, 1), seen.slice(1)])
        got = []
        for row_checks in (False, True):
            try:
                c = _native.Cohort.from_arrow(kids, seen, today, True, None, row_checks)
            except lb.DataError as e:
                got.append(("error", [str(p) for p in e.records]))
                continue
            got.append((c.child_ids(), c.n_assessments, c.warnings, c.skipped, c.row_counts().to_pydict()))
        assert got[0] == got[1], f"trial {trial}"
