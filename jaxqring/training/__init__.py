"""Data-parallel signSGD with quantum aggregation inside the jitted step: optax aggregators,
the digits data and MLP, the training loop with atomic checkpoints, and run reports."""

from __future__ import annotations

from ._aggregators import AGGREGATORS as AGGREGATORS
from ._aggregators import AggregationState as AggregationState
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
from ._noise_spec import parse_noise as parse_noise
from ._report import DemoComparison as DemoComparison
from ._outputs import RUN_FILES as RUN_FILES
from ._outputs import prepare_run_dir as prepare_run_dir
from ._outputs import save_figure as save_figure
from ._report import DemoRun as DemoRun
from ._report import SchemeCost as SchemeCost
from ._report import demo_reading as demo_reading
from ._report import plot_demo as plot_demo
from ._report import scheme_costs as scheme_costs
from ._report import demo_comparison as demo_comparison
from ._report import plot_curves as plot_curves
from ._report import summary as summary
from ._report import write_outputs as write_outputs
from ._train import TrainConfig as TrainConfig
from ._train import TrainResult as TrainResult
from ._train import TrainState as TrainState
from ._train import TrainingInterrupted as TrainingInterrupted
from ._train import train as train

__all__ = [
    "AGGREGATORS",
    "AggregationState",
    "Dataset",
    "DemoComparison",
    "DemoRun",
    "RUN_FILES",
    "SchemeCost",
    "Shards",
    "TrainConfig",
    "TrainResult",
    "TrainState",
    "TrainingInterrupted",
    "accuracy",
    "communication_cost",
    "cross_entropy",
    "demo_comparison",
    "demo_reading",
    "exact_majority",
    "ghz_count_vote",
    "ghz_majority_shots",
    "ghz_majority_table",
    "ghz_majority_vote",
    "init_mlp",
    "load_digits",
    "load_digits_shards",
    "majority_vote",
    "make_aggregator",
    "mean_aggregation",
    "mlp_apply",
    "num_params",
    "parse_noise",
    "plot_curves",
    "plot_demo",
    "prepare_run_dir",
    "save_figure",
    "scheme_costs",
    "shard_dataset",
    "summary",
    "superdense_sign",
    "train",
    "write_outputs",
]
