"""Interoperability with peer tensor-network libraries (quimb), imported lazily."""

from __future__ import annotations

from ._quimb import from_quimb as from_quimb
from ._quimb import to_quimb as to_quimb

__all__ = [
    "from_quimb",
    "to_quimb",
]
