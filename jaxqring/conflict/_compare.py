"""Measured comparison of the quantum protocols with their classical baselines (issue: fair comparison).

For each protocol the *empirical* communication is the least cost whose simulated error meets
the target on every instance of a random instance set, next to the worst-case rule of SPEC:

* GapIP (decision error <= delta under |c| >= tau): for every t up to the rule's t, all odd
  R <= R_max are scored at once from the same simulated runs (cumulative votes); the empirical
  R(t) is the least R from which every larger R meets delta; the cost is
  min_t 2 (n + 1) (2**t - 1) R(t) qubits. Instances: random unit-vector pairs with planted
  overlaps c = +-tau (the hardest) and c uniform in tau <= |c| <= 1; runs are drawn from the
  exact law of the "law" engine.
* JL sketch (same decision target): the least d (bisection) whose simulated sign error meets
  delta on every instance, min(d, P) * word_bits bits; Gaussian sketches drawn from their exact
  law given c (:func:`jl_sample_estimates`).
* TieAudit (P(|f_hat - f| >= eps) <= delta): copies drawn by the exact fast sampler on random
  sign vectors with planted f (f = 1/2, the hardest, plus f uniform in [0, 1]); all K <= K_max
  scored at once; cost K ceil(log2 P) qubits.
* Birthday sampling (same target): the least m (bisection) whose simulated error meets delta,
  drawing the covered-pair count from its exact law and the conflicts hypergeometrically; m bits.

Every empirical point is reported with its exact error where a closed form exists. The
crossovers tau* and P* are where the quantum cost falls below the classical one, interpolated
log-linearly between grid points, for the worst-case rules and for the empirical costs.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .._checks import check_int, check_key
from ..kernels.estimation import grover, phase_state

_folded = jax.jit(grover.folded_estimate, static_argnums=1)
from ._gapip import gapip_cost, gapip_error_probability, gapip_law, gapip_parameters
from ._sketch import jl_cost, jl_sample_estimates, jl_sign_error, jl_sketch_dimension
from ._tieaudit import (
    birthday_error_probability,
    birthday_indices,
    covered_pairs_law,
    phase_state_qubits,
    tieaudit_copies,
)
from ._validate import check_delta, check_tau, check_unit_pair, default_real


class GapIPComparison(NamedTuple):
    """Costs of GapIP and the JL sketch at one (tau, delta, P)."""

    tau: float
    delta: float
    num_coords: int
    rule_rounds: int  # t of SPEC [8.7]
    rule_runs: int  # R of SPEC [8.7]
    rule_qubits: int
    empirical_rounds: int
    empirical_runs: int
    empirical_qubits: int
    empirical_error: float  # simulated worst-instance decision error at the empirical (t, R)
    empirical_error_exact: float  # exact worst-instance error there (law + binomial tail)
    rule_dim: int  # d of SPEC [8.10]
    rule_bits: int
    empirical_dim: int
    empirical_bits: int
    empirical_jl_error: float  # simulated worst-instance sign error at the empirical d
    empirical_jl_error_exact: float  # exact (F distribution)

    def as_dict(self) -> dict:
        return {k: (float(v) if isinstance(v, float) else int(v)) for k, v in self._asdict().items()}


class TieAuditComparison(NamedTuple):
    """Costs of TieAudit and birthday sampling at one (eps, delta, P)."""

    eps: float
    delta: float
    num_coords: int
    rule_copies: int
    rule_qubits: int
    empirical_copies: int
    empirical_qubits: int
    empirical_error: float
    rule_indices: int
    rule_bits: int
    empirical_indices: int
    empirical_bits: int
    empirical_birthday_error: float
    empirical_birthday_error_exact: float

    def as_dict(self) -> dict:
        return {k: (float(v) if isinstance(v, float) else int(v)) for k, v in self._asdict().items()}


def least_meeting(error, delta: float, lo: int, hi: int) -> int:
    """Smallest integer x in [lo, hi] with ``error(x) <= delta``, by bisection (``error`` is taken as
    non-increasing in x, and ``error(hi) <= delta`` must hold)."""
    while lo < hi:
        mid = (lo + hi) // 2
        if error(mid) <= delta:
            hi = mid
        else:
            lo = mid + 1
    return lo


def planted_pair(key, num_coords: int, overlap: float, dtype=None):
    """Two random unit vectors in R^P with <g_j, g_k> = overlap exactly (up to rounding).

    g_j is uniform on the sphere; g_k = c g_j + sqrt(1 - c^2) w with w uniform on the sphere
    orthogonal to g_j.
    """
    p = check_int("num_coords", num_coords, minimum=2)
    c = float(overlap)
    dtype = default_real() if dtype is None else dtype
    k1, k2 = jax.random.split(check_key("key", key))
    a = jax.random.normal(k1, (p,), dtype)
    a = a / jnp.linalg.norm(a)
    w = jax.random.normal(k2, (p,), dtype)
    w = w - jnp.vdot(a, w) * a
    w = w / jnp.linalg.norm(w)
    return a, c * a + math.sqrt(max(1 - c * c, 0.0)) * w


def _instance_overlaps(key, tau: float, num_instances: int, instance_coords: int) -> np.ndarray:
    """Planted overlaps +-tau and uniform |c| in [tau, 1], realised as actual vector pairs."""
    kc, ks, kv = jax.random.split(key, 3)
    extra = max(num_instances - 2, 0)
    mags = np.asarray(jax.random.uniform(kc, (extra,), default_real(), tau, 1.0))
    sgn = np.where(np.asarray(jax.random.bernoulli(ks, 0.5, (extra,))), 1.0, -1.0)
    planted = np.concatenate([[tau, -tau], mags * sgn])[: max(num_instances, 2)]
    measured = []
    for i, c in enumerate(planted):
        a, b = planted_pair(jax.random.fold_in(kv, i), instance_coords, float(c))
        measured.append(check_unit_pair(a, b)[2])
    # The promise |c| >= tau must hold exactly; rounding of the planted vectors is ~1e-16.
    return np.sign(planted) * np.maximum(np.abs(measured), tau)


def _least_passing(errors: np.ndarray, delta: float) -> int:
    """Index of the least entry from which every later entry is <= delta (len if none)."""
    ok = errors <= delta
    bad = np.nonzero(~ok)[0]
    return 0 if bad.size == 0 else int(bad[-1] + 1)


def gapip_comparison(
    key,
    *,
    tau: float,
    delta: float,
    num_coords: int,
    num_instances: int = 8,
    num_trials: int = 2000,
    word_bits: int = 32,
    instance_coords: int = 256,
) -> GapIPComparison:
    """Worst-case rules and measured least costs of GapIP and the JL sketch (module docstring).

    Args:
        key: PRNG key of the instances and the simulation.
        tau, delta: margin and decision-error target.
        num_coords: P (sets n = ceil(log2 2P) and the cap min(d, P)).
        num_instances: instance pairs (>= 2: +-tau are always included).
        num_trials: simulated repetitions of each protocol per instance and parameter.
        word_bits: bits per sketch word on the wire.
        instance_coords: length of the planted instance vectors (the laws depend on c only).
    Returns:
        :class:`GapIPComparison`.
    """
    key = check_key("key", key)
    tau = check_tau("tau", tau)
    delta = check_delta("delta", delta)
    p = check_int("num_coords", num_coords, minimum=1)
    num_instances = check_int("num_instances", num_instances, minimum=2)
    num_trials = check_int("num_trials", num_trials, minimum=10)
    k_inst, k_q, k_c = jax.random.split(key, 3)
    overlaps = _instance_overlaps(k_inst, tau, num_instances, instance_coords)
    t_rule, r_rule = gapip_parameters(tau, delta)
    rule_q = gapip_cost(p, t_rule, r_rule).online_qubits
    r_max = 4 * r_rule + 1
    rng = np.random.default_rng(np.asarray(jax.random.bits(k_q, (2,), jnp.uint32)).astype(np.uint64))
    runs = np.arange(1, r_max + 1, 2)
    best = None
    for t in range(1, t_rule + 1):
        est_y = np.asarray(_folded(jnp.arange(2**t), t))
        err = np.zeros(runs.size)
        for c in overlaps:
            # Runs drawn from the exact [8.4] law of the "law" engine (inverse-CDF sampling).
            y = rng.choice(2**t, size=(num_trials, r_max), p=gapip_law(float(c), t))
            wrong = (est_y[y] > 0) != (c > 0)
            votes = np.cumsum(wrong, axis=1)[:, 0::2]  # odd R = 1, 3, ...
            err = np.maximum(err, np.mean(votes > (runs // 2)[None, :], axis=0))
        idx = _least_passing(err, delta)
        if idx >= runs.size:
            continue
        r = int(runs[idx])
        q = gapip_cost(p, t, r).online_qubits
        if best is None or q < best[2]:
            best = (t, r, q, float(err[idx]))
    if best is None:  # cannot happen for t = t_rule (per-run success >= 8/pi^2), kept for safety
        best = (t_rule, r_rule, rule_q, float("nan"))
    t_e, r_e, q_e, err_e = best
    exact = max(gapip_error_probability(float(c), t_e, r_e) for c in overlaps)

    d_rule = jl_sketch_dimension(tau, delta)
    c_ov = jnp.asarray(overlaps)

    def sim_error(d):
        est = np.asarray(jl_sample_estimates(k_c, c_ov, dim=int(d), num_trials=num_trials))
        return float(np.mean((est > 0) != (overlaps[:, None] > 0), axis=1).max())

    lo, hi = 1, max(d_rule, 2)
    while sim_error(hi) > delta:  # the rule guarantees delta; widen only if simulation disagrees
        hi *= 2
    d_e = least_meeting(sim_error, delta, lo, hi)
    jl_err = sim_error(d_e)
    jl_exact = max(jl_sign_error(float(c), d_e) for c in overlaps)
    return GapIPComparison(
        tau, delta, p, t_rule, r_rule, rule_q, t_e, r_e, q_e, err_e, exact,
        d_rule, jl_cost(d_rule, p, word_bits).bits_sent, d_e, jl_cost(d_e, p, word_bits).bits_sent,
        jl_err, jl_exact,
    )


def _planted_signs(key, num_coords: int, f: float) -> np.ndarray:
    """Random signs whose adjacent pairs (2k, 2k + 1) have conflict fraction round(f L)/L."""
    half = num_coords // 2
    k1, k2, _k3 = jax.random.split(key, 3)
    first = np.asarray(jax.random.bernoulli(k1, 0.5, (half,)))
    conflicted = np.zeros(half, bool)
    conflicted[: round(f * half)] = True
    conflicted = np.asarray(jax.random.permutation(k2, conflicted))
    second = first ^ conflicted
    bits = np.stack([first, second], axis=1).ravel()
    return np.where(bits, -1.0, 1.0)


def tieaudit_comparison(
    key,
    *,
    eps: float,
    delta: float,
    num_coords: int,
    num_instances: int = 4,
    num_trials: int = 2000,
    instance_coords: int | None = None,
) -> TieAuditComparison:
    """Worst-case rules and measured least costs of TieAudit and birthday sampling.

    Args:
        key: PRNG key.
        eps, delta: accuracy and failure-probability targets.
        num_coords: P (even).
        num_instances: planted sign vectors (f = 1/2 plus uniform f).
        num_trials: simulated audits per instance and parameter.
        instance_coords: length of the planted sign vectors for the quantum simulation
            (default min(P, 2**16); the fast sampler's law depends on f only).
    Returns:
        :class:`TieAuditComparison`.
    """
    key = check_key("key", key)
    eps = check_tau("eps", eps)
    delta = check_delta("delta", delta)
    p = check_int("num_coords", num_coords, minimum=2)
    if p % 2:
        raise ValueError(f"Argument `num_coords` must be even (SPEC §9), got {p}.")
    num_instances = check_int("num_instances", num_instances, minimum=1)
    num_trials = check_int("num_trials", num_trials, minimum=10)
    p_inst = min(p, 2**16) if instance_coords is None else check_int("instance_coords", instance_coords, minimum=2)
    p_inst -= p_inst % 2
    k_inst, k_q, k_c = jax.random.split(key, 3)
    fs = np.concatenate([[0.5], np.asarray(jax.random.uniform(k_inst, (num_instances - 1,), default_real()))])
    k_rule = tieaudit_copies(eps, delta)
    n = phase_state_qubits(p)
    k_max = 2 * k_rule
    sample = jax.jit(
        jax.vmap(
            lambda kk, b: phase_state.sample_fast_adjacent(kk, b, num_coords=p_inst, num_copies=k_max)[0],
            in_axes=(0, None),
        )
    )
    worst = np.zeros(k_max)
    for i, f in enumerate(fs):
        signs = _planted_signs(jax.random.fold_in(k_inst, i), p_inst, float(f))
        pairs = signs.reshape(-1, 2)
        f_true = float(np.mean(pairs[:, 0] != pairs[:, 1]))
        keys = jax.random.split(jax.random.fold_in(k_q, i), num_trials)
        out = np.asarray(sample(keys, jnp.asarray(signs < 0)))
        minus = np.cumsum(out == 1, axis=1)
        est = minus / np.arange(1, k_max + 1)[None, :]
        err = np.mean(np.abs(est - f_true) >= eps - 1e-12, axis=0)
        worst = np.maximum(worst, err)
    k_e = _least_passing(worst, delta) + 1
    k_e = min(k_e, k_max)

    # Birthday sampling: C from its exact law, then hypergeometric conflicts; f = 1/2 and fs.
    seed = [int(s) for s in np.asarray(jax.random.bits(k_c, (2,), jnp.uint32))]
    half = p // 2
    big_fs = [round(f * half) for f in fs]

    def sim_error(m):
        rng = np.random.default_rng(seed)  # common random numbers across m: a steadier bisection
        law = covered_pairs_law(p, m)
        cs = rng.choice(law.size, size=num_trials, p=law)
        worst_err = 0.0
        for big_f in big_fs:
            f = big_f / half
            x = rng.hypergeometric(big_f, half - big_f, np.maximum(cs, 1)) if half > 0 else cs
            est = np.where(cs > 0, x / np.maximum(cs, 1), 0.5)
            worst_err = max(worst_err, float(np.mean(np.abs(est - f) >= eps - 1e-12)))
        return worst_err

    m_rule = birthday_indices(eps, delta, p)
    lo, hi = 2, p
    m_e = least_meeting(sim_error, delta, lo, hi)
    b_err = sim_error(m_e)
    b_exact = max(birthday_error_probability(eps, p, m_e, bf) for bf in big_fs) if p <= 2**16 else float("nan")
    return TieAuditComparison(
        eps, delta, p, k_rule, k_rule * n, k_e, k_e * n, float(worst[k_e - 1]),
        m_rule, m_rule, m_e, m_e, b_err, b_exact,
    )


def crossing_point(xs, quantum, classical) -> float:
    """x where quantum/classical crosses 1 (log-linear interpolation between grid points); nan if none."""
    xs, r = np.asarray(xs, float), np.log(np.asarray(quantum, float) / np.asarray(classical, float))
    for i in range(len(xs) - 1):
        if r[i] == 0:
            return float(xs[i])
        if r[i] * r[i + 1] < 0:
            lx0, lx1 = math.log(xs[i]), math.log(xs[i + 1])
            return float(math.exp(lx0 + (lx1 - lx0) * r[i] / (r[i] - r[i + 1])))
    return float("nan")


class Crossover(NamedTuple):
    """Crossover of quantum vs classical cost along a grid (tau for GapIP, P for TieAudit)."""

    grid: tuple  # the grid values
    points: tuple  # the comparison record at each grid value
    rule: float  # crossover of the worst-case rules (nan if none on the grid)
    empirical: float  # crossover of the measured least costs (nan if none on the grid)

    def as_dict(self) -> dict:
        return {
            "grid": [float(g) for g in self.grid],
            "points": [pt.as_dict() for pt in self.points],
            "rule": self.rule,
            "empirical": self.empirical,
        }


def gapip_crossover(key, *, taus, delta: float, num_coords: int, **kwargs) -> Crossover:
    """:func:`gapip_comparison` along ``taus``; tau* where GapIP's qubits drop below the JL bits."""
    taus = sorted(float(t) for t in taus)
    pts = [gapip_comparison(jax.random.fold_in(key, i), tau=t, delta=delta, num_coords=num_coords, **kwargs) for i, t in enumerate(taus)]
    rule = crossing_point(taus, [p.rule_qubits for p in pts], [p.rule_bits for p in pts])
    emp = crossing_point(taus, [p.empirical_qubits for p in pts], [p.empirical_bits for p in pts])
    return Crossover(tuple(taus), tuple(pts), rule, emp)


def tieaudit_crossover(key, *, num_coords, eps: float, delta: float, **kwargs) -> Crossover:
    """:func:`tieaudit_comparison` along ``num_coords``; P* where TieAudit's qubits drop below the birthday bits."""
    grid = sorted(int(p) for p in num_coords)
    pts = [tieaudit_comparison(jax.random.fold_in(key, i), eps=eps, delta=delta, num_coords=p, **kwargs) for i, p in enumerate(grid)]
    rule = crossing_point(grid, [p.rule_qubits for p in pts], [p.rule_bits for p in pts])
    emp = crossing_point(grid, [p.empirical_qubits for p in pts], [p.empirical_bits for p in pts])
    return Crossover(tuple(grid), tuple(pts), rule, emp)
