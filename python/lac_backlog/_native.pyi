"""Type stubs for the Rust extension module, checked against the binary by mypy.stubtest."""

import datetime
import os
from typing import Any, final

__all__ = [
    "__version__",
    "Policy",
    "Cohort",
    "Table",
    "Overrides",
    "Worklist",
    "triage",
    "stale_data",
    "status",
    "validate_csv",
    "cohort_from_ssda903",
    "validate_ssda903",
    "oc2",
    "synthetic_cohort",
    "kpis",
    "Simulation",
    "capacity_needed",
    "review_demand_per_week",
    "pseudonym",
    "ssda903_files_read",
    "key_fingerprint",
    "hidden_problem",
    "dob_month",
    "reduce_birth_dates",
]
__version__: str

_ProblemTuple = tuple[str, str, int | None, str | None, str, str]

@final
class Policy:
    """The policy: every number and rule the library applies."""

    @staticmethod
    def default() -> Policy: ...
    @staticmethod
    def from_toml(path: str | os.PathLike[str]) -> Policy: ...
    @staticmethod
    def from_toml_str(text: str) -> Policy: ...
    def to_toml(self) -> str: ...
    def with_closures(self, dates: list[datetime.date]) -> Policy: ...
    def __eq__(self, other: object, /) -> bool: ...
    @property
    def need_unknown_warn_share(self) -> float: ...
    @property
    def due_soon_days(self) -> int: ...
    def kpi_rag(self, indicator: str) -> tuple[float, float, bool]: ...

@final
class Cohort:
    """A validated cohort of children and their assessments."""

    @staticmethod
    def from_csv(
        children: str | os.PathLike[str],
        assessments: str | os.PathLike[str],
        today: datetime.date,
        skip_bad_rows: bool = False,
        policy: Policy | None = None,
    ) -> Cohort: ...
    @staticmethod
    def from_arrow(
        children: Any, assessments: Any, today: datetime.date, skip_bad_rows: bool = False, policy: Policy | None = None
    ) -> Cohort: ...
    def __len__(self) -> int: ...
    @property
    def n_assessments(self) -> int: ...
    def child_ids(self) -> list[str]: ...
    @property
    def inputs(self) -> list[tuple[str, str, int, str]]: ...
    @property
    def warnings(self) -> list[_ProblemTuple]: ...
    @property
    def skipped(self) -> list[_ProblemTuple]: ...
    def row_counts(self) -> Table: ...
    def write_csv(self, children: str | os.PathLike[str], assessments: str | os.PathLike[str]) -> None: ...

@final
class Table:
    """A result table: named columns of equal length."""

    @property
    def columns(self) -> list[str]: ...
    def __len__(self) -> int: ...
    def to_pydict(self) -> dict[str, list[Any]]: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def pseudonymised(self, key: bytes) -> Table: ...
    def values_hidden(self) -> Table: ...
    def to_csv(self, raw: bool = False) -> str: ...
    def write_csv(self, path: str | os.PathLike[str], raw: bool = False) -> None: ...

@final
class Overrides:
    """Checked clinician overrides."""

    @staticmethod
    def from_csv(path: str | os.PathLike[str], cohort: Cohort, policy: Policy) -> Overrides: ...
    @staticmethod
    def from_bytes(name: str, data: bytes, cohort: Cohort, policy: Policy) -> Overrides: ...
    def __len__(self) -> int: ...
    @property
    def warnings(self) -> list[_ProblemTuple]: ...

@final
class Worklist:
    """The triage worklist."""

    def table(self) -> Table: ...
    def __len__(self) -> int: ...
    def explain(self, child_id: str) -> str: ...
    def unapplied_overrides(self) -> list[tuple[str, int]]: ...
    def below_safeguards(self) -> list[tuple[str, int, str]]: ...
    def undated_overrides(self) -> list[tuple[str, int]]: ...
    def tiers_by(self) -> list[tuple[str, int]]: ...
    def completeness(self) -> Table: ...

def triage(cohort: Cohort, as_of: datetime.date, policy: Policy, overrides: Overrides | None = None) -> Worklist: ...
def status(cohort: Cohort, as_of: datetime.date, policy: Policy) -> Table: ...
def stale_data(cohort: Cohort, as_of: datetime.date, policy: Policy, hide_date: bool = False) -> str | None: ...
def validate_csv(
    children: str | os.PathLike[str],
    assessments: str | os.PathLike[str],
    today: datetime.date,
    policy: Policy | None = None,
) -> tuple[Table, Table, list[tuple[str, str, int, str]]]: ...
def cohort_from_ssda903(
    dir: str | os.PathLike[str],
    assessments: str | os.PathLike[str] | None,
    as_of: datetime.date | None,
    today: datetime.date,
    skip_bad_rows: bool = False,
    policy: Policy | None = None,
) -> tuple[Cohort, datetime.date]: ...
def validate_ssda903(
    dir: str | os.PathLike[str],
    assessments: str | os.PathLike[str] | None,
    year_end: datetime.date | None,
    today: datetime.date,
    policy: Policy | None = None,
) -> tuple[Table, Table, list[tuple[str, str, int, str]]]: ...
def oc2(
    dir: str | os.PathLike[str], year_end: datetime.date, suppress: bool, policy: Policy
) -> tuple[Table, Table, list[tuple[str, str, int, str]]]: ...
def synthetic_cohort(
    children: int,
    seed: int,
    as_of: datetime.date,
    overdue_share: float | None = None,
    localities: list[str] | None = None,
) -> Cohort: ...
def kpis(
    cohort: Cohort,
    as_of: datetime.date,
    months: int | None,
    by: str | None,
    suppress: bool,
    policy: Policy,
    forecast: int,
) -> tuple[Table, Table, Table | None]: ...

@final
class Simulation:
    """A Monte Carlo simulation of backlog scenarios, run in batches."""

    def __new__(
        cls,
        cohort: Cohort,
        scenarios: str,
        format: str,
        as_of: datetime.date,
        policy: Policy,
        weeks: int | None = None,
        runs: int | None = None,
        seed: int | None = None,
    ) -> Simulation: ...
    def progress(self) -> tuple[int, int]: ...
    def step(self, max_runs: int) -> int: ...
    def describe(self) -> tuple[list[str], int, int, int]: ...
    def summary(self) -> Table: ...
    def trajectory(self) -> Table: ...

def capacity_needed(
    cohort: Cohort,
    scenarios: str,
    format: str,
    as_of: datetime.date,
    policy: Policy,
    goal_date: datetime.date | None,
    goal_pct: float | None,
    weeks: int,
    runs: int,
    seed: int,
    probability: float,
) -> tuple[int | None, list[tuple[int, float]]]: ...
def review_demand_per_week(cohort: Cohort, as_of: datetime.date, policy: Policy) -> float: ...
def pseudonym(key: bytes, child_id: str) -> str: ...
def key_fingerprint(key: bytes) -> str: ...
def hidden_problem(line: int | None, value: str, problem: str) -> tuple[str, str]: ...
def dob_month(text: str) -> str: ...
def reduce_birth_dates(text: str) -> str: ...
def ssda903_files_read(names: list[str]) -> list[str]: ...
