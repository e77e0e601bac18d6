"""Kitaev estimation of integer sums over GHZ copies, batched over P coordinates (SPEC §3-4).

Node j holds the b-bit word ``words[j, i]`` of coordinate i. In round r node j applies
R(phi_j) with ``phi_j = 2 pi ((m_r q_j) mod 2**b) / 2**b``, ``m_r = 2**(b-1-r)``, computed in exact
uint32 arithmetic; :func:`kernels.estimation.kitaev.kitaev_estimate` runs the rounds. The X-parity
law of one copy comes from one of two exact paths (``law``):

* ``"closed_form"``: SPEC [3.1]/[3.8], P(+1) = (1 + V cos Phi_r) / 2 with Phi_r the phase sum on
  the 2**b grid (an exact integer sum mod 2**b) plus the feedback; V is the GHZ visibility.
* ``"mps"``: the per-node phases go through the bond-2 GHZ MPS transfer sweep, or under noise
  through the density-MPO sweep (SPEC §6 [6.3]/[6.4]); exact for any local noise, O(N) per round.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
from jax import Array
from jax.sharding import Mesh

from ..comm.fixedpoint import FixedPoint, quantise
from ..common import accumulation_dtype, real_dtype
from ..mpo.channels import LocalNoise
from ..mpo.density import noisy_pauli_log_expectation
from ..mps.readout import ghz_parity_probability, pauli_log_expectation
from ..mps.state import ghz
from ..parallel.columns import map_columns
from .kitaev import KitaevRounds, kitaev_estimate

LAWS = ("closed_form", "mps")


def _encode(columns: Array, weights: Array | None, fmt: FixedPoint | None) -> Array:
    """(N, C) node values -> (N, C) uint32 words: identity for words, else the SPEC §1 quantiser
    (times the integer weights), two's complement mod 2**32."""
    if fmt is None:
        return columns.astype(jnp.uint32)
    q = quantise(columns, fmt)
    if weights is not None:
        q = q * weights[:, None]
    return q.astype(jnp.int32).astype(jnp.uint32)


def estimate_integer_sums(
    key: Array,
    words: Array,
    noise: LocalNoise | None,
    visibility: Array | None,
    weights: Array | None = None,
    **options,
):
    """Estimate ``sum_j words[j, i] mod 2**bits`` for every column i (one key per coordinate).

    Args:
        key: PRNG key, split into P coordinate keys (``jax.random.split(key, P)``).
        words: shape=(N, P), uint32 two's-complement words (only the low ``bits`` matter); or,
            with ``fmt``, real node values quantised chunk by chunk (never all at once).
        noise: prepared local noise for the ``"mps"`` law, or None (noiseless GHZ).
        visibility: scalar real V for the ``"closed_form"`` law (ignored by ``"mps"``).
        weights: None or shape=(N,) int32 integer weights applied after quantisation (``fmt``).
        options: keyword-only and static, passed on to :func:`estimate_integer_sums_keyed`:
        bits: static b (rounds per coordinate). shots: static odd M per round and readout.
        feedback: static, SPEC §4 quantum feedback (True) or the non-adaptive variant.
        law: static, ``"closed_form"`` or ``"mps"``. cdtype: static complex dtype of the probe.
        fmt: static :class:`FixedPoint` to quantise real ``words`` with, or None.
        chunk: static coordinates per streamed chunk (None: all P at once).
        mesh: static 1-D mesh to shard the coordinates over, or None.
        keep_rounds: static; False keeps only the estimates (the per-round statistics of
            P = 10^8 coordinates would take ~13 GB).
    Returns:
        :class:`KitaevRounds` with leading axis P (``estimate`` (P,) int32 residues), or with
        ``keep_rounds=False`` the (P,) int32 estimates alone. Independent of ``chunk`` and
        ``mesh``: coordinate i always uses key i of the split.
    """
    keys = jax.random.split(key, words.shape[1])
    return estimate_integer_sums_keyed(keys, words, noise, visibility, weights, **options)


@functools.partial(
    jax.jit,
    static_argnames=("bits", "shots", "feedback", "law", "cdtype", "fmt", "chunk", "mesh", "keep_rounds"),
)
def estimate_integer_sums_keyed(
    keys: Array,
    words: Array,
    noise: LocalNoise | None,
    visibility: Array | None,
    weights: Array | None = None,
    *,
    bits: int,
    shots: int,
    feedback: bool,
    law: str,
    cdtype,
    fmt: FixedPoint | None = None,
    chunk: int | None = None,
    mesh: Mesh | None = None,
    keep_rounds: bool = True,
):
    """:func:`estimate_integer_sums` with the coordinates' keys given: ``keys`` shape=(P,), key i
    for column i (``jax.random.split(key, P)`` there). A slice of columns with the same slice of
    keys gives that slice of the whole result, which lets a caller feed the columns from the host
    chunk by chunk. Other arguments and the result as in :func:`estimate_integer_sums`."""
    n, p = words.shape
    acc = accumulation_dtype(cdtype)
    rt = real_dtype(cdtype)
    mask = jnp.uint32((1 << bits) - 1)
    codes = jnp.zeros((n,), jnp.int32)  # X readout on every node
    mps = ghz(n, dtype=cdtype)

    def one(k, w, noise, visibility):
        def outcome_law(kexp, omega):
            u = (w << kexp.astype(jnp.uint32)) & mask  # (m_r q_j) mod 2**b, exact, shape (N,)
            if law == "closed_form":
                s = jnp.sum(u, dtype=jnp.uint32) & mask  # sum_j phi_j on the 2**b grid, exact
                phi = 2 * math.pi * jnp.ldexp(s.astype(acc), -bits) + omega
                return 1 - ghz_parity_probability(phi, visibility)
            phases = 2 * math.pi * jnp.ldexp(u.astype(rt), -bits)
            phases = phases.at[0].add(omega.astype(rt))
            if noise is None:
                mant, logs = pauli_log_expectation(mps, phases, codes)
            else:
                mant, logs = noisy_pauli_log_expectation(mps, noise, phases, codes)
            return (1 + mant.astype(acc) * jnp.exp(logs.astype(acc))) / 2

        rounds = kitaev_estimate(
            k, outcome_law, num_rounds=bits, num_shots=shots, feedback=feedback, dtype=acc
        )
        return rounds if keep_rounds else rounds.estimate

    def block(k, cols, noise, visibility, weights):
        w = _encode(cols, weights, fmt)
        return jax.vmap(one, in_axes=(0, 1, None, None))(k, w, noise, visibility)

    return map_columns(block, keys, words, noise, visibility, weights, chunk=p if chunk is None else chunk, mesh=mesh)
