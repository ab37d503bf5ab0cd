"""Writing a result table as an Excel workbook (for nurses who work in Excel), with openpyxl."""

from __future__ import annotations

import datetime as _dt
import os
import re
import tempfile
import zipfile
from typing import Any

from ._files import TEMP_PREFIX

# The result table (lac_backlog._results.Table, which imports this module when asked for
# .xlsx): what is read of it is its columns, rows as a dict of lists and its length.
Table = Any

__all__ = ["write_xlsx", "write_worklist_xlsx", "write_team_xlsx", "ExcelUnavailable", "XLSX_TIMESTAMP", "TIER_FILLS"]

#: The time written into every workbook (its document properties and each part of the zip), in
#: place of the time of writing, so the same table always gives the same bytes (docs/audit.md).
XLSX_TIMESTAMP = _dt.datetime(2000, 1, 1, 0, 0, 0)
_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


class ExcelUnavailable(RuntimeError):
    """openpyxl is not installed."""


#: Characters an .xlsx file cannot hold (XML 1.0 forbids them): control characters other than
#: tab, line feed and carriage return.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: What an illegal character becomes.
REPLACEMENT = "\ufffd"


def safe_text(value: str) -> tuple[str, bool]:
    """Text an .xlsx cell can hold: each control character replaced by U+FFFD, and whether any
    was."""
    fixed = _ILLEGAL.sub(REPLACEMENT, value)
    return fixed, fixed != value


def write_xlsx(table: Table, path: str | os.PathLike[str], sheet: str = "worklist") -> int:
    """Write ``table`` to ``path`` as .xlsx: a header row (bold, frozen, filterable), dates as
    dates, every text cell stored as text, never a formula (a child_id or reason starting with
    ``=`` stays the text it is). Written whole or not at all (a temporary file in the same
    folder, then renamed). Returns how many cells had control characters, which .xlsx cannot
    hold, replaced by U+FFFD (the caller says so)."""
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
    except ImportError:  # pragma: no cover - exercised only without openpyxl
        raise ExcelUnavailable("writing .xlsx needs openpyxl: pip install 'lac-backlog[excel]'") from None
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    data = table.to_dict()
    cols = table.columns
    replaced = 0

    def row_of(values: list[object]) -> list[object]:
        nonlocal replaced
        out: list[object] = []
        for v in values:
            if isinstance(v, str):
                v, changed = safe_text(v)
                replaced += changed
            out.append(v)
        return out

    def as_text(r: int, values: list[object]) -> None:
        # openpyxl stores a string starting with "=" as a formula: make each such cell text.
        for j, v in enumerate(values, start=1):
            if isinstance(v, str) and v.startswith("="):
                ws.cell(row=r, column=j).data_type = "s"

    header = row_of(list(cols))
    ws.append(header)
    as_text(1, header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i in range(len(table)):
        values = row_of([data[c][i] for c in cols])
        ws.append(values)
        as_text(i + 2, values)
    for j, c in enumerate(cols, start=1):
        letter = get_column_letter(j)
        width = max([len(c)] + [len(str(data[c][i] or "")) for i in range(min(len(table), 200))])
        ws.column_dimensions[letter].width = min(max(width + 2, 8), 80)
        if any(isinstance(v, _dt.date) for v in data[c]):
            for cell in ws[letter][1:]:
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    _save(wb, path)
    return replaced


def _save(wb: Any, path: str | os.PathLike[str]) -> None:
    """Save whole or not at all (a temporary file in the same folder, then renamed), with fixed
    times so the same table gives the same bytes."""
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        wb.save(tmp)
        _fix_times(tmp)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


#: Fill colours of the tiers, most urgent first (light shades, so black text stays readable when
#: printed); a policy with more tiers reuses the last.
TIER_FILLS = ["F4CCCC", "FCE5CD", "FFF2CC", "D9EAD3", "CFE2F3", "EAD1DC"]
#: The nurse's workbook's date columns, shown dd/mm/yyyy even when empty (for what is typed in).
_DATE_COLUMNS = (
    "Book by",
    "Due date",
    "Date of birth",
    "Last assessment",
    "Override on",
    "Booked on",
    "Due on",
    "Done on",
)
#: Column widths (characters) of the nurse's workbook; others fit their content up to 30.
_WIDTHS = {
    "Reasons": 70,
    "Override reason": 40,
    "Notes": 30,
    "Red flags": 24,
    "Assessment": 26,
    "Why": 60,
    "Action": 36,
}


def write_worklist_xlsx(table: Table, path: str | os.PathLike[str], about: dict[str, Any]) -> int:
    """The nurse's workbook: the worklist sheet (plain-English headers, bold, frozen and
    filterable; dates as dd/mm/yyyy; each row filled with its tier's colour; reasons wrapped in
    a readable width; A4 landscape, fitted to the page width, the header row repeated on every
    printed page) and an "About" sheet (as of, version, policy and its SHA-256, inputs and their
    SHA-256, privacy, and each tier's colour and meaning). Text is always text, never a formula.
    Returns how many cells had control characters replaced by U+FFFD."""
    try:
        from openpyxl import Workbook
        from openpyxl.styles import PatternFill
    except ImportError:  # pragma: no cover - exercised only without openpyxl
        raise ExcelUnavailable("writing .xlsx needs openpyxl: pip install 'lac-backlog[excel]'") from None
    wb = Workbook()
    ws = wb.active
    ws.title = "Worklist"
    cols = table.columns
    tiers: list[tuple[str, int, int]] = about.get("tiers", [])
    fills = {
        name: PatternFill("solid", fgColor=TIER_FILLS[min(i, len(TIER_FILLS) - 1)])
        for i, (name, _, _) in enumerate(tiers)
    }
    tier_col = cols.index("Priority") if "Priority" in cols else None
    replaced = _people_sheet(
        ws, table, lambda values: fills.get(str(values[tier_col])) if tier_col is not None else None
    )

    sheet = wb.create_sheet("About")
    as_of = about.get("as_of")
    lines: list[tuple[str, str]] = [
        ("Health assessment worklist", ""),
        ("As of", f"{as_of:%d/%m/%Y}" if isinstance(as_of, _dt.date) else ""),
        ("Children listed", str(about.get("rows", len(table)))),
    ]
    lines += _provenance_lines(about)
    lines += [
        ("", ""),
        (
            "How to use it",
            "Book each child by the 'Book by' date (never later than the statutory due date or "
            "the day before the 18th birthday); write the date booked in 'Booked on' and anything else in 'Notes'. "
            "'Reasons' says why the child is where they are.",
        ),
        ("", ""),
        ("Priority", "What it means"),
    ]
    start = len(lines) + 1
    for name, days, score in tiers:
        why = f"a score of {score} or more, or a rule that raises it" if score > 0 else "every other child listed"
        lines.append((name, f"book within {days} days ({why})"))
    _about_sheet(sheet, lines, ("Priority", "How to use it"))
    for r, (name, _, _) in enumerate(tiers, start=start):
        sheet.cell(row=r, column=1).fill = fills[name]
    _save(wb, path)
    return replaced


def _people_sheet(ws: Any, table: Table, fill_of: Any) -> int:
    """Fill ``ws`` with ``table`` for people: a bold grey header (frozen with the first two
    columns, filterable), text always text (never a formula), dates dd/mm/yyyy (also in empty
    date columns, for what is typed in), wide columns wrapped, each row filled with
    ``fill_of(values)`` (None: no fill), A4 landscape fitted to the page width with the header
    repeated on every page. Returns how many cells had control characters replaced."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    data = table.to_dict()
    cols = table.columns
    replaced = 0

    def put_row(r: int, values: list[object]) -> None:
        nonlocal replaced
        for j, v in enumerate(values, start=1):
            if isinstance(v, str):
                v, changed = safe_text(v)
                replaced += changed
            cell = ws.cell(row=r, column=j, value=v)
            if isinstance(v, str) and v.startswith("="):
                cell.data_type = "s"  # text, never a formula

    put_row(1, list(cols))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
    for i in range(len(table)):
        values = [data[c][i] for c in cols]
        put_row(i + 2, values)
        fill = fill_of(values)
        for j, c in enumerate(cols, start=1):
            cell = ws.cell(row=i + 2, column=j)
            cell.alignment = Alignment(wrap_text=c in _WIDTHS, vertical="top")
            if fill is not None:
                cell.fill = fill
    for j, c in enumerate(cols, start=1):
        letter = get_column_letter(j)
        if c in _WIDTHS:
            width = _WIDTHS[c]
        else:
            width = min(max([len(c)] + [len(_shown(data[c][i])) for i in range(min(len(table), 200))]) + 2, 30)
        ws.column_dimensions[letter].width = max(width, 8)
        if any(isinstance(v, _dt.date) for v in data[c]) or c in _DATE_COLUMNS:
            for cell in ws[letter][1:]:
                cell.number_format = "dd/mm/yyyy"
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = ws.dimensions
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.oddFooter.center.text = "Page &P of &N"
    return replaced


def _about_sheet(sheet: Any, lines: list[tuple[str, str]], bold: tuple[str, ...]) -> None:
    """Two columns of what a workbook says about itself; the first line and ``bold`` keys bold."""
    from openpyxl.styles import Alignment, Font

    for r, (k, v) in enumerate(lines, start=1):
        a = sheet.cell(row=r, column=1, value=safe_text(k)[0])
        b = sheet.cell(row=r, column=2, value=safe_text(v)[0])
        for cell in (a, b):
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
        b.alignment = Alignment(wrap_text=True, vertical="top")
        if r == 1 or k in bold:
            a.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 100


def _provenance_lines(about: dict[str, Any]) -> list[tuple[str, str]]:
    """Made by, policy and inputs with their SHA-256, privacy: from :func:`about_of`."""
    lines = [
        ("Made by", f"lac-backlog {about.get('version', '')}"),
        ("Policy", f"{about.get('policy', '')} (SHA-256 {about.get('policy_sha256', '')})"),
    ]
    for role, where, sha in about.get("inputs", []):
        lines.append((f"Input: {role}", f"{where} (SHA-256 {sha})" if sha else where))
    privacy = about.get("privacy") or {}
    if privacy.get("pseudonymised"):
        lines.append(("Privacy", "pseudonymised: child IDs are keyed hashes, dates of birth their month"))
    return lines


def write_team_xlsx(sheets: list[tuple[str, Table]], path: str | os.PathLike[str], about: dict[str, Any]) -> int:
    """A provider team's weekly workbook (docs/pathway.md): one sheet a section (overdue, due in
    the next weeks, waiting on others), laid out as the nurse's worklist (plain-English headers,
    dd/mm/yyyy, text never a formula, A4 landscape with the header on every page; overdue rows
    filled light red), and an "About" sheet (the provider, as of, the count in each section,
    version, policy and inputs with their SHA-256, privacy, how to use it). Written whole or not
    at all; returns how many cells had control characters replaced (0 normally)."""
    try:
        from openpyxl import Workbook
        from openpyxl.styles import PatternFill
    except ImportError:  # pragma: no cover - exercised only without openpyxl
        raise ExcelUnavailable("writing .xlsx needs openpyxl: pip install 'lac-backlog[excel]'") from None
    wb = Workbook()
    late = PatternFill("solid", fgColor=TIER_FILLS[0])
    replaced = 0
    for k, (title, table) in enumerate(sheets):
        ws = wb.active if k == 0 else wb.create_sheet()
        ws.title = title[:31]
        overdue = k == 0
        replaced += _people_sheet(ws, table, lambda values, overdue=overdue: late if overdue else None)
    as_of = about.get("as_of")
    lines: list[tuple[str, str]] = [
        (f"Weekly actions: {about.get('provider', '')}", ""),
        ("As of", f"{as_of:%d/%m/%Y}" if isinstance(as_of, _dt.date) else ""),
    ]
    lines += [(title, f"{len(table)} actions") for title, table in sheets]
    lines += _provenance_lines(about)
    lines += [
        ("", ""),
        (
            "How to use it",
            f"'Overdue' and 'Due in the next {about.get('weeks', 8)} weeks' are this team's own actions (and escalations of its late ones to "
            "the designated nurse); 'Waiting on others' are the council's steps for this team's children, to chase. "
            "Write the date done in 'Done on' and record it as an event so next week's list knows.",
        ),
    ]
    _about_sheet(wb.create_sheet("About"), lines, ("How to use it",))
    _save(wb, path)
    return replaced


def _shown(v: object) -> str:
    if isinstance(v, _dt.date):
        return "dd/mm/yyyy"
    return "" if v is None else str(v)


def _fix_times(path: str) -> None:
    """Rewrite the workbook with XLSX_TIMESTAMP as the time of every part and of the document's
    created and modified properties (openpyxl writes the time of saving)."""
    with zipfile.ZipFile(path) as z:
        parts = [(info, z.read(info.filename)) for info in z.infolist()]
    stamp = XLSX_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = _CORE_TIMES.sub(lambda m: m.group(1) + stamp + m.group(2), data)
            fixed = zipfile.ZipInfo(info.filename, date_time=XLSX_TIMESTAMP.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            z.writestr(fixed, data)
