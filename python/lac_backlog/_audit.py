"""Audit: what produced a result, as a manifest (docs/audit.md).

Every result table carries ``.manifest``: the library version, the call and its arguments,
as_of, the policy in full and its SHA-256, the SHA-256 and size of every input, rows in per
input table, rows out and the SHA-256 of the table's CSV. The command line writes the same,
with the command needed to re-run it, beside every output file as ``OUT.manifest.json``, and
``lac-backlog verify MANIFEST`` re-runs it and compares.

Every input file is hashed from the very bytes that were used (:class:`ReadSource`): the
children, assessments, 903, policy and overrides files by the Rust core as it read them, the
closures and scenario files by Python from the bytes it gave the core; a cohort built from
DataFrames is identified by the SHA-256 of the canonical CSV that
``Cohort.to_csv`` writes for it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Union

from . import _native
from ._files import TEMP_PREFIX

# A result table and a cohort, as this module uses them: their classes (in _results and the
# package) import this module, so it names them only by what it reads from them.
Table = Any
Cohort = Any

__all__ = [
    "MANIFEST_SUFFIX",
    "MANIFEST_VERSION",
    "Provenance",
    "attach",
    "read_manifest",
    "sha256_file",
    "table_manifest",
    "write_manifest",
]

#: The version of the manifest's layout (a reader checks it before trusting the fields).
MANIFEST_VERSION = 1
#: The sidecar of output ``OUT`` is ``OUT`` followed by this.
MANIFEST_SUFFIX = ".manifest.json"
#: The tool named in every manifest.
TOOL = "lac-backlog"
#: How a cohort that came from DataFrames (no file) is identified.
CANONICAL_CSV = "SHA-256 of the canonical CSV that Cohort.to_csv writes"
#: Bytes read at a time when hashing a file.
_HASH_CHUNK = 1 << 20

PathLike = Union[str, "os.PathLike[str]"]


def sha256_file(path: PathLike) -> tuple[str, int]:
    """(SHA-256 in hex, size in bytes) of a file."""
    h = hashlib.sha256()
    n = 0
    with open(path, "rb") as f:
        while True:
            chunk = f.read(_HASH_CHUNK)
            if not chunk:
                break
            h.update(chunk)
            n += len(chunk)
    return h.hexdigest(), n


def sha256_bytes(data: bytes) -> tuple[str, int]:
    return hashlib.sha256(data).hexdigest(), len(data)


# --- Inputs ---------------------------------------------------------------------------------


class Source:
    """One input of a result; ``describe()`` gives its manifest entries (computed once)."""

    __slots__ = ("_described",)

    def __init__(self) -> None:
        self._described: list[dict[str, Any]] | None = None

    def describe(self) -> list[dict[str, Any]]:
        if self._described is None:
            self._described = self._describe()
        return copy.deepcopy(self._described)

    def _describe(self) -> list[dict[str, Any]]:  # pragma: no cover - abstract
        raise NotImplementedError


def folder_files(path: str) -> list[str]:
    """The regular files directly in a folder, by name (what a 903 reader may read)."""
    return sorted(n for n in os.listdir(path) if os.path.isfile(os.path.join(path, n)))


class BytesSource(Source):
    """An input given as Python objects (overrides as records, scenarios as dicts), identified
    by the SHA-256 of the text it was turned into."""

    __slots__ = ("role", "data", "identified_by")

    def __init__(self, role: str, data: bytes, identified_by: str) -> None:
        super().__init__()
        self.role = role
        self.data = data
        self.identified_by = identified_by

    def _describe(self) -> list[dict[str, Any]]:
        sha, n = sha256_bytes(self.data)
        return [
            {"role": self.role, "kind": "in_memory", "identified_by": self.identified_by, "sha256": sha, "bytes": n}
        ]


class SyntheticSource(Source):
    """A synthetic council: the generator's parameters reproduce it exactly."""

    __slots__ = ("parameters", "role", "function")

    def __init__(
        self, parameters: dict[str, Any], role: str = "cohort", function: str = "lac_backlog.synthetic_cohort"
    ) -> None:
        super().__init__()
        self.parameters = _jsonable(parameters)
        self.role = role
        self.function = function

    def _describe(self) -> list[dict[str, Any]]:
        return [{"role": self.role, "kind": "synthetic", "function": self.function, "parameters": self.parameters}]


class MemoryCohortSource(Source):
    """A cohort with no file behind it (from DataFrames): the SHA-256 of its canonical CSV,
    written by Cohort.to_csv to a temporary folder when first asked for."""

    __slots__ = ("cohort",)

    def __init__(self, cohort: Cohort) -> None:
        super().__init__()
        self.cohort = cohort

    def _describe(self) -> list[dict[str, Any]]:
        with tempfile.TemporaryDirectory(prefix="lac-backlog-manifest-") as tmp:
            c, a = os.path.join(tmp, "children.csv"), os.path.join(tmp, "assessments.csv")
            self.cohort.to_csv(c, a)
            out = []
            for role, path in (("children", c), ("assessments", a)):
                sha, n = sha256_file(path)
                out.append(
                    {"role": role, "kind": "in_memory", "identified_by": CANONICAL_CSV, "sha256": sha, "bytes": n}
                )
        return out


class ReadSource(Source):
    """The files a reader read, as it read them: role, path, size and the SHA-256 of the very
    bytes read (recorded by the Rust core), so a file changed after reading is recorded as it
    was used. The files of a 903 folder that were read are listed under the folder."""

    __slots__ = ("records",)

    def __init__(self, records: list[tuple[str, str, int, str]]) -> None:
        super().__init__()
        self.records = list(records)

    def _describe(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        folders: dict[str, dict[str, Any]] = {}
        for role, path, size, sha in self.records:
            if role == "ssda903":
                folder = os.path.dirname(path)
                entry = folders.get(folder)
                if entry is None:
                    entry = {
                        "role": role,
                        "kind": "folder",
                        "path": folder,
                        "abspath": os.path.abspath(folder),
                        "files": [],
                    }
                    folders[folder] = entry
                    out.append(entry)
                entry["files"].append({"name": os.path.basename(path), "sha256": sha, "bytes": size})
            else:
                out.append(
                    {
                        "role": role,
                        "kind": "file",
                        "path": path,
                        "abspath": os.path.abspath(path),
                        "sha256": sha,
                        "bytes": size,
                    }
                )
        return out


def read_sources(records: list[tuple[str, str, int, str]]) -> list[Source]:
    """The sources of what a reader read (:class:`ReadSource`)."""
    return [ReadSource(records)]


def recorded_source(role: str, record: tuple[str, int, str] | None) -> list[Source]:
    """A file the Rust core read, as it read it ((path, bytes, SHA-256) from its record)."""
    if record is None:
        return []
    path, size, sha = record
    return [ReadSource([(role, path, size, sha)])]


def bytes_read_source(role: str, path: PathLike, data: bytes) -> Source:
    """A file Python read (closures, scenarios), hashed from the very bytes it used."""
    sha, n = sha256_bytes(data)
    return ReadSource([(role, os.fspath(path), n, sha)])


def synthetic_sources(**parameters: Any) -> list[Source]:
    return [SyntheticSource(parameters)]


def cohort_sources(cohort: Cohort | None) -> list[Source]:
    if cohort is None:
        return []
    recorded: list[Source] | None = getattr(cohort, "_source", None)
    return list(recorded) if recorded else [MemoryCohortSource(cohort)]


def cohort_rows_in(cohort: Cohort) -> list[dict[str, Any]]:
    """Rows read, accepted and rejected per input table; for a cohort with no file, its rows."""
    rows = [dict(r) for r in cohort.row_counts().rows()]
    if rows:
        return rows
    return [{"table": "children", "rows": len(cohort)}, {"table": "assessments", "rows": cohort.n_assessments}]


def overrides_sources(overrides: Any, record: tuple[str, int, str] | None) -> list[Source]:
    """Overrides as the file the core read (its ``record``), or as records identified by the
    SHA-256 of their JSON."""
    if record is not None:
        return recorded_source("overrides", record)
    if hasattr(overrides, "to_pylist"):
        records = overrides.to_pylist()
    elif hasattr(overrides, "to_dicts"):
        records = overrides.to_dicts()
    elif hasattr(overrides, "to_dict") and hasattr(overrides, "columns"):
        records = overrides.to_dict(orient="records")
    else:
        records = [dict(r) for r in overrides]
    return [BytesSource("overrides", _canonical_json(records), "SHA-256 of the records as canonical JSON")]


def scenarios_source(scenarios: Any, text: str, data: bytes | None = None) -> Source:
    """Scenarios from a file (hashed from ``data``, the bytes read), or as the text given to the core."""
    if data is not None:
        return bytes_read_source("scenarios", scenarios, data)
    return BytesSource("scenarios", text.encode("utf-8"), "SHA-256 of the scenarios as the text given to the core")


# --- Provenance and manifests ---------------------------------------------------------------


class Provenance:
    """What produced a table: the call, its inputs (as read), rows in, and
    what was done for privacy."""

    __slots__ = ("function", "arguments", "sources", "_rows_in", "privacy")

    def __init__(
        self,
        function: str,
        arguments: dict[str, Any],
        sources: Sequence[Source] = (),
        rows_in: None | list[dict[str, Any]] | Callable[[], list[dict[str, Any]]] = None,
        privacy: dict[str, Any] | None = None,
    ) -> None:
        self.function = function
        self.arguments = _jsonable(arguments)
        self.sources = list(sources)
        self._rows_in = rows_in
        self.privacy = dict(privacy or {})

    def inputs(self) -> list[dict[str, Any]]:
        return [e for s in self.sources for e in s.describe()]

    def rows_in(self) -> list[dict[str, Any]]:
        if callable(self._rows_in):
            self._rows_in = self._rows_in()
        return copy.deepcopy(self._rows_in or [])

    def with_privacy(self, privacy: dict[str, Any]) -> Provenance:
        p = Provenance(self.function, {}, self.sources, self._rows_in, {**self.privacy, **privacy})
        p.arguments = self.arguments
        return p


def attach(
    table: Table,
    function: str,
    arguments: dict[str, Any],
    *,
    cohort: Cohort | None = None,
    sources: Sequence[Source] = (),
    rows_in: None | list[dict[str, Any]] | Callable[[], list[dict[str, Any]]] = None,
    parts: Iterable[Table | None] = (),
) -> None:
    """Record on ``table`` (and on its ``parts``: trend, forecast, trajectory) what produced it."""
    if rows_in is None and cohort is not None:
        c = cohort
        rows_in = lambda: cohort_rows_in(c)  # noqa: E731 - computed when first asked for
    prov = Provenance(f"lac_backlog.{function}", arguments, cohort_sources(cohort) + list(sources), rows_in)
    table._provenance = prov
    for part in parts:
        if part is not None:
            part._provenance = prov


def policy_section(policy: Any) -> dict[str, Any] | None:
    if policy is None:
        return None
    text: str = policy.to_toml()
    return {"sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "toml": text}


def privacy_section(privacy: dict[str, Any]) -> dict[str, Any]:
    return {"pseudonymised": privacy.get("pseudonymised"), "hide_values": bool(privacy.get("hide_values", False))}


def empty_manifest() -> dict[str, Any]:
    """The fields of a manifest with nothing recorded yet."""
    return {
        "manifest_version": MANIFEST_VERSION,
        "tool": TOOL,
        "version": _native.__version__,
        "output": None,
        "call": None,
        "as_of": None,
        "policy": None,
        "inputs": [],
        "rows_in": [],
        "privacy": privacy_section({}),
    }


def build_manifest(
    *,
    output: dict[str, Any] | None,
    call: dict[str, Any] | None,
    as_of: str | None,
    policy: dict[str, Any] | None,
    inputs: list[dict[str, Any]],
    rows_in: list[dict[str, Any]],
    privacy: dict[str, Any],
    command: dict[str, Any] | None = None,
    exit_status: int | None = None,
) -> dict[str, Any]:
    """A manifest, in its one field order: the one builder the Python API (``.manifest``) and
    the command line (``OUT.manifest.json``, which adds the command and its exit status) use."""
    m: dict[str, Any] = {
        "manifest_version": MANIFEST_VERSION,
        "tool": TOOL,
        "version": _native.__version__,
        "output": output,
    }
    if command is not None:
        m["command"] = command
    m.update({"call": call, "as_of": as_of, "policy": policy, "inputs": inputs, "rows_in": rows_in, "privacy": privacy})
    if exit_status is not None:
        m["exit_status"] = exit_status
    return m


def table_manifest(table: Table, output: bool = True) -> dict[str, Any]:
    """The manifest of a result table (see the module docstring); with ``output=False`` the
    output section is left empty (the command line fills it from the file it wrote)."""
    prov = table._provenance or Provenance("lac_backlog.Table", {})
    out: dict[str, Any] | None = None
    if output:
        sha, n = sha256_bytes((table.to_csv() or "").encode("utf-8"))
        out = {
            "kind": table.kind,
            "format": "csv",
            "rows": len(table),
            "columns": table.csv_columns,
            "sha256": sha,
            "bytes": n,
        }
    return build_manifest(
        output=out,
        call={"function": prov.function, "arguments": copy.deepcopy(prov.arguments)},
        as_of=None if table.as_of is None else table.as_of.isoformat(),
        policy=policy_section(table.policy),
        inputs=prov.inputs(),
        rows_in=prov.rows_in(),
        privacy=privacy_section(prov.privacy),
    )


def manifest_text(manifest: dict[str, Any]) -> str:
    """The manifest as JSON: keys in a fixed order, two-space indent, a final newline, so the
    same run always gives the same bytes."""
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def manifest_path(output: PathLike) -> str:
    return os.fspath(output) + MANIFEST_SUFFIX


def write_text_atomic(path: PathLike, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: a temporary file in the same folder,
    synced, then renamed over the target (removed if anything fails)."""
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def write_manifest(output: PathLike, manifest: dict[str, Any]) -> str:
    """Write ``OUT.manifest.json`` beside ``output``, whole or not at all. Returns its path."""
    target = manifest_path(output)
    write_text_atomic(target, manifest_text(manifest))
    return target


def read_manifest(path: PathLike) -> dict[str, Any]:
    """A manifest file, checked to be one (ValueError otherwise)."""
    with open(path, encoding="utf-8") as f:
        try:
            m = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f"{os.fspath(path)} is not JSON: {e}") from None
    if not isinstance(m, dict) or m.get("tool") != TOOL or "manifest_version" not in m:
        raise ValueError(f"{os.fspath(path)} is not a lac-backlog manifest")
    if m["manifest_version"] != MANIFEST_VERSION:
        raise ValueError(
            f"{os.fspath(path)} has manifest version {m['manifest_version']}; this version reads {MANIFEST_VERSION}"
        )
    return m


def check_inputs(inputs: list[dict[str, Any]]) -> list[str]:
    """What differs between the recorded inputs and the files now: one line per difference."""
    diffs: list[str] = []
    for entry in inputs:
        kind = entry.get("kind")
        where = str(entry.get("abspath") or entry.get("path") or "")
        role = entry.get("role", "input")
        if kind == "file":
            try:
                sha, n = sha256_file(where)
            except OSError as e:
                diffs.append(f"input {role} {where} cannot be read now: {e.strerror or e}")
                continue
            if sha != entry.get("sha256"):
                diffs.append(
                    f"input {role} {where} has changed (SHA-256 was {entry.get('sha256')}, now {sha}; "
                    f"{entry.get('bytes')} bytes then, {n} now)"
                )
        elif kind == "folder":
            try:
                names = folder_files(where)
            except OSError as e:
                diffs.append(f"input {role} folder {where} cannot be read now: {e.strerror or e}")
                continue
            recorded = {f["name"]: f for f in entry.get("files", [])}
            for name in sorted(set(recorded) - set(names)):
                diffs.append(f"input {role} {os.path.join(where, name)} is gone")
            # A new file the reader would read (a table) matters; others (a README) do not.
            for name in sorted(set(_native.ssda903_files_read(names)) - set(recorded)):
                diffs.append(f"input {role} {os.path.join(where, name)} is new in the folder")
            for name in sorted(set(names) & set(recorded)):
                sha, _ = sha256_file(os.path.join(where, name))
                if sha != recorded[name].get("sha256"):
                    diffs.append(
                        f"input {role} {os.path.join(where, name)} has changed "
                        f"(SHA-256 was {recorded[name].get('sha256')}, now {sha})"
                    )
    return diffs


def _canonical_json(obj: Any) -> bytes:
    return json.dumps(_jsonable(obj), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _jsonable(obj: Any) -> Any:
    """Plain JSON values: dates as ISO text, paths as text, NaN as null."""
    import datetime as _dt

    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (_dt.date, _dt.datetime)):
        return obj.isoformat()
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if isinstance(obj, float) and obj != obj:
        return None
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if hasattr(obj, "item"):  # numpy scalars
        return _jsonable(obj.item())
    return str(obj)
