"""The ring all-reduce engine: static schedule, rotated chunk buffers, one round function for the
vectorised and the sharded ring (SPEC §1, §2, A2).

Schedule: N nodes on a ring, words (N, P); P is cut into N chunks by the numpy ``array_split``
rule. Scatter-reduce: N - 1 rounds, in round r node j sends chunk (j - r) mod N to j + 1, which
adds it mod 2**b. All-gather: N - 1 rounds, node j sends chunk (j + 1 - r) mod N to j + 1
(``gather="cw"``) or chunk (j + 1 + r) mod N to j - 1 (``"ccw"``), and the receiver overwrites.

Each node keeps its chunks in a *rotated* buffer ``buf[j, k] = chunk (j - k) mod N`` of shape
(N, N, L), L = ceil(P / N), zero padded; in this frame every round reads and writes one fixed slot
for all nodes, so a round is one dynamic slice, one neighbour shift and one in-place dynamic update
inside ``lax.scan``. The shift is ``jnp.roll`` over the node axis (vectorised) or ``lax.ppermute``
of the boundary node between devices (:mod:`kernels.parallel.mesh`); both run the same round
function with the same keys, so their results are identical.
"""

from __future__ import annotations

import functools
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array, lax
from jax.sharding import Mesh

from ..parallel.mesh import shard_nodes
from .fixedpoint import FixedPoint, add_words, decode_sum, quantise, to_words
from .superdense import (
    bell_diagonal_state,
    confusion_matrix,
    decode_thresholds,
    sample_decoded,
    symbols_from_words,
    words_from_symbols,
)


def read_only(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


# ---------------------------------------------------------------------------------------------
# Static schedule (plain numpy, cached).
# ---------------------------------------------------------------------------------------------


class RingSchedule(NamedTuple):
    """Static ring schedule for N nodes and P coordinates (read-only numpy arrays).

    Attributes:
        chunk_sizes: shape=(N,), int64: |C_c| (numpy ``array_split`` rule).
        chunk_offsets: shape=(N + 1,), int64: o_c, with C_c = [o_c, o_{c+1}).
        chunk: shape=(2, N - 1, N), int64: chunk sent by node j in (phase, round).
        receiver: shape=(2, N), int64: node that receives node j's messages in each phase.
        read_slot: shape=(2, N - 1), int64: rotated-buffer slot every sender reads.
        write_slot: shape=(2, N - 1), int64: rotated-buffer slot every receiver updates.
    """

    chunk_sizes: np.ndarray
    chunk_offsets: np.ndarray
    chunk: np.ndarray
    receiver: np.ndarray
    read_slot: np.ndarray
    write_slot: np.ndarray


@functools.lru_cache(maxsize=256)
def ring_schedule(num_nodes: int, num_coords: int, gather: str = "cw") -> RingSchedule:
    """Build (once) the static scatter-reduce / all-gather schedule (SPEC §1, A2)."""
    n, p = int(num_nodes), int(num_coords)
    q, rem = divmod(p, n)
    sizes = np.array([q + (c < rem) for c in range(n)], np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    j = np.arange(n)
    r = np.arange(n - 1)[:, None]
    scatter = (j[None, :] - r) % n
    if gather == "cw":
        gath = (j[None, :] + 1 - r) % n
        dest = (j + 1) % n
    else:
        gath = (j[None, :] + 1 + r) % n
        dest = (j - 1) % n
    chunk = np.stack([scatter, gath]).astype(np.int64)
    receiver = np.stack([(j + 1) % n, dest]).astype(np.int64)
    # Rotated frame: node j keeps chunk c in slot (j - c) mod N. The sender's slot and the
    # receiver's slot of the same chunk are the same for every node (checked here).
    read = (j[None, None, :] - chunk) % n
    write = (receiver[:, None, :] - chunk) % n
    assert np.all(read == read[..., :1]) and np.all(write == write[..., :1])
    return RingSchedule(
        *(read_only(a) for a in (sizes, offsets, chunk, receiver, read[..., 0].copy(), write[..., 0].copy()))
    )


# ---------------------------------------------------------------------------------------------
# Simulation (one round function for the vectorised and the sharded ring).
# ---------------------------------------------------------------------------------------------


def to_chunks(words: Array, num_nodes: int) -> Array:
    """(n, P) -> (n, N, L) zero-padded chunks, L = ceil(P / N) (array_split rule)."""
    n, p = words.shape
    q, rem = divmod(p, num_nodes)
    if rem == 0:
        return words.reshape(n, num_nodes, q)
    head = words[:, : rem * (q + 1)].reshape(n, rem, q + 1)
    tail = words[:, rem * (q + 1) :].reshape(n, num_nodes - rem, q)
    tail = jnp.pad(tail, ((0, 0), (0, 0), (0, 1)))
    return jnp.concatenate([head, tail], axis=1)


def from_chunks(chunks: Array, num_coords: int) -> Array:
    """Inverse of :func:`_to_chunks`: (n, N, L) -> (n, P), padding dropped."""
    n, num_nodes, length = chunks.shape
    q, rem = divmod(num_coords, num_nodes)
    if rem == 0:
        return chunks.reshape(n, num_coords)
    head = chunks[:, :rem].reshape(n, rem * length)
    tail = chunks[:, rem:, :q].reshape(n, (num_nodes - rem) * q)
    return jnp.concatenate([head, tail], axis=1)


def rotate_slots(x: Array, node_ids: Array) -> Array:
    """out[j, k] = x[j, (id_j - k) mod N]; its own inverse (chunk <-> slot), x: (n, N, L)."""
    num_nodes = x.shape[1]
    idx = (node_ids[:, None] - jnp.arange(num_nodes)[None, :]) % num_nodes
    return jax.vmap(lambda xj, ij: jnp.take(xj, ij, axis=0))(x, idx)


def superdense_message(key: Array, words: Array, thresholds: Array, bits: int) -> Array:
    """One message (L,) uint32 through noisy superdense coding: words -> symbols -> decode -> words."""
    sym = symbols_from_words(words, bits=bits)
    dec = sample_decoded(key, thresholds, sym)
    return words_from_symbols(dec, bits=bits, num_words=words.shape[0])


def node_pipeline(
    grads: Array,
    node_ids: Array,
    round_keys: Array | None,
    thresholds: Array | None,
    *,
    fmt: FixedPoint,
    gather: str,
    shift: Callable[[Array, int], Array],
) -> Array:
    """Quantise, run both ring phases and decode for the nodes ``node_ids`` held here.

    Args:
        grads: (n, P) float, the gradients of the local nodes.
        node_ids: (n,) int32 global node indices (contiguous, increasing).
        round_keys: (2, N - 1) PRNG keys (noisy superdense) or None (exact channel).
        thresholds: (4, 3) float32 decode thresholds or None.
    Returns:
        (n, P) int32 decoded integer sums at the local nodes.
    """
    num_nodes, num_coords = fmt.num_nodes, grads.shape[1]
    sched = ring_schedule(num_nodes, num_coords, gather)
    words = to_words(quantise(grads, fmt), fmt)
    buf = rotate_slots(to_chunks(words, num_nodes), node_ids)  # (n, N, L)
    length = buf.shape[2]
    sizes = jnp.asarray(sched.chunk_sizes, jnp.int32)
    steps = (1, 1 if gather == "cw" else -1)

    def channel(msgs, key, read):
        if thresholds is None:
            return msgs
        chunk_ids = (node_ids - read) % num_nodes
        valid = jnp.arange(length)[None, :] < sizes[chunk_ids][:, None]
        msgs = jnp.where(valid, msgs, jnp.uint32(0))  # a message is its real words only
        keys = jax.vmap(jax.random.fold_in, in_axes=(None, 0))(key, node_ids)
        return jax.vmap(superdense_message, in_axes=(0, 0, None, None))(keys, msgs, thresholds, fmt.bits)

    def make_round(phase):
        def round_fn(buf, xs):
            read, write, key = xs
            msgs = channel(lax.dynamic_index_in_dim(buf, read, axis=1, keepdims=False), key, read)
            recv = shift(msgs, steps[phase])
            if phase == 0:
                recv = add_words(lax.dynamic_index_in_dim(buf, write, axis=1, keepdims=False), recv, fmt)
            return lax.dynamic_update_index_in_dim(buf, recv, write, axis=1), None

        return round_fn

    for phase in (0, 1):
        keys = None if round_keys is None else round_keys[phase]
        read = jnp.asarray(sched.read_slot[phase], jnp.int32)
        write = jnp.asarray(sched.write_slot[phase], jnp.int32)
        buf, _ = lax.scan(make_round(phase), buf, (read, write, keys))
    return decode_sum(from_chunks(rotate_slots(buf, node_ids), num_coords), fmt)


@functools.partial(jax.jit, static_argnames=("fmt", "gather", "mesh"))
def ring_allreduce_words(grads, key, pauli_weights, *, fmt: FixedPoint, gather: str, mesh: Mesh | None):
    """Quantise, ring-reduce and decode: (N, P) float gradients -> (N, P) int32 sums S.

    ``pauli_weights`` (4,) of the EPR pairs (superdense through noisy pairs, then ``key`` is
    used) or None (exact channel: classical ring or perfect superdense pairs). ``mesh``: None
    (vectorised over nodes) or a 1-D mesh whose size divides N (nodes sharded, ppermute shifts).
    """
    num_nodes = grads.shape[0]
    thresholds = round_keys = None
    if pauli_weights is not None:
        thresholds = decode_thresholds(confusion_matrix(bell_diagonal_state(pauli_weights)))
        # split to the (2, N - 1) round grid directly: works for typed and legacy uint32 keys
        round_keys = jax.random.split(key, (2, num_nodes - 1))

    def local(g, ids, shift, *extra):
        rk, th = extra if extra else (None, None)
        return node_pipeline(g, ids, rk, th, fmt=fmt, gather=gather, shift=shift)

    replicated = () if thresholds is None else (round_keys, thresholds)
    return shard_nodes(local, mesh, grads, *replicated)
