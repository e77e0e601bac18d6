"""Reports of training runs: summaries, metric files, parameter files and learning curves.

Everything here writes through :func:`jaxqring._io.atomic_write`, so an interrupted run never
leaves a half-written file.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import time
from typing import NamedTuple

import jax
import numpy as np

from .._accounting import CommCost
from .._checks import check_int, check_real
from .._io import atomic_write_bytes, atomic_write_json, check_out_dir
from .._noise import dephasing as dephasing_model
from .._noise import ghz_visibility
from ._aggregators import ghz_majority_shots
from ._train import METRICS, TrainConfig, train


def summary(result) -> dict:
    """Final/mean metrics of a :class:`TrainResult` as plain Python numbers."""

    h = result.history
    acc = h["test_accuracy"]
    return {
        "final_test_accuracy": float(acc[-1]),
        "best_test_accuracy": float(np.nanmax(acc)),
        "final_test_loss": float(h["test_loss"][-1]),
        "final_train_loss": float(h["train_loss"][-1]),
        "mean_agreement": float(np.mean(h["agreement"])),
        "min_agreement": float(np.min(h["agreement"])),
        "steps": int(acc.shape[0]),
        "num_params": int(result.num_params),
    }


def write_outputs(out: str, result, *, title: str | None = None) -> dict[str, str]:
    """Write metrics.csv, metrics.json, curves.png and params.npz; returns their paths."""

    h = result.history
    steps = h["test_accuracy"].shape[0]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["step", *METRICS])
    for t in range(steps):
        row = [t + 1]
        for k in METRICS:
            v = float(h[k][t])
            row.append(int(round(v)) if k in ("bits", "qubits", "setup_qubits") else f"{v:.6g}")
        w.writerow(row)
    paths = {k: os.path.join(out, name) for k, name in
             [("csv", "metrics.csv"), ("json", "metrics.json"), ("plot", "curves.png"), ("params", "params.npz")]}
    atomic_write_bytes(paths["csv"], buf.getvalue().encode())
    doc = {
        "config": result.config.to_dict(),
        "cost_per_step": result.cost.as_dict(),
        "summary": summary(result),
        "resumed_from": int(result.resumed_from),
        "history": {k: [None if not np.isfinite(x) else float(x) for x in h[k]] for k in METRICS},
    }
    atomic_write_bytes(paths["json"], json.dumps(doc, indent=1).encode())
    leaves = {f"leaf_{i:02d}": np.asarray(x) for i, x in enumerate(jax.tree_util.tree_leaves(result.params))}
    pbuf = io.BytesIO()
    np.savez(pbuf, **leaves)
    atomic_write_bytes(paths["params"], pbuf.getvalue())
    plot_curves({title or result.config.aggregator: result}, paths["plot"])
    return paths


def plot_curves(results: dict, path: str) -> None:
    """Test accuracy, test loss and sign agreement against the step, one line per run."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for label, res in results.items():
        h = res.history
        t = np.arange(1, h["test_accuracy"].shape[0] + 1)
        ok = np.isfinite(h["test_accuracy"])
        axes[0].plot(t[ok], h["test_accuracy"][ok], label=label)
        axes[1].plot(t[ok], h["test_loss"][ok], label=label)
        axes[2].plot(t, h["agreement"], label=label)
    axes[0].set_ylabel("test accuracy")
    axes[1].set_ylabel("test loss (nats)")
    axes[1].set_yscale("log")
    axes[2].set_ylabel("sign agreement with exact majority")
    for ax in axes:
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())


class DemoRun(NamedTuple):
    """One row of :func:`demo_comparison`."""

    label: str
    noise: str  # human-readable noise of the run ("-" classical, "none", "dephasing 0.2 (V=...)")
    summary: dict  # :func:`summary` of the run
    cost: CommCost  # communication of one step
    seconds: float  # wall time of the run, this process


class DemoComparison(NamedTuple):
    """Result of :func:`demo_comparison` (also written as ``demo.json`` and ``demo.png``)."""

    num_workers: int
    steps: int
    seed: int
    shots: int
    dephasing: float
    visibility: float
    runs: tuple  # of DemoRun
    total_seconds: float
    figure_path: str
    json_path: str


def demo_comparison(
    out_dir, *, num_workers: int = 7, steps: int = 300, shots: int | None = None,
    dephasing: float = 0.2, seed: int = 0,
) -> DemoComparison:
    """signSGD on the digits set with four aggregators, same seed, data and model.

    Runs SGD on the exact mean, classical majority vote, GHZ majority vote (SPEC §10 Scheme A)
    noiseless and under ``dephasing``; writes ``demo.png`` (curves) and ``demo.json`` to
    ``out_dir`` atomically and returns the table. ``shots`` defaults to the smallest odd M
    with worst-case per-coordinate error <= 1e-3 (:func:`ghz_majority_shots`).
    """
    n = check_int("num_workers", num_workers, minimum=2)
    p = check_real("dephasing", dephasing, minimum=0.0, maximum=0.5)
    shots = ghz_majority_shots(n, delta=1e-3) if shots is None else shots
    base = TrainConfig(num_workers=n, steps=steps, seed=seed, shots=shots)
    configs = {
        "classical mean": (dataclasses.replace(base, aggregator="mean"), "-"),
        "classical majority": (dataclasses.replace(base, aggregator="majority"), "-"),
        "GHZ majority": (dataclasses.replace(base, aggregator="ghz_majority"), "none"),
        f"GHZ majority, dephasing {p:g}": (
            dataclasses.replace(base, aggregator="ghz_majority", noise=f"dephasing:{p!r}"), f"dephasing {p:g}"),
    }
    for cfg, _ in configs.values():
        cfg.validated()
    out = check_out_dir(out_dir)
    v = float(ghz_visibility(dephasing_model(p), n))
    results, runs = {}, []
    t_all = time.perf_counter()
    for label, (cfg, noise) in configs.items():
        t0 = time.perf_counter()
        res = train(cfg)
        wall = time.perf_counter() - t0
        results[label] = res
        runs.append(DemoRun(label, f"{noise} (V={v:.3g})" if cfg.noise else noise, summary(res), res.cost, wall))
    total = time.perf_counter() - t_all
    fig_path = os.path.join(out, "demo.png")
    plot_curves(results, fig_path)
    doc = {
        "num_workers": n, "steps": steps, "seed": seed, "shots": shots,
        "dephasing": p, "visibility": v, "total_seconds": total,
        "runs": {r.label: {"noise": r.noise, "config": results[r.label].config.to_dict(), "summary": r.summary,
                           "cost_per_step": r.cost.as_dict(), "seconds": r.seconds} for r in runs},
    }
    json_path = os.path.join(out, "demo.json")
    atomic_write_json(json_path, doc)
    return DemoComparison(n, steps, seed, shots, p, v, tuple(runs), total, fig_path, json_path)
