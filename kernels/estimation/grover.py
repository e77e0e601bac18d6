"""GapIP numerics: the Grover operator of two real unit vectors and iterative QPE on it (SPEC §8).

Conventions (SPEC A12, A13, §4). ``R_x = I - 2|x><x|`` and ``G = R_u R_v`` (``R_v`` acts first).
On span{u, v} G is the rotation by 2 alpha, alpha = arccos <u, v> in [0, pi/2]; elsewhere it is
the identity. Phase estimation runs on |v> (an equal mix of the two eigenvectors e^{+-2 i alpha})
with one fresh ancilla |+> per round: round r = 0..t-1 applies controlled-G^{m_r},
``m_r = 2**(t-1-r)``, then R(omega_r) on the ancilla with the §4 feedback phase
``omega_r = -2 pi low / 2**(r+1)`` (``low`` = the bits already decided, :func:`feedback_phase`),
then an X measurement of the ancilla gives bit ``y_r`` (LSB first, y = sum_r y_r 2**r). The
register is reused. With the ancilla in |+>, outcome ``y_r`` leaves the (unnormalised) register

    psi  ->  (psi + (-1)**y_r e^{i omega_r} G^{m_r} psi) / 2,            (*)

whose squared norm is the probability of the outcome sequence so far. Everything below is (*)
evaluated three ways ("engines"), all exact:

* **law** - SPEC [8.4] from alpha alone: P(y) = (Fej_t(2a - 2 pi y/2^t) + Fej_t(-2a - 2 pi y/2^t))/2,
  O(2**t) after the O(P) overlap (:func:`qpe_law`).
* **subspace** - (*) on the 2-vector of the register in the orthonormal basis (v, v_perp) of
  span{u, v}, with G^{2^k} built from the two 2x2 reflections by repeated squaring.
* **register** - (*) on the full 2**n amplitude vector, G applied as two rank-one reflections
  per application, ``m_r`` applications per round, 2**t - 1 per run; never a dense matrix.

The sequential sampler (:func:`sample_iterative_qpe`) and the exact enumeration of all 2**t
outcome sequences (:func:`iterative_qpe_probabilities`) take the engine as a function
``apply_power(x, k) -> G^(2**k) x`` on one register vector, so the three engines share one
implementation of the rounds, the feedback and the measurement. Phases in radians throughout.
Nothing here validates its inputs (the public layer ``jaxqring.conflict`` does).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import jax
import jax.numpy as jnp
from jax import Array

from .kitaev import feedback_phase

ApplyPower = Callable[[Array, Array], Array]


# ---------------------------------------------------------------------------------------------
# Exact law from the overlap (SPEC [8.4]) and the folded estimator ([8.6]).
# ---------------------------------------------------------------------------------------------


def fejer(x: Array, num_rounds: int) -> Array:
    """Fej_t(x) = |sum_{k < 2**t} e^{i k x}|**2 / 4**t, elementwise; x in radians, any shape.

    Evaluated as (sin(T x / 2) / (T sin(x / 2)))**2 with T = 2**t after reducing x to
    [-pi, pi); the removable singularity at x = 0 (mod 2 pi) gives exactly 1.
    """
    big_t = float(2**num_rounds)
    x = jnp.asarray(x)
    r = jnp.remainder(x + math.pi, 2 * math.pi) - math.pi
    half = jnp.sin(r / 2)
    small = jnp.abs(half) < 1e-300
    ratio = jnp.sin(big_t * r / 2) / (big_t * jnp.where(small, 1.0, half))
    return jnp.where(small, 1.0, ratio * ratio)


def qpe_law(alpha: Array, num_rounds: int) -> Array:
    """SPEC [8.4]: P(y) of t-round phase estimation of G on |v>, for y = 0..2**t - 1.

    Args:
        alpha: real scalar, arccos <u, v> in [0, pi/2] (radians).
        num_rounds: static t >= 1.
    Returns:
        shape=(2**t,), dtype of ``alpha``: the probabilities (they sum to 1).
    """
    alpha = jnp.asarray(alpha)
    grid = 2 * math.pi * jnp.arange(2**num_rounds, dtype=alpha.dtype) / 2**num_rounds
    return 0.5 * (fejer(2 * alpha - grid, num_rounds) + fejer(-2 * alpha - grid, num_rounds))


def folded_estimate(y: Array, num_rounds: int, dtype=None) -> Array:
    """SPEC [8.6] estimator: phi = 2 pi y / 2**t, alpha = min(phi, 2 pi - phi) / 2, c = 2 cos(alpha) - 1.

    Args:
        y: int array (any shape), outcomes in [0, 2**t).
        num_rounds: static t.
        dtype: real dtype of the result (default float64 under x64).
    Returns:
        Same shape as ``y``: the estimate of c = <g_j, g_k> in [-1, 1].
    """
    dt = jax.dtypes.canonicalize_dtype(jnp.float64) if dtype is None else jnp.dtype(dtype)
    big_t = 2**num_rounds
    y = jnp.asarray(y)
    folded = jnp.minimum(y, big_t - y).astype(dt)  # min(phi, 2 pi - phi) in units of 2 pi / T
    alpha_hat = math.pi * folded / big_t
    return 2 * jnp.cos(alpha_hat) - 1


# ---------------------------------------------------------------------------------------------
# Engines: G^(2**k) on one register vector.
# ---------------------------------------------------------------------------------------------


def _inner(z: Array, uv: Array) -> Array:
    """shape=(B, 2): <z_b, u>, <z_b, v>, written as a fusible multiply-reduce (not a dot)."""
    return jnp.sum(z[:, None, :] * uv[None, :, :], axis=-1)


def reflect_pair(z: Array, uv: Array, overlap: Array, inner: Array) -> tuple[Array, Array]:
    """One application of G = R_u R_v as two rank-one reflections, on real coordinates.

    Args:
        z: shape=(B, D), real: B real vectors (the real and imaginary parts of a register).
        uv: shape=(2, D), real: the unit vectors u (row 0) and v (row 1).
        overlap: real scalar <u, v>.
        inner: shape=(B, 2): ``(<z_b, u>, <z_b, v>)`` of the input.
    Returns:
        ``(G z, inner products of G z)``. G x = x - 2 v a - 2 u (b - 2 <u, v> a) with
        a = <v, x>, b = <u, x>. The inner products of the result are recomputed from the new
        vector (not propagated algebraically), in the same XLA fusion as the update, so one
        application is one pass over (z, uv) instead of four (two reductions, two updates).
    """
    b, a = inner[:, 0:1], inner[:, 1:2]
    z = z - 2 * a * uv[1][None, :] - 2 * (b - 2 * overlap * a) * uv[0][None, :]
    return z, _inner(z, uv)


def register_power(u: Array, v: Array) -> ApplyPower:
    """Engine "register": ``apply_power(x, k)`` applies G exactly 2**k times to the complex
    register ``x`` (shape (D,)), one rank-one pair of reflections per application
    (``lax.fori_loop``, dynamic trip count). G is real, so the real and imaginary parts are
    evolved as one real (2, D) block (half the arithmetic of complex products)."""
    uv = jnp.stack([u, v])
    overlap = jnp.vdot(u, v)

    def apply_power(x, k):
        reps = jnp.left_shift(jnp.ones((), jnp.int32), k.astype(jnp.int32))
        z = jnp.stack([jnp.real(x), jnp.imag(x)]).astype(uv.dtype)
        z, _ = jax.lax.fori_loop(
            0, reps, lambda _, c: reflect_pair(c[0], uv, overlap, c[1]), (z, _inner(z, uv))
        )
        return jax.lax.complex(z[0], z[1]).astype(x.dtype)

    return apply_power


def subspace_generator(overlap: Array, dtype=None) -> Array:
    """G restricted to span{u, v} in the orthonormal basis (v, v_perp): a real (2, 2) matrix.

    ``v = (1, 0)`` and ``u = (c', sqrt(1 - c'**2))`` with ``c' = overlap = <u, v>``; G is the
    product of the two 2x2 reflections (no trigonometric closed form is used, so that this
    engine checks the law independently).
    """
    dt = jax.dtypes.canonicalize_dtype(jnp.float64) if dtype is None else jnp.dtype(dtype)
    c = jnp.asarray(overlap, dt)
    u2 = jnp.stack([c, jnp.sqrt(jnp.maximum(1 - c * c, 0))])
    v2 = jnp.array([1.0, 0.0], dt)
    eye = jnp.eye(2, dtype=dt)
    r_u = eye - 2 * jnp.outer(u2, u2)
    r_v = eye - 2 * jnp.outer(v2, v2)
    return r_u @ r_v


def subspace_power(overlap: Array, num_rounds: int, dtype=None) -> ApplyPower:
    """Engine "subspace": ``apply_power(x, k)`` multiplies the 2-vector ``x`` by G^(2**k),
    where G^(2**k) (k < t) comes from k exact squarings of :func:`subspace_generator`."""
    g = subspace_generator(overlap, dtype)

    def square(m, _):
        return m @ m, m

    _, powers = jax.lax.scan(square, g, None, length=num_rounds)  # powers[k] = G^(2**k)

    def apply_power(x, k):
        return powers[k].astype(x.dtype) @ x

    return apply_power


# ---------------------------------------------------------------------------------------------
# Iterative QPE: sequential sampler and exact enumeration.
# ---------------------------------------------------------------------------------------------


def _round_branches(psi: Array, g_psi: Array, low: Array, r: Array) -> tuple[Array, Array]:
    """Unnormalised registers (*) for y_r = 0 and y_r = 1 (module docstring)."""
    omega = feedback_phase(low, r, jnp.finfo(psi.dtype).dtype)
    rotated = jnp.exp(1j * omega).astype(psi.dtype) * g_psi
    return (psi + rotated) / 2, (psi - rotated) / 2


def sample_iterative_qpe(
    key: Array, register: Array, apply_power: ApplyPower, *, num_rounds: int
) -> tuple[Array, Array]:
    """One run of t-round iterative phase estimation, sampled outcome by outcome.

    Args:
        key: PRNG key of the run (one uniform per round, drawn up front).
        register: shape=(D,), complex: the normalised initial register (|v> in its engine's basis).
        apply_power: ``(x, k) -> G^(2**k) x`` of the engine.
        num_rounds: static t.
    Returns:
        ``(y, p_zero)``: y int32 scalar in [0, 2**t) (bit r decided in round r); p_zero shape (t,)
        real, the conditional probability of y_r = 0 in each round.
    """
    t = int(num_rounds)
    rdt = jnp.finfo(register.dtype).dtype
    uniforms = jax.random.uniform(key, (t,), rdt)

    def step(carry, xs):
        psi, low = carry
        r, uni = xs
        g_psi = apply_power(psi, (t - 1 - r).astype(jnp.int32))
        zero, one = _round_branches(psi, g_psi, low, r)
        p0 = jnp.clip(jnp.real(jnp.vdot(zero, zero)), 0, 1)
        bit = (uni >= p0).astype(jnp.int32)
        chosen = jnp.where(bit == 0, zero, one)
        norm = jnp.sqrt(jnp.where(bit == 0, p0, 1 - p0))
        psi = chosen / jnp.where(norm > 0, norm, 1).astype(psi.dtype)
        return (psi, low + (bit << r)), p0

    (_, y), p_zero = jax.lax.scan(
        step, (register, jnp.zeros((), jnp.int32)), (jnp.arange(t, dtype=jnp.int32), uniforms)
    )
    return y, p_zero


def iterative_qpe_probabilities(register: Array, apply_power: ApplyPower, *, num_rounds: int) -> Array:
    """Exact law of the t-bit outcome y, by following every outcome sequence (*) at once.

    After round r the 2**(r+1) unnormalised registers are indexed by the bits decided so far
    (index = low + y_r 2**r, SPEC LSB-first order); their squared norms at the end are P(y).
    Costs t 2**(t-1) applications of G in total. For tests and small t.

    Args:
        register: shape=(D,), complex: the normalised initial register.
        apply_power: ``(x, k) -> G^(2**k) x`` for one register vector.
        num_rounds: static t (a Python loop over rounds: the number of branches changes).
    Returns:
        shape=(2**t,), real: P(y) for y = 0..2**t - 1.
    """
    t = int(num_rounds)
    states = register[None, :]
    for r in range(t):
        k = jnp.asarray(t - 1 - r, jnp.int32)
        g_states = jax.vmap(lambda x, k=k: apply_power(x, k))(states)
        low = jnp.arange(2**r, dtype=jnp.int32)
        zero, one = jax.vmap(_round_branches, in_axes=(0, 0, 0, None))(
            states, g_states, low, jnp.asarray(r, jnp.int32)
        )
        states = jnp.concatenate([zero, one], axis=0)
    return jnp.real(jnp.sum(states * jnp.conj(states), axis=1))


@functools.partial(jax.jit, static_argnames="num_rounds")
def register_probabilities(u: Array, v: Array, *, num_rounds: int) -> Array:
    """Exact P(y), shape=(2**t,), of the "register" engine on |v> (u, v: shape (2**n,), real)."""
    reg = v.astype(jnp.result_type(v.dtype, jnp.complex64))
    return iterative_qpe_probabilities(reg, register_power(u, v), num_rounds=num_rounds)


@functools.partial(jax.jit, static_argnames="num_rounds")
def subspace_probabilities(overlap: Array, *, num_rounds: int) -> Array:
    """Exact P(y), shape=(2**t,), of the "subspace" engine from c' = <u, v> (real scalar)."""
    overlap = jnp.asarray(overlap)
    reg = jnp.array([1.0, 0.0], jnp.result_type(overlap.dtype, jnp.complex64))
    return iterative_qpe_probabilities(reg, subspace_power(overlap, num_rounds), num_rounds=num_rounds)
