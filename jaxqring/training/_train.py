"""Data-parallel signSGD training of the digits MLP with N simulated workers.

One training step (jitted, scanned over steps): every worker draws a minibatch from its own
shard (``vmap`` over the worker axis), computes its gradient, the aggregator (an optax
``GradientTransformation`` from :mod:`jaxqring._aggregators`) turns the stacked (N, ...)
gradients into one update, and ``optax.scale_by_learning_rate`` (constant or cosine-decayed) applies it. Steps run in chunks
of a fixed static length under ``lax.scan``; the last chunk masks its unused steps with
``lax.cond``, so a run compiles exactly one chunk function whatever its length.

Reproducibility: all randomness comes from ``jax.random.key(seed)``: the init key, the data
key (folded with the step index, so a step's minibatch does not depend on how the run was
chunked) and the aggregator key (carried in the optimizer state). Checkpoints hold the whole
carry, so a resumed run reproduces an uninterrupted one bit for bit (tested).

Checkpoints (``out_dir/checkpoint.npz``) are written to a temporary file in the same directory,
flushed, fsynced and moved over the old one with ``os.replace``; a run killed at any moment
leaves the last completed checkpoint intact.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax import lax

from .._accounting import CommCost
from .._checks import check_choice, check_int, check_real
from .._io import atomic_write, check_out_dir
from . import _aggregators as A
from ._data import NUM_CLASSES, NUM_FEATURES, SHARDINGS, load_digits_shards
from ._model import accuracy, cross_entropy, init_mlp, num_params
from ._noise_spec import parse_noise
from ._outputs import write_outputs

CHECKPOINT_NAME = "checkpoint.npz"
CHECKPOINT_FORMAT = 1
METRICS = (
    "train_loss", "test_loss", "test_accuracy", "agreement", "bits_sent", "online_qubits", "setup_qubits",
)
DEFAULT_LEARNING_RATE = {"mean": 1.0, "sign": 0.01}
# signSGD moves every parameter by the full step size each step, so the distance travelled grows
# with the run length: at 0.01 a 3000-step run overfits far past its best test loss (0.17 -> 2.5
# on digits). The default sign rate is therefore 0.01 up to this many steps and scaled by
# SIGN_LR_HORIZON / steps beyond, which keeps the total travel (and the test loss) bounded.
SIGN_LR_HORIZON = 400
SCHEDULES = ("constant", "cosine")


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Static configuration of a training run (hashable, JSON-serialisable).

    Attributes:
        aggregator: one of ``jaxqring.AGGREGATORS``.
        num_workers: N >= 2 simulated workers.
        steps: number of optimizer steps >= 1.
        shots: odd M >= 1, shots per coordinate (ghz_majority) or per Kitaev round (ghz_count).
        noise: None or a spec string: ``"name:value"`` terms joined by ``+``, e.g.
            ``"dephasing:0.02"`` or ``"dephasing:0.01+readout_error:0.001"`` (GHZ aggregators:
            dephasing, depolarizing, amplitude_damping, bit_flip, readout_error), or
            ``"werner:0.95"`` (EPR fidelity F, superdense only).
        learning_rate: step size > 0; None gives 1.0 for ``mean`` (SGD) and, for the sign
            aggregators (signSGD), 0.01 * min(1, 400 / steps): the same total travel for any
            run length, so long runs do not overfit (see :attr:`lr`).
        batch_size: examples per worker per step, drawn without replacement from its shard;
            None = the whole shard.
        hidden: hidden-layer widths of the MLP (64 -> hidden... -> 10).
        sharding: ``"iid"`` or ``"label_skew"``.
        test_fraction: held-out fraction of the digits set.
        seed: seed of the data split and of ``jax.random.key``.
        dtype: ``"float32"`` or ``"float64"`` (the latter needs ``jax_enable_x64``).
        method: ghz_majority sampling path, ``"table"``, ``"binomial"`` or ``"mps"`` (same law).
        bits: superdense wire width (None: the minimal width for signs, SPEC C6).
        eval_every: evaluate the test set every this many steps (and at the last step).
        schedule: ``"constant"`` learning rate or ``"cosine"`` decay to 0 over ``steps``.
    """

    aggregator: str = "ghz_majority"
    num_workers: int = 7
    steps: int = 200
    shots: int = 101
    noise: str | None = None
    learning_rate: float | None = None
    batch_size: int | None = 32
    hidden: tuple[int, ...] = (32,)
    sharding: str = "iid"
    test_fraction: float = 0.25
    seed: int = 0
    dtype: str = "float32"
    method: str = "table"
    bits: int | None = None
    eval_every: int = 1
    schedule: str = "cosine"

    def validated(self) -> TrainConfig:
        """Check every field (ValueError naming it) and return a normalised copy."""
        agg = check_choice("aggregator", self.aggregator, A.AGGREGATORS)
        n = check_int("num_workers", self.num_workers, minimum=2)
        steps = check_int("steps", self.steps, minimum=1)
        shots = check_int("shots", self.shots, minimum=1)
        if agg in ("ghz_majority", "ghz_count") and shots % 2 == 0:
            raise ValueError(f"Argument `shots` must be odd (majority of the shots, SPEC C9), got {shots}.")
        lr = self.learning_rate
        if lr is not None:
            lr = check_real("learning_rate", lr, minimum=0.0, exclusive_minimum=True)
        bs = None if self.batch_size is None else check_int("batch_size", self.batch_size, minimum=1)
        hidden = self.hidden
        if isinstance(hidden, int) or not isinstance(hidden, (tuple, list)):
            raise ValueError(f"Argument `hidden` must be a tuple of layer widths, got {hidden!r}.")
        hidden = tuple(check_int("hidden", h, minimum=1) for h in hidden)
        sharding = check_choice("sharding", self.sharding, SHARDINGS)
        tf = check_real("test_fraction", self.test_fraction, minimum=0.0, maximum=1.0)
        seed = check_int("seed", self.seed, minimum=0)
        dtype = check_choice("dtype", self.dtype, ("float32", "float64"))
        if dtype == "float64" and not jax.config.jax_enable_x64:
            raise ValueError("Argument `dtype` = 'float64' needs jax.config.update('jax_enable_x64', True).")
        method = check_choice("method", self.method, A.GHZ_METHODS)
        bits = None if self.bits is None else check_int("bits", self.bits, minimum=2)
        eval_every = check_int("eval_every", self.eval_every, minimum=1)
        schedule = check_choice("schedule", self.schedule, SCHEDULES)
        noise = None if self.noise in (None, "", "none") else str(self.noise)
        out = dataclasses.replace(
            self, aggregator=agg, num_workers=n, steps=steps, shots=shots, learning_rate=lr,
            batch_size=bs, hidden=hidden, sharding=sharding, test_fraction=tf, seed=seed,
            dtype=dtype, method=method, bits=bits, eval_every=eval_every, noise=noise,
            schedule=schedule,
        )
        parse_noise(noise, agg)  # validates the spec against the aggregator
        return out

    @property
    def lr(self) -> float:
        """The (peak) learning rate actually used.

        ``learning_rate`` if given; else 1.0 for ``mean`` and 0.01 * min(1, 400 / steps) for the
        sign aggregators (a signSGD step moves every coordinate by the full rate, so a fixed rate
        makes long runs travel ever further and overfit; this keeps their travel bounded).
        """
        if self.learning_rate is not None:
            return float(self.learning_rate)
        if self.aggregator == "mean":
            return DEFAULT_LEARNING_RATE["mean"]
        return DEFAULT_LEARNING_RATE["sign"] * min(1.0, SIGN_LR_HORIZON / max(int(self.steps), 1))

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["hidden"] = list(self.hidden)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        d = dict(d)
        d["hidden"] = tuple(d["hidden"])
        return cls(**d)


class TrainState(NamedTuple):
    """The scan carry of a run (the whole of what a checkpoint stores besides the metrics).

    Attributes:
        params: the MLP parameters (tuple of {"w", "b"} dicts), dtype of the config.
        opt_state: the optax chain state; ``opt_state[0]`` is the ``AggregationState``.
        step: shape=(), dtype=int32: number of completed steps.
    """

    params: Any
    opt_state: Any
    step: jax.Array


class TrainResult(NamedTuple):
    """What :func:`train` returns.

    Attributes:
        params: final parameters (host NumPy arrays in the MLP pytree).
        history: metric name -> (steps,) NumPy array (``METRICS``); test metrics are NaN on
            steps that were not evaluated.
        config: the validated :class:`TrainConfig`.
        cost: :class:`jaxqring.CommCost` of one aggregation step (exact Python ints).
        num_params: P.
        resumed_from: the step the run resumed from (0 for a fresh run).
    """

    params: Any
    history: dict[str, np.ndarray]
    config: TrainConfig
    cost: CommCost
    num_params: int
    resumed_from: int

    def save(self, out_dir: str | os.PathLike, *, title: str | None = None) -> dict[str, str]:
        """Write the run's files into ``out_dir`` (created): ``metrics.csv`` (one row per step),
        ``metrics.json`` (config, cost per step, summary, history), ``curves.png`` (test
        accuracy, test loss, sign agreement) and ``params.npz`` (final parameters), each
        atomically. Returns the paths (keys ``csv``, ``json``, ``plot``, ``params``)."""
        return write_outputs(out_dir, self, title=title)


class TrainingInterrupted(KeyboardInterrupt):
    """Raised by :func:`train` when it is interrupted (Ctrl-C / SIGINT, or a ``KeyboardInterrupt``
    from the callback). A ``KeyboardInterrupt``, so code that does not know it still stops.

    Attributes:
        step: number of steps completed in memory when the interrupt arrived.
        total: the configured number of steps.
        checkpoint_step: the step of the last checkpoint on disk (None if none was written);
            ``train(..., resume=True)`` continues from it.
        checkpoint_path: path of that checkpoint (None if no ``out_dir``).
    """

    def __init__(self, step: int, total: int, checkpoint_step: int | None, checkpoint_path: str | None):
        super().__init__(
            f"training interrupted after step {step} of {total}; last checkpoint: "
            + (f"step {checkpoint_step} in {checkpoint_path}" if checkpoint_step is not None else "none")
        )
        self.step = step
        self.total = total
        self.checkpoint_step = checkpoint_step
        self.checkpoint_path = checkpoint_path


# ----------------------------------------------------------------------------------------------
# The step
# ----------------------------------------------------------------------------------------------


class _Data(NamedTuple):
    x: jax.Array  # shape=(N, n_per, 64)
    y: jax.Array  # shape=(N, n_per), int32
    x_test: jax.Array  # shape=(n_test, 64)
    y_test: jax.Array  # shape=(n_test,), int32


def _keys(seed: int):
    init_key, data_key, agg_key = jax.random.split(jax.random.key(seed), 3)
    return init_key, data_key, agg_key


def build(config: TrainConfig):
    """Everything a run needs, from a validated config.

    Returns:
        (tx, init_state, data, data_key): the optax transformation (aggregator then
        ``scale_by_learning_rate``), the TrainState at step 0, the device data and the data key.
    """
    dt = np.float64 if config.dtype == "float64" else np.float32
    shards, ds = load_digits_shards(
        config.num_workers, sharding=config.sharding, test_fraction=config.test_fraction,
        seed=config.seed, dtype=dt,
    )
    if config.batch_size is not None and config.batch_size > shards.x.shape[1]:
        raise ValueError(
            f"Argument `batch_size` must be <= the shard size {shards.x.shape[1]} "
            f"(N = {config.num_workers} workers), got {config.batch_size}."
        )
    data = _Data(jnp.asarray(shards.x), jnp.asarray(shards.y), jnp.asarray(ds.x_test), jnp.asarray(ds.y_test))
    init_key, data_key, agg_key = _keys(config.seed)
    tx = make_transformation(config, agg_key)
    params = init_mlp(init_key, (NUM_FEATURES, *config.hidden, NUM_CLASSES), dtype=dt)
    state = TrainState(params, tx.init(params), jnp.zeros((), jnp.int32))
    return tx, state, data, data_key


def make_transformation(config: TrainConfig, agg_key) -> optax.GradientTransformation:
    """The run's optax chain: the aggregator (its key goes into the initial state), then
    ``scale_by_learning_rate`` with the configured schedule."""
    noise, epr = parse_noise(config.noise, config.aggregator)
    agg = A.make_aggregator(
        config.aggregator, key=agg_key, shots=config.shots, noise=noise, epr=epr,
        bits=config.bits, method=config.method,
    )
    return optax.chain(agg, optax.scale_by_learning_rate(learning_rate_schedule(config)))


@functools.lru_cache(maxsize=32)
def _cached_chunk_runner(config: TrainConfig, length: int):
    """The compiled chunk function, shared by runs whose configs differ only in ``seed``.

    The seed reaches the step only through its arguments (data, data key, and the aggregator
    key inside the state), so one compiled function serves every seed, and a resumed run uses
    the very executable of the run it continues.
    """
    tx = make_transformation(config, jax.random.key(0))  # this key only feeds ``init``
    return _make_chunk_runner(tx, config, length)


def learning_rate_schedule(config: TrainConfig):
    """The step-size schedule of ``config`` (a float or an optax schedule of the step count)."""
    if config.schedule == "constant":
        return config.lr
    return optax.cosine_decay_schedule(config.lr, config.steps)


def _minibatch(key, x, y, batch_size):
    """One worker's minibatch (without replacement) from its shard x (n_per, 64), y (n_per,)."""
    if batch_size is None:
        return x, y
    idx = jax.random.choice(key, x.shape[0], (batch_size,), replace=False)
    return x[idx], y[idx]


def make_step(tx, config: TrainConfig):
    """The pure step ``(state, data, data_key) -> (state, metrics)`` (not jitted).

    Metrics: dict of scalars: ``train_loss`` (mean of the workers' minibatch losses before the
    update), ``agreement``, ``bits``, ``qubits``, ``setup_qubits`` (from the aggregator state).
    """
    n = config.num_workers
    loss_and_grad = jax.vmap(jax.value_and_grad(cross_entropy), in_axes=(None, 0, 0))

    def step(state: TrainState, data: _Data, data_key):
        keys = jax.random.split(jax.random.fold_in(data_key, state.step), n)
        xb, yb = jax.vmap(functools.partial(_minibatch, batch_size=config.batch_size))(keys, data.x, data.y)
        losses, grads = loss_and_grad(state.params, xb, yb)  # grads: leading worker axis N
        updates, opt_state = tx.update(grads, state.opt_state, state.params)
        params = optax.apply_updates(state.params, updates)
        agg = opt_state[0]
        metrics = {
            "train_loss": jnp.mean(losses),
            "agreement": agg.agreement,
            "bits_sent": agg.bits_sent,
            "online_qubits": agg.online_qubits,
            "setup_qubits": agg.setup_qubits,
        }
        return TrainState(params, opt_state, state.step + 1), metrics

    return step


def _make_chunk_runner(tx, config: TrainConfig, length: int):
    step = make_step(tx, config)
    dt = jnp.float64 if config.dtype == "float64" else jnp.float32

    def evaluate(params, data):
        return cross_entropy(params, data.x_test, data.y_test), accuracy(params, data.x_test, data.y_test)

    def no_eval(params, data):
        nan = jnp.asarray(jnp.nan, dt)
        return nan, nan

    def body(carry, _, *, data, data_key, end):
        state = carry

        def active(state):
            new, m = step(state, data, data_key)
            done = new.step
            do_eval = (done % config.eval_every == 0) | (done == config.steps)
            m["test_loss"], m["test_accuracy"] = lax.cond(do_eval, evaluate, no_eval, new.params, data)
            return new, {k: m[k].astype(dt) for k in METRICS}

        def idle(state):
            return state, {k: jnp.asarray(jnp.nan, dt) for k in METRICS}

        return lax.cond(state.step < end, active, idle, state)

    @jax.jit
    def run(state: TrainState, data: _Data, data_key, end):
        f = functools.partial(body, data=data, data_key=data_key, end=end)
        return lax.scan(f, state, None, length=length)

    return run


# ----------------------------------------------------------------------------------------------
# Checkpoints
# ----------------------------------------------------------------------------------------------


def _is_key(x) -> bool:
    return hasattr(x, "dtype") and jnp.issubdtype(x.dtype, jax.dtypes.prng_key)


def _leaves_to_host(state: TrainState) -> list[np.ndarray]:
    out = []
    for leaf in jax.tree_util.tree_leaves(state):
        out.append(np.asarray(jax.random.key_data(leaf) if _is_key(leaf) else leaf))
    return out


def write_checkpoint(path: str, state: TrainState, history: dict[str, np.ndarray], config: TrainConfig) -> None:
    """Atomically write ``state``, ``history`` and ``config`` to ``path`` (an .npz file).

    Uses :func:`atomic_write`: an interrupted write leaves the previous checkpoint intact.
    """
    arrays = {f"leaf_{i:04d}": leaf for i, leaf in enumerate(_leaves_to_host(state))}
    for k, v in history.items():
        arrays[f"history_{k}"] = np.asarray(v)
    arrays["config_json"] = np.asarray(json.dumps(config.to_dict(), sort_keys=True))
    arrays["format"] = np.asarray(CHECKPOINT_FORMAT)
    atomic_write(path, lambda f: np.savez(f, **arrays))


def read_checkpoint(path: str, template: TrainState) -> tuple[TrainState, dict[str, np.ndarray], dict]:
    """Load a checkpoint written by :func:`write_checkpoint` into the structure of ``template``.

    Returns:
        (state, history, config_dict). Raises ValueError if the file does not match.
    """
    try:
        with np.load(path, allow_pickle=False) as z:
            files = dict(z.items())
    except (OSError, ValueError) as err:
        raise ValueError(f"Argument `resume`: cannot read checkpoint {path!r}: {err}") from None
    if int(files.get("format", -1)) != CHECKPOINT_FORMAT:
        raise ValueError(f"Argument `resume`: {path!r} is not a jaxqring checkpoint of format {CHECKPOINT_FORMAT}.")
    leaves, treedef = jax.tree_util.tree_flatten(template)
    names = sorted(k for k in files if k.startswith("leaf_"))
    if len(names) != len(leaves):
        raise ValueError(f"Argument `resume`: checkpoint {path!r} does not match this configuration.")
    restored = []
    for name, t in zip(names, leaves):
        arr = files[name]
        if _is_key(t):
            want = np.asarray(jax.random.key_data(t))
            if arr.shape != want.shape or arr.dtype != want.dtype:
                raise ValueError(f"Argument `resume`: checkpoint {path!r} does not match this configuration.")
            restored.append(jax.random.wrap_key_data(jnp.asarray(arr), impl=jax.random.key_impl(t)))
        else:
            if arr.shape != np.shape(t) or arr.dtype != np.asarray(t).dtype:
                raise ValueError(f"Argument `resume`: checkpoint {path!r} does not match this configuration.")
            restored.append(jnp.asarray(arr))
    state = jax.tree_util.tree_unflatten(treedef, restored)
    history = {k[len("history_"):]: v for k, v in files.items() if k.startswith("history_")}
    return state, history, json.loads(str(files["config_json"]))


# ----------------------------------------------------------------------------------------------
# The driver
# ----------------------------------------------------------------------------------------------


def _diff_fields(saved: dict, config: TrainConfig) -> list[str]:
    now = config.to_dict()
    return sorted(k for k in set(saved) | set(now) if k != "steps" and saved.get(k) != now.get(k))


def train(
    config: TrainConfig,
    *,
    out_dir: str | os.PathLike | None = None,
    checkpoint_every: int | None = None,
    resume: bool = False,
    chunk_size: int | None = None,
    callback: Callable[[int, int, dict[str, np.ndarray]], None] | None = None,
    progress: bool = False,
) -> TrainResult:
    """Train the digits MLP with N workers and the configured aggregator.

    Args:
        config: a :class:`TrainConfig` (validated here).
        out_dir: directory for ``checkpoint.npz`` (created; must be writable). Needed for
            ``checkpoint_every`` and ``resume``.
        checkpoint_every: write a checkpoint every K >= 1 steps (and at the end).
        resume: continue from ``out_dir/checkpoint.npz`` if it exists (its configuration must
            equal ``config`` except ``steps``; a larger ``steps`` extends the run, and with the
            cosine schedule also stretches the remaining decay); without one the run starts at 0.
        chunk_size: steps per jitted ``lax.scan`` call (default: ``checkpoint_every``, else
            about ``steps / 20``); it changes only how often the host sees progress.
        callback: called after every chunk as ``callback(done, total, chunk_metrics)``;
            raising from it interrupts the run (the last checkpoint stays).
        progress: show a progress bar (tqdm, on stderr) with the last test accuracy and sign
            agreement.
    Returns:
        :class:`TrainResult` (``.save(dir)`` writes its metrics, figure and parameters). The
        final parameters are bitwise the same for any chunking, checkpointing and resume point.
    Raises:
        TrainingInterrupted: (a ``KeyboardInterrupt``) on Ctrl-C, with the completed step and
            the last checkpoint; the checkpoint on disk is never left half-written.
    """
    if not isinstance(config, TrainConfig):
        raise ValueError(f"Argument `config` must be a TrainConfig, got {type(config).__name__}.")
    config = config.validated()
    if checkpoint_every is not None:
        checkpoint_every = check_int("checkpoint_every", checkpoint_every, minimum=1)
    if chunk_size is not None:
        chunk_size = check_int("chunk_size", chunk_size, minimum=1)
    if not isinstance(progress, bool):
        raise ValueError(f"Argument `progress` must be True or False, got {progress!r}.")
    if (checkpoint_every is not None or resume) and out_dir is None:
        raise ValueError("Argument `out_dir` must be given to write or resume checkpoints, got None.")
    path = None
    if out_dir is not None:
        path = os.path.join(check_out_dir(out_dir), CHECKPOINT_NAME)

    _, state, data, data_key = build(config)
    history: dict[str, np.ndarray] = {k: np.zeros((0,)) for k in METRICS}
    start = 0
    if resume and os.path.exists(path):
        state, history, saved = read_checkpoint(path, state)
        diff = _diff_fields(saved, config)
        if diff:
            raise ValueError(
                f"Argument `resume`: the checkpoint in {out_dir!r} was written with a different "
                f"configuration (fields {diff}); use another `out` directory."
            )
        start = int(state.step)
        if start > config.steps:
            raise ValueError(f"Argument `steps` must be >= the checkpoint's step {start}, got {config.steps}.")
        history = {k: np.asarray(history.get(k, np.zeros((0,))))[:start] for k in METRICS}
    resumed_from = start

    chunk = chunk_size or checkpoint_every or max(1, math.ceil(config.steps / 20))
    chunk = min(chunk, config.steps)
    run = _cached_chunk_runner(dataclasses.replace(config, seed=0), chunk)
    done = start
    last_checkpoint = start if start > 0 else None
    bar = _progress_bar(config, start) if progress else None
    try:
        while done < config.steps:
            end = min(done + chunk, config.steps)
            if checkpoint_every is not None:  # never run past a checkpoint boundary
                end = min(end, (done // checkpoint_every + 1) * checkpoint_every)
            new_state, metrics = run(state, data, data_key, jnp.asarray(end, jnp.int32))
            metrics = {k: np.asarray(v)[: end - done] for k, v in metrics.items()}
            new_history = {k: np.concatenate([history[k], metrics[k]]) for k in METRICS}
            # one statement: an interrupt lands before or after it, never between the three
            state, history, done = new_state, new_history, end
            if checkpoint_every is not None and (done % checkpoint_every == 0 or done == config.steps):
                write_checkpoint(path, state, history, config)
                last_checkpoint = done
            if bar is not None:
                _advance(bar, done, metrics)
            if callback is not None:
                callback(done, config.steps, metrics)
    except KeyboardInterrupt as err:
        if isinstance(err, TrainingInterrupted):
            raise
        if checkpoint_every is not None:
            # the interrupt may land after a checkpoint's rename but before it was noted here
            last_checkpoint = _checkpoint_step(path, last_checkpoint)
        raise TrainingInterrupted(done, config.steps, last_checkpoint,
                                  path if last_checkpoint is not None else None) from None
    finally:
        if bar is not None:
            bar.close()

    params = jax.tree_util.tree_map(np.asarray, state.params)
    cost = A.communication_cost(
        config.aggregator, num_workers=config.num_workers, num_params=num_params(params),
        shots=config.shots, bits=_superdense_bits(config),
        float_bits=64 if config.dtype == "float64" else 32,
    )
    return TrainResult(params, history, config, cost, num_params(params), resumed_from)


def _checkpoint_step(path: str, fallback: int | None) -> int | None:
    """The step of the checkpoint on disk (the length of its history), or ``fallback``."""
    try:
        with np.load(path, allow_pickle=False) as z:
            return int(z["history_train_loss"].shape[0])
    except (OSError, KeyError, ValueError):
        return fallback


def _progress_bar(config: TrainConfig, start: int):
    from tqdm.auto import tqdm  # a dependency; imported only when a bar is asked for

    return tqdm(total=config.steps, initial=start, desc=f"train {config.aggregator}", unit="step")


def _advance(bar, done: int, metrics: dict[str, np.ndarray]) -> None:
    bar.n = done
    acc = metrics["test_accuracy"][np.isfinite(metrics["test_accuracy"])]
    post = {"agree": f"{float(metrics['agreement'][-1]):.3f}"}
    if acc.size:
        post = {"acc": f"{float(acc[-1]):.3f}", **post}
    bar.set_postfix(post, refresh=False)
    bar.refresh()


def _superdense_bits(config: TrainConfig) -> int | None:
    if config.aggregator != "superdense":
        return None
    return config.bits if config.bits is not None else A.sign_word_bits(config.num_workers)
