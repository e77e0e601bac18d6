"""Gradient aggregators for N simulated workers, as optax ``GradientTransformation``s.

Every aggregator consumes the *stacked* per-worker gradients: a pytree whose leaves all carry a
leading worker axis ``N`` (what ``vmap(grad(loss))`` over the workers returns), and emits one
aggregated update with the parameters' shapes (no worker axis). It therefore goes first in an
``optax.chain``, followed by standard optax pieces, e.g.::

    tx = optax.chain(jq.ghz_majority_vote(shots=101, key=key), optax.scale(-1e-2))

Inside the aggregator the leaves are flattened into one (N, P) matrix, so P counts all
parameters and the ring schedules see one gradient vector. Signs follow SPEC §10:
``sign(0) = +1``, and the exact majority of a tie (N even) is +1 (A16).

Aggregators (``AGGREGATORS``), each with its communication per step (:func:`communication_cost`):

- ``"mean"``: exact mean (a classical ring all-reduce of float words; SGD on the mean).
- ``"majority"``: classical signSGD with majority vote (Bernstein et al. 2018): every worker
  sends P sign bits to a server, which broadcasts the P majority bits back.
- ``"ghz_majority"``: SPEC §10 Scheme A. Node j encodes phi_ji = s_ji pi / (2N) on a GHZ copy,
  sine readout (node 0 in Y, the rest in X) with ``shots`` odd shots per coordinate; the
  output is the majority of the M parities. The shot law is exact: P(Pi' = +1) =
  (1 + V sin Phi)/2 (SPEC [3.4], [3.8]), so the M shots of a coordinate are one Binomial draw
  (method "binomial"); the default method "table" draws the vote from its exact law given n_+.
- ``"ghz_count"``: SPEC §10 Scheme B. Kitaev phase estimation (§4) of n_+ with
  b = ceil(log2(N + 1)) rounds of ``shots`` odd shots, unsigned decoding; output +1 iff
  2 n_+ >= N.
- ``"superdense"``: SPEC §2 superdense-coded ring all-reduce of the fixed-point words (of the
  signs by default, giving a majority vote; or of the clipped gradients), EPR pairs of a given
  noise (e.g. ``jaxqring.werner(F)``), followed by the sign of node 0's decoded sum.

The state (:class:`AggregationState`) carries the PRNG key (STYLE item 5) and the metrics of the
last update: the agreement of the aggregated sign with the exact majority, and the bits and
qubits communicated.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import DTypeLike
import optax

from .. import kernels as K
from ..kernels.common import complex_dtype
from ..kernels.parallel.columns import map_columns
from .._accounting import CommCost
from .._checks import (
    check_choice,
    check_int,
    check_key,
    check_mesh,
    check_no_nan,
    check_odd_shots,
    check_real,
    coordinate_layout,
)
from .._kitaev import kitaev_sum, smallest_odd_shots
from .._noise import NoiseModel, check_phase_covariant, ghz_visibility
from .._probes import ghz
from .._readout import basis_codes, parity_expectation
from ..allreduce import SupplyModel, supply_epr
from ..allreduce._ring import ring_allreduce
from ..allreduce._superdense import EPRModel

AGGREGATORS = ("mean", "majority", "ghz_majority", "ghz_count", "superdense")
GHZ_METHODS = ("table", "binomial", "mps")
SUPERDENSE_VALUES = ("sign", "grad")


class AggregationState(NamedTuple):
    """State of an aggregator (a pytree; shapes and dtypes fixed from step to step).

    Attributes:
        rng_key: shape=(), dtype=key (or (2,) uint32 raw key); None for the deterministic
            aggregators. Split once per update.
        agreement: shape=(), dtype=float32: fraction of the P coordinates where the sign of the
            last aggregated update (sign(0) = +1) equals the exact majority of the worker signs.
        bits_sent: shape=(), dtype=float32: classical bits communicated by the last update.
        online_qubits: shape=(), dtype=float32: online qubits communicated by the last update.
        setup_qubits: shape=(), dtype=float32: setup qubits consumed by the last update.
        template: the structure of the parameters given to ``init`` as zero-size arrays (every
            leaf of shape (0, *param_shape), the parameter's dtype; no memory), or None when
            ``init(None)`` was called. ``update`` checks the gradients against it: same tree,
            every leaf of shape (N, *param_shape).
    """

    rng_key: Any
    agreement: jax.Array
    bits_sent: jax.Array
    online_qubits: jax.Array
    setup_qubits: jax.Array
    template: Any = None


# ----------------------------------------------------------------------------------------------
# Accounting (static, plain Python)
# ----------------------------------------------------------------------------------------------


def count_bits(num_workers: int) -> int:
    """Kitaev rounds b = ceil(log2(N + 1)) needed to count n_+ in [0, N] (SPEC §10 Scheme B)."""
    return int(num_workers).bit_length()


def sign_word_bits(num_workers: int) -> int:
    """Smallest wire width b with 2**(b-1) - 1 >= N (SPEC C6), so signs quantise to +-q_max."""
    return int(num_workers).bit_length() + 1


def ghz_majority_shots(num_workers: int, *, delta: float, visibility: float = 1.0) -> int:
    """Smallest odd M with Tail(M, q) <= delta in the worst case of SPEC [10.3].

    The worst coordinate has |n_+ - n_-| = 1 (N odd; 2 for N even, ties aside), so
    q = (1 - V sin(pi |n_+ - n_-| / (2N))) / 2.

    Args:
        num_workers: N >= 2.
        delta: allowed per-coordinate error probability in (0, 1/2).
        visibility: GHZ visibility V in (0, 1] (e.g. ``jaxqring.ghz_visibility``).
    Returns:
        odd int M (at most about 8 N^2 ln(1/delta) / (pi^2 V^2), SPEC §10).
    """
    n = check_int("num_workers", num_workers, minimum=2)
    delta = check_real("delta", delta, minimum=0.0, maximum=0.5, exclusive_minimum=True)
    v = check_real("visibility", visibility, minimum=0.0, maximum=1.0, exclusive_minimum=True)
    gap = 1 if n % 2 else 2
    q = (1 - v * math.sin(math.pi * gap / (2 * n))) / 2
    hoeffding = math.ceil(math.log(1 / delta) / (2 * (0.5 - q) ** 2))
    return smallest_odd_shots(q, delta, max_shots=2 * ((hoeffding - 1) // 2 + 1) + 1)


def _chunk_sizes(num_params: int, num_workers: int) -> np.ndarray:
    base, rem = divmod(num_params, num_workers)
    return np.array([base + (c < rem) for c in range(num_workers)], dtype=np.int64)


def communication_cost(
    aggregator: str,
    *,
    num_workers: int,
    num_params: int,
    shots: int = 1,
    bits: int | None = None,
    float_bits: int = 32,
) -> CommCost:
    """Bits and qubits one aggregation step communicates.

    Args:
        aggregator: one of ``AGGREGATORS``.
        num_workers: N >= 2.
        num_params: P >= 1 coordinates.
        shots: M, shots per coordinate (``ghz_majority``) or per Kitaev round (``ghz_count``).
        bits: superdense wire width b (default :func:`sign_word_bits` (N)).
        float_bits: width of one float word of the classical mean ring (32 or 64).
    Returns:
        :class:`CommCost`. Formulas: mean 2(N-1)P w (SPEC [1.3], any P); majority 2NP;
        ghz_majority copies PM, bits N PM, setup (N-1) PM (SPEC §3 accounting); ghz_count the
        same with copies P b M, b = ceil(log2(N+1)); superdense 2(N-1) sum_c ceil(b |C_c| / 2)
        online qubits = EPR pairs = setup qubits (SPEC §2, chunks C_c by the array_split rule).
    """
    aggregator = check_choice("aggregator", aggregator, AGGREGATORS)
    n = check_int("num_workers", num_workers, minimum=2)
    p = check_int("num_params", num_params, minimum=1)
    m = check_int("shots", shots, minimum=1)
    if aggregator == "mean":
        return CommCost(2 * (n - 1) * p * int(float_bits), 0, 0, 0, 0)
    if aggregator == "majority":
        return CommCost(2 * n * p, 0, 0, 0, 0)
    if aggregator in ("ghz_majority", "ghz_count"):
        copies = p * m * (count_bits(n) if aggregator == "ghz_count" else 1)
        return CommCost(n * copies, 0, (n - 1) * copies, copies, 0)
    b = sign_word_bits(n) if bits is None else check_int("bits", bits, minimum=1)
    per_chunk = (b * _chunk_sizes(p, n) + 1) // 2  # ceil(B/2) qubits per message of chunk c
    pairs = int(2 * (n - 1) * per_chunk.sum())
    return CommCost(0, pairs, pairs, 0, pairs)


# ----------------------------------------------------------------------------------------------
# Shared plumbing
# ----------------------------------------------------------------------------------------------


def _template(params) -> Any:
    """Zero-size stand-ins (0, *shape) of the parameter leaves: structure and shapes, no memory."""
    if params is None:
        return None
    return jax.tree_util.tree_map(lambda p: jnp.zeros((0, *jnp.shape(p)), jnp.result_type(p)), params)


def _check_worker_tree(updates, template, source: str) -> None:
    """The stacked gradients must have the parameters' tree and (N, *param_shape) leaves."""
    if template is None:
        return
    t_leaves, t_def = jax.tree_util.tree_flatten(template)
    u_leaves, u_def = jax.tree_util.tree_flatten(updates)
    if u_def != t_def:
        raise ValueError(
            f"Argument `updates` must have the tree structure of {source}, got {u_def} "
            f"instead of {t_def}."
        )
    for i, (u, t) in enumerate(zip(u_leaves, t_leaves)):
        u_shape, p_shape = tuple(jnp.shape(u)), tuple(jnp.shape(t))[1:]
        if u_shape == p_shape:
            raise ValueError(
                f"Argument `updates` must carry a leading worker axis N on every leaf (shape "
                f"(N, *param_shape)), got leaf {i} of shape {u_shape}, the shape of the parameter "
                "itself; stack the per-worker gradients (e.g. vmap(grad(loss)) over the workers)."
            )
        if u_shape[1:] != p_shape or len(u_shape) != len(p_shape) + 1:
            raise ValueError(
                f"Argument `updates` must have leaves of shape (N, *param_shape) matching {source}, "
                f"got leaf {i} of shape {u_shape} for a parameter of shape {p_shape}."
            )


def _flatten_workers(tree) -> tuple[jax.Array, Any, int]:
    """(N, P) matrix of the stacked per-worker leaves, an unflatten for (P,) vectors, and N."""
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    if not leaves:
        raise ValueError("Argument `updates` must contain at least one array, got an empty pytree.")
    shapes = [jnp.shape(leaf) for leaf in leaves]
    if any(len(s) < 1 for s in shapes) or len({s[0] for s in shapes}) != 1:
        raise ValueError(
            "Argument `updates` must hold per-worker gradients with one shared leading worker "
            f"axis N on every leaf, got leaf shapes {shapes}."
        )
    n = shapes[0][0]
    if n < 2:
        raise ValueError(f"Argument `updates` must have N >= 2 workers on its leading axis, got N = {n}.")
    dtype = jnp.result_type(*[leaf.dtype for leaf in leaves])
    if not jnp.issubdtype(dtype, jnp.floating):
        raise ValueError(f"Argument `updates` must be real floating point, got dtype {dtype}.")
    flat = jnp.concatenate([jnp.reshape(leaf, (n, -1)).astype(dtype) for leaf in leaves], axis=1)
    sizes = [int(np.prod(s[1:])) for s in shapes]
    offsets = np.cumsum([0] + sizes)

    def unflatten(vec):
        parts = [vec[offsets[i] : offsets[i + 1]].reshape(s[1:]).astype(leaf.dtype)
                 for i, (s, leaf) in enumerate(zip(shapes, leaves))]
        return jax.tree_util.tree_unflatten(treedef, parts)

    return flat, unflatten, n


def worker_signs(flat: jax.Array) -> jax.Array:
    """s = sign(g) with sign(0) = +1, as int32 in {-1, +1} (same shape as ``flat``)."""
    return jnp.where(flat >= 0, 1, -1).astype(jnp.int32)


def exact_majority(signs: jax.Array) -> jax.Array:
    """sign(sum_j s_j) over the leading worker axis, a tie giving +1 (SPEC A16): (P,) int32."""
    return jnp.where(jnp.sum(signs, axis=0) >= 0, 1, -1).astype(jnp.int32)


def _transformation(aggregate, cost, key, *, needs_key: bool) -> optax.GradientTransformation:
    """Wrap ``aggregate(key, flat (N, P)) -> (P,) update`` as a GradientTransformation."""
    if needs_key:
        if key is None:
            raise ValueError("Argument `key` must be a JAX PRNG key for a sampling aggregator, got None.")
        check_key("key", key, allow_none=True)
    else:
        key = None
    zero = jnp.zeros((), jnp.float32)

    def init(params):
        return AggregationState(key, zero, zero, zero, zero, _template(params))

    def update(updates, state, params=None):
        if not isinstance(state, AggregationState):
            raise ValueError(
                "Argument `state` must be the AggregationState returned by this aggregator's "
                f"`init`, got {type(state).__name__}."
            )
        _check_worker_tree(updates, state.template, "the parameters given to `init`")
        if params is not None:
            _check_worker_tree(updates, _template(params), "`params`")
        check_no_nan("updates", updates)  # concrete input: a NaN gradient is an error, not a vote
        flat, unflatten, n = _flatten_workers(updates)
        if needs_key:
            next_key, sub = jax.random.split(state.rng_key)
        else:
            next_key, sub = None, None
        agg = aggregate(sub, flat)
        # Traced input cannot raise: a coordinate with a NaN gradient gets a NaN update (as the
        # mean would), so the run visibly diverges instead of counting NaN as a -1 vote.
        agg = jnp.where(jnp.any(jnp.isnan(flat), axis=0), jnp.asarray(jnp.nan, agg.dtype), agg)
        majority = exact_majority(worker_signs(flat))
        misses = jnp.sum((jnp.where(agg >= 0, 1, -1) != majority).astype(jnp.int32))
        agreement = 1 - misses.astype(jnp.float32) / jnp.float32(flat.shape[1])  # exactly 1 if all agree
        c = cost(n, flat.shape[1], flat.dtype)
        new_state = AggregationState(
            next_key,
            agreement,
            jnp.asarray(c.bits_sent, jnp.float32),
            jnp.asarray(c.online_qubits, jnp.float32),
            jnp.asarray(c.setup_qubits, jnp.float32),
            state.template,
        )
        return unflatten(agg), new_state

    return optax.GradientTransformation(init, update)


def _float_bits(dtype) -> int:
    return 8 * jnp.dtype(dtype).itemsize


# ----------------------------------------------------------------------------------------------
# Classical aggregators
# ----------------------------------------------------------------------------------------------


def mean_aggregation() -> optax.GradientTransformation:
    """Exact mean over the workers (a classical float all-reduce): (N, ...) -> (...).

    Communication: a ring all-reduce of float words, 2 (N - 1) P w bits with w the float width.

    Examples:
        >>> import jax.numpy as jnp, jaxqring as jq
        >>> tx = jq.mean_aggregation()
        >>> g = {"w": jnp.array([[1.0, -2.0], [3.0, 0.0]])}  # N = 2 workers, P = 2
        >>> upd, _ = tx.update(g, tx.init(None))
        >>> upd["w"].tolist()
        [2.0, -1.0]
    """

    def aggregate(key, flat):
        # A matrix-vector product rather than a column reduction: XLA:CPU vectorises it (the
        # plain float reduction over the worker axis is several times slower).
        n = flat.shape[0]
        return jnp.full((n,), 1.0 / n, flat.dtype) @ flat

    def cost(n, p, dtype):
        return communication_cost("mean", num_workers=n, num_params=p, float_bits=_float_bits(dtype))

    return _transformation(aggregate, cost, None, needs_key=False)


def majority_vote() -> optax.GradientTransformation:
    """signSGD with majority vote: update_i = sign(sum_j sign(g_ji)) in {-1, +1}, tie -> +1.

    Communication: 2 N P bits (N P sign bits up to a server, N P majority bits back).
    """

    def aggregate(key, flat):
        return exact_majority(worker_signs(flat)).astype(flat.dtype)

    def cost(n, p, dtype):
        return communication_cost("majority", num_workers=n, num_params=p)

    return _transformation(aggregate, cost, None, needs_key=False)


# ----------------------------------------------------------------------------------------------
# Quantum aggregators
# ----------------------------------------------------------------------------------------------


def _check_noise(noise, *, closed_form: bool) -> None:
    """Validate a GHZ noise model before tracing (ValueError naming ``noise``)."""
    if noise is None:
        return
    if not isinstance(noise, NoiseModel):
        raise ValueError(
            "Argument `noise` must be a jaxqring.NoiseModel (e.g. jaxqring.dephasing(p)) or None, "
            f"got {type(noise).__name__}."
        )
    if closed_form:
        check_phase_covariant(noise, purpose="the closed-form GHZ law",
                              alternative="use method='mps' for other channels (e.g. bit_flip)")


def _visibility(noise, n: int, dtype):
    if noise is None:
        return jnp.asarray(1.0, dtype)
    return jnp.asarray(ghz_visibility(noise, n), dtype)


def ghz_plus_probability(
    signs: jax.Array, *, noise=None, method: str = "closed_form", max_batch: int | None = None, mesh=None
) -> jax.Array:
    """P(Pi' = +1) per coordinate for SPEC §10 Scheme A: (1 + V sin Phi_i) / 2.

    Args:
        signs: shape=(N, P), int or float in {-1, +1}: the worker signs s_ji.
        noise: a ``jaxqring.NoiseModel`` (per-qubit channels, SPEC C8) or None.
        method: ``"closed_form"`` (the GHZ kernel: Phi from the phase sum, V from
            ``jaxqring.ghz_visibility``) or ``"mps"`` (``jaxqring.parity_expectation`` of the GHZ
            MPS with ``noise=``, the general transfer-matrix path).
        max_batch: coordinates per streamed chunk (None: from the device's free memory).
        mesh: None, ``"all"`` or a 1-D Mesh: the coordinates are sharded over its devices.
    Returns:
        shape=(P,), float32 (or float64 if ``signs`` is float64), in [0, 1]; the same values
        whatever ``max_batch`` and ``mesh``.
    """
    method = check_choice("method", method, ("closed_form", "mps"))
    mesh = check_mesh("mesh", mesh)
    n = signs.shape[0]
    dtype = signs.dtype if jnp.issubdtype(signs.dtype, jnp.floating) else jnp.float32
    phases = signs.astype(dtype) * jnp.asarray(math.pi / (2 * n), dtype)  # (N, P) radians
    codes = jnp.asarray(basis_codes("sine", n))
    if method == "closed_form":
        visibility = _visibility(noise, n, dtype)

        def closed(_, cols, codes, visibility):
            phi = jax.vmap(K.ghz_effective_phase, in_axes=(1, None))(cols, codes)  # Phi - pi/2
            return 1 - K.ghz_parity_probability(phi, visibility)

        chunk, _ = coordinate_layout(max_batch, mesh, num_coords=phases.shape[1],
                                     bytes_per_coord=4 * n * jnp.dtype(dtype).itemsize)
        p_plus = map_columns(closed, None, phases, codes, visibility, chunk=chunk, mesh=mesh)
    else:
        probe = ghz(n, dtype=complex_dtype(dtype))
        e = parity_expectation(probe, phases.T, basis="sine", noise=noise, max_batch=max_batch, mesh=mesh)
        p_plus = (1 + e) / 2
    return jnp.clip(p_plus.astype(dtype), 0, 1)


def ghz_majority_table(num_workers: int, shots: int, *, noise: NoiseModel | None = None, dtype: DTypeLike = jnp.float32) -> jax.Array:
    """P(Scheme A outputs +1 | n_+ = k) for k = 0..N: shape=(N + 1,), ``dtype``.

    Row k evaluates the GHZ kernel on the phase vector of k workers with sign +1 and N - k with
    sign -1 (Phi = pi (2k - N) / (2N)), giving p_+ = (1 + V sin Phi)/2 per shot; the majority of
    M odd i.i.d. shots is +1 with probability P(Binomial(M, p_+) >= (M+1)/2) = I_{p_+}(h, h),
    h = (M + 1)/2 (regularised incomplete beta). The per-shot law depends on the signs only
    through Phi (and V is common to all coordinates), so this table is the exact output law.
    """
    n = int(num_workers)
    rows = np.where(np.arange(n)[None, :] < np.arange(n + 1)[:, None], 1, -1)  # (N+1, N)
    p_plus = ghz_plus_probability(jnp.asarray(rows.T, dtype), noise=noise, method="closed_form")
    h = (shots + 1) / 2
    table = jax.scipy.special.betainc(jnp.asarray(h, dtype), jnp.asarray(h, dtype), p_plus)
    return jnp.clip(table, 0, 1)


def _check_ghz_options(shots, method, noise, max_batch, mesh):
    """The GHZ aggregators' shared options, validated before tracing."""
    shots = check_odd_shots("shots", shots)
    method = check_choice("method", method, GHZ_METHODS)
    _check_noise(noise, closed_form=method != "mps")
    if max_batch is not None:
        max_batch = check_int("max_batch", max_batch, minimum=1)
    return shots, method, max_batch, check_mesh("mesh", mesh)


def ghz_majority_vote(
    *,
    shots: int,
    key: jax.Array,
    noise: NoiseModel | None = None,
    method: str = "table",
    max_batch: int | None = None,
    mesh=None,
) -> optax.GradientTransformation:
    """SPEC §10 Scheme A: majority vote read out from GHZ copies with the sine readout.

    Node j applies R(s_ji pi / (2N)) to its qubit of each GHZ copy of coordinate i, so
    Phi_i = pi (n_+ - n_-) / (2N) and sign(sin Phi_i) is the majority [10.1]. ``shots`` odd
    copies per coordinate are read out; the update is the sign of the summed parities.
    Per shot P(Pi' = +1) = (1 + V sin Phi)/2 [3.4, 3.8], so the shots of a coordinate are one
    Binomial(M, .) draw. Ties (N even) are fair coins (A16: odd N recommended).

    Args:
        shots: M, odd, >= 1.
        key: JAX PRNG key, stored in the state and split once per update.
        noise: ``jaxqring.NoiseModel`` acting on every GHZ qubit, or None.
        method: how the output is drawn, all with the same law:
            ``"table"`` (default): the exact law of the majority given n_+
            (:func:`ghz_majority_table`, N + 1 kernel evaluations per step) and one uniform
            per coordinate; ``"binomial"``: the closed-form per-coordinate shot probability
            and one Binomial(M) shot count per coordinate; ``"mps"``: the per-coordinate
            probability from ``jaxqring.parity_expectation(ghz, ..., noise=noise)`` (the
            general MPS/MPO path, for noise without a closed form) and a Binomial count.
        max_batch: coordinates per streamed chunk of the per-coordinate work (None: from the
            device's free memory).
        mesh: None, ``"all"`` or a 1-D Mesh: the per-coordinate work (vote counts, shot
            probabilities, MPS sweeps) is sharded over its devices. The random draws are made
            for all P coordinates from the same key, so the updates are identical whatever
            ``max_batch`` and ``mesh``.
    Returns:
        optax GradientTransformation mapping (N, ...) stacked gradients to (...) updates in
        {-1, +1}. Communication: M P GHZ copies, N M P broadcast bits, (N - 1) M P setup qubits.
    """
    shots, method, max_batch, mesh = _check_ghz_options(shots, method, noise, max_batch, mesh)

    def aggregate(key, flat):
        signs = worker_signs(flat)
        dtype = flat.dtype
        if method == "table":
            table = ghz_majority_table(flat.shape[0], shots, noise=noise, dtype=dtype)
            chunk, _ = coordinate_layout(max_batch, mesh, num_coords=flat.shape[1], bytes_per_coord=4 * flat.shape[0])
            n_plus = map_columns(lambda _, cols: jnp.sum((cols > 0).astype(jnp.int32), axis=0), None, signs,
                                 chunk=chunk, mesh=mesh)
            u = jax.random.uniform(key, n_plus.shape, dtype)
            return jnp.where(u < table[n_plus], 1, -1).astype(dtype)
        p_plus = ghz_plus_probability(
            signs.astype(dtype), noise=noise, method="closed_form" if method == "binomial" else "mps",
            max_batch=max_batch, mesh=mesh,
        )
        count = jax.random.binomial(key, shots, p_plus)  # number of Pi' = +1 shots
        return jnp.where(2 * count > shots, 1, -1).astype(dtype)

    def cost(n, p, dtype):
        return communication_cost("ghz_majority", num_workers=n, num_params=p, shots=shots)

    return _transformation(aggregate, cost, key, needs_key=True)


def ghz_count_vote(
    *,
    shots: int,
    key: jax.Array,
    noise: NoiseModel | None = None,
    method: str = "table",
    max_batch: int | None = None,
    mesh=None,
) -> optax.GradientTransformation:
    """SPEC §10 Scheme B: Kitaev counting of n_+ on GHZ copies, then majority (tie -> +1).

    q_j = (1 + s_j)/2 in {0, 1}, b = ceil(log2(N + 1)) rounds of ``shots`` odd shots each,
    unsigned decoding (``jaxqring.kitaev_sum(..., signed=False)``); update +1 iff 2 n_+ >= N.

    Args:
        shots: M per Kitaev round, odd, >= 1.
        key: JAX PRNG key, stored in the state and split once per update.
        noise: ``jaxqring.NoiseModel`` or None.
        method: ``"mps"`` runs ``kitaev_sum`` on its MPS/MPO outcome law (any noise); the
            other values use its closed form (V from ``ghz_visibility``).
        max_batch, mesh: streaming and sharding of the coordinates, passed to ``kitaev_sum``
            (the same counts whatever their values).
    Returns:
        optax GradientTransformation (N, ...) -> (...) in {-1, +1}. Communication:
        b M P GHZ copies, N b M P broadcast bits, (N - 1) b M P setup qubits.
    """
    shots, method, max_batch, mesh = _check_ghz_options(shots, method, noise, max_batch, mesh)
    kitaev_method = "mps" if method == "mps" else "closed_form"

    def aggregate(key, flat):
        n = flat.shape[0]
        q = (worker_signs(flat) + 1) // 2  # (N, P) int32 in {0, 1}
        res = kitaev_sum(key, q, bits=count_bits(n), shots_per_round=shots, noise=noise,
                         signed=False, method=kitaev_method, max_batch=max_batch, mesh=mesh,
                         keep_rounds=False)
        return jnp.where(2 * res.sum >= n, 1, -1).astype(flat.dtype)

    def cost(n, p, dtype):
        return communication_cost("ghz_count", num_workers=n, num_params=p, shots=shots)

    return _transformation(aggregate, cost, key, needs_key=True)


def superdense_sign(
    *,
    key: jax.Array,
    epr: EPRModel | None = None,
    supply: SupplyModel | None = None,
    bits: int | None = None,
    clip: float = 1.0,
    values: str = "sign",
    mesh=None,
) -> optax.GradientTransformation:
    """Superdense-coded ring all-reduce (SPEC §2) followed by the sign.

    ``values="sign"`` all-reduces the worker signs (clip 1, default width
    b = :func:`sign_word_bits` (N) so a sign quantises to +-q_max): noiselessly the sign of the
    sum is exactly the majority (tie -> +1). ``values="grad"`` all-reduces the gradients clipped
    to [-clip, clip] (default b = 16) and takes the sign of the mean. EPR noise (e.g.
    ``jaxqring.werner(F)``) corrupts transmitted words; the update is node 0's decoded result.

    Args:
        key: JAX PRNG key, stored in the state and split once per update.
        epr: EPR-pair noise for ``jaxqring.ring_allreduce`` (None = perfect pairs).
        supply: a :class:`jaxqring.allreduce.SupplyModel` instead of ``epr``: before every update
            each link's memory is drawn afresh (Monte Carlo over the supply's time steps) and the
            ring uses the aged pairs it would hold (:func:`jaxqring.allreduce.supply_epr`), so
            memory decoherence reaches the training loop.
        bits: wire width b (>= 2).
        clip: clip radius R > 0 for ``values="grad"``.
        values: ``"sign"`` or ``"grad"``.
        mesh: the ring's node-axis mesh (None, ``"all"`` or a 1-D Mesh whose size divides N;
            see ``jaxqring.ring_allreduce``): the nodes, not the coordinates, are sharded.
    Returns:
        optax GradientTransformation (N, ...) -> (...) in {-1, +1}. Communication:
        2 (N - 1) sum_c ceil(b |C_c| / 2) online qubits, as many EPR pairs and setup qubits.
    """
    values = check_choice("values", values, SUPERDENSE_VALUES)
    if bits is not None:
        bits = check_int("bits", bits, minimum=2)
    clip = check_real("clip", clip, minimum=0.0, exclusive_minimum=True)
    if epr is not None and supply is not None:
        raise ValueError("Arguments `epr` and `supply` are exclusive: give the pair state or the supply model that produces it.")
    if supply is not None and not isinstance(supply, SupplyModel):
        raise ValueError(
            f"Argument `supply` must be None or a SupplyModel (jaxqring.allreduce.supply_model), got {type(supply).__name__}."
        )

    def width(n):
        if bits is not None:
            return bits
        return sign_word_bits(n) if values == "sign" else 16

    def aggregate(key, flat):
        n = flat.shape[0]
        x = worker_signs(flat).astype(flat.dtype) if values == "sign" else flat
        pairs = epr
        if supply is not None:  # a fresh draw of every link's memory before each all-reduce
            key, k_pairs = jax.random.split(key)
            pairs = supply_epr(supply, key=k_pairs, num_nodes=n, num_coords=flat.shape[1], bits=width(n)).epr
        res = ring_allreduce(x, scheme="superdense", bits=width(n),
                             clip=1.0 if values == "sign" else clip, epr=pairs, key=key, mesh=mesh)
        total = res.sum[0]  # (N, P) per-node decoded sums: node 0's view drives the update
        return jnp.where(total >= 0, 1, -1).astype(flat.dtype)

    def cost(n, p, dtype):
        return communication_cost("superdense", num_workers=n, num_params=p, bits=width(n))

    return _transformation(aggregate, cost, key, needs_key=True)


def make_aggregator(
    name: str,
    *,
    key: jax.Array | None = None,
    shots: int = 101,
    noise: NoiseModel | None = None,
    epr: EPRModel | None = None,
    bits: int | None = None,
    method: str = "table",
    max_batch: int | None = None,
    mesh=None,
) -> optax.GradientTransformation:
    """Build the aggregator called ``name`` (one of ``AGGREGATORS``) from shared options.

    ``shots`` and ``noise`` apply to the GHZ aggregators, ``epr``/``bits`` to
    ``superdense`` (which all-reduces the signs; build :func:`superdense_sign` directly for
    ``values="grad"``); ``key`` is required by the sampling ones (all but mean and majority).
    ``max_batch`` and ``mesh`` stream and shard the coordinates of the GHZ aggregators; for
    ``superdense`` ``mesh`` is the ring's node-axis mesh. Mean and majority are plain
    reductions that XLA partitions by itself, so they ignore both.
    """
    name = check_choice("aggregator", name, AGGREGATORS)
    if name == "mean":
        return mean_aggregation()
    if name == "majority":
        return majority_vote()
    if name == "ghz_majority":
        return ghz_majority_vote(shots=shots, key=key, noise=noise, method=method, max_batch=max_batch, mesh=mesh)
    if name == "ghz_count":
        return ghz_count_vote(shots=shots, key=key, noise=noise, method=method, max_batch=max_batch, mesh=mesh)
    return superdense_sign(key=key, epr=epr, bits=bits, mesh=mesh)
