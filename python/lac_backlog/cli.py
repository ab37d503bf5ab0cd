"""The ``lac-backlog`` command line, over the same API as Python users get.

Exit status: 0 success; 1 the input data has errors (each on standard error; no output file
written); 2 wrong usage (bad arguments, a file that cannot be opened, an invalid policy).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import sys
from collections import Counter
from typing import Optional, Sequence

import lac_backlog as lb

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
DEMO_AS_OF = "2021-10-21"  # the day Hampshire's backlog report went to its Corporate Parenting Board
DEMO_CHILDREN = 1500
DEMO_SEED = 2021
DEMO_OVERDUE_SHARE = 0.40


class _UsageError(Exception):
    pass


def _date_arg(text: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {text!r}") from None


def _add_inputs(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--children", metavar="PATH", help="children CSV (INTERFACE.md section 2); needs --assessments")
    src.add_argument("--ssda903", metavar="DIR", help="a DfE SSDA903 return folder (CSV tables or XML) instead of --children")
    p.add_argument("--assessments", metavar="PATH", help="assessments CSV (optional with --ssda903)")


def _check_inputs(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.command in ("status", "triage", "validate", "kpi", "simulate") and args.children and not args.assessments:
        parser.error("--children needs --assessments")


def _load_cohort(args: argparse.Namespace) -> lb.Cohort:
    """The cohort from --children/--assessments or --ssda903 (derived at --as-of, or at the
    return's year end when --as-of is not given, which then becomes the report date)."""
    if args.ssda903:
        cohort = lb.Cohort.from_ssda903(args.ssda903, args.assessments, as_of=args.as_of)
        if args.as_of is None:
            args.as_of = cohort.derived_at
    else:
        cohort = lb.Cohort.from_csv(args.children, args.assessments)
    _print_problems(cohort.warnings)
    return cohort


def _add_common(p: argparse.ArgumentParser, out_help: str = "output CSV (default: standard output)") -> None:
    p.add_argument("--as-of", type=_date_arg, default=None, metavar="YYYY-MM-DD", help="the date to report at (default: today)")
    p.add_argument("--policy", metavar="PATH.toml", help="policy file (default: the built-in statutory policy)")
    p.add_argument(
        "--closures",
        metavar="PATH",
        help="file of extra non-working days, one YYYY-MM-DD date per line (local closures, new bank holidays)",
    )
    p.add_argument("--out", metavar="PATH", help=out_help)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lac-backlog",
        description="Statutory health assessments for looked-after children in England.",
    )
    parser.add_argument("--version", action="version", version=f"lac-backlog {lb.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("status", help="every child's next assessment, due date and status")
    _add_inputs(p)
    _add_common(p)

    p = sub.add_parser("triage", help="the worklist of children overdue or due soon: who first, and how")
    _add_inputs(p)
    _add_common(p, out_help="worklist file: .csv, or .xlsx for Excel (default: CSV on standard output)")
    p.add_argument(
        "--overrides",
        metavar="PATH",
        help="CSV of clinician decisions: child_id, tier and/or modality, reason, decided_by (optional decided_on)",
    )

    p = sub.add_parser("kpi", help="the indicators, with target, floor and RAG, at as_of or month by month")
    _add_inputs(p)
    _add_common(p)
    p.add_argument("--months", type=int, metavar="N", help="a row set for each of the last N month ends")
    p.add_argument("--by", choices=["age_band", "locality"], help="add a group column and rows per group")
    p.add_argument("--suppress", action="store_true", help="safe to share: no count from 1 to 5 can be read or worked out (shown as c)")
    p.add_argument("--trend-out", metavar="PATH", help="write the direction of travel (least-squares slope per series) here")
    p.add_argument("--forecast", type=int, default=0, metavar="N", help="also forecast up_to_date for the next N month ends if nobody else is seen")
    p.add_argument("--forecast-out", metavar="PATH", help="where to write the forecast (needed with --forecast)")

    p = sub.add_parser("simulate", help="simulate backlog options week by week (Monte Carlo)")
    _add_inputs(p)
    _add_common(p, out_help="summary CSV, one row per scenario (default: standard output)")
    p.add_argument("--scenarios", required=True, metavar="S.toml", help="scenario file (INTERFACE.md section 6)")
    p.add_argument("--trajectory", metavar="PATH", help="also write the weekly trajectory (p10/p50/p90) here")
    p.add_argument("--runs", type=int, metavar="N", help="replications (default: the file's)")
    p.add_argument("--weeks", type=int, metavar="N", help="horizon in weeks (default: the file's)")
    p.add_argument("--seed", type=int, metavar="S", help="random seed (default: the file's)")
    p.add_argument("--progress", action="store_true", help="show a progress bar (needs tqdm)")

    p = sub.add_parser("validate", help="check the input files (and the policy, if given) and list every problem")
    _add_inputs(p)
    _add_common(p, out_help="problems CSV (default: standard output)")

    p = sub.add_parser("oc2", help="the DfE OC2 table of a 903 return (health measures of the 12-month cohort)")
    p.add_argument("--ssda903", required=True, metavar="DIR", help="the 903 return folder (CSV tables or XML)")
    p.add_argument("--year-end", type=_date_arg, metavar="YYYY-MM-DD", help="the year end (31 March; default: the one the return covers)")
    p.add_argument("--suppress", action="store_true", help="hide counts 1 to 5, and what would reveal them, as c (for publication)")
    p.add_argument("--policy", metavar="PATH.toml")
    p.add_argument("--out", metavar="PATH", help="output CSV (default: standard output)")

    p = sub.add_parser("synth", help="write a synthetic council: children.csv and assessments.csv")
    p.add_argument("--children", type=int, required=True, metavar="N", help="how many children (1 to 10,000,000)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed: the same seed gives the same council")
    p.add_argument("--as-of", type=_date_arg, default=None, metavar="YYYY-MM-DD", help="the date the council is drawn at (default: today)")
    p.add_argument("--out-dir", required=True, metavar="DIR", help="folder for children.csv and assessments.csv (created if needed)")
    p.add_argument("--overdue-share", type=float, default=None, metavar="X", help="a council in trouble: this share (e.g. 0.4) of children needing an assessment are overdue")

    p = sub.add_parser("demo", help="run the whole job on a built-in synthetic council and print what it found")
    p.add_argument("--as-of", type=_date_arg, default=_dt.date.fromisoformat(DEMO_AS_OF), metavar="YYYY-MM-DD")
    p.add_argument("--children", type=int, default=DEMO_CHILDREN, metavar="N", help="size of the synthetic council")
    p.add_argument("--seed", type=int, default=DEMO_SEED, metavar="S")
    p.add_argument("--overdue-share", type=float, default=DEMO_OVERDUE_SHARE, metavar="X")
    p.add_argument("--top", type=int, default=10, help="how many of the most overdue children to list")

    p = sub.add_parser("policy", help="print the policy in full as TOML (the built-in default, or --policy)")
    p.add_argument("--policy", metavar="PATH.toml")
    p.add_argument("--out", metavar="PATH")
    return parser


def _load_policy(path: Optional[str], closures: Optional[str] = None) -> lb.Policy:
    policy = lb.Policy.from_toml(path) if path else lb.Policy.default()
    if closures:
        policy = policy.with_closures(_read_closures(closures))
    return policy


def _read_closures(path: str) -> list[_dt.date]:
    dates = []
    with open(path, encoding="utf-8-sig") as f:
        for n, raw in enumerate(f, start=1):
            text = raw.split("#", 1)[0].strip().strip(",")
            if not text or text.lower() == "date":
                continue
            try:
                dates.append(_dt.date.fromisoformat(text))
            except ValueError:
                raise _UsageError(f"{path}, line {n}: not a YYYY-MM-DD date: {text[:100]!r}") from None
    return dates


def _check_out(out: Optional[str]) -> None:
    if out and out.lower().endswith(".xlsx"):
        raise _UsageError("xlsx output is not offered for this command; use a .csv path")


def _emit(table: lb.Table, out: Optional[str]) -> None:
    if out and out.lower().endswith(".xlsx"):
        from ._excel import ExcelUnavailable, write_xlsx

        try:
            write_xlsx(table, out)
        except ExcelUnavailable as e:
            raise _UsageError(str(e)) from None
    elif out:
        table.to_csv(out)
    else:
        sys.stdout.write(table.to_csv() or "")


def _print_problems(problems: Sequence[lb.Problem]) -> None:
    for p in problems:
        print(str(p), file=sys.stderr)


def _cmd_status(args: argparse.Namespace) -> int:
    _check_out(args.out)
    policy = _load_policy(args.policy, args.closures)
    cohort = _load_cohort(args)
    _emit(lb.status(cohort, as_of=args.as_of, policy=policy), args.out)
    return EXIT_OK


def _cmd_triage(args: argparse.Namespace) -> int:
    policy = _load_policy(args.policy, args.closures)
    cohort = _load_cohort(args)
    wl = lb.triage(cohort, as_of=args.as_of, policy=policy, overrides=args.overrides)
    for child_id, line in wl.unapplied_overrides:
        print(
            f"warning: {args.overrides}, line {line}: override for child {child_id} not applied: "
            "not overdue or due soon on this date",
            file=sys.stderr,
        )
    _emit(wl, args.out)
    return EXIT_OK


def _cmd_kpi(args: argparse.Namespace) -> int:
    _check_out(args.out)
    if args.forecast and not args.forecast_out:
        raise _UsageError("--forecast needs --forecast-out PATH")
    policy = _load_policy(args.policy, args.closures)
    cohort = _load_cohort(args)
    try:
        k = lb.kpis(cohort, as_of=args.as_of, months=args.months, by=args.by, suppress=args.suppress,
                    forecast=args.forecast, policy=policy)
    except ValueError as e:
        raise _UsageError(str(e)) from None
    _emit(k, args.out)
    if args.trend_out:
        _emit(k.trend, args.trend_out)
    if k.forecast is not None and args.forecast_out:
        _emit(k.forecast, args.forecast_out)
    return EXIT_OK


def _cmd_simulate(args: argparse.Namespace) -> int:
    _check_out(args.out)
    policy = _load_policy(args.policy, args.closures)
    cohort = _load_cohort(args)
    res = lb.simulate(cohort, args.scenarios, as_of=args.as_of, weeks=args.weeks, runs=args.runs, seed=args.seed,
                      policy=policy, progress=args.progress)
    _emit(res, args.out)
    if args.trajectory:
        _emit(res.trajectory, args.trajectory)
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    _check_out(args.out)
    _load_policy(args.policy, args.closures)  # a bad policy or closures file is reported too (exit 2)
    if args.ssda903:
        v = lb.validate(assessments=args.assessments, ssda903=args.ssda903, year_end=args.as_of)
    else:
        v = lb.validate(args.children, args.assessments)
    _emit(v.problems, args.out)
    for row in v.row_counts.rows():
        print(
            f"{row['file']}: {row['rows_read']} rows read, {row['rows_accepted']} accepted, "
            f"{row['rows_rejected']} rejected",
            file=sys.stderr,
        )
    print(f"{v.n_errors} error(s), {v.n_warnings} warning(s)", file=sys.stderr)
    return EXIT_OK if v.ok else EXIT_DATA


def _cmd_oc2(args: argparse.Namespace) -> int:
    _check_out(args.out)
    policy = _load_policy(args.policy)
    year_end = args.year_end
    if year_end is None:
        year_end = lb.Cohort.from_ssda903(args.ssda903).derived_at
    _emit(lb.oc2(args.ssda903, year_end=year_end, suppress=args.suppress, policy=policy), args.out)
    return EXIT_OK


def _cmd_policy(args: argparse.Namespace) -> int:
    text = _load_policy(args.policy).to_toml()
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _synthetic(args: argparse.Namespace) -> lb.Cohort:
    """The synthetic council the arguments ask for (a bad size or share is wrong usage)."""
    try:
        return lb.synthetic_cohort(args.children, args.seed, args.as_of, overdue_share=args.overdue_share)
    except ValueError as e:
        raise _UsageError(str(e)) from None


def _cmd_synth(args: argparse.Namespace) -> int:
    cohort = _synthetic(args)
    os.makedirs(args.out_dir, exist_ok=True)
    cohort.to_csv(os.path.join(args.out_dir, "children.csv"), os.path.join(args.out_dir, "assessments.csv"))
    print(
        f"wrote {len(cohort):,} children and {cohort.n_assessments:,} assessment records to {args.out_dir}",
        file=sys.stderr,
    )
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    cohort = _synthetic(args)
    st = lb.status(cohort, as_of=args.as_of)
    print(
        f"lac-backlog {lb.__version__} demo: a synthetic council of {len(cohort):,} children in care "
        f"({cohort.n_assessments:,} assessment records; seed {args.seed}, drawn with "
        f"{args.overdue_share:.0%} of reviews overdue), status on {args.as_of.isoformat()}, "
        "statutory policy (IHA 20 working days; RHA every 6 months under 5, 12 months from 5)."
    )
    print()
    print(report_text(st, top=args.top))
    print()
    print(worklist_text(lb.triage(cohort, as_of=args.as_of), top=args.top))
    return EXIT_OK


def worklist_text(wl: lb.Worklist, top: int = 10) -> str:
    """A plain-text summary of the worklist: tiers and modalities, then the first rows."""
    rows = list(wl.rows())
    tiers = Counter(r["tier"] for r in rows)
    modes = Counter(r["recommended_modality"] for r in rows)
    out = [
        f"Triage worklist: {len(rows)} children overdue or due soon",
        "  by tier: " + ", ".join(f"{t} {tiers[t]}" for t in sorted(tiers)),
        "  recommended: " + ", ".join(f"{m} {modes[m]}" for m in ("face_to_face", "virtual", "questionnaire") if modes[m]),
        "",
        f"  {'rank':>4}  {'child_id':<9}{'tier':<5}{'score':>5}  {'next':<5}{'days':>5}  {'age_band':<9}{'modality':<14}why",
    ]
    for r in rows[:top]:
        first = r["reasons"].split(" | ")
        why = first[1] + "; " + first[3].split(":")[0] if len(first) > 3 else r["reasons"]
        out.append(
            f"  {r['rank']:>4}  {r['child_id']:<9}{r['tier']:<5}{r['priority_score']:>5}  {r['next_assessment']:<5}"
            f"{r['days_overdue']:>5}  {r['age_band']:<9}{r['recommended_modality']:<14}{why}"
        )
    if rows:
        out.append("")
        out.append(f"Why {rows[0]['child_id']} is first:")
        out.extend("  " + line for line in str(wl.explain(rows[0]["child_id"])).splitlines())
    return "\n".join(out)


def report_text(st: lb.Table, top: int = 10) -> str:
    """A plain-text status report: counts by status and age band, the KPI, the most overdue."""
    rows = list(st.rows())
    bands = ["under_5", "5_to_16", "17_plus"]
    statuses = ["overdue", "due_soon", "up_to_date", "not_required"]
    counts = Counter((r["status"], r["age_band"]) for r in rows)
    out = ["Children by status and age band", f"  {'':<14}" + "".join(f"{b:>10}" for b in bands) + f"{'total':>10}"]
    for s in statuses:
        line = f"  {s:<14}" + "".join(f"{counts[(s, b)]:>10}" for b in bands)
        out.append(line + f"{sum(counts[(s, b)] for b in bands):>10}")
    out.append(f"  {'total':<14}" + "".join(f"{sum(counts[(s, b)] for s in statuses):>10}" for b in bands) + f"{len(rows):>10}")
    in_scope = [r for r in rows if r["status"] != "not_required"]
    if in_scope:
        ok = sum(r["status"] != "overdue" for r in in_scope)
        out.append("")
        out.append(
            f"Up to date (not overdue): {ok} of {len(in_scope)} children who need assessments "
            f"({100.0 * ok / len(in_scope):.1f}%)"
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
        out.append(f"Due in the next 28 days: {len(soon)}")
        for r in soon[:top]:
            out.append(f"  {r['child_id']:<10}{r['next_assessment']:<6}{r['due_date'].isoformat():<12}  {r['age_band']}")
    return "\n".join(out)


_COMMANDS = {"simulate": _cmd_simulate, "kpi": _cmd_kpi, "synth": _cmd_synth, "oc2": _cmd_oc2, "triage": _cmd_triage, "status": _cmd_status, "validate": _cmd_validate, "demo": _cmd_demo, "policy": _cmd_policy}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)  # exits 2 on wrong usage
    _check_inputs(parser, args)
    try:
        return _COMMANDS[args.command](args)
    except lb.DataError as e:
        _print_problems(e.problems)
        _print_problems(e.warnings)
        print(f"lac-backlog: {len(e.problems)} error(s) in the input data; no output written", file=sys.stderr)
        return EXIT_DATA
    except (lb.PolicyError, _UsageError, OSError) as e:
        print(f"lac-backlog: {e}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
