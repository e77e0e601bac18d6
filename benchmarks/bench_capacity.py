"""How far one device goes on the standard workloads (issue 13, item 7): the largest N and P that
run on it, site-samples per second, and the device's own peak memory.

Each workload of ``jaxqring bench`` (the same cell functions and correctness checks) is run at
doubling sizes, starting from the top of the full grid, until one of:

* a warm call takes more than ``--cap-s / 2`` seconds (the next size, twice the work, would pass
  the cap: the device is *time-bound* there);
* the device runs out of memory or the library refuses the size before allocating (a
  ``ValueError`` from the memory estimate, or XLA's ``RESOURCE_EXHAUSTED``): *memory-bound*;
* the workload's share of ``--budget-s`` is spent.

Workloads: W1 (GHZ_N, random phases, 1000 X shots, parity mean within 4 standard errors),
W2 (P copies of GHZ_32, 8 shots each; its phases are generated on the host, P x 32 float64),
W3 (exact X parity under dephasing 0.01 against (1 - 2p)^N cos Phi). Site-samples per second
are N x shots / seconds (W1) and P x 32 x 8 / seconds (W2), the warm time of one call.

All sizes run in this one process (one compilation per size; the cold time is reported). The
same script runs on CPU, where the sizes stop much earlier.

Usage: python benchmarks/bench_capacity.py [--cap-s 20] [--budget-s 240] [--workloads W1,W2,W3]
       [--start W1=262144,W2=16000000] [--out FILE]
Writes benchmarks/results/capacity.json (atomically, after every size).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform
import time

import jax

from _harness import peak_rss_gib, write_json
from jaxqring._timing import device_report
from jaxqring.bench._cells import W1_SHOTS, W2_NODES, W2_SHOTS, jaxqring_cell

RESULTS = pathlib.Path(__file__).parent / "results" / "capacity.json"
# First size of each workload: the top of the full grid of ``jaxqring bench``.
START = {"W1": 16384, "W2": 1_000_000, "W3": 10_000}
SHARE = {"W1": 0.35, "W2": 0.4, "W3": 0.25}  # of --budget-s


def site_samples(workload: str, size: int) -> int | None:
    if workload == "W1":
        return size * W1_SHOTS
    if workload == "W2":
        return size * W2_NODES * W2_SHOTS
    return None


def probe(workload: str, *, start: int, cap_s: float, budget_s: float, seed: int, on_row) -> dict:
    rows, size, t_start, stop = [], start, time.perf_counter(), None
    while stop is None:
        t0 = time.perf_counter()
        try:
            row = jaxqring_cell(workload, size, seed)
        except ValueError as err:  # the library's memory estimate refused the size
            row, stop = {"refused": str(err)[:300]}, "memory (refused before allocating)"
        except Exception as err:  # noqa: BLE001 - XLA's RESOURCE_EXHAUSTED and the like
            msg = f"{type(err).__name__}: {err}"
            row = {"error": msg[:300]}
            stop = "memory (device out of memory)" if "RESOURCE_EXHAUSTED" in msg or "out of memory" in msg.lower() else "error"
        row = {"size": size, "wall_s": time.perf_counter() - t0} | row | device_report()
        work = site_samples(workload, size)
        if "seconds" in row and work is not None:
            row["site_samples_per_s"] = work / row["seconds"]
        rows.append(row)
        on_row(workload, row)
        if stop is None:
            if not row.get("ok", False):
                stop = "check failed"
            elif row["seconds"] > cap_s / 2:
                stop = f"time (warm call {row['seconds']:.3g} s > cap / 2)"
            elif time.perf_counter() - t_start + 3 * row["wall_s"] > budget_s:
                stop = "budget (the next size would pass this workload's share)"
        size *= 2
    done = [r for r in rows if r.get("ok")]
    best = max(done, key=lambda r: r["size"]) if done else None
    return {
        "rows": rows, "stopped_by": stop,
        "largest_size": best["size"] if best else None,
        "largest_seconds": best["seconds"] if best else None,
        "best_site_samples_per_s": max((r.get("site_samples_per_s", 0.0) for r in done), default=None) or None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cap-s", type=float, default=20.0, help="a size whose warm call passes cap/2 is the last")
    ap.add_argument("--budget-s", type=float, default=240.0, help="wall seconds for all workloads together")
    ap.add_argument("--workloads", default="W1,W2,W3")
    ap.add_argument("--start", default="", help="first sizes, e.g. W1=262144,W2=16000000 (default: top of the full grid)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(RESULTS))
    args = ap.parse_args()
    workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    for w in workloads:
        if w not in START:
            raise SystemExit(f"--workloads must name some of {sorted(START)}, got {w!r}")
    start = dict(START)
    for item in filter(None, (x.strip() for x in args.start.split(","))):
        w, _, size = item.partition("=")
        if w not in START or not size.isdigit() or int(size) < 1:
            raise SystemExit(f"--start takes items like W2=16000000 (workloads {sorted(START)}), got {item!r}")
        start[w] = int(size)
    doc = {
        "machine": f"{platform.machine()} {os.cpu_count()}-core, {platform.platform()}",
        "jax": jax.__version__, **device_report(), "cap_s": args.cap_s, "budget_s": args.budget_s,
        "shots": {"W1": W1_SHOTS, "W2": W2_SHOTS}, "workloads": {},
    }

    def on_row(w, row):
        keys = ("size", "seconds", "cold_seconds", "site_samples_per_s", "device_peak_gib", "ok", "refused", "error")
        print(w, {k: row[k] for k in keys if k in row}, flush=True)
        doc["workloads"].setdefault(w, {"rows": []})["rows"].append(row)  # partial, until probe returns
        write_json(args.out, doc)

    total = sum(SHARE[w] for w in workloads)
    for w in workloads:
        doc["workloads"][w] = probe(w, start=start[w], cap_s=args.cap_s, budget_s=args.budget_s * SHARE[w] / total,
                                    seed=args.seed, on_row=on_row)
        doc["peak_rss_gib"] = peak_rss_gib()
        write_json(args.out, doc)
    for w, res in doc["workloads"].items():
        print(f"{w}: largest size {res['largest_size']} ({res['largest_seconds']} s), stopped by {res['stopped_by']}; "
              f"best site-samples/s {res['best_site_samples_per_s']}")
    print("wrote", args.out)


if __name__ == "__main__":
    main()
