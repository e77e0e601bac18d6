"""Running on several processes (hosts) with JAX's own multi-controller runtime.

Every process runs the same program (SPMD). After :func:`initialize`, ``jax.devices()`` lists the
devices of all processes, so ``mesh="all"`` (or a ``Mesh`` over ``jax.devices()``) shards the
coordinates of :func:`jaxqring.ghz_allreduce` / :func:`jaxqring.kitaev_sum`, or the nodes of
:func:`jaxqring.ring_allreduce`, over every host; results come back sharded, and
:func:`gather_to_host` gives every process the whole array. Library code never branches on the
process index: the same key gives the same numbers on 1 process or many.

Launch (two processes on one machine, two CPU devices each)::

    XLA_FLAGS=--xla_force_host_platform_device_count=2 python run.py 0 &
    XLA_FLAGS=--xla_force_host_platform_device_count=2 python run.py 1

with ``run.py`` calling ``jq.initialize(coordinator="127.0.0.1:12345", num_processes=2,
process_id=int(sys.argv[1]))`` before any other JAX work. On Slurm or Open MPI,
``jq.initialize()`` without arguments lets JAX read the cluster's environment.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ._checks import check_int


def initialize(
    coordinator: str | None = None,
    *,
    num_processes: int | None = None,
    process_id: int | None = None,
    cpu_collectives: str = "gloo",
) -> None:
    """Join this process to a multi-process JAX run (call once, before any other JAX work).

    Args:
        coordinator: ``"host:port"`` of process 0's coordination service; None lets JAX detect a
            Slurm / Open MPI / cloud-TPU environment (then pass nothing else).
        num_processes: total processes (>= 1), required with ``coordinator``.
        process_id: this process's rank in [0, num_processes), required with ``coordinator``.
        cpu_collectives: collectives between CPU devices of different processes: ``"gloo"``
            (default; works on any host with TCP) or ``"mpi"``. Ignored by GPUs (NCCL).
    """
    if cpu_collectives not in ("gloo", "mpi"):
        raise ValueError(f"Argument `cpu_collectives` must be 'gloo' or 'mpi', got {cpu_collectives!r}.")
    if coordinator is not None:
        if not isinstance(coordinator, str) or ":" not in coordinator:
            raise ValueError(f"Argument `coordinator` must be 'host:port', got {coordinator!r}.")
        if num_processes is None or process_id is None:
            raise ValueError("Arguments `num_processes` and `process_id` are required with `coordinator`.")
        num_processes = check_int("num_processes", num_processes, minimum=1)
        process_id = check_int("process_id", process_id, minimum=0, maximum=num_processes - 1)
    elif num_processes is not None or process_id is not None:
        raise ValueError("Arguments `num_processes` and `process_id` need `coordinator` (or pass none of them).")
    jax.config.update("jax_cpu_collectives_implementation", cpu_collectives)
    jax.distributed.initialize(coordinator_address=coordinator, num_processes=num_processes, process_id=process_id)


def to_device(x) -> jax.Array:
    """An array argument on the default device, with at most one copy of a numpy input.

    The counterpart of :func:`gather_to_host` for inputs that may be as large as memory (the
    (N, P) gradients of the all-reduces). A numpy array goes through ``jax.device_put``: one
    copy. ``jnp.asarray`` made two of an array not aligned to 64 bytes (numpy's usual 16): a
    3 GiB float32 input took the CPU process's resident memory from 3.1 to 9.1 GiB, against 6.1
    GiB through ``device_put`` (measured here). It never aliases the caller's buffer, which the
    caller may change while the asynchronous computation still reads it. JAX arrays and tracers
    pass through; anything else goes through ``jnp.asarray``. Dtypes follow JAX's rules (float64
    becomes float32 unless x64 is enabled).
    """
    if isinstance(x, np.ndarray):
        return jax.device_put(x)
    return jnp.asarray(x)


def gather_to_host(x) -> np.ndarray:
    """The whole of a (possibly multi-process sharded) array as numpy, on every process.

    One process: ``np.asarray(x)``. Several: ``process_allgather`` of the global array (a
    collective: every process must call it).
    """
    if jax.process_count() == 1:
        return np.asarray(x)
    from jax.experimental import multihost_utils

    return np.asarray(multihost_utils.process_allgather(x, tiled=True))
