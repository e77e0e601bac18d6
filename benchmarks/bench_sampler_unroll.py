"""The sequential sampler's inner-scan unroll (``kernels.mps.readout.SAMPLER_UNROLL``) on the
default backend: warm and compile seconds of the W1 and W2 cells of ``jaxqring bench`` for each
unroll (issue 13, item 7; the GPU default comes from this table).

W1: GHZ_16384, random phases, 1000 X shots (one circuit: the sampler walks 16384 sites one after
the other, 1000 lanes each). W2: 10^6 copies of GHZ_32, 8 shots (32 sites, 8 x 10^6 lanes).
W1-mpo: W1 under local dephasing p = 10^-5 drawn by the noisy (density-MPO) sampler,
``method="mpo"``, which runs on the same blocked site scan (visibility (1 - 2p)^N = 0.72).
The cells check their samples (parity z-score within 4 against V cos Phi); compile seconds are
the cold call's.

Usage: python benchmarks/bench_sampler_unroll.py [--unrolls 1,4,8,16,32] [--cells W1,W2,W1-mpo] [--out FILE]
Writes benchmarks/results/sampler_unroll_<backend>.json by default.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform

import jax
import numpy as np

from _harness import write_json
import jaxqring as jq
import jaxqring.kernels.mps.readout as readout
from jaxqring._timing import device_report
from jaxqring.bench._cells import W1_SHOTS, _measure, _parity_check, jaxqring_cell

CELLS = (("W1", 16384), ("W2", 1_000_000), ("W1-mpo", 16384))
MPO_DEPHASING = 1e-5


def mpo_cell(size: int, seed: int) -> dict:
    """W1 under dephasing, sampled from the density MPO (the noisy sequential sampler)."""
    jax.config.update("jax_enable_x64", True)  # as the bench cells: float64 accumulation
    key = jax.random.key(seed)
    phases = np.random.default_rng(seed).uniform(0.0, 2 * np.pi, (1, size))
    probe, noise = jq.ghz(size), jq.dephasing(MPO_DEPHASING)

    def run():
        return np.asarray(jq.sample_parity(key, probe, phases, W1_SHOTS, noise=noise, method="mpo"))

    row, out = _measure(run, compiles=True)
    expected = (1 - 2 * MPO_DEPHASING) ** size * np.cos(phases.sum(-1))
    return row | _parity_check(1.0 - 2.0 * out.astype(float), expected)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--unrolls", default="1,4,8,16,32")
    ap.add_argument("--cells", default=",".join(w for w, _ in CELLS), help="subset of W1,W2,W1-mpo")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    backend = jax.default_backend()
    out = args.out or str(pathlib.Path(__file__).parent / "results" / f"sampler_unroll_{backend}.json")
    default = readout.sampler_unroll()
    doc = {"machine": f"{platform.machine()} {os.cpu_count()}-core, {platform.platform()}", "jax": jax.__version__,
           **device_report(), "default_unroll": default, "rows": []}
    saved = dict(readout.SAMPLER_UNROLL)
    try:
        for unroll in (int(u) for u in args.unrolls.split(",")):
            # A process-local experiment: the table is read at trace time, so clear the compiled
            # programs and trace again with the new value.
            readout.SAMPLER_UNROLL[backend] = unroll
            jax.clear_caches()
            for workload, size in (c for c in CELLS if c[0] in args.cells.split(",")):
                r = mpo_cell(size, 0) if workload == "W1-mpo" else jaxqring_cell(workload, size, 0)
                row = {"unroll": unroll, "workload": workload, "size": size, "seconds": r["seconds"],
                       "cold_seconds": r["cold_seconds"], "z_score": r["z_score"], "ok": r["ok"]}
                print(row, flush=True)
                doc["rows"].append(row)
                write_json(out, doc)
    finally:  # the table as it was, whether or not a cell raised
        readout.SAMPLER_UNROLL.clear()
        readout.SAMPLER_UNROLL.update(saved)
        jax.clear_caches()
    print("wrote", out)


if __name__ == "__main__":
    main()
