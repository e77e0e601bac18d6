"""README claim: the parity readout's classical Fisher information is at most N^2 c^(2N).

For dephasing p, depolarizing p and amplitude damping gamma on every node, the Heisenberg-picture
channel maps X -> c X and Y -> c Y with c = 1 - 2p, 1 - p (the package's depolarizing convention
(1 - p) rho + p I/2, SPEC A17) and sqrt(1 - gamma). So <Pi> = c^N f(theta) for every probe with
an X-Y-plane readout, and F_C <= N^2 c^(2N) (unit weights), attained by GHZ at cos(N theta) = 0.

Oracles: c from the SPEC C8 Kraus operators (tests/oracles/dense.py), the closed form N^2 c^(2N),
and a dense density-matrix central difference of the GHZ parity.
"""

import jax
import numpy as np
import pytest

import jaxqring as jq

from ..oracles import dense as O

CHANNELS = {  # constructor, parameter, c(parameter) as the README and jq.parity_cfi state it
    "dephasing": (jq.dephasing, 0.03, lambda p: 1 - 2 * p),
    "depolarizing": (jq.depolarizing, 0.05, lambda p: 1 - p),
    "amplitude_damping": (jq.amplitude_damping, 0.1, lambda g: np.sqrt(1 - g)),
}


@pytest.mark.parametrize("kind", list(CHANNELS))
def test_contraction_factor_c_from_kraus_operators(kind):
    """E(X) = c X and E(Y) = c Y for the SPEC C8 Kraus operators (so c is what the bound uses)."""
    _, p, c = CHANNELS[kind]
    for letter in ("x", "y"):
        s = O.PAULI[letter]
        out = sum(k @ s @ k.conj().T for k in O.kraus(kind, p))
        np.testing.assert_allclose(out, c(p) * s, atol=1e-14)


@pytest.mark.parametrize("kind", list(CHANNELS))
def test_ghz_attains_the_bound(kind):
    """GHZ at the working point N theta = pi/2: F_C = N^2 c^(2N), N = 3 (dense oracle) ... 200."""
    ctor, p, c = CHANNELS[kind]
    noise = ctor(p)
    for n in (3, 8, 200):
        theta = np.pi / (2 * n)
        want = n**2 * c(p) ** (2 * n)
        got = float(jq.parity_cfi(jq.ghz(n), theta, noise=noise))
        assert abs(got - want) < 1e-9 * want, (n, got, want)
    # the same value from a dense density matrix and a central difference of <X^N>, N = 3
    n, h = 3, 1e-5
    x_all = O.kron_all([O.PAULI["x"]] * n)

    def parity(t):
        rho = O.dense_noisy_rho(O.ghz(n), np.full(n, t), [(kind, np.full(n, p), "after")])
        return float(np.real(np.trace(rho @ x_all)))

    theta = np.pi / (2 * n)
    dense = ((parity(theta + h) - parity(theta - h)) / (2 * h)) ** 2 / (1 - parity(theta) ** 2)
    assert abs(dense - n**2 * c(p) ** (2 * n)) < 1e-6 * n**2


@pytest.mark.parametrize(
    "kind", [pytest.param(k, marks=pytest.mark.heavy) if k == "dephasing" else k for k in CHANNELS]
)
def test_no_random_mps_probe_exceeds_the_bound(kind, key):
    """Random MPS probes (chi = 2, 3) at 16 working points each never exceed N^2 c^(2N)."""
    ctor, p, c = CHANNELS[kind]
    noise = ctor(p)
    thetas = np.linspace(0.05, np.pi - 0.05, 16)
    for n in (2, 4, 6):
        bound = n**2 * c(p) ** (2 * n)
        for i, k in enumerate(jax.random.split(jax.random.fold_in(key, n), 4)):
            mps = jq.random_mps(k, n, 2 + i % 2)
            fc = np.asarray(jq.parity_cfi(mps, thetas, noise=noise))
            fc = fc[np.isfinite(fc)]
            assert fc.size and np.all(fc <= bound * (1 + 1e-9)), (n, fc.max(), bound)
