"""The GHZ all-reduce ``ghz_allreduce``: quantise, sum by phase estimation, decode (SPEC §1, §3-4).

Oracles: the numpy quantiser of tests/oracles/quantiser.py and integer numpy sums.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxqring as jq

from ..oracles.kitaev import failure_probability
from ..oracles.quantiser import quantise

G = np.zeros((3, 4))


def test_noiseless_exact_sum_on_1e5_coordinates(key):
    """Issue 4: the exact quantised sum for >= 1 - delta of 10^5 coordinates, equal to a float64
    numpy reference; noiseless M = 1 has documented delta = 0, so every coordinate matches."""
    n, p, bits, clip = 16, 10**5, 8, 0.5
    g = np.asarray(jax.random.normal(key, (n, p), jnp.float64)) * 0.3
    res = jq.ghz_allreduce(jax.random.fold_in(key, 1), g, bits=bits, clip=clip, shots_per_round=1)
    q, delta = quantise(g, bits, clip)
    ref = q.sum(axis=0)  # float64 numpy reference of the quantised sum
    assert failure_probability(1, bits, 1.0) == 0.0  # the oracle's law: noiseless M = 1 never fails
    assert jq.kitaev_failure_probability(1, bits, 1.0) == 0.0
    # delta = 0, so every coordinate must match (not only those that already agree)
    np.testing.assert_array_equal(np.asarray(res.int_sum), ref)
    np.testing.assert_allclose(np.asarray(res.sum), delta * ref, rtol=1e-12)
    exact_mean = np.clip(g, -clip, clip).mean(axis=0)
    assert np.all(np.abs(np.asarray(res.mean) - exact_mean) <= delta / 2 + 1e-12)  # [1.4]


def test_ghz_allreduce_float32_mps_path(key):
    n, bits = 4, 10
    g = jax.random.uniform(key, (n, 50), jnp.float32, -1, 1)
    res = jq.ghz_allreduce(key, g, bits=bits, clip=1.0, shots_per_round=1, method="mps")
    q, delta = quantise(np.asarray(g), bits, 1.0)
    assert res.mean.dtype == jnp.float32 and res.sum.dtype == jnp.float32
    np.testing.assert_array_equal(res.int_sum, q.sum(0))
    np.testing.assert_allclose(res.mean, delta * q.sum(0) / n, rtol=1e-6)


def test_ghz_allreduce_integer_weights(key):
    n, bits = 3, 10
    w = np.array([2, -1, 3])
    g = np.asarray(jax.random.uniform(key, (n, 40), jnp.float64, -1, 1))
    res = jq.ghz_allreduce(key, g, bits=bits, clip=1.0, weights=w, shots_per_round=1)
    q, delta = quantise(g, bits, 1.0, headroom=6)  # sum_j |w_j| = 6
    assert res.delta == delta
    np.testing.assert_array_equal(res.int_sum, (w[:, None] * q).sum(0))
    np.testing.assert_allclose(res.sum, delta * (w[:, None] * q).sum(0), rtol=1e-12)


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
