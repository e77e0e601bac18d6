"""Cost of one data-parallel training step per aggregator, against the classical-mean step.

Workload: the digits MLP 64-512-128-10 (P = 100,234 parameters), N = 16 workers, 32 examples per
worker per step; one jitted step = per-worker gradients (vmap) + aggregation + optax update.
Reported per aggregator: cold time (first call, with compilation), median warm time, steps/s
and the ratio of the warm time to the classical-mean step measured in the same run; plus the
scanned training loop (``lax.scan`` over a chunk of steps) for mean and GHZ majority.
Warm times are taken round-robin (one call of every case per round), so load changes on a
shared machine affect all cases alike and the ratios stay meaningful.

Usage: ``python benchmarks/bench_train.py [--quick]``; writes benchmarks/results/train.json.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import jax
import numpy as np

from _harness import write_json
import jaxqring as jq
from jaxqring.training import _train as T

N = 16
HIDDEN = (512, 128)


def _cold(fn):
    t0 = time.perf_counter()
    out = jax.block_until_ready(fn())
    return time.perf_counter() - t0, out


def _interleaved(fns, reps):
    """Median warm time of every fn, timed round-robin (one call of each per round)."""
    times = [[] for _ in fns]
    for _ in range(reps):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            jax.block_until_ready(fn())
            times[i].append(time.perf_counter() - t0)
    return [statistics.median(t) for t in times]


def make_step_fn(cfg):
    """A zero-argument closure running one jitted step (the state is carried between calls)."""
    tx, state, data, data_key = T.build(cfg)
    step = jax.jit(T.make_step(tx, cfg))
    box = {"state": state, "metrics": None}

    def one():
        box["state"], box["metrics"] = step(box["state"], data, data_key)
        return box["state"].params

    return one, box, jq.num_params(state.params)


def make_scan_fn(cfg, chunk):
    """A zero-argument closure running ``chunk`` scanned steps."""
    tx, state, data, data_key = T.build(cfg)
    run = T._make_chunk_runner(tx, cfg, chunk)
    box = {"state": state}

    def one():
        box["state"], _ = run(box["state"], data, data_key, np.int32(2**31 - 1))
        return box["state"].params

    return one, jq.num_params(state.params)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repetitions, skip the slow MPS path")
    args = ap.parse_args()
    reps = 10 if args.quick else 30
    shots = jq.ghz_majority_shots(N, delta=1e-3)
    base = jq.TrainConfig(num_workers=N, hidden=HIDDEN, steps=10**6, eval_every=10**6, shots=shots)
    R = T.dataclasses.replace
    cases = [
        ("mean", R(base, aggregator="mean")),
        ("majority", R(base, aggregator="majority")),
        ("ghz_majority", R(base, aggregator="ghz_majority")),
        ("ghz_majority_dephasing", R(base, aggregator="ghz_majority", noise="dephasing:0.01")),
        ("ghz_majority_binomial", R(base, aggregator="ghz_majority", method="binomial")),
        ("ghz_count", R(base, aggregator="ghz_count", shots=1)),
        ("superdense", R(base, aggregator="superdense")),
        ("superdense_werner", R(base, aggregator="superdense", noise="werner:0.99")),
    ]
    if not args.quick:
        cases.append(("ghz_majority_mps", R(base, aggregator="ghz_majority", method="mps")))

    results, fns = [], []
    for name, cfg in cases:
        cfg = cfg.validated()
        fn, box, p = make_step_fn(cfg)
        cold, _ = _cold(fn)
        fns.append(fn)
        results.append({
            "name": f"bench_train_step_{name}_N{N}_P{p}",
            "aggregator": cfg.aggregator, "method": cfg.method, "noise": cfg.noise, "shots": cfg.shots,
            "num_workers": N, "num_params": p, "batch_per_worker": cfg.batch_size, "cold_s": cold,
            "_box": box,
        })
    fast = [i for i, r in enumerate(results) if r["method"] != "mps"]
    warm = dict(zip(fast, _interleaved([fns[i] for i in fast], reps)))
    for i, r in enumerate(results):
        if i not in warm:  # the MPS path is far slower: a few separate repetitions
            (warm[i],) = _interleaved([fns[i]], 3)
        box = r.pop("_box")
        r.update(warm_median_s=warm[i], steps_per_s=1.0 / warm[i],
                 coordinate_updates_per_s=r["num_params"] / warm[i],
                 agreement_last_step=float(box["metrics"]["agreement"]),
                 reps=reps if i in fast else 3, ratio_to_mean_step=warm[i] / warm[0])
        print(f"{r['name']:<56} cold {r['cold_s']:6.2f} s  warm {1e3 * r['warm_median_s']:8.2f} ms"
              f"  ratio {r['ratio_to_mean_step']:6.2f}")

    scans, sfns = [], []
    chunk = 20
    for name, cfg in (cases[0], cases[2]):
        fn, p = make_scan_fn(cfg.validated(), chunk)
        cold, _ = _cold(fn)
        sfns.append(fn)
        scans.append({"name": f"bench_train_scan{chunk}_{name}_N{N}_P{p}", "cold_s": cold})
    for s, w in zip(scans, _interleaved(sfns, max(3, reps // 3))):
        s.update(warm_median_s=w, steps_per_s=chunk / w, reps=max(3, reps // 3))
    scans[1]["ratio_to_mean_scan"] = scans[1]["warm_median_s"] / scans[0]["warm_median_s"]
    for s in scans:
        print(f"{s['name']:<56} cold {s['cold_s']:6.2f} s  {s['steps_per_s']:8.1f} steps/s")

    ghz = results[2]
    print(f"ratio ghz_majority step / classical-mean step = {ghz['ratio_to_mean_step']:.2f} (target <= 3)")
    doc = {
        "workload": f"digits MLP 64-{'-'.join(map(str, HIDDEN))}-10, N={N} workers, batch 32/worker, one jitted step",
        "reference": results[0]["name"],
        "ghz_majority_ratio_to_mean_step": ghz["ratio_to_mean_step"],
        "target_ratio": 3.0,
        "steps": results,
        "scan": scans,
        "quick": args.quick,
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(),
                    "load_average_1min": os.getloadavg()[0], "jax": jax.__version__,
                    "backend": jax.default_backend(), "devices": [str(d) for d in jax.devices()]},
    }
    path = os.path.join(os.path.dirname(__file__), "results", "train.json")
    write_json(path, doc)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
