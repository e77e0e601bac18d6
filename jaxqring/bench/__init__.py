"""The standard workloads W1-W4 on jaxqring and, optionally, on the simulators a researcher
would otherwise use (Qiskit-Aer, quimb, QuTiP, stim, tensorcircuit-ng), each cell in its own
process with a time cap and a correctness check; JSON, a markdown table of ratios measured in
the same run, and plots. ``jaxqring bench [--quick] [--peers] [--out DIR]`` runs it."""

from __future__ import annotations

from ._cells import ENGINES as ENGINES
from ._suite import FULL_CAP_S as FULL_CAP_S
from ._suite import QUICK_CAP_S as QUICK_CAP_S
from ._suite import SIZES as SIZES
from ._suite import BenchReport as BenchReport
from ._suite import bench_table as bench_table
from ._suite import fastest_ratio as fastest_ratio
from ._suite import run_bench as run_bench
from ._suite import run_cell as run_cell

__all__ = ["ENGINES", "FULL_CAP_S", "QUICK_CAP_S", "SIZES", "BenchReport", "bench_table", "fastest_ratio", "run_bench", "run_cell"]
