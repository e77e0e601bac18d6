"""Classical and superdense-coded ring all-reduce with a per-link, per-round carrier ledger.

Schedule (SPEC §1): N nodes on a ring, gradients (N, P); P is cut into N chunks by the numpy
``array_split`` rule (chunk c has floor(P/N) + [c < P mod N] coordinates, so P < N leaves
empty chunks). Scatter-reduce: N - 1 rounds, in round r node j sends chunk (j - r) mod N to
j + 1, which adds it mod 2**b. All-gather: N - 1 rounds, node j sends chunk (j + 1 - r) mod N to
j + 1 (``gather="cw"``, default) or chunk (j + 1 + r) mod N to j - 1 (``gather="ccw"``, SPEC A2),
and the receiver overwrites its copy. Every payload is a b-bit two's-complement word of the
fixed-point format of :mod:`jaxqring._fixedpoint` (rounding: clip, then round half to even).

Superdense scheme (SPEC §2): every message is cut into 2-bit symbols (one online qubit each,
one pre-shared EPR pair consumed each) and decoded by a Bell measurement on a pair whose state is
given by an :class:`~jaxqring._superdense.EPRModel`; with noisy pairs each symbol is replaced by
a draw from the exact confusion matrix, independently per symbol.

Implementation: the static schedule and the ledger are plain numpy, computed once per
(N, P, b, scheme, direction) and cached. Each node keeps its chunks in a *rotated* buffer
``buf[j, k] = chunk (j - k) mod N`` of shape (N, N, L), L = ceil(P / N), zero padded; in this
frame every round reads and writes one fixed slot for all nodes, so a round is one dynamic slice,
one neighbour shift and one in-place dynamic update inside ``lax.scan``. The shift is
``jnp.roll`` over the node axis (vectorised) or ``lax.ppermute`` of the boundary node between
devices (``shard_map`` over a 1-D mesh); both run the same round function with the same keys,
so their results are identical.
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike
from jax import Array
from jax.sharding import Mesh

from .._checks import check_choice, check_finite, check_int, check_key, check_memory, check_mesh, is_traced
from .._fixedpoint import FixedPoint, dequantise_mean, fixed_point
from .._parallel import to_device
from ..kernels.comm.ring import RingSchedule as RingSchedule
from ..kernels.comm.ring import read_only, ring_allreduce_words, ring_schedule
from ._superdense import EPRModel, check_epr

SCHEMES = ("classical", "superdense")
GATHER_DIRECTIONS = ("cw", "ccw")
PHASES = ("scatter_reduce", "all_gather")


# ---------------------------------------------------------------------------------------------
# Ledger.
# ---------------------------------------------------------------------------------------------


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class RingLedger:
    """Carrier ledger of one ring all-reduce: every message, every link, every round.

    A carrier is a bit (classical scheme) or a qubit (superdense). *Online* carriers cross a link
    while the gradients are reduced; *set-up* carriers cross it beforehand to distribute the
    EPR pairs (one qubit per pair, SPEC §2 Accounting; A4: attributed to the link of the message
    the pair serves). Lifetime = online + set-up.

    Attributes:
        online: shape=(2, N - 1, N), int64: online carriers sent by node j in (phase, round);
            phase 0 is scatter-reduce, 1 is all-gather.
        setup: shape=(2, N - 1, N), int64: set-up carriers (= EPR pairs consumed) of those messages.
        payload_bits: shape=(2, N - 1, N), int64: classical bits B = b |C_c| of each message.
        receiver: shape=(2, N), int64: destination of node j's messages in each phase.
        scheme: "classical" or "superdense" (static).
        bits: word width b (static).
        gather: all-gather direction "cw" or "ccw" (static).
    """

    online: np.ndarray
    setup: np.ndarray
    payload_bits: np.ndarray
    receiver: np.ndarray
    scheme: str = dataclasses.field(metadata=dict(static=True))
    bits: int = dataclasses.field(metadata=dict(static=True))
    gather: str = dataclasses.field(metadata=dict(static=True))

    @property
    def num_nodes(self) -> int:
        return int(np.shape(self.online)[2])

    @property
    def num_rounds(self) -> int:
        """2 (N - 1): N - 1 scatter-reduce plus N - 1 all-gather rounds."""
        return 2 * (self.num_nodes - 1)

    @property
    def unit(self) -> str:
        return "qubit" if self.scheme == "superdense" else "bit"

    def _directed(self, per_message) -> np.ndarray:
        """(N, 2) totals on the directed links j -> j+1 (column 0) and j -> j-1 (column 1)."""
        per_message = np.asarray(per_message, np.int64)
        out = np.zeros((self.num_nodes, 2), np.int64)
        out[:, 0] += per_message[0].sum(axis=0)
        out[:, 1 if self.gather == "ccw" else 0] += per_message[1].sum(axis=0)
        return out

    def _undirected(self, per_message) -> np.ndarray:
        d = self._directed(per_message)
        return d[:, 0] + np.roll(d[:, 1], -1)  # link {j, j+1}: j -> j+1 plus j+1 -> j

    @property
    def online_directed(self) -> np.ndarray:
        """shape=(N, 2): online carriers on j -> j+1 (column 0) and on j -> j-1 (column 1)."""
        return self._directed(self.online)

    @property
    def online_per_link(self) -> np.ndarray:
        """shape=(N,): online carriers on the link {j, j+1 mod N}, both directions."""
        return self._undirected(self.online)

    @property
    def setup_per_link(self) -> np.ndarray:
        """shape=(N,): set-up carriers on the link {j, j+1 mod N} (0 for the classical ring)."""
        return self._undirected(self.setup)

    @property
    def lifetime_per_link(self) -> np.ndarray:
        """shape=(N,): online + set-up carriers on the link {j, j+1 mod N}."""
        return self.online_per_link + self.setup_per_link

    @property
    def payload_bits_per_link(self) -> np.ndarray:
        """shape=(N,): classical payload bits carried by the link {j, j+1 mod N}."""
        return self._undirected(self.payload_bits)

    @property
    def online_per_round(self) -> np.ndarray:
        """shape=(2 (N - 1), N): online carriers sent by node j in each round, in time order."""
        return np.asarray(self.online).reshape(-1, self.num_nodes)

    @property
    def online_total(self) -> int:
        return int(np.sum(self.online, dtype=np.int64))

    @property
    def setup_total(self) -> int:
        return int(np.sum(self.setup, dtype=np.int64))

    @property
    def lifetime_total(self) -> int:
        return self.online_total + self.setup_total

    @property
    def epr_pairs_total(self) -> int:
        """EPR pairs consumed (destroyed by the Bell measurements) per all-reduce."""
        return self.setup_total

    def summary(self, max_nodes: int = 16) -> str:
        """A readable table of the carriers: per link, per round, and the ring totals.

        Per link {j, j+1 mod N}: online, set-up and lifetime carriers (both directions) and the
        classical payload bits they carry. Per round (time order, scatter-reduce then
        all-gather): the online carriers each node sends. Rings larger than ``max_nodes`` show
        their first ``max_nodes`` links/nodes and say how many are left out.
        For the same numbers as a dict, see :meth:`totals`.
        """
        max_nodes = check_int("max_nodes", max_nodes, minimum=1)
        n, unit = self.num_nodes, self.unit
        shown = min(n, max_nodes)
        more = f"  ... {n - shown} more nodes not shown (max_nodes={max_nodes})" if n > shown else None
        lines = [
            f"Ring ledger: {self.scheme} scheme, N = {n} nodes, b = {self.bits}-bit words, "
            f"all-gather {self.gather}; carriers are {unit}s",
            "",
            f"per link {{j, j+1}} (both directions)  {'online':>10} {'set-up':>10} {'lifetime':>10} {'payload bits':>13}",
        ]
        on, su, life, pay = self.online_per_link, self.setup_per_link, self.lifetime_per_link, self.payload_bits_per_link
        for j in range(shown):
            lines.append(f"  link {j:>4} - {(j + 1) % n:<4}                  {on[j]:>10} {su[j]:>10} {life[j]:>10} {pay[j]:>13}")
        if more:
            lines.append(more)
        lines += ["", f"per round: online {unit}s sent by node j"]
        lines.append(f"  {'round':>5}  {'phase':<15}" + "".join(f"{'j=' + str(j):>8}" for j in range(shown)))
        per_round = self.online_per_round
        for r in range(per_round.shape[0]):
            phase = PHASES[r // (n - 1)].replace("_", "-")
            lines.append(f"  {r + 1:>5}  {phase:<15}" + "".join(f"{int(v):>8}" for v in per_round[r, :shown]))
        if more:
            lines.append(more)
        t = self.totals()
        lines += [
            "",
            f"totals: {t['online_total']} online + {t['setup_total']} set-up = {t['lifetime_total']} {unit}s "
            f"over {t['rounds']} rounds; max per link: {t['online_per_link_max']} online, "
            f"{t['setup_per_link_max']} set-up" + (f"; {self.epr_pairs_total} EPR pairs consumed" if self.scheme == "superdense" else ""),
        ]
        return "\n".join(lines)

    def totals(self) -> dict:
        """Plain-Python digest: per-link maxima and ring totals (what :meth:`summary` ends with)."""
        return {
            "scheme": self.scheme,
            "unit": self.unit,
            "rounds": self.num_rounds,
            "online_per_link_max": int(self.online_per_link.max()),
            "setup_per_link_max": int(self.setup_per_link.max()),
            "lifetime_per_link_max": int(self.lifetime_per_link.max()),
            "online_total": self.online_total,
            "setup_total": self.setup_total,
            "lifetime_total": self.lifetime_total,
        }


# Host bytes per node pair of the static schedule and ledger: about eleven (2, N - 1, N) int64
# tables (chunk ids, read/write slots and their temporaries; online, set-up and payload counts).
SCHEDULE_BYTES_PER_NODE_PAIR = 180
# Device words per coordinate per node: the rotated (N, N, ceil(P/N)) int32 buffer, its update
# and message copies inside the scan, and the quantised words.
RING_WORDS_PER_ENTRY = 4


def ring_memory_bytes(num_nodes: int, num_coords: int, itemsize: int = 4) -> int:
    """Estimated peak bytes of one ring all-reduce of an (N, P) gradient array.

    The static schedule and ledger (host, O(N^2)) plus the device buffers (O(N P)): the input
    in ``itemsize``-byte floats and the rotated int32 chunk buffer with its per-round copies.
    """
    n, p = int(num_nodes), int(num_coords)
    length = -(-p // n)
    return (SCHEDULE_BYTES_PER_NODE_PAIR * n * n + RING_WORDS_PER_ENTRY * 4 * n * n * length
            + 2 * n * p * int(itemsize))


def check_ring_memory(name: str, num_nodes: int, num_coords: int, itemsize: int = 4) -> None:
    """Raise a ValueError naming ``name`` if the ring all-reduce of (N, P) cannot fit in memory."""
    check_memory(
        name, ring_memory_bytes(num_nodes, num_coords, itemsize),
        what=f"a ring all-reduce of N = {int(num_nodes)} nodes and P = {int(num_coords)} coordinates "
        "(O(N^2) schedule and ledger, O(N P) chunk buffers)",
        fix="reduce the number of nodes N or coordinates P (the schedule grows as N^2: N = 10^4 "
        "needs about 18 GiB for it alone), or shard the nodes over devices with `mesh`",
    )


@functools.lru_cache(maxsize=256)
def ring_ledger(
    num_nodes: int, num_coords: int, *, bits: int, scheme: str = "classical", gather: str = "cw"
) -> RingLedger:
    """Carrier ledger of the ring schedule (static; plain numpy; cached).

    Classical: a message of B = b |C_c| bits costs B online bits. Superdense: ceil(B/2) online
    qubits and ceil(B/2) set-up qubits (EPR pairs), lifetime 2 ceil(B/2) in {B, B+1} (SPEC [2.6]).
    """
    check_choice("scheme", scheme, SCHEMES)
    check_choice("gather", gather, GATHER_DIRECTIONS)
    num_nodes = check_int("num_nodes", num_nodes, minimum=2)
    num_coords = check_int("num_coords", num_coords, minimum=1)
    check_memory(
        "num_nodes", SCHEDULE_BYTES_PER_NODE_PAIR * num_nodes * num_nodes,
        what=f"the per-link, per-round ledger of N = {num_nodes} nodes (O(N^2) int64 tables)",
        fix="reduce N (N = 10^4 needs about 18 GiB for the ledger)",
    )
    sched = ring_schedule(num_nodes, num_coords, gather)
    payload = int(bits) * sched.chunk_sizes[sched.chunk]
    if scheme == "classical":
        online, setup = payload, np.zeros_like(payload)
    else:
        online = -(-payload // 2)
        setup = online.copy()
    return RingLedger(
        online=read_only(online),
        setup=read_only(setup),
        payload_bits=read_only(payload),
        receiver=sched.receiver,
        scheme=scheme,
        bits=int(bits),
        gather=gather,
    )


# ---------------------------------------------------------------------------------------------
# Result.
# ---------------------------------------------------------------------------------------------


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class RingResult:
    """Output of :func:`ring_allreduce`.

    Attributes:
        sum: shape=(N, P), int32: integer sum S_i = sum_j q_{j,i} as decoded at node j
            (rows are identical unless noisy EPR pairs corrupted some messages).
        ledger: :class:`RingLedger` of the run.
        fmt: the fixed-point format (static).
        float_dtype: dtype name of :attr:`mean` (static; the gradients' float dtype).
    """

    sum: Array
    ledger: RingLedger
    fmt: FixedPoint = dataclasses.field(metadata=dict(static=True))
    float_dtype: str = dataclasses.field(metadata=dict(static=True))

    @property
    def mean(self) -> Array:
        """shape=(N, P), float: mean estimate delta S / N at every node (gradient units)."""
        return dequantise_mean(self.sum, self.fmt, jnp.dtype(self.float_dtype))


# ---------------------------------------------------------------------------------------------
# Public API.
# ---------------------------------------------------------------------------------------------


def _check_grads(grads):
    shape = tuple(jnp.shape(grads))
    if len(shape) != 2 or shape[0] < 2 or shape[1] < 1:
        raise ValueError(
            f"Argument `grads` must have shape (N, P) with N >= 2 nodes and P >= 1 coordinates, got {shape}."
        )
    dt = jnp.asarray(grads).dtype if is_traced(grads) else np.asarray(grads).dtype
    if dt.kind not in "fiu":
        raise ValueError(f"Argument `grads` must be a real array, got dtype {dt}.")
    check_finite("grads", grads)
    return shape


def _check_mesh(mesh, num_nodes: int):
    mesh = check_mesh("mesh", mesh, axis_name="nodes")
    if mesh is None:
        return None
    size = mesh.devices.size
    if num_nodes % size:
        raise ValueError(
            f"Argument `mesh` must have a size dividing the number of nodes N = {num_nodes}, "
            f"got {size} devices."
        )
    return mesh


def ring_allreduce(
    grads: ArrayLike,
    *,
    scheme: str = "classical",
    bits: int,
    clip: float = 1.0,
    epr: EPRModel | None = None,
    key: jax.Array | None = None,
    gather: str = "cw",
    mesh: Mesh | str | None = None,
) -> RingResult:
    """Ring all-reduce of b-bit fixed-point gradients, classical or superdense-coded.

    Every node quantises its row (SPEC §1: clip to [-clip, clip], scale by delta = clip / q_max,
    round half to even, word q mod 2**bits), the ring runs N - 1 scatter-reduce and N - 1
    all-gather rounds on the words, and each node decodes the integer sum S and the mean
    delta S / N. With ``scheme="superdense"`` every message travels as 2-bit symbols over
    pre-shared EPR pairs (SPEC §2); ``epr=None`` means perfect pairs (exact decoding, the
    confusion matrix of |Phi+> is the identity), otherwise each symbol is decoded by a draw
    from the exact confusion matrix of ``epr``, independently per symbol, message and round.

    Usable inside ``jax.jit`` with traced ``grads``, ``key`` and ``epr`` (the other arguments
    are static configuration).

    Args:
        grads: (N, P) real array, gradient units: row j is node j's gradient; N >= 2.
        scheme: "classical" (bits on the wire) or "superdense" (qubits + EPR pairs).
        bits: wire width b in [1, 30] with 2**(b-1) - 1 >= N (SPEC C6).
        clip: clip radius R > 0.
        epr: None or an :class:`EPRModel` (``werner(F)``, ``pauli_epr(...)``); superdense only.
        key: PRNG key, required when ``epr`` is given. Results reproduce for the same key,
            shapes and jax version, with or without ``mesh``.
        gather: all-gather direction, "cw" (j -> j+1, default) or "ccw" (j -> j-1, SPEC A2).
        mesh: None (all nodes vectorised on one device), ``"all"`` (every device, also across
            processes after :func:`jaxqring.initialize`) or a 1-D ``jax.sharding.Mesh`` whose
            size divides N; each device then holds N / size consecutive nodes and neighbours on
            different devices exchange messages with ``lax.ppermute``.
    Returns:
        :class:`RingResult` with ``.sum`` (N, P) int32, ``.mean`` (N, P) float (dtype of
        ``grads``; float32 for integer input) and ``.ledger`` (:class:`RingLedger`).

    Examples:
        >>> import numpy as np, jaxqring as jq
        >>> g = np.random.default_rng(0).normal(size=(4, 10)) * 0.1
        >>> res = jq.ring_allreduce(g, scheme="superdense", bits=12)
        >>> res.ledger.online_per_link.tolist()   # qubits per link: half the classical bits
        [90, 96, 90, 84]
    """
    scheme = check_choice("scheme", scheme, SCHEMES)
    gather = check_choice("gather", gather, GATHER_DIRECTIONS)
    num_nodes, num_coords = _check_grads(grads)
    fmt = fixed_point(bits, clip, num_nodes)
    epr = check_epr(epr)
    if epr is not None and scheme != "superdense":
        raise ValueError(f"Argument `epr` is only used by scheme='superdense', got scheme={scheme!r}.")
    if epr is not None and key is None:
        raise ValueError("Argument `key` must be a PRNG key when `epr` (noisy pairs) is given, got None.")
    check_key("key", key, allow_none=True)
    mesh = _check_mesh(mesh, num_nodes)
    check_ring_memory("grads", num_nodes, num_coords, np.dtype(getattr(grads, "dtype", np.float64)).itemsize)
    g = to_device(grads)  # one copy of a numpy input, not two
    if not jnp.issubdtype(g.dtype, jnp.floating):
        g = g.astype(jnp.float32)
    weights = None if epr is None else epr.pauli_weights
    total = ring_allreduce_words(g, key if weights is not None else None, weights, fmt=fmt, gather=gather, mesh=mesh)
    ledger = ring_ledger(num_nodes, num_coords, bits=fmt.bits, scheme=scheme, gather=gather)
    return RingResult(sum=total, ledger=ledger, fmt=fmt, float_dtype=jnp.dtype(g.dtype).name)
