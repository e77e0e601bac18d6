"""Argument validation that runs *before* tracing.

Every public entry point validates its inputs here and raises a ``ValueError`` that names
the argument, what was expected and what was received, so that bad input never turns into
a NaN deep inside a jitted function. Checks on concrete values (finiteness, ranges) are
skipped transparently when the argument is a tracer, so the public functions stay usable
under ``jit``/``vmap``/``grad``.
"""

from __future__ import annotations

import numbers
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np


def is_traced(x: Any) -> bool:
    """True if ``x`` is (or contains) a JAX tracer, i.e. its values are unknown now."""
    return any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree_util.tree_leaves(x))


def check_int(name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as a Python int, or raise a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, (np.ndarray, jax.Array)) and np.ndim(value) == 0 and not is_traced(value):
            if np.issubdtype(np.asarray(value).dtype, np.integer):
                value = int(value)
            else:
                raise ValueError(f"Argument `{name}` must be an integer, got {value!r}.")
        else:
            raise ValueError(f"Argument `{name}` must be an integer, got {value!r}.")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(_range_msg(name, value, minimum, maximum))
    if maximum is not None and value > maximum:
        raise ValueError(_range_msg(name, value, minimum, maximum))
    return value


def _range_msg(name: str, value: Any, minimum: Any, maximum: Any) -> str:
    if maximum is None:
        allowed = f">= {minimum}"
    elif minimum is None:
        allowed = f"<= {maximum}"
    else:
        allowed = f"in [{minimum}, {maximum}]"
    return f"Argument `{name}` must be {allowed}, got {value}."


def check_real(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
) -> float:
    """Return ``value`` as a finite Python float within range, or raise a ValueError."""
    if is_traced(value):
        return value
    if isinstance(value, (str, bytes)):  # float('1.0') would parse; a string is never a number here
        raise ValueError(f"Argument `{name}` must be a real number, got the string {value!r}.")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"Argument `{name}` must be a real number, got {value!r}.") from None
    if not np.isfinite(v):
        raise ValueError(f"Argument `{name}` must be finite, got {v}.")
    if minimum is not None and (v < minimum or (exclusive_minimum and v <= minimum)):
        lo = f"> {minimum}" if exclusive_minimum else f">= {minimum}"
        allowed = lo if maximum is None else f"{lo} and <= {maximum}"
        raise ValueError(f"Argument `{name}` must be {allowed}, got {v}.")
    if maximum is not None and v > maximum:
        raise ValueError(_range_msg(name, v, minimum, maximum))
    return v


# Elements per slice of a host-side finiteness check (its boolean temporary stays at 16 MiB).
_FINITE_SLICE = 1 << 24
# Elements per slice when counting the non-finite entries of a JAX array (fits int32).
_COUNT_SLICE = 1 << 30


def check_finite(name: str, value: Any) -> None:
    """Raise if a concrete array contains NaN or inf (no-op under tracing).

    A JAX array is checked where it lives (one reduction, no copy to the host); a host array in
    slices of ``_FINITE_SLICE`` elements, so checking an input as large as memory needs no
    temporary of its size.
    """
    if is_traced(value):
        return
    if isinstance(value, jax.Array):
        if not jnp.issubdtype(value.dtype, jnp.inexact):
            return
        if bool(jnp.all(jnp.isfinite(value))):
            return
        # Error path only: counted per slice of 2^30 entries, so JAX's default int32 cannot
        # overflow however large the array.
        flat = value.reshape(-1)
        bad = sum(int(jnp.count_nonzero(~jnp.isfinite(flat[i:i + _COUNT_SLICE])))
                  for i in range(0, flat.size, _COUNT_SLICE))
    else:
        arr = np.asarray(value)
        if arr.dtype.kind in "biu":
            return
        flat = arr.reshape(-1)  # a view of a contiguous array
        bad = sum(int(flat[i:i + _FINITE_SLICE].size - np.count_nonzero(np.isfinite(flat[i:i + _FINITE_SLICE])))
                  for i in range(0, flat.size, _FINITE_SLICE))
    if bad:
        raise ValueError(f"Argument `{name}` must be finite, got {bad} non-finite entries.")


def check_in_range(name: str, value: Any, lo: float, hi: float) -> None:
    """Raise unless every entry of a concrete array lies in [lo, hi] (no-op under tracing)."""
    if is_traced(value):
        return
    arr = np.asarray(value, dtype=float)
    check_finite(name, arr)
    if arr.size and (arr.min() < lo or arr.max() > hi):
        raise ValueError(
            f"Argument `{name}` must lie in [{lo}, {hi}], got values in [{arr.min()}, {arr.max()}]."
        )


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"Argument `{name}` must be one of {choices}, got {value!r}.")
    return value


def check_key(name: str, key: Any, *, allow_none: bool = False) -> Any:
    """Return ``key`` unchanged if it is one JAX PRNG key, else raise a ValueError naming ``name``.

    Accepts typed keys (``jax.random.key(seed)``, dtype ``key<...>``, shape ``()``) and legacy
    raw keys (``jax.random.PRNGKey(seed)``, uint32 shape ``(2,)``). Tracers pass (their values
    are unknown before tracing; shapes were fixed by the caller).
    """
    if key is None and allow_none:
        return None
    if is_traced(key):
        return key
    dtype = getattr(key, "dtype", None)
    if dtype is not None and jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key):
        ok = np.shape(key) == ()
    else:
        ok = isinstance(key, (np.ndarray, jax.Array)) and np.asarray(key).dtype == np.uint32 and np.shape(key) == (2,)
    if not ok:
        raise ValueError(
            f"Argument `{name}` must be a JAX PRNG key, one key (jax.random.key(seed) or "
            f"jax.random.PRNGKey(seed)), got {key!r}."
        )
    return key


def check_odd_shots(name: str, shots: Any) -> int:
    """Return ``shots`` as an odd int >= 1 (a strict majority needs odd M, SPEC C9)."""
    shots = check_int(name, shots, minimum=1)
    if shots % 2 == 0:
        raise ValueError(f"Argument `{name}` must be odd (majority of the shots, SPEC C9), got {shots}.")
    return shots


def check_probability(name: str, value: Any, *, open_left: bool = False, open_right: bool = False) -> float:
    """Return a scalar probability as a float in [0, 1] (ends excluded on request)."""
    v = check_real(name, value, minimum=0.0, maximum=1.0)
    if is_traced(v):
        return v
    if (open_left and v <= 0.0) or (open_right and v >= 1.0):
        lo = "(0" if open_left else "[0"
        hi = "1)" if open_right else "1]"
        raise ValueError(f"Argument `{name}` must lie in {lo}, {hi}, got {v}.")
    return v


# ----------------------------------------------------------------------------------------------
# Memory: estimate before allocating, so a request that cannot fit fails with advice, not an
# XLA out-of-memory error or a numpy allocation traceback from deep inside.
# ----------------------------------------------------------------------------------------------


def format_bytes(nbytes: float) -> str:
    """``nbytes`` in binary units, e.g. ``'596.0 GiB'``."""
    value = float(nbytes)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if value < 1024 or unit == "PiB":
            return f"{value:.0f} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} PiB"  # pragma: no cover


# Requests up to this size are not checked against the device's free memory: every device
# has it, and querying memory costs ~0.5 ms, more than a small job itself.
SMALL_REQUEST_BYTES = 64 * 2**20


def _host_available_bytes() -> int | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import os

        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def available_memory_bytes() -> int | None:
    """Bytes the default JAX device can still allocate (None if unknown).

    Accelerators report ``bytes_limit - bytes_in_use`` through ``Device.memory_stats()``; the CPU
    backend reports nothing there, so the host's ``MemAvailable`` is used.
    """
    try:
        dev = jax.devices()[0]
        stats = dev.memory_stats() if dev.platform != "cpu" else None
    except Exception:  # noqa: BLE001 - a backend without memory_stats falls back to the host
        stats = None
    if stats and "bytes_limit" in stats:
        return int(stats["bytes_limit"]) - int(stats.get("bytes_in_use", 0))
    return _host_available_bytes()


def check_memory(name: str, nbytes: float, *, what: str, fix: str, available: int | None = None) -> None:
    """Raise a ValueError naming ``name`` if ``nbytes`` cannot fit in the available memory.

    Args:
        name: the argument that drives the size (named in the message).
        nbytes: estimated peak bytes of the request.
        what: what would be allocated (e.g. "the GHZ MPS tensors (N, 2, 2, 2) complex64").
        fix: what the user can change (e.g. "use N <= 1.2e9 or ...").
        available: bytes available (default :func:`available_memory_bytes`).
    """
    if available is None and nbytes <= SMALL_REQUEST_BYTES:
        return  # no device has less; skipping the query keeps small calls fast
    avail = available_memory_bytes() if available is None else int(available)
    if avail is None or nbytes <= avail:
        return
    raise ValueError(
        f"Argument `{name}` asks for about {format_bytes(nbytes)} for {what}, but only "
        f"{format_bytes(avail)} is available on this device; {fix}."
    )


def check_no_nan(name: str, value: Any) -> None:
    """Raise if a concrete float array contains NaN (no-op under tracing); inf is allowed."""
    if is_traced(value):
        return
    leaves = jax.tree_util.tree_leaves(value)
    bad = 0
    for leaf in leaves:
        arr = np.asarray(leaf)
        if arr.dtype.kind in "fc":
            bad += int(np.count_nonzero(np.isnan(arr)))
    if bad:
        raise ValueError(f"Argument `{name}` must not contain NaN, got {bad} NaN entries.")


def check_mesh(name: str, mesh: Any, *, axis_name: str = "coords") -> Any:
    """None, a 1-D :class:`jax.sharding.Mesh`, or ``"all"`` (a 1-D mesh over every device,
    axis ``axis_name``); anything else is a ValueError naming ``name``."""
    from jax.sharding import Mesh

    if mesh is None:
        return None
    if isinstance(mesh, str) and mesh == "all":
        return Mesh(np.array(jax.devices()), (axis_name,))
    if not isinstance(mesh, Mesh) or len(mesh.axis_names) != 1:
        raise ValueError(
            f"Argument `{name}` must be None, \"all\" or a 1-D jax.sharding.Mesh, got {mesh!r}."
        )
    return mesh


def coordinate_chunk(max_batch: Any, *, num_coords: int, bytes_per_coord: float, name: str = "max_batch") -> int:
    """Coordinates per streamed chunk: ``max_batch`` when given (int >= 1), else as many as fit
    in a quarter of the device's available memory at ``bytes_per_coord`` working bytes each
    (at least 1, at most ``num_coords``)."""
    if max_batch is not None:
        return min(check_int(name, max_batch, minimum=1), max(1, num_coords))
    if num_coords * bytes_per_coord <= SMALL_REQUEST_BYTES:
        return max(1, num_coords)  # fits anywhere: one chunk, without asking the device
    avail = available_memory_bytes()
    budget = (avail if avail is not None else 2**31) // 4
    fit = budget // max(1, int(bytes_per_coord))
    if fit >= num_coords:
        return max(1, num_coords)
    # A power of two, so that free memory drifting between calls does not change the static chunk
    # (and recompile); at least 1.
    return 1 << max(0, int(fit).bit_length() - 1)


def coordinate_layout(max_batch: Any, mesh: Any, *, num_coords: int, bytes_per_coord: float) -> tuple[int, Any]:
    """(coordinates per streamed chunk on each device, validated mesh) for ``num_coords``
    independent coordinates: :func:`check_mesh`, then :func:`coordinate_chunk` of each device's share."""
    mesh = check_mesh("mesh", mesh)
    per_dev = -(-num_coords // (mesh.devices.size if mesh is not None else 1))
    return coordinate_chunk(max_batch, num_coords=per_dev, bytes_per_coord=bytes_per_coord), mesh
