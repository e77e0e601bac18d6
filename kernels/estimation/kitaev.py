"""Iterative (Kitaev) phase estimation of one phase, generic over the per-shot outcome law.

One call estimates the t-bit integer y of one coordinate (SPEC §4). The physics enters only
through an **outcome-law oracle**::

    outcome_law(k, omega) -> P(parity = +1)

the probability that one fresh copy, with every node's phase multiplied by ``2**k`` and the
leader (node 0) adding the extra phase ``omega`` (radians), gives X-parity +1. ``k`` is an int32
scalar (traced), ``omega`` a real scalar; the result is a real scalar in [0, 1]. For exact GHZ
this is ``(1 + V cos(2**k Phi + omega)) / 2`` (SPEC [3.2], [3.8]); the protocol layer passes the
closed form or an exact MPS/MPO expectation.

Shots. A round uses M independent copies; the X-parity is a sufficient statistic of a copy's N
outcome bits (SPEC §3), so the M shots of a round are drawn as one exact Binomial(M, p_plus)
count (:func:`binomial_count`): no per-shot or per-node work, one uniform per round for
M <= 64 and ``jax.random.binomial`` above.

Two variants (``feedback``):

* ``feedback=True`` - SPEC §4, LSB first with quantum feedback. Round r = 0..t-1 uses the
  multiplier ``m_r = 2**(t-1-r)`` and ``omega_r = -2 pi (sum_{i<r} y_i 2**i) / 2**(r+1)``; after
  feedback the net phase is pi * y_r, so ``y_r = 0`` iff the majority of the M parities is +1.
  Noiseless and on the 2**t grid every shot agrees (M = 1 is exact, [4.1]); with visibility V
  each shot is right with probability (1 + V)/2 ([4.3]), so a round fails with probability
  ``Tail(M, (1 - V)/2)`` (SPEC C9) and the coordinate with ``1 - (1 - Tail)**t``.
* ``feedback=False`` - non-adaptive "majority per bit" (Kitaev's original scheme): every round
  draws M X-parity shots (omega = 0) and M sine shots (omega = -pi/2, SPEC §3 sine variant),
  independent of the other rounds, so all t rounds can run at once (no waiting for broadcasts).
  The feedback is then applied classically: with C, S the +-1 shot means,
  ``T_r = C cos(omega_r) - S sin(omega_r)`` estimates ``V cos(pi y_r)`` and ``y_r = [T_r < 0]``.
  It uses 2 M copies per round and is random even noiselessly (off the axis the cos/sin shots are
  coin flips); Hoeffding gives a per-round failure probability <= exp(-M V**2 / 2), the same
  bound as the feedback variant with half the copies. Ties (T_r = 0) resolve to y_r = 0.

Nothing here validates its inputs (the public layer does); vmap over coordinates outside.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
from jax import Array

OutcomeLaw = Callable[[Array, Array], Array]


class KitaevRounds(NamedTuple):
    """Estimate and per-round statistics of one coordinate (t rounds, R readouts per round).

    R = 1 (the X-parity) for ``feedback=True``; R = 2 (X-parity, sine) for ``feedback=False``.
    """

    estimate: Array  # shape=(), int32: y = sum_r bits[r] 2**r in [0, 2**t)
    bits: Array  # shape=(t,), int32: y_r, round r decides bit r (LSB first)
    plus_counts: Array  # shape=(t, R), int32: shots with parity +1 out of M
    p_plus: Array  # shape=(t, R), float: exact P(parity = +1) of one shot in that round


def feedback_phase(low_bits: Array, r: Array, dtype) -> Array:
    """omega_r = -2 pi * low_bits / 2**(r + 1) in ``dtype`` (exact power-of-two scaling)."""
    return -2 * math.pi * jnp.ldexp(low_bits.astype(dtype), -(r + 1).astype(jnp.int32))


# Largest M drawn by exact inversion of one uniform; larger M use jax.random.binomial (BTRS).
INVERSION_MAX_SHOTS = 64


def binomial_count(noise: Array, num_trials: int, p: Array) -> Array:
    """Exact Binomial(num_trials, p) count as int32 from pre-drawn randomness ``noise``.

    For ``num_trials <= INVERSION_MAX_SHOTS`` ``noise`` is one uniform in [0, 1) and the count is
    the inverse CDF of Binomial(n, p) at that uniform. For p > 1/2 it is evaluated as
    n - F^-1_{n, 1-p}(1 - u), so the pmf recursion starts from (1 - q)**n >= 2**-n with
    q = min(p, 1 - p) and never underflows, and the draw is a continuous function of p (two
    laws that agree to rounding give the same count for the same uniform). ``n`` fused scalar
    steps, no loop on the random value, which is what makes a vmap over 10**6 lanes cheap.
    Above, ``noise`` is a PRNG key for ``jax.random.binomial``. p = 0 and p = 1 give exactly
    0 and n.
    """
    n = int(num_trials)
    dt = p.dtype
    if n > INVERSION_MAX_SHOTS:
        return jax.random.binomial(noise, n, p, dtype=dt).astype(jnp.int32)
    flip = p > 0.5
    q = jnp.where(flip, 1 - p, p)
    ratio = q / (1 - q)
    u = noise.astype(dt)
    u = jnp.where(flip, 1 - u, u)  # n - F^-1_{1-p}(1 - u) = F^-1_p(u): continuous in p at 1/2

    def body(k, carry):
        pmf, cdf, count = carry
        count = count + (u >= cdf).astype(jnp.int32)
        pmf = pmf * ratio * ((n - k) / (k + 1.0)).astype(dt)
        return pmf, cdf + pmf, count

    pmf0 = (1 - q) ** n
    _, _, c = jax.lax.fori_loop(0, n, body, (pmf0, pmf0, jnp.zeros((), jnp.int32)), unroll=True)
    return jnp.where(flip, n - c, c)


def kitaev_estimate(
    key: Array,
    outcome_law: OutcomeLaw,
    *,
    num_rounds: int,
    num_shots: int,
    feedback: bool = True,
    dtype=None,
) -> KitaevRounds:
    """Estimate one t-bit phase integer y (Phi ~ 2 pi y / 2**t) by iterative phase estimation.

    Args:
        key: PRNG key for this coordinate (all rounds' randomness is drawn from it up front).
        outcome_law: ``(k, omega) -> P(parity = +1)`` of one copy at multiplier ``2**k`` with the
            leader's extra phase ``omega`` (radians); see the module docstring.
        num_rounds: static t >= 1 (number of bits; round r uses k = t - 1 - r).
        num_shots: static M >= 1 shots (copies) per round and readout; odd M avoids ties.
        feedback: static; True = SPEC §4 quantum feedback, False = non-adaptive majority.
        dtype: real dtype of the phases and probabilities (default: float64 under x64).
    Returns:
        :class:`KitaevRounds` for this coordinate.

    Example:
        >>> law = lambda k, om: (1 + jnp.cos(2.0**k * 2 * jnp.pi * 5 / 8 + om)) / 2
        >>> int(kitaev_estimate(jax.random.key(0), law, num_rounds=3, num_shots=1).estimate)
        5
    """
    dt = jax.dtypes.canonicalize_dtype(jnp.float64) if dtype is None else jnp.dtype(dtype)
    t, m_shots = int(num_rounds), int(num_shots)
    num_readouts = 1 if feedback else 2
    if m_shots <= INVERSION_MAX_SHOTS:
        randomness = jax.random.uniform(key, (t, num_readouts), dt)
    else:
        randomness = jax.random.split(key, (t, num_readouts))
    rounds = jnp.arange(t, dtype=jnp.int32)

    def step(low, xs):
        r, noise = xs
        k = (t - 1 - r).astype(jnp.int32)
        omega = feedback_phase(low, r, dt)
        offsets = [omega] if feedback else [jnp.zeros((), dt), jnp.asarray(-math.pi / 2, dt)]
        p = jnp.stack([jnp.clip(jnp.asarray(outcome_law(k, o), dt), 0, 1) for o in offsets])
        counts = jnp.stack(
            [binomial_count(noise[i], m_shots, p[i]) for i in range(num_readouts)]
        )
        signed_means = (2 * counts - m_shots).astype(dt)  # M * (mean of the +-1 outcomes)
        if feedback:
            y = (signed_means[0] < 0).astype(jnp.int32)
        else:
            stat = signed_means[0] * jnp.cos(omega) - signed_means[1] * jnp.sin(omega)
            y = (stat < 0).astype(jnp.int32)
        low = low + (y << r)
        return low, (y, counts, p)

    estimate, (bits, counts, probs) = jax.lax.scan(
        step, jnp.zeros((), jnp.int32), (rounds, randomness)
    )
    return KitaevRounds(estimate, bits, counts, probs)
