"""Benchmark the exact stabilizer-test engine (jaxqring.security) against stim's tableau simulator.

Workloads (names bench_security_<what>_N<N>_K<K>):
  * exact pass probabilities of K uniform nontrivial stabilizer tests on one GHZ copy under a
    Clifford attack (X-basis intercept-resend of two transit qubits), N = 1000, K = 10^4, vs stim
    (``TableauSimulator`` with the intercepts as CNOTs onto ancillas, then
    ``peek_observable_expectation`` per test) on the same labels; agreement reported;
  * the same for a non-Clifford attack stim cannot simulate (entangling probe, theta = 1 rad);
  * the exact per-copy detection probability (average over all 2^N - 1 tests, O(N)).

Times are wall times with ``jax.block_until_ready`` (cold = first call with compilation, warm =
median of repeats); the stim time is a host median in the same run. ``--quick``: N = 200,
K = 1000. Writes benchmarks/results/security.json.

Usage: python benchmarks/bench_security.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform
import sys

import jax

jax.config.update("jax_enable_x64", True)

import numpy as np
from _harness import peak_rss_gib, time_host, time_jax, write_json
from jaxqring.kernels import stabilizer as SK

import jaxqring.security as sec

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # the shared oracles (stim builder)
from tests.oracles.security import stim_pass_probabilities, stim_simulators

RESULTS = pathlib.Path(__file__).parent / "results" / "security.json"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n, k = (200, 1000) if args.quick else (1000, 10_000)
    mid = n // 2
    tests = sec.draw_tests(jax.random.key(0), n, k)
    codes, signs = (np.asarray(x) for x in SK.label_codes(tests.t, tests.tau))
    rows = []

    clifford = sec.intercept_resend("x", (1, mid))
    eng = time_jax(lambda i: sec.pass_probabilities(clifford, n, tests), repeats=2)
    try:
        import stim

        stim_version = stim.__version__
        spec = {"kind": "intercept", "basis": "x", "qubits": [1, mid]}
        ref, stim_s = time_host(lambda: stim_pass_probabilities(stim_simulators(n, spec), n, codes, signs), 1)
        err = float(np.max(np.abs(np.asarray(eng.out) - ref)))
    except ImportError:
        stim_version, stim_s, err = None, None, None
    rows.append(
        dict(
            name=f"bench_security_pass_clifford_N{n}_K{k}",
            attack="intercept_resend('x', (1, N/2))",
            cold_s=eng.cold_s,
            warm_s=eng.warm_median_s,
            tests_per_s=k / eng.warm_median_s,
            stim_s=stim_s,
            stim_over_engine=None if stim_s is None else stim_s / eng.warm_median_s,
            max_abs_diff_vs_stim=err,
            mean_fail=float(1 - np.mean(np.asarray(eng.out))),
        )
    )

    probe = sec.entangling_probe(1.0, mid)
    eng = time_jax(lambda i: sec.pass_probabilities(probe, n, tests), repeats=2)
    rows.append(
        dict(
            name=f"bench_security_pass_nonclifford_N{n}_K{k}",
            attack="entangling_probe(1.0, N/2) (non-Clifford: stim cannot)",
            cold_s=eng.cold_s,
            warm_s=eng.warm_median_s,
            tests_per_s=k / eng.warm_median_s,
            mean_fail=float(1 - np.mean(np.asarray(eng.out))),
            exact_detection=float(sec.detection_probability(probe, n)),
        )
    )

    det = time_jax(lambda i: sec.detection_probability(probe, n), repeats=3)
    rows.append(
        dict(
            name=f"bench_security_detection_exact_N{n}",
            attack="entangling_probe(1.0, N/2): average over all 2^N - 1 tests",
            cold_s=det.cold_s,
            warm_s=det.warm_median_s,
            value=float(det.out),
        )
    )

    doc = dict(
        machine=f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores (shared), jax {jax.__version__}",
        backend=jax.default_backend(),
        stim_version=stim_version,
        quick=args.quick,
        num_nodes=n,
        num_tests=k,
        peak_rss_gib=peak_rss_gib(),
        workloads=rows,
    )
    write_json(RESULTS, doc)
    for r in rows:
        print({key: (round(v, 4) if isinstance(v, float) else v) for key, v in r.items()})


if __name__ == "__main__":
    main()
