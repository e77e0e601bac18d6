"""JL-sketch baseline (SPEC §8 [8.8]-[8.10], A19): streaming sketch, variances, d rule, bits."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jaxqring.kernels.sketch import jl
from scipy import stats

import jaxqring.conflict as jc

from ..helpers import ALPHA, assert_close, binomial_interval
from ..oracles import conflict as oracle

Z = stats.norm.isf(ALPHA / 2)


def _pair(seed, p, c):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(p)
    a /= np.linalg.norm(a)
    w = rng.standard_normal(p)
    w -= (a @ w) * a
    w /= np.linalg.norm(w)
    return a, c * a + math.sqrt(1 - c * c) * w


@pytest.mark.parametrize("tau,delta", [(0.1, 0.01), (0.5, 0.2), (0.02, 1e-4)])
def test_dimension_rule(tau, delta):
    assert jc.jl_sketch_dimension(tau, delta) == oracle.jl_rule(tau, delta)


def test_dimension_example():
    assert jc.jl_sketch_dimension(0.1, 0.01) == 2568


@pytest.mark.parametrize("kind", ["gaussian", "rademacher"])
def test_streaming_is_linear_and_block_invariant(kind):
    """The sketch is A g with one fixed A: independent of the block size, linear in g."""
    key = jax.random.key(4)
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.standard_normal((2, 37)))
    f = jax.jit(jl.sketch, static_argnames=("dim", "kind", "block_size"))
    whole = f(key, x, dim=9, kind=kind, block_size=37)
    for bs in (5,):
        assert_close(f(key, x, dim=9, kind=kind, block_size=bs), whole, np.float64)
    columns = f(key, jnp.eye(37), dim=9, kind=kind, block_size=8)  # row i = A e_i
    assert_close(whole, x @ columns, np.float64)
    if kind == "rademacher":
        np.testing.assert_allclose(np.abs(np.asarray(columns)), 1 / 3, rtol=1e-6)


def _variance_check(samples, mean, var):
    """Mean and variance of iid samples against theory at false-failure ALPHA each (CLT)."""
    t = samples.size
    m, s2 = samples.mean(), samples.var(ddof=1)
    mu4 = np.mean((samples - m) ** 4)
    assert abs(m - mean) <= Z * math.sqrt(var / t)
    assert abs(s2 - var) <= Z * math.sqrt(max(mu4 - s2**2, 0) / t) + 1e-12


@pytest.mark.parametrize("kind", ["gaussian", "rademacher"])
def test_sketch_variance(kind):
    """[8.9] Var = (1 + c^2)/d (Gaussian); [8.8] (1 + c^2 - 2 sum x^2 y^2)/d (Rademacher)."""
    p, d, trials = 12, 6, 4000
    a, b = _pair(1, p, 0.4)
    x = jnp.asarray(np.stack([a, b]))
    keys = jax.random.split(jax.random.key(11), trials)
    sk = jax.jit(jax.vmap(lambda k: jl.sketch(k, x, dim=d, kind=kind, block_size=5, dtype=jnp.float64)))(keys)
    est = np.asarray(jnp.sum(sk[:, 0] * sk[:, 1], axis=-1))
    c = a @ b
    if kind == "gaussian":
        var = (1 + c * c) / d
    else:
        var = (1 + c * c - 2 * np.sum(a**2 * b**2)) / d
        m_row, v_row = oracle.rademacher_row_moments(a, b)  # exact enumeration of one row
        assert_close(m_row, c, np.float64)
        assert_close(v_row / d, var, np.float64)
    _variance_check(est, c, var)


def test_exact_law_sampler_matches_real_sketches():
    """The chi-square representation draws the same law as real Gaussian sketches (KS test)."""
    p, d, trials = 10, 7, 2000
    a, b = _pair(2, p, -0.5)
    x = jnp.asarray(np.stack([a, b]))
    keys = jax.random.split(jax.random.key(5), trials)
    sk = jax.jit(jax.vmap(lambda k: jl.sketch(k, x, dim=d, kind="gaussian", dtype=jnp.float64)))(keys)
    real = np.asarray(jnp.sum(sk[:, 0] * sk[:, 1], axis=-1))
    drawn = np.asarray(jc.jl_sample_estimates(jax.random.key(6), jnp.asarray([a @ b]), dim=d, num_trials=trials))[0]
    assert stats.ks_2samp(real, drawn).pvalue > ALPHA
    _variance_check(drawn, a @ b, (1 + (a @ b) ** 2) / d)


@pytest.mark.parametrize("c,d", [(0.1, 50), (-0.3, 9), (0.05, 2568)])
def test_sign_error_closed_form(c, d):
    trials = 20000
    est = np.asarray(jc.jl_sample_estimates(jax.random.key(8), jnp.asarray([c]), dim=d, num_trials=trials))[0]
    wrong = int(np.sum((est > 0) != (c > 0)))
    lo, hi = binomial_interval(trials, jc.jl_sign_error(c, d))
    assert lo <= wrong <= hi


@pytest.mark.parametrize("tau,delta", [(0.1, 0.01), (0.3, 0.05)])
def test_rule_dimension_meets_tau(tau, delta):
    """[8.10]: at the rule's d, P(|c_hat - c| >= tau) <= delta (simulated, one-sided binomial bound)."""
    d = jc.jl_sketch_dimension(tau, delta)
    trials = 20000
    for c in (0.0, 0.5, -0.9):
        est = np.asarray(jc.jl_sample_estimates(jax.random.key(9), jnp.asarray([c]), dim=d, num_trials=trials))[0]
        bad = int(np.sum(np.abs(est - c) >= tau))
        assert bad <= stats.binom.isf(ALPHA, trials, delta)
    # chi^2 tail bounds used by the proof (e = tau): exact tails below both bounds
    for e in (tau,):
        assert stats.chi2.sf(d * (1 + e), d) <= math.exp(-d * (e**2 / 2 - e**3 / 3) / 2)
        assert stats.chi2.cdf(d * (1 - e), d) <= math.exp(-d * e**2 / 4)


def test_inner_product_decision_and_bits():
    a, b = _pair(3, 3000, 0.6)
    res = jc.jl_inner_product(jax.random.key(0), a, b, tau=0.3, delta=0.01, kind="rademacher")
    d = jc.jl_sketch_dimension(0.3, 0.01)
    assert bool(res.aligned) and res.dim == d and not res.sent_vector
    assert res.cost.bits_sent == d * 32 and res.cost.online_qubits == 0
    small = jc.jl_inner_product(jax.random.key(0), a[:4] / np.linalg.norm(a[:4]), b[:4] / np.linalg.norm(b[:4]), tau=0.1, delta=0.01, word_bits=64)
    assert small.sent_vector and small.cost.bits_sent == 4 * 64
    assert_close(small.estimate, (a[:4] / np.linalg.norm(a[:4])) @ (b[:4] / np.linalg.norm(b[:4])), np.float64)
    half = jc.jl_inner_product(jax.random.key(0), a, b, tau=0.3, delta=0.01, kind="rademacher", word_bits=16)
    assert half.cost.bits_sent == d * 16


def test_bad_inputs():
    a, b = _pair(0, 16, 0.2)
    key = jax.random.key(0)
    with pytest.raises(ValueError, match="`word_bits`"):
        jc.jl_inner_product(key, a, b, tau=0.1, delta=0.1, word_bits=8)
    with pytest.raises(ValueError, match="`kind`"):
        jc.jl_inner_product(key, a, b, tau=0.1, delta=0.1, kind="sparse")
    with pytest.raises(ValueError, match="same length"):
        jc.jl_inner_product(key, a, b[:8] / np.linalg.norm(b[:8]), tau=0.1, delta=0.1)
    with pytest.raises(ValueError, match=r"`delta` must be in \(0, 1\)"):
        jc.jl_sketch_dimension(0.1, 0.0)
