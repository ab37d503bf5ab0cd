"""The board report: one self-contained HTML page a board member opens from an email (no network
request, no script; charts as inline SVG), that prints cleanly on A4 and reads on a phone
(docs/report.md). The Rust core computes every figure; this module lays them out in words."""

from __future__ import annotations

import datetime as _dt
import html
import os
import warnings
from collections.abc import Sequence
from typing import Any

from . import _native

__all__ = ["Report", "build_report", "INDICATOR_WORDS", "RAG_COLOURS"]

#: What each indicator is called in the report, and what it means.
INDICATOR_WORDS = {
    "up_to_date": (
        "Children up to date with their health assessments",
        "Of the children in care (not on short breaks, under 18) at the month end, the share not overdue for "
        "an initial or review health assessment.",
    ),
    "oc2_annual_ha": (
        "Annual health assessment (the DfE's OC2 measure)",
        "Of the children in care for at least 12 months at the month end, the share with a health assessment "
        "in the 12 months to it: the measure the DfE publishes for every council each year.",
    ),
    "all_in_timescale": (
        "All health assessments within timescale (Kent's measure)",
        "Of the children with an assessment due, the share whose every assessment due in the 12 months to the "
        "month end was done by its due date, with none overdue now.",
    ),
    "iha_in_timescale": (
        "Initial health assessments within 20 working days",
        "Of the children who came into care in the 12 months to the month end, whose initial health assessment "
        "fell due by it, the share whose assessment was done by its due date.",
    ),
}
#: RAG colours (with their words, so colour is never the only signal).
RAG_COLOURS = {"green": "#2e7d32", "amber": "#b26a00", "red": "#c62828"}
_RAG_WORDS = {"green": "Green", "amber": "Amber", "red": "Red"}
_AGE_WORDS = {"under_5": "Under 5", "5_to_16": "5 to 16", "17_plus": "17 and over"}
_STATUS_WORDS = {"overdue": "Overdue", "due_soon": "Due soon", "up_to_date": "Up to date"}


def _e(x: object) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _uk(d: _dt.date | None) -> str:
    return "" if d is None else f"{d:%d/%m/%Y}"


def _pct(v: float | None) -> str:
    return "c" if v is None else f"{v:.1f}%"


def line_chart(
    title: str,
    months: Sequence[_dt.date],
    values: Sequence[float | None],
    rags: Sequence[str | None],
    target: float | None,
    floor: float | None,
    forecast: Sequence[tuple[_dt.date, float | None]] = (),
) -> str:
    """An inline SVG line chart of a monthly percentage: months labelled "Mar 2024", the y axis
    "Per cent of children", target and floor as dashed lines, each point coloured by its RAG
    rating, and a legend naming every mark (RAG colours in words too)."""
    w, h, left, right, top, bottom = 640, 300, 56, 16, 36, 86
    xs = list(months) + [d for d, _ in forecast]
    ys = [v for v in list(values) + [v for _, v in forecast] if v is not None]
    lows = [*ys, *(x for x in (target, floor) if x is not None)]
    lo = max(0.0, (min(lows) if lows else 0.0) - 10.0)
    lo = float(int(lo // 10) * 10)
    hi = 100.0
    n = max(len(xs), 2)

    def x(i: int) -> float:
        return left + (w - left - right) * i / (n - 1)

    def y(v: float) -> float:
        return top + (h - top - bottom) * (hi - v) / max(hi - lo, 1.0)

    out = [
        f'<svg class="chart" role="img" viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{_e(title)}</title>",
        f'<text x="{left}" y="20" class="chart-title">{_e(title)}</text>',
    ]
    for t in range(int(lo), 101, 10):
        out.append(f'<line x1="{left}" x2="{w - right}" y1="{y(t):.1f}" y2="{y(t):.1f}" class="grid"/>')
        out.append(f'<text x="{left - 6}" y="{y(t) + 4:.1f}" class="tick" text-anchor="end">{t}</text>')
    out.append(
        f'<text x="14" y="{(top + h - bottom) / 2:.1f}" class="axis" transform="rotate(-90 14 '
        f'{(top + h - bottom) / 2:.1f})" text-anchor="middle">Per cent of children</text>'
    )
    for i, d in enumerate(xs):
        if len(xs) <= 13 or i % 2 == 0:
            out.append(
                f'<text x="{x(i):.1f}" y="{h - bottom + 16}" class="tick" text-anchor="end" '
                f'transform="rotate(-35 {x(i):.1f} {h - bottom + 16})">{d:%b %Y}</text>'
            )
    legend: list[tuple[str, str]] = []
    for value, colour, label in ((target, "#2e7d32", "Target"), (floor, "#c62828", "Floor")):
        if value is not None:
            out.append(
                f'<line x1="{left}" x2="{w - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="{colour}" '
                'stroke-dasharray="6 4" class="ref"/>'
            )
            legend.append(
                (
                    f'<line x1="0" x2="18" y1="0" y2="0" stroke="{colour}" stroke-dasharray="6 4"/>',
                    f"{label} {value:g}%",
                )
            )
    pts = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
    if len(pts) > 1:
        out.append('<polyline class="series" points="' + " ".join(f"{a:.1f},{b:.1f}" for a, b in pts) + '"/>')
    legend.append(('<line x1="0" x2="18" y1="0" y2="0" class="series"/>', "Month-end value"))
    if forecast:
        fpts = ([pts[-1]] if pts else []) + [
            (x(len(values) + j), y(v)) for j, (_, v) in enumerate(forecast) if v is not None
        ]
        out.append('<polyline class="forecast" points="' + " ".join(f"{a:.1f},{b:.1f}" for a, b in fpts) + '"/>')
        legend.append(('<line x1="0" x2="18" y1="0" y2="0" class="forecast"/>', "If nobody else is seen"))
    shown = set()
    for i, (v, r) in enumerate(zip(values, rags)):
        if v is None:
            continue
        colour = RAG_COLOURS.get(str(r), "#555555")
        shown.add(str(r))
        out.append(
            f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="4" fill="{colour}" class="rag-{_e(r)}">'
            f"<title>{months[i]:%b %Y}: {v:.1f}% ({_e(_RAG_WORDS.get(str(r), r))})</title></circle>"
        )
    for r in ("green", "amber", "red"):
        if r in shown:
            legend.append((f'<circle cx="9" cy="0" r="4" fill="{RAG_COLOURS[r]}"/>', _RAG_WORDS[r]))
    lx, ly = left, h - 22
    for mark, label in legend:
        out.append(
            f'<g transform="translate({lx} {ly})">{mark}<text x="24" y="4" class="legend">{_e(label)}</text></g>'
        )
        lx += 34 + 7 * len(label)
        if lx > w - 120:
            lx, ly = left, ly + 16
    out.append("</svg>")
    return "\n".join(out)


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], cls: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<div class="table"><table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _rag_badge(rag: str | None) -> str:
    if rag not in RAG_COLOURS:
        return _e(rag or "")
    return f'<span class="rag" style="background:{RAG_COLOURS[rag]}">{_RAG_WORDS[rag]}</span>'


_CSS = """
body{font-family:Arial,Helvetica,sans-serif;color:#1b1b1b;margin:0;padding:0 12px;line-height:1.4}
main{max-width:920px;margin:0 auto}
h1{font-size:1.6em;margin:.6em 0 .2em}h2{font-size:1.25em;border-bottom:2px solid #1b1b1b;margin-top:1.4em}
.meta{color:#444}.headline{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #bbb;border-radius:6px;padding:10px;flex:1 1 200px}
.card .value{font-size:1.8em;font-weight:bold}
.rag{color:#fff;border-radius:4px;padding:1px 8px;font-weight:bold}
.table{overflow-x:auto}table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}th{background:#eee}
.chart{width:100%;height:auto;max-width:640px;display:block;margin:.6em 0}
.chart .grid{stroke:#ddd}.chart .tick,.chart .legend{font-size:11px;fill:#333}
.chart .axis{font-size:12px;fill:#333}.chart .chart-title{font-size:14px;font-weight:bold;fill:#1b1b1b}
.chart .series{fill:none;stroke:#1f4e79;stroke-width:2.5}
.chart .forecast{fill:none;stroke:#555;stroke-width:2;stroke-dasharray:3 3}
.note{background:#fff8e1;border-left:4px solid #b26a00;padding:6px 10px;margin:.4em 0}
section{break-inside:avoid-page}
@page{size:A4;margin:14mm}
@media print{body{padding:0}h2{break-after:avoid}.chart{max-width:100%}a{color:inherit;text-decoration:none}}
@media (max-width:600px){body{font-size:15px}.card .value{font-size:1.5em}}
"""


class Report:
    """A board report (:func:`build_report`): ``html()`` gives the page, ``write(path)`` writes
    it whole or not at all; ``headline`` has the figures it shows (for checking)."""

    __slots__ = ("page", "headline", "as_of")

    def __init__(self, page: str, headline: dict[str, float | None], as_of: _dt.date) -> None:
        self.page = page
        self.headline = headline
        self.as_of = as_of

    def html(self) -> str:
        return self.page

    def write(self, path: str | os.PathLike[str]) -> None:
        from ._audit import write_text_atomic

        write_text_atomic(path, self.page)

    def _repr_html_(self) -> str:
        return self.page


def build_report(
    cohort: Any,
    as_of: _dt.date,
    policy: _native.Policy,
    *,
    title: str = "Health assessments for children in care",
    scenarios: Any = None,
    months: int = 12,
    suppress: bool = True,
    runs: int = 200,
    councils: Any = None,
) -> Report:
    """Every section of the board report, from the package's own results. With ``councils``
    (:class:`lac_backlog.Councils`), the report is the ICB's, over all their children, with a
    section by council."""
    import lac_backlog as lb

    by_council = ""
    if councils is not None:
        cohort = councils.merged()
        ck = councils.kpis(as_of=as_of, suppress=suppress, policy=policy)
        crow = [r for r in ck.rows() if r["exclusion"] == "none"]
        names = ["ICB total", *councils.names]
        table_rows = []
        for name in names:
            cells = [_e(name)]
            for ind in INDICATOR_WORDS:
                r = next((x for x in crow if x["council"] == name and x["indicator"] == ind), None)
                v = None if r is None else r["value_pct"]
                cells.append(f"{_pct(v)} {_rag_badge(r['rag'] if r else None)}")
            table_rows.append(cells)
        by_council = (
            "<section><h2>By council</h2><p>Each council's indicators at "
            f"{_uk(as_of)}, and the ICB's total over all their children.</p>"
            + _table(["Council", *(w[0] for w in INDICATOR_WORDS.values())], table_rows)
            + "</section>"
        )

    notes: list[str] = []
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        k = lb.kpis(cohort, as_of=as_of, months=months, suppress=suppress, forecast=6, policy=policy)
    notes += [str(w.message) for w in said]
    rows = list(k.rows())
    months_seen = sorted({r["period_end"] for r in rows})
    last = months_seen[-1] if months_seen else as_of
    headline: dict[str, float | None] = {}
    cards, charts, defs = [], [], []
    for ind, (name, meaning) in INDICATOR_WORDS.items():
        mine = [r for r in rows if r["indicator"] == ind and r["exclusion"] == "none"]
        mine.sort(key=lambda r: r["period_end"])
        now = mine[-1] if mine else None
        value = now["value_pct"] if now else None
        headline[ind] = value
        target = now["target_pct"] if now else None
        cards.append(
            f'<div class="card"><div>{_e(name)}</div><div class="value" data-indicator="{ind}">{_pct(value)}</div>'
            f"<div>{_rag_badge(now['rag'] if now else None)} target {_e(f'{target:g}%' if target is not None else '')}"
            f" at {_uk(last)}</div></div>"
        )
        fc: list[tuple[_dt.date, float | None]] = []
        if ind == "up_to_date" and k.forecast is not None:
            fc = [(r["period_end"], r["value_pct"]) for r in k.forecast.rows() if r["exclusion"] == "none"]
        charts.append(
            line_chart(
                name,
                [r["period_end"] for r in mine],
                [r["value_pct"] for r in mine],
                [r["rag"] for r in mine],
                target,
                now["floor_pct"] if now else None,
                fc,
            )
        )
        defs.append(f"<dt>{_e(name)}</dt><dd>{_e(meaning)}</dd>")
    trend_rows = [
        (
            _e(INDICATOR_WORDS.get(t["indicator"], (t["indicator"],))[0]),
            _e(
                {"improving": "Improving", "worsening": "Worsening", "stable": "Stable"}.get(
                    t["direction"], t["direction"]
                )
            ),
            _e(f"{t['first_pct']:.1f}%" if isinstance(t.get("first_pct"), float) else "c"),
            _e(f"{t['last_pct']:.1f}%" if isinstance(t.get("last_pct"), float) else "c"),
        )
        for t in k.trend.rows()
        if t["exclusion"] == "none"
    ]

    st = list(lb.status(cohort, as_of=as_of, policy=policy).rows())
    lo, hi, sym = policy.suppression_range

    def small(n: int) -> bool:
        return suppress and lo <= n <= hi

    bands = ["under_5", "5_to_16", "17_plus"]
    status_rows = []
    for b in bands:
        mine = [r for r in st if r["age_band"] == b and r["status"] in _STATUS_WORDS]
        counts = [sum(r["status"] == s for r in mine) for s in _STATUS_WORDS]
        shown = [sym if small(n) else str(n) for n in counts]
        # A hidden cell hides its row's total too, or the total less the others would give it.
        total = sym if small(len(mine)) or sym in shown else str(len(mine))
        status_rows.append((_AGE_WORDS[b], *shown, total))
    overdue_now = sum(r["status"] == "overdue" for r in st)
    overdue_words = (
        f"{sym} children are"
        if small(overdue_now)
        else f"{overdue_now:,} {'child is' if overdue_now == 1 else 'children are'}"
    )

    eq = lb.equality(cohort, as_of=as_of, policy=policy)
    eq_rows = [
        (
            _e({"uasc": "UASC", "age_band": "Age band"}.get(r["characteristic"], r["characteristic"].capitalize())),
            _e(r["group"]),
            _e("" if r["children"] is None else r["children"]),
            _e("" if r["overdue_pct"] is None else f"{r['overdue_pct']:.0f}%"),
            _e("" if r["urgent_pct"] is None else f"{r['urgent_pct']:.0f}%"),
            _e("" if r["face_to_face_pct"] is None else f"{r['face_to_face_pct']:.0f}%"),
        )
        for r in eq.rows()
        if r["suppressed"] == "no"
    ]
    eq_notes = [n for r in eq.rows() for n in (r["note"] or "").split(" | ") if n]

    options = ""
    if scenarios is not None:
        res = lb.simulate(cohort, scenarios, as_of=as_of, runs=runs, policy=policy)
        cmp = res.compare()
        options = (
            "<section><h2>Options</h2><p>What each option would do, from "
            f"{_e(res.runs)} simulated runs of {_e(res.weeks)} weeks (medians; docs/simulation.md).</p>"
            + _table(["", *cmp.options], [(_e(m), *map(_e, v)) for m, v in cmp.measures])
            + "</section>"
        )

    wl = lb.triage(cohort, as_of=as_of, policy=policy)
    comp = [
        (_e(r["signal"].replace("_", " ")), _e(r["known"]), _e(r["unknown"]), _e(f"{r['unknown_pct']:.0f}%"))
        for r in wl.completeness().rows()
    ]
    counts = [
        (_e(os.path.basename(str(r["file"]))), _e(r["rows_read"]), _e(r["rows_accepted"]), _e(r["rows_rejected"]))
        for r in cohort.row_counts().rows()
    ]
    stale = lb.stale_data(cohort, as_of=as_of, policy=policy)
    if stale:
        notes.append(stale)
    quality = (
        "<section><h2>Data quality and completeness</h2>"
        + ("".join(f'<p class="note">{_e(n)}</p>' for n in notes) or "<p>No warning about the data.</p>")
        + (_table(["File", "Rows read", "Accepted", "Rejected"], counts) if counts else "")
        + f"<p>{len(cohort.warnings)} warning(s) when the data were read.</p>"
        + "<p>How complete the need signals are over the children on the worklist (an unknown signal is never read as no):</p>"
        + _table(["Signal", "Known", "Not known", "Not known (%)"], comp)
        + "</section>"
    )
    page = f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}: board report, {_uk(as_of)}</title>
<style>{_CSS}</style></head>
<body><main>
<h1>{_e(title)}</h1>
<p class="meta">Board report as of {_uk(as_of)}. Made by lac-backlog {_e(lb.__version__)}.
{f"Counts from {lo} to {hi} are shown as {sym} (disclosure control), so this page is fit to share." if suppress else "Not suppressed: for the care team only."}</p>
<section><h2>Headline</h2><div class="headline">{"".join(cards)}</div>
<p>{overdue_words} overdue for a health assessment today.</p></section>
<section><h2>Twelve months</h2>{"".join(charts)}
{_table(["Indicator", "Direction", "First month", "Last month"], trend_rows)}</section>
<section><h2>Status by age band</h2>{_table(["Age band", *_STATUS_WORDS.values(), "Children"], status_rows)}</section>
{by_council}
{options}
<section><h2>Equality impact</h2><p>Whether the backlog or the triage falls harder on any group (groups under
{_e(policy.equality_min_group_size)} children are left out). A difference is a prompt to look, not a finding.</p>
{_table(["Characteristic", "Group", "Children", "Overdue", "Priority 1 or 2", "Face to face (of those listed)"], eq_rows)}
{"".join(f'<p class="note">{_e(n)}</p>' for n in eq_notes) or "<p>No group differs from the rest by more than the threshold.</p>"}</section>
{quality}
<section><h2>Definitions</h2><dl>{"".join(defs)}</dl>
<p>RAG: green at or better than the target, amber at or better than the floor, red below it. Months are month ends.</p></section>
</main></body></html>
"""
    return Report(page, headline, as_of)
