"""Independent numpy oracles for SPEC §8 (GapIP, JL) and §9 (TieAudit, birthday sampling).

Dense matrices, direct sums and exact enumeration only; never imports jaxqring.
"""

import itertools
import math

import numpy as np
from scipy import stats


def augment(g):
    """SPEC A11: (g, e_1)/sqrt2 padded to 2**ceil(log2 2P) entries."""
    p = len(g)
    n = math.ceil(math.log2(2 * p))
    u = np.zeros(2**n)
    u[:p] = np.asarray(g, float) / math.sqrt(2)
    u[p] = 1 / math.sqrt(2)
    return u


def grover_dense(u, v):
    """G = R_u R_v as a dense matrix."""
    d = len(u)
    r_u = np.eye(d) - 2 * np.outer(u, u)
    r_v = np.eye(d) - 2 * np.outer(v, v)
    return r_u @ r_v


def fejer_sum(x, t):
    """|sum_{k<2^t} e^{ikx}|^2 / 4^t by the direct sum."""
    k = np.arange(2**t)
    return np.abs(np.exp(1j * np.multiply.outer(np.asarray(x, float), k)).sum(-1)) ** 2 / 4.0**t


def qpe_law_formula(c_prime, t):
    """SPEC [8.4] from the direct Fejer sums."""
    a = math.acos(c_prime)
    grid = 2 * np.pi * np.arange(2**t) / 2**t
    return 0.5 * fejer_sum(2 * a - grid, t) + 0.5 * fejer_sum(-2 * a - grid, t)


def textbook_qpe(u, v, t):
    """Textbook QPE: t ancillas in |+>, controlled-G^k, inverse QFT; P(y) on |v> (dense)."""
    g = grover_dense(u, v)
    big_t = 2**t
    powers = [v.astype(complex)]
    for _ in range(big_t - 1):
        powers.append(g @ powers[-1])
    powers = np.array(powers)  # (T, D): G^k v
    k = np.arange(big_t)
    probs = []
    for y in range(big_t):
        amp = (np.exp(-2j * np.pi * k * y / big_t)[:, None] * powers).sum(0) / big_t
        probs.append(np.vdot(amp, amp).real)
    return np.array(probs)


def folded(y, t):
    phi = 2 * np.pi * np.asarray(y) / 2**t
    return 2 * np.cos(0.5 * np.minimum(phi, 2 * np.pi - phi)) - 1


def gapip_rules(tau, delta):
    t = math.ceil(math.log2(2 * math.pi / tau)) + 1
    r = math.ceil(math.log(1 / delta) / (2 * (8 / math.pi**2 - 0.5) ** 2))
    return t, r + (1 - r % 2)


def jl_rule(tau, delta):
    return math.ceil(4 * math.log(4 / delta) / (tau**2 * (1 - 2 * tau / 3)))


def rademacher_row_moments(x, y):
    """Mean and variance of (a.x)(a.y) over all 2^P sign rows a (exact enumeration)."""
    vals = []
    for signs in itertools.product([-1.0, 1.0], repeat=len(x)):
        a = np.array(signs)
        vals.append((a @ x) * (a @ y))
    vals = np.array(vals)
    return vals.mean(), vals.var()


def matching_basis(p, matching):
    """Rows: (|i>+|j>)/sqrt2, (|i>-|j>)/sqrt2 per pair, then |i> for the rest (2^n rows)."""
    n = math.ceil(math.log2(p))
    d = 2**n
    rows, labels = [], []
    used = set()
    for k, (i, j) in enumerate(matching):
        for sgn, lab in ((1, 0), (-1, 1)):
            r = np.zeros(d)
            r[i], r[j] = 1 / math.sqrt(2), sgn / math.sqrt(2)
            rows.append(r)
            labels.append((k, lab))
        used |= {i, j}
    for i in range(d):
        if i not in used:
            r = np.zeros(d)
            r[i] = 1
            rows.append(r)
            labels.append((None, 2))
    return np.array(rows), labels


def tieaudit_law(signs, matching):
    """P(k, +), P(k, -) (shape (L, 2)) and P(bot) by the dense matching-basis measurement."""
    p = len(signs)
    n = math.ceil(math.log2(p))
    psi = np.zeros(2**n)
    psi[:p] = np.where(np.asarray(signs) < 0, -1.0, 1.0) / math.sqrt(p)
    basis, labels = matching_basis(p, matching)
    probs = (basis @ psi) ** 2
    pair = np.zeros((len(matching), 2))
    bot = 0.0
    for pr, (k, lab) in zip(probs, labels):
        if k is None:
            bot += pr
        else:
            pair[k, lab] += pr
    return pair, bot


def binomial_failure(k, f, eps):
    """Exact P(|X/K - f| >= eps), X ~ Binomial(K, f)."""
    x = np.arange(k + 1)
    bad = np.abs(x / k - f) >= eps - 1e-12
    return float(stats.binom.pmf(x[bad], k, f).sum())


def covered_law_enumerated(p, m):
    """Law of the number of covered pairs of the matching (2k, 2k+1) over all m-subsets."""
    counts = np.zeros(m // 2 + 1)
    for s in itertools.combinations(range(p), m):
        ss = set(s)
        c = sum(1 for k in range(p // 2) if 2 * k in ss and 2 * k + 1 in ss)
        counts[c] += 1
    return counts / counts.sum()


def birthday_conditional_means(signs, m):
    """E[estimate | C = c] for c >= 1 by enumeration over all m-subsets (matching (2k, 2k+1))."""
    p = len(signs)
    bits = np.asarray(signs) < 0
    sums, counts = {}, {}
    for s in itertools.combinations(range(p), m):
        ss = set(s)
        cov = [k for k in range(p // 2) if 2 * k in ss and 2 * k + 1 in ss]
        if not cov:
            continue
        est = np.mean([bits[2 * k] != bits[2 * k + 1] for k in cov])
        sums[len(cov)] = sums.get(len(cov), 0.0) + est
        counts[len(cov)] = counts.get(len(cov), 0) + 1
    return {c: sums[c] / counts[c] for c in sums}
