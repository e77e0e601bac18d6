"""Public superdense-coding models: noisy EPR pairs, symbol packing, capacity (SPEC §2).

An :class:`EPRModel` is the state of each pre-shared pair, given as the weights of a Pauli
channel on the travelling qubit A of ``|Phi+>`` (a Bell-diagonal state), ordered (I, X, Y, Z).
``werner(F)`` is the isotropic case; ``pauli_epr(p_x, p_y, p_z)`` any Pauli channel. The exact
symbol law comes from :mod:`jaxqring.kernels._superdense` (encode, state, Bell measurement).

Symbols (SPEC C7, §2): a message is the concatenation of its b-bit words, each most
significant bit first; it is padded with one 0 bit if its length is odd, and symbol k is the bit
pair ``(z, x) = (beta_{2k}, beta_{2k+1})``, stored as the integer ``2 z + x``.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike
from jax import Array

from .._checks import check_real, is_traced
from ..kernels.comm import superdense as KS
from ..kernels.comm.superdense import num_symbols as num_symbols

WERNER_MIN_FIDELITY = 0.25


class EPRModel(NamedTuple):
    """Noisy EPR pair as a Pauli channel on the sender's half of ``|Phi+>`` (a pytree).

    Attributes:
        pauli_weights: shape=(4,), real float: probabilities of (I, X, Y, Z) on qubit A;
            non-negative, summing to 1. X flips the decoded x bit, Z flips z, Y flips both.
    """

    pauli_weights: Array

    @property
    def fidelity(self) -> Array:
        """F = <Phi+| rho |Phi+> = weight of I (scalar)."""
        return self.pauli_weights[0]

    def state(self) -> Array:
        """(4, 4) complex density matrix of the pair (qubit A first)."""
        return KS.bell_diagonal_state(jnp.asarray(self.pauli_weights))

    def confusion(self) -> Array:
        """(4, 4) real: ``C[k, m]`` = P(decode symbol m | send symbol k), from the Bell measurement."""
        return KS.confusion_matrix(self.state())


def _as_weight_dtype(*values):
    dt = jnp.result_type(*[jnp.asarray(v).dtype for v in values], jnp.float32)
    return dt if jnp.issubdtype(dt, jnp.floating) else jnp.float32


def werner(fidelity: ArrayLike) -> EPRModel:
    """Werner pair ``rho_F = F Phi+ + (1-F)/3 (I - Phi+)`` (SPEC [2.3]).

    Equivalent to depolarising with p = 4(1-F)/3 on one half; each wrong symbol occurs with
    probability (1-F)/3 (SPEC [2.4]).

    Args:
        fidelity: F in [0.25, 1] (scalar; may be traced under jit, then it is not checked).
    Returns:
        :class:`EPRModel` with weights (F, (1-F)/3, (1-F)/3, (1-F)/3).

    Examples:
        >>> import jaxqring as jq
        >>> [round(float(x), 4) for x in jq.werner(0.9).confusion()[0]]
        [0.9, 0.0333, 0.0333, 0.0333]
    """
    if not is_traced(fidelity):
        if np.ndim(fidelity) != 0:
            raise ValueError(f"Argument `fidelity` must be a scalar, got shape {np.shape(fidelity)}.")
        check_real("fidelity", fidelity, minimum=WERNER_MIN_FIDELITY, maximum=1.0)
    f = jnp.asarray(fidelity)
    f = f.astype(_as_weight_dtype(f))
    e = (1 - f) / 3
    return EPRModel(jnp.stack([f, e, e, e]))


def pauli_epr(p_x: ArrayLike = 0.0, p_y: ArrayLike = 0.0, p_z: ArrayLike = 0.0) -> EPRModel:
    """Pair ``|Phi+>`` after a Pauli channel on the travelling qubit A.

    rho = (1 - p_x - p_y - p_z) Phi+ + p_x X Phi+ X + p_y Y Phi+ Y + p_z Z Phi+ Z (on A).
    X errors flip the decoded x bit, Z errors flip z, Y errors flip both (SPEC §2 Noise).

    Args:
        p_x, p_y, p_z: probabilities in [0, 1] with p_x + p_y + p_z <= 1 (scalars; may be traced).
    Returns:
        :class:`EPRModel`.
    """
    probs = {"p_x": p_x, "p_y": p_y, "p_z": p_z}
    concrete = not any(is_traced(v) for v in probs.values())
    if concrete:
        for name, v in probs.items():
            if np.ndim(v) != 0:
                raise ValueError(f"Argument `{name}` must be a scalar, got shape {np.shape(v)}.")
            check_real(name, v, minimum=0.0, maximum=1.0)
        total = float(p_x) + float(p_y) + float(p_z)
        if total > 1.0 + 1e-12:
            raise ValueError(f"Arguments `p_x`, `p_y`, `p_z` must sum to <= 1, got {total}.")
    dt = _as_weight_dtype(p_x, p_y, p_z)
    px, py, pz = (jnp.asarray(v).astype(dt) for v in (p_x, p_y, p_z))
    return EPRModel(jnp.stack([jnp.clip(1 - px - py - pz, 0, 1), px, py, pz]))


def check_epr(epr) -> EPRModel | None:
    """Validate an optional EPR model (``None`` means noiseless pairs)."""
    if epr is None:
        return None
    if not isinstance(epr, EPRModel):
        raise ValueError(
            "Argument `epr` must be None or an EPRModel from jaxqring.werner(F) / "
            f"jaxqring.pauli_epr(...), got {type(epr).__name__}."
        )
    w = epr.pauli_weights
    if tuple(jnp.shape(w)) != (4,):
        raise ValueError(f"Argument `epr` must have pauli_weights of shape (4,), got {jnp.shape(w)}.")
    if not is_traced(w):
        arr = np.asarray(w, dtype=float)
        if not np.all(np.isfinite(arr)) or arr.min() < 0 or abs(arr.sum() - 1) > 1e-6:
            raise ValueError(
                f"Argument `epr` must have non-negative Pauli weights summing to 1, got {arr}."
            )
    return epr


# ---------------------------------------------------------------------------------------------
# Information per online qubit (SPEC [2.5]).
# ---------------------------------------------------------------------------------------------


def superdense_capacity(fidelity: ArrayLike) -> Array:
    """Bits per online qubit through a Werner pair with uniform symbols (SPEC [2.5]).

    C(F) = 2 + F log2 F + (1 - F) log2((1 - F)/3), with 0 log 0 = 0.

    Args:
        fidelity: F in [0.25, 1], scalar or array (numpy or jax; may be traced).
    Returns:
        Same shape, float: C(F) in [0, 2] bits.
    """
    if not is_traced(fidelity):
        arr = np.asarray(fidelity, dtype=float)
        if not np.all(np.isfinite(arr)) or arr.min(initial=1) < WERNER_MIN_FIDELITY or arr.max(initial=1) > 1:
            raise ValueError(f"Argument `fidelity` must lie in [0.25, 1], got {fidelity!r}.")
    f = jnp.asarray(fidelity)
    f = f.astype(_as_weight_dtype(f))
    e = (1 - f) / 3
    return 2 + _xlog2x(f) + 3 * _xlog2x(e)


def _xlog2x(p):
    safe = jnp.where(p > 0, p, 1)
    return jnp.where(p > 0, p * jnp.log2(safe), 0)


def superdense_information(epr: EPRModel) -> Array:
    """Mutual information (bits per online qubit) of the symbol channel with uniform input.

    I = H(uniform output mixture) - mean_k H(C[k]), computed from the exact confusion matrix of
    ``epr``; for Pauli channels this is 2 - H(pauli_weights), and for ``werner(F)`` it is C(F).
    """
    epr = check_epr(epr)
    c = epr.confusion()
    out = jnp.mean(c, axis=0)
    return -jnp.sum(_xlog2x(out)) + jnp.mean(jnp.sum(_xlog2x(c), axis=1))


@functools.lru_cache(maxsize=None)
def superdense_breakeven_fidelity() -> float:
    """Werner fidelity F* ~ 0.8107 at which C(F*) = 1 bit per online qubit (SPEC [2.5]).

    Below F* a superdense-coded online qubit carries less than the one bit a plain qubit could,
    so the online saving of the superdense ring is gone. Solved by bisection to 1e-15 in float64
    (C is increasing on [0.25, 1]).
    """

    def cap(f):
        e = (1 - f) / 3
        return 2 + f * math.log2(f) + 3 * e * math.log2(e)

    lo, hi = 0.5, 0.99
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if cap(mid) < 1:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    return 0.5 * (lo + hi)


def symbol_error_rates(epr: EPRModel) -> dict[str, Array]:
    """Closed-form error rates of one symbol for a Pauli-channel pair (SPEC [2.4]).

    Returns a dict with ``symbol`` (1 - w_I), ``z_bit`` (w_Z + w_Y), ``x_bit`` (w_X + w_Y) and
    ``both`` (w_Y); for ``werner(F)`` these are (1-F), 2(1-F)/3, 2(1-F)/3, (1-F)/3.
    """
    w = check_epr(epr).pauli_weights
    return {"symbol": 1 - w[0], "z_bit": w[3] + w[2], "x_bit": w[1] + w[2], "both": w[2]}
