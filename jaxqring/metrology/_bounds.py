"""Channel-extension (CE) upper bounds on the QFI of N noisy nodes (any probe, any entanglement).

Family: node j applies its channel E_j and R(w_j theta) (SPEC §5). Write the node's Kraus
operators K_k(theta) = A_a R(phi_j) B_b (after-channel A, before-channel B) and
K'_k = dK_k/dtheta. Every Kraus representation K -> K, K' -> K' - i h K with h Hermitian
(d x d, d = number of Kraus operators) gives (Fujiwara-Imai 2008; Demkowicz-Dobrzanski,
Kolodynski, Guta, Nat. Commun. 3, 1063 (2012), "DKG")::

    alpha_j(h) = sum_k K~'_k^dag K~'_k,   beta_j(h) = i sum_k K~'_k^dag K_k,
    F_Q(N nodes, any input, any ancilla) <= 4 [ sum_j ||alpha_j|| + (sum_j ||beta_j||)^2
                                                - sum_j ||beta_j||^2 ],

(the N-fold product Kraus representation has alpha_N = sum_j alpha_j + sum_{j != k} beta_j
beta_k). For N identical nodes this is 4 [N ||alpha|| + N (N - 1) ||beta||^2]; as N -> oo,
F/N <= 4 min_{h: beta(h) = 0} ||alpha(h)|| (the DKG asymptotic bound; infinite when no h zeroes
beta, i.e. Heisenberg scaling is not excluded).

Any h gives a valid bound, so the numerical minimisation (SLSQP on the epigraph form, exact
2 x 2 eigenvalues) can only make it looser, never wrong. Closed forms, which the numerics
reproduce (tested):

* dephasing (eta = 1 - 2p, |w| = 1): F <= N^2 eta^2 / (N (1 - eta^2) + eta^2)  [DKG];
  F/N -> eta^2 / (1 - eta^2) (SPEC A18);
* depolarizing (eta = 1 - p): F/N -> 2 eta^2 / ((1 - eta) (1 + 2 eta));
* amplitude damping (eta = 1 - gamma): F/N -> eta / (1 - eta)
  (with generator Z/2; DKG's "spontaneous emission" row, in F = 1/(N Delta^2) form).

Readout errors act on classical outcomes and cannot lower the QFI: they are ignored.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .._checks import check_int
from .._noise import NoiseModel, check_noise
from ..kernels.mpo import channels as nz

_I2 = np.eye(2, dtype=complex)
_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_Z = np.diag([1.0, -1.0]).astype(complex)
MAX_GROUPS = 16  # distinct (channel, weight) node types handled jointly


class CEBound(NamedTuple):
    """A channel-extension bound and how it was obtained.

    Fields:
        value: float, the upper bound on F_Q for N nodes.
        per_node: float, value / N.
        asymptotic_per_node: float, the N -> oo limit of F/N (inf if not linear in N).
        method: "closed_form" or "numerical".
    """

    value: float
    per_node: float
    asymptotic_per_node: float
    method: str


class TooManyNodeTypes(ValueError):
    """More distinct (channel, weight) node types than the minimisation handles jointly."""


def _kraus(kind: str, p: float) -> list[np.ndarray]:
    if kind == nz.DEPHASING:
        return [math.sqrt(1 - p) * _I2, math.sqrt(p) * _Z]
    if kind == nz.DEPOLARIZING:
        return [math.sqrt(1 - 3 * p / 4) * _I2] + [math.sqrt(p / 4) * s for s in (_X, _Y, _Z)]
    if kind == nz.AMPLITUDE_DAMPING:
        return [np.diag([1.0, math.sqrt(1 - p)]).astype(complex),
                np.array([[0, math.sqrt(p)], [0, 0]], dtype=complex)]
    if kind == nz.BIT_FLIP:
        return [math.sqrt(1 - p) * _I2, math.sqrt(p) * _X]
    raise ValueError(f"Argument `noise` holds an unsupported channel kind {kind!r}.")


def _compose(first: list[np.ndarray], second: list[np.ndarray]) -> list[np.ndarray]:
    out = [b @ a for a in first for b in second]
    return [k for k in out if np.max(np.abs(k)) > 0]


def node_kraus(noise: NoiseModel | None, n: int, phases=None, weights=None):
    """Per-node Kraus operators and their theta-derivatives at theta = 0.

    Returns:
        list of N pairs ``(K, dK)``, each a complex array (d_j, 2, 2).
    """
    noise = check_noise(noise, n)
    ph = np.zeros(n) if phases is None else np.asarray(phases, float)
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    out = []
    for j in range(n):
        before, after = [_I2], [_I2]
        for c in noise.channels if noise is not None else ():
            if c.kind == nz.READOUT:
                continue
            p = float(np.broadcast_to(np.asarray(c.param, float), (n,))[j])
            if c.when == "before":
                before = _compose(before, _kraus(c.kind, p))
            else:
                after = _compose(after, _kraus(c.kind, p))
        r = np.diag([1.0, np.exp(1j * ph[j])])
        dr = np.diag([0.0, 1j * np.exp(1j * ph[j])]) * w[j]
        ks = np.array([a @ r @ b for b in before for a in after])
        dks = np.array([a @ dr @ b for b in before for a in after])
        out.append((ks, dks))
    return out


def _herm_from(params: np.ndarray, d: int) -> np.ndarray:
    h = np.zeros((d, d), complex)
    h[np.diag_indices(d)] = params[:d]
    iu = np.triu_indices(d, 1)
    m = len(iu[0])
    h[iu] = params[d : d + m] + 1j * params[d + m : d + 2 * m]
    return h + np.triu(h, 1).conj().T


def _alpha_beta(ks, dks, h):
    kt = dks - 1j * np.einsum("kl,lab->kab", h, ks)
    alpha = np.einsum("kba,kbc->ac", kt.conj(), kt)
    beta = 1j * np.einsum("kba,kbc->ac", kt.conj(), ks)
    return (alpha + alpha.conj().T) / 2, (beta + beta.conj().T) / 2


def _affine_beta_free(groups):
    """Per group: (x_p, null) with beta(x_p + null t) = 0 for all t, or None if infeasible."""
    out = []
    for ks, dks, _ in groups:
        d = ks.shape[0]

        def bvec(x, ks=ks, dks=dks, d=d):
            _, b = _alpha_beta(ks, dks, _herm_from(x, d))
            return np.concatenate([np.real(np.diag(b)), [b[0, 1].real, b[0, 1].imag]])

        b0 = bvec(np.zeros(d * d))
        m = np.stack([bvec(e) - b0 for e in np.eye(d * d)], axis=1)  # beta is affine in x
        xp, *_ = np.linalg.lstsq(m, -b0, rcond=None)
        if np.max(np.abs(m @ xp + b0)) > 1e-10 * max(1.0, np.max(np.abs(b0))):
            return None
        _, sv, vt = np.linalg.svd(m)
        rank = int(np.sum(sv > 1e-12 * max(1.0, sv[0])))
        out.append((xp, vt[rank:].T))
    return out


def _ce_minimise(groups, asymptotic: bool) -> float:
    """4 min over per-group h of [sum m ||a|| + (sum m ||b||)^2 - sum m ||b||^2].

    With ``asymptotic``: 4 min sum m ||a|| over h with beta(h) = 0 (an affine subspace of h,
    solved exactly), or inf if no h zeroes beta.

    For one node type the objective N ||alpha(h)|| + N (N - 1) ||beta(h)||^2 is convex in h
    (alpha = Kt^dag Kt and beta are affine images of h), but not smooth: the optimum sits where
    eigenvalues meet. So the spectral norms are replaced by the log-sum-exp soft maximum at
    temperature tau (smooth, convex, within tau ln 4 of the norm) and L-BFGS-B is run with tau
    shrinking from 1e-1 to 1e-8, each stage warm-started from the last. Any h gives a valid
    bound, so the value returned is the exact objective at the best h seen (h = 0 included).
    Against qmetro's SDP (``benchmarks/bench_metrology.py``) this agrees to ~1e-5 relative.
    """
    from scipy import optimize

    dims = [g[0].shape[0] for g in groups]
    mult = np.array([g[2] for g in groups], float)
    if asymptotic:
        aff = _affine_beta_free(groups)
        if aff is None:
            return math.inf
        sizes = [a[1].shape[1] for a in aff]
    else:
        sizes = [d * d for d in dims]
    offs = np.cumsum([0] + sizes)

    def norms(z, tau):
        na, nb = [], []
        for i, g in enumerate(groups):
            t = z[offs[i] : offs[i + 1]]
            x = aff[i][0] + aff[i][1] @ t if asymptotic else t
            a, b = _alpha_beta(g[0], g[1], _herm_from(x, dims[i]))
            la = np.linalg.eigvalsh(a)
            lb = np.linalg.eigvalsh(b)
            lb = np.concatenate([lb, -lb])  # ||b|| = max |eigenvalue|
            if tau == 0:
                na.append(la.max())
                nb.append(lb.max())
            else:
                na.append(tau * np.logaddexp.reduce(la / tau))
                nb.append(tau * np.logaddexp.reduce(lb / tau))
        return np.array(na), np.array(nb)

    def objective(z, tau=0.0):
        na, nb = norms(z, tau)
        if asymptotic:
            return float(np.sum(mult * na))
        return float(np.sum(mult * na) + np.sum(mult * nb) ** 2 - np.sum(mult * nb**2))

    z = np.zeros(int(offs[-1]))
    best = objective(z)
    if z.size:
        for tau in 10.0 ** -np.arange(1, 9):
            z = optimize.minimize(objective, z, args=(tau,), method="L-BFGS-B", options={"maxiter": 500}).x
            best = min(best, objective(z))
    return 4 * best


def _groups(noise, n, weights):
    kr = node_kraus(noise, n, None, weights)
    groups: list[list] = []
    for ks, dks in kr:
        for g in groups:
            if g[0].shape == ks.shape and np.allclose(g[0], ks) and np.allclose(g[1], dks):
                g[2] += 1
                break
        else:
            groups.append([ks, dks, 1])
    if len(groups) > MAX_GROUPS:
        raise TooManyNodeTypes(
            f"Argument `noise`/`weights` define {len(groups)} distinct node types; the channel-"
            f"extension minimisation supports at most {MAX_GROUPS}."
        )
    return groups


def _single_kind(noise, n, weights):
    """(kind, eta, |w|) if the model is one scalar channel with uniform |w|, else None."""
    quantum = [c for c in noise.channels if c.kind != nz.READOUT]
    if len(quantum) != 1 or np.ndim(quantum[0].param) != 0:
        return None
    w = np.ones(n) if weights is None else np.abs(np.asarray(weights, float))
    if not np.allclose(w, w[0]):
        return None
    c = quantum[0]
    p = float(c.param)
    eta = {nz.DEPHASING: 1 - 2 * p, nz.DEPOLARIZING: 1 - p, nz.AMPLITUDE_DAMPING: 1 - p}.get(c.kind)
    return None if eta is None else (c.kind, eta, float(w[0]))


def _asymptotic_closed_form(kind: str, eta: float) -> float:
    """DKG 2012 asymptotic CE limits of F/N for unit weights (generator Z/2)."""
    if eta >= 1:
        return math.inf
    if kind == nz.DEPHASING:
        return eta**2 / (1 - eta**2)
    if kind == nz.DEPOLARIZING:
        return 2 * eta**2 / ((1 - eta) * (1 + 2 * eta))
    return 4 * eta / (1 - eta)  # amplitude damping


def channel_extension_bound(noise: NoiseModel | None, n: int, *, weights=None) -> CEBound:
    """Channel-extension upper bound on the QFI of N nodes under local noise (DKG 2012).

    Valid for every probe (entangled with any ancilla) of the family of SPEC §5. Closed form
    for uniform dephasing, N^2 eta^2 w^2 / (N (1 - eta^2) + eta^2); otherwise the Kraus-
    representation minimisation above (per-node parameters and weights are grouped into
    distinct node types).

    Args:
        noise: ``NoiseModel`` (dephasing, depolarizing, amplitude damping, bit flip; readout
            errors are ignored) or None (then the bound is the Heisenberg value (sum |w|)^2).
        n: number of nodes N >= 1.
        weights: optional (N,) real weights (default ones).
    Returns:
        ``CEBound`` (value, per_node, asymptotic_per_node, method).

    Examples:
        >>> import jaxqring as jq
        >>> b = jq.metrology.channel_extension_bound(jq.dephasing(0.05), 100)
        >>> round(b.value, 3), round(b.asymptotic_per_node, 4)
        (408.884, 4.2632)
    """
    n = check_int("n", n, minimum=1)
    noise = check_noise(noise, n)
    if weights is not None:
        w = np.asarray(weights, float)
        if w.shape != (n,) or not np.all(np.isfinite(w)):
            raise ValueError(f"Argument `weights` must be a finite real array of shape ({n},), got {w.shape}.")
    if noise is None or not [c for c in noise.channels if c.kind != nz.READOUT]:
        w1 = float(n if weights is None else np.sum(np.abs(weights)))
        return CEBound(w1**2, w1**2 / n, math.inf, "closed_form")
    single = _single_kind(noise, n, weights)
    if single is not None:
        kind, eta, w = single
        asym = w * w * _asymptotic_closed_form(kind, eta)
        if kind == nz.DEPHASING or eta >= 1:
            val = w * w * n * n if eta * eta >= 1 else w * w * n * n * eta**2 / (n * (1 - eta**2) + eta**2)
            return CEBound(float(val), float(val) / n, float(asym), "closed_form")
        # finite N: the minimisation, or N times the asymptotic h (beta = 0), whichever is lower
        val = min(_ce_minimise(_groups(noise, n, weights), asymptotic=False), n * asym)
        return CEBound(float(val), float(val) / n, float(asym), "numerical")
    groups = _groups(noise, n, weights)
    asym = _ce_minimise(groups, asymptotic=True) / n
    val = min(_ce_minimise(groups, asymptotic=False), n * asym)
    return CEBound(float(val), float(val) / n, float(asym), "numerical")


def certified_upper(noise: NoiseModel | None, n: int, weights) -> float:
    """The channel-extension bound's value, or the Heisenberg value (sum |w|)^2 where the
    model has more node types than the minimisation handles (still a valid upper bound for
    parameter-independent noise, by convexity of the QFI, only looser).

    Args:
        noise: validated ``NoiseModel`` or None; n: N; weights: (N,) host floats.
    """
    w = np.asarray(weights, float)
    try:
        return channel_extension_bound(noise, n, weights=w).value
    except TooManyNodeTypes:
        return float(np.sum(np.abs(w)) ** 2)


def asymptotic_bound(noise: NoiseModel | None) -> float:
    """lim F/N <= 4 min_{h: beta = 0} ||alpha|| for identical nodes with unit weights (DKG 2012).

    ``noise`` must have scalar parameters. Returns inf when Heisenberg scaling is not excluded.
    """
    if noise is not None:
        for c in noise.channels:
            if np.ndim(c.param) != 0:
                raise ValueError("Argument `noise` must have scalar (not per-node) parameters here.")
    return channel_extension_bound(noise, 1).asymptotic_per_node
