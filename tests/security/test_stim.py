"""stim's tableau simulator agrees with the exact engine on every Clifford attack, N in {4, 64, 1000}."""

import math

import jax
import numpy as np
import pytest
from jaxqring.kernels import stabilizer as SK

import jaxqring.security as sec

from ..oracles import security as orc

stim = pytest.importorskip("stim")


def _cases(n):
    mid = n // 2
    return [
        ("honest", sec.honest(), {"kind": "honest"}),
        *[
            (f"intercept-{b}", sec.intercept_resend(b, (1, mid)), {"kind": "intercept", "basis": b, "qubits": [1, mid]})
            for b in ("x", "y", "z", "random")
        ],
        ("probe-pi", sec.entangling_probe(math.pi, n - 1), {"kind": "probe", "qubits": [n - 1]}),
        ("flip-z", sec.phase_flip(0), {"kind": "flip", "pauli": "z", "qubits": [0]}),
        ("flip-x", sec.bit_flip((mid, n - 1)), {"kind": "flip", "pauli": "x", "qubits": [mid, n - 1]}),
        ("flip-y", sec.pauli_flip("y", 2), {"kind": "flip", "pauli": "y", "qubits": [2]}),
        ("zeros", sec.substitute("zeros"), {"kind": "substitute", "state": "zeros"}),
        ("plus", sec.substitute("plus"), {"kind": "substitute", "state": "plus"}),
        ("ghz-phase-pi/2", sec.substitute("ghz", phase=math.pi / 2), {"kind": "substitute", "state": "ghz", "phase_quarters": 1}),
        ("ghz-phase-pi", sec.substitute("ghz", phase=math.pi), {"kind": "substitute", "state": "ghz", "phase_quarters": 2}),
    ]


@pytest.mark.parametrize("n, num_tests", [(4, 0), (64, 20), (1000, 8)])
def test_stim_agrees_on_clifford_attacks(n, num_tests):
    if num_tests == 0:
        labels = orc.all_labels(n)
        tests = sec.StabilizerTests(
            np.array([t for t, _ in labels], np.uint8), np.array([tau for _, tau in labels], np.uint8)
        )
    else:
        tests = sec.draw_tests(jax.random.key(n), n, num_tests)
    codes, signs = (np.asarray(x) for x in SK.label_codes(tests.t, tests.tau))
    for name, attack, spec in _cases(n):
        got = np.asarray(sec.pass_probabilities(attack, n, tests))
        want = orc.stim_pass_probabilities(orc.stim_simulators(n, spec), n, codes, signs)
        np.testing.assert_allclose(got, want, atol=1e-10, err_msg=name)
        # the average over all tests is the exact detection law (checked at N = 4 with every label)
        if num_tests == 0:
            assert float(sec.detection_probability(attack, n)) == pytest.approx(np.mean(1 - want), abs=1e-10)
