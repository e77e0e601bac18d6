"""Shared helpers of the benchmark scripts (run as ``python benchmarks/bench_<topic>.py``).

Timing lives in the library (:mod:`jaxqring._timing`: the first call (index 0) is the cold call
that traces and compiles, then ``repeats`` warm calls are timed one by one with
``jax.block_until_ready`` inside the timed region); results are written atomically through
:mod:`jaxqring._io`. This module re-exports both under the names every benchmark uses.
"""

from __future__ import annotations

import pathlib

from jaxqring._io import atomic_write_json
from jaxqring._timing import Timing as Timing
from jaxqring._timing import peak_rss_gib as peak_rss_gib
from jaxqring._timing import time_host as time_host
from jaxqring._timing import time_jax as time_jax


def write_json(path, doc) -> None:
    """Write ``doc`` as JSON atomically (:func:`jaxqring._io.atomic_write_json`)."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(str(path), doc)
