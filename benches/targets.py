"""Issue 23's targets side by side with this machine's figures, in one run (`make bench` runs it
last): each figure, its target and whether it is met. Release build; medians of several runs.

    python benches/targets.py [--reps 7] [--quick]

`--quick` skips the 1,000,000-child figures (a minute and a few GB of memory)."""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import bench_python  # noqa: E402  (sets OPENBLAS_NUM_THREADS before numpy loads)

ROOT = Path(__file__).resolve().parents[1]


def capacity_seconds(reps: int = 3) -> float:
    """`capacity_needed` for 6,000 children, 500 runs, 52 weeks (examples/profile_sim.rs): the
    median of `reps` runs."""
    times = []
    for _ in range(reps):
        out = subprocess.run(
            ["cargo", "run", "--release", "--quiet", "--example", "profile_sim", "--", "capacity", "6000", "500"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        m = re.search(r": ([\d.]+) s;", out)
        if not m:
            raise SystemExit(f"profile_sim capacity said: {out!r}")
        times.append(float(m.group(1)))
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="skip the 1,000,000-child figures")
    args = ap.parse_args()
    d = Path(tempfile.mkdtemp())
    rows: list[tuple[str, str, str, bool]] = []

    def race(n: int, reps: int, with_peer: bool = True) -> tuple[float, float]:
        kids, seen = bench_python.frames(n, d)
        ours = bench_python.median_time(lambda: bench_python.ours(kids, seen), reps)
        if not with_peer:
            return ours, float("nan")
        peer = bench_python.median_time(lambda: bench_python.peer(kids, seen), max(1, reps // 2))
        return ours, peer

    ours, peer = race(84_000, args.reps)
    rows.append(
        ("84,000 children, pandas (text columns) in to pandas out", f"{ours * 1000:.0f} ms", "<= 25 ms", ours <= 0.025)
    )
    rows.append(("... against the pandas peer in the same run", f"{peer / ours:.1f}x", ">= 10x", peer / ours >= 10))
    if not args.quick:
        ours, _ = race(1_000_000, max(1, args.reps // 3), with_peer=False)
        rows.append(("1,000,000 children the same way", f"{ours:.2f} s", "<= 0.3 s", ours <= 0.3))
        m = bench_python.peak_memory(1_000_000, d)
        mb = re.search(r"(\d+) MiB peak, ([\d:.]+) wall", m)
        if mb:
            wall = sum(float(x) * 60**i for i, x in enumerate(reversed(mb.group(2).split(":"))))
            mib = int(mb.group(1))
            rows.append(
                ("`lac-backlog triage` on the 1M CSV: peak memory", f"{mib} MiB", "< 1 GB", mib * 1.048576 < 1000)
            )
            rows.append(("... and wall time", f"{wall:.1f} s", "< 2 s", wall < 2))
        else:
            rows.append(("`lac-backlog triage` on the 1M CSV", m[:40], "runs", False))
    cap = capacity_seconds()
    rows.append(("capacity_needed, 6,000 children x 500 runs x 52 weeks", f"{cap:.1f} s", "< 5 s", cap < 5))
    shutil.rmtree(d, ignore_errors=True)
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'figure':>9}  {'target':>10}  met")
    for what, fig, target, met in rows:
        print(f"{what:<{width}}  {fig:>9}  {target:>10}  {'yes' if met else 'NO'}")


if __name__ == "__main__":
    main()
