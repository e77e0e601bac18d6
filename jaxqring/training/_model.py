"""A small pure-JAX multilayer perceptron: explicit-key init, logits, loss and accuracy.

Parameters are a tuple of layers, each a dict ``{"w": (d_in, d_out), "b": (d_out,)}``, a plain
pytree that optax and ``vmap`` handle directly. Hidden layers use ReLU; the last layer gives the
logits of a softmax classifier.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import DTypeLike
from jax import Array

from .._checks import check_int, check_key

Params = tuple  # tuple[dict[str, Array], ...]


def init_mlp(key: jax.Array, sizes: Sequence[int], *, dtype: DTypeLike = jnp.float32) -> Params:
    """He-normal weights and zero biases for an MLP with layer widths ``sizes``.

    Args:
        key: JAX PRNG key (keyword-free first argument, as in ``jax.random``).
        sizes: (d_in, hidden..., d_out), at least two positive integers.
        dtype: float32 or float64.
    Returns:
        tuple of ``len(sizes) - 1`` dicts ``{"w": (d_in, d_out), "b": (d_out,)}`` of ``dtype``.

    Examples:
        >>> import jax, jaxqring as jq
        >>> params = jq.init_mlp(jax.random.key(0), (64, 32, 10))
        >>> jq.num_params(params)
        2410
    """
    check_key("key", key)
    sizes = tuple(sizes) if isinstance(sizes, Sequence) else sizes
    if not isinstance(sizes, tuple) or len(sizes) < 2:
        raise ValueError(f"Argument `sizes` must be a sequence of >= 2 layer widths, got {sizes!r}.")
    sizes = tuple(check_int("sizes", s, minimum=1) for s in sizes)
    dt = jnp.dtype(dtype)
    if dt not in (jnp.dtype(jnp.float32), jnp.dtype(jnp.float64)):
        raise ValueError(f"Argument `dtype` must be float32 or float64, got {dt}.")
    return _init_mlp(key, sizes, dt.name)


@functools.partial(jax.jit, static_argnums=(1, 2))
def _init_mlp(key, sizes: tuple[int, ...], dtype: str) -> Params:
    keys = jax.random.split(key, len(sizes) - 1)
    layers = []
    for k, d_in, d_out in zip(keys, sizes[:-1], sizes[1:]):
        w = jax.random.normal(k, (d_in, d_out), dtype) * jnp.asarray(np.sqrt(2.0 / d_in), dtype)
        layers.append({"w": w, "b": jnp.zeros((d_out,), dtype)})
    return tuple(layers)


def num_params(params: Params) -> int:
    """Total number of scalar parameters P (a Python int)."""
    return int(sum(np.prod(np.shape(leaf)) for leaf in jax.tree_util.tree_leaves(params)))


@jax.jit
def mlp_apply(params: Params, x: Array) -> Array:
    """Logits of shape (..., d_out) for inputs x of shape (..., d_in)."""
    def affine(h, layer):  # explicit broadcast of the bias over the leading axes
        z = h @ layer["w"]
        return z + jnp.broadcast_to(layer["b"], z.shape)

    h = x
    for layer in params[:-1]:
        h = jax.nn.relu(affine(h, layer))
    return affine(h, params[-1])


@jax.jit
def cross_entropy(params: Params, x: Array, y: Array) -> Array:
    """Mean softmax cross-entropy (nats) over a batch: x (B, d_in), y (B,) int labels."""
    logits = mlp_apply(params, x)
    logp = jax.nn.log_softmax(logits, axis=-1)
    return -jnp.mean(jnp.take_along_axis(logp, y[:, None].astype(jnp.int32), axis=-1))


@jax.jit
def accuracy(params: Params, x: Array, y: Array) -> Array:
    """Fraction (in [0, 1], params' dtype) of the batch whose arg-max logit equals the label."""
    pred = jnp.argmax(mlp_apply(params, x), axis=-1)
    return jnp.mean((pred == y).astype(params[0]["w"].dtype))
