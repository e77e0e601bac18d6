"""Benchmark and studies of distributed quantum inference (jaxqring.inference, issue 16).

Workloads:
  * bench_inference_forward_n<n>_L6_B<B> / _gradient_: the distributed circuit with L = 6 (A, B)
    pairs of 4 Pauli rotations each (P = 48), batched over B inputs, exact state vector; forward
    F and adjoint gradient, vs a plain numpy implementation (same gather algorithm, float64/
    complex128) timed in this same run; max deviation reported.
  * VSP: one-copy protocol measured at n = 4 ... n_max (exact decision, error probability), and the
    qubits-vs-bits table N = 2^4 ... 2^24 (quantum: measured; classical: claims/upper bound).
  * margin: bits (sketch) and qubits (Hadamard test) for 95 % accuracy vs gamma at N = 1024,
    exact laws + simulated accuracy, beside the slides' Omega(sqrt(N / max(1, ceil(gamma N)))).
  * gradient copies: measured parameter-shift copies for all P components to eps vs the
    Hoeffding/union bound and the shadow-tomography claim (costed only).
  * Cora: seeds x {quadratic, PReLU} SIGN-style network; wall time; mean +- std vs published.

Full: n = 20, B = 64, Cora 10 seeds x 1000 epochs. ``--quick``: n = 14, B = 16, Cora 2 seeds x
60 epochs. Writes benchmarks/results/inference.json (or the path given by --out).

Usage: python benchmarks/bench_inference.py [--quick] [--parts circuit,vsp,margin,copies,cora]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import time

import jax

jax.config.update("jax_enable_x64", True)

import numpy as np  # noqa: E402
from _harness import peak_rss_gib, time_host, time_jax, write_json  # noqa: E402

from jaxqring import inference as inf  # noqa: E402

RESULTS = pathlib.Path(__file__).parent / "results" / "inference.json"


# ------------------------------------------------------------------ plain numpy reference


def _np_pauli(psi, xm, zm, ny, idx):
    src = idx ^ xm
    parity = np.zeros(idx.shape, np.int64)
    v = src & zm
    while np.any(v):  # popcount parity, vectorised
        parity ^= v & 1
        v = v >> 1
    return (1j**ny) * (1 - 2 * parity)[None, :] * psi[:, src]


def _np_rot(psi, theta, xm, zm, ny, idx):
    return np.cos(theta / 2) * psi - 1j * np.sin(theta / 2) * _np_pauli(psi, xm, zm, ny, idx)


def numpy_forward_and_grad(gates, thetas, psi0, diag, with_grad):
    """gates: list of (xm, zm, ny); psi0 (B, 2^n); O = diag(diag). Adjoint method in numpy."""
    idx = np.arange(psi0.shape[1])
    psi = psi0.copy()
    for (xm, zm, ny), t in zip(gates, thetas):
        psi = _np_rot(psi, t, xm, zm, ny, idx)
    lam = diag[None, :] * psi
    value = np.real(np.sum(psi.conj() * lam, axis=1))
    if not with_grad:
        return value, None
    grad = np.zeros((psi0.shape[0], len(thetas)))
    for k in reversed(range(len(thetas))):
        xm, zm, ny = gates[k]
        grad[:, k] = np.imag(np.sum(lam.conj() * _np_pauli(psi, xm, zm, ny, idx), axis=1))
        psi = _np_rot(psi, -thetas[k], xm, zm, ny, idx)
        lam = _np_rot(lam, -thetas[k], xm, zm, ny, idx)
    return value, grad


def bench_circuit(n: int, batch: int, repeats: int, numpy_batch: int) -> list[dict]:
    """jaxqring on all ``batch`` inputs; numpy (vectorised over its batch, so linear in it) on the
    first ``numpy_batch`` of them, its time scaled by batch / numpy_batch (both reported)."""
    circ = inf.random_circuit(2024, n, 6, 4)
    rng = np.random.default_rng(0)
    thetas = rng.uniform(-np.pi, np.pi, size=circ.num_params)
    x = rng.normal(size=(batch, 2**n))
    obs = "Z" + "I" * (n - 1)
    diag = np.asarray(inf.pauli_observable(obs))
    gates = [
        (int(a), int(b), int(c))
        for a, b, c, s in zip(*(np.asarray(v).reshape(-1) for v in (circ.xmasks, circ.zmasks, circ.num_ys, circ.slots)))
        if s >= 0
    ]
    order = np.asarray(circ.slots).reshape(-1)
    th_sorted = thetas[order[order >= 0]]
    numpy_batch = min(numpy_batch, batch)
    psi0 = np.asarray(inf.encode_amplitudes(x[:numpy_batch], n))
    rows = []
    for kind in ("forward", "gradient"):
        if kind == "forward":
            fn = lambda i: inf.circuit_expectation(circ, thetas, x, obs)  # noqa: E731
        else:
            fn = lambda i: inf.circuit_gradient(circ, thetas, x, obs)  # noqa: E731
        tj = time_jax(fn, repeats)
        ref, t_np = time_host(lambda: numpy_forward_and_grad(gates, th_sorted, psi0, diag, kind == "gradient"), 1)
        t_np_measured, t_np = t_np, t_np * batch / numpy_batch
        nb = numpy_batch
        if kind == "forward":
            dev = float(np.max(np.abs(np.asarray(tj.out)[:nb] - ref[0])))
        else:
            dev = max(float(np.max(np.abs(np.asarray(tj.out[0])[:nb] - ref[0]))),
                      float(np.max(np.abs(np.asarray(tj.out[1])[:nb] - ref[1]))))
        amp_updates = batch * 2**n * len(gates) * (1 if kind == "forward" else 3)
        rows.append(
            {
                "name": f"bench_inference_{kind}_n{n}_L6_B{batch}_P{circ.num_params}",
                "cold_s": tj.cold_s,
                "warm_median_s": tj.warm_median_s,
                "numpy_s": t_np,
                "numpy_measured_s": t_np_measured,
                "numpy_batch_measured": numpy_batch,
                "speedup_vs_numpy": t_np / tj.warm_median_s,
                "amplitude_updates_per_s": amp_updates / tj.warm_median_s,
                "max_abs_deviation_vs_numpy": dev,
                "ledger_per_copy": inf.copy_cost(circ, 1).as_dict(),
            }
        )
        print(rows[-1])
    return rows


def study_vsp(n_max: int) -> dict:
    measured = []
    for n in range(4, n_max + 1, 2):
        inst = inf.vsp_instance(jax.random.key(n), n)
        t0 = time.perf_counter()
        res = inf.vsp_protocol(inst, key=jax.random.key(1000 + n))
        jax.block_until_ready(res.decision)
        measured.append(
            {
                "n": n, "correct": bool(int(res.decision) == int(inst.label)),
                "error_probability": float(res.error_probability), "qubits": res.cost.online_qubits,
                "wall_s": time.perf_counter() - t0,
            }
        )
    return {"measured": measured, "table": inf.vsp_costs(range(4, 25, 2))}


def study_margin(quick: bool) -> list[dict]:
    gammas = [1.0, 0.5, 0.2, 0.1, 0.05] + ([] if quick else [0.02])
    rows = inf.margin_study(jax.random.key(7), gammas, num_dims=1024, num_instances=100 if quick else 200)
    out = []
    for r in rows:
        d = r._asdict()
        d["classical_cost"] = r.classical_cost.as_dict()
        d["quantum_cost"] = r.quantum_cost.as_dict()
        d["qubits_over_bits"] = r.quantum_qubits / max(1, r.classical_bits)
        out.append(d)
    small = [1e-3, 1.0 / 1024]  # the lower bound's regime (not simulated: 1/gamma^2 copies)
    for g in small:
        out.append({"gamma": g, "qubit_lower_bound": float(np.sqrt(1024 / max(1, np.ceil(g * 1024)))),
                    "send_x_bits": 1024 * 32, "note": "bound only (slides' Lemma, constant unknown)"})
    return out


def study_gradient_copies(quick: bool) -> list[dict]:
    out = []
    for layers in (1, 2, 4) if quick else (1, 2, 4, 8):
        circ = inf.random_circuit(layers, 6, layers, 4)
        rng = np.random.default_rng(layers)
        thetas = rng.uniform(-np.pi, np.pi, circ.num_params)
        x = rng.normal(size=64)
        m = inf.measured_gradient_copies(jax.random.key(layers), circ, thetas, x, "ZIIIII", eps=0.1, delta=0.05, trials=200)
        claim = inf.shadow_copies_claim(circ.num_params, 6, 0.1)
        out.append({"P": circ.num_params, "n": 6, "eps": 0.1, "delta": 0.05, **m, **{f"claim_{k}": v for k, v in claim.items()}})
        print(out[-1])
    return out


def study_cora(seeds: int, epochs: int) -> dict:
    results = []
    t0 = time.perf_counter()
    for model in ("quadratic", "prelu"):
        for seed in range(seeds):
            r = inf.train_cora(model, seed=seed, epochs=epochs)
            results.append(r)
            print(model, seed, round(r.test_accuracy, 2), round(r.decision_accuracy, 2), r.best_epoch, round(r.wall_time_s, 1))
    wall = time.perf_counter() - t0
    return {
        "seeds": seeds, "epochs": epochs, "wall_time_s": wall,
        "summary": inf.summarise(results),
        "runs": [{k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in r._asdict().items() if k != "val_curve"} for r in results],
        "communication_claim": inf.cora_communication_claim(),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--parts", default="circuit,vsp,margin,copies,cora",
                    help="comma-separated subset; parts not run keep their entries of an existing --out file")
    ap.add_argument("--n", type=int, default=None, help="override the circuit's qubit count")
    ap.add_argument("--batch", type=int, default=None, help="override the circuit's input batch")
    ap.add_argument("--numpy-batch", type=int, default=None,
                    help="inputs the numpy reference runs on (its time is scaled to the full batch); default 8 (quick: all)")
    ap.add_argument("--out", default=str(RESULTS))
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    n, batch = (14, 16) if args.quick else (20, 64)
    n, batch = args.n or n, args.batch or batch
    seeds, epochs = (2, 60) if args.quick else (10, 1000)
    out = pathlib.Path(args.out)
    doc = json.loads(out.read_text()) if out.exists() else {}
    doc |= {
        "machine": f"{platform.machine()} {os.cpu_count()}-core CPU (shared with other jobs), {jax.default_backend()}",
        "jax": jax.__version__,
    }
    t0 = time.perf_counter()
    if "circuit" in parts:
        doc["circuit"] = bench_circuit(n, batch, repeats=1 if batch >= 64 else 2,
                                       numpy_batch=args.numpy_batch or (batch if args.quick else 8))
    if "vsp" in parts:
        doc["vsp"] = study_vsp(12 if args.quick else 20)
    if "margin" in parts:
        doc["margin"] = study_margin(args.quick)
    if "copies" in parts:
        doc["gradient_copies"] = study_gradient_copies(args.quick)
    if "cora" in parts:
        doc["cora"] = study_cora(seeds, epochs)
    for part in parts:
        doc[f"{part}_quick"] = args.quick  # which size each stored part was run at
    doc["parts_last_run"] = sorted(parts)
    doc["wall_s_last_run"] = time.perf_counter() - t0
    doc["peak_rss_gib"] = peak_rss_gib()
    write_json(args.out, doc)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
