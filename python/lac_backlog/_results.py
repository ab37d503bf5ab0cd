"""Result tables: what every computation returns. They display in Jupyter, convert to pandas and
polars (both optional imports), write CSV whole or not at all, and carry the policy and as_of
they were computed with."""

from __future__ import annotations

import datetime as _dt
import html
import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from . import _audit, _native
from ._privacy import KeyLike, as_key, key_record

if TYPE_CHECKING:  # pragma: no cover
    import pandas
    import polars

__all__ = ["Explanation", "Kpis", "Table", "Worklist", "hide_values", "pseudonymise"]

_HTML_ROWS = 20


class Table:
    """A result table: named columns of equal length.

    ``kind`` says what it is (``"status"``, ``"validation"``, ...); ``as_of`` and ``policy`` are
    what produced it (``None`` where they do not apply).
    """

    __slots__ = ("_inner", "kind", "as_of", "policy", "_provenance")

    def __init__(
        self,
        inner: _native.Table,
        kind: str,
        as_of: _dt.date | None = None,
        policy: _native.Policy | None = None,
    ) -> None:
        self._inner = inner
        self.kind = kind
        self.as_of = as_of
        self.policy = policy
        self._provenance: _audit.Provenance | None = None

    @property
    def manifest(self) -> dict[str, Any]:
        """What produced this table, for audit (docs/audit.md): library version, the call and
        its arguments, as_of, the policy in full with its SHA-256, each input with its SHA-256
        and size (input files as the core read them; a cohort from DataFrames by the SHA-256 of
        the canonical CSV that ``Cohort.to_csv`` writes), rows in per input table, rows out and
        the SHA-256 of the table's CSV. A new dict each time."""
        return _audit.table_manifest(self)

    def pseudonymised(self, key: KeyLike) -> Table:
        """This table for export beyond the care team (:func:`lac_backlog.pseudonymise`):
        child ids as keyed hashes, dates of birth as months, override reasons withheld."""
        return pseudonymise(self, key)

    @property
    def columns(self) -> list[str]:
        """Column names, in order."""
        return self._inner.columns

    def rows_where(self, column: str, value: str | None) -> Table:
        """The rows whose ``column`` is ``value`` (None: blank), in order, as a table of the
        same kind with the same provenance."""
        out = Table(self._inner.rows_where(column, value), self.kind, self.as_of, self.policy)
        out._provenance = self._provenance
        return out

    @property
    def csv_columns(self) -> list[str]:
        """The columns the CSV output has: all of them, but for a suppressed table's
        ``suppressed`` flag, which only data frames show (the CSV shows ``c`` instead)."""
        return self._inner.csv_columns

    def __len__(self) -> int:
        return len(self._inner)

    def to_dict(self) -> dict[str, list[Any]]:
        """The columns as a dict of lists (dates as ``datetime.date``, blanks as ``None``)."""
        return self._inner.to_pydict()

    def column(self, name: str) -> list[Any]:
        """One column as a list."""
        if name not in self.columns:
            raise KeyError(f"no column {name!r}; columns are {self.columns}")
        return self._inner.to_pydict([name])[name]

    def rows(self) -> Iterator[dict[str, Any]]:
        """The rows as dicts, in order."""
        d = self.to_dict()
        names = list(d)
        for values in zip(*(d[n] for n in names)):
            yield dict(zip(names, values))

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        """The table through the Arrow PyCapsule interface: ``pyarrow.table(t)``,
        ``polars.DataFrame(t)`` and other Arrow readers take it without copying row by row."""
        return self._inner.__arrow_c_stream__(requested_schema)

    def to_arrow(self) -> Any:
        """The table as a ``pyarrow.Table`` (needs pyarrow)."""
        import pyarrow as pa

        return pa.table(self)

    def to_pandas(self) -> pandas.DataFrame:
        """The table as a pandas DataFrame (needs pandas; through Arrow when pyarrow is there:
        dates as ``datetime.date``, whole numbers with blanks as floats)."""
        try:
            import pyarrow as pa
        except ImportError:  # pragma: no cover - pyarrow is optional
            import pandas as pd

            return pd.DataFrame(self.to_dict(), columns=self.columns)
        return pa.table(self).to_pandas()

    def to_polars(self) -> polars.DataFrame:
        """The table as a polars DataFrame (needs polars), through Arrow."""
        import polars as pl

        return pl.DataFrame(self)

    def to_csv(self, path: str | os.PathLike[str] | None = None, *, raw: bool = False) -> str | None:
        """Write CSV (a header and rows only) to ``path``, whole or not at all; without a path,
        return the CSV text. A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
        carriage return, which a spreadsheet would run as a formula, gets a leading ``'``
        (docs/bad-input.md); ``raw=True`` writes text as it is, for programs only."""
        if path is None:
            return self._inner.to_csv(raw)
        self._inner.write_csv(os.fspath(path), raw)
        return None

    def to_excel(self, path: str | os.PathLike[str], sheet: str | None = None) -> int:
        """Write the table as an Excel workbook (needs openpyxl): header frozen and filterable,
        dates as dates, text always as text (never a formula), written whole or not at all.
        Returns how many cells had control characters, which Excel cannot hold, replaced by
        U+FFFD (0 normally)."""
        from ._excel import write_xlsx

        return write_xlsx(self, path, sheet=sheet or self.kind)

    def _describe(self) -> str:
        parts = [f"{self.kind}: {len(self)} rows"]
        if self.as_of is not None:
            parts.append(f"as_of {self.as_of.isoformat()}")
        if self.policy is not None:
            parts.append(repr(self.policy))
        return ", ".join(parts)

    def __repr__(self) -> str:
        # Only the rows shown are converted (a worklist's reasons are written for them only).
        d = self._inner.to_pydict(None, 5)
        lines = [f"<Table {self._describe()}>", "  " + " | ".join(self.columns)]
        for i in range(min(len(self), 5)):
            lines.append("  " + " | ".join(_cell(d[c][i]) for c in self.columns))
        if len(self) > 5:
            lines.append(f"  ... {len(self) - 5} more rows")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        d = self._inner.to_pydict(None, _HTML_ROWS)
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = []
        for i in range(min(len(self), _HTML_ROWS)):
            cells = "".join(f"<td>{html.escape(_cell(d[c][i]))}</td>" for c in self.columns)
            body.append(f"<tr>{cells}</tr>")
        more = f"<p>... {len(self) - _HTML_ROWS} more rows</p>" if len(self) > _HTML_ROWS else ""
        return (
            f"<p><b>{html.escape(self._describe())}</b></p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"
        )


class Explanation(str):
    """A readable account of one worklist row: a ``str`` that displays as its text."""

    def __repr__(self) -> str:
        return str(self)


class Worklist(Table):
    """The triage worklist: children overdue or due soon, best first, with tier, score,
    recommended modality and the reasons for each. ``explain(child_id)`` gives a readable
    account of one row."""

    __slots__ = ("_worklist",)

    def __init__(self, worklist: _native.Worklist, as_of: _dt.date, policy: _native.Policy) -> None:
        super().__init__(worklist.table(), "triage", as_of, policy)
        self._worklist = worklist

    def explain(self, child_id: str) -> Explanation:
        """Why the child is where they are: factors and points, tier, modality rule, declined
        offers, override. Raises KeyError if the child is not on the worklist."""
        return Explanation(self._worklist.explain(str(child_id)))

    @property
    def unapplied_overrides(self) -> list[tuple[str, int]]:
        """Overrides whose child is not on the worklist, as (child_id, line of the file)."""
        return self._worklist.unapplied_overrides()

    @property
    def below_safeguards(self) -> list[tuple[str, int, str]]:
        """Applied overrides below a safeguard, as (child_id, line of the overrides, safeguard):
        a less intensive format than a face-to-face rule requires (the rule's name), or an IHA
        below the IHA lane (``iha_lane``). Applied as the clinician decided, and flagged."""
        return self._worklist.below_safeguards()

    def tiers_by(self) -> list[tuple[str, int]]:
        """For each row in order, how the rules set its tier (``score``, ``red_flag:<name>`` or
        ``iha_lane``) and that tier's score threshold."""
        return self._worklist.tiers_by()

    def override_warnings(self, source: str = "overrides") -> list[str]:
        """What to say about the overrides (read from ``source``): each with no decided_on date,
        and each below a safeguard (``lb.triage`` issues these as OverrideWarning; the CLI
        prints them)."""
        out = [
            f"{source}, line {line}, column decided_on: no date, so the worklist records who decided and why but "
            "not when"
            for _, line in self._worklist.undated_overrides()
        ]
        out += [
            f"{source}, line {line}: this override is below the {rule} safeguard (a less intensive format or a "
            "later tier than the rule requires): applied as the clinician decided, and shown in the reasons"
            for _, line, rule in self._worklist.below_safeguards()
        ]
        return out

    def nurse_table(self) -> Table:
        """The worklist as a nurse works from it (kind ``worklist_workbook``): plain-English
        headers and values, the child's date of birth, locality and last assessment beside the
        triage, the book-by date, and empty ``Booked on`` and ``Notes`` columns to work in.
        ``to_excel`` writes it with tier colours, UK dates and an "About" sheet."""
        t = Table(self._worklist.nurse_table(), "worklist_workbook", self.as_of, self.policy)
        t._provenance = self._provenance
        return t

    def filter(
        self,
        *,
        tier: str | Sequence[str] | None = None,
        age_band: str | Sequence[str] | None = None,
        modality: str | Sequence[str] | None = None,
        locality: str | Sequence[str] | None = None,
        status: str | Sequence[str] | None = None,
    ) -> Worklist:
        """The rows with the given tier(s) (``"P1"``), age band(s) (``"under_5"`` or ``"Under
        5"``), recommended modality (``"face_to_face"`` or ``"Face to face"``), locality and
        status (``"overdue"``, ``"due_soon"``), each a value or a list; ranks are kept. The
        result is a worklist: it converts, explains and exports (``to_excel``) the same way.
        Raises ValueError for a value no row could have (a mistyped tier, say).

        >>> import lac_backlog as lb
        >>> wl = lb.triage(lb.Cohort.from_csv(*lb.example_paths()), as_of="2021-10-21")
        >>> p1 = wl.filter(tier="P1", age_band="under_5")
        >>> set(p1.column("tier")) <= {"P1"}, len(p1) <= len(wl)
        (True, True)
        """

        def values(v: str | Sequence[str] | None) -> list[str]:
            return [] if v is None else [v] if isinstance(v, str) else [str(x) for x in v]

        inner = self._worklist.filtered(
            values(tier), values(age_band), values(modality), values(locality), values(status)
        )
        out = Worklist(inner, self.as_of, self.policy)  # type: ignore[arg-type]
        chosen = {
            k: v
            for k, v in {
                "tier": tier,
                "age_band": age_band,
                "modality": modality,
                "locality": locality,
                "status": status,
            }.items()
            if v is not None
        }
        if self._provenance is not None:
            p = self._provenance
            out._provenance = _audit.Provenance(
                p.function, {**p.arguments, "filter": chosen}, p.sources, p._rows_in, p.privacy
            )
        return out

    def tiers(self) -> list[tuple[str, int, int]]:
        """Each tier of the policy: (name, booking window in days, lowest score), most urgent first."""
        return self._worklist.tiers()

    def to_excel(self, path: str | os.PathLike[str], sheet: str | None = None) -> int:
        """Write the nurse's workbook (:meth:`nurse_table`): plain-English headers and values,
        dates as dd/mm/yyyy, each row coloured by its tier (with a key), wrapped reasons, empty
        ``Booked on`` and ``Notes`` columns, A4 landscape print set-up with the header row on
        every page, and an "About" sheet (as of, policy and its hash, version, input hashes,
        what each tier means). Written whole or not at all; returns how many cells had control
        characters replaced (0 normally). Needs openpyxl."""
        from ._excel import write_worklist_xlsx

        return write_worklist_xlsx(self.nurse_table(), path, about_of(self.nurse_table(), self.tiers()))

    def completeness(self) -> Table:
        """How complete the need signals are over the listed children: ``signal, known, unknown,
        unknown_pct``, one row per need signal and the SDQ score (over those aged 4 to 16). An
        unknown signal is never read as no (docs/triage.md)."""
        return Table(self._worklist.completeness(), "completeness", self.as_of, self.policy)


_RAG_COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828"}


class Kpis(Table):
    """The KPI table (indicator, period_end, exclusion, [group], numerator, denominator,
    value_pct, target_pct, floor_pct, rag), with the direction of travel in ``trend`` and, if
    asked for, the no-one-seen forecast of ``up_to_date`` in ``forecast``."""

    __slots__ = ("trend", "forecast")

    def __init__(
        self,
        inner: _native.Table,
        trend: _native.Table,
        forecast: _native.Table | None,
        as_of: _dt.date,
        policy: _native.Policy,
    ) -> None:
        super().__init__(inner, "kpi", as_of, policy)
        self.trend = Table(trend, "kpi_trend", as_of, policy)
        self.forecast = None if forecast is None else Table(forecast, "kpi_forecast", as_of, policy)

    def board_table(self, exclusion: str = "none") -> Any:
        """The table a board sees (needs pandas): one row a month ("Sep 2021"), one column an
        indicator in words, each value a percentage coloured by its RAG rating (a pandas
        Styler; ``.data`` is the DataFrame of values, ``c`` where suppressed)."""
        import pandas as pd

        from ._report import INDICATOR_WORDS

        rows = [r for r in self.rows() if r["exclusion"] == exclusion and r.get("group", "all") == "all"]
        months = sorted({r["period_end"] for r in rows})
        names = [INDICATOR_WORDS.get(i, (i,))[0] for i in INDICATOR_WORDS]
        cell = {(r["period_end"], r["indicator"]): r for r in rows}
        data: list[list[str]] = []
        colours: list[list[str]] = []
        for m in months:
            data.append([])
            colours.append([])
            for ind in INDICATOR_WORDS:
                r = cell.get((m, ind))
                v = None if r is None else r["value_pct"]
                data[-1].append("c" if r is not None and v is None else ("" if v is None else f"{v:.1f}%"))
                rag = None if r is None else r["rag"]
                shade = {"green": "#c8e6c9", "amber": "#ffe082", "red": "#ef9a9a"}.get(str(rag))
                colours[-1].append(f"background-color: {shade}" if shade else "")
        index = pd.Index([f"{m:%b %Y}" for m in months], name="Month end")
        df = pd.DataFrame(data, index=index, columns=names)
        styles = pd.DataFrame(colours, index=index, columns=names)
        return df.style.apply(lambda _: styles, axis=None)

    def plot(self, indicator: str = "up_to_date", exclusion: str = "none", ax: Any = None) -> Any:
        """Plot one indicator's series against its target and floor, each point coloured by its
        RAG rating, with the forecast (if any) dashed. Needs matplotlib; returns the Axes."""
        import matplotlib.pyplot as plt

        rows = [
            r
            for r in self.rows()
            if r["indicator"] == indicator and r["exclusion"] == exclusion and r.get("group", "all") == "all"
        ]
        if not rows:
            raise ValueError(f"no rows for indicator {indicator!r} and exclusion {exclusion!r}")
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4))
        pts = [(r["period_end"], _pct(r["value_pct"]), r["rag"]) for r in rows]
        shown = [(d, v, g) for d, v, g in pts if v is not None]
        from ._report import INDICATOR_WORDS

        name = INDICATOR_WORDS.get(indicator, (indicator.replace("_", " ").capitalize(),))[0]
        ax.plot([d for d, _, _ in shown], [v for _, v, _ in shown], color="#455a64", zorder=1, label="Month-end value")
        for rag, word in (("green", "Green"), ("amber", "Amber"), ("red", "Red")):
            mine = [(d, v) for d, v, g in shown if g == rag]
            if mine:
                ax.scatter(
                    [d for d, _ in mine], [v for _, v in mine], color=_RAG_COLOURS[rag], zorder=2, s=40, label=word
                )
        target, floor = _pct(rows[-1]["target_pct"]), _pct(rows[-1]["floor_pct"])
        if target is not None:
            ax.axhline(target, color=_RAG_COLOURS["green"], linestyle=":", label=f"Target {target:g}%")
        if floor is not None:
            ax.axhline(floor, color=_RAG_COLOURS["red"], linestyle=":", label=f"Floor {floor:g}%")
        if self.forecast is not None and indicator == "up_to_date":
            fc = [(r["period_end"], _pct(r["value_pct"])) for r in self.forecast.rows() if r["exclusion"] == exclusion]
            fc = [(d, v) for d, v in fc if v is not None]
            if fc and shown:
                ax.plot(
                    [shown[-1][0]] + [d for d, _ in fc],
                    [shown[-1][1]] + [v for _, v in fc],
                    color="#455a64",
                    linestyle="--",
                    label="If nobody else is seen",
                )
        import matplotlib.dates as mdates

        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))  # type: ignore[no-untyped-call]
        for label in ax.get_xticklabels():
            label.set_rotation(30)
            label.set_horizontalalignment("right")
        ax.set_ylabel("Per cent of children")
        without = {"uasc": " (without unaccompanied asylum-seeking children)", "missing": " (without children missing)"}
        ax.set_title(name + without.get(exclusion, ""))
        ax.legend(loc="best", fontsize="small")
        return ax


def _pct(v: Any) -> float | None:
    try:
        return None if v is None else float(v)
    except (TypeError, ValueError):  # a suppressed cell
        return None


def _cell(v: Any) -> str:
    """A value as the native CSV writes it: dates YYYY-MM-DD, floats to one decimal, blank empty."""
    if v is None:
        return ""
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, float):
        return f"{v:.1f}"
    return str(v)


def pseudonymise(table: Table, key: KeyLike) -> Table:
    """The table for export beyond the care team: each child id replaced by its pseudonym
    (:meth:`PseudonymKey.pseudonym`), each date of birth by its month (``YYYY-MM``), dates of
    birth in reasons and problems reduced the same way, and the free-text reason of any
    override withheld. The Rust core does it by each column's role (set where the table is
    built, never guessed from names or wording); in a problems table the value of a child_id or
    date of birth cell is treated the same way. Tables without child-level columns (KPIs, OC2,
    simulations) come back equal. The result carries a ``.manifest`` with the key's fingerprint.

    >>> import lac_backlog as lb
    >>> st = lb.status(lb.Cohort.from_csv(*lb.example_paths()), as_of="2021-10-21")
    >>> ps = lb.pseudonymise(st, lb.PseudonymKey("a key of at least thirty-two bytes, kept secret"))
    >>> ps.column("child_id")[0].startswith("ps_"), "0017" in ps.column("child_id")
    (True, False)
    """
    k = as_key(key)
    return _rebuild(table, table._inner.pseudonymised(k._key), {"pseudonymised": key_record(k)})


def about_of(table: Table, tiers: list[tuple[str, int, int]]) -> dict[str, Any]:
    """What the nurse's workbook says about itself on its "About" sheet: as of, the library
    version, the policy and its SHA-256, each input with its SHA-256, the privacy applied and
    what each tier means, from the table's manifest."""
    m = table.manifest
    policy = m.get("policy") or {}
    inputs = []
    for e in m.get("inputs", []):
        where = e.get("path") or e.get("identified_by") or e.get("kind", "")
        inputs.append((str(e.get("role", "")), str(where), str(e.get("sha256") or "")))
    return {
        "as_of": table.as_of,
        "version": m.get("version", ""),
        "policy_sha256": policy.get("sha256", ""),
        "policy": "the statutory default" if table.policy == _native.Policy.default() else "a local policy",
        "inputs": inputs,
        "privacy": m.get("privacy") or {},
        "rows": len(table),
        "tiers": tiers,
    }


def hide_values(table: Table) -> Table:
    """A problems table (severity, file, line, column, value, problem) with the value of every
    problem on a data line masked, and dates and the value masked in the problem text too."""
    if "value" not in table.columns or "problem" not in table.columns:
        return table
    return _rebuild(table, table._inner.values_hidden(), {"hide_values": True})


def _rebuild(table: Table, inner: _native.Table, privacy: dict[str, Any]) -> Table:
    out = Table(inner, table.kind, table.as_of, table.policy)
    out._provenance = (
        _audit.Provenance("Table", {}, privacy=privacy)
        if table._provenance is None
        else table._provenance.with_privacy(privacy)
    )
    return out
