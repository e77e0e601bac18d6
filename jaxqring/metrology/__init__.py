"""Quantum and classical Fisher information of noisy probes (SPEC §5-6): exact pure-state and GHZ
sweeps, dense SLD oracles, parity CFI, the GHZ optimum under dephasing, certified SLD-MPO lower
bounds and channel-extension upper bounds for any MPS probe, optimal noisy probes, the variational
parity-probe optimiser, and the one entry point :func:`qfi`."""

from __future__ import annotations

from ._bounds import CEBound as CEBound
from ._bounds import asymptotic_bound as asymptotic_bound
from ._bounds import channel_extension_bound as channel_extension_bound
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
from ._optimal import OptimalProbe as OptimalProbe
from ._optimal import optimal_probe as optimal_probe
from ._qfi import QFIValue as QFIValue
from ._report import StudyRow as StudyRow
from ._report import crossover as crossover
from ._report import metrology_study as metrology_study
from ._qfi import qfi as qfi
from ._sld import SLDOperator as SLDOperator
from ._sld import SLDResult as SLDResult
from ._sld import sld_objective as sld_objective
from ._sld import sld_qfi as sld_qfi
from ._variational import VariationalResult as VariationalResult
from ._variational import optimise_parity_probe as optimise_parity_probe

__all__ = [
    "CEBound",
    "OptimalProbe",
    "PureQFIReport",
    "QFIValue",
    "SLDOperator",
    "SLDResult",
    "StudyRow",
    "VariationalResult",
    "asymptotic_bound",
    "channel_extension_bound",
    "crossover",
    "density_matrix",
    "dephasing_qfi_bound",
    "ghz_optimal_size",
    "ghz_qfi",
    "ghz_qfi_profile",
    "metrology_study",
    "optimal_probe",
    "optimal_size_from_profile",
    "optimise_parity_probe",
    "parity_cfi",
    "pure_qfi_report",
    "qfi",
    "qfi_dense",
    "qfi_mixed",
    "qfi_pure",
    "sld_objective",
    "sld_qfi",
]
