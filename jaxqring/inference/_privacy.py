"""Privacy ledger: what a message can reveal, quantum (Holevo cap) vs classical (its bits).

Holevo's theorem: measuring a q-qubit message (no entanglement shared beforehand) yields at most
q bits of accessible information about whatever was encoded in it, here the data x or the model's
parameters. With shared EPR pairs the cap doubles (superdense coding); the protocols of this
subpackage use none. So the information an eavesdropper or the receiving party can extract from the
M copies of the pipeline is at most M * n bits per message hop, whereas the classical pipeline's
message carries the whole 2^n-amplitude vector at b bits per real number. These are upper bounds on
leakage (caps), not attacks; the paper's own privacy statements could not be read.
"""

from __future__ import annotations

from .._accounting import CommCost
from .._checks import check_int
from ._circuit import DistributedCircuit


def holevo_cap_bits(cost: CommCost) -> int:
    """Upper bound on the accessible information (bits) of the qubits in ``cost``.

    q online qubits carry at most q bits; each pre-shared EPR pair can add one more (superdense
    coding), so the cap is online_qubits + epr_pairs.
    """
    if not isinstance(cost, CommCost):
        raise ValueError(f"Argument `cost` must be a CommCost, got {type(cost).__name__}.")
    return cost.online_qubits + cost.epr_pairs


def privacy_ledger(circuit: DistributedCircuit, copies: int, *, bits: int = 32) -> list[dict]:
    """One row per message hop of the pipeline (2L - 1 rows).

    Columns: ``hop`` (1-based), ``sender`` / ``receiver``, ``qubits_per_copy`` (n),
    ``holevo_cap_bits`` (copies * n: the most the receiver can learn from that hop, all copies
    together), ``classical_bits`` (2 * 2^n * bits: the classical pipeline's message, which reveals
    the whole intermediate vector).
    """
    if not isinstance(circuit, DistributedCircuit):
        raise ValueError(f"Argument `circuit` must be a DistributedCircuit, got {type(circuit).__name__}.")
    copies = check_int("copies", copies, minimum=1)
    bits = check_int("bits", bits, minimum=1)
    n = circuit.num_qubits
    rows = []
    for hop in range(circuit.num_messages):
        sender = circuit.owners[hop]
        rows.append(
            {
                "hop": hop + 1,
                "sender": sender,
                "receiver": circuit.owners[hop + 1],
                "qubits_per_copy": n,
                "holevo_cap_bits": holevo_cap_bits(CommCost(online_qubits=copies * n)),
                "classical_bits": 2 * 2**n * bits,
            }
        )
    return rows
