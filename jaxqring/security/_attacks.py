"""Attacks on GHZ copies distributed along a wiretapped ring, as documented pytrees.

**How copies travel (SPEC §3 [3.9], chain distribution).** Node 0 prepares |+>; for q = 1..N-1
node q-1 applies CNOT from its qubit onto a fresh |0> (qubit q) and sends qubit q over link
q-1 -> q, one transmission per link per copy. "Qubit q in transit" is therefore the qubit on
link q-1 -> q (q in 1..N-1); node q then copies it (in the Z basis) onto qubit q+1. Attacks act

* on a qubit in transit (:func:`intercept_resend`, :func:`entangling_probe`),
* on qubits held by the nodes after distribution (:func:`phase_flip`, :func:`bit_flip`,
  :func:`pauli_flip`),
* on the source, replacing the whole copy (:func:`substitute`),
* on whole copies (:func:`depolarize_copies`: a fraction of the copies is depolarised),
* on the protocol (:func:`adaptive`: c of the 2K copies carry an attack, the rest are honest).

:func:`combine` applies several transit/held-qubit attacks (and at most one substitution or
depolarisation) to the same copy. Honest hardware noise (a :class:`jaxqring.NoiseModel`)
is passed separately as ``noise=`` to every function and composes with any attack: it acts on
the held qubits after the attack (its "before" channels before the phase encoding, its "after"
channels after it, readout flips on the reported bits).

**Bond dimension each attack needs** (the exact engine's MPO bond D): every transit or
held-qubit attack keeps the chain MPO at D = 4 (the bond carries the ket/bra Z value of the last
transmitted qubit); a substitution by an MPS of bond chi gives D = chi^2 (all-zeros and |+>^N:
1, W and wrong-phase GHZ: 4); :func:`depolarize_copies` adds a second block (D -> 2 D).

**Clifford attacks** (checked against stim): intercept-resend in X, Y, Z or a random basis,
the entangling probe at theta = pi (a CNOT onto the ancilla times S^dagger on the transit qubit),
deterministic Pauli flips (p = 0 or 1), substitution by all-zeros, |+>^N or a GHZ with relative
phase a multiple of pi/2.
"""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from .. import kernels as K
from .._checks import check_choice, check_int, check_probability, check_real, is_traced
from .._probes import MPS

BASES = ("x", "y", "z", "random")
PAULIS = ("x", "y", "z")
STATES = ("zeros", "plus", "w", "ghz")


def _qubits(name: str, qubits, minimum: int) -> tuple[int, ...]:
    if isinstance(qubits, (int, np.integer)) and not isinstance(qubits, bool):
        qubits = (qubits,)
    try:
        seq = tuple(qubits)
    except TypeError:
        raise ValueError(f"Argument `{name}` must be an int or a sequence of ints, got {qubits!r}.") from None
    if not seq:
        raise ValueError(f"Argument `{name}` must name at least one qubit, got {qubits!r}.")
    out = tuple(check_int(name, q, minimum=minimum) for q in seq)
    if len(set(out)) != len(out):
        raise ValueError(f"Argument `{name}` must not repeat a qubit, got {out}.")
    return tuple(sorted(out))


def _prob(name: str, value) -> Array:
    check_probability(name, value)
    return jnp.asarray(value, jnp.result_type(float))


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class Honest:
    """No attack (the reference: F = 1 without noise)."""


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class InterceptResend:
    """Measure each listed qubit in transit in ``basis`` and resend the post-measurement state.

    Attributes:
        basis: static; "x", "y", "z" or "random" (each of X, Y, Z with probability 1/3).
        qubits: static tuple of transit qubits q in [1, N-1] (qubit q travels on link q-1 -> q).
    """

    basis: str = dataclasses.field(metadata=dict(static=True))
    qubits: tuple[int, ...] = dataclasses.field(metadata=dict(static=True))


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class EntanglingProbe:
    """A controlled-RX(theta) from each listed qubit in transit onto a fresh ancilla of the adversary.

    On the nodes' qubits this is a dephasing of the transit qubit with coherence cos(theta/2);
    at theta = pi it is a CNOT onto the ancilla (times S^dagger on the transit qubit): Clifford.

    Attributes:
        theta: real array, shape (), radians in [0, 2 pi].
        qubits: static tuple of transit qubits in [1, N-1].
    """

    theta: Array
    qubits: tuple[int, ...] = dataclasses.field(metadata=dict(static=True))


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class PauliFlip:
    """Apply the Pauli ``pauli`` with probability ``p`` to each listed held qubit.

    Attributes:
        p: real array, shape (), in [0, 1] (1: a deterministic flip).
        pauli: static; "x" (bit flip), "y" or "z" (phase flip).
        qubits: static tuple of node indices in [0, N-1].
    """

    p: Array
    pauli: str = dataclasses.field(metadata=dict(static=True))
    qubits: tuple[int, ...] = dataclasses.field(metadata=dict(static=True))


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class Substitute:
    """The source sends another state instead of GHZ.

    Attributes:
        state: an :class:`jaxqring.MPS` of N sites (its ``kind`` is ignored), or None for a named
            state.
        phase: real array, shape (), radians: the relative phase of ``name="ghz"``.
        name: static; "mps" (use ``state``), "zeros" (|0^N>), "plus" (|+>^N), "w" (the W state) or
            "ghz" ((|0^N> + e^{i phase}|1^N>)/sqrt 2).
    """

    state: MPS | None
    phase: Array
    name: str = dataclasses.field(metadata=dict(static=True))


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class DepolarizeCopies:
    """A fraction of the copies is depolarised: each of their qubits gets depolarising noise p.

    The state of one copy is (1 - fraction) rho + fraction Dep_p^{(x)N}(rho) (a mixture: D doubles).

    Attributes:
        fraction: real array, shape (), in [0, 1]. p: real array, shape (), in [0, 1] (SPEC C8).
    """

    fraction: Array
    p: Array


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class Combined:
    """Several attacks on the same copy, applied in order (transit, then held qubits)."""

    attacks: tuple


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class Adaptive:
    """The adversary corrupts ``corrupted`` of the 2K copies with ``attack`` and leaves the rest honest.

    Per-copy quantities (fidelity, detection) are those of ``attack``; the protocol laws use the
    hypergeometric number of corrupted copies that are tested (SPEC [7.4]).

    Attributes:
        attack: the attack on each corrupted copy (not itself adaptive).
        corrupted: static int c >= 0 (c <= 2K is checked by the protocol functions).
    """

    attack: object
    corrupted: int = dataclasses.field(metadata=dict(static=True))


ATTACK_TYPES = (Honest, InterceptResend, EntanglingProbe, PauliFlip, Substitute, DepolarizeCopies, Combined, Adaptive)


def honest() -> Honest:
    """No attack."""
    return Honest()


def intercept_resend(basis: str, qubit) -> InterceptResend:
    """Intercept-resend in ``basis`` ("x", "y", "z" or "random") of transit qubit(s) ``qubit`` (>= 1).

    Examples:
        >>> import jaxqring.security as sec
        >>> round(float(sec.detection_probability(sec.intercept_resend("z", 2), 4)), 4)
        0.2667
    """
    return InterceptResend(check_choice("basis", basis, BASES), _qubits("qubit", qubit, 1))


def entangling_probe(theta, qubit) -> EntanglingProbe:
    """Controlled-RX(theta) from transit qubit(s) ``qubit`` (>= 1) onto the adversary's ancilla.

    Args:
        theta: radians in [0, 2 pi]; pi is the Clifford (CNOT) probe.
        qubit: int or sequence of transit qubits.
    """
    if not is_traced(theta):
        check_real("theta", theta, minimum=0.0, maximum=2 * math.pi)
    return EntanglingProbe(jnp.asarray(theta, jnp.result_type(float)), _qubits("qubit", qubit, 1))


def pauli_flip(pauli: str, qubits, p=1.0) -> PauliFlip:
    """Pauli ``pauli`` ("x", "y" or "z") with probability ``p`` on held qubit(s) ``qubits``."""
    return PauliFlip(_prob("p", p), check_choice("pauli", pauli, PAULIS), _qubits("qubits", qubits, 0))


def phase_flip(qubits, p=1.0) -> PauliFlip:
    """Z with probability ``p`` on held qubit(s) ``qubits`` (p = 1: a state orthogonal to GHZ).

    Examples:
        >>> import jaxqring.security as sec
        >>> round(float(sec.detection_probability(sec.phase_flip(0), 4)), 4)  # 8/15
        0.5333
    """
    return pauli_flip("z", qubits, p)


def bit_flip(qubits, p=1.0) -> PauliFlip:
    """X with probability ``p`` on held qubit(s) ``qubits``."""
    return pauli_flip("x", qubits, p)


def substitute(state, *, phase=0.0) -> Substitute:
    """Substitute the copy at the source: an :class:`jaxqring.MPS`, or "zeros", "plus", "w", "ghz".

    Args:
        state: an MPS of N sites, or a name ("ghz" uses ``phase``, radians: a GHZ with the wrong
            relative phase).
        phase: relative phase of the substituted GHZ, radians (finite).
    """
    ph = jnp.asarray(check_real("phase", phase) if not is_traced(phase) else phase, jnp.result_type(float))
    if isinstance(state, MPS):
        return Substitute(state, ph, "mps")
    if isinstance(state, str):
        return Substitute(None, ph, check_choice("state", state, STATES))
    raise ValueError(f"Argument `state` must be a jaxqring MPS or one of {STATES}, got {type(state).__name__}.")


def depolarize_copies(fraction, p=1.0) -> DepolarizeCopies:
    """Depolarise (parameter ``p`` on every qubit) a ``fraction`` of the copies."""
    return DepolarizeCopies(_prob("fraction", fraction), _prob("p", p))


def combine(*attacks) -> Combined:
    """Apply several attacks to the same copy (at most one substitution, at most one depolarisation)."""
    if not attacks:
        raise ValueError("Argument `attacks` must hold at least one attack.")
    for i, a in enumerate(attacks):
        if isinstance(a, Adaptive):
            raise ValueError(f"Argument `attacks[{i}]` must not be adaptive (wrap the combination instead).")
        check_attack(a, f"attacks[{i}]")
    return Combined(tuple(attacks))


def adaptive(corrupted: int, attack=None) -> Adaptive:
    """Corrupt ``corrupted`` of the 2K copies with ``attack`` (default: a phase flip on node 0)."""
    c = check_int("corrupted", corrupted, minimum=0)
    attack = phase_flip(0) if attack is None else attack
    if isinstance(attack, Adaptive):
        raise ValueError("Argument `attack` must not itself be adaptive.")
    check_attack(attack, "attack")
    return Adaptive(attack, c)


def check_attack(attack, name: str = "attack"):
    """Raise a ValueError naming ``name`` unless ``attack`` is one of the attack pytrees."""
    if not isinstance(attack, ATTACK_TYPES):
        allowed = ", ".join(t.__name__ for t in ATTACK_TYPES)
        raise ValueError(f"Argument `{name}` must be an attack ({allowed}), got {type(attack).__name__}.")
    return attack


# ---------------------------------------------------------------------------------------------
# Lowering an attack to the engine's normal form.
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Lowered:
    """Normal form of an attack on N nodes (host-side; arrays complex).

    link: (N, 4, 4) transit superoperators; local: (N, 4, 4) held-qubit superoperators;
    source: MPS or None; depolarize: (fraction, p) or None.
    """

    link: Array
    local: Array
    source: MPS | None
    depolarize: tuple | None


def _kraus_superop(kraus: Array) -> Array:
    """(4, 4) superoperator sum_k K (x) conj(K) (row-major vec convention)."""
    return jnp.einsum("kab,kcd->acbd", kraus, jnp.conj(kraus)).reshape(4, 4)


def _basis_projectors(basis: str, dt) -> Array:
    bras = K.measurement_bras(dt)[{"x": 0, "y": 1, "z": 2}[basis]]  # [m, s] = <m|s>
    return jnp.einsum("ms,mt->mst", jnp.conj(bras), bras)  # |m><m|


def _intercept_superop(basis: str, dt) -> Array:
    if basis == "random":
        return sum(_kraus_superop(_basis_projectors(b, dt)) for b in PAULIS) / 3
    return _kraus_superop(_basis_projectors(basis, dt))


def _flip_superop(pauli: str, p: Array, dt) -> Array:
    sig = K.pauli_matrices(dt)[PAULIS.index(pauli)]
    pc = p.astype(dt)
    return (1 - pc) * jnp.eye(4, dtype=dt) + pc * _kraus_superop(sig[None])


def _check_range(name: str, qubits: tuple[int, ...], lo: int, n: int) -> None:
    bad = [q for q in qubits if q < lo or q > n - 1]
    if bad:
        what = "transit qubit (link q-1 -> q)" if lo == 1 else "node"
        raise ValueError(f"Argument `{name}` must be a {what} index in [{lo}, {n - 1}] for N = {n}, got {bad[0]}.")


def lower(attack, n: int, dt) -> Lowered:
    """Lower ``attack`` on N nodes to (link, local, source, depolarize); validates qubit ranges."""
    eye = jnp.broadcast_to(jnp.eye(4, dtype=dt), (n, 4, 4))
    link, local, source, dep, transit = eye, eye, None, None, False
    parts = attack.attacks if isinstance(attack, Combined) else (attack,)
    if isinstance(attack, Adaptive):
        parts = (attack.attack,)
    for a in parts:
        if isinstance(a, Honest):
            continue
        if isinstance(a, InterceptResend):
            _check_range("qubit", a.qubits, 1, n)
            transit = True
            s = _intercept_superop(a.basis, dt)
            idx = jnp.asarray(a.qubits)
            link = link.at[idx].set(jnp.einsum("ab,qbc->qac", s, link[idx]))
        elif isinstance(a, EntanglingProbe):
            _check_range("qubit", a.qubits, 1, n)
            transit = True
            c = jnp.cos(a.theta / 2).astype(dt)
            one = jnp.ones((), dt)
            s = jnp.diag(jnp.stack([one, c, c, one]))
            idx = jnp.asarray(a.qubits)
            link = link.at[idx].set(jnp.einsum("ab,qbc->qac", s, link[idx]))
        elif isinstance(a, PauliFlip):
            _check_range("qubits", a.qubits, 0, n)
            s = _flip_superop(a.pauli, a.p, dt)
            idx = jnp.asarray(a.qubits)
            local = local.at[idx].set(jnp.einsum("ab,qbc->qac", s, local[idx]))
        elif isinstance(a, Substitute):
            if source is not None:
                raise ValueError("Argument `attack` must hold at most one substitution.")
            source = _source_state(a, n, dt)
        elif isinstance(a, DepolarizeCopies):
            if dep is not None:
                raise ValueError("Argument `attack` must hold at most one depolarize_copies.")
            dep = (a.fraction, a.p)
        elif isinstance(a, (Combined, Adaptive)):
            raise ValueError(f"Argument `attack` must not nest {type(a).__name__} inside combine().")
        else:
            check_attack(a)
    if source is not None and transit:
        raise ValueError(
            "Argument `attack` combines a substitution with a transit attack; a substituted state is "
            "not chain-distributed, so only held-qubit attacks compose with it."
        )
    return Lowered(link, local, source, dep)


def _source_state(a: Substitute, n: int, dt) -> MPS:
    if a.name == "mps":
        st = a.state
        if st.num_sites != n:
            raise ValueError(f"Argument `state` must have N = {n} sites, got {st.num_sites}.")
        return K.MPS(st.tensors.astype(dt), st.left.astype(dt), st.right.astype(dt))
    if a.name == "zeros":
        t = jnp.zeros((n, 1, 2, 1), dt).at[:, 0, 0, 0].set(1)
        one = jnp.ones((1,), dt)
        return K.MPS(t, one, one)
    if a.name == "plus":
        return K.product_plus(n, dtype=dt)
    if a.name == "w":
        return K.w_state(n, dtype=dt)
    g = K.ghz(n, dtype=dt)
    ph = jnp.zeros((n,), a.phase.dtype).at[0].set(a.phase)
    return K.with_phases(K.MPS(g.tensors, g.left, g.right), ph)
