"""Closed-form laws of the verified protocol (SPEC §7 [7.2]-[7.4]), in log space.

``d0 = 2^(N-1)/(2^N - 1)`` is the detection probability of a state orthogonal to GHZ_N; a copy
with detection probability ``d`` passes its test with probability ``1 - d``. With ``c`` of the
``2K`` copies corrupted and a uniform K-subset tested, the number ``i`` of corrupted copies that
are tested is hypergeometric, ``Hyp(i; 2K, c, K)``.
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import Array
from jax.scipy.special import gammaln


def log_d0(num_sites: Array) -> Array:
    """log(2^(N-1)/(2^N - 1)), stable for any N >= 1 (real)."""
    n = jnp.asarray(num_sites, jnp.result_type(float))
    return -jnp.log(2.0) - jnp.log1p(-jnp.exp2(-n))


def log_choose(n: Array, k: Array) -> Array:
    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


def log_hypergeometric(i: Array, total: Array, marked: Array, drawn: Array) -> Array:
    """log Hyp(i; total, marked, drawn); -inf outside the support."""
    i, total, marked, drawn = (jnp.asarray(x, jnp.result_type(float)) for x in (i, total, marked, drawn))
    ok = (i >= 0) & (i <= marked) & (drawn - i >= 0) & (drawn - i <= total - marked)
    safe_i = jnp.where(ok, i, 0)
    safe_m = jnp.where(ok, marked, 0)
    safe_t = jnp.where(ok, total, 1)
    safe_d = jnp.where(ok, drawn, 0)
    val = (
        log_choose(safe_m, safe_i)
        + log_choose(safe_t - safe_m, safe_d - safe_i)
        - log_choose(safe_t, safe_d)
    )
    return jnp.where(ok, val, -jnp.inf)


def corrupted_laws(
    num_tested: Array, corrupted: Array, detection: Array, index: Array, min_used: Array = 1
) -> tuple[Array, Array]:
    """(P_accept, P_accept and >= ``min_used`` corrupted copies untested) for c of 2K copies.

    Args:
        num_tested: K (real or int scalar). corrupted: c in [0, 2K]. detection: d in [0, 1].
        index: static ``arange(L + 1)`` of tested-corrupted counts i to sum over (L >= min(c, K)).
        min_used: m >= 1: the second law counts runs with c - i >= m corrupted copies used.
    Returns:
        two real scalars: sum_i Hyp(i) (1 - d)^i over all i, and over i <= c - m.
    """
    k = jnp.asarray(num_tested, jnp.result_type(float))
    c = jnp.asarray(corrupted, jnp.result_type(float))
    i = index.astype(k.dtype)
    log_pass = jnp.where(i > 0, i * jnp.log1p(-jnp.asarray(detection, k.dtype)), 0.0)
    terms = jnp.exp(log_hypergeometric(i, 2 * k, c, k) + log_pass)
    return jnp.sum(terms), jnp.sum(jnp.where(i <= c - min_used, terms, 0.0))


def threshold_acceptance(num_tested: int, max_failures: Array, fail_probability: Array, index: Array) -> Array:
    """P(Binomial(K, q) <= max_failures): acceptance of i.i.d. copies under the threshold rule.

    ``index`` is the static ``arange(K + 1)``.
    """
    k = jnp.asarray(num_tested, jnp.result_type(float))
    i = index.astype(k.dtype)
    q = jnp.asarray(fail_probability, k.dtype)
    logq = jnp.where(i > 0, i * jnp.log(jnp.where(q > 0, q, 1.0)), 0.0)
    logq = jnp.where((q <= 0) & (i > 0), -jnp.inf, logq)
    logp = jnp.where(k - i > 0, (k - i) * jnp.log1p(-jnp.where(q < 1, q, 0.0)), 0.0)
    logp = jnp.where((q >= 1) & (k - i > 0), -jnp.inf, logp)
    terms = jnp.exp(log_choose(k, i) + logq + logp)
    return jnp.sum(jnp.where(i <= max_failures, terms, 0.0))
