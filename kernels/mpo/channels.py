"""Single-qubit channels as superoperators on the 2x2 physical pair (SPEC C8, A17).

Convention. A density matrix rho (2, 2) is vectorised row-major, ``vec(rho)[2 s + s'] =
rho[s, s']`` (ket index s, bra index s'). A channel with Kraus operators K_k acts as::

    E(rho)[s, s'] = sum_{t, t'} S[s, s', t, t'] rho[t, t'],   S[s, s', t, t'] = sum_k K_k[s, t] conj(K_k[s', t'])

and is stored as ``S`` of shape (2, 2, 2, 2) (axes "ket_out, bra_out, ket_in, bra_in") or its
(4, 4) reshape. Composition "first E1 then E2" is the matrix product S2 @ S1. Every builder here
is *linear in the probabilities* (no square roots of p), so gradients with respect to the noise
parameters are finite at p = 0; only amplitude damping carries sqrt(1 - gamma) (as the physics
does), whose derivative diverges at gamma = 1.

The kernels receive noise already broadcast to per-node arrays (:class:`LocalNoise`, built by
``jaxqring._noise.prepare_noise``): a superoperator per node for the channels acting *before*
the phase encoding and one for those acting *after* it, a classical readout flip probability per
node, and, for Pauli channels only, the Pauli probabilities that the trajectory sampler draws.
"""

from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp
import numpy as np
from jax import Array

from ..common import PAULI_PRODUCT, paulis, real_dtype

# Channel kinds (static tags of jaxqring.NoiseModel entries).
DEPHASING = "dephasing"
DEPOLARIZING = "depolarizing"
AMPLITUDE_DAMPING = "amplitude_damping"
BIT_FLIP = "bit_flip"
READOUT = "readout"
QUANTUM_KINDS = (DEPHASING, DEPOLARIZING, AMPLITUDE_DAMPING, BIT_FLIP)
PAULI_KINDS = (DEPHASING, DEPOLARIZING, BIT_FLIP)
# Channels that map |0><1| to c |0><1| and keep the diagonal diagonal ("phase covariant"): they
# commute with R(phi), and a GHZ probe keeps its 2x2 {|0^N>, |1^N>} coherence block (SPEC §5).
COVARIANT_KINDS = (DEPHASING, DEPOLARIZING, AMPLITUDE_DAMPING)

# Pauli order used for probabilities everywhere: I, X, Y, Z.


class LocalNoise(NamedTuple):
    """Per-node local noise, ready for the kernels (one instance, N nodes).

    Fields:
        before: complex (N, 4, 4): superoperator of the channels applied before R(phi_j).
        after: complex (N, 4, 4): superoperator of the channels applied after R(phi_j).
        readout: real (N,): probability that node j's reported outcome bit is flipped.
        pauli_before: real (N, 4) Pauli probabilities (I, X, Y, Z) of the before-channels, or
            None when some before-channel is not a Pauli channel.
        pauli_after: real (N, 4), likewise for the after-channels.
    """

    before: Array  # shape=(N, 4, 4), dtype=complex
    after: Array  # shape=(N, 4, 4), dtype=complex
    readout: Array  # shape=(N,), dtype=real
    pauli_before: Array | None  # shape=(N, 4), dtype=real
    pauli_after: Array | None  # shape=(N, 4), dtype=real


def pauli_probabilities(kind: str, param: Array) -> Array:
    """(..., 4) Pauli probabilities (I, X, Y, Z) of a Pauli channel with parameter ``param``."""
    p = jnp.asarray(param)
    z = jnp.zeros_like(p)
    if kind == DEPHASING:
        return jnp.stack([1 - p, z, z, p], axis=-1)
    if kind == DEPOLARIZING:
        q = p / 4
        return jnp.stack([1 - 3 * q, q, q, q], axis=-1)
    if kind == BIT_FLIP:
        return jnp.stack([1 - p, p, z, z], axis=-1)
    raise ValueError(f"not a Pauli channel: {kind!r}")


def compose_pauli(first: Array, second: Array) -> Array:
    """Pauli probabilities of "first, then second" (XOR convolution on the Pauli group mod phase)."""
    table = jnp.asarray(PAULI_PRODUCT)
    onehot = (table[..., None] == jnp.arange(4)[None, None, :]).astype(first.dtype)  # (4, 4, 4)
    return jnp.einsum("...a,...b,abk->...k", first, second, onehot)


def pauli_superop(probs: Array, dtype) -> Array:
    """(..., 4, 4) superoperator of the Pauli channel rho -> sum_k probs[k] P_k rho P_k."""
    p = paulis(dtype)
    s4 = jnp.einsum("...k,kst,kuv->...sutv", probs.astype(dtype), p, jnp.conj(p))
    return s4.reshape(probs.shape[:-1] + (4, 4))


def amplitude_damping_superop(gamma: Array, dtype) -> Array:
    """(..., 4, 4) superoperator of amplitude damping |1> -> |0> with probability ``gamma``.

    E(rho) = [[rho00 + g rho11, sqrt(1-g) rho01], [sqrt(1-g) rho10, (1-g) rho11]] (SPEC C8).
    """
    g = jnp.asarray(gamma).astype(dtype)
    c = jnp.sqrt(1 - jnp.asarray(gamma)).astype(dtype)
    one, zero = jnp.ones_like(g), jnp.zeros_like(g)
    rows = [
        [one, zero, zero, g],
        [zero, c, zero, zero],
        [zero, zero, c, zero],
        [zero, zero, zero, 1 - g],
    ]
    return jnp.stack([jnp.stack(r, axis=-1) for r in rows], axis=-2)


def channel_superop(kind: str, param: Array, dtype) -> Array:
    """(..., 4, 4) superoperator of one quantum channel kind with parameter(s) ``param``."""
    if kind == AMPLITUDE_DAMPING:
        return amplitude_damping_superop(param, dtype)
    return pauli_superop(pauli_probabilities(kind, param), dtype)


def identity_superop(n: int, dtype) -> Array:
    """(n, 4, 4) identity superoperators."""
    return jnp.broadcast_to(np.eye(4, dtype=dtype), (n, 4, 4))


def identity_noise(n: int, dtype) -> LocalNoise:
    """No noise at all on n nodes (identity channels, no readout flips). Small numpy constants
    broadcast by JAX: a few cheap ops eagerly (eager jnp constructors cost a millisecond), and
    broadcasts rather than (N, ...) constants under a trace."""
    eye = identity_superop(n, dtype)
    rt = real_dtype(dtype)
    ident = jnp.broadcast_to(np.array([1, 0, 0, 0], rt), (n, 4))
    return LocalNoise(eye, eye, jnp.broadcast_to(np.zeros((), rt), (n,)), ident, ident)


def phase_superop_diag(phase: Array, dtype) -> Array:
    """(..., 4) diagonal of the superoperator of rho -> R(phase) rho R(phase)^dagger.

    Entry (s, s') is exp(i phase (s - s')): (1, e^{-i phase}, e^{i phase}, 1).
    """
    e = jnp.exp(1j * jnp.asarray(phase).astype(real_dtype(dtype))).astype(dtype)
    one = jnp.ones_like(e)
    return jnp.stack([one, jnp.conj(e), e, one], axis=-1)


def site_superop(before: Array, after: Array, phase: Array) -> Array:
    """(4, 4) superoperator of node j: before-channels, then R(phase), then after-channels."""
    return after @ (phase_superop_diag(phase, before.dtype)[:, None] * before)


def dual_operator(op: Array, superop: Array) -> Array:
    """G (2, 2) with Tr(op E(rho)) = sum_{t,t'} G[t, t'] rho[t, t'] for every rho.

    G[t, t'] = sum_{s, s'} op[s', s] S[s, s', t, t']: the observable pulled back through the
    channel (the Heisenberg picture, transposed so that it contracts with rho elementwise).
    """
    return jnp.einsum("ba,abcd->cd", op, superop.reshape(2, 2, 2, 2))


def coherence_factor(superop: Array) -> Array:
    """(...,) complex c with E(|0><1|) = c |0><1| + ... : the (01, 01) superoperator entry."""
    return superop[..., 1, 1]
