"""Issue 13: the JL sketch (the conflict-detection path that grows with P) shards its
coordinates: each device regenerates its own columns of A from the shared key, and the partial
sketches are summed. Same value on 1, 2, 4 and 8 host devices (to rounding: only the summation
order changes), checked against a dense numpy product with the same columns.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.sharding import Mesh

from jaxqring import conflict
from jaxqring.kernels.sketch import jl


def _mesh(d):
    return Mesh(np.array(jax.devices()[:d]), ("coords",))


@pytest.mark.parametrize("kind", ["gaussian", "rademacher"])
def test_sharded_sketch_equals_one_device_and_dense(kind):
    p, d = 1003, 24  # P not a multiple of 2, 4 or 8: the mesh pads with zero columns
    g = np.asarray(jax.random.normal(jax.random.key(5), (p,)), np.float64)
    key = jax.random.key(9)
    ref = np.asarray(conflict.jl_sketch(key, g, dim=d, kind=kind, block_size=128))
    cols = np.asarray(jl.sketch_columns(key, jnp.arange(p), dim=d, kind=kind, dtype=jnp.float32), np.float64)
    # Dense oracle with the same float32 entries of A; XLA may vectorise the Gaussian draws of a
    # block of 128 columns and of all 1003 differently (1 ulp of float32).
    np.testing.assert_allclose(ref, cols.T @ g, rtol=2e-6, atol=1e-6)
    for devices in (1, 2, 4, 8):
        out = np.asarray(conflict.jl_sketch(key, g, dim=d, kind=kind, block_size=128, mesh=_mesh(devices)))
        np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-13)


def test_sharded_inner_product_decides_the_same():
    p = 4001
    a = np.asarray(jax.random.normal(jax.random.key(1), (p,)))
    b = a + 0.8 * np.asarray(jax.random.normal(jax.random.key(2), (p,)))
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    ref = conflict.jl_inner_product(jax.random.key(3), a, b, tau=0.3, delta=0.05)
    out = conflict.jl_inner_product(jax.random.key(3), a, b, tau=0.3, delta=0.05, mesh="all")
    assert bool(out.aligned) == bool(ref.aligned)
    np.testing.assert_allclose(float(out.estimate), float(ref.estimate), rtol=1e-10)
    with pytest.raises(ValueError, match="mesh"):
        conflict.jl_sketch(jax.random.key(0), a, dim=4, mesh=3)
