"""Public readout API: exact parity expectations and shot sampling of phase-encoded probes.

Shapes: ``phases`` is (..., N) (radians, node j applies R(phases[..., j]) = diag(1, e^{i phi})):
leading axes are coordinates (and any further batch axes) and share the one probe ``mps``.
``basis`` is ``"x"``, ``"y"`` or ``"z"`` (every node), ``"sine"`` (node 0 in Y, the rest in X:
SPEC §3 sine variant), or a string of N letters from ``"xyz"`` (one per node).
Outcome bits follow SPEC C4: bit m means eigenvalue (-1)^m; the parity bit is the XOR of all.

Every function takes ``noise=`` (a :class:`jaxqring.NoiseModel`, default None = noiseless). With
noise, expectations are exact transfer sweeps over the probe's density MPO (bond chi**2,
:mod:`jaxqring.kernels._mpo`), and reported bits include readout errors.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from . import kernels as K
from ._checks import (
    check_choice,
    check_finite,
    check_int,
    check_key,
    check_memory,
    coordinate_layout,
    is_traced,
)
from ._noise import NoiseModel, check_noise, check_noise_memory, local_noise
from ._probes import MPS, check_mps
from .kernels.parallel.columns import map_columns

METHODS = ("auto", "mps", "mpo", "trajectory", "closed_form")


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
    shape = tuple(jnp.shape(phases) if is_traced(phases) else np.shape(phases))
    if len(shape) < 1 or shape[-1] != n:
        raise ValueError(
            f"Argument `phases` must have shape (..., N) with N = {n} (one phase per node), "
            f"got {shape}."
        )
    check_finite("phases", phases)
    if isinstance(phases, jax.Array):  # device data stays on its device
        return phases if phases.dtype == rt else phases.astype(rt)
    # Host data stays on the host: the jitted consumer moves it with its other arguments, which
    # costs far less than an eager transfer and cast (small problems are dispatch-bound).
    return np.asarray(phases, dtype=rt)


@functools.partial(jax.jit, static_argnames=("log", "chunk", "mesh"))
def _parity(mps: MPS, noise: NoiseModel | None, phases, codes, *, log, chunk, mesh):
    """Parity per coordinate of ``phases`` (..., N) (leading axes kept): the value, or (sign,
    log|value|) if ``log``. Transfer sweep over the probe (noise None) or over its density MPO,
    whose per-node channels are built in the same program; coordinates streamed by ``chunk`` and
    sharded over ``mesh`` (:func:`jaxqring.kernels.parallel.columns.map_columns`)."""
    n = mps.num_sites
    local = None if noise is None else local_noise(noise, n, mps.dtype)
    batch = phases.shape[:-1]

    def block(_, cols):
        rows = cols.T
        if local is None:
            return jax.vmap(K.pauli_log_expectation, in_axes=(None, 0, None))(mps, rows, codes)
        return jax.vmap(K.noisy_pauli_log_expectation, in_axes=(None, None, 0, None))(mps, local, rows, codes)

    mant, logs = map_columns(block, None, phases.reshape(-1, n).T, chunk=chunk, mesh=mesh)
    if log:
        return jnp.sign(mant).reshape(batch), (jnp.log(jnp.abs(mant)) + logs).reshape(batch)
    return (mant * jnp.exp(logs)).reshape(batch)


def _validated_parity(mps, phases, basis, noise, max_batch, mesh, *, log):
    mps = check_mps(mps)
    ph = check_phases(phases, mps)
    codes = basis_codes(basis, mps.num_sites)
    noise = check_noise(noise, mps.num_sites)
    if noise is not None:
        check_noise_memory("noise", mps.num_sites, mps.dtype)
    num_coords = math.prod(ph.shape[:-1])
    # per coordinate: its phases and the sweep's per-site work (density-MPO transfer matrices)
    chi = mps.tensors.shape[1]
    per_coord = mps.num_sites * 16 * (chi**4 if noise is not None else chi**2) + 64
    chunk, mesh = coordinate_layout(max_batch, mesh, num_coords=num_coords, bytes_per_coord=per_coord)
    return _parity(mps, noise, ph, codes, log=log, chunk=chunk, mesh=mesh)


def parity_expectation(
    mps: MPS,
    phases: ArrayLike,
    basis: str = "x",
    *,
    noise: NoiseModel | None = None,
    max_batch: int | None = None,
    mesh=None,
) -> jax.Array:
    """Exact expectation of the product of all N single-qubit readouts, <sigma_0 ... sigma_{N-1}>.

    For GHZ this is cos(Phi) (X basis, SPEC [3.2]) or sin(Phi) (``basis="sine"``, [3.4]) with
    Phi = sum_j phases[j]; with phase-covariant noise it is V cos(Phi) ([3.8]). Computed by a
    renormalised transfer-matrix sweep (over the density MPO when ``noise`` is given), exact at
    N = 10^5.

    Args:
        mps: probe, tensors (N, chi, 2, chi).
        phases: (..., N) real, radians.
        basis: see module docstring.
        noise: optional ``NoiseModel`` (channels and readout errors), scalar or (N,) parameters.
        max_batch: coordinate rows swept at once, streamed inside one compiled program (None:
            as many as fit in a quarter of the free device memory).
        mesh: None, ``"all"`` or a 1-D ``jax.sharding.Mesh``: coordinate rows sharded over it.
    Returns:
        Real array of shape ``phases.shape[:-1]`` in the probe's real dtype (the same whatever
        ``max_batch`` and ``mesh``, to rounding).

    Examples:
        >>> import jaxqring as jq
        >>> float(jq.parity_expectation(jq.ghz(3), [0.5, 0.5, 0.5], basis="sine"))  # sin(1.5)
        0.9974...
    """
    return _validated_parity(mps, phases, basis, noise, max_batch, mesh, log=False)


def log_abs_parity_expectation(
    mps: MPS,
    phases: ArrayLike,
    basis: str = "x",
    *,
    noise: NoiseModel | None = None,
    max_batch: int | None = None,
    mesh=None,
) -> tuple[jax.Array, jax.Array]:
    """(sign, log|<sigma_0 ... sigma_{N-1}>|) for values that underflow (e.g. noisy, N = 10^4).

    Same arguments as :func:`parity_expectation`; returns two real arrays of shape
    ``phases.shape[:-1]`` (log is -inf where the expectation is exactly 0).
    """
    return _validated_parity(mps, phases, basis, noise, max_batch, mesh, log=True)


@functools.partial(
    jax.jit,
    static_argnames=("num_shots", "parity_only", "packed", "method", "ghz_xy", "chunk", "mesh"),
)
def _sample(key, mps, noise, phases, codes, *, num_shots, parity_only, packed, method, ghz_xy, chunk, mesh):
    """Shots for every coordinate of ``phases`` (..., N), shaped (..., S) (parity bits) or
    (..., S, N) (outcome bits; (..., S, ceil(N/8)) bytes if ``packed``); one key per coordinate
    (the split of ``key``), coordinates streamed by ``chunk`` and sharded over ``mesh``.

    ``noise`` is a validated ``NoiseModel`` or None; its per-node channels are built in the same
    program. ``method`` is already resolved to "closed_form", "mps", "mpo" or "trajectory".
    """
    n = mps.num_sites
    batch = phases.shape[:-1]
    flat = phases.reshape(-1, n)
    local = None
    if method in ("mpo", "trajectory") or noise is not None:
        local = local_noise(noise, n, mps.dtype)
    keys = jax.random.split(key, flat.shape[0])
    fn = _sample_rows(mps, local, codes, num_shots=num_shots, parity_only=parity_only, method=method, ghz_xy=ghz_xy)
    out = map_columns(lambda k, cols: fn(k, cols.T), keys, flat.T, chunk=chunk, mesh=mesh)
    out = out.reshape(batch + out.shape[1:])
    return jnp.packbits(out, axis=-1, bitorder="little") if packed else out


def _sample_rows(mps, noise, codes, *, num_shots, parity_only, method, ghz_xy):
    """``(keys (C,), phases (C, N)) -> shots`` for one block of coordinates (traced inside _sample)."""
    if method == "closed_form":

        def one(k, ph):
            if noise is None:
                p_odd = K.ghz_parity_probability(K.ghz_effective_phase(ph, codes))
            else:
                p_odd = K.ghz_noisy_parity_probability(noise, ph, codes)
            if parity_only:
                return K.ghz_sample_parity(k, p_odd, num_shots)
            return K.ghz_sample_bits(k, p_odd, mps.num_sites, num_shots)

        return jax.vmap(one)
    envs = K.right_environments(mps)
    if method == "mpo":
        fn = functools.partial(K.noisy_sample_bits, parity_only=parity_only)
        return jax.vmap(lambda k, ph: fn(k, mps, envs, noise, ph, codes, num_shots))

    def rows(keys, phases):
        # Site tables per block of sites pay off only unbatched (see K.sample_bits).
        per_block = keys.shape[0] == 1
        if method == "mps":
            fn = functools.partial(K.sample_bits, parity_only=parity_only, tables_per_block=per_block)
            return jax.vmap(lambda k, ph: fn(k, mps, envs, ph, codes, num_shots))(keys, phases)
        fn = functools.partial(K.trajectory_sample_bits, parity_only=parity_only, closed_form=ghz_xy,
                               tables_per_block=per_block)
        return jax.vmap(lambda k, ph: fn(k, mps, envs, noise, ph, codes, num_shots))(keys, phases)

    return rows


def _prepare_sampling(key, mps, phases, shots, basis, method, noise):
    mps = check_mps(mps)
    ph = check_phases(phases, mps)
    shots = check_int("shots", shots, minimum=1)
    method = check_choice("method", method, METHODS)
    noise = check_noise(noise, mps.num_sites)
    codes = basis_codes(basis, mps.num_sites)
    ghz_xy = mps.kind == K.KIND_GHZ and bool(np.all(codes != K.BASIS_Z))
    closed_ok = ghz_xy and (noise is None or noise.is_phase_covariant)
    if method == "closed_form" and not closed_ok:
        raise ValueError(
            "Argument `method` = 'closed_form' needs the exact GHZ probe (jaxqring.ghz) read out "
            "in X/Y bases only, and noise made of phase-covariant channels (dephasing, "
            "depolarizing, amplitude_damping) and readout errors."
        )
    if method == "mps" and noise is not None:
        raise ValueError(
            "Argument `method` = 'mps' samples the noiseless probe; with `noise` use 'mpo', "
            "'trajectory', 'closed_form' or 'auto'."
        )
    if method == "trajectory" and noise is not None and not noise.is_pauli:
        raise ValueError(
            "Argument `method` = 'trajectory' needs Pauli channels only (dephasing, depolarizing, "
            "bit_flip, readout errors); use 'mpo' for amplitude damping."
        )
    if method == "auto":
        method = "closed_form" if closed_ok else ("mps" if noise is None else "mpo")
    check_key("key", key)
    if method in ("mpo", "trajectory") or noise is not None:
        check_noise_memory("noise", mps.num_sites, mps.dtype)
    return mps, ph, codes, shots, method, ghz_xy, noise, math.prod(ph.shape[:-1])


# Bytes per (coordinate, shot) held for a whole call: full strings keep the uint8 bits (and a
# copy while they are transposed and reshaped), parity-only output a uint8 parity and its draw.
SAMPLE_BYTES_PER_SITE = 5
SAMPLE_BYTES_PER_SHOT = 16
# Working bytes per shot of a streamed chunk on top of those: one block of random words and
# their counters (2 x 4 bytes x K.SAMPLER_BLOCK) and the running prefix (a few 8-byte words at
# the protocol probes' small bond dimensions).
SAMPLE_WORK_BYTES_PER_SHOT = 8 * K.SAMPLER_BLOCK + 64


def _shot_bytes(shots: int, num_sites: int, parity_only: bool, *, working: bool = False) -> int:
    """Peak bytes of one coordinate's S shots: what the call returns, plus the draw's working
    state if ``working`` (per streamed chunk, so it sizes chunks, not the whole call)."""
    per_shot = SAMPLE_BYTES_PER_SHOT + (0 if parity_only else SAMPLE_BYTES_PER_SITE * int(num_sites))
    return int(shots) * (per_shot + (SAMPLE_WORK_BYTES_PER_SHOT if working else 0))


# The sequential samplers sweep every shot's running state once per site, so a streamed chunk
# whose state stays in the caches (a few words per shot) beats fewer, larger chunks: by default
# (no ``max_batch``) a chunk holds at most this many coordinate-shots.
SEQUENTIAL_CHUNK_SHOTS = 1 << 16


def _is_sequential(method: str, ghz_xy: bool) -> bool:
    """Whether ``method`` sweeps the sites shot by shot (the trajectory sampler of an X/Y-read
    GHZ probe draws from the closed form instead)."""
    return method in ("mps", "mpo") or (method == "trajectory" and not ghz_xy)


def _sampling_layout(max_batch, mesh, num_coords, shots, num_sites, *, parity_only, sequential):
    """(chunk, mesh) of the samplers: :func:`coordinate_layout` under the memory budget, then,
    for the sequential samplers and no explicit ``max_batch``, the cache cap above."""
    chunk, mesh = coordinate_layout(
        max_batch, mesh, num_coords=num_coords,
        bytes_per_coord=2 * _shot_bytes(shots, num_sites, parity_only, working=True),
    )
    if sequential and max_batch is None:
        chunk = max(1, min(chunk, SEQUENTIAL_CHUNK_SHOTS // shots))
    return chunk, mesh


def check_sample_memory(num_coords: int, shots: int, num_sites: int, *, parity_only: bool) -> None:
    """Raise a ValueError naming ``shots`` if P coordinates x S shots cannot fit in memory."""
    nbytes = int(num_coords) * _shot_bytes(shots, num_sites, parity_only)
    out = "parity bits" if parity_only else f"outcome strings of N = {int(num_sites)} bits"
    check_memory(
        "shots", nbytes,
        what=f"{int(shots)} shots x {int(num_coords)} coordinates of {out}",
        fix="draw the shots in batches (one call per key from jax.random.split, summing counts "
        "as you go) or pass fewer coordinates per call",
    )


def sample(
    key: jax.Array,
    mps: MPS,
    phases: ArrayLike,
    shots: int,
    basis: str = "x",
    *,
    packed: bool = False,
    method: str = "auto",
    noise: NoiseModel | None = None,
    max_batch: int | None = None,
    mesh=None,
) -> jax.Array:
    """Sample all N single-qubit outcomes, ``shots`` times per coordinate.

    Args:
        key: JAX PRNG key (results reproduce for the same key, shapes, method and jax version).
        mps: probe, tensors (N, chi, 2, chi).
        phases: (..., N) real, radians; leading axes are coordinates.
        shots: number of shots S >= 1 per coordinate.
        basis: see module docstring.
        packed: if True, pack the N bits of each string little-endian into bytes (numpy
            ``packbits`` with ``bitorder="little"``), last axis ceil(N/8).
        method: ``"auto"`` (closed form for the exact GHZ probe in X/Y bases under no or
            phase-covariant noise, else the MPS sampler, or the MPO sampler with noise),
            ``"mps"`` (sequential sampler of the noiseless probe), ``"mpo"`` (exact sequential
            sampler of the noisy density MPO), ``"trajectory"`` (Pauli trajectories: one Pauli
            error pattern per shot, then a pure sample; Pauli channels only; the same law as
            ``"mpo"`` by an independent route: slower for chi = 2 probes, faster at larger
            bond dimension, see ``benchmarks/bench_fisher.py``) or ``"closed_form"`` (GHZ parity law with visibility V, [3.8]).
        noise: optional ``NoiseModel``; reported bits include its readout errors.
        max_batch: coordinates sampled at once, streamed inside one compiled program (None: as
            many as fit in a quarter of the free device memory).
        mesh: None, ``"all"`` or a 1-D ``jax.sharding.Mesh``: coordinates sharded over it.
    Returns:
        uint8 array of shape (..., S, N) of outcome bits, or (..., S, ceil(N/8)) if packed.
        The same key gives the same shots whatever ``max_batch`` and ``mesh``.
    """
    mps, ph, codes, shots, method, ghz_xy, noise, num_coords = _prepare_sampling(
        key, mps, phases, shots, basis, method, noise
    )
    check_sample_memory(num_coords, shots, mps.num_sites, parity_only=False)
    chunk, mesh = _sampling_layout(
        max_batch, mesh, num_coords, shots, mps.num_sites, parity_only=False, sequential=_is_sequential(method, ghz_xy)
    )
    return _sample(
        key, mps, noise, ph, codes, num_shots=shots, parity_only=False, packed=bool(packed), method=method,
        ghz_xy=ghz_xy, chunk=chunk, mesh=mesh,
    )


def sample_parity(
    key: jax.Array,
    mps: MPS,
    phases: ArrayLike,
    shots: int,
    basis: str = "x",
    *,
    method: str = "auto",
    noise: NoiseModel | None = None,
    max_batch: int | None = None,
    mesh=None,
) -> jax.Array:
    """Sample only the parity bit (XOR of all N reported outcomes) of each shot.

    Same arguments as :func:`sample` (``max_batch`` and ``mesh`` included). The MPS/MPO paths never store the N outcome bits, and the
    closed-form GHZ path draws one Bernoulli per shot with P(1) = (1 - V cos Phi_eff)/2.

    Returns:
        uint8 array of shape (..., S); bit 1 means parity -1.
    """
    mps, ph, codes, shots, method, ghz_xy, noise, num_coords = _prepare_sampling(
        key, mps, phases, shots, basis, method, noise
    )
    check_sample_memory(num_coords, shots, mps.num_sites, parity_only=True)
    chunk, mesh = _sampling_layout(
        max_batch, mesh, num_coords, shots, mps.num_sites, parity_only=True, sequential=_is_sequential(method, ghz_xy)
    )
    return _sample(
        key, mps, noise, ph, codes, num_shots=shots, parity_only=True, packed=False, method=method,
        ghz_xy=ghz_xy, chunk=chunk, mesh=mesh,
    )
