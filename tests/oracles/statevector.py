"""Dense numpy oracles for the distributed-inference state-vector model (never imports jaxqring).

Independent re-derivations: Pauli strings as Kronecker products (qubit 0 = most significant bit,
numpy ``kron`` order, SPEC C2), rotations as scipy-free closed forms exp(-i t P/2) = cos(t/2) I -
i sin(t/2) P (valid because P^2 = I), expectations and gradients by dense matrix products and
central finite differences, and classical communication/statistics formulas.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy import stats

PAULI = {
    "I": np.eye(2, dtype=complex),
    "X": np.array([[0, 1], [1, 0]], dtype=complex),
    "Y": np.array([[0, -1j], [1j, 0]], dtype=complex),
    "Z": np.array([[1, 0], [0, -1]], dtype=complex),
}


def pauli_matrix(string: str) -> np.ndarray:
    """Dense 2^n x 2^n matrix of a Pauli string, letter k on qubit k (kron order)."""
    out = np.ones((1, 1), dtype=complex)
    for letter in string:
        out = np.kron(out, PAULI[letter])
    return out


def rotation_matrix(string: str, theta: float) -> np.ndarray:
    """exp(-i theta P / 2) as a dense matrix."""
    p = pauli_matrix(string)
    return math.cos(theta / 2) * np.eye(p.shape[0]) - 1j * math.sin(theta / 2) * p


def circuit_unitary(strings, thetas) -> np.ndarray:
    """U = R_{K-1} ... R_0 (rotation 0 acts first)."""
    n = len(strings[0])
    u = np.eye(2**n, dtype=complex)
    for s, t in zip(strings, thetas):
        u = rotation_matrix(s, t) @ u
    return u


def amplitude_encode(x, num_qubits: int) -> np.ndarray:
    v = np.zeros(2**num_qubits, dtype=complex)
    v[: len(x)] = x
    return v / np.linalg.norm(v)


def evolve(strings, thetas, psi0) -> np.ndarray:
    """R_{K-1} ... R_0 psi0 by dense matrix-vector products (same as circuit_unitary(...) @ psi0)."""
    psi = np.asarray(psi0, complex)
    for s, t in zip(strings, thetas):
        psi = rotation_matrix(s, t) @ psi
    return psi


def expectation(strings, thetas, psi0, obs) -> float:
    psi = evolve(strings, thetas, psi0)
    return float(np.real(np.vdot(psi, obs @ psi)))


def finite_difference_gradient(strings, thetas, psi0, obs, h=1e-5) -> np.ndarray:
    """Central differences of :func:`expectation` (error O(h^2) ~ 1e-10)."""
    thetas = np.asarray(thetas, float)
    out = np.zeros_like(thetas)
    for k in range(len(thetas)):
        tp, tm = thetas.copy(), thetas.copy()
        tp[k] += h
        tm[k] -= h
        out[k] = (expectation(strings, tp, psi0, obs) - expectation(strings, tm, psi0, obs)) / (2 * h)
    return out


def parameter_shift_gradient(strings, thetas, psi0, obs) -> np.ndarray:
    """Exact two-term parameter shift [F(t + pi/2) - F(t - pi/2)] / 2 (exact for Pauli rotations)."""
    thetas = np.asarray(thetas, float)
    out = np.zeros_like(thetas)
    for k in range(len(thetas)):
        tp, tm = thetas.copy(), thetas.copy()
        tp[k] += np.pi / 2
        tm[k] -= np.pi / 2
        out[k] = (expectation(strings, tp, psi0, obs) - expectation(strings, tm, psi0, obs)) / 2
    return out


def walsh_hadamard_matrix(n: int) -> np.ndarray:
    h = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
    out = np.ones((1, 1))
    for _ in range(n):
        out = np.kron(out, h)
    return out


def shift_estimator_pmf(f_plus: float, f_minus: float, shots: int) -> dict[int, float]:
    """Law of D = K+ - K- (K+- ~ Binomial(shots, (1 + F+-)/2), independent), by direct convolution.

    The +-1-outcome parameter-shift estimator is g_hat = D / shots.
    """
    kp = stats.binom.pmf(np.arange(shots + 1), shots, (1 + f_plus) / 2)
    km = stats.binom.pmf(np.arange(shots + 1), shots, (1 + f_minus) / 2)
    pmf: dict[int, float] = {}
    for a, b in itertools.product(range(shots + 1), repeat=2):
        pmf[a - b] = pmf.get(a - b, 0.0) + kp[a] * km[b]
    return pmf


def simhash_accuracy(cos_angle: float, num_bits: int) -> float:
    """P(majority of num_bits random-hyperplane sign agreements is right), ties split evenly.

    Each hyperplane disagrees with probability angle/pi (Goemans-Williamson); the protocol answers
    "positive" when fewer than half disagree.
    """
    p_dis = math.acos(cos_angle) / math.pi
    if cos_angle < 0:
        p_dis = 1 - p_dis  # correct answer is "negative": disagreement means agreement flips
    k = np.arange(num_bits + 1)
    pmf = stats.binom.pmf(k, num_bits, p_dis)
    return float(pmf[2 * k < num_bits].sum() + 0.5 * pmf[2 * k == num_bits].sum())


# ----------------------------------------------------------------------------------- Cora


def cora_adjacency(edges, num_nodes: int) -> np.ndarray:
    """row-normalise(D^-1/2 A D^-1/2) from an undirected edge list (i < j), by explicit loops."""
    a = np.zeros((num_nodes, num_nodes))
    for i, j in edges:
        a[i, j] = a[j, i] = 1.0
    deg = a.sum(axis=1)
    s = a / np.sqrt(np.outer(deg, deg))
    return s / s.sum(axis=1)[:, None]


def pair_decision_accuracy(logits, labels, num_classes: int) -> float:
    """Fraction of class pairs (i < j) with [mean logit_i > mean logit_j] == [count_i > count_j]."""
    mean = np.asarray(logits, float).mean(axis=0)
    counts = np.bincount(np.asarray(labels), minlength=num_classes)
    right = [
        (mean[i] > mean[j]) == (counts[i] > counts[j])
        for i in range(num_classes)
        for j in range(i + 1, num_classes)
    ]
    return float(np.mean(right))
