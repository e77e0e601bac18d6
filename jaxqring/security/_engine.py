"""Exact engine: fidelity, detection and pass probabilities of stabilizer tests on attacked copies.

SPEC §7. Every quantity here is exact (no sampling) and costs O(N D^2) per test, D the MPO bond
of the attack (``_attacks`` module docstring). The attacked copy is built once per call as a
density MPO (``kernels.stabilizer.state``); honest noise composes: adversary first, then the
noise model's "before" channels, (encoding,) its "after" channels, and readout flips on the
reported bits.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from .. import kernels as K
from .._checks import check_int, check_key
from .._noise import prepare_noise
from ..kernels import stabilizer as SK
from ..kernels.mpo import channels as nz
from ._attacks import check_attack, lower

# Largest test batch handled in one sweep; bigger batches are streamed in chunks of this size.
_CHUNK = 1 << 14


class StabilizerTests(NamedTuple):
    """A batch of stabilizer-test labels (SPEC §7).

    Fields:
        t: uint8 (K,): 0 for Z-type elements Z_T, 1 for X^{(x)N} Z_T.
        tau: uint8 (K, N): membership bits of T (|T| even; t = 0 with T empty never occurs).
    """

    t: Array  # shape=(K,), dtype=uint8
    tau: Array  # shape=(K, N), dtype=uint8


class TestRecord(NamedTuple):
    """Sampled stabilizer tests: labels, reported outcomes and verdicts.

    Fields:
        tests: ``StabilizerTests`` (K tests on N nodes).
        outcomes: uint8 (K, N): broadcast outcome bits (idle nodes of t = 0 tests report 0).
        passed: bool (K,).
    """

    __test__ = False  # not a pytest test class

    tests: StabilizerTests
    outcomes: Array  # shape=(K, N), dtype=uint8
    passed: Array  # shape=(K,), dtype=bool


class AttackedCopy(NamedTuple):
    """One attacked copy ready for the kernels: MPO (noise "before" applied) and the rest of the noise."""

    mpo: K.DensityMPO
    after: Array  # (N, 4, 4) complex
    readout: Array  # (N,) real


def check_nodes(n) -> int:
    return check_int("n", n, minimum=2)


def attacked_copy(attack, n: int, noise=None, *, dtype=None) -> AttackedCopy:
    """Build the attacked (and noisy) copy on N nodes as a normalised density MPO."""
    check_attack(attack)
    n = check_nodes(n)
    dt = jnp.dtype(K.default_complex_dtype() if dtype is None else dtype)
    local_noise = prepare_noise(noise, n, dt)
    return _assemble(attack, n, dt, local_noise.before.astype(dt), local_noise.after.astype(dt), local_noise.readout)


@partial(jax.jit, static_argnums=(1, 2))
def _assemble(attack, n, dt, before, after, readout) -> AttackedCopy:
    """Lower the attack and build the copy's MPO (adversary, then the noise's before-channels).

    One compiled call per attack structure (its static fields) and N; range errors of the
    attack's qubit indices are raised while tracing, before anything runs.
    """
    low = lower(attack, n, dt)
    if low.source is not None:
        mpo = SK.normalise(SK.apply_local(SK.mps_mpo(low.source), low.local))
    else:
        mpo = SK.chain_mpo(low.link, low.local)
    if low.depolarize is not None:
        fraction, p = low.depolarize
        dep = jnp.broadcast_to(nz.channel_superop("depolarizing", p, dt), (n, 4, 4))
        mpo = SK.mix(mpo, SK.apply_local(mpo, dep), fraction)
    return AttackedCopy(SK.apply_local(mpo, before), after, readout)


@jax.jit
def _overlaps(copy: AttackedCopy) -> tuple[Array, Array]:
    """(F, F_eff): fidelity with GHZ, and the readout-weighted F_eff with detection = d0 (1 - F_eff)."""
    mpo = SK.apply_local(copy.mpo, copy.after)
    n = mpo.tensors.shape[0]
    dt = mpo.tensors.dtype
    logtr = SK.log_trace_mpo(mpo)
    c = (1 - 2 * copy.readout).astype(dt)
    z = jnp.array([[1, 0], [0, -1]], dt)
    eye = jnp.eye(2, dtype=dt)
    e = jnp.eye(2, dtype=dt)
    ket_bra = lambda a, b: jnp.outer(e[a], e[b])

    def value(ops):
        mant, logs = SK.chain_log_value(mpo.left, SK.product_transfer(mpo, ops), mpo.right)
        return mant * jnp.exp(logs - logtr)

    every = lambda op: jnp.broadcast_to(op, (n, 2, 2))
    r00, r11 = value(every(ket_bra(0, 0))), value(every(ket_bra(1, 1)))
    r10 = value(every(ket_bra(0, 1)))  # Tr(rho |0^N><1^N|) = <1^N| rho |0^N>
    fid = jnp.real(r00 + r11) / 2 + jnp.real(r10)
    plus = value((eye[None] + c[:, None, None] * z[None]) / 2)
    minus = value((eye[None] - c[:, None, None] * z[None]) / 2)
    # log prod_j (1 - 2 r_j) may be -inf (r = 1/2): then the X-type tests carry no signal.
    f_read = jnp.prod(jnp.real(c))
    f_eff = jnp.real(plus + minus) / 2 + f_read * jnp.real(r10)
    return fid, f_eff


def fidelity(attack, n: int, *, noise=None) -> Array:
    """F = <GHZ_N| rho |GHZ_N> of one attacked copy (honest quantum noise included, readout not).

    Args:
        attack: an attack pytree (``jaxqring.security``). n: number of nodes N >= 2.
        noise: optional ``jaxqring.NoiseModel`` (channels before and after the phase encoding act
            with zero phase here).
    Returns:
        real scalar (float64 under x64).

    Examples:
        >>> import jaxqring.security as sec
        >>> float(sec.fidelity(sec.substitute("zeros"), 4))
        0.5
    """
    fid, _ = _overlaps(attacked_copy(attack, n, noise))
    return fid


def detection_probability(attack, n: int, *, noise=None) -> Array:
    """Exact per-copy detection probability under a uniform nontrivial stabilizer test (SPEC [7.2]).

    Computed in O(N) from four product-operator sweeps: the average over the 2^N - 1 nontrivial
    elements of (1 - <S>)/2 equals d0 (1 - F_eff), d0 = 2^(N-1)/(2^N - 1), where F_eff = F
    without readout errors (so P = (1 - F) d0 [7.2]); with readout flips r_j, F_eff weights the
    Z-type part by prod_{j in T}(1 - 2 r_j) and the X-type part by prod_j (1 - 2 r_j).

    Args:
        attack: attack pytree. n: N >= 2. noise: optional ``NoiseModel``.
    Returns:
        real scalar in [0, 1].

    Examples:
        >>> import jaxqring.security as sec
        >>> round(float(sec.detection_probability(sec.substitute("zeros"), 4)), 4)  # (1/2) 8/15
        0.2667
    """
    n = check_nodes(n)
    _, f_eff = _overlaps(attacked_copy(attack, n, noise))
    return jnp.exp(SK.log_d0(n)) * (1 - f_eff)


def draw_tests(key, n: int, num_tests: int) -> StabilizerTests:
    """Draw ``num_tests`` independent uniform nontrivial stabilizer labels from public randomness.

    Args:
        key: one JAX PRNG key. n: N >= 2. num_tests: K >= 1.
    Returns:
        ``StabilizerTests`` with t (K,) and tau (K, N), uint8. Reproducible for the same key,
        shapes and jax version.
    """
    check_key("key", key)
    n = check_nodes(n)
    num_tests = check_int("num_tests", num_tests, minimum=1)
    t, tau = _draw(key, n, num_tests)
    return StabilizerTests(t, tau)


@partial(jax.jit, static_argnums=(1, 2))
def _draw(key, n, num_tests):
    return SK.draw_tests(key, n, num_tests)


def check_tests(tests, n: int) -> StabilizerTests:
    if not isinstance(tests, StabilizerTests):
        raise ValueError(f"Argument `tests` must be a StabilizerTests (from draw_tests), got {type(tests).__name__}.")
    t, tau = np.asarray(tests.t), np.asarray(tests.tau)
    if t.ndim != 1 or tau.shape != (t.shape[0], n):
        raise ValueError(f"Argument `tests` must have t (K,) and tau (K, {n}), got {t.shape} and {tau.shape}.")
    if np.any(t > 1) or np.any(tau > 1) or np.any(tau.sum(axis=1) % 2) or np.any((t == 0) & (tau.sum(axis=1) == 0)):
        raise ValueError("Argument `tests` must hold nontrivial labels with bits in {0, 1} and |T| even.")
    return StabilizerTests(jnp.asarray(t, jnp.uint8), jnp.asarray(tau, jnp.uint8))


@jax.jit
def _pass_core(copy: AttackedCopy, t: Array, tau: Array) -> Array:
    transfer = SK.pauli_transfer(copy.mpo, copy.after, copy.readout)
    logtr = SK.log_trace_mpo(copy.mpo)
    codes, sign = SK.label_codes(t, tau)
    return SK.pass_probabilities(transfer, copy.mpo.left, copy.mpo.right, logtr, codes, sign)


def pass_probabilities(attack, n: int, tests: StabilizerTests, *, noise=None) -> Array:
    """Exact pass probability of every test in ``tests`` on one attacked copy.

    Args:
        attack: attack pytree. n: N >= 2. tests: ``StabilizerTests`` (K tests).
        noise: optional ``NoiseModel`` (readout flips included).
    Returns:
        real (K,) in [0, 1]: (1 + sign <S>)/2 per test.
    """
    n = check_nodes(n)
    tests = check_tests(tests, n)
    copy = attacked_copy(attack, n, noise)
    num = tests.t.shape[0]
    out = [
        _pass_core(copy, tests.t[i : i + _CHUNK], tests.tau[i : i + _CHUNK]) for i in range(0, num, _CHUNK)
    ]
    return jnp.concatenate(out)


@jax.jit
def _outcome_logp_core(copy: AttackedCopy, t: Array, tau: Array, outcomes: Array) -> Array:
    transfer = SK.pauli_transfer(copy.mpo, copy.after, copy.readout)
    logtr = SK.log_trace_mpo(copy.mpo)
    codes, _ = SK.label_codes(t, tau)
    return jax.vmap(lambda c, b: SK.string_log_probability(transfer, copy.mpo.left, copy.mpo.right, logtr, c, b))(
        codes, outcomes
    )


def outcome_log_probability(attack, n: int, tests: StabilizerTests, outcomes, *, noise=None) -> Array:
    """Exact log-probability of each reported outcome string (the full test-outcome law).

    Args:
        tests: ``StabilizerTests`` (K). outcomes: (K, N) bits (0 where a node is idle).
    Returns:
        real (K,): log p(outcomes[k] | test k); -inf for an impossible string.
    """
    n = check_nodes(n)
    tests = check_tests(tests, n)
    outcomes = np.asarray(outcomes)
    if outcomes.shape != tests.tau.shape or np.any((outcomes != 0) & (outcomes != 1)):
        raise ValueError(f"Argument `outcomes` must be bits of shape {tests.tau.shape}, got shape {outcomes.shape}.")
    return _outcome_logp_core(attacked_copy(attack, n, noise), tests.t, tests.tau, jnp.asarray(outcomes, jnp.uint8))


@jax.jit
def sample_core(key, copy: AttackedCopy, t: Array, tau: Array) -> tuple[Array, Array]:
    transfer = SK.pauli_transfer(copy.mpo, copy.after, copy.readout)
    codes, sign = SK.label_codes(t, tau)
    bits = SK.sample_outcomes(key, transfer, copy.mpo.left, copy.mpo.right, codes)
    parity = jnp.sum(bits, axis=1, dtype=jnp.int32) & 1
    return bits, (1 - 2 * parity) == sign


def sample_tests(key, attack, n: int, num_tests: int, *, noise=None) -> TestRecord:
    """Run ``num_tests`` stabilizer tests on independent attacked copies and sample their outcomes.

    Labels come from ``draw_tests`` (public randomness); the N outcome bits of each test are drawn
    exactly from the attacked (noisy) copy by sequential conditional sampling.

    Args:
        key: one JAX PRNG key. attack: attack pytree. n: N >= 2. num_tests: K >= 1.
        noise: optional ``NoiseModel``.
    Returns:
        ``TestRecord`` (labels, outcomes (K, N) uint8, passed (K,) bool).
    """
    check_key("key", key)
    n = check_nodes(n)
    num_tests = check_int("num_tests", num_tests, minimum=1)
    k_labels, k_outcomes = jax.random.split(key)
    tests = draw_tests(k_labels, n, num_tests)
    bits, passed = sample_core(k_outcomes, attacked_copy(attack, n, noise), tests.t, tests.tau)
    return TestRecord(tests, bits, passed)
