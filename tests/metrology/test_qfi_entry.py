"""jq.qfi: one entry point that picks the exact path or the certified SLD-MPO bound."""

import math

import jax
import numpy as np
import pytest

import jaxqring as jq


def test_pure_path():
    r = jq.qfi(jq.ghz(50))
    assert (r.method, r.exact) == ("pure", True)
    np.testing.assert_allclose(r.value, 2500.0, rtol=1e-10)


def test_ghz_path_and_log_value_without_underflow():
    r = jq.qfi(jq.ghz(30), noise=jq.dephasing(0.02))
    assert (r.method, r.exact) == ("ghz", True)
    np.testing.assert_allclose(r.value, 900 * 0.96**60, rtol=1e-10)
    big = jq.qfi(jq.ghz(20000), noise=jq.dephasing(0.1))
    assert big.value == 0.0
    np.testing.assert_allclose(big.log_value, 2 * math.log(20000) + 40000 * math.log(0.8), rtol=1e-10)


def test_dense_then_sld_paths_agree_on_ghz():
    noise = jq.depolarizing(0.05)
    probe = jq.ghz(6)
    dense = jq.qfi(jq.random_mps(jax.random.key(0), 6, 2), noise=noise)
    assert (dense.method, dense.exact) == ("dense", True)
    generic = jq.MPS(probe.tensors, probe.left, probe.right)  # not tagged "ghz"
    d = jq.qfi(generic, noise=noise)
    s = jq.qfi(generic, noise=noise, method="sld", bond=4)
    g = jq.qfi(probe, noise=noise)
    assert d.method == "dense" and s.method == "sld" and not s.exact and g.method == "ghz"
    np.testing.assert_allclose([s.value, g.value], d.value, rtol=1e-8)


def test_bad_input():
    with pytest.raises(ValueError, match="method"):
        jq.qfi(jq.ghz(4), method="magic")
    with pytest.raises(ValueError, match="noise"):
        jq.qfi(jq.ghz(4), noise=jq.bit_flip(0.1), method="ghz")
    with pytest.raises(ValueError, match="method"):
        jq.qfi(jq.ghz(4), noise=jq.dephasing(0.1), method="pure")
    with pytest.raises(ValueError, match="generator"):
        jq.qfi(jq.ghz(4), generator=np.array([[0.5, 0.1], [0.1, -0.5]]))  # not diagonal
    with pytest.raises(ValueError, match="generator"):
        jq.qfi(jq.ghz(4), generator=np.eye(3))
    with pytest.raises(ValueError, match="generator"):
        jq.metrology.optimal_probe(jq.dephasing(0.1), 4, generator=np.array([[0, 1], [1, 0]]))


def test_certified_interval_and_generator():
    """Every value comes with the channel-extension bound: [value, upper] brackets the QFI
    (closed forms: GHZ N^2 eta^(2N) <= N^2 eta^2 / (N (1 - eta^2) + eta^2)). A diagonal
    generator diag(h0, h1) is Z/2 with weights scaled by h0 - h1, so F scales by (h0 - h1)^2."""
    n, p = 12, 0.05
    eta = 1 - 2 * p
    r = jq.qfi(jq.ghz(n), noise=jq.dephasing(p))
    np.testing.assert_allclose(r.upper, n * n * eta**2 / (n * (1 - eta**2) + eta**2), rtol=1e-12)
    assert r.value <= r.upper
    noiseless = jq.qfi(jq.ghz(n))
    np.testing.assert_allclose(noiseless.upper, n * n, rtol=1e-12)  # exact and tight
    h = np.diag([1.5, -0.5])  # = 2 Z/2 + I/2
    g = jq.qfi(jq.ghz(n), noise=jq.dephasing(p), generator=h)
    np.testing.assert_allclose([g.value, g.upper], [4 * r.value, 4 * r.upper], rtol=1e-10)
    depol = jq.qfi(jq.random_mps(jax.random.key(1), 6, 2), noise=jq.depolarizing(0.1))
    assert depol.value <= depol.upper < 6 * jq.metrology.asymptotic_bound(jq.depolarizing(0.1))
    quick = jq.qfi(jq.ghz(n), noise=jq.dephasing(p), with_upper=False)
    assert math.isnan(quick.upper) and quick.value == r.value
