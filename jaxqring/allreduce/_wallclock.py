"""When does the superdense ring win in wall-clock time? Set-up from the supply model + online.

One all-reduce of P coordinates at b bits on N nodes, clockwise ring (SPEC §1):

* **Classical ring**: 2(N - 1) rounds; in each round every link sends one message of B bits at
  ``bit_rate`` bits/s, all links in parallel, so a round lasts max_j B_j / bit_rate + latency.
* **Superdense ring**: the same rounds with B-bit messages carried by ``ceil(B / C(F_min))``
  qubits at the link's ``qubit_rate`` (C(F) of SPEC [2.5]: the information each online qubit
  carries through a pair of fidelity >= F_min; ceil(B/2) at F_min = 1, SPEC [2.6]). Before the
  first round every link must hold that many good pairs: the set-up time is the first time at
  which all links are ready with probability >= ``confidence`` (links independent, memories
  empty at time 0).

The set-up law comes from :func:`~jaxqring.allreduce.supply`, or, for the replace-oldest memory
without purification, from its closed form: the good pairs after n steps are
min(C, Binomial(m min(n, w), p)) with w the number of good ages (the freshest pairs are kept and
every good pair is younger than any bad one), evaluated with the regularised incomplete beta
function, so maps over (attempt rate, T2) grids are cheap.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import betainc

from .._checks import check_choice, check_int, check_real
from ..kernels.comm import bell_diagonal as KB
from ._ring import ring_ledger
from ._superdense import superdense_capacity
from ._supply import LinkModel, attempts_per_step, message_qubits, supply

WALLCLOCK_METHODS = ("closed_form", "exact", "monte_carlo")


class WallClock(NamedTuple):
    """Wall-clock comparison of one all-reduce (seconds; plain Python / numpy values).

    Attributes:
        classical_s: classical ring time at ``bit_rate``.
        online_s: superdense online phase (coded at C(F_min) bits per qubit).
        setup_s: time until every link holds its pairs with probability >= confidence
            (``inf`` if not within the simulated horizon).
        quantum_s: setup_s + online_s.
        quantum_wins: quantum_s < classical_s.
        breakeven_bit_rate: classical bit rate (bits/s) at which both take equally long; the
            quantum ring wins below it (0 if it never wins).
        bits_per_qubit: C(F_min).
        pairs_needed: shape=(N,): pairs link j must hold.
        ready_probability: shape=(T,): P(all links ready) after each step.
        times: shape=(T,): seconds.
    """

    classical_s: float
    online_s: float
    setup_s: float
    quantum_s: float
    quantum_wins: bool
    breakeven_bit_rate: float
    bits_per_qubit: float
    pairs_needed: np.ndarray
    ready_probability: np.ndarray
    times: np.ndarray


def _broadcast_links(link: LinkModel, num_nodes: int) -> LinkModel:
    if link.num_links not in (1, num_nodes):
        raise ValueError(f"Argument `link` must have 1 or num_nodes={num_nodes} links, got {link.num_links}.")
    return jax.tree_util.tree_map(lambda a: jnp.broadcast_to(a, (num_nodes,) + a.shape[1:]), link)


def classical_time(num_nodes: int, num_coords: int, *, bits: int, bit_rate: float, latency: float = 0.0) -> float:
    """Seconds for the classical ring: sum over rounds of max_j B_j / bit_rate + latency."""
    bit_rate = check_real("bit_rate", bit_rate, minimum=0.0, exclusive_minimum=True)
    latency = check_real("latency", latency, minimum=0.0)
    led = ring_ledger(num_nodes, num_coords, bits=bits, scheme="classical")
    per_round = np.asarray(led.payload_bits).reshape(-1, num_nodes).max(axis=1)
    return float(per_round.sum() / bit_rate + latency * per_round.size)


def online_time(link: LinkModel, num_nodes: int, num_coords: int, *, bits: int, min_fidelity: float = 1.0, latency: float = 0.0) -> float:
    """Seconds for the superdense online phase: sum over rounds of max_j q_j / qubit_rate_j + latency."""
    latency = check_real("latency", latency, minimum=0.0)
    link = _broadcast_links(link, num_nodes)
    q = message_qubits(num_nodes, num_coords, bits=bits, min_fidelity=min_fidelity).reshape(-1, num_nodes)
    per_round = (q / np.asarray(link.qubit_rate)[None, :]).max(axis=1)
    return float(per_round.sum() + latency * per_round.shape[0])


def closed_form_ready(attempts, herald_probability, capacity, good_ages, needed, num_steps: int):
    """P(good pairs >= needed) after steps 1..T for the replace-oldest memory, no purification.

    Args:
        attempts, herald_probability, capacity, good_ages, needed: arrays broadcasting together
            (e.g. (..., L)); good_ages = number w of ages (from 0) whose fidelity is >= F_min.
        num_steps: T.
    Returns:
        shape=(T,) + broadcast shape: min(C, Binomial(m min(n, w), p)) >= needed, exactly.
    """
    args = [jnp.asarray(a, jax.dtypes.canonicalize_dtype(jnp.float64)) for a in (attempts, herald_probability, capacity, good_ages, needed)]
    return _closed_form_ready(*args, num_steps=int(num_steps))


@functools.partial(jax.jit, static_argnames=("num_steps",))
def _closed_form_ready(attempts, herald_probability, capacity, good_ages, needed, *, num_steps: int):
    # the binomial tail through the regularised incomplete beta function
    shape = jnp.broadcast_shapes(*(jnp.shape(a) for a in (attempts, herald_probability, capacity, good_ages, needed)))
    full = (num_steps,) + shape
    attempts, p, capacity, good_ages, needed = (
        jnp.broadcast_to(a, full) for a in (attempts, herald_probability, capacity, good_ages, needed)
    )
    n = jnp.broadcast_to(jnp.arange(1, num_steps + 1, dtype=attempts.dtype).reshape((-1,) + (1,) * len(shape)), full)
    trials = attempts * jnp.minimum(n, good_ages)
    safe_a = jnp.maximum(needed, 1.0)
    safe_b = jnp.maximum(trials - needed + 1, 1.0)
    tail = betainc(safe_a, safe_b, p)  # P(Bin(trials, p) >= needed) for 1 <= needed <= trials
    tail = jnp.where(needed <= 0, 1.0, jnp.where(needed > trials, 0.0, tail))
    return jnp.where(needed > capacity, 0.0, tail)


def _good_ages(link: LinkModel, dt: float, steps: int, min_fidelity: float) -> np.ndarray:
    ages = np.arange(steps) * dt
    f = np.asarray(KB.age(np.asarray(link.fresh_state)[:, None, :], ages[None, :], np.asarray(link.dephasing_rate)[:, None],
                          np.asarray(link.depolarizing_rate)[:, None])[..., 0])
    good = f >= min_fidelity - 1e-12
    # the closed form needs the good ages to be a prefix (fidelity falls with age)
    w = np.argmin(np.concatenate([good, np.zeros((good.shape[0], 1), bool)], axis=1), axis=1)
    if np.any(good & (np.arange(steps)[None, :] >= w[:, None])):
        raise ValueError("Argument `method`='closed_form' needs the fidelity to decrease with age; use method='exact' or 'monte_carlo'.")
    return w


def wallclock(
    link: LinkModel,
    *,
    num_nodes: int,
    num_coords: int,
    bits: int,
    bit_rate: float,
    dt: float,
    steps: int,
    min_fidelity: float,
    latency: float = 0.0,
    confidence: float = 0.99,
    method: str = "closed_form",
    key=None,
    trials: int = 256,
    policy: str = "replace_oldest",
    purify=None,
) -> WallClock:
    """Compare one all-reduce on the superdense ring (set-up + online) with the classical ring.

    Args:
        link: :class:`LinkModel` with 1 link (shared by all) or N links.
        num_nodes, num_coords, bits: N, P, b of the all-reduce.
        bit_rate: classical bits per second on each link (> 0).
        dt, steps: supply time grid (horizon T = steps dt for the set-up).
        min_fidelity: F_min: pairs below it are not used; messages are coded at C(F_min).
        latency: seconds added per round to both rings (>= 0).
        confidence: required probability that all links are ready, in (0, 1].
        method: ``"closed_form"`` (replace-oldest, no purification), ``"exact"`` or
            ``"monte_carlo"`` (then ``key`` and ``trials``).
        policy, purify: as in :func:`~jaxqring.allreduce.supply`.
    Returns:
        :class:`WallClock`.

    Examples:
        >>> import jaxqring as jq
        >>> link = jq.allreduce.link_model(attempt_rate=1e6, herald_probability=0.01, capacity=10**6,
        ...                                fidelity=0.99, dephasing_rate=1.0, qubit_rate=1e9)
        >>> w = jq.allreduce.wallclock(link, num_nodes=4, num_coords=1000, bits=8, bit_rate=1e6,
        ...                            dt=1e-3, steps=400, min_fidelity=0.9)
        >>> w.quantum_wins
        False
    """
    num_nodes = check_int("num_nodes", num_nodes, minimum=2)
    method = check_choice("method", method, WALLCLOCK_METHODS)
    confidence = check_real("confidence", confidence, minimum=0.0, maximum=1.0, exclusive_minimum=True)
    min_fidelity = check_real("min_fidelity", min_fidelity, minimum=0.25, maximum=1.0, exclusive_minimum=True)
    steps = check_int("steps", steps, minimum=1)
    dt = check_real("dt", dt, minimum=0.0, exclusive_minimum=True)
    link = _broadcast_links(link, num_nodes)
    needed = message_qubits(num_nodes, num_coords, bits=bits, min_fidelity=min_fidelity).sum(axis=(0, 1))
    classical = classical_time(num_nodes, num_coords, bits=bits, bit_rate=bit_rate, latency=latency)
    online = online_time(link, num_nodes, num_coords, bits=bits, min_fidelity=min_fidelity, latency=latency)
    times = dt * np.arange(1, steps + 1)
    if method == "closed_form":
        if policy != "replace_oldest" or purify is not None:
            raise ValueError("Argument `method`='closed_form' needs policy='replace_oldest' and purify=None.")
        attempts = attempts_per_step(link, dt).astype(np.float64)
        w = _good_ages(link, dt, steps, min_fidelity)
        if np.any(w == 0):
            raise ValueError(f"Argument `min_fidelity` ({min_fidelity}) is above the fresh-pair fidelity.")
        per_link = closed_form_ready(attempts, link.herald_probability, link.capacity, w, needed, steps)
        ready = np.prod(np.asarray(per_link), axis=1)
    else:
        res = supply(link, dt=dt, steps=steps, min_fidelity=min_fidelity, method=method, key=key, trials=trials,
                     policy=policy, purify=purify)
        if method == "exact":
            ready = np.prod(np.asarray(res.ready_probability(needed)), axis=1)
        else:
            ready = np.mean(np.all(np.asarray(res.good) >= needed[None, None, :], axis=2), axis=1)
    hit = np.flatnonzero(ready >= confidence)
    setup = float(times[hit[0]]) if hit.size else math.inf
    quantum = setup + online
    led = ring_ledger(num_nodes, num_coords, bits=bits, scheme="classical")
    bits_rounds = float(np.asarray(led.payload_bits).reshape(-1, num_nodes).max(axis=1).sum())
    rounds = 2 * (num_nodes - 1)
    spare = quantum - latency * rounds
    breakeven = bits_rounds / spare if (math.isfinite(quantum) and spare > 0) else (math.inf if spare <= 0 else 0.0)
    return WallClock(
        classical_s=classical,
        online_s=online,
        setup_s=setup,
        quantum_s=quantum,
        quantum_wins=bool(quantum < classical),
        breakeven_bit_rate=float(breakeven),
        bits_per_qubit=float(superdense_capacity(np.float64(min_fidelity))),
        pairs_needed=needed,
        ready_probability=ready,
        times=times,
    )


class BreakEvenMap(NamedTuple):
    """Break-even classical bit rate over an (attempt rate, T2) grid (closed-form supply).

    Attributes:
        attempt_rates: shape=(R,): attempts per second (snapped to whole attempts per step).
        t2: shape=(S,): memory coherence times T2 (s); dephasing rate 1/T2 per memory qubit.
        breakeven_bit_rate: shape=(R, S): the superdense ring is faster for every classical bit
            rate below this value (0: it never wins within the horizon).
        setup_s: shape=(R, S): set-up time (inf if not ready within the horizon).
        online_s: superdense online time (s), the same on the whole grid.
    """

    attempt_rates: np.ndarray
    t2: np.ndarray
    breakeven_bit_rate: np.ndarray
    setup_s: np.ndarray
    online_s: float


def breakeven_map(
    link: LinkModel,
    *,
    attempt_rates,
    t2,
    num_nodes: int,
    num_coords: int,
    bits: int,
    dt: float,
    steps: int,
    min_fidelity: float,
    latency: float = 0.0,
    confidence: float = 0.99,
) -> BreakEvenMap:
    """Break-even classical bandwidth as a function of the generation rate and T2 (one link model
    shared by every link; its other fields are kept). Vectorised over the grid (closed form).
    """
    num_nodes = check_int("num_nodes", num_nodes, minimum=2)
    dt = check_real("dt", dt, minimum=0.0, exclusive_minimum=True)
    steps = check_int("steps", steps, minimum=1)
    min_fidelity = check_real("min_fidelity", min_fidelity, minimum=0.25, maximum=1.0, exclusive_minimum=True)
    latency = check_real("latency", latency, minimum=0.0)
    confidence = check_real("confidence", confidence, minimum=0.0, maximum=1.0, exclusive_minimum=True)
    if link.num_links != 1:
        raise ValueError(f"Argument `link` must describe one link (shared by all), got {link.num_links}.")
    rates = np.asarray(attempt_rates, float).ravel()
    t2 = np.asarray(t2, float).ravel()
    if rates.size == 0 or np.any(~np.isfinite(rates)) or np.any(rates <= 0):
        raise ValueError(f"Argument `attempt_rates` must be positive, got {attempt_rates!r}.")
    if t2.size == 0 or np.any(np.isnan(t2)) or np.any(t2 <= 0):
        raise ValueError(f"Argument `t2` must be positive (inf allowed), got {t2!r}.")
    attempts = np.maximum(np.rint(rates * dt), 1)
    needed = message_qubits(num_nodes, num_coords, bits=bits, min_fidelity=min_fidelity).sum(axis=(0, 1))
    ages = np.arange(steps) * dt
    fresh = np.asarray(link.fresh_state[0])
    deph = (1 / t2)[:, None]  # (S, 1) dephasing rate per memory qubit
    f = np.asarray(KB.age(fresh[None, None, :], ages[None, :], deph, float(link.depolarizing_rate[0])))[..., 0]
    good = f >= min_fidelity - 1e-12  # (S, T)
    w = np.argmin(np.concatenate([good, np.zeros((t2.size, 1), bool)], axis=1), axis=1)  # (S,)
    distinct, mult = np.unique(needed, return_counts=True)
    per = closed_form_ready(attempts[:, None, None], float(link.herald_probability[0]), int(link.capacity[0]),
                            w[None, :, None], distinct[None, None, :].astype(float), steps)  # (T, R, S, K)
    ready = np.prod(np.asarray(per) ** mult, axis=-1)  # (T, R, S)
    hit = ready >= confidence
    first = np.argmax(hit, axis=0)
    setup = np.where(hit.any(axis=0), dt * (first + 1), np.inf)
    online = online_time(link, num_nodes, num_coords, bits=bits, min_fidelity=min_fidelity, latency=latency)
    led = ring_ledger(num_nodes, num_coords, bits=bits, scheme="classical")
    bits_rounds = float(np.asarray(led.payload_bits).reshape(-1, num_nodes).max(axis=1).sum())
    spare = setup + online - latency * 2 * (num_nodes - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        be = np.where(np.isfinite(setup), np.where(spare > 0, bits_rounds / spare, np.inf), 0.0)
    return BreakEvenMap(attempts / dt, t2, be, setup, online)


def plot_breakeven(bmap: BreakEvenMap, ax=None):
    """Heat map of log10(break-even classical bit rate) over (attempt rate, T2); returns the axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    with np.errstate(divide="ignore"):
        z = np.log10(np.where(bmap.breakeven_bit_rate > 0, bmap.breakeven_bit_rate, np.nan))
    mesh = ax.pcolormesh(bmap.t2, bmap.attempt_rates, z, shading="nearest")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("memory T2 (s)")
    ax.set_ylabel("generation attempts per second")
    ax.set_title("quantum ring faster below this classical rate\n(log10 bits/s; blank: never)")
    ax.figure.colorbar(mesh, ax=ax)
    return ax
