"""Wall-clock measurement of jitted work: compilation separated from steady state.

Used by the CLI reports and by every script in ``benchmarks/`` (one home for timing). The first
call (index 0) is the cold call that traces and compiles; then ``repeats`` warm calls are timed
one by one with ``jax.block_until_ready`` inside the timed region. Timing never goes in a test.
"""

from __future__ import annotations

import gc
import resource
import statistics
import time
from typing import Any, Callable, NamedTuple

import jax


class Timing(NamedTuple):
    """Result of :func:`time_jax`."""

    out: Any  # output of the last call
    cold_s: float  # first call, compilation included, seconds
    warm_median_s: float  # median of the warm calls, seconds
    warm_all_s: list  # every warm call, seconds


def time_jax(fn: Callable[[int], Any], repeats: int = 1) -> Timing:
    """Time ``fn(i)`` for i = 0 (cold) and i = 1..repeats (warm).

    The call index lets a caller vary its key per call; the previous output is released (and
    garbage-collected, outside the timed region) before each warm call, so multi-GiB outputs are
    never held twice.
    """
    t0 = time.perf_counter()
    out = jax.block_until_ready(fn(0))
    cold = time.perf_counter() - t0
    warm = []
    for i in range(1, repeats + 1):
        out = None
        gc.collect()
        t0 = time.perf_counter()
        out = jax.block_until_ready(fn(i))
        warm.append(time.perf_counter() - t0)
    return Timing(out, cold, statistics.median(warm) if warm else float("nan"), warm)


def time_host(fn: Callable[[], Any], repeats: int) -> tuple[Any, float]:
    """(last output, median seconds) of a host (numpy/scipy/quimb) reference."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, statistics.median(times)


def peak_rss_gib() -> float:
    """Peak resident memory of this process so far, GiB (Linux reports ru_maxrss in kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def device_report() -> dict:
    """What the default JAX device is and how much of its own memory this process has used.

    Returns:
        dict: ``backend`` ("cpu", "gpu", "tpu"), ``device`` (its ``device_kind``, e.g. "NVIDIA
        H200"), ``num_devices``; on accelerators that keep allocator statistics also
        ``device_memory_gib`` (``bytes_limit``) and ``device_peak_gib`` (``peak_bytes_in_use``
        so far). The CPU backend keeps none: its memory is the process's (:func:`peak_rss_gib`).
    """
    dev = jax.devices()[0]
    out = {"backend": jax.default_backend(), "device": dev.device_kind, "num_devices": jax.device_count()}
    try:
        stats = dev.memory_stats() if dev.platform != "cpu" else None
    except Exception:  # noqa: BLE001 - a backend without allocator statistics reports none
        stats = None
    if stats:
        if "bytes_limit" in stats:
            out["device_memory_gib"] = int(stats["bytes_limit"]) / 2**30
        if "peak_bytes_in_use" in stats:
            out["device_peak_gib"] = int(stats["peak_bytes_in_use"]) / 2**30
    return out
