"""Stabilizer tests of GHZ_N (SPEC §7): labels, exact pass probabilities, outcome samplers.

A test is labelled by ``t`` (0 or 1) and membership bits ``tau`` (N,) with an even number of
ones ([7.1]). Its measured Paulis, as codes into the table I, X, Y, Z = 0..3, are::

    t = 0:  Z on T, idle (I) elsewhere;   t = 1:  Y on T, X elsewhere,

and it passes iff the product of the reported outcomes equals ``sign = (-1)^(|T|/2)`` for t = 1
(``+1`` for t = 0). So P(pass) = (1 + sign <sigma_codes>)/2, with readout flips folded into the
Pauli transfer matrices (``state.pauli_transfer``).

Every function here handles one state (a Pauli transfer stack ``transfer`` (N, 4, D, D) with
boundary vectors) and a *batch* of tests along a leading axis; sweeps are ``lax.scan`` over sites
with per-row renormalisation, so nothing under- or overflows at N = 10^4.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import Array

from ..common import accumulation_dtype, real_dtype
from .state import SWEEP_UNROLL

CODE_I, CODE_X, CODE_Y, CODE_Z = 0, 1, 2, 3


def draw_tests(key: Array, num_sites: int, num_tests: int) -> tuple[Array, Array]:
    """Draw ``num_tests`` i.i.d. uniform *nontrivial* stabilizer labels (SPEC §7).

    t and tau_0..tau_{N-2} are uniform bits, tau_{N-1} is their parity; a trivial draw
    (t = 0, T empty) is redrawn (a ``while_loop`` that redraws only those rows), which makes the
    law exactly uniform over the 2^N - 1 nontrivial elements.

    Returns:
        ``(t, tau)``: uint8 (K,) and uint8 (K, N).
    """

    def draw(k):
        kt, kb = jax.random.split(k)
        t = jax.random.bernoulli(kt, 0.5, (num_tests,)).astype(jnp.uint8)
        head = jax.random.bernoulli(kb, 0.5, (num_tests, num_sites - 1)).astype(jnp.uint8)
        last = (jnp.sum(head, axis=1, dtype=jnp.int32) & 1).astype(jnp.uint8)
        return t, jnp.concatenate([head, last[:, None]], axis=1)

    def trivial(t, tau):
        return (t == 0) & (jnp.sum(tau, axis=1, dtype=jnp.int32) == 0)

    k0, k1 = jax.random.split(key)
    t, tau = draw(k0)

    def cond(state):
        return jnp.any(trivial(state[1], state[2]))

    def body(state):
        k, t, tau = state
        k, sub = jax.random.split(k)
        t2, tau2 = draw(sub)
        bad = trivial(t, tau)
        return k, jnp.where(bad, t2, t), jnp.where(bad[:, None], tau2, tau)

    _, t, tau = jax.lax.while_loop(cond, body, (k1, t, tau))
    return t, tau


def label_codes(t: Array, tau: Array) -> tuple[Array, Array]:
    """Pauli codes (K, N) int32 and expected signs (K,) int32 of tests ``(t (K,), tau (K, N))``."""
    t = t.astype(jnp.int32)[:, None]
    tau = tau.astype(jnp.int32)
    codes = jnp.where(t == 1, jnp.where(tau == 1, CODE_Y, CODE_X), jnp.where(tau == 1, CODE_Z, CODE_I))
    half = jnp.sum(tau, axis=1) // 2
    sign = jnp.where(t[:, 0] == 1, 1 - 2 * (half & 1), 1)
    return codes.astype(jnp.int32), sign.astype(jnp.int32)


def _row_renormalise(v: Array, logs: Array) -> tuple[Array, Array]:
    scale = jax.lax.stop_gradient(jnp.max(jnp.abs(v), axis=-1))
    safe = jnp.where(scale > 0, scale, 1)
    return v / safe[:, None].astype(v.dtype), logs + jnp.log(safe)


def pauli_log_expectations(transfer: Array, left: Array, right: Array, codes: Array) -> tuple[Array, Array]:
    """Tr(rho sigma_codes) (unnormalised) for a batch of Pauli strings.

    Args:
        transfer: complex (N, 4, D, D) Pauli transfer stack. left, right: (D,).
        codes: int (K, N) Pauli codes.
    Returns:
        ``(mantissa, log_scale)``: complex (K,), real (K,); value = mantissa * exp(log_scale).
    """
    num = codes.shape[0]
    rt = real_dtype(transfer.dtype)
    v0 = jnp.broadcast_to(left.astype(transfer.dtype), (num, left.shape[0]))

    def step(carry, xs):
        v, logs = carry
        tj, cj = xs
        # Contract with all four Paulis and select: avoids materialising a (K, D, D) gather.
        w = jnp.einsum("kd,sde->kse", v, tj)
        w = jnp.take_along_axis(w, cj[:, None, None], axis=1)[:, 0]
        return _row_renormalise(w, logs), None

    (v, logs), _ = jax.lax.scan(step, (v0, jnp.zeros((num,), rt)), (transfer, codes.T), unroll=SWEEP_UNROLL)
    return v @ right.astype(transfer.dtype), logs


def pass_probabilities(transfer: Array, left: Array, right: Array, log_trace: Array, codes: Array, sign: Array) -> Array:
    """Exact P(pass) (K,) of the tests (codes, sign) on the state: (1 + sign <sigma>)/2."""
    mant, logs = pauli_log_expectations(transfer, left, right, codes)
    acc = accumulation_dtype(transfer.dtype)
    expect = jnp.real(mant).astype(acc) * jnp.exp((logs - log_trace).astype(acc))
    return jnp.clip((1 + sign.astype(acc) * expect) / 2, 0, 1)


def right_environments(transfer: Array, right: Array) -> Array:
    """(N + 1, D) renormalised suffixes R_j = T_j[I] ... T_{N-1}[I] . right (R_N = right)."""

    def step(r, tj):
        r = tj[0] @ r
        scale = jnp.max(jnp.abs(r))
        r = r / jnp.where(scale > 0, scale, 1).astype(r.dtype)
        return r, r

    _, envs = jax.lax.scan(step, right.astype(transfer.dtype), transfer, reverse=True)
    return jnp.concatenate([envs, right[None].astype(transfer.dtype)], axis=0)


def sample_outcomes(key: Array, transfer: Array, left: Array, right: Array, codes: Array) -> Array:
    """Exact sequential sampling of the reported outcome bits, one row of codes per shot.

    Node j measures Pauli codes[k, j] (idle nodes, code I, report 0). The outcome-m effect seen
    through the readout flips is (I + (-1)^m (1 - 2 r_j) sigma)/2, whose transfer matrix is
    (T_j[I] + (-1)^m T_j[sigma])/2; p(m_j | m_<j) is the prefix times that times the suffix.

    Args:
        key: PRNG key. transfer (N, 4, D, D), left/right (D,), codes int (S, N).
    Returns:
        uint8 (S, N) outcome bits.
    """
    num, n = codes.shape
    acc = accumulation_dtype(transfer.dtype)
    envs = right_environments(transfer, right)
    keys = jax.random.split(key, n)
    v0 = jnp.broadcast_to(left.astype(transfer.dtype), (num, left.shape[0]))

    def step(v, xs):
        tj, cj, rnext, kj = xs
        w = jnp.einsum("kd,sde->kse", v, tj)
        wi = w[:, 0]
        ws = jnp.take_along_axis(w, cj[:, None, None], axis=1)[:, 0]
        w0, w1 = (wi + ws) / 2, (wi - ws) / 2
        q0 = jnp.maximum(jnp.real(w0 @ rnext).astype(acc), 0)
        q1 = jnp.maximum(jnp.real(w1 @ rnext).astype(acc), 0)
        p1 = q1 / jnp.where(q0 + q1 > 0, q0 + q1, 1)
        m = (jax.random.uniform(kj, (num,), acc) < p1).astype(jnp.uint8)
        v = jnp.where(m[:, None] == 1, w1, w0)
        scale = jnp.max(jnp.abs(v), axis=-1, keepdims=True)
        v = v / jnp.where(scale > 0, scale, 1).astype(v.dtype)
        return v, m

    _, bits = jax.lax.scan(step, v0, (transfer, codes.T, envs[1:], keys), unroll=SWEEP_UNROLL)
    return bits.T


def _string_value(transfer: Array, left: Array, right: Array, codes: Array, bits: Array) -> tuple[Array, Array]:
    """Unnormalised probability of one reported string as (real mantissa, log scale)."""
    sgn = (1 - 2 * bits.astype(jnp.int32)).astype(transfer.dtype)
    picked = jnp.take_along_axis(transfer, codes[:, None, None, None], axis=1)[:, 0]
    eff = (transfer[:, 0] + sgn[:, None, None] * picked) / 2
    rt = real_dtype(transfer.dtype)

    def step(carry, m):
        v, logs = carry
        v = v @ m
        scale = jax.lax.stop_gradient(jnp.max(jnp.abs(v)))
        safe = jnp.where(scale > 0, scale, 1)
        return (v / safe.astype(v.dtype), logs + jnp.log(safe)), None

    (v, logs), _ = jax.lax.scan(step, (left.astype(transfer.dtype), jnp.zeros((), rt)), eff, unroll=SWEEP_UNROLL)
    return jnp.real(v @ right.astype(transfer.dtype)), logs


def string_probability(transfer: Array, left: Array, right: Array, log_trace: Array, codes: Array, bits: Array) -> Array:
    """p(bits) of one reported outcome string (N,) for Pauli codes (N,): real scalar."""
    mant, logs = _string_value(transfer, left, right, codes, bits)
    return mant * jnp.exp(logs - log_trace)


def string_log_probability(transfer: Array, left: Array, right: Array, log_trace: Array, codes: Array, bits: Array) -> Array:
    """log p(bits) of one reported outcome string (N,) for Pauli codes (N,): real scalar.

    Differentiable in ``transfer`` (scores for Fisher information); -inf for impossible strings.
    """
    mant, logs = _string_value(transfer, left, right, codes, bits)
    return jnp.log(jnp.maximum(mant, 0)) + logs - log_trace
