"""Privacy leakage: Fisher information of the broadcast bits about a phase difference, vs dense oracle."""

import math

import numpy as np
import pytest

import jaxqring as jq
import jaxqring.security as sec

from ..oracles import security as orc

PHASES5 = np.array([0.3, -1.1, 2.0, 0.7, 1.4])


def test_honest_leaks_nothing(key):
    """Only the sum leaks: zero to rounding, exactly (N = 6) and by the score estimator (N = 40)."""
    noise = jq.compose(jq.depolarizing(0.05), jq.readout_error(0.02))
    assert abs(sec.leakage(sec.honest(), 6, nodes=(1, 4), noise=noise).fisher) < 1e-12
    est = sec.leakage(sec.honest(), 40, nodes=(0, 39), key=key, num_samples=256)
    assert est.method == "score" and abs(est.fisher) < 1e-12 and est.stderr < 1e-12


@pytest.mark.parametrize(
    "name, attack, rho",
    [
        ("plus", sec.substitute("plus"), lambda n: orc.named_state("plus", n)),
        ("w", sec.substitute("w"), lambda n: orc.named_state("w", n)),
        ("intercept-x", sec.intercept_resend("x", 2), lambda n: orc.chain_distributed(n, transit={2: orc.intercept_kraus("x")})),
        ("probe", sec.entangling_probe(2.2, 1), lambda n: orc.chain_distributed(n, probes={1: 2.2})),
    ],
)
def test_leakage_matches_dense(name, attack, rho):
    """Exact enumeration against the dense oracle (analytic derivative), with noise around the encoding."""
    n = 5
    noise = jq.compose(jq.dephasing(0.04, when="before"), jq.depolarizing(0.1, when="after"))
    r = orc.local_noise(rho(n), n, orc.dephasing_kraus(0.04))
    direction = np.zeros(n)
    direction[1], direction[3] = 1, -1
    want, _ = orc.readout_fisher(r, PHASES5, direction, after=orc.depolarizing_kraus(0.1))
    got = sec.leakage(attack, n, nodes=(1, 3), phases=PHASES5, noise=noise)
    assert got.method == "exact"
    assert got.fisher == pytest.approx(want, abs=1e-9)
    if name == "plus":
        assert want > 0.1


def test_plus_state_closed_form_and_score(key):
    """|+>^N: one bit per phase, so I = 2 (X readout, noiseless); the score estimator agrees."""
    exact = sec.leakage(sec.substitute("plus"), 8, nodes=(2, 5))
    assert exact.fisher == pytest.approx(2.0, abs=1e-10)
    est = sec.leakage(sec.substitute("plus"), 8, nodes=(2, 5), method="score", key=key, num_samples=4000)
    assert abs(est.fisher - 2.0) < 6 * est.stderr
    sine = sec.leakage(sec.substitute("plus"), 4, nodes=(0, 1), sine=True)
    assert sine.fisher == pytest.approx(2.0, abs=1e-10)


def test_expected_leakage():
    n, k = 6, 20
    out = sec.expected_leakage(sec.substitute("plus"), n, k)
    d = float(sec.detection_probability(sec.substitute("plus"), n))
    assert out.acceptance == pytest.approx((1 - d) ** k, rel=1e-12)
    assert out.after_verification == pytest.approx(out.per_copy * out.acceptance, rel=1e-12)


def _dense_probe_information(theta, phis):
    """cq-state QFI about phi_0 of (ancilla, broadcast bits) by explicit simulation, N = 3, central differences."""
    n = len(phis)

    def conditional(phis):
        rho = None
        # pure joint state of nodes + ancilla (ancilla last), via the chain with one probe on qubit 1
        m = n + 1
        psi = np.zeros(2**m, complex)
        psi[0] = 1
        h = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
        psi = orc.embed(h, 0, m) @ psi
        for q in range(1, n):
            psi = orc.cnot(q - 1, q, m) @ psi
            if q == 1:
                p0 = orc.embed(np.diag([1, 0]).astype(complex), q, m)
                p1 = orc.embed(np.diag([0, 1]).astype(complex), q, m)
                psi = (p0 + p1 @ orc.embed(orc.rx(theta), n, m)) @ psi
        u = orc.kron_all([np.diag([1, np.exp(1j * p)]) for p in phis] + [np.eye(2)])
        psi = u @ psi
        out = []
        for i in range(2**n):
            bits = [(i >> (n - 1 - j)) & 1 for j in range(n)]
            bra = orc.kron_all([orc.BRAS["x"][b][None, :] for b in bits] + [np.eye(2)])
            out.append(bra @ psi)  # unnormalised ancilla state (2,)
        return np.array(out), rho

    h = 1e-5
    v, _ = conditional(phis)
    vp, _ = conditional(phis + np.array([h, 0, 0]))
    vm, _ = conditional(phis - np.array([h, 0, 0]))
    dv = (vp - vm) / (2 * h)
    p = np.sum(np.abs(v) ** 2, axis=1)
    dp = 2 * np.real(np.sum(v.conj() * dv, axis=1))
    total = 0.0
    for i in range(len(p)):
        if p[i] < 1e-14:
            continue
        total += dp[i] ** 2 / p[i]
        psi, dpsi = v[i] / np.sqrt(p[i]), dv[i] / np.sqrt(p[i]) - v[i] * dp[i] / (2 * p[i] ** 1.5)
        total += p[i] * 4 * (np.vdot(dpsi, dpsi).real - abs(np.vdot(psi, dpsi)) ** 2)
    return total


@pytest.mark.parametrize("theta", [math.pi, 1.0, 2.5])
def test_probe_information_dense(theta):
    phis = np.array([0.2, 0.4, math.pi / 4 - 0.6])  # sum pi/4
    info = sec.probe_information(theta, phase_sum=math.pi / 4)
    assert info.joint_qfi == pytest.approx(_dense_probe_information(theta, phis), abs=1e-6)
    assert info.ancilla_qfi == 0.0
    if theta == math.pi:
        assert info.broadcast_fisher == pytest.approx(0.0, abs=1e-12)
        assert info.joint_qfi == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: sec.leakage(sec.honest(), 4, nodes=(1, 1)), "nodes"),
        (lambda: sec.leakage(sec.honest(), 4, nodes=(0, 4)), "nodes"),
        (lambda: sec.leakage(sec.honest(), 13, method="exact"), "method"),
        (lambda: sec.leakage(sec.honest(), 13), "key"),
        (lambda: sec.leakage(sec.honest(), 4, phases=[0.0, 1.0]), "phases"),
        (lambda: sec.probe_information(-1.0), "theta"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
