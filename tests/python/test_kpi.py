"""KPIs from Python and the command line: columns, RAG, breakdowns, series, trend, forecast,
suppression and the plot."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import lac_backlog as lb
import pytest
from conftest import ROOT, run_cli

KPI_COLUMNS = [
    "indicator",
    "period_end",
    "exclusion",
    "numerator",
    "denominator",
    "value_pct",
    "target_pct",
    "floor_pct",
    "rag",
]
GOLDEN = ROOT / "tests" / "golden" / "kpi_series_synth1500_2021-10-21.csv"


@pytest.fixture(scope="module")
def council() -> lb.Cohort:
    return lb.synthetic_cohort(children=1500, seed=2021, as_of="2021-10-21", overdue_share=0.4)


def test_series_matches_the_golden_file_and_the_contract(council: lb.Cohort) -> None:
    # The synthetic council is today's children only: the series warns that past months lack
    # the children who have since left.
    with pytest.warns(lb.LacBacklogWarning, match="past months need the children who have since left"):
        k = lb.kpis(council, as_of="2021-10-21", months=12)
    assert k.columns == KPI_COLUMNS
    assert k.to_csv() == GOLDEN.read_text()
    assert len(k) == 12 * 4 * 3
    assert set(k.column("rag")) <= {"green", "amber", "red"}
    trend = {(r["indicator"], r["exclusion"]): r for r in k.trend.rows()}
    assert trend[("up_to_date", "none")]["direction"] == "worsening"
    assert trend[("up_to_date", "none")]["months"] == 12


def test_a_hand_check_of_one_row_agrees_with_status(council: lb.Cohort) -> None:
    k = lb.kpis(council, as_of="2021-09-30")
    row = next(r for r in k.rows() if r["indicator"] == "up_to_date" and r["exclusion"] == "none")
    st = [r for r in lb.status(council, as_of="2021-09-30").rows()]
    in_scope = [
        r for r in st if not r["reason"].startswith(("left care", "not yet in care", "short breaks", "aged 18"))
    ]
    assert row["denominator"] == len(in_scope)
    assert row["numerator"] == sum(r["status"] != "overdue" for r in in_scope)
    assert row["value_pct"] == pytest.approx(100 * row["numerator"] / row["denominator"])


def test_breakdowns_and_suppression(council: lb.Cohort) -> None:
    k = lb.kpis(council, as_of="2021-10-21", by="age_band", suppress=True)
    assert k.columns[:4] == ["indicator", "period_end", "exclusion", "group"]
    # Data frames keep numbers (blank where hidden) with a `suppressed` flag; the CSV shows `c`
    # and has no flag column.
    assert k.columns[-1] == "suppressed" and k.csv_columns == k.columns[:-1]
    rows = list(k.rows())
    assert any(r["suppressed"] == "yes" for r in rows)
    for r in rows:
        for cell in (r["numerator"], r["denominator"]):
            assert cell is None or (isinstance(cell, int) and not 1 <= cell <= 5)
        if None in (r["numerator"], r["denominator"]):
            assert r["suppressed"] == "yes" and r["value_pct"] is None and r["rag"] == "c"
        else:
            assert r["suppressed"] == "no"
    csv_rows = list(csv.DictReader(io.StringIO(k.to_csv() or "")))
    assert list(csv_rows[0]) == k.csv_columns
    for r, c in zip(rows, csv_rows):
        assert c["numerator"] == ("c" if r["numerator"] is None else str(r["numerator"]))
        assert c["value_pct"] == ("c" if r["suppressed"] == "yes" else c["value_pct"])
    pd = pytest.importorskip("pandas")
    df = k.to_pandas()
    assert pd.api.types.is_numeric_dtype(df["numerator"]) and pd.api.types.is_numeric_dtype(df["value_pct"])
    with pytest.raises(ValueError, match="by must be"):
        lb.kpis(council, by="ward")


def test_forecast_and_plot(council: lb.Cohort, tmp_path: Path) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    with pytest.warns(lb.LacBacklogWarning, match="past months need"):
        k = lb.kpis(council, as_of="2021-10-21", months=6, forecast=6)
    assert k.forecast is not None and len(k.forecast) == 6 * 3
    values = [r["value_pct"] for r in k.forecast.rows() if r["exclusion"] == "none"]
    assert values == sorted(values, reverse=True)  # nobody seen: it can only fall
    ax = k.plot()
    ax.figure.savefig(tmp_path / "kpi.png")
    assert (tmp_path / "kpi.png").stat().st_size > 1000


def test_a_series_with_leavers_does_not_warn(council: lb.Cohort, tmp_path: Path) -> None:
    """With a child who left care during the series (care_end), nothing is said; the warning is
    only for an extract of today's children."""
    c, a = tmp_path / "c.csv", tmp_path / "a.csv"
    c.write_text(
        "child_id,date_of_birth,care_start,care_end\nA,2010-01-01,2015-01-05,\nB,2011-01-01,2015-01-05,2021-06-30\n"
    )
    a.write_text("child_id,assessment_type,completed_on\nA,IHA,2015-01-20\nB,IHA,2015-01-20\n")
    cohort = lb.Cohort.from_csv(c, a, today="2021-10-21")
    k = lb.kpis(cohort, as_of="2021-10-21", months=6)  # filterwarnings = error: no warning
    assert len(k) == 6 * 4 * 3


def test_cli_kpi(tmp_path: Path) -> None:
    d = tmp_path / "council"
    assert (
        run_cli(
            "synth",
            "--children",
            "1500",
            "--seed",
            "2021",
            "--as-of",
            "2021-10-21",
            "--overdue-share",
            "0.4",
            "--out-dir",
            str(d),
        ).returncode
        == 0
    )
    args = ["--children", str(d / "children.csv"), "--assessments", str(d / "assessments.csv"), "--as-of", "2021-10-21"]
    r = run_cli("kpi", *args, "--months", "12", "--trend-out", str(tmp_path / "trend.csv"))
    assert r.returncode == 0, r.stderr
    assert r.stdout == GOLDEN.read_text()
    with open(tmp_path / "trend.csv") as f:
        trend = list(csv.DictReader(f))
    assert trend[0]["indicator"] == "up_to_date" and trend[0]["direction"] in {"improving", "worsening", "stable"}
    r = run_cli("kpi", *args, "--by", "locality", "--suppress")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {x["group"] for x in rows} == {"all", "North", "South", "East", "West"}
    assert run_cli("kpi", *args, "--forecast", "3").returncode == 2  # needs --forecast-out
    r = run_cli("kpi", *args, "--forecast", "3", "--forecast-out", str(tmp_path / "f.csv"))
    assert r.returncode == 0 and len((tmp_path / "f.csv").read_text().splitlines()) == 1 + 9


def test_the_board_sees_words_months_and_rag(council: lb.Cohort) -> None:
    """The board table and the plot speak in words (issue 21): indicator names, months as
    "Sep 2021", a "Per cent of children" axis, RAG in the legend."""
    pytest.importorskip("pandas")
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    with pytest.warns(lb.LacBacklogWarning):
        k = lb.kpis(council, as_of="2021-10-21", months=12, forecast=3)
    styled = k.board_table()
    df = styled.data
    assert list(df.columns)[0] == "Children up to date with their health assessments"
    assert df.index[-1] == "Sep 2021" and df.iloc[-1, 0].endswith("%")
    html = styled.to_html()
    assert "background-color" in html
    ax = k.plot("up_to_date")
    assert ax.get_title() == "Children up to date with their health assessments"
    assert ax.get_ylabel() == "Per cent of children"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"Month-end value", "Target 90%", "Floor 85%"} <= set(labels) and set(labels) & {"Green", "Amber", "Red"}
