"""The one accounting type of the package: what a protocol sends, in carriers of each kind.

Every protocol (ring all-reduce, GHZ all-reduce, training aggregators, and every later
capability: verification, conflict detection, inference) reports its communication as a
:class:`CommCost`, so that costs of different protocols can be added, scaled and compared on
one ledger. Counts are exact Python ints; ``bits`` elsewhere in the package means a word width.
"""

from __future__ import annotations

import dataclasses

import jax

_FIELDS = ("bits_sent", "online_qubits", "setup_qubits", "ghz_copies", "epr_pairs", "rounds")


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class CommCost:
    """Communication of one protocol run (all fields static Python ints; a pytree with no leaves).

    Attributes:
        bits_sent: classical bits sent, summed over all links; a broadcast bit counts once.
        online_qubits: qubit transmissions made while the protocol runs (data-carrying: superdense
            carriers, amplitude-encoded registers, ...).
        setup_qubits: input-independent qubit transmissions made beforehand (GHZ distribution,
            N - 1 per copy, SPEC §3; EPR distribution, one per pair, SPEC §2).
        ghz_copies: GHZ states consumed.
        epr_pairs: EPR pairs consumed.
        rounds: sequential communication rounds (0 where a protocol does not count them).
    """

    bits_sent: int = dataclasses.field(default=0, metadata=dict(static=True))
    online_qubits: int = dataclasses.field(default=0, metadata=dict(static=True))
    setup_qubits: int = dataclasses.field(default=0, metadata=dict(static=True))
    ghz_copies: int = dataclasses.field(default=0, metadata=dict(static=True))
    epr_pairs: int = dataclasses.field(default=0, metadata=dict(static=True))
    rounds: int = dataclasses.field(default=0, metadata=dict(static=True))

    def __post_init__(self):
        for name in _FIELDS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"Argument `{name}` must be a non-negative int, got {value!r}.")

    # Compatibility names of the fields (the 0.1 API called the counts `bits` and `qubits`).
    @property
    def bits(self) -> int:
        """Same as :attr:`bits_sent` (name kept from jaxqring 0.1)."""
        return self.bits_sent

    @property
    def qubits(self) -> int:
        """Same as :attr:`online_qubits` (name kept from jaxqring 0.1)."""
        return self.online_qubits

    @property
    def total_qubits(self) -> int:
        """Online plus set-up qubit transmissions (the lifetime qubit count)."""
        return self.online_qubits + self.setup_qubits

    def __add__(self, other: "CommCost") -> "CommCost":
        """Costs of two protocol runs made one after the other (rounds add too)."""
        if not isinstance(other, CommCost):
            return NotImplemented
        return CommCost(*(getattr(self, f) + getattr(other, f) for f in _FIELDS))

    def scaled(self, times: int) -> "CommCost":
        """The cost of ``times`` independent repetitions (rounds scale too: sequential)."""
        if isinstance(times, bool) or not isinstance(times, int) or times < 0:
            raise ValueError(f"Argument `times` must be a non-negative int, got {times!r}.")
        return CommCost(*(getattr(self, f) * times for f in _FIELDS))

    def as_dict(self) -> dict[str, int]:
        """Plain dict of the six counts (JSON-ready)."""
        return {f: getattr(self, f) for f in _FIELDS}
