"""``jaxqring train``: signSGD on the embedded digits set with a quantum (or classical) aggregator.

Writes to ``--out``: ``metrics.csv`` (one row per step), ``metrics.json`` (config, cost per
step, summary, full history), ``curves.png`` and ``params.npz`` (final parameters), plus
``checkpoint.npz`` every ``--checkpoint-every`` steps; ``--resume`` continues from it to bitwise
the same final parameters as an uninterrupted run.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os

from ._aggregators import AGGREGATORS


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=int, default=7, help="number of simulated workers N >= 2 (default 7)")
    p.add_argument("--aggregator", default="ghz_majority", help=f"one of {', '.join(AGGREGATORS)} (default ghz_majority)")
    p.add_argument("--shots", type=int, default=101, help="odd shots per coordinate / per Kitaev round (default 101)")
    p.add_argument("--noise", default=None,
                   help="noise spec, e.g. dephasing:0.05, dephasing:0.02+readout_error:0.01 (GHZ) or werner:0.95 (superdense)")
    p.add_argument("--steps", type=int, default=200, help="optimizer steps (default 200)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="jaxqring-train", help="output directory (default ./jaxqring-train)")
    p.add_argument("--checkpoint-every", type=int, default=None, metavar="K", help="write a checkpoint every K steps")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.npz if present")
    p.add_argument("--lr", type=float, default=None, help="learning rate (default 1.0 for mean, 0.01 for sign aggregators)")
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
}


def with_flags(err: ValueError) -> ValueError:
    """The same error with the command-line flag added next to the argument name."""
    msg = str(err)
    for name, flag in FLAGS.items():
        msg = msg.replace(f"`{name}`", f"`{name}` ({flag})", 1)
    return ValueError(msg)


def config_from_args(args):
    from ._train import TrainConfig

    return TrainConfig(
        aggregator=args.aggregator, num_workers=args.workers, steps=args.steps, shots=args.shots,
        noise=args.noise, learning_rate=args.lr,
        batch_size=None if args.batch_size == 0 else args.batch_size, hidden=_hidden(args.hidden),
        sharding=args.sharding, seed=args.seed, dtype=args.dtype, method=args.method, bits=args.bits,
        eval_every=args.eval_every, schedule=args.schedule,
    )


def _atomic_write(path: str, data: bytes) -> None:
    from ._train import atomic_write

    atomic_write(path, lambda f: f.write(data))


def summary(result) -> dict:
    """Final/mean metrics of a :class:`TrainResult` as plain Python numbers."""
    import numpy as np

    h = result.history
    acc = h["test_accuracy"]
    return {
        "final_test_accuracy": float(acc[-1]),
        "best_test_accuracy": float(np.nanmax(acc)),
        "final_test_loss": float(h["test_loss"][-1]),
        "final_train_loss": float(h["train_loss"][-1]),
        "mean_agreement": float(np.mean(h["agreement"])),
        "min_agreement": float(np.min(h["agreement"])),
        "steps": int(acc.shape[0]),
        "num_params": int(result.num_params),
    }


def write_outputs(out: str, result, *, title: str | None = None) -> dict[str, str]:
    """Write metrics.csv, metrics.json, curves.png and params.npz; returns their paths."""
    import jax
    import numpy as np

    from ._train import METRICS

    h = result.history
    steps = h["test_accuracy"].shape[0]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["step", *METRICS])
    for t in range(steps):
        row = [t + 1]
        for k in METRICS:
            v = float(h[k][t])
            row.append(int(round(v)) if k in ("bits", "qubits", "setup_qubits") else f"{v:.6g}")
        w.writerow(row)
    paths = {k: os.path.join(out, name) for k, name in
             [("csv", "metrics.csv"), ("json", "metrics.json"), ("plot", "curves.png"), ("params", "params.npz")]}
    _atomic_write(paths["csv"], buf.getvalue().encode())
    doc = {
        "config": result.config.to_dict(),
        "cost_per_step": result.cost._asdict(),
        "summary": summary(result),
        "resumed_from": int(result.resumed_from),
        "history": {k: [None if not np.isfinite(x) else float(x) for x in h[k]] for k in METRICS},
    }
    _atomic_write(paths["json"], json.dumps(doc, indent=1).encode())
    leaves = {f"leaf_{i:02d}": np.asarray(x) for i, x in enumerate(jax.tree_util.tree_leaves(result.params))}
    pbuf = io.BytesIO()
    np.savez(pbuf, **leaves)
    _atomic_write(paths["params"], pbuf.getvalue())
    plot_curves({title or result.config.aggregator: result}, paths["plot"])
    return paths


def plot_curves(results: dict, path: str) -> None:
    """Test accuracy, test loss and sign agreement against the step, one line per run."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for label, res in results.items():
        h = res.history
        t = np.arange(1, h["test_accuracy"].shape[0] + 1)
        ok = np.isfinite(h["test_accuracy"])
        axes[0].plot(t[ok], h["test_accuracy"][ok], label=label)
        axes[1].plot(t[ok], h["test_loss"][ok], label=label)
        axes[2].plot(t, h["agreement"], label=label)
    axes[0].set_ylabel("test accuracy")
    axes[1].set_ylabel("test loss (nats)")
    axes[1].set_yscale("log")
    axes[2].set_ylabel("sign agreement with exact majority")
    for ax in axes:
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    _atomic_write(path, buf.getvalue())


def run(args) -> int:
    from ._checks import check_int
    from ._train import CHECKPOINT_NAME, check_out_dir, train

    if args.dtype == "float64":
        import jax

        jax.config.update("jax_enable_x64", True)  # this process only: the CLI owns it
    try:
        config = config_from_args(args).validated()
        if args.checkpoint_every is not None:
            check_int("checkpoint_every", args.checkpoint_every, minimum=1)
        out = check_out_dir(args.out)
    except ValueError as err:
        raise with_flags(err) from None

    if args.resume and not os.path.exists(os.path.join(out, CHECKPOINT_NAME)):
        print(f"no checkpoint in {out}; starting from step 0")
    bar = None
    if not args.no_progress:
        from tqdm import tqdm

        bar = tqdm(total=config.steps, desc=f"train {config.aggregator}", unit="step")

    def callback(done, total, metrics):
        if bar is not None:
            bar.n = done
            acc = metrics["test_accuracy"][-1]
            bar.set_postfix(acc=f"{acc:.3f}", agree=f"{metrics['agreement'][-1]:.3f}", refresh=False)
            bar.refresh()

    try:
        result = train(config, out_dir=out, checkpoint_every=args.checkpoint_every,
                       resume=args.resume, callback=callback)
    finally:
        if bar is not None:
            bar.close()
    if result.resumed_from:
        print(f"resumed from step {result.resumed_from}")
    paths = write_outputs(out, result)
    s = summary(result)
    c = result.cost
    print(f"{config.aggregator} N={config.num_workers} P={result.num_params} steps={config.steps} "
          f"noise={config.noise or 'none'}")
    print(f"  final test accuracy {s['final_test_accuracy']:.4f}, test loss {s['final_test_loss']:.4f}, "
          f"mean sign agreement {s['mean_agreement']:.4f}")
    print(f"  per step: {c.bits} bits, {c.qubits} online qubits, {c.setup_qubits} setup qubits, "
          f"{c.ghz_copies} GHZ copies, {c.epr_pairs} EPR pairs")
    print(f"  wrote {paths['csv']}, {paths['json']}, {paths['plot']}, {paths['params']}")
    return 0
