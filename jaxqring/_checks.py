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


def check_finite(name: str, value: Any) -> None:
    """Raise if a concrete array contains NaN or inf (no-op under tracing)."""
    if is_traced(value):
        return
    arr = np.asarray(value)
    if arr.dtype.kind in "biu":
        return
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
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
