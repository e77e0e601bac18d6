"""Privacy measured: what the broadcast readout reveals beyond the sum (SPEC §3, §7).

After verification the nodes encode R(phi_j) on each untested copy, measure X (node 0 measures Y
in the sine variant) and broadcast the bits. For an honest GHZ the outcome law depends on
Phi = sum_j phi_j only, so the classical Fisher information about the *difference* of two
nodes' phases at a fixed sum (direction v = e_a - e_b) is exactly zero; an attack that changes
the state can make it positive (|+>^N reveals every phase: I = 2 per copy). :func:`leakage`
measures it, exactly by enumerating all 2^N strings (N <= 12) or by the score-function estimator
I = E[(d/dt log p(m; phi + t v))^2] over exact MPS/MPO samples, with its standard error.
Units: 1/rad^2 per copy.
"""

from __future__ import annotations

import math
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .._checks import check_choice, check_finite, check_int, check_key, check_real
from ..kernels import stabilizer as SK
from ._attacks import Adaptive, Honest, check_attack
from ._engine import AttackedCopy, attacked_copy, check_nodes, detection_probability
from ._protocol import iid_acceptance_probability

MAX_EXACT_NODES = 12
METHODS = ("auto", "exact", "score")


class Leakage(NamedTuple):
    """Fisher information (1/rad^2, per copy) of the broadcast bits about a phase difference.

    Fields:
        fisher: the value (exact, or the estimator's mean).
        stderr: 0 for exact enumeration, else the Monte Carlo standard error.
        method: "exact" or "score". num_samples: 0 for "exact".
    """

    fisher: float
    stderr: float
    method: str
    num_samples: int


def _readout_codes(n: int, sine: bool):
    codes = jnp.full((n,), SK.CODE_X, jnp.int32)
    return codes.at[0].set(SK.CODE_Y) if sine else codes


@jax.jit
def _exact(copy: AttackedCopy, phases, direction, codes):
    return SK.fisher_enumerated(copy.mpo, copy.after, copy.readout, phases, direction, codes)[0]


@partial(jax.jit, static_argnums=(5,))
def _scores(key, copy: AttackedCopy, phases, direction, codes, num_samples):
    return SK.score_samples(key, copy.mpo, copy.after, copy.readout, phases, direction, codes, num_samples)


def _phases(phases, n: int):
    if phases is None:
        return jnp.full((n,), math.pi / 4)
    arr = np.asarray(phases, dtype=float)
    if arr.shape != (n,):
        raise ValueError(f"Argument `phases` must have shape ({n},), got {arr.shape}.")
    check_finite("phases", arr)
    return jnp.asarray(arr)


def leakage(
    attack, n: int, *, nodes=(0, 1), phases=None, noise=None, sine: bool = False, method: str = "auto",
    num_samples: int = 4096, key=None,
) -> Leakage:
    """Fisher information about phi_a - phi_b (at fixed sum) in one copy's broadcast outcomes.

    Args:
        attack: attack pytree (an ``adaptive`` attack is measured on a corrupted copy).
        n: nodes N >= 2. nodes: the two honest nodes (a, b), distinct, in [0, N-1].
        phases: (N,) radians at which the information is evaluated (default pi/4 everywhere:
            away from the points where a single-qubit readout is degenerate).
        noise: optional ``NoiseModel`` (before/after the encoding, readout flips).
        sine: node 0 measures Y instead of X (SPEC §3 sine variant).
        method: "exact" (enumeration, N <= 12), "score" (estimator; needs ``key``), or "auto".
        num_samples: samples of the score estimator.
        key: PRNG key for "score".
    Returns:
        ``Leakage``.

    Examples:
        >>> import jaxqring.security as sec
        >>> round(sec.leakage(sec.substitute("plus"), 4).fisher, 3)  # one bit of each phase
        2.0
    """
    check_attack(attack)
    n = check_nodes(n)
    method = check_choice("method", method, METHODS)
    try:
        a, b = (int(x) for x in nodes)
    except (TypeError, ValueError):
        raise ValueError(f"Argument `nodes` must be two node indices, got {nodes!r}.") from None
    for x in (a, b):
        check_int("nodes", x, minimum=0, maximum=n - 1)
    if a == b:
        raise ValueError(f"Argument `nodes` must name two distinct nodes, got {nodes!r}.")
    if method == "auto":
        method = "exact" if n <= MAX_EXACT_NODES else "score"
    if method == "exact" and n > MAX_EXACT_NODES:
        raise ValueError(f"Argument `method` 'exact' needs n <= {MAX_EXACT_NODES} (2^N strings), got n = {n}.")
    ph = _phases(phases, n)
    direction = jnp.zeros((n,), ph.dtype).at[a].set(1.0).at[b].set(-1.0)
    copy = attacked_copy(attack, n, noise)
    codes = _readout_codes(n, sine)
    if method == "exact":
        return Leakage(float(_exact(copy, ph, direction, codes)), 0.0, "exact", 0)
    if key is None:
        raise ValueError("Argument `key` must be a JAX PRNG key for method 'score', got None.")
    check_key("key", key)
    num_samples = check_int("num_samples", num_samples, minimum=2)
    s2 = np.asarray(_scores(key, copy, ph, direction, codes, num_samples)) ** 2
    return Leakage(float(s2.mean()), float(s2.std(ddof=1) / math.sqrt(num_samples)), "score", num_samples)


class ExpectedLeakage(NamedTuple):
    """Leakage once verification runs: per attacked copy, acceptance, and their product."""

    per_copy: float
    acceptance: float
    after_verification: float


def expected_leakage(attack, n: int, k: int, *, noise=None, **leakage_options) -> ExpectedLeakage:
    """Leakage per copy times the probability that the run is accepted (perfect-pass rule).

    Every copy carries the attack (i.i.d.), so acceptance is (1 - d)^K with d the attack's
    detection probability relative to honest noise: with noise, the honest copies' own failure
    rate is included in d (the perfect-pass rule then also rejects honest runs).
    """
    k = check_int("k", k, minimum=1)
    if isinstance(attack, Adaptive):
        raise ValueError("Argument `attack` must be non-adaptive here (all copies attacked).")
    leak = leakage(attack, n, noise=noise, **leakage_options).fisher
    d = float(detection_probability(attack, n, noise=noise))
    acc = 1.0 if isinstance(attack, Honest) and noise is None else float(iid_acceptance_probability(k, min(max(d, 0.0), 1.0)))
    return ExpectedLeakage(leak, acc, leak * acc)


class ProbeInformation(NamedTuple):
    """What the entangling probe's ancilla learns about one node's phase phi_a (1/rad^2).

    Fields:
        ancilla_qfi: QFI of the ancilla alone (0: local encodings cannot signal to it).
        broadcast_fisher: classical FI of the broadcast bits (everybody hears them).
        joint_qfi: QFI of the ancilla together with the broadcast bits (the adversary's view).
        honest_fisher: FI the honest nodes' broadcast bits carry about Phi without the attack (1).
    """

    ancilla_qfi: float
    broadcast_fisher: float
    joint_qfi: float
    honest_fisher: float


def probe_information(theta, *, phase_sum=math.pi / 4) -> ProbeInformation:
    """Exact information about phi_a gained by the controlled-RX(theta) probe on one transit qubit.

    After the probe, encoding and X readout, the copy is (|0^N>|0>_A + e^{i Phi}|1^N>|alpha>_A)/sqrt 2
    with |alpha> = RX(theta)|0>; the outcome parity pi has p(pi) = (1 + pi cos(theta/2) cos Phi)/2
    and leaves the ancilla in the pure state ~ |0> + pi e^{i Phi} |alpha>. Everything depends on
    phi_a only through Phi = sum_j phi_j, so this is information about the *sum*: at theta = pi
    the honest readout becomes uniform (broadcast FI 0) while the adversary's joint QFI is 1, i.e.
    the probe steals the aggregate rather than an individual input. Independent of N and of the
    link. No honest noise.

    Args:
        theta: probe angle in [0, 2 pi] radians. phase_sum: Phi, radians.
    Returns:
        ``ProbeInformation``.
    """
    theta = check_real("theta", theta, minimum=0.0, maximum=2 * math.pi)
    phi = check_real("phase_sum", phase_sum)

    def parts(big_phi):
        alpha = jnp.array([jnp.cos(theta / 2), -1j * jnp.sin(theta / 2)])
        zero = jnp.array([1.0 + 0j, 0.0])
        out = []
        for par in (1.0, -1.0):
            v = (zero + par * jnp.exp(1j * big_phi) * alpha) / 2  # p(parity) = ||v||^2 (N-independent)
            out.append(v)
        return jnp.stack(out)

    v = parts(jnp.asarray(phi))
    # forward derivative in Phi of the two unnormalised conditional states
    _, dv = jax.jvp(parts, (jnp.asarray(phi),), (jnp.ones(()),))
    p = jnp.sum(jnp.abs(v) ** 2, axis=1)
    dp = 2 * jnp.real(jnp.sum(jnp.conj(v) * dv, axis=1))
    fisher = float(jnp.sum(jnp.where(p > 1e-15, dp**2 / jnp.where(p > 1e-15, p, 1), 0.0)))
    # QFI of each normalised conditional pure state psi = v/|v|: 4 (<d psi|d psi> - |<psi|d psi>|^2)
    qfi = 0.0
    for i in range(2):
        if float(p[i]) <= 1e-15:
            continue
        norm = jnp.sqrt(p[i])
        psi = v[i] / norm
        dpsi = dv[i] / norm - v[i] * (dp[i] / (2 * p[i])) / norm
        q = 4 * (jnp.real(jnp.vdot(dpsi, dpsi)) - jnp.abs(jnp.vdot(psi, dpsi)) ** 2)
        qfi += float(p[i] * q)
    honest = 1.0  # p(pi) = (1 + pi cos Phi)/2 has Fisher information 1 about Phi
    return ProbeInformation(0.0, fisher, fisher + qfi, honest)
