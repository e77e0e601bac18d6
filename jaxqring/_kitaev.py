"""Kitaev phase estimation of integer sums over GHZ copies, and its failure law (SPEC §3-4).

Node j holds integers ``q[j, i]`` (one per coordinate i). For every coordinate the nodes run
t = b rounds of iterative phase estimation on fresh GHZ copies
(:func:`jaxqring.kernels.estimation.ghz_sums.estimate_integer_sums`): in round r node j applies
R(phi_j) with ``phi_j = 2 pi ((m_r q_j) mod 2**b) / 2**b``, ``m_r = 2**(b-1-r)``, and the leader
adds the feedback phase (SPEC §4). The X-parity law of a copy comes from one of two exact paths
(``method``): ``"closed_form"`` (SPEC [3.1]/[3.8], visibility V = ``jaxqring.ghz_visibility``) or
``"mps"`` (the GHZ MPS sweep, or the density-MPO sweep under noise; exact for any local noise).
``"auto"`` picks the closed form without noise and the MPS/MPO path with noise.

``feedback=False`` selects the non-adaptive "majority per bit" variant (X-parity and sine shots
per round, feedback applied classically). Shots per round must be odd (SPEC C9).

Failure probability (feedback variant, SPEC [4.3]): a round's majority of M (odd) shots fails
with ``eps_M = Tail(M, (1 - V)/2)`` (SPEC C9) and a coordinate with ``1 - (1 - eps_M)**b``.
See :func:`kitaev_failure_probability`, :func:`shots_for_failure` and
:func:`smallest_odd_shots` (the one shot-count bisection of the package). The GHZ all-reduce of
real gradients built on :func:`kitaev_sum` lives in :mod:`jaxqring.allreduce`.
"""

from __future__ import annotations

import dataclasses
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from . import kernels as K
from ._checks import (
    check_choice,
    check_int,
    check_key,
    check_memory,
    check_odd_shots,
    check_probability,
    check_real,
    coordinate_layout,
    is_traced,
)
from ._fixedpoint import MAX_BITS, headroom
from ._noise import NoiseModel, ghz_visibility, prepare_noise
from ._parallel import to_device
from .kernels.estimation.ghz_sums import estimate_integer_sums, estimate_integer_sums_keyed

METHODS = ("auto", "closed_form", "mps")


# ---------------------------------------------------------------------------------------------
# Accounting.
# ---------------------------------------------------------------------------------------------


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class CommStats:
    """Resources of one GHZ all-reduce of P coordinates (SPEC §3 accounting, §4, A6).

    Every field is a static Python int (the pytree has no leaves), so a ``CommStats`` passes
    through ``jit`` unchanged. Link j is the directed edge j -> j+1 (mod N), SPEC C1.

    Attributes:
        num_nodes: N.
        num_coords: P.
        bits: b, rounds of phase estimation per coordinate.
        shots_per_round: M copies per round and readout.
        readouts_per_round: 1 (X-parity, feedback variant) or 2 (X-parity and sine, without).
        num_ghz_copies: P * b * M * readouts - GHZ copies consumed (distributed in set-up).
        num_setup_qubits_per_link: tuple of N ints; each copy sends one qubit on every link
            0 -> 1 -> ... -> N-1 (SPEC [3.9]), none on N-1 -> 0.
        num_online_bits: classical bits broadcast online: N per copy (one outcome per node).
        num_rounds: b phase-estimation rounds.
        num_sequential_rounds: rounds that must wait for the previous round's broadcasts:
            b with feedback, 1 without (all rounds run at once).
        num_phase_applications: sequential elementary phase applications per node and
            coordinate, Q = M * readouts * (2**b - 1) (SPEC A6; a classical multiplication,
            since node j knows its own phase).
    """

    num_nodes: int = dataclasses.field(metadata=dict(static=True))
    num_coords: int = dataclasses.field(metadata=dict(static=True))
    bits: int = dataclasses.field(metadata=dict(static=True))
    shots_per_round: int = dataclasses.field(metadata=dict(static=True))
    readouts_per_round: int = dataclasses.field(metadata=dict(static=True))
    num_ghz_copies: int = dataclasses.field(metadata=dict(static=True))
    num_setup_qubits_per_link: tuple = dataclasses.field(metadata=dict(static=True))
    num_online_bits: int = dataclasses.field(metadata=dict(static=True))
    num_rounds: int = dataclasses.field(metadata=dict(static=True))
    num_sequential_rounds: int = dataclasses.field(metadata=dict(static=True))
    num_phase_applications: int = dataclasses.field(metadata=dict(static=True))

    @property
    def num_setup_qubits(self) -> int:
        """Total set-up qubit transmissions, (N - 1) per copy."""
        return sum(self.num_setup_qubits_per_link)


def comm_stats(
    num_nodes: int, num_coords: int, bits: int, shots: int, feedback: bool
) -> CommStats:
    """The :class:`CommStats` of one all-reduce (plain Python arithmetic on static sizes)."""
    readouts = 1 if feedback else 2
    copies = num_coords * bits * shots * readouts
    per_link = tuple([copies] * (num_nodes - 1) + [0])
    return CommStats(
        num_nodes=num_nodes,
        num_coords=num_coords,
        bits=bits,
        shots_per_round=shots,
        readouts_per_round=readouts,
        num_ghz_copies=copies,
        num_setup_qubits_per_link=per_link,
        num_online_bits=copies * num_nodes,
        num_rounds=bits,
        num_sequential_rounds=bits if feedback else 1,
        num_phase_applications=shots * readouts * ((1 << bits) - 1),
    )


# ---------------------------------------------------------------------------------------------
# Failure probability and the shot rule (SPEC C9, [4.3]).
# ---------------------------------------------------------------------------------------------


def majority_tail(shots: int, q: float) -> float:
    """Tail(M, q) = P(Binomial(M, q) >= (M + 1)/2): a majority of M odd shots is wrong (C9)."""
    from scipy import stats  # host-side edge code; imported lazily to keep `import jaxqring` fast

    return float(stats.binom.sf((shots - 1) // 2, shots, q))


def kitaev_failure_probability(shots_per_round: int, bits: int, visibility: float = 1.0) -> float:
    """P(a coordinate's b-bit sum is wrong) = 1 - (1 - eps_M)**b, eps_M = Tail(M, (1 - V)/2).

    SPEC [4.3], feedback variant: given correct earlier bits every shot is right with probability
    (1 + V)/2, so rounds fail independently with probability eps_M. For dephasing p on every
    node V = (1 - 2p)**N (SPEC C8). Noiseless (V = 1) this is exactly 0.

    Args:
        shots_per_round: odd M >= 1.
        bits: b in [1, 30].
        visibility: V in (0, 1].
    Returns:
        Python float in [0, 1).
    """
    shots = check_odd_shots("shots_per_round", shots_per_round)
    bits = check_int("bits", bits, minimum=1, maximum=MAX_BITS)
    v = check_probability("visibility", visibility, open_left=True)
    eps = majority_tail(shots, (1 - v) / 2)
    return float(-math.expm1(bits * math.log1p(-eps))) if eps < 1 else 1.0


def shots_for_failure(delta: float, bits: int, visibility: float = 1.0) -> int:
    """SPEC shot rule: the smallest odd M with ``bits * Tail(M, (1 - V)/2) <= delta``.

    It never exceeds the Hoeffding choice M_H = ceil(2 ln(b / delta) / V**2) rounded up to odd
    ([4.3]), which is the bisection's upper end.

    Args:
        delta: allowed failure probability per coordinate, in (0, 1).
        bits: b in [1, 30].
        visibility: V in (0, 1].
    Returns:
        Python int, odd, >= 1.

    Examples:
        >>> shots_for_failure(1e-3, 8, 0.9)
        9
    """
    delta = check_probability("delta", delta, open_left=True, open_right=True)
    bits = check_int("bits", bits, minimum=1, maximum=MAX_BITS)
    v = check_probability("visibility", visibility, open_left=True)
    m_h = math.ceil(2 * math.log(bits / delta) / v**2)
    m_h += m_h % 2 == 0
    return smallest_odd_shots((1 - v) / 2, delta, weight=bits, max_shots=m_h)


def smallest_odd_shots(q: float, budget: float, *, weight: float = 1, max_shots: int) -> int:
    """Smallest odd M in [1, max_shots] with ``weight * Tail(M, q) <= budget`` (bisection).

    Tail(M, q) (SPEC C9) falls monotonically in odd M for q < 1/2, so bisection over
    M = 2 i + 1 is exact. ``max_shots`` (odd) must satisfy the condition (a Hoeffding bound
    does); it is returned when nothing smaller does. The one shot-count search of the package.
    """
    lo, hi = 0, (max_shots - 1) // 2  # search over odd M = 2 i + 1, i in [lo, hi]
    while lo < hi:
        mid = (lo + hi) // 2
        if weight * majority_tail(2 * mid + 1, q) <= budget:
            hi = mid
        else:
            lo = mid + 1
    return 2 * lo + 1


def max_nodes_for_failure(
    target: float, *, dephasing: float, bits: int, shots_per_round: int
) -> int:
    """Largest N whose b-bit aggregate fails with probability <= ``target`` under dephasing p.

    The failure probability 1 - (1 - Tail(M, (1 - V)/2))**b rises as V = (1 - 2p)**N falls, so
    the threshold is N* = floor(ln V* / ln(1 - 2p)) with V* the smallest visibility meeting the
    target (found by bisection). Returns a large sentinel 2**31 - 1 when p = 0.
    """
    target = check_probability("target", target, open_left=True, open_right=True)
    p = check_real("dephasing", dephasing, minimum=0.0, maximum=0.5)
    bits = check_int("bits", bits, minimum=1, maximum=MAX_BITS)
    shots = check_odd_shots("shots_per_round", shots_per_round)

    def fails(v):
        return kitaev_failure_probability(shots, bits, v) > target

    if p == 0:
        return 2**31 - 1
    if p == 0.5 or fails(1.0):
        return 0
    lo, hi = 0.0, 1.0  # fails(lo) (V -> 0 is a coin flip), not fails(hi)
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if fails(max(mid, 1e-300)) else (lo, mid)
    n = int(math.floor(math.log(hi) / math.log1p(-2 * p)))
    while n > 0 and fails((1 - 2 * p) ** n):  # guard the floor against rounding
        n -= 1
    return n


# ---------------------------------------------------------------------------------------------
# Batched estimation core.
# ---------------------------------------------------------------------------------------------


def _noise_parts(noise, n: int, cdtype, law: str):
    """Validate ``noise`` and return (prepared noise for the MPO kernel, visibility V)."""
    if noise is None:
        return None, jnp.ones((), K.accumulation_dtype(cdtype))
    if not isinstance(noise, NoiseModel):
        raise ValueError(
            "Argument `noise` must be a jaxqring.NoiseModel (e.g. jaxqring.dephasing(p)) or "
            f"None, got {type(noise).__name__}."
        )
    if law == "closed_form":
        v = jnp.asarray(ghz_visibility(noise, n), K.accumulation_dtype(cdtype))
        return None, v
    return prepare_noise(noise, n, cdtype), None


def estimation_bytes_per_coord(num_nodes: int, bits: int, law: str, *, encode: bool) -> int:
    """Working bytes of one coordinate inside a streamed chunk (a deliberate overestimate: the
    column, its quantised words and per-round phases, and the round statistics)."""
    per_node = 8 + 4 + (8 if encode else 0) + (48 if law == "mps" else 8)
    return num_nodes * per_node + 64 * bits + 64


def rounds_bytes_per_coord(bits: int, feedback: bool) -> int:
    """Bytes of one coordinate's kept :class:`KitaevRounds` (estimate, bits, counts, p_plus)."""
    readouts = 1 if feedback else 2
    return 4 + 4 * bits + 4 * bits * readouts + 8 * bits * readouts


def run_estimation(
    key, words, noise, *, bits, shots, feedback, method, cdtype, fmt=None, weights=None,
    max_batch=None, mesh=None, keep_rounds=True, name="q",
):
    """Validate the shared options, pick the outcome law and run the batched estimation.

    ``words`` are (N, P) uint32 words, or real node values quantised chunk by chunk with ``fmt``
    (and ``weights``). ``max_batch`` bounds the coordinates alive at once (default: from the
    device's free memory), ``mesh`` shards the coordinates (None, "all" or a 1-D Mesh), and
    ``keep_rounds=False`` returns the (P,) estimates alone. The result does not depend on
    ``max_batch`` or ``mesh``.
    """
    method = check_choice("method", method, METHODS)
    if not isinstance(feedback, bool):
        raise ValueError(f"Argument `feedback` must be a bool, got {feedback!r}.")
    if not isinstance(keep_rounds, bool):
        raise ValueError(f"Argument `keep_rounds` must be a bool, got {keep_rounds!r}.")
    check_key("key", key)
    closed = method == "closed_form" or (method == "auto" and noise is None)
    law = "closed_form" if closed else "mps"
    n, p = words.shape
    prepared, vis = _noise_parts(noise, n, cdtype, law)
    chunk, mesh = coordinate_layout(
        max_batch, mesh, num_coords=p,
        bytes_per_coord=estimation_bytes_per_coord(n, bits, law, encode=fmt is not None),
    )
    if keep_rounds:
        check_memory(
            name, p * rounds_bytes_per_coord(bits, feedback),
            what=f"the per-round statistics of {p} coordinates (KitaevRounds)",
            fix="pass keep_rounds=False to keep only the sums",
        )
    static = dict(bits=bits, shots=shots, feedback=feedback, law=law, cdtype=jnp.dtype(cdtype), fmt=fmt,
                  keep_rounds=keep_rounds)
    if isinstance(words, np.ndarray) and mesh is None and chunk < p:
        return _estimate_from_host(key, words, prepared, vis, weights, chunk=chunk, static=static)
    return estimate_integer_sums(key, to_device(words), prepared, vis, weights, chunk=chunk, mesh=mesh, **static)


def _estimate_from_host(key, words: np.ndarray, noise, visibility, weights, *, chunk: int, static: dict):
    """:func:`estimate_integer_sums` of host (numpy) columns larger than one chunk, fed to the
    device chunk by chunk: the (N, P) input is never copied whole, so the device holds at most two
    chunks of it (the next one is copied while the current one runs) and P is bounded by host
    memory, not device memory. Coordinate i keeps key i of ``jax.random.split(key, P)``, so the
    result equals the one-call result. One compiled program per chunk width (the full width and
    the tail), called P / chunk times from this loop over chunks.
    """
    p = words.shape[1]
    keys = jax.random.split(key, p)
    outs = []
    for start in range(0, p, chunk):
        cols = to_device(words[:, start:start + chunk])  # one contiguous copy of the chunk
        out = estimate_integer_sums_keyed(keys[start:start + chunk], cols, noise, visibility, weights, **static)
        if outs:  # dispatch runs ahead of the device: bound the chunks alive to two
            jax.block_until_ready(outs[-1])
        outs.append(out)
    return jax.tree.map(lambda *xs: jnp.concatenate(xs), *outs)


def check_counts(name: str, q, n_min: int = 2):
    shape = tuple(jnp.shape(q))
    if len(shape) != 2 or shape[0] < n_min:
        raise ValueError(
            f"Argument `{name}` must have shape (N, P) with N >= {n_min} nodes, got {shape}."
        )
    return shape


class KitaevSumResult(NamedTuple):
    """Output of :func:`kitaev_sum` for P coordinates and b bits."""

    sum: jax.Array  # shape=(P,), int32: decoded sum S (signed) or residue s in [0, 2**b)
    stats: CommStats  # static resource counts
    rounds: K.KitaevRounds | None  # leading axis P: estimate (P,) = s, bits (P, b), counts (P, b, R); None if keep_rounds=False


def kitaev_sum(
    key: jax.Array,
    q: ArrayLike,
    *,
    bits: int,
    shots_per_round: int,
    noise: NoiseModel | None = None,
    signed: bool = True,
    feedback: bool = True,
    method: str = "auto",
    max_batch: int | None = None,
    mesh=None,
    keep_rounds: bool = True,
) -> KitaevSumResult:
    """Estimate sum_j q[j, i] for every coordinate i by Kitaev phase estimation over GHZ copies.

    Each coordinate runs b rounds (SPEC §4) with M = ``shots_per_round`` copies per round;
    the result is s = sum_j q_j mod 2**b, decoded as two's complement when ``signed``.
    Usable inside ``jit`` with traced ``key``/``q`` (the config arguments are static; value
    checks are skipped for tracers).

    Args:
        key: JAX PRNG key (results reproduce for the same key, shapes, method, jax version).
        q: (N, P) integer array, N >= 2. ``signed``: entries in [-q_max, q_max] with the SPEC
            C6 headroom q_max = floor((2**(b-1) - 1) / N); unsigned: entries in [0, 2**b), and
            the result is the sum mod 2**b (exact while sum_j q_j < 2**b, e.g. q_j in {0, 1}
            with b = ceil(log2(N + 1)) as in SPEC §10 scheme B).
        bits: b in [1, 30] (rounds per coordinate).
        shots_per_round: odd M >= 1 (SPEC C9; even M would need a tie rule).
        noise: None (exact GHZ) or a ``jaxqring.NoiseModel`` applied to every copy.
        signed: decode the residue as two's complement (SPEC §1 Decode) or return it.
        feedback: True = SPEC §4 quantum feedback; False = non-adaptive majority per bit with
            classical feedback (2 M copies per round, see :mod:`jaxqring.kernels._kitaev`).
        method: "auto", "closed_form" or "mps" (module docstring).
        max_batch: coordinates processed at once (streamed in chunks inside one compiled
            program); None picks the most that fit in a quarter of the free device memory.
        mesh: None, ``"all"`` (a 1-D mesh over every device) or a 1-D ``jax.sharding.Mesh``:
            the coordinates are sharded over its devices.
        keep_rounds: False drops the per-round statistics (``rounds`` is None), which dominate
            memory at large P.
    Returns:
        :class:`KitaevSumResult` with ``sum`` (P,) int32, ``stats`` and per-round ``rounds``.
        The same key gives the same result whatever ``max_batch`` and ``mesh``.

    Examples:
        >>> import jax, jaxqring as jq
        >>> q = jax.numpy.array([[3, -2], [1, 5], [-4, 0]])
        >>> jq.kitaev_sum(jax.random.key(0), q, bits=6, shots_per_round=1).sum
        Array([0, 3], dtype=int32)
    """
    bits = check_int("bits", bits, minimum=1, maximum=MAX_BITS)
    shots = check_odd_shots("shots_per_round", shots_per_round)
    if not isinstance(signed, bool):
        raise ValueError(f"Argument `signed` must be a bool, got {signed!r}.")
    n, p = check_counts("q", q)
    q = jnp.asarray(q)
    if not jnp.issubdtype(q.dtype, jnp.integer):
        raise ValueError(f"Argument `q` must be an integer array, got dtype {q.dtype}.")
    if signed:
        q_max = headroom(bits, n)
        if q_max < 1:
            raise ValueError(
                f"Argument `bits` must satisfy 2**(bits-1) - 1 >= N = {n} for signed sums "
                f"(SPEC C6 headroom), got bits={bits}."
            )
        lo, hi = -q_max, q_max
    else:
        lo, hi = 0, (1 << bits) - 1
    if not is_traced(q) and q.size:
        qn = np.asarray(q)
        if qn.min() < lo or qn.max() > hi:
            raise ValueError(
                f"Argument `q` must lie in [{lo}, {hi}] for bits={bits}, N={n}, signed={signed}, "
                f"got values in [{qn.min()}, {qn.max()}]."
            )
    words = q.astype(jnp.int32).astype(jnp.uint32)  # two's complement: q mod 2**32
    out = run_estimation(
        key, words, noise, bits=bits, shots=shots, feedback=feedback, method=method,
        cdtype=K.default_complex_dtype(), max_batch=max_batch, mesh=mesh, keep_rounds=keep_rounds,
    )
    rounds, s = (out, out.estimate) if keep_rounds else (None, out)
    if signed:
        s = jnp.where(s >= (1 << (bits - 1)), s - (1 << bits), s)
    return KitaevSumResult(s.astype(jnp.int32), comm_stats(n, p, bits, shots, feedback), rounds)


