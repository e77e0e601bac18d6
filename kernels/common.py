"""Shared kernel primitives: dtypes, renormalisation, the scan unroll factor, Pauli tables.

Every kernel module imports these from here (one home each). Nothing in ``kernels`` imports
``jaxqring``: the validated API sits above this layer.

Conventions (SPEC C3, C4): Paulis are ordered I, X, Y, Z (index 0..3); a phase ``phi`` (radians)
acts on one qubit as R(phi) = diag(1, e^{i phi}).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from jax import Array

# Sites per scan iteration. Loop overhead dominates the chi = 2 sweeps on CPU; unrolling amortises
# it while compile time stays independent of N (the scan body is traced once).
UNROLL = 8

SQRT_HALF = 1 / math.sqrt(2)

# Pauli letters in table order (I=0, X=1, Y=2, Z=3).
PAULI_LETTERS = "IXYZ"

# PAULI_PRODUCT[a][b] = index of P_a P_b up to a phase.
PAULI_PRODUCT = ((0, 1, 2, 3), (1, 0, 3, 2), (2, 3, 0, 1), (3, 2, 1, 0))


def default_complex_dtype() -> jnp.dtype:
    """complex128 when ``jax_enable_x64`` is on, else complex64."""
    return jax.dtypes.canonicalize_dtype(jnp.complex128)


def default_real_dtype() -> jnp.dtype:
    """float64 when ``jax_enable_x64`` is on, else float32."""
    return jax.dtypes.canonicalize_dtype(jnp.float64)


def real_dtype(dtype) -> jnp.dtype:
    """The real dtype matching a complex (or real) dtype: complex64 -> float32, etc."""
    return jnp.finfo(dtype).dtype


def complex_dtype(dtype) -> jnp.dtype:
    """The complex dtype matching a real (or complex) dtype: float32 -> complex64, etc."""
    return jnp.result_type(real_dtype(dtype), jnp.complex64)


def accumulation_dtype(dtype) -> jnp.dtype:
    """float64 when x64 is enabled (whatever ``dtype``), so float32 work never biases a sampler."""
    return jnp.promote_types(real_dtype(dtype), jax.dtypes.canonicalize_dtype(jnp.float64))


def accumulation_complex_dtype(dtype) -> jnp.dtype:
    """The complex dtype of :func:`accumulation_dtype`."""
    return complex_dtype(accumulation_dtype(dtype))


def paulis(dtype) -> Array:
    """shape=(4, 2, 2), complex ``dtype``: I, X, Y, Z (the one Pauli table of the package)."""
    return jnp.array(
        [[[1, 0], [0, 1]], [[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]], dtype=dtype
    )


def phase_diagonal(phase: Array, dtype) -> Array:
    """shape=(..., 2), complex ``dtype``: (1, e^{i phase}), the diagonal of R(phase); radians."""
    ph = jnp.exp(1j * jnp.asarray(phase).astype(real_dtype(dtype))).astype(dtype)
    return jnp.stack([jnp.ones_like(ph), ph], axis=-1)


def renormalise(x: Array, logscale: Array) -> tuple[Array, Array]:
    """Return ``(x / max|x|, logscale + log max|x|)``; an all-zero ``x`` stays zero.

    Used along every sweep so that nothing under- or overflows at N = 10^5. The scale goes
    through ``stop_gradient``: the value x_true = x * exp(logscale) is invariant under the choice
    of scale, so the gradient of any quantity built from ``(x, logscale)`` is the same for every
    constant scale; treating it as a constant keeps the derivative of max|x| (a non-smooth
    argmax) out of the backward pass. (The primal values are identical either way.)
    """
    x, logs = renormalise_blocks(x, num_block_axes=x.ndim)
    return x, logscale + logs


def renormalise_blocks(x: Array, *, num_block_axes: int) -> tuple[Array, Array]:
    """:func:`renormalise` of every block of ``x`` spanned by its last ``num_block_axes`` axes.

    Returns ``(x with each block divided by its max|.|, log max|.|)``, the logs of shape
    ``x.shape[:-num_block_axes]`` (-inf for an all-zero block, which stays zero); scales through
    ``stop_gradient`` as in :func:`renormalise`. E.g. a stack of matrices (..., D, D) with 2.
    """
    axes = tuple(range(x.ndim - num_block_axes, x.ndim))
    scale = jax.lax.stop_gradient(jnp.max(jnp.abs(x), axis=axes))
    safe = jnp.where(scale > 0, scale, 1).astype(x.dtype)
    return x / safe.reshape(scale.shape + (1,) * num_block_axes), jnp.log(scale)
