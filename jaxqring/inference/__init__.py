"""jaxqring.inference: distributed quantum inference and learning (Gilboa, Michaeli, Soudry,
McClean, NeurIPS 2024), on the package's communication ledger (:class:`jaxqring.CommCost`).

* the distributed circuit model B_L A_L ... B_1 A_1 |x> of Pauli rotations, simulated exactly on the
  state vector, its forward/backward-feature gradient and the parameter-shift estimator with its
  shot-noise law and copy count (``_circuit``);
* Vector in Subspace: instances and the one-copy quantum protocol, beside the classical bounds
  (``_vsp``);
* linear classification with margin: random-hyperplane sketch vs Hadamard test (``_margin``);
* the SIGN-style graph network on Cora, quadratic vs PReLU (``_cora``);
* the Holevo privacy ledger (``_privacy``); tables and figures (``_report``).

The paper's body could not be read; what is a claim of the paper/slides and what is measured
here is stated in each docstring.
"""

from ._circuit import DistributedCircuit as DistributedCircuit
from ._circuit import Features as Features
from ._circuit import ShiftEstimate as ShiftEstimate
from ._circuit import check_observable as check_observable
from ._circuit import circuit_expectation as circuit_expectation
from ._circuit import circuit_features as circuit_features
from ._circuit import circuit_gradient as circuit_gradient
from ._circuit import copy_cost as copy_cost
from ._circuit import distributed_circuit as distributed_circuit
from ._circuit import encode_amplitudes as encode_amplitudes
from ._circuit import inference_costs as inference_costs
from ._circuit import measured_gradient_copies as measured_gradient_copies
from ._circuit import parameter_shift as parameter_shift
from ._circuit import pauli_observable as pauli_observable
from ._circuit import random_circuit as random_circuit
from ._circuit import sample_shift_estimate as sample_shift_estimate
from ._circuit import shadow_copies_claim as shadow_copies_claim
from ._circuit import shots_for_error as shots_for_error
from ._cora import PUBLISHED as PUBLISHED
from ._cora import CoraData as CoraData
from ._cora import CoraResult as CoraResult
from ._cora import cora_communication_claim as cora_communication_claim
from ._cora import decision_accuracy as decision_accuracy
from ._cora import hop_features as hop_features
from ._cora import load_cora as load_cora
from ._cora import normalised_adjacency as normalised_adjacency
from ._cora import summarise as summarise
from ._cora import train_cora as train_cora
from ._margin import MarginInstances as MarginInstances
from ._margin import MarginRow as MarginRow
from ._margin import hadamard_accuracy as hadamard_accuracy
from ._margin import hadamard_test_protocol as hadamard_test_protocol
from ._margin import margin_instances as margin_instances
from ._margin import margin_study as margin_study
from ._margin import sketch_accuracy as sketch_accuracy
from ._margin import sketch_protocol as sketch_protocol
from ._privacy import holevo_cap_bits as holevo_cap_bits
from ._privacy import privacy_ledger as privacy_ledger
from ._report import cora_report as cora_report
from ._report import margin_report as margin_report
from ._report import vsp_report as vsp_report
from ._vsp import VSPInstance as VSPInstance
from ._vsp import VSPResult as VSPResult
from ._vsp import subspace_projector as subspace_projector
from ._vsp import vsp_costs as vsp_costs
from ._vsp import vsp_instance as vsp_instance
from ._vsp import vsp_protocol as vsp_protocol

__all__ = [
    "CoraData",
    "CoraResult",
    "DistributedCircuit",
    "Features",
    "MarginInstances",
    "MarginRow",
    "PUBLISHED",
    "ShiftEstimate",
    "VSPInstance",
    "VSPResult",
    "check_observable",
    "circuit_expectation",
    "circuit_features",
    "circuit_gradient",
    "copy_cost",
    "cora_communication_claim",
    "cora_report",
    "decision_accuracy",
    "distributed_circuit",
    "encode_amplitudes",
    "hadamard_accuracy",
    "hadamard_test_protocol",
    "holevo_cap_bits",
    "hop_features",
    "inference_costs",
    "load_cora",
    "margin_instances",
    "margin_report",
    "margin_study",
    "measured_gradient_copies",
    "normalised_adjacency",
    "parameter_shift",
    "pauli_observable",
    "privacy_ledger",
    "random_circuit",
    "sample_shift_estimate",
    "shadow_copies_claim",
    "shots_for_error",
    "sketch_accuracy",
    "sketch_protocol",
    "subspace_projector",
    "summarise",
    "train_cora",
    "vsp_costs",
    "vsp_instance",
    "vsp_protocol",
    "vsp_report",
]
