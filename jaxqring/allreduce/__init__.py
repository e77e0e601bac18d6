"""All-reduce protocols: the classical and superdense-coded ring (SPEC §1-2) and the GHZ
all-reduce by Kitaev phase estimation (SPEC §3-4), with their carrier ledgers."""

from __future__ import annotations

from ._ghz import GHZAllReduceResult as GHZAllReduceResult
from ._report import AllReduceComparison as AllReduceComparison
from ._report import SchemeRow as SchemeRow
from ._report import compare_allreduce as compare_allreduce
from ._ghz import ghz_allreduce as ghz_allreduce
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

__all__ = [
    "AllReduceComparison",
    "EPRModel",
    "GHZAllReduceResult",
    "RingLedger",
    "RingResult",
    "RingSchedule",
    "SchemeRow",
    "compare_allreduce",
    "ghz_allreduce",
    "pauli_epr",
    "ring_allreduce",
    "ring_ledger",
    "superdense_breakeven_fidelity",
    "superdense_capacity",
    "superdense_information",
    "symbol_error_rates",
    "werner",
]
