"""Fisher-information kernels (SPEC §5): one probe, one weight vector per call.

Family: rho_theta = U_theta rho_0 U_theta^dagger, U_theta = exp(-i theta H), H = sum_j w_j Z_j / 2,
i.e. node j applies R(w_j theta) (up to a global phase).

* :func:`pure_h_moments` -- <H> and Var H of an MPS through the bond-2 MPO of H,
  W_j = [[I, w_j Z_j/2], [0, I]] (centred, renormalised sweep; N = 10^5 in well under a
  second). The pure-state QFI is 4 Var H [5.1].
* :func:`basis_log_weight` -- log |<sigma|psi>|^2 / <psi|psi> for one basis string (the weight
  of the extremal eigenvectors in SPEC Theorem 1, [5.3]).
* :func:`noisy_log_trace_prefixes` -- the noisy-MPO transfer sweep of ``kernels._mpo`` that also
  closes the chain after every site: for probes whose length-n prefix closed with ``right`` *is*
  the n-node probe (GHZ, product states) this yields a quantity for every n <= N in one pass.
* :func:`ghz_block_qfi` -- exact QFI of a (sign-adapted) GHZ probe under phase-covariant local
  noise from the MPO: the {|sigma>, |sigma-bar>} block's populations a, d and coherence c, then
  F = W_s^2 4 |c|^2 / (a + d) (SPEC §5, "GHZ under local noise"); everything else in rho is
  diagonal and theta-independent for phase-covariant channels.
* :func:`qfi_sld` -- the SLD/eigendecomposition formula [5.2] for a dense rho, with a custom JVP
  that stays finite where eigenvalues are degenerate.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
from jax import Array

from ..common import UNROLL, accumulation_complex_dtype, real_dtype, renormalise
from ..mps.readout import right_environments
from ..mps.state import MPS, ghz, to_dense
from . import channels as nz
from .density import (
    close_environment,
    log_trace_sweep,
    noisy_log_trace,
    norm_transfer,
    pair_transfer,
)

# ---------------------------------------------------------------------------------------------
# Pure states: <H>, <H^2> through the MPO of H.
# ---------------------------------------------------------------------------------------------


def _z_transfer(env: Array, a: Array) -> Array:
    """sum_t z_t A[:, t, :]^T env conj(A[:, t, :]) with z = (1, -1)."""
    z = jnp.array([1, -1], a.dtype)[None, :, None]
    return pair_transfer(env, a * z, a)


def pure_h_moments(mps: MPS, weights: Array) -> tuple[Array, Array]:
    """(<H>, Var H) of the normalised probe for H = sum_j weights[j] Z_j / 2.

    The bond-2 MPO of H is walked as three environments (E0, E1, E2) = (no Z yet, one Z, two
    Z's or the square of one), i.e. H^2's MPO (bond 3) unrolled. To avoid the cancellation in
    <H^2> - <H>^2 (<H> ~ N, Var ~ 1 for e.g. a W state at N = 10^5), the sweep uses the centred
    operator H - c = sum_j h_j (Z_j - z_j), h_j = w_j / 2, z_j = <Z_j> (from the right
    environments and the running left environment E0)::

        E0' = T_I(E0),  E1' = T_I(E1) + h D(E0),
        E2' = T_I(E2) + 2 h D(E1) + h^2 ((1 + z^2) T_I(E0) - 2 z T_Z(E0)),   D = T_Z - z T_I

    Var H = E2/E0 - (E1/E0)^2 holds for *any* constants z_j, so they are stop-gradient'ed and
    the gradients stay exact. All three environments share E0's running scale. Swept in
    ``accumulation_dtype`` (float64 under x64); cost O(N chi^3) plus the (N+1, chi, chi) right
    environments.

    Args:
        mps: probe, tensors (N, chi, 2, chi) (phases are irrelevant: H commutes with R(phi)).
        weights: (N,) real.
    Returns:
        two real scalars: <H> and Var H (the pure-state QFI is 4 Var H).
    """
    cdt = accumulation_complex_dtype(mps.dtype)
    tensors = mps.tensors.astype(cdt)
    left, right = mps.left.astype(cdt), mps.right.astype(cdt)
    renvs = jax.lax.stop_gradient(right_environments(MPS(tensors, left, right)))
    env0 = jnp.outer(left, jnp.conj(left))
    zero = jnp.zeros_like(env0)
    rt = real_dtype(cdt)

    def step(carry, xs):
        e0, e1, e2, shift = carry
        a, w, r_next = xs
        h = (w / 2).astype(rt)
        ti0, tz0 = norm_transfer(e0, a), _z_transfer(e0, a)
        z = jax.lax.stop_gradient(
            jnp.real(jnp.sum(tz0 * r_next)) / jnp.real(jnp.sum(ti0 * r_next))
        )
        dz1 = _z_transfer(e1, a) - z * norm_transfer(e1, a)
        e2 = norm_transfer(e2, a) + 2 * h * dz1 + h * h * ((1 + z * z) * ti0 - 2 * z * tz0)
        e1 = norm_transfer(e1, a) + h * (tz0 - z * ti0)
        scale = jax.lax.stop_gradient(jnp.max(jnp.abs(ti0)))
        scale = jnp.where(scale > 0, scale, 1).astype(cdt)
        return (ti0 / scale, e1 / scale, e2 / scale, shift + h * z), None

    init = (env0, zero, zero, jnp.zeros((), rt))
    (e0, e1, e2, shift), _ = jax.lax.scan(
        step, init, (tensors, weights.astype(rt), renvs[1:]), unroll=UNROLL
    )
    norm = jnp.real(close_environment(e0, right))
    m1 = jnp.real(close_environment(e1, right)) / norm
    m2 = jnp.real(close_environment(e2, right)) / norm
    return shift + m1, m2 - m1 * m1


def basis_log_weight(mps: MPS, bits: Array) -> Array:
    """log(|<bits|psi>|^2 / <psi|psi>) for one basis string ``bits`` (N,) int (-inf if 0)."""
    rt = real_dtype(mps.dtype)
    tensors = jnp.take_along_axis(mps.tensors, bits[:, None, None, None], axis=2)[:, :, 0, :]

    def amp_step(carry, a):
        v, logs = carry
        v, logs = renormalise(v @ a, logs)
        return (v, logs), None

    def norm_step(carry, a):
        env, logs = carry
        env, logs = renormalise(norm_transfer(env, a), logs)
        return (env, logs), None

    zero = jnp.zeros((), rt)
    (v, la), _ = jax.lax.scan(amp_step, (mps.left, zero), tensors)
    env0 = jnp.outer(mps.left, jnp.conj(mps.left))
    (env, ln), _ = jax.lax.scan(norm_step, (env0, zero), mps.tensors)
    amp2 = jnp.abs(v @ mps.right) ** 2
    return jnp.log(amp2) + 2 * la - jnp.log(jnp.real(close_environment(env, mps.right))) - ln


# ---------------------------------------------------------------------------------------------
# Noisy GHZ: block populations and coherence from the density MPO.
# ---------------------------------------------------------------------------------------------


def noisy_log_trace_prefixes(
    mps: MPS, noise: nz.LocalNoise, phases: Array, ops: Array
) -> tuple[Array, Array]:
    """For every n = 1..N: Tr(rho_n (O_0 x ... x O_{n-1})) / Tr(rho_n), rho_n = the length-n prefix.

    The prefix is closed with ``mps.right`` after every site, so for GHZ and product probes
    rho_n is the noisy n-node probe (its boundary vectors do not depend on N).

    Returns:
        ``(mantissas, log_scales)``: complex (N,) and real (N,), value = mantissa * exp(log).
    """
    _, prefixes = log_trace_sweep(mps, noise, phases, ops, emit_prefixes=True)
    return prefixes


def sign_adapted_ghz(weights: Array, dtype) -> MPS:
    """(|sigma> + |sigma-bar>)/sqrt(2) with sigma_j = [w_j < 0] (SPEC A7), bond dimension 2."""
    base = ghz(weights.shape[0], dtype=dtype)
    flip = (weights < 0)[:, None, None, None]
    tensors = jnp.where(flip, base.tensors[:, :, ::-1, :], base.tensors)
    return MPS(tensors, base.left, base.right, "generic")


def _block_ops(bits: Array, dtype) -> Array:
    """(3, N, 2, 2): per-site operators whose products give <s|rho|s>, <s̄|rho|s̄>, <s|rho|s̄>."""
    e = jnp.eye(2, dtype=dtype)
    b = bits.astype(jnp.int32)
    ket_s, ket_sb = e[b], e[1 - b]  # (N, 2)
    proj_s = jnp.einsum("na,nb->nab", ket_s, ket_s)
    proj_sb = jnp.einsum("na,nb->nab", ket_sb, ket_sb)
    coh = jnp.einsum("na,nb->nab", ket_sb, ket_s)  # Tr(rho |s̄><s|) = <s|rho|s̄>
    return jnp.stack([proj_s, proj_sb, coh])


def ghz_block_qfi(
    weights: Array, noise: nz.LocalNoise, dtype, *, prefixes: bool = False, sign_adapted: bool = True,
    log: bool = False,
) -> Array:
    """Exact QFI of the (sign-adapted) GHZ probe under phase-covariant noise, from the MPO.

    With sigma_j = [w_j < 0] when ``sign_adapted`` (else sigma = 0^N, the standard GHZ), the
    block populations a = <sigma|rho|sigma>, d = <sigma-bar|rho|sigma-bar> and coherence
    c = <sigma|rho|sigma-bar> come from three transfer sweeps over the density MPO, and
    F = W_s^2 * 4|c|^2/(a + d) with W_s = sum_j w_j (-1)^{sigma_j} (the H-eigenvalue gap of the
    block). Computed in log space, so nothing underflows before the final exponential.

    Args:
        weights: (N,) real.
        noise: ``LocalNoise`` of phase-covariant channels (the caller checks this).
        dtype: complex dtype of the sweep.
        prefixes: static; if True return F for every prefix length n = 1..N (shape (N,)).
        log: static; if True return ln F (never underflows; -inf where F = 0 exactly).
    Returns:
        real scalar F (or (N,) if ``prefixes``), or ln F if ``log``.
    """
    n = weights.shape[0]
    rt = real_dtype(dtype)
    if sign_adapted:
        mps = sign_adapted_ghz(weights, dtype)
        bits = (weights < 0).astype(jnp.int32)
    else:
        mps = ghz(n, dtype=dtype)
        bits = jnp.zeros((n,), jnp.int32)
    ops = _block_ops(bits, dtype)
    phases = jnp.zeros((n,), rt)
    if prefixes:
        mant, logs = jax.vmap(noisy_log_trace_prefixes, in_axes=(None, None, None, 0))(
            mps, noise, phases, ops
        )
        gap = jnp.cumsum(jnp.where(bits == 1, -weights, weights).astype(rt))
    else:
        mant, logs = jax.vmap(noisy_log_trace, in_axes=(None, None, None, 0))(mps, noise, phases, ops)
        gap = jnp.sum(jnp.where(bits == 1, -weights, weights).astype(rt))
    log_a = jnp.log(jnp.real(mant[0])) + logs[0]
    log_d = jnp.log(jnp.real(mant[1])) + logs[1]
    log_c = jnp.log(jnp.abs(mant[2])) + logs[2]
    log_f = 2 * log_c + math.log(4.0) - jnp.logaddexp(log_a, log_d)
    if log:
        return 2 * jnp.log(jnp.abs(gap)) + log_f
    return gap**2 * jnp.exp(log_f)


# ---------------------------------------------------------------------------------------------
# Dense SLD formula with a degeneracy-safe derivative.
# ---------------------------------------------------------------------------------------------


def _sld(rho: Array, drho: Array, tol: float):
    """Eigen-decomposition of rho and the SLD L (in the original basis), for lambda_a+lambda_b>tol."""
    lam, vec = jnp.linalg.eigh(rho)
    d = jnp.conj(vec.T) @ drho @ vec
    s = lam[:, None] + lam[None, :]
    keep = s > tol
    lsld = jnp.where(keep, 2 * d / jnp.where(keep, s, 1), 0)
    return d, lsld, vec


@functools.partial(jax.custom_jvp, nondiff_argnums=(2,))
def qfi_sld(rho: Array, drho: Array, tol: float) -> Array:
    """F_Q = 2 sum_{a,b: l_a + l_b > tol} |<a|drho|b>|^2 / (l_a + l_b)  (SPEC [5.2]).

    Args:
        rho: (D, D) Hermitian density matrix (trace 1).
        drho: (D, D) Hermitian d rho / d theta.
        tol: eigenvalue-sum cutoff (SPEC: 1e-12 in float64).
    Returns:
        real scalar.

    Derivative: with the SLD L (rho L + L rho = 2 drho on the support), dF = 2 Re Tr(L d(drho))
    - Re Tr(L^2 d(rho)); this needs no eigenvalue gaps, so the gradient is finite at the
    degenerate spectra that noisy GHZ states have (valid while the rank of rho does not change).
    """
    d, lsld, _ = _sld(rho, drho, tol)
    return jnp.real(jnp.sum(jnp.conj(d) * lsld))


@qfi_sld.defjvp
def _qfi_sld_jvp(tol, primals, tangents):
    rho, drho = primals
    t_rho, t_drho = tangents
    d, lsld, vec = _sld(rho, drho, tol)
    f = jnp.real(jnp.sum(jnp.conj(d) * lsld))
    lop = vec @ lsld @ jnp.conj(vec.T)
    df = 2 * jnp.real(jnp.trace(lop @ t_drho)) - jnp.real(jnp.trace(lop @ lop @ t_rho))
    return f, df


# ---------------------------------------------------------------------------------------------
# Jitted entry points of the Fisher-information API (jaxqring.metrology validates, then calls).
# ---------------------------------------------------------------------------------------------


@jax.jit
def qfi_pure_sweep(mps: MPS, weights: Array) -> Array:
    """4 Var(H) of a pure MPS probe, H = sum_j w_j Z_j / 2 (scalar, accumulation dtype)."""
    _, var = pure_h_moments(mps, weights)
    return 4 * var


@jax.jit
def pure_qfi_terms(mps: MPS, w: Array) -> tuple[Array, Array, Array, Array, Array, Array]:
    """Theorem-1 terms of a pure probe [5.3]: (qfi, ||w||_1^2, penalty, 4<H>^2, q_off, penalty bound)."""
    h1, var = pure_h_moments(mps, w)
    h2 = var + h1 * h1
    l1 = jnp.sum(jnp.abs(w))
    lam = l1 / 2
    sigma = (w < 0).astype(jnp.int32)
    lw = jnp.logaddexp(basis_log_weight(mps, sigma), basis_log_weight(mps, 1 - sigma))
    q_off = jnp.maximum(-jnp.expm1(lw), 0)
    wmin = jnp.min(jnp.abs(w))
    return 4 * var, l1**2, 4 * (lam**2 - h2), 4 * h1**2, q_off, 4 * q_off * wmin * (l1 - wmin)


@functools.partial(jax.jit, static_argnames=("prefixes", "sign_adapted", "log"))
def ghz_qfi_sweep(
    w: Array, local: nz.LocalNoise, *, prefixes: bool, sign_adapted: bool, log: bool = False
) -> Array:
    """Jitted :func:`ghz_block_qfi` in the dtype of the prepared noise (ln F if ``log``)."""
    return ghz_block_qfi(w, local, local.before.dtype, prefixes=prefixes, sign_adapted=sign_adapted, log=log)


def _parity_cfi_one(mps, local, theta, weights, offsets, ops):
    def logpar(t):
        m, logs = noisy_log_trace(mps, local, offsets + t * weights, ops)
        return jnp.real(m), logs

    (m, logs), (dm, _) = jax.jvp(logpar, (theta,), (jnp.ones_like(theta),))
    # the running scales are constants for autodiff (they cancel), so d<Pi> = dm * exp(logs)
    val = m * jnp.exp(logs)
    log_num = 2 * (jnp.log(jnp.abs(dm)) + logs)
    return jnp.exp(log_num - jnp.log1p(-val * val))


@jax.jit
def parity_cfi_sweep(mps: MPS, local: nz.LocalNoise, thetas: Array, weights: Array, offsets: Array, sigma: Array) -> Array:
    """Classical Fisher information of the +-1 product readout ``sigma`` (N, 2, 2) at each of
    ``thetas`` (T,), phases ``offsets + theta * weights``; readout errors fold into sigma."""
    ops = sigma * (1 - 2 * local.readout).astype(sigma.dtype)[:, None, None]
    return jax.vmap(_parity_cfi_one, in_axes=(None, None, 0, None, None, None))(
        mps, local, thetas, weights, offsets, ops
    )


def dense_density_matrix(mps: MPS, local: nz.LocalNoise, phases: Array) -> Array:
    """Dense rho (2^N, 2^N) of the noisy encoded probe (oracle path, N <= 12).

    One site superoperator per node, applied by tensordot; the loop over sites is unrolled at
    trace time (each site acts on different axes of the dense tensor, so it cannot be a scan;
    the dense path is bounded to N <= 12 by the API).
    """
    n = mps.num_sites
    psi = to_dense(mps)
    rho = jnp.outer(psi, jnp.conj(psi)).reshape((2,) * (2 * n))
    for j in range(n):
        s4 = nz.site_superop(local.before[j], local.after[j], phases[j]).reshape(2, 2, 2, 2)
        rho = jnp.tensordot(s4, rho, axes=([2, 3], [j, n + j]))
        rho = jnp.moveaxis(rho, (0, 1), (j, n + j))
    return rho.reshape(2**n, 2**n)


@functools.partial(jax.jit, static_argnames=("tol",))
def qfi_dense_unitary(rho: Array, w: Array, tol: float) -> Array:
    """SLD QFI of rho under the unitary family generated by H = sum_j w_j Z_j / 2."""
    n = w.shape[0]
    bits = (jnp.arange(2**n)[:, None] >> jnp.arange(n - 1, -1, -1)[None, :]) & 1
    h = (jnp.sum(w[None, :] * (1 - 2 * bits), axis=1) / 2).astype(rho.dtype)
    drho = -1j * (h[:, None] * rho - rho * h[None, :])
    return qfi_sld(rho, drho, tol)


qfi_dense_given = jax.jit(qfi_sld, static_argnames=("tol",))


@functools.partial(jax.jit, static_argnames=("tol",))
def qfi_mixed_dense(mps: MPS, local: nz.LocalNoise, theta: Array, weights: Array, offsets: Array, tol: float) -> Array:
    """SLD QFI of the noisy probe at ``theta`` from its dense rho; d rho / d theta by forward AD."""
    def rho_of(t):
        return dense_density_matrix(mps, local, offsets + t * weights)

    rho, drho = jax.jvp(rho_of, (theta,), (jnp.ones_like(theta),))
    return qfi_sld(rho, drho, tol)
