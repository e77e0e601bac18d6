"""Attacked GHZ copies as density MPOs, and their Pauli transfer matrices.

**Chain distribution (SPEC §3 [3.9]).** Node 0 prepares |+>, and for q = 1..N-1 node q-1 applies
CNOT from its qubit onto a fresh |0> (qubit q) and sends qubit q on link q-1 -> q. A channel
``L_q`` that an adversary applies to qubit q *in transit* therefore acts before qubit q is
copied onto q+1..N-1. In the Z basis the copying is a classical fan-out, so the whole
distributed state is an MPO whose bond carries the (ket, bra) Z-value pair of the last
transmitted qubit, bond dimension 4 (index ``2 a + a'``)::

    W_q[(a, a'), u, u', (b, b')] = S_q[(u, u'), (b, b')] * L_q[(b, b'), (a, a')]

with ``L_q`` the transit channel (identity for q = 0 and for unattacked links) and ``S_q`` the
channel on node q's *held* qubit (local flips, honest noise). Left boundary ``(1, 1, 1, 1)/2``
(the root |+><+|), right boundary ``(1, 1, 1, 1)``. With every ``L_q`` the identity this is the
bond-4 noisy-GHZ MPO of SPEC §6 [6.3]. Any single-qubit transit channel keeps the bond at 4.

Superoperators use the convention of :mod:`kernels.mpo.channels` (row-major vec, ``S @ vec``).
MPO tensors are :class:`kernels.mpo.density.DensityMPO` (axes left, ket, bra, right).

**Pauli transfer form.** Tr(rho sigma_0 x ... x sigma_{N-1}) = left . T_0[sigma_0] ... right with
``T_j[s][l, r] = sum_{t, t'} W_j[l, t, t', r] G_s[t, t']`` and ``G_s`` the Pauli s (I, X, Y, Z)
pulled back through a final local channel ``post_j`` (phase encoding, honest after-noise) and
scaled by the readout factor 1 - 2 r_j for s != I (a classical flip of a +-1 outcome).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import Array

from ..common import paulis, real_dtype, renormalise
from ..mpo import channels as nz
from ..mpo.density import DensityMPO, density_mpo
from ..mps.state import MPS

CHAIN_BOND = 4

# Scan unroll of the sweeps here: every step already works on a whole batch of tests or shots,
# so loop overhead is small and a low unroll keeps compile time short.
SWEEP_UNROLL = 2


def chain_mpo(link: Array, local: Array) -> DensityMPO:
    """The chain-distributed GHZ copy with transit channels ``link`` and held-qubit channels ``local``.

    Args:
        link: complex (N, 4, 4) superoperators on the qubit in transit (row 0 is ignored: qubit 0
            never travels).
        local: complex (N, 4, 4) superoperators on each held qubit after distribution.
    Returns:
        ``DensityMPO`` (N, 4, 2, 2, 4), trace 1.
    """
    n = link.shape[0]
    dt = link.dtype
    link = link.at[0].set(jnp.eye(4, dtype=dt))
    w = jnp.einsum("jub,jba->jaub", local, link)  # (N, l=(a a'), phys=(u u'), r=(b b'))
    tensors = w.reshape(n, CHAIN_BOND, 2, 2, CHAIN_BOND)
    left = jnp.full((CHAIN_BOND,), 0.5, dt)
    right = jnp.ones((CHAIN_BOND,), dt)
    return DensityMPO(tensors, left, right)


def mps_mpo(mps: MPS) -> DensityMPO:
    """|psi><psi| of an MPS ray as a DensityMPO of bond chi**2 (unnormalised like the ray)."""
    n = mps.num_sites
    return density_mpo(mps, nz.identity_noise(n, mps.dtype), jnp.zeros((n,), real_dtype(mps.dtype)))


def apply_local(mpo: DensityMPO, superops: Array) -> DensityMPO:
    """Apply one channel per site on the physical legs: W_j -> S_j W_j (``superops`` (N, 4, 4))."""
    n, d = mpo.tensors.shape[0], mpo.tensors.shape[1]
    s4 = superops.reshape(n, 2, 2, 2, 2).astype(mpo.tensors.dtype)
    tensors = jnp.einsum("juvst,jlstr->jluvr", s4, mpo.tensors)
    return DensityMPO(tensors.reshape(n, d, 2, 2, d), mpo.left, mpo.right)


def log_trace_mpo(mpo: DensityMPO) -> Array:
    """log Tr(rho) by a renormalised sweep (real scalar)."""
    rt = real_dtype(mpo.tensors.dtype)
    ident = jnp.einsum("jlaar->jlr", mpo.tensors)

    def step(carry, m):
        v, logs = carry
        return renormalise(v @ m, logs), None

    (v, logs), _ = jax.lax.scan(step, (mpo.left, jnp.zeros((), rt)), ident, unroll=SWEEP_UNROLL)
    return logs + jnp.log(jnp.real(v @ mpo.right))


def normalise(mpo: DensityMPO) -> DensityMPO:
    """The same state with Tr(rho) = 1 (the scale is spread evenly over the sites)."""
    n = mpo.tensors.shape[0]
    factor = jnp.exp(-log_trace_mpo(mpo) / n).astype(mpo.tensors.dtype)
    return DensityMPO(mpo.tensors * factor, mpo.left, mpo.right)


def mix(first: DensityMPO, second: DensityMPO, weight: Array) -> DensityMPO:
    """(1 - weight) rho_1 + weight rho_2 for normalised MPOs: block-diagonal bond D1 + D2."""
    n, d1, d2 = first.tensors.shape[0], first.tensors.shape[1], second.tensors.shape[1]
    dt = first.tensors.dtype
    t = jnp.zeros((n, d1 + d2, 2, 2, d1 + d2), dt)
    t = t.at[:, :d1, :, :, :d1].set(first.tensors).at[:, d1:, :, :, d1:].set(second.tensors.astype(dt))
    w = jnp.asarray(weight).astype(dt)
    left = jnp.concatenate([(1 - w) * first.left, w * second.left.astype(dt)])
    right = jnp.concatenate([first.right, second.right.astype(dt)])
    return DensityMPO(t, left, right)


def pauli_transfer(mpo: DensityMPO, post: Array, readout: Array) -> Array:
    """T[j, s] (N, 4, D, D): site transfer matrices of the Paulis I, X, Y, Z as *reported*.

    Args:
        mpo: the state, ``DensityMPO`` (N, D, 2, 2, D).
        post: complex (N, 4, 4): a last channel per site (phase encoding, honest after-noise).
        readout: real (N,): probability that node j's reported bit is flipped.
    Returns:
        complex (N, 4, D, D); for s != I the matrix includes the factor 1 - 2 readout[j].
    """
    dt = mpo.tensors.dtype
    sig = paulis(dt)
    duals = jax.vmap(lambda sop: jax.vmap(nz.dual_operator, in_axes=(0, None))(sig, sop))(post.astype(dt))
    factor = jnp.concatenate(
        [jnp.ones_like(readout)[:, None], jnp.broadcast_to((1 - 2 * readout)[:, None], (readout.shape[0], 3))],
        axis=1,
    ).astype(dt)
    return jnp.einsum("jltur,jstu,js->jslr", mpo.tensors, duals, factor)


def product_transfer(mpo: DensityMPO, ops: Array) -> Array:
    """(N, D, D) transfer matrices of single-site operators ``ops`` (N, 2, 2): Tr-contracted."""
    return jnp.einsum("jltur,jut->jlr", mpo.tensors, ops.astype(mpo.tensors.dtype))


def chain_log_value(left: Array, mats: Array, right: Array) -> tuple[Array, Array]:
    """left . mats[0] ... mats[N-1] . right as (complex mantissa, real log scale); mats (N, D, D)."""
    rt = real_dtype(mats.dtype)

    def step(carry, m):
        v, logs = carry
        return renormalise(v @ m, logs), None

    (v, logs), _ = jax.lax.scan(step, (left.astype(mats.dtype), jnp.zeros((), rt)), mats, unroll=SWEEP_UNROLL)
    return v @ right.astype(mats.dtype), logs
