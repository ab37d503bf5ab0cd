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

__all__ = ["CapacityResult", "SimulationResult", "scenarios_text"]

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

    __slots__ = ("trajectory", "weeks", "runs", "seed")

    def __init__(self, sim: _native.Simulation, as_of: _dt.date, policy: _native.Policy) -> None:
        super().__init__(sim.summary(), "simulation", as_of, policy)
        _, self.weeks, self.runs, self.seed = sim.describe()
        self.trajectory = Table(sim.trajectory(), "simulation_trajectory", as_of, policy)

    def _describe(self) -> str:
        return f"{super()._describe()}, {self.runs} runs x {self.weeks} weeks, seed {self.seed}"

    def plot(self, ax: Any = None) -> Any:
        """Children overdue each week: the median line and the p10-p90 band, per scenario."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(9, 4.5))
        rows = list(self.trajectory.rows())
        for name in dict.fromkeys(r["scenario"] for r in rows):
            mine = [r for r in rows if r["scenario"] == name]
            weeks = [r["week"] for r in mine]
            (line,) = ax.plot(weeks, [r["overdue_p50"] for r in mine], label=name)
            ax.fill_between(
                weeks,
                [r["overdue_p10"] for r in mine],
                [r["overdue_p90"] for r in mine],
                color=line.get_color(),
                alpha=0.2,
            )
        ax.set_xlabel("week")
        ax.set_ylabel("children overdue")
        ax.set_title("Backlog by option (median, p10-p90)")
        ax.legend(fontsize="small")
        return ax

    def plot_kpi(self, ax: Any = None) -> Any:
        """Up to date (%) each week per scenario (median and p10-p90) against target and floor."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(9, 4.5))
        rows = list(self.trajectory.rows())
        for name in dict.fromkeys(r["scenario"] for r in rows):
            mine = [r for r in rows if r["scenario"] == name and r["up_to_date_p50"] is not None]
            weeks = [r["week"] for r in mine]
            (line,) = ax.plot(weeks, [r["up_to_date_p50"] for r in mine], label=name)
            ax.fill_between(
                weeks,
                [r["up_to_date_p10"] for r in mine],
                [r["up_to_date_p90"] for r in mine],
                color=line.get_color(),
                alpha=0.2,
            )
        if self.policy is not None:
            target, floor = _targets(self.policy)
            ax.axhline(target, color="#2e7d32", linestyle=":", label=f"target {target:g}%")
            ax.axhline(floor, color="#c62828", linestyle=":", label=f"floor {floor:g}%")
        ax.set_xlabel("week")
        ax.set_ylabel("up to date (%)")
        ax.set_title("KPI trajectory by option")
        ax.legend(fontsize="small")
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
