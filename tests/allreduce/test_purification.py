"""Purification maps and memory ageing against a dense density-matrix simulation.

Oracle: ``tests/oracles/bell.py`` simulates each protocol gate by gate on 16 x 16 density
matrices (rotations, bilateral CNOT, projective measurement, partial trace; the BBPSSW twirl as
an average over the 24 single-qubit Cliffords U (x) U*). The package's maps are closed-form
rational functions of the Bell coefficients; they must agree to 1e-12.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jaxqring.kernels.comm import bell_diagonal as KB

from jaxqring.allreduce import _purification as P

from ..oracles import bell as O

RNG = np.random.default_rng(20261203)
PAIRS = RNG.dirichlet(np.ones(4), size=6)
PAIRS[0] = [0.9, 1 / 30, 1 / 30, 1 / 30]  # Werner
PAIRS[1] = [0.7, 0.0, 0.3, 0.0]  # rank two: only Psi+ errors
DENSE = {"dejmps": lambda a, b: O.purify_dense(a, b, rotate=True), "bbpssw": O.bbpssw_dense}


@pytest.mark.parametrize("protocol", ["dejmps", "bbpssw"])
def test_purify_equals_dense_simulation(protocol):
    for i, x in enumerate(PAIRS):
        for y in (x, PAIRS[(i + 1) % len(PAIRS)]):
            partner = None if y is x else y
            p, out = P.purify(x, protocol, partner=partner)
            p_ref, rho = DENSE[protocol](O.bell_diagonal(x), O.bell_diagonal(y))
            assert abs(float(p) - p_ref) < 1e-12
            np.testing.assert_allclose(np.asarray(out), O.bell_coefficients(rho), atol=1e-12, rtol=0)
            assert O.bell_offdiagonal_norm(rho) < 1e-12  # the output really is Bell-diagonal


def test_textbook_formulas():
    # BBPSSW on Werner F: F' = (F^2 + e^2)/(F^2 + 2Fe + 5e^2), e = (1-F)/3 (Bennett et al. 1996)
    f = np.linspace(0.3, 1.0, 15)
    e = (1 - f) / 3
    p, out = P.purify(P.werner_pairs(f), "bbpssw")
    np.testing.assert_allclose(np.asarray(p), f**2 + 2 * f * e + 5 * e**2, atol=1e-14)
    np.testing.assert_allclose(np.asarray(out[:, 0]), (f**2 + e**2) / (f**2 + 2 * f * e + 5 * e**2), atol=1e-14)
    # DEJMPS: A' = (A^2 + B^2)/N, B' = 2CD/N, C' = (C^2 + D^2)/N, D' = 2AB/N
    a, b, c, d = PAIRS.T
    n = (a + b) ** 2 + (c + d) ** 2
    p, out = P.purify(PAIRS, "dejmps")
    np.testing.assert_allclose(np.asarray(p), n, atol=1e-14)
    np.testing.assert_allclose(np.asarray(out), np.stack([a * a + b * b, 2 * c * d, c * c + d * d, 2 * a * b], 1) / n[:, None], atol=1e-14)


def test_vectorised_equals_loop_and_broadcasts():
    batch = RNG.dirichlet(np.ones(4), size=(3, 5))
    p, out = P.purify(batch, "dejmps", partner=PAIRS[0])
    for i in range(3):
        for j in range(5):
            pi, oi = P.purify(batch[i, j], "dejmps", partner=PAIRS[0])
            assert float(p[i, j]) == pytest.approx(float(pi), abs=1e-15)
            np.testing.assert_allclose(np.asarray(out[i, j]), np.asarray(oi), atol=1e-15)
    assert p.shape == (3, 5) and out.shape == (3, 5, 4)


@pytest.mark.parametrize("pumping", [False, True])
def test_nested_rounds_and_cost(pumping):
    x = PAIRS[0]
    res = P.purify_rounds(x, rounds=3, protocol="dejmps", pumping=pumping)
    _state, cost = np.asarray(x), 1.0
    rho = O.bell_diagonal(x)
    for r in range(3):
        partner = O.bell_diagonal(x) if pumping else rho
        p_ref, rho = O.purify_dense(rho, partner, rotate=True)
        cost = (cost + 1) / p_ref if pumping else 2 * cost / p_ref
        assert float(res.success_probability[r]) == pytest.approx(p_ref, abs=1e-12)
        np.testing.assert_allclose(np.asarray(res.coefficients[r + 1]), O.bell_coefficients(rho), atol=1e-12)
        assert float(res.raw_pairs[r + 1]) == pytest.approx(cost, rel=1e-12)
    assert res.fidelity.shape == (4,)
    if not pumping:  # recurrence from F = 0.9 converges upwards
        assert np.all(np.diff(np.asarray(res.fidelity)) > 0)


def test_pumping_saturates_below_one():
    # Pumping with a fixed elementary pair has a fixed point below 1; recurrence does not.
    pump = P.purify_rounds(P.werner_pairs(0.8), rounds=40, protocol="bbpssw", pumping=True).fidelity
    rec = P.purify_rounds(P.werner_pairs(0.8), rounds=8, protocol="dejmps").fidelity
    assert abs(float(pump[-1]) - float(pump[-2])) < 1e-9 and float(pump[-1]) < 0.95
    assert float(rec[-1]) > 0.999


def test_purify_jit_and_float32():
    f = jax.jit(lambda x: P.purify(x, "dejmps"))
    _p, out = f(jnp.asarray(PAIRS, jnp.float32))
    assert out.dtype == jnp.float32
    np.testing.assert_allclose(np.asarray(out), np.asarray(P.purify(PAIRS, "dejmps")[1]), atol=1e-6)


def test_ageing_equals_dense_and_closed_form():
    for x in PAIRS:
        for t, gamma, big_gamma in [(0.0, 1.0, 1.0), (0.3, 2.0, 0.0), (0.7, 0.3, 0.2), (5.0, 0.0, 0.5)]:
            ref = O.age_dense(O.bell_diagonal(x), t, gamma, big_gamma)
            np.testing.assert_allclose(np.asarray(KB.age(x, t, gamma, big_gamma)), O.bell_coefficients(ref), atol=1e-12)
            assert O.bell_offdiagonal_norm(ref) < 1e-12
    f0, t = 0.93, np.linspace(0, 3, 7)
    aged = KB.age(KB.werner_coefficients(f0), t, 0.4, 0.1)[:, 0]
    closed = 0.25 + (f0 - 0.25) * np.exp(-0.2 * t) * (1 + 2 * np.exp(-0.8 * t)) / 3
    np.testing.assert_allclose(np.asarray(aged), closed, atol=1e-14)
    np.testing.assert_allclose(np.asarray(KB.aged_werner_fidelity(f0, t, 0.4, 0.1)), closed, atol=1e-14)


def test_epr_model_round_trip_and_confusion():
    # DEJMPS coefficients <-> Pauli weights (I, X, Y, Z) on qubit A of Phi+ (SPEC §2)
    w = np.array([0.7, 0.1, 0.15, 0.05])
    x = np.asarray(KB.from_pauli_weights(w))
    np.testing.assert_allclose(O.bell_diagonal(x), O.pauli_on_a(w), atol=1e-15)
    epr = P.epr_from_coefficients(x)
    np.testing.assert_allclose(np.asarray(epr.pauli_weights), w, atol=1e-15)
    np.testing.assert_allclose(np.asarray(P.bell_coefficients(epr)), x, atol=1e-15)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"pairs": [0.5, 0.5, 0.5, 0.5]}, "summing to 1"),
        ({"pairs": [1.1, -0.1, 0.0, 0.0]}, "non-negative"),
        ({"pairs": [1.0, 0.0, 0.0]}, r"shape \(\.\.\., 4\)"),
        ({"pairs": [1.0, 0.0, 0.0, 0.0], "protocol": "dejmpz"}, "protocol"),
        ({"pairs": [1.0, 0.0, 0.0, 0.0], "partner": [0.2, 0.2, 0.2, 0.2]}, "partner"),
    ],
)
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        P.purify(**kwargs)


def test_bad_rounds_and_fidelity():
    with pytest.raises(ValueError, match="rounds"):
        P.purify_rounds(PAIRS[0], rounds=-1)
    with pytest.raises(ValueError, match="fidelity"):
        P.werner_pairs(0.2)
