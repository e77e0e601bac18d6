"""Pauli-string rotations on a dense state vector of n qubits, without dense matrices.

A Pauli string P = P_0 (x) P_1 (x) ... (x) P_{n-1} (qubit 0 is the most significant bit of a basis
index, SPEC C2) is stored as three integers: ``xmask`` (bit of qubit k set where P_k is X or Y),
``zmask`` (set where P_k is Z or Y) and ``num_y`` (the number of Y letters). With Y = i X Z,

    P = i^num_y X^xmask Z^zmask,   so   (P psi)[c] = i^num_y (-1)^popcount((c ^ xmask) & zmask) psi[c ^ xmask].

A rotation is R_P(theta) = exp(-i theta P / 2) = cos(theta/2) I - i sin(theta/2) P (theta in radians).
Every function here acts on ONE state vector ``psi`` of shape (2^n,), complex; the API edge vmaps.
Cost: one gather and one elementwise pass over 2^n amplitudes per rotation; memory O(2^n).
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import Array, lax

from ..common import real_dtype

# i^k for k = 0..3 (the phase of Y-letters), as (real, imag) pairs to stay dtype-neutral.
_I_POWERS = ((1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0))


def _index_dtype(num_amplitudes: int):
    return jnp.int32 if num_amplitudes <= 2**31 else jnp.int64


def _i_power(num_y: Array, dtype) -> Array:
    """i^num_y as a complex scalar of ``dtype`` (num_y may be traced)."""
    k = jnp.asarray(num_y) % 4
    table = jnp.array([complex(*p) for p in _I_POWERS], dtype=dtype)
    return table[k]


def apply_pauli(psi: Array, xmask: Array, zmask: Array, num_y: Array) -> Array:
    """P psi for one Pauli string given by its masks.

    Args:
        psi: shape=(2^n,), complex dtype.
        xmask, zmask: int scalars (may be traced): bit (n-1-k) set where letter k has an X / Z part.
        num_y: int scalar, number of Y letters (phase i^num_y).

    Returns:
        shape=(2^n,), same dtype as ``psi``.
    """
    size = psi.shape[0]
    idt = _index_dtype(size)
    c = jnp.arange(size, dtype=idt)
    src = jnp.bitwise_xor(c, jnp.asarray(xmask, idt))
    parity = lax.population_count(jnp.bitwise_and(src, jnp.asarray(zmask, idt))) & 1
    sign = (1 - 2 * parity).astype(real_dtype(psi.dtype))
    return _i_power(num_y, psi.dtype) * (sign * psi[src])


def apply_rotation(psi: Array, theta: Array, xmask: Array, zmask: Array, num_y: Array) -> Array:
    """exp(-i theta P / 2) psi; ``theta`` in radians (real scalar, may be traced)."""
    half = jnp.asarray(theta, real_dtype(psi.dtype)) / 2
    return jnp.cos(half) * psi - 1j * jnp.sin(half) * apply_pauli(psi, xmask, zmask, num_y)


def apply_rotations(psi: Array, thetas: Array, xmasks: Array, zmasks: Array, num_ys: Array) -> Array:
    """R_{P_{K-1}}(theta_{K-1}) ... R_{P_0}(theta_0) psi (rotation 0 acts first).

    Args:
        psi: shape=(2^n,), complex.
        thetas: shape=(K,), real, radians.
        xmasks, zmasks, num_ys: shape=(K,), int.

    Returns:
        shape=(2^n,), complex. Compile time does not depend on K (one ``lax.scan`` body).
    """

    def step(state, gate):
        theta, xm, zm, ny = gate
        return apply_rotation(state, theta, xm, zm, ny), None

    out, _ = lax.scan(step, psi, (thetas, xmasks, zmasks, num_ys))
    return out


def apply_rotations_inverse(psi: Array, thetas: Array, xmasks: Array, zmasks: Array, num_ys: Array) -> Array:
    """The inverse of :func:`apply_rotations`: R_{P_0}(-theta_0) ... R_{P_{K-1}}(-theta_{K-1}) psi."""

    def step(state, gate):
        theta, xm, zm, ny = gate
        return apply_rotation(state, -theta, xm, zm, ny), None

    out, _ = lax.scan(step, psi, (thetas, xmasks, zmasks, num_ys), reverse=True)
    return out


def apply_observable(psi: Array, observable: Array) -> Array:
    """O psi; ``observable`` is either a real diagonal, shape=(2^n,), or a dense matrix (2^n, 2^n)."""
    if observable.ndim == 1:
        return observable.astype(real_dtype(psi.dtype)) * psi
    return jnp.matmul(observable.astype(psi.dtype), psi, precision=lax.Precision.HIGHEST)


def expectation(psi: Array, observable: Array) -> Array:
    """<psi|O|psi> (real scalar of psi's real dtype), O Hermitian (diagonal or dense)."""
    return jnp.real(jnp.vdot(psi, apply_observable(psi, observable)))


def feature_gradient(
    alpha: Array, beta: Array, thetas: Array, xmasks: Array, zmasks: Array, num_ys: Array
) -> Array:
    """Gradient of the formula <beta| dU/dtheta_k |alpha> + c.c. for U = G_{K-1} ... G_0.

    ``alpha`` is the forward feature (state entering U) and ``beta`` the backward feature (O psi
    pulled back to the output of U). With dG_k/dtheta_k = -(i/2) P_k G_k,

        <beta| dU/dtheta_k |alpha> + c.c. = Im <beta_k| P_k |phi_k>,

    where phi_k = G_k ... G_0 alpha and beta_k = G_{k+1}^dag ... G_{K-1}^dag beta. Both are
    obtained by *uncomputing* the gates from the output one at a time (the gates are unitary), so
    memory is O(2^n), not O(K 2^n).

    Args:
        alpha, beta: shape=(2^n,), complex.
        thetas: shape=(K,), real, radians; xmasks, zmasks, num_ys: shape=(K,), int.

    Returns:
        shape=(K,), real dtype of ``alpha``.
    """
    phi = apply_rotations(alpha, thetas, xmasks, zmasks, num_ys)

    def step(carry, gate):
        phi, bk = carry  # state after gate k; backward feature after gate k
        theta, xm, zm, ny = gate
        g = jnp.imag(jnp.vdot(bk, apply_pauli(phi, xm, zm, ny)))
        phi = apply_rotation(phi, -theta, xm, zm, ny)
        bk = apply_rotation(bk, -theta, xm, zm, ny)
        return (phi, bk), g

    _, grad = lax.scan(step, (phi, beta), (thetas, xmasks, zmasks, num_ys), reverse=True)
    return grad


def adjoint_gradient(
    psi0: Array, thetas: Array, xmasks: Array, zmasks: Array, num_ys: Array, observable: Array
) -> tuple[Array, Array]:
    """F(theta) = <psi|O|psi> with psi = U(theta) psi0, and dF/dtheta (shape (K,)).

    The whole circuit is one block of :func:`feature_gradient` with alpha = psi0 and
    beta = O psi. Returns ``(F, grad)``: real scalar and shape=(K,).
    """
    psi = apply_rotations(psi0, thetas, xmasks, zmasks, num_ys)
    lam = apply_observable(psi, observable)
    value = jnp.real(jnp.vdot(psi, lam))
    return value, feature_gradient(psi0, lam, thetas, xmasks, zmasks, num_ys)


def layer_features(
    psi0: Array, thetas: Array, xmasks: Array, zmasks: Array, num_ys: Array, observable: Array
) -> tuple[Array, Array, Array]:
    """Forward and backward features at every layer of a layered circuit U = U_{L-1} ... U_0.

    Args:
        psi0: shape=(2^n,), complex input state.
        thetas: shape=(L, G), real radians; xmasks, zmasks, num_ys: shape=(L, G), int. Layers are
            padded to G gates with identity rotations (theta = 0).
        observable: diagonal (2^n,) or dense (2^n, 2^n) Hermitian.

    Returns:
        ``(value, alphas, betas)``: F (real scalar); alphas shape=(L, 2^n), alpha_l = U_{l-1} ...
        U_0 psi0 (the state Alice or Bob receives before applying layer l); betas shape=(L, 2^n),
        beta_l = U_{l+1}^dag ... U_{L-1}^dag O psi (O psi pulled back to the output of layer l).
    """

    def fwd(state, layer):
        return apply_rotations(state, *layer), state

    psi, alphas = lax.scan(fwd, psi0, (thetas, xmasks, zmasks, num_ys))
    lam = apply_observable(psi, observable)
    value = jnp.real(jnp.vdot(psi, lam))

    def bwd(b, layer):
        return apply_rotations_inverse(b, *layer), b

    _, betas = lax.scan(bwd, lam, (thetas, xmasks, zmasks, num_ys), reverse=True)
    return value, alphas, betas


def walsh_hadamard(psi: Array) -> Array:
    """H^{(x) n} psi (normalised Walsh-Hadamard transform) in O(n 2^n) without a dense matrix.

    Each step applies H to the most significant qubit and rotates that bit to the least
    significant position (a fixed-shape reshape/transpose), so after n steps every qubit has had
    its H and the index order is restored; one ``lax.scan`` body, compile time independent of n.
    """
    size = psi.shape[0]
    n = size.bit_length() - 1
    if n == 0:
        return psi
    s = jnp.asarray(2.0**-0.5, real_dtype(psi.dtype))

    def step(x, _):
        a, b = x[: size // 2], x[size // 2 :]
        y = jnp.stack([s * (a + b), s * (a - b)], axis=1)  # (size/2, 2): old MSB becomes the LSB
        return y.reshape(size), None

    out, _ = lax.scan(step, psi, None, length=n)
    return out


def diagonal_sign_flip(psi: Array, signs: Array) -> Array:
    """D psi with D = diag(signs), signs shape=(2^n,) of +-1 (a random-sign diagonal unitary)."""
    return signs.astype(real_dtype(psi.dtype)) * psi


def born_probabilities(psi: Array) -> Array:
    """|psi_c|^2, shape=(2^n,), real; computational-basis outcome law."""
    return jnp.real(psi) ** 2 + jnp.imag(psi) ** 2
