"""Benchmark: optimal noisy probes (jq.metrology.optimal_probe) vs tnqmetro on the same problem.

Problem (Chabuda et al. 2020, tnqmetro's README): N qubits, local dephasing with coherence
eta (p = (1 - eta)/2), generator sum_j Z_j / 2; maximise the QFI over MPS probes. Reported per
(eta, N): F reached (jaxqring: certified a^2/(b z) of the final pair), bonds, wall time (cold
includes compilation), the channel-extension upper bound (closed form) and, where installed,
tnqmetro's F, bonds and time in the same run (each tnqmetro cell in its own process, stopped
after --peer-cap seconds: then only a lower bound on its time is reported).

Run: python benchmarks/bench_metrology.py [--quick]   (JSON: benchmarks/results/metrology.json)
"""

from __future__ import annotations

import argparse
import os
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


def run_tnqmetro_capped(eta, n, max_bond, cap_s):
    """tnqmetro in its own process, killed after ``cap_s`` seconds (then: a lower bound on its time)."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_tnqmetro_child, args=(queue, eta, n, max_bond))
    t0 = time.perf_counter()
    proc.start()
    proc.join(cap_s)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return dict(timed_out=True, seconds_at_least=time.perf_counter() - t0, cap_s=cap_s)
    return queue.get() if not queue.empty() else dict(error=f"exit code {proc.exitcode}")


def _tnqmetro_child(queue, eta, n, max_bond):
    try:
        queue.put(run_tnqmetro(eta, n, max_bond))
    except Exception as err:  # noqa: BLE001 - the peer's failure is a result (e.g. its SVD fails at N = 1000)
        queue.put(dict(error=f"{type(err).__name__}: {err}"))


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


def compare_qmetro(ns=(10, 100, 1000)) -> list[dict]:
    """Our channel-extension bounds (closed form or Kraus minimisation) beside qmetro's SDP
    (``par_bound_single_n``) and asymptotic constant (``asym_scaling_qfi``), same channels and
    conventions (signal exp(-i theta Z/2); qmetro's p = 1 - ours for dephasing and amplitude
    damping; depolarizing by its Bloch shrink factor eta = 1 - p)."""
    try:
        import qmetro
    except ImportError as err:  # optional peer
        return [dict(error=f"not installed: {err}")]
    import warnings

    cases = []
    for p in (0.05, 0.2):
        cases += [
            ("dephasing", p, jq.dephasing(p), lambda p=p: qmetro.par_dephasing(1 - p)),
            ("depolarizing", p, jq.depolarizing(p), lambda p=p: qmetro.depolarization(None, eta=1 - p)),
            ("amplitude_damping", p, jq.amplitude_damping(p), lambda p=p: qmetro.par_amp_damping(1 - p)),
        ]
    rows = []
    for name, p, noise, make in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            q_asym = float(qmetro.asym_scaling_qfi(make())[0])
            q_vals = {n: float(qmetro.par_bound_single_n(make(), n)) for n in ns}
            q_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        ours = {n: jq.metrology.channel_extension_bound(noise, n) for n in ns}
        o_s = time.perf_counter() - t0
        row = dict(channel=name, p=p, qmetro_asymptotic_per_node=q_asym,
                   jaxqring_asymptotic_per_node=ours[ns[0]].asymptotic_per_node,
                   qmetro_seconds=q_s, jaxqring_seconds=o_s,
                   by_n=[dict(n=n, qmetro=q_vals[n], jaxqring=ours[n].value, method=ours[n].method,
                              ratio_jaxqring_over_qmetro=ours[n].value / q_vals[n]) for n in ns])
        rows.append(row)
        print(f"qmetro {name} p={p}: asym {q_asym:.6f} vs {row['jaxqring_asymptotic_per_node']:.6f}; "
              + ", ".join(f"N={b['n']}: {b['ratio_jaxqring_over_qmetro']:.4f}" for b in row["by_n"]), flush=True)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--peer-cap", type=float, default=1800.0, help="seconds before a tnqmetro cell is stopped")
    args = ap.parse_args(argv)
    load_before = os.getloadavg()
    etas = [0.9] if args.quick else [0.9, 0.99]
    ns = [10, 100] if args.quick else [10, 100, 1000]
    max_bond = 2 if args.quick else 3
    rows = []
    for eta in etas:
        for n in ns:
            jr = run_jaxqring(eta, n, max_bond)
            tr = run_tnqmetro_capped(eta, n, max_bond, args.peer_cap)
            upper = jq.metrology.channel_extension_bound(jq.dephasing((1 - eta) / 2), n)
            row = dict(eta=eta, n=n, jaxqring=jr, tnqmetro=tr, upper=upper.value,
                       upper_per_node=upper.per_node, asymptotic_per_node=upper.asymptotic_per_node,
                       ghz=n * n * eta ** (2 * n))
            if "qfi" in tr:
                row["ratio_qfi_jaxqring_over_tnqmetro"] = jr["qfi"] / tr["qfi"]
                row["speedup_vs_tnqmetro"] = tr["seconds"] / jr["seconds"]
            elif tr.get("timed_out"):
                row["speedup_vs_tnqmetro_at_least"] = tr["seconds_at_least"] / jr["seconds"]
            rows.append(row)
            print(f"eta={eta} N={n}: jaxqring F/N={jr['per_node']:.4f} ({jr['seconds']:.1f} s, bonds "
                  f"{jr['bonds'][-1]}), tnqmetro {tr.get('per_node', float('nan')):.4f} "
                  f"({tr.get('seconds', float('nan')):.1f} s), upper {upper.per_node:.4f}", flush=True)
    qmetro_rows = compare_qmetro((10, 100) if args.quick else (10, 100, 1000))
    doc = dict(
        machine=f"{platform.machine()} {os.cpu_count()}-core CPU, {jax.default_backend()}",
        load_average_before=load_before, load_average_after=os.getloadavg(),
        platform=platform.platform(), jax=jax.__version__, quick=args.quick,
        peak_rss_gib=peak_rss_gib(), rows=rows, qmetro_bounds=qmetro_rows,
    )
    out = pathlib.Path(__file__).parent / "results" / "metrology.json"
    write_json(out, doc)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
