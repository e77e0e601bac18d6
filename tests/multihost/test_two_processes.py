"""Issue 13: two processes x two CPU devices on localhost (JAX's multi-controller runtime, gloo
collectives) give exactly the single-process results for the GHZ aggregation, Kitaev sums and
the superdense ring."""

import os
import pathlib
import socket
import subprocess
import sys

import numpy as np
import pytest

from .cases import run_cases

HERE = pathlib.Path(__file__).parent


def _free_port():
    """A free localhost TCP port for the coordinator (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_processes_match_one_process(tmp_path):
    port = _free_port()
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    env.pop("XLA_FLAGS", None)  # the worker sets 2 devices per process itself
    outs = [tmp_path / f"p{i}.npz" for i in range(2)]
    procs = [subprocess.Popen([sys.executable, str(HERE / "worker.py"), str(i), str(port), str(outs[i])],
                              cwd=HERE, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for i in range(2)]
    logs = []
    for p in procs:
        try:
            logs.append(p.communicate(timeout=300)[0])
        except subprocess.TimeoutExpired:
            for q in procs:
                q.kill()
            pytest.fail("the 2-process run did not finish in 300 s")
    assert all(p.returncode == 0 for p in procs), "\n----\n".join(log[-3000:] for log in logs)
    reference = {k: np.asarray(v) for k, v in run_cases(mesh=None).items()}
    for out in outs:
        with np.load(out) as got:
            assert sorted(got.files) == sorted(reference)
            for name, ref in reference.items():
                assert np.array_equal(got[name], ref), name
