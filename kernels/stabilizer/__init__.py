"""Stabilizer tests of GHZ copies under attacks and noise (SPEC §7): states, tests, laws, leakage."""

from .laws import corrupted_laws as corrupted_laws
from .laws import log_d0 as log_d0
from .laws import log_hypergeometric as log_hypergeometric
from .laws import threshold_acceptance as threshold_acceptance
from .leakage import all_strings as all_strings
from .leakage import encoded_transfer as encoded_transfer
from .leakage import fisher_enumerated as fisher_enumerated
from .leakage import score_samples as score_samples
from .stabilizers import CODE_I as CODE_I
from .stabilizers import CODE_X as CODE_X
from .stabilizers import CODE_Y as CODE_Y
from .stabilizers import CODE_Z as CODE_Z
from .stabilizers import draw_tests as draw_tests
from .stabilizers import label_codes as label_codes
from .stabilizers import pass_probabilities as pass_probabilities
from .stabilizers import pauli_log_expectations as pauli_log_expectations
from .stabilizers import right_environments as right_environments
from .stabilizers import sample_outcomes as sample_outcomes
from .stabilizers import string_log_probability as string_log_probability
from .stabilizers import string_probability as string_probability
from .state import CHAIN_BOND as CHAIN_BOND
from .state import apply_local as apply_local
from .state import chain_log_value as chain_log_value
from .state import chain_mpo as chain_mpo
from .state import log_trace_mpo as log_trace_mpo
from .state import mix as mix
from .state import mps_mpo as mps_mpo
from .state import normalise as normalise
from .state import pauli_transfer as pauli_transfer
from .state import product_transfer as product_transfer

__all__ = [
    "CHAIN_BOND",
    "CODE_I",
    "CODE_X",
    "CODE_Y",
    "CODE_Z",
    "all_strings",
    "apply_local",
    "chain_log_value",
    "chain_mpo",
    "corrupted_laws",
    "draw_tests",
    "encoded_transfer",
    "fisher_enumerated",
    "label_codes",
    "log_d0",
    "log_hypergeometric",
    "log_trace_mpo",
    "mix",
    "mps_mpo",
    "normalise",
    "pass_probabilities",
    "pauli_log_expectations",
    "pauli_transfer",
    "product_transfer",
    "right_environments",
    "sample_outcomes",
    "score_samples",
    "string_log_probability",
    "string_probability",
    "threshold_acceptance",
]
