"""Embedded training data: scikit-learn's bundled 8x8 digits, split and sharded over N workers.

Everything here is static NumPy done once at the edge, before any tracing: the arrays it returns
are closed over (or passed) by the jitted training step. No download is ever needed: the digits
set (1797 images, 64 pixels in 0..16, 10 classes) ships inside scikit-learn.

Sharding gives every worker the same number of examples (the remainder is dropped), so the
per-worker data stacks into one array with a leading worker axis ``N`` that ``vmap`` maps over.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from jax.typing import ArrayLike, DTypeLike

from .._checks import check_choice, check_int, check_real

NUM_FEATURES = 64
NUM_CLASSES = 10
SHARDINGS = ("iid", "label_skew")


class Dataset(NamedTuple):
    """A train/test split of the digits set.

    Attributes:
        x_train: shape=(n_train, 64), dtype=float32 or float64: pixels scaled to [0, 1].
        y_train: shape=(n_train,), dtype=int32: labels in [0, 10).
        x_test: shape=(n_test, 64), same dtype as ``x_train``.
        y_test: shape=(n_test,), dtype=int32.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


class Shards(NamedTuple):
    """Per-worker training data with a leading worker axis.

    Attributes:
        x: shape=(N, n_per_worker, 64), dtype of the dataset.
        y: shape=(N, n_per_worker), dtype=int32.
    """

    x: np.ndarray
    y: np.ndarray


def _dtype(dtype) -> np.dtype:
    dt = np.dtype(dtype)
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"Argument `dtype` must be float32 or float64, got {dt}.")
    return dt


def load_digits(*, test_fraction: float = 0.25, seed: int = 0, dtype: DTypeLike = np.float32) -> Dataset:
    """Load the embedded digits set and split it, stratified by label.

    Args:
        test_fraction: fraction of the 1797 examples held out for testing, in (0, 1).
        seed: seed of the (NumPy) split permutation; the same seed gives the same split.
        dtype: float32 or float64 for the pixels.
    Returns:
        A :class:`Dataset`; pixels divided by 16 so they lie in [0, 1].

    Examples:
        >>> import jaxqring as jq
        >>> data = jq.load_digits(test_fraction=0.25, seed=0)
        >>> data.x_train.shape, data.x_test.shape
        ((1347, 64), (450, 64))
    """
    from sklearn.datasets import load_digits as _sk_load_digits

    test_fraction = check_real("test_fraction", test_fraction, minimum=0.0, maximum=1.0)
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"Argument `test_fraction` must lie in (0, 1), got {test_fraction}.")
    seed = check_int("seed", seed, minimum=0)
    dt = _dtype(dtype)
    raw = _sk_load_digits()
    x = (raw.data / 16.0).astype(dt)
    y = raw.target.astype(np.int32)
    rng = np.random.default_rng(seed)
    test_idx, train_idx = [], []
    for c in range(NUM_CLASSES):  # stratified: the same fraction of every class is held out
        idx = rng.permutation(np.flatnonzero(y == c))
        n_test = int(round(test_fraction * idx.size))
        test_idx.append(idx[:n_test])
        train_idx.append(idx[n_test:])
    test_idx = rng.permutation(np.concatenate(test_idx))
    train_idx = rng.permutation(np.concatenate(train_idx))
    return Dataset(x[train_idx], y[train_idx], x[test_idx], y[test_idx])


def shard_dataset(x: ArrayLike, y: ArrayLike, num_workers: int, *, sharding: str = "iid", seed: int = 0) -> Shards:
    """Split ``(x, y)`` into ``num_workers`` equal shards.

    ``"iid"``: a uniform random permutation cut into N equal pieces.
    ``"label_skew"``: the examples sorted by label (random order within a label) are cut into
    2N equal contiguous pieces and every worker gets two of them at random, so each worker sees
    about two classes (the "pathological non-iid" split of McMahan et al. 2017).

    Args:
        x: shape=(n, ...), the examples.
        y: shape=(n,), integer labels.
        num_workers: N >= 2; needs n >= 2N examples.
        sharding: ``"iid"`` or ``"label_skew"``.
        seed: seed of the NumPy permutation.
    Returns:
        :class:`Shards` with x of shape (N, n_per_worker, ...), y (N, n_per_worker) int32;
        ``n_per_worker = n // N`` for iid and ``2 * (n // (2N))`` for label_skew.
    """
    num_workers = check_int("num_workers", num_workers, minimum=2)
    sharding = check_choice("sharding", sharding, SHARDINGS)
    seed = check_int("seed", seed, minimum=0)
    x = np.asarray(x)
    y = np.asarray(y).astype(np.int32)
    if x.ndim < 1 or y.shape != (x.shape[0],):
        raise ValueError(
            f"Arguments `x` and `y` must have shapes (n, ...) and (n,), got {x.shape} and {y.shape}."
        )
    n = x.shape[0]
    if n < 2 * num_workers:
        raise ValueError(
            f"Argument `num_workers` must be <= n / 2 = {n // 2} for {n} examples, got {num_workers}."
        )
    rng = np.random.default_rng(seed)
    if sharding == "iid":
        per = n // num_workers
        idx = rng.permutation(n)[: per * num_workers].reshape(num_workers, per)
    else:
        pieces = 2 * num_workers
        size = n // pieces
        order = np.lexsort((rng.random(n), y))[: size * pieces].reshape(pieces, size)
        assign = rng.permutation(pieces).reshape(num_workers, 2)
        idx = order[assign].reshape(num_workers, 2 * size)
    return Shards(x[idx], y[idx])


def load_digits_shards(
    num_workers: int,
    *,
    sharding: str = "iid",
    test_fraction: float = 0.25,
    seed: int = 0,
    dtype: DTypeLike = np.float32,
) -> tuple[Shards, Dataset]:
    """:func:`load_digits` then :func:`shard_dataset` of its training part (same ``seed``).

    Returns:
        (shards, dataset): the per-worker training shards and the full split (for testing).
    """
    data = load_digits(test_fraction=test_fraction, seed=seed, dtype=dtype)
    return shard_dataset(data.x_train, data.y_train, num_workers, sharding=sharding, seed=seed), data
