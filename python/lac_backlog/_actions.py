"""The pathway's actions as people receive them (docs/pathway.md): the whole list, and each
provider team's weekly file (CSV codes with a section column, or a workbook in words)."""

from __future__ import annotations

import datetime as _dt
import os
import re

from . import _native
from ._privacy import KeyLike
from ._results import Table, about_of, pseudonymise

#: The file of children with no provider recorded.
NOT_RECORDED = "provider_not_recorded"
#: A provider's file name is cut to this many characters (file systems allow 255 bytes).
STEM_MAX = 80


def _plain_stem(provider: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", provider).strip("_.")[:STEM_MAX]


def file_stems(providers: list[str | None]) -> dict[str | None, str]:
    """Each provider's file name: its name with letters, digits, ``.``, ``_`` and ``-`` kept
    (other runs become one ``_``, cut to 80 characters), ``provider_not_recorded`` for children
    with none. Where two names would give the same file (``Trust One`` and ``Trust_One``, or
    names differing only in case, or a provider called ``provider_not_recorded``), or a name
    gives none, each such file gets the first 8 hex digits of its name's SHA-256, so no team's
    list lands in another's file."""
    import hashlib

    plain = {p: (_plain_stem(p) if p is not None else NOT_RECORDED) for p in providers}
    seen: dict[str, int] = {}
    for p, s in plain.items():
        seen[s.casefold()] = seen.get(s.casefold(), 0) + 1
    out: dict[str | None, str] = {}
    for p, s in plain.items():
        if p is not None and (not s or seen[s.casefold()] > 1):
            s = f"{s or 'provider'}-{hashlib.sha256(p.encode('utf-8')).hexdigest()[:8]}"
        out[p] = s
    return out


class Actions(Table):
    """The actions table (``child_id, action, owner, provider, due_on, days_late, step,
    reason``), most urgent first, with ``turned_18_overdue`` (young people who turned 18 in the
    year to as_of with an assessment overdue), ``not_checked`` (follow-up checks the data did
    not allow), and each provider team's file (:meth:`team_table`, :meth:`team_to_excel`)."""

    __slots__ = ("_actions", "weeks")

    def __init__(self, native: _native.Actions, as_of: _dt.date, policy: _native.Policy, weeks: int) -> None:
        super().__init__(native.table(), "actions", as_of, policy)
        self._actions = native
        self.weeks = weeks

    @property
    def turned_18_overdue(self) -> int:
        return self._actions.turned_18_overdue

    @property
    def not_checked(self) -> list[str]:
        return list(self._actions.not_checked)

    @property
    def left_without_summary(self) -> int:
        return self._actions.left_without_summary

    def providers(self) -> list[str | None]:
        """The providers the cohort names, sorted; None (not recorded) last when a child has
        none. Every one gets its file, empty when it has nothing to do this week."""
        return self._actions.providers()

    def summary(self) -> list[str]:
        """What the list says, in sentences: actions late, escalated and due; the young people
        who turned 18 still overdue; the checks not made."""
        days = self.column("days_late")
        steps = self.column("step")
        late = sum(1 for d, s in zip(days, steps) if d is not None and d > 0 and s != "escalation")
        escalated = steps.count("escalation")
        due = sum(1 for d, s in zip(days, steps) if d is not None and d <= 0 and s != "escalation")
        d = self.as_of.strftime("%d/%m/%Y") if self.as_of else ""
        out = [
            f"At {d}: {late} actions late, {escalated} escalated, {due} due in the next {self.weeks} weeks.",
            f"{self.turned_18_overdue} young people turned 18 in the 12 months to {d} with a health assessment overdue; "
            f"{self.left_without_summary} left care without a health summary recorded.",
        ]
        return out + [s[0].upper() + s[1:] + "." for s in self.not_checked]

    def team_table(self, provider: str | None) -> Table:
        """One provider team's file as CSV codes: the rows of its children (None: children with
        no provider recorded), each with its ``section``: ``overdue`` and ``due`` (the team's
        own), ``waiting_on_others`` (the council's steps for its children)."""
        out = Table(self._actions.team_table(provider), "actions_team", self.as_of, self.policy)
        out._provenance = self._provenance
        return out

    def team_to_excel(self, provider: str | None, path: str | os.PathLike[str], *, key: KeyLike | None = None) -> int:
        """One provider team's workbook, in the nurse's format: sheets "Overdue", "Due in the next
        N weeks" and "Waiting on others" in words with UK dates, and an "About" sheet. With
        ``key``, child ids are keyed hashes and dates of birth months (as
        :func:`lac_backlog.pseudonymise`). Written whole or not at all; returns how many cells
        had control characters replaced."""
        from ._excel import write_team_xlsx

        sheets = []
        for title, t in self._actions.team_sheets(provider, self.weeks):
            table = Table(t, "actions_workbook", self.as_of, self.policy)
            sheets.append((title, table if key is None else pseudonymise(table, key)))
        about = about_of(self, [])
        about["provider"] = provider or "children with no provider recorded"
        about["weeks"] = self.weeks
        if key is not None:
            about["privacy"] = {"pseudonymised": True}
        return write_team_xlsx(sheets, path, about)
