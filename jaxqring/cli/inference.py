"""``jaxqring inference vsp|margin|cora``: distributed quantum inference studies (issue 16).

vsp: one-copy Vector-in-Subspace runs and the qubits-vs-bits table (N = 2^4 ... 2^24);
margin: bits and qubits for 95 % accuracy vs the margin gamma (both protocols simulated);
cora: the SIGN-style graph network, quadratic vs PReLU, beside the published numbers.
Each prints a table and writes <study>.json and <study>.png to --out.
"""

from __future__ import annotations

import argparse

from .. import inference as R


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("study", choices=("vsp", "margin", "cora"), help="which study to run")
    p.add_argument("--out", default="inference_out", help="folder for JSON and figures (default inference_out)")
    p.add_argument("--seed", type=int, default=0, help="base PRNG seed of the study (default 0)")
    p.add_argument("--n-max", type=int, default=16, help="vsp: largest number of qubits simulated (default 16)")
    p.add_argument("--dims", type=int, default=1024, help="margin: dimension N (default 1024)")
    p.add_argument("--gammas", default="1,0.5,0.2,0.1,0.05", help="margin: comma-separated margins in (0, 1]")
    p.add_argument("--instances", type=int, default=200, help="margin: simulated instances per gamma")
    p.add_argument("--seeds", type=int, default=10, help="cora: seeds per model (default 10)")
    p.add_argument("--epochs", type=int, default=1000, help="cora: epochs (default 1000)")


def _gammas(text: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ValueError(f"Argument `--gammas` must be comma-separated numbers in (0, 1], got {text!r}.") from None


def run(args) -> int:
    if args.study == "vsp":
        text, doc = R.vsp_report(n_max=args.n_max, seed=args.seed, out_dir=args.out)
    elif args.study == "margin":
        text, doc = R.margin_report(gammas=_gammas(args.gammas), num_dims=args.dims, num_instances=args.instances,
                                    seed=args.seed, out_dir=args.out)
    else:
        text, doc = R.cora_report(seeds=args.seeds, epochs=args.epochs, out_dir=args.out)
    print(text)
    print("wrote " + ", ".join(doc["files"]))
    return 0
