"""The workloads both the 2-process run and the single-process reference compute (same keys)."""

import jax
import numpy as np

import jaxqring as jq


def run_cases(mesh):
    """GHZ aggregation (exact noisy MPO law, coordinates sharded), Kitaev sums (closed form) and
    the superdense ring with Werner pairs (nodes sharded; messages cross processes by ppermute)."""
    rng = np.random.default_rng(1)
    grads = 0.5 * rng.normal(size=(5, 1003))
    ghz = jq.ghz_allreduce(jax.random.key(7), grads, bits=8, clip=1.0, shots_per_round=3,
                           noise=jq.dephasing(0.05), method="mps", mesh=mesh, max_batch=128)
    q = rng.integers(-3, 4, size=(4, 517))
    kit = jq.kitaev_sum(jax.random.key(8), q, bits=6, shots_per_round=3, noise=jq.dephasing(0.1),
                        method="closed_form", mesh=mesh)
    ring = jq.ring_allreduce(0.3 * rng.normal(size=(8, 64)), scheme="superdense", bits=10,
                             epr=jq.werner(0.9), key=jax.random.key(9), mesh=mesh)
    return {"ghz_int_sum": ghz.int_sum, "ghz_plus_counts": ghz.rounds.plus_counts,
            "kitaev_sum": kit.sum, "ring_sum": ring.sum}
