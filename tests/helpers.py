"""Shared tolerances and statistical helpers for the test suite.

Tolerances are kept in one table, keyed by dtype. Statistical tests use fixed seeds and a
stated false-failure rate ``ALPHA`` per assertion. Every statistical assertion goes through one
of the helpers below (``binomial_interval``, ``chi2_gof_pvalue``, ``accept_pvalue``), which
registers its false-failure rate in ``STATISTICAL_ASSERTIONS``; tests/conftest.py reports the
count and the family-wise false-failure rate of the session at the end of the run.
"""

import numpy as np
from scipy import stats

# (rtol, atol) per real/complex dtype.
TOL = {
    np.dtype(np.float32): (2e-4, 2e-5),
    np.dtype(np.complex64): (2e-4, 2e-5),
    np.dtype(np.float64): (1e-10, 1e-10),
    np.dtype(np.complex128): (1e-10, 1e-10),
}

# False-failure rate of each statistical assertion (with a correct implementation).
ALPHA = 1e-6

# One entry (the assertion's false-failure rate) per statistical assertion made in this session.
STATISTICAL_ASSERTIONS: list[float] = []


def register_statistical_assertion(alpha=ALPHA):
    """Count one statistical assertion with false-failure rate ``alpha`` (returns ``alpha``)."""
    STATISTICAL_ASSERTIONS.append(float(alpha))
    return alpha


def family_wise_rate(alphas=None):
    """(count, union bound sum(alpha), rate 1 - prod(1 - alpha) if the assertions were independent)."""
    alphas = np.asarray(STATISTICAL_ASSERTIONS if alphas is None else alphas, float)
    return len(alphas), float(alphas.sum()), float(-np.expm1(np.log1p(-alphas).sum()))


def accept_pvalue(pvalue, alpha=ALPHA):
    """True when a test's p-value does not reject at ``alpha`` (one registered assertion)."""
    return float(pvalue) > register_statistical_assertion(alpha)


def tol(dtype):
    return TOL[np.dtype(dtype)]


def assert_close(actual, expected, dtype):
    rtol, atol = tol(dtype)
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=rtol, atol=atol)


def chi2_gof_pvalue(counts, probs):
    """Pearson chi-square goodness-of-fit p-value of ``counts`` against ``probs``.

    Cells with zero expected probability must have zero counts (else p = 0). Cells are merged
    from the smallest upwards until every expected count is >= 5, so the chi-square law holds.
    Callers compare the p-value with ``ALPHA``: one registered statistical assertion per call.
    """
    register_statistical_assertion(ALPHA)
    counts = np.asarray(counts, float).ravel()
    probs = np.asarray(probs, float).ravel()
    n = counts.sum()
    zero = probs <= 1e-15
    if np.any(counts[zero] > 0):
        return 0.0
    counts, probs = counts[~zero], probs[~zero]
    order = np.argsort(probs)
    c, p = counts[order], probs[order]
    merged_c, merged_p, acc_c, acc_p = [], [], 0.0, 0.0
    for ci, pi in zip(c, p):
        acc_c += ci
        acc_p += pi
        if acc_p * n >= 5:
            merged_c.append(acc_c)
            merged_p.append(acc_p)
            acc_c = acc_p = 0.0
    if acc_p > 0:
        if merged_p:
            merged_c[-1] += acc_c
            merged_p[-1] += acc_p
        else:
            merged_c.append(acc_c)
            merged_p.append(acc_p)
    merged_c, merged_p = np.array(merged_c), np.array(merged_p)
    if len(merged_c) < 2:
        return 1.0
    stat = np.sum((merged_c - n * merged_p) ** 2 / (n * merged_p))
    return float(stats.chi2.sf(stat, len(merged_c) - 1))


def binomial_interval(n, p, alpha=ALPHA):
    """Two-sided acceptance interval for a Binomial(n, p) count at false-failure rate alpha.

    One registered statistical assertion per call (a one-sided use of the interval errs at
    alpha / 2, so counting alpha is conservative).
    """
    register_statistical_assertion(alpha)
    return stats.binom.ppf(alpha / 2, n, p), stats.binom.isf(alpha / 2, n, p)
