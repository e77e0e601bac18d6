"""Shot samplers against the exact outcome distribution (dense oracle / SPEC [3.3], [3.5]).

Each statistical assertion has false-failure rate ALPHA = 1e-6 under a correct sampler
(chi-square goodness of fit with cells merged to expected count >= 5, or a two-sided binomial
acceptance interval), with fixed seeds, so the suite as a whole fails spuriously with
probability below 1e-4.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxqring as jq

from ..oracles import dense as oracles
from ..helpers import ALPHA, binomial_interval, chi2_gof_pvalue

N = 6
SHOTS = 40_000


def _index(bits):
    n = bits.shape[-1]
    return np.asarray(bits, np.int64) @ (1 << np.arange(n - 1, -1, -1))


def _probes(key):
    return {
        "ghz": (jq.ghz(N), oracles.ghz(N)),
        "w": (jq.w_state(N), oracles.dicke(N, 1)),
        "dicke": (jq.dicke(N, 3), oracles.dicke(N, 3)),
        "random": None,
    }


@pytest.mark.parametrize("method", ["mps", "auto"])
@pytest.mark.parametrize("name", ["ghz", "w", "dicke", "random"])
@pytest.mark.parametrize("basis", ["x", "sine", "xyzyxz"])
def test_full_string_goodness_of_fit(name, basis, method, key):
    if name == "random":
        mps = jq.random_mps(jax.random.key(7), N, 3)
        psi = oracles.mps_dense(mps.tensors, mps.left, mps.right)
    else:
        mps, psi = _probes(key)[name]
    phases = np.random.default_rng(11).uniform(-np.pi, np.pi, size=(2, N))
    letters = {"x": "x" * N, "sine": "y" + "x" * (N - 1)}.get(basis, basis)
    bits = np.asarray(jq.sample(key, mps, phases, SHOTS, basis, method=method))
    assert bits.shape == (2, SHOTS, N) and bits.dtype == np.uint8
    for c in range(2):
        probs = oracles.outcome_distribution(oracles.encode(psi, phases[c]), letters)
        counts = np.bincount(_index(bits[c]), minlength=2**N)
        assert chi2_gof_pvalue(counts, probs) > ALPHA


@pytest.mark.parametrize("method", ["mps", "closed_form"])
def test_parity_sampler_binomial(method, key):
    """P(parity odd) = (1 - cos Phi)/2 for GHZ in X; (1 - sin Phi)/2 for the sine variant."""
    n = 10
    phases = np.random.default_rng(12).uniform(0, 2 * np.pi, size=(8, n))
    for basis, law in [("x", np.cos), ("sine", np.sin)]:
        par = np.asarray(jq.sample_parity(key, jq.ghz(n), phases, SHOTS, basis, method=method))
        p_odd = (1 - law(phases.sum(-1))) / 2
        for c in range(8):
            lo, hi = binomial_interval(SHOTS, p_odd[c])
            assert lo <= par[c].sum() <= hi


@pytest.mark.parametrize("method", ["mps", "closed_form"])
def test_float32_sampler_unbiased_at_n24(method, key):
    """float32 phases/tensors at N = 24 must not bias the parity law or the free bits.

    Reference: the exact law evaluated in float64 on the same float32 phases.
    """
    n, shots = 24, 400_000
    phases = np.random.default_rng(13).uniform(0, 2 * np.pi, size=(2, n)).astype(np.float32)
    mps = jq.ghz(n, dtype=np.complex64)
    bits = np.asarray(jq.sample(key, mps, phases, shots, method=method))
    p_odd = (1 - np.cos(phases.astype(np.float64).sum(-1))) / 2
    for c in range(2):
        lo, hi = binomial_interval(shots, p_odd[c])
        assert lo <= (bits[c].sum(-1) % 2).sum() <= hi
        lo, hi = binomial_interval(shots, 0.5)
        for j in (0, n // 2, n - 2):
            assert lo <= bits[c, :, j].sum() <= hi


def test_parity_matches_full_string_parity(key):
    """sample_parity on the MPS path equals the XOR of the bits of sample with the same key."""
    mps = jq.w_state(7)
    phases = np.random.default_rng(14).uniform(-1, 1, size=(3, 7))
    bits = jq.sample(key, mps, phases, 500, "sine", method="mps")
    par = jq.sample_parity(key, mps, phases, 500, "sine", method="mps")
    np.testing.assert_array_equal(np.asarray(bits).sum(-1) % 2, np.asarray(par))


def test_packed_bits_and_batch_shape(key):
    phases = np.zeros((2, 3, 11))
    bits = jq.sample(key, jq.ghz(11), phases, 7)
    packed = jq.sample(key, jq.ghz(11), phases, 7, packed=True)
    assert bits.shape == (2, 3, 7, 11)
    assert packed.shape == (2, 3, 7, 2)
    np.testing.assert_array_equal(np.packbits(np.asarray(bits), axis=-1, bitorder="little"), packed)


def test_vmap_over_keys_equals_stacking(key):
    mps = jq.random_mps(key, 5, 2)
    phases = jnp.asarray(np.random.default_rng(15).uniform(-2, 2, size=(5,)))
    keys = jax.random.split(key, 4)
    vm = jax.vmap(lambda k: jq.sample_parity(k, mps, phases, 64))(keys)
    stacked = jnp.stack([jq.sample_parity(k, mps, phases, 64) for k in keys])
    np.testing.assert_array_equal(vm, stacked)


def test_same_key_reproduces(key):
    a = jq.sample(key, jq.ghz(9), np.ones(9), 100, method="mps")
    b = jq.sample(key, jq.ghz(9), np.ones(9), 100, method="mps")
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("n, chi", [(5, 6), (7, 1)])
def test_goodness_of_fit_odd_n_and_other_bond_dimensions(n, chi, key):
    """Odd N (one inert padding site in the sampler's block) and bond dimensions 1 and 6."""
    mps = jq.random_mps(jax.random.key(21), n, chi)
    psi = oracles.mps_dense(mps.tensors, mps.left, mps.right)
    phases = np.random.default_rng(22).uniform(-np.pi, np.pi, size=(n,))
    letters = "zxy" * n
    letters = letters[:n]
    bits = np.asarray(jq.sample(key, mps, phases, SHOTS, letters, method="mps"))
    probs = oracles.outcome_distribution(oracles.encode(psi, phases), letters)
    assert chi2_gof_pvalue(np.bincount(_index(bits), minlength=2**n), probs) > ALPHA


def test_many_blocks_w_state_in_z(key):
    """N = 77 spans three sampler blocks plus padding: every Z string of a W state has exactly
    one 1, at a position uniform over the N nodes (chi-square over N cells)."""
    n, shots = 77, 20_000
    bits = np.asarray(jq.sample(key, jq.w_state(n), np.zeros(n), shots, "z", method="mps"))
    assert (bits.sum(-1) == 1).all()
    assert chi2_gof_pvalue(bits.sum(0), np.full(n, 1 / n)) > ALPHA


def test_unnormalised_probe_gives_the_same_samples(key):
    """A probe whose every tensor is scaled by 2^-20 is the same ray: at N = 300 its norm is
    2^-6000 (far below float64), yet the sampler's rescaled tables give identical bits."""
    n = 300
    mps = jq.random_mps(jax.random.key(23), n, 2)
    tiny = jq.MPS(mps.tensors * 2.0**-20, mps.left, mps.right, kind=mps.kind)
    phases = np.random.default_rng(24).uniform(-np.pi, np.pi, size=(2, n))
    a = jq.sample(key, mps, phases, 200, method="mps")
    b = jq.sample(key, tiny, phases, 200, method="mps")
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("chi", [2, 6])
def test_unrolled_site_scan_draws_the_same_samples(chi, key, monkeypatch):
    """The GPU's inner-scan unroll (``SAMPLER_UNROLL``) changes the loop, not the draw: forced on
    this backend, the MPS sampler (small and dense bond paths, 77 sites: three blocks plus
    padding) and the MPO sampler give the same bits as the plain loop, under the same key."""
    from jaxqring.kernels.mps import readout

    n = 77
    mps = jq.random_mps(jax.random.key(25), n, chi)
    phases = np.random.default_rng(26).uniform(-np.pi, np.pi, size=(2, n))

    def draw():
        jax.clear_caches()  # the unroll is read at trace time
        return (np.asarray(jq.sample(key, mps, phases, 300, method="mps")),
                np.asarray(jq.sample(key, jq.ghz(n), phases, 300, noise=jq.dephasing(0.05), method="mpo")))

    monkeypatch.setitem(readout.SAMPLER_UNROLL, jax.default_backend(), 1)
    plain = draw()
    monkeypatch.setitem(readout.SAMPLER_UNROLL, jax.default_backend(), 4)
    unrolled = draw()
    jax.clear_caches()
    for a, b in zip(plain, unrolled):
        np.testing.assert_array_equal(a, b)
    assert plain[0].shape == (2, 300, n)


def test_threefry_pair_is_jax_threefry(key):
    """The samplers' written-out Threefry-2x32 (one fused loop) is bit-identical to JAX's own
    ``threefry_2x32`` (the oracle), on random keys and counters including the extremes."""
    from jax.extend.random import threefry_2x32

    from jaxqring.kernels.mps.readout import threefry_pair

    rng = np.random.default_rng(31)
    for _ in range(4):
        k = rng.integers(0, 2**32, size=2, dtype=np.uint32)
        x = rng.integers(0, 2**32, size=(2, 513), dtype=np.uint32)
        x[:, :2] = [[0, 2**32 - 1], [2**32 - 1, 0]]
        y0, y1 = threefry_pair(jnp.uint32(k[0]), jnp.uint32(k[1]), jnp.asarray(x[0]), jnp.asarray(x[1]))
        ref = threefry_2x32(jnp.asarray(k), jnp.asarray(x.ravel()))
        np.testing.assert_array_equal(np.concatenate([y0, y1]), np.asarray(ref))


@pytest.mark.parametrize("chi", [2, 3])
@pytest.mark.parametrize("flagged", [False, True])
def test_site_tables_per_block_or_per_site_draw_the_same_samples(chi, flagged, key):
    """``tables_per_block`` moves the small-bond tables' formation out of the site loop (one
    coordinate per program) or leaves it inside (batches): the same bits, with and without the
    trajectory sampler's per-shot negated phases, over three blocks plus padding."""
    from jaxqring import kernels as K

    n, shots = 77, 300
    mps = jq.random_mps(jax.random.key(27), n, chi)
    envs = K.right_environments(mps)
    phases = jnp.asarray(np.random.default_rng(28).uniform(-np.pi, np.pi, size=(n,)))
    codes = jnp.asarray(np.arange(n) % 3, jnp.int32)
    negated = jnp.asarray(np.random.default_rng(29).random((shots, n)) < 0.3) if flagged else None
    draws = [np.asarray(jax.jit(lambda k, ph, per_block=per_block: K.sample_bits(
        k, mps, envs, ph, codes, shots, parity_only=False, negated=negated, tables_per_block=per_block))(key, phases))
        for per_block in (True, False)]
    np.testing.assert_array_equal(draws[0], draws[1])
    assert draws[0].shape == (shots, n) and 0.2 < draws[0].mean() < 0.8
