"""Superdense coding over one EPR pair: encoding, Bell measurement, symbol confusion, sampling.

Conventions (SPEC §2): the pair is qubit A (first, most significant; the sender's half) and
qubit B (the receiver's half), ``|Phi+> = (|00> + |11>)/sqrt(2)``. A 2-bit symbol ``k = 2 z + x``
is encoded by applying ``Z^z X^x`` (X first) to A. The receiver decodes with CNOT (control A,
target B), then H on A, then a Z measurement of both qubits; outcome index ``2 m_A + m_B``.
On the noiseless pair the outcome is ``(m_A, m_B) = (z, x)`` with certainty (SPEC [2.1], [2.2]).

Noise is a two-qubit state ``rho`` (4, 4) that replaces ``|Phi+><Phi+|`` (SPEC [2.3]): every
kernel here works on the density matrix, so any state (Bell-diagonal or not) is handled
exactly. Pauli channels on the travelling qubit are Bell-diagonal states, built by
:func:`bell_diagonal_state`; Pauli weights are ordered ``(I, X, Y, Z)``.

The symbol channel is summarised by the exact confusion matrix ``C[k, m] = P(decode m | send k)``
(4, 4); whole messages are decoded by one categorical draw per symbol from row ``C[k]``.
"""

from __future__ import annotations


import jax
import jax.numpy as jnp
from jax import Array

from ..common import SQRT_HALF, complex_dtype, paulis

NUM_SYMBOLS = 4

_S2 = SQRT_HALF


def phi_plus(dtype) -> Array:
    """(4,) complex ``dtype``: |Phi+> = (|00> + |11>)/sqrt(2), basis index 2 a + b."""
    return jnp.array([_S2, 0, 0, _S2], dtype=dtype)


def encode_unitaries(dtype) -> Array:
    """(4, 4, 4) complex: ``[k]`` = (Z^z X^x) (x) I on the pair for symbol k = 2 z + x."""
    p = paulis(dtype)
    x, z, eye = p[1], p[3], p[0]
    ops = jnp.stack([eye, x, z, z @ x])  # k = 0 (00), 1 (01: X), 2 (10: Z), 3 (11: ZX = iY)
    return jnp.einsum("kab,cd->kacbd", ops, eye).reshape(NUM_SYMBOLS, 4, 4)


def bell_decode_unitary(dtype) -> Array:
    """(4, 4) complex: (H (x) I) CNOT_{A->B}; a Z measurement after it is the Bell measurement."""
    h = jnp.array([[_S2, _S2], [_S2, -_S2]], dtype=dtype)
    cnot = jnp.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], dtype=dtype)
    return jnp.kron(h, jnp.eye(2, dtype=dtype)) @ cnot


def bell_diagonal_state(pauli_weights: Array) -> Array:
    """Pair state after a Pauli channel on qubit A of |Phi+>.

    rho = sum_k w_k (sigma_k (x) I) |Phi+><Phi+| (sigma_k (x) I)^dagger with sigma = (I, X, Y, Z).
    Werner fidelity F corresponds to w = (F, (1-F)/3, (1-F)/3, (1-F)/3) (SPEC [2.3]).

    Args:
        pauli_weights: (4,) real, non-negative, summing to 1.
    Returns:
        (4, 4) complex density matrix (complex dtype matching the weights' precision).
    """
    dt = complex_dtype(pauli_weights.dtype)
    p = paulis(dt)
    ops = jnp.einsum("kab,cd->kacbd", p, jnp.eye(2, dtype=dt)).reshape(NUM_SYMBOLS, 4, 4)
    kets = ops @ phi_plus(dt)  # (4, 4): the four Bell states
    return jnp.einsum("k,ka,kb->ab", pauli_weights.astype(dt), kets, kets.conj())


def confusion_matrix(rho: Array) -> Array:
    """Exact symbol-confusion matrix of superdense coding over the shared pair ``rho``.

    For each symbol k the sender's Pauli U_k is applied to qubit A, then the Bell measurement
    D = (H (x) I) CNOT and a Z readout: ``C[k, m] = <m| D U_k rho U_k^dagger D^dagger |m>``.
    All four symbols are computed in one batched contraction.

    Args:
        rho: (4, 4) complex density matrix of the pair (qubit A first), trace 1.
    Returns:
        (4, 4) real (the real dtype of ``rho``); row k is the outcome law for symbol k,
        column index m = 2 m_A + m_B.
    """
    dt = rho.dtype
    u = encode_unitaries(dt)
    d = bell_decode_unitary(dt)
    du = jnp.einsum("ab,kbc->kac", d, u, precision=jax.lax.Precision.HIGHEST)  # (4, 4, 4)
    probs = jnp.einsum("kma,ab,kmb->km", du, rho, du.conj(), precision=jax.lax.Precision.HIGHEST)
    return jnp.real(probs)


def decode_thresholds(confusion: Array) -> Array:
    """(4, 3) float32 cumulative thresholds for inverse-CDF sampling of each confusion row."""
    c = jnp.clip(confusion, 0, None)
    c = c / jnp.sum(c, axis=1, keepdims=True)
    return jnp.cumsum(c, axis=1)[:, : NUM_SYMBOLS - 1].astype(jnp.float32)


def sample_decoded(key: Array, thresholds: Array, symbols: Array) -> Array:
    """Decoded symbols for a whole message: one categorical draw per symbol.

    Draws u ~ U[0, 1) (float32, resolution 2**-23) per symbol and returns
    ``m = #{i < 3 : u >= T[k, i]}`` for sent symbol k, i.e. m ~ Categorical(C[k]). A row
    that is a unit vector (noiseless decoding) returns its symbol for every u.

    Args:
        key: PRNG key for this message.
        thresholds: (4, 3) float32 from :func:`decode_thresholds`.
        symbols: (...,) unsigned integer array of sent symbols in {0, 1, 2, 3}.
    Returns:
        Array of the shape and dtype of ``symbols`` with the decoded symbols.
    """
    u = jax.random.uniform(key, symbols.shape, jnp.float32)
    idx = symbols.astype(jnp.int32)
    out = jnp.zeros(symbols.shape, jnp.int32)
    for i in range(NUM_SYMBOLS - 1):  # three comparisons, unrolled (not a loop over data)
        out = out + (u >= jnp.take(thresholds[:, i], idx)).astype(jnp.int32)
    return out.astype(symbols.dtype)


# ---------------------------------------------------------------------------------------------
# Symbol packing (SPEC C7 and §2 Encoding).
# ---------------------------------------------------------------------------------------------


def num_symbols(num_words: int, bits: int) -> int:
    """ceil(num_words * bits / 2): symbols (= online qubits) of a message of that many words."""
    return -(-num_words * bits // 2)


def _word_bits(words: Array, bits: int) -> Array:
    shifts = jnp.arange(bits - 1, -1, -1, dtype=jnp.uint32)
    return ((words[..., None] >> shifts[(None,) * words.ndim]) & jnp.uint32(1)).astype(jnp.uint8)


def symbols_from_words(words: Array, *, bits: int) -> Array:
    """Split messages of b-bit words into 2-bit superdense symbols.

    Args:
        words: (..., W) unsigned integer words < 2**bits (the message, in coordinate order).
        bits: word width b >= 1 (static).
    Returns:
        (..., ceil(W b / 2)) uint8 symbols ``2 z + x``; an odd-length message is padded with one
        0 bit (the x bit of its last symbol).
    """
    bits = int(bits)
    words = jnp.asarray(words).astype(jnp.uint32)
    lead, w = words.shape[:-1], words.shape[-1]
    if bits % 2 == 0:  # symbols never straddle words
        shifts = jnp.arange(bits - 2, -1, -2, dtype=jnp.uint32)
        sym = (words[..., None] >> shifts[(None,) * words.ndim]) & jnp.uint32(3)
        return sym.reshape(lead + (w * bits // 2,)).astype(jnp.uint8)
    stream = _word_bits(words, bits).reshape(lead + (w * bits,))
    if (w * bits) % 2:
        stream = jnp.concatenate([stream, jnp.zeros(lead + (1,), jnp.uint8)], axis=-1)
    pairs = stream.reshape(lead + (-1, 2))
    return (2 * pairs[..., 0] + pairs[..., 1]).astype(jnp.uint8)


def words_from_symbols(symbols: Array, *, bits: int, num_words: int) -> Array:
    """Inverse of :func:`symbols_from_words`: (..., ceil(W b / 2)) symbols -> (..., W) uint32.

    The padding bit (odd W b) is dropped.
    """
    bits, num_words = int(bits), int(num_words)
    symbols = jnp.asarray(symbols).astype(jnp.uint32)
    lead = symbols.shape[:-1]
    if bits % 2 == 0:
        per = bits // 2
        sym = symbols.reshape(lead + (num_words, per))
        shifts = jnp.arange(bits - 2, -1, -2, dtype=jnp.uint32)
        return _or_reduce(sym << shifts[(None,) * (sym.ndim - 1)])
    stream = jnp.stack([symbols >> 1, symbols & jnp.uint32(1)], axis=-1).reshape(lead + (-1,))
    stream = stream[..., : num_words * bits].reshape(lead + (num_words, bits))
    shifts = jnp.arange(bits - 1, -1, -1, dtype=jnp.uint32)
    return _or_reduce(stream << shifts[(None,) * (stream.ndim - 1)])


def _or_reduce(x: Array) -> Array:
    """Bitwise OR over the last axis (disjoint bit fields, so a sum is the same and fuses)."""
    return jnp.sum(x, axis=-1, dtype=jnp.uint32)
