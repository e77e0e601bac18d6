"""One entry point for the QFI of a (noisy) MPS probe: picks the exact path or a certified bound.

==========  ==================================================  ===========  =================
method      when (``method="auto"`` tries them in this order)   exact?       sizes
==========  ==================================================  ===========  =================
"pure"      no quantum channel in ``noise``                     exact        N up to 10^5
"ghz"       probe built by ``jq.ghz``, phase-covariant noise    exact        N up to 10^5
"dense"     N <= 10                                             exact        N <= 12
"sld"       otherwise: SLD-MPO lower bound (``sld_qfi``)         lower bound  N ~ 10^3 - 10^4
==========  ==================================================  ===========  =================
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax.numpy as jnp
import numpy as np

from .. import kernels as K
from .._checks import check_choice
from .._noise import NoiseModel, check_noise, prepare_noise
from .._probes import MPS, check_mps
from ..kernels.mpo import channels as nz
from ._bounds import certified_upper
from ._fisher import check_weights, generator_scale, qfi_mixed, qfi_pure
from ._sld import sld_qfi

METHODS = ("auto", "pure", "ghz", "dense", "sld")
DENSE_AUTO_MAX = 10


class QFIValue(NamedTuple):
    """A QFI value with its provenance.

    Fields:
        value: float F (0.0 if it underflows float64; see ``log_value``).
        log_value: float ln F (finite where ``value`` underflows; -inf if F = 0).
        method: "pure", "ghz", "dense" or "sld".
        exact: bool; False means ``value`` is a certified lower bound (the SLD-MPO path).
        bond: int or None, D_L of the SLD-MPO path.
        upper: float, the channel-extension upper bound for this noise and these weights
            (valid for every probe; nan when ``with_upper=False``). With ``value`` it gives
            the certified interval [value, upper] (for exact methods F itself is exact and
            ``upper`` shows how far the probe is from the best possible).
    """

    value: float
    log_value: float
    method: str
    exact: bool
    bond: int | None
    upper: float = math.nan


def _has_quantum(noise: NoiseModel | None) -> bool:
    return noise is not None and any(c.kind != nz.READOUT for c in noise.channels)


def _ghz_log_qfi(n: int, local, w) -> float:
    """ln F of the standard GHZ probe under phase-covariant noise, in log space (no underflow)."""
    cdt = local.before.dtype
    e = jnp.eye(2, dtype=cdt)
    p0 = jnp.broadcast_to(jnp.outer(e[0], e[0]), (n, 2, 2))
    p1 = jnp.broadcast_to(jnp.outer(e[1], e[1]), (n, 2, 2))
    coh = jnp.broadcast_to(jnp.outer(e[1], e[0]), (n, 2, 2))  # Tr(rho |1><0|) = <0|rho|1>
    mps = K.ghz(n, dtype=cdt)
    zeros = jnp.zeros((n,), K.real_dtype(cdt))
    logs = []
    for ops, absval in ((p0, False), (p1, False), (coh, True)):
        m, ls = K.noisy_log_trace(mps, local, zeros, ops)
        logs.append(float(jnp.log(jnp.abs(m)) + ls))
    la, ld, lc = logs
    wsum = float(jnp.sum(w))
    if wsum == 0:
        return -math.inf
    return 2 * math.log(abs(wsum)) + 2 * lc + math.log(4.0) - float(np.logaddexp(la, ld))


def qfi(
    probe: MPS,
    *,
    noise: NoiseModel | None = None,
    weights=None,
    method: str = "auto",
    bond: int = 8,
    tol: float = 1e-10,
    max_sweeps: int = 30,
    generator=None,
    with_upper: bool = True,
) -> QFIValue:
    """QFI of a phase-encoded probe (generator sum_j w_j Z_j / 2) under local noise, one call.

    ``method="auto"`` picks the exact pure-state sweep (no quantum noise), the exact GHZ MPO
    path (a probe built by ``jq.ghz`` under phase-covariant noise), the dense SLD oracle
    (N <= 10), or else the SLD-MPO certified lower bound of bond ``bond``. The result says
    which, and whether the value is exact. ``log_value`` stays finite where F underflows
    (GHZ at N = 10^4 under dephasing).

    Args:
        probe: ``MPS`` (N, chi, 2, chi).
        noise: optional ``NoiseModel``.
        weights: (N,) real (default ones).
        method: "auto", "pure", "ghz", "dense" or "sld".
        bond, tol, max_sweeps: SLD-MPO settings (see :func:`jaxqring.metrology.sld_qfi`).
        generator: optional single-node generator h, (2, 2) Hermitian and diagonal (default
            Z/2); diag(h0, h1) scales the weights by h0 - h1. Off-diagonal h: ValueError.
        with_upper: also compute the channel-extension bound (``upper``; closed form for
            dephasing and noiseless probes, a small convex minimisation otherwise).
    Returns:
        ``QFIValue``.

    Examples:
        >>> import jaxqring as jq
        >>> r = jq.metrology.qfi(jq.ghz(20), noise=jq.dephasing(0.01))
        >>> r.method, r.exact, round(r.value, 2)  # 400 * 0.98^40
        ('ghz', True, 178.28)
    """
    probe = check_mps(probe)
    n = probe.num_sites
    noise = check_noise(noise, n)
    method = check_choice("method", method, METHODS)
    rt = K.real_dtype(K.default_complex_dtype())
    w = check_weights(weights, n, rt) * generator_scale(generator)
    quantum = _has_quantum(noise)
    result = _qfi_value(probe, noise, w, method, quantum, bond, tol, max_sweeps)
    if not with_upper:
        return result
    return result._replace(upper=certified_upper(noise, n, np.asarray(w, float)))


def _qfi_value(probe, noise, w, method, quantum, bond, tol, max_sweeps) -> QFIValue:
    n = probe.num_sites
    if method == "auto":
        if not quantum:
            method = "pure"
        elif probe.kind == K.KIND_GHZ and noise.is_phase_covariant:
            method = "ghz"
        elif n <= DENSE_AUTO_MAX:
            method = "dense"
        else:
            method = "sld"
    if method == "pure":
        if quantum:
            raise ValueError("Argument `method` 'pure' needs a noiseless probe (no quantum channel in `noise`).")
        f = float(qfi_pure(probe, w))
        return QFIValue(f, math.log(f) if f > 0 else -math.inf, "pure", True, None)
    if method == "ghz":
        if probe.kind != K.KIND_GHZ:
            raise ValueError("Argument `method` 'ghz' needs a probe built by jq.ghz (kind 'ghz').")
        if noise is not None and not noise.is_phase_covariant:
            raise ValueError(
                "Argument `noise` must be phase covariant (dephasing, depolarizing, amplitude_damping) "
                "for method 'ghz'."
            )
        local = prepare_noise(noise, n, K.default_complex_dtype())
        logf = _ghz_log_qfi(n, local, w)
        return QFIValue(math.exp(logf) if logf > -700 else 0.0, logf, "ghz", True, None)
    if method == "dense":
        f = float(qfi_mixed(probe, weights=w, noise=noise))
        return QFIValue(f, math.log(f) if f > 0 else -math.inf, "dense", True, None)
    res = sld_qfi(probe, noise=noise, weights=w, bond=bond, tol=tol, max_sweeps=max_sweeps)
    f = float(res.qfi)
    return QFIValue(f, math.log(f) if f > 0 else -math.inf, "sld", False, res.bond)
