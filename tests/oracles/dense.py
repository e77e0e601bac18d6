"""Dense numpy state-vector oracles (SPEC conventions C2-C4), independent of jaxqring.

Qubit 0 is the most significant bit of a basis index; operators are kron(A_0, A_1, ...).
"""

import itertools
from math import comb

import numpy as np

S2 = 1 / np.sqrt(2)
PAULI = {
    "x": np.array([[0, 1], [1, 0]], complex),
    "y": np.array([[0, -1j], [1j, 0]], complex),
    "z": np.array([[1, 0], [0, -1]], complex),
}
# Row m is the bra of outcome m.
BRAS = {
    "x": np.array([[S2, S2], [S2, -S2]], complex),
    "y": np.array([[S2, -1j * S2], [S2, 1j * S2]], complex),
    "z": np.eye(2, dtype=complex),
}


def basis_string(n, i):
    return [(i >> (n - 1 - j)) & 1 for j in range(n)]


def ghz(n):
    v = np.zeros(2**n, complex)
    v[0] = v[-1] = S2
    return v


def plus(n):
    return np.full(2**n, 2 ** (-n / 2), complex)


def dicke(n, k):
    v = np.zeros(2**n, complex)
    for i in range(2**n):
        if bin(i).count("1") == k:
            v[i] = 1
    return v / np.sqrt(comb(n, k))


def mps_dense(tensors, left, right):
    """Contract stacked (N, chi, 2, chi) tensors with boundary vectors; normalised."""
    t = np.asarray(tensors)
    vec = np.asarray(left)[None, :]
    for j in range(t.shape[0]):
        vec = np.einsum("ia,asb->isb", vec, t[j]).reshape(-1, t.shape[1])
    vec = vec @ np.asarray(right)
    return vec / np.linalg.norm(vec)


def encode(psi, phases):
    """Apply R(phi_j) = diag(1, e^{i phi_j}) on every qubit j."""
    n = int(np.log2(psi.size))
    out = psi.copy()
    for i in range(psi.size):
        s = basis_string(n, i)
        out[i] *= np.exp(1j * sum(p for p, b in zip(phases, s) if b))
    return out


def kron_all(mats):
    out = np.array([[1.0 + 0j]])
    for m in mats:
        out = np.kron(out, m)
    return out


def pauli_expectation(psi, letters):
    op = kron_all([PAULI[c] for c in letters])
    return float(np.real(np.vdot(psi, op @ psi)))


def outcome_distribution(psi, letters):
    """Probability of every outcome string m (index with C2 ordering) in per-qubit bases."""
    u = kron_all([BRAS[c] for c in letters])
    return np.abs(u @ psi) ** 2


def all_strings(n):
    return np.array(list(itertools.product([0, 1], repeat=n)), dtype=np.uint8)
