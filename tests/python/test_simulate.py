"""Backlog scenarios from Python and the CLI; capacity planning; waiting-list arithmetic."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import lac_backlog as lb
import pytest
from conftest import ROOT, run_cli
from lac_backlog import waiting_list as wl

SCENARIOS = ROOT / "examples" / "scenarios.toml"
SUMMARY = [
    "scenario",
    "runs",
    "weeks_to_clear_p50",
    "weeks_to_clear_p90",
    "overdue_end_p50",
    "seen_p50",
    "clinician_hours_p50",
    "up_to_date_end_p50",
]
TRAJECTORY = [
    "scenario",
    "week",
    "week_start",
    "overdue_p10",
    "overdue_p50",
    "overdue_p90",
    "seen_p50",
    "up_to_date_p50",
]


@pytest.fixture(scope="module")
def council() -> lb.Cohort:
    return lb.synthetic_cohort(children=400, seed=3, as_of="2021-10-21", overdue_share=0.4)


def test_simulate_from_a_toml_file(council: lb.Cohort) -> None:
    res = lb.simulate(council, SCENARIOS, as_of="2021-10-21", runs=8, weeks=20)
    assert res.columns[:8] == SUMMARY
    assert res.column("scenario") == [
        "baseline",
        "extra_clinics",
        "virtual_slots",
        "questionnaires",
        "initiative_and_iha_lane",
    ]
    assert res.column("runs") == [8] * 5
    assert res.trajectory.columns[:8] == TRAJECTORY
    assert len(res.trajectory) == 5 * 20
    assert "8 runs x 20 weeks, seed 7" in repr(res)
    df = res.to_pandas()
    assert list(df["scenario"]) == res.column("scenario")


def test_same_seed_same_result_whatever_the_batch(council: lb.Cohort) -> None:
    scen = [{"name": "a", "face_to_face_per_week": 6, "virtual_per_week": 3}]
    one = lb.simulate(council, scen, as_of="2021-10-21", runs=12, weeks=15, seed=5, batch=1)
    many = lb.simulate(council, scen, as_of="2021-10-21", runs=12, weeks=15, seed=5, batch=100)
    assert one.to_csv() == many.to_csv() and one.trajectory.to_csv() == many.trajectory.to_csv()
    other = lb.simulate(council, scen, as_of="2021-10-21", runs=12, weeks=15, seed=6)
    assert other.trajectory.to_csv() != one.trajectory.to_csv()


def test_closed_form_deterministic_clearance() -> None:
    # 40 children overdue and nobody else: with 7 slots a week and runs = 1, ceil(40 / 7) = 6 weeks.
    rows = "".join(f"K{i:02d},2011-01-01,2015-01-05,,C2\n" for i in range(40))
    assess = "".join(f"K{i:02d},IHA,2015-01-20,,\nK{i:02d},RHA,2020-08-01,,\n" for i in range(40))
    d = Path(__import__("tempfile").mkdtemp())
    (d / "c.csv").write_text("child_id,date_of_birth,care_start,care_end,legal_status\n" + rows)
    (d / "a.csv").write_text("child_id,assessment_type,completed_on,modality,outcome\n" + assess)
    cohort = lb.Cohort.from_csv(d / "c.csv", d / "a.csv")
    res = lb.simulate(
        cohort,
        [{"name": "x", "face_to_face_per_week": 7, "new_entrants_per_week": 0, "did_not_attend_rate": 0}],
        as_of="2021-10-04",
        runs=1,
        weeks=10,
    )
    assert res.column("weeks_to_clear_p50") == [6]


def test_bad_scenarios_are_policy_errors(council: lb.Cohort) -> None:
    with pytest.raises(lb.PolicyError, match="did_not_attend_rate"):
        lb.simulate(council, [{"name": "x", "did_not_attend_rate": 1.5}], runs=2, weeks=2)
    with pytest.raises(lb.PolicyError, match="unknown field"):
        lb.simulate(council, [{"name": "x", "face_to_face_per_wek": 3}], runs=2, weeks=2)
    with pytest.raises(TypeError):
        lb.simulate(council, 42, runs=2)


def test_progress_bar_and_plots(council: lb.Cohort, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    pytest.importorskip("tqdm")
    matplotlib.use("Agg")
    res = lb.simulate(council, SCENARIOS, as_of="2021-10-21", runs=4, weeks=8, progress=True, batch=2)
    assert "simulating" in capsys.readouterr().err
    res.plot().figure.savefig(tmp_path / "fan.png")
    res.plot_kpi().figure.savefig(tmp_path / "kpi.png")
    assert (tmp_path / "fan.png").stat().st_size > 1000 and (tmp_path / "kpi.png").stat().st_size > 1000


def test_capacity_needed(council: lb.Cohort) -> None:
    base = {"new_entrants_per_week": 1.0, "did_not_attend_rate": 0.0}
    r = lb.capacity_needed(
        council, target_up_to_date=95, scenario=base, as_of="2021-10-21", weeks=26, runs=6, probability=0.8
    )
    assert r.face_to_face_per_week is not None
    shares = dict(r.tried)
    assert shares[r.face_to_face_per_week] >= 0.8
    assert all(s < 0.8 for c, s in r.tried if c < r.face_to_face_per_week)
    assert set(r.analytic) == {
        "demand_per_week",
        "queue_size",
        "target_queue_size",
        "relief_capacity",
        "target_capacity",
        "load",
    }
    with pytest.raises(ValueError):
        lb.capacity_needed(council)


def test_waiting_list_arithmetic() -> None:
    np = pytest.importorskip("numpy")
    assert wl.target_queue_size(10, 4) == 10.0
    assert wl.target_queue_size(10, 4, 2) == 20.0
    assert wl.target_mean_wait(52) == 13.0
    assert wl.relief_capacity(10, 200, 10, 26) == pytest.approx(10 + 190 / 26)
    assert wl.target_capacity(30, 4) == pytest.approx(31.0)
    assert wl.target_capacity(30, 4, 4, 2, 0) == pytest.approx(32.0)
    assert wl.queue_load(30, 40) == 0.75
    assert wl.pressure(6, 12) == 1.0
    assert wl.target_queue_size([10, 20], [4, 8]) == [10.0, 40.0]
    out = wl.queue_load(np.array([10.0, 20.0]), np.array([20.0, 10.0]))
    assert isinstance(out, np.ndarray) and out.tolist() == [0.5, 2.0]
    with pytest.raises(TypeError):
        wl.queue_load("10", 20)
    with pytest.raises(TypeError):
        wl.pressure(True, 2)
    with pytest.raises(ValueError):
        wl.queue_load([1, 2], [1, 2, 3])


def test_cli_simulate(tmp_path: Path) -> None:
    d = tmp_path / "council"
    run_cli(
        "synth",
        "--children",
        "300",
        "--seed",
        "2",
        "--as-of",
        "2021-10-21",
        "--overdue-share",
        "0.4",
        "--out-dir",
        str(d),
    )
    args = ["--children", str(d / "children.csv"), "--assessments", str(d / "assessments.csv"), "--as-of", "2021-10-21"]
    out, traj = tmp_path / "summary.csv", tmp_path / "weekly.csv"
    r = run_cli(
        "simulate",
        *args,
        "--scenarios",
        str(SCENARIOS),
        "--runs",
        "4",
        "--weeks",
        "6",
        "--out",
        str(out),
        "--trajectory",
        str(traj),
    )
    assert r.returncode == 0, r.stderr
    with open(out) as f:
        rows = list(csv.DictReader(f))
    assert [x["scenario"] for x in rows] == [
        "baseline",
        "extra_clinics",
        "virtual_slots",
        "questionnaires",
        "initiative_and_iha_lane",
    ]
    with open(traj) as f:
        assert len(list(csv.DictReader(f))) == 5 * 6
    bad = tmp_path / "bad.toml"
    bad.write_text("weeks = 0\n[[scenario]]\nname = 'x'\n")
    assert run_cli("simulate", *args, "--scenarios", str(bad)).returncode == 2
    r = run_cli("simulate", *args, "--scenarios", str(SCENARIOS), "--runs", "2", "--weeks", "3")
    assert list(csv.DictReader(io.StringIO(r.stdout)))[0]["runs"] == "2"
    # The options side by side, in words: on standard error when the CSV went to standard output.
    assert "Extra cost against baseline" in r.stderr and "Clear (no child who can be seen" in r.stderr


# --- Options a commissioner can defend (issue 20) ---------------------------------------------


def test_compare_puts_options_side_by_side_in_words(council: lb.Cohort) -> None:
    res = lb.simulate(council, SCENARIOS, as_of="2021-10-21", runs=6, weeks=26, seed=1)
    cmp = res.compare()
    assert cmp.at == cmp.year_end == __import__("datetime").date(2022, 3, 31)
    rows = cmp.rows()
    names = [r["scenario"] for r in res.rows()]
    assert all(list(r)[1:] == names for r in rows)
    measures = [r["measure"] for r in rows]
    assert measures[1] == "Up to date on 31/03/2022 (median)"
    assert "Extra cost against baseline" in measures
    baseline_extra = next(r for r in rows if r["measure"] == "Extra cost against baseline")[names[0]]
    assert baseline_extra == "£0"
    assert "31/03/2022" in cmp.text() and "£" in cmp.text()
    # A date of one's own: the week holding it.
    assert lb.simulate(council, SCENARIOS, as_of="2021-10-21", runs=2, weeks=8).compare(
        at="2021-11-15"
    ).at.isoformat() == ("2021-11-15")


def test_plots_have_a_date_axis_and_the_year_end(council: lb.Cohort) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    res = lb.simulate(council, SCENARIOS, as_of="2021-10-21", runs=4, weeks=26)
    for ax in (res.plot(), res.plot_kpi()):
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any("likely range (10th to 90th percentile)" in x for x in labels)
        assert "Year end 31/03/2022" in labels
        assert ax.get_xlabel() == "Week starting"
    res.compare().plot()


def test_capacity_from_a_scenario_file_in_clinics_and_money(council: lb.Cohort) -> None:
    r = lb.capacity_needed(
        council, clear_by="2022-03-31", scenarios=SCENARIOS, scenario="baseline", as_of="2021-10-21", runs=20
    )
    assert r.face_to_face_per_week is not None and r.not_reachable is None
    assert r.clinics_per_week == -(-r.face_to_face_per_week // 8)
    assert r.commissioned_cost_per_year == pytest.approx(r.face_to_face_per_week * 52 * 67.5)
    shares = [s for _, s in r.tried]
    assert shares == sorted(shares), r.tried
    assert "clinic(s) a week" in r.text()
    with pytest.raises(lb.PolicyError, match="no option named"):
        lb.capacity_needed(council, clear_by="2022-03-31", scenarios=SCENARIOS, scenario="nope", as_of="2021-10-21")
    with pytest.raises(lb.PolicyError, match="give 90"):
        lb.capacity_needed(council, target_up_to_date=0.9, as_of="2021-10-21", runs=2)


def test_cli_capacity(tmp_path: Path) -> None:
    d = tmp_path / "council"
    run_cli("synth", "--children", "300", "--seed", "2", "--as-of", "2021-10-21", "--out-dir", str(d))
    args = ["--children", str(d / "children.csv"), "--assessments", str(d / "assessments.csv"), "--as-of", "2021-10-21"]
    r = run_cli("capacity", *args, "--scenarios", str(SCENARIOS), "--clear-by", "2022-03-31", "--runs", "10")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Goal: no child who can be seen more than 4 week(s) overdue by 31/03/2022")
    assert "face-to-face slots a week" in r.stdout
    r = run_cli("capacity", *args, "--scenarios", str(SCENARIOS), "--target-up-to-date", "0.9")
    assert r.returncode == 2 and "give 90 for 90 per cent" in r.stderr


def test_compare_names_the_files_baseline_and_keeps_to_the_horizon(council: lb.Cohort) -> None:
    options = {
        "baseline": "b",
        "scenario": [
            {"name": "a", "face_to_face_per_week": 5},
            {"name": "b", "face_to_face_per_week": 5},
            {"name": "c", "face_to_face_per_week": 9},
        ],
    }
    res = lb.simulate(council, options, as_of="2021-10-21", runs=2, weeks=8)
    measures = [r["measure"] for r in res.compare().rows()]
    assert "Extra cost against b" in measures
    with pytest.raises(ValueError, match="within the horizon"):
        res.compare(at="2023-01-01")
