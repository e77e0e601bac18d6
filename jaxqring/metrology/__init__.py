"""Quantum and classical Fisher information of noisy probes (SPEC §5-6): exact pure-state and
GHZ sweeps, dense SLD oracles, parity CFI, and the GHZ optimum under dephasing."""

from __future__ import annotations

from ._fisher import PureQFIReport as PureQFIReport
from ._fisher import density_matrix as density_matrix
from ._fisher import dephasing_qfi_bound as dephasing_qfi_bound
from ._fisher import ghz_optimal_size as ghz_optimal_size
from ._fisher import ghz_qfi as ghz_qfi
from ._fisher import ghz_qfi_profile as ghz_qfi_profile
from ._fisher import optimal_size_from_profile as optimal_size_from_profile
from ._fisher import parity_cfi as parity_cfi
from ._fisher import pure_qfi_report as pure_qfi_report
from ._fisher import qfi_dense as qfi_dense
from ._fisher import qfi_mixed as qfi_mixed
from ._fisher import qfi_pure as qfi_pure

__all__ = [
    "PureQFIReport",
    "density_matrix",
    "dephasing_qfi_bound",
    "ghz_optimal_size",
    "ghz_qfi",
    "ghz_qfi_profile",
    "optimal_size_from_profile",
    "parity_cfi",
    "pure_qfi_report",
    "qfi_dense",
    "qfi_mixed",
    "qfi_pure",
]
