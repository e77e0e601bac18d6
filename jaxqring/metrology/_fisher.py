"""Quantum and classical Fisher information of phase-encoded probes, with and without noise (SPEC §5).

Family: node j applies R(w_j theta), i.e. rho_theta = U rho_0 U^dagger with U = exp(-i theta H),
H = sum_j w_j Z_j / 2 (up to a global phase); channels act before/after the encoding as the
``NoiseModel`` says. With nu copies, Var(theta_hat) >= 1/(nu F). Weights default to all ones.

==========================  ===========================================  ==================
function                    what                                          sizes
==========================  ===========================================  ==================
:func:`qfi_pure`            4 Var(H) of a pure MPS via the bond-2 MPO     N up to 10^5
:func:`pure_qfi_report`     Theorem 1 decomposition [5.3] of the above    N up to 10^5
:func:`ghz_qfi`             exact noisy GHZ QFI from the density MPO      N up to 10^5
:func:`ghz_qfi_profile`     the same for every n = 1..n_max in one sweep  n_max up to 10^5
:func:`parity_cfi`          parity-readout CFI, any probe and noise       N up to 10^5
:func:`qfi_dense`           SLD formula [5.2] on a dense rho              N <= 12
:func:`qfi_mixed`           SLD QFI of a noisy MPS probe (dense oracle)   N <= 12
:func:`density_matrix`      dense noisy encoded rho (oracle)              N <= 12
==========================  ===========================================  ==================

Every function is differentiable with ``jax.grad`` with respect to the probe tensors, the
weights, theta/phases and the noise parameters (tested against finite differences).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from .. import kernels as K
from .._checks import check_finite, check_int, check_real, is_traced
from .._noise import NoiseModel, check_noise, check_noise_memory, check_phase_covariant, prepare_noise
from .._probes import MPS, check_mps
from .._readout import basis_codes, check_phases
from ..kernels.mpo import fisher as KF

MAX_DENSE_NODES = 12

# Relative tolerance under which two QFI values count as tied (the smaller group then wins).
TIE_RTOL = 1e-9


def _rt():
    return K.real_dtype(K.default_complex_dtype())


def check_weights(weights, n: int, rt) -> jax.Array:
    """Weights (N,) real and finite (default all ones), cast to ``rt``."""
    if weights is None:
        return jnp.ones((n,), rt)
    if not is_traced(weights):
        arr = np.asarray(weights)
        if arr.dtype.kind not in "fiub":
            raise ValueError(f"Argument `weights` must be a real array, got dtype {arr.dtype}.")
    shape = tuple(np.shape(weights))
    if shape != (n,):
        raise ValueError(f"Argument `weights` must have shape (N,) with N = {n}, got {shape}.")
    check_finite("weights", weights)
    return jnp.asarray(weights).astype(rt)


# ---------------------------------------------------------------------------------------------
# Pure probes.
# ---------------------------------------------------------------------------------------------


def qfi_pure(mps: MPS, weights: ArrayLike | None = None) -> jax.Array:
    """QFI of a pure probe: F_Q = 4 (<H^2> - <H>^2), H = sum_j w_j Z_j / 2 (SPEC [5.1]).

    One renormalised sweep of the bond-2 MPO of H (O(N chi^3), N = 10^5 is fine). The encoding
    phases do not matter (H commutes with R(phi)).

    Args:
        mps: probe, tensors (N, chi, 2, chi) (a ray: it need not be normalised).
        weights: (N,) real, default all ones.
    Returns:
        Real scalar (float64 under x64, whatever the probe's dtype).

    Examples:
        >>> import jaxqring as jq
        >>> float(jq.qfi_pure(jq.ghz(100)))  # N^2
        10000.0...
    """
    mps = check_mps(mps)
    w = check_weights(weights, mps.num_sites, K.accumulation_dtype(mps.dtype))
    return KF.qfi_pure_sweep(mps, w)


class PureQFIReport(NamedTuple):
    """SPEC Theorem 1 (A8) for a pure probe: qfi = heisenberg - penalty - mean_term.

    Fields (real scalars):
        qfi: 4 Var(H).
        heisenberg: ||w||_1^2, the maximum over all pure states.
        penalty: 4 sum_{|lambda| < Lambda} q_lambda (Lambda^2 - lambda^2) = 4 (Lambda^2 - <H^2>).
        mean_term: 4 <H>^2.
        q_off: total weight off the two extremal eigenvectors |sigma>, |sigma-bar>.
        penalty_bound: 4 q_off w_min (||w||_1 - w_min) <= penalty.
    """

    qfi: jax.Array
    heisenberg: jax.Array
    penalty: jax.Array
    mean_term: jax.Array
    q_off: jax.Array
    penalty_bound: jax.Array


def pure_qfi_report(mps: MPS, weights: ArrayLike | None = None) -> PureQFIReport:
    """The Theorem-1 decomposition F_Q = ||w||_1^2 - penalty - 4<H>^2 of a pure probe [5.3].

    GHZ (sign-adapted for mixed-sign weights, A7) has penalty = mean_term = 0; every other probe
    falls short by exactly penalty + mean_term, and penalty >= penalty_bound.

    Args:
        mps: probe (N, chi, 2, chi). weights: (N,) real and nonzero (default all ones).
    Returns:
        ``PureQFIReport``.
    """
    mps = check_mps(mps)
    w = check_weights(weights, mps.num_sites, K.accumulation_dtype(mps.dtype))
    if not is_traced(w) and np.any(np.asarray(w) == 0):
        raise ValueError("Argument `weights` must be nonzero for the Theorem-1 report (SPEC A8).")
    return PureQFIReport(*KF.pure_qfi_terms(mps, w))


# ---------------------------------------------------------------------------------------------
# Noisy GHZ probes from the density MPO.
# ---------------------------------------------------------------------------------------------


def _ghz_inputs(noise, n, weights, name="n"):
    cdt = K.default_complex_dtype()
    check_noise_memory(name, n, cdt)  # before anything of length N is allocated
    noise = check_noise(noise, n)
    check_phase_covariant(noise, purpose="the GHZ block formula", alternative="use qfi_mixed (N <= 12)")
    w = check_weights(weights, n, K.real_dtype(cdt))
    return w, prepare_noise(noise, n, cdt)


def _underflow_check(value, log_value, name: str) -> None:
    """A QFI that is positive but below the float range must not come back as 0.0."""
    if is_traced(value) or is_traced(log_value):
        return
    v, lv = np.asarray(value), np.asarray(log_value, np.float64)
    bad = (v == 0) & np.isfinite(lv)
    if np.any(bad):
        first = float(lv[bad].flat[0])
        raise ValueError(
            f"Argument `log`: the QFI at this `{name}` is exp({first:.6g}) = {_format_exp(first)}, "
            f"which underflows to 0.0 in {v.dtype}; pass log=True for ln F (exact at any N), or "
            "enable jax_enable_x64 for float64."
        )


def _format_exp(log_value: float) -> str:
    """exp(log_value) in scientific notation, also beyond the float range."""
    d = log_value / math.log(10.0)
    e = math.floor(d)
    return f"{10 ** (d - e):.3g}e{e:+d}"


def ghz_qfi(
    noise: NoiseModel | None, n: int, *, weights: ArrayLike | None = None, sign_adapted: bool = False, log: bool = False
) -> jax.Array:
    """Exact QFI of the GHZ probe under local phase-covariant noise, from the density MPO.

    Three transfer sweeps over the bond-4 MPO give the {|0^N>, |1^N>} block populations a, d and
    coherence c; then F = W^2 4|c|^2/(a + d) (SPEC §5): W^2 eta^(2N) for dephasing [5.5],
    W^2 (1-p)^(2N)/((1-p/2)^N + (p/2)^N) for depolarising [5.6], 2 W^2 (1-g)^N/(1+g^N+(1-g)^N)
    for amplitude damping [5.7], and their compositions, with per-node parameters. Readout errors
    do not change the state and are ignored. Computed in log space (no underflow at N = 10^5).

    Args:
        noise: ``NoiseModel`` of dephasing/depolarizing/amplitude_damping (+ readout) or None.
        n: number of nodes N >= 1.
        weights: (N,) real (default ones).
        sign_adapted: use (|sigma> + |sigma-bar>)/sqrt(2), sigma_j = [w_j < 0] (A7), whose
            noiseless QFI is ||w||_1^2; default the standard GHZ (noiseless QFI (sum w)^2).
        log: return ln F instead of F. Everything is computed in log space, so ln F is exact at
            any N; F itself leaves the float range when ln F < -103 (float32) or -744 (float64),
            e.g. dephasing p = 0.01 at N = 10^4 gives F = 3.3e-168.
    Returns:
        Real scalar (float64 under ``jax_enable_x64``, else float32). With ``log=False`` a
        positive F below the float range raises a ValueError (pointing to ``log=True``) instead
        of returning 0.0; under ``jit``/``grad`` (traced inputs) it cannot raise, so use
        ``log=True`` there for large noisy N.

    Examples:
        >>> import jaxqring as jq
        >>> round(float(jq.ghz_qfi(jq.dephasing(0.01), 10_000, log=True)), 1)  # ln(N^2 eta^(2N))
        -385.6
    """
    n = check_int("n", n, minimum=1)
    if not isinstance(log, bool):
        raise ValueError(f"Argument `log` must be True or False, got {log!r}.")
    w, local = _ghz_inputs(noise, n, weights)
    if log:
        return KF.ghz_qfi_sweep(w, local, prefixes=False, sign_adapted=bool(sign_adapted), log=True)
    f = KF.ghz_qfi_sweep(w, local, prefixes=False, sign_adapted=bool(sign_adapted))
    if not is_traced(f) and np.any(np.asarray(f) == 0):  # zero or underflow? ask the log sweep
        _underflow_check(f, KF.ghz_qfi_sweep(w, local, prefixes=False, sign_adapted=bool(sign_adapted), log=True), "n")
    return f


def ghz_qfi_profile(
    noise: NoiseModel | None, n_max: int, *, weights: ArrayLike | None = None, sign_adapted: bool = False, log: bool = False
) -> jax.Array:
    """QFI of the n-node GHZ probe for every n = 1..n_max, in one MPO sweep.

    The length-n prefix of the GHZ MPS closed with its right boundary is the n-node GHZ state,
    so one sweep that closes the chain after each site gives all n (node j uses weights[j] and
    the j-th per-node noise parameters). ``argmax`` of the result is the GHZ optimum N*
    (compare :func:`ghz_optimal_size`, [5.10]).

    Args:
        noise, weights, sign_adapted: as in :func:`ghz_qfi`.
        n_max: largest group size >= 1.
        log: return ln F(n) (exact at any n) instead of F(n); see :func:`ghz_qfi`.
    Returns:
        Real array (n_max,); entry n - 1 is F(n) (or ln F(n)). With ``log=False``, entries far
        beyond the optimum whose F is below the float range read 0.0 (use ``log=True`` for them).
    """
    n_max = check_int("n_max", n_max, minimum=1)
    if not isinstance(log, bool):
        raise ValueError(f"Argument `log` must be True or False, got {log!r}.")
    w, local = _ghz_inputs(noise, n_max, weights, name="n_max")
    if log:
        return KF.ghz_qfi_sweep(w, local, prefixes=True, sign_adapted=bool(sign_adapted), log=True)
    # No underflow error here: a profile is read for its maximum (N*), and the entries far past
    # it may legitimately read 0.0 in float32; ``log=True`` gives them exactly.
    return KF.ghz_qfi_sweep(w, local, prefixes=True, sign_adapted=bool(sign_adapted))


def ghz_optimal_size(p: ArrayLike) -> tuple[int, float]:
    """GHZ size maximising N^2 eta^(2N) under dephasing p (SPEC [5.10]), and that maximum.

    N* is the better of floor(x), ceil(x) with x = 1/ln(1/eta), eta = 1 - 2p.

    Examples:
        >>> import jaxqring as jq
        >>> jq.ghz_optimal_size(0.01)  # (49, 331.5...)
        (49, 331.5...)
    """
    p = check_real("p", p, minimum=0.0, maximum=0.5, exclusive_minimum=True)
    if p >= 0.5:
        raise ValueError(f"Argument `p` must be < 0.5 (eta > 0), got {p}.")
    eta = 1 - 2 * p
    x = 1 / math.log(1 / eta)
    lo, hi = max(1, math.floor(x)), max(1, math.ceil(x))
    # exact ties (eta = m/(m+1): p = 0.1 gives 4 and 5, p = 0.01 gives 49 and 50) go to the
    # smaller group, by the same rule as optimal_size_from_profile
    best = hi if hi * hi * eta ** (2 * hi) > lo * lo * eta ** (2 * lo) * (1 + TIE_RTOL) else lo
    return best, best * best * eta ** (2 * best)


def optimal_size_from_profile(profile: ArrayLike) -> tuple[int, float]:
    """(N*, F(N*)) from a QFI profile F(1), ..., F(n_max) (e.g. :func:`ghz_qfi_profile`).

    Tie rule of the package: N* is the *smallest* n whose F(n) is within a relative
    ``TIE_RTOL`` = 1e-9 of the maximum, so an exact tie (p = 0.1: F(4) = F(5) under dephasing)
    goes to the smaller, cheaper group whatever the rounding of the sweep, and the result agrees
    with :func:`ghz_optimal_size`. A plain ``argmax`` would pick whichever rounding favours.

    Args:
        profile: shape=(n_max,), real, finite.
    Returns:
        (N* as int in [1, n_max], F(N*) as float).

    Examples:
        >>> import jaxqring as jq
        >>> optimal_size_from_profile(jq.ghz_qfi_profile(jq.dephasing(0.1), 12))[0]
        4
    """
    prof = np.asarray(profile, dtype=np.float64)
    if prof.ndim != 1 or prof.size < 1:
        raise ValueError(f"Argument `profile` must have shape (n_max,) with n_max >= 1, got {prof.shape}.")
    check_finite("profile", prof)
    best = float(np.max(prof))
    n_star = int(np.flatnonzero(prof >= best * (1 - TIE_RTOL))[0]) + 1
    return n_star, float(prof[n_star - 1])


def dephasing_qfi_bound(n: int, p: ArrayLike) -> float:
    """N eta^2/(1 - eta^2): QFI bound for any N-qubit probe under dephasing p (SPEC A18, [5.9])."""
    n = check_int("n", n, minimum=1)
    p = check_real("p", p, minimum=0.0, maximum=1.0, exclusive_minimum=True)
    eta = 1 - 2 * p
    return n * eta**2 / (1 - eta**2)


# ---------------------------------------------------------------------------------------------
# Classical Fisher information of the parity readout.
# ---------------------------------------------------------------------------------------------


def _axis_observables(axes, n: int, dtype) -> jax.Array:
    """(N, 2, 2): n_j . sigma for unit Bloch vectors n_j = axes[j] / |axes[j]|."""
    shape = tuple(np.shape(axes))
    if shape != (n, 3):
        raise ValueError(f"Argument `axes` must have shape (N, 3) = ({n}, 3), got {shape}.")
    if not is_traced(axes):
        arr = np.asarray(axes)
        if arr.dtype.kind not in "fiub":
            raise ValueError(f"Argument `axes` must be a real array, got dtype {arr.dtype}.")
        check_finite("axes", arr)
        if np.any(np.linalg.norm(arr, axis=1) == 0):
            raise ValueError("Argument `axes` must have nonzero rows (Bloch directions).")
    ax = jnp.asarray(axes).astype(K.real_dtype(dtype))
    ax = ax / jnp.linalg.norm(ax, axis=1, keepdims=True)
    return jnp.einsum("nk,kab->nab", ax.astype(dtype), K.pauli_matrices(dtype))


def parity_cfi(
    mps: MPS,
    theta: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    noise: NoiseModel | None = None,
    basis: str = "x",
    axes: ArrayLike | None = None,
    phases: ArrayLike | None = None,
) -> jax.Array:
    """Classical Fisher information of the parity readout: F_C = (d<Pi>/dtheta)^2 / (1 - <Pi>^2).

    <Pi>(theta) is the exact reported-parity expectation of the noisy probe with encoding phases
    ``phases + theta * weights`` (a transfer sweep over the density MPO), and its derivative is
    taken by forward-mode autodiff through the same sweep. The full outcome string has the same
    F_C for GHZ (the parity is sufficient there, SPEC §5). For GHZ: W^2 V^2 sin^2 Phi /
    (1 - V^2 cos^2 Phi) [5.8]. Undefined (nan) where |<Pi>| = 1 exactly.

    Bound: a local channel that maps X -> c X and Y -> c Y (Heisenberg picture) gives
    <Pi> = (prod_j c_j) f(theta) for EVERY probe read out in the X-Y plane, hence
    F_C <= ||w||_1^2 prod_j c_j^2 (= N^2 c^(2N) for unit weights), attained by the (sign-adapted)
    GHZ at cos Phi = 0. The contraction factor c is 1 - 2p for dephasing p, 1 - p for
    depolarizing p (convention (1 - p) rho + p I/2) and sqrt(1 - gamma) for amplitude damping.

    Args:
        mps: probe, tensors (N, chi, 2, chi).
        theta: real scalar or array (...,) of working points.
        weights: (N,) real (default ones).
        noise: optional ``NoiseModel`` (readout errors included).
        basis: readout bases, as in :func:`jaxqring.parity_expectation`.
        axes: optional real (N, 3) Bloch directions (normalised here), replacing ``basis``:
            node j measures n_j . sigma and still reports one +-1 outcome; differentiable, so
            readout directions can be optimised together with the probe.
        phases: optional (N,) fixed phase offsets (radians), default zeros.
    Returns:
        Real array of ``theta``'s shape.
    """
    mps = check_mps(mps)
    n = mps.num_sites
    rt = K.real_dtype(mps.dtype)
    w = check_weights(weights, n, rt)
    offsets = jnp.zeros((n,), rt) if phases is None else check_phases(phases, mps)
    if offsets.shape != (n,):
        raise ValueError(f"Argument `phases` must have shape (N,) = ({n},), got {offsets.shape}.")
    check_finite("theta", theta)
    th = jnp.asarray(theta).astype(rt)
    if axes is None:
        sigma = K.pauli_matrices(mps.dtype)[jnp.asarray(basis_codes(basis, n))]
    else:
        sigma = _axis_observables(axes, n, mps.dtype)
    local = prepare_noise(check_noise(noise, n), n, mps.dtype)
    out = KF.parity_cfi_sweep(mps, local, th.reshape(-1), w, offsets, sigma)
    return out.reshape(th.shape)


# ---------------------------------------------------------------------------------------------
# Dense oracles (N <= 12).
# ---------------------------------------------------------------------------------------------


def _check_dense_mps(mps) -> MPS:
    mps = check_mps(mps)
    if mps.num_sites > MAX_DENSE_NODES:
        raise ValueError(
            f"Argument `mps` must have N <= {MAX_DENSE_NODES} sites for a dense density matrix, "
            f"got {mps.num_sites}."
        )
    return mps


def density_matrix(mps: MPS, phases: ArrayLike | None = None, *, noise: NoiseModel | None = None) -> jax.Array:
    """Dense noisy encoded state rho (2^N, 2^N), C2 ordering, trace 1 (oracle; N <= 12).

    Built from the dense probe vector by applying each node's superoperator (before-channels,
    R(phases[j]), after-channels); readout errors do not act on the state.

    Args:
        mps: probe (N, chi, 2, chi). phases: (N,) radians or None (zeros).
        noise: optional ``NoiseModel``.
    """
    mps = _check_dense_mps(mps)
    n = mps.num_sites
    ph = jnp.zeros((n,), K.real_dtype(mps.dtype)) if phases is None else check_phases(phases, mps)
    if ph.shape != (n,):
        raise ValueError(f"Argument `phases` must have shape (N,) = ({n},), got {ph.shape}.")
    return KF.dense_density_matrix(mps, prepare_noise(check_noise(noise, n), n, mps.dtype), ph)


def _sld_tol(dtype) -> float:
    return 1e-12 if jnp.finfo(dtype).bits >= 64 else 1e-6


def _check_hermitian(name: str, m, dim: int | None = None) -> jax.Array:
    shape = tuple(jnp.shape(m))
    if len(shape) != 2 or shape[0] != shape[1] or shape[0] < 2 or shape[0] & (shape[0] - 1):
        raise ValueError(f"Argument `{name}` must be a (2^N, 2^N) matrix, got shape {shape}.")
    if dim is not None and shape[0] != dim:
        raise ValueError(f"Argument `{name}` must have shape ({dim}, {dim}), got {shape}.")
    check_finite(name, m)
    if not is_traced(m):
        arr = np.asarray(m)
        scale = max(1.0, float(np.max(np.abs(arr))))
        err = float(np.max(np.abs(arr - arr.conj().T)))
        if err > 1e-8 * scale:
            raise ValueError(
                f"Argument `{name}` must be Hermitian, got max |{name} - {name}^dagger| = {err:.3g}."
            )
    return jnp.asarray(m)


def qfi_dense(rho: ArrayLike, *, weights: ArrayLike | None = None, drho: ArrayLike | None = None) -> jax.Array:
    """QFI of a dense density matrix by the SLD/eigendecomposition formula (SPEC [5.2]).

    F = 2 sum_{a,b: l_a + l_b > tol} |<a| drho |b>|^2 / (l_a + l_b), tol = 1e-12 (float64) or
    1e-6 (float32). ``drho`` defaults to -i [H, rho] with H = sum_j w_j Z_j / 2 (the unitary
    family). Differentiable: a custom JVP uses the SLD (dF = 2 Re Tr(L d drho) - Tr(L^2 d rho)),
    so gradients stay finite at degenerate spectra (they assume the rank of rho is locally
    constant).

    Args:
        rho: (2^N, 2^N) Hermitian, trace 1. weights: (N,) real (default ones).
        drho: optional (2^N, 2^N) Hermitian derivative d rho / d theta.
    Returns:
        Real scalar.
    """
    rho = _check_hermitian("rho", rho)
    dim = rho.shape[0]
    n = dim.bit_length() - 1
    if not is_traced(rho):
        tr = complex(np.trace(np.asarray(rho)))
        if abs(tr - 1) > 1e-6:
            raise ValueError(f"Argument `rho` must have trace 1, got {tr:.6g}.")
    cdt = jnp.promote_types(rho.dtype, jnp.complex64)
    rho = rho.astype(cdt)
    if drho is None:
        w = check_weights(weights, n, K.real_dtype(cdt))
        return KF.qfi_dense_unitary(rho, w, _sld_tol(cdt))
    drho = _check_hermitian("drho", drho, dim).astype(cdt)
    return KF.qfi_dense_given(rho, drho, _sld_tol(cdt))


def qfi_mixed(
    mps: MPS, theta: ArrayLike = 0.0, *, weights: ArrayLike | None = None, noise: NoiseModel | None = None, phases: ArrayLike | None = None
) -> jax.Array:
    """QFI of a noisy MPS probe from its dense density matrix (oracle; N <= 12).

    rho(theta) is :func:`density_matrix` with phases ``phases + theta * weights``; d rho/d theta
    comes from forward-mode autodiff (so channels that do not commute with R(phi), e.g. a bit
    flip after the encoding, are handled exactly), then the SLD formula :func:`qfi_dense`.

    Args:
        mps: probe (N <= 12 sites). theta: real scalar working point.
        weights: (N,) real (default ones). noise: optional ``NoiseModel``.
        phases: optional (N,) fixed offsets (radians).
    Returns:
        Real scalar.
    """
    mps = _check_dense_mps(mps)
    n = mps.num_sites
    rt = K.real_dtype(mps.dtype)
    w = check_weights(weights, n, rt)
    offsets = jnp.zeros((n,), rt) if phases is None else check_phases(phases, mps)
    th = jnp.asarray(check_real("theta", theta)).astype(rt)
    local = prepare_noise(check_noise(noise, n), n, mps.dtype)
    return KF.qfi_mixed_dense(mps, local, th, w, offsets, _sld_tol(mps.dtype))
