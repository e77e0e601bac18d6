"""``jaxqring bench``: the standard workloads W1-W4 on jaxqring and, with ``--peers``, on the
installed peer simulators; each cell in its own process with a time cap.

Example: ``jaxqring bench --quick --peers --out bench_out`` prints the markdown table and writes
bench.json, bench.md and bench.png.
"""

from __future__ import annotations

import argparse

from ..bench import FULL_CAP_S, QUICK_CAP_S, bench_table, run_bench


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quick", action="store_true", help=f"small size grid, {QUICK_CAP_S:g} s cap per cell")
    p.add_argument("--peers", action="store_true",
                   help="also run qiskit-aer, quimb, qutip, stim, tensorcircuit-ng where installed (pip install 'jaxqring[peers]')")
    p.add_argument("--cap", type=float, default=None, help=f"seconds per cell before it is stopped (default {QUICK_CAP_S:g} quick, {FULL_CAP_S:g} full)")
    p.add_argument("--all-sizes", action="store_true",
                   help="run every cell, also the larger sizes of an engine and workload that already reached the cap "
                        "(default: those are skipped and recorded as lower bounds)")
    p.add_argument("--workloads", default="W1,W2,W3,W4", help="comma-separated subset of W1,W2,W3,W4 (default all)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random phases and keys (default 0)")
    p.add_argument("--out", default="bench_out", help="output folder (default bench_out)")


def run(args) -> int:
    def progress(row):
        state = (f"{row['seconds']:.3g} s" if "seconds" in row else
                 "timed out" if row.get("timed_out") else
                 f"skipped (timed out at {row['skipped_after_cap']})" if "skipped_after_cap" in row else
                 "not installed" if row.get("not_installed") else
                 row.get("cannot") or row.get("not_implemented") or row.get("error", "?"))
        print(f"  {row['workload']} size {row['size']:>8} {row['engine']:<17} {state}", flush=True)

    report = run_bench(args.out, quick=args.quick, peers=args.peers, cap_s=args.cap, seed=args.seed,
                       workloads=tuple(w.strip() for w in args.workloads.split(",") if w.strip()),
                       on_cell=progress, skip_after_cap=not args.all_sizes)
    print(bench_table(report.cells))
    print("wrote " + ", ".join(report.paths.values()))
    return 0
