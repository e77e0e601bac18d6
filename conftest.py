"""Doctest collection for the two source folders (``--doctest-modules`` over jaxqring/ and kernels/).

``kernels/`` is installed as the subpackage ``jaxqring.kernels`` (a setuptools package-dir
mapping). Left alone, pytest would import ``kernels/mps/state.py`` as ``kernels.mps.state``: a
second, top-level copy of the kernels, whose arrays, dataclasses and jit caches are distinct from
the ones ``jaxqring`` uses. The wrapper below swaps the doctest plugin's collector for those files
for one that imports each module under its installed name, ``jaxqring.kernels.mps.state``, so the
doctests exercise exactly the code users import.

Doctests run with ``jax_numpy_rank_promotion = "raise"`` (explicit broadcasting, as the test
suite). They do not depend on x64: examples print values that read the same in float32 and in
float64 (tests/conftest.py turns x64 on when tests/ is collected in the same session).
"""

import importlib
import os
import pathlib

# Persistent XLA compilation cache for the suite (set before jax is imported; inherited by every
# subprocess the suite starts: notebook kernels, CLI runs, the two-process test). The workers, the
# per-module `jax.clear_caches()` (tests/conftest.py) and those subprocesses otherwise compile the
# same programs again and again: on 2 cores the cache took a cold-cache run from 17.9 to 15.6 min.
# It lives in pytest's own cache folder and is kept between runs (bounded, least recently used
# entries evicted; the bound and its file lock need `filelock`, in the test extra). Entries are
# keyed by the program, jax/jaxlib versions and compile options, so a stale hit cannot occur; set
# JAX_COMPILATION_CACHE_DIR yourself to move it, or JAX_ENABLE_COMPILATION_CACHE=false to turn it off.
ROOT = pathlib.Path(__file__).resolve().parent
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", str(ROOT / ".pytest_cache" / "jax-compilation-cache"))
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0.3")
try:
    import filelock  # noqa: F401
except ImportError:  # no bound and no lock: a torn read is reported by jax as a warning and recompiled
    pass
else:
    os.environ.setdefault("JAX_COMPILATION_CACHE_MAX_SIZE", str(2 << 30))

import jax  # noqa: E402
import pytest  # noqa: E402
from _pytest.doctest import DoctestModule  # noqa: E402

jax.config.update("jax_numpy_rank_promotion", "raise")

KERNELS = ROOT / "kernels"


class InstalledNameDoctestModule(DoctestModule):
    """Doctests of a kernels/ file, imported as ``jaxqring.kernels.<path>``."""

    def _getobj(self):
        parts = self.path.resolve().relative_to(KERNELS).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        return importlib.import_module(".".join(("jaxqring", "kernels") + parts))


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    collectors = yield
    if KERNELS not in file_path.resolve().parents:
        return collectors
    return [
        InstalledNameDoctestModule.from_parent(parent, path=file_path) if type(c) is DoctestModule else c
        for c in collectors
    ]


# Workers for `-n auto` (pyproject addopts): one per core this process may use, at most 4. Each
# worker is a JAX process of its own (1-3 GiB: XLA:CPU executables, the 8 host devices). On the
# 2-core CI machine two workers save little (the suite already keeps both cores busy: 19.9 min
# against 21-28 min in one process); on larger machines they divide the wall time.
MAX_WORKERS = 4


def pytest_xdist_auto_num_workers(config):
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))
