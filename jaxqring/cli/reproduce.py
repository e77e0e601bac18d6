"""``jaxqring reproduce``: measure every claim of the paper and write REPORT.md, claims.json and figures.

Resumable: claims finished by an earlier (interrupted) run into the same ``--out`` are loaded, not
recomputed. Ctrl-C stops cleanly (exit 130) and says how to resume.
"""

from __future__ import annotations

import argparse
import sys

from ..studies import CLAIMS, reproduce


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quick", action="store_true", help="small sizes: the whole registry in a few minutes")
    p.add_argument("--only", nargs="+", metavar="NAME", choices=[c.name for c in CLAIMS],
                   help="run only these claims (default: all)")
    p.add_argument("--out", default="jaxqring-reproduce", help="output directory (default: jaxqring-reproduce)")
    p.add_argument("--seed", type=int, default=0, help="base PRNG seed of every claim (default 0)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args) -> int:
    bar = None
    if not args.no_progress:
        from tqdm import tqdm

        bar = tqdm(total=len(args.only or CLAIMS), desc="claims", unit="claim")

    def on_claim(done, total, name):
        if bar is not None:
            bar.n = done
            bar.set_postfix_str(name, refresh=True)

    try:
        rep = reproduce(args.out, quick=args.quick, only=args.only, seed=args.seed, on_claim=on_claim)
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
        print(f"\ninterrupted; finished claims are saved in {args.out}/claims/. Run the same command again "
              "to resume.", file=sys.stderr)
        return 130
    finally:
        if bar is not None:
            bar.close()
    for r in rep.records:
        tag = " (resumed)" if r.resumed else f" ({r.seconds:.1f} s)"
        print(f"{r.result.verdict:<24} {r.claim.name}{tag}")
    print(f"wrote {rep.report_path}, {rep.json_path} and {len(rep.records)} figures in {rep.total_seconds:.1f} s")
    return 0
