"""Benchmark: optimal noisy probes (jq.metrology.optimal_probe) vs tnqmetro on the same problem.

Problem (Chabuda et al. 2020, tnqmetro's README): N qubits, local dephasing with coherence
eta (p = (1 - eta)/2), generator sum_j Z_j / 2; maximise the QFI over MPS probes. Reported per
(eta, N): F reached (jaxqring: certified a^2/(b z) of the final pair), bonds, wall time (cold
includes compilation), the channel-extension upper bound (closed form) and, where installed,
tnqmetro's F, bonds and time in the same run, plus qmetro's version if importable.

Run: python benchmarks/bench_metrology.py [--quick]   (JSON: benchmarks/results/metrology.json)
"""

from __future__ import annotations

import argparse
import pathlib
import platform
import time

import jax

jax.config.update("jax_enable_x64", True)

import numpy as np  # noqa: E402
from _harness import peak_rss_gib, write_json  # noqa: E402

import jaxqring as jq  # noqa: E402


def run_jaxqring(eta, n, max_bond):
    t0 = time.perf_counter()
    r = jq.metrology.optimal_probe(jq.dephasing((1 - eta) / 2), n, max_bond=max_bond, with_upper=False)
    secs = time.perf_counter() - t0
    return dict(qfi=r.qfi, per_node=r.qfi / n, bonds=[list(b) for b in r.bonds], seconds=secs)


def run_tnqmetro(eta, n, max_bond):
    try:
        import tnqmetro
    except ImportError as err:  # optional peer
        return dict(error=f"not installed: {err}")
    p = (1 - eta) / 2
    kraus = [np.sqrt(1 - p) * np.eye(2), np.sqrt(p) * np.diag([1.0, -1.0])]
    so = tnqmetro.Kraus_to_superoperator(kraus)
    h = np.diag([0.5, -0.5])
    t0 = time.perf_counter()
    res, res_m, _, _ = tnqmetro.fin(n, [so], h, [], BC="O", imprecision=1e-2, D_psi0_max=max_bond,
                                      D_psi0_max_forced=False)
    secs = time.perf_counter() - t0
    return dict(qfi=float(res), per_node=float(res) / n, bond_matrix_shape=list(np.shape(res_m)), seconds=secs)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    etas = [0.9] if args.quick else [0.9, 0.99]
    ns = [10, 100] if args.quick else [10, 100, 1000]
    max_bond = 2 if args.quick else 3
    rows = []
    for eta in etas:
        for n in ns:
            jr = run_jaxqring(eta, n, max_bond)
            tr = run_tnqmetro(eta, n, max_bond) if n <= (100 if args.quick else 1000) else dict(skipped=True)
            upper = jq.metrology.channel_extension_bound(jq.dephasing((1 - eta) / 2), n)
            row = dict(eta=eta, n=n, jaxqring=jr, tnqmetro=tr, upper=upper.value,
                       upper_per_node=upper.per_node, asymptotic_per_node=upper.asymptotic_per_node,
                       ghz=n * n * eta ** (2 * n))
            if "qfi" in tr:
                row["ratio_qfi_jaxqring_over_tnqmetro"] = jr["qfi"] / tr["qfi"]
                row["speedup_vs_tnqmetro"] = tr["seconds"] / jr["seconds"]
            rows.append(row)
            print(f"eta={eta} N={n}: jaxqring F/N={jr['per_node']:.4f} ({jr['seconds']:.1f} s, bonds "
                  f"{jr['bonds'][-1]}), tnqmetro {tr.get('per_node', float('nan')):.4f} "
                  f"({tr.get('seconds', float('nan')):.1f} s), upper {upper.per_node:.4f}", flush=True)
    doc = dict(
        machine="2-core CPU, shared with ~6 other jobs (load average ~10)",
        platform=platform.platform(), jax=jax.__version__, quick=args.quick,
        peak_rss_gib=peak_rss_gib(), rows=rows,
    )
    out = pathlib.Path(__file__).parent / "results" / "metrology.json"
    write_json(out, doc)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
