"""Iterative (Kitaev) phase estimation and the GHZ all-reduce (SPEC §3-4, C8, C9, A6).

Oracles: a dense numpy density-matrix simulation of every round (phases from SPEC §4 in integer
arithmetic, feedback from the estimated bits), the Fejer kernel ([4.2]), the binomial tail law
of [4.3], and float64 numpy sums of the quantised inputs. Statistical assertions use fixed seeds
and the false-failure rate ``ALPHA`` of tests/helpers.py.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

import jaxqring as jq
from jaxqring import kernels as K
from jaxqring._kitaev import majority_tail
from jaxqring.kernels.estimation.ghz_sums import estimate_integer_sums

from .oracles import dense as O
from .helpers import ALPHA, binomial_interval, chi2_gof_pvalue

# ---------------------------------------------------------------------------------------------
# numpy oracles
# ---------------------------------------------------------------------------------------------


def numpy_quantise(g, bits, clip, headroom=None):
    """SPEC §1 quantiser in float64 numpy; ``headroom`` divides 2**(b-1) - 1 (default N)."""
    n = g.shape[0] if headroom is None else headroom
    q_max = (2 ** (bits - 1) - 1) // n
    delta = clip / q_max
    q = np.clip(np.rint(np.clip(g.astype(np.float64), -clip, clip) / delta), -q_max, q_max)
    return q, delta


def dense_round_p_plus(q, bits, bit_estimates, dephasing=0.0):
    """P(X-parity = +1) of every round of one coordinate by dense density matrices (SPEC §4).

    Round r: phi_j = 2 pi ((2**(b-1-r) q_j) mod 2**b) / 2**b, node 0 adds
    omega_r = -2 pi sum_{i<r} y_i 2**i / 2**(r+1) with the *estimated* bits y, then every qubit
    is dephased with probability p (Kraus sqrt(1-p) I, sqrt(p) Z).
    """
    n = len(q)
    out = []
    for r in range(bits):
        m = 2 ** (bits - 1 - r)
        phis = [2 * np.pi * ((int(qj) * m) % 2**bits) / 2**bits for qj in q]
        low = sum(int(y) << i for i, y in enumerate(bit_estimates[:r]))
        phis[0] += -2 * np.pi * low / 2 ** (r + 1)
        psi = O.encode(O.ghz(n), phis)
        rho = np.outer(psi, psi.conj())
        for j in range(n):
            z = O.kron_all([O.PAULI["z"] if k == j else np.eye(2) for k in range(n)])
            rho = (1 - dephasing) * rho + dephasing * z @ rho @ z
        x_all = O.kron_all([O.PAULI["x"]] * n)
        out.append((1 + np.real(np.trace(rho @ x_all))) / 2)
    return np.array(out)


def fejer(phi, t):
    """SPEC [4.2]: P(y) = |sum_k e^{i k (Phi - 2 pi y / 2**t)}|**2 / 4**t, y = 0..2**t-1."""
    y = np.arange(2**t)
    x = phi - 2 * np.pi * y / 2**t
    return np.abs(np.exp(1j * np.outer(x, np.arange(2**t))).sum(1)) ** 2 / 4**t


def grid_law(y, t, visibility=1.0):
    """Outcome law of a phase on the 2**t grid, Phi = 2 pi y / 2**t, with visibility V."""
    phi = 2 * math.pi * y / 2**t
    return lambda k, om: (1 + visibility * jnp.cos(jnp.ldexp(jnp.asarray(phi), k) + om)) / 2


def run_kernel(key, laws_y, t, shots, *, feedback=True, visibility=1.0, dtype=None):
    """vmap the kernel over integers ``laws_y`` on the 2**t grid."""
    keys = jax.random.split(key, len(laws_y))

    def one(k, y):
        law = grid_law(y, t, visibility)
        return K.kitaev_estimate(
            k, law, num_rounds=t, num_shots=shots, feedback=feedback, dtype=dtype
        )

    return jax.jit(jax.vmap(one))(keys, jnp.asarray(laws_y))


# ---------------------------------------------------------------------------------------------
# kernel
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("t", [1, 5, 12])
@pytest.mark.parametrize("dtype", [jnp.float32, jnp.float64])
def test_kernel_recovers_grid_phases_with_one_shot(key, t, dtype):
    """[4.1]: noiseless on-grid phases are decided deterministically, M = 1 is exact."""
    ys = jax.random.randint(key, (500,), 0, 2**t)
    res = run_kernel(key, ys, t, 1, dtype=dtype)
    np.testing.assert_array_equal(res.estimate, ys)
    p = np.asarray(res.p_plus)
    assert p.dtype == np.dtype(dtype)
    assert np.all(np.minimum(p, 1 - p) < 1e-6)
    bits = (np.asarray(ys)[:, None] >> np.arange(t)) & 1
    np.testing.assert_array_equal(res.bits, bits)
    np.testing.assert_array_equal(res.plus_counts[..., 0], 1 - bits)


def test_kernel_off_grid_law_is_fejer(key):
    """[4.2]: with M = 1 the estimate of an off-grid phase follows the Fejer kernel."""
    t, runs = 4, 40000
    for phi in (0.3, 2.0, 5.5):
        def one(k, phi=phi):
            def law(kexp, om):
                return (1 + jnp.cos(jnp.ldexp(jnp.asarray(phi), kexp) + om)) / 2

            return K.kitaev_estimate(k, law, num_rounds=t, num_shots=1).estimate

        est = jax.jit(jax.vmap(one))(jax.random.split(jax.random.fold_in(key, int(phi * 10)), runs))
        counts = np.bincount(np.asarray(est), minlength=2**t)
        assert chi2_gof_pvalue(counts, fejer(phi, t)) > ALPHA


@pytest.mark.parametrize("shots", [1, 5, 65])
def test_kernel_failure_rate_matches_tail_law(key, shots):
    """[4.3]: each round fails w.p. Tail(M, (1-V)/2); a coordinate w.p. 1 - (1 - Tail)**t.

    M = 65 exercises the jax.random.binomial branch (M > INVERSION_MAX_SHOTS).
    """
    t, v, runs = 6, 0.25 if shots == 65 else 0.6, 20000
    ys = jax.random.randint(key, (runs,), 0, 2**t)
    res = run_kernel(jax.random.fold_in(key, shots), ys, t, shots, visibility=v)
    eps = majority_tail(shots, (1 - v) / 2)
    wrong = int(np.sum(np.asarray(res.estimate) != np.asarray(ys)))
    lo, hi = binomial_interval(runs, 1 - (1 - eps) ** t)
    assert lo <= wrong <= hi
    predicted = jq.kitaev_failure_probability(shots, t, v)
    assert predicted == pytest.approx(1 - (1 - eps) ** t, rel=1e-12)
    first_wrong = int(np.sum(np.asarray(res.bits[:, 0]) != (np.asarray(ys) & 1)))
    lo, hi = binomial_interval(runs, eps)
    assert lo <= first_wrong <= hi


def test_kernel_shot_counts_are_binomial(key):
    """The per-round count is an exact Binomial(M, p_plus) draw (sufficient statistic)."""
    for shots, p in ((1, 0.3), (7, 0.1), (64, 0.73), (101, 0.4)):
        law = lambda k, om, p=p: jnp.asarray(p)  # noqa: E731
        res = jax.jit(jax.vmap(lambda k: K.kitaev_estimate(k, law, num_rounds=2, num_shots=shots)))(
            jax.random.split(jax.random.fold_in(key, shots), 20000)
        )
        counts = np.bincount(np.asarray(res.plus_counts).ravel(), minlength=shots + 1)
        assert chi2_gof_pvalue(counts, stats.binom.pmf(np.arange(shots + 1), shots, p)) > ALPHA
    for p in (0.0, 1.0):
        law = lambda k, om, p=p: jnp.asarray(p)  # noqa: E731
        c = K.kitaev_estimate(key, law, num_rounds=3, num_shots=9).plus_counts
        np.testing.assert_array_equal(c, np.full((3, 1), 9 * p))


def nonfeedback_round_error(theta, omega, shots, v):
    """Exact P(y_r wrong) of the non-feedback rule y_r = [C cos w - S sin w < 0] (numpy).

    C, S are +-1 means of M X-parity shots (P(+1) = (1 + V cos theta)/2) and M sine shots
    (P(+1) = (1 + V sin theta)/2); theta + omega = pi y_r; ties go to y_r = 0.
    """
    k = np.arange(shots + 1)
    pc = stats.binom.pmf(k, shots, (1 + v * np.cos(theta)) / 2)
    ps = stats.binom.pmf(k, shots, (1 + v * np.sin(theta)) / 2)
    stat = (2 * k[:, None] - shots) * np.cos(omega) - (2 * k[None, :] - shots) * np.sin(omega)
    y_true = int(round(np.cos(theta + omega)) < 0)
    decided = (stat < 0).astype(int)
    return float(np.sum(np.outer(pc, ps)[decided != y_true]))


def test_kernel_without_feedback_matches_exact_law(key):
    """Non-adaptive majority per bit: failure rate equals the exact double-binomial law and
    respects Hoeffding's exp(-M V**2 / 2) per round; noiseless it still errs (no feedback)."""
    t, y, runs = 4, 11, 20000
    for shots, v in ((1, 1.0), (9, 0.8)):
        ys = jnp.full((runs,), y)
        res = run_kernel(jax.random.fold_in(key, shots), ys, t, shots, feedback=False, visibility=v)
        assert res.plus_counts.shape == (runs, t, 2)
        p_ok = 1.0
        for r in range(t):
            low = y & ((1 << r) - 1)
            theta = 2 * np.pi * ((y << (t - 1 - r)) % 2**t) / 2**t
            eps = nonfeedback_round_error(theta, -2 * np.pi * low / 2 ** (r + 1), shots, v)
            assert eps <= math.exp(-shots * v**2 / 2) + 1e-12
            p_ok *= 1 - eps
        wrong = int(np.sum(np.asarray(res.estimate) != y))
        lo, hi = binomial_interval(runs, 1 - p_ok)
        assert lo <= wrong <= hi
        if shots == 1:
            assert wrong > 0


def test_kernel_vmap_equals_map(key):
    ys = [3, 7, 0, 12]
    keys = jax.random.split(key, len(ys))
    batched = run_kernel(key, ys, 4, 3, visibility=0.5)
    for i, y in enumerate(ys):
        one = K.kitaev_estimate(keys[i], grid_law(y, 4, 0.5), num_rounds=4, num_shots=3)
        for a, b in zip(one, batched):
            np.testing.assert_array_equal(a, np.asarray(b)[i])


# ---------------------------------------------------------------------------------------------
# kitaev_sum / ghz_allreduce
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["closed_form", "mps"])
@pytest.mark.parametrize("n", [2, 3, 5])
def test_kitaev_sum_rounds_match_dense_oracle(key, n, method):
    """[4.1]: every round's parity law equals the dense simulation; the sum is exact."""
    bits = 6
    q_max = (2 ** (bits - 1) - 1) // n
    q = jax.random.randint(jax.random.fold_in(key, n), (n, 8), -q_max, q_max + 1)
    res = jq.kitaev_sum(key, q, bits=bits, shots_per_round=1, method=method)
    np.testing.assert_array_equal(res.sum, np.asarray(q).sum(0))
    for i in range(q.shape[1]):
        want = dense_round_p_plus(np.asarray(q)[:, i], bits, np.asarray(res.rounds.bits[i]))
        np.testing.assert_allclose(res.rounds.p_plus[i, :, 0], want, atol=1e-10)


def test_noiseless_exact_sum_on_1e5_coordinates(key):
    """Issue 4: the exact quantised sum for >= 1 - delta of 10^5 coordinates, equal to a float64
    numpy reference; noiseless M = 1 has documented delta = 0, so every coordinate matches."""
    n, p, bits, clip = 16, 10**5, 8, 0.5
    g = np.asarray(jax.random.normal(key, (n, p), jnp.float64)) * 0.3
    res = jq.ghz_allreduce(jax.random.fold_in(key, 1), g, bits=bits, clip=clip, shots_per_round=1)
    q, delta = numpy_quantise(g, bits, clip)
    ref = q.sum(axis=0)  # float64 numpy reference of the quantised sum
    delta_bound = jq.kitaev_failure_probability(1, bits, 1.0)
    assert delta_bound == 0.0
    ok = np.asarray(res.int_sum) == ref
    assert ok.mean() >= 1 - delta_bound
    np.testing.assert_array_equal(np.asarray(res.int_sum)[ok], ref[ok])
    np.testing.assert_allclose(np.asarray(res.sum)[ok], delta * ref[ok], rtol=1e-12)
    exact_mean = np.clip(g, -clip, clip).mean(axis=0)
    assert np.all(np.abs(np.asarray(res.mean) - exact_mean) <= delta / 2 + 1e-12)  # [1.4]


def test_ghz_allreduce_float32_mps_path(key):
    n, bits = 4, 10
    g = jax.random.uniform(key, (n, 50), jnp.float32, -1, 1)
    res = jq.ghz_allreduce(key, g, bits=bits, clip=1.0, shots_per_round=1, method="mps")
    q, delta = numpy_quantise(np.asarray(g), bits, 1.0)
    assert res.mean.dtype == jnp.float32 and res.sum.dtype == jnp.float32
    np.testing.assert_array_equal(res.int_sum, q.sum(0))
    np.testing.assert_allclose(res.mean, delta * q.sum(0) / n, rtol=1e-6)


def test_ghz_allreduce_integer_weights(key):
    n, bits = 3, 10
    w = np.array([2, -1, 3])
    g = np.asarray(jax.random.uniform(key, (n, 40), jnp.float64, -1, 1))
    res = jq.ghz_allreduce(key, g, bits=bits, clip=1.0, weights=w, shots_per_round=1)
    q, delta = numpy_quantise(g, bits, 1.0, headroom=6)  # sum_j |w_j| = 6
    assert res.delta == delta
    np.testing.assert_array_equal(res.int_sum, (w[:, None] * q).sum(0))
    np.testing.assert_allclose(res.sum, delta * (w[:, None] * q).sum(0), rtol=1e-12)


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
    size = estimate_integer_sums._cache_size()
    jq.kitaev_sum(jax.random.fold_in(key, 1), q + 1, bits=5, shots_per_round=3)
    assert estimate_integer_sums._cache_size() == size


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
    q_max = (2 ** (bits - 1) - 1) // n
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
    q_max = (2 ** (bits - 1) - 1) // n
    q = jax.random.randint(key, (n, runs), -q_max, q_max + 1)
    noise = jq.dephasing(p)
    mpo = jq.kitaev_sum(key, q, bits=bits, shots_per_round=shots, noise=noise, method="mps")
    closed = jq.kitaev_sum(
        key, q, bits=bits, shots_per_round=shots, noise=noise, method="closed_form"
    )
    np.testing.assert_allclose(mpo.rounds.p_plus, closed.rounds.p_plus, atol=1e-10)
    np.testing.assert_array_equal(mpo.sum, closed.sum)
    wrong = int(np.sum(np.asarray(mpo.sum) != np.asarray(q).sum(0)))
    lo, hi = binomial_interval(runs, jq.kitaev_failure_probability(shots, bits, (1 - 2 * p) ** n))
    assert lo <= wrong <= hi


def test_dephasing_study_and_threshold(key):
    study = jq.dephasing_failure_study(
        key, dephasing=(0.01, 0.03), num_nodes=(4, 16), bits=6, shots_per_round=3,
        num_coordinates=3000, target=0.05,
    )
    for a in range(2):
        for b in range(2):
            lo, hi = binomial_interval(3000, study.predicted[a, b])
            assert lo <= study.measured[a, b] * 3000 <= hi
    mpo = jq.dephasing_failure_study(
        key, dephasing=(0.01, 0.03), num_nodes=(16,), bits=6, shots_per_round=3,
        num_coordinates=3000, target=0.05, method="mps",
    )
    # same key, and laws equal to rounding: the MPO path reproduces the closed form's draws
    np.testing.assert_array_equal(mpo.measured[:, 0], study.measured[:, 1])
    for p, n_star in zip(study.dephasing, study.max_nodes):
        fail = lambda n, p=p: jq.kitaev_failure_probability(3, 6, (1 - 2 * p) ** n)  # noqa: E731
        assert fail(n_star) <= 0.05 < fail(n_star + 1)


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
    brute = next(x for x in range(1, 10**5, 2) if bits * majority_tail(x, (1 - v) / 2) <= delta)
    assert m == brute
    m_h = math.ceil(2 * math.log(bits / delta) / v**2)
    assert m <= m_h + (m_h % 2 == 0)
    assert jq.kitaev_failure_probability(m, bits, v) <= delta


def test_failure_probability_noiseless_is_zero():
    assert jq.kitaev_failure_probability(1, 30, 1.0) == 0.0
    assert jq.shots_for_failure(1e-9, 30, 1.0) == 1


# ---------------------------------------------------------------------------------------------
# Heisenberg scaling (SPEC A6, [4.4])
# ---------------------------------------------------------------------------------------------


def test_heisenberg_scaling_slopes(key):
    """Fitted log-log slopes: GHZ -1 (vs N), product -1/2 (vs N), Kitaev -1 (vs Q)."""
    s = jq.heisenberg_study(key, num_nodes=(2, 4, 8, 16, 32, 64), copies=256, repeats=4000,
                            kitaev_rounds=(3, 4, 5, 6, 7, 8, 9), kitaev_nodes=8)
    assert s.ghz_slope == pytest.approx(-1.0, abs=0.1)
    assert s.product_slope == pytest.approx(-0.5, abs=0.1)
    assert s.kitaev_slope == pytest.approx(-1.0, abs=0.1)
    # Cramer-Rao at the working point: 1/(N sqrt(nu)) and 1/sqrt(N nu) (SPEC [4.4]).
    np.testing.assert_allclose(s.ghz_error, 1 / (s.num_nodes * np.sqrt(256)), rtol=0.1)
    np.testing.assert_allclose(s.product_error, 1 / np.sqrt(s.num_nodes * 256), rtol=0.1)
    # [4.2]: within one grid step with probability >= 8/pi^2 (lower binomial bound).
    lo, _ = binomial_interval(4000, 8 / np.pi**2)
    assert np.all(s.kitaev_within_grid * 4000 >= lo)
    np.testing.assert_array_equal(s.kitaev_phase_applications, 2 ** s.kitaev_rounds - 1)
    np.testing.assert_array_equal(s.kitaev_copies, s.kitaev_rounds)


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------

Q = np.zeros((3, 4), np.int32)
G = np.zeros((3, 4))


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
    "kwargs,match",
    [
        (dict(clip=0.0), r"Argument `clip` must be > 0.0"),
        (dict(clip=-1.0), r"Argument `clip` must be > 0.0"),
        (dict(clip=float("inf")), r"Argument `clip` must be finite"),
        (dict(bits=0), r"Argument `bits` must be in \[1, 30\]"),
        (dict(bits=31), r"Argument `bits` must be in \[1, 30\]"),
        (dict(shots_per_round=0), r"Argument `shots_per_round` must be >= 1"),
        (dict(shots_per_round=2), r"Argument `shots_per_round` must be odd"),
        (dict(grads=np.full((3, 4), np.nan)), r"Argument `grads` must be finite"),
        (dict(grads=np.zeros((12,))), r"Argument `grads` must have shape \(N, P\)"),
        (dict(grads=np.zeros((3, 4), np.int32)), r"Argument `grads` must be a real floating array"),
        (dict(weights=np.ones(2, int)), r"Argument `weights` must have shape \(N,\)"),
        (dict(weights=np.ones(3)), r"Argument `weights` must be an integer array"),
        (
            dict(weights=np.array([10, -5, 1])),
            r"Argument `weights` must satisfy sum_j \|w_j\| <= 2\*\*\(bits-1\) - 1 = 15",
        ),
        (dict(weights=np.zeros(3, int)), r"Argument `weights` must not be all zero"),
        (dict(noise=0.1), r"Argument `noise` must be a jaxqring.NoiseModel"),
    ],
)
def test_ghz_allreduce_bad_input(kwargs, match):
    args = dict(key=jax.random.key(0), grads=G, bits=5, clip=1.0, shots_per_round=1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        jq.ghz_allreduce(args.pop("key"), args.pop("grads"), **args)


@pytest.mark.parametrize(
    "args,match",
    [
        ((0.0, 8, 0.9), r"Argument `delta` must be in \(0, 1\), got 0.0"),
        ((1.0, 8, 0.9), r"Argument `delta` must be in \(0, 1\), got 1.0"),
        ((float("nan"), 8, 0.9), r"Argument `delta` must be finite"),
        ((1e-3, 0, 0.9), r"Argument `bits` must be in \[1, 30\]"),
        ((1e-3, 8, 0.0), r"Argument `visibility` must be in \(0, 1\]"),
        ((1e-3, 8, 1.5), r"Argument `visibility` must be in \(0, 1\]"),
    ],
)
def test_shots_for_failure_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        jq.shots_for_failure(*args)


def test_failure_probability_bad_input():
    with pytest.raises(ValueError, match=r"Argument `shots_per_round` must be odd"):
        jq.kitaev_failure_probability(2, 8, 0.9)
