"""Dense numpy state-vector and density-matrix oracles (SPEC C2-C4, C8), independent of jaxqring.

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


def mps_dense_unnormalised(tensors, left, right):
    """Contract stacked (N, chi, 2, chi) tensors with boundary vectors (complex128, as stored)."""
    t = np.asarray(tensors).astype(np.complex128)
    vec = np.asarray(left).astype(np.complex128)[None, :]
    for j in range(t.shape[0]):
        vec = np.einsum("ia,asb->isb", vec, t[j]).reshape(-1, t.shape[1])
    return vec @ np.asarray(right).astype(np.complex128)


def mps_dense(tensors, left, right):
    """Contract stacked (N, chi, 2, chi) tensors with boundary vectors; normalised."""
    vec = mps_dense_unnormalised(tensors, left, right)
    return vec / np.linalg.norm(vec)


def mps_log_norm(tensors, left, right):
    """log <psi|psi> of the unnormalised contracted state."""
    vec = mps_dense_unnormalised(tensors, left, right)
    return float(np.log(np.vdot(vec, vec).real))


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


# ---- noisy density matrices (SPEC C8): Kraus maps on the full 2^N x 2^N matrix -------------

I2 = np.eye(2, dtype=complex)


def kraus(kind, p):
    """SPEC C8 Kraus operators (bit flip: sqrt(1-p) I, sqrt(p) X)."""
    if kind == "dephasing":
        return [np.sqrt(1 - p) * I2, np.sqrt(p) * PAULI["z"]]
    if kind == "depolarizing":
        return [np.sqrt(1 - 3 * p / 4) * I2] + [np.sqrt(p / 4) * P for P in (PAULI["x"], PAULI["y"], PAULI["z"])]
    if kind == "bit_flip":
        return [np.sqrt(1 - p) * I2, np.sqrt(p) * PAULI["x"]]
    if kind == "amplitude_damping":
        return [np.diag([1, np.sqrt(1 - p)]), np.sqrt(p) * np.array([[0, 1], [0, 0]])]
    raise AssertionError(kind)


def apply_site(rho, ks, j, n):
    t = rho.reshape([2] * (2 * n))
    out = 0
    for k in ks:
        u = np.moveaxis(np.tensordot(k, t, axes=([1], [j])), 0, j)
        u = np.moveaxis(np.tensordot(k.conj(), u, axes=([1], [n + j])), 0, n + j)
        out = out + u
    return out.reshape(2**n, 2**n)


def dense_noisy_rho(psi, phases, spec):
    """spec: list of (kind, per-node params (N,), when), applied in order within each group."""
    n = len(phases)
    rho = np.outer(psi, psi.conj())
    for j in range(n):
        for kind, ps, when in spec:
            if when == "before":
                rho = apply_site(rho, kraus(kind, ps[j]), j, n)
        rho = apply_site(rho, [np.diag([1, np.exp(1j * phases[j])])], j, n)
        for kind, ps, when in spec:
            if when == "after":
                rho = apply_site(rho, kraus(kind, ps[j]), j, n)
    return rho


def reported_distribution(rho, letters, readout):
    """Outcome-string law (C2 index order) with per-node readout flips r_j."""
    n = len(letters)
    u = kron_all([BRAS[c] for c in letters])
    p = np.real(np.einsum("ia,ab,ib->i", u, rho, u.conj())).reshape([2] * n)
    for j, r in enumerate(readout):
        flip = np.array([[1 - r, r], [r, 1 - r]])
        p = np.moveaxis(np.tensordot(flip, p, axes=([1], [j])), 0, j)
    return p.reshape(-1)


def parity_of(dist, n):
    strings = all_strings(n)
    sign = 1 - 2 * (strings.astype(np.int64).sum(axis=1) % 2)
    return float(dist @ sign)
