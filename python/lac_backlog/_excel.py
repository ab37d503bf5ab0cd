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

__all__ = ["write_xlsx", "ExcelUnavailable", "XLSX_TIMESTAMP"]

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
    return replaced


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
