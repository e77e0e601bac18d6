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

import functools
import math

import jax
import jax.numpy as jnp
from jax import Array

from ..common import SQRT_HALF, UNROLL, accumulation_complex_dtype, accumulation_dtype, paulis, phase_diagonal, real_dtype, renormalise
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
        # E_j[a, b] = sum env[c, d] A[a, s, c] conj(A[b, s, d]): the left transfer of the
        # mirrored site, whose broadcast-and-sum form for small chi is one fused loop per site
        # (the einsum was several tiny dot launches per site: 1.1 ms at N = 1024, chi = 2,
        # against 0.08 ms now, on the 2-core CPU).
        mirrored = jnp.swapaxes(a, 0, 2)
        env = _transfer(env, mirrored, None, jnp.conj(mirrored))
        env, _ = renormalise(env, jnp.zeros((), real_dtype(mps.dtype)))
        return env, env

    _, envs = jax.lax.scan(step, e_last, mps.tensors, reverse=True, unroll=UNROLL)
    return jnp.concatenate([envs, e_last[None]], axis=0)


# Sites per step of the sampler's outer scan: the random words of a block are hashed in one
# vectorised loop before its sites, the running prefix is rescaled once per block (the site
# tables are scaled to max-entry 1, so 32 sites stay far inside float32's range; tested with a
# probe scaled by 2^-20 per site), and a block's outcomes fill one 32-bit word per shot (so at
# most 32).
SAMPLER_BLOCK = 32
# Sites per iteration of the sampler's inner scan, by backend. On a GPU every iteration of a
# while loop is a round of small kernel launches that one site of 1000 lanes cannot hide;
# unrolling fuses consecutive sites. Measured on an H200 (benchmarks/bench_sampler_unroll.py,
# results/gpu/sampler_unroll.json), warm / compile seconds for unroll 1, 4, 8, 32:
# W1 (N = 16384, 1000 shots) 0.56 / 2.5, 0.28 / 2.7, 0.25 / 4.0, 0.19 / 15;
# W2 (P = 10^6 x GHZ_32, 8 shots) 0.117 / 2.7, 0.097 / 3.7, 0.087 / 6.3, 0.100 / 25.
# 4 takes most of the gain for under a second more compilation. The noisy density-MPO sampler
# shares this scan: GHZ_16384 under dephasing, 1000 shots, 0.320 / 1.9 at 1 and 0.177 / 2.4 at 4
# (results/gpu/2026-12-04b_capacity/sampler_unroll_mpo.json). On the CPU the unrolled body
# fuses across sites and recomputes their chains (unroll 8: 3x slower, measured), so 1 there.
SAMPLER_UNROLL = {"gpu": 4}


def sampler_unroll() -> int:
    """Sites per iteration of the sampler's inner scan (static, read at trace time) for JAX's
    default backend, where the computation runs unless its inputs are placed elsewhere."""
    return SAMPLER_UNROLL.get(jax.default_backend(), 1)


# Bond dimensions up to this are updated entry by entry on (S,) lanes (the program grows as
# chi^2); larger ones with batched products of (S, chi) prefixes and (chi, chi) tables.
SMALL_BOND = 4


def sampler_block_size(n: int) -> int:
    """Sites per block of :func:`blocked_site_scan` for an N-site chain: ``SAMPLER_BLOCK``, or N
    rounded up to even when shorter (one hash gives the words of two sites)."""
    return min(SAMPLER_BLOCK, n + n % 2)


def uniform_from_bits(words: Array, dtype) -> Array:
    """Uniform draws (words + 1/2) 2^-32 in ``dtype``, the midpoints of the 2^32 grid.

    One 32-bit word per draw; comparing with a probability errs by at most 2^-33 where ``dtype``
    carries the 32 bits (float64), far beneath what any test or experiment could resolve.
    """
    return (words.astype(dtype) + 0.5) * (2.0**-32)


def binary_outcome(words: Array, q0: Array, q1: Array) -> Array:
    """Outcome m = 1 with probability q1 / (q0 + q1): (S,) bool, from one 32-bit word per shot.

    ``q0``, ``q1`` (S,) are non-negative weights in the accumulation dtype (float64 under x64,
    so float32 work never biases a draw); the draw is :func:`uniform_from_bits` of ``words``.
    Where q0 + q1 = 0 the probability is NaN and m = 0 (an inert padding site).

    The probability ends in a division, which XLA will not duplicate into its consumers: the
    weights are computed once per shot and site, in one loop, and each consumer (every entry of
    the updated prefix, the parity, the bit) reads that one materialised array. Written as a
    comparison of products, u (q0 + q1) < q1, XLA:CPU (which has no multi-output loop fusion)
    recomputed the weights inside each of those loops: the chi = 2 sampler ran 1.9x slower.
    """
    return uniform_from_bits(words, q0.dtype) < q1 / (q0 + q1)


def _outcome_parts(mps: MPS, codes: Array, dtype) -> tuple[Array, Array]:
    """(B0, B1), each (N, 2, chi, chi) in ``dtype``: B_s[j, m] = <m|s>_{codes[j]} A_j[:, s, :] / s_j
    with s_j = max |A_j| (a common factor of both outcomes: it changes no conditional probability
    and keeps the running prefix of an unnormalised probe in range). Independent of the phases:
    built once per probe, however many coordinates share it."""
    a = mps.tensors.astype(dtype)
    scale = jnp.max(jnp.abs(a), axis=(1, 2, 3))
    a = a * (1 / jnp.where(scale > 0, scale, 1)).astype(dtype)[:, None, None, None]
    bras = measurement_bras(dtype)[codes]  # (N, m, s)
    return tuple(bras[:, :, s, None, None] * a[:, None, :, s, :] for s in (0, 1))


def _pair_products(vr: list, vi: list) -> list:
    """The chi^2 real quadratic monomials of the prefix v: |v_a|^2 for each a, then Re and Im of
    v_a conj(v_b) for each a < b, from the real and imaginary parts of v."""
    chi = len(vr)
    out = [vr[a] * vr[a] + vi[a] * vi[a] for a in range(chi)]
    for a in range(chi):
        for b in range(a + 1, chi):
            out += [vr[a] * vr[b] + vi[a] * vi[b], vi[a] * vr[b] - vr[a] * vi[b]]
    return out


def _form_coefficients(wr: Array, wi: Array) -> list:
    """Coefficients of v W v^dagger = sum_a W_aa |v_a|^2 + 2 sum_{a<b} Re(W_ab v_a conj(v_b))
    (W Hermitian) on the monomials of :func:`_pair_products`, in their order.

    ``wr``, ``wi``: the real and imaginary parts of W, shape (..., chi, chi). Returns chi^2
    arrays of shape (...).
    """
    chi = wr.shape[-1]
    out = [wr[..., a, a] for a in range(chi)]
    for a in range(chi):
        for b in range(a + 1, chi):
            out += [2 * wr[..., a, b], -2 * wi[..., a, b]]
    return out


def _phase_free_tables(mps: MPS, envs: Array, codes: Array, block: int) -> tuple[Array, ...]:
    """The phase-free parts of the sampler's tables, padded to whole blocks of sites.

    With M = B0 + z B1 (z = e^{i phi_j}, :func:`_outcome_parts`) and E = E_{j+1} Hermitian, the
    weights are W = M E M^dagger = C + z D + (z D)^dagger with C = B0 E B0^dagger +
    B1 E B1^dagger and D = B1 E B0^dagger. B0, B1, C and D do not depend on the phases: they
    are built once per probe (O(N chi^3)), however many coordinates share it, and each site of
    each coordinate then forms its M and W in O(chi^2) inside the sampling loop (no per-coordinate
    table is ever materialised).

    Returns:
        ``(B0, B1, C, D)`` in the complex accumulation dtype, each (num_blocks, block, 2, chi,
        chi). Padding sites are inert: B0[0] = C[0] = identity, everything else 0, so outcome 0
        is certain and the prefix unchanged (their bits are dropped).
    """
    chi = mps.bond_dim
    cacc = accumulation_complex_dtype(mps.dtype)
    b0, b1 = _outcome_parts(mps, codes, cacc)
    env = envs[1:].astype(cacc)[:, None]  # (N, 1, c, d)

    def sandwich(x, y):  # x E y^dagger per site and outcome
        return jnp.einsum("jmac,jxcd,jmbd->jmab", x, env, jnp.conj(y))

    parts = (b0, b1, sandwich(b0, b0) + sandwich(b1, b1), sandwich(b1, b0))
    pad = -mps.num_sites % block
    if pad:
        eye = jnp.eye(chi, dtype=cacc)
        inert = jnp.broadcast_to(jnp.stack([eye, jnp.zeros_like(eye)]), (pad, 2, chi, chi))
        zero = jnp.zeros_like(inert)
        parts = tuple(jnp.concatenate([x, inert if k in (0, 2) else zero]) for k, x in enumerate(parts))
    return tuple(x.reshape((-1, block) + x.shape[1:]) for x in parts)


def sample_bits(
    key: Array,
    mps: MPS,
    envs: Array,
    phases: Array,
    codes: Array,
    num_shots: int,
    *,
    parity_only: bool,
    negated: Array | None = None,
    tables_per_block: bool = True,
) -> Array:
    """Draw ``num_shots`` strings of all N single-qubit outcomes for one coordinate.

    Site j's conditional law is p(m | m_<j) = v W[j, m] v^dagger / sum_m' (...), with v the
    running prefix, M[j, m] = sum_s <m|s>_{codes[j]} e^{i phases[j] s} A_j[:, s, :] / s_j the
    site's outcome operators (:func:`_outcome_parts`; v M[j, m] is the unnormalised prefix after
    outcome m, SPEC §6) and
    W[j, m] = M[j, m] E_{j+1} M[j, m]^dagger (SPEC §6). Their phase-free parts are built once
    per probe (O(N chi^3), :func:`_phase_free_tables`); each site of each coordinate forms its M
    and W from e^{i phi_j} in O(chi^2), and each shot then costs O(chi^2) per site. Up to
    ``SMALL_BOND`` the prefix is held as chi complex arrays of shape (S,), one per bond entry, so
    each site update is elementwise over the shots (the vector lanes) and XLA fuses it into a
    few loops with no small matrix products (one loop per carried array: complex entries take
    half the loops, and half the per-site launches, of real and imaginary parts apart); above,
    the prefix is one (S, chi) array and both outcome candidates are batched products, the kept
    one selected per shot.

    Random numbers: one 32-bit word per site and shot, the Threefry-2x32 hash of the counter
    (site pair, shot) under a seed drawn from ``key``, hashed per block of ``SAMPLER_BLOCK``
    sites; the outcome is 1 iff (word + 1/2) 2^-32 < q1 / (q0 + q1) with q in
    ``accumulation_dtype`` (float64 under x64), so working in complex64 does not bias samples.

    Args:
        key: PRNG key for this coordinate.
        mps, envs: the probe and its :func:`right_environments`.
        phases: (N,) real, radians. codes: (N,) int basis codes.
        num_shots: static number of shots S.
        parity_only: static; if True return only the parity bit of each string.
        negated: optional (S, N) bool: shot s sees the phase -phases[j] at the sites where it is
            True (the Pauli-trajectory sampler's before-errors). Both signs' tables are formed
            per site and selected per shot, instead of one table per shot.
        tables_per_block: static; up to ``SMALL_BOND``, form the sites' tables (M and the
            coefficients of W) once per block of sites, vectorised, before its site loop (True),
            or inside each site's lane loops (False). Per block saves launches per site; but
            under ``vmap`` over coordinates the per-coordinate tables must then be transposed to
            site-major order for the loop, which costs more than it saves. Measured on the
            2-core CPU, ms per call, per block / per site: N = 1024, 1 coordinate, 1000 shots
            5.6 / 6.0 (16 shots: 1.85 / 2.2); GHZ_32, 10^4 coordinates, 8 shots 50 / 23. So the
            public samplers set it when a program holds one coordinate.
    Returns:
        uint8 array of outcome bits m (eigenvalue (-1)^m): shape (S, N), or (S,) if parity_only.
    """
    rt = real_dtype(mps.dtype)
    acc = accumulation_dtype(mps.dtype)
    n, chi = mps.num_sites, mps.bond_dim
    block = sampler_block_size(n)
    parts = _phase_free_tables(mps, envs, codes, block)
    num_blocks = parts[0].shape[0]
    # Per site: (cos phi_j, sin phi_j) in the accumulation dtype; padding sites get phase 0.
    ph = jnp.pad(jnp.asarray(phases).astype(acc), (0, num_blocks * block - n)).reshape(num_blocks, block)
    xs = (jnp.cos(ph), jnp.sin(ph))
    if negated is not None:  # shot s sees sin -> -sin where flagged
        flags = jnp.pad(negated.T, ((0, num_blocks * block - n), (0, 0)))
        xs += (flags.reshape(num_blocks, block, num_shots),)
    small = chi <= SMALL_BOND

    def small_tables(xs):
        """One block's tables for the small-bond step, from its phases and phase-free parts.

        Formed once per block of sites and coordinate, vectorised over the block, before the
        site loop: inside the loop XLA would form them in every shot lane's fusion. Returns the
        operator entries M = B0 + z B1 (real and imaginary parts) and the quadratic-form
        coefficients of W = C + zD + (zD)^dagger (:func:`_form_coefficients`), each with a
        leading phase-sign axis (2 if shots are flagged, else 1) after the block axis.
        """
        zr, zi, *flag, b0r, b0i, b1r, b1i, cr, ci, dr, di = xs
        signs = jnp.stack([zi, -zi], axis=1) if flag else zi[:, None]  # (block, sign)
        zr, zi = zr[:, None, None, None, None], signs[:, :, None, None, None]
        b0r, b0i, b1r, b1i, cr, ci, dr, di = (x[:, None] for x in (b0r, b0i, b1r, b1i, cr, ci, dr, di))
        opr = b0r + zr * b1r - zi * b1i  # (block, sign, m, a, c)
        opi = b0i + zr * b1i + zi * b1r
        dtr, dti = jnp.swapaxes(dr, -1, -2), jnp.swapaxes(di, -1, -2)
        wr = cr + zr * (dr + dtr) - zi * (di + dti)
        wi = ci + zr * (di - dti) + zi * (dr - dtr)
        coef = jnp.stack(_form_coefficients(wr, wi), axis=-1)  # (block, sign, m, chi^2)
        return (*flag, opr.astype(rt), opi.astype(rt), coef)

    def small_site(vc, xs):  # vc: chi complex (S,) arrays, the prefix's bond entries
        word, *flag, opr, opi, coef = xs

        def entry(table, index):  # a table entry: a scalar, or per shot (S,) when phases differ
            if not flag:
                return table[(0,) + index]
            return jnp.where(flag[0], table[(1,) + index], table[(0,) + index])

        mono = _pair_products([jnp.real(x).astype(acc) for x in vc], [jnp.imag(x).astype(acc) for x in vc])
        q = [jnp.maximum(sum(entry(coef, (m, k)) * x for k, x in enumerate(mono)), 0) for m in (0, 1)]
        m = binary_outcome(word, q[0], q[1])
        # Select each operator entry per shot (S,), then multiply: no (S, chi, chi) temporaries.
        mc = [[jax.lax.complex(jnp.where(m, entry(opr, (1, a, c)), entry(opr, (0, a, c))),
                               jnp.where(m, entry(opi, (1, a, c)), entry(opi, (0, a, c)))) for c in range(chi)]
              for a in range(chi)]
        return tuple(sum(vc[a] * mc[a][c] for a in range(chi)) for c in range(chi)), m

    def dense_site(v, xs):  # v: the prefix (S, chi) complex
        word, zr, zi, *flag, b0, b1, c, d = xs
        cand, q = [], []
        for sign in ((1,) if not flag else (1, -1)):  # both phase signs when shots differ
            z = jax.lax.complex(zr, sign * zi)
            ops = (b0 + z * b1).astype(v.dtype)  # (2, chi, chi)
            zd = z * d
            w = c + zd + jnp.conj(jnp.swapaxes(zd, -1, -2))
            va = v.astype(w.dtype)
            # Each is one matrix product (S, chi) x (chi, 2 chi), then elementwise.
            y = jnp.einsum("sa,mab->msb", va, w)
            q.append(jnp.maximum(jnp.sum(jnp.real(y * jnp.conj(va)[None]), axis=-1), 0))
            cand.append(jnp.einsum("sa,mac->msc", v, ops))
        if flag:
            q = jnp.where(flag[0], q[1], q[0])
            cand = jnp.where(flag[0][:, None], cand[1], cand[0])
        else:
            q, cand = q[0], cand[0]
        m = binary_outcome(word, q[0], q[1])
        return jnp.where(m[:, None], cand[1], cand[0]), m

    def rescale(state):  # only ratios of weights are ever used (see SAMPLER_BLOCK)
        if small:
            scale = functools.reduce(jnp.maximum, [jnp.maximum(jnp.abs(jnp.real(x)), jnp.abs(jnp.imag(x)))
                                                   for x in state])
            inv = (1 / jnp.where(scale > 0, scale, 1)).astype(mps.dtype)
            return tuple(x * inv for x in state)
        scale = jnp.max(jnp.abs(state), axis=-1, keepdims=True)
        return state / jnp.where(scale > 0, scale, 1).astype(state.dtype)

    if small:  # entries are read one by one: real and imaginary parts apart
        xs += tuple(f(x) for x in parts for f in (jnp.real, jnp.imag))
    else:
        xs += parts
    left = jnp.broadcast_to(mps.left, (num_shots, chi))
    state0 = tuple(left[:, a] for a in range(chi)) if small else left
    if small and not tables_per_block:
        def site_step(state, site_xs):  # the same tables, formed for this one site in its loops
            word, *rest = site_xs
            tabs = jax.tree.map(lambda x: x[0], small_tables(tuple(x[None] for x in rest)))
            return small_site(state, (word, *tabs))
    else:
        site_step = small_site if small else dense_site
    return blocked_site_scan(key, site_step, rescale, state0, xs, n=n, num_shots=num_shots,
                             parity_only=parity_only,
                             prepare=small_tables if small and tables_per_block else None)


# Threefry-2x32's rotation constants, by round within each group of four (Salmon et al. 2011,
# the Random123 reference; jax.extend.random.threefry_2x32 computes the same function).
_THREEFRY_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))


def threefry_pair(k0: Array, k1: Array, x0: Array, x1: Array) -> tuple[Array, Array]:
    """Threefry-2x32 (20 rounds) of the counter pairs (x0, x1) under the key (k0, k1), elementwise.

    Bit-identical to ``jax.extend.random.threefry_2x32`` (tested), which returns ``[y0, y1]``
    for the flat counter ``[x0, x1]``. Written out as elementwise uint32 arithmetic because the
    samplers hash inside a loop: JAX lowers its own Threefry for XLA:CPU as a while loop over the
    rounds, whose per-iteration copies and launches cost more than the hash itself at a block of
    32 sites x 1000 shots; here the 20 rounds are one fused loop.

    Args:
        k0, k1: uint32 scalars, the key. x0, x1: uint32 arrays of one shape, the counters.
    Returns:
        ``(y0, y1)``: uint32 arrays of that shape.
    """
    u32 = jnp.uint32
    keys = (k0, k1, k0 ^ k1 ^ u32(0x1BD11BDA))
    x0, x1 = x0 + keys[0], x1 + keys[1]
    for group in range(5):
        for r in _THREEFRY_ROTATIONS[group % 2]:
            x0 = x0 + x1
            x1 = ((x1 << u32(r)) | (x1 >> u32(32 - r))) ^ x0
        x0 = x0 + keys[(group + 1) % 3]
        x1 = x1 + keys[(group + 2) % 3] + u32(group + 1)
    return x0, x1


def blocked_site_scan(key: Array, site_step, rescale, state0, tables, *, n: int, num_shots: int,
                      parity_only: bool, prepare=None) -> Array:
    """The sequential samplers' engine: ``site_step`` over all sites, in blocks of sites.

    Args:
        key: PRNG key for this coordinate.
        site_step: ``(state, (words (S,) uint32, *site tables)) -> (state, m (S,) bool)``, the
            site's outcomes m given the running state (a pytree of per-shot arrays).
        rescale: ``state -> state``, applied once per block (the running state's scale).
        state0: initial state.
        tables: arrays of shape (num_blocks, block, ...): per-site tables, padded to whole blocks
            with inert sites (outcome 0 certain, state unchanged; their bits are dropped).
        n: static number of real sites. num_shots: static S. parity_only: static.
        prepare: optional ``block tables -> site tables``, applied to each block's slice of
            ``tables`` (leading axis ``block``) before its site loop: per-block work that would
            otherwise be redone inside every site's lane loops.
    Returns:
        uint8 bits (S, n), or the parity (S,) if ``parity_only``.

    Outcomes: with ``parity_only`` the loop carries their running XOR; otherwise it ORs site j
    of a block into bit j of one uint32 word per shot (blocks have at most 32 sites) and emits
    that word per block. The words are unpacked at the end into (S, n) bytes, by shifts that
    write the output in order: stacking one byte row per site and transposing (N, S) bytes
    cost as much as a tenth of the sampler (0.3-0.6 ms at N = 1024, S = 1000, on the CPU).

    Random words: counter-based Threefry-2x32 (:func:`threefry_pair`) of the counter pair (site
    pair, shot) under a seed drawn from ``key``, hashed once per block of sites; the two words of
    pair k of a block go to its sites k and k + block / 2. One 32-bit word per site and shot
    (:func:`uniform_from_bits`). Each word is computed on its own, so a pair is hashed twice:
    XLA:CPU gives a fusion one output, and joining both words of one hash into one array made
    XLA compute every element of the join through a slow, unvectorised path (measured: the
    sampler 1.5x slower than with the rolled hash), while hashing twice in one vectorised loop
    beats JAX's rolled Threefry by about 2x per word.
    """
    num_blocks, block = tables[0].shape[:2]
    if block > 32:
        raise ValueError(f"blocks of {block} sites do not fit the 32-bit outcome words")
    half = block // 2
    unroll = min(sampler_unroll(), block)
    seed = jax.random.bits(key, (2,), jnp.uint32)
    site = jnp.arange(block, dtype=jnp.uint32)[:, None]
    shot_counter = jnp.broadcast_to(jnp.arange(num_shots, dtype=jnp.uint32), (block, num_shots))
    first_word = jnp.broadcast_to(site < half, (block, num_shots))

    def step(carry, xs):
        state, acc = carry
        position, *site_xs = xs
        state, m = site_step(state, site_xs)
        if parity_only:
            return (state, acc ^ m.astype(jnp.uint8)), None
        return (state, acc | (m.astype(jnp.uint32) << position)), None

    def block_step(carry, xs):
        state, parity = carry  # parity: the running XOR with parity_only, else None
        block_index, *tabs = xs
        pair = block_index * jnp.uint32(half) + jnp.where(site < half, site, site - half)
        y0, y1 = threefry_pair(seed[0], seed[1], jnp.broadcast_to(pair, (block, num_shots)), shot_counter)
        # Materialised once per block: left to fusion, XLA would recompute the hash in every
        # consumer inside the site loop.
        words = jax.lax.optimization_barrier(jnp.where(first_word, y0, y1))
        if prepare is not None:
            tabs = prepare(tabs)
        acc = parity if parity_only else jnp.zeros((num_shots,), jnp.uint32)
        (state, acc), _ = jax.lax.scan(step, (state, acc), (site[:, 0], words, *tabs), unroll=unroll)
        if parity_only:
            return (rescale(state), acc), None
        return (rescale(state), None), acc

    parity0 = jnp.zeros((num_shots,), jnp.uint8) if parity_only else None
    (_, parity), packed = jax.lax.scan(block_step, (state0, parity0), (jnp.arange(num_blocks, dtype=jnp.uint32), *tables))
    if parity_only:
        return parity
    bits = (packed.T[:, :, None] >> jnp.arange(block, dtype=jnp.uint32)[None, None]) & jnp.uint32(1)  # (S, blocks, block)
    return bits.astype(jnp.uint8).reshape(num_shots, num_blocks * block)[:, :n]


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
