"""GapIP: the margin test of <g_j, g_k> by phase estimation of a Grover operator (SPEC §8).

Worker k holds |v>, worker j holds |u> (augmented amplitude encodings, A11); one controlled-G
application is one round trip of the (n + 1)-qubit register (data plus ancilla), 2 (n + 1)
qubit transmissions (A14). t rounds of iterative phase estimation (one fresh ancilla per round,
the §4 feedback rule) give y; the folded estimator gives c_hat = 2 cos(alpha_hat) - 1 ([8.6]);
R independent runs vote ("aligned" iff a majority of the c_hat are > 0, [8.7]).

Three exact engines (``method``), see :mod:`jaxqring.kernels.estimation.grover`:

* ``"law"`` - draws y from SPEC [8.4] after computing the overlap (O(P), fused float64
  reduction; P = 10**8 float32 coordinates take ~1.2 GB for the two inputs and nothing more).
* ``"subspace"`` - evolves the register in span{u, v} (2 amplitudes), outcome by outcome.
* ``"register"`` - evolves all 2**n amplitudes, G applied 2**t - 1 times per run as rank-one
  reflections; memory ~48 * 2**n bytes (checked before allocating).
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .._accounting import CommCost
from .._checks import check_choice, check_int, check_key
from ..kernels.estimation import grover
from ._validate import (
    check_delta,
    check_tau,
    check_unit_pair,
    default_complex,
    default_real,
)

METHODS = ("law", "subspace", "register")

# Per-run success probability guaranteed by [8.6] (one run is within tau/2 with prob >= 8/pi^2).
RUN_SUCCESS = 8 / math.pi**2

# Bytes per amplitude of the "register" engine: u, v, the (2, D) real block, its update and the
# complex register and its image (float64).
REGISTER_BYTES_PER_AMPLITUDE = 64
REGISTER_MAX_BYTES = 16 * 2**30


class GapIPParameters(NamedTuple):
    """(t, R): rounds of phase estimation per run and the odd number of runs (SPEC [8.7])."""

    num_rounds: int
    num_runs: int


class GapIPResult(NamedTuple):
    """Outcome of one GapIP test (R runs of t rounds on an n-qubit data register)."""

    aligned: jax.Array  # shape=(), bool: the majority decision "aligned" (c > 0)
    estimate: jax.Array  # shape=(), float64: median of the R per-run estimates c_hat
    run_estimates: jax.Array  # shape=(R,), float64: folded estimates c_hat of the runs
    outcomes: jax.Array  # shape=(R,), int32: y of every run, in [0, 2**t)
    cost: CommCost  # online_qubits = 2 (n + 1) (2**t - 1) R, rounds = 2 (2**t - 1) R
    num_qubits: int  # same as cost.online_qubits
    num_register_qubits: int  # n = ceil(log2(2 P))
    num_rounds: int  # t
    num_runs: int  # R


def register_qubits(num_coords: int) -> int:
    """n = ceil(log2(2 P)) qubits of the augmented register (SPEC A11), for P >= 1."""
    num_coords = check_int("num_coords", num_coords, minimum=1)
    return (2 * num_coords - 1).bit_length()


def gapip_parameters(tau: float, delta: float) -> GapIPParameters:
    """SPEC [8.7]: t = ceil(log2(2 pi / tau)) + 1 and R = ceil(ln(1/delta) / (2 (8/pi^2 - 1/2)^2)), odd.

    Args:
        tau: margin in (0, 1]: the promise |<g_j, g_k>| >= tau.
        delta: allowed failure probability in (0, 1).
    Returns:
        :class:`GapIPParameters` ``(num_rounds, num_runs)`` (a tuple: ``t, R = ...``).

    Examples:
        >>> gapip_parameters(0.1, 0.01)
        GapIPParameters(num_rounds=7, num_runs=25)
    """
    tau = check_tau("tau", tau)
    delta = check_delta("delta", delta)
    t = math.ceil(math.log2(2 * math.pi / tau)) + 1
    runs = math.ceil(math.log(1 / delta) / (2 * (RUN_SUCCESS - 0.5) ** 2))
    runs += 1 - runs % 2
    return GapIPParameters(t, max(runs, 1))


def gapip_cost(num_coords: int, num_rounds: int, num_runs: int) -> CommCost:
    """SPEC A14: 2 (n + 1) qubits per round trip, 2**t - 1 round trips per run, R runs."""
    n = register_qubits(num_coords)
    t = check_int("num_rounds", num_rounds, minimum=1, maximum=40)
    runs = check_int("num_runs", num_runs, minimum=1)
    trips = (1 << t) - 1
    return CommCost(online_qubits=2 * (n + 1) * trips, rounds=2 * trips).scaled(runs)


def augment(g: jax.Array, num_qubits: int) -> jax.Array:
    """(g, e_1)/sqrt2 zero-padded to 2**n entries (SPEC A11), float64 under x64. shape=(2**n,)."""
    dt = jnp.promote_types(g.dtype, jax.dtypes.canonicalize_dtype(jnp.float64))
    p = g.shape[0]
    out = jnp.zeros(2**num_qubits, dt).at[:p].set(g.astype(dt) / math.sqrt(2))
    return out.at[p].set(1 / math.sqrt(2))


_qpe_law = jax.jit(grover.qpe_law, static_argnums=1)
_folded = jax.jit(grover.folded_estimate, static_argnums=1)


def gapip_law(overlap: float, num_rounds: int) -> np.ndarray:
    """SPEC [8.4] outcome law of one run from c = <g_j, g_k>: shape=(2**t,), float64."""
    c = min(max(float(overlap), -1.0), 1.0)
    t = check_int("num_rounds", num_rounds, minimum=1, maximum=24)
    alpha = math.acos((1 + c) / 2)
    return np.asarray(_qpe_law(jnp.asarray(alpha, default_real()), t))


def gapip_run_error(overlap: float, num_rounds: int) -> float:
    """Exact probability that one run decides the wrong sign (c_hat > 0 while c <= 0 or vice versa)."""
    t = check_int("num_rounds", num_rounds, minimum=1, maximum=24)
    law = gapip_law(overlap, t)
    est = np.asarray(_folded(jnp.arange(2**t), t))
    wrong = (est > 0) != (overlap > 0)
    return float(np.clip(law[wrong].sum(), 0, 1))


def gapip_error_probability(overlap: float, num_rounds: int, num_runs: int) -> float:
    """Exact decision error of the R-run majority: Tail(R, run error) (SPEC C9)."""
    from scipy import stats

    runs = check_int("num_runs", num_runs, minimum=1)
    if runs % 2 == 0:
        raise ValueError(f"Argument `num_runs` must be odd (majority vote), got {runs}.")
    q = gapip_run_error(overlap, num_rounds)
    return float(stats.binom.sf((runs - 1) // 2, runs, q))


@functools.partial(jax.jit, static_argnames=("num_rounds", "shape"))
def sample_law_outcomes(key, overlaps, *, num_rounds: int, shape: tuple):
    """Outcomes y of independent runs from the [8.4] law, for a batch of overlaps.

    Args:
        key: PRNG key.
        overlaps: shape=(I,), float64: c of each instance.
        num_rounds: static t.
        shape: static trailing shape of runs per instance.
    Returns:
        shape=(I, *shape), int32 outcomes.
    """
    alpha = jnp.arccos((1 + overlaps) / 2)
    logits = jnp.log(jnp.maximum(jax.vmap(lambda a: grover.qpe_law(a, num_rounds))(alpha), 1e-300))
    keys = jax.random.split(key, overlaps.shape[0])
    return jax.vmap(
        lambda k, lg: jax.random.categorical(k, lg, shape=shape).astype(jnp.int32)
    )(keys, logits)


@functools.partial(jax.jit, static_argnames="t")
def _sample_subspace(keys, overlap_aug, t):
    power = grover.subspace_power(overlap_aug, t)
    reg = jnp.array([1.0, 0.0], default_complex())
    return jax.vmap(lambda k: grover.sample_iterative_qpe(k, reg, power, num_rounds=t)[0])(keys)


@functools.partial(jax.jit, static_argnames=("t", "n"))
def _sample_register(keys, g_j, g_k, t, n):
    u, v = augment(g_j, n), augment(g_k, n)
    power = grover.register_power(u, v)
    reg = v.astype(default_complex())
    return jax.lax.map(lambda k: grover.sample_iterative_qpe(k, reg, power, num_rounds=t)[0], keys)


def gapip(
    key,
    g_j,
    g_k,
    *,
    tau: float,
    delta: float,
    method: str = "law",
    num_rounds: int | None = None,
    num_runs: int | None = None,
) -> GapIPResult:
    """Decide the sign of c = <g_j, g_k> under the promise |c| >= tau (SPEC §8).

    Args:
        key: PRNG key (split into one key per run).
        g_j, g_k: shape=(P,), real unit vectors of the two workers.
        tau: margin in (0, 1].
        delta: failure probability in (0, 1) (sets R through :func:`gapip_parameters`).
        method: "law" (default), "subspace" or "register" (module docstring).
        num_rounds: override t (default from ``tau``).
        num_runs: override R, odd (default from ``delta``).
    Returns:
        :class:`GapIPResult`; ``cost.online_qubits = 2 (n + 1) (2**t - 1) R``.

    Examples:
        >>> g = jnp.array([1.0, 0.0]); h = jnp.array([0.6, 0.8])
        >>> res = gapip(jax.random.key(0), g, h, tau=0.5, delta=0.01)
        >>> bool(res.aligned), res.num_qubits
        (True, 4650)
    """
    key = check_key("key", key)
    tau = check_tau("tau", tau)
    delta = check_delta("delta", delta)
    method = check_choice("method", method, METHODS)
    a, b, c = check_unit_pair(g_j, g_k)
    t, runs = gapip_parameters(tau, delta)
    if num_rounds is not None:
        t = check_int("num_rounds", num_rounds, minimum=1, maximum=24)
    if num_runs is not None:
        runs = check_int("num_runs", num_runs, minimum=1)
        if runs % 2 == 0:
            raise ValueError(f"Argument `num_runs` must be odd (majority vote, SPEC [8.7]), got {runs}.")
    p = a.shape[0]
    n = register_qubits(p)
    keys = jax.random.split(key, runs)
    if method == "law":
        y = sample_law_outcomes(key, jnp.asarray([c], default_real()), num_rounds=t, shape=(runs,))[0]
    elif method == "subspace":
        y = _sample_subspace(keys, jnp.asarray((1 + c) / 2, default_real()), t)
    else:
        need = REGISTER_BYTES_PER_AMPLITUDE * 2**n
        if need > REGISTER_MAX_BYTES:
            raise ValueError(
                f"Argument `g_j` is too long for method='register': P = {p} needs n = {n} qubits, "
                f"~{need / 2**30:.1f} GiB > {REGISTER_MAX_BYTES / 2**30:.0f} GiB; use method='law' or 'subspace'."
            )
        y = _sample_register(keys, a, b, t, n)
    est = grover.folded_estimate(y, t)
    votes = jnp.sum(est > 0)
    cost = gapip_cost(p, t, runs)
    return GapIPResult(
        aligned=2 * votes > runs,
        estimate=jnp.median(est),
        run_estimates=est,
        outcomes=y,
        cost=cost,
        num_qubits=cost.online_qubits,
        num_register_qubits=n,
        num_rounds=t,
        num_runs=runs,
    )
