"""jaxqring.security: verified GHZ aggregation, measured against concrete attacks (SPEC §7).

Attacks are pytrees built by the constructors below; the exact engine gives fidelities, detection and
pass probabilities of stabilizer tests (N up to 10^4); the protocol laws give acceptance and the
epsilon a user gets; :func:`leakage` measures what the broadcast bits reveal beyond the sum.
"""

from ._attacks import Adaptive as Adaptive
from ._attacks import Combined as Combined
from ._attacks import DepolarizeCopies as DepolarizeCopies
from ._attacks import EntanglingProbe as EntanglingProbe
from ._attacks import Honest as Honest
from ._attacks import InterceptResend as InterceptResend
from ._attacks import PauliFlip as PauliFlip
from ._attacks import Substitute as Substitute
from ._attacks import adaptive as adaptive
from ._attacks import bit_flip as bit_flip
from ._attacks import combine as combine
from ._attacks import depolarize_copies as depolarize_copies
from ._attacks import entangling_probe as entangling_probe
from ._attacks import honest as honest
from ._attacks import intercept_resend as intercept_resend
from ._attacks import pauli_flip as pauli_flip
from ._attacks import phase_flip as phase_flip
from ._attacks import substitute as substitute
from ._engine import StabilizerTests as StabilizerTests
from ._engine import TestRecord as TestRecord
from ._engine import detection_probability as detection_probability
from ._engine import draw_tests as draw_tests
from ._engine import fidelity as fidelity
from ._engine import outcome_log_probability as outcome_log_probability
from ._engine import pass_probabilities as pass_probabilities
from ._engine import sample_tests as sample_tests
from ._privacy import ExpectedLeakage as ExpectedLeakage
from ._privacy import Leakage as Leakage
from ._privacy import ProbeInformation as ProbeInformation
from ._privacy import expected_leakage as expected_leakage
from ._privacy import leakage as leakage
from ._privacy import probe_information as probe_information
from ._protocol import ProtocolRun as ProtocolRun
from ._protocol import ThresholdRule as ThresholdRule
from ._protocol import VerificationCost as VerificationCost
from ._protocol import acceptance_probability as acceptance_probability
from ._protocol import false_acceptance_probability as false_acceptance_probability
from ._protocol import iid_acceptance_probability as iid_acceptance_probability
from ._protocol import run_protocol as run_protocol
from ._protocol import soundness_curve as soundness_curve
from ._protocol import threshold_false_acceptance as threshold_false_acceptance
from ._protocol import threshold_rule as threshold_rule
from ._protocol import verification_cost as verification_cost
from ._report import SecurityReport as SecurityReport
from ._report import default_attacks as default_attacks
from ._report import security_report as security_report
from ._report import write_report as write_report

__all__ = [
    "Adaptive",
    "Combined",
    "DepolarizeCopies",
    "EntanglingProbe",
    "ExpectedLeakage",
    "Honest",
    "InterceptResend",
    "Leakage",
    "PauliFlip",
    "ProbeInformation",
    "ProtocolRun",
    "SecurityReport",
    "StabilizerTests",
    "Substitute",
    "TestRecord",
    "ThresholdRule",
    "VerificationCost",
    "acceptance_probability",
    "adaptive",
    "bit_flip",
    "combine",
    "default_attacks",
    "depolarize_copies",
    "detection_probability",
    "draw_tests",
    "entangling_probe",
    "expected_leakage",
    "false_acceptance_probability",
    "fidelity",
    "honest",
    "iid_acceptance_probability",
    "intercept_resend",
    "leakage",
    "outcome_log_probability",
    "pass_probabilities",
    "pauli_flip",
    "phase_flip",
    "probe_information",
    "run_protocol",
    "sample_tests",
    "security_report",
    "soundness_curve",
    "substitute",
    "threshold_false_acceptance",
    "threshold_rule",
    "verification_cost",
    "write_report",
]
