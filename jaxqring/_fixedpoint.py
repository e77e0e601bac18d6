"""b-bit fixed-point words shared by every aggregation scheme (SPEC §1, C6): the validated API.

The word arithmetic lives in :mod:`jaxqring.kernels.comm.fixedpoint`; this module validates
the format and holds the one headroom formula.

A coordinate is clipped to [-clip, clip], scaled by ``delta = clip / q_max`` and rounded half
to even; the wire word is ``q mod 2**bits``. The headroom ``q_max = (2**(bits-1) - 1) // N``
guarantees that the N-node integer sum never wraps, so ``decode_sum`` recovers it exactly.
Word arithmetic is done in uint32 (wrapping mod 2**32, then masked), so widths up to 30 bits
are exact for any number of nodes.
"""

from __future__ import annotations

from ._checks import check_int, check_real
from .kernels.comm.fixedpoint import FixedPoint as FixedPoint
from .kernels.comm.fixedpoint import add_words as add_words
from .kernels.comm.fixedpoint import decode_sum as decode_sum
from .kernels.comm.fixedpoint import dequantise_mean as dequantise_mean
from .kernels.comm.fixedpoint import quantise as quantise
from .kernels.comm.fixedpoint import to_words as to_words

MAX_BITS = 30


def headroom(bits: int, total_weight: int) -> int:
    """q_max = floor((2**(bits-1) - 1) / total_weight): the largest per-node integer such that
    a sum with weights of total |w| = ``total_weight`` still fits a signed b-bit word (SPEC C6;
    ``total_weight`` = N for unit weights). The one headroom formula of the package."""
    return ((1 << (bits - 1)) - 1) // total_weight


def fixed_point(bits: int, clip: float, num_nodes: int) -> FixedPoint:
    """Validate and build the fixed-point format for ``num_nodes`` nodes (SPEC C6)."""
    bits = check_int("bits", bits, minimum=1, maximum=MAX_BITS)
    clip = check_real("clip", clip, minimum=0.0, exclusive_minimum=True)
    num_nodes = check_int("num_nodes", num_nodes, minimum=2)
    q_max = headroom(bits, num_nodes)
    if q_max < 1:
        raise ValueError(
            f"Argument `bits` must satisfy 2**(bits-1) - 1 >= N = {num_nodes} (SPEC C6 headroom), "
            f"got bits={bits}; use bits >= {int(num_nodes + 1).bit_length() + 1}."
        )
    return FixedPoint(bits, clip, num_nodes, q_max, clip / q_max)


