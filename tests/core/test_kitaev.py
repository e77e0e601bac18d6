"""Integer sums by iterative phase estimation: ``kitaev_sum`` and its failure law (SPEC §3-4, C8, C9, A6).

Oracles (tests/oracles): dense numpy density matrices of every round (phases from SPEC §4 in
integer arithmetic, feedback from the estimated bits), the exact binomial majority tail of [4.3]
written in the oracle module, and integer numpy sums. Statistical assertions use fixed seeds and
the false-failure rate ``ALPHA`` of tests/helpers.py.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

import jaxqring as jq
from jaxqring.kernels.estimation.ghz_sums import estimate_integer_sums_keyed

from ..helpers import binomial_interval
from ..oracles.kitaev import dense_round_p_plus, failure_probability, majority_tail, smallest_odd_shots
from ..oracles.quantiser import q_max as q_max_of


# ---------------------------------------------------------------------------------------------
# kitaev_sum
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["closed_form", "mps"])
@pytest.mark.parametrize("n", [2, 3, 5])
def test_kitaev_sum_rounds_match_dense_oracle(key, n, method):
    """[4.1]: every round's parity law equals the dense simulation; the sum is exact."""
    bits = 6
    q_max = q_max_of(bits, n)
    q = jax.random.randint(jax.random.fold_in(key, n), (n, 8), -q_max, q_max + 1)
    res = jq.kitaev_sum(key, q, bits=bits, shots_per_round=1, method=method)
    np.testing.assert_array_equal(res.sum, np.asarray(q).sum(0))
    for i in range(q.shape[1]):
        want = dense_round_p_plus(np.asarray(q)[:, i], bits, np.asarray(res.rounds.bits[i]))
        np.testing.assert_allclose(res.rounds.p_plus[i, :, 0], want, atol=1e-10)


def test_unsigned_count_inside_jit(key):
    """SPEC §10 scheme B: q in {0, 1}, b = ceil(log2(N + 1)), unsigned; traced q and key."""
    n = 7
    bits = math.ceil(math.log2(n + 1))
    f = jax.jit(lambda k, q: jq.kitaev_sum(k, q, bits=bits, shots_per_round=1, signed=False).sum)
    for i in range(2):
        q = jax.random.bernoulli(jax.random.fold_in(key, i), 0.5, (n, 300)).astype(jnp.int32)
        np.testing.assert_array_equal(f(jax.random.fold_in(key, 10 + i), q), np.asarray(q).sum(0))


def test_kitaev_sum_without_feedback(key):
    """Non-adaptive variant through the public API: per-round failure <= exp(-M/2) noiselessly,
    so M = 41 (about 1.3e-9 per round) recovers 300 coordinates; its copies are 2 b M."""
    n, bits = 5, 6
    q = jax.random.randint(key, (n, 300), -6, 7)
    res = jq.kitaev_sum(key, q, bits=bits, shots_per_round=41, feedback=False)
    np.testing.assert_array_equal(res.sum, np.asarray(q).sum(0))
    assert res.rounds.plus_counts.shape == (300, bits, 2)
    assert res.stats.num_ghz_copies == 2 * 300 * bits * 41


def test_second_call_compiles_nothing(key):
    q = jnp.zeros((4, 9), jnp.int32)
    jq.kitaev_sum(key, q, bits=5, shots_per_round=3)
    size = estimate_integer_sums_keyed._cache_size()
    jq.kitaev_sum(jax.random.fold_in(key, 1), q + 1, bits=5, shots_per_round=3)
    assert estimate_integer_sums_keyed._cache_size() == size


@pytest.mark.parametrize("p", [0, 1])
def test_tiny_sizes(key, p):
    res = jq.kitaev_sum(key, jnp.ones((3, p), jnp.int32), bits=4, shots_per_round=1)
    assert res.sum.shape == (p,) and res.rounds.bits.shape == (p, 4)
    np.testing.assert_array_equal(res.sum, np.full((p,), 3))
    assert res.stats.num_ghz_copies == 4 * p


def test_comm_stats_accounting(key):
    """SPEC §3 accounting: b M copies per coordinate (2 b M without feedback), N - 1 set-up
    qubits per copy (one on each link 0 -> ... -> N-1), N broadcast bits per copy, and the
    A6 count Q = M (2**b - 1) of sequential phase applications."""
    n, p, bits, m = 5, 7, 6, 3
    q = jnp.zeros((n, p), jnp.int32)
    s = jq.kitaev_sum(key, q, bits=bits, shots_per_round=m).stats
    assert s.num_ghz_copies == p * bits * m
    assert s.num_setup_qubits_per_link == (p * bits * m,) * (n - 1) + (0,)
    assert s.num_setup_qubits == (n - 1) * p * bits * m
    assert s.num_online_bits == n * p * bits * m
    assert (s.num_rounds, s.num_sequential_rounds) == (bits, bits)
    assert s.num_phase_applications == m * (2**bits - 1)
    s2 = jq.kitaev_sum(key, q, bits=bits, shots_per_round=m, feedback=False).stats
    assert s2.num_ghz_copies == 2 * p * bits * m and s2.num_sequential_rounds == 1
    out = jax.jit(lambda k: jq.kitaev_sum(k, q, bits=bits, shots_per_round=m))(key)
    assert out.stats == s  # static pytree: survives jit unchanged


# ---------------------------------------------------------------------------------------------
# noise
# ---------------------------------------------------------------------------------------------


def test_noisy_rounds_match_dense_dephasing_oracle(key):
    """MPO path under dephasing: every round's law equals the dense density matrix, and a
    correctly-fed round is right w.p. (1 + eta**N)/2 ([4.3])."""
    n, bits, p = 3, 5, 0.1
    q_max = q_max_of(bits, n)
    q = jax.random.randint(key, (n, 6), -q_max, q_max + 1)
    res = jq.kitaev_sum(key, q, bits=bits, shots_per_round=3, noise=jq.dephasing(p), method="mps")
    for i in range(q.shape[1]):
        est = np.asarray(res.rounds.bits[i])
        want = dense_round_p_plus(np.asarray(q)[:, i], bits, est, dephasing=p)
        np.testing.assert_allclose(res.rounds.p_plus[i, :, 0], want, atol=1e-10)
        s = int(np.asarray(q)[:, i].sum()) % 2**bits
        truth = (s >> np.arange(bits)) & 1
        for r in range(bits):
            if np.array_equal(est[:r], truth[:r]):
                p_right = want[r] if truth[r] == 0 else 1 - want[r]
                assert p_right == pytest.approx((1 + (1 - 2 * p) ** n) / 2, abs=1e-10)


def test_noisy_failure_rate_mpo_vs_closed_form(key):
    """Dephased aggregate: the MPO path and the closed form V = (1-2p)**N give the same laws
    (hence the same draws for one key), and the failure rate matches 1 - (1 - Tail)**b."""
    n, bits, shots, p, runs = 6, 6, 3, 0.05, 4000
    q_max = q_max_of(bits, n)
    q = jax.random.randint(key, (n, runs), -q_max, q_max + 1)
    noise = jq.dephasing(p)
    mpo = jq.kitaev_sum(key, q, bits=bits, shots_per_round=shots, noise=noise, method="mps")
    closed = jq.kitaev_sum(
        key, q, bits=bits, shots_per_round=shots, noise=noise, method="closed_form"
    )
    np.testing.assert_allclose(mpo.rounds.p_plus, closed.rounds.p_plus, atol=1e-10)
    np.testing.assert_array_equal(mpo.sum, closed.sum)
    wrong = int(np.sum(np.asarray(mpo.sum) != np.asarray(q).sum(0)))
    predicted = failure_probability(shots, bits, (1 - 2 * p) ** n)
    assert jq.kitaev_failure_probability(shots, bits, (1 - 2 * p) ** n) == pytest.approx(predicted, rel=1e-12)
    lo, hi = binomial_interval(runs, predicted)
    assert lo <= wrong <= hi


# ---------------------------------------------------------------------------------------------
# failure probability, shot rule
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "delta,bits,v", [(1e-3, 6, 0.729), (1e-2, 8, 0.5), (1e-6, 16, 0.95), (0.1, 1, 1.0)]
)
def test_shot_rule_is_smallest_odd_m(delta, bits, v):
    """[4.3]: M = smallest odd M with b Tail(M, (1-V)/2) <= delta, and M <= M_H."""
    m = jq.shots_for_failure(delta, bits, v)
    assert m % 2 == 1
    assert m == smallest_odd_shots(delta, bits, v)
    m_h = math.ceil(2 * math.log(bits / delta) / v**2)
    assert m <= m_h + (m_h % 2 == 0)
    assert jq.kitaev_failure_probability(m, bits, v) == pytest.approx(failure_probability(m, bits, v), rel=1e-12)
    assert failure_probability(m, bits, v) <= delta


@pytest.mark.parametrize("shots,q", [(1, 0.3), (5, 0.1), (65, 0.375), (1001, 0.45), (20001, 0.49)])
def test_majority_tail_oracle_agrees_with_scipy(shots, q):
    """The oracle's exact log-space binomial sum against scipy's independent binom.sf."""
    assert majority_tail(shots, q) == pytest.approx(stats.binom.sf((shots - 1) // 2, shots, q), rel=1e-9)


@pytest.mark.parametrize("shots,bits,v", [(1, 8, 0.9), (5, 8, 0.5), (65, 6, 0.25), (3, 6, 0.6**7), (41, 16, 0.95)])
def test_failure_probability_matches_exact_binomial_law(shots, bits, v):
    """[4.3]: 1 - (1 - Tail(M, (1-V)/2))**b, Tail from the oracle's exact binomial sum."""
    want = failure_probability(shots, bits, v)
    assert jq.kitaev_failure_probability(shots, bits, v) == pytest.approx(want, rel=1e-10)


def test_failure_probability_noiseless_is_zero():
    assert jq.kitaev_failure_probability(1, 30, 1.0) == 0.0
    assert jq.shots_for_failure(1e-9, 30, 1.0) == 1


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------

Q = np.zeros((3, 4), np.int32)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(bits=0), r"Argument `bits` must be in \[1, 30\]"),
        (dict(bits=31), r"Argument `bits` must be in \[1, 30\]"),
        (dict(bits=2), r"Argument `bits` must satisfy 2\*\*\(bits-1\) - 1 >= N"),
        (dict(shots_per_round=0), r"Argument `shots_per_round` must be >= 1"),
        (dict(shots_per_round=4), r"Argument `shots_per_round` must be odd"),
        (dict(q=np.zeros((4,), np.int32)), r"Argument `q` must have shape \(N, P\)"),
        (dict(q=np.zeros((1, 4), np.int32)), r"Argument `q` must have shape \(N, P\) with N >= 2"),
        (dict(q=np.zeros((3, 4))), r"Argument `q` must be an integer array"),
        (dict(q=np.full((3, 4), 6, np.int32)), r"Argument `q` must lie in \[-5, 5\]"),
        (
            dict(q=np.full((3, 4), -1, np.int32), signed=False),
            r"Argument `q` must lie in \[0, 31\]",
        ),
        (dict(method="dense"), r"Argument `method` must be one of"),
        (dict(signed=1), r"Argument `signed` must be a bool"),
        (dict(key=3), r"Argument `key` must be a JAX PRNG key"),
        (dict(noise="dephasing"), r"Argument `noise` must be a jaxqring.NoiseModel"),
    ],
)
def test_kitaev_sum_bad_input(kwargs, match):
    args = dict(key=jax.random.key(0), q=Q, bits=5, shots_per_round=1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        jq.kitaev_sum(args.pop("key"), args.pop("q"), **args)


@pytest.mark.parametrize(
    "args,match",
    [
        ((0.0, 8, 0.9), r"Argument `delta` must lie in \(0, 1\), got 0.0"),
        ((1.0, 8, 0.9), r"Argument `delta` must lie in \(0, 1\), got 1.0"),
        ((float("nan"), 8, 0.9), r"Argument `delta` must be finite"),
        ((1e-3, 0, 0.9), r"Argument `bits` must be in \[1, 30\]"),
        ((1e-3, 8, 0.0), r"Argument `visibility` must lie in \(0, 1\], got 0.0"),
        ((1e-3, 8, 1.5), r"Argument `visibility` must (lie|be) in .*1.*, got 1.5"),
    ],
)
def test_shots_for_failure_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        jq.shots_for_failure(*args)


def test_failure_probability_bad_input():
    with pytest.raises(ValueError, match=r"Argument `shots_per_round` must be odd"):
        jq.kitaev_failure_probability(2, 8, 0.9)
