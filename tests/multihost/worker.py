"""One process of the 2-process test (tests/multihost/test_two_processes.py); not collected.

Usage: python worker.py PROCESS_ID PORT OUT.npz. Each process holds 2 CPU devices; the mesh spans
the 4 devices of both processes, and every result is read back with ``jq.gather_to_host``.
"""

import os
import sys

os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)

import numpy as np  # noqa: E402

import jaxqring as jq  # noqa: E402

from cases import run_cases  # noqa: E402

process_id, port, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
jq.initialize(f"127.0.0.1:{port}", num_processes=2, process_id=process_id)
assert jax.process_count() == 2 and jax.device_count() == 4 and jax.local_device_count() == 2
results = {name: jq.gather_to_host(x) for name, x in run_cases(mesh="all").items()}
np.savez(out, **results)
