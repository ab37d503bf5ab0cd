"""Writing a result table as an Excel workbook (for nurses who work in Excel), with openpyxl."""

from __future__ import annotations

import datetime as _dt
import os
import tempfile
from ._results import Table

__all__ = ["write_xlsx", "ExcelUnavailable"]


class ExcelUnavailable(RuntimeError):
    """openpyxl is not installed."""


def write_xlsx(table: Table, path: "str | os.PathLike[str]", sheet: str = "worklist") -> None:
    """Write ``table`` to ``path`` as .xlsx: a header row (bold, frozen, filterable), dates as
    dates. Written whole or not at all (a temporary file in the same folder, then renamed)."""
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
    ws.append(cols)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i in range(len(table)):
        ws.append([data[c][i] for c in cols])
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
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".xlsx.tmp", dir=folder)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise

