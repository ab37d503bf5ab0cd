"""The package's own exceptions. The native module raises these from typed Rust errors."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

__all__ = ["LacBacklogError", "DataError", "PolicyError", "Problem"]


_NO_FACTS: Mapping[str, Any] = MappingProxyType({})


class Problem(NamedTuple):
    """One problem with the input data: where it is and what is wrong.

    ``line`` is the line of the file (the header is line 1); ``value`` is cut to 100 characters.
    ``problem`` says what is wrong in words, for people; a program reads ``kind`` (a stable
    code such as ``"duplicate_child_id"``) and ``facts`` (what the sentence quotes, by name:
    ``{"also_on_lines": [7]}``), never the sentence. docs/bad-input.md lists every kind.
    """

    severity: str
    file: str
    line: int | None
    column: str | None
    value: str
    problem: str
    kind: str = ""
    facts: Mapping[str, Any] = _NO_FACTS

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column {self.column}"
        return f"{self.severity}: {where}, value {self.value!r}: {self.problem}"


class LacBacklogError(Exception):
    """Base class of every error the package raises on purpose."""


class DataError(LacBacklogError, ValueError):
    """The input data has errors. ``problems`` lists every error, ``warnings`` every warning."""

    problems: list[Problem]
    warnings: list[Problem]

    def __init__(self, message: str, problems: object = (), warnings: object = ()) -> None:
        super().__init__(message)
        self.problems = [p if isinstance(p, Problem) else Problem(*p) for p in problems]  # type: ignore[attr-defined]
        self.warnings = [p if isinstance(p, Problem) else Problem(*p) for p in warnings]  # type: ignore[attr-defined]


class PolicyError(LacBacklogError, ValueError):
    """The policy (a TOML file or settings) is not valid."""


class LacBacklogWarning(UserWarning):
    """Base class of the package's warnings."""


class OverrideWarning(LacBacklogWarning):
    """A clinician's override that should be looked at: one with no decided_on date, or one
    below a safeguard (a less intensive format than a face-to-face rule requires, or an IHA
    below the IHA lane). The override is applied all the same: clinicians decide."""
