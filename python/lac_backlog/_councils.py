"""Several councils at once (docs/councils.md): a ``councils.toml`` naming each council's inputs,
read into one cohort each; tables of them all with a ``council`` column; the indicators with the
ICB's total; and backlog options with capacity pooled across councils against each alone. The
Rust core merges the cohorts and stacks the tables (``src/councils.rs``)."""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Sequence
from typing import Any

from . import _audit, _native
from ._files import decode_text, read_bounded
from ._results import Kpis, Table

__all__ = ["Councils", "ICB_TOTAL", "POOLED"]

#: The name of the ICB's total in a council column.
ICB_TOTAL = "ICB total"
#: The name of the pooled option's rows in a council column.
POOLED = "ICB (pooled capacity)"
#: Keys of a council in councils.toml.
_KEYS = {"name", "children", "assessments", "ssda903"}
#: Scenario settings that are capacity, scaled by a council's share when it is alone.
_CAPACITY = ("face_to_face_per_week", "virtual_per_week", "questionnaire_per_week", "doctor_iha_per_week")


class Councils:
    """Several councils, each a name and a cohort (:meth:`from_toml`)."""

    __slots__ = ("names", "cohorts", "_merged")

    def __init__(self, entries: Sequence[tuple[str, Any]]) -> None:
        self.names = [str(n) for n, _ in entries]
        self.cohorts = [c for _, c in entries]
        if not self.names:
            raise ValueError("councils: give at least one council")
        self._merged: Any = None

    @classmethod
    def from_toml(
        cls, path: str | os.PathLike[str], *, today: Any = None, skip_bad_rows: bool = False, policy: Any = None
    ) -> Councils:
        """Read ``councils.toml``: ``[[council]]`` tables, each with ``name`` and either
        ``children`` and ``assessments`` (CSV) or ``ssda903`` (a 903 return folder, with an
        optional ``assessments``); paths relative to the file's folder."""
        import lac_backlog as lb

        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - Python 3.10
            import tomli as tomllib

        text = decode_text(read_bounded(path, "the councils file"))
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise lb.PolicyError(f"{os.fspath(path)}: not a councils file: {err}") from None
        entries = doc.get("council")
        if not isinstance(entries, list) or not entries or set(doc) - {"council"}:
            raise lb.PolicyError(
                f"{os.fspath(path)}: a councils file is [[council]] tables (name, children, assessments)"
            )
        base = os.path.dirname(os.path.abspath(os.fspath(path)))
        out = []
        for i, entry in enumerate(entries, start=1):
            if (
                not isinstance(entry, dict)
                or set(entry) - _KEYS
                or not isinstance(entry.get("name"), str)
                or not entry["name"].strip()
            ):
                raise lb.PolicyError(
                    f"{os.fspath(path)}: council {i}: needs a name and children + assessments, or ssda903 "
                    f"(known keys: {', '.join(sorted(_KEYS))})"
                )
            name = entry["name"].strip()

            def where(key: str, entry: dict[str, Any] = entry) -> str:
                return os.path.join(base, str(entry[key]))

            if entry.get("ssda903"):
                assessments = where("assessments") if entry.get("assessments") else None
                cohort = lb.Cohort.from_ssda903(where("ssda903"), assessments, as_of=today, policy=policy)
            elif entry.get("children") and entry.get("assessments"):
                cohort = lb.Cohort.from_csv(
                    where("children"), where("assessments"), today=today, skip_bad_rows=skip_bad_rows, policy=policy
                )
            else:
                raise lb.PolicyError(f"{os.fspath(path)}: council {name!r}: give children and assessments, or ssda903")
            out.append((name, cohort))
        return cls(out)

    def merged(self) -> Any:
        """One cohort of all the councils: ids ``council/child_id``, each child's locality its
        council (so indicators by locality are indicators by council)."""
        import lac_backlog as lb

        if self._merged is None:
            m = lb.Cohort(_native.merged_cohort(self.names, [c._inner for c in self.cohorts]))
            m._source = [s for c in self.cohorts for s in _audit.cohort_sources(c)]
            self._merged = m
        return self._merged

    def status(self, *, as_of: Any = None, policy: Any = None) -> Table:
        """Every child of every council, with a ``council`` column first."""
        import lac_backlog as lb

        parts = [lb.status(c, as_of=as_of, policy=policy) for c in self.cohorts]
        return _stacked(self, parts, "status", "councils_status")

    def kpis(self, *, as_of: Any = None, months: int | None = None, suppress: bool = False, policy: Any = None) -> Kpis:
        """The indicators of each council and the ICB's total (``council`` = ``ICB total``),
        counted over the children of all the councils; with ``suppress=True`` no count from 1
        to 5 can be read or worked out from the councils and the total together."""
        import lac_backlog as lb

        k = lb.kpis(self.merged(), as_of=as_of, months=months, by="locality", suppress=suppress, policy=policy)
        out = Kpis(
            k._inner.renamed("group", "council", "all", ICB_TOTAL),
            k.trend._inner.renamed("group", "council", "all", ICB_TOTAL),
            None,
            k.as_of,  # type: ignore[arg-type]
            k.policy,  # type: ignore[arg-type]
        )
        out._provenance = k._provenance
        return out

    def simulate(
        self,
        scenarios: Any,
        *,
        as_of: Any = None,
        weeks: int | None = None,
        runs: int | None = None,
        seed: int | None = None,
        policy: Any = None,
    ) -> Table:
        """Each option with its capacity pooled across the councils (``council`` = ``ICB
        (pooled capacity)``, one service for all the children) against each council alone with
        its share of the slots (whole slots adding up to the pooled number), the entrants and
        the admin hours, by its children in scope at ``as_of``: the summary rows of both, with
        a ``council`` column."""
        import lac_backlog as lb

        from ._simulation import scenarios_text

        text, fmt = scenarios_text(scenarios)
        file = json.loads(_native.scenario_file_json(text, fmt))
        # Each council's share: its children in scope at as_of (not those who have left).
        shares = [
            float(sum(r["status"] != "not_required" for r in lb.status(c, as_of=as_of, policy=policy).rows()))
            for c in self.cohorts
        ]
        results = [lb.simulate(self.merged(), file, as_of=as_of, weeks=weeks, runs=runs, seed=seed, policy=policy)]
        for k, cohort in enumerate(self.cohorts):
            council_file = _scaled(file, shares, k)
            results.append(
                lb.simulate(cohort, council_file, as_of=as_of, weeks=weeks, runs=runs, seed=seed, policy=policy)
            )
        return _stacked(self, results, "simulation", "councils_simulation", names=[POOLED, *self.names])


def _split(total: int, shares: Sequence[float]) -> list[int]:
    """``total`` whole slots split in proportion to ``shares`` so that the parts add up to it
    (largest remainders; ties to the earlier council)."""
    weight = sum(shares) or 1.0
    exact = [total * x / weight for x in shares]
    parts = [math.floor(x) for x in exact]
    left = total - sum(parts)
    for i in sorted(range(len(shares)), key=lambda i: (-(exact[i] - parts[i]), i))[:left]:
        parts[i] += 1
    return parts


def _scaled(file: dict[str, Any], shares: Sequence[float], k: int) -> dict[str, Any]:
    """The scenario file as council ``k`` alone has it: every option's slots split between the
    councils in proportion to ``shares`` (whole slots adding up to the pooled number), and its
    entrants and admin hours in proportion."""
    weight = sum(shares) or 1.0
    share = shares[k] / weight

    def slots(v: Any) -> Any:
        return None if v is None else _split(int(v), shares)[k]

    out = dict(file)
    options = []
    for s in file.get("scenario", []):
        s = dict(s)
        for key in _CAPACITY:
            s[key] = slots(s.get(key))
        s["new_entrants_per_week"] = s.get("new_entrants_per_week", 0.0) * share
        if s.get("admin_hours_per_week") is not None:
            s["admin_hours_per_week"] = s["admin_hours_per_week"] * share
        s["changes"] = [
            {key: (slots(v) if key in _CAPACITY else v) for key, v in c.items()} for c in s.get("changes", [])
        ]
        options.append(s)
    out["scenario"] = options
    return out


def _stacked(
    councils: Councils, parts: Sequence[Table], kind: str, function: str, names: Sequence[str] | None = None
) -> Table:
    inner = _native.stacked_tables(list(names or councils.names), [p._inner for p in parts])
    first = parts[0]
    out = Table(inner, kind, first.as_of, first.policy)
    _audit.attach(
        out,
        function,
        {"as_of": first.as_of, "councils": list(councils.names)},
        cohort=councils.merged(),
    )
    return out
