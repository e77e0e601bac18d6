"""Command-line interface: ``jaxqring <command> [options]``.

Each command lives in its own module exposing ``add_arguments(parser)`` and ``run(args) -> int``;
modules are imported only when their command runs, so ``jaxqring --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .. import __version__

EXIT_INTERRUPTED = 130  # 128 + SIGINT, the shell convention for a run stopped by Ctrl-C

# command name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("jaxqring.cli.demo", "small end-to-end run on an embedded default (prints a table, writes a figure)"),
    "train": ("jaxqring.cli.train", "signSGD on embedded digits with N workers and a quantum/classical aggregator"),
    "allreduce": ("jaxqring.cli.allreduce", "compare classical, superdense-coded and GHZ all-reduce: carriers per link, rounds, error, time"),
    "supply": ("jaxqring.cli.supply", "EPR pairs per link over time, their fidelities, and when the superdense ring beats the classical ring in wall-clock time"),
    "conflict": ("jaxqring.cli.conflict", "GapIP vs JL sketch and TieAudit vs birthday sampling: measured communication and crossovers"),
    "metrology": ("jaxqring.cli.metrology", "certified QFI of noisy probes vs N: GHZ, product, optimised MPS, upper bound (table, JSON, figure)"),
    "verify": ("jaxqring.cli.security", "verified GHZ aggregation: attacks, detection vs law, acceptance, leakage; JSON + figure"),
    "inference": ("jaxqring.cli.inference", "distributed quantum inference: VSP, margin classification, Cora graph network (JSON + figures)"),
    "bench": ("jaxqring.cli.bench", "standard workloads W1-W4 on jaxqring and peer simulators, each cell capped; JSON, table, plots"),
    "reproduce": ("jaxqring.cli.reproduce", "measure every claim of the paper: REPORT.md, claims.json and figures (resumable)"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jaxqring",
        description="Simulate the quantum ring all-reduce: GHZ phase encoding, Kitaev phase "
        "estimation, superdense-coded rings, noise and Fisher information, and signSGD training.",
    )
    parser.add_argument("--version", action="version", version=f"jaxqring {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        importlib.import_module(module).add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    args.argv = list(sys.argv[1:] if argv is None else argv)  # lets a command print a resume line
    module = importlib.import_module(COMMANDS[args.command][0])
    try:
        return int(module.run(args) or 0)
    except ValueError as err:  # bad user input: a clear message, no traceback
        print(f"jaxqring {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: no traceback; commands that can resume say how themselves
        print(f"jaxqring {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
