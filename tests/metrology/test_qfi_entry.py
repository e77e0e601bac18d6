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
