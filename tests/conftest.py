"""Test configuration: float64 available, 8 host CPU devices for the sharded ring tests.

XLA_FLAGS must be set before jax is imported anywhere, hence at the top of conftest.
"""

import os

os.environ.setdefault("XLA_FLAGS", "")
if "xla_force_host_platform_device_count" not in os.environ["XLA_FLAGS"]:
    os.environ["XLA_FLAGS"] += " --xla_force_host_platform_device_count=8"
os.environ.setdefault("MPLBACKEND", "Agg")

import jax  # noqa: E402
import pytest  # noqa: E402

jax.config.update("jax_enable_x64", True)


@pytest.fixture
def key(request):
    """A fixed PRNG key per test (seed printed on failure through the test id)."""
    seed = 20261123
    print(f"seed={seed}")
    return jax.random.key(seed)
