"""Validated probe builders (public API) on top of :mod:`jaxqring.kernels`."""

from __future__ import annotations

import jax
import numpy as np
from jax.typing import DTypeLike

from . import kernels as K
from ._checks import SMALL_REQUEST_BYTES, check_int, check_memory

MPS = K.MPS


def _check_dtype(dtype):
    if dtype is None:
        return None
    dt = np.dtype(dtype)
    if dt not in (np.complex64, np.complex128):
        raise ValueError(f"Argument `dtype` must be complex64 or complex128, got {dt}.")
    return dt


def check_mps_memory(name: str, n: int, chi: int, dtype) -> None:
    """Raise a ValueError naming ``name`` if an N-site MPS of bond ``chi`` cannot fit in memory.

    Counts the stacked tensors (N, chi, 2, chi) twice (the builder's temporaries), in ``dtype``
    (default: the package's default complex dtype).
    """
    dt = np.dtype(K.default_complex_dtype() if dtype is None else dtype)
    nbytes = 2 * int(n) * int(chi) ** 2 * 2 * dt.itemsize
    if nbytes <= SMALL_REQUEST_BYTES:
        return  # fits on any device: skip composing the message (small builds are latency-bound)
    check_memory(
        name, nbytes, what=f"an MPS of N = {int(n)} sites and bond dimension {int(chi)} ({dt})",
        fix="reduce N (GHZ parities and QFIs are exact and fast up to N ~ 10^7 on one device), or "
        "shard the nodes over several devices",
    )


def ghz(n: int, *, dtype: DTypeLike | None = None) -> MPS:
    """GHZ probe (|0^N> + |1^N>)/sqrt(2) as an MPS of bond dimension 2.

    Args:
        n: number of nodes N >= 2.
        dtype: complex64 or complex128 (default: complex128 under ``jax_enable_x64``).
    Returns:
        ``MPS`` with tensors of shape (n, 2, 2, 2) tagged ``kind="ghz"``, which lets
        :func:`jaxqring.sample` use the exact closed-form sampler.

    Examples:
        >>> import jaxqring as jq
        >>> float(jq.parity_expectation(jq.ghz(4), [0.1, 0.2, 0.3, 0.4]))  # cos(1.0)
        0.5403...
    """
    n = check_int("n", n, minimum=2)
    dtype = _check_dtype(dtype)
    check_mps_memory("n", n, 2, dtype)
    return K.ghz(n, dtype=dtype)


def product_plus(n: int, *, dtype: DTypeLike | None = None) -> MPS:
    """Product probe |+>^N (bond dimension 1)."""
    n = check_int("n", n, minimum=2)
    dtype = _check_dtype(dtype)
    check_mps_memory("n", n, 1, dtype)
    return K.product_plus(n, dtype=dtype)


def w_state(n: int, *, dtype: DTypeLike | None = None) -> MPS:
    """W state (|10..0> + |01..0> + ... )/sqrt(N), bond dimension 2."""
    n = check_int("n", n, minimum=2)
    dtype = _check_dtype(dtype)
    check_mps_memory("n", n, 2, dtype)
    return K.w_state(n, dtype=dtype)


def dicke(n: int, k: int, *, dtype: DTypeLike | None = None) -> MPS:
    """Dicke state D(N, k): uniform superposition of all weight-k strings, bond dimension k+1."""
    n = check_int("n", n, minimum=2)
    k = check_int("k", k, minimum=0, maximum=n)
    dtype = _check_dtype(dtype)
    check_mps_memory("n", n, k + 1, dtype)
    return K.dicke(n, k, dtype=dtype)


def random_mps(key: jax.Array, n: int, chi: int, *, dtype: DTypeLike | None = None) -> MPS:
    """Random MPS with i.i.d. complex Gaussian tensors of bond dimension ``chi`` >= 1."""
    n = check_int("n", n, minimum=2)
    chi = check_int("chi", chi, minimum=1)
    dtype = _check_dtype(dtype)
    check_mps_memory("chi", n, chi, dtype)
    return K.random_mps(key, n, chi, dtype=dtype)


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
