"""jaxqring.kernels: the jitted low-level numerics (one probe, one coordinate per call).

The protocol layer in :mod:`jaxqring` validates inputs and vmaps these over leading batch axes.
"""

from .estimation.kitaev import KitaevRounds as KitaevRounds
from .estimation.kitaev import kitaev_estimate as kitaev_estimate
from .mpo.fisher import basis_log_weight as basis_log_weight
from .mpo.fisher import ghz_block_qfi as ghz_block_qfi
from .mpo.fisher import noisy_log_trace_prefixes as noisy_log_trace_prefixes
from .mpo.fisher import pure_h_moments as pure_h_moments
from .mpo.fisher import qfi_sld as qfi_sld
from .mpo.fisher import sign_adapted_ghz as sign_adapted_ghz
from .mpo.density import DensityMPO as DensityMPO
from .mpo.density import density_mpo as density_mpo
from .mpo.density import ghz_noisy_parity_probability as ghz_noisy_parity_probability
from .mpo.density import ghz_visibility_factors as ghz_visibility_factors
from .mpo.density import mpo_log_trace as mpo_log_trace
from .mpo.density import noisy_log_trace as noisy_log_trace
from .mpo.density import noisy_pauli_log_expectation as noisy_pauli_log_expectation
from .mpo.density import noisy_sample_bits as noisy_sample_bits
from .mpo.density import trajectory_sample_bits as trajectory_sample_bits
from .mps.state import KIND_GENERIC as KIND_GENERIC
from .mps.state import KIND_GHZ as KIND_GHZ
from .mps.state import LAYOUT as LAYOUT
from .mps.state import MPS as MPS
from .common import accumulation_dtype as accumulation_dtype
from .common import default_complex_dtype as default_complex_dtype
from .common import default_real_dtype as default_real_dtype
from .mps.state import dicke as dicke
from .mps.state import ghz as ghz
from .mps.state import log_norm as log_norm
from .mps.state import product_plus as product_plus
from .mps.state import random_mps as random_mps
from .common import real_dtype as real_dtype
from .mps.state import to_dense as to_dense
from .mps.state import w_state as w_state
from .mps.state import with_phases as with_phases
from .mpo.channels import LocalNoise as LocalNoise
from .mps.readout import BASIS_LETTERS as BASIS_LETTERS
from .mps.readout import BASIS_X as BASIS_X
from .mps.readout import BASIS_Y as BASIS_Y
from .mps.readout import BASIS_Z as BASIS_Z
from .mps.readout import ghz_effective_phase as ghz_effective_phase
from .mps.readout import ghz_parity_probability as ghz_parity_probability
from .mps.readout import ghz_sample_bits as ghz_sample_bits
from .mps.readout import ghz_sample_parity as ghz_sample_parity
from .mps.readout import measurement_bras as measurement_bras
from .mps.readout import pauli_log_expectation as pauli_log_expectation
from .mps.readout import pauli_matrices as pauli_matrices
from .mps.readout import right_environments as right_environments
from .mps.readout import SAMPLER_BLOCK as SAMPLER_BLOCK
from .mps.readout import sample_bits as sample_bits
from .comm.superdense import bell_decode_unitary as bell_decode_unitary
from .comm.superdense import bell_diagonal_state as bell_diagonal_state
from .comm.superdense import confusion_matrix as confusion_matrix
from .comm.superdense import decode_thresholds as decode_thresholds
from .comm.superdense import encode_unitaries as encode_unitaries
from .comm.superdense import sample_decoded as sample_decoded

__all__ = sorted(
    [
        "BASIS_LETTERS", "BASIS_X", "BASIS_Y", "BASIS_Z", "KIND_GENERIC", "KIND_GHZ", "LAYOUT",
        "KitaevRounds", "MPS", "accumulation_dtype", "default_complex_dtype", "default_real_dtype", "dicke", "ghz",
        "ghz_effective_phase", "ghz_parity_probability", "ghz_sample_bits", "ghz_sample_parity",
        "kitaev_estimate", "log_norm", "measurement_bras", "pauli_log_expectation", "pauli_matrices",
        "product_plus", "random_mps", "real_dtype", "right_environments",
        "sample_bits", "SAMPLER_BLOCK",
        "to_dense", "w_state", "with_phases",
        "DensityMPO", "LocalNoise", "density_mpo", "ghz_noisy_parity_probability",
        "ghz_visibility_factors", "mpo_log_trace", "noisy_log_trace", "noisy_pauli_log_expectation",
        "noisy_sample_bits", "trajectory_sample_bits",
        "basis_log_weight", "ghz_block_qfi", "noisy_log_trace_prefixes", "pure_h_moments",
        "qfi_sld", "sign_adapted_ghz",
        "bell_decode_unitary", "bell_diagonal_state", "confusion_matrix", "decode_thresholds",
        "encode_unitaries", "sample_decoded",
    ]
)
