"""The density operator of a phase-encoded MPS probe under local channels, as an MPO.

For an MPS probe A (N, chi, 2, chi) and per-node channels (:class:`LocalNoise`), the noisy encoded
state is the matrix product operator with bond chi**2 (SPEC §6, "Noisy GHZ as an MPO")::

    rho = sum over bonds of  left2 . M_0 . M_1 ... M_{N-1} . right2,
    M_j[(l, l'), s, s', (r, r')] = sum_{t, t'} S_j[s, s', t, t'] A_j[l, t, r] conj(A_j[l', t', r'])

with S_j = after_j o R(phi_j) o before_j (kernels._noise conventions), left2 = left (x) conj(left),
right2 = right (x) conj(right). For the GHZ probe (chi = 2) this is SPEC's bond-4 MPO [6.3].

:func:`density_mpo` materialises the stacked MPO (N, chi**2, 2, 2, chi**2) (for inspection,
dense oracles and :func:`mpo_log_trace`). The sweeps used by the readout API never materialise it:
contracting the superoperator with the observable *first* (the Heisenberg picture,
``kernels._noise.dual_operator``) and then the bond legs costs O(chi^3) per site instead of
O(chi^4), and gives the same numbers (tested). The bond environment is carried as a (chi, chi)
matrix ``env[ket, bra]``, i.e. the chi**2 MPO bond vector reshaped.

Every sweep is a ``lax.scan`` over sites with running renormalisation (divide by the largest
entry, carry the log): nothing under/overflows at N = 10^5. The scale factors go through
``lax.stop_gradient``; they cancel exactly in every returned quantity, so gradients stay exact.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from ..common import UNROLL, accumulation_dtype, real_dtype, renormalise, renormalise_blocks
from ..mps.state import MPS
from . import channels as nz
from ..mps.readout import (
    binary_outcome,
    blocked_site_scan,
    ghz_effective_phase,
    ghz_parity_probability,
    ghz_sample_bits,
    ghz_sample_parity,
    measurement_bras,
    pauli_matrices,
    sample_bits,
    sampler_block_size,
)

# Density coordinates D = chi**2 up to this are updated entry by entry on (S,) lanes (the
# program grows as D^2: the GHZ probe's D = 4); larger ones as one (S, D) array.
SMALL_DENSITY_COORDS = 4


class DensityMPO(NamedTuple):
    """An explicit MPO for a (possibly unnormalised) density operator.

    Fields:
        tensors: complex (N, chi2, 2, 2, chi2), axes (left bond, ket, bra, right bond);
            bond index = ket_bond * chi + bra_bond.
        left: complex (chi2,) left boundary vector.
        right: complex (chi2,) right boundary vector.
    """

    tensors: Array  # shape=(N, chi2, 2, 2, chi2), dtype=complex
    left: Array  # shape=(chi2,), dtype=complex
    right: Array  # shape=(chi2,), dtype=complex


# Up to this bond dimension, contractions are written as broadcast-and-sum so that XLA fuses
# them (batched tiny dots are slow on CPU); above it, einsum.
_SMALL_CHI = 4


def _transfer(env: Array, a: Array, g: Array) -> Array:
    """env'[r, r'] = sum env[l, l'] A[l, t, r] G[t, t'] conj(A[l', t', r'])."""
    if env.shape[-1] > _SMALL_CHI:
        x = jnp.einsum("lm,ltr->mtr", env, a)
        x = jnp.einsum("mtr,tu->mur", x, g)
        return jnp.einsum("mur,mus->rs", x, jnp.conj(a))
    x = jnp.sum(env[:, :, None, None] * a[:, None, :, :], axis=0)  # (m, t, r)
    x = jnp.sum(x[:, :, None, :] * g[None, :, :, None], axis=1)  # (m, u, r)
    return jnp.sum(x[:, :, :, None] * jnp.conj(a)[:, :, None, :], axis=(0, 1))


def pair_transfer(env: Array, ket: Array, bra: Array) -> Array:
    """env'[r, r'] = sum env[l, l'] ket[l, t, r] conj(bra[l', t, r'])."""
    if env.shape[-1] > _SMALL_CHI:
        x = jnp.einsum("lm,ltr->mtr", env, ket)
        return jnp.einsum("mtr,mts->rs", x, jnp.conj(bra))
    x = jnp.sum(env[:, :, None, None] * ket[:, None, :, :], axis=0)  # (m, t, r)
    return jnp.sum(x[:, :, :, None] * jnp.conj(bra)[:, :, None, :], axis=(0, 1))


def norm_transfer(env: Array, a: Array) -> Array:
    """env'[r, r'] = sum env[l, l'] A[l, t, r] conj(A[l', t, r'])."""
    return pair_transfer(env, a, a)


def close_environment(env: Array, right: Array) -> Array:
    return jnp.einsum("rs,r,s->", env, right, jnp.conj(right))


# ---------------------------------------------------------------------------------------------
# Expectations of product operators.
# ---------------------------------------------------------------------------------------------


def noisy_log_trace(mps: MPS, noise: nz.LocalNoise, phases: Array, ops: Array) -> tuple[Array, Array]:
    """Tr(rho (O_0 x ... x O_{N-1})) / Tr(rho) for the noisy encoded probe rho.

    Args:
        mps: the probe, tensors (N, chi, 2, chi).
        noise: per-node channels (``LocalNoise``; its ``readout`` is not used here).
        phases: (N,) real, radians: node j applies R(phases[j]) between the before- and
            after-channels.
        ops: (N, 2, 2) complex: the single-site operators O_j (any, not only Hermitian).
    Returns:
        ``(mantissa, log_scale)``: complex mantissa and real log scale, value = mantissa *
        exp(log_scale); ``log_scale`` is -inf when the value is exactly 0.
    """
    if mps.bond_dim <= TREE_MAX_BOND:
        return _tree_log_trace(mps, noise, phases, ops)
    (num, lognum, den, logden), _ = log_trace_sweep(mps, noise, phases, ops, emit_prefixes=False)
    vnum = close_environment(num, mps.right)
    vden = jnp.real(close_environment(den, mps.right))
    return vnum / vden, lognum - logden


# Probes of bond chi up to this (transfer matrices D x D, D = chi**2 <= 4: GHZ, W, product) take
# :func:`_tree_log_trace`; larger bonds the O(chi^3)-per-site sweep.
TREE_MAX_BOND = 2
# Sites multiplied by one product tree (log2 = its levels): longer chains scan over such blocks, so
# the program (and its compile time) stops growing with N beyond one block.
TREE_BLOCK = 32


def _tree_log_trace(mps: MPS, noise: nz.LocalNoise, phases: Array, ops: Array) -> tuple[Array, Array]:
    """:func:`noisy_log_trace` for bond chi <= ``TREE_MAX_BOND`` by pairwise product trees.

    Every site's transfer matrices for Tr(rho O) and Tr(rho), T[(l, l'), (r, r')] =
    sum_{t, t'} A[l, t, r] G[t, t'] conj(A[l', t', r']) (D x D, D = chi**2; G the site's
    Heisenberg-picture observable, or the identity), are built at once for all N sites; each is
    divided by its largest entry (the log kept). Blocks of up to ``TREE_BLOCK`` neighbouring sites
    (padded with identities to whole power-of-two blocks) are then multiplied pairwise, level by
    level, renormalising every product; a chain of several blocks is closed by a renormalised scan
    over the blocks' products. Same value as the sweep; a small problem runs as a dozen fused
    kernels (the N = 4 sweep was about 60) and a long chain takes N / 32 sequential steps instead
    of N, with a program whose size is independent of N. Work is O(N D^3) = O(N chi^6): only for
    the smallest bonds.
    """
    n, chi = mps.num_sites, mps.bond_dim
    d = chi * chi
    dt = mps.dtype
    g = jax.vmap(lambda op, b, a, ph: nz.dual_operator(op.astype(dt), nz.site_superop(b, a, ph)))(
        ops, noise.before, noise.after, phases
    )
    eye = jnp.broadcast_to(jnp.eye(2, dtype=dt), g.shape)
    a = mps.tensors
    # (N, 2, D, D): [:, 0] the numerator's transfer matrices, [:, 1] the denominator's.
    t = jnp.einsum("nltr,nktu,nmus->nklmrs", a, jnp.stack([g, eye], axis=1), jnp.conj(a))
    t, logs = renormalise_blocks(t.reshape(n, 2, d, d), num_block_axes=2)
    logs = jnp.sum(logs, axis=0)  # (2,)
    block = min(1 << max(n - 1, 0).bit_length(), TREE_BLOCK)
    num_blocks = -(-n // block)
    if num_blocks * block > n:  # identities pad the chain to whole blocks
        pad = jnp.broadcast_to(jnp.eye(d, dtype=dt), (num_blocks * block - n, 2, d, d))
        t = jnp.concatenate([t, pad], axis=0)
    t = t.reshape(num_blocks, block, 2, d, d)
    while t.shape[1] > 1:  # log2(block) <= 5 levels, a static count
        left, right = t[:, 0::2], t[:, 1::2]
        t = jnp.sum(left[..., :, :, None] * right[..., None, :, :], axis=-2)
        t, level_logs = renormalise_blocks(t, num_block_axes=2)
        logs = logs + jnp.sum(level_logs, axis=(0, 1))
    left2 = jnp.outer(mps.left, jnp.conj(mps.left)).reshape(-1)
    right2 = jnp.outer(mps.right, jnp.conj(mps.right)).reshape(-1)
    if num_blocks == 1:
        vals = jnp.einsum("l,klr,r->k", left2, t[0, 0], right2)
        return vals[0] / jnp.real(vals[1]), logs[0] - logs[1]

    def step(carry, block_t):  # (2, D) row vectors times the block's (2, D, D) products
        env, env_logs = carry
        env, step_logs = renormalise_blocks(jnp.sum(env[:, :, None] * block_t, axis=1), num_block_axes=1)
        return (env, env_logs + step_logs), None

    env0 = jnp.broadcast_to(left2, (2, d))
    (env, env_logs), _ = jax.lax.scan(step, (env0, jnp.zeros((2,), logs.dtype)), t[:, 0], unroll=UNROLL)
    vals = env @ right2
    logs = logs + env_logs
    return vals[0] / jnp.real(vals[1]), logs[0] - logs[1]


def log_trace_sweep(mps: MPS, noise: nz.LocalNoise, phases: Array, ops: Array, *, emit_prefixes: bool):
    """The renormalised left-to-right sweep behind :func:`noisy_log_trace`.

    Carries the (chi, chi) bond environments of Tr(rho O) and Tr(rho) with their log scales.
    With ``emit_prefixes`` (static) it also returns, for every n = 1..N, the prefix value
    Tr(rho_n O_0...O_{n-1}) / Tr(rho_n) closed with ``mps.right`` as ``(mantissas, log_scales)``.

    Returns:
        ``((num, lognum, den, logden), prefixes or None)``.
    """
    dt = mps.dtype
    rt = real_dtype(dt)
    env0 = jnp.outer(mps.left, jnp.conj(mps.left))

    def step(carry, xs):
        num, lognum, den, logden = carry
        a, before, after, phase, op = xs
        g = nz.dual_operator(op.astype(dt), nz.site_superop(before, after, phase))
        num, lognum = renormalise(_transfer(num, a, g), lognum)
        den, logden = renormalise(norm_transfer(den, a), logden)
        out = None
        if emit_prefixes:
            out = (close_environment(num, mps.right) / jnp.real(close_environment(den, mps.right)), lognum - logden)
        return (num, lognum, den, logden), out

    zero = jnp.zeros((), rt)
    return jax.lax.scan(
        step, (env0, zero, env0, zero), (mps.tensors, noise.before, noise.after, phases, ops),
        unroll=UNROLL,
    )


def readout_pauli_ops(noise: nz.LocalNoise, codes: Array, dtype) -> Array:
    """(N, 2, 2): (1 - 2 r_j) sigma_{codes[j]}, the Pauli observables seen through readout flips.

    A classical flip of the outcome bit with probability r turns the +-1 outcome's mean into
    (1 - 2 r) times the quantum mean.
    """
    sig = pauli_matrices(dtype)[codes]
    return sig * (1 - 2 * noise.readout).astype(dtype)[:, None, None]


def noisy_pauli_log_expectation(
    mps: MPS, noise: nz.LocalNoise, phases: Array, codes: Array
) -> tuple[Array, Array]:
    """Exact <sigma_{codes[0]} x ... x sigma_{codes[N-1]}> of the noisy probe, readout flips included.

    This is the parity expectation E[prod_j (-1)^{m_j}] of the reported outcome bits when node j
    measures in basis codes[j] (0 = X, 1 = Y, 2 = Z) after the channels in ``noise``.

    Args:
        mps: probe, tensors (N, chi, 2, chi).
        noise: ``LocalNoise`` broadcast to N nodes (``jaxqring._noise.prepare_noise``).
        phases: (N,) real, radians.
        codes: (N,) int basis codes.
    Returns:
        ``(mantissa, log_scale)``, real scalars, value = mantissa * exp(log_scale).
    """
    ops = readout_pauli_ops(noise, codes, mps.dtype)
    mant, logs = noisy_log_trace(mps, noise, phases, ops)
    return jnp.real(mant), logs


# ---------------------------------------------------------------------------------------------
# The explicit stacked MPO.
# ---------------------------------------------------------------------------------------------


def density_mpo(mps: MPS, noise: nz.LocalNoise, phases: Array) -> DensityMPO:
    """Materialise the noisy encoded probe as a stacked MPO of bond chi**2.

    Memory is N * chi**4 * 4 complex numbers; for large chi and N prefer the fused sweeps.

    Returns:
        ``DensityMPO`` with tensors (N, chi**2, 2, 2, chi**2); Tr(rho) = <psi|psi> (unnormalised
        like the probe).
    """
    chi = mps.bond_dim

    def site(a, before, after, phase):
        s4 = nz.site_superop(before, after, phase).reshape(2, 2, 2, 2)
        m = jnp.einsum("abcd,lcr,mds->lmabrs", s4, a, jnp.conj(a))
        return m.reshape(chi * chi, 2, 2, chi * chi)

    tensors = jax.vmap(site)(mps.tensors, noise.before, noise.after, phases)
    left = jnp.outer(mps.left, jnp.conj(mps.left)).reshape(-1)
    right = jnp.outer(mps.right, jnp.conj(mps.right)).reshape(-1)
    return DensityMPO(tensors, left, right)


def mpo_log_trace(mpo: DensityMPO, ops: Array) -> tuple[Array, Array]:
    """Tr(rho (O_0 x ... x O_{N-1})) / Tr(rho) by a transfer sweep over the explicit MPO.

    Args:
        mpo: ``DensityMPO`` (N, chi2, 2, 2, chi2).
        ops: (N, 2, 2) complex single-site operators.
    Returns:
        ``(mantissa, log_scale)``: complex mantissa, real log scale.
    """
    rt = real_dtype(mpo.tensors.dtype)
    eye = jnp.eye(2, dtype=mpo.tensors.dtype)

    def step(carry, xs):
        num, lognum, den, logden = carry
        m, op = xs
        num, lognum = renormalise(num @ jnp.einsum("labr,ba->lr", m, op), lognum)
        den, logden = renormalise(den @ jnp.einsum("labr,ba->lr", m, eye), logden)
        return (num, lognum, den, logden), None

    zero = jnp.zeros((), rt)
    (num, lognum, den, logden), _ = jax.lax.scan(
        step, (mpo.left, zero, mpo.left, zero), (mpo.tensors, ops.astype(mpo.tensors.dtype))
    )
    return (num @ mpo.right) / jnp.real(den @ mpo.right), lognum - logden


# ---------------------------------------------------------------------------------------------
# Samplers.
# ---------------------------------------------------------------------------------------------


def _outcome_duals(noise_site, phase, code, bras, dtype):
    """(2, 2, 2): G_m for m = 0, 1: projector on outcome m, readout flip folded in, pulled back."""
    before, after, r = noise_site
    b = bras[code]  # (2, 2) row m = bra of outcome m
    proj = jnp.einsum("ms,mt->mst", jnp.conj(b), b)  # P_m[s, s'] = conj(b[m, s]) b[m, s']
    r = r.astype(dtype)
    seen = jnp.stack([(1 - r) * proj[0] + r * proj[1], (1 - r) * proj[1] + r * proj[0]])
    sop = nz.site_superop(before, after, phase)
    return jax.vmap(nz.dual_operator, in_axes=(0, None))(seen, sop)


def _hermitian_basis(chi: int) -> tuple[np.ndarray, np.ndarray]:
    """Real coordinates h (D = chi**2 of them) of a Hermitian (chi, chi) matrix X.

    Returns ``(basis, coeffs)``, both complex (D, chi, chi): X = sum_k h_k basis[k] and
    h_k = Re sum_{rs} coeffs[k, r, s] X[r, s]. Coordinates: Re X_aa, then Re X_ab and Im X_ab
    for a < b.
    """
    d = chi * chi
    basis = np.zeros((d, chi, chi), complex)
    coeffs = np.zeros((d, chi, chi), complex)
    pairs = [(a, b) for a in range(chi) for b in range(a + 1, chi)]
    for k in range(chi):
        basis[k, k, k] = coeffs[k, k, k] = 1
    for i, (a, b) in enumerate(pairs):
        k = chi + i
        basis[k, a, b] = basis[k, b, a] = coeffs[k, a, b] = 1
        k = chi + len(pairs) + i
        basis[k, a, b], basis[k, b, a], coeffs[k, a, b] = 1j, -1j, -1j
    return basis, coeffs


def _density_tables(mps: MPS, envs: Array, noise: nz.LocalNoise, phases: Array, codes: Array, block: int,
                    hermitian: tuple[np.ndarray, np.ndarray]):
    """Per-site tables of :func:`noisy_sample_bits`, padded to whole blocks of sites.

    The conditioned bond environment env (chi, chi) is Hermitian, so it is carried as its D =
    chi**2 real coordinates h (``hermitian`` = :func:`_hermitian_basis` (chi)); the outcome-m update
    env_m = transfer(env, A_j, G_m) is then a real (D, D) matrix T[j, m] and the weight
    Tr(env_m E_{j+1}^T) a real linear form w[j, m] . h.

    Returns:
        ``(T, w)``: T in the probe's real dtype, shape (num_blocks, block, 2, D, D), scaled per
        site to max-entry 1 (a common factor of both outcomes); w = T^T e_{j+1} in
        ``accumulation_dtype``, shape (num_blocks, block, 2, D). Padding sites are inert: T[0] =
        identity, T[1] = w[1] = 0 and w[0] the trace, so outcome 0 is certain.
    """
    dt = mps.dtype
    chi, d = mps.bond_dim, mps.bond_dim**2
    acc = accumulation_dtype(dt)
    cacc = jnp.promote_types(acc, jnp.complex64)
    basis, coeffs = (jnp.asarray(x, cacc) for x in hermitian)
    bras = measurement_bras(dt)
    duals = jax.vmap(_outcome_duals, in_axes=((0, 0, 0), 0, 0, None, None))(
        (noise.before, noise.after, noise.readout), phases, codes, bras, dt
    ).astype(cacc)  # (N, m, t, u)
    a = mps.tensors.astype(cacc)
    # image of basis matrix k under the outcome-m transfer: (N, m, k, r, s)
    images = jnp.einsum("kab,jatr,jmtu,jbus->jmkrs", basis, a, duals, jnp.conj(a), optimize="optimal")
    tables = jnp.real(jnp.einsum("Krs,jmkrs->jmKk", coeffs, images))
    scale = jnp.max(jnp.abs(tables), axis=(1, 2, 3), keepdims=True)
    tables = tables / jnp.where(scale > 0, scale, 1)
    e_next = jnp.real(jnp.einsum("krs,jrs->jk", basis, envs[1:].astype(cacc)))  # (N, D)
    weights = jnp.einsum("jmKk,jK->jmk", tables, e_next)
    pad = -mps.num_sites % block
    if pad:
        eye = jnp.eye(d, dtype=acc)
        inert_t = jnp.broadcast_to(jnp.stack([eye, jnp.zeros_like(eye)]), (pad, 2, d, d))
        trace = jnp.concatenate([jnp.ones((chi,), acc), jnp.zeros((d - chi,), acc)])
        inert_w = jnp.broadcast_to(jnp.stack([trace, jnp.zeros_like(trace)]), (pad, 2, d))
        tables, weights = jnp.concatenate([tables, inert_t]), jnp.concatenate([weights, inert_w])
    tables = tables.astype(real_dtype(dt))
    return tuple(x.reshape((-1, block) + x.shape[1:]) for x in (tables, weights))


def noisy_sample_bits(
    key: Array,
    mps: MPS,
    envs: Array,
    noise: nz.LocalNoise,
    phases: Array,
    codes: Array,
    num_shots: int,
    *,
    parity_only: bool,
) -> Array:
    """Exact sequential conditional sampling of the reported outcome bits from the noisy MPO.

    The prefix is the (chi, chi) bond environment env (the MPO's chi**2 bond vector), conditioned
    on the outcomes drawn so far; the suffix weight of a trace-preserving channel is the trace of
    the rest of the chain, i.e. the noiseless right environments ``envs`` (one set for every
    coordinate, shot, basis and noise). At site j::

        p(m_j = m | m_<j) = Tr(env_m E_{j+1}) / sum_m' Tr(env_m' E_{j+1}),
        env_m = transfer(env, A_j, G_m)

    where G_m is the outcome-m projector in basis codes[j], with the readout flip folded in,
    pulled back through the site's channels and phase (``_outcome_duals``). The updates and
    weights are tabulated once per coordinate on env's D = chi**2 real Hermitian coordinates
    (:func:`_density_tables`); each shot then costs O(D^2) real operations per site, run by the
    samplers' shared engine (:func:`jaxqring.kernels.mps.readout.blocked_site_scan`: shots are
    the vector lanes, Threefry words per block of sites, rescaling per block). For D <= 4 (the
    GHZ probe) the coordinates are D separate (S,) arrays updated entry by entry; above, one
    (S, D) array and a batched product. Probabilities and uniform draws use
    ``accumulation_dtype``, so complex64 probes do not bias samples.

    Args:
        key: PRNG key for this coordinate.
        mps, envs: the probe and its ``right_environments`` (N + 1, chi, chi).
        noise: ``LocalNoise``; phases (N,) radians; codes (N,) basis codes.
        num_shots: static S. parity_only: static.
    Returns:
        uint8 outcome bits (S, N), or parity bits (S,) if ``parity_only``.
    """
    n, chi = mps.num_sites, mps.bond_dim
    d = chi * chi
    rt, acc = real_dtype(mps.dtype), accumulation_dtype(mps.dtype)
    hermitian = _hermitian_basis(chi)
    tables = _density_tables(mps, envs, noise, phases, codes, sampler_block_size(n), hermitian)
    coeffs = hermitian[1]
    env0 = jnp.outer(mps.left, jnp.conj(mps.left))
    h0 = jnp.real(jnp.einsum("krs,rs->k", jnp.asarray(coeffs, env0.dtype), env0)).astype(rt)
    small = d <= SMALL_DENSITY_COORDS

    def small_site(h, xs):  # h: D real (S,) arrays
        word, t, w = xs
        ha = [x.astype(acc) for x in h]
        q = [jnp.maximum(sum(w[m, k] * ha[k] for k in range(d)), 0) for m in (0, 1)]
        m = binary_outcome(word, q[0], q[1])
        return tuple(sum(jnp.where(m, t[1, i, k], t[0, i, k]) * h[k] for k in range(d)) for i in range(d)), m

    def dense_site(h, xs):  # h: (S, D)
        word, t, w = xs
        q = jnp.maximum(jnp.einsum("sk,mk->ms", h.astype(acc), w), 0)
        cand = jnp.einsum("sk,mik->msi", h, t)
        m = binary_outcome(word, q[0], q[1])
        return jnp.where(m[:, None], cand[1], cand[0]), m

    def rescale(h):  # only ratios of weights are ever used
        scale = functools.reduce(jnp.maximum, [jnp.abs(x) for x in h]) if small else jnp.max(
            jnp.abs(h), axis=-1, keepdims=True)
        inv = 1 / jnp.where(scale > 0, scale, 1)
        return tuple(x * inv for x in h) if small else h * inv

    if small:
        state0 = tuple(jnp.broadcast_to(h0[k], (num_shots,)) for k in range(d))
    else:
        state0 = jnp.broadcast_to(h0, (num_shots, d))
    return blocked_site_scan(key, small_site if small else dense_site, rescale, state0, tables,
                             n=n, num_shots=num_shots, parity_only=parity_only)


def _draw_paulis(key: Array, probs: Array, num_shots: int) -> Array:
    """(S, N) int32 Pauli indices (I=0, X=1, Y=2, Z=3) drawn from per-node probabilities (N, 4)."""
    acc = accumulation_dtype(probs.dtype)
    cum = jnp.cumsum(probs.astype(acc), axis=-1)[:, :3]  # (N, 3)
    u = jax.random.uniform(key, (num_shots, probs.shape[0]), acc)
    return jnp.sum(u[:, :, None] >= cum[None], axis=-1).astype(jnp.int32)


def _anticommutes(pauli: Array, codes: Array) -> Array:
    """uint8: 1 where Pauli index (I,X,Y,Z = 0..3) anticommutes with the measured sigma_code."""
    return ((pauli != 0) & (pauli - 1 != codes[None, :])).astype(jnp.uint8)  # (S, N) vs (N,)


def trajectory_sample_bits(
    key: Array,
    mps: MPS,
    envs: Array,
    noise: nz.LocalNoise,
    phases: Array,
    codes: Array,
    num_shots: int,
    *,
    parity_only: bool,
    closed_form: bool,
    tables_per_block: bool = True,
) -> Array:
    """Pauli-trajectory sampling (Pauli channels only): the same law as :func:`noisy_sample_bits`.

    Each shot draws one Pauli per node for the before-channels and one for the after-channels.
    Since R(phi) X = e^{i phi} X R(-phi), R(phi) Y = e^{i phi} Y R(-phi) and R Z = Z R, a before-
    Pauli X or Y is an after-Pauli with the node's phase negated. An after-Pauli just before a
    measurement of sigma_b flips the outcome iff it anticommutes with sigma_b. So a shot is a pure
    sample of the probe with its own phase row, XOR-ed with the flips (and the readout flips).
    The pure sample is the sequential MPS sampler (O(chi^2) per site, against O(chi^3) for the
    MPO sampler) or, for the exact GHZ probe in X/Y bases (``closed_form``), the O(N) GHZ law.

    Args:
        as :func:`noisy_sample_bits`; ``noise.pauli_before``/``pauli_after`` must not be None.
        closed_form: static; use the closed-form GHZ law (valid only for the GHZ probe and X/Y
            codes).
        tables_per_block: static; passed to :func:`sample_bits`.
    Returns:
        uint8 outcome bits (S, N), or parity bits (S,) if ``parity_only``.
    """
    n = mps.num_sites
    kb, ka, kr, ks = jax.random.split(key, 4)
    pb = _draw_paulis(kb, noise.pauli_before, num_shots)
    pa = _draw_paulis(ka, noise.pauli_after, num_shots)
    acc = accumulation_dtype(mps.dtype)
    read = (jax.random.uniform(kr, (num_shots, n), acc) < noise.readout.astype(acc)[None, :]).astype(jnp.uint8)
    flips = _anticommutes(pb, codes) ^ _anticommutes(pa, codes) ^ read  # (S, N)
    negated = (pb == 1) | (pb == 2)  # (S, N): the node's phase enters negated in that shot
    if closed_form:
        shot_phases = jnp.where(negated, -phases[None, :], phases[None, :])
        p_odd = jax.vmap(lambda ph: ghz_parity_probability(ghz_effective_phase(ph, codes)))(shot_phases)
        if parity_only:
            pure = ghz_sample_parity(ks, p_odd, num_shots)
        else:
            pure = ghz_sample_bits(ks, p_odd, n, num_shots)
    else:
        pure = sample_bits(ks, mps, envs, phases, codes, num_shots, parity_only=parity_only, negated=negated,
                           tables_per_block=tables_per_block)
    if parity_only:
        return pure ^ (jnp.sum(flips, axis=-1, dtype=jnp.uint32) & 1).astype(jnp.uint8)
    return pure ^ flips


# ---------------------------------------------------------------------------------------------
# GHZ under phase-covariant channels (closed forms used as fast paths and cross-checks).
# ---------------------------------------------------------------------------------------------


def ghz_visibility_factors(noise: nz.LocalNoise) -> Array:
    """(N,) real per-node factors c_j (1 - 2 r_j), with c_j = E_j(|0><1|)/|0><1| (SPEC C8).

    Valid for phase-covariant channels (dephasing, depolarising, amplitude damping): then the
    GHZ parity law is P(parity odd) = (1 - V cos Phi_eff)/2 with V = prod_j factors[j] [3.8].
    """
    c = nz.coherence_factor(noise.after) * nz.coherence_factor(noise.before)
    return jnp.real(c) * (1 - 2 * noise.readout)


def ghz_noisy_parity_probability(noise: nz.LocalNoise, phases: Array, codes: Array) -> Array:
    """P(reported parity odd) of the exact GHZ probe under phase-covariant noise, X/Y codes."""
    vis = jnp.prod(ghz_visibility_factors(noise).astype(accumulation_dtype(phases.dtype)))
    return ghz_parity_probability(ghz_effective_phase(phases, codes), vis)

