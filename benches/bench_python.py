"""End-to-end race: lac-backlog against the pandas peer, from pandas DataFrames in memory to a
pandas worklist out, at several sizes; plus the peak memory of `lac-backlog triage` on a CSV.

    python benches/bench_python.py [--sizes 1500,84000,1000000] [--reps 5] [--steps 84000] [--memory 1000000]

Run through `make bench` (which builds the release extension first). Prints a table of medians
and the ratio; docs/performance.md records the figures."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# numpy's BLAS threads spin on the cores the race runs on; neither side uses them (set before
# numpy is imported).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import lac_backlog as lb  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import pandas_peer  # noqa: E402

AS_OF = "2021-10-21"


def frames(n: int, d: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    cohort = lb.synthetic_cohort(children=n, seed=1, as_of=AS_OF, overdue_share=0.4)
    cohort.to_csv(d / f"c{n}.csv", d / f"a{n}.csv")
    # String columns, as `pd.read_csv(dtype=str)` gives them (issue 23): every cell is text to check.
    return pd.read_csv(d / f"c{n}.csv", dtype=str), pd.read_csv(d / f"a{n}.csv", dtype=str)


def ours(kids: pd.DataFrame, seen: pd.DataFrame) -> pd.DataFrame:
    cohort = lb.Cohort.from_frames(kids, seen, today=AS_OF)
    return lb.triage(cohort, as_of=AS_OF).to_pandas()


def peer(kids: pd.DataFrame, seen: pd.DataFrame) -> pd.DataFrame:
    return pandas_peer.worklist(kids, seen, dt.date.fromisoformat(AS_OF))[0]


def median_time(f, reps: int) -> float:
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def steps(kids: pd.DataFrame, seen: pd.DataFrame, reps: int) -> str:
    """Where lac-backlog's end-to-end time goes: each step alone, fastest of `reps` runs."""
    import pyarrow as pa

    cohort = lb.Cohort.from_frames(kids, seen, today=AS_OF)
    wl = lb.triage(cohort, as_of=AS_OF)
    parts = {
        "pandas->arrow": lambda: (pa.table(kids), pa.table(seen)),
        "from_frames": lambda: lb.Cohort.from_frames(kids, seen, today=AS_OF),
        "triage": lambda: lb.triage(cohort, as_of=AS_OF),
        "to_pandas": lambda: wl.to_pandas(),
    }
    out = []
    for name, f in parts.items():
        best = float("inf")
        for _ in range(reps):
            t = time.perf_counter()
            f()
            best = min(best, time.perf_counter() - t)
        out.append(f"{name} {best * 1000:.0f}ms")
    return ", ".join(out)


def peak_memory(n: int, d: Path) -> str:
    if not os.path.exists("/usr/bin/time"):
        return "n/a (/usr/bin/time not found)"
    c, a = d / f"c{n}.csv", d / f"a{n}.csv"
    if not c.exists():
        lb.synthetic_cohort(children=n, seed=1, as_of=AS_OF, overdue_share=0.4).to_csv(c, a)
    exe = Path(sys.executable).parent / "lac-backlog"
    r = subprocess.run(
        [
            "/usr/bin/time",
            "-v",
            str(exe),
            "triage",
            "--children",
            str(c),
            "--assessments",
            str(a),
            "--as-of",
            AS_OF,
            "--out",
            str(d / "worklist.csv"),
        ],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0 or not (d / "worklist.csv").exists():
        return f"FAILED (exit {r.returncode}): {r.stderr.strip()[-300:]}"
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
    secs = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", r.stderr)
    return f"{int(m.group(1)) / 1024:.0f} MiB peak, {secs.group(1) if secs else '?'} wall" if m else "n/a"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1500,84000,1000000")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--steps", type=int, default=84_000, help="size whose steps are timed one by one (0: none)")
    ap.add_argument("--memory", type=int, default=1_000_000, help="children for the peak-memory run (0: skip)")
    args = ap.parse_args()
    d = Path(tempfile.mkdtemp())
    print(
        f"lac-backlog {lb.__version__}, pandas {pd.__version__}, python {sys.version.split()[0]}, {os.cpu_count()} cores"
    )
    print(f"{'children':>10} {'lac-backlog':>12} {'pandas peer':>12} {'ratio':>7}")
    for n in [int(x) for x in args.sizes.split(",") if x]:
        kids, seen = frames(n, d)
        a = ours(kids, seen)
        b = peer(kids, seen)
        assert list(a["child_id"]) == list(b["child_id"]), "the two worklists differ"
        reps = args.reps if n <= 100_000 else max(1, args.reps // 2)
        t_ours = median_time(lambda: ours(kids, seen), reps)
        t_peer = median_time(lambda: peer(kids, seen), reps)
        print(f"{n:>10,} {t_ours * 1000:>10.0f}ms {t_peer * 1000:>10.0f}ms {t_peer / t_ours:>6.1f}x", flush=True)
        if n == args.steps:
            print(f"{'':>10} steps, fastest of {reps}: {steps(kids, seen, reps)}", flush=True)
    if args.memory:
        print(f"lac-backlog triage on a {args.memory:,}-child CSV: {peak_memory(args.memory, d)}")


if __name__ == "__main__":
    main()
