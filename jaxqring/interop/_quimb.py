"""Converters between jaxqring's stacked MPS and quimb's ``MatrixProductState`` (edge only).

quimb is imported lazily, inside the converters, and never inside jitted code.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from .. import kernels as K
from .._probes import MPS, check_mps
from .._readout import check_phases


def to_quimb(mps: MPS, phases: ArrayLike | None = None) -> Any:
    """Convert to a normalised ``quimb.tensor.MatrixProductState`` (numpy arrays, shape="lpr").

    Boundary vectors are absorbed into the first and last tensors, and the optional (N,) phase
    row (radians) is applied, so quimb sees exactly the encoded state. Each tensor is rescaled
    by ``<psi|psi>^(-1/2N)`` so the quimb state has unit norm even where the ray is huge.

    Args:
        mps: probe, tensors (N, chi, 2, chi).
        phases: None or shape (N,), real, finite, radians (checked before quimb is imported).
    Returns:
        ``quimb.tensor.MatrixProductState`` with N sites.
    """
    mps = check_mps(mps)
    if phases is not None:
        if tuple(np.shape(phases)) != (mps.num_sites,):
            raise ValueError(
                f"Argument `phases` must have shape (N,) = ({mps.num_sites},) (one phase per node, "
                f"radians), got {tuple(np.shape(phases))}."
            )
        mps = K.with_phases(mps, check_phases(phases, mps))
    import quimb.tensor as qtn

    n = mps.num_sites
    scale = float(np.exp(-0.5 * float(K.log_norm(mps)) / n))
    t = np.asarray(mps.tensors) * scale
    arrays = [np.einsum("a,apr->pr", np.asarray(mps.left), t[0])]
    arrays += [t[j] for j in range(1, n - 1)]
    arrays.append(np.einsum("lpr,r->lp", t[n - 1], np.asarray(mps.right)))
    return qtn.MatrixProductState(arrays, shape="lpr")


def from_quimb(qmps: Any, *, dtype: Any = None) -> MPS:
    """Convert a quimb ``MatrixProductState`` to a stacked jaxqring MPS.

    Bonds are zero-padded to the largest bond dimension; physical dimension must be 2.
    """
    import quimb.tensor as qtn

    if not isinstance(qmps, qtn.MatrixProductState):
        raise ValueError(
            f"Argument `qmps` must be a quimb MatrixProductState, got {type(qmps).__name__}."
        )
    n = qmps.L
    if n < 2:
        raise ValueError(f"Argument `qmps` must have at least 2 sites, got {n}.")
    sites = []
    for j in range(n):
        t = qmps[j]
        ind_p = qmps.site_ind(j)
        left = [qmps.bond(j - 1, j)] if j > 0 else []
        right = [qmps.bond(j, j + 1)] if j < n - 1 else []
        arr = np.asarray(t.transpose(*left, ind_p, *right).data)
        if j == 0:
            arr = arr[None]
        if j == n - 1:
            arr = arr[..., None]
        if arr.shape[1] != 2:
            raise ValueError(f"Argument `qmps` must have physical dimension 2, got {arr.shape[1]}.")
        sites.append(arr)
    chi = max(max(a.shape[0], a.shape[2]) for a in sites)
    dt = np.dtype(K.default_complex_dtype() if dtype is None else dtype)
    stacked = np.zeros((n, chi, 2, chi), dt)
    for j, a in enumerate(sites):
        stacked[j, : a.shape[0], :, : a.shape[2]] = a
    e0 = np.zeros((chi,), dt)
    e0[0] = 1
    return MPS(jnp.asarray(stacked), jnp.asarray(e0), jnp.asarray(e0))
