"""Classical GapIP baseline: a JL sketch from shared randomness (SPEC §8, A19).

Both workers regenerate A (d x P, entries N(0, 1/d) or +-1/sqrt(d)) from the shared key, column
by column (:mod:`jaxqring.kernels.sketch.jl`; the matrix is never stored). Worker j sends
A g_j as d words of ``word_bits`` bits (IEEE half/single/double for 16/32/64: the words are
rounded to that format before the inner product), worker k computes c_hat = <A g_j, A g_k>.
If d >= P sending g_j itself is cheaper, and the cost is min(d, P) * word_bits bits.

Variance (SPEC [8.9], [8.8]): (1 + c^2)/d (Gaussian), (1 + c^2 - 2 sum_i g_ji^2 g_ki^2)/d
(Rademacher). For Gaussian entries the law of c_hat depends on c only (rotation invariance):
d c_hat = sum_{r<d} X_r Y_r with (X_r, Y_r) standard normal of correlation c, which
by polarisation
c_hat = ((1 + c) chi2_a - (1 - c) chi2_b) / (2 d) with two independent chi^2_d (what :func:`jl_sample_estimates` draws), so
P(c_hat < 0) = F_{d,d}((1 - c)/(1 + c)) exactly (:func:`jl_sign_error`).
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp

from .._accounting import CommCost
from .._checks import check_choice, check_int, check_key, check_mesh
from .._parallel import to_device
from ..kernels.parallel.columns import sum_over_columns
from ..kernels.sketch import jl
from ._validate import check_delta, check_tau, check_unit_pair

KINDS = jl.KINDS
WORD_FORMATS = {16: jnp.float16, 32: jnp.float32, 64: jnp.float64}


class JLResult(NamedTuple):
    """Outcome of one sketched inner-product test."""

    aligned: jax.Array  # shape=(), bool: c_hat > 0
    estimate: jax.Array  # shape=(), float64: c_hat
    cost: CommCost  # bits_sent = min(d, P) * word_bits, rounds = 1
    dim: int  # d
    sent_vector: bool  # True when d >= P (g_j itself was sent)


def jl_sketch_dimension(tau: float, delta: float) -> int:
    """SPEC [8.10] (A19): d = ceil(4 ln(4/delta) / (tau^2 (1 - 2 tau/3))).

    Gives |c_hat - c| < tau with probability >= 1 - delta (Gaussian entries).

    Examples:
        >>> jl_sketch_dimension(0.1, 0.01)
        2568
    """
    tau = check_tau("tau", tau)
    delta = check_delta("delta", delta)
    return math.ceil(4 * math.log(4 / delta) / (tau**2 * (1 - 2 * tau / 3)))


def jl_cost(dim: int, num_coords: int, word_bits: int = 32) -> CommCost:
    """min(d, P) words of ``word_bits`` bits, one message."""
    dim = check_int("dim", dim, minimum=1)
    num_coords = check_int("num_coords", num_coords, minimum=1)
    word_bits = check_int("word_bits", word_bits, minimum=1)
    return CommCost(bits_sent=min(dim, num_coords) * word_bits, rounds=1)


@functools.partial(jax.jit, static_argnames=("dim", "kind", "block_size", "mesh"))
def _sketch_pair(key, a, b, *, dim, kind, block_size, mesh=None):
    def block_sketch(cols, offset, key):
        return jl.sketch(key, cols, dim=dim, kind=kind, block_size=block_size, offset=offset)

    return sum_over_columns(block_sketch, jnp.stack([a, b.astype(a.dtype)]), key, mesh=mesh)


def jl_sketch(key, g, *, dim: int, kind: str = "gaussian", block_size: int = 4096, mesh=None) -> jax.Array:
    """A g for one vector (shape=(P,) real) with A from ``key``: shape=(d,), float64 under x64.

    ``mesh`` (None, ``"all"`` or a 1-D Mesh) shards the coordinates: each device regenerates
    and multiplies its own columns of A, and the partial sketches are summed (the same value
    to rounding, whatever the number of devices)."""
    key = check_key("key", key)
    mesh = check_mesh("mesh", mesh)
    dim = check_int("dim", dim, minimum=1)
    kind = check_choice("kind", kind, KINDS)
    block_size = check_int("block_size", block_size, minimum=1)
    g = to_device(g)
    if g.ndim != 1:
        raise ValueError(f"Argument `g` must be a 1-D vector, got shape {g.shape}.")
    return _sketch_pair(key, g, g, dim=dim, kind=kind, block_size=block_size, mesh=mesh)[0]


def jl_inner_product(
    key,
    g_j,
    g_k,
    *,
    tau: float,
    delta: float,
    dim: int | None = None,
    kind: str = "gaussian",
    word_bits: int = 32,
    block_size: int = 4096,
    mesh=None,
) -> JLResult:
    """The JL-sketch baseline of GapIP: c_hat = <A g_j, A g_k>, decision c_hat > 0.

    Args:
        key: the shared seed of A.
        g_j, g_k: shape=(P,), real unit vectors.
        tau, delta: margin and failure probability (set d by :func:`jl_sketch_dimension`).
        dim: override d.
        kind: "gaussian" or "rademacher".
        word_bits: 16, 32 or 64 (IEEE float words on the wire).
        block_size: columns of A generated at once.
        mesh: None, ``"all"`` or a 1-D Mesh: the coordinates are sharded over its devices
            (see :func:`jl_sketch`).
    Returns:
        :class:`JLResult`.
    """
    key = check_key("key", key)
    tau = check_tau("tau", tau)
    delta = check_delta("delta", delta)
    kind = check_choice("kind", kind, KINDS)
    if word_bits not in WORD_FORMATS:
        raise ValueError(f"Argument `word_bits` must be one of {tuple(WORD_FORMATS)}, got {word_bits!r}.")
    a, b, _ = check_unit_pair(g_j, g_k)
    d = jl_sketch_dimension(tau, delta) if dim is None else check_int("dim", dim, minimum=1)
    block_size = check_int("block_size", block_size, minimum=1)
    mesh = check_mesh("mesh", mesh)
    p = a.shape[0]
    fmt = WORD_FORMATS[word_bits]
    acc = jnp.promote_types(a.dtype, jax.dtypes.canonicalize_dtype(jnp.float64))
    if d >= p:  # sending the vector itself is cheaper and exact up to the word format
        est = jnp.vdot(a.astype(fmt).astype(acc), b.astype(acc))
    else:
        sk = _sketch_pair(key, a, b, dim=d, kind=kind, block_size=block_size, mesh=mesh)
        est = jnp.vdot(sk[0].astype(fmt).astype(acc), sk[1])
    return JLResult(est > 0, est, jl_cost(d, p, word_bits), d, d >= p)


@functools.partial(jax.jit, static_argnames="num_trials")
def jl_sample_estimates(key, overlaps, *, dim, num_trials: int):
    """Gaussian-sketch estimates c_hat drawn from their exact law given c, O(1) per trial.

    c_hat = ((1 + c) chi2_a - (1 - c) chi2_b) / (2 d) with chi2_a, chi2_b independent chi^2_d
    (module docstring: the d products X_r Y_r split by polarisation).

    Args:
        key: PRNG key.
        overlaps: shape=(I,), float64: c of each instance.
        dim: d (int, may be traced: one compilation serves a bisection over d).
        num_trials: static trials per instance.
    Returns:
        shape=(I, num_trials), float64.
    """
    dim = jnp.asarray(dim, overlaps.dtype)
    chi2 = 2 * jax.random.gamma(key, dim / 2, (2, overlaps.shape[0], num_trials), overlaps.dtype)
    c = overlaps[:, None]
    return ((1 + c) * chi2[0] - (1 - c) * chi2[1]) / (2 * dim)


def jl_sign_error(overlap: float, dim: int) -> float:
    """Exact P(sign(c_hat) != sign(c)) for a Gaussian sketch of dimension d (module docstring)."""
    from scipy import stats

    c = float(overlap)
    d = check_int("dim", dim, minimum=1)
    if c == 0:
        return 0.5
    ratio = (1 - abs(c)) / (1 + abs(c))
    return float(stats.f.cdf(ratio, d, d))
