"""``jaxqring metrology``: F/N against N for GHZ, |+>^N, the optimised MPS probe and the upper bound.

Example: ``jaxqring metrology --channel dephasing:0.05 --nodes 100`` prints the table for N on a
geometric grid from 2 to 100 and writes metrology.json and metrology.png to ``--out``.
"""

from __future__ import annotations

import argparse

from ..metrology._report import (
    metrology_study,
    node_grid,
    parse_channel,
    study_table,
    write_study,
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--channel", default="dephasing:0.05",
                   help="KIND:PARAM, KIND in dephasing, depolarizing, amplitude_damping (default dephasing:0.05)")
    p.add_argument("--nodes", type=int, default=100, help="largest number of nodes N (default 100)")
    p.add_argument("--points", type=int, default=5, help="sizes on the geometric N grid (default 5)")
    p.add_argument("--max-bond", type=int, default=2, help="largest probe bond dimension (default 2)")
    p.add_argument("--out", default="metrology_out", help="output folder for JSON + figure (default metrology_out)")


def run(args) -> int:
    try:
        noise = parse_channel(args.channel)
        grid = node_grid(args.nodes, args.points)
        rows = metrology_study(noise, grid, max_bond=args.max_bond)
    except ValueError as err:
        print(f"error: {err}")
        return 2
    print(f"QFI per node under {args.channel} (optimised = certified SLD-MPO lower bound; gap = upper/optimised)")
    print(study_table(rows))
    paths = write_study(rows, args.out, channel=args.channel)
    print(f"wrote {paths['json']} and {paths['figure']}")
    return 0
