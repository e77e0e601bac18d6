"""The distributed circuit model of Gilboa, Michaeli, Soudry, McClean (NeurIPS 2024).

Alice holds the input x (amplitude-encoded on n = ceil(log2 N) qubits, zero-padded) and unitaries
A_l(theta); Bob holds B_l(theta) and an observable O with ||O|| <= 1. One copy of

    |psi(theta)> = B_L A_L ... B_1 A_1 |x>,     F(theta) = <psi|O|psi>,

travels Alice -> Bob -> Alice -> ... -> Bob: 2L - 1 messages of n qubits each. Every unitary is a
product of Pauli rotations exp(-i theta_k P_k / 2) (theta in radians, any Pauli string P_k).

What is simulated here exactly (state vector, ``jaxqring.kernels.statevector``): F, its gradient by
the forward/backward-feature formula dF/dtheta = <beta| dU |alpha> + c.c. (slides, seed 003), and
the two-term parameter-shift estimator with binomial shot noise. What is only *costed*: the
shadow-tomography route to all P gradient components with polylog(P, N) copies (Aaronson 2018;
the paper's Theorem, which we could not read; see :func:`shadow_copies_claim`).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from .._accounting import CommCost
from .._checks import check_finite, check_int, check_key, check_real, is_traced
from ..kernels import statevector as KSV

PAULI_LETTERS = "IXYZ"
# Dense observables above this many qubits would not fit comfortably (2^n x 2^n complex).
MAX_DENSE_QUBITS = 12
# Largest register simulated (2^26 complex128 amplitudes = 1 GiB per vector).
MAX_QUBITS = 26


def _parse_pauli(name: str, string, num_qubits: int) -> tuple[int, int, int]:
    """(xmask, zmask, num_y) of a Pauli string; letter k acts on qubit k (MSB first, SPEC C2)."""
    if not isinstance(string, str) or len(string) != num_qubits:
        raise ValueError(
            f"Argument `{name}` must hold Pauli strings of length {num_qubits} over 'IXYZ', got {string!r}."
        )
    xmask = zmask = num_y = 0
    for k, letter in enumerate(string.upper()):
        if letter not in PAULI_LETTERS:
            raise ValueError(
                f"Argument `{name}` has unknown Pauli letter {letter!r} in {string!r}; allowed: 'I', 'X', 'Y', 'Z'."
            )
        bit = 1 << (num_qubits - 1 - k)
        if letter in "XY":
            xmask |= bit
        if letter in "ZY":
            zmask |= bit
        num_y += letter == "Y"
    return xmask, zmask, num_y


@functools.partial(
    jax.tree_util.register_dataclass,
    data_fields=["xmasks", "zmasks", "num_ys", "slots"],
    meta_fields=["num_qubits", "num_layers", "strings", "owners"],
)
@dataclasses.dataclass(frozen=True)
class DistributedCircuit:
    """A layered Pauli-rotation circuit split between Alice (even layers) and Bob (odd layers).

    Attributes:
        num_qubits: n (static).
        num_layers: 2L unitaries A_1, B_1, ..., A_L, B_L (static).
        strings: per unitary, the tuple of its Pauli strings (static).
        owners: per unitary, "alice" or "bob" (static).
        xmasks, zmasks, num_ys: shape=(2L, G), int32; G = most rotations in one unitary; padding
            slots are identity rotations (masks 0, theta fixed at 0).
        slots: shape=(2L, G), int32: index of the flat parameter driving each slot, or -1 (padding).
    """

    num_qubits: int
    num_layers: int
    strings: tuple
    owners: tuple
    xmasks: Array
    zmasks: Array
    num_ys: Array
    slots: Array

    @property
    def num_params(self) -> int:
        """P, the number of trainable rotation angles."""
        return sum(len(s) for s in self.strings)

    @property
    def num_messages(self) -> int:
        """Qubit messages per copy: 2L - 1 (Alice starts, Bob measures)."""
        return self.num_layers - 1

    def padded_thetas(self, thetas: Array) -> Array:
        """Flat angles shape=(..., P) -> shape=(..., 2L, G) (padding slots get 0)."""
        slots = jnp.asarray(self.slots)
        out = jnp.take(thetas, jnp.where(slots >= 0, slots, 0), axis=-1)
        return jnp.where(slots >= 0, out, jnp.zeros_like(out))


def distributed_circuit(num_qubits: int, alice: Sequence[Sequence[str]], bob: Sequence[Sequence[str]]) -> DistributedCircuit:
    """Build the circuit B_L A_L ... B_1 A_1 from Pauli strings.

    Args:
        num_qubits: n >= 1 (the register holds N <= 2^n amplitudes).
        alice: L unitaries, each a sequence of Pauli strings (length n over 'IXYZ'); A_l's
            rotations act in the order given.
        bob: L unitaries likewise.

    Returns:
        :class:`DistributedCircuit` with parameters ordered A_1, B_1, A_2, ... and, inside one
        unitary, in the order given.

    Examples:
        >>> c = distributed_circuit(2, [["XI"]], [["ZZ", "YI"]])
        >>> c.num_params, c.num_messages
        (3, 1)
    """
    num_qubits = check_int("num_qubits", num_qubits, minimum=1, maximum=MAX_QUBITS)
    for name, side in (("alice", alice), ("bob", bob)):
        if isinstance(side, str) or not isinstance(side, Sequence) or len(side) == 0:
            raise ValueError(f"Argument `{name}` must be a non-empty list of unitaries (lists of Pauli strings), got {side!r}.")
    if len(alice) != len(bob):
        raise ValueError(f"Arguments `alice` and `bob` must hold the same number L of unitaries, got {len(alice)} and {len(bob)}.")
    layers, owners = [], []
    for a, b in zip(alice, bob):
        for name, u in (("alice", a), ("bob", b)):
            if isinstance(u, str) or not isinstance(u, Sequence):
                raise ValueError(f"Argument `{name}` must hold lists of Pauli strings, got {u!r}.")
            layers.append(tuple(str(s).upper() if isinstance(s, str) else s for s in u))
            owners.append(name)
    width = max(1, max(len(u) for u in layers))
    xm = np.zeros((len(layers), width), np.int32)
    zm = np.zeros_like(xm)
    ny = np.zeros_like(xm)
    slots = -np.ones_like(xm)
    p = 0
    for li, (u, owner) in enumerate(zip(layers, owners)):
        for g, s in enumerate(u):
            xm[li, g], zm[li, g], ny[li, g] = _parse_pauli(owner, s, num_qubits)
            slots[li, g] = p
            p += 1
    return DistributedCircuit(num_qubits, len(layers), tuple(layers), tuple(owners), xm, zm, ny, slots)


def random_circuit(seed: int, num_qubits: int, num_layers: int, rotations_per_unitary: int) -> DistributedCircuit:
    """A circuit with L = ``num_layers`` (A, B) pairs of random Pauli strings (numpy ``seed``).

    Each string draws its letters uniformly from 'IXYZ' (redrawn if all 'I'). For tests and
    benchmarks; there is no claim that such circuits are the paper's models.
    """
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    num_qubits = check_int("num_qubits", num_qubits, minimum=1, maximum=MAX_QUBITS)
    num_layers = check_int("num_layers", num_layers, minimum=1)
    k = check_int("rotations_per_unitary", rotations_per_unitary, minimum=1)

    def draw():
        while True:
            s = "".join(rng.choice(list(PAULI_LETTERS), size=num_qubits))
            if set(s) != {"I"}:
                return s

    alice = [[draw() for _ in range(k)] for _ in range(num_layers)]
    bob = [[draw() for _ in range(k)] for _ in range(num_layers)]
    return distributed_circuit(num_qubits, alice, bob)


# ------------------------------------------------------------------------------------- inputs


def encode_amplitudes(x, num_qubits: int | None = None) -> Array:
    """Amplitude encoding |x> = x / ||x||, zero-padded to 2^n entries (n = ceil(log2 N) by default).

    Args:
        x: shape=(..., N), real or complex, every row non-zero and finite.
        num_qubits: n with 2^n >= N (default ceil(log2 N), at least 1).

    Returns:
        shape=(..., 2^n), complex (complex128 with x64), unit norm along the last axis.

    Examples:
        >>> encode_amplitudes([3.0, 4.0, 0.0]).shape
        (4,)
    """
    arr = jnp.asarray(x)
    if arr.ndim < 1 or arr.shape[-1] < 1:
        raise ValueError(f"Argument `x` must have shape (..., N) with N >= 1, got {arr.shape}.")
    length = arr.shape[-1]
    need = max(1, (length - 1).bit_length())
    if num_qubits is None:
        num_qubits = need
    num_qubits = check_int("num_qubits", num_qubits, minimum=1, maximum=MAX_QUBITS)
    if length > 2**num_qubits:
        raise ValueError(f"Argument `x` must have length N <= 2^num_qubits = {2**num_qubits}, got N = {length}.")
    check_finite("x", arr)
    cdt = jax.dtypes.canonicalize_dtype(jnp.complex128)
    arr = arr.astype(cdt)
    norm = jnp.linalg.norm(arr, axis=-1, keepdims=True)
    if not is_traced(norm) and bool(np.any(np.asarray(norm) == 0)):
        raise ValueError("Argument `x` must have non-zero norm (every row), got a zero vector.")
    pad = [(0, 0)] * (arr.ndim - 1) + [(0, 2**num_qubits - length)]
    return jnp.pad(arr / norm, pad)


def pauli_observable(string: str) -> Array:
    """A Pauli-string observable: its diagonal (2^n,) if it has only I/Z letters, else a dense matrix.

    Dense matrices are built for n <= 12 only. Eigenvalues are +-1 (so ||O|| = 1).
    """
    if not isinstance(string, str) or not string:
        raise ValueError(f"Argument `observable` must be a non-empty Pauli string, got {string!r}.")
    n = len(string)
    xm, zm, ny = _parse_pauli("observable", string, n)
    cdt = jax.dtypes.canonicalize_dtype(jnp.complex128)
    if xm == 0:
        c = np.arange(2**n)
        parity = np.array([bin(v & zm).count("1") & 1 for v in c]) if n <= 16 else None
        if parity is None:
            parity = np.asarray(jax.lax.population_count(jnp.bitwise_and(jnp.arange(2**n), zm)) & 1)
        return jnp.asarray(1 - 2 * parity, jax.dtypes.canonicalize_dtype(jnp.float64))
    if n > MAX_DENSE_QUBITS:
        raise ValueError(f"Argument `observable`: a non-diagonal Pauli observable needs n <= {MAX_DENSE_QUBITS}, got n = {n}.")
    eye = jnp.eye(2**n, dtype=cdt)
    return jax.vmap(lambda col: KSV.apply_pauli(col, xm, zm, ny), in_axes=1, out_axes=1)(eye)


def check_observable(observable, num_qubits: int) -> Array:
    """Validate O: a real diagonal (2^n,) with |d| <= 1, or a Hermitian (2^n, 2^n) with ||O|| <= 1.

    A Pauli string (e.g. ``"ZIII"``) is accepted and converted by :func:`pauli_observable`.
    """
    if isinstance(observable, str):
        observable = pauli_observable(observable)
    obs = jnp.asarray(observable)
    dim = 2**num_qubits
    if obs.shape == (dim,):
        check_finite("observable", obs)
        if jnp.iscomplexobj(obs):
            if not is_traced(obs) and np.max(np.abs(np.imag(np.asarray(obs)))) > 1e-12:
                raise ValueError("Argument `observable` must be Hermitian: a diagonal observable must be real.")
            obs = jnp.real(obs)
        if not is_traced(obs) and np.max(np.abs(np.asarray(obs))) > 1 + 1e-12:
            raise ValueError("Argument `observable` must have operator norm <= 1 (|diagonal entries| <= 1).")
        return obs.astype(jax.dtypes.canonicalize_dtype(jnp.float64))
    if obs.shape == (dim, dim):
        if num_qubits > MAX_DENSE_QUBITS:
            raise ValueError(f"Argument `observable`: dense observables need n <= {MAX_DENSE_QUBITS}, got n = {num_qubits}.")
        check_finite("observable", obs)
        if not is_traced(obs):
            o = np.asarray(obs)
            if np.max(np.abs(o - o.conj().T)) > 1e-10:
                raise ValueError("Argument `observable` must be Hermitian (O == O^dagger), got a non-Hermitian matrix.")
            # ||O|| <= max row sum of |O_ij| (cheap, exact for Pauli strings); spectrum only if needed
            if np.abs(o).sum(axis=1).max() > 1 + 1e-10 and np.max(np.abs(np.linalg.eigvalsh(o))) > 1 + 1e-10:
                raise ValueError("Argument `observable` must have operator norm <= 1.")
        return obs.astype(jax.dtypes.canonicalize_dtype(jnp.complex128))
    raise ValueError(f"Argument `observable` must have shape ({dim},) (diagonal) or ({dim}, {dim}), got {obs.shape}.")


def _check_thetas(circuit: DistributedCircuit, thetas) -> Array:
    t = jnp.asarray(thetas)
    if t.ndim < 1 or t.shape[-1] != circuit.num_params:
        raise ValueError(f"Argument `thetas` must have shape (..., P) with P = {circuit.num_params}, got {t.shape}.")
    check_finite("thetas", t)
    return t.astype(jax.dtypes.canonicalize_dtype(jnp.float64))


def _physical_memory_bytes() -> int | None:
    try:
        import os

        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _check_state(circuit: DistributedCircuit, x) -> Array:
    """Accept raw data x (..., N <= 2^n): encode it, after checking that one state's working set fits."""
    need = _BUFFERS_PER_STATE * 2**circuit.num_qubits * 16
    have = _physical_memory_bytes()
    if have is not None and need > have:
        raise ValueError(
            f"Argument `circuit` has n = {circuit.num_qubits} qubits: the state-vector sweep needs about "
            f"{need / 2**30:.1f} GiB, more than this machine's {have / 2**30:.1f} GiB."
        )
    return encode_amplitudes(x, circuit.num_qubits)


# ---------------------------------------------------------------------------- simulation core


def _flat(circuit: DistributedCircuit, padded: Array):
    g = padded.shape[-1] * circuit.num_layers
    return (
        padded.reshape(g),
        jnp.asarray(circuit.xmasks).reshape(g),
        jnp.asarray(circuit.zmasks).reshape(g),
        jnp.asarray(circuit.num_ys).reshape(g),
    )


@jax.jit
def _value_and_grad_one(circuit, thetas, psi0, obs):
    padded = circuit.padded_thetas(thetas)
    value, g = KSV.adjoint_gradient(psi0, *_flat(circuit, padded), obs)
    # scatter slot gradients back to flat parameters (padding slots have slot -1: dropped)
    slots = jnp.asarray(circuit.slots).reshape(-1)
    grad = jnp.zeros(thetas.shape, g.dtype).at[jnp.where(slots >= 0, slots, thetas.shape[0])].add(g, mode="drop")
    return value, grad


@jax.jit
def _value_one(circuit, thetas, psi0, obs):
    padded = circuit.padded_thetas(thetas)
    psi = KSV.apply_rotations(psi0, *_flat(circuit, padded))
    return KSV.expectation(psi, obs)


# Working-set budget of one batched call; larger batches are streamed in chunks (lax.map).
MEMORY_BUDGET_BYTES = 2 * 2**30
# Live state-sized buffers of the adjoint sweep (psi, beta, gathered copies, temporaries).
_BUFFERS_PER_STATE = 8


def _chunk_size(batch: int, dim: int, itemsize: int) -> int:
    per = _BUFFERS_PER_STATE * dim * itemsize
    return max(1, min(batch, MEMORY_BUDGET_BYTES // per))


def _batched(fn, circuit, thetas, psi, obs):
    """vmap ``fn`` over leading axes: thetas (S, P) or (P,), psi (B, 2^n) or (2^n,).

    Inputs are streamed in chunks when B * (a few state vectors) would exceed
    :data:`MEMORY_BUDGET_BYTES` (estimated before allocating).
    """
    f = fn
    if psi.ndim == 2:
        chunk = _chunk_size(psi.shape[0], psi.shape[1], psi.dtype.itemsize)
        if chunk < psi.shape[0]:
            inner = fn

            def f(c, t, ps, o):
                out = jax.lax.map(lambda p1: inner(c, t, p1, o), ps, batch_size=chunk)
                return out

        else:
            f = jax.vmap(f, in_axes=(None, None, 0, None))
    elif psi.ndim != 1:
        raise ValueError(f"Argument `x` must have shape (N,) or (B, N), got {psi.shape}.")
    if thetas.ndim == 2:
        f = jax.vmap(f, in_axes=(None, 0, None, None))
    elif thetas.ndim != 1:
        raise ValueError(f"Argument `thetas` must have shape (P,) or (S, P), got {thetas.shape}.")
    return f(circuit, thetas, psi, obs)


def circuit_expectation(circuit: DistributedCircuit, thetas, x, observable) -> Array:
    """F(theta, x) = <psi|O|psi>, exact (state vector), batched.

    Args:
        circuit: from :func:`distributed_circuit`.
        thetas: shape=(P,) or (S, P), radians.
        x: raw input, shape=(N,) or (B, N), N <= 2^n (amplitude-encoded here).
        observable: diagonal (2^n,), dense (2^n, 2^n) Hermitian with ||O|| <= 1, or a Pauli string.

    Returns:
        real, shape=() / (B,) / (S,) / (S, B).

    Examples:
        >>> c = distributed_circuit(1, [["Y"]], [["I"]])
        >>> abs(float(circuit_expectation(c, jnp.array([jnp.pi / 2, 0.0]), jnp.array([1.0, 0.0]), "Z"))) < 1e-6
        True
    """
    t = _check_thetas(circuit, thetas)
    psi = _check_state(circuit, x)
    obs = check_observable(observable, circuit.num_qubits)
    return _batched(_value_one, circuit, t, psi, obs)


def circuit_gradient(circuit: DistributedCircuit, thetas, x, observable) -> tuple[Array, Array]:
    """(F, dF/dtheta) by the forward/backward-feature (adjoint) formula; batched like F.

    Returns:
        ``(value, grad)``: value shaped as in :func:`circuit_expectation`, grad with a trailing P axis.
    """
    t = _check_thetas(circuit, thetas)
    psi = _check_state(circuit, x)
    obs = check_observable(observable, circuit.num_qubits)
    return _batched(_value_and_grad_one, circuit, t, psi, obs)


class Features(NamedTuple):
    """Forward/backward features of one input (all complex, shape=(2L, 2^n) unless stated)."""

    value: Array  # shape=(), real: F
    alphas: Array  # alpha_l = U_{l-1} ... U_1 |x>: the state entering unitary l
    betas: Array  # beta_l = U_{l+1}^dag ... O |psi>: O|psi> pulled back to the output of unitary l
    grad: Array  # shape=(P,), real: dF/dtheta from <beta_l| dU_l |alpha_l> + c.c., layer by layer


@jax.jit
def _features_one(circuit, thetas, psi0, obs):
    padded = circuit.padded_thetas(thetas)
    xm, zm, ny = (jnp.asarray(a) for a in (circuit.xmasks, circuit.zmasks, circuit.num_ys))
    value, alphas, betas = KSV.layer_features(psi0, padded, xm, zm, ny, obs)
    g = jax.vmap(KSV.feature_gradient)(alphas, betas, padded, xm, zm, ny).reshape(-1)
    slots = jnp.asarray(circuit.slots).reshape(-1)
    grad = jnp.zeros(thetas.shape, g.dtype).at[jnp.where(slots >= 0, slots, thetas.shape[0])].add(g, mode="drop")
    return Features(value, alphas, betas, grad)


def circuit_features(circuit: DistributedCircuit, thetas, x, observable) -> Features:
    """Forward features alpha_l, backward features beta_l and the gradient assembled from them.

    This is the slides' formula F'_l = <beta_l| dU_l/dtheta |alpha_l> + h.c. evaluated unitary by
    unitary; in the distributed protocol alpha_l is what the owner of U_l receives and beta_l
    what flows back. One input, one parameter set (memory 2 * 2L * 2^n amplitudes).
    """
    t = _check_thetas(circuit, thetas)
    psi = _check_state(circuit, x)
    if t.ndim != 1 or psi.ndim != 1:
        raise ValueError("Arguments `thetas` and `x` must be single (unbatched) for circuit_features.")
    obs = check_observable(observable, circuit.num_qubits)
    return _features_one(circuit, t, psi, obs)


# ------------------------------------------------------------------------- shot-noise estimators


class ShiftEstimate(NamedTuple):
    """Two-term parameter-shift estimates with binomial shot noise (one input, one theta)."""

    estimate: Array  # shape=(P,), real: g_hat_k = (K+_k - K-_k) / shots
    exact: Array  # shape=(P,), real: [F(theta + pi/2 e_k) - F(theta - pi/2 e_k)] / 2 = dF/dtheta_k
    variance: Array  # shape=(P,), real: exact Var g_hat_k = (2 - F+^2 - F-^2) / (4 shots)
    f_plus: Array  # shape=(P,), real: F at theta + pi/2 e_k
    f_minus: Array  # shape=(P,), real
    copies: int  # 2 * P * shots copies of the state consumed
    cost: CommCost  # the quantum ledger of those copies


@jax.jit
def _shifted_values(circuit, thetas, psi0, obs):
    p = thetas.shape[0]
    shifts = (jnp.pi / 2) * jnp.eye(p, dtype=thetas.dtype)
    fp = jax.vmap(lambda s: _value_one(circuit, thetas + s, psi0, obs))(shifts)
    fm = jax.vmap(lambda s: _value_one(circuit, thetas - s, psi0, obs))(shifts)
    return fp, fm


def parameter_shift(key, circuit: DistributedCircuit, thetas, x, observable, *, shots: int) -> ShiftEstimate:
    """Parameter-shift gradient estimate with the exact shot-noise law of a +-1 measurement.

    For each of the P angles, ``shots`` copies are run at theta + pi/2 e_k and ``shots`` at
    theta - pi/2 e_k. Each copy ends with a two-outcome measurement whose +1 probability is
    (1 + F)/2: for a +-1-valued O (a Pauli string, a reflection) this *is* measuring O; for any
    other O with ||O|| <= 1 it is measuring O and then outputting +1 with probability (1 + lambda)/2
    (an unbiased binarisation). So K+-_k ~ Binomial(shots, (1 + F+-_k)/2) independently and

        g_hat_k = (K+_k - K-_k) / shots,   E g_hat_k = dF/dtheta_k,
        Var g_hat_k = (2 - F+_k^2 - F-_k^2) / (4 shots).

    Args:
        key: JAX PRNG key.
        circuit, thetas (P,), x (N,), observable: as in :func:`circuit_expectation` (unbatched).
        shots: copies per shifted evaluation (>= 1).

    Returns:
        :class:`ShiftEstimate` (``copies`` = 2 P shots; ``cost`` = copies x (2L - 1) n qubits).
    """
    key = check_key("key", key)
    shots = check_int("shots", shots, minimum=1)
    t = _check_thetas(circuit, thetas)
    psi = _check_state(circuit, x)
    if t.ndim != 1 or psi.ndim != 1:
        raise ValueError("Arguments `thetas` and `x` must be single (unbatched) for parameter_shift.")
    obs = check_observable(observable, circuit.num_qubits)
    fp, fm = _shifted_values(circuit, t, psi, obs)
    est = sample_shift_estimate(key, fp, fm, shots=shots)
    var = (2 - fp**2 - fm**2) / (4 * shots)
    copies = 2 * circuit.num_params * shots
    return ShiftEstimate(est, (fp - fm) / 2, var, fp, fm, copies, copy_cost(circuit, copies))


def sample_shift_estimate(key, f_plus, f_minus, *, shots: int) -> Array:
    """Draw g_hat = (K+ - K-)/shots with K+- ~ Binomial(shots, (1 + F+-)/2), independently.

    Args:
        key: JAX PRNG key. f_plus, f_minus: shape=(P,), real in [-1, 1]. shots: int >= 1.

    Returns:
        shape=(P,), real (multiples of 1/shots). Traceable (vmap over keys for repetitions).
    """
    kp, km = jax.random.split(key)
    pp = jnp.clip((1 + jnp.asarray(f_plus)) / 2, 0.0, 1.0)
    pm = jnp.clip((1 + jnp.asarray(f_minus)) / 2, 0.0, 1.0)
    cp = jax.random.binomial(kp, shots, pp)
    cm = jax.random.binomial(km, shots, pm)
    return (cp - cm) / shots


def copy_cost(circuit: DistributedCircuit, copies: int) -> CommCost:
    """Ledger of ``copies`` independent runs of the circuit: (2L - 1) n qubits each.

    Copies travel in parallel, so the sequential rounds are the 2L - 1 hops of one copy.
    """
    copies = check_int("copies", copies, minimum=0)
    per = circuit.num_messages * circuit.num_qubits
    return CommCost(online_qubits=copies * per, rounds=circuit.num_messages if copies else 0)


def shots_for_error(eps: float, delta: float, num_estimates: int = 1) -> int:
    """Shots M so that all ``num_estimates`` +-1-shot estimates are within eps w.p. >= 1 - delta.

    Hoeffding for a mean of M terms in [-1, 1] plus a union bound:
    P(|g_hat - g| >= eps) <= 2 exp(-M eps^2 / 2), so M = ceil(2 ln(2 P / delta) / eps^2).
    (Holds both for F itself and for the parameter-shift g_hat = mean of (s+ - s-)/2.)
    """
    eps = check_real("eps", eps, minimum=0.0, maximum=2.0, exclusive_minimum=True)
    delta = check_real("delta", delta, minimum=0.0, maximum=1.0, exclusive_minimum=True)
    p = check_int("num_estimates", num_estimates, minimum=1)
    return math.ceil(2 * math.log(2 * p / delta) / eps**2)


def shadow_copies_claim(num_params: int, num_qubits: int, eps: float) -> dict[str, float]:
    """Copy counts *claimed* by shadow tomography for P two-outcome observables (costed, not simulated).

    Aaronson (STOC 2018, "Shadow tomography of quantum states") bounds the copies by
    O~(log^4 P * n / eps^4); Badescu and O'Donnell (STOC 2021, "Improved quantum data analysis")
    by O~(log^2 P * n / eps^4) (n = log2 of the dimension). Hidden constants and log log factors
    are unknown to us: the numbers returned are the bare expressions with constant 1, useful only
    for their *shape* in P and n. Gradient observables need one ancilla (Hadamard test), so n + 1
    qubits are used. The paper's own polylog(P, N) statement (its Theorem) could not be read.
    """
    p = check_int("num_params", num_params, minimum=1)
    n = check_int("num_qubits", num_qubits, minimum=1)
    eps = check_real("eps", eps, minimum=0.0, exclusive_minimum=True)
    lp = max(1.0, math.log2(p))
    return {
        "aaronson_2018": lp**4 * (n + 1) / eps**4,
        "badescu_odonnell_2021": lp**2 * (n + 1) / eps**4,
    }


def measured_gradient_copies(
    key, circuit: DistributedCircuit, thetas, x, observable, *, eps: float, delta: float = 0.05, trials: int = 200
) -> dict[str, int]:
    """Smallest shots M (found by doubling + bisection) with max_k |g_hat_k - g_k| <= eps in at least
    a fraction 1 - delta of ``trials`` simulated parameter-shift runs; copies = 2 P M.

    Returns a dict with ``shots``, ``copies`` and the Hoeffding + union bound ``hoeffding_copies``.
    """
    key = check_key("key", key)
    eps = check_real("eps", eps, minimum=0.0, maximum=2.0, exclusive_minimum=True)
    delta = check_real("delta", delta, minimum=0.0, maximum=1.0, exclusive_minimum=True)
    trials = check_int("trials", trials, minimum=1)
    t = _check_thetas(circuit, thetas)
    psi = _check_state(circuit, x)
    obs = check_observable(observable, circuit.num_qubits)
    fp, fm = _shifted_values(circuit, t, psi, obs)
    exact = (fp - fm) / 2
    pp, pm = jnp.clip((1 + fp) / 2, 0, 1), jnp.clip((1 + fm) / 2, 0, 1)

    def ok(m: int, k) -> bool:
        ka, kb = jax.random.split(k)
        cp = jax.random.binomial(ka, m, jnp.broadcast_to(pp, (trials, pp.shape[0])))
        cm = jax.random.binomial(kb, m, jnp.broadcast_to(pm, (trials, pm.shape[0])))
        err = jnp.max(jnp.abs((cp - cm) / m - exact[None, :]), axis=1)
        return float(jnp.mean(err <= eps)) >= 1 - delta

    keys = iter(jax.random.split(key, 64))
    hi = 1
    while not ok(hi, next(keys)):
        hi *= 2
    lo = hi // 2
    while hi - lo > max(1, hi // 64):  # 1.5 % resolution is enough for a copy count
        mid = (lo + hi) // 2
        if ok(mid, next(keys)):
            hi = mid
        else:
            lo = mid
    p = circuit.num_params
    return {"shots": hi, "copies": 2 * p * hi, "hoeffding_copies": 2 * p * shots_for_error(eps, delta, p)}


# ------------------------------------------------------------------------------ the two ledgers


def inference_costs(circuit: DistributedCircuit, *, eps: float, delta: float, bits: int = 32) -> dict[str, CommCost]:
    """Quantum vs classical ledger of estimating F to +-eps with probability >= 1 - delta.

    quantum: M = :func:`shots_for_error` copies, each (2L - 1) messages of n qubits.
    classical_pipeline: the same alternation with the 2^n complex amplitudes sent as 2 * 2^n words
        of ``bits`` bits, once (deterministic simulation needs no repetitions).
    classical_send_input: Alice sends x and her P_A angles (N = 2^n real words) and Bob finishes
        alone: 2^n * bits + P_A * bits (one message).
    These classical protocols are upper bounds; the lower bound for the paper's hard instances is
    VSP's (see :mod:`._vsp`).
    """
    bits = check_int("bits", bits, minimum=1)
    m = shots_for_error(eps, delta, 1)
    dim = 2**circuit.num_qubits
    p_alice = sum(len(s) for s, o in zip(circuit.strings, circuit.owners) if o == "alice")
    return {
        "quantum": copy_cost(circuit, m),
        "classical_pipeline": CommCost(bits_sent=circuit.num_messages * 2 * dim * bits, rounds=circuit.num_messages),
        "classical_send_input": CommCost(bits_sent=(dim + p_alice) * bits, rounds=1),
    }
