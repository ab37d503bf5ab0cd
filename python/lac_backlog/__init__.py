"""lac-backlog: statutory health assessments for looked-after children in England.

Read and validate a cohort, work out every child's statutory schedule, and report it::

    import lac_backlog as lb
    cohort = lb.Cohort.from_csv("children.csv", "assessments.csv")
    st = lb.status(cohort, as_of="2021-10-21")
    st.to_pandas()

Python polishes arguments and builds DataFrames; the Rust core (``lac_backlog._native``) does the
work.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Union, cast

from . import _audit, _native, waiting_list
from ._actions import Actions
from ._councils import Councils
from ._exceptions import DataError, LacBacklogError, LacBacklogWarning, OverrideWarning, PolicyError, Problem
from ._native import Policy
from ._privacy import PseudonymKey, PseudonymKeyError
from ._report import Report
from ._results import Explanation, Kpis, Table, Worklist, pseudonymise
from ._simulation import CapacityResult, SimulationResult

__version__: str = _native.__version__

__all__ = [
    "LacBacklogWarning",
    "OverrideWarning",
    "CapacityResult",
    "Cohort",
    "DataError",
    "SimulationResult",
    "capacity_needed",
    "simulate",
    "stale_data",
    "waiting_list",
    "Explanation",
    "Kpis",
    "kpis",
    "LacBacklogError",
    "Policy",
    "PolicyError",
    "Problem",
    "PseudonymKey",
    "PseudonymKeyError",
    "Table",
    "Validation",
    "__version__",
    "example_paths",
    "oc2",
    "pseudonymise",
    "status",
    "synthetic_cohort",
    "triage",
    "validate",
    "Worklist",
    "equality",
    "actions",
    "Actions",
    "Events",
    "stages",
    "synthetic_events",
    "report",
    "Report",
    "Councils",
]

DateLike = Union[_dt.date, str]
PathLike = Union[str, "os.PathLike[str]"]


def _as_date(value: DateLike | None, name: str, default_today: bool = True) -> _dt.date:
    """A ``datetime.date`` from a date, a datetime (its date) or an ISO ``YYYY-MM-DD`` string."""
    if value is None and default_today:
        return _dt.date.today()
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{name} must be a date in YYYY-MM-DD form, not {value!r}") from None
    raise TypeError(f"{name} must be a datetime.date or a YYYY-MM-DD string, not {type(value).__name__}")


def _arrow(frame: Any, name: str) -> Any:
    """An object the native layer can read through the Arrow PyCapsule interface."""
    if hasattr(frame, "__arrow_c_stream__"):
        return frame
    if hasattr(frame, "to_arrow"):  # older polars
        return frame.to_arrow()
    if hasattr(frame, "columns") and hasattr(frame, "dtypes"):  # older pandas
        import pyarrow as pa

        return pa.Table.from_pandas(frame, preserve_index=False)
    raise TypeError(f"{name} must be a DataFrame (pandas, polars or pyarrow), not {type(frame).__name__}")


#: Bounds on the numbers of a simulation (the same as the Rust core's, docs/simulation.md).
MAX_WEEKS = 520
MAX_RUNS = 100_000
MAX_SEED = 2**64 - 1


def _whole(name: str, value: object, lo: int, hi: int) -> int:
    """``value`` as a whole number from ``lo`` to ``hi``, or a ValueError saying so (never an
    OverflowError from the native layer)."""
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"{name} must be a whole number from {lo:,} to {hi:,}, not {value!r}")
    return value


def _policy(policy: Policy | None) -> Policy:
    if policy is None:
        return Policy.default()
    if not isinstance(policy, Policy):
        raise TypeError(f"policy must be a lac_backlog.Policy, not {type(policy).__name__}")
    return policy


class Cohort:
    """A validated cohort: children and their assessments, checked once on the way in.

    Build one with :meth:`Cohort.from_csv`. Bad data raises :class:`DataError` listing every
    problem; warnings (unknown columns, assessments dated after today) are in :attr:`warnings`.
    """

    __slots__ = ("_inner", "derived_at", "_source")

    def __init__(self, inner: _native.Cohort, derived_at: _dt.date | None = None) -> None:
        if not isinstance(inner, _native.Cohort):
            raise TypeError("use Cohort.from_csv(...) or Cohort.from_ssda903(...) to build a cohort")
        self._inner = inner
        # The files (or generator) behind the cohort, for manifests; None = in memory (DataFrames).
        self._source: list[_audit.Source] | None = None
        #: For a cohort derived from a 903 return: the date its care periods, legal status,
        #: missing and 12-month counts were derived at. ``None`` for a cohort read from tables.
        self.derived_at = derived_at

    @classmethod
    def from_csv(
        cls,
        children: PathLike,
        assessments: PathLike,
        *,
        today: DateLike | None = None,
        skip_bad_rows: bool = False,
        policy: Policy | None = None,
    ) -> Cohort:
        """Read the children and assessments CSV files (docs/interface.md section 2).

        ``today`` is the day the program runs (default: today): an assessment dated after it is
        reported as a warning. ``policy`` sets which records answer the IHA, for the warnings on
        those that do not (default: the statutory policy). Any error raises DataError listing every problem, unless
        ``skip_bad_rows``: then rows with errors are left out and listed in :attr:`skipped`,
        and :meth:`row_counts` reconciles (a problem with a whole table still raises).

        >>> c = Cohort.from_csv(*example_paths())
        >>> len(c) > 0
        True
        """
        today_ = _as_date(today, "today")
        cohort = cls(
            _native.Cohort.from_csv(os.fspath(children), os.fspath(assessments), today_, skip_bad_rows, policy)
        )
        cohort._source = _audit.read_sources(cohort._inner.inputs)
        return cohort

    @classmethod
    def from_frames(
        cls,
        children: Any,
        assessments: Any,
        *,
        today: DateLike | None = None,
        skip_bad_rows: bool = False,
        policy: Policy | None = None,
    ) -> Cohort:
        """Read the two tables from DataFrames: pandas, polars or pyarrow (any object with
        ``__arrow_c_stream__``), with the same columns, rules and checks as the CSV files.
        Dates may be date, datetime or text columns; booleans bool, 0/1 or text. A problem
        names the frame (``children`` or ``assessments``) and gives row i (from 0) as line
        i + 2, the line it would have in a CSV file. ``skip_bad_rows`` as in :meth:`from_csv`.

        >>> import pyarrow as pa
        >>> kids = pa.table({"child_id": ["007"], "date_of_birth": ["2012-05-01"], "care_start": ["2021-12-20"]})
        >>> seen = pa.table({"child_id": ["007"], "assessment_type": ["IHA"], "completed_on": ["2022-01-12"]})
        >>> len(Cohort.from_frames(kids, seen))
        1
        """
        return cls(
            _native.Cohort.from_arrow(
                _arrow(children, "children"),
                _arrow(assessments, "assessments"),
                _as_date(today, "today"),
                skip_bad_rows,
                policy,
            )
        )

    @classmethod
    def from_ssda903(
        cls,
        dir: PathLike,
        assessments: PathLike | None = None,
        *,
        as_of: DateLike | None = None,
        today: DateLike | None = None,
        skip_bad_rows: bool = False,
        policy: Policy | None = None,
    ) -> Cohort:
        """Derive the cohort from a DfE SSDA903 return folder (CSV tables, or the XML form) and
        join an assessments CSV (the 903 holds no assessment dates). docs/ssda903.md maps each
        field. ``as_of`` is the date to derive at (the current period of care, legal status,
        missing now, moves and missing episodes in the 12 months before); default: the
        collection year end the return covers (31 March). Bad data raises DataError, unless
        ``skip_bad_rows`` (as in :meth:`from_csv`).
        """
        inner, at = _native.cohort_from_ssda903(
            os.fspath(dir),
            None if assessments is None else os.fspath(assessments),
            None if as_of is None else _as_date(as_of, "as_of"),
            _as_date(today, "today"),
            skip_bad_rows,
            policy,
        )
        cohort = cls(inner, at)
        cohort._source = _audit.read_sources(inner.inputs)
        return cohort

    def __len__(self) -> int:
        return len(self._inner)

    @property
    def n_assessments(self) -> int:
        """Number of assessment rows (completed and declined)."""
        return self._inner.n_assessments

    @property
    def child_ids(self) -> list[str]:
        """The child ids, sorted."""
        return self._inner.child_ids()

    @property
    def warnings(self) -> list[Problem]:
        """Warnings found while reading."""
        return [Problem(*w) for w in self._inner.warnings]

    @property
    def skipped(self) -> list[Problem]:
        """With ``skip_bad_rows``: the errors of every row left out (empty otherwise)."""
        return [Problem(*e) for e in self._inner.skipped]

    def row_counts(self) -> Table:
        """Rows read, accepted and rejected per input file."""
        return Table(self._inner.row_counts(), "row_counts")

    def to_csv(self, children: PathLike, assessments: PathLike) -> None:
        """Write the cohort as the two input tables (docs/interface.md section 2), each file whole or
        not at all. Reading them back gives the same cohort."""
        self._inner.write_csv(os.fspath(children), os.fspath(assessments))

    def __repr__(self) -> str:
        return repr(self._inner)


def kpis(
    cohort: Cohort,
    *,
    as_of: DateLike | None = None,
    months: int | None = None,
    by: str | None = None,
    suppress: bool = False,
    forecast: int = 0,
    policy: Policy | None = None,
) -> Kpis:
    """The indicators at ``as_of`` (default today), or at each of the last ``months`` month
    ends: ``up_to_date``, ``oc2_annual_ha``, ``all_in_timescale`` (Kent's) and
    ``iha_in_timescale``, each with exclusions ``none``, ``uasc`` and ``missing``, numerator,
    denominator, value, target, floor and RAG (docs/kpi.md). ``by="age_band"``,
    ``"locality"`` or ``"provider"`` adds a ``group`` column. ``suppress=True`` makes the output safe to share
    (no count from 1 to 5 can be read or worked out). ``forecast=N`` adds ``.forecast``: the
    ``up_to_date`` value at each of the next N month ends if nobody else is seen. The
    direction of travel is in ``.trend``; ``.plot()`` draws the series against target and floor.

    >>> k = kpis(Cohort.from_csv(*example_paths()), as_of="2021-10-21")
    >>> k.columns[:3]
    ['indicator', 'period_end', 'exclusion']
    """
    if months is not None and (isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 120):
        raise ValueError(f"months must be a whole number from 1 to 120, not {months!r}")
    if isinstance(forecast, bool) or not isinstance(forecast, int) or not 0 <= forecast <= 60:
        raise ValueError(f"forecast must be a whole number of months from 0 to 60, not {forecast!r}")
    if by not in (None, "age_band", "locality", "provider"):
        raise ValueError(f"by must be 'age_band', 'locality' or 'provider', not {by!r}")
    as_of_ = _as_date(as_of, "as_of")
    pol = _policy(policy)
    k, t, f, notes = _native.kpis(cohort._inner, as_of_, months, by, bool(suppress), pol, forecast)
    for note in notes:
        warnings.warn(note, LacBacklogWarning, stacklevel=2)
    result = Kpis(k, t, f, as_of_, pol)
    _audit.attach(
        result,
        "kpis",
        {"as_of": as_of_, "months": months, "by": by, "suppress": bool(suppress), "forecast": forecast},
        cohort=cohort,
        parts=(result.trend, result.forecast),
    )
    return result


def simulate(
    cohort: Cohort,
    scenarios: Any,
    *,
    as_of: DateLike | None = None,
    weeks: int | None = None,
    runs: int | None = None,
    seed: int | None = None,
    policy: Policy | None = None,
    progress: bool = False,
    batch: int = 32,
) -> SimulationResult:
    """Simulate backlog options week by week (docs/interface.md section 6; docs/simulation.md).

    ``scenarios``: a TOML file path, or a dict in the file's form (``{"weeks": 52, "runs": 200,
    "seed": 7, "scenario": [{...}, ...]}``), or a list of scenario dicts (``name``,
    ``face_to_face_per_week``, ``virtual_per_week``, ``questionnaire_per_week``,
    ``new_entrants_per_week``, ``did_not_attend_rate``, optional ``changes``, ``costs``,
    ``allow_questionnaire``, ``allow_virtual``). ``weeks``, ``runs`` and ``seed`` override the
    file's. The same seed gives the same result on any machine. The work runs in Rust without
    the GIL, in batches of ``batch`` runs: Ctrl-C stops between batches, and ``progress=True``
    shows a bar (tqdm).

    >>> c = synthetic_cohort(children=200, seed=1, as_of="2021-10-21", overdue_share=0.4)
    >>> res = simulate(c, [{"name": "baseline", "face_to_face_per_week": 5}], as_of="2021-10-21", runs=5, weeks=10)
    >>> res.columns[:3]
    ['scenario', 'runs', 'weeks_to_clear_p50']
    """
    from ._simulation import read_scenarios, run_simulation

    if not isinstance(cohort, Cohort):
        raise TypeError(f"cohort must be a lac_backlog.Cohort, not {type(cohort).__name__}")
    text, fmt, data = read_scenarios(scenarios)
    as_of_ = _as_date(as_of, "as_of")
    pol = _policy(policy)
    for name, v, lo, hi in (("weeks", weeks, 1, MAX_WEEKS), ("runs", runs, 1, MAX_RUNS), ("seed", seed, 0, MAX_SEED)):
        if v is not None:
            _whole(name, v, lo, hi)
    sim = _native.Simulation(cohort._inner, text, fmt, as_of_, pol, weeks, runs, seed)
    run_simulation(sim, progress, max(1, int(batch)))
    result = SimulationResult(sim, as_of_, pol)
    _audit.attach(
        result,
        "simulate",
        {"as_of": as_of_, "weeks": result.weeks, "runs": result.runs, "seed": result.seed},
        cohort=cohort,
        sources=[_audit.scenarios_source(scenarios, text, data)],
        parts=(result.trajectory,),
    )
    return result


def capacity_needed(
    cohort: Cohort,
    *,
    clear_by: DateLike | None = None,
    target_up_to_date: float | None = None,
    scenario: Mapping[str, Any] | str | None = None,
    scenarios: str | os.PathLike[str] | None = None,
    probability: float = 0.9,
    as_of: DateLike | None = None,
    weeks: int = 52,
    runs: int = 100,
    seed: int = 7,
    target_wait_weeks: float = 4.0,
    policy: Policy | None = None,
) -> CapacityResult:
    """The smallest weekly face-to-face capacity that clears the backlog by ``clear_by`` (no
    child overdue who could be seen), or reaches ``target_up_to_date`` percent up to date at the
    end of ``weeks``, in at least ``probability`` of ``runs`` simulations (bisection). Other
    slots, entrants, did-not-attends and costs come from ``scenario`` (a scenario dict; default
    the baseline of docs/simulation.md). ``.analytic`` has NHSRwaitinglist's numbers for
    comparison (demand a week, queue, target queue, relief and target capacity, load), with a
    target wait of ``target_wait_weeks`` and the time to ``clear_by`` (or ``weeks``). With
    ``scenarios`` (a scenario file), ``scenario`` names the option to start from (default the
    first) and the file's costs apply. ``target_up_to_date`` is a percentage (90, not 0.9).
    Cleared means no child who can be seen more than the policy's ``clear_grace_weeks``
    overdue; the answer is also given in clinics and commissioned cost a year, and
    ``not_reachable`` says why when no capacity meets the goal."""
    from ._simulation import CapacityResult, analytic_numbers, scenarios_text

    if (clear_by is None) == (target_up_to_date is None):
        raise ValueError("give exactly one of clear_by and target_up_to_date")
    if not 0 < probability <= 1:
        raise ValueError(f"probability must be above 0 and at most 1, not {probability!r}")
    _whole("weeks", weeks, 1, MAX_WEEKS)
    _whole("runs", runs, 1, MAX_RUNS)
    _whole("seed", seed, 0, MAX_SEED)
    if not (isinstance(target_wait_weeks, (int, float)) and 0 < target_wait_weeks <= MAX_WEEKS):
        raise ValueError(f"target_wait_weeks must be above 0 and at most {MAX_WEEKS}, not {target_wait_weeks!r}")
    as_of_ = _as_date(as_of, "as_of")
    pol = _policy(policy)
    name: str | None = None
    if scenarios is not None:
        if scenario is not None and not isinstance(scenario, str):
            raise TypeError("with scenarios (a file), scenario is the name of one of its options")
        text, fmt = scenarios_text(scenarios)
        name = scenario
        base: dict[str, Any] = json.loads(_native.scenario_option(text, fmt, name))
    else:
        if isinstance(scenario, str):
            raise TypeError("scenario is a dict of settings; to name an option, give the file as scenarios")
        base = dict(scenario or {"name": "base"})
        base.setdefault("name", "base")
        text, fmt = scenarios_text([base])
    goal_date = None if clear_by is None else _as_date(clear_by, "clear_by", default_today=False)
    found, tried, bound, not_reachable, clinics, cost_per_year = _native.capacity_needed(
        cohort._inner,
        text,
        fmt,
        as_of_,
        pol,
        goal_date,
        None if target_up_to_date is None else float(target_up_to_date),
        int(weeks),
        int(runs),
        int(seed),
        float(probability),
        name,
    )
    horizon = weeks if goal_date is None else max(1, (goal_date - as_of_).days // 7)
    rows = list(status(cohort, as_of=as_of_, policy=pol).rows())
    analytic = analytic_numbers(
        rows,
        _native.review_demand_per_week(cohort._inner, as_of_, pol),
        float(base.get("new_entrants_per_week", 3.0)),
        target_wait_weeks,
        horizon,
        float(found if found is not None else base.get("face_to_face_per_week", 20)),
    )
    goal = (
        f"no child who can be seen more than {pol.simulation_clear_grace_weeks} week(s) overdue by {goal_date:%d/%m/%Y}"
        if goal_date
        else f"{target_up_to_date}% up to date after {weeks} weeks"
    )
    return CapacityResult(found, probability, tried, analytic, goal, bound, not_reachable, clinics, cost_per_year)


MAX_SYNTHETIC_CHILDREN = 10_000_000


def synthetic_cohort(
    children: int = 1500,
    seed: int = 1,
    as_of: DateLike | None = None,
    *,
    overdue_share: float | None = None,
    localities: Sequence[str] | None = None,
) -> Cohort:
    """A synthetic council of ``children`` looked-after children (1 to 10 million) with
    England's shape (age mix, UASC, SDQ bands, about 89% assessed in the year, IHA timeliness
    near the real 52%), reproducible for the same ``seed``. ``overdue_share`` (e.g. 0.4) makes a
    council in trouble: that share of the children needing an assessment are overdue at
    ``as_of``. docs/synthetic.md gives every distribution and its source.

    >>> c = synthetic_cohort(children=200, seed=1, as_of="2021-10-21")
    >>> len(c)
    200
    """
    if isinstance(children, bool) or not isinstance(children, int):
        raise TypeError(f"children must be a whole number, not {type(children).__name__}")
    if not 1 <= children <= MAX_SYNTHETIC_CHILDREN:
        raise ValueError(f"children must be 1 to {MAX_SYNTHETIC_CHILDREN:,}, not {children:,}")
    _whole("seed", seed, 0, MAX_SEED)
    if overdue_share is not None and not 0.0 <= float(overdue_share) < 1.0:
        raise ValueError(f"overdue_share must be from 0 to below 1, not {overdue_share!r}")
    inner = _native.synthetic_cohort(
        children,
        seed,
        _as_date(as_of, "as_of"),
        None if overdue_share is None else float(overdue_share),
        None if localities is None else [str(x) for x in localities],
    )
    cohort = Cohort(inner)
    cohort._source = _audit.synthetic_sources(
        children=children, seed=seed, as_of=_as_date(as_of, "as_of"), overdue_share=overdue_share, localities=localities
    )
    return cohort


def status(cohort: Cohort, *, as_of: DateLike | None = None, policy: Policy | None = None) -> Table:
    """The statutory status of every child at ``as_of`` (default today), one row each.

    Columns: child_id, status (overdue, due_soon, up_to_date, not_required), next_assessment
    (IHA, RHA or none), due_date, days_overdue, age_band, reason, last_assessment,
    declined_offers. Rows come most urgent first.

    >>> st = status(Cohort.from_csv(*example_paths()), as_of="2021-10-21")
    >>> st.columns[:4]
    ['child_id', 'status', 'next_assessment', 'due_date']
    """
    if not isinstance(cohort, Cohort):
        raise TypeError(f"cohort must be a lac_backlog.Cohort, not {type(cohort).__name__}")
    as_of_ = _as_date(as_of, "as_of")
    pol = _policy(policy)
    result = Table(_native.status(cohort._inner, as_of_, pol), "status", as_of_, pol)
    _audit.attach(result, "status", {"as_of": as_of_}, cohort=cohort)
    return result


def equality(cohort: Cohort, *, as_of: DateLike | None = None, policy: Policy | None = None) -> Table:
    """The equality impact at ``as_of`` (default today): for each characteristic (sex,
    ethnicity group, age band, disability, UASC) and group, the children in scope, the share
    overdue, the median days overdue, the share in the two most urgent tiers and the share of
    those listed recommended face to face; groups under the policy's
    ``equality.min_group_size`` (10) are blank (``suppressed`` yes); ``note`` names, with the
    numbers, a group whose share differs from the rest by more than ``equality.difference_pp``
    percentage points (docs/equality.md). Sex and ethnicity come from the optional children
    columns ``sex`` and ``ethnicity`` (903 codes), or a 903 return's SEX and ETHNIC.

    >>> t = equality(Cohort.from_csv(*example_paths()), as_of="2021-10-21")
    >>> t.columns[:4]
    ['characteristic', 'group', 'children', 'overdue_pct']
    """
    as_of_ = _as_date(as_of, "as_of")
    pol = _policy(policy)
    result = Table(_native.equality(cohort._inner, as_of_, pol), "equality", as_of_, pol)
    _audit.attach(result, "equality", {"as_of": as_of_}, cohort=cohort)
    return result


class Events:
    """The pathway's events (docs/pathway.md: ``child_id, event, date``, optional
    ``assessment_type, agency, note``), read and checked once against one cohort: every row
    names a child of the cohort, a known event, and a date from 3 months before the child's
    care_start up to ``as_of`` (a ``booked`` may be later). Errors raise DataError naming file,
    line, column and value; warnings are issued as LacBacklogWarning.

    >>> cohort = Cohort.from_csv(*example_paths())
    >>> import pyarrow as pa
    >>> ev = Events.from_frame(pa.table({"child_id": ["0002"], "event": ["notified"], "date": ["2021-09-06"]}), cohort, as_of="2021-10-21")
    >>> len(ev)
    1
    """

    __slots__ = ("_inner", "_cohort", "as_of", "_source")

    def __init__(self, inner: _native.Events, cohort: Cohort, as_of: _dt.date, source: _audit.Source) -> None:
        self._inner = inner
        self._cohort = cohort
        self.as_of = as_of
        self._source = source

    @classmethod
    def from_csv(cls, path: PathLike, cohort: Cohort, *, as_of: DateLike | None = None) -> Events:
        """Read an events CSV (UTF-8 or Windows-1252, as the other inputs)."""
        from ._files import read_bounded

        as_of_ = _as_date(as_of, "as_of")
        data = read_bounded(path, "the events file", 1 << 30)
        inner, notes = _native.Events.from_csv(cohort._inner, os.fspath(path), data, as_of_)
        for p in notes:
            warnings.warn(str(Problem(*p)), LacBacklogWarning, stacklevel=2)
        return cls(inner, cohort, as_of_, _audit.bytes_read_source("events", path, data))

    @classmethod
    def from_frame(cls, frame: Any, cohort: Cohort, *, as_of: DateLike | None = None) -> Events:
        """Read events from a DataFrame (pandas, polars or pyarrow); row i is line i + 2."""
        as_of_ = _as_date(as_of, "as_of")
        inner, notes = _native.Events.from_arrow(cohort._inner, _arrow(frame, "events"), as_of_)
        for p in notes:
            warnings.warn(str(Problem(*p)), LacBacklogWarning, stacklevel=2)
        source = _audit.BytesSource("events", bytes(inner.canonical_csv()), "canonical events CSV")
        return cls(inner, cohort, as_of_, source)

    def __len__(self) -> int:
        return len(self._inner)

    def __repr__(self) -> str:
        return f"Events({len(self)} events, checked at {self.as_of.isoformat()})"

    def table(self) -> Table:
        """The events as a table (``child_id, event, date``), sorted by child and date: write it
        with ``.to_csv(path)``."""
        t = Table(self._inner.table(), "events", self.as_of, None)
        _audit.attach(t, "events", {"as_of": self.as_of}, cohort=self._cohort, sources=[self._source])
        return t


def synthetic_events(cohort: Cohort, *, as_of: DateLike | None = None, seed: int = 1) -> Events:
    """A synthetic council's pathway events over the year to ``as_of`` (docs/synthetic.md):
    notifications, requests, bookings (some children not brought), reports back, declined
    offers, bookings ahead and leaving-care summaries, most on time, some late, a few missing.
    Reproducible for the same cohort and ``seed``.

    >>> c = synthetic_cohort(children=200, seed=1, as_of="2021-10-21")
    >>> len(synthetic_events(c, as_of="2021-10-21")) > 200
    True
    """
    _whole("seed", seed, 0, MAX_SEED)
    as_of_ = _as_date(as_of, "as_of")
    inner = _native.Events.synthetic(cohort._inner, as_of_, seed)
    source = _audit.SyntheticSource({"as_of": as_of_, "seed": seed}, "events", "lac_backlog.synthetic_events")
    return Events(inner, cohort, as_of_, source)


def _events(events: Events | PathLike | Any, cohort: Cohort, as_of: _dt.date) -> Events:
    """Events as given, or read from a CSV path or a DataFrame against ``cohort``."""
    if isinstance(events, Events):
        # The native call refuses events read against another cohort (ValueError).
        return events
    if isinstance(events, (str, os.PathLike)):
        return Events.from_csv(events, cohort, as_of=as_of)
    return Events.from_frame(events, cohort, as_of=as_of)


def actions(
    cohort: Cohort,
    events: Events | PathLike | Any,
    *,
    as_of: DateLike | None = None,
    weeks: int = 8,
    policy: Policy | None = None,
) -> Actions:
    """Who must act, from the pathway's ``events`` (:class:`Events`, a CSV path or a DataFrame:
    ``child_id, event, date``; docs/pathway.md): every action due in the next ``weeks`` weeks
    or late at ``as_of``, one row each (``child_id, action, owner, provider, due_on,
    days_late, step, reason``), most urgent first, with an escalation for each action long
    late, and the follow-ups (leaving-care health summary, SDQ, CAMHS referral, dental check,
    immunisations). Events are checked like any input: errors raise DataError; warnings are
    issued as LacBacklogWarning."""
    as_of_ = _as_date(as_of, "as_of")
    _whole("weeks", weeks, 0, MAX_WEEKS)
    pol = _policy(policy)
    ev = _events(events, cohort, as_of_)
    native = _native.actions(cohort._inner, ev._inner, as_of_, 7 * int(weeks), pol)
    # The checks not made are on the result (.not_checked, .summary()) and printed by the
    # command line; not warnings, as a council without dental data would see them every run.
    result = Actions(native, as_of_, pol, weeks)
    _audit.attach(result, "actions", {"as_of": as_of_, "weeks": weeks}, cohort=cohort, sources=[ev._source])
    return result


def stages(
    cohort: Cohort,
    events: Events | PathLike | Any,
    *,
    as_of: DateLike | None = None,
    by: str | None = None,
    suppress: bool = False,
    policy: Policy | None = None,
) -> Table:
    """Where the time goes (docs/pathway.md): for each step of the pathway (notification, IHA
    request, review request, assessment, report) whose deadline fell in the 12 months to
    ``as_of``, how many were done in time (``notified_in_time``, ``requested_in_time``,
    ``assessed_in_time``, ``report_returned_in_time``) and the median days each took, by the
    agency that owns it; ``by="provider"`` adds rows per provider. ``suppress`` as in
    :func:`kpis`."""
    if by not in (None, "provider"):
        raise ValueError(f"by must be 'provider' or None, not {by!r}")
    as_of_ = _as_date(as_of, "as_of")
    pol = _policy(policy)
    ev = _events(events, cohort, as_of_)
    t = _native.stages(cohort._inner, ev._inner, as_of_, by == "provider", bool(suppress), pol)
    result = Table(t, "stages", as_of_, pol)
    _audit.attach(
        result, "stages", {"as_of": as_of_, "by": by, "suppress": bool(suppress)}, cohort=cohort, sources=[ev._source]
    )
    return result


def report(
    cohort: Cohort,
    *,
    as_of: DateLike | None = None,
    policy: Policy | None = None,
    scenarios: Any = None,
    title: str = "Health assessments for children in care",
    suppress: bool = True,
    runs: int = 200,
    councils: Councils | None = None,
) -> Report:
    """The board report (docs/report.md): one self-contained HTML page (no network request, no
    script, charts as inline SVG) with the headline indicators and their RAG, 12-month trend
    charts, status by age band, the options side by side when ``scenarios`` is given, the
    equality impact, data quality and completeness, and definitions. Suppression is on by
    default (``suppress=False`` for the care team only). ``.html()`` gives the page and
    ``.write(path)`` writes it whole or not at all. With ``councils`` (:class:`Councils`) the
    report is the ICB's, over all their children (``cohort`` may then be None), with a section
    by council.

    >>> r = report(Cohort.from_csv(*example_paths()), as_of="2021-10-21")
    >>> r.html().startswith("<!DOCTYPE html>"), sorted(r.headline)[0]
    (True, 'all_in_timescale')
    """
    from ._report import build_report

    as_of_ = _as_date(as_of, "as_of")
    _whole("runs", runs, 1, MAX_RUNS)
    return build_report(
        cohort,
        as_of_,
        _policy(policy),
        title=str(title),
        scenarios=scenarios,
        suppress=bool(suppress),
        runs=runs,
        councils=councils,
    )


def stale_data(
    cohort: Cohort, *, as_of: DateLike | None = None, policy: Policy | None = None, hide_date: bool = False
) -> str | None:
    """A warning when the extract looks stale at ``as_of`` (default today): the newest
    care_start and completed assessment are both more than the policy's
    ``data.stale_after_days`` before it, so children who came into care since may be missing
    (docs/clinical-safety.md, hazard H4). ``None`` when the data look fresh. The command line
    prints it as a warning for status, triage, kpi and simulate. ``hide_date`` masks the newest
    date, which is one child's (``--hide-values``).

    >>> stale_data(Cohort.from_csv(*example_paths()), as_of="2021-10-21") is None
    True
    """
    if not isinstance(cohort, Cohort):
        raise TypeError(f"cohort must be a lac_backlog.Cohort, not {type(cohort).__name__}")
    return _native.stale_data(cohort._inner, _as_date(as_of, "as_of"), _policy(policy), hide_date)


OverridesLike = Union[PathLike, Sequence[Mapping[str, Any]], Any]

_OVERRIDE_COLUMNS = ("child_id", "tier", "modality", "reason", "decided_by", "decided_on")


def _overrides(overrides: OverridesLike, cohort: Cohort, policy: Policy) -> _native.Overrides:
    """Overrides from a CSV path, a DataFrame (pandas, polars, pyarrow) or a list of dicts;
    checked by the Rust core like any other input."""
    if isinstance(overrides, (str, os.PathLike)):
        return _native.Overrides.from_csv(os.fspath(overrides), cohort._inner, policy)
    if hasattr(overrides, "to_pylist"):  # pyarrow.Table
        records = overrides.to_pylist()
    elif hasattr(overrides, "to_dicts"):  # polars.DataFrame
        records = overrides.to_dicts()
    elif hasattr(overrides, "to_dict") and hasattr(overrides, "columns"):  # pandas.DataFrame
        records = overrides.to_dict(orient="records")
    elif isinstance(overrides, Sequence):
        records = [dict(cast(Mapping[str, Any], r)) for r in overrides]
    else:
        raise TypeError("overrides must be a CSV path, a DataFrame or a list of dicts, not " + type(overrides).__name__)
    columns = [c for c in _OVERRIDE_COLUMNS if any(c in r for r in records)] or ["child_id"]
    columns += sorted({k for r in records for k in r} - set(columns))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in records:
        w.writerow(["" if _blank(r.get(c)) else _csv_value(r.get(c)) for c in columns])
    return _native.Overrides.from_bytes("overrides", buf.getvalue().encode("utf-8"), cohort._inner, policy)


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def _csv_value(v: Any) -> str:
    if isinstance(v, _dt.datetime):
        return v.date().isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    return str(v)


def triage(
    cohort: Cohort,
    *,
    as_of: DateLike | None = None,
    policy: Policy | None = None,
    overrides: OverridesLike | None = None,
) -> Worklist:
    """The triage worklist at ``as_of`` (default today): every child who is overdue or due soon,
    best first, with tier (P1..P4), priority score, recommended modality and the reasons.

    ``overrides`` (a CSV path, a DataFrame or a list of dicts with child_id, tier and/or
    modality, reason, decided_by, optionally decided_on) are applied after the rules and shown
    in ``reasons``; an override for an unknown child or without a reason raises DataError.

    >>> wl = triage(Cohort.from_csv(*example_paths()), as_of="2021-10-21")
    >>> wl.columns[:5]
    ['rank', 'child_id', 'tier', 'priority_score', 'next_assessment']
    """
    if not isinstance(cohort, Cohort):
        raise TypeError(f"cohort must be a lac_backlog.Cohort, not {type(cohort).__name__}")
    as_of_ = _as_date(as_of, "as_of")
    pol = _policy(policy)
    ovr = None if overrides is None else _overrides(overrides, cohort, pol)
    result = Worklist(_native.triage(cohort._inner, as_of_, pol, ovr), as_of_, pol)
    if overrides is not None:
        for message in result.override_warnings():
            warnings.warn(message, OverrideWarning, stacklevel=2)
    _audit.attach(
        result,
        "triage",
        {"as_of": as_of_},
        cohort=cohort,
        sources=[] if ovr is None else _audit.overrides_sources(overrides, ovr.source_record),
    )
    return result


class Validation:
    """What checking the input found: every problem, and rows read / accepted / rejected."""

    __slots__ = ("problems", "row_counts")

    def __init__(self, problems: Table, row_counts: Table) -> None:
        self.problems = problems
        self.row_counts = row_counts

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return "error" not in self.problems.column("severity")

    @property
    def n_errors(self) -> int:
        return self.problems.column("severity").count("error")

    @property
    def n_warnings(self) -> int:
        return self.problems.column("severity").count("warning")

    @property
    def manifest(self) -> dict[str, Any]:
        """The manifest of the problems table (docs/audit.md)."""
        return self.problems.manifest

    def __repr__(self) -> str:
        return f"<Validation: {self.n_errors} errors, {self.n_warnings} warnings>"


def validate(
    children: PathLike | None = None,
    assessments: PathLike | None = None,
    *,
    ssda903: PathLike | None = None,
    year_end: DateLike | None = None,
    today: DateLike | None = None,
    policy: Policy | None = None,
) -> Validation:
    """Check the input and report every problem without stopping at the first: the children and
    assessments CSV files, or a 903 folder (``ssda903=``) with an optional assessments CSV."""
    today_ = _as_date(today, "today")
    if ssda903 is not None:
        if children is not None:
            raise TypeError("give either children (with assessments) or ssda903, not both")
        problems, counts, read = _native.validate_ssda903(
            os.fspath(ssda903),
            None if assessments is None else os.fspath(assessments),
            None if year_end is None else _as_date(year_end, "year_end"),
            today_,
            policy,
        )
    elif children is not None and assessments is not None:
        problems, counts, read = _native.validate_csv(os.fspath(children), os.fspath(assessments), today_, policy)
    else:
        raise TypeError("validate needs children and assessments, or ssda903")
    result = Validation(Table(problems, "validation"), Table(counts, "row_counts"))
    sources = _audit.read_sources(read)
    _audit.attach(
        result.problems,
        "validate",
        {"year_end": year_end, "today": today_},
        sources=sources,
        rows_in=[dict(r) for r in result.row_counts.rows()],
    )
    return result


def oc2(ssda903: PathLike, *, year_end: DateLike, suppress: bool = False, policy: Policy | None = None) -> Table:
    """The DfE OC2 table of a 903 return: the cohort looked after continuously for 12 months at
    ``year_end`` (by the DfE validation rule) and, over it, the measures ``cohort``,
    ``health_assessment``, ``immunisations``, ``teeth_check``, ``substance_misuse``,
    ``health_check_under_5`` and ``sdq_received`` / ``sdq_average`` (ages 5-16 at the year end).
    ``suppress=True`` hides counts 1 to 5 (and what would reveal them) as ``c`` for publication.
    """
    ye = _as_date(year_end, "year_end", default_today=False)
    pol = _policy(policy)
    table, counts, read = _native.oc2(os.fspath(ssda903), ye, bool(suppress), pol)
    result = Table(table, "oc2", ye, pol)
    rows_in = [dict(r) for r in Table(counts, "row_counts").rows()]
    _audit.attach(
        result,
        "oc2",
        {"year_end": ye, "suppress": bool(suppress)},
        sources=_audit.read_sources(read),
        rows_in=rows_in,
    )
    return result


def example_paths() -> tuple[str, str]:
    """Paths of the small example cohort shipped with the package (children, assessments)."""
    here = os.path.join(os.path.dirname(__file__), "data")
    return (os.path.join(here, "example_children.csv"), os.path.join(here, "example_assessments.csv"))
