"""Studies on top of the protocols: Heisenberg scaling of phase estimation (SPEC A6, [4.4]) and
the failure of the b-bit GHZ aggregate under dephasing (SPEC C8, [4.3])."""

from __future__ import annotations

from ._phase_estimation import DephasingStudy as DephasingStudy
from ._phase_estimation import HeisenbergStudy as HeisenbergStudy
from ._phase_estimation import dephasing_failure_study as dephasing_failure_study
from ._phase_estimation import heisenberg_study as heisenberg_study
from ._phase_estimation import loglog_slope as loglog_slope

__all__ = [
    "DephasingStudy",
    "HeisenbergStudy",
    "dephasing_failure_study",
    "heisenberg_study",
    "loglog_slope",
]
