"""Test configuration: float64 available, 8 host CPU devices for the sharded ring tests, rank
promotion an error, and a count of the session's statistical assertions.

XLA_FLAGS must be set before jax is imported anywhere, hence at the top of conftest.
``jax_numpy_rank_promotion = "raise"``: every broadcast between arrays of different ranks must be
written out (``x[None, :]``), in the tests and in the library they exercise.
"""

import contextlib
import gc
import os

try:
    import fcntl
except ImportError:  # Windows: no file locks; each pytest-xdist worker then measures its own claims
    fcntl = None

os.environ.setdefault("XLA_FLAGS", "")
if "xla_force_host_platform_device_count" not in os.environ["XLA_FLAGS"]:
    os.environ["XLA_FLAGS"] += " --xla_force_host_platform_device_count=8"
os.environ.setdefault("MPLBACKEND", "Agg")

import jax  # noqa: E402
import pytest  # noqa: E402

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")

from .helpers import ALPHA, STATISTICAL_ASSERTIONS, family_wise_rate  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def _release_compiled_programs():
    """Drop jit caches after every test module.

    A module's compiled programs are rarely reused by the next one, and a single process running
    ~900 tests otherwise accumulates thousands of XLA:CPU executables (each with its own code
    mappings); in one such run XLA crashed (SIGSEGV) while compiling late in the session, though the
    same test passes alone. Clearing bounds the process's footprint at the cost of recompiling the
    few programs that modules share.
    """
    yield
    jax.clear_caches()
    gc.collect()


@pytest.fixture(scope="session")
def quick_claims_dir(tmp_path_factory):
    """Every claim of the registry measured once at ``--quick`` sizes: the reproduce tests write
    their report from it and the notebooks load their claims from it (``JAXQRING_CLAIMS_DIR``),
    so the suite measures each claim once.

    Under pytest-xdist every worker has its own session: the folder lives in this run's shared
    base directory and is filled under an exclusive lock, so the first worker measures and the
    others then find every claim finished (``measure_claims`` resumes) and only load them.
    """
    import jaxqring as jq

    base = tmp_path_factory.getbasetemp()
    shared = fcntl is not None and os.environ.get("PYTEST_XDIST_WORKER")
    run_root = base.parent if shared else base  # this run's folder, never an earlier run's
    out = run_root / "quick_claims"
    with _exclusive_lock(run_root / "quick_claims.lock"):
        jq.studies.measure_claims(out, quick=True)
    return out


@contextlib.contextmanager
def _exclusive_lock(path):
    """Hold an exclusive ``flock`` on ``path`` (released when the file closes); a no-op without
    ``fcntl``."""
    if fcntl is None:
        yield
        return
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture
def key(request):
    """A fixed PRNG key per test (seed printed on failure through the test id)."""
    seed = 20261123
    print(f"seed={seed}")
    return jax.random.key(seed)


def pytest_sessionfinish(session):
    """On a pytest-xdist worker: hand this worker's statistical assertions to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["statistical_assertions"] = list(STATISTICAL_ASSERTIONS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """On the pytest-xdist controller: collect a finished worker's statistical assertions."""
    STATISTICAL_ASSERTIONS.extend(getattr(node, "workeroutput", {}).get("statistical_assertions", []))


def pytest_terminal_summary(terminalreporter):
    """The suite's real family-wise false-failure rate: count x ALPHA, not ALPHA alone."""
    count, union, independent = family_wise_rate()
    if count:
        terminalreporter.write_sep("-", "statistical assertions")
        terminalreporter.write_line(
            f"{count} statistical assertions at false-failure rate {ALPHA:g} each (or less): family-wise "
            f"false-failure rate <= {union:.3g} (union bound), {independent:.3g} if independent"
        )
