"""Studies on top of the GHZ all-reduce: Heisenberg scaling (SPEC A6, [4.4]) and the failure
of the b-bit aggregate under dephasing (SPEC C8, [4.3]).

Both sample exact laws (the GHZ parity is a sufficient statistic, so M shots are one binomial
draw) and are used by tests/core/test_kitaev.py, benchmarks/bench_kitaev.py and
notebooks/heisenberg_scaling.ipynb.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from .. import kernels as K
from .._checks import check_choice, check_int, check_key, check_odd_shots, check_real
from .._fixedpoint import MAX_BITS, headroom
from .._kitaev import kitaev_failure_probability, kitaev_sum, max_nodes_for_failure
from .._noise import dephasing as dephasing_model
from ..kernels.estimation.ghz_sums import estimate_integer_sums
from ..kernels.estimation.heisenberg import ghz_product_rmse, kitaev_median_errors


# ---------------------------------------------------------------------------------------------
# Heisenberg-scaling study (SPEC A6, [4.4]) with exact-law sampling.
# ---------------------------------------------------------------------------------------------


class HeisenbergStudy(NamedTuple):
    """Errors of three phase-estimation strategies, theta common to all nodes, Phi = N theta.

    ``ghz_error``/``product_error``: RMSE of theta_hat at fixed ``copies`` per point, GHZ parity
    (Fisher information N**2 per copy) and product |+>^N probes (N per copy, SPEC [4.4]).
    ``kitaev_error``: median |theta_hat - theta| of Kitaev estimation with t rounds of M shots
    at N = ``kitaev_nodes`` (median, because the Fejer law [4.2] has a 1/d**2 tail that makes
    the RMSE scale like 2**(-t/2)). Both Kitaev resource counts are reported (SPEC A6).
    """

    num_nodes: np.ndarray  # shape=(A,), int
    copies: int  # GHZ copies (or product probes) per estimate
    ghz_error: np.ndarray  # shape=(A,), float64, radians
    product_error: np.ndarray  # shape=(A,), float64, radians
    kitaev_nodes: int
    kitaev_rounds: np.ndarray  # shape=(B,), int: t
    kitaev_phase_applications: np.ndarray  # shape=(B,), int: Q = M (2**t - 1) per node
    kitaev_copies: np.ndarray  # shape=(B,), int: t M GHZ copies
    kitaev_error: np.ndarray  # shape=(B,), float64, radians
    kitaev_within_grid: np.ndarray  # shape=(B,): fraction with |Phi_hat - Phi| <= 2 pi / 2**t
    ghz_slope: float  # fitted d log(error) / d log(N)
    product_slope: float  # fitted d log(error) / d log(N)
    kitaev_slope: float  # fitted d log(error) / d log(Q)


def loglog_slope(x: ArrayLike, y: ArrayLike) -> float:
    """Least-squares slope of log(y) against log(x)."""
    return float(np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)[0])


def heisenberg_study(
    key: jax.Array,
    *,
    num_nodes: Sequence[int] = (2, 4, 8, 16, 32, 64),
    copies: int = 256,
    repeats: int = 4000,
    kitaev_nodes: int = 8,
    kitaev_rounds: Sequence[int] = (3, 4, 5, 6, 7, 8, 9, 10),
    shots_per_round: int = 1,
) -> HeisenbergStudy:
    """Phase-estimation error vs N (GHZ, product) and vs phase applications (Kitaev), SPEC A6.

    Exact-law sampling: the GHZ parity count of ``copies`` copies is Binomial(copies,
    (1 + cos N theta)/2) (the parity is sufficient) and the product probes' +1 count is
    Binomial(N copies, (1 + cos theta)/2); Kitaev rounds use the noiseless GHZ parity law.
    Expected slopes: -1 (GHZ vs N, 1/(N sqrt(copies))), -1/2 (product vs N,
    1/sqrt(N copies)), -1 (Kitaev vs Q = M (2**t - 1), error ~ pi / (N 2**t)).
    """
    num_nodes = tuple(check_int("num_nodes", x, minimum=2) for x in num_nodes)
    kitaev_rounds = tuple(
        check_int("kitaev_rounds", x, minimum=1, maximum=MAX_BITS) for x in kitaev_rounds
    )
    copies = check_int("copies", copies, minimum=1)
    repeats = check_int("repeats", repeats, minimum=2)
    kitaev_nodes = check_int("kitaev_nodes", kitaev_nodes, minimum=2)
    shots = check_odd_shots("shots_per_round", shots_per_round)
    check_key("key", key)
    k_local, k_kit = jax.random.split(key)
    ghz_err, prod_err = (
        np.asarray(e, np.float64)
        for e in ghz_product_rmse(k_local, jnp.asarray(num_nodes), copies=copies, repeats=repeats)
    )
    kit_err, within = (
        np.asarray(x, np.float64)
        for x in kitaev_median_errors(
            k_kit, jnp.asarray(kitaev_rounds, jnp.int32), max_rounds=max(kitaev_rounds),
            shots=shots, repeats=repeats,
        )
    )
    kit_err = kit_err / kitaev_nodes  # theta = Phi / N
    t_arr = np.array(kitaev_rounds)
    q_arr = shots * (2**t_arr - 1)
    return HeisenbergStudy(
        num_nodes=np.array(num_nodes),
        copies=copies,
        ghz_error=ghz_err,
        product_error=prod_err,
        kitaev_nodes=kitaev_nodes,
        kitaev_rounds=t_arr,
        kitaev_phase_applications=q_arr,
        kitaev_copies=shots * t_arr,
        kitaev_error=kit_err,
        kitaev_within_grid=within,
        ghz_slope=loglog_slope(num_nodes, ghz_err),
        product_slope=loglog_slope(num_nodes, prod_err),
        kitaev_slope=loglog_slope(q_arr, kit_err),
    )


# ---------------------------------------------------------------------------------------------
# Failure of the b-bit aggregate under dephasing (SPEC C8, [4.3]).
# ---------------------------------------------------------------------------------------------


class DephasingStudy(NamedTuple):
    """Measured vs predicted failure rate of the b-bit GHZ aggregate under dephasing p."""

    dephasing: np.ndarray  # shape=(A,), float: p per node
    num_nodes: np.ndarray  # shape=(B,), int: N
    bits: int
    shots_per_round: int
    num_coords: int  # coordinates simulated per (p, N)
    measured: np.ndarray  # shape=(A, B), float: fraction of coordinates with a wrong sum
    predicted: np.ndarray  # shape=(A, B), float: 1 - (1 - Tail(M, (1 - V)/2))**b, V = (1-2p)**N
    target: float  # target failure rate
    max_nodes: np.ndarray  # shape=(A,), int: largest N with predicted failure <= target


def dephasing_failure_study(
    key: jax.Array,
    *,
    dephasing: Sequence[float] = (0.002, 0.005, 0.01, 0.02),
    num_nodes: Sequence[int] = (4, 8, 16, 32, 64),
    bits: int = 8,
    shots_per_round: int = 5,
    num_coords: int = 20000,
    target: float = 1e-2,
    method: str = "closed_form",
) -> DephasingStudy:
    """Failure rate of :func:`kitaev_sum` vs dephasing p and N, and the N beyond which it fails
    more often than ``target`` (:func:`max_nodes_for_failure`).

    Inputs are uniform signed integers in [-q_max, q_max] (the failure law does not depend on
    them). ``method="closed_form"`` samples every round from the exact law with
    V = (1 - 2p)**N (SPEC C8, [3.8]) and needs no noise model; ``method="mps"`` runs
    ``jaxqring.dephasing(p)`` through the MPO path.
    """
    dephasing = tuple(check_real("dephasing", p, minimum=0.0, maximum=0.5) for p in dephasing)
    num_nodes = tuple(check_int("num_nodes", n, minimum=2) for n in num_nodes)
    bits = check_int("bits", bits, minimum=1, maximum=MAX_BITS)
    if headroom(bits, max(num_nodes)) < 1:
        raise ValueError(
            f"Argument `bits` must satisfy 2**(bits-1) - 1 >= max(num_nodes) = {max(num_nodes)}, "
            f"got bits={bits}."
        )
    shots = check_odd_shots("shots_per_round", shots_per_round)
    num_coords = check_int("num_coords", num_coords, minimum=1)
    method = check_choice("method", method, ("closed_form", "mps"))
    check_key("key", key)
    measured = np.zeros((len(dephasing), len(num_nodes)))
    predicted = np.zeros_like(measured)
    cdtype = K.default_complex_dtype()
    for b_idx, n in enumerate(num_nodes):
        q_max = headroom(bits, n)
        kq, kr = jax.random.split(jax.random.fold_in(key, n))
        q = jax.random.randint(kq, (n, num_coords), -q_max, q_max + 1, jnp.int32)
        exact = np.asarray(q).astype(np.int64).sum(axis=0)
        for a_idx, p in enumerate(dephasing):
            v = (1 - 2 * p) ** n
            kk = jax.random.fold_in(kr, a_idx)
            if method == "closed_form":
                vis = jnp.asarray(v, K.accumulation_dtype(cdtype))
                rounds = estimate_integer_sums(
                    kk, q.astype(jnp.uint32), None, vis, bits=bits, shots=shots, feedback=True,
                    law="closed_form", cdtype=cdtype,
                )
                s = np.asarray(rounds.estimate).astype(np.int64)
                got = np.where(s >= 1 << (bits - 1), s - (1 << bits), s)
            else:
                noise = dephasing_model(p)
                res = kitaev_sum(kk, q, bits=bits, shots_per_round=shots, noise=noise, method="mps")
                got = np.asarray(res.sum)
            measured[a_idx, b_idx] = float(np.mean(got != exact))
            predicted[a_idx, b_idx] = kitaev_failure_probability(shots, bits, v) if v > 0 else 1.0
    max_n = np.array(
        [
            max_nodes_for_failure(target, dephasing=p, bits=bits, shots_per_round=shots)
            for p in dephasing
        ]
    )
    return DephasingStudy(
        np.array(dephasing), np.array(num_nodes), bits, shots, num_coords, measured,
        predicted, float(target), max_n,
    )
