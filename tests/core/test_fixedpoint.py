"""SPEC §1 fixed point: quantiser, wire words mod 2**b, exact decoding of the N-node sum."""

import jax.numpy as jnp
import numpy as np
import pytest

import jaxqring as jq
from jaxqring import _fixedpoint as fp


@pytest.mark.parametrize("bits,n", [(4, 7), (8, 3), (16, 64), (30, 1000)])
def test_sum_decodes_exactly(bits, n):
    """[1.1]: S = sum_j q_j recovered from sum of words mod 2**b; [1.4]: |mean err| <= delta/2."""
    fmt = jq.fixed_point(bits, 1.5, n)
    assert fmt.q_max == ((1 << (bits - 1)) - 1) // n and fmt.delta == 1.5 / fmt.q_max
    rng = np.random.default_rng(bits)
    g = rng.normal(0, 1, size=(n, 257))
    q = fp.quantise(jnp.asarray(g), fmt)
    words = fp.to_words(q, fmt)
    s = words[0]
    for j in range(1, n):
        s = fp.add_words(s, words[j], fmt)
    total = fp.decode_sum(s, fmt)
    np.testing.assert_array_equal(total, np.asarray(q, np.int64).sum(0))
    mean = fp.dequantise_mean(total, fmt, jnp.float64)
    ref = np.clip(g, -1.5, 1.5).mean(0)
    assert np.max(np.abs(np.asarray(mean) - ref)) <= fmt.delta / 2 + 1e-12


def test_quantiser_rounds_half_to_even_and_clamps():
    fmt = jq.fixed_point(4, 7.0, 2)  # q_max = 3, delta = 7/3
    d = fmt.delta
    q = fp.quantise(jnp.array([0.5 * d, 1.5 * d, -0.5 * d, 2.5 * d, 100.0, -100.0]), fmt)
    np.testing.assert_array_equal(q, [0, 2, 0, 2, 3, -3])
    assert q.dtype == jnp.int32


def test_fixed_point_bad_inputs():
    with pytest.raises(ValueError, match=r"Argument `bits` must be in \[1, 30\], got 0"):
        jq.fixed_point(0, 1.0, 4)
    with pytest.raises(ValueError, match=r"Argument `bits` must be in \[1, 30\], got 31"):
        jq.fixed_point(31, 1.0, 4)
    with pytest.raises(ValueError, match=r"Argument `clip` must be > 0.0, got 0.0"):
        jq.fixed_point(8, 0.0, 4)
    with pytest.raises(ValueError, match=r"Argument `num_nodes` must be >= 2, got 1"):
        jq.fixed_point(8, 1.0, 1)
    with pytest.raises(ValueError, match=r"headroom"):
        jq.fixed_point(4, 1.0, 8)  # 2**3 - 1 = 7 < 8
