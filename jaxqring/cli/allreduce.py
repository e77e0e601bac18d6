"""``jaxqring allreduce``: classical vs superdense-coded ring vs GHZ aggregation in one table.

Columns: carriers per link (online, set-up; unit bit or qubit; the maximum over links), the
number of communication rounds, the error of node 0's mean against the float64 numpy mean of
the clipped gradients (max and RMS over coordinates), and the wall time (cold: first call with
compilation; warm: second call), all measured in this run (:func:`jaxqring.allreduce.compare_allreduce`).
"""

from __future__ import annotations

import argparse
import textwrap

from .._io import check_out_dir

from ..allreduce import compare_allreduce, comparison_notes, write_comparison
from .train import with_flags


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--nodes", type=int, default=8, help="number of nodes N (default 8)")
    p.add_argument("--coords", type=int, default=20_000, help="gradient coordinates P (default 20000)")
    p.add_argument("--bits", type=int, default=12, help="wire width b (default 12)")
    p.add_argument("--clip", type=float, default=1.0, help="clip radius R (default 1.0)")
    p.add_argument("--fidelity", type=float, default=0.99, help="Werner fidelity F of the noisy EPR pairs (default 0.99)")
    p.add_argument("--ghz-shots", type=int, default=1, help="odd shots per Kitaev round for the GHZ scheme (default 1)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the Gaussian test gradients and of the noisy-pair and GHZ sampling (default 0)")
    p.add_argument("--out", default=None,
                   help="also write the table to OUT/allreduce.json and OUT/allreduce.csv (default: print only)")


def run(args) -> int:
    try:
        if args.out is not None:
            check_out_dir(args.out)  # before minutes of work, not after
        res = compare_allreduce(
            num_nodes=args.nodes, num_coords=args.coords, bits=args.bits, clip=args.clip,
            fidelity=args.fidelity, ghz_shots=args.ghz_shots, seed=args.seed,
        )
    except ValueError as err:
        raise with_flags(err) from None
    print(f"Ring all-reduce: N={res.num_nodes}, P={res.num_coords}, b={res.bits}, R={res.clip:g}; "
          "error of node 0's mean vs the float64 numpy mean of clip(g)")
    head = ("scheme", "unit", "online/link", "setup/link", "rounds", "max|err|", "rms err", "cold s", "warm s")
    fmt = "{:<26} {:<9} {:>12} {:>11} {:>7} {:>10} {:>10} {:>8} {:>8}"
    print(fmt.format(*head))
    for r in res.rows:
        print(fmt.format(r.scheme, r.unit, r.online_per_link, r.setup_per_link, r.rounds,
                         f"{r.max_abs_error:.3e}", f"{r.rms_error:.3e}", f"{r.cold_s:.3f}", f"{r.warm_s:.3f}"))
    for note in comparison_notes(res):
        print(textwrap.fill(note, width=100, initial_indent="- ", subsequent_indent="  "))
    if args.out is not None:
        paths = write_comparison(res, args.out)
        print(f"wrote {paths['json']} and {paths['csv']}")
    return 0
