"""Issue 13: the training aggregators stream and shard their coordinates (``max_batch``,
``mesh``) and give the same updates, from the same key, on 1, 2, 4 and 8 host devices.

The conftest gives this process 8 host CPU devices. P = 1003 is not a multiple of 2, 4 or 8,
so the sharded paths pad.
"""

import jax
import numpy as np
import optax
import pytest
from jax.sharding import Mesh

import jaxqring as jq
from jaxqring.training import make_aggregator


def _mesh(d, name="coords"):
    return Mesh(np.array(jax.devices()[:d]), (name,))


def _update(agg, grads):
    params = {"w": np.zeros(grads.shape[1:], np.float32)}
    state = agg.init(params)
    step = jax.jit(lambda g, s: agg.update({"w": g}, s))
    out, state = step(grads, state)
    return np.asarray(out["w"]), state


@pytest.fixture(scope="module")
def grads():
    return np.asarray(jax.random.normal(jax.random.key(3), (5, 1003)), np.float32)


CASES = [
    ("ghz_majority", "table", None),
    ("ghz_majority", "binomial", jq.dephasing(0.05)),
    ("ghz_majority", "mps", jq.bit_flip(0.05)),
    ("ghz_count", "table", jq.dephasing(0.02)),
]


@pytest.mark.parametrize(("name", "method", "noise"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_sharded_and_chunked_equal_one_device(grads, name, method, noise):
    kw = dict(key=jax.random.key(11), shots=5, noise=noise, method=method)
    ref, _ = _update(make_aggregator(name, **kw), grads)
    assert set(np.unique(ref)) <= {-1.0, 1.0}
    # The exact majority agrees with most votes (a vacuous reference would not).
    agree = np.mean(ref == np.where(np.sum(np.sign(grads), 0) >= 0, 1, -1))
    assert agree > 0.6
    for devices, max_batch in ((1, 100), (2, None), (4, 64), (8, 1)):
        out, _ = _update(make_aggregator(name, max_batch=max_batch, mesh=_mesh(devices), **kw), grads)
        np.testing.assert_array_equal(out, ref, err_msg=f"{devices} devices, max_batch={max_batch}")


def test_superdense_node_mesh_equals_one_device():
    g = np.asarray(jax.random.normal(jax.random.key(4), (4, 257)), np.float32)
    kw = dict(key=jax.random.key(2), epr=jq.werner(0.95))
    ref, _ = _update(make_aggregator("superdense", **kw), g)
    for devices in (2, 4):
        out, _ = _update(make_aggregator("superdense", mesh=_mesh(devices, "nodes"), **kw), g)
        np.testing.assert_array_equal(out, ref)


def test_bad_mesh_and_max_batch():
    with pytest.raises(ValueError, match="mesh"):
        make_aggregator("ghz_majority", key=jax.random.key(0), mesh="everything")
    with pytest.raises(ValueError, match="max_batch"):
        make_aggregator("ghz_count", key=jax.random.key(0), max_batch=0)
    agg = make_aggregator("ghz_majority", key=jax.random.key(0), mesh="all")
    assert isinstance(agg, optax.GradientTransformation)
