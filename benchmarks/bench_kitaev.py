"""Benchmark Kitaev phase estimation over GHZ copies and run the Heisenberg / dephasing studies.

Workloads (names bench_kitaev_<path>_N<N>_b<b>_P<P>_M<M>):
  * noiseless closed-form path, N = 16, b = 8, M = 1, P = 10^6 (issue 4: < 10 s after
    compilation), vs a float64 numpy sum of the same quantised integers (the classical result);
  * the same through ``ghz_allreduce`` (quantiser included) from float32 gradients;
  * noiseless MPS transfer path at P = 10^5, vs the closed form at the same P;
  * dephasing p = 0.01 through the MPO path (``noise=jaxqring.dephasing(p), method="mps"``),
    N = 16, b = 8, M from the shot rule for delta = 1e-2, P = 10^5 (issue: < 60 s), vs the
    closed form with the same noise (V = ghz_visibility) in the same run; the failure rate is
    reported against 1 - (1 - Tail(M, (1 - V)/2))**b.
  * the Heisenberg-scaling study (SPEC A6) and the dephasing failure study with the N beyond
    which the aggregate fails more often than a target.

Every ratio is between two timings taken in this same run; times are ``jax.block_until_ready``
wall times (cold = first call with compilation, warm = median of repeats). ``--quick`` divides
P by 10 and shrinks the studies. Writes benchmarks/results/kitaev.json.

Usage: python benchmarks/bench_kitaev.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import sys
import time

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from _harness import peak_rss_gib, time_host, time_jax, write_json  # noqa: E402
import jaxqring as jq  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # the shared numpy oracles
from tests.oracles.quantiser import q_max as q_max_of  # noqa: E402

RESULTS = pathlib.Path(__file__).parent / "results" / "kitaev.json"


def random_q(key, n: int, p: int, bits: int):
    q_max = q_max_of(bits, n)
    return jax.random.randint(key, (n, p), -q_max, q_max + 1, jnp.int32)


def bench_noiseless(p: int, repeats: int) -> list[dict]:
    n, bits = 16, 8
    key = jax.random.key(0)
    q = random_q(key, n, p, bits)
    q_np = np.asarray(q)
    def run(i):
        return jq.kitaev_sum(jax.random.fold_in(key, i), q, bits=bits, shots_per_round=1).sum

    res, cold, warm, warm_all = time_jax(run, repeats)
    ref = None

    def numpy_sum():
        nonlocal ref
        ref = q_np.astype(np.float64).sum(axis=0)

    _, t_np = time_host(numpy_sum, max(repeats, 3))
    out = [{
        "name": f"bench_kitaev_closed_form_N{n}_b{bits}_P{p}_M1", "num_nodes": n, "bits": bits,
        "num_coords": p, "shots_per_round": 1, "method": "closed_form", "noise": None,
        "cold_s": cold, "warm_median_s": warm, "warm_all_s": warm_all,
        "coordinate_rounds_per_s": p * bits / warm,
        "numpy_float64_sum_median_s": t_np, "ratio_over_numpy_sum": warm / t_np,
        "exact_fraction": float(np.mean(np.asarray(res) == ref)),
        "target_warm_s": 10.0,
    }]
    g = jax.random.normal(jax.random.key(1), (n, p), jnp.float32) * 0.3
    def run_allreduce(i):
        k = jax.random.fold_in(key, i)
        return jq.ghz_allreduce(k, g, bits=bits, clip=1.0, shots_per_round=1).mean

    res, cold, warm, warm_all = time_jax(run_allreduce, repeats)
    out.append({
        "name": f"bench_ghz_allreduce_closed_form_N{n}_b{bits}_P{p}_M1_float32", "num_nodes": n,
        "bits": bits, "num_coords": p, "cold_s": cold, "warm_median_s": warm,
        "warm_all_s": warm_all,
        "ratio_over_kitaev_sum": warm / out[0]["warm_median_s"],
    })
    return out


def bench_paths(p: int, repeats: int) -> list[dict]:
    """Noiseless MPS path and dephased MPO path, each against the closed form at the same P."""
    n, bits, dep, delta = 16, 8, 0.01, 1e-2
    key = jax.random.key(2)
    q = random_q(key, n, p, bits)
    exact = np.asarray(q).astype(np.int64).sum(axis=0)
    out = []
    for noise_name, noise, shots in (
        ("none", None, 1),
        (
            f"dephasing{dep}", jq.dephasing(dep),
            jq.shots_for_failure(delta, bits, (1 - 2 * dep) ** n),
        ),
    ):
        timings = {}
        for method in ("closed_form", "mps"):
            res, cold, warm, warm_all = time_jax(
                lambda i, m=method: jq.kitaev_sum(
                    jax.random.fold_in(key, i), q, bits=bits, shots_per_round=shots, noise=noise,
                    method=m,
                ).sum,
                repeats,
            )
            timings[method] = dict(cold_s=cold, warm_median_s=warm, warm_all_s=warm_all,
                                   failure_rate=float(np.mean(np.asarray(res) != exact)))
        v = 1.0 if noise is None else (1 - 2 * dep) ** n
        out.append({
            "name": f"bench_kitaev_mps_vs_closed_form_{noise_name}_N{n}_b{bits}_P{p}_M{shots}",
            "num_nodes": n, "bits": bits, "num_coords": p, "shots_per_round": shots,
            "noise": noise_name, "visibility": v,
            "mps": timings["mps"], "closed_form": timings["closed_form"],
            "ratio_mps_over_closed_form": (
                timings["mps"]["warm_median_s"] / timings["closed_form"]["warm_median_s"]
            ),
            "predicted_failure": jq.kitaev_failure_probability(shots, bits, v),
            "target_mps_warm_s": 60.0 if noise is not None else None,
        })
    return out


def study_heisenberg(quick: bool) -> dict:
    t0 = time.perf_counter()
    s = jq.heisenberg_study(
        jax.random.key(3),
        num_nodes=(2, 4, 8, 16, 32, 64, 128, 256),
        copies=256,
        repeats=2000 if quick else 20000,
        kitaev_nodes=8,
        kitaev_rounds=tuple(range(3, 11 if quick else 15)),
    )
    return {
        "seconds": time.perf_counter() - t0,
        **{k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in s._asdict().items()},
    }


def study_dephasing(quick: bool) -> dict:
    t0 = time.perf_counter()
    s = jq.dephasing_failure_study(
        jax.random.key(4),
        dephasing=(0.001, 0.002, 0.005, 0.01, 0.02),
        num_nodes=(4, 8, 16, 32, 64, 100),
        bits=8,
        shots_per_round=5,
        num_coords=5000 if quick else 50000,
        target=1e-2,
    )
    return {
        "seconds": time.perf_counter() - t0,
        **{k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in s._asdict().items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="P / 10 and smaller studies")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    results = []
    for entry in bench_noiseless(10**6 // scale, 3) + bench_paths(10**5 // scale, 2):
        print(json.dumps({k: v for k, v in entry.items() if not k.endswith("all_s")}), flush=True)
        results.append(entry)
    heis = study_heisenberg(args.quick)
    slopes = ("ghz_slope", "product_slope", "kitaev_slope", "seconds")
    print(json.dumps({k: heis[k] for k in slopes}), flush=True)
    deph = study_dephasing(args.quick)
    print(json.dumps({k: deph[k] for k in ("max_nodes", "seconds")}), flush=True)
    write_json(RESULTS, {
        "mode": "quick" if args.quick else "full",
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "jax": jax.__version__, "x64": True},
        "peak_rss_gib": peak_rss_gib(),
        "results": results,
        "heisenberg_study": heis,
        "dephasing_study": deph,
    })
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
