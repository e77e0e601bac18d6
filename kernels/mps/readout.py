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
from jax.extend.random import threefry_2x32
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

    _, envs = jax.lax.scan(step, e_last, mps.tensors, reverse=True, unroll=UNROLL)
    return jnp.concatenate([envs, e_last[None]], axis=0)


# Sites per step of the sampler's outer scan: the random words of a block come from one call to
# the generator (whose own loop then runs N / SAMPLER_BLOCK times, not N times), and the running
# prefix is rescaled once per block (the site tables are scaled to max-entry 1, so 32 sites stay
# far inside float32's range; tested with a probe scaled by 2^-20 per site).
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


def _pair_products(vr: list, vi: list) -> dict:
    """Re and Im of v_a conj(v_b) for a <= b, from the real and imaginary parts of the prefix."""
    chi = len(vr)
    out = {}
    for a in range(chi):
        out[a, a] = (vr[a] * vr[a] + vi[a] * vi[a], None)
        for b in range(a + 1, chi):
            out[a, b] = (vr[a] * vr[b] + vi[a] * vi[b], vi[a] * vr[b] - vr[a] * vi[b])
    return out


def _quadratic_form(pairs: dict, wr, wi) -> Array:
    """v W v^dagger = sum_a W_aa |v_a|^2 + 2 sum_{a<b} Re(W_ab v_a conj(v_b)), W Hermitian.

    ``wr(a, b)`` and ``wi(a, b)`` give the real and imaginary parts of W_ab (scalars or (S,)).
    """
    q = 0
    for (a, b), (re, im) in pairs.items():
        q = q + (wr(a, a) * re if a == b else 2 * (wr(a, b) * re - wi(a, b) * im))
    return q


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
) -> Array:
    """Draw ``num_shots`` strings of all N single-qubit outcomes for one coordinate.

    Site j's conditional law is p(m | m_<j) = v W[j, m] v^dagger / sum_m' (...), with v the
    running prefix, M[j, m] = sum_s <m|s>_{codes[j]} e^{i phases[j] s} A_j[:, s, :] / s_j the
    site's outcome operators (:func:`_outcome_parts`; v M[j, m] is the unnormalised prefix after
    outcome m, SPEC §6) and
    W[j, m] = M[j, m] E_{j+1} M[j, m]^dagger (SPEC §6). Their phase-free parts are built once
    per probe (O(N chi^3), :func:`_phase_free_tables`); each site of each coordinate forms its M
    and W from e^{i phi_j} in O(chi^2), and each shot then costs O(chi^2) per site. The prefix is
    held as 2 chi real arrays of shape (S,), the real and imaginary parts of each bond entry, so
    each site update is elementwise over the shots (the vector lanes) and XLA fuses it into a
    few loops with no small matrix products; above ``SMALL_BOND`` the prefix is one (S, chi)
    array and both outcome candidates are batched products, the kept one selected per shot.

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

    def small_site(carry, xs):
        vr, vi, parity = carry
        word, zr, zi, *flag, b0r, b0i, b1r, b1i, cr, ci, dr, di = xs
        # This site's tables (both phase signs if flagged; sign axis first), formed once per
        # coordinate and materialised (optimization_barrier): left to fusion, XLA would
        # recompute them for every shot inside each of the lane loops.
        zi = (jnp.stack([zi, -zi]) if flag else zi[None])[:, None, None, None]
        b0r, b0i, b1r, b1i, cr, ci, dr, di = (x[None] for x in (b0r, b0i, b1r, b1i, cr, ci, dr, di))
        opr = b0r + zr * b1r - zi * b1i  # (sign, m, a, c): M = B0 + z B1
        opi = b0i + zr * b1i + zi * b1r
        dtr, dti = jnp.swapaxes(dr, -1, -2), jnp.swapaxes(di, -1, -2)
        wr = cr + zr * (dr + dtr) - zi * (di + dti)  # W = C + zD + (zD)^dagger
        wi = ci + zr * (di - dti) + zi * (dr - dtr)
        opr, opi, wr, wi = jax.lax.optimization_barrier((opr.astype(rt), opi.astype(rt), wr, wi))

        def entry(table, index):  # a table entry: a scalar, or per shot (S,) when phases differ
            if not flag:
                return table[(0,) + index]
            return jnp.where(flag[0], table[(1,) + index], table[(0,) + index])

        pairs = _pair_products([x.astype(acc) for x in vr], [x.astype(acc) for x in vi])
        q = [jnp.maximum(_quadratic_form(pairs, lambda a, b: entry(wr, (m, a, b)),
                                         lambda a, b: entry(wi, (m, a, b))), 0) for m in (0, 1)]
        m = binary_outcome(word, q[0], q[1])
        # Select each operator entry per shot (S,), then multiply: no (S, chi, chi) temporaries.
        mr = [[jnp.where(m, entry(opr, (1, a, c)), entry(opr, (0, a, c))) for c in range(chi)]
              for a in range(chi)]
        mi = [[jnp.where(m, entry(opi, (1, a, c)), entry(opi, (0, a, c))) for c in range(chi)]
              for a in range(chi)]
        new_r = tuple(sum(vr[a] * mr[a][c] - vi[a] * mi[a][c] for a in range(chi)) for c in range(chi))
        new_i = tuple(sum(vr[a] * mi[a][c] + vi[a] * mr[a][c] for a in range(chi)) for c in range(chi))
        bit = m.astype(jnp.uint8)
        return (new_r, new_i, parity ^ bit), (None if parity_only else bit)

    def dense_site(carry, xs):
        v, parity = carry  # (S, chi) complex
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
        bit = m.astype(jnp.uint8)
        return (jnp.where(m[:, None], cand[1], cand[0]), parity ^ bit), (None if parity_only else bit)

    def rescale(carry):  # only ratios of weights are ever used (see SAMPLER_BLOCK)
        if small:
            vr, vi, parity = carry
            scale = functools.reduce(jnp.maximum, [jnp.abs(x) for x in vr + vi])
            inv = 1 / jnp.where(scale > 0, scale, 1)
            return tuple(x * inv for x in vr), tuple(x * inv for x in vi), parity
        v, parity = carry
        scale = jnp.max(jnp.abs(v), axis=-1, keepdims=True)
        return v / jnp.where(scale > 0, scale, 1).astype(v.dtype), parity

    if small:  # entries are read one by one: real and imaginary parts apart
        xs += tuple(f(x) for x in parts for f in (jnp.real, jnp.imag))
    else:
        xs += parts
    left = jnp.broadcast_to(mps.left, (num_shots, chi))
    parity0 = jnp.zeros((num_shots,), jnp.uint8)
    if small:
        carry0 = (tuple(jnp.real(left[:, a]).astype(rt) for a in range(chi)),
                  tuple(jnp.imag(left[:, a]).astype(rt) for a in range(chi)), parity0)
    else:
        carry0 = (left, parity0)
    return blocked_site_scan(key, small_site if small else dense_site, rescale, carry0, xs,
                             n=n, num_shots=num_shots, parity_only=parity_only)


def blocked_site_scan(key: Array, site_step, rescale, carry0, tables, *, n: int, num_shots: int,
                      parity_only: bool) -> Array:
    """The sequential samplers' engine: ``site_step`` over all sites, in blocks of sites.

    Args:
        key: PRNG key for this coordinate.
        site_step: ``(carry, (words (S,) uint32, *site tables)) -> (carry, bits (S,) uint8 or
            None)``; the carry's last entry is the running parity (S,) uint8.
        rescale: ``carry -> carry``, applied once per block (the running state's scale).
        carry0: initial carry.
        tables: arrays of shape (num_blocks, block, ...): per-site tables, padded to whole blocks
            with inert sites (outcome 0 certain, state unchanged; their bits are dropped).
        n: static number of real sites. num_shots: static S. parity_only: static.
    Returns:
        uint8 bits (S, n), or the parity (S,) if ``parity_only``.

    Random words: counter-based Threefry-2x32 (``jax.extend.random.threefry_2x32``) on the
    counter pair (site pair, shot) under a seed drawn from ``key``, hashed once per block (one
    call, whose own loop then runs N / block times, not N times); both words of each hash are
    used, one site each. One 32-bit word per site and shot (:func:`uniform_from_bits`).
    """
    num_blocks, block = tables[0].shape[:2]
    unroll = min(sampler_unroll(), block)
    seed = jax.random.bits(key, (2,), jnp.uint32)
    shot_counter = jnp.broadcast_to(jnp.arange(num_shots, dtype=jnp.uint32), (block // 2, num_shots))
    pair_counter = jnp.arange(num_blocks * block // 2, dtype=jnp.uint32).reshape(num_blocks, block // 2, 1)

    def block_step(carry, xs):
        pairs, *tabs = xs
        # jax's Threefry over the flat counter array [c0..., c1...] returns [x0..., x1...]: both
        # hash words are used, one site each.
        flat = jnp.concatenate([jnp.broadcast_to(pairs, shot_counter.shape).ravel(), shot_counter.ravel()])
        words = threefry_2x32(seed, flat).reshape(block, num_shots)
        carry, bits = jax.lax.scan(site_step, carry, (words, *tabs), unroll=unroll)
        return rescale(carry), bits

    carry, bits = jax.lax.scan(block_step, carry0, (pair_counter, *tables))
    if parity_only:
        return carry[-1]
    return bits.reshape(-1, num_shots)[:n].T


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
