"""Measured comparison and crossovers at small size (the full sizes run in benchmarks/bench_conflict.py)."""

import math

import jax
import numpy as np

import jaxqring.conflict as jc
from jaxqring.conflict import crossing_point

from ..oracles import conflict as oracle


def test_planted_pair():
    a, b = jc.planted_pair(jax.random.key(0), 500, -0.37)
    assert abs(float(np.linalg.norm(a)) - 1) < 1e-12 and abs(float(np.linalg.norm(b)) - 1) < 1e-12
    assert abs(float(a @ b) + 0.37) < 1e-12


def test_gapip_comparison_small():
    tau, delta, p = 0.3, 0.05, 1000
    res = jc.gapip_comparison(jax.random.key(1), tau=tau, delta=delta, num_coords=p, num_instances=3, num_trials=600)
    t, r = oracle.gapip_rules(tau, delta)
    n = math.ceil(math.log2(2 * p))
    assert (res.rule_rounds, res.rule_runs) == (t, r)
    assert res.rule_qubits == 2 * (n + 1) * (2**t - 1) * r
    assert res.empirical_qubits == 2 * (n + 1) * (2**res.empirical_rounds - 1) * res.empirical_runs
    assert res.empirical_qubits <= res.rule_qubits and res.empirical_bits <= res.rule_bits
    assert res.rule_bits == min(oracle.jl_rule(tau, delta), p) * 32
    assert res.empirical_error <= delta and res.empirical_jl_error <= delta
    # The simulation decides with 600 trials: the exact error at the chosen point is near delta.
    assert res.empirical_error_exact <= 3 * delta and res.empirical_jl_error_exact <= 3 * delta
    assert set(res.as_dict()) == set(res._fields)


def test_tieaudit_comparison_small():
    eps, delta, p = 0.2, 0.05, 2**12
    res = jc.tieaudit_comparison(jax.random.key(2), eps=eps, delta=delta, num_coords=p, num_instances=2, num_trials=600)
    k = math.ceil(math.log(2 / delta) / (2 * eps**2))
    assert res.rule_copies == k and res.rule_qubits == 12 * k
    assert res.empirical_qubits == 12 * res.empirical_copies <= 2 * res.rule_qubits
    assert res.empirical_bits == res.empirical_indices <= p
    assert res.empirical_error <= delta and res.empirical_birthday_error <= delta
    assert res.empirical_birthday_error_exact <= 3 * delta


def test_crossing_interpolation():
    assert crossing_point([1, 4], [1, 4], [4, 1]) == 2.0  # log-linear: crosses at sqrt(1 * 4)
    assert math.isnan(crossing_point([1, 2, 3], [1, 1, 1], [2, 2, 2]))


def test_tieaudit_crossover_grid():
    cr = jc.tieaudit_crossover(jax.random.key(3), num_coords=[2**6, 2**14], eps=0.3, delta=0.1, num_instances=1, num_trials=300)
    first, last = cr.points
    assert first.empirical_qubits > first.empirical_bits  # tiny P: sending the signs wins
    assert last.empirical_qubits < last.empirical_bits  # large P: the phase state wins
    assert 2**6 < cr.empirical < 2**14 and 2**6 < cr.rule < 2**14
