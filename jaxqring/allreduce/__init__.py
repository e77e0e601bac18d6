"""All-reduce protocols: the classical and superdense-coded ring (SPEC §1-2), the GHZ all-reduce by
Kitaev phase estimation (SPEC §3-4), their carrier ledgers, and where the EPR pairs come from:
purification, the entanglement-supply model and the wall-clock comparison of the rings."""

from __future__ import annotations

from ._ghz import GHZAllReduceResult as GHZAllReduceResult
from ._ghz import ghz_allreduce as ghz_allreduce
from ._purification import PurificationRounds as PurificationRounds
from ._purification import bell_coefficients as bell_coefficients
from ._purification import epr_from_coefficients as epr_from_coefficients
from ._purification import purify as purify
from ._purification import purify_rounds as purify_rounds
from ._purification import werner_pairs as werner_pairs
from ._report import AllReduceComparison as AllReduceComparison
from ._report import SchemeRow as SchemeRow
from ._report import compare_allreduce as compare_allreduce
from ._report import comparison_notes as comparison_notes
from ._report import write_comparison as write_comparison
from ._ring import RingLedger as RingLedger
from ._ring import RingResult as RingResult
from ._ring import RingSchedule as RingSchedule
from ._ring import ring_allreduce as ring_allreduce
from ._ring import ring_ledger as ring_ledger
from ._superdense import EPRModel as EPRModel
from ._superdense import pauli_epr as pauli_epr
from ._superdense import superdense_breakeven_fidelity as superdense_breakeven_fidelity
from ._superdense import superdense_capacity as superdense_capacity
from ._superdense import superdense_information as superdense_information
from ._superdense import symbol_error_rates as symbol_error_rates
from ._superdense import werner as werner
from ._supply import LinkModel as LinkModel
from ._supply import SupplyDraw as SupplyDraw
from ._supply import SupplyModel as SupplyModel
from ._supply import SupplyResult as SupplyResult
from ._supply import consume as consume
from ._supply import link_model as link_model
from ._supply import message_qubits as message_qubits
from ._supply import pairs_needed as pairs_needed
from ._supply import supply as supply
from ._supply import supply_epr as supply_epr
from ._supply import supply_model as supply_model
from ._supply_report import SupplyReport as SupplyReport
from ._supply_report import supply_report as supply_report
from ._wallclock import BreakEvenMap as BreakEvenMap
from ._wallclock import WallClock as WallClock
from ._wallclock import breakeven_map as breakeven_map
from ._wallclock import plot_breakeven as plot_breakeven
from ._wallclock import wallclock as wallclock

__all__ = [
    "AllReduceComparison",
    "BreakEvenMap",
    "EPRModel",
    "GHZAllReduceResult",
    "LinkModel",
    "PurificationRounds",
    "RingLedger",
    "RingResult",
    "RingSchedule",
    "SchemeRow",
    "SupplyDraw",
    "SupplyModel",
    "SupplyReport",
    "SupplyResult",
    "WallClock",
    "bell_coefficients",
    "breakeven_map",
    "compare_allreduce",
    "comparison_notes",
    "consume",
    "epr_from_coefficients",
    "ghz_allreduce",
    "link_model",
    "message_qubits",
    "pairs_needed",
    "pauli_epr",
    "plot_breakeven",
    "purify",
    "purify_rounds",
    "ring_allreduce",
    "ring_ledger",
    "superdense_breakeven_fidelity",
    "superdense_capacity",
    "superdense_information",
    "supply",
    "supply_epr",
    "supply_model",
    "supply_report",
    "symbol_error_rates",
    "wallclock",
    "werner",
    "werner_pairs",
    "write_comparison",
]
