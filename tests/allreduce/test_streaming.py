"""Streaming and sharding of the coordinate axis (issue 13): the GHZ all-reduce and Kitaev sums
give the same estimates whatever the chunk size (`max_batch`) and the number of devices (`mesh`).

The conftest gives this process 8 host CPU devices.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.sharding import Mesh

import jaxqring as jq
from jaxqring.kernels.parallel.columns import map_columns


def _mesh(d):
    return Mesh(np.array(jax.devices()[:d]), ("coords",))


def _same_rounds(a, b):
    assert np.array_equal(a.estimate, b.estimate)
    assert np.array_equal(a.bits, b.bits)
    assert np.array_equal(a.plus_counts, b.plus_counts)
    # Exact probabilities: XLA may vectorise another batch size with other roundings (~1e-16).
    np.testing.assert_allclose(a.p_plus, b.p_plus, rtol=0, atol=1e-12)


@pytest.fixture(scope="module")
def cases():
    """The MPO law (exact noisy GHZ sweeps) and the closed form, on 1003 coordinates (not a
    multiple of 2, 4 or 8: the mesh pads)."""
    grads = 0.5 * jax.random.normal(jax.random.key(1), (5, 1003))
    out = {}
    for method in ("mps", "closed_form"):
        kw = dict(bits=8, clip=1.0, shots_per_round=3, noise=jq.dephasing(0.02), method=method)
        out[method] = (grads, kw, jq.ghz_allreduce(jax.random.key(7), grads, **kw))
    return out


@pytest.mark.parametrize(("method", "max_batch"), [("mps", 64), ("closed_form", 1), ("closed_form", 1000),
                                                   ("closed_form", 10**6)])
def test_chunked_equals_unchunked(cases, method, max_batch):
    grads, kw, ref = cases[method]
    res = jq.ghz_allreduce(jax.random.key(7), grads, max_batch=max_batch, **kw)
    assert np.array_equal(res.int_sum, ref.int_sum)
    np.testing.assert_array_equal(res.mean, ref.mean)
    _same_rounds(res.rounds, ref.rounds)


@pytest.mark.parametrize(("method", "devices"), [("closed_form", 1), ("closed_form", 2), ("closed_form", 4),
                                                 ("mps", 8)])
def test_sharded_equals_unsharded(cases, method, devices):
    grads, kw, ref = cases[method]
    res = jq.ghz_allreduce(jax.random.key(7), grads, max_batch=100, mesh=_mesh(devices), **kw)
    assert np.array_equal(res.int_sum, ref.int_sum)
    _same_rounds(res.rounds, ref.rounds)


def test_mesh_all_and_kitaev_sum_closed_form_and_weights():
    q = np.random.default_rng(3).integers(-3, 4, size=(4, 777))
    key = jax.random.key(11)
    ref = jq.kitaev_sum(key, q, bits=6, shots_per_round=1)
    assert np.array_equal(ref.sum, q.sum(0))  # noiseless, on the grid: exact (SPEC [4.1])
    for kw in (dict(mesh="all", max_batch=13), dict(mesh=_mesh(4), keep_rounds=False)):
        res = jq.kitaev_sum(key, q, bits=6, shots_per_round=1, **kw)
        assert np.array_equal(res.sum, ref.sum), kw
        assert (res.rounds is None) == (kw.get("keep_rounds") is False)
    w = np.array([1, -2, 3, 1], np.int32)
    g = 0.3 * jax.random.normal(jax.random.key(2), (4, 301))
    a = jq.ghz_allreduce(key, g, bits=10, clip=1.0, weights=w, shots_per_round=1)
    b = jq.ghz_allreduce(key, g, bits=10, clip=1.0, weights=w, shots_per_round=1, max_batch=32, mesh=_mesh(8))
    assert np.array_equal(a.int_sum, b.int_sum)


def test_map_columns_streams_every_coordinate_with_its_own_key():
    keys = jax.random.split(jax.random.key(0), 10)
    cols = jnp.arange(30.0).reshape(3, 10)

    def fn(k, c):
        return jax.vmap(lambda ki, ci: jax.random.uniform(ki) + jnp.sum(ci))(k, c.T)

    ref = fn(keys, cols)
    for chunk in (1, 3, 4, 10):
        np.testing.assert_array_equal(jax.jit(lambda k, c: map_columns(fn, k, c, chunk=chunk))(keys, cols), ref)
    np.testing.assert_array_equal(map_columns(fn, keys, cols, chunk=2, mesh=_mesh(4)), ref)


def test_bad_streaming_arguments_are_named():
    g = jnp.ones((3, 4))
    kw = dict(bits=8, clip=1.0, shots_per_round=1)
    with pytest.raises(ValueError, match="`max_batch`"):
        jq.ghz_allreduce(jax.random.key(0), g, max_batch=0, **kw)
    with pytest.raises(ValueError, match="`mesh`"):
        jq.ghz_allreduce(jax.random.key(0), g, mesh="gpu", **kw)
    with pytest.raises(ValueError, match="`keep_rounds`"):
        jq.ghz_allreduce(jax.random.key(0), g, keep_rounds="no", **kw)


@pytest.mark.parametrize(
    ("method", "noise"),
    [("closed_form", None), ("mps", None), ("mpo", "amplitude_damping"), ("trajectory", "dephasing")],
)
def test_samplers_and_parity_sharded_and_chunked_equal_one_call(method, noise):
    """Sampling (every method) and the exact parity: same key, same shots whatever the chunk
    size and the number of devices; 13 coordinates (not a multiple of 2 or 4)."""
    n = 6
    probe = jq.ghz(n) if method != "mps" else jq.random_mps(jax.random.key(3), n, 2)
    model = {None: None, "amplitude_damping": jq.amplitude_damping(0.1), "dephasing": jq.dephasing(0.05)}[noise]
    phases = np.random.default_rng(4).uniform(0, 2 * np.pi, (13, n))
    key = jax.random.key(5)
    ref = jq.sample(key, probe, phases, 7, method=method, noise=model)
    ref_par = jq.sample_parity(key, probe, phases, 7, method=method, noise=model)
    exp = jq.parity_expectation(probe, phases, noise=model)
    kw = dict(max_batch=3, mesh=_mesh(2))  # chunked (2 full chunks + a tail per device) and sharded
    assert np.array_equal(jq.sample(key, probe, phases, 7, method=method, noise=model, **kw), ref)
    assert np.array_equal(jq.sample_parity(key, probe, phases, 7, method=method, noise=model, mesh="all"), ref_par)
    if method in ("mps", "mpo"):  # the parity sweep does not depend on the sampling method
        np.testing.assert_allclose(jq.parity_expectation(probe, phases, noise=model, **kw), exp, rtol=0, atol=1e-12)


def test_numpy_gradients_are_copied_once_and_never_aliased():
    """`to_device` (the all-reduces' input edge): the device array holds the numpy values and
    dtype rules of ``jnp.asarray``, does not follow later writes to the caller's buffer, and
    the aggregation of a numpy input equals that of the same JAX array."""
    from jaxqring._parallel import to_device

    # The caller's buffer aligned to 4096 bytes, which XLA:CPU would use in place (jax.device_put
    # aliases it); numpy's own allocations are usually aligned to 16 bytes only.
    raw = np.empty(4 * 1000 * 4 + 4096, np.uint8)
    offset = -raw.ctypes.data % 4096
    g = raw[offset:offset + 16000].view(np.float32).reshape(4, 1000)
    g[...] = np.random.default_rng(3).standard_normal((4, 1000)).astype(np.float32) * 0.3
    dev = to_device(g)
    assert isinstance(dev, jax.Array) and dev.dtype == np.float32 and dev.shape == g.shape
    expected = g.copy()
    g[0, 0] = 99.0  # the caller reuses its buffer
    np.testing.assert_array_equal(np.asarray(dev), expected)
    assert to_device(np.ones(3)).dtype == jnp.asarray(np.ones(3)).dtype  # float64 -> JAX's default
    key = jax.random.key(5)
    a = jq.ghz_allreduce(key, expected, bits=8, clip=1.0, shots_per_round=1)
    b = jq.ghz_allreduce(key, jnp.asarray(expected), bits=8, clip=1.0, shots_per_round=1)
    np.testing.assert_array_equal(np.asarray(a.int_sum), np.asarray(b.int_sum))
    c = jq.ring_allreduce(expected, bits=8, clip=1.0)
    d = jq.ring_allreduce(jnp.asarray(expected), bits=8, clip=1.0)
    np.testing.assert_array_equal(np.asarray(c.sum), np.asarray(d.sum))


@pytest.mark.parametrize("noise", [None, "dephasing"])
def test_numpy_input_fed_from_the_host_chunk_by_chunk_equals_one_call(noise):
    """A numpy `grads` larger than one chunk is copied to the device chunk by chunk (never whole):
    estimates and per-round statistics equal the one-call result of the same values on the
    device, for the closed-form law and the MPO law, with a tail chunk (P = 37, chunks of 8)."""
    g = np.random.default_rng(4).standard_normal((5, 37)).astype(np.float32) * 0.3
    key = jax.random.key(6)
    kw = dict(bits=7, clip=1.0, shots_per_round=3, noise=None if noise is None else jq.dephasing(0.02))
    fed = jq.ghz_allreduce(key, g, max_batch=8, **kw)
    whole = jq.ghz_allreduce(key, jnp.asarray(g), **kw)
    np.testing.assert_array_equal(np.asarray(fed.int_sum), np.asarray(whole.int_sum))
    for a, b in zip(jax.tree.leaves(fed.rounds), jax.tree.leaves(whole.rounds)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert fed.sum.dtype == whole.sum.dtype == jnp.float32
    lean = jq.ghz_allreduce(key, g, max_batch=8, keep_rounds=False, **kw)
    np.testing.assert_array_equal(np.asarray(lean.int_sum), np.asarray(whole.int_sum))
