"""jaxqring.kernels: the jitted low-level numerics (one probe, one coordinate per call).

The protocol layer in :mod:`jaxqring` validates inputs and vmaps these over leading batch axes.
"""

from ._kitaev import KitaevRounds as KitaevRounds
from ._kitaev import kitaev_estimate as kitaev_estimate
from ._fisher import basis_log_weight as basis_log_weight
from ._fisher import ghz_block_qfi as ghz_block_qfi
from ._fisher import noisy_log_trace_prefixes as noisy_log_trace_prefixes
from ._fisher import pure_h_moments as pure_h_moments
from ._fisher import qfi_sld as qfi_sld
from ._fisher import sign_adapted_ghz as sign_adapted_ghz
from ._mpo import DensityMPO as DensityMPO
from ._mpo import density_mpo as density_mpo
from ._mpo import ghz_noisy_parity_probability as ghz_noisy_parity_probability
from ._mpo import ghz_visibility_factors as ghz_visibility_factors
from ._mpo import mpo_log_trace as mpo_log_trace
from ._mpo import noisy_log_trace as noisy_log_trace
from ._mpo import noisy_pauli_log_expectation as noisy_pauli_log_expectation
from ._mpo import noisy_sample_bits as noisy_sample_bits
from ._mpo import trajectory_sample_bits as trajectory_sample_bits
from ._mps import KIND_GENERIC as KIND_GENERIC
from ._mps import KIND_GHZ as KIND_GHZ
from ._mps import LAYOUT as LAYOUT
from ._mps import MPS as MPS
from ._mps import accumulation_dtype as accumulation_dtype
from ._mps import default_complex_dtype as default_complex_dtype
from ._mps import dicke as dicke
from ._mps import ghz as ghz
from ._mps import log_norm as log_norm
from ._mps import product_plus as product_plus
from ._mps import random_mps as random_mps
from ._mps import real_dtype as real_dtype
from ._mps import to_dense as to_dense
from ._mps import w_state as w_state
from ._mps import with_phases as with_phases
from ._noise import LocalNoise as LocalNoise
from ._readout import BASIS_LETTERS as BASIS_LETTERS
from ._readout import BASIS_X as BASIS_X
from ._readout import BASIS_Y as BASIS_Y
from ._readout import BASIS_Z as BASIS_Z
from ._readout import ghz_effective_phase as ghz_effective_phase
from ._readout import ghz_parity_probability as ghz_parity_probability
from ._readout import ghz_sample_bits as ghz_sample_bits
from ._readout import ghz_sample_parity as ghz_sample_parity
from ._readout import measurement_bras as measurement_bras
from ._readout import pauli_log_expectation as pauli_log_expectation
from ._readout import pauli_matrices as pauli_matrices
from ._readout import right_environments as right_environments
from ._readout import sample_bits as sample_bits
from ._superdense import bell_decode_unitary as bell_decode_unitary
from ._superdense import bell_diagonal_state as bell_diagonal_state
from ._superdense import confusion_matrix as confusion_matrix
from ._superdense import decode_thresholds as decode_thresholds
from ._superdense import encode_unitaries as encode_unitaries
from ._superdense import sample_decoded as sample_decoded

__all__ = sorted(
    [
        "BASIS_LETTERS", "BASIS_X", "BASIS_Y", "BASIS_Z", "KIND_GENERIC", "KIND_GHZ", "LAYOUT",
        "KitaevRounds", "MPS", "accumulation_dtype", "default_complex_dtype", "dicke", "ghz",
        "ghz_effective_phase", "ghz_parity_probability", "ghz_sample_bits", "ghz_sample_parity",
        "kitaev_estimate", "log_norm", "measurement_bras", "pauli_log_expectation", "pauli_matrices",
        "product_plus", "random_mps", "real_dtype", "right_environments", "sample_bits",
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
