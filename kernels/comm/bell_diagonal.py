"""Bell-diagonal two-qubit states: purification maps (BBPSSW, DEJMPS) and memory decoherence.

A Bell-diagonal pair is stored as its four coefficients in the DEJMPS order

    x = (A, B, C, D) = weights of (Phi+, Psi-, Psi+, Phi-),   shape (..., 4), sum 1,

with ``|Phi+> = (|00> + |11>)/sqrt(2)`` the target state (SPEC §2), so the fidelity is ``A``.
Qubit A (the first) is held by one end of the link and qubit B by the other. Every map here acts
elementwise over the leading axes (batch axes broadcast), so one call purifies or ages any number
of pairs.

Bell-state algebra used throughout (derived in the docstrings, checked against a dense
two-pair density-matrix simulation in ``tests/oracles/bell.py``):

* Label a Bell state by (phase bit, parity bit): Phi+ = (0, 0), Phi- = (1, 0), Psi+ = (0, 1),
  Psi- = (1, 1). A bilateral CNOT (control pair 1, target pair 2) maps parity_2 -> parity_1 xor
  parity_2 and phase_1 -> phase_1 xor phase_2. Measuring pair 2 in Z at both ends reveals its
  parity; keeping the outcome "equal" (parity 0) post-selects parity_1 = parity_2.
* The DEJMPS rotation ``exp(-i pi/4 X) (x) exp(+i pi/4 X)`` fixes Phi+ and Psi+ and swaps Psi- and
  Phi- (up to a phase), i.e. it swaps B and D.
* Local Pauli noise keeps a pair Bell-diagonal. In terms of the correlators
  ``c = (<XX>, <YY>, <ZZ>)``: A = (1 + XX - YY + ZZ)/4, B = (1 - XX - YY - ZZ)/4,
  C = (1 + XX + YY - ZZ)/4, D = (1 - XX + YY + ZZ)/4. A Z flip with probability p on one qubit
  multiplies XX and YY by (1 - 2p); depolarising ``rho -> lam rho + (1 - lam) I/2`` on one qubit
  multiplies all three by lam.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import Array

# Index of each Bell state in the DEJMPS order.
PHI_PLUS, PSI_MINUS, PSI_PLUS, PHI_MINUS = 0, 1, 2, 3

# DEJMPS order <-> Pauli-weight order (I, X, Y, Z) of the channel on qubit A of |Phi+>:
# (I (x) 1)Phi+ = Phi+, (X (x) 1)Phi+ = Psi+, (Y (x) 1)Phi+ ~ Psi-, (Z (x) 1)Phi+ = Phi-.
PAULI_FROM_DEJMPS = (0, 2, 1, 3)  # pauli[k] = x[PAULI_FROM_DEJMPS[k]]
DEJMPS_FROM_PAULI = (0, 2, 1, 3)  # x[k] = pauli[DEJMPS_FROM_PAULI[k]] (the permutation is an involution)


def _split(x: Array):
    return x[..., 0], x[..., 1], x[..., 2], x[..., 3]


def werner_coefficients(fidelity: Array) -> Array:
    """(..., 4): the Werner state F Phi+ + (1 - F)/3 (I - Phi+) in DEJMPS order (SPEC [2.3])."""
    f = jnp.asarray(fidelity)
    e = (1 - f) / 3
    return jnp.stack([f, e, e, e], axis=-1)


def twirl(x: Array) -> Array:
    """(..., 4) -> (..., 4): the isotropic (U (x) U*) twirl keeps A and spreads 1 - A evenly."""
    a = x[..., 0]
    e = (1 - a) / 3
    return jnp.stack([a, e, e, e], axis=-1)


@jax.jit
def cnot_recurrence(x: Array, y: Array) -> tuple[Array, Array]:
    """Bilateral CNOT + Z measurement of the target pair + keep on equal outcomes (no rotation).

    With x = (A, B, C, D) the control pair and y = (a, b, c, d) the target pair (DEJMPS order),
    post-selecting equal parities and adding phase bits gives (unnormalised)

        Phi+ : A a + D d      Phi- : A d + D a      (parity 0 on both pairs)
        Psi+ : C c + B b      Psi- : C b + B c      (parity 1 on both pairs)

    Returns:
        (p, out): p shape (...,) the success probability (A + D)(a + d) + (B + C)(b + c); out
        (..., 4) the normalised output coefficients of the control pair (DEJMPS order).
    """
    a1, b1, c1, d1 = _split(x)
    a2, b2, c2, d2 = _split(y)
    phi_p = a1 * a2 + d1 * d2
    phi_m = a1 * d2 + d1 * a2
    psi_p = c1 * c2 + b1 * b2
    psi_m = c1 * b2 + b1 * c2
    p = phi_p + phi_m + psi_p + psi_m
    safe = jnp.where(p > 0, p, 1)
    out = jnp.stack([phi_p, psi_m, psi_p, phi_m], axis=-1) / safe[..., None]
    return p, out


@jax.jit
def dejmps(x: Array, y: Array) -> tuple[Array, Array]:
    """One DEJMPS step on the pairs x (kept) and y (measured), both (..., 4) in DEJMPS order.

    The rotation swaps B and D on both pairs, then :func:`cnot_recurrence`. For x = y this is the
    textbook map N = (A + B)^2 + (C + D)^2, A' = (A^2 + B^2)/N, B' = 2 C D/N, C' = (C^2 + D^2)/N,
    D' = 2 A B/N; for general pairs A' = (A a + B b)/N, B' = (C d + D c)/N, C' = (C c + D d)/N,
    D' = (A b + B a)/N with N = (A + B)(a + b) + (C + D)(c + d).

    Returns:
        (p, out): success probability (...,) and output coefficients (..., 4).
    """
    swap = jnp.array([0, 3, 2, 1])
    return cnot_recurrence(x[..., swap], y[..., swap])


@jax.jit
def bbpssw(x: Array, y: Array) -> tuple[Array, Array]:
    """One BBPSSW step: twirl both inputs to Werner form, CNOT recurrence, twirl the output.

    For Werner inputs of fidelities F, G (e = (1-F)/3, g = (1-G)/3): p = (F + e)(G + g) + 4 e g
    and F' = (F G + e g)/p (for F = G: p = F^2 + 2 F e + 5 e^2, the BBPSSW formula); the output
    is the Werner state of fidelity F'.

    Returns:
        (p, out): success probability (...,) and output Werner coefficients (..., 4).
    """
    p, out = cnot_recurrence(twirl(x), twirl(y))
    return p, twirl(out)


def correlators(x: Array) -> Array:
    """(..., 4) coefficients -> (..., 3) correlators (<XX>, <YY>, <ZZ>) of the pair."""
    a, b, c, d = _split(x)
    return jnp.stack([a - b + c - d, -a - b + c + d, a - b - c + d], axis=-1)


def from_correlators(corr: Array) -> Array:
    """Inverse of :func:`correlators`: (..., 3) -> (..., 4) coefficients (DEJMPS order)."""
    xx, yy, zz = corr[..., 0], corr[..., 1], corr[..., 2]
    return 0.25 * jnp.stack(
        [1 + xx - yy + zz, 1 - xx - yy - zz, 1 + xx + yy - zz, 1 - xx + yy + zz], axis=-1
    )


@jax.jit
def age(x: Array, duration: Array, dephasing_rate: Array, depolarizing_rate: Array) -> Array:
    """Bell-diagonal pair after both halves wait ``duration`` seconds in memory.

    Each memory qubit dephases (coherence ~ exp(-dephasing_rate t), i.e. a Z flip with
    probability (1 - exp(-gamma t))/2) and depolarises (Bloch vector ~ exp(-depolarizing_rate t))
    independently; the two channels commute. On the pair: <XX>, <YY> decay as
    exp(-2 (gamma + Gamma) t) and <ZZ> as exp(-2 Gamma t). For a Werner pair this gives
    F(t) = 1/4 + (F0 - 1/4) exp(-2 Gamma t) (1 + 2 exp(-2 gamma t))/3.

    Args:
        x: (..., 4) coefficients (DEJMPS order).
        duration: seconds, broadcastable against ``x[..., 0]``.
        dephasing_rate, depolarizing_rate: 1/s per memory qubit, broadcastable likewise.
    Returns:
        (..., 4) aged coefficients.
    """
    corr = correlators(x)
    # explicit broadcasting (the package runs with jax_numpy_rank_promotion="raise")
    args = [jnp.asarray(a) for a in (duration, dephasing_rate, depolarizing_rate)]
    lead = jnp.broadcast_shapes(corr.shape[:-1], *(a.shape for a in args))
    t, gamma, big_gamma = (jnp.broadcast_to(a, lead) for a in args)
    depo = jnp.exp(-2 * big_gamma * t)
    both = jnp.exp(-2 * gamma * t) * depo
    decay = jnp.stack([both, both, depo], axis=-1)
    corr = jnp.broadcast_to(corr, lead + (3,))
    return from_correlators(corr * decay)


@jax.jit
def aged_werner_fidelity(fidelity: Array, duration: Array, dephasing_rate: Array, depolarizing_rate: Array) -> Array:
    """Closed form F(t) of a Werner pair (see :func:`age`); broadcasts over its arguments."""
    args = [jnp.asarray(a) for a in (fidelity, duration, dephasing_rate, depolarizing_rate)]
    lead = jnp.broadcast_shapes(*(a.shape for a in args))
    f, t, gamma, big_gamma = (jnp.broadcast_to(a, lead) for a in args)
    return 0.25 + (f - 0.25) * jnp.exp(-2 * big_gamma * t) * (1 + 2 * jnp.exp(-2 * gamma * t)) / 3


def pauli_weights(x: Array) -> Array:
    """(..., 4) DEJMPS coefficients -> (..., 4) Pauli weights (I, X, Y, Z) on qubit A of Phi+."""
    return x[..., jnp.array(PAULI_FROM_DEJMPS)]


def from_pauli_weights(w: Array) -> Array:
    """(..., 4) Pauli weights (I, X, Y, Z) -> (..., 4) DEJMPS coefficients."""
    return w[..., jnp.array(DEJMPS_FROM_PAULI)]
