"""Validated probe builders (public API) on top of :mod:`jaxqring.kernels`."""

from __future__ import annotations

import jax
import numpy as np

from . import kernels as K
from ._checks import check_int

MPS = K.MPS


def _check_dtype(dtype):
    if dtype is None:
        return None
    dt = np.dtype(dtype)
    if dt not in (np.complex64, np.complex128):
        raise ValueError(f"Argument `dtype` must be complex64 or complex128, got {dt}.")
    return dt


def ghz(n: int, *, dtype=None) -> MPS:
    """GHZ probe (|0^N> + |1^N>)/sqrt(2) as an MPS of bond dimension 2.

    Args:
        n: number of nodes N >= 2.
        dtype: complex64 or complex128 (default: complex128 under ``jax_enable_x64``).
    Returns:
        ``MPS`` with tensors of shape (n, 2, 2, 2) tagged ``kind="ghz"``, which lets
        :func:`jaxqring.sample` use the exact closed-form sampler.

    Example:
        >>> import jaxqring as jq
        >>> float(jq.parity_expectation(jq.ghz(4), [0.1, 0.2, 0.3, 0.4]))  # cos(1.0)
        0.5403...
    """
    return K.ghz(check_int("n", n, minimum=2), dtype=_check_dtype(dtype))


def product_plus(n: int, *, dtype=None) -> MPS:
    """Product probe |+>^N (bond dimension 1)."""
    return K.product_plus(check_int("n", n, minimum=2), dtype=_check_dtype(dtype))


def w_state(n: int, *, dtype=None) -> MPS:
    """W state (|10..0> + |01..0> + ... )/sqrt(N), bond dimension 2."""
    return K.w_state(check_int("n", n, minimum=2), dtype=_check_dtype(dtype))


def dicke(n: int, k: int, *, dtype=None) -> MPS:
    """Dicke state D(N, k): uniform superposition of all weight-k strings, bond dimension k+1."""
    n = check_int("n", n, minimum=2)
    k = check_int("k", k, minimum=0, maximum=n)
    return K.dicke(n, k, dtype=_check_dtype(dtype))


def random_mps(key: jax.Array, n: int, chi: int, *, dtype=None) -> MPS:
    """Random MPS with i.i.d. complex Gaussian tensors of bond dimension ``chi`` >= 1."""
    n = check_int("n", n, minimum=2)
    chi = check_int("chi", chi, minimum=1)
    return K.random_mps(key, n, chi, dtype=_check_dtype(dtype))


def check_mps(mps) -> MPS:
    """Validate an MPS's shapes; raise a ValueError naming ``mps`` otherwise."""
    if not isinstance(mps, MPS):
        raise ValueError(f"Argument `mps` must be a jaxqring MPS, got {type(mps).__name__}.")
    shape = tuple(mps.tensors.shape)
    if len(shape) != 4 or shape[2] != 2 or shape[1] != shape[3]:
        raise ValueError(
            f"Argument `mps` must have tensors of shape (N, chi, 2, chi), got {shape}."
        )
    if shape[0] < 2:
        raise ValueError(f"Argument `mps` must have N >= 2 sites, got {shape[0]}.")
    if shape[1] < 1:
        raise ValueError(f"Argument `mps` must have bond dimension >= 1, got {shape[1]}.")
    if tuple(mps.left.shape) != (shape[1],) or tuple(mps.right.shape) != (shape[1],):
        raise ValueError(
            f"Argument `mps` must have boundary vectors of shape ({shape[1]},), "
            f"got {tuple(mps.left.shape)} and {tuple(mps.right.shape)}."
        )
    return mps
