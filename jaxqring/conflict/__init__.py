"""Gradient-conflict detection: GapIP and TieAudit against their best classical baselines (SPEC §8-9).

* GapIP (:func:`gapip`) decides the sign of <g_j, g_k> under a margin |c| >= tau by iterative
  phase estimation of a Grover operator, with three exact engines; its baseline is a JL sketch
  from shared randomness (:func:`jl_inner_product`).
* TieAudit (:func:`tieaudit`) estimates the fraction of sign-inconsistent tied pairs from K
  phase-state copies; its baseline is birthday sampling (:func:`birthday_audit`).
* :func:`gapip_comparison`, :func:`tieaudit_comparison` and the crossovers measure the least
  communication each side needs on random instances, beside the worst-case rules.
"""

from ._compare import Crossover as Crossover
from ._compare import GapIPComparison as GapIPComparison
from ._compare import TieAuditComparison as TieAuditComparison
from ._compare import crossing_point as crossing_point
from ._compare import gapip_comparison as gapip_comparison
from ._compare import gapip_crossover as gapip_crossover
from ._compare import planted_pair as planted_pair
from ._compare import tieaudit_comparison as tieaudit_comparison
from ._compare import tieaudit_crossover as tieaudit_crossover
from ._gapip import GapIPParameters as GapIPParameters
from ._gapip import GapIPResult as GapIPResult
from ._gapip import augment as augment
from ._gapip import gapip as gapip
from ._gapip import gapip_cost as gapip_cost
from ._gapip import gapip_error_probability as gapip_error_probability
from ._gapip import gapip_law as gapip_law
from ._gapip import gapip_parameters as gapip_parameters
from ._gapip import gapip_run_error as gapip_run_error
from ._gapip import register_qubits as register_qubits
from ._gapip import sample_law_outcomes as sample_law_outcomes
from ._report import crossover_table as crossover_table
from ._report import plot_crossover as plot_crossover
from ._sketch import JLResult as JLResult
from ._sketch import jl_cost as jl_cost
from ._sketch import jl_inner_product as jl_inner_product
from ._sketch import jl_sample_estimates as jl_sample_estimates
from ._sketch import jl_sign_error as jl_sign_error
from ._sketch import jl_sketch as jl_sketch
from ._sketch import jl_sketch_dimension as jl_sketch_dimension
from ._tieaudit import BirthdayResult as BirthdayResult
from ._tieaudit import TieAuditResult as TieAuditResult
from ._tieaudit import birthday_audit as birthday_audit
from ._tieaudit import birthday_error_probability as birthday_error_probability
from ._tieaudit import birthday_indices as birthday_indices
from ._tieaudit import covered_pairs_law as covered_pairs_law
from ._tieaudit import phase_state_qubits as phase_state_qubits
from ._tieaudit import tieaudit as tieaudit
from ._tieaudit import tieaudit_copies as tieaudit_copies
from ._tieaudit import tieaudit_cost as tieaudit_cost

__all__ = [
    "BirthdayResult",
    "Crossover",
    "GapIPComparison",
    "GapIPParameters",
    "GapIPResult",
    "JLResult",
    "TieAuditComparison",
    "TieAuditResult",
    "augment",
    "birthday_audit",
    "birthday_error_probability",
    "birthday_indices",
    "covered_pairs_law",
    "crossing_point",
    "crossover_table",
    "gapip",
    "gapip_comparison",
    "gapip_cost",
    "gapip_crossover",
    "gapip_error_probability",
    "gapip_law",
    "gapip_parameters",
    "gapip_run_error",
    "jl_cost",
    "jl_inner_product",
    "jl_sample_estimates",
    "jl_sign_error",
    "jl_sketch",
    "jl_sketch_dimension",
    "phase_state_qubits",
    "planted_pair",
    "plot_crossover",
    "register_qubits",
    "sample_law_outcomes",
    "tieaudit",
    "tieaudit_comparison",
    "tieaudit_copies",
    "tieaudit_cost",
    "tieaudit_crossover",
]
