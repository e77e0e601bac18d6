"""jaxqring: a differentiable tensor-network simulator of the quantum ring all-reduce.

Layers: :mod:`jaxqring.kernels` holds the jitted numerics (one probe, one coordinate);
this package validates inputs, vmaps over coordinates and shots, and builds the protocols.
"""

from . import kernels as kernels
from ._fixedpoint import FixedPoint as FixedPoint
from ._fixedpoint import fixed_point as fixed_point
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

__version__ = "0.1.0"

__all__ = sorted(
    [
        "FixedPoint", "MPS", "dicke", "fixed_point", "from_quimb", "ghz", "kernels",
        "log_abs_parity_expectation", "parity_expectation", "product_plus", "random_mps",
        "sample", "sample_parity", "to_quimb", "w_state",
    ]
)
