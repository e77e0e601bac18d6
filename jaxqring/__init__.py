"""jaxqring: a differentiable tensor-network simulator of the quantum ring all-reduce.

Layers, top-down (checked by import-linter contracts, see the README's "Architecture"):

* :mod:`jaxqring.kernels` - all jitted numerics on one instance (never imports ``jaxqring``);
* the core API at this level - probes, readout, noise, fixed point, Kitaev estimation, the
  validators (``_checks``) and the one accounting type :class:`CommCost`;
* protocol subpackages, one per capability - :mod:`jaxqring.allreduce`,
  :mod:`jaxqring.metrology`, :mod:`jaxqring.interop`, :mod:`jaxqring.inference`,
  :mod:`jaxqring.security`;
* :mod:`jaxqring.studies` and :mod:`jaxqring.training` on top of the protocols;
* :mod:`jaxqring.cli`, which only parses, calls the library and prints.

This namespace re-exports the core and the main entry points of every protocol.
"""

from __future__ import annotations

from . import kernels as kernels
from ._accounting import CommCost as CommCost
from ._fixedpoint import FixedPoint as FixedPoint
from ._fixedpoint import fixed_point as fixed_point
from ._kitaev import CommStats as CommStats
from ._kitaev import KitaevSumResult as KitaevSumResult
from ._kitaev import kitaev_failure_probability as kitaev_failure_probability
from ._kitaev import kitaev_sum as kitaev_sum
from ._kitaev import max_nodes_for_failure as max_nodes_for_failure
from ._kitaev import shots_for_failure as shots_for_failure
from ._noise import Channel as Channel
from ._noise import NoiseModel as NoiseModel
from ._noise import amplitude_damping as amplitude_damping
from ._noise import bit_flip as bit_flip
from ._noise import compose as compose
from ._noise import dephasing as dephasing
from ._noise import depolarizing as depolarizing
from ._noise import ghz_visibility as ghz_visibility
from ._noise import readout_error as readout_error
from ._parallel import gather_to_host as gather_to_host
from ._parallel import initialize as initialize
from ._probes import MPS as MPS
from ._probes import dicke as dicke
from ._probes import ghz as ghz
from ._probes import product_plus as product_plus
from ._probes import random_mps as random_mps
from ._probes import w_state as w_state
from ._readout import log_abs_parity_expectation as log_abs_parity_expectation
from ._readout import parity_expectation as parity_expectation
from ._readout import sample as sample
from ._readout import sample_parity as sample_parity
from . import allreduce as allreduce
from . import conflict as conflict
from . import inference as inference
from . import interop as interop
from . import metrology as metrology
from . import security as security
from . import studies as studies
from . import training as training
from .allreduce import EPRModel as EPRModel
from .allreduce import GHZAllReduceResult as GHZAllReduceResult
from .allreduce import RingLedger as RingLedger
from .allreduce import RingResult as RingResult
from .allreduce import ghz_allreduce as ghz_allreduce
from .allreduce import pauli_epr as pauli_epr
from .allreduce import ring_allreduce as ring_allreduce
from .allreduce import ring_ledger as ring_ledger
from .allreduce import superdense_breakeven_fidelity as superdense_breakeven_fidelity
from .allreduce import superdense_capacity as superdense_capacity
from .allreduce import superdense_information as superdense_information
from .allreduce import symbol_error_rates as symbol_error_rates
from .allreduce import werner as werner
from .interop import from_quimb as from_quimb
from .interop import to_quimb as to_quimb
from .metrology import PureQFIReport as PureQFIReport
from .metrology import density_matrix as density_matrix
from .metrology import dephasing_qfi_bound as dephasing_qfi_bound
from .metrology import ghz_optimal_size as ghz_optimal_size
from .metrology import ghz_qfi as ghz_qfi
from .metrology import ghz_qfi_profile as ghz_qfi_profile
from .metrology import parity_cfi as parity_cfi
from .metrology import pure_qfi_report as pure_qfi_report
from .metrology import qfi_dense as qfi_dense
from .metrology import qfi_mixed as qfi_mixed
from .metrology import qfi as qfi
from .metrology import qfi_pure as qfi_pure
from .studies import DephasingStudy as DephasingStudy
from .studies import HeisenbergStudy as HeisenbergStudy
from .studies import dephasing_failure_study as dephasing_failure_study
from .studies import heisenberg_study as heisenberg_study
from .training import AGGREGATORS as AGGREGATORS
from .training import AggregationState as AggregationState
from .training import Dataset as Dataset
from .training import Shards as Shards
from .training import TrainConfig as TrainConfig
from .training import TrainResult as TrainResult
from .training import TrainState as TrainState
from .training import accuracy as accuracy
from .training import communication_cost as communication_cost
from .training import cross_entropy as cross_entropy
from .training import exact_majority as exact_majority
from .training import ghz_count_vote as ghz_count_vote
from .training import ghz_majority_shots as ghz_majority_shots
from .training import ghz_majority_table as ghz_majority_table
from .training import ghz_majority_vote as ghz_majority_vote
from .training import init_mlp as init_mlp
from .training import load_digits as load_digits
from .training import load_digits_shards as load_digits_shards
from .training import majority_vote as majority_vote
from .training import make_aggregator as make_aggregator
from .training import mean_aggregation as mean_aggregation
from .training import mlp_apply as mlp_apply
from .training import num_params as num_params
from .training import shard_dataset as shard_dataset
from .training import superdense_sign as superdense_sign
from .training import train as train

__version__ = "0.1.0"

__all__ = [
    "AGGREGATORS",
    "AggregationState",
    "Channel",
    "CommCost",
    "CommStats",
    "Dataset",
    "DephasingStudy",
    "EPRModel",
    "FixedPoint",
    "GHZAllReduceResult",
    "HeisenbergStudy",
    "KitaevSumResult",
    "MPS",
    "NoiseModel",
    "PureQFIReport",
    "RingLedger",
    "RingResult",
    "Shards",
    "TrainConfig",
    "TrainResult",
    "TrainState",
    "accuracy",
    "allreduce",
    "amplitude_damping",
    "bit_flip",
    "communication_cost",
    "compose",
    "conflict",
    "cross_entropy",
    "density_matrix",
    "dephasing",
    "dephasing_failure_study",
    "dephasing_qfi_bound",
    "depolarizing",
    "dicke",
    "exact_majority",
    "fixed_point",
    "from_quimb",
    "gather_to_host",
    "ghz",
    "ghz_allreduce",
    "ghz_count_vote",
    "ghz_majority_shots",
    "ghz_majority_table",
    "ghz_majority_vote",
    "ghz_optimal_size",
    "ghz_qfi",
    "ghz_qfi_profile",
    "ghz_visibility",
    "heisenberg_study",
    "inference",
    "init_mlp",
    "initialize",
    "interop",
    "kernels",
    "kitaev_failure_probability",
    "kitaev_sum",
    "load_digits",
    "load_digits_shards",
    "log_abs_parity_expectation",
    "majority_vote",
    "make_aggregator",
    "max_nodes_for_failure",
    "mean_aggregation",
    "metrology",
    "mlp_apply",
    "num_params",
    "parity_cfi",
    "parity_expectation",
    "pauli_epr",
    "product_plus",
    "pure_qfi_report",
    "qfi",
    "qfi_dense",
    "qfi_mixed",
    "qfi_pure",
    "random_mps",
    "readout_error",
    "ring_allreduce",
    "ring_ledger",
    "sample",
    "sample_parity",
    "security",
    "shard_dataset",
    "shots_for_failure",
    "studies",
    "superdense_breakeven_fidelity",
    "superdense_capacity",
    "superdense_information",
    "superdense_sign",
    "symbol_error_rates",
    "to_quimb",
    "train",
    "training",
    "w_state",
    "werner",
]
