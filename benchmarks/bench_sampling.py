"""Sampler and readout benchmarks for the MPS kernel core (issue: foundation).

Workloads (names follow bench_<kernel>_<N>sites_chi<D>_CS<coordinates x shots>):
  * generic MPS sampler, full strings, N = 1024, 1000 shots, 1 and 10 coordinates, vs a plain numpy
    closed-form GHZ sampler (the speed-of-light reference of issue 13), timed in alternation,
    best call of each;
  * generic MPS sampler (``method="mps"``) vs the closed-form GHZ sampler, parity output, for
    N in {64, 1024, 16384} and coordinates x shots in {1e3, 1e5, 1e6};
  * the same with full outcome strings where they fit in memory (N * CS <= 2e8 bytes);
  * quimb's own ``MatrixProductState.sample`` on the same encoded GHZ states (rate measured on a
    subset of shots, since it takes ~tens of ms per sample) vs the generic sampler at N = 64,
    10^4 coordinate-shots;
  * the exact parity expectation of a 10^5-node GHZ with random phases (warm time);
  * compile time of the readout and sampler for N = 10 vs N = 10^5 (ratio).

Every ratio is between two timings taken in this same run. Results go to
benchmarks/results/sampling.json. Run: ``python benchmarks/bench_sampling.py [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

import jax
import numpy as np

from _harness import time_jax, write_json
import jaxqring as jq
from jaxqring import _readout




def split_cs(cs):
    shots = int(min(cs, 1000))
    return int(cs // shots), shots


def bench_samplers(sizes, cs_list, key, reps, work_cap):
    rows = []
    for n in sizes:
        probe = jq.ghz(n, dtype=np.complex64)
        for cs in cs_list:
            coords, shots = split_cs(cs)
            phases = np.random.default_rng(n).uniform(0, 2 * np.pi, (coords, n)).astype(np.float32)
            row = dict(name=f"bench_sample_parity_{n}sites_chi2_CS{cs:.0e}", n=n, coords=coords, shots=shots)
            if n * cs > work_cap:
                row["skipped"] = f"N * CS = {n * cs:.1e} site-samples above the cap {work_cap:.0e}"
                rows.append(row)
                print(row["name"], row["skipped"], flush=True)
                continue
            r = 1 if n * cs > 1e9 else reps
            cold_g, warm_g = time_jax(lambda _: jq.sample_parity(key, probe, phases, shots, method="mps"), r)[1:3]
            cold_c, warm_c = time_jax(lambda _: jq.sample_parity(key, probe, phases, shots, method="closed_form"), r)[1:3]
            row.update(
                generic_cold_s=cold_g, generic_warm_s=warm_g, closed_cold_s=cold_c, closed_warm_s=warm_c,
                generic_site_samples_per_s=n * cs / warm_g, ratio_generic_over_closed=warm_g / warm_c,
            )
            if n * cs <= 2e8:
                wb_g = time_jax(lambda _: jq.sample(key, probe, phases, shots, method="mps"), r).warm_median_s
                wb_c = time_jax(lambda _: jq.sample(key, probe, phases, shots, method="closed_form"), r).warm_median_s
                row.update(bits_generic_warm_s=wb_g, bits_closed_warm_s=wb_c, bits_ratio_generic_over_closed=wb_g / wb_c)
            rows.append(row)
            print(
                f"{row['name']}: generic {warm_g:.4f}s closed {warm_c:.5f}s "
                f"ratio {row['ratio_generic_over_closed']:.1f}"
                + (f" | bits ratio {row['bits_ratio_generic_over_closed']:.1f}" if "bits_ratio_generic_over_closed" in row else ""),
                flush=True,
            )
    return rows


def numpy_closed_form_bits(rng, phases, shots):
    """Plain numpy reference: full X-basis strings of GHZ_N per coordinate from the closed form
    (SPEC [3.5]: a Bernoulli parity with P(odd) = (1 - cos Phi)/2, N - 1 free fair bits, the
    last bit fixing the parity)."""
    out = np.empty((phases.shape[0], shots, phases.shape[1]), np.uint8)
    for c, row in enumerate(phases):
        p_odd = (1 - np.cos(row.astype(np.float64).sum())) / 2
        parity = (rng.random(shots) < p_odd).astype(np.uint8)
        free = rng.integers(0, 2, (shots, row.size - 1), dtype=np.uint8)
        out[c, :, :-1] = free
        out[c, :, -1] = parity ^ (free.sum(-1) & 1).astype(np.uint8)
    return out


def pin_malloc_thresholds():
    """Fix glibc's mmap and trim thresholds (64 / 128 MiB) for this process, where available.

    The numpy reference allocates about 1 MiB per call. glibc moves its mmap threshold with the
    process's history, so the same reference took 2.0 ms or 2.9 ms on this machine depending on
    what the process had run before (fresh pages are faulted in on every call when the buffer
    is mmapped). Pinned, the reference runs at its best, which is the conservative choice for a
    ratio against it. Returns whether the thresholds were set.
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not name or platform.system() != "Linux":
        return False
    libc = ctypes.CDLL(name)
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None:
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(mallopt(m_mmap_threshold, 64 << 20)) and bool(mallopt(m_trim_threshold, 128 << 20))


def bench_vs_numpy(key, rounds=10, calls=10):
    """Generic MPS sampler (full strings, complex64 GHZ probe) against the numpy closed form.

    Both are timed in alternation (``rounds`` rounds of ``calls`` calls each, after one warm-up
    call of each), and each keeps its best call: the two share the machine's state at every
    moment of the run.
    """
    pinned = pin_malloc_thresholds()
    rows = []
    for n, coords in ((1024, 1), (1024, 10)):
        probe = jq.ghz(n, dtype=np.complex64)
        phases = np.random.default_rng(n + coords).uniform(0, 2 * np.pi, (coords, n)).astype(np.float32)
        rng = np.random.default_rng(0)
        engines = {
            "generic": lambda: jax.block_until_ready(jq.sample(key, probe, phases, 1000, method="mps")),
            "numpy": lambda: numpy_closed_form_bits(rng, phases, 1000),
        }
        best = {}
        for name, fn in engines.items():
            fn()
            best[name] = float("inf")
        for _ in range(rounds):
            for name, fn in engines.items():
                for _ in range(calls):
                    t0 = time.perf_counter()
                    fn()
                    best[name] = min(best[name], time.perf_counter() - t0)
        rows.append(dict(
            name=f"bench_generic_vs_numpy_{n}sites_{coords}coords_1000shots", n=n, coords=coords,
            generic_best_s=best["generic"], numpy_closed_form_best_s=best["numpy"],
            ratio_generic_over_numpy=best["generic"] / best["numpy"], calls_each=rounds * calls,
            malloc_thresholds_pinned=pinned,
        ))
        print(rows[-1], flush=True)
    return rows


def bench_quimb(key, quimb_shots):
    """Generic sampler vs quimb at N = 64 for 10^4 coordinate-shots (10 coords x 1000 shots)."""
    import quimb as qu

    n, coords, shots = 64, 10, 1000
    phases = np.random.default_rng(0).uniform(0, 2 * np.pi, (coords, n))
    probe = jq.ghz(n)  # complex128, as quimb uses
    cold, warm = time_jax(lambda _: jq.sample(key, probe, phases, shots, method="mps"), 3)[1:3]
    had = qu.hadamard()
    t0 = time.perf_counter()
    for c in range(coords):
        q = jq.to_quimb(probe, phases[c])
        for j in range(n):
            q.gate_(had, j, contract=True)  # X-basis readout = H then Z
        for _ in q.sample(quimb_shots, seed=c):
            pass
    quimb_s = time.perf_counter() - t0
    quimb_per_sample = quimb_s / (coords * quimb_shots)
    quimb_est = quimb_per_sample * coords * shots
    return dict(
        name="bench_sample_vs_quimb_64sites_chi2_CS1e4", jaxqring_warm_s=warm, jaxqring_cold_s=cold,
        quimb_samples_measured=coords * quimb_shots, quimb_s_per_sample=quimb_per_sample,
        quimb_estimated_s_for_1e4=quimb_est, speedup_vs_quimb=quimb_est / warm,
    )


def bench_large_parity(key):
    n = 100_000
    phases = np.asarray(jax.random.uniform(key, (n,), minval=0, maxval=2 * np.pi))
    probe = jq.ghz(n, dtype=np.complex64)
    cold, warm = time_jax(lambda _: jq.parity_expectation(probe, phases), 5)[1:3]
    err = abs(float(jq.parity_expectation(probe, phases)) - np.cos(np.sum(phases.astype(np.float64))))
    return dict(name="bench_parity_expectation_100000sites_chi2_P1", cold_s=cold, warm_s=warm, abs_error_vs_numpy_f64=err)


def compile_seconds(n):
    probe = jq.ghz(n)
    ph = np.zeros((4, n))
    codes = np.zeros((n,), np.int32)
    t0 = time.perf_counter()
    _readout._parity.lower(probe, None, ph, codes, log=False, chunk=4, mesh=None).compile()
    t_parity = time.perf_counter() - t0
    t0 = time.perf_counter()
    _readout._sample.lower(
        jax.random.key(0), probe, None, ph, codes, num_shots=8, parity_only=True, packed=False,
        method="mps", ghz_xy=True, chunk=4, mesh=None,
    ).compile()
    return t_parity, time.perf_counter() - t0


def bench_compile():
    samples = {10: [], 100_000: []}
    for _ in range(3):  # alternate sizes, take medians: single compile timings are noisy
        for n in samples:
            jax.clear_caches()
            samples[n].append(compile_seconds(n))
    out = {n: tuple(statistics.median(x[i] for x in v) for i in range(2)) for n, v in samples.items()}
    return dict(
        name="bench_compile_N10_vs_N100000",
        parity_compile_s={str(k): v[0] for k, v in out.items()},
        sample_compile_s={str(k): v[1] for k, v in out.items()},
        parity_ratio=out[100_000][0] / out[10][0],
        sample_ratio=out[100_000][1] / out[10][1],
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small grid (N <= 1024, CS <= 1e5)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results", "sampling.json"))
    args = ap.parse_args()
    key = jax.random.key(0)
    if args.quick:
        sizes, cs_list, work_cap, quimb_shots = (64, 1024), (1_000, 100_000), 2e9, 20
    else:
        sizes, cs_list, work_cap, quimb_shots = (64, 1024, 16384), (1_000, 100_000, 1_000_000), 2e10, 100
    result = dict(
        machine=dict(platform=platform.platform(), cpus=os.cpu_count(), jax=jax.__version__, backend=jax.default_backend()),
        quick=args.quick,
        vs_numpy=bench_vs_numpy(key),
        compile=bench_compile(),
        large_parity=bench_large_parity(key),
        quimb=bench_quimb(key, quimb_shots),
        samplers=bench_samplers(sizes, cs_list, key, 3, work_cap),
    )
    print(json.dumps({k: result[k] for k in ("vs_numpy", "compile", "large_parity", "quimb")}, indent=1))
    write_json(args.out, result)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
