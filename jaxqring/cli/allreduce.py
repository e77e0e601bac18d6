"""``jaxqring allreduce``: classical vs superdense-coded ring vs GHZ aggregation in one table.

Columns: carriers per link (online, set-up; unit bit or qubit; the maximum over links), the
number of communication rounds, the error of node 0's mean against the float64 numpy mean of
the clipped gradients (max and RMS over coordinates), and the wall time (cold: first call with
compilation; warm: second call), all measured in this run (:func:`jaxqring.allreduce.compare_allreduce`).
"""

from __future__ import annotations

import argparse

from ..allreduce import compare_allreduce


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--nodes", type=int, default=8, help="number of nodes N (default 8)")
    p.add_argument("--coords", type=int, default=20_000, help="gradient coordinates P (default 20000)")
    p.add_argument("--bits", type=int, default=12, help="wire width b (default 12)")
    p.add_argument("--clip", type=float, default=1.0, help="clip radius R (default 1.0)")
    p.add_argument("--fidelity", type=float, default=0.99, help="Werner fidelity F of the noisy EPR pairs (default 0.99)")
    p.add_argument("--ghz-shots", type=int, default=1, help="odd shots per Kitaev round for the GHZ scheme (default 1)")
    p.add_argument("--seed", type=int, default=0)


def run(args) -> int:
    res = compare_allreduce(
        num_nodes=args.nodes, num_coords=args.coords, bits=args.bits, clip=args.clip,
        fidelity=args.fidelity, ghz_shots=args.ghz_shots, seed=args.seed,
    )
    print(f"Ring all-reduce: N={res.num_nodes}, P={res.num_coords}, b={res.bits}, R={res.clip:g}; "
          "error of node 0's mean vs the float64 numpy mean of clip(g)")
    head = ("scheme", "unit", "online/link", "setup/link", "rounds", "max|err|", "rms err", "cold s", "warm s")
    fmt = "{:<26} {:<9} {:>12} {:>11} {:>7} {:>10} {:>10} {:>8} {:>8}"
    print(fmt.format(*head))
    for r in res.rows:
        print(fmt.format(r.scheme, r.unit, r.online_per_link, r.setup_per_link, r.rounds,
                         f"{r.max_abs_error:.3e}", f"{r.rms_error:.3e}", f"{r.cold_s:.3f}", f"{r.warm_s:.3f}"))
    print(f"quantisation step delta = {res.delta:.3e} (noiseless |err| <= delta/2 = {res.delta / 2:.3e}, SPEC [1.4])")
    print(f"information per online qubit at F={res.fidelity:g}: {res.capacity:.4f} bits "
          f"(1 bit at F* = {res.breakeven_fidelity:.4f})")
    print("GHZ: 'online' counts all broadcast outcome bits (not per link); set-up counts GHZ "
          "qubits per link; rounds are sequential Kitaev rounds.")
    return 0
