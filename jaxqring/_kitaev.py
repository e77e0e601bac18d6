"""GHZ-aggregated all-reduce: iterative (Kitaev) phase estimation of integer sums (SPEC §3-4).

Node j holds integers ``q[j, i]`` (one per coordinate i). For every coordinate the nodes run
t = b rounds of :func:`jaxqring.kernels.kitaev_estimate` on fresh GHZ copies: in round r node j
applies R(phi_j) with ``phi_j = 2 pi ((m_r q_j) mod 2**b) / 2**b``, ``m_r = 2**(b-1-r)``,
computed in exact uint32 arithmetic, and the leader adds the feedback phase (SPEC §4). The X-parity
law of a copy comes from one of two exact paths (``method``):

* ``"closed_form"`` - SPEC [3.1]/[3.8]: P(+1) = (1 + V cos Phi_r) / 2 with Phi_r = sum_j phi_j
  plus the feedback. On the 2**b grid the phase sum is evaluated exactly as an integer sum
  mod 2**b; V = 1 without noise and V = ``jaxqring.ghz_visibility(noise, N)`` with noise.
* ``"mps"`` - the per-node phases go through the bond-2 GHZ MPS transfer sweep
  (:func:`jaxqring.kernels.pauli_log_expectation`), or under noise through the MPO path
  ``jaxqring.kernels.noisy_pauli_log_expectation`` (SPEC §6 [6.3]/[6.4]); exact for any noise
  model, O(N) per round.

``"auto"`` picks the closed form without noise and the MPS/MPO path with noise.

``feedback=False`` selects the non-adaptive "majority per bit" variant (X-parity and sine shots
per round, feedback applied classically; see :mod:`kernels._kitaev`). Shots per round must be
odd (SPEC C9): an even M would need a tie rule, so it is rejected.

Failure probability (feedback variant, SPEC [4.3]): with visibility V a shot is wrong with
probability (1 - V)/2, a round's majority of M (odd) shots with ``eps_M = Tail(M, (1 - V)/2)``
(SPEC C9) and a coordinate with ``1 - (1 - eps_M)**b <= b eps_M``. Noiseless (V = 1) every
round is deterministic and M = 1 recovers every sum exactly ([4.1]). See
:func:`kitaev_failure_probability` and :func:`shots_for_failure`.
"""

from __future__ import annotations

import dataclasses
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from . import kernels as K
from ._checks import check_choice, check_finite, check_int, check_real, is_traced
from ._fixedpoint import MAX_BITS, FixedPoint, decode_sum, dequantise_mean, fixed_point, quantise
from ._noise import NoiseModel, ghz_visibility, prepare_noise
from ._readout import _coordinate_keys

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
        num_coordinates: P.
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
    num_coordinates: int = dataclasses.field(metadata=dict(static=True))
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
    num_nodes: int, num_coordinates: int, bits: int, shots: int, feedback: bool
) -> CommStats:
    """The :class:`CommStats` of one all-reduce (plain Python arithmetic on static sizes)."""
    readouts = 1 if feedback else 2
    copies = num_coordinates * bits * shots * readouts
    per_link = tuple([copies] * (num_nodes - 1) + [0])
    return CommStats(
        num_nodes=num_nodes,
        num_coordinates=num_coordinates,
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


def _check_unit_interval(name: str, value, *, closed_right: bool) -> float:
    """A float in (0, 1] (``closed_right``) or (0, 1); a ValueError naming ``name`` otherwise."""
    v = check_real(name, value)
    if not (0 < v < 1 or (closed_right and v == 1)):
        interval = "(0, 1]" if closed_right else "(0, 1)"
        raise ValueError(f"Argument `{name}` must be in {interval}, got {v}.")
    return v


def _check_visibility(visibility) -> float:
    return _check_unit_interval("visibility", visibility, closed_right=True)


def _check_shots(shots_per_round) -> int:
    shots = check_int("shots_per_round", shots_per_round, minimum=1)
    if shots % 2 == 0:
        raise ValueError(
            f"Argument `shots_per_round` must be odd (majority vote, SPEC C9), got {shots}."
        )
    return shots


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
    shots = _check_shots(shots_per_round)
    bits = check_int("bits", bits, minimum=1, maximum=MAX_BITS)
    v = _check_visibility(visibility)
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

    Example:
        >>> shots_for_failure(1e-3, 8, 0.9)
        9
    """
    delta = _check_unit_interval("delta", delta, closed_right=False)
    bits = check_int("bits", bits, minimum=1, maximum=MAX_BITS)
    v = _check_visibility(visibility)
    m_h = math.ceil(2 * math.log(bits / delta) / v**2)
    m_h += m_h % 2 == 0
    lo, hi = 0, (m_h - 1) // 2  # search over odd M = 2 i + 1, i in [lo, hi]
    while lo < hi:
        mid = (lo + hi) // 2
        if bits * majority_tail(2 * mid + 1, (1 - v) / 2) <= delta:
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
    target = _check_unit_interval("target", target, closed_right=False)
    p = check_real("dephasing", dephasing, minimum=0.0, maximum=0.5)
    bits = check_int("bits", bits, minimum=1, maximum=MAX_BITS)
    shots = _check_shots(shots_per_round)

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


def _estimate(key, words, noise, visibility, *, bits, shots, feedback, law, cdtype):
    """vmap of :func:`kitaev_estimate` over the P columns of ``words`` (N, P) uint32.

    ``law`` is "closed_form" (integer phase sum, visibility ``visibility``) or "mps" (GHZ MPS,
    or the noisy MPO path when ``noise`` is not None).
    """
    n, p = words.shape
    acc = K.accumulation_dtype(cdtype)
    rt = K.real_dtype(cdtype)
    mask = jnp.uint32((1 << bits) - 1)
    codes = jnp.zeros((n,), jnp.int32)  # X readout on every node
    mps = K.ghz(n, dtype=cdtype)
    keys = jax.random.split(key, p)

    def one(k, w):
        def outcome_law(kexp, omega):
            u = (w << kexp.astype(jnp.uint32)) & mask  # (m_r q_j) mod 2**b, exact, shape (N,)
            if law == "closed_form":
                s = jnp.sum(u, dtype=jnp.uint32) & mask  # sum_j phi_j on the 2**b grid, exact
                phi = 2 * math.pi * jnp.ldexp(s.astype(acc), -bits) + omega
                return 1 - K.ghz_parity_probability(phi, visibility)
            phases = 2 * math.pi * jnp.ldexp(u.astype(rt), -bits)
            phases = phases.at[0].add(omega.astype(rt))
            if noise is None:
                mant, logs = K.pauli_log_expectation(mps, phases, codes)
            else:
                mant, logs = K.noisy_pauli_log_expectation(mps, noise, phases, codes)
            return (1 + mant.astype(acc) * jnp.exp(logs.astype(acc))) / 2

        return K.kitaev_estimate(
            k, outcome_law, num_rounds=bits, num_shots=shots, feedback=feedback, dtype=acc
        )

    return jax.vmap(one)(keys, words.T)


_estimate_jit = jax.jit(
    _estimate, static_argnames=("bits", "shots", "feedback", "law", "cdtype")
)


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


def _run_estimation(key, words, noise, *, bits, shots, feedback, method, cdtype):
    """Validate the shared options, pick the outcome law and run the batched estimation."""
    method = check_choice("method", method, METHODS)
    if not isinstance(feedback, bool):
        raise ValueError(f"Argument `feedback` must be a bool, got {feedback!r}.")
    _check_key(key)
    closed = method == "closed_form" or (method == "auto" and noise is None)
    law = "closed_form" if closed else "mps"
    prepared, vis = _noise_parts(noise, words.shape[0], cdtype, law)
    return _estimate_jit(
        key, words, prepared, vis, bits=bits, shots=shots, feedback=feedback, law=law,
        cdtype=jnp.dtype(cdtype),
    )


def _check_key(key):
    _coordinate_keys(key, 1)  # raises a ValueError naming `key` for a non-key (concrete only)


def _check_counts(name: str, q, n_min: int = 2):
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
    rounds: K.KitaevRounds  # leading axis P: estimate (P,) = s, bits (P, b), counts (P, b, R)


def kitaev_sum(
    key,
    q,
    *,
    bits: int,
    shots_per_round: int,
    noise=None,
    signed: bool = True,
    feedback: bool = True,
    method: str = "auto",
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
    Returns:
        :class:`KitaevSumResult` with ``sum`` (P,) int32, ``stats`` and per-round ``rounds``.

    Example:
        >>> import jax, jaxqring as jq
        >>> q = jax.numpy.array([[3, -2], [1, 5], [-4, 0]])
        >>> jq.kitaev_sum(jax.random.key(0), q, bits=6, shots_per_round=1).sum
        Array([0, 3], dtype=int32)
    """
    bits = check_int("bits", bits, minimum=1, maximum=MAX_BITS)
    shots = _check_shots(shots_per_round)
    if not isinstance(signed, bool):
        raise ValueError(f"Argument `signed` must be a bool, got {signed!r}.")
    n, p = _check_counts("q", q)
    q = jnp.asarray(q)
    if not jnp.issubdtype(q.dtype, jnp.integer):
        raise ValueError(f"Argument `q` must be an integer array, got dtype {q.dtype}.")
    if signed:
        q_max = ((1 << (bits - 1)) - 1) // n
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
    rounds = _run_estimation(
        key, words, noise, bits=bits, shots=shots, feedback=feedback, method=method,
        cdtype=K.default_complex_dtype(),
    )
    s = rounds.estimate
    if signed:
        s = jnp.where(s >= (1 << (bits - 1)), s - (1 << bits), s)
    return KitaevSumResult(s.astype(jnp.int32), comm_stats(n, p, bits, shots, feedback), rounds)


# ---------------------------------------------------------------------------------------------
# GHZ all-reduce of real gradients.
# ---------------------------------------------------------------------------------------------


class GHZAllReduceResult(NamedTuple):
    """Output of :func:`ghz_allreduce` for P coordinates (dtype of ``grads``)."""

    sum: jax.Array  # shape=(P,): delta * S, the weighted sum sum_j w_j g_j in gradient units
    mean: jax.Array  # shape=(P,): delta * S / N (the mean for unit weights)
    delta: float  # LSB in gradient units, clip / q_max (static)
    int_sum: jax.Array  # shape=(P,), int32: the decoded integer sum S = sum_j w_j q_j
    stats: CommStats  # static resource counts
    rounds: K.KitaevRounds  # per-coordinate round statistics (leading axis P)


def _weighted_format(weights, bits, clip, n: int) -> tuple[FixedPoint, np.ndarray | None]:
    """Fixed point for the weighted sum: headroom divisor sum_j |w_j| (N for unit weights)."""
    if weights is None:
        return fixed_point(bits, clip, n), None
    bits = check_int("bits", bits, minimum=1, maximum=MAX_BITS)
    clip = check_real("clip", clip, minimum=0.0, exclusive_minimum=True)
    if is_traced(weights):
        raise ValueError("Argument `weights` must be concrete integers (static), got a tracer.")
    w = np.asarray(weights)
    if w.shape != (n,):
        raise ValueError(f"Argument `weights` must have shape (N,) = ({n},), got {w.shape}.")
    if w.dtype.kind not in "iu":
        raise ValueError(f"Argument `weights` must be an integer array, got dtype {w.dtype}.")
    budget = (1 << (bits - 1)) - 1
    l1 = int(np.sum(np.abs(w.astype(np.int64))))
    if l1 == 0:
        raise ValueError("Argument `weights` must not be all zero.")
    if l1 > budget:
        raise ValueError(
            f"Argument `weights` must satisfy sum_j |w_j| <= 2**(bits-1) - 1 = {budget} (headroom "
            f"q_max = floor({budget} / sum_j |w_j|) >= 1), got sum_j |w_j| = {l1}; increase `bits`."
        )
    q_max = budget // l1
    return FixedPoint(bits, clip, n, q_max, clip / q_max), w.astype(np.int32)


def ghz_allreduce(
    key,
    grads,
    *,
    bits: int,
    clip: float,
    weights=None,
    shots_per_round: int,
    noise=None,
    feedback: bool = True,
    method: str = "auto",
) -> GHZAllReduceResult:
    """All-reduce of N nodes' gradients by GHZ phase encoding and Kitaev estimation (SPEC §3-4).

    Node j quantises its row with the SPEC §1 fixed point (``jaxqring.fixed_point(bits, clip,
    N)``: clip to [-clip, clip], q_j = rint(g_j / delta), |q_j| <= q_max), scales it by its
    integer weight w_j, and the nodes estimate S = sum_j w_j q_j per coordinate with
    :func:`kitaev_sum`. Headroom with weights: |S| <= sum_j |w_j| q_max must stay
    <= 2**(bits-1) - 1 for S to decode uniquely, so the quantiser uses
    q_max = floor((2**(bits-1) - 1) / sum_j |w_j|) and delta = clip / q_max; this needs
    sum_j |w_j| <= 2**(bits-1) - 1 (checked). Unit weights give exactly SPEC C6.

    Args:
        key: JAX PRNG key.
        grads: (N, P) real float array (float32 or float64), finite, N >= 2.
        bits: b in [1, 30] with 2**(b-1) - 1 >= N. clip: R > 0.
        weights: None (all 1) or (N,) concrete integers (static, not all zero).
        shots_per_round: odd M >= 1. noise, feedback, method: as in :func:`kitaev_sum`.
    Returns:
        :class:`GHZAllReduceResult`; ``sum``/``mean`` have the dtype of ``grads``. Where the
        estimate succeeds, ``int_sum`` equals the classical integer sum exactly and
        ``|mean - mean_j clip(g_j)| <= delta / 2`` for unit weights (SPEC [1.4]).

    Example:
        >>> import jax, jaxqring as jq
        >>> g = jax.numpy.array([[0.4, -0.2], [0.2, 1.0]])  # q_max = 63: q = [[25, -13], [13, 63]]
        >>> jq.ghz_allreduce(jax.random.key(0), g, bits=8, clip=1.0, shots_per_round=1).mean
        Array([0.3015873 , 0.39682543], dtype=float32)
    """
    n, p = _check_counts("grads", grads)
    if not is_traced(grads) and np.asarray(grads).dtype.kind != "f":
        raise ValueError(
            f"Argument `grads` must be a real floating array, got dtype {np.asarray(grads).dtype}."
        )
    grads = jnp.asarray(grads)
    if not jnp.issubdtype(grads.dtype, jnp.floating):
        raise ValueError(
            f"Argument `grads` must be a real floating array, got dtype {grads.dtype}."
        )
    check_finite("grads", grads)
    fmt, w = _weighted_format(weights, bits, clip, n)
    shots = _check_shots(shots_per_round)
    q = quantise(grads, fmt)
    if w is not None:
        q = q * jnp.asarray(w)[:, None]
    cdtype = jnp.complex64 if grads.dtype == jnp.float32 else K.default_complex_dtype()
    rounds = _run_estimation(
        key, q.astype(jnp.uint32), noise, bits=fmt.bits, shots=shots, feedback=feedback,
        method=method, cdtype=cdtype,
    )
    total = decode_sum(rounds.estimate, fmt)
    dt = grads.dtype
    return GHZAllReduceResult(
        sum=total.astype(dt) * jnp.asarray(fmt.delta, dt),
        mean=dequantise_mean(total, fmt, dt),
        int_sum=total,
        delta=fmt.delta,
        stats=comm_stats(n, p, fmt.bits, shots, feedback),
        rounds=rounds,
    )
