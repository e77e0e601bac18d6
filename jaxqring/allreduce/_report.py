"""One table comparing the all-reduce schemes on the same gradients (behind ``jaxqring allreduce``).

Rows: classical ring, superdense ring with perfect pairs, superdense ring with Werner pairs of
fidelity F, and the GHZ all-reduce. Columns: carriers per link (online, set-up; maxima over
links), communication rounds, the error of node 0's mean against the float64 numpy mean of the
clipped gradients (max and RMS), and the cold/warm wall time measured in this run.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import numpy as np

from .._checks import check_int, check_real
from .._fixedpoint import fixed_point
from .._timing import time_jax
from ._ghz import ghz_allreduce
from ._ring import ring_allreduce
from ._superdense import superdense_breakeven_fidelity, superdense_capacity, werner


class SchemeRow(NamedTuple):
    """One scheme of :class:`AllReduceComparison` (plain Python numbers)."""

    scheme: str
    unit: str  # carrier of the online column: "bit", "qubit" or "bit/qubit" (GHZ)
    online_per_link: int  # GHZ: all broadcast outcome bits (not per link)
    setup_per_link: int
    rounds: int  # sequential communication rounds (GHZ: Kitaev rounds)
    max_abs_error: float
    rms_error: float
    cold_s: float
    warm_s: float


class AllReduceComparison(NamedTuple):
    """Result of :func:`compare_allreduce`."""

    num_nodes: int
    num_coords: int
    bits: int
    clip: float
    fidelity: float
    rows: tuple  # of SchemeRow
    delta: float  # quantisation step in gradient units
    capacity: float  # bits of information per online qubit at ``fidelity`` (SPEC [2.5])
    breakeven_fidelity: float  # F* where the capacity is 1 bit


def compare_allreduce(
    *, num_nodes: int = 8, num_coords: int = 20_000, bits: int = 12, clip: float = 1.0,
    fidelity: float = 0.99, ghz_shots: int = 1, seed: int = 0,
) -> AllReduceComparison:
    """Run every all-reduce scheme on one set of Gaussian gradients (std 0.4) and tabulate.

    Every number is measured in this call: errors against the float64 numpy mean of
    ``clip(g)``; wall times of a cold (compiling) and a warm call.
    """
    num_nodes = check_int("num_nodes", num_nodes, minimum=2)
    num_coords = check_int("num_coords", num_coords, minimum=1)
    fmt = fixed_point(bits, clip, num_nodes)  # validates bits and clip with clear messages
    fidelity = check_real("fidelity", fidelity, minimum=0.25, maximum=1.0)
    epr = werner(fidelity)
    seed = check_int("seed", seed, minimum=0)
    ghz_shots = check_int("ghz_shots", ghz_shots, minimum=1)
    key = jax.random.key(seed)
    _, kn, kq = jax.random.split(key, 3)
    rng = np.random.default_rng(seed)
    grads = (0.4 * rng.standard_normal((num_nodes, num_coords))).astype(np.float32)
    reference = np.clip(grads.astype(np.float64), -fmt.clip, fmt.clip).mean(axis=0)

    def errors(mean):
        err = np.asarray(mean, np.float64) - reference
        return float(np.max(np.abs(err))), float(np.sqrt(np.mean(err**2)))

    rows = []
    for label, kw in (
        ("classical ring", {}),
        ("superdense ring (F=1)", {"scheme": "superdense"}),
        (f"superdense ring (F={fidelity:g})", {"scheme": "superdense", "epr": epr, "key": kn}),
    ):
        t = time_jax(lambda i, kw=kw: ring_allreduce(grads, bits=fmt.bits, clip=fmt.clip, **kw))
        led = t.out.ledger
        rows.append(SchemeRow(label, led.unit, int(led.online_per_link.max()), int(led.setup_per_link.max()),
                              led.num_rounds, *errors(t.out.mean[0]), t.cold_s, t.warm_median_s))
    t = time_jax(lambda i: ghz_allreduce(kq, grads, bits=fmt.bits, clip=fmt.clip, shots_per_round=ghz_shots))
    st = t.out.stats
    rows.append(SchemeRow("GHZ aggregation", "bit/qubit", st.num_online_bits, max(st.num_setup_qubits_per_link),
                          st.num_sequential_rounds, *errors(t.out.mean), t.cold_s, t.warm_median_s))
    return AllReduceComparison(
        num_nodes, num_coords, fmt.bits, fmt.clip, fidelity, tuple(rows), fmt.delta,
        float(superdense_capacity(fidelity)), superdense_breakeven_fidelity(),
    )

