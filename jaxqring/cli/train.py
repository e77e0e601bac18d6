"""``jaxqring train``: signSGD on the embedded digits set with a quantum (or classical) aggregator.

Writes to ``--out`` (through :meth:`jaxqring.TrainResult.save`): ``metrics.csv`` (one row per
step), ``metrics.json`` (config, cost per step, summary, full history), ``curves.png`` and
``params.npz`` (final parameters), plus ``checkpoint.npz`` every ``--checkpoint-every`` steps
(default: every tenth of the run, and at the end). Ctrl-C stops cleanly (exit 130) and says how to
resume; ``--resume`` continues from the last checkpoint to bitwise the same final parameters and
metrics as an uninterrupted run. A folder that already holds a run is refused unless ``--resume``
or ``--overwrite``.
"""

from __future__ import annotations

import argparse
import math
import os
import shlex
import sys

from .._checks import check_int
from ..training import AGGREGATORS, TrainConfig, TrainingInterrupted, prepare_run_dir, summary, train
from ..training._train import CHECKPOINT_NAME

EXIT_INTERRUPTED = 130


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=int, default=7, help="number of simulated workers N >= 2 (default 7)")
    p.add_argument("--aggregator", default="ghz_majority", help=f"one of {', '.join(AGGREGATORS)} (default ghz_majority)")
    p.add_argument("--shots", type=int, default=101, help="odd shots per coordinate / per Kitaev round (default 101)")
    p.add_argument("--noise", default=None,
                   help="noise spec, e.g. dephasing:0.05, dephasing:0.02+readout_error:0.01 (GHZ) or werner:0.95 (superdense)")
    p.add_argument("--steps", type=int, default=200, help="optimizer steps (default 200)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the data split, the initial parameters, the minibatches and the quantum "
                   "sampling (default 0); the same seed reproduces a run bit for bit")
    p.add_argument("--out", default="jaxqring-train", help="output directory (default ./jaxqring-train)")
    p.add_argument("--checkpoint-every", type=int, default=None, metavar="K",
                   help="write a checkpoint every K steps (default: every tenth of --steps, and at the end)")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.npz if present")
    p.add_argument("--overwrite", action="store_true",
                   help="replace a run already in --out (its checkpoint and metrics are deleted first)")
    p.add_argument("--lr", type=float, default=None,
                   help="learning rate (default 1.0 for mean; 0.01 x min(1, 400/steps) for sign aggregators)")
    p.add_argument("--batch-size", type=int, default=32, help="examples per worker per step (0 = whole shard)")
    p.add_argument("--hidden", default="32", help="hidden widths, comma separated (default 32)")
    p.add_argument("--sharding", default="iid", help="iid or label_skew (default iid)")
    p.add_argument("--method", default="table", help="ghz sampling path: table, binomial or mps (default table)")
    p.add_argument("--bits", type=int, default=None, help="superdense wire width b")
    p.add_argument("--dtype", default="float32", help="float32 or float64")
    p.add_argument("--schedule", default="cosine", help="constant or cosine (default cosine)")
    p.add_argument("--eval-every", type=int, default=1, help="evaluate the test set every this many steps")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def _hidden(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(t) for t in str(text).split(",") if t.strip())
    except ValueError:
        raise ValueError(f"Argument `hidden` must be comma-separated integers, got {text!r}.") from None


# library argument name -> command-line flag, so error messages name both
FLAGS = {
    "num_workers": "--workers", "learning_rate": "--lr", "batch_size": "--batch-size",
    "checkpoint_every": "--checkpoint-every", "eval_every": "--eval-every", "out": "--out",
    "overwrite": "--overwrite", "resume": "--resume", "num_nodes": "--nodes", "num_coords": "--coords",
    "ghz_shots": "--ghz-shots",
}


def with_flags(err: ValueError) -> ValueError:
    """The same error with the command-line flag added next to the argument name."""
    msg = str(err)
    for name, flag in FLAGS.items():
        msg = msg.replace(f"`{name}`", f"`{name}` ({flag})", 1)
    return ValueError(msg)


def config_from_args(args):
    return TrainConfig(
        aggregator=args.aggregator, num_workers=args.workers, steps=args.steps, shots=args.shots,
        noise=args.noise, learning_rate=args.lr,
        batch_size=None if args.batch_size == 0 else args.batch_size, hidden=_hidden(args.hidden),
        sharding=args.sharding, seed=args.seed, dtype=args.dtype, method=args.method, bits=args.bits,
        eval_every=args.eval_every, schedule=args.schedule,
    )


def _resume_command(args) -> str:
    """The command line that continues this run: the same options, --overwrite dropped, --resume added."""
    argv = [a for a in getattr(args, "argv", None) or sys.argv[1:] if a not in ("--overwrite", "--resume")]
    if not argv or argv[0] != "train":
        argv = ["train", "--out", args.out]
    return "jaxqring " + shlex.join(argv) + " --resume"


def run(args) -> int:
    if args.dtype == "float64":
        import jax

        jax.config.update("jax_enable_x64", True)  # this process only: the CLI owns it
    try:
        config = config_from_args(args).validated()
        every = args.checkpoint_every
        if every is not None:
            every = check_int("checkpoint_every", every, minimum=1)
        else:
            every = max(1, math.ceil(config.steps / 10))
        out = prepare_run_dir(args.out, resume=args.resume, overwrite=args.overwrite)
    except ValueError as err:
        raise with_flags(err) from None

    if args.resume and not os.path.exists(os.path.join(out, CHECKPOINT_NAME)):
        print(f"no checkpoint in {out}; starting from step 0")
    try:
        result = train(config, out_dir=out, checkpoint_every=every, resume=args.resume,
                       progress=not args.no_progress)
    except TrainingInterrupted as stop:
        where = (f"the last checkpoint (step {stop.checkpoint_step}) is intact in {stop.checkpoint_path}"
                 if stop.checkpoint_step is not None else "no checkpoint had been written yet")
        print(f"\njaxqring train: interrupted after step {stop.step} of {stop.total}; {where}.\n"
              f"Resume with: {_resume_command(args)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    if result.resumed_from:
        print(f"resumed from step {result.resumed_from}")
    try:
        paths = result.save(out)
    except KeyboardInterrupt:
        print(f"\njaxqring train: interrupted while writing the outputs; training had finished and its "
              f"final checkpoint is in {os.path.join(out, CHECKPOINT_NAME)}.\n"
              f"Write them with: {_resume_command(args)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    s = summary(result)
    c = result.cost
    print(f"{config.aggregator} N={config.num_workers} P={result.num_params} steps={config.steps} "
          f"noise={config.noise or 'none'} lr={config.lr:g}")
    print(f"  final test accuracy {s['final_test_accuracy']:.4f}, test loss {s['final_test_loss']:.4f}, "
          f"mean sign agreement {s['mean_agreement']:.4f}")
    print(f"  per step: {c.bits_sent} bits, {c.online_qubits} online qubits, {c.setup_qubits} setup qubits, "
          f"{c.ghz_copies} GHZ copies, {c.epr_pairs} EPR pairs")
    print(f"  wrote {paths['csv']}, {paths['json']}, {paths['plot']}, {paths['params']}")
    return 0
