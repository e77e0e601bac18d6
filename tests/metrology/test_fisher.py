"""Quantum and classical Fisher information (SPEC §5) against dense numpy oracles.

Oracles (numpy/scipy, float64):
* pure QFI = 4 (<H^2> - <H>^2) with H = sum_j w_j Z_j / 2 diagonal in the C2 basis;
* mixed QFI = the SLD sum 2 sum_{l_a + l_b > 1e-12} |<a|drho|b>|^2 / (l_a + l_b) (scipy eigh),
  cross-checked by the Bures fidelity finite difference 8 (1 - F(rho_-, rho_+)) / dtheta^2 [5.4];
* closed forms [5.5]-[5.8], [5.10];
* parity CFI = (dP/dtheta)^2 / (1 - P^2) with P from a dense rho and a central difference.
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from scipy import linalg

import jaxqring as jq
from jaxqring import kernels as K

from ..oracles import dense as O
from ..helpers import assert_close


def gen_h(w):
    n = len(w)
    idx = np.arange(2**n)
    return sum(wj * (1 - 2 * ((idx >> (n - 1 - j)) & 1)) / 2 for j, wj in enumerate(w))


def np_qfi_sld(rho, drho, tol=1e-12):
    lam, v = linalg.eigh(rho)
    d = v.conj().T @ drho @ v
    s = lam[:, None] + lam[None, :]
    keep = s > tol
    return float(np.sum(2 * np.abs(d[keep]) ** 2 / s[keep]))


def np_root_fidelity(r1, r2):
    lam, v = linalg.eigh(r1)
    s = (v * np.sqrt(np.clip(lam, 0, None))) @ v.conj().T
    ev = linalg.eigvalsh(s @ r2 @ s)
    return float(np.sum(np.sqrt(ev[ev > 1e-13])))


def dense_mps(mps):
    return O.mps_dense(mps.tensors, mps.left, mps.right)


def pad(mps, chi):
    """The same state with bond dimension ``chi`` (zero padding)."""
    c = mps.bond_dim
    t = jnp.zeros((mps.num_sites, chi, 2, chi), mps.dtype).at[:, :c, :, :c].set(mps.tensors)
    left = jnp.zeros((chi,), mps.dtype).at[:c].set(mps.left)
    right = jnp.zeros((chi,), mps.dtype).at[:c].set(mps.right)
    return jq.MPS(t, left, right)


def pure_qfi_oracle(psi, w):
    pr = np.abs(psi) ** 2
    h = gen_h(w)
    return 4 * (pr @ h**2 - (pr @ h) ** 2)


CHANNELS = {
    "dephasing": (jq.dephasing, lambda n, w, p: w.sum() ** 2 * (1 - 2 * p) ** (2 * n)),
    "depolarizing": (
        jq.depolarizing,
        lambda n, w, p: w.sum() ** 2 * (1 - p) ** (2 * n) / ((1 - p / 2) ** n + (p / 2) ** n),
    ),
    "amplitude_damping": (
        jq.amplitude_damping,
        lambda n, w, g: 2 * w.sum() ** 2 * (1 - g) ** n / (1 + g**n + (1 - g) ** n),
    ),
}


# ------------------------------------------------------------------------------------------
# Pure probes.
# ------------------------------------------------------------------------------------------


def test_pure_qfi_zoo_matches_dense(key):
    """[5.1]: GHZ (sum w)^2, sign-adapted GHZ ||w||_1^2, |+>^N sum w^2; W, Dicke, random MPS."""
    n = 8
    rng = np.random.default_rng(3)
    w = rng.uniform(0.3, 1.5, n) * rng.choice([-1, 1], n)
    probes = {
        "ghz": jq.ghz(n),
        "sign_adapted": K.sign_adapted_ghz(jnp.asarray(w), jnp.complex128),
        "plus": jq.product_plus(n),
        "w": jq.w_state(n),
        "dicke3": jq.dicke(n, 3),
        "random": jq.random_mps(key, n, 4),
    }
    for name, mps in probes.items():
        want = pure_qfi_oracle(dense_mps(mps), w)
        # zero-padding every probe to chi = 4 changes nothing (and compiles the sweep once)
        assert_close(jq.qfi_pure(pad(mps, 4), w), want, np.float64)
    assert_close(jq.qfi_pure(probes["w"], w), pure_qfi_oracle(dense_mps(probes["w"]), w), np.float64)
    assert_close(jq.qfi_pure(probes["ghz"], w), w.sum() ** 2, np.float64)
    assert_close(jq.qfi_pure(probes["sign_adapted"], w), np.abs(w).sum() ** 2, np.float64)
    assert_close(jq.qfi_pure(probes["plus"], w), (w**2).sum(), np.float64)


def test_theorem1_report_matches_dense(key):
    """[5.3]: F = ||w||^2 - 4 sum_{non-extremal} q (Lam^2 - lam^2) - 4<H>^2 and the bound."""
    n = 7
    rng = np.random.default_rng(4)
    w = rng.uniform(0.3, 1.5, n) * rng.choice([-1, 1], n)
    lam_max = np.abs(w).sum() / 2
    h = gen_h(w)
    for mps in (jq.random_mps(key, n, 3), jq.dicke(n, 2), jq.w_state(n), jq.ghz(n),
                K.sign_adapted_ghz(jnp.asarray(w), jnp.complex128)):
        psi = dense_mps(mps)
        mps = pad(mps, 3)
        pr = np.abs(psi) ** 2
        nonext = np.abs(np.abs(h) - lam_max) > 1e-9
        rep = jq.pure_qfi_report(mps, w)
        assert_close(rep.penalty, 4 * np.sum(pr[nonext] * (lam_max**2 - h[nonext] ** 2)), np.float64)
        assert_close(rep.mean_term, 4 * (pr @ h) ** 2, np.float64)
        assert_close(rep.q_off, pr[nonext].sum(), np.float64)
        # [5.3] against the independent values: F = 4 Var(H) from the dense state, ||w||_1^2
        assert_close(rep.qfi, pure_qfi_oracle(psi, w), np.float64)
        assert_close(rep.heisenberg, np.abs(w).sum() ** 2, np.float64)
        assert float(rep.penalty) >= float(rep.penalty_bound) - 1e-10
        assert float(rep.qfi) <= float(rep.heisenberg) + 1e-10
    rep = jq.pure_qfi_report(pad(K.sign_adapted_ghz(jnp.asarray(w), jnp.complex128), 3), w)
    assert abs(float(rep.penalty)) < 1e-10 and abs(float(rep.q_off)) < 1e-12


def test_pure_qfi_large_n():
    """N = 10^5: GHZ gives N^2, |+>^N gives N; the W state gives 4 Var_k(w_k), since
    H|e_k> = (W/2 - w_k)|e_k> with k uniform."""
    n = 100_000
    assert_close(jq.qfi_pure(jq.ghz(n)), float(n) ** 2, np.float64)
    assert_close(jq.qfi_pure(jq.product_plus(n)), float(n), np.float64)
    w = np.linspace(0.5, 1.5, n)
    assert abs(float(jq.qfi_pure(jq.w_state(n), w)) - 4 * np.var(w)) < 1e-8 * 4 * np.var(w)


def test_sld_reproduces_pure_values(key):
    """[5.2] on pure states, through qfi_dense with drho = -i[H, rho]."""
    n = 5
    w = np.linspace(0.5, 1.3, n)
    for mps in (jq.ghz(n), jq.product_plus(n), jq.random_mps(key, n, 2)):
        psi = dense_mps(mps)
        rho = np.outer(psi, psi.conj())
        assert_close(jq.qfi_dense(rho, weights=w), pure_qfi_oracle(psi, w), np.float64)
        assert_close(jq.qfi_mixed(pad(mps, 2), 0.3, weights=w), pure_qfi_oracle(psi, w), np.float64)


# ------------------------------------------------------------------------------------------
# Mixed states: dense SLD oracle, GHZ from the MPO.
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(CHANNELS))
def test_ghz_qfi_mpo_matches_closed_form_and_dense(kind):
    """[5.5]-[5.7]: the MPO block QFI == closed form == SLD of the dense rho, N = 2, 5."""
    ctor, closed = CHANNELS[kind]
    p = {"dephasing": 0.07, "depolarizing": 0.1, "amplitude_damping": 0.15}[kind]
    rng = np.random.default_rng(5)
    for n in (2, 5):
        w = rng.uniform(0.5, 1.5, n)
        noise = ctor(p)
        pred = closed(n, w, p)
        assert abs(float(jq.ghz_qfi(noise, n, weights=w)) - pred) < 1e-8 * max(1, pred)
        rho = O.dense_noisy_rho(O.ghz(n), 0.41 * w, [(kind, np.full(n, p), "after")])
        drho = -1j * (gen_h(w)[:, None] * rho - rho * gen_h(w)[None, :])
        assert abs(np_qfi_sld(rho, drho) - pred) < 1e-8 * max(1, pred)
        assert abs(float(jq.qfi_mixed(jq.ghz(n), 0.41, weights=w, noise=noise)) - pred) < 1e-8 * max(1, pred)


def test_ghz_qfi_large_n_and_per_node():
    """N = 10^4 under each channel (log-space MPO sweep) and per-node, composed, mixed-sign cases."""
    n = 10_000
    for kind, (ctor, closed) in CHANNELS.items():
        p = 2e-4
        pred = closed(n, np.ones(n), p)
        assert abs(float(jq.ghz_qfi(ctor(p), n)) - pred) < 1e-9 * pred
    # per-node parameters and composition, against the dense SLD oracle at N = 5
    n = 5
    ps = np.array([0.0, 0.05, 0.1, 0.02, 0.2])
    gs = np.array([0.3, 0.0, 0.1, 0.2, 0.05])
    w = np.array([1.0, -0.5, 0.8, -1.2, 0.7])
    noise = jq.compose(jq.depolarizing(ps, when="before"), jq.amplitude_damping(gs))
    for sign_adapted in (False, True):
        mps = K.sign_adapted_ghz(jnp.asarray(w), jnp.complex128) if sign_adapted else jq.ghz(n)
        psi = dense_mps(mps)
        rho = O.dense_noisy_rho(psi, 0.3 * w, [("depolarizing", ps, "before"), ("amplitude_damping", gs, "after")])
        drho = -1j * (gen_h(w)[:, None] * rho - rho * gen_h(w)[None, :])
        want = np_qfi_sld(rho, drho)
        got = jq.ghz_qfi(noise, n, weights=w, sign_adapted=sign_adapted)
        assert abs(float(got) - want) < 1e-8 * max(1, want)


def test_exact_ties_go_to_the_smaller_group_in_both_rules():
    """eta = m/(m+1) makes N^2 eta^(2N) equal at N = m and m + 1 (exactly, in rationals: m^2 (m/(m+1))^(2m)
    both times); both the closed form and the profile rule pick m."""
    from fractions import Fraction

    for p, m in ((0.1, 4), (0.05, 9), (0.01, 49)):
        eta = Fraction(1) - 2 * Fraction(p).limit_denominator(1000)
        assert eta == Fraction(m, m + 1)
        assert m**2 * eta ** (2 * m) == (m + 1) ** 2 * eta ** (2 * m + 2)  # the tie, exactly
        assert jq.ghz_optimal_size(p)[0] == m
        prof = jq.ghz_qfi_profile(jq.dephasing(p), 3 * m)
        assert jq.metrology.optimal_size_from_profile(prof)[0] == m


def test_ghz_qfi_profile_and_optimum():
    """[5.10]: argmax_n F(n) from one prefix sweep equals the closed-form N*; values match ghz_qfi."""
    # (p = 0.01, 0.05, 0.1 give eta = m/(m+1): exact ties between N* and N*+1)
    for p in (0.013, 0.03, 0.07):
        prof = np.asarray(jq.ghz_qfi_profile(jq.dephasing(p), 400))
        ns = np.arange(1, 401)
        np.testing.assert_allclose(prof, ns**2.0 * (1 - 2 * p) ** (2.0 * ns), rtol=1e-10)
        n_star, f_max = jq.ghz_optimal_size(p)
        assert int(np.argmax(prof)) + 1 == n_star
        assert jq.metrology.optimal_size_from_profile(prof)[0] == n_star
        assert abs(prof[n_star - 1] - f_max) < 1e-9 * f_max
    assert jq.ghz_optimal_size(0.01)[0] == 49 and abs(jq.ghz_optimal_size(0.01)[1] - 331.5) < 0.1
    prof = jq.ghz_qfi_profile(jq.amplitude_damping(0.1), 7)
    for n in (2, 5, 7):
        assert_close(prof[n - 1], jq.ghz_qfi(jq.amplitude_damping(0.1), n), np.float64)


def test_qfi_dense_matches_numpy_and_bures(key):
    """qfi_dense == the numpy SLD formula on random full-rank and rank-deficient mixed states,
    and the SLD formula == the Bures-fidelity finite difference [5.4]."""
    w = np.array([0.7, 1.1, -0.4])
    h = gen_h(w)
    rng = np.random.default_rng(6)
    for rank in (8, 3):
        a = rng.normal(size=(8, rank)) + 1j * rng.normal(size=(8, rank))
        rho = a @ a.conj().T
        rho /= np.trace(rho).real
        drho = -1j * (h[:, None] * rho - rho * h[None, :])
        f = float(jq.qfi_dense(rho, weights=w))
        assert abs(f - np_qfi_sld(rho, drho)) < 1e-8 * max(1, f)

        def rho_at(t, rho=rho):
            u = np.exp(-1j * t * h)
            return u[:, None] * rho * u.conj()[None, :]

        dt = 1e-2
        fb = 8 * (1 - np_root_fidelity(rho_at(-dt / 2), rho_at(dt / 2))) / dt**2
        assert abs(fb - f) < 2e-3 * f


def test_qfi_mixed_non_commuting_channel(key):
    """Bit flip after the encoding does not commute with R: drho != -i[H, rho]; qfi_mixed
    differentiates rho(theta) itself. Oracle: SLD with a central-difference drho."""
    n = 4
    mps = jq.random_mps(key, n, 2)
    psi = dense_mps(mps)
    w = np.array([1.0, 0.5, -0.7, 1.2])
    spec = [("bit_flip", np.array([0.1, 0.2, 0.05, 0.3]), "after"), ("amplitude_damping", np.full(n, 0.1), "before")]
    noise = jq.compose(jq.bit_flip(spec[0][1]), jq.amplitude_damping(0.1, when="before"))
    th, h = 0.37, 1e-5
    rho = O.dense_noisy_rho(psi, th * w, spec)
    drho = (O.dense_noisy_rho(psi, (th + h) * w, spec) - O.dense_noisy_rho(psi, (th - h) * w, spec)) / (2 * h)
    want = np_qfi_sld(rho, drho)
    assert abs(float(jq.qfi_mixed(mps, th, weights=w, noise=noise)) - want) < 1e-8 * max(1, want)
    assert_close(jq.density_matrix(mps, th * w, noise=noise), rho, np.complex128)


def test_dephasing_bound_random_probes(key):
    """[5.9]: random probes obey F <= N eta^2/(1 - eta^2) under dephasing (N <= 4)."""
    for n in (2, 3, 4):
        for p in (0.05, 0.2):
            bound = jq.dephasing_qfi_bound(n, p)
            for k in jax.random.split(key, 5):
                f = float(jq.qfi_mixed(jq.random_mps(k, n, 2), 0.2, noise=jq.dephasing(p)))
                assert f <= bound + 1e-9


# ------------------------------------------------------------------------------------------
# Classical Fisher information of the parity readout.
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(CHANNELS))
def test_parity_cfi_ghz_closed_form(kind):
    """[5.8]: F_C = W^2 V^2 sin^2 / (1 - V^2 cos^2) <= F_Q; equality at cos Phi = 0 only for
    dephasing; F_C = F_Q for the noiseless GHZ."""
    ctor, _ = CHANNELS[kind]
    p = {"dephasing": 0.07, "depolarizing": 0.1, "amplitude_damping": 0.15}[kind]
    n = 6
    w = np.linspace(0.5, 1.5, n)
    wsum = w.sum()
    noise = ctor(p)
    v = float(jq.ghz_visibility(noise, n))
    thetas = np.array([0.3, 1.0, np.pi / 2 / wsum])
    fc = np.asarray(jq.parity_cfi(jq.ghz(n), thetas, weights=w, noise=noise))
    phi = wsum * thetas
    np.testing.assert_allclose(fc, wsum**2 * v**2 * np.sin(phi) ** 2 / (1 - v**2 * np.cos(phi) ** 2), rtol=1e-9)
    fq = float(jq.ghz_qfi(noise, n, weights=w))
    assert np.all(fc <= fq + 1e-9)
    if kind == "dephasing":
        assert abs(fc[2] - fq) < 1e-9 * fq
    else:
        assert fc[2] < fq - 1e-6
    clean = np.asarray(jq.parity_cfi(jq.ghz(n), thetas, weights=w))
    np.testing.assert_allclose(clean, wsum**2, rtol=1e-9)


def test_parity_cfi_generic_probe_matches_dense(key):
    """Any probe, any noise (with readout error and a Z-basis node): F_C vs a dense finite difference."""
    n = 4
    mps = jq.random_mps(key, n, 3)
    psi = dense_mps(mps)
    w = np.array([1.0, -0.5, 0.8, 1.3])
    offs = np.array([0.1, 0.0, -0.4, 0.2])
    spec = [("bit_flip", np.full(n, 0.1), "before"), ("amplitude_damping", np.full(n, 0.2), "after")]
    readout = [0.02, 0.0, 0.05, 0.1]
    noise = jq.compose(jq.bit_flip(0.1, when="before"), jq.amplitude_damping(0.2), jq.readout_error(readout))

    def par(t):
        rho = O.dense_noisy_rho(psi, offs + t * w, spec)
        return O.parity_of(O.reported_distribution(rho, "xyzx", readout), n)

    th, h = 0.45, 1e-5
    p0, dp = par(th), (par(th + h) - par(th - h)) / (2 * h)
    want = dp**2 / (1 - p0**2)
    got = jq.parity_cfi(mps, th, weights=w, noise=noise, basis="xyzx", phases=offs)
    assert abs(float(got) - want) < 1e-7 * max(1, want)


def test_parity_cfi_axes(key):
    """Per-node Bloch readout axes: x-axes == basis "x"; tilted axes vs a dense finite difference."""
    n = 4
    mps = jq.random_mps(key, n, 2)
    w = np.array([1.0, 0.7, -0.3, 1.2])
    noise = jq.compose(jq.depolarizing(0.1), jq.readout_error([0.0, 0.05, 0.1, 0.0]))
    xs = np.tile([2.0, 0.0, 0.0], (n, 1))
    assert_close(
        jq.parity_cfi(mps, 0.4, weights=w, noise=noise, axes=xs),
        jq.parity_cfi(mps, 0.4, weights=w, noise=noise),
        np.float64,
    )
    axes = np.array([[1.0, 0.2, 0.5], [0.0, 1.0, 0.3], [0.4, -0.4, 1.0], [1.0, 0.0, 0.0]])
    unit = axes / np.linalg.norm(axes, axis=1, keepdims=True)
    obs = O.kron_all([(1 - 2 * r) * (u[0] * O.PAULI["x"] + u[1] * O.PAULI["y"] + u[2] * O.PAULI["z"])
                      for u, r in zip(unit, [0.0, 0.05, 0.1, 0.0])])
    psi = dense_mps(mps)

    def par(t):
        return float(np.real(np.trace(O.dense_noisy_rho(psi, t * w, [("depolarizing", np.full(n, 0.1), "after")]) @ obs)))

    th, h = 0.4, 1e-5
    want = ((par(th + h) - par(th - h)) / (2 * h)) ** 2 / (1 - par(th) ** 2)
    got = jq.parity_cfi(mps, th, weights=w, noise=noise, axes=axes)
    assert abs(float(got) - want) < 1e-7 * max(1, want)


def test_parity_cfi_large_n():
    """N = 10^4 dephased GHZ at the working point: F_C = F_Q = N^2 eta^(2N) (no underflow)."""
    n, p = 10_000, 5e-5
    theta = np.pi / 2 / n
    want = n**2 * (1 - 2 * p) ** (2 * n)
    assert abs(float(jq.parity_cfi(jq.ghz(n), theta, noise=jq.dephasing(p))) - want) < 1e-8 * want


# ------------------------------------------------------------------------------------------
# Gradients against finite differences.
# ------------------------------------------------------------------------------------------


def _fd(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def test_gradients_pure_qfi(key):
    n = 6
    mps = jq.random_mps(key, n, 3)
    w = jnp.linspace(0.5, 1.5, n)

    def f(tensors, w):
        return jq.qfi_pure(jq.MPS(tensors, mps.left, mps.right), w)

    gt, gw = jax.grad(f, argnums=(0, 1))(mps.tensors, w)
    e = jnp.zeros(n).at[2].set(1.0)
    assert abs(float(gw[2]) - float(_fd(lambda s: f(mps.tensors, w + s * e), 0.0))) < 1e-6
    d = jnp.zeros_like(mps.tensors).at[3, 1, 0, 2].set(1.0)
    fd = _fd(lambda s: f(mps.tensors + s * d, w), 0.0)
    assert abs(float(jnp.real(gt[3, 1, 0, 2])) - float(fd)) < 1e-6


@pytest.mark.parametrize("kind", list(CHANNELS))
def test_gradient_ghz_qfi_wrt_noise(kind):
    ctor, closed = CHANNELS[kind]
    n, p = 12, 0.08
    g = jax.grad(lambda q: jq.ghz_qfi(ctor(q), n))(p)
    want = _fd(lambda q: closed(n, np.ones(n), q), p)
    assert abs(float(g) - want) < 1e-6 * abs(want)


def test_gradients_qfi_mixed_and_dense(key):
    """d/dp and d/dtheta of the dense SLD QFI (degenerate GHZ spectra: custom JVP), d/dtensors."""
    n = 4
    w = np.array([1.0, 0.6, 1.4, 0.8])

    def f(p):
        return jq.qfi_mixed(jq.ghz(n), 0.2, weights=w, noise=jq.compose(jq.depolarizing(p), jq.amplitude_damping(p / 2)))

    g = jax.grad(f)(0.1)
    assert np.isfinite(float(g))
    assert abs(float(g) - float(_fd(f, 0.1))) < 1e-6 * max(1, abs(float(g)))
    mps = jq.random_mps(key, n, 2)
    noise = jq.compose(jq.bit_flip(0.1), jq.dephasing(0.05, when="before"))

    def h(theta, tensors):
        return jq.qfi_mixed(jq.MPS(tensors, mps.left, mps.right), theta, weights=w, noise=noise)

    gth, gt = jax.grad(h, argnums=(0, 1))(0.3, mps.tensors)
    assert abs(float(gth) - float(_fd(lambda t: h(t, mps.tensors), 0.3))) < 1e-6
    d = jnp.zeros_like(mps.tensors).at[1, 0, 1, 1].set(1.0)
    assert abs(float(jnp.real(gt[1, 0, 1, 1])) - float(_fd(lambda s: h(0.3, mps.tensors + s * d), 0.0))) < 1e-6


def test_gradients_parity_cfi(key):
    n = 5
    mps = jq.random_mps(key, n, 2)
    w = jnp.array([1.0, 0.5, 1.5, 0.7, 1.1])

    def f(theta, p, tensors):
        noise = jq.compose(jq.amplitude_damping(p), jq.readout_error(0.03))
        return jq.parity_cfi(jq.MPS(tensors, mps.left, mps.right), theta, weights=w, noise=noise)

    args = (0.3, 0.1, mps.tensors)
    gth, gp, gt = jax.grad(f, argnums=(0, 1, 2))(*args)
    assert abs(float(gth) - float(_fd(lambda t: f(t, 0.1, mps.tensors), 0.3))) < 1e-6
    assert abs(float(gp) - float(_fd(lambda q: f(0.3, q, mps.tensors), 0.1))) < 1e-6
    d = jnp.zeros_like(mps.tensors).at[2, 1, 1, 0].set(1.0)
    assert abs(float(jnp.real(gt[2, 1, 1, 0])) - float(_fd(lambda s: f(0.3, 0.1, mps.tensors + s * d), 0.0))) < 1e-6


@pytest.mark.heavy
def test_variational_parity_probe_reaches_but_cannot_beat_ghz(key):
    """optax over a chi = 2 MPS probe, N = 5, dephasing: the parity CFI climbs to the GHZ value
    N^2 eta^(2N) and never exceeds it. Bound: <Pi> = eta^N f(theta) for every probe, and
    |f'|^2 <= F_Q^pure (1 - f^2) <= N^2 (1 - f^2), so F_C <= N^2 eta^(2N)."""
    n, p = 5, 0.05
    noise = jq.dephasing(p)
    ghz_value = n**2 * (1 - 2 * p) ** (2 * n)
    init = jq.random_mps(key, n, 2)

    def loss(params):
        t, theta = params
        return -jq.parity_cfi(jq.MPS(t, init.left, init.right), theta, noise=noise)

    opt = optax.adam(0.05)
    params = (init.tensors, jnp.asarray(0.3))
    state = opt.init(params)
    step = jax.jit(lambda params, state: _adam_step(opt, loss, params, state))
    best = 0.0
    for _ in range(300):
        params, state, val = step(params, state)
        best = max(best, -float(val))
    assert best <= ghz_value * (1 + 1e-9)
    assert best >= 0.98 * ghz_value


@pytest.mark.heavy
def test_variational_probe_with_readout_axes_beats_ghz_optimum(key):
    """Beyond N*, optimising the probe (chi = 2) *and* the per-node readout axes (still one +-1
    outcome per node, multiplied into a parity) beats every GHZ size: N = 6, p = 0.2
    (N* = 2, F(N*) = 0.518, GHZ(6) = 0.078). The optimum stays below the probe's own mixed-state
    QFI (dense SLD) and the dephasing bound N eta^2/(1 - eta^2)."""
    n, p = 6, 0.2
    noise = jq.dephasing(p)
    n_star, f_star = jq.ghz_optimal_size(p)
    init = jq.random_mps(jax.random.key(7), n, 2)

    def loss(params):
        t, axes, theta = params
        return -jnp.log(jq.parity_cfi(jq.MPS(t, init.left, init.right), theta, noise=noise, axes=axes))

    opt = optax.adam(0.08)
    params = (init.tensors, jnp.tile(jnp.array([1.0, 0.0, 0.2]), (n, 1)), jnp.asarray(0.3))
    state = opt.init(params)
    step = jax.jit(lambda params, state: _adam_step(opt, loss, params, state))
    for _ in range(60):
        params, state, _ = step(params, state)
    t, axes, theta = params
    probe = jq.MPS(t, init.left, init.right)
    fc = float(jq.parity_cfi(probe, theta, noise=noise, axes=axes))
    assert n_star == 2 and fc > 1.2 * f_star > 1.2 * float(jq.ghz_qfi(noise, n))
    fq = float(jq.qfi_mixed(probe, float(theta), noise=noise))
    assert fc <= fq + 1e-9 and fq <= jq.dephasing_qfi_bound(n, p) + 1e-9


def _adam_step(opt, loss, params, state):
    val, g = jax.value_and_grad(loss)(params)
    g = jax.tree_util.tree_map(jnp.conj, g)  # jax returns conj(grad) for complex leaves
    updates, state = opt.update(g, state, params)
    return optax.apply_updates(params, updates), state, val


# ------------------------------------------------------------------------------------------
# Bad input.
# ------------------------------------------------------------------------------------------


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"Argument `weights` must have shape \(N,\) with N = 4"):
        jq.qfi_pure(jq.ghz(4), [1.0, 2.0])
    with pytest.raises(ValueError, match="Argument `weights` must be finite"):
        jq.qfi_pure(jq.ghz(3), [1.0, np.inf, 1.0])
    with pytest.raises(ValueError, match="Argument `weights` must be nonzero"):
        jq.pure_qfi_report(jq.ghz(3), [1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="Argument `rho` must be Hermitian"):
        jq.qfi_dense(np.array([[0.5, 0.3], [0.1, 0.5]]))
    with pytest.raises(ValueError, match="Argument `rho` must have trace 1"):
        jq.qfi_dense(np.eye(4))
    with pytest.raises(ValueError, match="Argument `rho` must be finite"):
        jq.qfi_dense(np.array([[np.nan, 0], [0, 0.5]]))
    with pytest.raises(ValueError, match=r"Argument `rho` must be a \(2\^N, 2\^N\) matrix"):
        jq.qfi_dense(np.eye(3) / 3)
    with pytest.raises(ValueError, match="Argument `drho` must be Hermitian"):
        jq.qfi_dense(np.eye(2) / 2, drho=np.array([[0, 1], [0, 0]]))
    with pytest.raises(ValueError, match="Argument `mps` must have N <= 12 sites"):
        jq.qfi_mixed(jq.ghz(13))
    with pytest.raises(ValueError, match="Argument `noise` must hold only phase-covariant channels"):
        jq.ghz_qfi(jq.bit_flip(0.1), 8)
    with pytest.raises(ValueError, match="Argument `p` must be"):
        jq.ghz_optimal_size(0.7)
    with pytest.raises(ValueError, match="Argument `theta` must be finite"):
        jq.parity_cfi(jq.ghz(3), np.nan)
    with pytest.raises(ValueError, match=r"Argument `noise` has a per-node parameter of shape \(2,\)"):
        jq.ghz_qfi(jq.dephasing([0.1, 0.2]), 5)


def test_complex64_probes(key):
    """complex64 probes: Fisher quantities agree with complex128 at float32 tolerance."""
    n = 5
    mps = jq.random_mps(key, n, 2)
    m32 = jq.MPS(*(x.astype(jnp.complex64) for x in (mps.tensors, mps.left, mps.right)))
    noise = jq.compose(jq.depolarizing(0.05), jq.amplitude_damping(0.1, when="before"))
    pairs = [
        (jq.parity_cfi(m32, 0.3, noise=noise), jq.parity_cfi(mps, 0.3, noise=noise)),
        (jq.qfi_mixed(m32, 0.3, noise=noise), jq.qfi_mixed(mps, 0.3, noise=noise)),
        (jq.qfi_pure(m32), jq.qfi_pure(mps)),
    ]
    for got, want in pairs:
        assert abs(float(got) - float(want)) < 1e-3 * max(1, abs(float(want)))


def test_ghz_qfi_no_recompile_for_new_noise_values():
    from jaxqring.kernels.mpo.fisher import ghz_qfi_sweep

    jq.ghz_qfi(jq.dephasing(0.1), 64)
    size = ghz_qfi_sweep._cache_size()
    for p in (0.01, 0.2):
        jq.ghz_qfi(jq.dephasing(p), 64)
    assert ghz_qfi_sweep._cache_size() == size
