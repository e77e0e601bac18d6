"""Noise channels, the density MPO, noisy readout and the noisy samplers (SPEC C8, §3, §6).

Oracle: dense numpy density matrices. The noisy encoded state of node j is
    rho -> E_after_j( R(phi_j) E_before_j(rho) R(phi_j)^dagger ),
applied by Kraus operators (SPEC C8 table) on the full 2^N x 2^N matrix; a readout error flips
each reported bit independently, i.e. convolves the outcome distribution with per-node flips.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

import jaxqring as jq
from jaxqring import kernels as K
from jaxqring._noise import prepare_noise

from ..oracles import dense as O
from ..helpers import ALPHA, accept_pvalue, assert_close, chi2_gof_pvalue


CONSTRUCTORS = {
    "dephasing": jq.dephasing,
    "depolarizing": jq.depolarizing,
    "bit_flip": jq.bit_flip,
    "amplitude_damping": jq.amplitude_damping,
}


def model_of(spec, readout=None):
    parts = [CONSTRUCTORS[k](np.asarray(p), when=w) for k, p, w in spec]
    if readout is not None:
        parts.append(jq.readout_error(np.asarray(readout)))
    return jq.compose(*parts)


@pytest.fixture
def probe(key):
    n = 4
    mps = jq.random_mps(key, n, 3)
    psi = O.mps_dense(mps.tensors, mps.left, mps.right)
    phases = np.array([0.3, -1.1, 0.7, 2.0])
    return mps, psi, phases


# ------------------------------------------------------------------------------------------
# Channels and the density MPO against dense density matrices.
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(CONSTRUCTORS))
def test_superoperator_matches_kraus(kind):
    from jaxqring.kernels.mpo import channels as nz

    rng = np.random.default_rng(0)
    rho = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
    for p in (0.0, 0.13, 1.0):
        s = np.asarray(nz.channel_superop(kind, jnp.asarray(p), jnp.complex128))
        want = sum(k @ rho @ k.conj().T for k in O.kraus(kind, p))
        assert_close((s @ rho.reshape(-1)).reshape(2, 2), want, np.float64)


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("kind", list(CONSTRUCTORS))
def test_noisy_pauli_expectation_matches_dense(kind, when, probe):
    mps, psi, phases = probe
    ps = np.array([0.1, 0.2, 0.05, 0.3])
    readout = np.array([0.0, 0.1, 0.02, 0.2])
    spec = [(kind, ps, when)]
    rho = O.dense_noisy_rho(psi, phases, spec)
    noise = model_of(spec, readout)
    for letters in ("xxxx", "yxzy", "zzzz", "xyzx"):
        want = O.parity_of(O.reported_distribution(rho, letters, readout), 4)
        got = jq.parity_expectation(mps, phases, letters, noise=noise)
        assert_close(got, want, np.float64)
        sign, logabs = jq.log_abs_parity_expectation(mps, phases, letters, noise=noise)
        assert_close(sign * np.exp(logabs), want, np.float64)


def test_composition_order_matches_dense(probe):
    """Amplitude damping and bit flip do not commute: the composed order must be the given one."""
    mps, psi, phases = probe
    spec = [
        ("amplitude_damping", np.array([0.3, 0.1, 0.5, 0.2]), "before"),
        ("bit_flip", np.full(4, 0.15), "before"),
        ("depolarizing", np.full(4, 0.1), "after"),
        ("amplitude_damping", np.full(4, 0.25), "after"),
        ("dephasing", np.array([0.0, 0.1, 0.2, 0.3]), "after"),
    ]
    rho = O.dense_noisy_rho(psi, phases, spec)
    rev = O.dense_noisy_rho(psi, phases, spec[::-1])
    noise = model_of(spec, readout=[0.05, 0.0, 0.1, 0.0])
    want = O.parity_of(O.reported_distribution(rho, "xzyx", [0.05, 0.0, 0.1, 0.0]), 4)
    other = O.parity_of(O.reported_distribution(rev, "xzyx", [0.05, 0.0, 0.1, 0.0]), 4)
    assert abs(want - other) > 1e-6  # far above the 1e-10 tolerance: the orders are told apart
    assert_close(jq.parity_expectation(mps, phases, "xzyx", noise=noise), want, np.float64)


def test_density_mpo_matches_dense(probe):
    mps, psi, phases = probe
    spec = [("amplitude_damping", np.full(4, 0.2), "before"), ("bit_flip", np.full(4, 0.1), "after")]
    noise = prepare_noise(model_of(spec), 4, mps.dtype)
    mpo = K.density_mpo(mps, noise, jnp.asarray(phases))
    assert mpo.tensors.shape == (4, 9, 2, 2, 9)
    # contract the explicit MPO densely: rho[(s), (s')]
    acc = np.asarray(mpo.left)[None, None, :]
    for j in range(4):
        t = np.asarray(mpo.tensors[j])
        acc = np.einsum("ijl,labr->iajbr", acc, t).reshape(acc.shape[0] * 2, acc.shape[1] * 2, -1)
    rho_mpo = acc @ np.asarray(mpo.right)
    rho_mpo /= np.trace(rho_mpo)
    assert_close(rho_mpo, O.dense_noisy_rho(psi, phases, spec), np.complex128)
    # the explicit-MPO sweep and the fused sweep agree on arbitrary (non-Hermitian) operators
    rng = np.random.default_rng(1)
    ops = rng.normal(size=(4, 2, 2)) + 1j * rng.normal(size=(4, 2, 2))
    m1, l1 = K.mpo_log_trace(mpo, jnp.asarray(ops))
    m2, l2 = K.noisy_log_trace(mps, noise, jnp.asarray(phases), jnp.asarray(ops))
    want = np.trace(O.dense_noisy_rho(psi, phases, spec) @ O.kron_all(list(ops)))
    assert_close(m1 * np.exp(l1), want, np.complex128)
    assert_close(m2 * np.exp(l2), want, np.complex128)


@pytest.mark.parametrize("n", [2, 3, 5, 8])
def test_product_tree_matches_dense_and_the_sweep(n, key):
    """Bond <= 2 probes take the pairwise product tree (odd N padded with identities): against the
    dense density matrix on arbitrary (non-Hermitian) operators, and against the site sweep."""
    from jaxqring.kernels.mpo import density

    rng = np.random.default_rng(n)
    spec = [("amplitude_damping", rng.uniform(0, 0.3, n), "before"), ("depolarizing", rng.uniform(0, 0.2, n), "after")]
    phases = rng.uniform(-np.pi, np.pi, n)
    ops = jnp.asarray(rng.normal(size=(n, 2, 2)) + 1j * rng.normal(size=(n, 2, 2)))
    for mps in (jq.ghz(n), jq.w_state(n), jq.random_mps(key, n, 2)):
        assert mps.bond_dim <= density.TREE_MAX_BOND
        noise = prepare_noise(model_of(spec), n, mps.dtype)
        psi = O.mps_dense(mps.tensors, mps.left, mps.right)
        want = np.trace(O.dense_noisy_rho(psi, phases, spec) @ O.kron_all(list(np.asarray(ops))))
        m, ls = K.noisy_log_trace(mps, noise, jnp.asarray(phases), ops)
        assert_close(m * np.exp(ls), want, np.complex128)
        (num, lnum, den, lden), _ = density.log_trace_sweep(mps, noise, jnp.asarray(phases), ops, emit_prefixes=False)
        swept = density.close_environment(num, mps.right) / jnp.real(density.close_environment(den, mps.right))
        assert_close(swept * np.exp(lnum - lden), want, np.complex128)


@pytest.mark.parametrize("n", [33, 70, 1000])
def test_product_tree_blocks_match_the_sweep(n, key):
    """Chains longer than one tree block (32 sites) scan over the blocks' products: same values as
    the site sweep on arbitrary operators, padding of the last block included."""
    from jaxqring.kernels.mpo import density

    assert n > density.TREE_BLOCK
    rng = np.random.default_rng(n)
    noise = prepare_noise(jq.compose(jq.amplitude_damping(rng.uniform(0, 0.1, n)), jq.dephasing(0.02)), n, jnp.complex128)
    phases = jnp.asarray(rng.uniform(-np.pi, np.pi, n))
    ops = jnp.asarray(rng.normal(size=(n, 2, 2)) + 1j * rng.normal(size=(n, 2, 2)))
    for mps in (jq.ghz(n), jq.w_state(n), jq.random_mps(key, n, 2)):
        m, ls = K.noisy_log_trace(mps, noise, phases, ops)
        (num, lnum, den, lden), _ = density.log_trace_sweep(mps, noise, phases, ops, emit_prefixes=False)
        swept = density.close_environment(num, mps.right) / jnp.real(density.close_environment(den, mps.right))
        # the two split value = mantissa * exp(log) differently: compare values on the sweep's scale
        assert_close(m * np.exp(ls - (lnum - lden)), swept, np.complex128)


def test_product_tree_log_scale_in_float32_at_large_n():
    """complex64 GHZ at N = 5000 under dephasing 0.2: the value (~1e-1100) is far below float32's
    range; the tree's per-level rescaling keeps it as (sign, log) to float32 accuracy."""
    n, p, ph = 5000, 0.2, 0.3
    sign, logabs = jq.log_abs_parity_expectation(
        jq.ghz(n, dtype=jnp.complex64), np.full(n, ph, np.float32), noise=jq.dephasing(np.float32(p))
    )
    pred = n * np.log(1 - 2 * p) + np.log(abs(np.cos(np.float32(ph) * n)))
    assert abs(float(logabs) - pred) < 1e-4 * abs(pred)
    assert float(sign) == np.sign(np.cos(np.float32(ph) * n))


def test_ghz_visibility_and_parity_law():
    """SPEC C8 V column and [3.8]/[6.4]: <X^N> = V cos Phi, sine variant V sin Phi."""
    n = 6
    phases = np.linspace(0.1, 0.6, n)
    phi = phases.sum()
    cases = [
        (jq.dephasing(0.1), 0.8**n),
        (jq.depolarizing(0.2, when="before"), 0.8**n),
        (jq.amplitude_damping(0.3), 0.7 ** (n / 2)),
        (jq.compose(jq.dephasing(0.05), jq.amplitude_damping(0.19)), 0.9**n * 0.9**n),
        (jq.compose(jq.depolarizing(0.1), jq.readout_error(0.1)), 0.9**n * 0.8**n),
    ]
    for noise, v in cases:
        assert_close(jq.ghz_visibility(noise, n), v, np.float64)
        assert_close(jq.parity_expectation(jq.ghz(n), phases, noise=noise), v * np.cos(phi), np.float64)
        assert_close(
            jq.parity_expectation(jq.ghz(n), phases, "sine", noise=noise), v * np.sin(phi), np.float64
        )
    per_node = jq.dephasing(np.linspace(0, 0.3, n))
    assert_close(jq.ghz_visibility(per_node, n), np.prod(1 - 2 * np.linspace(0, 0.3, n)), np.float64)
    assert_close(jq.ghz_visibility(jq.readout_error(0.1), n, include_readout=False), 1.0, np.float64)


def test_large_n_renormalised_log_parity():
    """SPEC [6.7] at N = 3000: log|<X^N>| = N ln eta + ln|cos Phi| (the plain value underflows)."""
    n, p, ph = 3000, 0.3, 0.1
    eta = 1 - 2 * p
    sign, logabs = jq.log_abs_parity_expectation(jq.ghz(n), np.full(n, ph), noise=jq.dephasing(p))
    pred = n * np.log(eta) + np.log(abs(np.cos(n * ph)))
    assert abs(float(logabs) - pred) < 1e-9 * abs(pred)
    assert float(sign) == np.sign(np.cos(n * ph))
    # a generic probe (W state, chi = 2) under depolarising noise at N = 3000: exact zero-free log
    sign, logabs = jq.log_abs_parity_expectation(jq.w_state(n), np.zeros(n), "z", noise=jq.depolarizing(0.2))
    # <Z^N> on W: (1/N) sum_k <Z_k ...> = -(1-p)^N (every string has exactly one 1)
    assert abs(float(logabs) - n * np.log(0.8)) < 1e-9 * n
    assert float(sign) == -1.0


def test_noiseless_noise_model_is_identity(probe):
    mps, psi, phases = probe
    empty = jq.compose()
    assert_close(
        jq.parity_expectation(mps, phases, "xyzx", noise=empty),
        jq.parity_expectation(mps, phases, "xyzx"),
        np.float64,
    )


def test_float32_noisy_parity(probe):
    mps, psi, phases = probe
    mps32 = jq.MPS(mps.tensors.astype(jnp.complex64), mps.left.astype(jnp.complex64), mps.right.astype(jnp.complex64))
    noise = jq.compose(jq.amplitude_damping(0.2), jq.depolarizing(0.1, when="before"))
    got = jq.parity_expectation(mps32, phases.astype(np.float32), "xxyz", noise=noise)
    assert got.dtype == jnp.float32
    want = jq.parity_expectation(mps, phases, "xxyz", noise=noise)
    assert_close(got, want, np.float32)


# ------------------------------------------------------------------------------------------
# Differentiability and jit.
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bond", [2, 3])  # 2: the pairwise product tree; 3: the site sweep
def test_gradients_match_finite_differences(bond, key):
    mps = jq.random_mps(key, 4, bond)
    phases = np.array([0.3, -1.1, 0.7, 2.0])

    def f(p, gamma, ph, tensors):
        noise = jq.compose(jq.dephasing(p), jq.amplitude_damping(gamma, when="before"), jq.readout_error(0.05))
        m = jq.MPS(tensors, mps.left, mps.right)
        return jq.parity_expectation(m, ph, "xyxz", noise=noise)

    args = (0.1, 0.2, jnp.asarray(phases), mps.tensors)
    grads = jax.grad(f, argnums=(0, 1, 2, 3))(*args)
    h = 1e-6
    for i, g in enumerate(grads[:2]):
        up = list(args)
        dn = list(args)
        up[i] = args[i] + h
        dn[i] = args[i] - h
        assert abs(float(g) - float(f(*up) - f(*dn)) / (2 * h)) < 1e-7
    e = jnp.zeros(4).at[2].set(1)
    fd = (f(args[0], args[1], args[2] + h * e, args[3]) - f(args[0], args[1], args[2] - h * e, args[3])) / (2 * h)
    assert abs(float(grads[2][2]) - float(fd)) < 1e-7
    d = jnp.zeros_like(mps.tensors).at[1, 0, 1, 1].set(1)
    fd = (f(*args[:3], args[3] + h * d) - f(*args[:3], args[3] - h * d)) / (2 * h)
    # the gradient of a real function of complex inputs is conj(df/dz) in jax's convention
    assert abs(float(jnp.real(grads[3][1, 0, 1, 1])) - float(fd)) < 1e-7


def test_gradient_is_finite_at_zero_noise():
    """Superoperators are linear in p, so d/dp at p = 0 is finite: d<X^N>/dp = -2N cos(Phi)."""
    n = 5
    ph = np.full(n, 0.2)
    g = jax.grad(lambda p: jq.parity_expectation(jq.ghz(n), ph, noise=jq.dephasing(p)))(0.0)
    assert_close(g, -2 * n * np.cos(n * 0.2), np.float64)


def test_usable_inside_jit_with_traced_noise():
    n = 5
    ph = np.linspace(0, 1, n)

    @jax.jit
    def f(p, key):
        noise = jq.compose(jq.depolarizing(p), jq.readout_error(p / 2))
        exp = jq.parity_expectation(jq.ghz(n), ph, noise=noise)
        bits = jq.sample_parity(key, jq.ghz(n), ph, 8, noise=noise)
        return exp, bits

    exp, bits = f(0.1, jax.random.key(3))
    assert_close(exp, 0.9**n * 0.9**n * np.cos(ph.sum()), np.float64)
    assert bits.shape == (8,) and bits.dtype == jnp.uint8


# ------------------------------------------------------------------------------------------
# Samplers: goodness of fit against the exact law, and against each other.
# ------------------------------------------------------------------------------------------


def _counts(bits, n):
    idx = np.asarray(bits).astype(np.int64) @ (1 << np.arange(n - 1, -1, -1))
    return np.bincount(idx, minlength=2**n)


def test_mpo_sampler_goodness_of_fit(probe):
    mps, psi, phases = probe
    spec = [("amplitude_damping", np.array([0.3, 0.1, 0.5, 0.2]), "before"), ("bit_flip", np.full(4, 0.1), "after")]
    readout = [0.05, 0.1, 0.0, 0.2]
    letters = "xyzx"
    want = O.reported_distribution(O.dense_noisy_rho(psi, phases, spec), letters, readout)
    noise = model_of(spec, readout)
    bits = jq.sample(jax.random.key(11), mps, phases, 20000, letters, method="mpo", noise=noise)
    assert chi2_gof_pvalue(_counts(bits, 4), want) > ALPHA
    par = jq.sample_parity(jax.random.key(12), mps, phases, 20000, letters, method="mpo", noise=noise)
    p_odd = (1 - O.parity_of(want, 4)) / 2
    assert chi2_gof_pvalue(np.bincount(np.asarray(par), minlength=2), [1 - p_odd, p_odd]) > ALPHA


@pytest.mark.parametrize("when", ["before", "after"])
def test_trajectory_sampler_goodness_of_fit(probe, when):
    mps, psi, phases = probe
    spec = [("depolarizing", np.full(4, 0.3), when), ("bit_flip", np.array([0.1, 0.4, 0.0, 0.2]), when),
            ("dephasing", np.full(4, 0.1), "after")]
    readout = [0.1, 0.0, 0.05, 0.0]
    letters = "xxyz"
    want = O.reported_distribution(O.dense_noisy_rho(psi, phases, spec), letters, readout)
    noise = model_of(spec, readout)
    bits = jq.sample(jax.random.key(21), mps, phases, 20000, letters, method="trajectory", noise=noise)
    assert chi2_gof_pvalue(_counts(bits, 4), want) > ALPHA


def test_trajectory_sampler_goodness_of_fit_large_bond(key):
    """The same law above the sampler's entry-by-entry bond limit (chi = 6: batched products)."""
    mps = jq.random_mps(jax.random.key(5), 4, 6)
    psi = O.mps_dense(mps.tensors, mps.left, mps.right)
    phases = np.array([1.3, -0.4, 2.2, 0.9])
    spec = [("depolarizing", np.full(4, 0.2), "before"), ("dephasing", np.full(4, 0.1), "after")]
    want = O.reported_distribution(O.dense_noisy_rho(psi, phases, spec), "xzyx", [0.0] * 4)
    bits = jq.sample(jax.random.key(22), mps, phases, 20000, "xzyx", method="trajectory", noise=model_of(spec))
    assert chi2_gof_pvalue(_counts(bits, 4), want) > ALPHA


@pytest.mark.parametrize("chi", [2, 3])
def test_mpo_sampler_goodness_of_fit_odd_n(chi):
    """The MPO sampler's two paths (chi = 2: D = 4 density coordinates updated entry by entry;
    chi = 3: D = 9, one (S, D) array per step) at odd N (a padded block), with amplitude damping
    and readout flips."""
    mps = jq.random_mps(jax.random.key(6), 5, chi)
    psi = O.mps_dense(mps.tensors, mps.left, mps.right)
    phases = np.array([0.7, -1.1, 2.0, 0.2, 1.4])
    spec = [("amplitude_damping", np.full(5, 0.25), "before"), ("dephasing", np.full(5, 0.1), "after")]
    readout = [0.0, 0.1, 0.0, 0.05, 0.2]
    want = O.reported_distribution(O.dense_noisy_rho(psi, phases, spec), "xzyxz", readout)
    bits = jq.sample(jax.random.key(23), mps, phases, 20000, "xzyxz", method="mpo", noise=model_of(spec, readout))
    assert chi2_gof_pvalue(_counts(bits, 5), want) > ALPHA


def test_trajectory_and_mpo_samplers_agree():
    """Two-sample chi-square homogeneity test between the two noisy samplers (GHZ, N = 5)."""
    n = 5
    phases = np.array([0.4, -0.2, 1.0, 0.3, 0.9])
    noise = jq.compose(jq.bit_flip(0.2, when="before"), jq.depolarizing(0.1), jq.readout_error(0.05))
    a = jq.sample(jax.random.key(31), jq.ghz(n), phases, 20000, "xyxxz", method="trajectory", noise=noise)
    b = jq.sample(jax.random.key(32), jq.ghz(n), phases, 20000, "xyxxz", method="mpo", noise=noise)
    table = np.stack([_counts(a, n), _counts(b, n)])
    table = table[:, table.sum(axis=0) > 0]
    assert accept_pvalue(stats.chi2_contingency(table)[1])
    rho = O.dense_noisy_rho(O.ghz(n), phases, [("bit_flip", np.full(n, 0.2), "before"), ("depolarizing", np.full(n, 0.1), "after")])
    want = O.reported_distribution(rho, "xyxxz", [0.05] * n)
    assert chi2_gof_pvalue(_counts(a, n), want) > ALPHA


def test_ghz_closed_form_noisy_sampler_matches_mpo_law():
    """Closed-form GHZ sampler with visibility V ([3.8]) against the exact law, X/Y bases."""
    n = 5
    phases = np.array([0.4, -0.2, 1.0, 0.3, 0.9])
    noise = jq.compose(jq.amplitude_damping(0.2), jq.dephasing(0.05, when="before"), jq.readout_error(0.03))
    spec = [("amplitude_damping", np.full(n, 0.2), "after"), ("dephasing", np.full(n, 0.05), "before")]
    want = O.reported_distribution(O.dense_noisy_rho(O.ghz(n), phases, spec), "yxxxx", [0.03] * n)
    bits = jq.sample(jax.random.key(41), jq.ghz(n), phases, 20000, "sine", method="closed_form", noise=noise)
    assert chi2_gof_pvalue(_counts(bits, n), want) > ALPHA
    par = jq.sample_parity(jax.random.key(42), jq.ghz(n), phases, 20000, "sine", noise=noise)
    p_odd = (1 - O.parity_of(want, n)) / 2
    assert chi2_gof_pvalue(np.bincount(np.asarray(par), minlength=2), [1 - p_odd, p_odd]) > ALPHA


def test_large_n_noisy_parity_sampler():
    """N = 1000, dephasing: the MPO and trajectory parity samplers follow (1 - V cos Phi)/2."""
    n, p = 1000, 0.0004
    phases = np.full(n, 0.3 / n)
    v = (1 - 2 * p) ** n
    p_odd = (1 - v * np.cos(0.3)) / 2
    for method in ("mpo", "trajectory"):
        par = jq.sample_parity(jax.random.key(5), jq.ghz(n), phases, 3000, method=method, noise=jq.dephasing(p))
        k = int(np.sum(np.asarray(par)))
        assert accept_pvalue(stats.binomtest(k, 3000, p_odd).pvalue)


# ------------------------------------------------------------------------------------------
# Bad input.
# ------------------------------------------------------------------------------------------


def test_bad_noise_parameters():
    with pytest.raises(ValueError, match=r"Argument `p` must be a probability in \[0, 1\]"):
        jq.dephasing(1.5)
    with pytest.raises(ValueError, match=r"Argument `gamma` must be a probability in \[0, 1\]"):
        jq.amplitude_damping([0.1, -0.2])
    with pytest.raises(ValueError, match="Argument `p` must be finite"):
        jq.depolarizing(np.nan)
    with pytest.raises(ValueError, match="Argument `p` must be real"):
        jq.bit_flip(0.1 + 0.1j)
    with pytest.raises(ValueError, match=r"Argument `p` must be a scalar or a per-node array of shape \(N,\)"):
        jq.readout_error(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="Argument `when` must be one of"):
        jq.dephasing(0.1, when="during")
    with pytest.raises(ValueError, match=r"Argument `models` must have per-node parameters of one length N, got lengths \[3, 4\]"):
        jq.compose(jq.dephasing([0.1] * 3), jq.depolarizing([0.1] * 4))
    with pytest.raises(ValueError, match=r"Argument `models\[1\]` must be a jaxqring NoiseModel"):
        jq.compose(jq.dephasing(0.1), 0.3)


def test_bad_noise_for_probe():
    mps = jq.ghz(4)
    with pytest.raises(ValueError, match=r"Argument `noise` has a per-node parameter of shape \(3,\) for dephasing, but the probe has N = 4"):
        jq.parity_expectation(mps, np.zeros(4), noise=jq.dephasing([0.1, 0.1, 0.1]))
    with pytest.raises(ValueError, match="Argument `noise` must be a jaxqring NoiseModel or None"):
        jq.sample(jax.random.key(0), mps, np.zeros(4), 4, noise=0.1)
    with pytest.raises(ValueError, match="Argument `method` = 'trajectory' needs Pauli channels"):
        jq.sample(jax.random.key(0), mps, np.zeros(4), 4, method="trajectory", noise=jq.amplitude_damping(0.1))
    with pytest.raises(ValueError, match="Argument `method` = 'closed_form' needs"):
        jq.sample(jax.random.key(0), mps, np.zeros(4), 4, method="closed_form", noise=jq.bit_flip(0.1))
    with pytest.raises(ValueError, match="Argument `method` = 'mps' samples the noiseless probe"):
        jq.sample_parity(jax.random.key(0), mps, np.zeros(4), 4, method="mps", noise=jq.dephasing(0.1))
    with pytest.raises(ValueError, match="Argument `noise` must hold only phase-covariant channels"):
        jq.ghz_visibility(jq.bit_flip(0.1), 4)


# ------------------------------------------------------------------------------------------
# Batching and compilation.
# ------------------------------------------------------------------------------------------


def test_batched_phases_equal_stacked_single_calls(probe):
    """vmap over coordinates == stacking per-coordinate calls; leading axes are preserved."""
    mps, psi, phases = probe
    noise = jq.compose(jq.amplitude_damping([0.1, 0.2, 0.0, 0.3]), jq.readout_error(0.05))
    batch = np.stack([phases + k for k in range(6)]).reshape(2, 3, 4)
    got = jq.parity_expectation(mps, batch, "xyzx", noise=noise)
    assert got.shape == (2, 3)
    want = np.array([float(jq.parity_expectation(mps, row, "xyzx", noise=noise)) for row in batch.reshape(6, 4)])
    assert_close(np.asarray(got).ravel(), want, np.float64)


def test_new_noise_values_do_not_recompile(probe):
    """Noise parameters are traced leaves: new values (same structure) reuse the compiled sweep."""
    from jaxqring import _readout

    mps, psi, phases = probe
    jq.parity_expectation(mps, phases, noise=jq.dephasing(0.1))
    size = _readout._parity._cache_size()
    for p in (0.2, 0.3, 0.05):
        jq.parity_expectation(mps, phases + p, noise=jq.dephasing(p))
    assert _readout._parity._cache_size() == size
