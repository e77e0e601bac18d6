"""Exact readout expectations and shot samplers for an MPS probe with fused phase encoding.

Every kernel here handles **one** probe and **one** coordinate: a phase row ``phases`` of shape
(N,) (radians; node j applies R(phases[j]) = diag(1, e^{i phases[j]}), SPEC C3) and a row of
basis codes ``codes`` of shape (N,) (0 = X, 1 = Y, 2 = Z, SPEC C4). The public API vmaps them
over the leading coordinate/shot axes; the probe itself is shared, so no per-coordinate MPS is
ever materialised: the phase enters each site's update on the fly.

All sweeps are ``lax.scan`` over sites with running renormalisation: the running vector is
divided by its largest entry after every site and the log of that entry is carried, so nothing
under- or overflows at N = 10^5.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from jax import Array

from ..common import SQRT_HALF, UNROLL, accumulation_dtype, paulis, phase_diagonal, real_dtype, renormalise
from .state import MPS

BASIS_X, BASIS_Y, BASIS_Z = 0, 1, 2
BASIS_LETTERS = "xyz"

_S2 = SQRT_HALF


def measurement_bras(dtype) -> Array:
    """(3, 2, 2) complex: ``[code, m, s]`` = <outcome m| s> for X, Y, Z (SPEC C4, §6)."""
    return jnp.array(
        [
            [[_S2, _S2], [_S2, -_S2]],  # X: <+|, <-|
            [[_S2, -1j * _S2], [_S2, 1j * _S2]],  # Y: <+i|, <-i|  (H S^dagger)
            [[1, 0], [0, 1]],  # Z
        ],
        dtype=dtype,
    )


def pauli_matrices(dtype) -> Array:
    """(3, 2, 2) complex: X, Y, Z (the rows 1..3 of :func:`kernels.common.paulis`)."""
    return paulis(dtype)[1:]


# ---------------------------------------------------------------------------------------------
# Exact Pauli-string expectations (transfer matrices).
# ---------------------------------------------------------------------------------------------


def _transfer(env: Array, bra: Array, sigma: Array | None, ket: Array) -> Array:
    """sum_{a,b,s,t} env[a,b] bra[a,s,c] sigma[s,t] ket[b,t,d] (sigma = identity if None).

    Written as broadcast-and-sum contractions so XLA fuses them for tiny bond dimensions
    (batched 2x2 dots are far slower on CPU); falls back to einsum for large chi.
    """
    chi = env.shape[-1]
    if chi > 4:
        if sigma is None:
            return jnp.einsum("ab,asc,bsd->cd", env, bra, ket)
        return jnp.einsum("ab,asc,st,btd->cd", env, bra, sigma, ket)
    x = jnp.sum(env[:, :, None, None] * bra[:, None, :, :], axis=0)  # (b, s, c)
    if sigma is not None:
        x = jnp.sum(x[:, :, None, :] * sigma[None, :, :, None], axis=1)  # (b, t, c)
    return jnp.sum(x[:, :, :, None] * ket[:, :, None, :], axis=(0, 1))  # (c, d)


def pauli_log_expectation(mps: MPS, phases: Array, codes: Array) -> tuple[Array, Array]:
    """<psi_phi| sigma_{codes[0]} x ... x sigma_{codes[N-1]} |psi_phi> / <psi_phi|psi_phi>.

    Args:
        mps: the probe, tensors (N, chi, 2, chi).
        phases: (N,) real, radians: the encoding phases of one coordinate.
        codes: (N,) int: Pauli per site (0 = X, 1 = Y, 2 = Z).
    Returns:
        ``(mantissa, log_scale)``, real scalars with value = mantissa * exp(log_scale) and
        |mantissa| <= 1 up to rounding. ``log_scale`` is -inf when the value is exactly 0.
    """
    dt = mps.dtype
    rt = real_dtype(dt)
    paulis = pauli_matrices(dt)
    env0 = jnp.outer(jnp.conj(mps.left), mps.left)

    def step(carry, xs):
        num, lognum, den, logden = carry
        a, phase, code = xs
        aph = a * phase_diagonal(phase, dt)[None, :, None]
        num = _transfer(num, jnp.conj(aph), paulis[code], aph)
        den = _transfer(den, jnp.conj(a), None, a)
        num, lognum = renormalise(num, lognum)
        den, logden = renormalise(den, logden)
        return (num, lognum, den, logden), None

    zero = jnp.zeros((), rt)
    (num, lognum, den, logden), _ = jax.lax.scan(
        step, (env0, zero, env0, zero), (mps.tensors, phases, codes), unroll=UNROLL
    )
    r = mps.right
    vnum = jnp.real(jnp.einsum("a,ab,b->", jnp.conj(r), num, r))
    vden = jnp.real(jnp.einsum("a,ab,b->", jnp.conj(r), den, r))
    return vnum / vden, lognum - logden


# ---------------------------------------------------------------------------------------------
# Sequential conditional sampling.
# ---------------------------------------------------------------------------------------------


def right_environments(mps: MPS) -> Array:
    """E_j = sum_s A_j[:, s, :] E_{j+1} A_j[:, s, :]^dagger, E_N = right right^dagger.

    Basis changes are unitary and phase gates diagonal, so these do not depend on the phases or
    the measurement bases: one set serves every coordinate, shot and basis choice. Each E_j is
    rescaled to max-entry 1 (only ratios of w E w^dagger are ever used).

    Returns:
        (N + 1, chi, chi) complex; entry j is E_j.
    """
    e_last = jnp.outer(mps.right, jnp.conj(mps.right))

    def step(env, a):
        env = jnp.einsum("asc,cd,bsd->ab", a, env, jnp.conj(a))
        env, _ = renormalise(env, jnp.zeros((), real_dtype(mps.dtype)))
        return env, env

    _, envs = jax.lax.scan(step, e_last, mps.tensors, reverse=True)
    return jnp.concatenate([envs, e_last[None]], axis=0)


def _small_matmul(x: Array, y: Array) -> Array:
    """x @ y over the last two axes (broadcast leading axes); elementwise for small inner dims."""
    if x.shape[-1] <= 4:
        return jnp.sum(x[..., :, :, None] * y[..., None, :, :], axis=-2)
    return jnp.matmul(x, y)


def _uniform_from_bits(key: Array, shape: tuple[int, ...], dtype) -> Array:
    """Uniform draws on the 2**32 grid, midpoint-offset, in ``dtype``.

    One 32-bit word per draw (half the PRNG work of a float64 uniform); any bias is below
    2**-33 per comparison, far beneath what any test or experiment could resolve.
    """
    bits = jax.random.bits(key, shape, jnp.uint32)
    return (bits.astype(dtype) + 0.5) * (2.0**-32)


def sample_bits(
    key: Array,
    mps: MPS,
    envs: Array,
    phases: Array,
    codes: Array,
    num_shots: int,
    *,
    parity_only: bool,
) -> Array:
    """Draw ``num_shots`` strings of all N single-qubit outcomes for one coordinate.

    Site j's conditional law is p(m | m_<j) = w_m E_{j+1} w_m^dagger / sum_m' (...), with
    w_m = v B[m] R(phase_j) A_j and v the normalised running prefix (SPEC §6). The conditional
    probability and the uniform draw use ``accumulation_dtype`` (float64 under x64), so working
    in complex64 does not bias the samples.

    Args:
        key: PRNG key for this coordinate.
        mps, envs: the probe and its :func:`right_environments`.
        phases: (N,) real, radians. codes: (N,) int basis codes.
        num_shots: static number of shots S.
        parity_only: static; if True return only the parity bit of each string.
    Returns:
        uint8 array of outcome bits m (eigenvalue (-1)^m): shape (S, N), or (S,) if parity_only.
    """
    dt = mps.dtype
    acc = accumulation_dtype(dt)
    cacc = jnp.promote_types(acc, jnp.complex64)
    bras = measurement_bras(dt)
    v0 = jnp.broadcast_to(mps.left, (num_shots, mps.bond_dim))
    site_keys = jax.random.split(key, mps.num_sites)

    def step(carry, xs):
        v, parity = carry
        a, env_next, phase, code, k = xs
        # Tiny bond dimensions: broadcast-and-sum lets XLA fuse the whole site update into one
        # loop instead of issuing batched matmuls of 2x2 blocks.
        u = _small_matmul(v[:, None, None, :], a.transpose(1, 0, 2)[None])[:, :, 0]  # (S, 2, chi)
        u = u * phase_diagonal(phase, dt)[None, :, None]
        w = jnp.sum(bras[code][None, :, :, None] * u[:, None, :, :], axis=2)  # (S, 2, chi)
        wa = w.astype(cacc)
        we = _small_matmul(wa, env_next.astype(cacc)[None])
        q = jnp.maximum(jnp.real(jnp.sum(we * jnp.conj(wa), axis=-1)), 0)  # (S, 2)
        p1 = q[:, 1] / (q[:, 0] + q[:, 1])
        m = (_uniform_from_bits(k, (num_shots,), acc) < p1).astype(jnp.uint8)
        v = jnp.where(m[:, None] == 1, w[:, 1], w[:, 0])
        norm = jnp.max(jnp.abs(v), axis=-1, keepdims=True)
        v = v / jnp.where(norm > 0, norm, 1).astype(dt)
        return (v, parity ^ m), (None if parity_only else m)

    parity0 = jnp.zeros((num_shots,), jnp.uint8)
    (_, parity), bits = jax.lax.scan(
        step, (v0, parity0), (mps.tensors, envs[1:], phases, codes, site_keys)
    )
    return parity if parity_only else bits.T


# ---------------------------------------------------------------------------------------------
# Closed-form GHZ samplers (the speed-of-light reference and the exact-GHZ fast path).
# ---------------------------------------------------------------------------------------------


def ghz_effective_phase(phases: Array, codes: Array) -> Array:
    """Phi_eff = sum_j phases[j] - (pi/2) * #{j : codes[j] = Y}, reduced to [-pi, pi).

    A Y readout is an X readout after R(-pi/2) (SPEC §3, sine variant). Summed in
    ``accumulation_dtype`` after reducing each phase mod 2 pi, so float32 phases at large N do
    not drift. Valid only for X/Y codes.
    """
    acc = accumulation_dtype(phases.dtype)
    two_pi = 2 * math.pi
    ph = jnp.mod(phases.astype(acc), two_pi) - jnp.where(codes == BASIS_Y, math.pi / 2, 0.0).astype(acc)
    total = jnp.sum(jnp.mod(ph + math.pi, two_pi) - math.pi)
    return jnp.mod(total + math.pi, two_pi) - math.pi


def ghz_parity_probability(phi_eff: Array, visibility: Array | float = 1.0) -> Array:
    """P(parity bit = 1) = (1 - V cos Phi_eff) / 2 (SPEC [3.2], [3.8])."""
    return (1 - visibility * jnp.cos(phi_eff)) / 2


def ghz_sample_parity(key: Array, p_odd: Array, num_shots: int) -> Array:
    """(S,) uint8 parity bits with P(1) = ``p_odd``."""
    return (jax.random.uniform(key, (num_shots,), p_odd.dtype) < p_odd).astype(jnp.uint8)


def ghz_sample_bits(key: Array, p_odd: Array, num_sites: int, num_shots: int) -> Array:
    """(S, N) uint8 outcome strings of an X/Y-read GHZ: the parity law fixes only the parity.

    SPEC [3.5]: draw the parity bit, then N - 1 i.i.d. uniform bits (taken 32 at a time from
    ``random.bits``), then set the last bit so that the string has the drawn parity.
    """
    kpar, kbits = jax.random.split(key)
    parity = ghz_sample_parity(kpar, p_odd, num_shots)
    words = -(-(num_sites - 1) // 32)
    raw = jax.random.bits(kbits, (num_shots, words), jnp.uint32)
    shifts = jnp.arange(32, dtype=jnp.uint32)
    free = ((raw[:, :, None] >> shifts[None, None, :]) & jnp.uint32(1)).astype(jnp.uint8)
    free = free.reshape(num_shots, words * 32)[:, : num_sites - 1]
    last = parity ^ (jnp.sum(free, axis=-1, dtype=jnp.uint32) & 1).astype(jnp.uint8)
    return jnp.concatenate([free, last[:, None]], axis=-1)
