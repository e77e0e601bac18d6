"""Channel-extension upper bounds (jaxqring/metrology/_bounds.py).

Checks: the DKG 2012 dephasing closed form (oracle), the numerical Kraus minimisation
reproducing it and the asymptotic limits eta^2/(1-eta^2) (dephasing) and 4 eta/(1-eta)
(amplitude damping, eta = 1 - gamma), and that the bound is never below an exact QFI.
"""

import jax
import numpy as np
import pytest

import jaxqring as jq

from ..oracles import metrology as OM


@pytest.mark.parametrize("n, p", [(1, 0.1), (7, 0.05), (1000, 0.005)])
def test_dephasing_closed_form(n, p):
    b = jq.metrology.channel_extension_bound(jq.dephasing(p), n)
    eta = 1 - 2 * p
    np.testing.assert_allclose(b.value, OM.dephasing_ce_bound(n, eta), rtol=1e-12)
    np.testing.assert_allclose(b.asymptotic_per_node, eta**2 / (1 - eta**2), rtol=1e-12)
    assert b.value / n <= b.asymptotic_per_node


def test_numerical_minimisation_reproduces_closed_forms():
    from jaxqring.metrology import _bounds

    groups = _bounds._groups(jq.dephasing(0.1), 6, None)
    eta = 0.8
    np.testing.assert_allclose(_bounds._ce_minimise(groups, asymptotic=False), OM.dephasing_ce_bound(6, eta), rtol=1e-5)
    np.testing.assert_allclose(_bounds._ce_minimise(groups, asymptotic=True) / 6, eta**2 / (1 - eta**2), rtol=1e-6)
    g = 0.2
    groups = _bounds._groups(jq.amplitude_damping(g), 3, None)
    np.testing.assert_allclose(_bounds._ce_minimise(groups, asymptotic=True) / 3, 4 * (1 - g) / g, rtol=1e-6)


@pytest.mark.parametrize(
    "noise, spec",
    [
        (jq.dephasing(0.1), [("dephasing", np.full(3, 0.1), "after")]),
        (jq.amplitude_damping(0.2), [("amplitude_damping", np.full(3, 0.2), "after")]),
    ],
)
def test_bound_above_exact_qfi(noise, spec):
    b = jq.metrology.channel_extension_bound(noise, 3)
    for seed in range(3):
        probe = jq.random_mps(jax.random.key(seed), 3, 2)
        psi = OM.mps_to_dense(probe.tensors, probe.left, probe.right)
        assert OM.sld_qfi_dense(psi, 0.0, np.ones(3), spec) <= b.value * (1 + 1e-9)
    ghz = np.zeros(8, complex)
    ghz[[0, 7]] = 2**-0.5
    assert OM.sld_qfi_dense(ghz, 0.0, np.ones(3), spec) <= b.value * (1 + 1e-9)


def test_noiseless_is_heisenberg():
    b = jq.metrology.channel_extension_bound(None, 10, weights=np.linspace(-1, 1, 10) + 0.05)
    np.testing.assert_allclose(b.value, np.sum(np.abs(np.linspace(-1, 1, 10) + 0.05)) ** 2)


def test_bad_input():
    with pytest.raises(ValueError, match="n"):
        jq.metrology.channel_extension_bound(jq.dephasing(0.1), 0)
    with pytest.raises(ValueError, match="weights"):
        jq.metrology.channel_extension_bound(jq.dephasing(0.1), 3, weights=np.ones(4))


@pytest.mark.parametrize("n, reference", [(10, 55.45350371869007), (100, 1107.02258922779)])
def test_finite_n_minimisation_reaches_the_sdp_optimum(n, reference):
    """Depolarizing p = 0.05 (Bloch shrink 0.95): the finite-N minimisation over h is convex for
    identical nodes, so it must reach the optimum of the SDP. Reference values: qmetro 1.1.2
    ``par_bound_single_n(depolarization(None, eta=0.95), n)``, an independent SDP solver (its
    own tolerance ~1e-5), recorded here because qmetro is not a test dependency. The old
    epigraph/SLSQP minimiser stopped at N x the asymptotic value (124.48 at N = 10) and its
    result moved with float32 rounding of p; the bound must not."""
    b = jq.metrology.channel_extension_bound(jq.depolarizing(0.05), n)
    np.testing.assert_allclose(b.value, reference, rtol=1e-4)
    b32 = jq.metrology.channel_extension_bound(jq.depolarizing(float(np.float32(0.05))), n)
    np.testing.assert_allclose(b32.value, b.value, rtol=1e-5)
    assert b.value < 0.95 * n * b.asymptotic_per_node
