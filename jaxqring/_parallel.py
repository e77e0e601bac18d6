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


# XLA:CPU computes in place on host buffers aligned to its minimum alignment (64 bytes): such a
# numpy buffer is aliased by ``jax.device_put``, not copied.
_CPU_ALIGNMENT = 128


def to_device(x) -> jax.Array:
    """An array argument on the default device: one copy of a numpy input, never an alias of it.

    The counterpart of :func:`gather_to_host` for inputs as large as memory (the (N, P) gradients
    of the all-reduces, the vectors of conflict detection). On the CPU, ``jax.device_put`` of a
    numpy array aligned to 64 bytes aliases the caller's buffer (measured with jax 0.10.2, also
    with ``may_alias=False``), so a later write by the caller would reach a computation still
    running asynchronously; and ``jnp.asarray`` makes two copies of an unaligned one (numpy's
    usual 16 bytes: a 3 GiB float32 input took the process from 3.1 to 9.1 GiB). Here a numpy
    input is copied once into a private aligned buffer in JAX's dtype (float64 becomes float32
    unless x64 is enabled), which the CPU device then uses in place; on accelerators
    ``device_put`` copies it to the device once. JAX arrays and tracers pass through; anything
    else goes through ``jnp.asarray``.
    """
    if not isinstance(x, np.ndarray):
        return jnp.asarray(x)
    dtype = jax.dtypes.canonicalize_dtype(x.dtype)
    if jax.default_backend() != "cpu":
        return jax.device_put(x if x.dtype == dtype else x.astype(dtype))
    nbytes = max(1, x.size * dtype.itemsize)
    raw = np.empty(nbytes + _CPU_ALIGNMENT, np.uint8)
    offset = -raw.ctypes.data % _CPU_ALIGNMENT
    buf = raw[offset:offset + x.size * dtype.itemsize].view(dtype).reshape(x.shape)
    np.copyto(buf, x, casting="unsafe")
    return jax.device_put(buf)


def gather_to_host(x) -> np.ndarray:
    """The whole of a (possibly multi-process sharded) array as numpy, on every process.

    One process: ``np.asarray(x)``. Several: ``process_allgather`` of the global array (a
    collective: every process must call it).
    """
    if jax.process_count() == 1:
        return np.asarray(x)
    from jax.experimental import multihost_utils

    return np.asarray(multihost_utils.process_allgather(x, tiled=True))
