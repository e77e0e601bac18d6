"""The sequential sampler's inner-scan unroll (``kernels.mps.readout.SAMPLER_UNROLL``) on the
default backend: warm and compile seconds of the W1 and W2 cells of ``jaxqring bench`` for each
unroll (issue 13, item 7; the GPU default comes from this table).

W1: GHZ_16384, random phases, 1000 X shots (one circuit: the sampler walks 16384 sites one after
the other, 1000 lanes each). W2: 10^6 copies of GHZ_32, 8 shots (32 sites, 8 x 10^6 lanes). The
cells check their samples (parity z-score within 4); compile seconds are the cold call's.

Usage: python benchmarks/bench_sampler_unroll.py [--unrolls 1,4,8,16,32] [--out FILE]
Writes benchmarks/results/sampler_unroll_<backend>.json by default.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform

import jax

from _harness import write_json
import jaxqring.kernels.mps.readout as readout
from jaxqring._timing import device_report
from jaxqring.bench._cells import jaxqring_cell

CELLS = (("W1", 16384), ("W2", 1_000_000))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--unrolls", default="1,4,8,16,32")
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
            for workload, size in CELLS:
                r = jaxqring_cell(workload, size, 0)
                row = {"unroll": unroll, "workload": workload, "size": size, "seconds": r["seconds"],
                       "cold_seconds": r["cold_seconds"], "ok": r["ok"]}
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
