"""Superdense symbol packing (SPEC C7, §2 padding): ``jaxqring.kernels.comm.superdense``.

Oracle: the bit-stream packing of tests/oracles/ring.py (words MSB first, concatenated, padded to
even length, paired).
"""

import jax.numpy as jnp
import numpy as np
import pytest

from jaxqring.kernels.comm import superdense as SD

from ..oracles.ring import symbol_stream


@pytest.mark.parametrize("b", [1, 2, 3, 7, 8, 16])
@pytest.mark.parametrize("w", [1, 2, 3, 5])
def test_symbol_packing_matches_bit_stream_oracle(b, w):
    rng = np.random.default_rng(100 * b + w)
    words = rng.integers(0, 2**b, size=(3, w), dtype=np.uint32)
    sym = np.asarray(SD.symbols_from_words(jnp.asarray(words), bits=b))
    assert sym.shape == (3, SD.num_symbols(w, b)) and sym.dtype == np.uint8
    for row, s in zip(words, sym):
        np.testing.assert_array_equal(s, symbol_stream(row, b))
    back = np.asarray(SD.words_from_symbols(jnp.asarray(sym), bits=b, num_words=w))
    np.testing.assert_array_equal(back, words)
