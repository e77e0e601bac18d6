"""Tables, JSON documents and figures of the inference studies (used by ``jaxqring inference``).

Each ``*_report`` returns ``(text, doc)``: a plain-text table and a JSON-ready dict; with
``out_dir`` it also writes ``<name>.json`` and ``<name>.png`` there (matplotlib, Agg backend).
"""

from __future__ import annotations

import json
import os
import pathlib
import time

import jax
import numpy as np

from .._checks import check_int, check_real
from ._cora import PUBLISHED, cora_communication_claim, summarise, train_cora
from ._margin import margin_study
from ._vsp import vsp_costs, vsp_instance, vsp_protocol


def _write(out_dir, name: str, doc: dict, plot) -> list[str]:
    if out_dir is None:
        return []
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1))
    os.replace(tmp, path)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    plot(ax)
    fig.tight_layout()
    fig.savefig(out / f"{name}.png", dpi=120)
    plt.close(fig)
    return [str(path), str(out / f"{name}.png")]


def vsp_report(*, n_max: int = 16, seed: int = 0, out_dir=None) -> tuple[str, dict]:
    """Measured one-copy VSP runs for n = 4, 6, ..., n_max and the N = 2^4 ... 2^24 cost table."""
    n_max = check_int("n_max", n_max, minimum=4, maximum=24)
    seed = check_int("seed", seed, minimum=0)
    measured = []
    for n in range(4, n_max + 1, 2):
        inst = vsp_instance(jax.random.key(seed * 1000 + n), n)
        res = vsp_protocol(inst, key=jax.random.key(seed * 1000 + 500 + n))
        measured.append(
            {"n": n, "N": 2**n, "correct": bool(int(res.decision) == int(inst.label)),
             "error_probability": float(res.error_probability), "cost": res.cost.as_dict()}
        )
    table = vsp_costs(range(4, 25, 2))
    lines = ["Vector in Subspace: one copy of |x> (n qubits) decides exactly; classical bits are claims/bounds",
             f"{'N':>10} {'qubits':>7} {'KR2011 N^1/3':>13} {'slide sqrt N':>13} {'send x (32b)':>14}"]
    for r in table:
        lines.append(f"{r['N']:>10} {r['quantum_qubits']:>7} {r['kr2011_bits']:>13.1f} {r['slide_bits']:>13.1f} {r['send_x_bits']:>14}")
    ok = sum(m["correct"] for m in measured)
    lines.append(f"measured: {ok}/{len(measured)} instances decided correctly with one copy "
                 f"(max error probability {max(m['error_probability'] for m in measured):.1e}), n = 4..{n_max}")
    lines.append("KR2011 = Klartag-Regev Omega(N^1/3) lower bound (constant unknown, set to 1); "
                 "sqrt N = the slides' statement (attributed to Raz 1999; not verified).")
    doc = {"measured": measured, "table": table}

    def plot(ax):
        ns = np.array([r["N"] for r in table], float)
        ax.loglog(ns, [r["quantum_qubits"] for r in table], "o-", label="quantum: qubits (measured, 1 copy)")
        ax.loglog(ns, [r["kr2011_bits"] for r in table], "--", label="classical: N^(1/3) (Klartag-Regev LB)")
        ax.loglog(ns, [r["slide_bits"] for r in table], ":", label="classical: sqrt N (slides' claim)")
        ax.loglog(ns, [r["send_x_bits"] for r in table], "-.", label="classical: send x (32-bit words)")
        ax.set_xlabel("N = 2^n")
        ax.set_ylabel("communication (qubits / bits)")
        ax.legend(fontsize=7)

    doc["files"] = _write(out_dir, "vsp", doc, plot)
    return "\n".join(lines), doc


def margin_report(*, gammas=(1.0, 0.5, 0.2, 0.1, 0.05), num_dims: int = 1024, num_instances: int = 200,
                  seed: int = 0, out_dir=None) -> tuple[str, dict]:
    """Bits vs qubits for 95 % accuracy against gamma (both protocols simulated)."""
    seed = check_int("seed", seed, minimum=0)
    rows = margin_study(jax.random.key(seed), [check_real("gamma", g) for g in gammas], num_dims=num_dims,
                        num_instances=num_instances)
    lines = [f"Linear classification with margin, N = {num_dims}, 95 % target accuracy",
             f"{'gamma':>7} {'sketch bits':>12} {'acc':>6} {'HT copies':>10} {'qubits':>8} {'acc':>6} {'LB qubits':>10}"]
    doc_rows = []
    for r in rows:
        lines.append(f"{r.gamma:>7g} {r.sketch_bits:>12} {r.sketch_accuracy_measured:>6.3f} {r.quantum_copies:>10} "
                     f"{r.quantum_qubits:>8} {r.quantum_accuracy_measured:>6.3f} {r.qubit_lower_bound:>10.2f}")
        d = r._asdict()
        d["classical_cost"], d["quantum_cost"] = r.classical_cost.as_dict(), r.quantum_cost.as_dict()
        doc_rows.append(d)
    lines.append("LB = slides' Omega(sqrt(N / max(1, ceil(gamma N)))) qubits (constant unknown): the gap is polynomial.")
    doc = {"num_dims": num_dims, "rows": doc_rows}

    def plot(ax):
        g = np.array([r.gamma for r in rows])
        ax.loglog(g, [r.sketch_bits for r in rows], "o-", label="classical sketch: bits (simulated)")
        ax.loglog(g, [r.quantum_qubits for r in rows], "s-", label="quantum Hadamard test: qubits (simulated)")
        ax.loglog(g, [r.qubit_lower_bound for r in rows], "--", label="qubit lower bound (slides' claim)")
        ax.set_xlabel("margin gamma")
        ax.set_ylabel("communication for 95 % accuracy")
        ax.legend(fontsize=7)

    doc["files"] = _write(out_dir, "margin", doc, plot)
    return "\n".join(lines), doc


def cora_report(*, seeds: int = 10, epochs: int = 1000, out_dir=None) -> tuple[str, dict]:
    """Train both models for ``seeds`` seeds; mean +- std vs the published numbers."""
    seeds = check_int("seeds", seeds, minimum=1)
    epochs = check_int("epochs", epochs, minimum=1)
    t0 = time.perf_counter()
    results = [train_cora(m, seed=s, epochs=epochs) for m in ("quadratic", "prelu") for s in range(seeds)]
    wall = time.perf_counter() - t0
    summ = summarise(results)
    lines = [f"Cora, SIGN-style network, {seeds} seed(s) x {epochs} epochs, wall {wall:.1f} s",
             f"{'model':>10} {'node acc (ours)':>18} {'published':>14} {'decision (ours)':>18} {'published':>14}"]
    for model, row in summ.items():
        t, d = row["test_accuracy"], row["decision_accuracy"]
        lines.append(f"{model:>10} {t['mean']:>9.2f} +- {t['std']:<5.2f} {t['published_mean']:>7.2f} +- {t['published_std']:<4.2f}"
                     f" {d['mean']:>9.2f} +- {d['std']:<5.2f} {d['published_mean']:>7.2f} +- {d['published_std']:<4.2f}")
    claim = cora_communication_claim()
    lines.append(f"quantum protocol for the decision problem: NOT simulated; slides' claim O(log N) qubits "
                 f"(~{claim['claimed_qubits_shape']}) vs Omega(sqrt N) bits (~{claim['claimed_bits_shape']:.0f}), N = {claim['N']}.")
    doc = {"seeds": seeds, "epochs": epochs, "wall_time_s": wall, "summary": summ, "published": PUBLISHED,
           "runs": [{k: v for k, v in r._asdict().items() if k != "val_curve"} for r in results],
           "communication_claim": claim}

    def plot(ax):
        for r in results:
            ax.plot(np.arange(1, epochs + 1), r.val_curve, lw=0.7, color="C0" if r.model == "quadratic" else "C1")
        ax.plot([], [], color="C0", label="quadratic")
        ax.plot([], [], color="C1", label="PReLU")
        ax.set_xlabel("epoch")
        ax.set_ylabel("validation accuracy (%)")
        ax.legend(fontsize=7)

    doc["files"] = _write(out_dir, "cora", doc, plot)
    return "\n".join(lines), doc
