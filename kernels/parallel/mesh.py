"""Mesh-agnostic helpers: shard a leading node axis over a 1-D device mesh with ``shard_map`` and
shift messages around a ring with ``lax.ppermute`` (or ``jnp.roll`` without a mesh).

The same node function runs vectorised on one device or sharded over a mesh: it receives its
local rows, their global node indices and the ``shift(msgs, step)`` to use.
"""

from __future__ import annotations

import functools
from typing import Callable

import jax
import jax.numpy as jnp
from jax import Array, lax
from jax.sharding import Mesh
from jax.sharding import PartitionSpec as PS


def roll_shift(msgs: Array, step: int) -> Array:
    """Vectorised ring: receiver i gets the message of node i - step."""
    return jnp.roll(msgs, step, axis=0)


def ppermute_shift(msgs: Array, step: int, *, axis_name: str, num_devices: int) -> Array:
    """Sharded ring (nodes contiguous per device): only the boundary node crosses devices."""
    if step == 1:
        perm = [(d, (d + 1) % num_devices) for d in range(num_devices)]
        incoming = lax.ppermute(msgs[-1:], axis_name, perm)
        return jnp.concatenate([incoming, msgs[:-1]], axis=0)
    perm = [(d, (d - 1) % num_devices) for d in range(num_devices)]
    incoming = lax.ppermute(msgs[:1], axis_name, perm)
    return jnp.concatenate([msgs[1:], incoming], axis=0)


def shard_nodes(fn: Callable, mesh: Mesh | None, local_rows: Array, *replicated) -> Array:
    """Run ``fn(rows, node_ids, shift, *replicated)`` over the leading node axis of ``local_rows``.

    Without a mesh ``fn`` sees every row, ``node_ids = arange(N)`` and :func:`roll_shift`. With a
    1-D mesh (size dividing N) each device runs ``fn`` on its N / size consecutive rows with their
    global ids and :func:`ppermute_shift`; the output's leading axis is sharded the same way.
    ``replicated`` arguments are passed whole to every device.
    """
    num_nodes = local_rows.shape[0]
    if mesh is None:
        return fn(local_rows, jnp.arange(num_nodes, dtype=jnp.int32), roll_shift, *replicated)
    axis = mesh.axis_names[0]
    num_dev = mesh.shape[axis]
    per_dev = num_nodes // num_dev
    shift = functools.partial(ppermute_shift, axis_name=axis, num_devices=num_dev)

    def local(rows, *rest):
        ids = lax.axis_index(axis).astype(jnp.int32) * per_dev + jnp.arange(per_dev, dtype=jnp.int32)
        return fn(rows, ids, shift, *rest)

    specs = (PS(axis),) + (PS(),) * len(replicated)
    return jax.shard_map(local, mesh=mesh, in_specs=specs, out_specs=PS(axis))(local_rows, *replicated)
