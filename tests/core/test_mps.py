"""Probes and exact readouts of the MPS kernels against dense numpy oracles and quimb.

Maths: an encoded probe is |psi_phi> = (x)_j R(phi_j) |psi>, R(phi) = diag(1, e^{i phi});
the readout expectation is <psi_phi| sigma_0 x ... x sigma_{N-1} |psi_phi> (SPEC §3, §6 [6.1], [6.4]).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxqring as jq
from jaxqring import kernels as K

from ..oracles import dense as oracles
from ..helpers import assert_close

DTYPES = [np.complex64, np.complex128]


def _probe(name, n, dtype, key):
    if name == "ghz":
        return jq.ghz(n, dtype=dtype), oracles.ghz(n)
    if name == "plus":
        return jq.product_plus(n, dtype=dtype), oracles.plus(n)
    if name == "w":
        return jq.w_state(n, dtype=dtype), oracles.dicke(n, 1)
    if name == "dicke":
        return jq.dicke(n, n // 2, dtype=dtype), oracles.dicke(n, n // 2)
    if name == "random":
        mps = jq.random_mps(key, n, 3, dtype=dtype)
        return mps, oracles.mps_dense(mps.tensors, mps.left, mps.right)
    raise AssertionError(name)


PROBES = ["ghz", "plus", "w", "dicke", "random"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", PROBES)
@pytest.mark.parametrize("n", [2, 5, 10])
def test_probe_state_matches_dense(name, n, dtype, key):
    mps, psi = _probe(name, n, dtype, key)
    assert mps.tensors.dtype == dtype
    assert_close(K.to_dense(mps), psi.astype(dtype), dtype)
    # log <psi|psi> of the stored (unnormalised) tensors, and of the same state scaled by 2 per site (exact in floating point)
    want = oracles.mps_log_norm(mps.tensors, mps.left, mps.right)
    assert_close(K.log_norm(mps), want, dtype)
    scaled = jq.MPS(mps.tensors * 2, mps.left, mps.right)
    assert_close(K.log_norm(scaled), oracles.mps_log_norm(scaled.tensors, mps.left, mps.right), dtype)
    assert abs(want + 2 * n * np.log(2) - oracles.mps_log_norm(scaled.tensors, mps.left, mps.right)) < 1e-9


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", PROBES)
def test_parity_expectation_matches_dense(name, dtype, key):
    n = 7
    mps, psi = _probe(name, n, dtype, key)
    rng = np.random.default_rng(1)
    phases = rng.uniform(-np.pi, np.pi, size=(4, n))
    for basis in ["x", "y", "z", "sine", "xyzyxzx", "yyxxyyx"]:
        spec = basis if len(basis) == n else ("y" + "x" * (n - 1) if basis == "sine" else basis * n)
        expect = [oracles.pauli_expectation(oracles.encode(psi, ph), spec) for ph in phases]
        got = jq.parity_expectation(mps, phases.astype(np.float32 if dtype == np.complex64 else np.float64), basis)
        assert got.dtype == K.real_dtype(dtype)
        assert_close(got, expect, dtype)


def test_ghz_closed_forms():
    """SPEC [3.2]/[3.4]: <X^N> = cos(Phi), sine variant = sin(Phi)."""
    rng = np.random.default_rng(2)
    phases = rng.uniform(0, 2 * np.pi, size=(50, 9))
    mps = jq.ghz(9)
    np.testing.assert_allclose(jq.parity_expectation(mps, phases), np.cos(phases.sum(-1)), atol=1e-12)
    np.testing.assert_allclose(
        jq.parity_expectation(mps, phases, basis="sine"), np.sin(phases.sum(-1)), atol=1e-12
    )


def test_large_n_ghz_parity_exact():
    """N = 10^5: renormalised transfer sweep stays exact (float64 numpy cos of the phase sum)."""
    n = 100_000
    phases = np.random.default_rng(3).uniform(0, 2 * np.pi, size=(3, n))
    got = jq.parity_expectation(jq.ghz(n), phases)
    np.testing.assert_allclose(got, np.cos(np.sum(phases, axis=-1)), atol=1e-8)


def test_large_n_log_parity_no_underflow():
    """Product probe: <X^N> = prod_j cos(phi_j) underflows; its log is exact (SPEC [6.7] analogue)."""
    n = 5000
    phases = np.random.default_rng(4).uniform(0.1, 1.4, size=(n,))
    assert np.prod(np.cos(phases)) == 0.0  # the naive product underflows
    sign, logabs = jq.log_abs_parity_expectation(jq.product_plus(n), phases)
    assert float(sign) == 1.0
    np.testing.assert_allclose(logabs, np.sum(np.log(np.cos(phases))), rtol=1e-10)


def test_large_n_unnormalised_dicke():
    """W and Dicke rays with norms C(N, k) far beyond float range: <Z^N> = (-1)^k exactly."""
    for k in [1, 2, 3]:
        mps = jq.dicke(20_000, k)
        got = jq.parity_expectation(mps, np.zeros(20_000), basis="z")
        np.testing.assert_allclose(got, (-1) ** k, atol=1e-9)


def _quimb_pauli_expectation(qpsi, letters):
    import quimb as qu

    ops = {"x": qu.pauli("X"), "y": qu.pauli("Y"), "z": qu.pauli("Z")}
    phi = qpsi.copy()
    for j, c in enumerate(letters):
        phi.gate_(ops[c], j, contract=True)
    return float(np.real(qpsi.H @ phi) / np.real(qpsi.H @ qpsi))


@pytest.mark.parametrize("n", [16, 64])
@pytest.mark.parametrize("name", ["ghz", "w", "random", "dicke"])
def test_parity_expectation_matches_quimb(name, n, key):
    builders = {
        "ghz": lambda: jq.ghz(n),
        "w": lambda: jq.w_state(n),
        "dicke": lambda: jq.dicke(n, 3),
        "random": lambda: jq.random_mps(key, n, 3),
    }
    mps = builders[name]()
    phases = np.random.default_rng(n).uniform(-np.pi, np.pi, size=(n,))
    for basis in ["x", "sine", "z"]:
        letters = {"x": "x" * n, "z": "z" * n, "sine": "y" + "x" * (n - 1)}[basis]
        ref = _quimb_pauli_expectation(jq.to_quimb(mps, phases), letters)
        got = float(jq.parity_expectation(mps, phases, basis))
        np.testing.assert_allclose(got, ref, atol=1e-9)


def test_quimb_roundtrip(key):
    mps = jq.random_mps(key, 8, 4)
    back = jq.from_quimb(jq.to_quimb(mps))
    psi = K.to_dense(mps)
    psi2 = K.to_dense(back)
    assert abs(abs(np.vdot(psi, psi2)) - 1) < 1e-10


def test_vmap_equals_stacking(key):
    mps = jq.random_mps(key, 6, 2)
    phases = np.random.default_rng(5).uniform(-3, 3, size=(5, 6))
    vm = jax.vmap(lambda ph: jq.parity_expectation(mps, ph))(jnp.asarray(phases))
    stacked = jnp.stack([jq.parity_expectation(mps, ph) for ph in phases])
    np.testing.assert_allclose(vm, stacked, atol=1e-13)
    batched = jq.parity_expectation(mps, phases)
    np.testing.assert_allclose(batched, stacked, atol=1e-13)


def test_parity_is_differentiable():
    """d/dphi_j cos(sum phi) = -sin(sum phi) through the transfer sweep."""
    phases = jnp.array([0.3, -0.2, 1.1, 0.4])
    g = jax.grad(lambda ph: jq.parity_expectation(jq.ghz(4), ph))(phases)
    np.testing.assert_allclose(g, -np.sin(float(phases.sum())) * np.ones(4), atol=1e-12)


def test_no_recompile_on_second_call():
    from jaxqring import _readout

    mps = jq.ghz(12)
    ph = np.zeros((3, 12))
    jq.parity_expectation(mps, ph)
    before = _readout._parity._cache_size()
    jq.parity_expectation(mps, ph + 0.5)
    assert _readout._parity._cache_size() == before


# ---------------------------------------------------------------------------------------------
# Bad input: ValueError naming the argument, before any tracing.
# ---------------------------------------------------------------------------------------------


def test_bad_inputs(key):
    with pytest.raises(ValueError, match=r"Argument `n` must be >= 2, got 1"):
        jq.ghz(1)
    with pytest.raises(ValueError, match=r"Argument `chi` must be >= 1, got 0"):
        jq.random_mps(key, 4, 0)
    with pytest.raises(ValueError, match=r"Argument `k` must be in \[0, 4\], got 5"):
        jq.dicke(4, 5)
    mps = jq.ghz(4)
    with pytest.raises(ValueError, match=r"Argument `phases` must have shape \(\.\.\., N\) with N = 4"):
        jq.parity_expectation(mps, np.zeros(3))
    with pytest.raises(ValueError, match=r"Argument `phases` must be finite, got 1 non-finite"):
        jq.parity_expectation(mps, np.array([0, np.nan, 0, 0]))
    with pytest.raises(ValueError, match=r"Argument `phases` must be real"):
        jq.parity_expectation(mps, np.zeros(4, complex))
    with pytest.raises(ValueError, match=r"Argument `basis` must be .*unknown letters \['q'\]"):
        jq.parity_expectation(mps, np.zeros(4), basis="q")
    with pytest.raises(ValueError, match=r"Argument `basis` must be .*length 3"):
        jq.parity_expectation(mps, np.zeros(4), basis="xyx")
    with pytest.raises(ValueError, match=r"Argument `shots` must be >= 1, got 0"):
        jq.sample(key, mps, np.zeros(4), 0)
    with pytest.raises(ValueError, match=r"Argument `key` must be a JAX PRNG key"):
        jq.sample(123, mps, np.zeros(4), 5)
    with pytest.raises(ValueError, match=r"Argument `method` = 'closed_form' needs the exact GHZ"):
        jq.sample(key, jq.w_state(4), np.zeros(4), 5, method="closed_form")
    with pytest.raises(ValueError, match=r"Argument `mps` must have tensors of shape \(N, chi, 2, chi\), got \(4, 2, 3, 2\)"):
        jq.parity_expectation(jq.MPS(jnp.zeros((4, 2, 3, 2)), jnp.ones(2), jnp.ones(2)), np.zeros(4))
    with pytest.raises(ValueError, match=r"Argument `mps` must have bond dimension >= 1, got 0"):
        jq.parity_expectation(jq.MPS(jnp.zeros((4, 0, 2, 0)), jnp.ones(0), jnp.ones(0)), np.zeros(4))
    with pytest.raises(ValueError, match=r"Argument `dtype` must be complex64 or complex128"):
        jq.ghz(4, dtype=np.float32)


@pytest.mark.parametrize("on_device", [True, False])
def test_check_finite_counts_non_finite_entries_across_slices(monkeypatch, on_device):
    """The error names the exact count, summed over slices (host arrays: bounded temporaries;
    device arrays: counts that cannot overflow JAX's int32 however large the array)."""
    from jaxqring import _checks

    monkeypatch.setattr(_checks, "_FINITE_SLICE", 3)
    monkeypatch.setattr(_checks, "_COUNT_SLICE", 3)
    values = np.arange(10.0).reshape(2, 5)
    values[0, 1], values[1, 0], values[1, 4] = np.nan, np.inf, -np.inf  # in three different slices
    arg = jnp.asarray(values) if on_device else values
    with pytest.raises(ValueError, match=r"Argument `w` must be finite, got 3 non-finite entries\."):
        _checks.check_finite("w", arg)
    _checks.check_finite("w", jnp.asarray(np.ones(7)) if on_device else np.ones(7))  # finite: passes
