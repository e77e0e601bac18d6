"""State-vector kernels and the distributed circuit against dense numpy (tests/oracles/statevector.py).

Maths: P = i^{#Y} X^x Z^z acts as (P psi)[c] = i^{#Y} (-1)^{popcount((c^x)&z)} psi[c^x]; the
rotation exp(-i t P/2) = cos(t/2) I - i sin(t/2) P; oracles build P by Kronecker products.
"""

import jax.numpy as jnp
import numpy as np
import pytest
from jaxqring.kernels import statevector as KSV

from jaxqring import inference as inf

from ..helpers import assert_close
from ..oracles import statevector as O

F64 = np.float64


def _random_strings(rng, n, k):
    out = []
    while len(out) < k:
        s = "".join(rng.choice(list("IXYZ"), size=n))
        out.append(s)
    return out


@pytest.mark.parametrize("n", [1, 3, 6, 10])
def test_single_pauli_and_rotation_match_dense(n):
    rng = np.random.default_rng(n)
    psi = rng.normal(size=2**n) + 1j * rng.normal(size=2**n)
    psi /= np.linalg.norm(psi)
    for s in _random_strings(rng, n, 4) + ["Y" * n, "I" * n]:
        circ = inf.distributed_circuit(n, [[s]], [[]])
        xm, zm, ny = (int(np.asarray(a)[0, 0]) for a in (circ.xmasks, circ.zmasks, circ.num_ys))
        got = KSV.apply_pauli(jnp.asarray(psi), xm, zm, ny)
        assert_close(got, O.pauli_matrix(s) @ psi, F64)
        got = KSV.apply_rotation(jnp.asarray(psi), 0.7, xm, zm, ny)
        assert_close(got, O.rotation_matrix(s, 0.7) @ psi, F64)


@pytest.mark.parametrize("n,layers", [(2, 1), (4, 2), (7, 3), (10, 2)])
def test_circuit_expectation_matches_dense(n, layers):
    rng = np.random.default_rng(100 + n)
    alice = [_random_strings(rng, n, 3) for _ in range(layers)]
    bob = [_random_strings(rng, n, 2) for _ in range(layers)]
    circ = inf.distributed_circuit(n, alice, bob)
    p = circ.num_params
    thetas = rng.uniform(-np.pi, np.pi, size=(2, p))
    x = rng.normal(size=(3, 2**n - 1))  # N = 2^n - 1: exercises the zero padding
    obs_string = _random_strings(rng, n, 1)[0]
    strings = [s for u in circ.strings for s in u]
    got = inf.circuit_expectation(circ, thetas, x, obs_string)
    assert got.shape == (2, 3)
    om = O.pauli_matrix(obs_string)
    for i in range(2):
        for b in range(3):
            want = O.expectation(strings, thetas[i], O.amplitude_encode(x[b], n), om)
            assert_close(got[i, b], want, F64)


def test_vmap_equals_loop_and_diagonal_observable(key):
    n = 5
    circ = inf.random_circuit(3, n, 2, 3)
    rng = np.random.default_rng(0)
    thetas = rng.normal(size=circ.num_params)
    x = rng.normal(size=(4, 32))
    diag = rng.uniform(-1, 1, size=32)
    batched = inf.circuit_expectation(circ, thetas, x, diag)
    loop = np.array([float(inf.circuit_expectation(circ, thetas, xi, diag)) for xi in x])
    assert_close(batched, loop, F64)
    strings = [s for u in circ.strings for s in u]
    want = [O.expectation(strings, thetas, O.amplitude_encode(xi, n), np.diag(diag)) for xi in x]
    assert_close(batched, want, F64)


@pytest.mark.parametrize("n", [2, 5, 8])
def test_walsh_hadamard_matches_dense(n):
    rng = np.random.default_rng(n)
    psi = rng.normal(size=2**n) + 1j * rng.normal(size=2**n)
    assert_close(KSV.walsh_hadamard(jnp.asarray(psi)), O.walsh_hadamard_matrix(n) @ psi, F64)


def test_inverse_undoes_circuit_and_norm_is_kept():
    n = 6
    circ = inf.random_circuit(1, n, 3, 4)
    rng = np.random.default_rng(1)
    t = jnp.asarray(rng.normal(size=circ.num_params))
    padded = circ.padded_thetas(t).reshape(-1)
    args = (padded, *(jnp.asarray(a).reshape(-1) for a in (circ.xmasks, circ.zmasks, circ.num_ys)))
    psi0 = inf.encode_amplitudes(rng.normal(size=2**n))
    psi = KSV.apply_rotations(psi0, *args)
    assert_close(jnp.linalg.norm(psi), 1.0, F64)
    assert_close(KSV.apply_rotations_inverse(psi, *args), psi0, F64)


def test_dense_observable_and_hermiticity_checks():
    n = 3
    rng = np.random.default_rng(7)
    a = rng.normal(size=(8, 8)) + 1j * rng.normal(size=(8, 8))
    h = (a + a.conj().T) / 2
    h /= np.max(np.abs(np.linalg.eigvalsh(h)))
    circ = inf.random_circuit(2, n, 1, 2)
    t = rng.normal(size=circ.num_params)
    x = rng.normal(size=8)
    strings = [s for u in circ.strings for s in u]
    assert_close(inf.circuit_expectation(circ, t, x, h), O.expectation(strings, t, O.amplitude_encode(x, n), h), F64)
    with pytest.raises(ValueError, match="`observable` must be Hermitian"):
        inf.circuit_expectation(circ, t, x, a)
    with pytest.raises(ValueError, match="operator norm"):
        inf.circuit_expectation(circ, t, x, 2 * h)
