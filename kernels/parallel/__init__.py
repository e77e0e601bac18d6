"""Mesh-agnostic helpers for ``shard_map`` and ``ppermute`` that any kernel can use (``mesh``)."""
