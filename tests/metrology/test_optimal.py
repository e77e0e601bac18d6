"""optimal_probe: alternating L / probe sweeps with bond growth, certified against dense QFI."""

import numpy as np
import pytest

import jaxqring as jq

from ..oracles import metrology as OM


def test_optimal_probe_dephasing_certified():
    n, p = 6, 0.1
    eta = 1 - 2 * p
    r = jq.metrology.optimal_probe(jq.dephasing(p), n, max_bond=2, max_sweeps=8)
    psi = OM.mps_to_dense(r.probe.tensors, r.probe.left, r.probe.right)
    exact = OM.sld_qfi_dense(psi, 0.0, np.ones(n), [("dephasing", np.full(n, p), "after")])
    assert r.qfi <= exact * (1 + 1e-9)  # certified lower bound on the probe's QFI
    assert r.qfi > n * eta**2 * 1.2  # entanglement beats the best product state
    assert r.qfi > n * n * eta ** (2 * n)  # and GHZ
    assert r.qfi <= r.upper
    np.testing.assert_allclose(r.upper, OM.dephasing_ce_bound(n, eta), rtol=1e-12)
    assert r.bonds[0] == (1, 2) and np.all(np.diff(r.history) >= -1e-9)
    np.testing.assert_allclose(r.history[0], n * eta**2, rtol=1e-6)  # best product state


def test_bad_input():
    with pytest.raises(ValueError, match="max_bond"):
        jq.metrology.optimal_probe(jq.dephasing(0.1), 4, max_bond=0)
    with pytest.raises(ValueError, match="growth_tol"):
        jq.metrology.optimal_probe(jq.dephasing(0.1), 4, growth_tol=0.0)
    with pytest.raises(ValueError, match="n"):
        jq.metrology.optimal_probe(jq.dephasing(0.1), 1)
