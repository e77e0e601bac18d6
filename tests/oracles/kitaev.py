"""Numpy/scipy references for iterative (Kitaev) phase estimation (SPEC §4, C8, C9).

Independent of jaxqring: the majority tail is an exact binomial sum evaluated in log space with
``math.lgamma`` and ``math.fsum`` (cross-checked against scipy in the tests), the round laws come
from dense density matrices (``oracles.dense``), the off-grid law is the Fejer kernel [4.2].
"""

import math

import numpy as np
from scipy import stats

from . import dense as O


def majority_tail(shots, q):
    """Tail(M, q) = P(Binomial(M, q) >= (M + 1)/2) for odd M, as an exact sum of binomial terms."""
    if q <= 0.0:
        return 0.0
    if q >= 1.0:
        return 1.0
    lq, l1q = math.log(q), math.log1p(-q)
    lg = math.lgamma(shots + 1)
    terms = [
        math.exp(lg - math.lgamma(k + 1) - math.lgamma(shots - k + 1) + k * lq + (shots - k) * l1q)
        for k in range((shots + 1) // 2, shots + 1)
    ]
    return math.fsum(terms)


def failure_probability(shots, bits, visibility):
    """1 - (1 - Tail(M, (1 - V)/2))**b: b rounds with feedback, each failing independently [4.3]."""
    eps = majority_tail(shots, (1 - visibility) / 2)
    return -math.expm1(bits * math.log1p(-eps)) if eps < 1 else 1.0


def max_nodes_dephasing(target, p, *, bits, shots, n_limit=10**6):
    """Largest N with failure_probability(M, b, (1 - 2p)**N) <= target (0 if even N = 1 fails).

    The failure grows with N (the visibility falls), so a linear scan stops at the first miss.
    """
    n = 0
    while n < n_limit and failure_probability(shots, bits, (1 - 2 * p) ** (n + 1)) <= target:
        n += 1
    return n


def smallest_odd_shots(delta, bits, visibility, m_limit=10**5):
    """Smallest odd M with b Tail(M, (1 - V)/2) <= delta (the union-bound shot rule [4.3])."""
    return next(m for m in range(1, m_limit, 2) if bits * majority_tail(m, (1 - visibility) / 2) <= delta)


def dense_round_p_plus(q, bits, bit_estimates, dephasing=0.0):
    """P(X-parity = +1) of every round of one coordinate by dense density matrices (SPEC §4).

    Round r: phi_j = 2 pi ((2**(b-1-r) q_j) mod 2**b) / 2**b, node 0 adds
    omega_r = -2 pi sum_{i<r} y_i 2**i / 2**(r+1) with the *estimated* bits y, then every qubit
    is dephased with probability p (Kraus sqrt(1-p) I, sqrt(p) Z).
    """
    n = len(q)
    out = []
    for r in range(bits):
        m = 2 ** (bits - 1 - r)
        phis = [2 * np.pi * ((int(qj) * m) % 2**bits) / 2**bits for qj in q]
        low = sum(int(y) << i for i, y in enumerate(bit_estimates[:r]))
        phis[0] += -2 * np.pi * low / 2 ** (r + 1)
        psi = O.encode(O.ghz(n), phis)
        rho = np.outer(psi, psi.conj())
        for j in range(n):
            z = O.kron_all([O.PAULI["z"] if k == j else np.eye(2) for k in range(n)])
            rho = (1 - dephasing) * rho + dephasing * z @ rho @ z
        x_all = O.kron_all([O.PAULI["x"]] * n)
        out.append((1 + np.real(np.trace(rho @ x_all))) / 2)
    return np.array(out)


def fejer(phi, t):
    """SPEC [4.2]: P(y) = |sum_k e^{i k (Phi - 2 pi y / 2**t)}|**2 / 4**t, y = 0..2**t-1."""
    y = np.arange(2**t)
    x = phi - 2 * np.pi * y / 2**t
    return np.abs(np.exp(1j * np.outer(x, np.arange(2**t))).sum(1)) ** 2 / 4**t


def nonfeedback_round_error(theta, omega, shots, v):
    """Exact P(y_r wrong) of the non-feedback rule y_r = [C cos w - S sin w < 0].

    C, S are +-1 means of M X-parity shots (P(+1) = (1 + V cos theta)/2) and M sine shots
    (P(+1) = (1 + V sin theta)/2); theta + omega = pi y_r; ties go to y_r = 0.
    """
    k = np.arange(shots + 1)
    pc = stats.binom.pmf(k, shots, (1 + v * np.cos(theta)) / 2)
    ps = stats.binom.pmf(k, shots, (1 + v * np.sin(theta)) / 2)
    stat = (2 * k[:, None] - shots) * np.cos(omega) - (2 * k[None, :] - shots) * np.sin(omega)
    y_true = int(round(np.cos(theta + omega)) < 0)
    decided = (stat < 0).astype(int)
    return float(np.sum(np.outer(pc, ps)[decided != y_true]))
