"""One table comparing the all-reduce schemes on the same gradients (behind ``jaxqring allreduce``).

Rows: classical ring, superdense ring with perfect pairs, superdense ring with Werner pairs of
fidelity F, and the GHZ all-reduce. Columns: carriers per link (online, set-up; maxima over
links), communication rounds, the error of node 0's mean against the float64 numpy mean of the
clipped gradients (max and RMS), and the cold/warm wall time measured in this run.
"""

from __future__ import annotations

import csv
import io
import os
from typing import NamedTuple

import jax
import numpy as np

from .._checks import check_int, check_memory, check_real
from .._fixedpoint import fixed_point
from .._io import atomic_write_bytes, atomic_write_json, check_out_dir
from .._timing import time_jax
from ._ghz import ghz_allreduce
from ._ring import ring_allreduce, ring_memory_bytes
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
    # Host gradients (float64 draw, float32 copy, float64 reference: 20 bytes per entry), the
    # GHZ path's integer words (12) and the ring's own buffers, before anything is drawn.
    check_memory(
        "num_nodes", 32 * num_nodes * num_coords + ring_memory_bytes(num_nodes, num_coords, 4),
        what=f"comparing the schemes on N = {num_nodes} nodes x P = {num_coords} coordinates",
        fix="reduce the number of nodes or coordinates (e.g. N = 64 with P = 10^6 needs about 3 GiB)",
    )
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



def comparison_notes(res: AllReduceComparison) -> tuple[str, ...]:
    """Plain sentences that explain the columns of a :class:`AllReduceComparison`, the noisy rows
    in particular (every number taken from ``res``)."""
    rows = {r.scheme: r for r in res.rows}
    noisy = [r for r in res.rows if r.scheme.startswith("superdense ring (F=") and r.scheme != "superdense ring (F=1)"]
    notes = [
        f"Quantisation step delta = {res.delta:.3e}: a noiseless ring is off by at most delta/2 = "
        f"{res.delta / 2:.3e} per coordinate (SPEC [1.4]), which the classical and F=1 rows show.",
        "The superdense rows send qubits instead of bits: half as many online carriers, plus as many "
        "EPR pairs set up beforehand (the set-up column).",
    ]
    if noisy:
        r = noisy[0]
        notes.append(
            f"The {r.scheme} row uses Werner pairs: every 2-bit symbol is decoded wrongly with probability "
            f"1 - F = {1 - res.fidelity:.3g}; a wrong symbol in the high-order bits of a {res.bits}-bit "
            f"word shifts that coordinate's decoded sum by a large fraction of the clip range, so a few "
            f"coordinates carry large errors (max {r.max_abs_error:.3e}, rms {r.rms_error:.3e}) while the "
            f"others stay within delta/2. At F = {res.fidelity:g} a qubit carries "
            f"{res.capacity:.4f} bits of information (1 bit at F* = {res.breakeven_fidelity:.4f})."
        )
    if "GHZ aggregation" in rows:
        notes.append(
            "GHZ: 'online' counts every broadcast outcome bit (not per link), set-up counts the GHZ "
            "qubits per link, and rounds are sequential Kitaev rounds."
        )
    return tuple(notes)


def write_comparison(res: AllReduceComparison, out_dir: str | os.PathLike) -> dict[str, str]:
    """Write ``allreduce.json`` (the parameters, every row and the notes) and ``allreduce.csv``
    (one row per scheme) into ``out_dir`` (created), atomically. Returns the two paths."""
    out = check_out_dir(out_dir)
    paths = {"json": os.path.join(out, "allreduce.json"), "csv": os.path.join(out, "allreduce.csv")}
    doc = {
        "num_nodes": res.num_nodes, "num_coords": res.num_coords, "bits": res.bits, "clip": res.clip,
        "fidelity": res.fidelity, "delta": res.delta, "capacity_bits_per_qubit": res.capacity,
        "breakeven_fidelity": res.breakeven_fidelity,
        "rows": [r._asdict() for r in res.rows],
        "notes": list(comparison_notes(res)),
    }
    atomic_write_json(paths["json"], doc)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(SchemeRow._fields)
    for r in res.rows:
        w.writerow([f"{v:.6g}" if isinstance(v, float) else v for v in r])
    atomic_write_bytes(paths["csv"], buf.getvalue().encode())
    return paths
