"""TieAudit and birthday sampling (SPEC §9 [9.1]-[9.6], A15)."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jaxqring.kernels.estimation import phase_state
from scipy import stats

import jaxqring.conflict as jc

from ..helpers import ALPHA, assert_close, binomial_interval, chi2_gof_pvalue
from ..oracles import conflict as oracle


def _instance(seed, p, num_pairs=None):
    rng = np.random.default_rng(seed)
    signs = np.where(rng.random(p) < 0.4, -1.0, 1.0)
    signs[rng.integers(p)] = 0.0  # sign(0) = +1 (A15)
    perm = rng.permutation(p)
    num_pairs = p // 2 if num_pairs is None else num_pairs
    return signs, perm[: 2 * num_pairs].reshape(-1, 2).astype(np.int32)


@pytest.mark.parametrize("eps,delta", [(0.1, 0.01), (0.05, 1e-3), (0.3, 0.2)])
def test_copy_rule(eps, delta):
    k = jc.tieaudit_copies(eps, delta)
    assert k == math.ceil(math.log(2 / delta) / (2 * eps**2))
    for f in (0.5, 0.1, 0.0):  # [9.4] exact binomial failure <= delta
        assert oracle.binomial_failure(k, f, eps) <= delta
    assert jc.tieaudit_copies(0.1, 0.01) == 265


def test_partial_copy_rule():
    k = jc.tieaudit_copies(0.1, 0.01, pair_fraction=0.25)
    q = 0.25
    assert 2 * (1 - q * (1 - math.exp(-0.02))) ** k <= 0.01 < 2 * (1 - q * (1 - math.exp(-0.02))) ** (k - 1)
    assert k > 4 * jc.tieaudit_copies(0.1, 0.01) * 0.99


@pytest.mark.parametrize("p,num_pairs", [(8, 4), (6, 3), (10, 3), (12, 6)])
def test_statevector_law(p, num_pairs):
    """[9.1]/[9.2]: the rotated state vector gives the dense matching-basis law; [9.3] P(-) = f."""
    signs, matching = _instance(p, p, num_pairs)
    basis, _ = oracle.matching_basis(p, matching)
    assert_close(basis @ basis.T, np.eye(basis.shape[0]), np.float64)  # [9.1]
    pair_law, bot = oracle.tieaudit_law(signs, matching)
    n = jc.phase_state_qubits(p)
    bits = jnp.asarray(signs < 0)
    probs = np.asarray(phase_state.statevector_probabilities(bits, jnp.asarray(matching), num_qubits=n))
    assert_close(probs[matching[:, 0]], pair_law[:, 0], np.float64)
    assert_close(probs[matching[:, 1]], pair_law[:, 1], np.float64)
    assert_close(probs.sum() - probs[matching].sum(), bot, np.float64)
    assert_close(bot, (p - 2 * num_pairs) / p, np.float64)
    x = signs < 0
    conflict = x[matching[:, 0]] != x[matching[:, 1]]
    assert_close(pair_law[:, 1], 2 / p * conflict, np.float64)  # [9.2]
    if 2 * num_pairs == p:
        assert_close(pair_law[:, 1].sum(), conflict.mean(), np.float64)  # [9.3]


@pytest.mark.parametrize("method", ["fast", "statevector"])
def test_samplers_fit_the_law(method):
    """Outcome cells (k, +/-, bot) of both samplers against the oracle law (chi-square, ALPHA)."""
    p, num_pairs = 14, 5
    signs, matching = _instance(3, p, num_pairs)
    res = jc.tieaudit(jax.random.key(2), signs, matching, eps=0.1, delta=0.01, method=method, num_copies=6000)
    pair_law, bot = oracle.tieaudit_law(signs, matching)
    cells = np.where(np.asarray(res.outcomes) == 2, 2 * num_pairs, 2 * np.asarray(res.pairs) + np.asarray(res.outcomes))
    counts = np.bincount(cells, minlength=2 * num_pairs + 1)
    probs = np.concatenate([pair_law.ravel(), [bot]])
    assert chi2_gof_pvalue(counts, probs) > ALPHA


def test_fast_vs_statevector_two_sample():
    """Fast sampler vs state vector at P = 2**10 by a chi-square test of homogeneity."""
    p = 2**10
    signs, matching = _instance(4, p)
    kw = {"eps": 0.1, "delta": 0.01, "num_copies": 20000}
    a = jc.tieaudit(jax.random.key(0), signs, matching, method="fast", **kw)
    b = jc.tieaudit(jax.random.key(1), signs, matching, method="statevector", **kw)
    table = np.array([[int(a.num_conflicts), 20000 - int(a.num_conflicts)], [int(b.num_conflicts), 20000 - int(b.num_conflicts)]])
    assert stats.chi2_contingency(table).pvalue > ALPHA
    assert int(a.num_valid) == int(b.num_valid) == 20000


def test_estimator_and_cost_large_p():
    """Adjacent matching at P = 2**24 (fast path): f_hat within eps (one-sided ALPHA bound) and K n qubits."""
    p = 2**24
    rng = np.random.default_rng(0)
    signs = np.where(rng.random(p) < 0.3, -1, 1).astype(np.int8)
    x = signs < 0
    f = float(np.mean(x[0::2] != x[1::2]))
    res = jc.tieaudit(jax.random.key(3), signs, "adjacent", eps=0.02, delta=1e-3)
    k = jc.tieaudit_copies(0.02, 1e-3)
    assert res.num_copies == k and res.cost.online_qubits == k * 24 and res.num_qubits_per_copy == 24
    lo, hi = binomial_interval(k, f)
    assert lo <= int(res.num_conflicts) <= hi


def test_partial_matching_discards_bot():
    signs, matching = _instance(6, 40, 5)
    res = jc.tieaudit(jax.random.key(0), signs, matching, eps=0.2, delta=0.05)
    assert res.num_copies == jc.tieaudit_copies(0.2, 0.05, pair_fraction=10 / 40)
    valid = np.asarray(res.outcomes) != 2
    assert int(res.num_valid) == valid.sum()
    assert_close(res.estimate, np.sum(np.asarray(res.outcomes) == 1) / valid.sum(), np.float64)


@pytest.mark.parametrize("p,m", [(8, 3), (8, 5), (10, 6)])
def test_covered_pairs_law(p, m):
    """[9.5]: the covered-pair law against enumeration; its mean is m(m-1)/(2(P-1))."""
    law = jc.covered_pairs_law(p, m)
    assert_close(law, oracle.covered_law_enumerated(p, m), np.float64)
    assert_close(np.sum(law * np.arange(law.size)), m * (m - 1) / (2 * (p - 1)), np.float64)


def test_birthday_conditionally_unbiased():
    """[9.6]: E[estimate | C = c] = f for every c >= 1 (enumeration over all index sets)."""
    signs = np.array([1, -1, 1, 1, -1, -1, 1, -1, 1, 1])
    x = signs < 0
    f = np.mean(x[0::2] != x[1::2])
    for mean in oracle.birthday_conditional_means(signs, 6).values():
        assert_close(mean, f, np.float64)


def test_birthday_sampler_fits_the_law():
    p, m, trials = 16, 7, 1500
    signs = np.where(np.arange(p) % 3 == 0, -1.0, 1.0)
    covered = [jc.birthday_audit(jax.random.key(i), signs, "adjacent", eps=0.1, delta=0.1, num_indices=m).num_covered for i in range(trials)]
    counts = np.bincount(covered, minlength=m // 2 + 1)
    assert chi2_gof_pvalue(counts, jc.covered_pairs_law(p, m)) > ALPHA
    res = jc.birthday_audit(jax.random.key(0), signs, np.arange(p).reshape(-1, 2), eps=0.1, delta=0.1, num_indices=m)
    assert res.cost.bits_sent == m and res.num_indices == m


def test_birthday_rule_and_exact_error():
    k = jc.tieaudit_copies(0.1, 0.01)
    p = 10**6
    m = jc.birthday_indices(0.1, 0.01, p)
    assert m == math.ceil((1 + math.sqrt(1 + 8 * k * (p - 1))) / 2)
    assert m * (m - 1) / (2 * (p - 1)) >= k
    assert jc.birthday_indices(0.1, 0.01, 100) == 100  # capped at P
    assert jc.birthday_error_probability(0.1, 100, 100, 17) == 0.0  # every sign sent: exact


def test_bad_inputs():
    key = jax.random.key(0)
    with pytest.raises(ValueError, match="even length"):
        jc.tieaudit(key, np.ones(7), "adjacent", eps=0.1, delta=0.1)
    with pytest.raises(ValueError, match="at most once"):
        jc.tieaudit(key, np.ones(8), np.array([[0, 1], [1, 2]]), eps=0.1, delta=0.1)
    with pytest.raises(ValueError, match=r"indices in \[0, 8\)"):
        jc.tieaudit(key, np.ones(8), np.array([[0, 8]]), eps=0.1, delta=0.1)
    with pytest.raises(ValueError, match="shape \\(L, 2\\)"):
        jc.tieaudit(key, np.ones(8), np.array([0, 1]), eps=0.1, delta=0.1)
    with pytest.raises(ValueError, match=r"`eps` must be in \(0, 1\]"):
        jc.tieaudit_copies(0.0, 0.1)
    with pytest.raises(ValueError, match=r"`delta` must be in \(0, 1\)"):
        jc.tieaudit(key, np.ones(8), "adjacent", eps=0.1, delta=1.5)
    with pytest.raises(ValueError, match="too long for method='statevector'"):
        jc.tieaudit(key, np.ones(2**21 + 2), "adjacent", eps=0.5, delta=0.5, method="statevector")
