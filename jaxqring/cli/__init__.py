"""Command-line interface: ``jaxqring <command> [options]``.

Each command lives in its own module exposing ``add_arguments(parser)`` and ``run(args) -> int``;
modules are imported only when their command runs, so ``jaxqring --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# command name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("jaxqring.cli.demo", "small end-to-end run on an embedded default (prints a table, writes a figure)"),
    "train": ("jaxqring.cli.train", "signSGD on embedded digits with N workers and a quantum/classical aggregator"),
    "allreduce": ("jaxqring.cli.allreduce", "compare classical, superdense-coded and GHZ all-reduce: carriers per link, rounds, error, time"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jaxqring",
        description="Simulate the quantum ring all-reduce: GHZ phase encoding, Kitaev phase "
        "estimation, superdense-coded rings, noise and Fisher information, and signSGD training.",
    )
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
    module = importlib.import_module(COMMANDS[args.command][0])
    try:
        return int(module.run(args) or 0)
    except ValueError as err:  # bad user input: a clear message, no traceback
        print(f"jaxqring {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
