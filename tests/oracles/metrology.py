"""Dense numpy oracles for the SLD-MPO metrology tests (never imports jaxqring).

QFI of rho(theta) = channels o R(phases + theta w) applied to |psi><psi| (SPEC §5, [5.2]):
F = 2 sum_{a,b: l_a + l_b > 1e-12} |<a| rho' |b>|^2 / (l_a + l_b), with rho' from a fourth-order
central difference in theta (error O(h^4) ~ 1e-12 at h = 1e-3).
"""

import numpy as np

from .dense import dense_noisy_rho


def sld_qfi_dense(psi, theta, weights, spec, phases=None, h=1e-3):
    n = len(weights)
    ph0 = np.zeros(n) if phases is None else np.asarray(phases, float)
    w = np.asarray(weights, float)

    def rho(t):
        return dense_noisy_rho(psi, ph0 + t * w, spec)

    r = rho(theta)
    dr = (-rho(theta + 2 * h) + 8 * rho(theta + h) - 8 * rho(theta - h) + rho(theta - 2 * h)) / (12 * h)
    lam, v = np.linalg.eigh(r)
    d = v.conj().T @ dr @ v
    s = lam[:, None] + lam[None, :]
    keep = s > 1e-12
    return float(np.sum(np.where(keep, 2 * np.abs(d) ** 2 / np.where(keep, s, 1), 0)))


def mps_to_dense(tensors, left, right):
    """Normalised state vector (2^N,), qubit 0 most significant (SPEC C2)."""
    vec = np.asarray(left)[None, :]
    for a in np.asarray(tensors):
        vec = np.einsum("ia,asb->isb", vec, a).reshape(-1, a.shape[-1])
    vec = vec @ np.asarray(right)
    return vec / np.linalg.norm(vec)


def dephasing_ce_bound(n, eta):
    """DKG 2012 channel-extension bound for dephasing: N^2 eta^2 / (N (1 - eta^2) + eta^2)."""
    return n * n * eta**2 / (n * (1 - eta**2) + eta**2)
