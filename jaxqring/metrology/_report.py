"""The F/N-versus-N study of noisy probes: GHZ, product, optimised MPS, and the upper bound.

Used by ``jaxqring metrology`` and the benchmark: every row is a certified interval
[optimised lower bound, channel-extension upper bound] beside the exact GHZ and product values.
"""

from __future__ import annotations

import json
import math
import pathlib
import time
from typing import NamedTuple

import numpy as np

from .._checks import check_int
from .._noise import NoiseModel, amplitude_damping, dephasing, depolarizing
from .._probes import ghz, product_plus
from ._bounds import channel_extension_bound
from ._optimal import optimal_probe
from ._qfi import qfi

CHANNELS = {"dephasing": dephasing, "depolarizing": depolarizing, "amplitude_damping": amplitude_damping}


class StudyRow(NamedTuple):
    """One N of the study (QFI values, not per node; seconds of the optimisation)."""

    n: int
    ghz: float
    product: float
    optimised: float
    upper: float
    bonds: list
    seconds: float


def parse_channel(spec: str) -> NoiseModel:
    """``"kind:param"`` (kind in dephasing, depolarizing, amplitude_damping) -> ``NoiseModel``."""
    kind, _, value = str(spec).partition(":")
    if kind not in CHANNELS or not value:
        raise ValueError(
            f"Argument `channel` must be KIND:PARAM with KIND in {sorted(CHANNELS)}, got {spec!r}."
        )
    try:
        param = float(value)
    except ValueError:
        raise ValueError(f"Argument `channel` must have a numeric parameter, got {value!r}.") from None
    return CHANNELS[kind](param)


def node_grid(n_max: int, points: int = 6) -> list[int]:
    """About ``points`` sizes from 2 to ``n_max``, geometrically spaced (distinct integers)."""
    n_max = check_int("nodes", n_max, minimum=2)
    grid = np.unique(np.round(np.geomspace(2, n_max, points)).astype(int))
    return [int(v) for v in grid]


def metrology_study(noise: NoiseModel, nodes, *, max_bond: int = 2) -> list[StudyRow]:
    """For each N: exact GHZ and |+>^N QFI, the optimised MPS probe (certified) and the CE bound."""
    rows = []
    for n in nodes:
        t0 = time.perf_counter()
        opt = optimal_probe(noise, n, max_bond=max_bond, with_upper=False)
        secs = time.perf_counter() - t0
        g = qfi(ghz(n), noise=noise).value
        prod = qfi(product_plus(n), noise=noise, method="sld", bond=2).value
        upper = channel_extension_bound(noise, n).value
        rows.append(StudyRow(n, g, prod, opt.qfi, upper, [list(b) for b in opt.bonds], secs))
    return rows


def crossover(rows: list[StudyRow]) -> int | None:
    """Smallest N of the study where the optimised probe beats GHZ by more than 1e-6 (relative)."""
    for r in rows:
        if r.optimised > r.ghz * (1 + 1e-6):
            return r.n
    return None


def study_table(rows: list[StudyRow]) -> str:
    head = f"{'N':>6} {'GHZ F/N':>10} {'product F/N':>12} {'optimised F/N':>14} {'upper F/N':>10} {'gap':>7} {'bonds':>8} {'s':>7}"
    lines = [head]
    for r in rows:
        gap = r.upper / r.optimised if r.optimised > 0 else math.inf
        lines.append(
            f"{r.n:>6} {r.ghz / r.n:>10.4f} {r.product / r.n:>12.4f} {r.optimised / r.n:>14.4f} "
            f"{r.upper / r.n:>10.4f} {gap:>7.3f} {tuple(r.bonds[-1])!s:>8} {r.seconds:>7.1f}"
        )
    return "\n".join(lines)


def write_study(rows: list[StudyRow], out_dir, *, channel: str) -> dict:
    """Write ``metrology.json`` and ``metrology.png`` (F/N vs N, certified interval) to out_dir."""
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    doc = dict(channel=channel, crossover_n=crossover(rows), rows=[r._asdict() for r in rows])
    jpath = out / "metrology.json"
    jpath.write_text(json.dumps(doc, indent=1))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = np.array([r.n for r in rows])
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(ns, [r.ghz / r.n for r in rows], "o-", label="GHZ (exact)")
    ax.plot(ns, [r.product / r.n for r in rows], "s-", label="|+>^N (exact)")
    lo = np.array([r.optimised / r.n for r in rows])
    hi = np.array([r.upper / r.n for r in rows])
    ax.fill_between(ns, lo, hi, alpha=0.2, label="certified interval")
    ax.plot(ns, lo, "^-", label="optimised MPS (lower bound)")
    ax.plot(ns, hi, "k--", label="channel-extension bound")
    ax.set_xscale("log")
    ax.set_xlabel("N")
    ax.set_ylabel("F / N")
    ax.set_title(channel)
    ax.legend(fontsize=7)
    ppath = out / "metrology.png"
    fig.savefig(ppath, dpi=90, bbox_inches="tight")
    plt.close(fig)
    return dict(json=str(jpath), figure=str(ppath))
