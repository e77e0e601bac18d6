"""Gradients: the alpha/beta feature formula vs jax.grad vs dense finite differences, and the
parameter-shift estimator's exact shot-noise law (statistical tests at ALPHA = 1e-6).

dF/dtheta_k = <beta| dU/dtheta_k |alpha> + c.c.; for a Pauli rotation the two-term shift
[F(t + pi/2) - F(t - pi/2)] / 2 is exact; with K+- ~ Binomial(M, (1 + F+-)/2) the estimator
g_hat = (K+ - K-)/M has mean dF/dtheta and variance (2 - F+^2 - F-^2)/(4M).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from jaxqring import inference as inf

from ..helpers import ALPHA, assert_close, chi2_gof_pvalue
from ..oracles import statevector as O

F64 = np.float64


@pytest.fixture(scope="module")
def setup():
    n = 5
    circ = inf.random_circuit(11, n, 2, 3)
    rng = np.random.default_rng(5)
    thetas = rng.uniform(-np.pi, np.pi, size=circ.num_params)
    x = rng.normal(size=2**n)
    return circ, thetas, x, "ZIXIY"


def test_feature_formula_equals_jax_grad_and_dense_fd(setup):
    circ, thetas, x, obs = setup
    feats = inf.circuit_features(circ, thetas, x, obs)
    auto = jax.grad(lambda t: inf.circuit_expectation(circ, t, x, obs))(jnp.asarray(thetas))
    assert_close(feats.grad, auto, F64)
    value, adj = inf.circuit_gradient(circ, thetas, x, obs)
    assert_close(adj, auto, F64)
    strings = [s for u in circ.strings for s in u]
    psi0 = O.amplitude_encode(x, circ.num_qubits)
    om = O.pauli_matrix(obs)
    assert_close(value, O.expectation(strings, thetas, psi0, om), F64)
    assert_close(adj, O.parameter_shift_gradient(strings, thetas, psi0, om), F64)
    np.testing.assert_allclose(np.asarray(adj), O.finite_difference_gradient(strings, thetas, psi0, om), atol=1e-8)


def test_features_are_the_pipeline_states(setup):
    circ, thetas, x, obs = setup
    feats = inf.circuit_features(circ, thetas, x, obs)
    strings = [list(u) for u in circ.strings]
    psi = O.amplitude_encode(x, circ.num_qubits)
    t = iter(thetas)
    for layer, u in enumerate(strings):
        assert_close(feats.alphas[layer], psi, F64)  # what the owner of U_layer receives
        psi = O.evolve(u, [next(t) for _ in u], psi)
    om = O.pauli_matrix(obs)
    assert_close(feats.betas[-1], om @ psi, F64)
    assert_close(feats.value, np.real(np.vdot(psi, om @ psi)), F64)


def test_batched_gradient_matches_per_example(setup):
    circ, thetas, x, obs = setup
    rng = np.random.default_rng(9)
    ths = rng.normal(size=(3, circ.num_params))
    xs = rng.normal(size=(2, 32))
    val, grad = inf.circuit_gradient(circ, ths, xs, obs)
    assert val.shape == (3, 2) and grad.shape == (3, 2, circ.num_params)
    for i in range(3):
        for b in range(2):
            auto = jax.grad(lambda t: inf.circuit_expectation(circ, t, xs[b], obs))(jnp.asarray(ths[i]))
            assert_close(grad[i, b], auto, F64)


def test_parameter_shift_unbiased_with_stated_variance(setup, key):
    circ, thetas, x, obs = setup
    shots, reps = 50, 4000
    one = inf.parameter_shift(key, circ, thetas, x, obs, shots=shots)
    assert one.copies == 2 * circ.num_params * shots
    assert one.cost.online_qubits == one.copies * 3 * circ.num_qubits  # (2L - 1) n per copy, L = 2
    exact = np.asarray(one.exact)
    assert_close(exact, inf.circuit_gradient(circ, thetas, x, obs)[1], F64)
    draw = jax.jit(jax.vmap(lambda k: inf.sample_shift_estimate(k, one.f_plus, one.f_minus, shots=shots)))
    est = np.asarray(draw(jax.random.split(jax.random.fold_in(key, 1), reps)))  # (reps, P)
    var = np.asarray(one.variance)
    z = stats.norm.isf(ALPHA / (2 * 2 * len(exact)))  # Bonferroni over P means and P variances
    # mean: CLT z-test with the stated variance
    assert np.all(np.abs(est.mean(0) - exact) <= z * np.sqrt(var / reps))
    # variance: sample variance vs stated, normal approximation with the 4th moment bounded by
    # (range 2)^2 * var, i.e. sd(s^2) <= sqrt((4 var - var^2)/reps) for |g_hat - g| <= 2
    sd = np.sqrt(np.maximum(4 * var - var**2, 0) / reps)
    assert np.all(np.abs(est.var(0, ddof=1) - var) <= z * sd)


def test_parameter_shift_exact_law_chi2(key):
    # the law of shots * g_hat = K+ - K- is a difference of two binomials (oracle: convolution)
    circ = inf.distributed_circuit(2, [["XY"]], [["ZX"]])
    thetas = np.array([0.4, -1.1])
    x = np.array([0.3, -0.2, 0.9, 0.1])
    shots, reps = 10, 20000
    one = inf.parameter_shift(key, circ, thetas, x, "ZZ", shots=shots)
    draw = jax.jit(jax.vmap(lambda k: inf.sample_shift_estimate(k, one.f_plus, one.f_minus, shots=shots)))
    d = np.rint(np.asarray(draw(jax.random.split(key, reps))) * shots).astype(int)[:, 0]
    fp, fm = float(one.f_plus[0]), float(one.f_minus[0])
    pmf = O.shift_estimator_pmf(fp, fm, shots)
    support = np.arange(-shots, shots + 1)
    counts = np.array([(d == v).sum() for v in support])
    probs = np.array([pmf.get(v, 0.0) for v in support])
    assert chi2_gof_pvalue(counts, probs) > ALPHA
    mean = sum(p * v / shots for v, p in pmf.items())
    assert_close(mean, float(one.exact[0]), F64)
    assert_close(float(one.variance[0]), sum(p * (v / shots - mean) ** 2 for v, p in pmf.items()), F64)


def test_shots_rule_and_measured_copies(setup, key):
    assert inf.shots_for_error(0.1, 0.05, 1) == int(np.ceil(2 * np.log(2 / 0.05) / 0.01))
    circ, thetas, x, obs = setup
    m = inf.measured_gradient_copies(key, circ, thetas, x, obs, eps=0.1, delta=0.05, trials=300)
    assert 0 < m["copies"] <= m["hoeffding_copies"]
    assert m["copies"] % (2 * circ.num_params) == 0
