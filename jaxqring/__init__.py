"""jaxqring: a differentiable tensor-network simulator of the quantum ring all-reduce.

Layers: :mod:`jaxqring.kernels` holds the jitted numerics (one probe, one coordinate);
this package validates inputs, vmaps over coordinates and shots, and builds the protocols.
"""

from . import kernels as kernels
from ._aggregators import AGGREGATORS as AGGREGATORS
from ._aggregators import AggregationState as AggregationState
from ._aggregators import CommCost as CommCost
from ._aggregators import communication_cost as communication_cost
from ._aggregators import exact_majority as exact_majority
from ._aggregators import ghz_count_vote as ghz_count_vote
from ._aggregators import ghz_majority_shots as ghz_majority_shots
from ._aggregators import ghz_majority_table as ghz_majority_table
from ._aggregators import ghz_majority_vote as ghz_majority_vote
from ._aggregators import majority_vote as majority_vote
from ._aggregators import make_aggregator as make_aggregator
from ._aggregators import mean_aggregation as mean_aggregation
from ._aggregators import superdense_sign as superdense_sign
from ._data import Dataset as Dataset
from ._data import Shards as Shards
from ._data import load_digits as load_digits
from ._data import load_digits_shards as load_digits_shards
from ._data import shard_dataset as shard_dataset
from ._model import accuracy as accuracy
from ._model import cross_entropy as cross_entropy
from ._model import init_mlp as init_mlp
from ._model import mlp_apply as mlp_apply
from ._model import num_params as num_params
from ._train import TrainConfig as TrainConfig
from ._train import TrainResult as TrainResult
from ._train import TrainState as TrainState
from ._train import train as train
from ._fixedpoint import FixedPoint as FixedPoint
from ._fixedpoint import fixed_point as fixed_point
from ._kitaev import CommStats as CommStats
from ._kitaev import GHZAllReduceResult as GHZAllReduceResult
from ._kitaev import KitaevSumResult as KitaevSumResult
from ._kitaev import ghz_allreduce as ghz_allreduce
from ._kitaev import kitaev_failure_probability as kitaev_failure_probability
from ._kitaev import kitaev_sum as kitaev_sum
from ._kitaev import max_nodes_for_failure as max_nodes_for_failure
from ._kitaev import shots_for_failure as shots_for_failure
from ._kitaev_study import DephasingStudy as DephasingStudy
from ._kitaev_study import HeisenbergStudy as HeisenbergStudy
from ._kitaev_study import dephasing_failure_study as dephasing_failure_study
from ._kitaev_study import heisenberg_study as heisenberg_study
from ._fisher import PureQFIReport as PureQFIReport
from ._fisher import density_matrix as density_matrix
from ._fisher import dephasing_qfi_bound as dephasing_qfi_bound
from ._fisher import ghz_optimal_size as ghz_optimal_size
from ._fisher import ghz_qfi as ghz_qfi
from ._fisher import ghz_qfi_profile as ghz_qfi_profile
from ._fisher import parity_cfi as parity_cfi
from ._fisher import pure_qfi_report as pure_qfi_report
from ._fisher import qfi_dense as qfi_dense
from ._fisher import qfi_mixed as qfi_mixed
from ._fisher import qfi_pure as qfi_pure
from ._noise import Channel as Channel
from ._noise import NoiseModel as NoiseModel
from ._noise import amplitude_damping as amplitude_damping
from ._noise import bit_flip as bit_flip
from ._noise import compose as compose
from ._noise import dephasing as dephasing
from ._noise import depolarizing as depolarizing
from ._noise import ghz_visibility as ghz_visibility
from ._noise import readout_error as readout_error
from ._probes import MPS as MPS
from ._probes import dicke as dicke
from ._probes import ghz as ghz
from ._probes import product_plus as product_plus
from ._probes import random_mps as random_mps
from ._probes import w_state as w_state
from ._quimb import from_quimb as from_quimb
from ._quimb import to_quimb as to_quimb
from ._readout import log_abs_parity_expectation as log_abs_parity_expectation
from ._readout import parity_expectation as parity_expectation
from ._readout import sample as sample
from ._readout import sample_parity as sample_parity
from ._ring import RingLedger as RingLedger
from ._ring import RingResult as RingResult
from ._ring import ring_allreduce as ring_allreduce
from ._ring import ring_ledger as ring_ledger
from ._superdense import EPRModel as EPRModel
from ._superdense import pauli_epr as pauli_epr
from ._superdense import superdense_breakeven_fidelity as superdense_breakeven_fidelity
from ._superdense import superdense_capacity as superdense_capacity
from ._superdense import superdense_information as superdense_information
from ._superdense import symbol_error_rates as symbol_error_rates
from ._superdense import werner as werner

__version__ = "0.1.0"

__all__ = sorted(
    [
        "CommStats", "DephasingStudy", "FixedPoint", "GHZAllReduceResult", "HeisenbergStudy", "KitaevSumResult",
        "MPS", "dephasing_failure_study", "dicke", "fixed_point", "from_quimb", "ghz", "ghz_allreduce", "heisenberg_study",
        "kernels", "kitaev_failure_probability", "kitaev_sum", "max_nodes_for_failure",
        "shots_for_failure",
        "log_abs_parity_expectation", "parity_expectation", "product_plus", "random_mps",
        "sample", "sample_parity", "to_quimb", "w_state",
        "Channel", "NoiseModel", "amplitude_damping", "bit_flip", "compose", "dephasing",
        "depolarizing", "ghz_visibility", "readout_error",
        "PureQFIReport", "density_matrix", "dephasing_qfi_bound", "ghz_optimal_size", "ghz_qfi",
        "ghz_qfi_profile", "parity_cfi", "pure_qfi_report", "qfi_dense", "qfi_mixed", "qfi_pure",
        "EPRModel", "RingLedger", "RingResult", "pauli_epr", "ring_allreduce", "ring_ledger",
        "superdense_breakeven_fidelity", "superdense_capacity", "superdense_information",
        "symbol_error_rates", "werner",
        "AGGREGATORS", "AggregationState", "CommCost", "Dataset", "Shards", "TrainConfig",
        "TrainResult", "TrainState", "accuracy", "communication_cost", "cross_entropy",
        "exact_majority", "ghz_count_vote", "ghz_majority_shots", "ghz_majority_table",
        "ghz_majority_vote", "init_mlp", "load_digits", "load_digits_shards", "majority_vote",
        "make_aggregator", "mean_aggregation", "mlp_apply", "num_params", "shard_dataset",
        "superdense_sign", "train",
    ]
)
