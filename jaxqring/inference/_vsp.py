"""Vector in Subspace (VSP): the problem behind the exponential separation.

Alice holds a unit vector x in R^N (N = 2^n); Bob holds two orthogonal N/2-dimensional subspaces
S_0, S_1 = S_0^perp, with the promise x in S_0 or x in S_1; Bob must say which.

Quantum (one copy, one message, exact): Alice sends |x> (n qubits); Bob applies Q^dag, where Q maps
the computational half-spaces {top qubit = j} onto S_j, and measures the top qubit. It reads j
with probability ||P_{S_j} x||^2 = 1. Simulated here on the state vector.

Classical lower bounds (claims of the cited papers, not measurements of ours):
* Klartag and Regev, "Quantum one-way communication can be exponentially stronger than classical
  communication", STOC 2011 (arXiv:1009.3640): every bounded-error randomized classical protocol
  for VSP (their version of the promise) needs Omega(N^(1/3)) bits. This is what we plot as the
  proven classical curve, with the unknown constant set to 1 (shape only).
* The slides (seed 003) state Omega(sqrt N) bits, citing Raz, "Exponential separation of quantum
  and classical communication complexity", STOC 1999. Checked against the abstracts (Raz's 1999
  talk abstract; Klartag-Regev, ECCC TR10-143): Raz proves O(log N) qubits against
  Omega(N^(1/4) / log N) classical bits for a related geometric promise problem (x, two orthogonal
  subspaces, and an orthogonal map T held by the other player), whose quantum protocol needs two
  rounds; Klartag-Regev's Omega(N^(1/3)) for VSP is the strongest proven bound we know of. No
  sqrt(N) lower bound for VSP appears in either, so sqrt(N) is plotted as the "slide claim" only.
* Trivial classical upper bound: Alice sends x at b bits per real entry, N b bits.

Instances. Bob's basis Q is either a Haar-random orthogonal matrix (``basis="haar"``, dense,
n <= 12) or the fast pseudo-random orthogonal map Q = H D_r ... H D_1 (H = Walsh-Hadamard on all
qubits, D_i random +-1 diagonals; ``basis="hadamard"``, any n the memory allows). These are valid
promise instances, not the hard distributions of the lower-bound proofs.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from .._accounting import CommCost
from .._checks import check_choice, check_int, check_key
from ..kernels import statevector as KSV

MAX_HAAR_QUBITS = 12
MAX_VSP_QUBITS = 26
HADAMARD_ROUNDS = 3


@functools.partial(
    jax.tree_util.register_dataclass, data_fields=["x", "signs", "matrix", "label"], meta_fields=["num_qubits", "basis"]
)
@dataclasses.dataclass(frozen=True)
class VSPInstance:
    """One VSP instance.

    Attributes:
        num_qubits: n (N = 2^n), static.
        basis: "hadamard" or "haar", static.
        x: shape=(N,), float64, unit norm: Alice's vector.
        signs: shape=(R, N), float64 +-1 (hadamard basis) or shape=(0, N) (haar).
        matrix: shape=(N, N), float64 orthogonal Q (haar) or shape=(0, 0) (hadamard).
        label: int32 scalar in {0, 1}: x lies in S_label = Q span{|label, *>}.
    """

    num_qubits: int
    basis: str
    x: Array
    signs: Array
    matrix: Array
    label: Array


def _apply_q(inst_signs, v):
    """Q v with Q = H D_R ... H D_1 (D_1 first)."""
    for r in range(inst_signs.shape[0]):
        v = KSV.walsh_hadamard(KSV.diagonal_sign_flip(v, inst_signs[r]))
    return v


def _apply_q_dagger(inst_signs, v):
    """Q^T v = D_1 H ... D_R H v (H and D are real symmetric involutions)."""
    for r in reversed(range(inst_signs.shape[0])):
        v = KSV.diagonal_sign_flip(KSV.walsh_hadamard(v), inst_signs[r])
    return v


def vsp_instance(key, n: int, *, basis: str = "hadamard") -> VSPInstance:
    """A random VSP instance on N = 2^n dimensions.

    The label is a fair coin; x = Q (e_label (x) u) with u uniform on the unit sphere of R^(N/2).

    Args:
        key: JAX PRNG key.
        n: number of qubits, 1 <= n <= 26 (hadamard) or <= 12 (haar).
        basis: "hadamard" (fast, implicit Q) or "haar" (dense Haar-random Q).

    Returns:
        :class:`VSPInstance`.

    Examples:
        >>> inst = vsp_instance(jax.random.key(0), 4)
        >>> inst.x.shape
        (16,)
    """
    key = check_key("key", key)
    basis = check_choice("basis", basis, ("hadamard", "haar"))
    n = check_int("n", n, minimum=1, maximum=MAX_HAAR_QUBITS if basis == "haar" else MAX_VSP_QUBITS)
    return _vsp_instance(key, n, basis)


@functools.partial(jax.jit, static_argnums=(1, 2))
def _vsp_instance(key, n, basis):
    dim = 2**n
    f64 = jax.dtypes.canonicalize_dtype(jnp.float64)
    kl, ku, kq = jax.random.split(key, 3)
    label = jax.random.bernoulli(kl).astype(jnp.int32)
    u = jax.random.normal(ku, (dim // 2,), f64)
    u = u / jnp.linalg.norm(u)
    v = jnp.where(label == 0, jnp.concatenate([u, jnp.zeros_like(u)]), jnp.concatenate([jnp.zeros_like(u), u]))
    if basis == "haar":
        g = jax.random.normal(kq, (dim, dim), f64)
        q, r = jnp.linalg.qr(g)
        q = q * jnp.sign(jnp.diagonal(r))[None, :]  # Haar measure (Mezzadri's sign fix)
        x = q @ v
        return VSPInstance(n, basis, x, jnp.zeros((0, dim), f64), q, label)
    signs = 2.0 * jax.random.bernoulli(kq, 0.5, (HADAMARD_ROUNDS, dim)).astype(f64) - 1.0
    x = _apply_q(signs, v)
    return VSPInstance(n, basis, x, signs, jnp.zeros((0, 0), f64), label)


def subspace_projector(instance: VSPInstance, j: int) -> np.ndarray:
    """Dense projector onto S_j, shape=(N, N) (for checks at small n; numpy)."""
    j = check_int("j", j, minimum=0, maximum=1)
    dim = 2**instance.num_qubits
    if instance.basis == "haar":
        q = np.asarray(instance.matrix)
    else:
        q = np.asarray(_dense_q(instance.signs))
    half = q[:, j * dim // 2 : (j + 1) * dim // 2]
    return half @ half.T


@jax.jit
def _dense_q(signs):
    dim = signs.shape[1]
    return jax.vmap(lambda e: _apply_q(signs, e), in_axes=1, out_axes=1)(jnp.eye(dim, dtype=signs.dtype))


class VSPResult(NamedTuple):
    """Outcome of the one-copy quantum protocol."""

    decision: Array  # int32 scalar: Bob's answer (a sampled measurement outcome)
    error_probability: Array  # float64 scalar: exact probability of the wrong answer (Born rule)
    cost: CommCost  # n qubits, one message
    classical_bits_lower_bound: float  # N^(1/3) (Klartag-Regev shape, constant 1): a claim
    classical_bits_upper_bound: int  # N * bits (Alice sends x)


def vsp_protocol(instance: VSPInstance, *, key=None, bits: int = 32) -> VSPResult:
    """Run the one-copy protocol: Alice sends |x>, Bob applies Q^dag and measures the top qubit.

    Args:
        instance: from :func:`vsp_instance`.
        key: PRNG key for Bob's measurement outcome (default: a fixed key; the outcome is
            deterministic anyway up to the ~1e-30 error probability).
        bits: word width of the trivial classical protocol's entries.

    Returns:
        :class:`VSPResult`.

    Examples:
        >>> inst = vsp_instance(jax.random.key(1), 5)
        >>> res = vsp_protocol(inst)
        >>> bool(res.decision == inst.label), res.cost.online_qubits
        (True, 5)
    """
    if not isinstance(instance, VSPInstance):
        raise ValueError(f"Argument `instance` must be a VSPInstance (from vsp_instance), got {type(instance).__name__}.")
    key = check_key("key", jax.random.key(0) if key is None else key)
    bits = check_int("bits", bits, minimum=1)
    decision, p_wrong = _vsp_measure(instance, key)
    dim = 2**instance.num_qubits
    return VSPResult(
        decision,
        p_wrong,
        CommCost(online_qubits=instance.num_qubits, rounds=1),
        float(dim ** (1 / 3)),
        dim * bits,
    )


@jax.jit
def _vsp_measure(instance, key):
    psi = instance.x.astype(jax.dtypes.canonicalize_dtype(jnp.complex128))
    if instance.basis == "haar":
        out = jnp.matmul(instance.matrix.T.astype(psi.dtype), psi, precision=jax.lax.Precision.HIGHEST)
    else:
        out = _apply_q_dagger(instance.signs, psi)
    probs = KSV.born_probabilities(out)
    half = probs.shape[0] // 2
    p1 = jnp.sum(probs[half:]) / jnp.sum(probs)
    decision = jax.random.bernoulli(key, jnp.clip(p1, 0.0, 1.0)).astype(jnp.int32)
    p_wrong = jnp.where(instance.label == 1, 1 - p1, p1)
    return decision, p_wrong


def vsp_costs(num_qubits, *, bits: int = 32) -> list[dict]:
    """Rows of the qubits-vs-bits table for N = 2^n, n in ``num_qubits``.

    Columns: ``quantum_qubits`` (n; measured: one copy decides exactly), ``kr2011_bits`` (N^(1/3),
    Klartag-Regev lower bound shape, constant unknown, a claim), ``slide_bits`` (sqrt N, the slides'
    stated bound, a claim), ``send_x_bits`` (N * bits, trivial protocol).
    """
    bits = check_int("bits", bits, minimum=1)
    rows = []
    for n in num_qubits:
        n = check_int("num_qubits", n, minimum=1, maximum=64)
        dim = 2**n
        rows.append(
            {
                "n": n,
                "N": dim,
                "quantum_qubits": n,
                "kr2011_bits": dim ** (1 / 3),
                "slide_bits": math.sqrt(dim),
                "send_x_bits": dim * bits,
            }
        )
    return rows
