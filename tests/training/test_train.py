"""signSGD training with quantum aggregation (SPEC §10): data, model, aggregators, train, CLI.

Oracles:
- exact mean / majority: float64 NumPy over the worker axis; sign(0) = +1, tie -> +1 (A16).
- Scheme A output law: P(+1 | n_+ = k) = P(Binomial(M, p_k) >= (M+1)/2) with
  p_k = (1 + V sin(pi (2k - N) / (2N))) / 2 and V = (1 - 2p)^N for dephasing p (SPEC [10.1],
  [10.3], C8), evaluated with scipy.stats.binom.
- Scheme B (Kitaev, noiseless, M = 1) and the noiseless superdense ring are exact: their sign
  equals the exact majority on every coordinate ([10.2], [2.2]).
- communication: SPEC §1 [1.3], §2 [2.6], §3 accounting; cross-checked with jaxqring.ring_ledger.
- training: resume / chunking must reproduce an uninterrupted run bit for bit.
Statistical assertions use helpers.ALPHA as their false-failure rate.
"""

import json
import os
import signal
import subprocess
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from scipy import stats

import jaxqring as jq
from jaxqring.training import _train as T
from jaxqring.cli import main

from ..helpers import ALPHA, assert_close, binomial_interval


def stacked(rng, n, shapes, dtype=np.float64):
    """Per-worker gradient pytree with a leading worker axis n."""
    return {f"l{i}": jnp.asarray(rng.normal(size=(n, *s)).astype(dtype)) for i, s in enumerate(shapes)}


def flat_np(tree):
    leaves = jax.tree_util.tree_leaves(tree)
    n = leaves[0].shape[0]
    return np.concatenate([np.asarray(x).reshape(n, -1) for x in leaves], axis=1)


def majority_np(g):
    s = np.where(g >= 0, 1, -1)
    return np.where(s.sum(0) >= 0, 1, -1)


def same_tree(a, b):
    la, lb = jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)
    return len(la) == len(lb) and all(np.array_equal(np.asarray(x), np.asarray(y)) for x, y in zip(la, lb))


# ---------------------------------------------------------------------------------------------
# Data and model
# ---------------------------------------------------------------------------------------------


def test_digits_split_is_stratified_and_deterministic():
    d = jq.load_digits(test_fraction=0.25, seed=3)
    assert d.x_train.shape == (1347, 64) and d.x_test.shape == (450, 64)
    assert d.x_train.dtype == np.float32 and d.y_train.dtype == np.int32
    assert 0.0 <= d.x_train.min() and d.x_train.max() <= 1.0
    counts = np.bincount(d.y_test, minlength=10)
    assert counts.min() >= 43 and counts.max() <= 46  # 25% of 174..183 per class
    d2 = jq.load_digits(test_fraction=0.25, seed=3)
    assert np.array_equal(d.x_train, d2.x_train) and np.array_equal(d.y_test, d2.y_test)
    assert jq.load_digits(dtype=np.float64).x_test.dtype == np.float64


@pytest.mark.parametrize("sharding", ["iid", "label_skew"])
def test_shards_partition_the_training_set(sharding):
    d = jq.load_digits(seed=0)
    sh = jq.shard_dataset(d.x_train, d.y_train, 6, sharding=sharding, seed=1)
    n_per = sh.x.shape[1]
    assert sh.x.shape == (6, n_per, 64) and sh.y.shape == (6, n_per)
    # every example is used at most once: rows of x identify examples (the digits set has a few
    # duplicate images, so compare multisets of (row bytes, label))
    used = sorted((r.tobytes(), int(l)) for r, l in zip(sh.x.reshape(-1, 64), sh.y.reshape(-1)))
    pool = sorted((r.tobytes(), int(l)) for r, l in zip(d.x_train, d.y_train))
    it = iter(pool)
    assert all(any(u == p for p in it) for u in used)  # `used` is a sub-multiset of `pool`
    classes = [len(np.unique(y)) for y in sh.y]
    if sharding == "iid":
        assert n_per == 1347 // 6 and min(classes) == 10
    else:
        assert n_per == 2 * (1347 // 12) and max(classes) <= 4  # two label-sorted pieces each


def test_shard_and_data_bad_inputs():
    d = jq.load_digits()
    with pytest.raises(ValueError, match="Argument `num_workers` must be >= 2, got 1"):
        jq.shard_dataset(d.x_train, d.y_train, 1)
    with pytest.raises(ValueError, match="Argument `sharding` must be one of"):
        jq.shard_dataset(d.x_train, d.y_train, 4, sharding="dirichlet")
    with pytest.raises(ValueError, match=r"Argument `test_fraction` must lie in \(0, 1\)"):
        jq.load_digits(test_fraction=1.0)


@pytest.mark.parametrize("dtype", [jnp.float32, jnp.float64])
def test_mlp_shapes_loss_and_gradients(key, dtype):
    params = jq.init_mlp(key, (64, 16, 10), dtype=dtype)
    assert jq.num_params(params) == 64 * 16 + 16 + 16 * 10 + 10
    assert all(x.dtype == dtype for x in jax.tree_util.tree_leaves(params))
    d = jq.load_digits(dtype=np.dtype(dtype))
    x, y = jnp.asarray(d.x_test), jnp.asarray(d.y_test)
    logits = jq.mlp_apply(params, x)
    assert logits.shape == (450, 10)
    logp = jax.nn.log_softmax(np.asarray(logits, np.float64))
    assert_close(jq.cross_entropy(params, x, y), -np.mean(logp[np.arange(450), d.y_test]), dtype)
    acc = float(jq.accuracy(params, x, y))
    assert acc == pytest.approx(np.mean(np.argmax(logits, -1) == d.y_test))
    g = jax.grad(jq.cross_entropy)(params, x, y)
    assert all(bool(jnp.all(jnp.isfinite(v))) for v in jax.tree_util.tree_leaves(g))
    with pytest.raises(ValueError, match="Argument `key` must be a JAX PRNG key"):
        jq.init_mlp(0, (64, 10))
    with pytest.raises(ValueError, match="Argument `sizes` must be a sequence of >= 2"):
        jq.init_mlp(key, (64,))


# ---------------------------------------------------------------------------------------------
# Aggregators: exact oracles
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mean_and_majority_match_numpy(dtype):
    rng = np.random.default_rng(0)
    g = stacked(rng, 4, [(3, 5), (7,)], dtype)
    g["l1"] = g["l1"].at[:, 0].set(0.0)  # sign(0) = +1 on every worker
    g["l1"] = g["l1"].at[:, 1].set(jnp.asarray([1.0, -1.0, 2.0, -2.0], dtype))  # a 2-2 tie -> +1
    f = flat_np(g)
    for tx, want in [(jq.mean_aggregation(), f.astype(np.float64).mean(0)), (jq.majority_vote(), majority_np(f))]:
        upd, st = jax.jit(tx.update)(g, tx.init(None))
        got = flat_np(jax.tree_util.tree_map(lambda x: x[None], upd))[0]
        assert upd["l0"].shape == (3, 5) and upd["l0"].dtype == dtype
        assert_close(got, want, dtype)
        agree = np.mean(np.where(got >= 0, 1, -1) == majority_np(f))
        assert float(st.agreement) == pytest.approx(agree)
    assert float(st.agreement) == 1.0 and got[15 + 0] == 1 and got[15 + 1] == 1


def scheme_a_oracle(n, shots, v):
    k = np.arange(n + 1)
    p_plus = (1 + v * np.sin(np.pi * (2 * k - n) / (2 * n))) / 2
    return stats.binom.sf((shots - 1) // 2, shots, p_plus)


@pytest.mark.parametrize("n,shots,p", [(3, 1, 0.0), (5, 7, 0.05), (6, 21, 0.1), (4, 3, 0.3)])
def test_ghz_majority_table_matches_binomial_tail(n, shots, p):
    noise = jq.dephasing(p) if p else None
    table = jq.ghz_majority_table(n, shots, noise=noise, dtype=jnp.float64)
    assert_close(table, scheme_a_oracle(n, shots, (1 - 2 * p) ** n), np.float64)


def test_ghz_probability_closed_form_equals_mps_path():
    from jaxqring.training._aggregators import ghz_plus_probability

    rng = np.random.default_rng(1)
    signs = jnp.asarray(np.where(rng.random((5, 40)) < 0.5, 1.0, -1.0))
    noise = jq.compose(jq.dephasing(np.array([0.01, 0.02, 0.0, 0.05, 0.1])), jq.readout_error(0.02))
    a = ghz_plus_probability(signs, noise=noise, method="closed_form")
    b = ghz_plus_probability(signs, noise=noise, method="mps")
    assert_close(a, b, np.float64)
    v = np.prod(1 - 2 * np.array([0.01, 0.02, 0.0, 0.05, 0.1])) * (1 - 2 * 0.02) ** 5
    phi = np.pi / 10 * np.asarray(signs).sum(0)
    assert_close(a, (1 + v * np.sin(phi)) / 2, np.float64)


@pytest.mark.parametrize("method", ["table", "binomial", "mps"])
def test_ghz_majority_output_law(key, method):
    """Per n_+ class, the count of +1 outputs lies in the Binomial acceptance interval (ALPHA)."""
    n, shots, p, per = 3, 5, 0.1, 3000
    k = np.repeat(np.arange(n + 1), per)  # n_+ per coordinate
    g = np.where(np.arange(n)[:, None] < k[None, :], 1.0, -1.0)  # (N, P)
    tx = jq.ghz_majority_vote(shots=shots, key=key, noise=jq.dephasing(p), method=method)
    upd, st = jax.jit(tx.update)({"w": jnp.asarray(g)}, tx.init(None))
    out = np.asarray(upd["w"]).reshape(n + 1, per)
    probs = scheme_a_oracle(n, shots, (1 - 2 * p) ** n)
    for c in range(n + 1):
        lo, hi = binomial_interval(per, probs[c], ALPHA / (n + 1))
        assert lo <= np.sum(out[c] > 0) <= hi, (c, np.sum(out[c] > 0), probs[c] * per)


def test_ghz_majority_noiseless_with_enough_shots_is_exact(key):
    n = 5
    shots = jq.ghz_majority_shots(n, delta=1e-12)  # P(any of 400 coords wrong) <= 4e-10
    rng = np.random.default_rng(2)
    g = stacked(rng, n, [(20, 20)])
    tx = jq.ghz_majority_vote(shots=shots, key=key)
    upd, st = tx.update(g, tx.init(None))
    assert np.array_equal(np.asarray(upd["l0"]).ravel(), majority_np(flat_np(g)))
    assert float(st.agreement) == 1.0
    assert float(st.bits_sent) == n * shots * 400 and float(st.setup_qubits) == (n - 1) * shots * 400


def test_ghz_majority_shots_is_the_smallest_odd_m():
    for n, delta, v in [(3, 1e-2, 1.0), (7, 1e-3, 1.0), (4, 1e-3, 0.8)]:
        m = jq.ghz_majority_shots(n, delta=delta, visibility=v)
        gap = 1 if n % 2 else 2
        q = (1 - v * np.sin(np.pi * gap / (2 * n))) / 2
        tail = lambda mm: stats.binom.sf((mm - 1) // 2, mm, q)
        assert m % 2 == 1 and tail(m) <= delta and (m == 1 or tail(m - 2) > delta)
        assert m <= 8 * n**2 * np.log(1 / delta) / (np.pi**2 * v**2) + 2  # SPEC §10 scale


@pytest.mark.parametrize("n", [4, 5])
def test_ghz_count_and_superdense_are_exact_noiseless(key, n):
    rng = np.random.default_rng(n)
    g = stacked(rng, n, [(6, 7), (5,)])
    g["l1"] = g["l1"].at[:, 0].set(jnp.asarray(np.r_[np.ones(n // 2), -np.ones(n - n // 2)]))  # tie if n even
    want = majority_np(flat_np(g))
    for tx in (jq.ghz_count_vote(shots=1, key=key), jq.superdense_sign(key=key)):
        upd, st = jax.jit(tx.update)(g, tx.init(None))
        got = flat_np(jax.tree_util.tree_map(lambda x: x[None], upd))[0]
        assert np.array_equal(got, want) and float(st.agreement) == 1.0


def test_communication_cost_formulas():
    n, p, m = 5, 47, 9
    c = jq.communication_cost("mean", num_workers=n, num_params=p)
    assert c.bits_sent == jq.ring_ledger(n, p, bits=32, scheme="classical").online_total == 2 * (n - 1) * p * 32
    assert jq.communication_cost("majority", num_workers=n, num_params=p).bits_sent == 2 * n * p
    c = jq.communication_cost("ghz_majority", num_workers=n, num_params=p, shots=m)
    assert c == jq.CommCost(n * m * p, 0, (n - 1) * m * p, m * p, 0)
    c = jq.communication_cost("ghz_count", num_workers=n, num_params=p, shots=m)
    assert c.ghz_copies == 3 * m * p  # b = ceil(log2(6)) = 3
    c = jq.communication_cost("superdense", num_workers=n, num_params=p, bits=4)
    led = jq.ring_ledger(n, p, bits=4, scheme="superdense")
    assert (c.online_qubits, c.setup_qubits, c.epr_pairs) == (led.online_total, led.setup_total, led.epr_pairs_total)


def test_aggregator_state_is_type_stable_and_compiles_once(key):
    """STYLE item 6: the state keeps shapes/dtypes; a second update does not recompile."""
    rng = np.random.default_rng(3)
    g = stacked(rng, 3, [(4, 4)], np.float32)
    tx = optax.chain(jq.ghz_majority_vote(shots=11, key=key, noise=jq.dephasing(0.1)), optax.scale(-0.1))
    params = {"l0": jnp.zeros((4, 4), jnp.float32)}
    s0 = tx.init(params)
    f = jax.jit(tx.update)
    _, s1 = f(g, s0, params)
    u2, s2 = f(g, s1, params)
    assert f._cache_size() == 1
    spec = lambda s: [(x.shape, x.dtype) for x in jax.tree_util.tree_leaves(s)]
    assert spec(s0) == spec(s1) == spec(s2)
    assert jax.tree_util.tree_structure(s0) == jax.tree_util.tree_structure(s2)
    assert not np.array_equal(jax.random.key_data(s1[0].rng_key), jax.random.key_data(s2[0].rng_key))
    assert set(np.unique(np.asarray(u2["l0"]))) <= {np.float32(-0.1), np.float32(0.1)}


def test_aggregator_bad_inputs(key):
    with pytest.raises(ValueError, match="Argument `shots` must be >= 1, got 0"):
        jq.ghz_majority_vote(shots=0, key=key)
    with pytest.raises(ValueError, match="Argument `shots` must be odd"):
        jq.ghz_count_vote(shots=4, key=key)
    with pytest.raises(ValueError, match="Argument `aggregator` must be one of"):
        jq.make_aggregator("median", key=key)
    with pytest.raises(ValueError, match="Argument `key` must be a JAX PRNG key for a sampling aggregator"):
        jq.ghz_majority_vote(shots=3, key=None)
    with pytest.raises(ValueError, match="use method='mps' for other channels"):
        jq.ghz_majority_vote(shots=3, key=key, noise=jq.bit_flip(0.1))
    tx = jq.majority_vote()
    with pytest.raises(ValueError, match="N >= 2 workers on its leading axis, got N = 1"):
        tx.update({"w": jnp.ones((1, 3))}, tx.init(None))
    with pytest.raises(ValueError, match="one shared leading worker axis"):
        tx.update({"a": jnp.ones((2, 3)), "b": jnp.ones((3, 3))}, tx.init(None))


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------


def test_ghz_majority_matches_classical_majority_accuracy():
    """SPEC §10 with enough shots: within 1 accuracy point of signSGD-MV, same seeds."""
    n = 5
    shots = jq.ghz_majority_shots(n, delta=1e-3)
    for seed in (0, 1):
        base = jq.TrainConfig(num_workers=n, steps=150, seed=seed, shots=shots)
        mv = jq.train(T.dataclasses.replace(base, aggregator="majority")).history
        ghz = jq.train(T.dataclasses.replace(base, aggregator="ghz_majority")).history
        assert mv["test_accuracy"][-1] > 0.9
        assert abs(ghz["test_accuracy"][-1] - mv["test_accuracy"][-1]) <= 0.01
        assert np.mean(ghz["agreement"]) > 0.999


def test_dephasing_degrades_agreement_and_accuracy():
    """V = (1 - 2p)^5 = 1, 0.17, 0.0024: agreement falls towards 1/2, then learning fails."""
    cfg = jq.TrainConfig(num_workers=5, steps=80, shots=jq.ghz_majority_shots(5, delta=1e-3), eval_every=80)
    runs = [jq.train(T.dataclasses.replace(cfg, noise=f"dephasing:{p}" if p else None)).history
            for p in (0.0, 0.15, 0.35)]
    agree = [np.mean(h["agreement"]) for h in runs]
    acc = [h["test_accuracy"][-1] for h in runs]
    assert agree[0] > 0.998 and agree[0] > agree[1] + 0.1 and agree[1] > agree[2] + 0.2
    assert agree[2] < 0.55  # the vote is nearly a coin flip
    assert acc[0] > 0.85 and acc[2] < acc[0] - 0.5
    assert np.isnan(runs[0]["test_accuracy"][:-1]).all()  # eval_every = steps: only the last step


def test_chunking_and_resume_are_bitwise_identical(tmp_path):
    cfg = jq.TrainConfig(aggregator="ghz_majority", num_workers=3, steps=25, shots=7,
                         noise="dephasing:0.05", hidden=(8,))
    ref = jq.train(cfg)
    assert same_tree(ref.params, jq.train(cfg, chunk_size=7).params)

    class Kill(Exception):
        pass

    def kill_after_step_20(done, total, metrics):
        if done >= 20:
            raise Kill

    out = tmp_path / "run"
    with pytest.raises(Kill):
        jq.train(cfg, out_dir=out, checkpoint_every=10, callback=kill_after_step_20)
    state, history, saved = T.read_checkpoint(str(out / T.CHECKPOINT_NAME), T.build(cfg.validated())[1])
    assert int(state.step) == 20 and history["agreement"].shape == (20,)
    res = jq.train(cfg, out_dir=out, checkpoint_every=10, resume=True)
    assert res.resumed_from == 20
    assert same_tree(ref.params, res.params)
    for k in T.METRICS:
        np.testing.assert_array_equal(ref.history[k], res.history[k])
    # resuming a finished run is a no-op with the same result
    assert same_tree(ref.params, jq.train(cfg, out_dir=out, resume=True).params)
    with pytest.raises(ValueError, match=r"different configuration \(fields \['shots'\]\)"):
        jq.train(T.dataclasses.replace(cfg, shots=9), out_dir=out, resume=True)


def test_interrupted_checkpoint_write_keeps_the_last_checkpoint(tmp_path, monkeypatch):
    cfg = jq.TrainConfig(aggregator="majority", num_workers=3, steps=30, hidden=(8,))
    out = tmp_path / "run"
    real_savez = np.savez
    calls = {"n": 0}

    def dying_savez(f, **arrays):
        calls["n"] += 1
        if calls["n"] == 2:  # die half-way through writing the step-20 checkpoint
            f.write(b"partial bytes")
            raise KeyboardInterrupt
        real_savez(f, **arrays)

    monkeypatch.setattr(T.np, "savez", dying_savez)
    with pytest.raises(KeyboardInterrupt):
        jq.train(cfg, out_dir=out, checkpoint_every=10)
    monkeypatch.setattr(T.np, "savez", real_savez)
    assert sorted(os.listdir(out)) == [T.CHECKPOINT_NAME]  # no temp file left behind
    state, _, _ = T.read_checkpoint(str(out / T.CHECKPOINT_NAME), T.build(cfg.validated())[1])
    assert int(state.step) == 10
    res = jq.train(cfg, out_dir=out, checkpoint_every=10, resume=True)
    assert res.resumed_from == 10 and same_tree(res.params, jq.train(cfg).params)


def test_float64_and_every_aggregator_run(tmp_path):
    for agg, noise in [("mean", None), ("ghz_count", "dephasing:0.05"), ("superdense", "werner:0.97")]:
        cfg = jq.TrainConfig(aggregator=agg, num_workers=4, steps=4, shots=3, noise=noise,
                             dtype="float64", hidden=(8,))
        res = jq.train(cfg)
        assert res.params[0]["w"].dtype == np.float64
        assert np.all(np.isfinite(res.history["train_loss"]))
        assert res.history["bits_sent"][0] == res.cost.bits_sent and res.history["online_qubits"][0] == res.cost.online_qubits


def test_train_bad_inputs(tmp_path):
    bad = [
        (dict(num_workers=1), "Argument `num_workers` must be >= 2, got 1"),
        (dict(shots=0), "Argument `shots` must be >= 1, got 0"),
        (dict(aggregator="median"), "Argument `aggregator` must be one of"),
        (dict(noise="dephasing:0.1", aggregator="majority"), "Argument `noise` channels"),
        (dict(noise="werner:0.9"), "Argument `noise` 'werner' acts on EPR pairs"),
        (dict(noise="dephasing"), "Argument `noise` must be terms 'name:value'"),
        (dict(batch_size=10_000), "Argument `batch_size` must be <= the shard size"),
    ]
    for kwargs, msg in bad:
        with pytest.raises(ValueError, match=msg):
            jq.train(jq.TrainConfig(steps=1, **kwargs))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ValueError, match="Argument `out` must be a writable directory"):
        jq.train(jq.TrainConfig(steps=1), out_dir=blocker / "sub", checkpoint_every=1)


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv,msg",
    [
        (["--workers", "1"], "Argument `num_workers` (--workers) must be >= 2"),
        (["--shots", "0"], "Argument `shots` must be >= 1"),
        (["--aggregator", "median"], "Argument `aggregator` must be one of"),
    ],
)
def test_cli_bad_input_is_a_clean_error(tmp_path, capsys, argv, msg):
    assert main(["train", "--out", str(tmp_path), *argv]) == 2
    err = capsys.readouterr().err
    assert msg in err and "Traceback" not in err


def test_cli_unwritable_out(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["train", "--out", str(tmp_path / "file" / "sub")]) == 2
    assert "Argument `out` (--out) must be a writable directory" in capsys.readouterr().err


@pytest.mark.heavy
def test_cli_train_killed_then_resumed_matches_uninterrupted(tmp_path):
    """A real SIGKILL of `jaxqring train` after its first checkpoint, then --resume, against an
    uninterrupted CLI run (all in fresh processes, so all with the CLI's default jax config)."""
    args = ["--workers", "3", "--aggregator", "ghz_majority", "--shots", "5", "--noise",
            "dephasing:0.05", "--hidden", "8", "--steps", "400", "--checkpoint-every", "10", "--no-progress"]
    env = dict(os.environ, JAX_PLATFORMS="cpu")

    def cli(out, *extra):
        cmd = [sys.executable, "-m", "jaxqring", "train", "--out", str(out), *args, *extra]
        return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    killed, ref = tmp_path / "killed", tmp_path / "ref"
    proc, ref_proc = cli(killed), cli(ref)
    ckpt = killed / T.CHECKPOINT_NAME
    deadline = time.monotonic() + 120
    while not ckpt.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert ckpt.exists() and proc.returncode == -signal.SIGKILL
    assert not (killed / "params.npz").exists()  # it really died before finishing
    resumed = cli(killed, "--resume")
    assert resumed.communicate()[0].startswith("resumed from step") and resumed.returncode == 0
    ref_proc.communicate()
    assert ref_proc.returncode == 0
    doc = json.loads((killed / "metrics.json").read_text())
    assert 10 <= doc["resumed_from"] < 400 and doc["resumed_from"] % 10 == 0
    with np.load(killed / "params.npz") as a, np.load(ref / "params.npz") as b:
        assert a.files == b.files and all(np.array_equal(a[k], b[k]) for k in a.files)
    assert (killed / "metrics.csv").read_text() == (ref / "metrics.csv").read_text()
    assert (killed / "metrics.csv").read_text().splitlines()[0] == "step," + ",".join(T.METRICS)
    assert (killed / "curves.png").stat().st_size > 0


def test_cli_demo_small(tmp_path, capsys):
    assert main(["demo", "--steps", "3", "--workers", "3", "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    for label in ("classical mean", "classical majority", "GHZ majority", "dephasing 0.2"):
        assert label in text
    doc = json.loads((tmp_path / "demo.json").read_text())
    assert len(doc["runs"]) == 4 and (tmp_path / "demo.png").stat().st_size > 0
