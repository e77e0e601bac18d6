"""Public readout API: exact parity expectations and shot sampling of phase-encoded probes.

Shapes: ``phases`` is (..., N) (radians, node j applies R(phases[..., j]) = diag(1, e^{i phi})):
leading axes are coordinates (and any further batch axes) and share the one probe ``mps``.
``basis`` is ``"x"``, ``"y"`` or ``"z"`` (every node), ``"sine"`` (node 0 in Y, the rest in X:
SPEC §3 sine variant), or a string of N letters from ``"xyz"`` (one per node).
Outcome bits follow SPEC C4: bit m means eigenvalue (-1)^m; the parity bit is the XOR of all.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from . import kernels as K
from ._checks import check_choice, check_finite, check_int, is_traced
from ._probes import MPS, check_mps

METHODS = ("auto", "mps", "closed_form")


def basis_codes(basis, n: int) -> np.ndarray:
    """Per-node basis codes (N,) int32 (0 = X, 1 = Y, 2 = Z) from a basis specification."""
    if isinstance(basis, str):
        b = basis.lower()
        if b == "sine":
            return np.array([K.BASIS_Y] + [K.BASIS_X] * (n - 1), np.int32)
        if len(b) == 1 and b in K.BASIS_LETTERS:
            return np.full((n,), K.BASIS_LETTERS.index(b), np.int32)
        if len(b) == n and all(c in K.BASIS_LETTERS for c in b):
            return np.array([K.BASIS_LETTERS.index(c) for c in b], np.int32)
        bad = sorted({c for c in b if c not in K.BASIS_LETTERS})
        detail = f"unknown letters {bad}" if bad else f"length {len(b)}"
        raise ValueError(
            "Argument `basis` must be 'x', 'y', 'z', 'sine' or a string of N = "
            f"{n} letters from 'xyz', got {basis!r} ({detail})."
        )
    raise ValueError(f"Argument `basis` must be a string, got {type(basis).__name__}.")


def check_phases(phases, mps: MPS) -> jax.Array:
    """Validate phases of shape (..., N), real and finite; cast to the probe's real dtype."""
    n = mps.num_sites
    rt = K.real_dtype(mps.dtype)
    if not is_traced(phases):
        arr = np.asarray(phases)
        if arr.dtype.kind == "c":
            raise ValueError("Argument `phases` must be real (radians), got a complex array.")
        if arr.dtype.kind not in "fiub":
            raise ValueError(f"Argument `phases` must be a real array, got dtype {arr.dtype}.")
    shape = tuple(jnp.shape(phases))
    if len(shape) < 1 or shape[-1] != n:
        raise ValueError(
            f"Argument `phases` must have shape (..., N) with N = {n} (one phase per node), "
            f"got {shape}."
        )
    check_finite("phases", phases)
    return jnp.asarray(phases).astype(rt)


def _coordinate_keys(key, batch: int):
    if not is_traced(key):
        arr = key
        if not (
            jnp.issubdtype(getattr(arr, "dtype", None), jax.dtypes.prng_key)
            or (np.asarray(arr).dtype == np.uint32 and np.shape(arr) == (2,))
        ):
            raise ValueError(
                "Argument `key` must be a JAX PRNG key (jax.random.key(seed) or "
                f"jax.random.PRNGKey(seed)), got {key!r}."
            )
    return jax.random.split(key, batch)


@jax.jit
def _parity_expectation(mps: MPS, phases: jax.Array, codes: jax.Array) -> jax.Array:
    mant, logs = jax.vmap(K.pauli_log_expectation, in_axes=(None, 0, None))(mps, phases, codes)
    return mant * jnp.exp(logs)


@jax.jit
def _log_abs_parity(mps: MPS, phases: jax.Array, codes: jax.Array):
    mant, logs = jax.vmap(K.pauli_log_expectation, in_axes=(None, 0, None))(mps, phases, codes)
    return jnp.sign(mant), jnp.log(jnp.abs(mant)) + logs


def parity_expectation(mps: MPS, phases, basis="x") -> jax.Array:
    """Exact expectation of the product of all N single-qubit readouts, <sigma_0 ... sigma_{N-1}>.

    For GHZ this is cos(Phi) (X basis, SPEC [3.2]) or sin(Phi) (``basis="sine"``, [3.4]) with
    Phi = sum_j phases[j]. Computed by a renormalised transfer-matrix sweep, exact at N = 10^5.

    Args:
        mps: probe, tensors (N, chi, 2, chi).
        phases: (..., N) real, radians.
        basis: see module docstring.
    Returns:
        Real array of shape ``phases.shape[:-1]`` in the probe's real dtype.

    Example:
        >>> import jaxqring as jq
        >>> float(jq.parity_expectation(jq.ghz(3), [0.5, 0.5, 0.5], basis="sine"))  # sin(1.5)
        0.9974...
    """
    mps = check_mps(mps)
    ph = check_phases(phases, mps)
    codes = jnp.asarray(basis_codes(basis, mps.num_sites))
    batch = ph.shape[:-1]
    out = _parity_expectation(mps, ph.reshape(-1, mps.num_sites), codes)
    return out.reshape(batch)


def log_abs_parity_expectation(mps: MPS, phases, basis="x") -> tuple[jax.Array, jax.Array]:
    """(sign, log|<sigma_0 ... sigma_{N-1}>|) for values that underflow (e.g. noisy, N = 10^4)."""
    mps = check_mps(mps)
    ph = check_phases(phases, mps)
    codes = jnp.asarray(basis_codes(basis, mps.num_sites))
    batch = ph.shape[:-1]
    sign, logabs = _log_abs_parity(mps, ph.reshape(-1, mps.num_sites), codes)
    return sign.reshape(batch), logabs.reshape(batch)


@functools.partial(jax.jit, static_argnames=("num_shots", "parity_only", "closed_form"))
def _sample(key, mps, phases, codes, *, num_shots, parity_only, closed_form):
    keys = jax.random.split(key, phases.shape[0])
    if closed_form:

        def one(k, ph):
            p_odd = K.ghz_parity_probability(K.ghz_effective_phase(ph, codes))
            if parity_only:
                return K.ghz_sample_parity(k, p_odd, num_shots)
            return K.ghz_sample_bits(k, p_odd, mps.num_sites, num_shots)

        return jax.vmap(one)(keys, phases)
    envs = K.right_environments(mps)
    return jax.vmap(
        lambda k, ph: K.sample_bits(k, mps, envs, ph, codes, num_shots, parity_only=parity_only)
    )(keys, phases)


def _prepare_sampling(key, mps, phases, shots, basis, method):
    mps = check_mps(mps)
    ph = check_phases(phases, mps)
    shots = check_int("shots", shots, minimum=1)
    method = check_choice("method", method, METHODS)
    codes = basis_codes(basis, mps.num_sites)
    closed_ok = mps.kind == K.KIND_GHZ and bool(np.all(codes != K.BASIS_Z))
    if method == "closed_form" and not closed_ok:
        raise ValueError(
            "Argument `method` = 'closed_form' needs the exact GHZ probe (jaxqring.ghz) read out "
            "in X/Y bases only."
        )
    closed = closed_ok and method != "mps"
    batch = ph.shape[:-1]
    flat = ph.reshape(-1, mps.num_sites)
    _coordinate_keys(key, 1)  # validates the key before tracing
    return mps, flat, jnp.asarray(codes), shots, closed, batch


def sample(key, mps: MPS, phases, shots: int, basis="x", *, packed: bool = False, method="auto"):
    """Sample all N single-qubit outcomes, ``shots`` times per coordinate.

    Args:
        key: JAX PRNG key (results reproduce for the same key, shapes, method and jax version).
        mps: probe, tensors (N, chi, 2, chi).
        phases: (..., N) real, radians; leading axes are coordinates.
        shots: number of shots S >= 1 per coordinate.
        basis: see module docstring.
        packed: if True, pack the N bits of each string little-endian into bytes (numpy
            ``packbits`` with ``bitorder="little"``), last axis ceil(N/8).
        method: ``"auto"`` (closed form for the exact GHZ probe in X/Y bases, else the MPS
            sampler), ``"mps"`` (always the sequential MPS sampler) or ``"closed_form"``.
    Returns:
        uint8 array of shape (..., S, N) of outcome bits, or (..., S, ceil(N/8)) if packed.
    """
    mps, flat, codes, shots, closed, batch = _prepare_sampling(key, mps, phases, shots, basis, method)
    bits = _sample(key, mps, flat, codes, num_shots=shots, parity_only=False, closed_form=closed)
    bits = bits.reshape(batch + (shots, mps.num_sites))
    if packed:
        return jnp.packbits(bits, axis=-1, bitorder="little")
    return bits


def sample_parity(key, mps: MPS, phases, shots: int, basis="x", *, method="auto") -> jax.Array:
    """Sample only the parity bit (XOR of all N outcomes) of each shot.

    Same arguments as :func:`sample`. The MPS path never stores the N outcome bits, and the
    closed-form GHZ path draws one Bernoulli per shot with P(1) = (1 - cos Phi_eff)/2.

    Returns:
        uint8 array of shape (..., S); bit 1 means parity -1.
    """
    mps, flat, codes, shots, closed, batch = _prepare_sampling(key, mps, phases, shots, basis, method)
    par = _sample(key, mps, flat, codes, num_shots=shots, parity_only=True, closed_form=closed)
    return par.reshape(batch + (shots,))
