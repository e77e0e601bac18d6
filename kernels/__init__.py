"""jaxqring.kernels: the jitted low-level numerics (one probe, one coordinate per call).

The protocol layer in :mod:`jaxqring` validates inputs and vmaps these over leading batch axes.
"""

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

__all__ = sorted(
    [
        "BASIS_LETTERS", "BASIS_X", "BASIS_Y", "BASIS_Z", "KIND_GENERIC", "KIND_GHZ", "LAYOUT",
        "MPS", "accumulation_dtype", "default_complex_dtype", "dicke", "ghz",
        "ghz_effective_phase", "ghz_parity_probability", "ghz_sample_bits", "ghz_sample_parity",
        "log_norm", "measurement_bras", "pauli_log_expectation", "pauli_matrices",
        "product_plus", "random_mps", "real_dtype", "right_environments", "sample_bits",
        "to_dense", "w_state", "with_phases",
    ]
)
