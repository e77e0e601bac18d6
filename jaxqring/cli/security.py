"""``jaxqring security``: verified GHZ aggregation measured against concrete attacks (SPEC §7).

Prints one row per attack: fidelity F with GHZ, detection probability per tested copy (exact,
the law (1-F) d0, and measured on sampled tests with its 1e-6 binomial check), acceptance of
the perfect-pass protocol at the chosen K, and the privacy leakage (Fisher information about a
phase difference) per copy and after verification; writes JSON and a figure.
"""

from __future__ import annotations

import argparse

import jax

from .. import security as sec
from .._noise import compose, dephasing, readout_error


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--nodes", type=int, default=8, help="number of nodes N (default 8)")
    p.add_argument("--tested", type=int, default=20, help="tested copies K; 2K are distributed (default 20)")
    p.add_argument("--dephasing", type=float, default=0.0, help="honest dephasing p per qubit (default 0)")
    p.add_argument("--readout", type=float, default=0.0, help="honest readout flip probability (default 0)")
    p.add_argument("--samples", type=int, default=2000, help="sampled tests per attack (default 2000)")
    p.add_argument("--max-k", type=int, default=5000, help="largest K of the epsilon-vs-K curves (default 5000)")
    p.add_argument("--seed", type=int, default=0, help="base PRNG seed of the study (default 0)")
    p.add_argument("--out", default="jaxqring_security", help="output folder for security.json/.png")


def run(args) -> int:
    noise = None
    if args.dephasing or args.readout:
        noise = compose(dephasing(args.dephasing), readout_error(args.readout))
    report = sec.security_report(
        args.nodes, args.tested, key=jax.random.key(args.seed), noise=noise, num_samples=args.samples,
        max_k=args.max_k,
    )
    print(f"Verified GHZ aggregation, N = {report.num_nodes}, K = {report.num_tested} tested of 2K copies")
    print(report.table())
    print()
    print("verification cost:", report.cost)
    print("worst-case P(accept and >=1 corrupted copy used), any K:", report.epsilon_any[-1])
    print("worst-case P(accept and >5% of used copies corrupted) at K =", report.ks[-1], ":", report.epsilon_fraction[-1])
    json_path, png = sec.write_report(report, args.out)
    print(f"table written to {json_path}; figure to {png}")
    return 0
