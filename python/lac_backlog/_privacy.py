"""Privacy: pseudonymised exports and problem messages without values (docs/privacy.md).

A *pseudonymised* table is one meant to leave the care team: every ``child_id`` becomes a keyed
hash (HMAC-SHA256 with a secret key the care team keeps, the same id and key always giving the
same pseudonym), every date of birth becomes its month, and free text a clinician typed (the
reason of an override) is withheld. *Hidden values* are for problem messages whose reader need
not see the data: each problem keeps its file, line, column and what is wrong, and loses the
value.

Every choice is a module constant below, and docs/privacy.md names each one.
"""

from __future__ import annotations

import datetime as _dt
import hmac
import os
from typing import Any, Union

from . import _native
from ._exceptions import LacBacklogError, Problem
from ._files import MAX_KEY_FILE_BYTES, FileProblem, read_bounded

__all__ = [
    "DOB_MONTH_FORM",
    "HIDDEN_VALUE",
    "KEY_ENV",
    "MIN_KEY_BYTES",
    "OVERRIDE_REASON_WITHHELD",
    "PSEUDONYM_HEX_CHARS",
    "PSEUDONYM_PREFIX",
    "PseudonymKey",
    "PseudonymKeyError",
    "as_key",
    "hide_problem",
    "key_record",
]

#: The environment variable that may hold the key (the alternative to a key file).
KEY_ENV = "LAC_BACKLOG_PSEUDONYMISE_KEY"
#: The shortest key accepted, in bytes (256 bits, the size of an HMAC-SHA256 block's output):
#: 64 hexadecimal characters from ``secrets.token_hex(32)`` are 64 bytes, comfortably above it.
MIN_KEY_BYTES = 32
#: A pseudonym is this prefix followed by hexadecimal digits. The prefix says what the value is,
#: and keeps spreadsheets from reading an all-digit or ``1e5``-like pseudonym as a number.
PSEUDONYM_PREFIX = "ps_"
#: How many hexadecimal digits of HMAC-SHA256(key, child_id) a pseudonym keeps: 20 digits are
#: 80 bits, so two of even ten million children share a pseudonym with odds below 1 in 10^10.
PSEUDONYM_HEX_CHARS = 20
#: What a date of birth becomes: its year and month, ``YYYY-MM``. Deliberately not a date (the
#: first of the month would be mistaken for a real date of birth and give wrong ages).
DOB_MONTH_FORM = "YYYY-MM"
#: What replaces a value with ``--hide-values`` (and a date of birth that is not a date).
HIDDEN_VALUE = "[hidden]"
#: What replaces the free-text reason of a clinician's override in a pseudonymised export (who
#: decided and when stay; the reason may name people or places).
OVERRIDE_REASON_WITHHELD = "[reason withheld]"


class PseudonymKeyError(LacBacklogError, ValueError):
    """No usable pseudonymisation key: missing, unreadable, empty or too short."""


KeyLike = Union["PseudonymKey", bytes, str]


class PseudonymKey:
    """A secret key for pseudonymising child ids (HMAC-SHA256). Never shown: its ``repr`` and
    manifests give only :attr:`fingerprint`, and it cannot be pickled.

    >>> key = PseudonymKey("correct horse battery staple, and more to be long")
    >>> key.pseudonym("0017")
    'ps_...'
    >>> key.pseudonym("0017") == PseudonymKey("correct horse battery staple, and more to be long").pseudonym("0017")
    True
    """

    __slots__ = ("_key", "source")

    def __init__(self, key: bytes | str, source: str = "given") -> None:
        raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
        raw = raw.strip()
        if not raw:
            raise PseudonymKeyError(f"the pseudonymisation key ({source}) is empty")
        if len(raw) < MIN_KEY_BYTES:
            raise PseudonymKeyError(
                f"the pseudonymisation key ({source}) is {len(raw)} bytes; at least {MIN_KEY_BYTES} are needed "
                '(make one with: python -c "import secrets; print(secrets.token_hex(32))")'
            )
        self._key = raw
        #: Where the key came from (a file path, the environment variable, or "given"); never the key.
        self.source = source

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> PseudonymKey:
        """The key in a file (``~`` expands to the home folder): its bytes, without surrounding
        whitespace such as a final newline."""
        p = os.path.expanduser(os.fspath(path))
        try:
            data = read_bounded(p, "the key file", MAX_KEY_FILE_BYTES)
        except OSError as e:
            raise PseudonymKeyError(f"cannot read the key file {p}: {e.strerror or e}") from None
        except FileProblem as e:
            raise PseudonymKeyError(str(e)) from None
        return cls(data, source=f"file {p}")

    @classmethod
    def from_env(cls, name: str = KEY_ENV) -> PseudonymKey | None:
        """The key in the environment variable ``name``, or None when it is not set. A variable
        that is set but empty is an error (it was meant to hold a key)."""
        value = os.environ.get(name)
        if value is None:
            return None
        return cls(value, source=f"environment variable {name}")

    def pseudonym(self, child_id: str) -> str:
        """The pseudonym of ``child_id``: the prefix and the first hex digits of
        HMAC-SHA256(key, child_id as UTF-8), the id taken exactly as given."""
        return _native.pseudonym(self._key, str(child_id))

    @property
    def fingerprint(self) -> str:
        """HMAC-SHA256(key, a fixed label) in hex: names the key in manifests, reveals nothing."""
        return _native.key_fingerprint(self._key)

    def __repr__(self) -> str:
        return f"PseudonymKey(fingerprint {self.fingerprint[:16]}..., from {self.source})"

    def __reduce__(self) -> Any:
        raise TypeError("a PseudonymKey is never pickled or copied to disk")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PseudonymKey) and hmac.compare_digest(self._key, other._key)

    def __hash__(self) -> int:
        return hash(self.fingerprint)


def as_key(key: KeyLike) -> PseudonymKey:
    """A PseudonymKey from a key, bytes or text."""
    if isinstance(key, PseudonymKey):
        return key
    if isinstance(key, (bytes, bytearray, str)):
        return PseudonymKey(key)
    raise TypeError(f"key must be a lac_backlog.PseudonymKey, bytes or str, not {type(key).__name__}")


def dob_month(value: Any) -> str | None:
    """A date of birth reduced to ``YYYY-MM`` (a date, or text as YYYY-MM-DD or DD/MM/YYYY);
    anything else that is not blank becomes HIDDEN_VALUE."""
    if value is None:
        return None
    if isinstance(value, _dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    return _native.dob_month(str(value))


def reduce_birth_dates(text: str) -> str:
    """Text with every date that follows a mention of birth (up to the closing bracket) reduced
    to its month: "on or after the 18th birthday (2022-01-09)" -> "... (2022-01)"."""
    return _native.reduce_birth_dates(text)


def hide_problem(p: Problem) -> Problem:
    """The problem with its value masked (HIDDEN_VALUE; a blank stays blank, and a header cell
    on line 1 is a column name, not data, so it stays), and with dates and the value masked in
    the text of the problem."""
    value, problem = _native.hidden_problem(p.line, p.value, p.problem)
    # Date facts are masked as the core's Problem::values_hidden masks them.
    facts = {k: HIDDEN_VALUE if isinstance(v, _dt.date) else v for k, v in p.facts.items()}
    return p._replace(value=value, problem=problem, facts=facts)


def key_record(k: PseudonymKey) -> dict[str, Any]:
    return {
        "method": "HMAC-SHA256",
        "key_fingerprint": k.fingerprint,
        "pseudonym": f"{PSEUDONYM_PREFIX} + first {PSEUDONYM_HEX_CHARS} hex digits",
        "date_of_birth": DOB_MONTH_FORM,
        "override_reason": OVERRIDE_REASON_WITHHELD,
    }
