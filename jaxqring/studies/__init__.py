"""Studies on top of the protocols and training: Heisenberg scaling of phase estimation (SPEC A6,
[4.4]), the failure of the b-bit GHZ aggregate under dephasing (SPEC C8, [4.3]), and the registry
of the paper's claims with :func:`reproduce`, which measures each and writes the report."""

from __future__ import annotations

from ._claims import CLAIMS as CLAIMS
from ._claims import Claim as Claim
from ._claims import ClaimResult as ClaimResult
from ._phase_estimation import DephasingStudy as DephasingStudy
from ._phase_estimation import HeisenbergStudy as HeisenbergStudy
from ._phase_estimation import dephasing_failure_study as dephasing_failure_study
from ._phase_estimation import heisenberg_study as heisenberg_study
from ._phase_estimation import loglog_slope as loglog_slope
from ._reproduce import ClaimRecord as ClaimRecord
from ._reproduce import ReproduceReport as ReproduceReport
from ._reproduce import claims_table as claims_table
from ._reproduce import measure_claims as measure_claims
from ._reproduce import reproduce as reproduce
from ._reproduce import select_claims as select_claims

__all__ = [
    "CLAIMS",
    "Claim",
    "ClaimRecord",
    "ClaimResult",
    "DephasingStudy",
    "HeisenbergStudy",
    "ReproduceReport",
    "claims_table",
    "dephasing_failure_study",
    "heisenberg_study",
    "loglog_slope",
    "measure_claims",
    "reproduce",
    "select_claims",
]
