"""Dense density-matrix oracle for pairs and entanglement purification (numpy only).

Independent of jaxqring: every protocol is simulated gate by gate on explicit matrices.

* One pair: 4 x 4 density matrix, qubit A (first, most significant) then qubit B.
* Two pairs: 16 x 16, qubit order (A1, B1, A2, B2); pair 1 is kept, pair 2 is measured.
  Alice holds A1, A2 and Bob holds B1, B2.
* Bell basis with |Phi+> = (|00> + |11>)/sqrt(2); coefficients are read as
  <Bell_k| rho |Bell_k> in the order (Phi+, Psi-, Psi+, Phi-).
"""

from __future__ import annotations

import itertools

import numpy as np

S2 = 1 / np.sqrt(2)
I2 = np.eye(2, dtype=complex)
X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
Z = np.array([[1, 0], [0, -1]], dtype=complex)
H = S2 * np.array([[1, 1], [1, -1]], dtype=complex)
S = np.diag([1, 1j]).astype(complex)

BELL = {
    "phi+": S2 * np.array([1, 0, 0, 1], dtype=complex),
    "psi-": S2 * np.array([0, 1, -1, 0], dtype=complex),
    "psi+": S2 * np.array([0, 1, 1, 0], dtype=complex),
    "phi-": S2 * np.array([1, 0, 0, -1], dtype=complex),
}
ORDER = ("phi+", "psi-", "psi+", "phi-")


def kron(*ops):
    out = np.array([[1.0 + 0j]])
    for op in ops:
        out = np.kron(out, op)
    return out


def bell_diagonal(coeffs) -> np.ndarray:
    """4 x 4 density matrix sum_k c_k |Bell_k><Bell_k| (DEJMPS order)."""
    return sum(c * np.outer(BELL[name], BELL[name].conj()) for c, name in zip(coeffs, ORDER))


def bell_coefficients(rho) -> np.ndarray:
    """(4,) diagonal of rho in the Bell basis (DEJMPS order), real."""
    return np.array([np.real(BELL[n].conj() @ rho @ BELL[n]) for n in ORDER])


def bell_offdiagonal_norm(rho) -> float:
    """Largest |<Bell_j| rho |Bell_k>|, j != k (0 for a Bell-diagonal state)."""
    basis = np.stack([BELL[n] for n in ORDER], axis=1)
    m = basis.conj().T @ rho @ basis
    return float(np.max(np.abs(m - np.diag(np.diag(m)))))


def _cnot(control: int, target: int, n: int) -> np.ndarray:
    dim = 2**n
    u = np.zeros((dim, dim), dtype=complex)
    for i in range(dim):
        bits = [(i >> (n - 1 - q)) & 1 for q in range(n)]
        if bits[control]:
            bits[target] ^= 1
        j = sum(b << (n - 1 - q) for q, b in enumerate(bits))
        u[j, i] = 1
    return u


def _rx(theta):
    return np.cos(theta / 2) * I2 - 1j * np.sin(theta / 2) * X


def purify_dense(rho1, rho2, *, rotate: bool):
    """One recurrence step on rho1 (kept) and rho2 (measured), simulated densely.

    ``rotate=True`` (DEJMPS): Alice applies Rx(pi/2) = exp(-i pi/4 X) and Bob Rx(-pi/2) to each
    of their qubits. Then bilateral CNOT (A1 -> A2, B1 -> B2), Z measurement of A2 and B2, keep iff
    the outcomes agree. Returns (success probability, normalised 4 x 4 state of pair 1).
    """
    rho = np.kron(rho1, rho2)  # order (A1, B1, A2, B2)
    if rotate:
        u = kron(_rx(np.pi / 2), _rx(-np.pi / 2), _rx(np.pi / 2), _rx(-np.pi / 2))
        rho = u @ rho @ u.conj().T
    c = _cnot(0, 2, 4) @ _cnot(1, 3, 4)
    rho = c @ rho @ c.conj().T
    kept = np.zeros((4, 4), dtype=complex)
    for m in (0, 1):  # both measured qubits show m
        proj = kron(I2, I2, np.diag([1 - m, m]), np.diag([1 - m, m]))
        r = (proj @ rho @ proj).reshape(4, 4, 4, 4)
        kept += np.einsum("ikjk->ij", r)  # trace out the measured pair
    p = float(np.real(np.trace(kept)))
    return p, kept / p


def single_qubit_cliffords():
    """The 24 single-qubit Clifford unitaries (mod global phase), generated from H and S."""
    found, seen, frontier = [], set(), [I2]

    def key(u):
        k = np.flatnonzero(np.abs(u.ravel()) > 1e-9)[0]
        v = u / (u.ravel()[k] / abs(u.ravel()[k]))
        return tuple(np.round(v.ravel(), 8))

    while frontier:
        nxt = []
        for u in frontier:
            k = key(u)
            if k in seen:
                continue
            seen.add(k)
            found.append(u)
            nxt += [H @ u, S @ u]
        frontier = nxt
    assert len(found) == 24
    return found


def twirl_dense(rho):
    """Isotropic twirl for Phi+: average of (U (x) U*) rho (U (x) U*)^dagger over the Cliffords."""
    out = np.zeros_like(rho)
    cl = single_qubit_cliffords()
    for u in cl:
        w = np.kron(u, u.conj())
        out += w @ rho @ w.conj().T
    return out / len(cl)


def bbpssw_dense(rho1, rho2):
    """BBPSSW: twirl both inputs, bilateral CNOT recurrence (no rotation), twirl the output."""
    p, out = purify_dense(twirl_dense(rho1), twirl_dense(rho2), rotate=False)
    return p, twirl_dense(out)


def apply_kraus(rho, kraus, qubit: int, n: int = 2):
    out = np.zeros_like(rho)
    for k in kraus:
        ops = [I2] * n
        ops[qubit] = k
        full = kron(*ops)
        out += full @ rho @ full.conj().T
    return out


def memory_kraus(duration, dephasing_rate, depolarizing_rate):
    """Kraus operators of one memory qubit waiting ``duration``: dephasing then depolarising.

    Dephasing: Z with probability (1 - exp(-gamma t))/2. Depolarising rho -> lam rho + (1-lam) I/2
    with lam = exp(-Gamma t), i.e. Paulis X, Y, Z each with probability (1 - lam)/4.
    """
    p = (1 - np.exp(-dephasing_rate * duration)) / 2
    lam = np.exp(-depolarizing_rate * duration)
    deph = [np.sqrt(1 - p) * I2, np.sqrt(p) * Z]
    depo = [np.sqrt(1 - 3 * (1 - lam) / 4) * I2] + [np.sqrt((1 - lam) / 4) * P for P in (X, Y, Z)]
    return [b @ a for a, b in itertools.product(deph, depo)]


def age_dense(rho, duration, dephasing_rate, depolarizing_rate):
    """Both qubits of the pair wait ``duration`` in memory (independent channels)."""
    k = memory_kraus(duration, dephasing_rate, depolarizing_rate)
    return apply_kraus(apply_kraus(rho, k, 0), k, 1)


def pauli_on_a(weights):
    """4 x 4 state: Pauli channel with weights (I, X, Y, Z) applied to qubit A of |Phi+>."""
    phi = np.outer(BELL["phi+"], BELL["phi+"].conj())
    return sum(w * np.kron(P, I2) @ phi @ np.kron(P, I2).conj().T for w, P in zip(weights, (I2, X, Y, Z)))
