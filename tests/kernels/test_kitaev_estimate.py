"""The Kitaev phase-estimation kernel ``jaxqring.kernels.kitaev_estimate`` (SPEC §4, C9).

Oracles (tests/oracles/kitaev.py): the Fejer kernel [4.2], the exact binomial majority tail of
[4.3] and the exact double-binomial law of the non-feedback rule. Statistical assertions use
fixed seeds and the false-failure rate ``ALPHA`` of tests/helpers.py.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

import jaxqring as jq
from jaxqring import kernels as K

from ..helpers import ALPHA, binomial_interval, chi2_gof_pvalue
from ..oracles.kitaev import failure_probability, fejer, majority_tail, nonfeedback_round_error


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
    assert failure_probability(shots, t, v) == pytest.approx(1 - (1 - eps) ** t, rel=1e-12)
    assert jq.kitaev_failure_probability(shots, t, v) == pytest.approx(1 - (1 - eps) ** t, rel=1e-10)
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
