"""Reports of training runs: the demo comparison, its communication table, figure and reading.

The per-run files (summaries, metric files, parameter files, learning curves) live in
:mod:`jaxqring.training._outputs` and are re-exported here. Everything is written through
:func:`jaxqring._io.atomic_write`, so an interrupted run never leaves a half-written file.
"""

from __future__ import annotations

import dataclasses
import os
import time
from typing import Any, NamedTuple

import numpy as np

from .._accounting import CommCost
from .._checks import check_int, check_real
from .._io import atomic_write_json, check_out_dir
from .._noise import dephasing as dephasing_model
from .._noise import ghz_visibility
from ._aggregators import communication_cost, ghz_majority_shots
from ._outputs import draw_curves, save_figure
from ._outputs import plot_curves as plot_curves
from ._outputs import summary as summary
from ._outputs import write_outputs as write_outputs
from ._train import TrainConfig, train


class DemoRun(NamedTuple):
    """One row of :func:`demo_comparison`."""

    label: str
    noise: str  # human-readable noise of the run ("-" classical, "none", "dephasing 0.2 (V=...)")
    summary: dict  # :func:`summary` of the run
    cost: CommCost  # communication of one step
    seconds: float  # wall time of the run, this process


class SchemeCost(NamedTuple):
    """Communication of one aggregation step by one scheme (exact integers, SPEC accounting)."""

    scheme: str
    online_bits: int  # classical bits sent while aggregating
    online_qubits: int  # qubits sent while aggregating (superdense: one per 2-bit symbol)
    setup_qubits: int  # qubits distributed beforehand (EPR halves, GHZ qubits)
    trained: bool  # whether the demo trained with this scheme (else cost only)

    @property
    def total(self) -> int:
        """All carriers of the step: online bits + online qubits + set-up qubits."""
        return self.online_bits + self.online_qubits + self.setup_qubits


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
    num_params: int = 0
    schemes: tuple = ()  # of SchemeCost: communication per step, trained and cost-only schemes
    reading: tuple = ()  # of str: plain sentences reading the result (see :func:`demo_reading`)


def scheme_costs(num_workers: int, num_params: int, shots: int, *, float_bits: int = 32) -> tuple[SchemeCost, ...]:
    """Communication per aggregation step of every scheme the demo compares.

    Rows: the classical float ring of the mean (2 (N-1) P w bits, SPEC [1.3]); the same ring
    superdense-coded (w-bit words as 2-bit symbols: half the online carriers, as many EPR pairs
    set up, SPEC §2); classical majority vote (2 N P bits); the superdense ring of the signs
    (b = ceil(log2 N) + 1-bit words, SPEC C6); GHZ majority with M shots per coordinate
    (N P M broadcast bits, (N - 1) P M set-up qubits, SPEC §10 Scheme A).
    """
    n = check_int("num_workers", num_workers, minimum=2)
    p = check_int("num_params", num_params, minimum=1)
    m = check_int("shots", shots, minimum=1)

    def row(label, cost: CommCost, trained: bool) -> SchemeCost:
        return SchemeCost(label, int(cost.bits_sent), int(cost.online_qubits), int(cost.setup_qubits), trained)

    return (
        row("classical mean (float ring)", communication_cost("mean", num_workers=n, num_params=p, float_bits=float_bits), True),
        row("superdense ring of the mean", communication_cost("superdense", num_workers=n, num_params=p, bits=float_bits), False),
        row("classical majority", communication_cost("majority", num_workers=n, num_params=p), True),
        row("superdense ring of the signs", communication_cost("superdense", num_workers=n, num_params=p), False),
        row(f"GHZ majority (M={m})", communication_cost("ghz_majority", num_workers=n, num_params=p, shots=m), True),
    )


def _si(x: float) -> str:
    """A count in words a reader takes in at a glance: 3.24 million, 33.7 thousand, 512."""
    x = float(x)
    for size, word in ((1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if abs(x) >= size:
            return f"{x / size:.3g} {word}"
    return f"{x:.0f}"


def demo_reading(res: DemoComparison) -> tuple[str, ...]:
    """A few plain sentences that read a :class:`DemoComparison`: who wins on what, by how much.

    Every number is taken from ``res`` (nothing is hard-coded), so the sentences stay true for
    any ``--workers``, ``--steps``, ``--shots`` or ``--dephasing``.
    """
    runs = {r.label: r for r in res.runs}
    ghz = runs["GHZ majority"]
    noisy = [r for r in res.runs if r.label.startswith("GHZ majority, dephasing")]
    acc = {k: r.summary["final_test_accuracy"] for k, r in runs.items()}
    c_mean, c_sd_mean, c_maj, c_sd_sign, c_ghz = res.schemes  # the order of scheme_costs
    gap = acc["GHZ majority"] - acc["classical majority"]
    out = [
        f"Accuracy: noiseless GHZ majority vote reached {acc['GHZ majority']:.3f} test accuracy against "
        f"{acc['classical majority']:.3f} for classical majority vote ({gap:+.3f}) and "
        f"{acc['classical mean']:.3f} for SGD on the exact mean; its aggregated signs agreed with the "
        f"exact majority on {ghz.summary['mean_agreement']:.2%} of coordinates.",
        f"Cost: per step it sends {_si(c_ghz.online_bits)} broadcast bits and distributes "
        f"{_si(c_ghz.setup_qubits)} GHZ qubits (M = {res.shots} shots on each of P = {res.num_params} "
        f"coordinates), against {_si(c_maj.online_bits)} bits for classical majority vote: "
        f"{c_ghz.total / c_maj.total:,.0f} times the carriers for "
        + ("the same accuracy." if abs(gap) < 0.01 else f"an accuracy difference of {gap:+.3f}."),
        f"The superdense ring would carry the exact mean in {_si(c_sd_mean.online_qubits)} online qubits "
        f"instead of {_si(c_mean.online_bits)} bits ({c_sd_mean.online_qubits / c_mean.online_bits:.2f} of "
        f"the online carriers) after distributing as many EPR pairs ({_si(c_sd_mean.setup_qubits)} set-up "
        f"qubits); on the signs it needs {_si(c_sd_sign.online_qubits)} online qubits, "
        f"{c_sd_sign.online_qubits / c_maj.online_bits:.2f} of classical majority's bits, and with perfect "
        "pairs it returns exactly the classical majority.",
    ]
    if noisy:
        r = noisy[0]
        out.append(
            f"Noise: under dephasing p = {res.dephasing:g} (GHZ visibility V = {res.visibility:.3g}) sign "
            f"agreement falls to {r.summary['mean_agreement']:.2f} and accuracy to "
            f"{r.summary['final_test_accuracy']:.3f}; the same M shots no longer suffice."
        )
    cheapest = min(res.schemes, key=lambda c: c.total)
    best = max(acc, key=acc.get)
    ratio = c_ghz.total / c_maj.total
    verdict = (f"needs {ratio:,.0f} times its carriers, because a reliable vote from sine-readout "
               "parities takes many shots per coordinate" if ratio > 1 else
               f"needs only {ratio:.2f} of its carriers")
    out.append(
        f"Bottom line: {best} is the most accurate run here ({acc[best]:.3f}); {cheapest.scheme} is the "
        f"cheapest scheme ({_si(cheapest.total)} carriers per step); against classical majority vote, "
        f"GHZ majority {verdict}."
    )
    return tuple(out)


def plot_demo(results: dict[str, Any], schemes: tuple, path: str | os.PathLike) -> None:
    """The demo figure: test accuracy, test loss and sign agreement vs step (one line per run),
    and a fourth panel with the communication per step of every scheme (online bits, online
    qubits, set-up qubits; log scale)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(18, 4.2), gridspec_kw={"width_ratios": [1, 1, 1, 1.35]})
    draw_curves(axes[:3], results)
    ax = axes[3]
    y = np.arange(len(schemes))
    kinds = (("online_bits", "online bits"), ("online_qubits", "online qubits"), ("setup_qubits", "set-up qubits"))
    h = 0.26
    for i, (field, label) in enumerate(kinds):
        vals = np.array([getattr(c, field) for c in schemes], dtype=float)
        ax.barh(y + (i - 1) * h, np.where(vals > 0, vals, np.nan), height=h, label=label)
    ax.set_yticks(y, [c.scheme + ("" if c.trained else " *") for c in schemes], fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("carriers per step (log)")
    ax.set_title("communication per step (* cost only)", fontsize=9)
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    save_figure(fig, path)


def demo_comparison(
    out_dir: str | os.PathLike, *, num_workers: int = 7, steps: int = 300, shots: int | None = None,
    dephasing: float = 0.2, seed: int = 0,
) -> DemoComparison:
    """signSGD on the digits set with four aggregators, same seed, data and model.

    Runs SGD on the exact mean, classical majority vote, GHZ majority vote (SPEC §10 Scheme A)
    noiseless and under ``dephasing``; tabulates the communication per step of every scheme
    (:func:`scheme_costs`, the superdense rings included) and reads the result in plain sentences
    (:func:`demo_reading`); writes ``demo.png`` (curves and a communication panel) and
    ``demo.json`` to ``out_dir`` atomically and returns everything. ``shots`` defaults to the smallest odd M
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
    num_p = int(results["classical mean"].num_params)
    schemes = scheme_costs(n, num_p, shots)
    fig_path = os.path.join(out, "demo.png")
    plot_demo(results, schemes, fig_path)
    json_path = os.path.join(out, "demo.json")
    res = DemoComparison(n, steps, seed, shots, p, v, tuple(runs), total, fig_path, json_path, num_p, schemes)
    res = res._replace(reading=demo_reading(res))
    doc = {
        "num_workers": n, "steps": steps, "seed": seed, "shots": shots, "num_params": num_p,
        "dephasing": p, "visibility": v, "total_seconds": total,
        "runs": {r.label: {"noise": r.noise, "config": results[r.label].config.to_dict(), "summary": r.summary,
                           "cost_per_step": r.cost.as_dict(), "seconds": r.seconds} for r in runs},
        "communication_per_step": {c.scheme: {**c._asdict(), "total": c.total} for c in schemes},
        "reading": list(res.reading),
    }
    atomic_write_json(json_path, doc)
    return res
