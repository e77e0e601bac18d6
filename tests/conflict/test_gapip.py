"""GapIP (SPEC §8 [8.1]-[8.7]): parameters, the three engines, estimator, majority, qubit count."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jaxqring.kernels.estimation import grover

import jaxqring.conflict as jc

from ..helpers import ALPHA, assert_close, chi2_gof_pvalue
from ..oracles import conflict as oracle


def _pair(seed, p, c=None):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(p)
    a /= np.linalg.norm(a)
    b = rng.standard_normal(p)
    if c is not None and p > 1:
        b -= (a @ b) * a
        b /= np.linalg.norm(b)
        b = c * a + math.sqrt(1 - c * c) * b
    b /= np.linalg.norm(b)
    return a, b


@pytest.mark.parametrize("tau", [1.0, 0.5, 0.1, 0.037, 0.01])
@pytest.mark.parametrize("delta", [0.3, 0.01, 1e-6])
def test_parameters_match_rule(tau, delta):
    t, r = jc.gapip_parameters(tau, delta)
    assert (t, r) == oracle.gapip_rules(tau, delta)
    assert r % 2 == 1
    assert 2 * math.pi / 2**t <= tau / 2 + 1e-15  # [8.7]: error <= tau/2
    assert 2**t - 1 <= 8 * math.pi / tau  # round trips per run


def test_parameters_example_and_cost():
    assert jc.gapip_parameters(0.1, 0.01) == (7, 25)
    cost = jc.gapip_cost(10**6, 7, 25)
    n = math.ceil(math.log2(2 * 10**6))
    assert cost.online_qubits == 2 * (n + 1) * 127 * 25
    assert cost.online_qubits <= 16 * math.pi * (n + 1) / 0.1 * 25
    assert cost.bits_sent == 0 and cost.rounds == 2 * 127 * 25


@pytest.mark.parametrize("p", [1, 2, 3, 7, 8, 100])
def test_augmentation(p):
    """[8.1]: |u| = 1 and <u, v> = (1 + c)/2 in [0, 1]."""
    a, b = _pair(p, p)
    n = jc.register_qubits(p)
    u = np.asarray(jc.augment(jnp.asarray(a), n))
    v = np.asarray(jc.augment(jnp.asarray(b), n))
    assert_close(u, oracle.augment(a), np.float64)
    assert_close(np.linalg.norm(u), 1.0, np.float64)
    assert_close(u @ v, (1 + a @ b) / 2, np.float64)


def test_grover_spectrum_and_powers():
    """[8.2] eigenphases +-2 alpha and 1 elsewhere; [8.3] <v|G^m|v> = cos(2 m alpha)."""
    a, b = _pair(3, 5)
    u, v = oracle.augment(a), oracle.augment(b)
    d = u.size
    power = grover.register_power(jnp.asarray(u), jnp.asarray(v))
    cols = jax.jit(jax.vmap(lambda x: power(x, jnp.asarray(0))))(jnp.eye(d, dtype=jnp.complex128))
    g = np.asarray(cols).T  # column i = G e_i
    assert_close(g, oracle.grover_dense(u, v), np.float64)
    alpha = math.acos(u @ v)
    phases = np.sort(np.angle(np.linalg.eigvals(g)))
    expected = np.sort(np.concatenate([[2 * alpha, -2 * alpha], np.zeros(d - 2)]))
    np.testing.assert_allclose(phases, expected, atol=1e-7)
    apply = jax.jit(power)
    for k in range(4):
        gm_v = np.asarray(apply(jnp.asarray(v, jnp.complex128), jnp.asarray(k)))
        assert_close(np.vdot(v, gm_v).real, math.cos(2 * 2**k * alpha), np.float64)


@pytest.mark.parametrize("t", [1, 3, 5])
def test_fejer_and_law_formula(t):
    x = np.linspace(-7, 7, 41)
    assert_close(grover.fejer(jnp.asarray(x), t), oracle.fejer_sum(x, t), np.float64)
    for cp in [0.0, 0.2, 0.5, 0.999, 1.0]:
        law = grover.qpe_law(jnp.asarray(math.acos(cp)), t)
        assert_close(law, oracle.qpe_law_formula(cp, t), np.float64)
        assert_close(jnp.sum(law), 1.0, np.float64)


@pytest.mark.parametrize("p,t", [(1, 4), (6, 4), (20, 3)])
def test_engines_match_textbook_qpe(p, t):
    """[8.4]/[8.5]: law, subspace and full-register iterative QPE equal textbook QPE (dense)."""
    a, b = _pair(10 + p, p)
    u, v = oracle.augment(a), oracle.augment(b)
    expected = oracle.textbook_qpe(u, v, t)
    c_prime = u @ v
    law = jc.gapip_law(a @ b, t)
    sub = grover.subspace_probabilities(c_prime, num_rounds=t)
    reg = grover.register_probabilities(jnp.asarray(u), jnp.asarray(v), num_rounds=t)
    for got in (law, sub, reg):
        assert_close(got, expected, np.float64)


@pytest.mark.parametrize("p,c,t", [(2048, 0.3, 4), (1500, -0.9, 4)])
def test_engines_agree_at_n12(p, c, t):
    """Law vs subspace vs full register, exactly, at n = ceil(log2 2P) <= 12."""
    a, b = _pair(p, p, c)
    n = jc.register_qubits(p)
    assert n <= 12
    u, v = jc.augment(jnp.asarray(a), n), jc.augment(jnp.asarray(b), n)
    c_prime = float(u @ v)
    law = jc.gapip_law(float(a @ b), t)
    sub = grover.subspace_probabilities(c_prime, num_rounds=t)
    reg = grover.register_probabilities(u, v, num_rounds=t)
    assert_close(sub, law, np.float64)
    assert_close(reg, law, np.float64)


@pytest.mark.parametrize("method", ["law", "subspace", "register"])
def test_sampled_engines_fit_the_law(method):
    """Goodness of fit at ALPHA of y from every engine against the [8.4] oracle."""
    a, b = _pair(5, 9, 0.35)
    t, runs = 4, 3001
    res = jc.gapip(jax.random.key(7), a, b, tau=0.3, delta=0.1, method=method, num_rounds=t, num_runs=runs)
    counts = np.bincount(np.asarray(res.outcomes), minlength=2**t)
    u, v = oracle.augment(a), oracle.augment(b)
    assert chi2_gof_pvalue(counts, oracle.qpe_law_formula(u @ v, t)) > ALPHA


def test_subspace_and_register_sample_identically():
    """Same key, same uniforms, equal conditional laws: identical outcome sequences."""
    a, b = _pair(8, 30, -0.4)
    kw = {"tau": 0.3, "delta": 0.05, "num_rounds": 5, "num_runs": 21}
    ys = jc.gapip(jax.random.key(3), a, b, method="subspace", **kw).outcomes
    yr = jc.gapip(jax.random.key(3), a, b, method="register", **kw).outcomes
    np.testing.assert_array_equal(np.asarray(ys), np.asarray(yr))


@pytest.mark.parametrize("t", [2, 4, 6])
def test_folded_estimator_success_probability(t):
    """[8.6]: P(|c_hat - c| <= 2 pi / 2^t) >= 8/pi^2, on a grid of c, from the oracle law."""
    est_y = oracle.folded(np.arange(2**t), t)
    assert_close(grover.folded_estimate(jnp.arange(2**t), t), est_y, np.float64)
    for c in np.linspace(-1, 1, 37):
        law = oracle.qpe_law_formula((1 + c) / 2, t)
        ok = np.abs(est_y - c) <= 2 * np.pi / 2**t + 1e-12
        assert law[ok].sum() >= 8 / np.pi**2 - 1e-12


@pytest.mark.parametrize("tau,delta", [(0.1, 0.01), (0.5, 1e-3), (0.03, 0.2)])
def test_majority_meets_delta_at_the_margin(tau, delta):
    """[8.7]: with the rule's (t, R) the exact majority error at c = +-tau is <= delta."""
    t, r = jc.gapip_parameters(tau, delta)
    for c in (tau, -tau, min(1.0, 3 * tau), -1.0):
        err = jc.gapip_error_probability(c, t, r)
        law = oracle.qpe_law_formula((1 + c) / 2, t)
        q = law[(oracle.folded(np.arange(2**t), t) > 0) != (c > 0)].sum()
        from scipy import stats

        assert_close(err, stats.binom.sf((r - 1) // 2, r, q), np.float64)
        assert err <= delta


def test_decisions_and_result_fields():
    a, b = _pair(1, 50, -0.6)
    res = jc.gapip(jax.random.key(0), a, b, tau=0.5, delta=1e-3)
    t, r = jc.gapip_parameters(0.5, 1e-3)
    assert not bool(res.aligned)
    assert res.outcomes.shape == (r,) and res.num_rounds == t and res.num_runs == r
    assert abs(float(res.estimate) - (-0.6)) <= 0.25
    assert res.num_qubits == 2 * (jc.register_qubits(50) + 1) * (2**t - 1) * r
    assert res.cost == jc.gapip_cost(50, t, r)


def test_law_engine_float32_long_vectors():
    p = 200_000
    a, b = _pair(2, p, 0.2)
    res = jc.gapip(jax.random.key(1), a.astype(np.float32), b.astype(np.float32), tau=0.2, delta=0.01)
    assert bool(res.aligned)


def test_bad_inputs():
    a, b = _pair(0, 8)
    key = jax.random.key(0)
    with pytest.raises(ValueError, match="same length"):
        jc.gapip(key, a, b[:7] / np.linalg.norm(b[:7]), tau=0.1, delta=0.1)
    with pytest.raises(ValueError, match="`g_k` must be a unit vector"):
        jc.gapip(key, a, 2 * b, tau=0.1, delta=0.1)
    with pytest.raises(ValueError, match=r"`tau` must be in \(0, 1\]"):
        jc.gapip(key, a, b, tau=0.0, delta=0.1)
    with pytest.raises(ValueError, match=r"`tau` must be in \(0, 1\]"):
        jc.gapip_parameters(1.5, 0.1)
    with pytest.raises(ValueError, match=r"`delta` must be in \(0, 1\)"):
        jc.gapip(key, a, b, tau=0.1, delta=1.0)
    with pytest.raises(ValueError, match="`method`"):
        jc.gapip(key, a, b, tau=0.1, delta=0.1, method="dense")
    with pytest.raises(ValueError, match="`num_runs` must be odd"):
        jc.gapip(key, a, b, tau=0.1, delta=0.1, num_runs=4)
    with pytest.raises(ValueError, match="`g_j` must be finite"):
        jc.gapip(key, np.full(8, np.nan), b, tau=0.1, delta=0.1)
    with pytest.raises(ValueError, match="`g_j` must be a 1-D"):
        jc.gapip(key, a.reshape(2, 4), b, tau=0.1, delta=0.1)
