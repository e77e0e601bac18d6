"""Files of a training run: summaries, metric files, parameter files, learning curves, run folders.

Everything here writes through :func:`jaxqring._io.atomic_write`, so an interrupted run never
leaves a half-written file. This module knows a run only through the fields of a
:class:`~jaxqring.training.TrainResult` (``history``, ``params``, ``config``, ``cost``,
``num_params``, ``resumed_from``), so :meth:`TrainResult.save` can use it without a cycle.
"""

from __future__ import annotations

import csv
import io
import json
import os
from typing import Any

import jax
import numpy as np

from .._io import atomic_write_bytes, check_out_dir

# Files one run writes into its output folder (``checkpoint.npz`` comes from ``train``).
RUN_FILES = ("checkpoint.npz", "metrics.csv", "metrics.json", "curves.png", "params.npz")
# Metrics that count carriers: written as integers.
_COUNT_METRICS = ("bits_sent", "online_qubits", "setup_qubits")


def summary(result: Any) -> dict[str, float | int]:
    """Final/mean metrics of a :class:`TrainResult` as plain Python numbers.

    Keys: ``final_test_accuracy``, ``best_test_accuracy``, ``final_test_loss``,
    ``final_train_loss``, ``mean_agreement``, ``min_agreement``, ``steps``, ``num_params``.
    """
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


def write_outputs(out: str | os.PathLike, result: Any, *, title: str | None = None) -> dict[str, str]:
    """Write ``metrics.csv``, ``metrics.json``, ``curves.png`` and ``params.npz`` into ``out``.

    Each file is written atomically (an interruption leaves the previous version, never a
    partial one). ``metrics.csv`` has one row per step (columns ``step`` and the metrics in the
    order of ``result.history``); ``metrics.json`` holds the config, the cost per step, the
    summary and the full history (NaN -> null); ``params.npz`` the parameter leaves in tree order.

    Returns:
        dict with keys ``csv``, ``json``, ``plot``, ``params`` -> the paths written.
    """
    out = check_out_dir(out)
    h = result.history
    names = tuple(h)
    steps = h[names[0]].shape[0]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["step", *names])
    for t in range(steps):
        row: list[Any] = [t + 1]
        for k in names:
            v = float(h[k][t])
            row.append(int(round(v)) if k in _COUNT_METRICS else f"{v:.6g}")
        w.writerow(row)
    paths = {k: os.path.join(out, name) for k, name in
             [("csv", "metrics.csv"), ("json", "metrics.json"), ("plot", "curves.png"), ("params", "params.npz")]}
    atomic_write_bytes(paths["csv"], buf.getvalue().encode())
    doc = {
        "config": result.config.to_dict(),
        "cost_per_step": result.cost.as_dict(),
        "summary": summary(result),
        "resumed_from": int(result.resumed_from),
        "history": {k: [None if not np.isfinite(x) else float(x) for x in h[k]] for k in names},
    }
    atomic_write_bytes(paths["json"], json.dumps(doc, indent=1).encode())
    leaves = {f"leaf_{i:02d}": np.asarray(x) for i, x in enumerate(jax.tree_util.tree_leaves(result.params))}
    pbuf = io.BytesIO()
    np.savez(pbuf, **leaves)
    atomic_write_bytes(paths["params"], pbuf.getvalue())
    plot_curves({title or result.config.aggregator: result}, paths["plot"])
    return paths


def plot_curves(results: dict[str, Any], path: str | os.PathLike) -> None:
    """Test accuracy, test loss and sign agreement against the step, one line per run (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    draw_curves(axes, results)
    fig.tight_layout()
    save_figure(fig, path)


def draw_curves(axes, results: dict[str, Any]) -> None:
    """Draw test accuracy, test loss and sign agreement vs step on three matplotlib axes."""
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


def save_figure(fig: Any, path: str | os.PathLike) -> None:
    """Render ``fig`` to PNG in memory, close it, and write it atomically to ``path``."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    atomic_write_bytes(os.fspath(path), buf.getvalue())


def prepare_run_dir(out: str | os.PathLike, *, resume: bool = False, overwrite: bool = False) -> str:
    """Check an output folder before a run writes into it; returns its path (created if needed).

    A folder that already holds a run's files (:data:`RUN_FILES`) is refused unless the run
    continues it (``resume=True``) or replaces it (``overwrite=True``, which deletes exactly
    those files first, so no old checkpoint is left next to new metrics).

    Raises:
        ValueError: naming ``out`` (the folder holds a run, or is not a writable directory) or
            ``overwrite`` (combined with ``resume``).
    """
    if not isinstance(resume, bool):
        raise ValueError(f"Argument `resume` must be True or False, got {resume!r}.")
    if not isinstance(overwrite, bool):
        raise ValueError(f"Argument `overwrite` must be True or False, got {overwrite!r}.")
    if resume and overwrite:
        raise ValueError("Argument `overwrite` cannot be combined with `resume` (continue or replace a run, not both).")
    path = check_out_dir(out)
    present = [name for name in RUN_FILES if os.path.exists(os.path.join(path, name))]
    if present and not resume and not overwrite:
        raise ValueError(
            f"Argument `out` already holds a run in {path!r} ({', '.join(present)}); continue it "
            "with resume (--resume), replace it with overwrite (--overwrite), or choose another folder."
        )
    if overwrite:
        for name in present:
            os.unlink(os.path.join(path, name))
    return path
