"""Numpy reference of the SPEC §1 fixed-point quantiser (independent of jaxqring).

q_max = floor((2**(b-1) - 1) / H) with headroom H (N nodes by default, sum_j |w_j| for integer
weights), delta = clip / q_max, q = clamp(round_half_even(clamp(g, -clip, clip) / delta), +-q_max);
words are q mod 2**b (two's complement in b bits) and decode back to signed integers.
"""

import numpy as np


def q_max(bits, headroom):
    """Largest |q| per node such that a sum over ``headroom`` nodes fits in b signed bits."""
    return (2 ** (bits - 1) - 1) // headroom


def quantise(g, bits, clip=1.0, headroom=None, dtype=np.float64):
    """(N, P) real ``g`` -> ((N, P) int64 q, delta), computed in ``dtype`` row by row.

    ``dtype`` is the float type of the quotient g / delta (float64 unless a caller mirrors a
    float32 pipeline); rows are processed one at a time so temporaries stay one row large.
    """
    return _quantise_into(np.empty(np.shape(g), np.int64), g, bits, clip, headroom, dtype)


def quantise_words(g, bits, clip=1.0, headroom=None, dtype=np.float64):
    """(N, P) real ``g`` -> ((N, P) uint32 words q mod 2**b, delta): 4 bytes per coordinate."""
    words, delta = _quantise_into(np.empty(np.shape(g), np.uint32), g, bits, clip, headroom, dtype)
    return words, delta


def _quantise_into(out, g, bits, clip, headroom, dtype):
    g = np.asarray(g)
    qm = q_max(bits, g.shape[0] if headroom is None else headroom)
    delta = clip / qm
    d = np.dtype(dtype).type(delta)
    for j in range(g.shape[0]):
        q = np.clip(np.rint(np.clip(g[j].astype(dtype, copy=False), -clip, clip) / d), -qm, qm)
        out[j] = q.astype(np.int64) % (1 << bits) if out.dtype == np.uint32 else q
    return out, delta


def to_words(q, bits):
    """Signed integers -> uint32 words q mod 2**b."""
    return (np.asarray(q).astype(np.int64) % (1 << bits)).astype(np.uint32)


def decode_signed(words, bits):
    """uint32 words mod 2**b -> signed int32 in [-2**(b-1), 2**(b-1)), IN PLACE (a view)."""
    out = words.view(np.int32)  # words < 2**30, so the int32 view holds the same values
    out[out >= (1 << (bits - 1))] -= 1 << bits
    return out
