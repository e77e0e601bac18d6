"""TieAudit and its classical baseline, birthday sampling (SPEC §9, A15).

The server encodes its signs in the phase state |psi_s> on n = ceil(log2 P) qubits and sends K
copies; the client measures each in its matching basis and counts the "-" outcomes
(:mod:`jaxqring.kernels.estimation.phase_state`). With a perfect matching, P(-) = f, the
fraction of conflicted tied pairs, and f_hat = #(-)/K. With a partial matching of L pairs a
copy gives "bot" with probability (P - 2L)/P; bot copies are discarded and
f_hat = #(-)/#(not bot), which estimates f = (1/L) sum_k [s_ik != s_jk].

Copies (SPEC [9.4]): K = ceil(ln(2/delta) / (2 eps^2)) for a perfect matching. For a partial
matching with q = 2L/P, Hoeffding conditional on the number V of valid copies gives
P(fail) <= E[2 exp(-2 V eps^2)] = 2 (1 - q (1 - e^{-2 eps^2}))^K, and K is the smallest count
that makes this <= delta (it reduces to the [9.4] rule at q = 1 up to the rounding of the
logarithm).

Birthday sampling: shared randomness picks m distinct indices uniformly; the server sends their
m sign bits. A pair is covered if both ends are in the set; the estimate is the conflicted
fraction among covered pairs (0.5 if none is covered). The number C of covered pairs of a
perfect matching with L = P/2 pairs has the exact law
P(C = c) = binom(L, c) binom(L - c, m - 2c) 2**(m - 2c) / binom(P, m), and given C the covered
pairs are a uniform C-subset of the pairs, so the conflicted count is hypergeometric
(:func:`birthday_error_probability`).
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .._accounting import CommCost
from .._checks import check_choice, check_int, check_key
from ..kernels.estimation import phase_state
from ._validate import check_delta, check_matching, check_signs, check_tau

METHODS = ("fast", "statevector")
STATEVECTOR_MAX_QUBITS = 20


class TieAuditResult(NamedTuple):
    """Outcome of one TieAudit: K copies of an n-qubit phase state."""

    estimate: jax.Array  # shape=(), float64: f_hat (0.5 if no copy was valid)
    num_conflicts: jax.Array  # shape=(), int32: copies with outcome "-"
    num_valid: jax.Array  # shape=(), int32: copies that were not "bot"
    outcomes: jax.Array  # shape=(K,), int8: 0 = +, 1 = -, 2 = bot
    pairs: jax.Array  # shape=(K,), int32: pair index of every copy (L for bot)
    cost: CommCost  # online_qubits = K n, rounds = 1
    num_copies: int  # K
    num_qubits_per_copy: int  # n = ceil(log2 P)


class BirthdayResult(NamedTuple):
    """Outcome of one birthday-sampling audit."""

    estimate: float  # conflicted fraction among covered pairs (0.5 if none is covered)
    num_covered: int  # C
    num_conflicts: int  # conflicted covered pairs
    cost: CommCost  # bits_sent = m, rounds = 1
    num_indices: int  # m


def tieaudit_copies(eps: float, delta: float, *, pair_fraction: float = 1.0) -> int:
    """Copies K for P(|f_hat - f| >= eps) <= delta (SPEC [9.4]; module docstring for q < 1).

    Args:
        eps: accuracy in (0, 1].
        delta: failure probability in (0, 1).
        pair_fraction: q = 2L/P in (0, 1], the probability that a copy is not bot.

    Examples:
        >>> tieaudit_copies(0.1, 0.01)
        265
    """
    eps = check_tau("eps", eps)
    delta = check_delta("delta", delta)
    q = check_tau("pair_fraction", pair_fraction)
    if q == 1.0:
        return math.ceil(math.log(2 / delta) / (2 * eps**2))
    per_copy = -math.log1p(-q * -math.expm1(-2 * eps**2))
    return math.ceil(math.log(2 / delta) / per_copy)


def phase_state_qubits(num_coords: int) -> int:
    """n = ceil(log2 P) for P >= 2."""
    num_coords = check_int("num_coords", num_coords, minimum=2)
    return (num_coords - 1).bit_length()


def tieaudit_cost(num_coords: int, num_copies: int) -> CommCost:
    """K n qubits in one one-way message (each client needs its own copies)."""
    k = check_int("num_copies", num_copies, minimum=1)
    return CommCost(online_qubits=k * phase_state_qubits(num_coords), rounds=1)


@functools.partial(jax.jit, static_argnames=("num_coords", "num_copies"))
def _fast(key, bits, matching, *, num_coords, num_copies):
    return phase_state.sample_fast(key, bits, matching, num_coords=num_coords, num_copies=num_copies)


@functools.partial(jax.jit, static_argnames=("num_coords", "num_copies"))
def _fast_adjacent(key, bits, *, num_coords, num_copies):
    return phase_state.sample_fast_adjacent(key, bits, num_coords=num_coords, num_copies=num_copies)


@functools.partial(jax.jit, static_argnames=("num_qubits", "num_copies"))
def _statevector(key, bits, matching, *, num_qubits, num_copies):
    return phase_state.sample_statevector(key, bits, matching, num_qubits=num_qubits, num_copies=num_copies)


def _summarise(outcomes):
    minus = jnp.sum(outcomes == phase_state.OUTCOME_MINUS).astype(jnp.int32)
    valid = jnp.sum(outcomes != phase_state.OUTCOME_BOT).astype(jnp.int32)
    dt = jax.dtypes.canonicalize_dtype(jnp.float64)
    est = jnp.where(valid > 0, minus.astype(dt) / jnp.maximum(valid, 1).astype(dt), 0.5)
    return est, minus, valid


def tieaudit(
    key,
    signs,
    matching,
    *,
    eps: float,
    delta: float,
    method: str = "fast",
    num_copies: int | None = None,
) -> TieAuditResult:
    """Estimate the fraction f of sign-inconsistent tied pairs from K phase-state copies (SPEC §9).

    Args:
        key: PRNG key.
        signs: shape=(P,), real, P even: the server's signs (sign(0) = +1, A15).
        matching: int shape=(L, 2) disjoint index pairs (the client's ties), or "adjacent" for
            the perfect matching (2k, 2k + 1) without an index array.
        eps, delta: accuracy and failure probability (K from :func:`tieaudit_copies`).
        method: "fast" (exact O(K) sampler, any P < 2**31) or "statevector" (P <= 2**20).
        num_copies: override K.
    Returns:
        :class:`TieAuditResult` with ``cost.online_qubits = K ceil(log2 P)``.

    Examples:
        >>> res = tieaudit(jax.random.key(0), jnp.array([1, -1, 1, 1]), "adjacent", eps=0.2, delta=0.05)
        >>> res.num_copies, res.cost.online_qubits
        (47, 94)
    """
    key = check_key("key", key)
    eps = check_tau("eps", eps)
    delta = check_delta("delta", delta)
    method = check_choice("method", method, METHODS)
    bits = check_signs(signs)
    p = bits.shape[0]
    pairs = check_matching(matching, p)
    num_pairs = p // 2 if isinstance(pairs, str) else pairs.shape[0]
    if num_copies is None:
        k = tieaudit_copies(eps, delta, pair_fraction=2 * num_pairs / p)
    else:
        k = check_int("num_copies", num_copies, minimum=1)
    n = phase_state_qubits(p)
    jbits = jnp.asarray(bits)
    if method == "fast":
        if isinstance(pairs, str):
            out, pair_idx = _fast_adjacent(key, jbits, num_coords=p, num_copies=k)
        else:
            out, pair_idx = _fast(key, jbits, jnp.asarray(pairs), num_coords=p, num_copies=k)
    else:
        if n > STATEVECTOR_MAX_QUBITS:
            raise ValueError(
                f"Argument `signs` is too long for method='statevector': P = {p} needs n = {n} > "
                f"{STATEVECTOR_MAX_QUBITS} qubits; use method='fast'."
            )
        if isinstance(pairs, str):
            pairs = np.arange(p, dtype=np.int32).reshape(-1, 2)
        out, pair_idx = _statevector(key, jbits, jnp.asarray(pairs), num_qubits=n, num_copies=k)
    est, minus, valid = _summarise(out)
    return TieAuditResult(est, minus, valid, out, pair_idx, tieaudit_cost(p, k), k, n)


# ---------------------------------------------------------------------------------------------
# Birthday sampling.
# ---------------------------------------------------------------------------------------------


def birthday_indices(eps: float, delta: float, num_coords: int) -> int:
    """SPEC §9 worst-case rule: m = ceil((1 + sqrt(1 + 8 K (P - 1))) / 2) so that K covered pairs
    are expected (K from :func:`tieaudit_copies`), capped at P (sending every sign is exact)."""
    k = tieaudit_copies(eps, delta)
    p = check_int("num_coords", num_coords, minimum=2)
    return min(p, math.ceil((1 + math.sqrt(1 + 8 * k * (p - 1))) / 2))


def birthday_audit(key, signs, matching, *, eps: float, delta: float, num_indices: int | None = None) -> BirthdayResult:
    """Classical one-way audit: the server sends the signs at m shared-random distinct indices.

    Args:
        key: the shared seed (the index set is a uniform m-subset of [0, P)).
        signs: shape=(P,), real, P even.
        matching: as in :func:`tieaudit`.
        eps, delta: set m by :func:`birthday_indices` unless ``num_indices`` is given.
        num_indices: override m (1 <= m <= P).
    Returns:
        :class:`BirthdayResult` with ``cost.bits_sent = m``.
    """
    key = check_key("key", key)
    eps = check_tau("eps", eps)
    delta = check_delta("delta", delta)
    bits = check_signs(signs)
    p = bits.shape[0]
    pairs = check_matching(matching, p)
    m = birthday_indices(eps, delta, p) if num_indices is None else check_int("num_indices", num_indices, minimum=1, maximum=p)
    seed = np.asarray(jax.random.bits(key, (2,), jnp.uint32)).astype(np.uint64)
    rng = np.random.default_rng([int(s) for s in seed])
    chosen = np.sort(rng.choice(p, size=m, replace=False))
    if isinstance(pairs, str):
        first = chosen[(chosen % 2 == 0)]
        covered_first = first[np.isin(first + 1, chosen, assume_unique=True)]
        a, b = covered_first, covered_first + 1
    else:
        in_set = np.isin(pairs, chosen)
        both = in_set[:, 0] & in_set[:, 1]
        a, b = pairs[both, 0], pairs[both, 1]
    c = int(a.size)
    conflicts = int(np.count_nonzero(bits[a] != bits[b]))
    est = conflicts / c if c else 0.5
    return BirthdayResult(est, c, conflicts, CommCost(bits_sent=m, rounds=1), m)


def covered_pairs_law(num_coords: int, num_indices: int) -> np.ndarray:
    """Exact law of C, the covered pairs of a perfect matching (module docstring): shape=(m//2+1,)."""
    from scipy import special

    p = check_int("num_coords", num_coords, minimum=2)
    m = check_int("num_indices", num_indices, minimum=0, maximum=p)
    half = p // 2
    c = np.arange(m // 2 + 1)
    singles = m - 2 * c
    logw = (
        special.gammaln(half + 1) - special.gammaln(c + 1) - special.gammaln(half - c + 1)
        + special.gammaln(half - c + 1) - special.gammaln(singles + 1)
        - special.gammaln(np.maximum(half - c - singles, 0) + 1)
        + singles * math.log(2)
        - (special.gammaln(p + 1) - special.gammaln(m + 1) - special.gammaln(p - m + 1))
    )
    ok = singles <= half - c
    w = np.where(ok, np.exp(np.where(ok, logw, -np.inf)), 0.0)
    return w / w.sum()


def birthday_error_probability(eps: float, num_coords: int, num_indices: int, num_conflicted: int) -> float:
    """Exact P(|f_hat - f| >= eps) of birthday sampling, perfect matching, F conflicted pairs."""
    from scipy import stats

    eps = check_tau("eps", eps)
    p = check_int("num_coords", num_coords, minimum=2)
    half = p // 2
    big_f = check_int("num_conflicted", num_conflicted, minimum=0, maximum=half)
    f = big_f / half
    law = covered_pairs_law(p, num_indices)
    total = law[0] * float(abs(0.5 - f) >= eps - 1e-12)
    for c in range(1, law.size):
        if law[c] < 1e-18:
            continue
        x = np.arange(c + 1)
        bad = np.abs(x / c - f) >= eps - 1e-12
        total += law[c] * float(stats.hypergeom.pmf(x[bad], half, big_f, c).sum())
    return float(min(total, 1.0))
