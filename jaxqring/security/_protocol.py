"""The verified protocol (SPEC §7, A10): 2K copies, a uniform K-subset tested, accept or abort.

Laws (exact; SPEC [7.4] and its generalisations):

* a corrupted copy with detection probability d passes its test with probability 1 - d; if c of
  the 2K copies are corrupted, the number i of tested corrupted copies is Hyp(i; 2K, c, K), so
  under the perfect-pass rule ``P_acc(c) = sum_i Hyp(i) (1 - d)^i`` and the probability of
  accepting while at least one corrupted copy is *used* (untested) is the same sum over i < c:
  the epsilon a user actually gets. Its worst case over c, as a function of K, is
  :func:`soundness_curve`. The default d is d0 = 2^(N-1)/(2^N - 1), that of a copy orthogonal
  to GHZ ([7.3]);
* threshold rule: accept iff at most ``max_failures`` of the K tests fail. With honest noise each
  honest copy fails with q_h = d0 (1 - F_eff) (``detection_probability(honest(), n, noise=...)``);
  :func:`threshold_rule` picks the smallest threshold whose false-abort probability on honest
  runs is at most ``completeness_error`` and reports the soundness it buys.

Accounting (:func:`verification_cost`): 2K copies distributed (N - 1 qubit transmissions each),
K N broadcast outcome bits, K N public random bits for the labels (t, tau_0..tau_{N-2}), and
ceil(log2 C(2K, K)) public random bits for the subset; public randomness is counted in
``bits_sent`` (it is broadcast). Rounds: 2 (labels and subset announced, outcomes broadcast).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array
from scipy import stats

from .._accounting import CommCost
from .._checks import check_int, check_key, check_probability
from ..kernels import stabilizer as SK
from ._attacks import Adaptive, Honest, check_attack
from ._engine import (
    TestRecord,
    attacked_copy,
    check_nodes,
    draw_tests,
    sample_core,
)


class VerificationCost(NamedTuple):
    """The verification step's communication, itemised, and as the package's ``CommCost``.

    Fields:
        cost: ``CommCost`` (ghz_copies = 2K, setup_qubits = 2K (N - 1), bits_sent = all bits below).
        outcome_bits: K N broadcast outcome bits.
        label_bits: K N public random bits (test labels).
        subset_bits: ceil(log2 C(2K, K)) public random bits.
    """

    cost: CommCost
    outcome_bits: int
    label_bits: int
    subset_bits: int


def _subset_bits(k: int) -> int:
    # ceil(log2 C(2K, K)) exactly, with integers (C(2K, K) is never a power of two for K >= 2).
    c = math.comb(2 * k, k)
    return (c - 1).bit_length()


def verification_cost(k: int, n: int) -> VerificationCost:
    """Communication of verifying K copies on N nodes (SPEC §7 Accounting).

    Examples:
        >>> import jaxqring.security as sec
        >>> sec.verification_cost(2, 4).cost.bits_sent  # 8 outcome + 8 label + ceil(log2 6)
        19
    """
    k = check_int("k", k, minimum=1)
    n = check_nodes(n)
    outcome, label, subset = k * n, k * n, _subset_bits(k)
    cost = CommCost(
        bits_sent=outcome + label + subset, setup_qubits=2 * k * (n - 1), ghz_copies=2 * k, rounds=2
    )
    return VerificationCost(cost, outcome, label, subset)


def _detection(detection, n: int) -> float:
    if detection is None:
        return float(jnp.exp(SK.log_d0(n)))
    return check_probability("detection", detection)


def _check_kc(k, corrupted) -> tuple[int, int]:
    k = check_int("k", k, minimum=1)
    c = check_int("corrupted", corrupted, minimum=0, maximum=2 * k)
    return k, c


def _laws(k: int, c: int, d: float) -> tuple[Array, Array]:
    index = jnp.arange(min(c, k) + 1)
    return SK.corrupted_laws(k, c, d, index)


def acceptance_probability(k: int, corrupted: int, n: int, *, detection=None) -> Array:
    """P(accept) under the perfect-pass rule with ``corrupted`` of 2K copies corrupted ([7.4]).

    Args:
        k: tested copies K >= 1 (2K distributed). corrupted: c in [0, 2K]. n: nodes N >= 2.
        detection: per-copy detection probability of a corrupted copy (default d0: orthogonal
            to GHZ).
    Returns:
        real scalar.

    Examples:
        >>> import jaxqring.security as sec
        >>> round(float(sec.acceptance_probability(1, 1, 4)), 4)  # 1/2 + (1/2)(7/15)
        0.7333
    """
    k, c = _check_kc(k, corrupted)
    n = check_nodes(n)
    return _laws(k, c, _detection(detection, n))[0]


def false_acceptance_probability(k: int, corrupted: int, n: int, *, detection=None, min_used: int = 1) -> Array:
    """P(accept and at least ``min_used`` corrupted copies are among the K used ones).

    With ``min_used = 1`` this is the SPEC [7.4] sum restricted to i < c: the epsilon delivered.
    """
    k, c = _check_kc(k, corrupted)
    n = check_nodes(n)
    m = check_int("min_used", min_used, minimum=1)
    index = jnp.arange(min(c, k) + 1)
    return SK.corrupted_laws(k, c, _detection(detection, n), index, m)[1]


def iid_acceptance_probability(k: int, detection) -> Array:
    """(1 - d)^K: acceptance when every copy is attacked i.i.d. with detection probability d."""
    k = check_int("k", k, minimum=1)
    d = check_probability("detection", detection)
    return jnp.exp(k * jnp.log1p(-jnp.asarray(d))) if d < 1 else jnp.zeros(())


def soundness_curve(ks, n: int, *, detection=None, used_fraction: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Worst case over c of P(accept and more than ``used_fraction`` K corrupted copies are used).

    With ``used_fraction = 0`` this is P(accept and at least one corrupted copy used), which is
    1/2 for every K (c = 1: the single corrupted copy escapes the test with probability 1/2):
    the perfect-pass rule bounds *how many* corrupted copies get through, not whether one does.
    For a fraction delta > 0 (m = floor(delta K) + 1 corrupted copies used) the curve decays
    exponentially in K.

    The maximum runs over c = m, m+1, ... in chunks until every remaining c is provably below
    1e-18 times the maximum found: P(accept) <= (1 - d/2)^c (Hoeffding: the hypergeometric is
    dominated in convex order by Binomial(c, 1/2)), or until c = 2K.

    Args:
        ks: sequence of K >= 1. n: N >= 2. detection: per-copy detection (default d0).
        used_fraction: delta in [0, 1).
    Returns:
        ``(epsilon, worst_c)``: float64 (len(ks),) and int (len(ks),).
    """
    n = check_nodes(n)
    d = _detection(detection, n)
    delta = check_probability("used_fraction", used_fraction, open_right=True)
    ks = [check_int("ks", k, minimum=1) for k in np.atleast_1d(ks)]
    eps, worst = np.zeros(len(ks)), np.zeros(len(ks), int)
    index = jnp.arange(max(ks) + 1)  # tested-corrupted counts i (one shape: one compile)
    offsets = jnp.arange(_C_CHUNK)
    log_keep = math.log1p(-d / 2)
    for a, k in enumerate(ks):
        m = math.floor(delta * k) + 1
        if m > k:
            continue  # at most K copies are used
        best, best_c, start = -1.0, m, m
        while start <= 2 * k:
            cs = start + offsets
            vals = np.where(np.asarray(cs) <= 2 * k, np.asarray(_eps_grid(k, d, m, cs, index)), -1.0)
            if vals.max() > best:
                best, best_c = float(vals.max()), int(cs[int(np.argmax(vals))])
            start += _C_CHUNK
            # every c >= start has P(accept) <= (1 - d/2)^c: stop once that is negligible
            if best > 0 and start * log_keep < math.log(best) + math.log(1e-18):
                break
        eps[a], worst[a] = best, best_c
    return eps, worst


_C_CHUNK = 256


@jax.jit
def _eps_grid(k, d, m, cs, index):
    return jax.vmap(lambda c: SK.corrupted_laws(k, c, d, index, m)[1])(cs)


class ThresholdRule(NamedTuple):
    """A noise-tolerant acceptance rule and what it buys.

    Fields:
        max_failures: accept iff at most this many of the K tests fail.
        completeness_error: P(abort) of an honest noisy run (<= the requested bound).
        honest_fail: per-copy failure probability of an honest noisy copy.
    """

    max_failures: int
    completeness_error: float
    honest_fail: float


def threshold_rule(k: int, honest_fail, *, completeness_error: float = 1e-6) -> ThresholdRule:
    """Smallest threshold whose honest false-abort probability is at most ``completeness_error``.

    Args:
        k: tested copies K >= 1. honest_fail: per-copy failure probability of honest noisy copies
            (e.g. ``detection_probability(honest(), n, noise=noise)``).
        completeness_error: allowed false-abort probability in (0, 1).
    """
    k = check_int("k", k, minimum=1)
    q = check_probability("honest_fail", honest_fail)
    eps = check_probability("completeness_error", completeness_error, open_left=True, open_right=True)
    tau = int(stats.binom.isf(eps, k, q)) if q > 0 else 0
    while tau > 0 and stats.binom.sf(tau - 1, k, q) <= eps:
        tau -= 1
    while stats.binom.sf(tau, k, q) > eps:
        tau += 1
    return ThresholdRule(tau, float(stats.binom.sf(tau, k, q)), q)


def threshold_false_acceptance(k: int, corrupted: int, max_failures: int, honest_fail, corrupted_fail) -> tuple[float, float]:
    """(P_accept, P_accept and a corrupted copy used) under the threshold rule.

    Tested failures are Binomial(K - i, q_h) + Binomial(i, q_c) given i ~ Hyp(2K, c, K) tested
    corrupted copies (q_c: failure probability of a corrupted copy, honest noise included).
    """
    k, c = _check_kc(k, corrupted)
    tau = check_int("max_failures", max_failures, minimum=0, maximum=k)
    qh = check_probability("honest_fail", honest_fail)
    qc = check_probability("corrupted_fail", corrupted_fail)
    acc = used = 0.0
    grid = np.arange(tau + 1)
    for i in range(max(0, c - k), min(c, k) + 1):
        hyp = stats.hypergeom.pmf(i, 2 * k, c, k)
        if hyp == 0:
            continue
        ph = stats.binom.pmf(grid, k - i, qh)
        pc = stats.binom.pmf(grid, i, qc)
        p_ok = float(np.sum(np.convolve(ph, pc)[: tau + 1]))
        acc += hyp * p_ok
        if i < c:
            used += hyp * p_ok
    return acc, used


class ProtocolRun(NamedTuple):
    """One sampled run of the verified protocol.

    Fields:
        accepted: bool. num_failures: failed tests among the K. tested: int (K,) indices of the
        tested copies among 0..2K-1. corrupted_tested / corrupted_used: corrupted copies tested /
        left for the computation. record: ``TestRecord`` of the K tests. cost: ``VerificationCost``.
    """

    accepted: bool
    num_failures: int
    tested: np.ndarray
    corrupted_tested: int
    corrupted_used: int
    record: TestRecord
    cost: VerificationCost


def run_protocol(key, attack, n: int, k: int, *, noise=None, max_failures: int = 0) -> ProtocolRun:
    """Sample one run: distribute 2K copies, test a uniform K-subset, accept or abort.

    Non-adaptive attacks hit every copy; ``adaptive(c, attack)`` hits copies 0..c-1 (the subset is
    uniform and independent of the adversary, so which c does not matter). Test outcomes are
    sampled exactly from the attacked or honest (noisy) copy.

    Args:
        key: one PRNG key (public randomness and measurement outcomes are split from it).
        attack: attack pytree. n: N >= 2. k: K >= 1. noise: optional ``NoiseModel``.
        max_failures: 0 for the perfect-pass rule, or a threshold (``threshold_rule``).
    Returns:
        ``ProtocolRun``.
    """
    check_key("key", key)
    check_attack(attack)
    n = check_nodes(n)
    k = check_int("k", k, minimum=1)
    tau = check_int("max_failures", max_failures, minimum=0, maximum=k)
    if isinstance(attack, Adaptive):
        c = check_int("corrupted", attack.corrupted, minimum=0, maximum=2 * k)
    else:
        c = 0 if isinstance(attack, Honest) else 2 * k
    k_subset, k_labels, k_bad, k_good = jax.random.split(key, 4)
    tested = np.sort(np.asarray(jax.random.permutation(k_subset, 2 * k))[:k])
    corrupt_row = tested < c
    tests = draw_tests(k_labels, n, k)
    bad_bits, bad_pass = sample_core(k_bad, attacked_copy(attack, n, noise), tests.t, tests.tau)
    good_bits, good_pass = sample_core(k_good, attacked_copy(Honest(), n, noise), tests.t, tests.tau)
    sel = jnp.asarray(corrupt_row)
    bits = jnp.where(sel[:, None], bad_bits, good_bits)
    passed = jnp.where(sel, bad_pass, good_pass)
    fails = int(k - np.sum(np.asarray(passed)))
    i = int(np.sum(corrupt_row))
    return ProtocolRun(
        accepted=fails <= tau,
        num_failures=fails,
        tested=tested,
        corrupted_tested=i,
        corrupted_used=c - i,
        record=TestRecord(tests, bits, passed),
        cost=verification_cost(k, n),
    )

