"""Where the EPR pairs come from: a per-link entanglement-supply model.

The superdense ring (SPEC §2) consumes ``ceil(B/2)`` pre-shared pairs per B-bit message. This
module models how a link obtains them: heralded generation attempts, optional purification at
heralding, storage in a finite memory where both halves decohere, and a cut-off. It answers: how
many pairs of fidelity >= F_min does each link hold at time t (the whole distribution, exactly
by a Markov chain for small memories, by a vectorised Monte Carlo otherwise), which pairs does an
all-reduce consume, and what EPR state does the ring then see.

Time is discrete: step ``dt`` seconds; a link makes ``m = attempt_rate * dt`` attempts per step
(an integer), each heralding a pair with probability ``p``. A pair heralded in step s is fresh
(age 0) at the end of step s; at the end of step n it has waited (n - s) dt seconds and its state
is ``age(fresh_state, (n - s) dt)`` (closed form, :func:`~jaxqring.kernels.comm.bell_diagonal.age`).
The memory model (age histograms, capacity policies) is documented in
:mod:`jaxqring.kernels.comm.supply`.
"""

from __future__ import annotations

import dataclasses
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from .._checks import check_choice, check_int, check_key, check_real
from ..kernels.comm import bell_diagonal as KB
from ..kernels.comm import supply as KS
from ._purification import PROTOCOLS, check_pairs, purify_rounds, werner_pairs
from ._ring import ring_ledger
from ._superdense import EPRModel, superdense_capacity

POLICIES = tuple(KS.POLICIES)
METHODS = ("monte_carlo", "exact")

# Largest exact chain: states x arrival outcomes in the successor table.
MAX_EXACT_TABLE = 4_000_000
# Largest Monte Carlo output + state held at once.
MAX_MONTE_CARLO_BYTES = 4 * 2**30


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class LinkModel:
    """Hardware of L links (a pytree; every field has a leading link axis, so links may differ).

    Attributes:
        attempt_rate: shape=(L,), float: generation attempts per second.
        herald_probability: shape=(L,), float in [0, 1]: probability an attempt heralds a pair.
        fresh_state: shape=(L, 4), float: Bell-diagonal coefficients (Phi+, Psi-, Psi+, Phi-) of
            a freshly heralded pair.
        dephasing_rate: shape=(L,), float >= 0, 1/s: pure dephasing of each memory qubit
            (coherence ~ exp(-rate t); 1/T2 for pure dephasing).
        depolarizing_rate: shape=(L,), float >= 0, 1/s: depolarisation of each memory qubit
            (Bloch vector ~ exp(-rate t)).
        capacity: shape=(L,), int32 >= 1: pairs the link's memories can hold.
        qubit_rate: shape=(L,), float > 0: online qubits per second the link can transmit.
    """

    attempt_rate: Array
    herald_probability: Array
    fresh_state: Array
    dephasing_rate: Array
    depolarizing_rate: Array
    capacity: Array
    qubit_rate: Array

    @property
    def num_links(self) -> int:
        return int(jnp.shape(self.attempt_rate)[0])

    @property
    def fresh_fidelity(self) -> Array:
        """shape=(L,): fidelity of a fresh pair."""
        return self.fresh_state[:, 0]

    def aged_state(self, duration) -> Array:
        """shape=(..., L, 4): state of a pair that waited ``duration`` seconds (shape (...))."""
        t = jnp.asarray(duration)[..., None]
        return KB.age(self.fresh_state, t, self.dephasing_rate, self.depolarizing_rate)

    def aged_fidelity(self, duration) -> Array:
        """shape=(..., L): fidelity of a pair that waited ``duration`` seconds (shape (...))."""
        return self.aged_state(duration)[..., 0]


def _per_link(name: str, value, num_links: int | None, *, lo: float, hi: float | None = None, exclusive: bool = False):
    arr = np.asarray(value, dtype=float)
    if arr.ndim > 1:
        raise ValueError(f"Argument `{name}` must be a scalar or a 1-D array (one value per link), got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"Argument `{name}` must be finite, got {value!r}.")
    bad = (arr <= lo) if exclusive else (arr < lo)
    if hi is not None:
        bad = bad | (arr > hi)
    if np.any(bad):
        rng = f"> {lo}" if exclusive else f">= {lo}"
        rng = rng if hi is None else f"in [{lo}, {hi}]"
        raise ValueError(f"Argument `{name}` must be {rng}, got {value!r}.")
    return arr


def link_model(
    *,
    attempt_rate,
    herald_probability,
    capacity,
    fidelity=None,
    fresh_state=None,
    dephasing_rate=0.0,
    depolarizing_rate=0.0,
    qubit_rate=1e6,
    num_links: int | None = None,
) -> LinkModel:
    """Build a validated :class:`LinkModel`; scalars broadcast to every link.

    Args:
        attempt_rate: attempts per second, > 0 (scalar or (L,)).
        herald_probability: success probability of an attempt, in [0, 1].
        capacity: pairs the memory can hold, integer >= 1.
        fidelity: Werner fidelity of a fresh pair in [0.25, 1] (give this or ``fresh_state``).
        fresh_state: (4,) or (L, 4) Bell-diagonal coefficients (Phi+, Psi-, Psi+, Phi-).
        dephasing_rate: 1/s per memory qubit, >= 0 (use 1/T2).
        depolarizing_rate: 1/s per memory qubit, >= 0.
        qubit_rate: online qubits per second, > 0.
        num_links: L (default: the longest per-link argument, else 1).
    Returns:
        :class:`LinkModel` with float64 fields when x64 is enabled (else float32).

    Examples:
        >>> import jaxqring as jq
        >>> link = jq.allreduce.link_model(attempt_rate=1e6, herald_probability=1e-3,
        ...                                capacity=100, fidelity=0.95, dephasing_rate=10.0)
        >>> link.num_links, round(float(link.aged_fidelity(0.01)[0]), 4)
        (1, 0.8654)
    """
    if (fidelity is None) == (fresh_state is None):
        raise ValueError("Give exactly one of the arguments `fidelity` (Werner) and `fresh_state` (Bell-diagonal).")
    scalars = {
        "attempt_rate": _per_link("attempt_rate", attempt_rate, num_links, lo=0.0, exclusive=True),
        "herald_probability": _per_link("herald_probability", herald_probability, num_links, lo=0.0, hi=1.0),
        "dephasing_rate": _per_link("dephasing_rate", dephasing_rate, num_links, lo=0.0),
        "depolarizing_rate": _per_link("depolarizing_rate", depolarizing_rate, num_links, lo=0.0),
        "qubit_rate": _per_link("qubit_rate", qubit_rate, num_links, lo=0.0, exclusive=True),
    }
    cap = np.asarray(capacity)
    if cap.ndim > 1 or not np.issubdtype(cap.dtype, np.integer) and not np.all(np.mod(cap, 1) == 0):
        raise ValueError(f"Argument `capacity` must be an integer (or 1-D integers, one per link), got {capacity!r}.")
    if np.any(cap < 1) or np.any(cap > 2**30):
        raise ValueError(f"Argument `capacity` must be in [1, 2**30] pairs, got {capacity!r}.")
    scalars["capacity"] = cap.astype(np.int64)
    if fidelity is not None:
        f = _per_link("fidelity", fidelity, num_links, lo=0.25, hi=1.0)
        state = np.asarray(werner_pairs(f.astype(np.float64)), dtype=float)
    else:
        state = np.asarray(check_pairs("fresh_state", fresh_state), dtype=float)
        if state.ndim > 2:
            raise ValueError(f"Argument `fresh_state` must have shape (4,) or (L, 4), got {state.shape}.")
        if state[..., 0].min() < 0.25:
            raise ValueError(f"Argument `fresh_state` must have fidelity (first coefficient) >= 0.25, got {state[..., 0].min()}.")
    lengths = {v.shape[0] for v in scalars.values() if v.ndim == 1} | ({state.shape[0]} if state.ndim == 2 else set())
    if num_links is not None:
        num_links = check_int("num_links", num_links, minimum=1)
        lengths.add(num_links)
    lengths.discard(1)
    if len(lengths) > 1:
        raise ValueError(f"Per-link arguments must all have the same length L (or be scalars), got lengths {sorted(lengths)}.")
    n = lengths.pop() if lengths else 1
    fdt = jax.dtypes.canonicalize_dtype(jnp.float64)
    out = {k: jnp.asarray(np.broadcast_to(v, (n,)), fdt if k != "capacity" else jnp.int32) for k, v in scalars.items()}
    return LinkModel(fresh_state=jnp.asarray(np.broadcast_to(state, (n, 4)), fdt), **out)


def _parse_purify(purify) -> tuple[str, int] | None:
    """None, ``"dejmps:2"`` or ``("dejmps", 2)`` -> (protocol, rounds) or None."""
    if purify is None:
        return None
    if isinstance(purify, str):
        name, _, rounds = purify.partition(":")
        try:
            purify = (name, int(rounds or 1))
        except ValueError:
            raise ValueError(f"Argument `purify` must look like 'dejmps:2' or ('dejmps', 2), got {purify!r}.") from None
    if not isinstance(purify, tuple) or len(purify) != 2:
        raise ValueError(f"Argument `purify` must look like 'dejmps:2' or ('dejmps', 2), got {purify!r}.")
    check_choice("purify", purify[0], PROTOCOLS)
    return purify[0], check_int("purify rounds", purify[1], minimum=0, maximum=16)


class SupplyPlan(NamedTuple):
    """Static discretisation shared by the Monte Carlo and the exact chain (numpy, host)."""

    attempts: np.ndarray  # (L,) int attempts per step
    round_probabilities: np.ndarray  # (L, R) success probability of each heralding round
    bucket_state: np.ndarray  # (L, A, 4) pair state at each age
    good_mask: np.ndarray  # (L, A) bool: fidelity >= F_min at that age
    num_buckets: int


def attempts_per_step(link: LinkModel, dt: float) -> np.ndarray:
    """shape=(L,), int64: m = attempt_rate * dt, which must be a whole number >= 1 per link.

    The check allows a relative rounding error of 1e-6 (rates stored in float32 without x64).
    """
    m_float = np.asarray(link.attempt_rate, np.float64) * float(dt)
    attempts = np.rint(m_float)
    if np.any(attempts < 1) or np.any(np.abs(attempts - m_float) > 1e-6 * np.maximum(1.0, m_float)):
        raise ValueError(
            "Argument `dt` must make attempt_rate * dt a whole number (>= 1) of attempts per step, "
            f"got attempt_rate * dt = {m_float.tolist()}."
        )
    return attempts.astype(np.int64)


def _plan(link: LinkModel, *, dt: float, steps: int, min_fidelity: float, cutoff, purify) -> SupplyPlan:
    # Static host bookkeeping: evaluated eagerly even when the caller is being traced.
    with jax.ensure_compile_time_eval():
        return _plan_eager(link, dt=dt, steps=steps, min_fidelity=min_fidelity, cutoff=cutoff, purify=purify)


def _plan_eager(link: LinkModel, *, dt: float, steps: int, min_fidelity: float, cutoff, purify) -> SupplyPlan:
    attempts = attempts_per_step(link, dt)
    fresh = np.asarray(link.fresh_state, float)
    probs = np.zeros((link.num_links, 0))
    if purify is not None:
        rounds = purify_rounds(jnp.asarray(fresh), rounds=purify[1], protocol=purify[0])
        fresh = np.asarray(rounds.coefficients[-1], float)
        probs = np.asarray(rounds.success_probability, float).T.reshape(link.num_links, -1)
    horizon = steps  # no pair can be older than steps - 1
    if cutoff is not None:
        cutoff = check_real("cutoff", cutoff, minimum=0.0)
        horizon = min(horizon, math.floor(cutoff / dt + 1e-9) + 1)
    ages = np.arange(horizon) * dt
    state = np.asarray(
        KB.age(jnp.asarray(fresh)[:, None, :], jnp.asarray(ages)[None, :], np.asarray(link.dephasing_rate)[:, None],
               np.asarray(link.depolarizing_rate)[:, None]),
        float,
    )
    good = state[..., 0] >= min_fidelity - 1e-12
    if cutoff is None:  # default cut-off: discard pairs once they can never be good again
        last = np.max(np.where(good, np.arange(horizon)[None, :], -1))
        horizon = max(int(last) + 1, 1)
        state, good = state[:, :horizon], good[:, :horizon]
    if not np.any(good):
        raise ValueError(
            f"Argument `min_fidelity` ({min_fidelity}) is above the fidelity of every stored pair "
            f"(fresh pairs after purification have fidelity {fresh[:, 0].max():.6g})."
        )
    return SupplyPlan(attempts, probs, state, good, horizon)


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class SupplyResult:
    """Supply of L links over T steps (from empty memories at time 0).

    Attributes:
        times: shape=(T,), float: seconds at the end of each step (dt, 2 dt, ..., T dt).
        bucket_state: shape=(L, A, 4), float: state of a stored pair of age a dt (DEJMPS order).
        good_mask: shape=(L, A), bool: ages whose fidelity is >= ``min_fidelity``.
        good: Monte Carlo: shape=(T, trials, L), int32: good pairs held after each step; exact: None.
        stored: Monte Carlo: shape=(T, trials, L), int32: all stored pairs; exact: None.
        counts: Monte Carlo: shape=(trials, L, A), int32: final age histograms; exact: None.
        good_law: exact: shape=(T, L, C + 1), float: law of the good pairs after each step
            (C = the largest capacity); Monte Carlo: None.
        mean_counts: shape=(L, A), float: expected final age histogram (exact) or its trial mean.
        method: "monte_carlo" or "exact" (static).
    """

    times: Array
    bucket_state: Array
    good_mask: Array
    good: Array | None
    stored: Array | None
    counts: Array | None
    good_law: Array | None
    mean_counts: Array
    method: str = dataclasses.field(metadata={"static": True})

    def ready_probability(self, needed) -> Array:
        """shape=(T, L): P(link holds >= needed[l] good pairs) after each step.

        Exact from the chain, or the fraction of trials for the Monte Carlo.
        """
        if self.good_law is not None:
            shape = self.good_law.shape
            c = jnp.broadcast_to(jnp.arange(shape[-1]), shape)
            need = jnp.broadcast_to(jnp.asarray(needed)[:, None], shape)
            return jnp.sum(jnp.where(c >= need, self.good_law, 0), axis=-1)
        need = jnp.broadcast_to(jnp.asarray(needed), self.good.shape)
        return jnp.mean(self.good >= need, axis=1)

    def fidelity_histogram(self) -> tuple[Array, Array]:
        """(fidelity (L, A), expected pairs (L, A)) at the final time: one bar per age."""
        return self.bucket_state[..., 0], self.mean_counts


def supply(
    link: LinkModel,
    *,
    dt: float,
    steps: int,
    min_fidelity: float,
    method: str = "monte_carlo",
    key=None,
    trials: int = 1,
    policy: str = "replace_oldest",
    cutoff: float | None = None,
    purify=None,
) -> SupplyResult:
    """Distribution over time of the good pairs (fidelity >= F_min) each link holds.

    Args:
        link: :class:`LinkModel` of L links (simulated independently).
        dt: step length in seconds (> 0); ``attempt_rate * dt`` must be whole attempts.
        steps: T >= 1 steps from empty memories.
        min_fidelity: F_min in [0.25, 1].
        method: ``"monte_carlo"`` (``trials`` runs, needs ``key``) or ``"exact"`` (Markov chain
            over age histograms; for small memories: comb(A + C, C) states).
        key: PRNG key (Monte Carlo). Results reproduce for the same key, shapes and jax version.
        trials: independent Monte Carlo runs per link.
        policy: ``"replace_oldest"`` (a full memory drops its oldest pair for a new one) or
            ``"drop_new"`` (new pairs are rejected while the memory is full).
        cutoff: seconds after which a stored pair is discarded (default: when its fidelity can no
            longer reach F_min).
        purify: None or ``"dejmps:2"`` / ``("bbpssw", 1)``: rounds of recurrence purification
            applied to pairs heralded in the same step (pairs grouped in twos, an odd one dropped).
    Returns:
        :class:`SupplyResult`.

    Examples:
        >>> import jax, jaxqring as jq
        >>> link = jq.allreduce.link_model(attempt_rate=100.0, herald_probability=0.5,
        ...                                capacity=3, fidelity=0.95, dephasing_rate=20.0)
        >>> res = jq.allreduce.supply(link, dt=0.01, steps=4, min_fidelity=0.9, method="exact")
        >>> res.good_law.shape   # (steps, links, capacity + 1)
        (4, 1, 4)
    """
    if not isinstance(link, LinkModel):
        raise ValueError(f"Argument `link` must be a LinkModel (jaxqring.allreduce.link_model), got {type(link).__name__}.")
    dt = check_real("dt", dt, minimum=0.0, exclusive_minimum=True)
    steps = check_int("steps", steps, minimum=1)
    min_fidelity = check_real("min_fidelity", min_fidelity, minimum=0.25, maximum=1.0)
    method = check_choice("method", method, METHODS)
    policy = check_choice("policy", policy, POLICIES)
    trials = check_int("trials", trials, minimum=1)
    purify = _parse_purify(purify)
    plan = _plan(link, dt=dt, steps=steps, min_fidelity=min_fidelity, cutoff=cutoff, purify=purify)
    times = dt * jnp.arange(1, steps + 1)
    pol = KS.POLICIES[policy]
    if method == "exact":
        return _exact(link, plan, steps=steps, policy=pol, times=times)
    if key is None:
        raise ValueError("Argument `key` must be a PRNG key for method='monte_carlo', got None.")
    check_key("key", key)
    num_links, buckets = link.num_links, plan.num_buckets
    need = 4 * (2 * steps * trials * num_links + 4 * trials * num_links * buckets)
    if need > MAX_MONTE_CARLO_BYTES:
        raise ValueError(
            f"Arguments `steps`, `trials` (and the memory cut-off, {buckets} age buckets) need about "
            f"{need / 2**30:.1f} GiB for {num_links} links; the limit is {MAX_MONTE_CARLO_BYTES / 2**30:.0f} GiB. "
            "Use fewer trials or steps, or a shorter cutoff."
        )
    fdt = link.attempt_rate.dtype
    shape = (trials, num_links)
    counts, good, stored = KS.monte_carlo(
        key,
        jnp.broadcast_to(jnp.asarray(plan.attempts, fdt), shape),
        jnp.broadcast_to(link.herald_probability, shape),
        jnp.broadcast_to(jnp.asarray(plan.round_probabilities, fdt), shape + plan.round_probabilities.shape[1:]),
        jnp.broadcast_to(link.capacity, shape),
        jnp.broadcast_to(jnp.asarray(plan.good_mask, jnp.int32), shape + (buckets,)),
        jnp.full(shape, pol, jnp.int32),
        num_steps=steps,
        num_buckets=buckets,
    )
    return SupplyResult(
        times=times,
        bucket_state=jnp.asarray(plan.bucket_state, fdt),
        good_mask=jnp.asarray(plan.good_mask),
        good=good,
        stored=stored,
        counts=counts,
        good_law=None,
        mean_counts=jnp.mean(counts, axis=0, dtype=fdt),
        method="monte_carlo",
    )


def _exact(link: LinkModel, plan: SupplyPlan, *, steps: int, policy: int, times) -> SupplyResult:
    caps = np.asarray(link.capacity)
    c_max = int(caps.max())
    laws, means = [], []
    for l in range(link.num_links):
        cap, buckets = int(caps[l]), plan.num_buckets
        arrivals = KS.arrival_law(int(plan.attempts[l]), float(link.herald_probability[l]), plan.round_probabilities[l])
        table = KS.num_states(buckets, cap) * arrivals.size
        if table > MAX_EXACT_TABLE:
            raise ValueError(
                f"Argument `method`='exact' needs a {KS.num_states(buckets, cap)} x {arrivals.size} transition "
                f"table for link {l} ({buckets} age buckets, capacity {cap}); the limit is {MAX_EXACT_TABLE} "
                "entries. Use method='monte_carlo' or a smaller capacity / cutoff."
            )
        states = KS.enumerate_states(buckets, cap)
        succ = KS.successor_table(buckets, cap, arrivals.size - 1, policy)
        good = (states @ plan.good_mask[l].astype(np.int64)).astype(np.int32)
        final, law = KS.propagate(jnp.asarray(succ), jnp.asarray(arrivals), jnp.asarray(good), num_steps=steps, capacity=cap)
        laws.append(jnp.pad(law, ((0, 0), (0, c_max - cap))))
        means.append(final @ jnp.asarray(states, final.dtype))
    fdt = link.attempt_rate.dtype
    return SupplyResult(
        times=times,
        bucket_state=jnp.asarray(plan.bucket_state, fdt),
        good_mask=jnp.asarray(plan.good_mask),
        good=None,
        stored=None,
        counts=None,
        good_law=jnp.stack(laws, axis=1),
        mean_counts=jnp.stack(means),
        method="exact",
    )


# ---------------------------------------------------------------------------------------------
# Demand of one ring all-reduce, consumption, and the EPR state the ring sees.
# ---------------------------------------------------------------------------------------------


def message_qubits(num_nodes: int, num_coords: int, *, bits: int, min_fidelity: float = 1.0) -> np.ndarray:
    """shape=(2, N - 1, N), int64: online qubits (= pairs) of each ring message when coded.

    A B-bit message over pairs of fidelity >= F needs ``ceil(B / C(F))`` qubits, C(F) the
    superdense capacity of SPEC [2.5] (Werner pairs are the worst Bell-diagonal pairs of a given
    fidelity, so C(F_min) is achievable for every stored pair). At F = 1, C = 2 and this is the
    ledger's ceil(B/2) (SPEC [2.6]).
    """
    min_fidelity = check_real("min_fidelity", min_fidelity, minimum=0.25, maximum=1.0)
    ledger = ring_ledger(num_nodes, num_coords, bits=bits, scheme="superdense")
    if min_fidelity == 1.0:
        return np.asarray(ledger.online, np.int64)
    rate = float(superdense_capacity(np.float64(min_fidelity)))
    if rate <= 0:
        raise ValueError(f"Argument `min_fidelity` must exceed 0.25 (C(F) = 0 carries nothing), got {min_fidelity}.")
    payload = np.asarray(ledger.payload_bits, np.float64)
    return np.ceil(payload / rate - 1e-9).astype(np.int64)


def pairs_needed(num_nodes: int, num_coords: int, *, bits: int, min_fidelity: float = 1.0) -> np.ndarray:
    """shape=(N,), int64: pairs link {j, j+1} must hold for one clockwise ring all-reduce.

    Every scatter-reduce and all-gather message of node j crosses link j (SPEC §1); at
    ``min_fidelity=1`` this equals ``ring_ledger(..., scheme="superdense").setup_per_link``.

    Examples:
        >>> import jaxqring as jq
        >>> jq.allreduce.pairs_needed(4, 8, bits=6).tolist()   # 2 (N-1) P b / (2N) per link
        [36, 36, 36, 36]
    """
    return message_qubits(num_nodes, num_coords, bits=bits, min_fidelity=min_fidelity).sum(axis=(0, 1))


def consume(counts: Array, bucket_state: Array, good_mask: Array, needed) -> tuple[Array, Array, Array]:
    """Take ``needed`` good pairs per link, freshest first; report their ages and mean state.

    Args:
        counts: (..., L, A) int age histograms. bucket_state: (L, A, 4). good_mask: (L, A) bool.
        needed: (L,) int pairs each link must supply.
    Returns:
        (used, shortfall, state): used (..., L, A) int pairs taken from each age; shortfall
        (..., L) int pairs missing; state (..., L, 4) the mean Bell-diagonal state of the pairs a
        symbol uses, where a missing pair counts as maximally mixed (I/4, a useless pair).
    """
    shape = counts.shape
    need = jnp.broadcast_to(jnp.asarray(needed, counts.dtype), shape[:-1])
    good = jnp.where(jnp.broadcast_to(good_mask, shape), counts, 0)
    before = jnp.cumsum(good, axis=-1, dtype=counts.dtype) - good
    used = jnp.clip(need[..., None] - before, 0, good)
    short = need - jnp.sum(used, axis=-1, dtype=counts.dtype)
    fdt = bucket_state.dtype
    # a missing pair is a useless one: maximally mixed, every coefficient 1/4
    total = jnp.einsum("...la,lac->...lc", used.astype(fdt), bucket_state) + 0.25 * short.astype(fdt)[..., None]
    denom = jnp.maximum(need, 1).astype(fdt)[..., None]
    return used, short, total / denom


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class SupplyModel:
    """What the superdense ring's pairs are made of before each all-reduce (a pytree).

    Before every all-reduce each link generates for ``steps`` steps of ``dt`` from an empty
    memory (the previous all-reduce consumed or discarded its pairs); the ring then uses the
    freshest good pairs (fidelity >= ``min_fidelity``).
    """

    link: LinkModel
    dt: float = dataclasses.field(metadata={"static": True})
    steps: int = dataclasses.field(metadata={"static": True})
    min_fidelity: float = dataclasses.field(metadata={"static": True})
    policy: str = dataclasses.field(default="replace_oldest", metadata={"static": True})
    purify: tuple | None = dataclasses.field(default=None, metadata={"static": True})


def supply_model(link: LinkModel, *, dt: float, steps: int, min_fidelity: float, policy: str = "replace_oldest", purify=None) -> SupplyModel:
    """Validated :class:`SupplyModel` (arguments as in :func:`supply`)."""
    if not isinstance(link, LinkModel):
        raise ValueError(f"Argument `link` must be a LinkModel, got {type(link).__name__}.")
    dt = check_real("dt", dt, minimum=0.0, exclusive_minimum=True)
    steps = check_int("steps", steps, minimum=1)
    min_fidelity = check_real("min_fidelity", min_fidelity, minimum=0.25, maximum=1.0)
    policy = check_choice("policy", policy, POLICIES)
    purify = _parse_purify(purify)
    _plan(link, dt=dt, steps=steps, min_fidelity=min_fidelity, cutoff=None, purify=purify)  # validates
    return SupplyModel(link, dt, steps, min_fidelity, policy, purify)


class SupplyDraw(NamedTuple):
    """One draw of the pairs a superdense ring all-reduce consumes.

    Attributes:
        epr: :class:`EPRModel` of one symbol's pair: the average over every pair the ring uses
            (all links), so each symbol sees an independent draw from the used pairs' mixture.
        link_state: shape=(N, 4): mean state of the pairs used on each link.
        used: shape=(N, A), int32: pairs taken from each age bucket (age a dt).
        shortfall: shape=(N,), int32: pairs missing on each link (replaced by useless I/4 pairs).
        needed: shape=(N,), int64 (numpy): pairs each link must supply.
    """

    epr: EPRModel
    link_state: Array
    used: Array
    shortfall: Array
    needed: np.ndarray


def supply_epr(model: SupplyModel, *, key, num_nodes: int, num_coords: int, bits: int) -> SupplyDraw:
    """The EPR pairs a superdense ring all-reduce (N nodes, P coordinates, b bits) would use.

    Runs one Monte Carlo draw of every link's memory (``model.steps`` steps from empty), takes
    ``pairs_needed`` (ceil(B/2) per message, SPEC [2.6]) freshest good pairs per link and returns
    the mixture as an :class:`EPRModel` for :func:`~jaxqring.allreduce.ring_allreduce`. Traceable
    in ``key`` (usable inside a jitted training step).

    Args:
        model: :class:`SupplyModel`; its link model has 1 link (shared by all N) or N links.
        key: PRNG key.
        num_nodes, num_coords, bits: the ring all-reduce (N, P, b).
    Returns:
        :class:`SupplyDraw`.
    """
    if not isinstance(model, SupplyModel):
        raise ValueError(f"Argument `model` must be a SupplyModel (jaxqring.allreduce.supply_model), got {type(model).__name__}.")
    num_nodes = check_int("num_nodes", num_nodes, minimum=2)
    if model.link.num_links not in (1, num_nodes):
        raise ValueError(f"Argument `model` must have 1 or num_nodes={num_nodes} links, got {model.link.num_links}.")
    link = jax.tree_util.tree_map(lambda a: np.broadcast_to(np.asarray(a), (num_nodes,) + a.shape[1:]), model.link)
    needed = pairs_needed(num_nodes, num_coords, bits=bits)
    res = supply(link, dt=model.dt, steps=model.steps, min_fidelity=model.min_fidelity, key=key, trials=1,
                 policy=model.policy, purify=model.purify)
    used, short, state = consume(res.counts[0], res.bucket_state, res.good_mask, needed)
    weights = jnp.asarray(needed, state.dtype)
    mean = jnp.sum(state * weights[:, None], axis=0) / jnp.sum(weights)
    return SupplyDraw(EPRModel(KB.pauli_weights(mean)), state, used, short, needed)
