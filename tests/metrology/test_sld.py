"""SLD-MPO lower bound (kernels/mpo/sld.py, jaxqring/metrology/_sld.py) against dense oracles.

Maths: F_Q = max_L 2 Tr(rho' L) - Tr(rho L^2); an MPO L of bond D_L >= the SLD's operator-
Schmidt rank (4^min(j, N-j) at cut j) reaches F_Q exactly, so at N = 3 with D_L = 4 and at N = 4
with D_L = 16 the bound equals the dense SLD QFI (tests/oracles/metrology.py, independent numpy).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxqring as jq

from ..oracles import metrology as OM

WEIGHTS3 = np.array([1.0, -0.6, 1.4])


def _noises(n):
    return {
        "dephasing": (jq.dephasing(0.1), [("dephasing", np.full(n, 0.1), "after")]),
        "depolarizing": (jq.depolarizing(0.15), [("depolarizing", np.full(n, 0.15), "after")]),
        "amplitude_damping": (
            jq.amplitude_damping(np.linspace(0.05, 0.3, n)),
            [("amplitude_damping", np.linspace(0.05, 0.3, n), "after")],
        ),
        "bit_flip_after": (jq.bit_flip(0.1), [("bit_flip", np.full(n, 0.1), "after")]),
        "composed": (
            jq.compose(jq.bit_flip(0.05, when="before"), jq.dephasing(0.08)),
            [("bit_flip", np.full(n, 0.05), "before"), ("dephasing", np.full(n, 0.08), "after")],
        ),
    }


@pytest.mark.parametrize("name", list(_noises(3)))
def test_sld_matches_dense_every_channel(name):
    noise, spec = _noises(3)[name]
    probe = jq.random_mps(jax.random.key(7), 3, 2)
    psi = OM.mps_to_dense(probe.tensors, probe.left, probe.right)
    ref = OM.sld_qfi_dense(psi, 0.4, WEIGHTS3, spec)
    res = jq.metrology.sld_qfi(probe, noise=noise, weights=WEIGHTS3, theta=0.4, bond=4, max_sweeps=8)
    np.testing.assert_allclose(float(res.qfi), ref, rtol=1e-8)
    # and the package's own dense path agrees with the oracle
    np.testing.assert_allclose(float(jq.qfi_mixed(probe, 0.4, weights=WEIGHTS3, noise=noise)), ref, rtol=1e-8)


def test_sld_n4_full_bond_is_exact():
    n = 4
    noise, spec = _noises(n)["depolarizing"]
    probe = jq.random_mps(jax.random.key(3), n, 2)
    psi = OM.mps_to_dense(probe.tensors, probe.left, probe.right)
    ref = OM.sld_qfi_dense(psi, 0.0, np.ones(n), spec)
    res = jq.metrology.sld_qfi(probe, noise=noise, bond=16, max_sweeps=2)
    np.testing.assert_allclose(float(res.qfi), ref, rtol=1e-8)


def test_small_bond_is_a_lower_bound_and_monotone():
    n = 4
    noise, spec = _noises(n)["dephasing"]
    probe = jq.random_mps(jax.random.key(11), n, 2)
    psi = OM.mps_to_dense(probe.tensors, probe.left, probe.right)
    ref = OM.sld_qfi_dense(psi, 0.0, np.ones(n), spec)
    res = jq.metrology.sld_qfi(probe, noise=noise, bond=1, max_sweeps=6)
    assert float(res.qfi) <= ref * (1 + 1e-10)
    assert np.all(np.diff(res.history) >= -1e-9 * abs(res.history[-1]))


def test_ghz_dephasing_closed_form_n10():
    n, p = 10, 0.05
    res = jq.metrology.sld_qfi(jq.ghz(n), noise=jq.dephasing(p), bond=2, max_sweeps=6)
    np.testing.assert_allclose(float(res.qfi), n * n * (1 - 2 * p) ** (2 * n), rtol=1e-8)
    assert float(res.qfi) <= jq.metrology.channel_extension_bound(jq.dephasing(p), n).value


def test_envelope_gradient_matches_finite_differences():
    # F_opt(p) = QFI(p) at full bond (N = 3, D_L = 4); d F_opt/dp = dF(L*, p)/dp at fixed L*.
    probe = jq.random_mps(jax.random.key(5), 3, 2)
    p0 = 0.12
    res = jq.metrology.sld_qfi(probe, noise=jq.dephasing(p0), weights=WEIGHTS3, bond=4, max_sweeps=8)

    def f(p, w):
        return jq.metrology.sld_objective(probe, res.operator, noise=jq.dephasing(p), weights=w)

    gp, gw = jax.grad(f, argnums=(0, 1))(jnp.asarray(p0), jnp.asarray(WEIGHTS3))
    psi = OM.mps_to_dense(probe.tensors, probe.left, probe.right)
    h = 1e-4

    def dense(p, w):
        return OM.sld_qfi_dense(psi, 0.0, w, [("dephasing", np.full(3, p), "after")])

    fd_p = (dense(p0 + h, WEIGHTS3) - dense(p0 - h, WEIGHTS3)) / (2 * h)
    np.testing.assert_allclose(float(gp), fd_p, rtol=1e-5)
    e = np.eye(3)
    fd_w = [(dense(p0, WEIGHTS3 + h * e[i]) - dense(p0, WEIGHTS3 - h * e[i])) / (2 * h) for i in range(3)]
    np.testing.assert_allclose(np.asarray(gw), fd_w, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(bond=0), "bond"),
        (dict(tol=0.0), "tol"),
        (dict(max_sweeps=0), "max_sweeps"),
        (dict(weights=np.ones(3)), "weights"),
    ],
)
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        jq.metrology.sld_qfi(jq.ghz(4), noise=jq.dephasing(0.1), **kwargs)
