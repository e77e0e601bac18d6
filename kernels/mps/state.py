"""Matrix product states as pytrees of stacked site tensors, and the probe builders.

Layout (quimb's letters ``"lpr"``): ``tensors[j, l, p, r]`` is site ``j``'s tensor with left bond
``l``, physical index ``p`` (0 or 1, C2/C3 of SPEC) and right bond ``r``. All sites share one
bond dimension ``chi`` (pad with zeros where a state needs less), so the whole chain is a single
array of shape ``(N, chi, 2, chi)`` that ``lax.scan`` walks: compile time does not depend on N.

The amplitude of the bit string ``s`` is::

    psi(s) = left @ A_0[:, s_0, :] @ A_1[:, s_1, :] @ ... @ A_{N-1}[:, s_{N-1}, :] @ right

An ``MPS`` is a *ray*: every kernel divides by ``<psi|psi>`` (computed in log space in the same
sweep), so builders need not normalise, which is what keeps Dicke states at N = 10^5 finite.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from ..common import default_complex_dtype, real_dtype

LAYOUT = "lpr"  # site-tensor axes: left bond, physical, right bond

# Static probe kinds; "ghz" enables the closed-form fast paths.
KIND_GENERIC = "generic"
KIND_GHZ = "ghz"


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class MPS:
    """An open-boundary matrix product state (unnormalised ray).

    Attributes:
        tensors: complex array, shape=(N, chi, 2, chi), axes "lpr".
        left: complex array, shape=(chi,): left boundary vector.
        right: complex array, shape=(chi,): right boundary vector.
        kind: static tag; ``"ghz"`` marks the exact GHZ probe built by :func:`ghz` (enables
            closed-form samplers), anything else is ``"generic"``.
    """

    tensors: Array
    left: Array
    right: Array
    kind: str = dataclasses.field(default=KIND_GENERIC, metadata=dict(static=True))

    @property
    def num_sites(self) -> int:
        return self.tensors.shape[0]

    @property
    def bond_dim(self) -> int:
        return self.tensors.shape[1]

    @property
    def dtype(self):
        return self.tensors.dtype


def _cdtype(dtype):
    return jnp.dtype(default_complex_dtype() if dtype is None else dtype)


def ghz(n: int, *, dtype=None) -> MPS:
    """The GHZ probe (|0^N> + |1^N>)/sqrt(2) with bond dimension 2 (SPEC §6 [6.1]).

    Args:
        n: number of sites N >= 2 (validated by the public API).
        dtype: complex dtype; default complex128 under x64, else complex64.
    Returns:
        ``MPS`` with tensors of shape (n, 2, 2, 2), ``kind="ghz"``.
    """
    dt = _cdtype(dtype)
    copy, left, right = _ghz_constants(dt)
    if n <= CACHED_GHZ_SITES:  # parameter sweeps rebuild small probes: one cached, immutable array
        return MPS(_ghz_tensors(n, dt), left, right, KIND_GHZ)
    # One broadcast: eagerly a single op, under a trace a broadcast rather than a large
    # (N, 2, 2, 2) constant embedded in the program.
    return MPS(jnp.broadcast_to(copy, (n, 2, 2, 2)), left, right, KIND_GHZ)


# GHZ probes of up to this many sites reuse one stacked tensor per (N, dtype) (at most 64 kB each,
# 128 kept): an eager broadcast costs ~30 us, most of a small noisy parity call.
CACHED_GHZ_SITES = 512


@functools.lru_cache(maxsize=128)
def _ghz_tensors(n: int, dtype) -> Array:
    copy = _ghz_constants(dtype)[0]
    with jax.ensure_compile_time_eval():  # concrete even when first called under a trace
        return jnp.broadcast_to(copy, (n, 2, 2, 2))


@functools.lru_cache(maxsize=None)
def _ghz_constants(dtype) -> tuple[Array, Array, Array]:
    """GHZ's site tensor (2, 2, 2) and boundary vectors, as device arrays per dtype.

    Built once: immutable constants shared by every probe (a probe's leaves are immutable), so
    a builder call costs one broadcast instead of three host-to-device transfers."""
    copy = np.zeros((2, 2, 2), dtype)
    copy[0, 0, 0] = copy[1, 1, 1] = 1
    with jax.ensure_compile_time_eval():  # concrete arrays even when first called under a trace
        return (jnp.asarray(copy), jnp.asarray(np.full((2,), 1 / math.sqrt(2), dtype)),
                jnp.asarray(np.ones((2,), dtype)))


def product_plus(n: int, *, dtype=None) -> MPS:
    """The product probe |+>^N (bond dimension 1)."""
    dt = _cdtype(dtype)
    tensors = jnp.full((n, 1, 2, 1), 1 / math.sqrt(2), dt)
    one = jnp.ones((1,), dt)
    return MPS(tensors, one, one)


def dicke(n: int, k: int, *, dtype=None) -> MPS:
    """The Dicke state |D^N_k> (uniform superposition of weight-k strings), bond dimension k+1.

    The bond index counts the ones seen so far; the state is left unnormalised (all
    amplitudes 1), which every kernel handles through its log-norm.
    """
    dt = _cdtype(dtype)
    chi = k + 1
    a = jnp.arange(chi)
    site = jnp.zeros((chi, 2, chi), dt)
    site = site.at[a, 0, a].set(1)
    site = site.at[a[:-1], 1, a[1:]].set(1)
    tensors = jnp.broadcast_to(site, (n, chi, 2, chi))
    left = jnp.zeros((chi,), dt).at[0].set(1)
    right = jnp.zeros((chi,), dt).at[k].set(1)
    return MPS(tensors, left, right)


def w_state(n: int, *, dtype=None) -> MPS:
    """The W state (Dicke state with one excitation), bond dimension 2."""
    return dicke(n, 1, dtype=dtype)


def random_mps(key: Array, n: int, chi: int, *, dtype=None) -> MPS:
    """A random MPS with i.i.d. complex Gaussian site tensors and boundary vectors.

    Args:
        key: PRNG key.
        n: number of sites.
        chi: bond dimension.
    """
    dt = _cdtype(dtype)
    rt = real_dtype(dt)
    k1, k2, k3 = jax.random.split(key, 3)

    def cgauss(k, shape):
        kr, ki = jax.random.split(k)
        z = jax.random.normal(kr, shape, rt) + 1j * jax.random.normal(ki, shape, rt)
        return z.astype(dt)

    tensors = cgauss(k1, (n, chi, 2, chi)) / jnp.asarray(math.sqrt(2 * chi), rt).astype(dt)
    return MPS(tensors, cgauss(k2, (chi,)), cgauss(k3, (chi,)))


def with_phases(mps: MPS, phases: Array) -> MPS:
    """Materialise the encoded state: site j's ``|1>`` component times ``exp(i phases[j])``.

    Kernels never need this (they fuse the phases into their sweeps); it exists for oracles,
    converters and users who want the explicit encoded state. ``phases`` has shape (N,), radians.
    """
    ph = jnp.exp(1j * phases.astype(real_dtype(mps.dtype))).astype(mps.dtype)
    factors = jnp.stack([jnp.ones_like(ph), ph], axis=-1)  # (N, 2)
    return MPS(mps.tensors * factors[:, None, :, None], mps.left, mps.right)


def log_norm(mps: MPS) -> Array:
    """log <psi|psi> by a renormalised transfer sweep; real scalar."""
    rt = real_dtype(mps.dtype)
    env = jnp.outer(jnp.conj(mps.left), mps.left)

    def step(carry, a):
        env, logscale = carry
        env = jnp.einsum("ab,asc,bsd->cd", env, jnp.conj(a), a)
        scale = jnp.max(jnp.abs(env))
        scale = jnp.where(scale > 0, scale, 1)
        return (env / scale, logscale + jnp.log(scale)), None

    (env, logscale), _ = jax.lax.scan(step, (env, jnp.zeros((), rt)), mps.tensors)
    val = jnp.real(jnp.einsum("a,ab,b->", jnp.conj(mps.right), env, mps.right))
    return logscale + jnp.log(val)


def to_dense(mps: MPS, phases: Array | None = None) -> Array:
    """The normalised state vector, shape (2**N,), C2 ordering (qubit 0 most significant).

    An edge utility for small N (it unrolls over sites and allocates 2**N entries).
    """
    if phases is not None:
        mps = with_phases(mps, phases)
    vec = mps.left[None, :]  # (2**j, chi)
    for j in range(mps.num_sites):
        vec = jnp.einsum("ia,asb->isb", vec, mps.tensors[j]).reshape(-1, mps.bond_dim)
    vec = vec @ mps.right
    return vec / jnp.linalg.norm(vec)
