"""Entanglement supply of one link over time: age-histogram Monte Carlo and the exact Markov chain.

Model (one link; time advances in steps of ``dt``):

* The link keeps its stored pairs as an **age histogram** ``counts[a]`` = number of pairs whose
  age is ``a`` steps, ``a = 0 .. A-1`` (shape (..., A), int32). Pairs heralded in the same step
  are identical (same fresh state, same age), so the histogram is an exact state of the memory,
  and its size does not depend on how many pairs are stored (10^6 pairs cost as much as 10).
  The Monte Carlo carries it in cumulative form (:func:`admit`), which makes a step O(A).
* One step: (1) every stored pair ages by one step; pairs reaching age A (the cut-off) are
  discarded. (2) ``k ~ Binomial(m, p)`` new pairs are heralded (m attempts per step, heralding
  probability p). (3) Optional purification at heralding, round r = 1..R: the k fresh pairs are
  grouped in twos (an odd one is discarded), each group succeeds independently with probability
  ``p_r``: ``k <- Binomial(floor(k/2), p_r)``. (4) The survivors enter at age 0 subject to the
  memory capacity C: policy ``REPLACE_OLDEST`` keeps the C freshest pairs, ``DROP_NEW`` rejects
  arrivals that do not fit.
* "Good" pairs are those whose age bucket is flagged in ``good_mask`` (fidelity >= F_min at that
  age; the caller computes it from the ageing law).

The Monte Carlo runs this with ``lax.scan`` over steps (keys split up front, passed as ``xs``),
vectorised over any leading axes (trials, links). The exact chain enumerates every histogram
with total <= C (``comb(A + C, C)`` states), tabulates the deterministic successor of each state
for each arrival count, and propagates the state distribution with one segment sum per step.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array, lax

REPLACE_OLDEST = 0
DROP_NEW = 1
POLICIES = {"replace_oldest": REPLACE_OLDEST, "drop_new": DROP_NEW}


def admit(cum: Array, arrivals: Array, capacity: Array, policy: Array) -> Array:
    """One step of the memory in *cumulative* form: age, drop the cut-off bucket, admit arrivals.

    The memory is carried as ``cum[a]`` = stored pairs of age <= a (the running sum of the age
    histogram from the freshest bucket). In this form every step is O(A) elementwise work with no
    scan over ages: ageing is a shift plus the new arrivals, and keeping the C freshest pairs is
    ``min(cum, C)``.

    Args:
        cum: (..., A) int32 cumulative age histogram before the step (cum[..., -1] <= capacity).
        arrivals: (...,) int32 new pairs this step (after any purification).
        capacity: (...,) int32 memory capacity C (pairs).
        policy: (...,) int32 ``REPLACE_OLDEST`` or ``DROP_NEW`` (data, so both policies share one
            compiled kernel).
    Returns:
        (..., A) int32 cumulative histogram after the step.
    """
    arrivals = arrivals.astype(cum.dtype)
    aged = cum[..., :-1]  # pairs of age a become age a + 1; the oldest bucket falls off
    kept_total = aged[..., -1] if aged.shape[-1] else jnp.zeros_like(arrivals)
    # drop_new admits only what fits next to the surviving pairs; replace_oldest admits all
    fresh = jnp.where(policy == DROP_NEW, jnp.minimum(arrivals, capacity - kept_total), arrivals)
    new = jnp.concatenate([fresh[..., None], fresh[..., None] + aged], axis=-1)
    return jnp.minimum(new, capacity[..., None])  # keep the C freshest (a no-op for drop_new)


def histogram(cum: Array) -> Array:
    """(..., A) cumulative form -> (..., A) age histogram (pairs of each age)."""
    return jnp.diff(cum, axis=-1, prepend=jnp.zeros_like(cum[..., :1]))


def heralded(key: Array, attempts: Array, herald_probability: Array, round_probabilities: Array) -> Array:
    """Pairs delivered in one step: Binomial(m, p), then Binomial(floor(k/2), p_r) per round.

    Args:
        key: PRNG key.
        attempts: (...,) attempts per step m (float holding an integer; binomial counts).
        herald_probability: (...,) p.
        round_probabilities: (..., R) success probability of each purification round (R may be 0).
    Returns:
        (...,) int32 pairs delivered.
    """
    shape = jnp.shape(herald_probability)
    keys = jax.random.split(key, 1 + round_probabilities.shape[-1])
    k = jax.random.binomial(keys[0], attempts, herald_probability, shape=shape)
    for r in range(round_probabilities.shape[-1]):  # R is a handful of static rounds
        k = jax.random.binomial(keys[r + 1], jnp.floor(k / 2), round_probabilities[..., r], shape=shape)
    return k.astype(jnp.int32)


@functools.partial(jax.jit, static_argnames=("num_steps", "num_buckets"))
def monte_carlo(
    key: Array,
    attempts: Array,
    herald_probability: Array,
    round_probabilities: Array,
    capacity: Array,
    good_mask: Array,
    policy: Array,
    *,
    num_steps: int,
    num_buckets: int,
) -> tuple[Array, Array, Array]:
    """Simulate the memory of many independent links from empty for ``num_steps`` steps.

    Args:
        key: PRNG key; step s uses ``split(key, num_steps)[s]``.
        attempts, herald_probability, capacity: (...,) per link-trial parameters (float, float,
            int32). good_mask: (..., A) int32, 1 where a pair of that age counts as good.
        round_probabilities: (..., R) purification success probabilities.
        policy: (...,) int32 ``REPLACE_OLDEST`` or ``DROP_NEW``.
        num_steps: number of steps T (static). num_buckets: A (static), ages 0..A-1 kept.
    Returns:
        (counts, good, stored): counts (..., A) int32 final histogram; good (T, ...) int32 good
        pairs after each step; stored (T, ...) int32 all stored pairs.
    """
    shape = jnp.shape(herald_probability)
    good_mask = good_mask.astype(jnp.int32)

    def step(cum, k):
        arrivals = heralded(k, attempts, herald_probability, round_probabilities)
        cum = admit(cum, arrivals, capacity, policy)
        good = jnp.sum(histogram(cum) * good_mask, axis=-1, dtype=jnp.int32)
        return cum, (good, cum[..., -1])

    init = jnp.zeros(shape + (num_buckets,), jnp.int32)
    cum, (good, stored) = lax.scan(step, init, jax.random.split(key, num_steps))
    return histogram(cum), good, stored


# ---------------------------------------------------------------------------------------------
# Exact Markov chain (small memories).
# ---------------------------------------------------------------------------------------------


def num_states(num_buckets: int, capacity: int) -> int:
    """Histograms of length A with total <= C: comb(A + C, C)."""
    return math.comb(num_buckets + capacity, capacity)


@functools.lru_cache(maxsize=32)
def enumerate_states(num_buckets: int, capacity: int) -> np.ndarray:
    """(S, A) int64: every age histogram with total <= C, sorted by their mixed-radix code."""
    rows = []

    def rec(prefix, left, slots):
        if slots == 0:
            rows.append(prefix)
            return
        for n in range(left + 1):
            rec(prefix + (n,), left - n, slots - 1)

    rec((), capacity, num_buckets)
    states = np.array(rows, np.int64).reshape(-1, num_buckets)
    order = np.argsort(_codes(states, capacity))
    out = states[order]
    out.setflags(write=False)
    return out


def _codes(states: np.ndarray, capacity: int) -> np.ndarray:
    base = np.int64(capacity + 1) ** np.arange(states.shape[-1], dtype=np.int64)
    return states @ base


@functools.lru_cache(maxsize=32)
def successor_table(num_buckets: int, capacity: int, max_arrivals: int, policy: int) -> np.ndarray:
    """(S, K + 1) int64: index of the state after one step from state s with k arrivals."""
    states = enumerate_states(num_buckets, capacity)
    codes = _codes(states, capacity)
    k = np.arange(max_arrivals + 1)
    aged = states[:, :-1]
    s_n = states.shape[0]
    if policy == DROP_NEW:
        room = capacity - aged.sum(axis=1)
        fresh = np.minimum(k[None, :], room[:, None])
        nxt = np.concatenate([fresh[..., None], np.broadcast_to(aged[:, None, :], (s_n, k.size, aged.shape[1]))], -1)
    else:
        full = np.concatenate(
            [np.broadcast_to(k[None, :, None], (s_n, k.size, 1)), np.broadcast_to(aged[:, None, :], (s_n, k.size, aged.shape[1]))],
            -1,
        )
        before = np.cumsum(full, axis=-1) - full
        nxt = np.clip(capacity - before, 0, full)
    idx = np.searchsorted(codes, _codes(nxt, capacity))
    assert np.array_equal(codes[idx], _codes(nxt, capacity))
    idx.setflags(write=False)
    return idx


def arrival_law(attempts: int, herald_probability: float, round_probabilities) -> np.ndarray:
    """(K + 1,) float64 exact law of the pairs delivered per step (binomial thinning chain)."""
    def binom(n, p):
        j = np.arange(n + 1)
        logc = np.array([math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) for i in j])
        with np.errstate(divide="ignore"):
            lp = np.where(j > 0, j * np.log(p) if p > 0 else -np.inf, 0.0)
            lq = np.where(n - j > 0, (n - j) * np.log1p(-p) if p < 1 else -np.inf, 0.0)
        return np.exp(logc + lp + lq)

    law = binom(int(attempts), float(herald_probability))
    for pr in round_probabilities:
        nmax = (law.size - 1) // 2
        nxt = np.zeros(nmax + 1)
        for k, w in enumerate(law):
            if w > 0:
                nxt[: k // 2 + 1] += w * binom(k // 2, float(pr))
        law = nxt
    return law


@functools.partial(jax.jit, static_argnames=("num_steps", "capacity"))
def propagate(successors: Array, law: Array, good: Array, *, num_steps: int, capacity: int) -> tuple[Array, Array]:
    """Propagate the exact state distribution from the empty memory.

    Args:
        successors: (S, K + 1) int successor table. law: (K + 1,) float arrival law.
        good: (S,) int32 number of good pairs in each state (values 0..C).
        num_steps: T (static). capacity: C (static).
    Returns:
        (final, good_law): final (S,) state distribution after T steps; good_law (T, C + 1) the
        law of the number of good pairs after each step.
    """
    s_n = successors.shape[0]
    init = jnp.zeros((s_n,), law.dtype).at[0].set(1)  # state 0 (code 0) is the empty memory
    flat = successors.ravel()

    def step(pi, _):
        mass = (pi[:, None] * law[None, :]).ravel()
        pi = jax.ops.segment_sum(mass, flat, num_segments=s_n)
        return pi, jax.ops.segment_sum(pi, good, num_segments=capacity + 1)

    return lax.scan(step, init, None, length=num_steps)
