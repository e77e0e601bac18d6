"""Protocol laws (SPEC [7.4], A10) against brute-force enumeration of subsets, scipy, and sampled runs."""

import itertools
import math

import jax
import numpy as np
import pytest
from scipy import stats

import jaxqring as jq
import jaxqring.security as sec

from ..helpers import binomial_interval


def _brute_force(k, c, d, min_used=1):
    """Average over all C(2K, K) subsets (corrupted copies are 0..c-1): P(accept), P(accept, >= m used)."""
    acc = used = 0.0
    subsets = list(itertools.combinations(range(2 * k), k))
    for sub in subsets:
        i = sum(1 for x in sub if x < c)
        p = (1 - d) ** i
        acc += p
        if c - i >= min_used:
            used += p
    return acc / len(subsets), used / len(subsets)


@pytest.mark.parametrize("k, c", [(1, 0), (1, 1), (1, 2), (2, 1), (3, 2), (3, 4), (4, 8)])
def test_acceptance_law_7_4_brute_force(k, c):
    n = 4
    d0 = 2 ** (n - 1) / (2**n - 1)
    acc, used = _brute_force(k, c, d0)
    assert float(sec.acceptance_probability(k, c, n)) == pytest.approx(acc, abs=1e-12)
    assert float(sec.false_acceptance_probability(k, c, n)) == pytest.approx(used, abs=1e-12)
    d = 0.3
    acc, used = _brute_force(k, c, d, min_used=2)
    assert float(sec.acceptance_probability(k, c, n, detection=d)) == pytest.approx(acc, abs=1e-12)
    assert float(sec.false_acceptance_probability(k, c, n, detection=d, min_used=2)) == pytest.approx(used, abs=1e-12)


def test_acceptance_large_k_scipy():
    """K = 5000: the log-space kernel against scipy's hypergeometric pmf."""
    k, c, n = 5000, 37, 10
    d0 = 2 ** (n - 1) / (2**n - 1)
    i = np.arange(c + 1)
    want = np.sum(stats.hypergeom.pmf(i, 2 * k, c, k) * (1 - d0) ** i)
    assert float(sec.acceptance_probability(k, c, n)) == pytest.approx(want, rel=1e-9)


def test_iid_acceptance_and_soundness_curve():
    n = 4
    f = 0.5
    d = (1 - f) * 2 ** (n - 1) / (2**n - 1)
    assert float(sec.iid_acceptance_probability(7, d)) == pytest.approx((1 - d) ** 7, rel=1e-12)
    eps, worst = sec.soundness_curve([1, 2, 3], n)
    np.testing.assert_allclose(eps, 0.5, atol=1e-12)  # c = 1 escapes with probability 1/2
    np.testing.assert_array_equal(worst, 1)
    # against brute force over every c at small K (more than 1/3 of the used copies corrupted)
    for k in (3, 4):
        m = math.floor(k / 3) + 1
        brute = max(_brute_force(k, c, 8 / 15, m)[1] for c in range(1, 2 * k + 1))
        got, _ = sec.soundness_curve([k], n, used_fraction=1 / 3)
        assert got[0] == pytest.approx(brute, abs=1e-12)
    eps, _ = sec.soundness_curve([10, 100, 1000], n, used_fraction=0.05)
    assert eps[0] > eps[1] > eps[2] > 0 and eps[2] < 1e-9


def test_verification_cost():
    v = sec.verification_cost(3, 5)
    assert (v.outcome_bits, v.label_bits, v.subset_bits) == (15, 15, 5)  # ceil(log2 20) = 5
    assert v.cost == jq.CommCost(bits_sent=35, setup_qubits=24, ghz_copies=6, rounds=2)
    assert sec.verification_cost(1, 2).subset_bits == 1


def test_threshold_rule():
    k, q = 2000, 0.013
    rule = sec.threshold_rule(k, q, completeness_error=1e-6)
    assert stats.binom.sf(rule.max_failures, k, q) <= 1e-6 < stats.binom.sf(rule.max_failures - 1, k, q)
    assert rule.completeness_error == pytest.approx(stats.binom.sf(rule.max_failures, k, q))
    # with no honest noise and threshold 0, the threshold law is the perfect-pass law
    acc, used = sec.threshold_false_acceptance(6, 4, 0, 0.0, 0.4)
    assert acc == pytest.approx(float(sec.acceptance_probability(6, 4, 4, detection=0.4)), abs=1e-12)
    assert used == pytest.approx(float(sec.false_acceptance_probability(6, 4, 4, detection=0.4)), abs=1e-12)


def test_sampled_runs_match_law():
    """Acceptance frequency of sampled runs (adaptive adversary, c = 3 of 2K = 16) vs [7.4]."""
    n, k, runs = 4, 8, 100
    attack = sec.adaptive(3, sec.phase_flip(1))
    p = float(sec.acceptance_probability(k, 3, n))
    accepted = 0
    for r in range(runs):
        run = sec.run_protocol(jax.random.key(100 + r), attack, n, k)
        assert run.corrupted_tested + run.corrupted_used == 3
        assert len(run.tested) == k and len(set(run.tested.tolist())) == k
        if run.corrupted_tested == 0:
            assert run.accepted and run.num_failures == 0
        accepted += run.accepted
    lo, hi = binomial_interval(runs, p)
    assert lo <= accepted <= hi


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: sec.acceptance_probability(0, 0, 4), "`k`"),
        (lambda: sec.acceptance_probability(3, 7, 4), "corrupted"),
        (lambda: sec.acceptance_probability(3, 1, 4, detection=1.2), "detection"),
        (lambda: sec.threshold_rule(10, 0.1, completeness_error=0.0), "completeness_error"),
        (lambda: sec.soundness_curve([0], 4), "ks"),
        (lambda: sec.run_protocol(jax.random.key(0), sec.adaptive(9), 4, 4), "corrupted"),
        (lambda: sec.run_protocol(0, sec.honest(), 4, 4), "key"),
        (lambda: sec.verification_cost(2, 1), "`n`"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
