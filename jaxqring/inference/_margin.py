"""Linear classification with margin gamma: where the exponential advantage disappears.

Alice holds w, Bob holds x, both unit vectors in R^N, with the promise |<w, x>| >= gamma; Bob must
output sign(<w, x>). Two protocols, both simulated with their exact outcome laws:

* classical, shared randomness (random-hyperplane sketch, Goemans-Williamson / Charikar SimHash):
  k shared Gaussian vectors r_j; Alice sends the k bits sign(<r_j, w>); Bob counts disagreements
  with sign(<r_j, x>), each of probability angle(w, x)/pi, and answers "+" iff fewer than k/2
  disagree (ties: fair coin). Since |cos angle| >= gamma, |angle/pi - 1/2| >= arcsin(gamma)/pi, so
  k = O(1/gamma^2) bits suffice, independent of N.
* quantum, Hadamard test: Alice sends (|0>|0^n> + |1>|w>)/sqrt 2 (n + 1 qubits, she prepares it
  alone); Bob applies controlled-U_x^dag (U_x |0^n> = |x>), then H on the control and measures:
  P(0) = (1 + <x, w>)/2 for real vectors. M copies and a majority vote: O(1/gamma^2) copies of
  n + 1 qubits. (A swap test would only give <x, w>^2, losing the sign.) The outcome law is
  sampled from the Born probability computed on the amplitude-encoded state vectors; the gates
  of U_x are costed, not simulated.

Lower bound (slides, seed 003, Lemma; a claim we do not re-derive): any quantum protocol needs
Omega(sqrt(N / max(1, ceil(gamma N)))) qubits, and O(min(N, 1/gamma^2)) bits suffice classically.
So quantum/classical is at most polynomial here: no exponential advantage.
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
from .._checks import check_int, check_key, check_real

# Hyperplanes generated per chunk in the explicit sketch (bounds memory to CHUNK * N floats).
CHUNK = 1024


def check_gamma(gamma) -> float:
    """gamma must lie in (0, 1]."""
    g = check_real("gamma", gamma)
    if not 0.0 < g <= 1.0:
        raise ValueError(f"Argument `gamma` must lie in (0, 1], got {g}.")
    return g


class MarginInstances(NamedTuple):
    w: Array  # shape=(B, N), float64, unit rows (Alice)
    x: Array  # shape=(B, N), float64, unit rows (Bob)
    label: Array  # shape=(B,), int32 in {0, 1}: 1 iff <w, x> > 0


def margin_instances(key, num_dims: int, gamma: float, num_instances: int) -> MarginInstances:
    """Worst-case instances: <w, x> = +-gamma exactly (fair random sign), w uniform on the sphere.

    x = c w + sqrt(1 - c^2) u with u a uniform unit vector orthogonal to w, c = +-gamma.

    Examples:
        >>> inst = margin_instances(jax.random.key(0), 8, 0.5, 3)
        >>> [round(float(v), 5) for v in jnp.abs(jnp.sum(inst.w * inst.x, axis=1))]
        [0.5, 0.5, 0.5]
    """
    key = check_key("key", key)
    num_dims = check_int("num_dims", num_dims, minimum=2)
    gamma = check_gamma(gamma)
    num_instances = check_int("num_instances", num_instances, minimum=1)
    f64 = jax.dtypes.canonicalize_dtype(jnp.float64)
    kw, ku, ks = jax.random.split(key, 3)
    w = jax.random.normal(kw, (num_instances, num_dims), f64)
    w = w / jnp.linalg.norm(w, axis=1, keepdims=True)
    u = jax.random.normal(ku, (num_instances, num_dims), f64)
    u = u - jnp.sum(u * w, axis=1, keepdims=True) * w
    u = u / jnp.linalg.norm(u, axis=1, keepdims=True)
    sign = 2.0 * jax.random.bernoulli(ks, 0.5, (num_instances,)).astype(f64) - 1.0
    c = (sign * gamma)[:, None]
    x = c * w + jnp.sqrt(1 - c * c) * u
    return MarginInstances(w, x, (sign > 0).astype(jnp.int32))


def _check_pair(w, x):
    w, x = jnp.asarray(w), jnp.asarray(x)
    if w.ndim != 2 or w.shape != x.shape:
        raise ValueError(f"Arguments `w` and `x` must both have shape (B, N), got {w.shape} and {x.shape}.")
    for name, v in (("w", w), ("x", x)):
        norms = np.linalg.norm(np.asarray(v), axis=1)
        if np.any(np.abs(norms - 1) > 1e-8):
            raise ValueError(f"Argument `{name}` must have unit-norm rows, got norms in [{norms.min()}, {norms.max()}].")
    return w, x


def sketch_protocol(key, w, x, *, num_bits: int) -> Array:
    """Random-hyperplane protocol with explicit shared Gaussian hyperplanes; Bob's answers (B,) int32.

    The hyperplanes are drawn in chunks of :data:`CHUNK` (``lax.scan``), so memory is O(CHUNK N).
    """
    key = check_key("key", key)
    num_bits = check_int("num_bits", num_bits, minimum=1)
    w, x = _check_pair(w, x)
    return _sketch(key, w, x, num_bits)


def _sketch(key, w, x, num_bits):
    kc, kt = jax.random.split(key)
    num_chunks = -(-num_bits // CHUNK)
    # hyperplane c * CHUNK + s is slot s of chunk c; the mask keeps exactly the first num_bits
    mask = (np.arange(num_chunks * CHUNK) < num_bits).reshape(num_chunks, CHUNK)
    dis = jnp.sum(_sketch_masked(kc, w, x, jnp.asarray(mask)), axis=1)
    tie = 2 * dis == num_bits
    coin = jax.random.bernoulli(kt, 0.5, dis.shape)
    return jnp.where(tie, coin, 2 * dis < num_bits).astype(jnp.int32)


@jax.jit
def _sketch_masked(key, w, x, mask):
    def body(total, inp):
        k, m = inp
        r = jax.random.normal(k, (CHUNK, w.shape[1]), w.dtype)
        a = (jnp.sign(w @ r.T) != jnp.sign(x @ r.T)) & m[None, :]
        return total + a.astype(jnp.int32), None

    tot, _ = jax.lax.scan(body, jnp.zeros((w.shape[0], CHUNK), jnp.int32), (jax.random.split(key, mask.shape[0]), mask))
    return tot


def hadamard_test_protocol(key, w, x, *, copies: int) -> Array:
    """Quantum protocol: ``copies`` Hadamard tests, majority vote; Bob's answers (B,) int32.

    Each copy's outcome is +1 with probability (1 + <x, w>)/2 (Born rule on the amplitude-encoded
    vectors), so the number of +1 outcomes is Binomial(copies, (1 + <x, w>)/2); ties: fair coin.
    """
    key = check_key("key", key)
    copies = check_int("copies", copies, minimum=1)
    w, x = _check_pair(w, x)
    k1, k2 = jax.random.split(key)
    p = jnp.clip((1 + jnp.sum(w * x, axis=1)) / 2, 0.0, 1.0)
    plus = jax.random.binomial(k1, copies, p)
    tie = 2 * plus == copies
    coin = jax.random.bernoulli(k2, 0.5, p.shape)
    return jnp.where(tie, coin, 2 * plus > copies).astype(jnp.int32)


def sketch_accuracy(gamma: float, num_bits: int) -> float:
    """Exact success probability of the sketch at |<w, x>| = gamma (ties split evenly)."""
    gamma = check_gamma(gamma)
    num_bits = check_int("num_bits", num_bits, minimum=1)
    p_wrong_bit = 0.5 - math.asin(gamma) / math.pi  # a disagreement pushes towards the wrong side
    return _majority_right(num_bits, 1 - p_wrong_bit)


def hadamard_accuracy(gamma: float, copies: int) -> float:
    """Exact success probability of the Hadamard-test majority at |<w, x>| = gamma."""
    gamma = check_gamma(gamma)
    copies = check_int("copies", copies, minimum=1)
    return _majority_right(copies, (1 + gamma) / 2)


def _majority_right(m: int, p: float) -> float:
    """P(Binomial(m, p) > m/2) + P(= m/2) / 2."""
    right = stats.binom.sf(m // 2, m, p)  # > floor(m/2)
    if m % 2 == 0:
        right += 0.5 * stats.binom.pmf(m // 2, m, p)
    return float(right)


def _smallest(acc, target: float, limit: int) -> int:
    """Smallest m in [1, limit] with acc(m) >= target (acc is increasing over odd m; search odd m)."""
    lo, hi = 1, 1
    while acc(hi) < target:
        hi = 2 * hi + 1
        if hi > limit:
            return limit
    while hi - lo > 2:  # bisection over odd integers
        mid = (lo + hi) // 2
        mid += 1 - mid % 2
        if acc(mid) >= target:
            hi = mid
        else:
            lo = mid
    return lo if acc(lo) >= target else hi


class MarginRow(NamedTuple):
    gamma: float
    sketch_bits: int  # smallest k with exact accuracy >= target
    quantum_copies: int  # smallest M with exact accuracy >= target
    quantum_qubits: int  # M (n + 1)
    send_x_bits: int  # N * bits: the trivial classical protocol
    classical_bits: int  # min(sketch_bits, send_x_bits)
    qubit_lower_bound: float  # sqrt(N / max(1, ceil(gamma N))): slides' Lemma, constant unknown (claim)
    sketch_accuracy_measured: float  # simulated (explicit hyperplanes) at sketch_bits
    quantum_accuracy_measured: float  # simulated (Born-rule sampling) at quantum_copies
    num_instances: int
    classical_cost: CommCost
    quantum_cost: CommCost


def margin_study(
    key, gammas, *, num_dims: int = 1024, target: float = 0.95, num_instances: int = 200, bits: int = 32
) -> list[MarginRow]:
    """Bits and qubits for ``target`` accuracy vs gamma at dimension N, computed exactly and checked
    by simulating both protocols on ``num_instances`` worst-case instances (|<w, x>| = gamma)."""
    key = check_key("key", key)
    num_dims = check_int("num_dims", num_dims, minimum=2)
    target = check_real("target", target, minimum=0.5, maximum=1.0, exclusive_minimum=True)
    num_instances = check_int("num_instances", num_instances, minimum=1)
    bits = check_int("bits", bits, minimum=1)
    n = max(1, (num_dims - 1).bit_length())
    rows = []
    for i, gamma in enumerate(gammas):
        gamma = check_gamma(gamma)
        k = _smallest(lambda m, g=gamma: sketch_accuracy(g, m), target, 1 << 30)
        m = _smallest(lambda c, g=gamma: hadamard_accuracy(g, c), target, 1 << 30)
        ki, ks, kq = jax.random.split(jax.random.fold_in(key, i), 3)
        inst = margin_instances(ki, num_dims, gamma, num_instances)
        acc_s = float(np.mean(np.asarray(sketch_protocol(ks, inst.w, inst.x, num_bits=k)) == np.asarray(inst.label)))
        acc_q = float(np.mean(np.asarray(hadamard_test_protocol(kq, inst.w, inst.x, copies=m)) == np.asarray(inst.label)))
        send = num_dims * bits
        rows.append(
            MarginRow(
                gamma, k, m, m * (n + 1), send, min(k, send),
                math.sqrt(num_dims / max(1, math.ceil(gamma * num_dims))), acc_s, acc_q, num_instances,
                CommCost(bits_sent=min(k, send), rounds=1), CommCost(online_qubits=m * (n + 1), rounds=1),
            )
        )
    return rows
