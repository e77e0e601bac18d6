"""Vector in Subspace (exact one-copy decision, ledger) and linear classification with margin
(both protocols: simulated accuracy vs the exact binomial law; oracle: tests/oracles/statevector.py).
"""

import jax
import numpy as np
import pytest

from jaxqring import inference as inf

from ..helpers import ALPHA, binomial_interval
from ..oracles import statevector as O


@pytest.mark.parametrize("basis,n", [("haar", 2), ("haar", 6), ("hadamard", 3), ("hadamard", 9)])
def test_vsp_promise_and_exact_one_copy_decision(basis, n, key):
    for i in range(3):
        inst = inf.vsp_instance(jax.random.fold_in(key, i), n, basis=basis)
        x = np.asarray(inst.x)
        assert abs(np.linalg.norm(x) - 1) < 1e-12
        if True:  # the promise, checked with dense projectors: x in S_label, S_0 perp S_1
            p0, p1 = inf.subspace_projector(inst, 0), inf.subspace_projector(inst, 1)
            np.testing.assert_allclose(p0 @ p1, 0, atol=1e-10)
            np.testing.assert_allclose(p0 + p1, np.eye(2**n), atol=1e-10)
            assert abs(np.trace(p0) - 2 ** (n - 1)) < 1e-9
            pl = p1 if int(inst.label) else p0
            np.testing.assert_allclose(pl @ x, x, atol=1e-10)
        res = inf.vsp_protocol(inst, key=jax.random.fold_in(key, 100 + i))
        assert int(res.decision) == int(inst.label)
        assert float(res.error_probability) < 1e-20
        assert res.cost.online_qubits == n and res.cost.rounds == 1 and res.cost.bits_sent == 0


def test_vsp_hadamard_basis_is_the_dense_map(key):
    n = 5
    inst = inf.vsp_instance(key, n)
    q = np.eye(2**n)
    for r in range(np.asarray(inst.signs).shape[0]):  # Q = H D_R ... H D_1 (oracle: dense)
        q = O.walsh_hadamard_matrix(n) @ np.diag(np.asarray(inst.signs)[r]) @ q
    half = q[:, : 2 ** (n - 1)]
    np.testing.assert_allclose(inf.subspace_projector(inst, 0), half @ half.T, atol=1e-12)


def test_vsp_costs_table():
    rows = inf.vsp_costs(range(4, 25, 4))
    assert [r["N"] for r in rows] == [2**n for n in range(4, 25, 4)]
    for r in rows:
        assert r["quantum_qubits"] == r["n"]
        assert abs(r["kr2011_bits"] - r["N"] ** (1 / 3)) < 1e-9 * r["N"]
        assert r["send_x_bits"] == 32 * r["N"]


@pytest.mark.parametrize("gamma", [0.5, 0.1])
def test_margin_protocols_follow_their_exact_laws(gamma, key):
    num, n_dims = 400, 64
    inst = inf.margin_instances(key, n_dims, gamma, num)
    np.testing.assert_allclose(np.abs(np.sum(np.asarray(inst.w) * np.asarray(inst.x), 1)), gamma, atol=1e-12)
    k = 41
    p_s = inf.sketch_accuracy(gamma, k)
    assert abs(p_s - O.simhash_accuracy(gamma, k)) < 1e-12
    ok = int(np.sum(np.asarray(inf.sketch_protocol(jax.random.fold_in(key, 1), inst.w, inst.x, num_bits=k)) == np.asarray(inst.label)))
    lo, hi = binomial_interval(num, p_s, ALPHA)
    assert lo <= ok <= hi
    m = 31
    p_q = inf.hadamard_accuracy(gamma, m)
    from scipy import stats

    assert abs(p_q - stats.binom.sf(m // 2, m, (1 + gamma) / 2)) < 1e-12
    ok = int(np.sum(np.asarray(inf.hadamard_test_protocol(jax.random.fold_in(key, 2), inst.w, inst.x, copies=m)) == np.asarray(inst.label)))
    lo, hi = binomial_interval(num, p_q, ALPHA)
    assert lo <= ok <= hi


def test_margin_study_gap_is_polynomial(key):
    rows = inf.margin_study(key, [1.0, 0.3, 0.1], num_dims=64, num_instances=40)
    for r in rows:
        assert inf.sketch_accuracy(r.gamma, r.sketch_bits) >= 0.95
        assert inf.hadamard_accuracy(r.gamma, r.quantum_copies) >= 0.95
        # both scale as 1/gamma^2: their ratio stays bounded (no exponential separation)
        assert r.quantum_qubits <= 20 * (r.sketch_bits + 9) and r.sketch_bits <= 20 * r.quantum_copies + 1
        assert r.quantum_cost.online_qubits == r.quantum_qubits
        assert r.qubit_lower_bound <= np.sqrt(64)
    assert rows[-1].sketch_bits > rows[0].sketch_bits


def test_bad_input_raises_named_errors(key):
    circ = inf.distributed_circuit(2, [["XI"]], [["ZZ"]])
    t = np.zeros(2)
    with pytest.raises(ValueError, match="`x` must have length N <= 2\\^num_qubits = 4"):
        inf.circuit_expectation(circ, t, np.ones(5), "ZZ")
    with pytest.raises(ValueError, match="`x` must have non-zero norm"):
        inf.circuit_expectation(circ, t, np.zeros(4), "ZZ")
    with pytest.raises(ValueError, match="`observable` must be Hermitian"):
        inf.circuit_expectation(circ, t, np.ones(4), np.array([[0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]))
    with pytest.raises(ValueError, match="unknown Pauli letter 'Q'"):
        inf.distributed_circuit(2, [["XQ"]], [["ZZ"]])
    with pytest.raises(ValueError, match="`thetas` must have shape"):
        inf.circuit_expectation(circ, np.zeros(3), np.ones(4), "ZZ")
    for g in (0.0, -0.1, 1.5):
        with pytest.raises(ValueError, match="`gamma` must lie in \\(0, 1\\]"):
            inf.margin_instances(key, 8, g, 2)
    with pytest.raises(ValueError, match="`basis` must be one of"):
        inf.vsp_instance(key, 3, basis="qr")
    with pytest.raises(ValueError, match="`n` must be in \\[1, 12\\]"):
        inf.vsp_instance(key, 13, basis="haar")


def test_privacy_ledger_caps_information():
    circ = inf.random_circuit(0, 4, 3, 2)
    rows = inf.privacy_ledger(circ, copies=100, bits=16)
    assert len(rows) == 5 and [r["sender"] for r in rows] == ["alice", "bob"] * 2 + ["alice"]
    assert all(r["holevo_cap_bits"] == 400 and r["classical_bits"] == 2 * 16 * 16 for r in rows)
    cost = inf.copy_cost(circ, 100)
    assert inf.holevo_cap_bits(cost) == cost.online_qubits == 100 * 5 * 4
