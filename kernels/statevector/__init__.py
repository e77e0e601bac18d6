"""State-vector numerics: Pauli-string rotations on 2^n amplitudes, features and adjoint gradients.

One state vector per call (shape (2^n,)); the protocol layer (``jaxqring.inference``) validates
inputs and vmaps over inputs and parameter sets.
"""

from .pauli import adjoint_gradient as adjoint_gradient
from .pauli import apply_observable as apply_observable
from .pauli import apply_pauli as apply_pauli
from .pauli import apply_rotation as apply_rotation
from .pauli import apply_rotations as apply_rotations
from .pauli import apply_rotations_inverse as apply_rotations_inverse
from .pauli import born_probabilities as born_probabilities
from .pauli import diagonal_sign_flip as diagonal_sign_flip
from .pauli import expectation as expectation
from .pauli import feature_gradient as feature_gradient
from .pauli import layer_features as layer_features
from .pauli import walsh_hadamard as walsh_hadamard

__all__ = [
    "adjoint_gradient",
    "apply_observable",
    "apply_pauli",
    "apply_rotation",
    "apply_rotations",
    "apply_rotations_inverse",
    "born_probabilities",
    "diagonal_sign_flip",
    "expectation",
    "feature_gradient",
    "layer_features",
    "walsh_hadamard",
]
