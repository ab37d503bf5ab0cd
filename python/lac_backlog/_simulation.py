"""Backlog scenarios from Python: argument polish, batches with progress and Ctrl-C, results
that display, convert and plot. The Rust core (`lac_backlog._native.Simulation`) does the work."""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any, Union, cast

from . import _native, waiting_list
from ._files import decode_text, read_bounded
from ._results import Table

__all__ = ["CapacityResult", "Comparison", "SimulationResult", "scenarios_text"]

ScenariosLike = Union[str, "os.PathLike[str]", Mapping[str, Any], Sequence[Mapping[str, Any]]]


def scenarios_text(scenarios: ScenariosLike) -> tuple[str, str]:
    """(text, format) for the native layer: a TOML file path, or Python objects as JSON (a dict
    in the file's form, or a list of scenario dicts)."""
    text, fmt, _ = read_scenarios(scenarios)
    return text, fmt


def read_scenarios(scenarios: ScenariosLike) -> tuple[str, str, bytes | None]:
    """:func:`scenarios_text` with the bytes of the file read (None when not from a file), so
    the manifest records the file as it was used."""
    if isinstance(scenarios, (str, os.PathLike)):
        path = os.fspath(scenarios)
        if isinstance(scenarios, str) and "\n" in scenarios:
            return scenarios, "toml", None
        data = read_bounded(path, "the scenario file")
        return decode_text(data), "toml", data
    if isinstance(scenarios, Mapping):
        return json.dumps(dict(scenarios), default=_json_default), "json", None
    if isinstance(scenarios, Sequence):
        items = [dict(cast(Mapping[str, Any], s)) for s in scenarios]
        return json.dumps({"scenario": items}, default=_json_default), "json", None
    raise TypeError(f"scenarios must be a TOML path, a dict or a list of dicts, not {type(scenarios).__name__}")


def _json_default(o: Any) -> Any:
    if isinstance(o, _dt.date):
        return o.isoformat()
    raise TypeError(f"cannot use {type(o).__name__} in a scenario")


class SimulationResult(Table):
    """The summary (one row per scenario: weeks to clear p50/p90, overdue at the end, seen,
    clinician hours, up to date at the end, costs) with the weekly ``trajectory``
    (p10/p50/p90). ``plot()`` draws the backlog fan per scenario; ``plot_kpi()`` the
    up-to-date trajectory against the policy's target and floor."""

    __slots__ = ("trajectory", "weeks", "runs", "seed", "baseline")

    def __init__(self, sim: _native.Simulation, as_of: _dt.date, policy: _native.Policy) -> None:
        super().__init__(sim.summary(), "simulation", as_of, policy)
        _, self.weeks, self.runs, self.seed = sim.describe()
        self.baseline = sim.baseline()
        self.trajectory = Table(sim.trajectory(), "simulation_trajectory", as_of, policy)

    def _describe(self) -> str:
        return f"{super()._describe()}, {self.runs} runs x {self.weeks} weeks, seed {self.seed}"

    def compare(self, at: Any = None) -> Comparison:
        """The options side by side, one column each, in plain words: when each is clear (the
        median and the likely range's 90th percentile), up to date on ``at`` (a date; default
        the first 31 March in the horizon, else its last week), the OC2 annual health
        assessment measure on that 31 March, IHAs done in time, children who turned 18 or left
        care while overdue, and the commissioned cost, its one-off part and the extra cost
        against the baseline. ``.text()`` prints it, ``.rows()`` and ``.to_pandas()`` give it,
        ``.plot()`` draws it."""
        summary = list(self.rows())
        traj = list(self.trajectory.rows())
        year_end = summary[0]["year_end"] if summary else None
        last_day = traj[-1]["week_start"] + _dt.timedelta(days=6) if traj else None
        if at is None:
            at = year_end or last_day
        elif isinstance(at, str):
            at = _dt.date.fromisoformat(at)
        if at is not None and self.as_of is not None and last_day is not None and not self.as_of <= at <= last_day:
            raise ValueError(
                f"at must be within the horizon ({self.as_of:%d/%m/%Y} to {last_day:%d/%m/%Y}), not {at:%d/%m/%Y}"
            )
        return Comparison(summary, traj, at, year_end, self.baseline)

    def plot(self, ax: Any = None) -> Any:
        """Children overdue each week, by date: the median line and the likely range (10th to
        90th percentile) per option, with the first 31 March in the horizon marked."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(9, 4.5))
        rows = list(self.trajectory.rows())
        for name in dict.fromkeys(r["scenario"] for r in rows):
            mine = [r for r in rows if r["scenario"] == name]
            dates = [r["week_start"] for r in mine]
            (line,) = ax.plot(dates, [r["overdue_p50"] for r in mine], label=f"{name} (median)")
            ax.fill_between(
                dates,
                [r["overdue_p10"] for r in mine],
                [r["overdue_p90"] for r in mine],
                color=line.get_color(),
                alpha=0.2,
                label=f"{name}: likely range (10th to 90th percentile)",
            )
        _mark_year_end(ax, self)
        _date_axis(ax)
        ax.set_ylabel("Children overdue")
        ax.set_title("Children overdue, by option")
        ax.legend(fontsize="small")
        return ax

    def plot_kpi(self, ax: Any = None) -> Any:
        """Percentage up to date each week, by date, per option (median and likely range, 10th
        to 90th percentile) against the policy's target and floor, the first 31 March marked."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(9, 4.5))
        rows = list(self.trajectory.rows())
        for name in dict.fromkeys(r["scenario"] for r in rows):
            mine = [r for r in rows if r["scenario"] == name and r["up_to_date_p50"] is not None]
            dates = [r["week_start"] for r in mine]
            (line,) = ax.plot(dates, [r["up_to_date_p50"] for r in mine], label=f"{name} (median)")
            ax.fill_between(
                dates,
                [r["up_to_date_p10"] for r in mine],
                [r["up_to_date_p90"] for r in mine],
                color=line.get_color(),
                alpha=0.2,
                label=f"{name}: likely range (10th to 90th percentile)",
            )
        if self.policy is not None:
            target, floor = _targets(self.policy)
            ax.axhline(target, color="#2e7d32", linestyle=":", label=f"Target {target:g}%")
            ax.axhline(floor, color="#c62828", linestyle=":", label=f"Floor {floor:g}%")
        _mark_year_end(ax, self)
        _date_axis(ax)
        ax.set_ylabel("Children up to date (per cent)")
        ax.set_title("Children up to date with their health assessments, by option")
        ax.legend(fontsize="small")
        return ax


def _date_axis(ax: Any) -> None:
    """UK dates on the x axis (dd/mm/yyyy), a label, and no overlapping ticks."""
    import matplotlib.dates as mdates

    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d/%m/%Y"))  # type: ignore[no-untyped-call]
    ax.set_xlabel("Week starting")
    for label in ax.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")


def _mark_year_end(ax: Any, result: SimulationResult) -> None:
    rows = list(result.rows())
    year_end = rows[0]["year_end"] if rows else None
    if year_end is not None:
        ax.axvline(year_end, color="#555555", linestyle="--", linewidth=1, label=f"Year end {year_end:%d/%m/%Y}")


def _money(x: float | None) -> str:
    return "" if x is None else f"£{x:,.0f}"


def _pct(x: float | None) -> str:
    return "" if x is None else f"{x:.1f}%"


def _uk(d: _dt.date | None) -> str:
    return "" if d is None else f"{d:%d/%m/%Y}"


class Comparison:
    """Options side by side (:meth:`SimulationResult.compare`): one row per measure, in plain
    words, one column per option."""

    __slots__ = ("options", "measures", "at", "year_end")

    def __init__(
        self, summary: list[dict[str, Any]], traj: list[dict[str, Any]], at: Any, year_end: Any, baseline: str
    ) -> None:
        self.at = at
        self.year_end = year_end
        self.options = [r["scenario"] for r in summary]
        by_option: dict[str, list[dict[str, Any]]] = {n: [] for n in self.options}
        for r in traj:
            by_option.setdefault(r["scenario"], []).append(r)

        def at_date(name: str) -> float | None:
            weeks = [r for r in by_option.get(name, []) if at is not None and r["week_start"] <= at]
            return weeks[-1]["up_to_date_p50"] if weeks else None

        def clear(r: dict[str, Any]) -> str:
            if r["clear_date_p50"] is None:
                return "not within the horizon"
            late = _uk(r["clear_date_p90"]) or "not within the horizon"
            return f"{_uk(r['clear_date_p50'])} (likely by {late})"

        rows: list[tuple[str, list[str]]] = [
            ("Clear (no child who can be seen more than the grace overdue)", [clear(r) for r in summary]),
            (f"Up to date on {_uk(at)} (median)", [_pct(at_date(r["scenario"])) for r in summary]),
            (
                f"OC2 annual health assessment on {_uk(year_end)} (median)"
                if year_end
                else "OC2 annual health assessment",
                [
                    _pct(r["oc2_annual_ha_at_year_end_p50"]) if year_end else "no 31 March in the horizon"
                    for r in summary
                ],
            ),
            ("IHAs done in time (median)", [_pct(r["iha_in_timescale_p50"]) for r in summary]),
            (
                "IHA slots",
                ["doctors' own" if r["iha_slots"] == "doctor_iha" else "shared face to face" for r in summary],
            ),
            (
                "Children who turned 18 or left care while overdue (median)",
                [str(r["aged_out_overdue_p50"]) for r in summary],
            ),
            ("Commissioned cost over the horizon", [_money(r["commissioned_cost_p50"]) for r in summary]),
            ("of which one-off", [_money(r["one_off_cost_p50"]) for r in summary]),
            (f"Extra cost against {baseline}", [_money(r["extra_cost_vs_baseline_p50"]) for r in summary]),
        ]
        self.measures = rows

    def rows(self) -> list[dict[str, str]]:
        return [{"measure": m, **dict(zip(self.options, values))} for m, values in self.measures]

    def to_pandas(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.rows()).set_index("measure")

    def text(self) -> str:
        """The comparison as a plain-text table."""
        head = ["", *self.options]
        body = [[m, *values] for m, values in self.measures]
        widths = [max(len(str(row[i])) for row in [head, *body]) for i in range(len(head))]
        lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in [head, *body]]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def plot(self, ax: Any = None) -> Any:
        """Up to date on the date compared and the extra cost, one bar each per option."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        values = [float(v.rstrip("%")) if v else 0.0 for v in self.measures[1][1]]
        bars = ax.bar(self.options, values, color="#1f77b4")
        for bar, cost in zip(bars, self.measures[8][1]):
            ax.annotate(
                f"extra {cost or '£0'}", (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center", va="bottom"
            )
        ax.set_ylabel("Children up to date (per cent)")
        ax.set_title(f"Up to date on {_uk(self.at)}, by option")
        return ax


def _targets(policy: _native.Policy) -> tuple[float, float]:
    target, floor, _ = policy.kpi_rag("up_to_date")
    return target, floor


def run_simulation(sim: _native.Simulation, progress: bool, batch: int) -> None:
    total, done = sim.progress()
    bar = None
    if progress:
        try:
            from tqdm.auto import tqdm

            bar = tqdm(total=total, initial=done, desc="simulating", unit="run")
        except ImportError:  # pragma: no cover - tqdm is optional
            bar = None
    try:
        while True:
            n = sim.step(batch)  # releases the GIL; Ctrl-C is raised between batches
            if n == 0:
                break
            if bar is not None:
                bar.update(n)
    finally:
        if bar is not None:
            bar.close()


class CapacityResult:
    """What capacity reaches a goal: the smallest weekly face-to-face capacity (other slots as
    in the base scenario) meeting it in at least ``probability`` of runs, in slots, clinics and
    commissioned cost a year; every capacity tried with its success share (the same runs at
    every capacity, so shares do not fall as capacity rises); ``not_reachable`` saying why when
    no capacity up to ``bound`` (a slot for every child every week) meets it; and the analytic
    waiting-list numbers for comparison."""

    __slots__ = (
        "face_to_face_per_week",
        "probability",
        "tried",
        "analytic",
        "goal",
        "bound",
        "not_reachable",
        "clinics_per_week",
        "commissioned_cost_per_year",
    )

    def __init__(
        self,
        face_to_face_per_week: int | None,
        probability: float,
        tried: list[tuple[int, float]],
        analytic: dict[str, float],
        goal: str,
        bound: int = 0,
        not_reachable: str | None = None,
        clinics_per_week: int | None = None,
        commissioned_cost_per_year: float | None = None,
    ) -> None:
        self.face_to_face_per_week = face_to_face_per_week
        self.probability = probability
        self.tried = tried
        self.analytic = analytic
        self.goal = goal
        self.bound = bound
        self.not_reachable = not_reachable
        self.clinics_per_week = clinics_per_week
        self.commissioned_cost_per_year = commissioned_cost_per_year

    def text(self) -> str:
        """The answer in plain words, as ``lac-backlog capacity`` prints it."""
        lines = [f"Goal: {self.goal}, in at least {self.probability:.0%} of runs."]
        if self.face_to_face_per_week is None:
            lines.append(f"Answer: {self.not_reachable or 'not reachable'}.")
        else:
            lines.append(
                f"Answer: {self.face_to_face_per_week:,} face-to-face slots a week"
                f" ({self.clinics_per_week:,} clinic(s) a week),"
                f" costing £{self.commissioned_cost_per_year or 0:,.0f} a year if every slot is commissioned."
            )
        lines.append(
            "Capacities tried (slots a week: share of runs meeting the goal): "
            + ", ".join(f"{c:,}: {s:.0%}" for c, s in self.tried)
            + "."
        )
        a = self.analytic
        lines.append(
            f"For comparison (waiting-list arithmetic): demand {a['demand_per_week']:.1f} a week,"
            f" {a['queue_size']:.0f} overdue now, relief capacity {a['relief_capacity']:.1f} a week."
        )
        return "\n".join(lines)

    def __repr__(self) -> str:
        got = (
            self.not_reachable or "not reached"
            if self.face_to_face_per_week is None
            else f"{self.face_to_face_per_week} face-to-face a week ({self.clinics_per_week} clinics)"
        )
        a = ", ".join(f"{k} {v:.1f}" for k, v in self.analytic.items())
        return f"<CapacityResult {self.goal} with probability {self.probability:g}: {got}; analytic: {a}>"


def analytic_numbers(
    status_rows: list[dict[str, Any]],
    review_demand_per_week: float,
    new_entrants_per_week: float,
    target_wait_weeks: float,
    time_to_target_weeks: float,
    capacity: float,
) -> dict[str, float]:
    """NHSRwaitinglist's numbers for the cohort: demand a week (``review_demand_per_week``, the
    reviews falling due a week by the policy's cadence, from the core, plus the new entrants'
    IHAs), the current queue (the children overdue), and the target queue, relief capacity,
    target capacity and load."""
    demand = review_demand_per_week + new_entrants_per_week
    queue = sum(r["status"] == "overdue" for r in status_rows)
    tq = waiting_list.target_queue_size(demand, target_wait_weeks)
    return {
        "demand_per_week": demand,
        "queue_size": float(queue),
        "target_queue_size": tq,
        "relief_capacity": waiting_list.relief_capacity(demand, queue, tq, time_to_target_weeks),
        "target_capacity": waiting_list.target_capacity(demand, target_wait_weeks),
        "load": waiting_list.queue_load(demand, capacity) if capacity > 0 else math.inf,
    }
