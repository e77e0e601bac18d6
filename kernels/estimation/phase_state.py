"""TieAudit numerics: the sign phase state and its matching-basis measurement (SPEC §9).

The server's signs enter as conflict bits ``x_i = [s_i < 0]`` (bool, shape (P,)); the state is
|psi_s> = P**-1/2 sum_{i<P} (-1)**x_i |i> on n = ceil(log2 P) qubits (SPEC C2 order). The
client's matching is L disjoint pairs ``(i_k, j_k)`` (int32, shape (L, 2)); the measurement basis
is {(|i_k> + |j_k>)/sqrt2, (|i_k> - |j_k>)/sqrt2}_k plus |i> for every other basis index
(outcome "bot", SPEC [9.1]). Outcome code per copy (int8): 0 = (k, +), 1 = (k, -), 2 = bot.

Law (SPEC [9.2]): P(k, +) = (2/P)[x_i = x_j], P(k, -) = (2/P)[x_i != x_j], P(bot) = (P - 2L)/P.

* :func:`sample_fast` - exact and O(K): per copy draw z uniform in [0, P/2); z < L selects pair
  z (each with probability 2/P), else bot; the sign is the parity of the pair. No 2**n vector.
* :func:`statevector_probabilities` / :func:`sample_statevector` - the state vector itself:
  build |psi_s>, rotate every matched pair (i_k, j_k) by the 2x2 Hadamard into the
  (|+>, |->) components (written at i_k and j_k), then a computational-basis measurement;
  index i_k means (k, +), j_k means (k, -), everything else bot. O(2**n) memory.

Nothing here validates (``jaxqring.conflict`` does); P is even and the indices distinct.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from jax import Array

OUTCOME_PLUS, OUTCOME_MINUS, OUTCOME_BOT = 0, 1, 2


def sample_fast(
    key: Array, conflict_bits: Array, matching: Array, *, num_coords: int, num_copies: int
) -> tuple[Array, Array]:
    """K copies of the matching measurement by the exact fast rule (module docstring).

    Args:
        key: PRNG key.
        conflict_bits: shape=(P,), bool: x_i = [s_i < 0].
        matching: shape=(L, 2), int32: disjoint pairs of indices in [0, P).
        num_coords: static even P.
        num_copies: static K.
    Returns:
        ``(outcome, pair)``: shape=(K,) int8 codes (0 = +, 1 = -, 2 = bot) and shape=(K,) int32
        pair indices (``L`` for bot).
    """
    num_pairs = matching.shape[0]
    z = jax.random.randint(key, (num_copies,), 0, num_coords // 2, dtype=jnp.int32)
    valid = z < num_pairs
    pair = jnp.where(valid, z, 0)
    ij = matching[pair]
    differ = conflict_bits[ij[:, 0]] != conflict_bits[ij[:, 1]]
    outcome = jnp.where(valid, differ.astype(jnp.int8), jnp.int8(OUTCOME_BOT))
    return outcome, jnp.where(valid, z, num_pairs)


def sample_fast_adjacent(
    key: Array, conflict_bits: Array, *, num_coords: int, num_copies: int
) -> tuple[Array, Array]:
    """:func:`sample_fast` for the structured perfect matching (2k, 2k + 1), k < P/2, which
    needs no (L, 2) index array (P up to 2**31 with a bool sign vector of P bytes)."""
    z = jax.random.randint(key, (num_copies,), 0, num_coords // 2, dtype=jnp.int32)
    differ = conflict_bits[2 * z] != conflict_bits[2 * z + 1]
    return differ.astype(jnp.int8), z


def phase_state(conflict_bits: Array, num_qubits: int, dtype=None) -> Array:
    """|psi_s>: shape=(2**n,), real: (-1)**x_i / sqrt(P) for i < P, 0 for the padding."""
    dt = jax.dtypes.canonicalize_dtype(jnp.float64) if dtype is None else jnp.dtype(dtype)
    p = conflict_bits.shape[0]
    amp = jnp.where(conflict_bits, -1.0, 1.0).astype(dt) / math.sqrt(p)
    return jnp.zeros(2**num_qubits, dt).at[:p].set(amp)


def statevector_probabilities(conflict_bits: Array, matching: Array, *, num_qubits: int) -> Array:
    """Probabilities of the computational-basis outcomes after the matching-basis rotation.

    Returns:
        shape=(2**n,), real: entry i_k is P(k, +), entry j_k is P(k, -), every other entry
        belongs to bot (sum them for P(bot)).
    """
    psi = phase_state(conflict_bits, num_qubits)
    a, b = psi[matching[:, 0]], psi[matching[:, 1]]
    rotated = psi.at[matching[:, 0]].set((a + b) / math.sqrt(2)).at[matching[:, 1]].set(
        (a - b) / math.sqrt(2)
    )
    return rotated * rotated


def outcome_labels(matching: Array, *, num_qubits: int) -> tuple[Array, Array]:
    """Map every basis index to its outcome: ``(code, pair)``, each shape=(2**n,)."""
    num_pairs = matching.shape[0]
    code = jnp.full(2**num_qubits, OUTCOME_BOT, jnp.int8)
    code = code.at[matching[:, 0]].set(OUTCOME_PLUS).at[matching[:, 1]].set(OUTCOME_MINUS)
    ks = jnp.arange(num_pairs, dtype=jnp.int32)
    pair = jnp.full(2**num_qubits, num_pairs, jnp.int32)
    pair = pair.at[matching[:, 0]].set(ks).at[matching[:, 1]].set(ks)
    return code, pair


def sample_statevector(
    key: Array, conflict_bits: Array, matching: Array, *, num_qubits: int, num_copies: int
) -> tuple[Array, Array]:
    """K copies measured on the state vector; same return convention as :func:`sample_fast`."""
    probs = statevector_probabilities(conflict_bits, matching, num_qubits=num_qubits)
    logits = jnp.where(probs > 0, jnp.log(jnp.where(probs > 0, probs, 1.0)), -jnp.inf)
    idx = jax.random.categorical(key, logits, shape=(num_copies,))
    code, pair = outcome_labels(matching, num_qubits=num_qubits)
    return code[idx], pair[idx]
