"""Per-coordinate work over a long coordinate axis: streamed in chunks, optionally sharded.

Many jobs treat P coordinates independently (one PRNG key and one column of N node values
each): the GHZ aggregation of a gradient, Kitaev sums, batched samplers. :func:`map_columns`
runs such a job inside one compiled program

* in chunks of ``chunk`` coordinates (``lax.map`` over chunk starts, ``dynamic_slice`` of the
  inputs, so only one chunk's intermediates are alive at a time and nothing recompiles per
  chunk; a tail shorter than ``chunk`` is one more static call), and
* over a 1-D device mesh (``shard_map``: each device streams its own contiguous block of
  coordinates; no collective is needed because coordinates are independent).

Every coordinate sees exactly its own key and column whatever the chunk size and the number of
devices, so sampled results do not depend on either (integer outputs are tested bit for bit;
float outputs agree to rounding, XLA vectorising different batch sizes differently).
"""

from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp
from jax import Array, lax
from jax.sharding import Mesh
from jax.sharding import PartitionSpec as PS


def _concat(a, b):
    return jax.tree_util.tree_map(lambda x, y: jnp.concatenate([x, y], axis=0), a, b)


def _stream(fn: Callable, keys: Array, columns: Array, replicated: tuple, chunk: int):
    """``fn`` over chunks of the last axis of ``columns`` (leading axis of ``keys``) on one device."""
    p = columns.shape[-1]
    if p == 0:
        return fn(keys, columns, *replicated)
    size = max(1, min(int(chunk), p))
    num_full, tail = divmod(p, size)

    def body(i):
        start = i * size
        k = lax.dynamic_slice_in_dim(keys, start, size, axis=0)
        cols = lax.dynamic_slice_in_dim(columns, start, size, axis=columns.ndim - 1)
        return fn(k, cols, *replicated)

    if num_full == 1:
        out = body(0)
    else:
        stacked = lax.map(body, jnp.arange(num_full))
        out = jax.tree_util.tree_map(lambda x: x.reshape((num_full * size,) + x.shape[2:]), stacked)
    if tail:
        start = num_full * size
        out = _concat(out, fn(keys[start:], columns[..., start:], *replicated))
    return out


def map_columns(
    fn: Callable,
    keys: Array,
    columns: Array,
    *replicated,
    chunk: int,
    mesh: Mesh | None = None,
):
    """``fn(keys[c], columns[..., c], *replicated)`` for every block c of coordinates, stacked.

    Args:
        fn: ``(keys (C,), columns (..., C), *replicated) -> pytree`` whose leaves have leading
            axis C (one row per coordinate); called with C = ``chunk`` and once with the tail.
        keys: shape=(P,) PRNG key array, one key per coordinate, or None (``fn`` then gets None).
        columns: shape=(..., P): the coordinate axis last (e.g. (N, P) node values).
        replicated: arguments passed whole to every call (noise pytrees, weights...).
        chunk: static, coordinates per chunk (>= 1; clipped to P, or to P / devices on a mesh).
        mesh: None (one device) or a 1-D :class:`jax.sharding.Mesh`; coordinates are padded to a
            multiple of its size (with copies of the first coordinates, dropped afterwards).
    Returns:
        ``fn``'s pytree with leading axis P, in coordinate order (sharded over ``mesh`` if given).
    """
    p = columns.shape[-1]
    if keys is None:  # deterministic work: a placeholder rides along so one code path serves both
        keyed = fn

        def fn(_, cols, *rest):
            return keyed(None, cols, *rest)

        keys = jnp.zeros((p,), jnp.uint8)
    if mesh is None:
        return _stream(fn, keys, columns, replicated, chunk)
    axis = mesh.axis_names[0]
    num_dev = mesh.shape[axis]
    pad = (-p) % num_dev
    if pad:
        # Padding copies the inputs once; it is only needed when P is not a multiple of the mesh.
        keys = jnp.concatenate([keys, keys[:pad]], axis=0)
        columns = jnp.concatenate([columns, columns[..., :pad]], axis=columns.ndim - 1)

    def local(k, cols, *rest):
        return _stream(fn, k, cols, rest, chunk)

    col_spec = PS(*([None] * (columns.ndim - 1) + [axis]))
    specs = (PS(axis), col_spec) + (PS(),) * len(replicated)
    # No collective runs inside (coordinates are independent), so the varying-manual-axes check is
    # off: kernels written for one device keep their replicated scan carries unchanged.
    out = jax.shard_map(local, mesh=mesh, in_specs=specs, out_specs=PS(axis), check_vma=False)(
        keys, columns, *replicated
    )
    if pad:
        out = jax.tree_util.tree_map(lambda x: x[:p], out)
    return out


def sum_over_columns(fn: Callable, columns: Array, *replicated, mesh: Mesh | None = None):
    """``sum_c fn(columns[..., block_c], offset_c, *replicated)`` over contiguous blocks of the
    coordinate axis, one block per device of ``mesh`` (``shard_map`` + ``psum``).

    For linear reductions over coordinates whose terms are pure functions of the coordinate
    index (a JL sketch regenerates column i of its matrix from ``fold_in(key, i)``): each
    device passes its first global index ``offset`` to ``fn``, so every coordinate contributes
    exactly the term it would on one device, and only the summation order changes (results
    agree to rounding, not bit for bit).

    Args:
        fn: ``(columns (..., C), offset (int32 scalar), *replicated) -> pytree``; it must treat
            all-zero columns as contributing zero (the coordinate axis is padded with zeros to
            a multiple of the mesh size).
        columns: shape=(..., P), the coordinate axis last.
        replicated: arguments passed whole to every call (keys, static-free pytrees).
        mesh: None (one call with offset 0) or a 1-D :class:`jax.sharding.Mesh`.
    Returns:
        ``fn``'s pytree summed over the blocks (replicated over ``mesh``).
    """
    if mesh is None:
        return fn(columns, jnp.int32(0), *replicated)
    axis = mesh.axis_names[0]
    num_dev = mesh.shape[axis]
    p = columns.shape[-1]
    pad = (-p) % num_dev
    if pad:
        widths = [(0, 0)] * (columns.ndim - 1) + [(0, pad)]
        columns = jnp.pad(columns, widths)
    local_size = (p + pad) // num_dev

    def local(cols, *rest):
        offset = lax.axis_index(axis).astype(jnp.int32) * local_size
        return jax.tree_util.tree_map(lambda x: lax.psum(x, axis), fn(cols, offset, *rest))

    col_spec = PS(*([None] * (columns.ndim - 1) + [axis]))
    specs = (col_spec,) + (PS(),) * len(replicated)
    return jax.shard_map(local, mesh=mesh, in_specs=specs, out_specs=PS(), check_vma=False)(columns, *replicated)
