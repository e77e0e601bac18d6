"""Text report of the entanglement supply and the wall-clock verdict (used by ``jaxqring supply``)."""

from __future__ import annotations

import math
from typing import NamedTuple

import jax
import numpy as np

from ._supply import LinkModel, SupplyResult, attempts_per_step, supply
from ._wallclock import WallClock, wallclock


class SupplyReport(NamedTuple):
    """Everything ``jaxqring supply`` prints (plain numpy / Python values).

    Attributes:
        result: the Monte Carlo :class:`SupplyResult` (trials x links).
        verdict: the :class:`WallClock` comparison.
        table_times: shape=(K,): seconds of the rows of the pairs-vs-time table.
        table_good: shape=(K, 3): 5 %, 50 %, 95 % quantiles of good pairs per link (over links and trials).
        table_mean: shape=(K,): mean good pairs per link.
        fidelity_bins: shape=(B + 1,): edges of the fidelity histogram.
        fidelity_counts: shape=(B,): expected stored pairs per link in each bin at the final time.
    """

    result: SupplyResult
    verdict: WallClock
    table_times: np.ndarray
    table_good: np.ndarray
    table_mean: np.ndarray
    fidelity_bins: np.ndarray
    fidelity_counts: np.ndarray

    def text(self, *, min_fidelity: float, link: LinkModel, dt: float) -> str:
        v = self.verdict
        fresh = self.result.bucket_state[:, 0, 0]
        good_ages = np.asarray(self.result.good_mask).sum(axis=1)
        lines = [
            (f"Link: {int(attempts_per_step(link, dt)[0])} attempts/step (dt = {dt:g} s), heralding p = {float(link.herald_probability[0]):g}, capacity {int(link.capacity[0])} pairs, fresh F = {float(fresh[0]):.4f}, "
            f"pairs stay >= F_min = {min_fidelity:g} for {int(good_ages[0])} steps"),
            "",
            f"Good pairs per link vs time ({self.result.good.shape[2]} links x {self.result.good.shape[1]} trials)",
            f"{'time (s)':>12} {'mean':>12} {'5%':>10} {'median':>10} {'95%':>10}",
        ]
        for t, m, q in zip(self.table_times, self.table_mean, self.table_good):
            lines.append(f"{t:12.6g} {m:12.1f} {q[0]:10.0f} {q[1]:10.0f} {q[2]:10.0f}")
        lines += ["", "Fidelity of stored pairs at the end (expected pairs per link)"]
        peak = max(float(self.fidelity_counts.max()), 1e-300)
        for lo, hi, c in zip(self.fidelity_bins[:-1], self.fidelity_bins[1:], self.fidelity_counts):
            bar = "#" * round(40 * c / peak)
            lines.append(f"  [{lo:.4f}, {hi:.4f}) {c:12.1f} {bar}")
        lines += [
            "",
            f"One all-reduce: each link needs {int(v.pairs_needed.max())} pairs (messages coded at C(F_min) = {v.bits_per_qubit:.4f} bits/qubit)",
            f"  classical ring     {v.classical_s:12.6g} s",
            f"  superdense online  {v.online_s:12.6g} s",
            "  superdense set-up  {}".format("never (within the horizon)" if math.isinf(v.setup_s) else f"{v.setup_s:12.6g} s"),
            "  verdict: {}".format(
                "quantum ring faster" if v.quantum_wins else "classical ring faster"),
            "  break-even classical bit rate: {}".format(
                "none (the quantum ring never finishes first)" if v.breakeven_bit_rate == 0 else f"{v.breakeven_bit_rate:.4g} bits/s"),
        ]
        return "\n".join(lines)


def supply_report(
    link: LinkModel,
    *,
    key,
    dt: float,
    steps: int,
    min_fidelity: float,
    num_nodes: int,
    num_coords: int,
    bits: int,
    bit_rate: float,
    trials: int = 64,
    latency: float = 0.0,
    confidence: float = 0.99,
    policy: str = "replace_oldest",
    purify=None,
    rows: int = 8,
    bins: int = 8,
) -> SupplyReport:
    """Run the supply Monte Carlo for every ring link and the wall-clock comparison."""
    n_links = num_nodes if link.num_links == 1 else link.num_links
    ring_links = jax.tree_util.tree_map(lambda a: np.broadcast_to(np.asarray(a), (n_links,) + a.shape[1:]), link)
    k_sup, k_wall = jax.random.split(key)
    res = supply(ring_links, dt=dt, steps=steps, min_fidelity=min_fidelity, key=k_sup, trials=trials,
                 policy=policy, purify=purify)
    method = "closed_form" if (purify is None and policy == "replace_oldest") else "monte_carlo"
    verdict = wallclock(ring_links, num_nodes=num_nodes, num_coords=num_coords, bits=bits, bit_rate=bit_rate, dt=dt,
                        steps=steps, min_fidelity=min_fidelity, latency=latency, confidence=confidence, method=method,
                        key=k_wall, trials=trials, policy=policy, purify=purify)
    good = np.asarray(res.good)  # (T, trials, L)
    idx = np.unique(np.linspace(0, steps - 1, min(rows, steps)).round().astype(int))
    flat = good[idx].reshape(idx.size, -1)
    fid = np.asarray(res.bucket_state[..., 0]).ravel()
    weight = np.asarray(res.mean_counts).ravel() / res.mean_counts.shape[0]
    held = fid[weight > 0] if np.any(weight > 0) else fid
    edges = np.linspace(float(held.min()), float(held.max()) + 1e-9, bins + 1)
    counts, _ = np.histogram(fid, bins=edges, weights=weight)
    return SupplyReport(
        result=res,
        verdict=verdict,
        table_times=np.asarray(res.times)[idx],
        table_good=np.quantile(flat, [0.05, 0.5, 0.95], axis=1).T,
        table_mean=flat.mean(axis=1),
        fidelity_bins=edges,
        fidelity_counts=counts,
    )
