"""Exact engine vs the dense oracle (SPEC §7 [7.1]-[7.3]), N <= 6.

Every attack is rebuilt independently in ``tests/oracles/security.py`` (explicit CNOT chain,
explicit ancilla for the probe, stabilizer group by closure, pass probability summed over the
full outcome law), and the engine must agree on F, on the pass probability of *every* one of the
2^N - 1 nontrivial tests, and on the detection probability, to 1e-10.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jaxqring.kernels import stabilizer as SK

import jaxqring as jq
import jaxqring.security as sec
from jaxqring.security._engine import attacked_copy

from ..helpers import binomial_interval
from ..oracles import security as orc

ATOL = 1e-10


def _random_mps(n):
    return jq.random_mps(jax.random.key(7), n, 3)


# (id, attack factory (n -> attack), oracle (n -> rho before honest noise))
CASES = [
    ("honest", lambda n: sec.honest(), lambda n: orc.chain_distributed(n)),
    *[
        (f"intercept-{b}", (lambda b: lambda n: sec.intercept_resend(b, 2))(b),
         (lambda b: lambda n: orc.chain_distributed(n, transit={2: orc.intercept_kraus(b)}))(b))
        for b in ("x", "y", "z", "random")
    ],
    ("intercept-x-two-links", lambda n: sec.intercept_resend("x", (1, n - 1)),
     lambda n: orc.chain_distributed(n, transit={1: orc.intercept_kraus("x"), n - 1: orc.intercept_kraus("x")})),
    ("probe-pi", lambda n: sec.entangling_probe(math.pi, 1), lambda n: orc.chain_distributed(n, probes={1: math.pi})),
    ("probe-1.1", lambda n: sec.entangling_probe(1.1, (2, 3)),
     lambda n: orc.chain_distributed(n, probes={2: 1.1, 3: 1.1})),
    ("phase-flip", lambda n: sec.phase_flip(0), lambda n: orc.chain_distributed(n, held=[(0, orc.flip_kraus("z", 1.0))])),
    ("bit-flip-0.3", lambda n: sec.bit_flip((1, 2), 0.3),
     lambda n: orc.chain_distributed(n, held=[(1, orc.flip_kraus("x", 0.3)), (2, orc.flip_kraus("x", 0.3))])),
    ("y-flip-0.7", lambda n: sec.pauli_flip("y", 3, 0.7), lambda n: orc.chain_distributed(n, held=[(3, orc.flip_kraus("y", 0.7))])),
    *[
        (f"substitute-{s}", (lambda s: lambda n: sec.substitute(s, phase=0.7))(s),
         (lambda s: lambda n: orc.named_state(s, n, 0.7))(s))
        for s in ("zeros", "plus", "w", "ghz")
    ],
    ("substitute-mps", lambda n: sec.substitute(_random_mps(n)),
     lambda n: (lambda v: np.outer(v, v.conj()))(orc.mps_dense(*(np.asarray(x) for x in (_random_mps(n).tensors, _random_mps(n).left, _random_mps(n).right))))),
    ("depolarize-0.3", lambda n: sec.depolarize_copies(0.3, 0.6),
     lambda n: (lambda r: 0.7 * r + 0.3 * orc.local_noise(r, n, orc.depolarizing_kraus(0.6)))(orc.chain_distributed(n))),
    ("combined", lambda n: sec.combine(sec.intercept_resend("y", 1), sec.phase_flip(3, 0.4)),
     lambda n: orc.chain_distributed(n, transit={1: orc.intercept_kraus("y")}, held=[(3, orc.flip_kraus("z", 0.4))])),
    ("adaptive", lambda n: sec.adaptive(3, sec.intercept_resend("z", 2)),
     lambda n: orc.chain_distributed(n, transit={2: orc.intercept_kraus("z")})),
]
IDS = [c[0] for c in CASES]


def _noise():
    return jq.compose(
        jq.dephasing(0.05, when="before"), jq.amplitude_damping(0.1, when="after"), jq.readout_error(0.03)
    )


def _oracle_noisy(rho, n):
    rho = orc.local_noise(rho, n, orc.dephasing_kraus(0.05))
    return orc.local_noise(rho, n, orc.amplitude_damping_kraus(0.1))


def _all_tests(n):
    labels = orc.all_labels(n)
    t = np.array([lab[0] for lab in labels], np.uint8)
    tau = np.array([lab[1] for lab in labels], np.uint8)
    return labels, sec.StabilizerTests(jnp.asarray(t), jnp.asarray(tau))


@pytest.mark.parametrize("n", [4, 5])
def test_group_and_labels_7_1(n):
    """[7.1]: the labelled elements are the 2^N - 1 nontrivial group elements, each stabilizing GHZ,
    and the engine's (codes, sign) give exactly the labelled signed Pauli strings."""
    group = orc.stabilizer_group(n)
    ghz = orc.ghz_vector(n)
    labels = orc.all_labels(n)
    assert len(labels) == 2**n - 1
    mats = [orc.signed_pauli(t, tau) for t, tau in labels]
    for m in mats:
        np.testing.assert_allclose(m @ ghz, ghz, atol=1e-12)
        assert any(np.allclose(m, g) for g in group[1:])
    for i in range(len(mats)):
        for j in range(i):
            assert not np.allclose(mats[i], mats[j])
    _, tests = _all_tests(n)
    codes, sign = SK.label_codes(tests.t, tests.tau)
    letters = "ixyz"
    for k, (t, tau) in enumerate(labels):
        dense = sign[k] * orc.kron_all([orc.PAULI[letters[int(c)]] for c in codes[k]])
        np.testing.assert_allclose(dense, orc.signed_pauli(t, tau), atol=1e-12)


NOISY = {"honest", "intercept-random", "probe-1.1", "y-flip-0.7", "substitute-w", "substitute-mps", "depolarize-0.3", "combined"}
PARAMS = [(c, False) for c in CASES] + [(c, True) for c in CASES if c[0] in NOISY]


@pytest.mark.parametrize("case, noisy", PARAMS, ids=[f"{c[0]}-{'noisy' if z else 'clean'}" for c, z in PARAMS])
def test_engine_matches_oracle(case, noisy):
    """F, every test's pass probability and the detection probability, against the dense oracle;
    without readout errors detection = (1 - F) d0 exactly [7.2]."""
    _, make, oracle = case
    n = 5
    noise = _noise() if noisy else None
    readout = 0.03 if noisy else None
    rho = oracle(n)
    if noisy:
        rho = _oracle_noisy(rho, n)
    attack = make(n)
    labels, tests = _all_tests(n)
    f = float(sec.fidelity(attack, n, noise=noise))
    np.testing.assert_allclose(f, orc.fidelity(rho), atol=ATOL)
    got = np.asarray(sec.pass_probabilities(attack, n, tests, noise=noise))
    want = np.array([orc.pass_probability(rho, t, tau, readout) for t, tau in labels])
    np.testing.assert_allclose(got, want, atol=ATOL)
    det = float(sec.detection_probability(attack, n, noise=noise))
    np.testing.assert_allclose(det, np.mean(1 - want), atol=ATOL)
    if not noisy:
        d0 = 2 ** (n - 1) / (2**n - 1)
        np.testing.assert_allclose(det, (1 - f) * d0, atol=ATOL)


def test_spec_examples_n4():
    """SPEC §7 examples at N = 4: |0000> F = 1/2, P = 4/15; Z intercept-resend F = 1/2, P = 4/15 and
    only t = 1 tests catch it; phase flip Z_0: orthogonal, P = 8/15 [7.3]."""
    n = 4
    for attack in (sec.substitute("zeros"), sec.intercept_resend("z", 1), sec.intercept_resend("z", 3)):
        assert float(sec.fidelity(attack, n)) == pytest.approx(0.5, abs=1e-12)
        assert float(sec.detection_probability(attack, n)) == pytest.approx(4 / 15, abs=1e-12)
    _, tests = _all_tests(n)
    p = np.asarray(sec.pass_probabilities(sec.intercept_resend("z", 2), n, tests))
    t = np.asarray(tests.t)
    np.testing.assert_allclose(p[t == 0], 1.0, atol=1e-12)
    np.testing.assert_allclose(p[t == 1], 0.5, atol=1e-12)
    flip = sec.phase_flip(0)
    assert float(sec.fidelity(flip, n)) == pytest.approx(0.0, abs=1e-12)
    assert float(sec.detection_probability(flip, n)) == pytest.approx(8 / 15, abs=1e-12)


@pytest.mark.parametrize(
    "attack",
    [sec.intercept_resend("random", 2), sec.substitute("plus"), sec.entangling_probe(2.0, 3), sec.depolarize_copies(0.5, 0.8)],
    ids=["intercept-random", "plus", "probe-2.0", "depolarize"],
)
def test_sampled_detection_binomial(key, attack):
    """Full outcome strings sampled from the MPO: the failure count is Binomial(K, P_detect)."""
    n, num = 5, 20_000
    noise = jq.compose(jq.depolarizing(0.03), jq.readout_error(0.02))
    rec = sec.sample_tests(key, attack, n, num, noise=noise)
    fails = int(num - np.sum(np.asarray(rec.passed)))
    d = float(sec.detection_probability(attack, n, noise=noise))
    lo, hi = binomial_interval(num, d)
    assert lo <= fails <= hi, (fails, num * d)
    # idle nodes of Z-type tests report 0
    t = np.asarray(rec.tests.t)
    idle = (t[:, None] == 0) & (np.asarray(rec.tests.tau) == 0)
    assert not np.any(np.asarray(rec.outcomes)[idle])


def test_outcome_law_exact_and_sampled(key):
    """outcome_log_probability equals the oracle's full outcome law; sampled strings follow it (chi^2)."""
    from ..helpers import ALPHA, chi2_gof_pvalue

    n = 4
    attack = sec.combine(sec.intercept_resend("x", 2), sec.bit_flip(0, 0.25))
    rho = orc.chain_distributed(n, transit={2: orc.intercept_kraus("x")}, held=[(0, orc.flip_kraus("x", 0.25))])
    t, tau = 1, (1, 0, 0, 1)
    law = orc.outcome_law(rho, orc.measured_letters(t, tau))
    strings = np.array([[(i >> (n - 1 - j)) & 1 for j in range(n)] for i in range(2**n)], np.uint8)
    tests = sec.StabilizerTests(jnp.full((2**n,), t, jnp.uint8), jnp.asarray(np.tile(tau, (2**n, 1)), jnp.uint8))
    logp = np.asarray(sec.outcome_log_probability(attack, n, tests, strings))
    np.testing.assert_allclose(np.exp(logp), law, atol=ATOL)
    # sample 20000 strings for this one test through the kernel sampler
    copy = attacked_copy(attack, n)
    transfer = SK.pauli_transfer(copy.mpo, copy.after, copy.readout)
    codes, _ = SK.label_codes(tests.t[:1], tests.tau[:1])
    bits = SK.sample_outcomes(key, transfer, copy.mpo.left, copy.mpo.right, jnp.tile(codes, (20_000, 1)))
    idx = np.asarray(bits).astype(int) @ (1 << np.arange(n - 1, -1, -1))
    counts = np.bincount(idx, minlength=2**n)
    assert chi2_gof_pvalue(counts, law) > ALPHA


def test_large_n_closed_forms():
    """N = 1000 (no dense oracle): F and detection of attacks with closed forms, no under/overflow."""
    n = 1000
    d0 = 2 ** (n - 1) / (2**n - 1)
    assert float(sec.detection_probability(sec.honest(), n)) == pytest.approx(0.0, abs=1e-12)
    assert float(sec.detection_probability(sec.phase_flip(500), n)) == pytest.approx(d0, abs=1e-12)
    assert float(sec.detection_probability(sec.intercept_resend("y", 999), n)) == pytest.approx(d0 / 2, abs=1e-12)
    theta = 1.3
    f = float(sec.fidelity(sec.entangling_probe(theta, 10), n))
    assert f == pytest.approx((1 + math.cos(theta / 2)) / 2, abs=1e-12)
    # dephasing p on every node: F = (1 + (1-2p)^N)/2
    f = float(sec.fidelity(sec.honest(), n, noise=jq.dephasing(1e-3)))
    assert f == pytest.approx((1 + (1 - 2e-3) ** n) / 2, abs=1e-12)
    tests = sec.draw_tests(jax.random.key(3), n, 64)
    p = np.asarray(sec.pass_probabilities(sec.phase_flip(3), n, tests))
    # Z_3 anticommutes exactly with the X-type tests: they always fail; Z-type tests pass.
    np.testing.assert_allclose(p, 1 - np.asarray(tests.t), atol=1e-12)


def test_draw_tests_uniform(key):
    """Labels are uniform over the 2^N - 1 nontrivial elements (chi^2 at N = 3)."""
    from ..helpers import ALPHA, chi2_gof_pvalue

    n, num = 3, 35_000
    tests = sec.draw_tests(key, n, num)
    t, tau = np.asarray(tests.t), np.asarray(tests.tau)
    assert np.all(tau.sum(axis=1) % 2 == 0)
    assert not np.any((t == 0) & (tau.sum(axis=1) == 0))
    idx = t.astype(int) * 2 ** (n - 1) + tau[:, : n - 1].astype(int) @ (1 << np.arange(n - 2, -1, -1))
    counts = np.bincount(idx, minlength=2**n)[1:]
    assert chi2_gof_pvalue(counts, np.full(2**n - 1, 1 / (2**n - 1))) > ALPHA


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: sec.intercept_resend("w", 1), "basis"),
        (lambda: sec.intercept_resend("x", 0), "qubit"),
        (lambda: sec.detection_probability(sec.intercept_resend("x", 4), 4), "qubit"),
        (lambda: sec.detection_probability(sec.phase_flip(7), 4), "qubits"),
        (lambda: sec.entangling_probe(7.0, 1), "theta"),
        (lambda: sec.entangling_probe(float("nan"), 1), "theta"),
        (lambda: sec.phase_flip(0, 1.5), "`p`"),
        (lambda: sec.depolarize_copies(-0.1), "fraction"),
        (lambda: sec.detection_probability("intercept", 4), "attack"),
        (lambda: sec.detection_probability(sec.honest(), 1), "`n`"),
        (lambda: sec.draw_tests(jax.random.key(0), 4, 0), "num_tests"),
        (lambda: sec.substitute("bell"), "state"),
        (lambda: sec.detection_probability(sec.substitute(jq.ghz(5)), 4), "state"),
        (lambda: sec.combine(sec.substitute("zeros"), sec.substitute("plus")).attacks and sec.fidelity(
            sec.combine(sec.substitute("zeros"), sec.substitute("plus")), 4), "substitution"),
        (lambda: sec.fidelity(sec.combine(sec.substitute("zeros"), sec.intercept_resend("x", 1)), 4), "transit"),
        (lambda: sec.adaptive(-1), "corrupted"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
