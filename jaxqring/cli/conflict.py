"""``jaxqring conflict gapip|tieaudit``: measured communication of the quantum protocol and its
classical baseline along tau (GapIP vs JL sketch) or P (TieAudit vs birthday sampling), with the
worst-case rules beside them and the crossover; one table, a JSON file and a figure."""

from __future__ import annotations

import argparse
import json

import jax

from ..conflict import crossover_table, gapip_crossover, plot_crossover, tieaudit_crossover


def _floats(text):
    return [float(x) for x in text.split(",") if x]


def _ints(text):
    return [int(float(x)) for x in text.split(",") if x]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("protocol", choices=("gapip", "tieaudit"), help="which comparison to run")
    p.add_argument("--delta", type=float, default=0.01, help="failure probability (default 0.01)")
    p.add_argument("--taus", type=_floats, default=[0.5, 0.3, 0.1, 0.03], help="gapip: comma-separated margins")
    p.add_argument("--coords", type=int, default=10**6, help="gapip: coordinates P (default 10^6)")
    p.add_argument("--eps", type=float, default=0.1, help="tieaudit: accuracy (default 0.1)")
    p.add_argument("--coords-grid", type=_ints, default=[2**8, 2**12, 2**16, 2**20], help="tieaudit: comma-separated P")
    p.add_argument("--trials", type=int, default=1000, help="simulated repetitions per instance (default 1000)")
    p.add_argument("--instances", type=int, default=4, help="random instances (default 4)")
    p.add_argument("--seed", type=int, default=0, help="base PRNG seed of the study (default 0)")
    p.add_argument("--json", default=None, help="write the records here (default conflict_<protocol>.json)")
    p.add_argument("--figure", default=None, help="write the figure here (default conflict_<protocol>.png)")


def run(args) -> int:
    jax.config.update("jax_enable_x64", True)  # this process only: the CLI owns it (exact laws at small delta)
    key = jax.random.key(args.seed)
    if args.protocol == "gapip":
        cr = gapip_crossover(key, taus=args.taus, delta=args.delta, num_coords=args.coords,
                             num_trials=args.trials, num_instances=max(args.instances, 2))
        print(f"GapIP vs JL sketch (32-bit words): P = {args.coords}, delta = {args.delta}; decision error "
              f"<= delta on every instance, measured on {args.trials} trials per instance")
    else:
        cr = tieaudit_crossover(key, num_coords=args.coords_grid, eps=args.eps, delta=args.delta,
                                num_trials=args.trials, num_instances=args.instances)
        print(f"TieAudit vs birthday sampling: eps = {args.eps}, delta = {args.delta}; "
              f"P(|f_hat - f| >= eps) <= delta, measured on {args.trials} trials per instance")
    print(crossover_table(cr, args.protocol))
    json_path = args.json or f"conflict_{args.protocol}.json"
    fig_path = args.figure or f"conflict_{args.protocol}.png"
    with open(json_path, "w") as fh:
        json.dump(cr.as_dict(), fh, indent=1)
    plot_crossover(cr, args.protocol, fig_path)
    print(f"wrote {json_path} and {fig_path}")
    return 0
