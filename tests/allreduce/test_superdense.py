"""Superdense coding: encode -> noisy pair -> Bell measurement, confusion law, sampling.

Oracles: dense numpy 2-qubit state vectors / density matrices built here from SPEC §2
(independent of jaxqring), the closed forms [2.1]-[2.6], and binomial / chi-square tests with a
false-failure rate ALPHA per assertion.
"""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxqring as jq
from jaxqring.kernels.comm import superdense as KS

from ..helpers import ALPHA, assert_close, binomial_interval, chi2_gof_pvalue

# ---- dense numpy oracle (SPEC §2) -------------------------------------------------------------
I2 = np.eye(2, dtype=complex)
X = np.array([[0, 1], [1, 0]], complex)
Y = np.array([[0, -1j], [1j, 0]], complex)
Z = np.array([[1, 0], [0, -1]], complex)
H = np.array([[1, 1], [1, -1]], complex) / np.sqrt(2)
CNOT = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], complex)
PHI = np.array([1, 0, 0, 1], complex) / np.sqrt(2)
BELL = {  # SPEC §2 table: (z, x) -> resulting state
    (0, 0): np.array([1, 0, 0, 1]) / np.sqrt(2),
    (0, 1): np.array([0, 1, 1, 0]) / np.sqrt(2),
    (1, 0): np.array([1, 0, 0, -1]) / np.sqrt(2),
    (1, 1): np.array([0, 1, -1, 0]) / np.sqrt(2),
}
DECODE = np.kron(H, I2) @ CNOT  # CNOT(A -> B), then H on A; then Z readout, index 2 m_A + m_B


def sdc_pauli(z, x):
    return np.linalg.matrix_power(Z, z) @ np.linalg.matrix_power(X, x)


def oracle_confusion(rho):
    c = np.zeros((4, 4))
    for z, x in itertools.product((0, 1), repeat=2):
        u = np.kron(sdc_pauli(z, x), I2)
        c[2 * z + x] = np.real(np.diag(DECODE @ u @ rho @ u.conj().T @ DECODE.conj().T))
    return c


def pauli_channel_on_a(rho, w):
    """sum_k w_k (sigma_k (x) I) rho (sigma_k (x) I)^dagger, sigma = (I, X, Y, Z)."""
    return sum(wk * np.kron(s, I2) @ rho @ np.kron(s, I2).conj().T for wk, s in zip(w, (I2, X, Y, Z)))


def werner_closed(f):
    c = np.full((4, 4), (1 - f) / 3)
    np.fill_diagonal(c, f)
    return c


# ---- [2.1], [2.2]: encoding table and Bell-measurement decoding -------------------------------


def test_encoding_table_and_bell_decoding_match_dense_oracle():
    u = np.asarray(KS.encode_unitaries(jnp.complex128))
    d = np.asarray(KS.bell_decode_unitary(jnp.complex128))
    np.testing.assert_allclose(d, DECODE, atol=1e-15)
    for (z, x), target in BELL.items():
        k = 2 * z + x
        np.testing.assert_allclose(u[k], np.kron(sdc_pauli(z, x), I2), atol=1e-15)
        state = u[k] @ np.asarray(KS.phi_plus(jnp.complex128))
        assert abs(abs(np.vdot(target, state)) - 1) < 1e-12  # [2.1]
        probs = np.abs(d @ state) ** 2
        np.testing.assert_allclose(probs, np.eye(4)[k], atol=1e-12)  # [2.2] (m_A, m_B) = (z, x)


def test_noiseless_pair_decodes_exactly():
    c = np.asarray(jq.werner(1.0).confusion())
    np.testing.assert_allclose(c, np.eye(4), atol=1e-15)
    th = KS.decode_thresholds(jnp.asarray(c))
    sym = jax.random.randint(jax.random.key(0), (10_000,), 0, 4).astype(jnp.uint8)
    out = KS.sample_decoded(jax.random.key(1), th, sym)
    assert out.dtype == jnp.uint8
    np.testing.assert_array_equal(np.asarray(out), np.asarray(sym))


# ---- [2.3], [2.4]: noisy pairs ------------------------------------------------------------------


@pytest.mark.parametrize("f", [1.0, 0.95, 0.8, 0.5, 0.25])
def test_werner_state_and_confusion(f):
    p0 = np.outer(PHI, PHI.conj())
    rho_closed = f * p0 + (1 - f) / 3 * (np.eye(4) - p0)
    lam = (4 * f - 1) / 3
    depol_a = pauli_channel_on_a(p0, [1 - 3 * (1 - lam) / 4] + [(1 - lam) / 4] * 3)  # [2.3]
    np.testing.assert_allclose(rho_closed, lam * p0 + (1 - lam) * np.eye(4) / 4, atol=1e-14)
    np.testing.assert_allclose(depol_a, rho_closed, atol=1e-14)
    epr = jq.werner(f)
    np.testing.assert_allclose(np.asarray(epr.state()), rho_closed, atol=1e-14)
    c = np.asarray(epr.confusion())
    np.testing.assert_allclose(c, oracle_confusion(rho_closed), atol=1e-13)
    np.testing.assert_allclose(c, werner_closed(f), atol=1e-13)  # [2.4]


PAULI_CASES = [(0.05, 0.02, 0.1), (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0), (0.3, 0.3, 0.4)]


@pytest.mark.parametrize("w", PAULI_CASES)
def test_pauli_channel_confusion_matches_dense_oracle(w):
    weights = [1 - sum(w), *w]
    epr = jq.pauli_epr(*w)
    rho = pauli_channel_on_a(np.outer(PHI, PHI.conj()), weights)
    np.testing.assert_allclose(np.asarray(epr.state()), rho, atol=1e-14)
    c = np.asarray(epr.confusion())
    np.testing.assert_allclose(c, oracle_confusion(rho), atol=1e-13)
    # X flips x, Z flips z, Y flips both: decoded = sent XOR error, error symbols (I,X,Y,Z)->(0,1,3,2).
    err = dict(zip((0, 1, 3, 2), weights))
    np.testing.assert_allclose(c, [[err[k ^ m] for m in range(4)] for k in range(4)], atol=1e-13)
    rates = jq.symbol_error_rates(epr)
    x_flip = np.mean([sum(c[k, m] for m in range(4) if (k ^ m) & 1) for k in range(4)])
    z_flip = np.mean([sum(c[k, m] for m in range(4) if (k ^ m) & 2) for k in range(4)])
    assert_close(rates["x_bit"], x_flip, np.float64)
    assert_close(rates["z_bit"], z_flip, np.float64)


def test_confusion_of_a_generic_two_qubit_state(key):
    """The kernel is exact for any pair state, not only Bell-diagonal ones."""
    a = np.asarray(jax.random.normal(key, (2, 4, 4)))
    m = a[0] + 1j * a[1]
    rho = m @ m.conj().T
    rho /= np.trace(rho)
    c = np.asarray(KS.confusion_matrix(jnp.asarray(rho)))
    np.testing.assert_allclose(c, oracle_confusion(rho), atol=1e-13)
    np.testing.assert_allclose(c.sum(axis=1), 1, atol=1e-13)


def test_werner_float32_and_traced_fidelity():
    c32 = jq.werner(np.float32(0.9)).confusion()
    assert c32.dtype == jnp.float32
    assert_close(c32, werner_closed(0.9), np.float32)
    traced = jax.jit(lambda f: jq.werner(f).confusion())(0.7)
    assert_close(traced, werner_closed(0.7), np.float64)


# ---- [2.5]: information per online qubit ----------------------------------------------------------


def oracle_mutual_information(c):
    pj = c / 4
    py = pj.sum(0)
    return sum(pj[a, b] * np.log2(pj[a, b] / (0.25 * py[b])) for a in range(4) for b in range(4) if pj[a, b] > 0)


def test_capacity_closed_form_and_breakeven():
    fs = np.array([1.0, 0.99, 0.95, 0.9, 0.8107, 0.7, 0.5, 0.3, 0.25])
    cap = np.asarray(jq.superdense_capacity(fs))
    for f, cf in zip(fs, cap):
        mi = oracle_mutual_information(werner_closed(f))
        assert abs(cf - mi) < 1e-10  # [2.5]
        assert abs(float(jq.superdense_information(jq.werner(f))) - mi) < 1e-10
    assert cap[0] == 2.0 and abs(cap[-1]) < 1e-12
    f_star = jq.superdense_breakeven_fidelity()
    assert abs(f_star - 0.8107) < 5e-5
    assert abs(float(jq.superdense_capacity(f_star)) - 1.0) < 1e-12
    # Pauli channel: 2 - H(weights).
    w = np.array([0.83, 0.05, 0.02, 0.1])
    assert abs(float(jq.superdense_information(jq.pauli_epr(*w[1:]))) - (2 + np.sum(w * np.log2(w)))) < 1e-10


# ---- sampling whole messages: closed-form error law [2.4] -----------------------------------------


@pytest.mark.parametrize("epr_args", [("werner", 0.9), ("werner", 0.6), ("pauli", (0.05, 0.02, 0.1))])
def test_sampled_symbol_errors_match_confusion(key, epr_args):
    kind, arg = epr_args
    epr = jq.werner(arg) if kind == "werner" else jq.pauli_epr(*arg)
    c = np.asarray(epr.confusion())
    n = 400_000
    ks, kd = jax.random.split(key)
    sent = jax.random.randint(ks, (n,), 0, 4).astype(jnp.uint8)
    dec = np.asarray(KS.sample_decoded(kd, KS.decode_thresholds(epr.confusion()), sent))
    sent = np.asarray(sent)
    for k in range(4):
        counts = np.bincount(dec[sent == k], minlength=4)
        assert chi2_gof_pvalue(counts, c[k]) > ALPHA
    rates = {name: float(v) for name, v in jq.symbol_error_rates(epr).items()}
    flips = sent ^ dec
    hits = {"symbol": flips != 0, "x_bit": (flips & 1) != 0, "z_bit": (flips & 2) != 0, "both": flips == 3}
    for name, hit in hits.items():
        lo, hi = binomial_interval(n, rates[name])
        assert lo <= hit.sum() <= hi, name
    if kind == "werner":  # SPEC [2.4]: bits flip with 2(1-F)/3, both with (1-F)/3
        assert abs(rates["x_bit"] - 2 * (1 - arg) / 3) < 1e-12 and abs(rates["both"] - (1 - arg) / 3) < 1e-12


def test_sampling_generic_state_rows(key):
    """Non-Bell-diagonal pair: the decoded law depends on the sent symbol; rows still match."""
    rho = 0.7 * np.outer(PHI, PHI.conj()) + 0.3 * np.diag([1.0, 0, 0, 0])
    c = oracle_confusion(rho)
    sent = jnp.repeat(jnp.arange(4, dtype=jnp.uint8), 50_000)
    dec = np.asarray(KS.sample_decoded(key, KS.decode_thresholds(jnp.asarray(c)), sent))
    for k in range(4):
        assert chi2_gof_pvalue(np.bincount(dec[k * 50_000 : (k + 1) * 50_000], minlength=4), c[k]) > ALPHA


# ---- validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize("f", [0.2, 1.01, float("nan"), -1.0])
def test_werner_rejects_bad_fidelity(f):
    with pytest.raises(ValueError, match="Argument `fidelity`"):
        jq.werner(f)


def test_bad_epr_inputs():
    with pytest.raises(ValueError, match="Argument `fidelity` must be a scalar"):
        jq.werner([0.9, 0.8])
    with pytest.raises(ValueError, match="Argument `p_x`"):
        jq.pauli_epr(p_x=-0.1)
    with pytest.raises(ValueError, match="must sum to <= 1"):
        jq.pauli_epr(0.6, 0.3, 0.2)
    with pytest.raises(ValueError, match="Argument `fidelity` must lie in"):
        jq.superdense_capacity([0.9, 0.1])
    with pytest.raises(ValueError, match="Argument `epr` must be None or an EPRModel"):
        jq.superdense_information(0.9)
    with pytest.raises(ValueError, match="Argument `epr` must have non-negative Pauli weights"):
        jq.superdense_information(jq.EPRModel(jnp.array([0.5, 0.5, 0.5, -0.5])))
