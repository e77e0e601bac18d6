"""Public noise models: local single-qubit channels and readout errors (SPEC C8, A17).

A :class:`NoiseModel` is a pytree holding an ordered tuple of :class:`Channel` entries. Each entry
acts independently on every node, with a parameter that is a scalar (the same on every node) or
a per-node array of shape (N,). Quantum channels act ``when="before"`` or ``"after"`` the phase
encoding R(phi_j); a readout error flips the *reported* outcome bit with probability r (a
classical bit flip, applied after the measurement). Models compose in order with :func:`compose`:
``compose(a, b)`` applies a's channels first, then b's (within the before- and after-groups).

Parameters are ordinary JAX leaves, so every readout and Fisher-information function is
differentiable with respect to them (``jax.grad`` through ``dephasing(p)`` with traced p works;
value checks are skipped for tracers, as everywhere in jaxqring).

Conventions (SPEC A17): dephasing p = probability of Z (eta = 1 - 2p); depolarising p gives
(1 - p) rho + p I/2 (Pauli probabilities (1 - 3p/4, p/4, p/4, p/4)); amplitude damping moves
|1> to |0> with probability gamma; bit flip applies X with probability p.

Example:
    >>> import jaxqring as jq
    >>> noise = jq.compose(jq.dephasing(0.01), jq.readout_error(0.02))
    >>> float(jq.ghz_visibility(noise, 10))  # 0.98**10 * 0.96**10 = 0.54321...
    0.5432...
"""

from __future__ import annotations

import dataclasses
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike
from jax import Array

from . import kernels as K
from ._checks import SMALL_REQUEST_BYTES, check_choice, check_int, check_memory, is_traced
from .kernels.mpo import channels as nz

WHEN = ("before", "after")
_MEASURE = "measure"


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class Channel:
    """One local channel applied independently on every node.

    Attributes:
        param: real array, shape () (all nodes) or (N,) (per node): p or gamma in [0, 1]. The
            builders store a read-only numpy copy (a tracer when built under a trace).
        kind: static; "dephasing", "depolarizing", "amplitude_damping", "bit_flip" or "readout".
        when: static; "before" or "after" the phase encoding ("measure" for readout errors).
    """

    param: ArrayLike
    kind: str = dataclasses.field(metadata=dict(static=True))
    when: str = dataclasses.field(metadata=dict(static=True))


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class NoiseModel:
    """An ordered composition of local channels and readout errors (a pytree).

    Build with :func:`dephasing`, :func:`depolarizing`, :func:`amplitude_damping`,
    :func:`bit_flip`, :func:`readout_error` and :func:`compose`.

    Attributes:
        channels: tuple of :class:`Channel`, in the order they act.
    """

    channels: tuple[Channel, ...] = ()

    @property
    def num_nodes(self) -> int | None:
        """The per-node parameter length N, or None if every parameter is a scalar."""
        lengths = {int(np.shape(c.param)[0]) for c in self.channels if np.ndim(c.param) == 1}
        return lengths.pop() if lengths else None

    @property
    def is_pauli(self) -> bool:
        """True if every quantum channel is a Pauli channel (the trajectory sampler applies)."""
        return all(c.kind in nz.PAULI_KINDS or c.kind == nz.READOUT for c in self.channels)

    @property
    def is_phase_covariant(self) -> bool:
        """True if every quantum channel commutes with R(phi) and keeps GHZ's coherence block."""
        return all(c.kind in nz.COVARIANT_KINDS or c.kind == nz.READOUT for c in self.channels)


def _check_param(name: str, value) -> Array:
    """A probability (scalar or per-node (N,) array) in [0, 1], finite and real."""
    if type(value) is float or type(value) is int:  # the common scalar, checked without numpy
        if not 0 <= value <= 1:  # False for NaN too
            if not math.isfinite(value):
                raise ValueError(f"Argument `{name}` must be finite, got {value!r}.")
            raise ValueError(f"Argument `{name}` must be a probability in [0, 1], got values in [{value}, {value}].")
        out = np.array(value, dtype=K.default_real_dtype())
        out.setflags(write=False)
        return out
    if is_traced(value):
        arr = jnp.asarray(value)
        if arr.ndim > 1:
            raise ValueError(
                f"Argument `{name}` must be a scalar or a per-node array of shape (N,), "
                f"got shape {arr.shape}."
            )
        return arr
    try:
        arr = np.asarray(value)
    except Exception:  # pragma: no cover - exotic objects
        raise ValueError(f"Argument `{name}` must be a real number or array, got {value!r}.") from None
    if arr.dtype.kind == "c":
        raise ValueError(f"Argument `{name}` must be real (a probability), got a complex value.")
    if arr.dtype.kind not in "fiub":
        raise ValueError(f"Argument `{name}` must be a real number or array, got {value!r}.")
    if arr.ndim > 1:
        raise ValueError(
            f"Argument `{name}` must be a scalar or a per-node array of shape (N,), got shape {arr.shape}."
        )
    if arr.ndim == 1 and arr.shape[0] == 0:
        raise ValueError(f"Argument `{name}` must not be an empty array.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"Argument `{name}` must be finite, got {value!r}.")
    if np.any(arr < 0) or np.any(arr > 1):
        raise ValueError(
            f"Argument `{name}` must be a probability in [0, 1], got values in "
            f"[{arr.min()}, {arr.max()}]."
        )
    # A read-only host copy in the default float dtype: building a model is then pure numpy
    # (a device transfer per builder would cost more than a small noisy sweep); the first jitted
    # consumer moves it to the device with its other arguments.
    out = np.array(arr, dtype=K.default_real_dtype(), copy=True)
    out.setflags(write=False)
    return out


def _single(kind: str, name: str, value, when: str) -> NoiseModel:
    when = check_choice("when", when, WHEN)
    return NoiseModel((Channel(_check_param(name, value), kind, when),))


def dephasing(p: ArrayLike, *, when: str = "after") -> NoiseModel:
    """Local dephasing rho -> (1 - p) rho + p Z rho Z on every node (eta = 1 - 2p, SPEC C8).

    Args:
        p: probability of a Z error, scalar or per-node (N,), in [0, 1].
        when: "before" or "after" the phase encoding (the same for dephasing: it commutes with
            R(phi)).
    Returns:
        ``NoiseModel``. GHZ visibility V = prod_j (1 - 2 p_j).
    """
    return _single(nz.DEPHASING, "p", p, when)


def depolarizing(p: ArrayLike, *, when: str = "after") -> NoiseModel:
    """Local depolarising rho -> (1 - p) rho + p Tr(rho) I/2 (SPEC C8); V = prod_j (1 - p_j).

    Args:
        p: scalar or per-node (N,) in [0, 1]. when: "before" or "after".
    """
    return _single(nz.DEPOLARIZING, "p", p, when)


def amplitude_damping(gamma: ArrayLike, *, when: str = "after") -> NoiseModel:
    """Local amplitude damping |1> -> |0> with probability gamma (SPEC C8); V = prod sqrt(1 - g_j).

    Args:
        gamma: scalar or per-node (N,) in [0, 1]. when: "before" or "after".
    """
    return _single(nz.AMPLITUDE_DAMPING, "gamma", gamma, when)


def bit_flip(p: ArrayLike, *, when: str = "after") -> NoiseModel:
    """Local bit flip rho -> (1 - p) rho + p X rho X.

    Unlike the SPEC C8 channels it does not commute with R(phi) (R X = e^{i phi} X R(-phi)), so
    ``when`` matters and the GHZ parity law is not V cos(Phi): :func:`ghz_visibility` rejects it,
    and readouts always take the exact MPO path.

    Args:
        p: scalar or per-node (N,) in [0, 1]. when: "before" or "after".
    """
    return _single(nz.BIT_FLIP, "p", p, when)


def readout_error(p: ArrayLike) -> NoiseModel:
    """Classical readout error: each reported outcome bit is flipped with probability p.

    Args:
        p: scalar or per-node (N,) in [0, 1].
    Returns:
        ``NoiseModel``; it multiplies every parity expectation by prod_j (1 - 2 p_j).
    """
    return NoiseModel((Channel(_check_param("p", p), nz.READOUT, _MEASURE),))


def compose(*models: NoiseModel | None) -> NoiseModel:
    """Compose noise models in order: the channels of ``models[0]`` act first.

    ``None`` entries are skipped. Per-node parameter arrays must all have the same length N.

    Examples:
        >>> import jaxqring as jq
        >>> m = jq.compose(jq.amplitude_damping(0.1, when="before"), jq.dephasing([0.0, 0.1, 0.2]))
        >>> m.num_nodes
        3
    """
    channels: list[Channel] = []
    for i, m in enumerate(models):
        if m is None:
            continue
        if not isinstance(m, NoiseModel):
            raise ValueError(
                f"Argument `models[{i}]` must be a jaxqring NoiseModel or None, got {type(m).__name__}."
            )
        channels.extend(m.channels)
    out = NoiseModel(tuple(channels))
    lengths = sorted({int(np.shape(c.param)[0]) for c in channels if np.ndim(c.param) == 1})
    if len(lengths) > 1:
        raise ValueError(
            f"Argument `models` must have per-node parameters of one length N, got lengths {lengths}."
        )
    return out


def check_noise(noise, n: int) -> NoiseModel | None:
    """Validate a ``noise=`` argument against a probe of n nodes (None passes through)."""
    if noise is None:
        return None
    if not isinstance(noise, NoiseModel):
        raise ValueError(f"Argument `noise` must be a jaxqring NoiseModel or None, got {type(noise).__name__}.")
    for c in noise.channels:
        if np.ndim(c.param) > 1 or (np.ndim(c.param) == 1 and np.shape(c.param)[0] != n):
            raise ValueError(
                f"Argument `noise` has a per-node parameter of shape {tuple(np.shape(c.param))} for "
                f"{c.kind}, but the probe has N = {n} nodes."
            )
    return noise


def check_phase_covariant(noise: NoiseModel | None, *, purpose: str, alternative: str = "") -> None:
    """Raise unless ``noise`` (a validated NoiseModel or None) holds only phase-covariant channels
    (dephasing, depolarizing, amplitude damping) and readout errors: the channels that keep GHZ's
    phase in its coherence block (SPEC C8), which closed forms such as the visibility V need.

    Args:
        purpose: what needs the property, for the message (e.g. "the closed-form GHZ law").
        alternative: what to use instead, appended to the message when given.
    """
    if noise is None or noise.is_phase_covariant:
        return
    bad = sorted({c.kind for c in noise.channels if c.kind not in nz.COVARIANT_KINDS + (nz.READOUT,)})
    hint = f"; {alternative}" if alternative else ""
    raise ValueError(
        "Argument `noise` must hold only phase-covariant channels (dephasing, depolarizing, "
        f"amplitude_damping) and readout errors for {purpose}, got {bad}{hint}."
    )


def _per_node(param, n: int, rt) -> Array:
    return jnp.broadcast_to(jnp.asarray(param).astype(rt), (n,))


# Peak complex words per node of a noisy sweep: before/after superoperators (N, 4, 4) and their
# products and temporaries while composing channels, the Pauli tables, the weights and the
# per-site operators of the transfer sweep (measured peaks stay below this).
NOISE_WORDS_PER_NODE = 96


def check_noise_memory(name: str, n: int, dtype) -> None:
    """Raise a ValueError naming ``name`` if the per-node noise of N nodes cannot fit in memory."""
    nbytes = NOISE_WORDS_PER_NODE * int(n) * np.dtype(dtype).itemsize
    if nbytes <= SMALL_REQUEST_BYTES:
        return  # fits on any device: skip composing the message (small calls are latency-bound)
    dt = np.dtype(dtype)
    check_memory(
        name, nbytes,
        what=f"the per-node noise superoperators and density-MPO sweep of N = {int(n)} nodes ({dt})",
        fix="reduce N (the noisy GHZ QFI and parities are exact up to N ~ 10^7 on one device; "
        "under dephasing the QFI peaks at N* = 1/ln(1/(1-2p)), see jaxqring.ghz_optimal_size)",
    )


def prepare_noise(noise: NoiseModel | None, n: int, dtype) -> nz.LocalNoise:
    """Broadcast a noise model to the kernels' per-node form (``kernels.LocalNoise``).

    Args:
        noise: ``NoiseModel`` or None (no noise).
        n: number of nodes N.
        dtype: complex dtype of the probe (superoperators use it; probabilities its real dtype).
    Returns:
        ``LocalNoise`` with before/after superoperators (N, 4, 4), readout flips (N,) and, for
        Pauli models, the Pauli probabilities (N, 4) (None otherwise).
    """
    noise = check_noise(noise, n)
    dtype = jnp.dtype(dtype)
    check_noise_memory("n", n, dtype)
    return local_noise(noise, int(n), dtype)


def local_noise(noise: NoiseModel | None, n: int, dtype) -> nz.LocalNoise:
    """:func:`prepare_noise` without the checks, for use inside a jitted function whose caller
    validated ``noise`` (:func:`check_noise`, :func:`check_noise_memory`): fusing the build into
    the consumer's program saves a dispatch per call.

    Args:
        noise: validated ``NoiseModel`` or None; n: static number of nodes; dtype: static complex dtype.
    """
    dtype = jnp.dtype(dtype)
    if noise is None:
        return nz.identity_noise(n, dtype)
    structure = tuple((c.kind, c.when) for c in noise.channels)
    return _local_noise(tuple(c.param for c in noise.channels), structure=structure, n=int(n), dtype=dtype)


@functools.partial(jax.jit, static_argnames=("structure", "n", "dtype"))
def _local_noise(params, *, structure, n, dtype) -> nz.LocalNoise:
    """The per-node superoperators of validated channels ``structure`` = ((kind, when), ...) with
    parameters ``params``. Jitted: built eagerly, the few dozen small ops cost ~10 ms per call;
    compiled once per structure and N, a call costs one dispatch (and inlines under an outer
    trace, so gradients with respect to the parameters flow as before)."""
    rt = K.real_dtype(dtype)
    base = nz.identity_noise(n, dtype)
    sops = {"before": base.before, "after": base.after}
    paulis = {"before": base.pauli_before, "after": base.pauli_after}
    readout = base.readout
    for (kind, when), param in zip(structure, params):
        p = _per_node(param, n, rt)
        if kind == nz.READOUT:
            readout = readout + p - 2 * readout * p
            continue
        sops[when] = nz.channel_superop(kind, p, dtype) @ sops[when]
        if paulis[when] is not None:
            paulis[when] = (
                nz.compose_pauli(paulis[when], nz.pauli_probabilities(kind, p))
                if kind in nz.PAULI_KINDS
                else None
            )
    return nz.LocalNoise(sops["before"], sops["after"], readout, paulis["before"], paulis["after"])


def ghz_visibility(noise: NoiseModel | None, n: int, *, include_readout: bool = True) -> Array:
    """GHZ visibility V = 2 |<0^N| rho |1^N>| under local phase-covariant noise (SPEC C8).

    V = prod_j c_j with c_j = 1 - 2p (dephasing), 1 - p (depolarising), sqrt(1 - gamma)
    (amplitude damping), multiplied over composed channels. With ``include_readout`` (default)
    the readout flips' factor prod_j (1 - 2 r_j) is included, so that for X/Y-basis readout of the
    GHZ probe P(parity odd) = (1 - V cos Phi_eff)/2 exactly ([3.8]); V can then be negative.

    Args:
        noise: ``NoiseModel`` of phase-covariant channels (plus readout errors) or None.
        n: number of nodes N >= 1.
        include_readout: whether to fold in the readout-error factor.
    Returns:
        Real scalar (float64 under x64), differentiable in the noise parameters.
    Raises:
        ValueError: for bit flips (not phase covariant: the parity law is not V cos Phi).
    """
    n = check_int("n", n, minimum=1)
    noise = check_noise(noise, n)
    check_phase_covariant(noise, purpose="a GHZ visibility")
    local = prepare_noise(noise, n, K.default_complex_dtype())
    if not include_readout:
        local = local._replace(readout=jnp.zeros_like(local.readout))
    return jnp.prod(K.ghz_visibility_factors(local))
