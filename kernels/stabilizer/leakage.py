"""Privacy leakage of the broadcast readout: classical Fisher information about phase differences.

After verification, node j encodes R(phi_j) on each untested copy and the nodes broadcast their
outcome bits (SPEC §3: every node measures X; codes may put Y on node 0 for the sine variant).
The leakage about a direction ``v`` in phase space (e.g. ``v = e_a - e_b``: the *difference* of
two nodes' phases at a fixed sum) is the Fisher information of the outcome law along v::

    I_v = sum_m (d/dt p(m; phi + t v))^2 / p(m; phi)   at t = 0   (units: 1/rad^2).

For an honest GHZ p(m) depends on sum_j phi_j only, so I_v = 0 whenever sum_j v_j = 0.

The encoding and the honest after-noise act as a final local channel ``post_j = after_j o
R(phi_j)`` (``state.pauli_transfer``); derivatives are forward-mode (``jax.jvp``) through the
whole sweep.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import Array

from ..common import accumulation_dtype
from ..mpo import channels as nz
from ..mpo.density import DensityMPO
from .stabilizers import sample_outcomes, string_log_probability, string_probability
from .state import log_trace_mpo, pauli_transfer


def encoded_transfer(mpo: DensityMPO, after: Array, readout: Array, phases: Array) -> Array:
    """(N, 4, D, D) Pauli transfer stack of the state after R(phases) and the after-channels."""
    dt = mpo.tensors.dtype
    post = after.astype(dt) * nz.phase_superop_diag(phases, dt)[:, None, :]
    return pauli_transfer(mpo, post, readout)


def all_strings(num_sites: int) -> Array:
    """uint8 (2^N, N): every bit string, qubit 0 most significant (SPEC C2)."""
    idx = jnp.arange(2**num_sites, dtype=jnp.int32)
    shifts = jnp.arange(num_sites - 1, -1, -1, dtype=jnp.int32)
    return ((idx[:, None] >> shifts[None, :]) & 1).astype(jnp.uint8)


def fisher_enumerated(
    mpo: DensityMPO, after: Array, readout: Array, phases: Array, direction: Array, codes: Array
) -> tuple[Array, Array]:
    """Exact Fisher information along ``direction`` by enumerating all 2^N outcome strings.

    Args:
        mpo: attacked copy before encoding (``DensityMPO``). after (N, 4, 4), readout (N,).
        phases: real (N,) radians. direction: real (N,). codes: int (N,) Pauli codes measured.
    Returns:
        ``(fisher, probabilities)``: real scalar (1/rad^2) and real (2^N,) outcome law.
    """
    n = phases.shape[0]
    strings = all_strings(n)
    logtr = log_trace_mpo(mpo)

    def law(t):
        tr = encoded_transfer(mpo, after, readout, phases + t * direction)
        return jax.vmap(lambda b: string_probability(tr, mpo.left, mpo.right, logtr, codes, b))(strings)

    zero = jnp.zeros((), phases.dtype)
    p, dp = jax.jvp(law, (zero,), (jnp.ones_like(zero),))
    acc = accumulation_dtype(p.dtype)
    p, dp = p.astype(acc), dp.astype(acc)
    # Strings of (numerically) zero probability carry no information: their derivative vanishes
    # too, since p >= 0 is minimal there.
    tiny = jnp.finfo(acc).eps * jnp.max(p) * 1e-3
    fisher = jnp.sum(jnp.where(p > tiny, dp**2 / jnp.where(p > tiny, p, 1), 0.0))
    return fisher, p


def score_samples(
    key: Array, mpo: DensityMPO, after: Array, readout: Array, phases: Array, direction: Array, codes: Array,
    num_samples: int,
) -> Array:
    """Scores d/dt log p(m; phi + t v) at t = 0 of ``num_samples`` exact samples m (real (S,)).

    E[score^2] is the Fisher information along v (the score has mean zero).
    """
    logtr = log_trace_mpo(mpo)
    tr0 = encoded_transfer(mpo, after, readout, phases)
    shots = jnp.broadcast_to(codes, (num_samples, codes.shape[0]))
    bits = sample_outcomes(key, tr0, mpo.left, mpo.right, shots)

    def logp(t, b):
        tr = encoded_transfer(mpo, after, readout, phases + t * direction)
        return string_log_probability(tr, mpo.left, mpo.right, logtr, codes, b)

    zero = jnp.zeros((), phases.dtype)
    return jax.vmap(lambda b: jax.jvp(lambda t: logp(t, b), (zero,), (jnp.ones_like(zero),))[1])(bits)
