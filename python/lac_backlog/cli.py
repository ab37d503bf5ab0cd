"""The ``lac-backlog`` command line, over the same API as Python users get.

Exit status: 0 success; 1 the input data has errors (each on standard error; no output file
written); 2 wrong usage (bad arguments, a file that cannot be opened, an invalid policy).
``verify`` exits 0 when a manifest is confirmed, 1 when something differs, 2 on wrong usage.

Every output file gets a manifest beside it (``OUT.manifest.json``, docs/audit.md);
``--pseudonymise-key-file`` (or the environment variable LAC_BACKLOG_PSEUDONYMISE_KEY)
pseudonymises child-level exports and ``--hide-values`` keeps data values out of problem
messages (docs/privacy.md).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as _dt
import io
import os
import signal
import sys
import tempfile
import threading
import warnings
from collections import Counter
from collections.abc import Sequence
from typing import Any, NoReturn

import lac_backlog as lb

from . import _audit, _native
from ._actions import file_stems
from ._files import MAX_KEY_FILE_BYTES, FileProblem, decode_text, make_temp, read_bounded, same_file
from ._privacy import KEY_ENV, PseudonymKey, PseudonymKeyError, hide_problem
from ._results import hide_values

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
DEMO_AS_OF = "2021-10-21"  # the day Hampshire's backlog report went to its Corporate Parenting Board
DEMO_CHILDREN = 1500
DEMO_SEED = 2021
DEMO_OVERDUE_SHARE = 0.40


class _UsageError(Exception):
    pass


# Options naming files the command reads (made absolute in a manifest's re-run command), and
# options naming files it writes (replaced by temporary files when `verify` re-runs it).
_INPUT_PATH_DESTS = frozenset(
    {
        "children",
        "assessments",
        "ssda903",
        "policy",
        "closures",
        "overrides",
        "scenarios",
        "events",
        "pseudonymise_key_file",
    }
)
_OUTPUT_DESTS = frozenset(
    {"out", "trajectory", "trend_out", "forecast_out", "out_dir", "completeness_out", "stages_out"}
)
# Options that change nothing in the output, left out of the re-run command.
_RERUN_SKIP_DESTS = frozenset({"help", "progress", "command", "manifest"})
# Commands whose output has a row per child, so pseudonymisation applies.
_CHILD_LEVEL_COMMANDS = frozenset({"status", "triage", "validate", "actions"})
_NO_KEY_ON_COMMAND_LINE = (
    "a pseudonymisation key is never taken on the command line (shell history and process lists would "
    f"keep it): put it in a file and give --pseudonymise-key-file PATH, or set {KEY_ENV}"
)
_SUBPARSERS: dict[str, argparse.ArgumentParser] = {}


class _RejectKey(argparse.Action):
    """An option that looks like it takes a key: refused, without repeating what followed it."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> NoReturn:
        parser.error(_NO_KEY_ON_COMMAND_LINE)


def _add_key_guard(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--pseudonymise-key", "--pseudonymize-key", "--key", nargs="?", action=_RejectKey, help=argparse.SUPPRESS
    )


def _add_privacy(p: argparse.ArgumentParser, pseudonymise: bool) -> None:
    if pseudonymise:
        p.add_argument(
            "--pseudonymise-key-file",
            metavar="PATH",
            help="pseudonymise the output for sharing beyond the care team: child_id becomes a keyed hash "
            f"(HMAC-SHA256 with the key in this file; or set {KEY_ENV}), dates of birth their month, "
            "override reasons withheld (docs/privacy.md)",
        )
    p.add_argument(
        "--hide-values",
        action="store_true",
        help="problem messages (and the problems table) give file, line and column but not the value",
    )


def _whole(lo: int, hi: int) -> Any:
    """An argparse type: a whole number from ``lo`` to ``hi`` (wrong usage otherwise, never a
    traceback further on)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text[:40]!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be from {lo:,} to {hi:,}, not {text[:40]}")
        return value

    return parse


def _share(text: str) -> float:
    """An argparse type: a share from 0 to below 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text[:40]!r}") from None
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"must be from 0 to below 1, not {text[:40]}")
    return value


def _number(lo: float, hi: float, hint: str = "") -> Any:
    """An argparse type: a finite number above ``lo`` and at most ``hi`` (``hint`` added to the
    message when it is not)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text[:40]!r}") from None
        if not lo < value <= hi:
            raise argparse.ArgumentTypeError(f"must be above {lo:g} and at most {hi:g}, not {text[:40]}{hint}")
        return value

    return parse


def _date_arg(text: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {text!r}") from None


def _add_inputs(p: argparse.ArgumentParser, lenient: bool = True, councils: bool = False) -> None:
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument(
        "--children", metavar="PATH", help="children CSV (docs/interface.md section 2); needs --assessments"
    )
    src.add_argument(
        "--ssda903", metavar="DIR", help="a DfE SSDA903 return folder (CSV tables or XML) instead of --children"
    )
    if councils:
        src.add_argument(
            "--councils",
            metavar="COUNCILS.toml",
            help="several councils (name and inputs each, docs/councils.md): a council column, the ICB's total",
        )
    p.add_argument("--assessments", metavar="PATH", help="assessments CSV (optional with --ssda903)")
    if lenient:
        p.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="carry on without the rows that have errors: each is reported on standard error, with the "
            "counts (rows read = accepted + skipped); a problem with a whole table still stops the run",
        )


def _check_inputs(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if (
        args.command in ("status", "triage", "validate", "kpi", "simulate", "capacity", "equality", "report", "actions")
        and args.children
        and not args.assessments
    ):
        parser.error("--children needs --assessments")


class _Run:
    """One run of the program: its arguments, the privacy settings, and what a manifest needs."""

    def __init__(self, argv: Sequence[str], args: argparse.Namespace) -> None:
        self.argv = list(argv)
        self.args = args
        self.hide_values: bool = bool(getattr(args, "hide_values", False))
        self.key: PseudonymKey | None = None
        self.key_record: dict[str, Any] | None = None
        self.as_of: _dt.date | None = None
        self.exit_status = EXIT_OK
        self.extra_sources: list[_audit.Source] = []
        self.policy: lb.Policy | None = None
        # (temporary file, final path) of every file written so far: renamed into place only
        # when the whole command has succeeded (commit), removed otherwise (discard).
        self.staged: list[tuple[str, str]] = []
        self.raw_csv: bool = bool(getattr(args, "raw_csv", False))

    def stage(self, final: str) -> str:
        """A new temporary file beside ``final`` to write it into."""
        tmp = make_temp(final)
        self.staged.append((tmp, final))
        return tmp

    def commit(self) -> None:
        """Every staged file into place: the outputs, then their manifests (each a rename in the
        same folder), so a run leaves all its outputs with their manifests or none of them."""
        for tmp, final in sorted(self.staged, key=lambda s: s[1].endswith(_audit.MANIFEST_SUFFIX)):
            os.replace(tmp, final)
        self.staged = []

    def discard(self) -> None:
        """Remove what a failed or interrupted run staged: no half output, no temporary file."""
        for tmp, _ in self.staged:
            with contextlib.suppress(OSError):
                os.remove(tmp)
        self.staged = []

    def load_key(self) -> None:
        """The pseudonymisation key from --pseudonymise-key-file or the environment, if any."""
        if self.args.command not in _CHILD_LEVEL_COMMANDS:
            return
        path = getattr(self.args, "pseudonymise_key_file", None)
        try:
            if path:
                try:
                    data = read_bounded(path, "the file given with --pseudonymise-key-file", MAX_KEY_FILE_BYTES)
                except FileProblem as e:
                    raise _UsageError(str(e)) from None
                except OSError as e:  # the path is not repeated: it might be a key typed by mistake
                    raise _UsageError(
                        f"cannot read the file given with --pseudonymise-key-file: {e.strerror or e}"
                    ) from None
                self.key = PseudonymKey(data, source="--pseudonymise-key-file")
                self.key_record = {"key_source": "file", "key_file": os.path.abspath(path)}
            else:
                self.key = PseudonymKey.from_env()
                if self.key is not None:
                    self.key_record = {"key_source": "environment", "key_variable": KEY_ENV}
        except PseudonymKeyError as e:
            raise _UsageError(str(e)) from None

    def print_problems(self, problems: Sequence[lb.Problem]) -> None:
        for p in problems:
            print(str(hide_problem(p) if self.hide_values else p), file=sys.stderr)

    def command_record(self) -> dict[str, Any]:
        """The command as given, and as `verify` re-runs it: paths absolute, the report date
        pinned, output options apart (verify points them at temporary files)."""
        args = self.args
        rerun: list[str] = []
        outputs: dict[str, str] = {}
        for action in _SUBPARSERS[args.command]._actions:
            if not action.option_strings or action.dest in _RERUN_SKIP_DESTS or isinstance(action, _RejectKey):
                continue
            option = next(o for o in action.option_strings if o.startswith("--"))
            value = getattr(args, action.dest, None)
            if action.dest in ("as_of", "year_end") and value is None:
                value = self.as_of
            if value is None or value is False:
                continue
            if action.dest in _OUTPUT_DESTS:
                outputs[option] = os.path.abspath(str(value))
            elif value is True:
                rerun.append(option)
            elif action.dest in _INPUT_PATH_DESTS and isinstance(value, str):
                rerun += [option, os.path.abspath(value)]
            else:
                rerun += [option, value.isoformat() if isinstance(value, _dt.date) else str(value)]
        return {"name": args.command, "argv": self.argv, "cwd": os.getcwd(), "rerun": rerun, "outputs": outputs}

    def manifest(
        self,
        out: str,
        written: str,
        option: str,
        table: lb.Table | None = None,
        *,
        kind: str,
        rows: int | None,
        columns: list[str] | None = None,
        file: str | None = None,
        base: dict[str, Any] | None = None,
    ) -> None:
        """Stage OUT.manifest.json for the output ``out``, whose bytes are in ``written``."""
        b = (
            base
            if base is not None
            else (_audit.table_manifest(table, output=False) if table is not None else _audit.empty_manifest())
        )
        sha, size = _audit.sha256_file(written)
        output: dict[str, Any] = {"option": option, "path": out, "abspath": os.path.abspath(out)}
        if file is not None:
            output["file"] = file
        output.update(
            {
                "format": "xlsx" if out.lower().endswith(".xlsx") else os.path.splitext(out)[1].lstrip(".") or "csv",
                "kind": kind,
                "rows": rows,
                "columns": columns,
                "sha256": sha,
                "bytes": size,
            }
        )
        privacy = {**_audit.privacy_section({}), **(b.get("privacy") or {})}
        if privacy.get("pseudonymised") and self.key_record:
            privacy["pseudonymised"] = {**privacy["pseudonymised"], **self.key_record}
        privacy["hide_values"] = self.hide_values
        if hasattr(self.args, "suppress"):
            privacy["suppressed"] = bool(self.args.suppress)
        inputs = list(b.get("inputs") or []) + [e for s in self.extra_sources for e in s.describe()]
        m = _audit.build_manifest(
            output=output,
            command=self.command_record(),
            call=b.get("call"),
            as_of=None if self.as_of is None else self.as_of.isoformat(),
            policy=b.get("policy") or _audit.policy_section(self.policy),
            inputs=inputs,
            rows_in=b.get("rows_in") or [],
            privacy=privacy,
            exit_status=self.exit_status,
        )
        with open(self.stage(_audit.manifest_path(out)), "w", encoding="utf-8", newline="") as f:
            f.write(_audit.manifest_text(m))

    def emit(self, table: lb.Table, out: str | None, option: str = "--out") -> None:
        """Write a result: pseudonymised if a key is given and the rows are children's, values
        hidden in a problems table with --hide-values; to the file (with its manifest) or to
        standard output (no manifest)."""
        tiers: list[tuple[str, int, int]] | None = None
        if out and out.lower().endswith(".xlsx") and isinstance(table, lb.Worklist):
            # The nurse's workbook: words, UK dates, tier colours, an "About" sheet.
            tiers = table.tiers()
            table = table.nurse_table()
        if self.key is not None and self.args.command in _CHILD_LEVEL_COMMANDS:
            table = table.pseudonymised(self.key)
        if self.hide_values and table.kind == "validation":
            table = hide_values(table)
        if self.as_of is None:
            self.as_of = table.as_of
        if not out:
            sys.stdout.write(table.to_csv(raw=self.raw_csv) or "")
            return
        written = self.stage(out)
        if out.lower().endswith(".xlsx"):
            from ._excel import ExcelUnavailable, write_worklist_xlsx, write_xlsx
            from ._results import about_of

            try:
                if tiers is not None:
                    replaced = write_worklist_xlsx(table, written, about_of(table, tiers))
                else:
                    replaced = write_xlsx(table, written)
            except ExcelUnavailable as e:
                raise _UsageError(str(e)) from None
            if replaced:
                print(
                    f"warning: {out}: {replaced} cell(s) held control characters, which Excel cannot hold; each was "
                    "replaced by \ufffd",
                    file=sys.stderr,
                )
        else:
            table.to_csv(written, raw=self.raw_csv)
        self.manifest(out, written, option, table, kind=table.kind, rows=len(table), columns=table.csv_columns)

    def emit_workbook(self, out: str, option: str, table: lb.Table, write: Any) -> None:
        """Write a workbook that ``write(path)`` builds (returning how many cells had control
        characters replaced), with the manifest of ``table``, the rows it holds."""
        from ._excel import ExcelUnavailable

        if self.as_of is None:
            self.as_of = table.as_of
        written = self.stage(out)
        try:
            replaced = write(written)
        except ExcelUnavailable as e:
            raise _UsageError(str(e)) from None
        if replaced:
            print(f"warning: {out}: {replaced} cell(s) held control characters; each was replaced", file=sys.stderr)
        self.manifest(out, written, option, table, kind=table.kind + "_workbook", rows=len(table), columns=None)


def _option_of(command: str, dest: str) -> str:
    action = next(a for a in _SUBPARSERS[command]._actions if a.dest == dest)
    return next(o for o in action.option_strings if o.startswith("--"))


def _planned_paths(args: argparse.Namespace) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(inputs, outputs) the command will read and write, each as (option, path); a 903 folder
    gives the folder itself; outputs include each manifest."""
    inputs = [
        (_option_of(args.command, d), str(getattr(args, d)))
        for d in sorted(_INPUT_PATH_DESTS)
        if isinstance(getattr(args, d, None), str)
    ]
    outputs: list[tuple[str, str]] = []
    for d in sorted(_OUTPUT_DESTS):
        value = getattr(args, d, None)
        if not isinstance(value, str) or not value:
            continue
        option = _option_of(args.command, d)
        if d == "out_dir":
            # synth writes these; actions one file a provider (checked as one in the folder).
            names = ("children.csv", "assessments.csv", "events.csv") if args.command == "synth" else ("provider.csv",)
            files = [os.path.join(value, n) for n in names]
        else:
            files = [value]
        for f in files:
            outputs += [(option, f), (option, _audit.manifest_path(f))]
    return inputs, outputs


def _refuse_input(opt: str, out: str, inputs: list[tuple[str, str]]) -> None:
    """Wrong usage if the output ``out`` is an input or inside an input folder."""
    for in_opt, src in inputs:
        if same_file(out, src):
            raise _UsageError(f"{opt} {out} is the input given with {in_opt}: an input is never overwritten")
        if os.path.isdir(src) and os.path.realpath(out).startswith(os.path.realpath(src) + os.sep):
            raise _UsageError(f"{opt} {out} is inside the input folder given with {in_opt}: write it elsewhere")


def _check_paths(args: argparse.Namespace) -> None:
    """Refuse, before anything is read or written, an output that is an input (compared by
    resolved path and by file identity) or inside an input folder, two outputs that are one
    file, an output that is a folder or in a folder that does not exist, and an output whose
    manifest's name would be too long for its folder."""
    inputs, outputs = _planned_paths(args)
    for i, (opt, out) in enumerate(outputs):
        _refuse_input(opt, out, inputs)
        for other_opt, other in outputs[:i]:
            if same_file(out, other):
                raise _UsageError(f"{opt} {out} and {other_opt} {other} are the same file: give each output its own")
        if os.path.isdir(out):
            raise _UsageError(f"{opt} {out} is a folder: give a file name")
        folder = os.path.dirname(os.path.abspath(out))
        if not (args.command in ("synth", "actions") and args.out_dir) and not os.path.isdir(folder):
            raise _UsageError(f"{opt} {out}: the folder {folder} does not exist")
        if os.path.isdir(folder):
            try:
                name_max = os.pathconf(folder, "PC_NAME_MAX")
            except (OSError, ValueError):
                name_max = 255
            if len(os.fsencode(os.path.basename(out))) > name_max:
                raise _UsageError(
                    f"{opt}: the file name {os.path.basename(out)[:60]}... is longer than this folder allows"
                )


def _load_councils(args: argparse.Namespace, run: _Run, policy: lb.Policy | None = None) -> Any:
    """The councils of --councils, each read as --children/--assessments or --ssda903 would be;
    the councils file itself is an input of the manifest."""
    from ._councils import Councils

    data = read_bounded(args.councils, "the councils file")
    run.extra_sources.append(_audit.bytes_read_source("councils", args.councils, data))
    councils = Councils.from_toml(
        args.councils, skip_bad_rows=bool(getattr(args, "skip_bad_rows", False)), policy=policy
    )
    for name, cohort in zip(councils.names, councils.cohorts):
        for p in cohort.warnings:
            print(f"{name}: {hide_problem(p) if run.hide_values else p}", file=sys.stderr)
    return councils


def _load_cohort(args: argparse.Namespace, run: _Run, policy: lb.Policy | None = None) -> lb.Cohort:
    """The cohort from --children/--assessments or --ssda903 (derived at --as-of, or at the
    return's year end when --as-of is not given, which then becomes the report date)."""
    skip = bool(getattr(args, "skip_bad_rows", False))
    if args.ssda903:
        cohort = lb.Cohort.from_ssda903(
            args.ssda903, args.assessments, as_of=args.as_of, skip_bad_rows=skip, policy=policy
        )
        if args.as_of is None:
            args.as_of = cohort.derived_at
        print(
            "note: a 903 return records only some need signals (disability as the category of need, a mother, youth "
            "justice, OC2 substance misuse): the rest are unknown for every child, never no (docs/ssda903.md)",
            file=sys.stderr,
        )
    else:
        cohort = lb.Cohort.from_csv(args.children, args.assessments, skip_bad_rows=skip, policy=policy)
    run.print_problems(cohort.warnings)
    if skip:
        run.print_problems(cohort.skipped)
        for row in cohort.row_counts().rows():
            print(
                f"lac-backlog: {row['file']}: {row['rows_read']} rows read = {row['rows_accepted']} accepted + "
                f"{row['rows_rejected']} skipped",
                file=sys.stderr,
            )
    if policy is not None:
        stale = lb.stale_data(cohort, as_of=args.as_of, policy=policy, hide_date=run.hide_values)
        if stale:
            print(f"warning: {stale}", file=sys.stderr)
    return cohort


def _add_common(p: argparse.ArgumentParser, out_help: str = "output CSV (default: standard output)") -> None:
    _add_date_and_policy(p)
    p.add_argument("--out", metavar="PATH", help=out_help)
    _add_raw_csv(p)


def _add_date_and_policy(
    p: argparse.ArgumentParser, as_of_help: str = "the date to report at (default: today)"
) -> None:
    """--as-of, --policy and --closures, as every command that applies the policy takes them."""
    p.add_argument("--as-of", type=_date_arg, default=None, metavar="YYYY-MM-DD", help=as_of_help)
    p.add_argument("--policy", metavar="PATH.toml", help="policy file (default: the built-in statutory policy)")
    p.add_argument(
        "--closures",
        metavar="PATH",
        help="file of extra non-working days, one YYYY-MM-DD date per line (local closures, new bank holidays)",
    )


def _add_raw_csv(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--raw-csv",
        action="store_true",
        help="write text cells as they are: by default a cell starting with = + - @ (which a spreadsheet runs as a "
        "formula) gets a leading ' (docs/bad-input.md); use only for files no person opens in a spreadsheet",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lac-backlog",
        description="Statutory health assessments for looked-after children in England.",
    )
    parser.add_argument("--version", action="version", version=f"lac-backlog {lb.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("status", help="every child's next assessment, due date and status")
    _add_inputs(p, councils=True)
    _add_common(p)
    _add_privacy(p, pseudonymise=True)

    p = sub.add_parser("triage", help="the worklist of children overdue or due soon: who first, and how")
    _add_inputs(p)
    _add_common(p, out_help="worklist file: .csv, or .xlsx for Excel (default: CSV on standard output)")
    p.add_argument(
        "--overrides",
        metavar="PATH",
        help="CSV of clinician decisions: child_id, tier and/or modality, reason, decided_by (optional decided_on)",
    )
    p.add_argument(
        "--completeness-out",
        metavar="PATH",
        help="write how complete the need signals are (signal, known, unknown, unknown_pct) over the listed children",
    )
    _add_privacy(p, pseudonymise=True)

    p = sub.add_parser("kpi", help="the indicators, with target, floor and RAG, at as_of or month by month")
    _add_inputs(p, councils=True)
    _add_common(p)
    p.add_argument(
        "--months", type=_whole(1, 120), metavar="N", help="a row set for each of the last N month ends (1 to 120)"
    )
    p.add_argument("--by", choices=["age_band", "locality", "provider"], help="add a group column and rows per group")
    p.add_argument(
        "--suppress",
        action="store_true",
        help="safe to share: no count from 1 to 5 can be read or worked out (shown as c)",
    )
    p.add_argument(
        "--trend-out", metavar="PATH", help="write the direction of travel (least-squares slope per series) here"
    )
    p.add_argument(
        "--forecast",
        type=_whole(0, 120),
        default=0,
        metavar="N",
        help="also forecast up_to_date for the next N month ends if nobody else is seen",
    )
    p.add_argument("--forecast-out", metavar="PATH", help="where to write the forecast (needed with --forecast)")
    p.add_argument(
        "--events",
        metavar="EVENTS.csv",
        help="the pathway's events: with --stages-out, the stage indicators (docs/pathway.md)",
    )
    p.add_argument(
        "--stages-out",
        metavar="PATH",
        help="write the stage indicators here: each step in time and its median days, by agency (needs --events)",
    )
    _add_privacy(p, pseudonymise=False)

    p = sub.add_parser("simulate", help="simulate backlog options week by week (Monte Carlo)")
    _add_inputs(p, councils=True)
    _add_common(p, out_help="summary CSV, one row per scenario (default: standard output)")
    p.add_argument("--scenarios", required=True, metavar="S.toml", help="scenario file (docs/interface.md section 6)")
    p.add_argument("--trajectory", metavar="PATH", help="also write the weekly trajectory (p10/p50/p90) here")
    p.add_argument("--runs", type=_whole(1, lb.MAX_RUNS), metavar="N", help="replications (default: the file's)")
    p.add_argument(
        "--weeks", type=_whole(1, lb.MAX_WEEKS), metavar="N", help="horizon in weeks, at most 520 (default: the file's)"
    )
    p.add_argument("--seed", type=_whole(0, lb.MAX_SEED), metavar="S", help="random seed (default: the file's)")
    p.add_argument("--progress", action="store_true", help="show a progress bar (needs tqdm)")
    _add_privacy(p, pseudonymise=False)

    p = sub.add_parser("actions", help="who must act today: each step of the pathway due or late, and escalations")
    _add_inputs(p)
    _add_common(p, out_help="actions CSV (default: standard output)")
    p.add_argument("--events", required=True, metavar="EVENTS.csv", help="the pathway's events (docs/pathway.md)")
    p.add_argument("--weeks", type=_whole(0, lb.MAX_WEEKS), default=8, metavar="N", help="look this far ahead (8)")
    p.add_argument(
        "--out-dir",
        metavar="DIR",
        help="one file a provider (what each team is sent: its overdue list, what is due in the next --weeks, "
        "and what it waits on from others), instead of one list",
    )
    p.add_argument(
        "--by",
        choices=["provider"],
        help="split the list by provider (with --out-dir; the only split, so also the default there)",
    )
    p.add_argument(
        "--format",
        choices=["csv", "xlsx"],
        default="csv",
        help="the provider files: csv (codes, with a section column) or xlsx (the nurse's workbook, in words)",
    )
    _add_privacy(p, pseudonymise=True)

    p = sub.add_parser("report", help="the board report: one self-contained HTML page (suppressed, fit to share)")
    _add_inputs(p, councils=True)
    _add_date_and_policy(p)
    p.add_argument("--out", required=True, metavar="PATH.html", help="the report (an HTML page)")
    p.add_argument("--scenarios", metavar="S.toml", help="add the options side by side (docs/simulation.md)")
    p.add_argument("--runs", type=_whole(1, lb.MAX_RUNS), default=200, metavar="N", help="simulated runs (200)")
    p.add_argument("--title", default="Health assessments for children in care", metavar="TEXT")
    p.add_argument(
        "--no-suppress", action="store_true", help="show counts from 1 to 5 (for the care team only, not to share)"
    )
    _add_privacy(p, pseudonymise=False)

    p = sub.add_parser(
        "equality", help="the equality impact: whether the backlog or the triage falls harder on any group of children"
    )
    _add_inputs(p)
    _add_common(p, out_help="equality table CSV (default: standard output)")
    _add_privacy(p, pseudonymise=False)

    p = sub.add_parser(
        "capacity", help="the weekly face-to-face capacity that clears the backlog by a date, or reaches a percentage"
    )
    _add_inputs(p)
    _add_date_and_policy(p, as_of_help="the date to start from (default: today)")
    p.add_argument("--scenarios", required=True, metavar="S.toml", help="scenario file (docs/simulation.md)")
    p.add_argument("--scenario", metavar="NAME", help="the option to start from (default: the file's first)")
    goal = p.add_mutually_exclusive_group(required=True)
    goal.add_argument(
        "--clear-by",
        type=_date_arg,
        metavar="YYYY-MM-DD",
        help="clear by this date: no child who can be seen more than the policy's grace weeks overdue",
    )
    goal.add_argument(
        "--target-up-to-date",
        type=_number(1, 100, " (a percentage: give 90 for 90 per cent)"),
        metavar="PCT",
        help="reach this percentage up to date (e.g. 90) at the end of --weeks",
    )
    p.add_argument(
        "--probability", type=_number(0, 1), default=0.9, metavar="P", help="share of runs that must meet it (0.9)"
    )
    p.add_argument("--runs", type=_whole(1, lb.MAX_RUNS), default=100, metavar="N", help="replications (100)")
    p.add_argument(
        "--weeks", type=_whole(1, lb.MAX_WEEKS), default=52, metavar="N", help="horizon of --target-up-to-date (52)"
    )
    p.add_argument("--seed", type=_whole(0, lb.MAX_SEED), default=7, metavar="S", help="random seed (7)")
    _add_privacy(p, pseudonymise=False)

    p = sub.add_parser("validate", help="check the input files (and the policy, if given) and list every problem")
    _add_inputs(p, lenient=False)
    _add_common(p, out_help="problems CSV (default: standard output)")
    _add_privacy(p, pseudonymise=True)

    p = sub.add_parser("oc2", help="the DfE OC2 table of a 903 return (health measures of the 12-month cohort)")
    p.add_argument("--ssda903", required=True, metavar="DIR", help="the 903 return folder (CSV tables or XML)")
    p.add_argument(
        "--year-end",
        type=_date_arg,
        metavar="YYYY-MM-DD",
        help="the year end (31 March; default: the one the return covers)",
    )
    p.add_argument(
        "--suppress", action="store_true", help="hide counts 1 to 5, and what would reveal them, as c (for publication)"
    )
    p.add_argument("--policy", metavar="PATH.toml")
    p.add_argument("--out", metavar="PATH", help="output CSV (default: standard output)")
    _add_raw_csv(p)
    _add_privacy(p, pseudonymise=False)

    p = sub.add_parser("synth", help="write a synthetic council: children.csv, assessments.csv and events.csv")
    p.add_argument(
        "--no-events",
        dest="events",
        action="store_false",
        help="do not write events.csv (the pathway's events; written up to 1,000,000 children)",
    )
    p.add_argument(
        "--children",
        type=_whole(1, lb.MAX_SYNTHETIC_CHILDREN),
        required=True,
        metavar="N",
        help="how many children (1 to 10,000,000)",
    )
    p.add_argument(
        "--seed",
        type=_whole(0, lb.MAX_SEED),
        default=1,
        metavar="S",
        help="random seed: the same seed gives the same council",
    )
    p.add_argument(
        "--as-of",
        type=_date_arg,
        default=None,
        metavar="YYYY-MM-DD",
        help="the date the council is drawn at (default: today)",
    )
    p.add_argument(
        "--out-dir",
        required=True,
        metavar="DIR",
        help="folder for children.csv and assessments.csv (created if needed)",
    )
    p.add_argument(
        "--overdue-share",
        type=_share,
        default=None,
        metavar="X",
        help="a council in trouble: this share (e.g. 0.4) of children needing an assessment are overdue",
    )

    p = sub.add_parser("demo", help="run the whole job on a built-in synthetic council and print what it found")
    p.add_argument("--as-of", type=_date_arg, default=_dt.date.fromisoformat(DEMO_AS_OF), metavar="YYYY-MM-DD")
    p.add_argument(
        "--children",
        type=_whole(1, lb.MAX_SYNTHETIC_CHILDREN),
        default=DEMO_CHILDREN,
        metavar="N",
        help="size of the synthetic council",
    )
    p.add_argument("--seed", type=_whole(0, lb.MAX_SEED), default=DEMO_SEED, metavar="S")
    p.add_argument("--overdue-share", type=_share, default=DEMO_OVERDUE_SHARE, metavar="X")
    p.add_argument("--top", type=_whole(0, 100_000), default=10, help="how many of the most overdue children to list")

    p = sub.add_parser("policy", help="print the policy in full as TOML (the built-in default, or --policy)")
    p.add_argument("--policy", metavar="PATH.toml")
    p.add_argument("--out", metavar="PATH")

    p = sub.add_parser("verify", help="re-run the command a manifest records and confirm the same output")
    p.add_argument("manifest", metavar="MANIFEST", help="an OUT.manifest.json written beside an output file")

    for name, p in sub.choices.items():
        _SUBPARSERS[name] = p
        _add_key_guard(p)
    return parser


def _load_policy(path: str | None, closures: str | None = None, run: _Run | None = None) -> lb.Policy:
    """The policy (with closures); with ``run``, each file is recorded as an input as read."""
    policy = lb.Policy.from_toml(path) if path else lb.Policy.default()
    if run is not None:
        run.extra_sources += _audit.recorded_source("policy", policy.source_record)
    if closures:
        data = read_bounded(closures, "the closures file")
        policy = policy.with_closures(_closure_dates(closures, data))
        if run is not None:
            run.extra_sources.append(_audit.bytes_read_source("closures", closures, data))
    return policy


def _closure_dates(path: str, data: bytes) -> list[_dt.date]:
    """The dates of a closures file's bytes (UTF-8 or Windows-1252, at most 1 MB). A line that is
    not a date is named by its number; its text is quoted only when it looks like a mistyped
    date, as the file may be another file given by mistake (a key)."""
    dates = []
    for n, raw in enumerate(decode_text(data).splitlines(), start=1):
        text = raw.split("#", 1)[0].strip().strip(",")
        if not text or text.lower() == "date":
            continue
        try:
            dates.append(_dt.date.fromisoformat(text))
        except ValueError:
            shown = f": {text!r}" if len(text) <= 12 and all(c in "0123456789-/. " for c in text) else ""
            raise _UsageError(f"{path}, line {n}: not a YYYY-MM-DD date{shown}") from None
    return dates


def _check_out(out: str | None) -> None:
    if out and out.lower().endswith(".xlsx"):
        raise _UsageError("xlsx output is not offered for this command; use a .csv path")


def _policy_inputs(args: argparse.Namespace, run: _Run) -> lb.Policy:
    """The policy (with closures), recording the files it came from as inputs."""
    policy = _load_policy(args.policy, getattr(args, "closures", None), run)
    run.policy = policy
    return policy


def _cmd_status(args: argparse.Namespace, run: _Run) -> int:
    _check_out(args.out)
    policy = _policy_inputs(args, run)
    if getattr(args, "councils", None):
        run.emit(_load_councils(args, run, policy).status(as_of=args.as_of, policy=policy), args.out)
        return EXIT_OK
    cohort = _load_cohort(args, run, policy)
    run.emit(lb.status(cohort, as_of=args.as_of, policy=policy), args.out)
    return EXIT_OK


def _cmd_actions(args: argparse.Namespace, run: _Run) -> int:
    _check_out(args.out)
    policy = _policy_inputs(args, run)
    cohort = _load_cohort(args, run, policy)
    if args.by and not args.out_dir:
        raise _UsageError("--by provider writes one file a provider: give --out-dir DIR")
    if args.format == "xlsx" and not args.out_dir:
        raise _UsageError("--format applies to the provider files: give --out-dir DIR (or --out x.xlsx for one list)")
    t = lb.actions(cohort, args.events, as_of=args.as_of, weeks=args.weeks, policy=policy)
    if args.out_dir:
        # One file a provider (and one for actions whose provider is not recorded): together,
        # exactly the whole list, each with its manifest.
        os.makedirs(args.out_dir, exist_ok=True)
        stems = file_stems(t.providers())
        paths = {p: os.path.join(args.out_dir, f"{s}.{args.format}") for p, s in stems.items()}
        # The files' names come from the data, so they are checked here, as _check_paths checks
        # the outputs it can name before reading.
        inputs, _ = _planned_paths(args)
        for path in paths.values():
            for out in (path, _audit.manifest_path(path)):
                _refuse_input("--out-dir", out, inputs)
        for provider, path in paths.items():
            team = t.team_table(provider)
            if args.format == "xlsx":
                shown = team if run.key is None else team.pseudonymised(run.key)
                run.emit_workbook(
                    path, "--out-dir", shown, lambda tmp, p=provider: t.team_to_excel(p, tmp, key=run.key)
                )
            else:
                run.emit(team, path, "--out-dir")
    else:
        run.emit(t, args.out)
    # What the list says, in words (to standard error when the CSV went to standard output).
    for line in t.summary():
        print(line, file=sys.stdout if (args.out or args.out_dir) else sys.stderr)
    return EXIT_OK


def _cmd_report(args: argparse.Namespace, run: _Run) -> int:
    if not args.out.lower().endswith((".html", ".htm")):
        raise _UsageError("the report is one HTML page: give --out with a .html name (board.html)")
    policy = _policy_inputs(args, run)
    councils = _load_councils(args, run, policy) if getattr(args, "councils", None) else None
    cohort = councils.merged() if councils is not None else _load_cohort(args, run, policy)
    scenarios = None
    if args.scenarios:
        data = read_bounded(args.scenarios, "the scenario file")
        run.extra_sources.append(_audit.bytes_read_source("scenarios", args.scenarios, data))
        scenarios = decode_text(data)
    rep = lb.report(
        cohort,
        as_of=args.as_of,
        policy=policy,
        scenarios=scenarios,
        title=args.title,
        suppress=not args.no_suppress,
        runs=args.runs,
        councils=councils,
    )
    written = run.stage(args.out)
    rep.write(written)
    base = _audit.table_manifest(lb.status(cohort, as_of=rep.as_of, policy=policy), output=False)
    base["call"] = {
        "function": "lac_backlog.report",
        "arguments": {"as_of": rep.as_of.isoformat(), "suppress": not args.no_suppress, "runs": args.runs},
    }
    run.as_of = rep.as_of
    run.manifest(args.out, written, "--out", kind="report", rows=None, columns=None, base=base)
    print(f"wrote the board report to {args.out}", file=sys.stderr)
    return EXIT_OK


def _cmd_equality(args: argparse.Namespace, run: _Run) -> int:
    _check_out(args.out)
    policy = _policy_inputs(args, run)
    cohort = _load_cohort(args, run, policy)
    t = lb.equality(cohort, as_of=args.as_of, policy=policy)
    run.emit(t, args.out)
    notes = [n for note in t.column("note") if note for n in note.split(" | ")]
    said = "\n".join(notes) if notes else "No group differs from the rest by more than the policy's threshold."
    print(said, file=sys.stdout if args.out else sys.stderr)
    return EXIT_OK


def _cmd_triage(args: argparse.Namespace, run: _Run) -> int:
    policy = _policy_inputs(args, run)
    cohort = _load_cohort(args, run, policy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lb.OverrideWarning)  # printed below, with the file's name
        wl = lb.triage(cohort, as_of=args.as_of, policy=policy, overrides=args.overrides)
    if args.overrides:
        for message in wl.override_warnings(args.overrides):
            print(f"warning: {message}", file=sys.stderr)
    completeness = wl.completeness()
    print_completeness(completeness, policy, len(wl))
    for child_id, line in wl.unapplied_overrides:
        shown = run.key.pseudonym(child_id) if run.key is not None else child_id
        print(
            f"warning: {args.overrides}, line {line}: override for child "
            f"{'[hidden]' if run.hide_values else shown} not applied: not overdue or due soon on this date",
            file=sys.stderr,
        )
    run.emit(wl, args.out)
    if args.completeness_out:
        run.emit(completeness, args.completeness_out, "--completeness-out")
    return EXIT_OK


def print_completeness(table: lb.Table, policy: lb.Policy, listed: int, file: Any = None) -> None:
    """On standard error (or ``file``): for each need signal, how many listed children have it
    unknown, and a warning for each unknown for more than the policy's share."""
    out = sys.stderr if file is None else file
    share = policy.need_unknown_warn_share
    rows = list(table.rows())
    parts = [f"{r['signal']} {r['unknown']}" for r in rows if r["unknown"]]
    if not parts:
        print(f"need signals: all recorded for the {listed} listed children", file=out)
        return
    print(
        f"need signals not recorded (of {listed} listed children; sdq_score of those aged 4-16): " + ", ".join(parts),
        file=out,
    )
    for r in rows:
        pct = r["unknown_pct"]
        if pct is not None and pct > 100 * share:
            print(
                f"warning: {r['signal']} is not recorded for {pct:.1f}% of the listed children (over "
                f"{100 * share:g}%, policy data.need_unknown_warn_share): their need is unknown, never low, and they "
                "get no questionnaire; record it",
                file=out,
            )


def _cmd_kpi(args: argparse.Namespace, run: _Run) -> int:
    _check_out(args.out)
    if args.forecast and not args.forecast_out:
        raise _UsageError("--forecast needs --forecast-out PATH")
    if bool(args.events) != bool(args.stages_out):
        raise _UsageError("the stage indicators need both --events EVENTS.csv and --stages-out PATH")
    policy = _policy_inputs(args, run)
    if getattr(args, "councils", None):
        if args.by or args.forecast or args.events:
            raise _UsageError("with --councils the table is by council: --by, --forecast and --events are not offered")
        k = _load_councils(args, run, policy).kpis(
            as_of=args.as_of, months=args.months, suppress=args.suppress, policy=policy
        )
        run.emit(k, args.out)
        if args.trend_out:
            run.emit(k.trend, args.trend_out, "--trend-out")
        return EXIT_OK
    cohort = _load_cohort(args, run, policy)
    try:
        k = lb.kpis(
            cohort,
            as_of=args.as_of,
            months=args.months,
            by=args.by,
            suppress=args.suppress,
            forecast=args.forecast,
            policy=policy,
        )
    except ValueError as e:
        raise _UsageError(str(e)) from None
    run.emit(k, args.out)
    if args.trend_out:
        run.emit(k.trend, args.trend_out, "--trend-out")
    if k.forecast is not None and args.forecast_out:
        run.emit(k.forecast, args.forecast_out, "--forecast-out")
    if args.events:
        by = "provider" if args.by == "provider" else None
        st = lb.stages(cohort, args.events, as_of=args.as_of, by=by, suppress=args.suppress, policy=policy)
        run.emit(st, args.stages_out, "--stages-out")
    return EXIT_OK


def _cmd_simulate(args: argparse.Namespace, run: _Run) -> int:
    _check_out(args.out)
    policy = _policy_inputs(args, run)
    if getattr(args, "councils", None):
        t = _load_councils(args, run, policy).simulate(
            args.scenarios, as_of=args.as_of, weeks=args.weeks, runs=args.runs, seed=args.seed, policy=policy
        )
        run.emit(t, args.out)
        return EXIT_OK
    cohort = _load_cohort(args, run, policy)
    res = lb.simulate(
        cohort,
        args.scenarios,
        as_of=args.as_of,
        weeks=args.weeks,
        runs=args.runs,
        seed=args.seed,
        policy=policy,
        progress=args.progress,
    )
    run.emit(res, args.out)
    if args.trajectory:
        run.emit(res.trajectory, args.trajectory, "--trajectory")
    # The options side by side, in words (to standard error when the CSV went to standard output).
    print(res.compare().text(), file=sys.stdout if args.out else sys.stderr)
    return EXIT_OK


def _cmd_capacity(args: argparse.Namespace, run: _Run) -> int:
    policy = _policy_inputs(args, run)
    cohort = _load_cohort(args, run, policy)
    res = lb.capacity_needed(
        cohort,
        clear_by=args.clear_by,
        target_up_to_date=args.target_up_to_date,
        scenarios=args.scenarios,
        scenario=args.scenario,
        probability=args.probability,
        as_of=args.as_of,
        weeks=args.weeks,
        runs=args.runs,
        seed=args.seed,
        policy=policy,
    )
    print(res.text())
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace, run: _Run) -> int:
    _check_out(args.out)
    _policy_inputs(args, run)  # a bad policy or closures file is reported too (exit 2)
    if args.ssda903:
        v = lb.validate(assessments=args.assessments, ssda903=args.ssda903, year_end=args.as_of)
    else:
        v = lb.validate(args.children, args.assessments)
    run.exit_status = EXIT_OK if v.ok else EXIT_DATA
    run.emit(v.problems, args.out)
    for row in v.row_counts.rows():
        print(
            f"{row['file']}: {row['rows_read']} rows read, {row['rows_accepted']} accepted, "
            f"{row['rows_rejected']} rejected",
            file=sys.stderr,
        )
    print(f"{v.n_errors} error(s), {v.n_warnings} warning(s)", file=sys.stderr)
    return run.exit_status


def _cmd_oc2(args: argparse.Namespace, run: _Run) -> int:
    _check_out(args.out)
    policy = _policy_inputs(args, run)
    year_end = args.year_end
    if year_end is None:
        year_end = lb.Cohort.from_ssda903(args.ssda903).derived_at
    run.emit(lb.oc2(args.ssda903, year_end=year_end, suppress=args.suppress, policy=policy), args.out)
    return EXIT_OK


def _cmd_policy(args: argparse.Namespace, run: _Run) -> int:
    policy = _policy_inputs(args, run)
    text = policy.to_toml()
    if args.out:
        written = run.stage(args.out)
        with open(written, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        run.manifest(
            args.out,
            written,
            "--out",
            kind="policy",
            rows=None,
            base={"call": None, "policy": _audit.policy_section(policy), "inputs": [], "rows_in": []},
        )
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _synthetic(args: argparse.Namespace) -> lb.Cohort:
    """The synthetic council the arguments ask for (a bad size or share is wrong usage)."""
    try:
        return lb.synthetic_cohort(args.children, args.seed, args.as_of, overdue_share=args.overdue_share)
    except ValueError as e:
        raise _UsageError(str(e)) from None


def _cmd_synth(args: argparse.Namespace, run: _Run) -> int:
    if args.as_of is None:
        args.as_of = _dt.date.today()  # pinned, so that the manifest's command re-runs the same day
    run.as_of = args.as_of
    cohort = _synthetic(args)
    os.makedirs(args.out_dir, exist_ok=True)
    events = _synthetic_events(args, cohort)
    files = {"children.csv": len(cohort), "assessments.csv": cohort.n_assessments}
    if events is not None:
        files["events.csv"] = len(events)
    paths = [os.path.join(args.out_dir, name) for name in files]
    written = [run.stage(path) for path in paths]
    cohort.to_csv(*written[:2])
    if events is not None:
        events.table().to_csv(written[2])
    base = {
        "call": None,
        "policy": None,
        "inputs": [e for s in cohort._source or [] for e in s.describe()],
        "rows_in": [],
    }
    for (name, rows), path, tmp in zip(files.items(), paths, written):
        with open(tmp, encoding="utf-8", newline="") as f:
            header = next(csv.reader(f), [])
        run.manifest(
            path,
            tmp,
            "--out-dir",
            kind="synthetic_" + name.split(".")[0],
            rows=rows,
            columns=header,
            file=name,
            base=base,
        )
    print(
        f"wrote {len(cohort):,} children and {cohort.n_assessments:,} assessment records"
        + ("" if events is None else f" and {len(events):,} pathway events")
        + f" to {args.out_dir}",
        file=sys.stderr,
    )
    return EXIT_OK


#: synth writes events.csv up to this many children (beyond, the events would take more memory
#: than the council: a gigabyte at 10 million).
SYNTH_EVENTS_MAX_CHILDREN = 1_000_000


def _synthetic_events(args: argparse.Namespace, cohort: lb.Cohort) -> lb.Events | None:
    """The synthetic council's pathway events, unless --no-events or the council is too large
    (said)."""
    if not args.events:
        return None
    if len(cohort) > SYNTH_EVENTS_MAX_CHILDREN:
        print(
            f"events.csv not written: {len(cohort):,} children is more than {SYNTH_EVENTS_MAX_CHILDREN:,} "
            "(use a smaller council for the pathway)",
            file=sys.stderr,
        )
        return None
    return lb.synthetic_events(cohort, as_of=args.as_of, seed=args.seed)


def _cmd_demo(args: argparse.Namespace, run: _Run) -> int:
    cohort = _synthetic(args)
    st = lb.status(cohort, as_of=args.as_of)
    print(
        f"lac-backlog {lb.__version__} demo: a synthetic council of {len(cohort):,} children in care "
        f"({cohort.n_assessments:,} assessment records; seed {args.seed}, drawn with "
        f"{args.overdue_share:.0%} of reviews overdue), status on {args.as_of.isoformat()}, "
        "statutory policy (IHA 20 working days; RHA every 6 months under 5, 12 months from 5)."
    )
    print()
    kpi = next(
        r
        for r in lb.kpis(cohort, as_of=args.as_of).rows()
        if r["indicator"] == "up_to_date" and r["exclusion"] == "none"
    )
    print(report_text(st, top=args.top, up_to_date=(int(kpi["numerator"]), int(kpi["denominator"]))))
    print()
    wl = lb.triage(cohort, as_of=args.as_of)
    print(worklist_text(wl, top=args.top))
    print()
    print("Data completeness (an unknown need signal is never read as no):")
    print_completeness(wl.completeness(), lb.Policy.default(), len(wl), file=sys.stdout)
    return EXIT_OK


def worklist_text(wl: lb.Worklist, top: int = 10) -> str:
    """A plain-text summary of the worklist: tiers and modalities, then the first rows."""
    rows = list(wl.rows())
    tiers = Counter(r["tier"] for r in rows)
    modes = Counter(r["recommended_modality"] for r in rows)
    out = [
        f"Triage worklist: {len(rows)} children overdue or due soon",
        "  by tier: " + ", ".join(f"{t} {tiers[t]}" for t in sorted(tiers)),
        "  recommended: "
        + ", ".join(f"{m} {modes[m]}" for m in ("face_to_face", "virtual", "questionnaire") if modes[m]),
        "",
        f"  {'rank':>4}  {'child_id':<9}{'tier':<5}{'score':>5}  {'next':<5}{'days':>5}  {'age_band':<9}{'modality':<14}why",
    ]
    tiers_by = wl.tiers_by()
    for r, (by, threshold) in zip(rows[:top], tiers_by):
        tier_why = {"score": f"score >= {threshold}", "iha_lane": "the IHA lane"}.get(
            by, by.replace("red_flag:", "red flag ")
        )
        why = f"tier {r['tier']} by {tier_why}; modality {r['recommended_modality']} by rule {r['modality_rule']}"
        out.append(
            f"  {r['rank']:>4}  {r['child_id']:<9}{r['tier']:<5}{r['priority_score']:>5}  {r['next_assessment']:<5}"
            f"{r['days_overdue']:>5}  {r['age_band']:<9}{r['recommended_modality']:<14}{why}"
        )
    if rows:
        out.append("")
        out.append(f"Why {rows[0]['child_id']} is first:")
        out.extend("  " + line for line in str(wl.explain(rows[0]["child_id"])).splitlines())
    return "\n".join(out)


def report_text(st: lb.Table, top: int = 10, up_to_date: tuple[int, int] | None = None) -> str:
    """A plain-text status report: counts by status and age band, the KPI (``up_to_date``, the
    core's numerator and denominator; counted from the table when not given), the most overdue,
    and those due within the policy's due-soon days."""
    rows = list(st.rows())
    bands = ["under_5", "5_to_16", "17_plus"]
    statuses = ["overdue", "due_soon", "up_to_date", "not_required"]
    counts = Counter((r["status"], r["age_band"]) for r in rows)
    out = ["Children by status and age band", f"  {'':<14}" + "".join(f"{b:>10}" for b in bands) + f"{'total':>10}"]
    for s in statuses:
        line = f"  {s:<14}" + "".join(f"{counts[(s, b)]:>10}" for b in bands)
        out.append(line + f"{sum(counts[(s, b)] for b in bands):>10}")
    out.append(
        f"  {'total':<14}" + "".join(f"{sum(counts[(s, b)] for s in statuses):>10}" for b in bands) + f"{len(rows):>10}"
    )
    if up_to_date is None:
        in_scope = [r for r in rows if r["status"] != "not_required"]
        up_to_date = (sum(r["status"] != "overdue" for r in in_scope), len(in_scope))
    ok, need = up_to_date
    if need:
        out.append("")
        out.append(
            f"Up to date (the up_to_date indicator: not overdue, of every child in scope): {ok} of {need} ({100.0 * ok / need:.1f}%)"
        )
    overdue = [r for r in rows if r["status"] == "overdue"][:top]
    if overdue:
        out.append("")
        out.append(f"Most overdue ({len(overdue)} of {sum(r['status'] == 'overdue' for r in rows)})")
        out.append(f"  {'child_id':<10}{'next':<6}{'due_date':<12}{'days':>6}  {'age_band':<9} reason")
        for r in overdue:
            out.append(
                f"  {r['child_id']:<10}{r['next_assessment']:<6}{r['due_date'].isoformat():<12}"
                f"{r['days_overdue']:>6}  {r['age_band']:<9} {r['reason']}"
                + (f" [declined {r['declined_offers']}x]" if r["declined_offers"] else "")
            )
    soon = [r for r in rows if r["status"] == "due_soon"]
    if soon:
        out.append("")
        days = st.policy.due_soon_days if st.policy is not None else lb.Policy.default().due_soon_days
        out.append(f"Due in the next {days} days: {len(soon)}")
        for r in soon[:top]:
            out.append(
                f"  {r['child_id']:<10}{r['next_assessment']:<6}{r['due_date'].isoformat():<12}  {r['age_band']}"
            )
    return "\n".join(out)


#: Commands whose outputs a manifest can be verified by re-running.
_VERIFIABLE = frozenset(
    {"status", "triage", "kpi", "simulate", "validate", "oc2", "synth", "policy", "equality", "report", "actions"}
)
#: Manifest fields compared between the recorded run and the re-run, each named when it differs.
_COMPARED = ("as_of", "policy", "privacy", "rows_in", "inputs")


def _manifest_parts(m: dict[str, Any]) -> tuple[dict[str, Any], str, list[str], dict[str, str]]:
    """The output section, command name, recorded arguments and outputs of a manifest, each
    checked to be of the shape lac-backlog writes (ValueError otherwise)."""
    out, cmd = m.get("output"), m.get("command")
    if not isinstance(out, dict) or not isinstance(cmd, dict):
        raise ValueError("it has no output or command section")
    name, rerun, outputs = cmd.get("name"), cmd.get("rerun"), cmd.get("outputs")
    if (
        not isinstance(name, str)
        or not isinstance(rerun, list)
        or not all(isinstance(a, str) for a in rerun)
        or not isinstance(outputs, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in outputs.items())
    ):
        raise ValueError("its command section is not one lac-backlog writes")
    if not isinstance(out.get("option"), str) or not isinstance(out.get("sha256"), str):
        raise ValueError("its output section is not one lac-backlog writes")
    return out, name, list(rerun), dict(outputs)


def _redirected(tmp: str, outputs: dict[str, str], option: str) -> str:
    """Where the re-run writes the output recorded under ``option``: inside ``tmp``."""
    return os.path.join(tmp, f"{sorted(outputs).index(option)}-{os.path.basename(outputs[option])[:80] or 'out'}")


def _rebuilt_command(name: str, rerun: list[str], outputs: dict[str, str], tmp: str) -> list[str]:
    """The command to re-run, rebuilt through the command's own argument parser: the recorded
    arguments with every output pointed into ``tmp``. Refused (_UsageError) when the command is
    not one that writes files, an output option is not the command's, the arguments do not
    parse, or they name any output themselves (verify never writes where a manifest says)."""
    if name not in _VERIFIABLE:
        raise _UsageError(f"a {name!r} command cannot be re-run by verify")
    sub = _SUBPARSERS[name]
    output_options = {o: a.dest for a in sub._actions if a.dest in _OUTPUT_DESTS for o in a.option_strings}
    unknown = sorted(set(outputs) - set(output_options))
    if unknown:
        raise _UsageError(f"the manifest names {', '.join(unknown)} as outputs of {name}, which has no such output")
    redirected: dict[str, str] = {}
    tail: list[str] = []
    for option in sorted(outputs):
        where = _redirected(tmp, outputs, option)
        redirected[output_options[option]] = where
        tail += [option, where]
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            ns = sub.parse_args(rerun + tail)
    except SystemExit:
        raise _UsageError(
            f"the recorded command is not one this version accepts: {err.getvalue().strip()[-200:]}"
        ) from None
    for dest in _OUTPUT_DESTS:
        value = getattr(ns, dest, None)
        if value is not None and value != redirected.get(dest):
            raise _UsageError(
                f"the recorded command names an output itself ({_option_of(name, dest)}): verify writes only into its "
                "own temporary folder, so it refuses this manifest"
            )
    return [name, *rerun, *tail]


def _field_differences(recorded: dict[str, Any], rerun: dict[str, Any]) -> list[str]:
    """The compared fields (_COMPARED) that differ, with what each says."""
    diffs = []
    for field in _COMPARED:
        a, b = recorded.get(field), rerun.get(field)
        if field == "policy":
            a, b = (a or {}).get("sha256"), (b or {}).get("sha256")
        if field == "inputs":
            a = [(e.get("role"), e.get("abspath"), e.get("sha256")) for e in a or []]
            b = [(e.get("role"), e.get("abspath"), e.get("sha256")) for e in b or []]
        if a != b:
            diffs.append(f"{field}: the manifest records {_short(a)}, re-running the command gives {_short(b)}")
    return diffs


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 300 else text[:300] + "..."


def _cmd_verify(args: argparse.Namespace, run: _Run) -> int:
    """Check a manifest: the inputs still hash the same, the output file is unchanged, and the
    command rebuilt from the manifest (through the same argument parser, outputs redirected to
    a temporary folder) gives the same output and the same recorded facts: as_of, policy
    hash, privacy, rows read and the inputs. Says which field differs."""
    try:
        m = _audit.read_manifest(args.manifest)
        out, name, rerun, outputs = _manifest_parts(m)
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise _UsageError(f"cannot use {args.manifest} as a manifest: {e}") from None
    if out["option"] not in outputs:
        raise _UsageError(f"{args.manifest}: the output's option is not among the command's outputs")
    target = str(out.get("abspath") or out.get("path") or "")
    diffs = _audit.check_inputs(m.get("inputs") or [])
    if target and os.path.exists(target):
        sha, _ = _audit.sha256_file(target)
        if sha != out.get("sha256"):
            diffs.append(
                f"output {target} has changed since it was written (SHA-256 was {out.get('sha256')}, now {sha})"
            )
    else:
        print(f"note: output {target} is no longer there; checking by re-running", file=sys.stderr)
    if m.get("version") != lb.__version__:
        print(f"note: written by lac-backlog {m.get('version')}, this is {lb.__version__}", file=sys.stderr)
    pseud = (m.get("privacy") or {}).get("pseudonymised")
    env_key = None
    if pseud:
        if not isinstance(pseud, dict):
            raise _UsageError(
                f"cannot use {args.manifest} as a manifest: its privacy section is not one lac-backlog writes"
            )
        try:
            if pseud.get("key_source") == "file":
                key: PseudonymKey | None = PseudonymKey.from_file(str(pseud.get("key_file")))
            else:
                key = PseudonymKey.from_env()
        except PseudonymKeyError as e:
            raise _UsageError(f"the output was pseudonymised; the key is needed to re-run it: {e}") from None
        if key is None:
            raise _UsageError(f"the output was pseudonymised with the key in {KEY_ENV}; set it to re-run")
        if key.fingerprint != pseud.get("key_fingerprint"):
            diffs.append("the pseudonymisation key is not the one recorded (its fingerprint differs)")
        if pseud.get("key_source") == "environment":
            env_key = os.environ.get(KEY_ENV)
    with tempfile.TemporaryDirectory(prefix="lac-backlog-verify-") as tmp:
        argv = _rebuilt_command(name, rerun, outputs, tmp)
        if diffs:
            for d in diffs:
                print(f"differs: {d}")
            print(f"not verified: {args.manifest}")
            return EXIT_DATA
        where = _redirected(tmp, outputs, out["option"])
        produced = os.path.join(where, str(out["file"])) if out.get("file") else where
        status, err = _rerun(argv, env_key)
        if status != m.get("exit_status", EXIT_OK) or not os.path.exists(produced):
            print(f"differs: re-running gave exit status {status} (recorded {m.get('exit_status', EXIT_OK)})")
            for line in err.splitlines()[:20]:
                print(f"  {line}")
            print(f"not verified: {args.manifest}")
            return EXIT_DATA
        sha, _ = _audit.sha256_file(produced)
        try:
            again = _audit.read_manifest(_audit.manifest_path(produced))
        except (OSError, ValueError):
            again = {}
    diffs = _field_differences(m, again)
    if sha != out.get("sha256"):
        diffs.append(f"output: re-running gives a different output (SHA-256 {sha}, recorded {out.get('sha256')})")
    if diffs:
        for d in diffs:
            print(f"differs: {d}")
        print(f"not verified: {args.manifest}")
        return EXIT_DATA
    n_inputs = len(m.get("inputs") or [])
    rows = "" if out.get("rows") is None else f"{out['rows']} row(s), "
    print(
        f"verified: {target}: {n_inputs} input(s) unchanged, and re-running gives the same output ({rows}SHA-256 {sha})"
    )
    return EXIT_OK


def _rerun(argv: list[str], env_key: str | None) -> tuple[int, str]:
    """Run the program in this process with the environment's key set only if the recorded run
    used it; return the exit status and what it printed on standard error."""
    saved = os.environ.pop(KEY_ENV, None)
    if env_key is not None:
        os.environ[KEY_ENV] = env_key
    err = io.StringIO()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            try:
                status = main(argv)
            except SystemExit as e:  # argparse refused the recorded command
                status = e.code if isinstance(e.code, int) else EXIT_USAGE
    finally:
        os.environ.pop(KEY_ENV, None)
        if saved is not None:
            os.environ[KEY_ENV] = saved
    return status, err.getvalue()


_COMMANDS = {
    "simulate": _cmd_simulate,
    "capacity": _cmd_capacity,
    "equality": _cmd_equality,
    "report": _cmd_report,
    "actions": _cmd_actions,
    "kpi": _cmd_kpi,
    "synth": _cmd_synth,
    "oc2": _cmd_oc2,
    "triage": _cmd_triage,
    "status": _cmd_status,
    "validate": _cmd_validate,
    "demo": _cmd_demo,
    "policy": _cmd_policy,
    "verify": _cmd_verify,
}


def _show_warning(message: Warning | str, category: type[Warning], *_: Any, **__: Any) -> None:
    """The package's warnings on the command line: one plain line on standard error."""
    print(f"warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    # One large job: freed memory goes back to the system at once (peak memory, issue 23); the
    # library's own setting is restored when the command ends (the command may run in-process).
    prompt = _native.return_memory_promptly(True)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return _main(argv)
    finally:
        if prompt:
            _native.return_memory_promptly(False)


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    given = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(given)  # exits 2 on wrong usage
    _check_inputs(parser, args)
    run = _Run(given, args)
    try:
        with _terminate_as_exit():
            _check_paths(args)
            run.load_key()
            status = _COMMANDS[args.command](args, run)
            run.commit()
            return status
    except lb.DataError as e:
        run.print_problems(e.problems)
        run.print_problems(e.warnings)
        print(f"lac-backlog: {len(e.problems)} error(s) in the input data; no output written", file=sys.stderr)
        return EXIT_DATA
    except (lb.PolicyError, _UsageError, FileProblem, OSError) as e:
        print(f"lac-backlog: {e}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        run.discard()


@contextlib.contextmanager
def _terminate_as_exit() -> Any:
    """While a command runs, SIGTERM (a service stopping the run) unwinds like Ctrl-C does, so
    the temporary files it staged are removed. SIGKILL cannot be caught: a run killed so may
    leave hidden files named .lac-backlog-tmp-* beside its outputs (docs/bad-input.md)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> NoReturn:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
