"""Johnson-Lindenstrauss sketches A g with A generated column by column from a counter (SPEC §8, A19).

The d x P matrix A is never stored. Column i is a pure function of (key, i):
``A[:, i] = draw(fold_in(key, i), d) / sqrt(d)``, where ``draw`` is i.i.d. N(0, 1)
(``kind="gaussian"``) or i.i.d. +-1 (``kind="rademacher"``, one bit of a threefry word per
entry). Shared randomness between two workers is therefore just the key: each worker regenerates
exactly the same columns. The product is accumulated over blocks of ``block_size`` columns in a
``lax.scan`` (memory O(d * block_size), independent of P), and the result does not depend on the
block size (the columns are indexed, not the blocks). The last, partial block is masked, so no
padded copy of the input is made.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from jax import Array

KINDS = ("gaussian", "rademacher")


def sketch_columns(key: Array, columns: Array, *, dim: int, kind: str, dtype) -> Array:
    """Columns ``columns`` (int, shape (B,)) of A as shape=(B, d) rows, entries of variance 1/d."""
    keys = jax.vmap(lambda i: jax.random.fold_in(key, i))(columns)
    scale = 1 / math.sqrt(dim)
    if kind == "gaussian":
        draws = jax.vmap(lambda k: jax.random.normal(k, (dim,), dtype))(keys)
        return draws * jnp.asarray(scale, dtype)
    words = jax.vmap(lambda k: jax.random.bits(k, (-(-dim // 32),), jnp.uint32))(keys)
    shifts = jnp.arange(32, dtype=jnp.uint32)
    bits = (words[:, :, None] >> shifts[None, None, :]) & jnp.uint32(1)
    bits = bits.reshape(words.shape[0], -1)[:, :dim]
    return (1 - 2 * bits.astype(dtype)) * jnp.asarray(scale, dtype)


def sketch(
    key: Array, vectors: Array, *, dim: int, kind: str = "gaussian", block_size: int = 4096,
    dtype=None, offset: Array | int = 0,
) -> Array:
    """A @ vectors.T for a batch of vectors, streaming the columns of A.

    Args:
        key: PRNG key shared by the workers (the seed of A).
        vectors: shape=(B, P), real: B vectors sketched with the same A.
        dim: static sketch dimension d.
        kind: static "gaussian" (entries N(0, 1/d)) or "rademacher" (entries +-1/sqrt(d)).
        block_size: static number of columns generated at once (memory ~ 4 d block_size bytes).
        dtype: real dtype of the generated entries (default float32: Gaussian draws are the
            cost; float64 inputs are multiplied in float64 and every block accumulates in
            float64 under x64).
        offset: global index of ``vectors``' first column (int, may be traced): a device
            holding columns [offset, offset + P) of a longer vector regenerates exactly those
            columns of A (``jaxqring.kernels.parallel.columns.sum_over_columns``).
    Returns:
        shape=(B, d), float64 under x64 (else float32): row b is A vectors[b].
    """
    gen_dt = jnp.dtype(jnp.float32) if dtype is None else jnp.dtype(dtype)
    acc_dt = jnp.promote_types(gen_dt, jax.dtypes.canonicalize_dtype(jnp.float64))
    work_dt = jnp.promote_types(vectors.dtype, gen_dt)
    num_vec, num_coords = vectors.shape
    bs = int(min(block_size, num_coords))
    num_blocks = -(-num_coords // bs)

    def step(acc, b):
        idx = b * bs + jnp.arange(bs, dtype=jnp.int32)
        valid = idx < num_coords
        block = jnp.take(vectors, jnp.minimum(idx, num_coords - 1), axis=1)
        block = jnp.where(valid[None, :], block, 0).astype(work_dt)
        cols = sketch_columns(key, idx + offset, dim=dim, kind=kind, dtype=gen_dt).astype(work_dt)
        part = jnp.einsum(
            "bp,pd->bd", block, cols, precision=jax.lax.Precision.HIGHEST,
            preferred_element_type=acc_dt,
        )
        return acc + part, None

    acc, _ = jax.lax.scan(
        step, jnp.zeros((num_vec, dim), acc_dt), jnp.arange(num_blocks, dtype=jnp.int32)
    )
    return acc
