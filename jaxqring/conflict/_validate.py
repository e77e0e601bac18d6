"""Input checks shared by the conflict-detection protocols (run before any tracing)."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from .._checks import check_finite, check_real, is_traced
from .._parallel import to_device


def default_real():
    """float64 under x64, else float32 (the package never forces x64)."""
    return jax.dtypes.canonicalize_dtype(jnp.float64)


def default_complex():
    return jax.dtypes.canonicalize_dtype(jnp.complex128)


def check_tau(name: str, value) -> float:
    """A margin or accuracy in (0, 1]."""
    v = check_real(name, value)
    if not 0 < v <= 1:
        raise ValueError(f"Argument `{name}` must be in (0, 1], got {v}.")
    return v


def check_delta(name: str, value) -> float:
    """A failure probability in (0, 1)."""
    v = check_real(name, value)
    if not 0 < v < 1:
        raise ValueError(f"Argument `{name}` must be in (0, 1), got {v}.")
    return v


@jax.jit
def _norms_and_overlap(a, b):
    acc = jnp.promote_types(a.dtype, jax.dtypes.canonicalize_dtype(jnp.float64))
    a, b = a.astype(acc), b.astype(acc)
    return jnp.sqrt(jnp.vdot(a, a)), jnp.sqrt(jnp.vdot(b, b)), jnp.vdot(a, b)


def check_unit_pair(g_j, g_k) -> tuple[jax.Array, jax.Array, float]:
    """Two real 1-D unit vectors of one length P; returns them and their overlap c (float64).

    The unit-norm tolerance is sqrt(eps) of the input dtype (3.5e-4 for float32, 1.5e-8 for
    float64), so a vector normalised in its own precision passes at any P.
    """
    arrays = []
    for name, g in (("g_j", g_j), ("g_k", g_k)):
        if is_traced(g):
            raise ValueError(f"Argument `{name}` must be a concrete array (GapIP validates it on the host).")
        g = to_device(g)
        if g.ndim != 1 or g.shape[0] < 1:
            raise ValueError(f"Argument `{name}` must be a 1-D vector of length P >= 1, got shape {g.shape}.")
        if not jnp.issubdtype(g.dtype, jnp.floating):
            raise ValueError(f"Argument `{name}` must be a real floating vector, got dtype {g.dtype}.")
        arrays.append(g)
    a, b = arrays
    if a.shape != b.shape:
        raise ValueError(
            f"Arguments `g_j` and `g_k` must have the same length P, got {a.shape[0]} and {b.shape[0]}."
        )
    check_finite("g_j", a)
    check_finite("g_k", b)
    na, nb, c = (float(x) for x in _norms_and_overlap(a, b))
    for name, norm, g in (("g_j", na, a), ("g_k", nb, b)):
        tol = math.sqrt(float(jnp.finfo(g.dtype).eps))
        if abs(norm - 1) > tol:
            raise ValueError(f"Argument `{name}` must be a unit vector (|norm - 1| <= {tol:.1e}), got norm {norm}.")
    return a, b, min(max(c, -1.0), 1.0)


def check_signs(signs) -> np.ndarray:
    """The server's sign vector as conflict bits x_i = [s_i < 0] (bool, shape (P,), P even >= 2).

    Any real vector is accepted; sign(0) := +1 (SPEC A15), so only negative entries count.
    """
    if is_traced(signs):
        raise ValueError("Argument `signs` must be a concrete array.")
    arr = np.asarray(signs)
    if arr.ndim != 1:
        raise ValueError(f"Argument `signs` must be a 1-D vector, got shape {arr.shape}.")
    if arr.dtype == bool:
        raise ValueError("Argument `signs` must hold real signs (+-1 or any real; sign(0) = +1), got a bool array.")
    p = arr.shape[0]
    if p < 2 or p % 2:
        raise ValueError(f"Argument `signs` must have an even length P >= 2 (SPEC §9), got P = {p}.")
    if p >= 2**31:
        raise ValueError(f"Argument `signs` must have P < 2**31 coordinates, got P = {p}.")
    check_finite("signs", arr)
    return arr < 0


def check_matching(matching, num_coords: int) -> np.ndarray | str:
    """A (partial) matching: int (L, 2) of 2L distinct indices in [0, P), or ``"adjacent"``."""
    if isinstance(matching, str):
        if matching != "adjacent":
            raise ValueError(f"Argument `matching` must be an (L, 2) index array or 'adjacent', got {matching!r}.")
        return matching
    arr = np.asarray(matching)
    if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] < 1:
        raise ValueError(f"Argument `matching` must have shape (L, 2) with L >= 1, got {arr.shape}.")
    if not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"Argument `matching` must hold integer indices, got dtype {arr.dtype}.")
    if arr.min() < 0 or arr.max() >= num_coords:
        raise ValueError(
            f"Argument `matching` must hold indices in [0, {num_coords}), got [{arr.min()}, {arr.max()}]."
        )
    flat = arr.ravel()
    if np.unique(flat).size != flat.size:
        raise ValueError("Argument `matching` must use every index at most once (pairs are disjoint), got a repeated index.")
    return arr.astype(np.int32)
