"""b-bit fixed-point words: the wire format of every aggregation scheme (SPEC §1, C6).

A coordinate is clipped to [-clip, clip], scaled by ``delta = clip / q_max`` and rounded half
to even; the wire word is ``q mod 2**bits``. The headroom ``q_max`` guarantees that the N-node
integer sum never wraps, so :func:`decode_sum` recovers it exactly. Word arithmetic is done in
uint32 (wrapping mod 2**32, then masked), so widths up to 30 bits are exact for any N. The
validated constructor is :func:`jaxqring.fixed_point`.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import Array


class FixedPoint(NamedTuple):
    """Static fixed-point format. All fields are Python scalars (hashable, jit-static).

    Attributes:
        bits: wire width b (bits per transmitted word), 1 <= b <= 30.
        clip: clip radius R > 0, in gradient units.
        num_nodes: number of nodes N whose words are summed.
        q_max: per-node integer headroom floor((2**(b-1) - 1) / N) >= 1.
        delta: value of one integer unit (LSB) in gradient units, R / q_max.
    """

    bits: int
    clip: float
    num_nodes: int
    q_max: int
    delta: float

    @property
    def modulus(self) -> int:
        return 1 << self.bits


def quantise(values: Array, fmt: FixedPoint) -> Array:
    """Signed integers q = clamp(rint(clip(g, -R, R) / delta), -q_max, q_max).

    Args:
        values: float array of any shape, gradient units.
        fmt: the fixed-point format.
    Returns:
        int32 array of the same shape, entries in [-q_max, q_max].
    """
    # XLA:CPU's float32 division is not correctly rounded (0.100782774f / 0.0019569471f gives
    # 51.499996, IEEE gives 51.5), which moves rint at exact ties. Divide in float64 when x64 is on.
    acc = jnp.promote_types(jnp.result_type(values), jax.dtypes.canonicalize_dtype(jnp.float64))
    g = jnp.clip(jnp.asarray(values).astype(acc), -fmt.clip, fmt.clip)
    q = jnp.rint(g / jnp.asarray(fmt.delta, acc))
    return jnp.clip(q, -fmt.q_max, fmt.q_max).astype(jnp.int32)


def to_words(q: Array, fmt: FixedPoint) -> Array:
    """Two's-complement wire words q mod 2**b as uint32 (same shape as ``q``)."""
    return q.astype(jnp.uint32) & jnp.uint32(fmt.modulus - 1)


def add_words(a: Array, b: Array, fmt: FixedPoint) -> Array:
    """(a + b) mod 2**bits for uint32 words."""
    return (a + b) & jnp.uint32(fmt.modulus - 1)


def decode_sum(s: Array, fmt: FixedPoint) -> Array:
    """Signed integer sum S from its residue s = S mod 2**b (uint32) -> int32 (SPEC §1 Decode)."""
    s = s.astype(jnp.int32)  # exact: s < 2**30
    return jnp.where(s >= (1 << (fmt.bits - 1)), s - fmt.modulus, s)


def dequantise_mean(total: Array, fmt: FixedPoint, dtype=jnp.float32) -> Array:
    """Mean estimate delta * S / N as ``dtype``."""
    return total.astype(dtype) * jnp.asarray(fmt.delta / fmt.num_nodes, dtype)
