"""A new user's first hour (issue 17): every entry point validated, no silent wrong result, no
crash from deep inside, results saved from the API, and the demo that reads its own result.

The bad-input table covers the core API, the protocols, the aggregators and the CLI: each case
must raise a ValueError (or exit 2 with a message) that names the argument, before any work.
Requests that cannot fit in memory are checked against a fixed 16 GiB budget (the available
memory is monkeypatched), so the verdict does not depend on the machine.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import jaxqring as jq
import jaxqring._checks as checks_module
from jaxqring.cli import main
from jaxqring.training import _train as T

KEY = jax.random.key(0)
GRADS = np.random.default_rng(0).normal(0, 0.3, (4, 10))
BUDGET = 16 * 2**30  # the memory budget the memory checks see in this file


@pytest.fixture
def budget(monkeypatch):
    monkeypatch.setattr(checks_module, "available_memory_bytes", lambda: BUDGET)


def _run_dir(tmp_path):
    d = tmp_path / "old-run"
    d.mkdir()
    (d / "checkpoint.npz").write_bytes(b"x")
    return d


def _agg_state(tx=None):
    tx = tx or jq.majority_vote()
    return tx, tx.init({"w": np.zeros(5)})


# (id, thunk taking tmp_path, argument the message must name)
API_CASES = [
    # probes
    ("ghz-n-1", lambda d: jq.ghz(1), "n"),
    ("ghz-n-str", lambda d: jq.ghz("4"), "n"),
    ("ghz-n-float", lambda d: jq.ghz(4.0), "n"),
    ("ghz-n-bool", lambda d: jq.ghz(True), "n"),
    ("ghz-dtype", lambda d: jq.ghz(4, dtype=np.float32), "dtype"),
    ("product-plus-n", lambda d: jq.product_plus(0), "n"),
    ("w-state-n", lambda d: jq.w_state(-3), "n"),
    ("dicke-k", lambda d: jq.dicke(4, 5), "k"),
    ("random-mps-chi", lambda d: jq.random_mps(KEY, 4, 0), "chi"),
    # readout
    ("parity-phases-length", lambda d: jq.parity_expectation(jq.ghz(4), np.zeros(3)), "phases"),
    ("parity-phases-nan", lambda d: jq.parity_expectation(jq.ghz(4), [0.1, np.nan, 0, 0]), "phases"),
    ("parity-phases-complex", lambda d: jq.parity_expectation(jq.ghz(4), np.zeros(4) + 1j), "phases"),
    ("parity-phases-str", lambda d: jq.parity_expectation(jq.ghz(4), ["a", "b", "c", "d"]), "phases"),
    ("parity-basis-letter", lambda d: jq.parity_expectation(jq.ghz(4), np.zeros(4), basis="w"), "basis"),
    ("parity-basis-int", lambda d: jq.parity_expectation(jq.ghz(4), np.zeros(4), basis=3), "basis"),
    ("parity-mps", lambda d: jq.parity_expectation("ghz", np.zeros(4)), "mps"),
    ("parity-noise-str", lambda d: jq.parity_expectation(jq.ghz(4), np.zeros(4), noise="dephasing"), "noise"),
    ("sample-shots-0", lambda d: jq.sample(KEY, jq.ghz(4), np.zeros(4), 0), "shots"),
    ("sample-shots-str", lambda d: jq.sample(KEY, jq.ghz(4), np.zeros(4), "10"), "shots"),
    ("sample-method", lambda d: jq.sample(KEY, jq.ghz(4), np.zeros(4), 3, method="magic"), "method"),
    ("sample-key", lambda d: jq.sample("key", jq.ghz(4), np.zeros(4), 3), "key"),
    # noise
    ("dephasing-range", lambda d: jq.dephasing(1.5), "p"),
    ("dephasing-str", lambda d: jq.dephasing("0.1"), "p"),
    ("depolarizing-negative", lambda d: jq.depolarizing(-0.1), "p"),
    ("amplitude-damping-nan", lambda d: jq.amplitude_damping(float("nan")), "gamma"),
    ("readout-error-range", lambda d: jq.readout_error(2), "p"),
    ("dephasing-when", lambda d: jq.dephasing(0.1, when="during"), "when"),
    # superdense / ring / GHZ all-reduce
    ("werner-str", lambda d: jq.werner("0.9"), "fidelity"),
    ("werner-range", lambda d: jq.werner(0.2), "fidelity"),
    ("pauli-epr-sum", lambda d: jq.pauli_epr(0.5, 0.6), "p_x"),
    ("ring-clip-str", lambda d: jq.ring_allreduce(GRADS, bits=8, clip="1.0"), "clip"),
    ("ring-clip-negative", lambda d: jq.ring_allreduce(GRADS, bits=8, clip=-1.0), "clip"),
    ("ring-bits-0", lambda d: jq.ring_allreduce(GRADS, bits=0), "bits"),
    ("ring-bits-str", lambda d: jq.ring_allreduce(GRADS, bits="8"), "bits"),
    ("ring-grads-1d", lambda d: jq.ring_allreduce(np.ones(5), bits=8), "grads"),
    ("ring-grads-nan", lambda d: jq.ring_allreduce(np.where(np.arange(10) == 3, np.nan, GRADS), bits=8), "grads"),
    ("ring-grads-str", lambda d: jq.ring_allreduce(np.full((2, 3), "a"), bits=8), "grads"),
    ("ring-scheme", lambda d: jq.ring_allreduce(GRADS, bits=8, scheme="quantum"), "scheme"),
    ("ring-gather", lambda d: jq.ring_allreduce(GRADS, bits=8, gather="up"), "gather"),
    ("ring-epr-classical", lambda d: jq.ring_allreduce(GRADS, bits=8, epr=jq.werner(0.9)), "epr"),
    ("ring-epr-type", lambda d: jq.ring_allreduce(GRADS, bits=8, scheme="superdense", epr=0.9, key=KEY), "epr"),
    ("ring-key-missing", lambda d: jq.ring_allreduce(GRADS, bits=8, scheme="superdense", epr=jq.werner(0.9)), "key"),
    ("ring-key-int", lambda d: jq.ring_allreduce(GRADS, bits=8, scheme="superdense", epr=jq.werner(0.9), key=5), "key"),
    ("ring-mesh", lambda d: jq.ring_allreduce(GRADS, bits=8, mesh="nodes"), "mesh"),
    ("ledger-summary-rows", lambda d: jq.ring_ledger(4, 10, bits=8).summary(max_nodes=0), "max_nodes"),
    ("ghz-allreduce-shots", lambda d: jq.ghz_allreduce(KEY, GRADS, bits=8, clip=1.0, shots_per_round=2), "shots_per_round"),
    ("ghz-allreduce-int-grads", lambda d: jq.ghz_allreduce(KEY, np.ones((4, 3), int), bits=8, clip=1.0, shots_per_round=1), "grads"),
    ("ghz-allreduce-weights", lambda d: jq.ghz_allreduce(KEY, GRADS, bits=8, clip=1.0, shots_per_round=1, weights=[1, 2]), "weights"),
    ("fixed-point-clip", lambda d: jq.fixed_point(8, 0.0, 4), "clip"),
    ("compare-coords-negative", lambda d: jq.allreduce.compare_allreduce(num_coords=-5), "num_coords"),
    # metrology and interop
    ("ghz-qfi-n", lambda d: jq.ghz_qfi(jq.dephasing(0.01), 0), "n"),
    ("ghz-qfi-log", lambda d: jq.ghz_qfi(None, 4, log="yes"), "log"),
    ("ghz-qfi-noise", lambda d: jq.ghz_qfi(jq.bit_flip(0.1), 4), "noise"),
    ("ghz-optimal-size-range", lambda d: jq.ghz_optimal_size(0.5), "p"),
    ("ghz-optimal-size-str", lambda d: jq.ghz_optimal_size("0.1"), "p"),
    ("qfi-pure-mps", lambda d: jq.qfi_pure("probe"), "mps"),
    ("to-quimb-phases-length", lambda d: jq.to_quimb(jq.ghz(4), phases=np.zeros(3)), "phases"),
    ("to-quimb-phases-nan", lambda d: jq.to_quimb(jq.ghz(4), phases=[0, 0, np.nan, 0]), "phases"),
    ("from-quimb-type", lambda d: jq.from_quimb(3), "qmps"),
    # aggregators
    ("agg-no-worker-axis", lambda d: jq.majority_vote().update({"w": np.array([1.0, -1.0, 1.0, -1.0, 1.0])}, _agg_state()[1]), "updates"),
    ("agg-nan-gradient", lambda d: jq.majority_vote().update({"w": np.array([[np.nan] + [1.0] * 4] * 3)}, _agg_state()[1]), "updates"),
    ("agg-tree-names", lambda d: jq.majority_vote().update({"v": np.ones((3, 5))}, _agg_state()[1]), "updates"),
    ("agg-tree-shapes", lambda d: jq.majority_vote().update({"w": np.ones((3, 4))}, _agg_state()[1]), "updates"),
    ("agg-params-mismatch", lambda d: jq.majority_vote().update({"w": np.ones((3, 4))}, jq.majority_vote().init(None), {"w": np.zeros(5)}), "updates"),
    ("agg-mean-nan", lambda d: jq.mean_aggregation().update({"w": np.full((3, 5), np.nan)}, _agg_state(jq.mean_aggregation())[1]), "updates"),
    ("agg-state-type", lambda d: jq.majority_vote().update({"w": np.ones((3, 5))}, {"rng_key": None}), "state"),
    ("ghz-vote-even-shots", lambda d: jq.ghz_majority_vote(shots=4, key=KEY), "shots"),
    ("ghz-vote-key", lambda d: jq.ghz_majority_vote(shots=3, key="k"), "key"),
    ("ghz-vote-method", lambda d: jq.ghz_majority_vote(shots=3, key=KEY, method="x"), "method"),
    ("ghz-vote-noise", lambda d: jq.ghz_majority_vote(shots=3, key=KEY, noise="dephasing"), "noise"),
    ("superdense-sign-bits", lambda d: jq.superdense_sign(key=KEY, bits=1), "bits"),
    ("superdense-sign-clip-str", lambda d: jq.superdense_sign(key=KEY, clip="1"), "clip"),
    ("superdense-sign-values", lambda d: jq.superdense_sign(key=KEY, values="x"), "values"),
    ("comm-cost-workers", lambda d: jq.communication_cost("mean", num_workers=1, num_params=5), "num_workers"),
    ("majority-shots-delta", lambda d: jq.ghz_majority_shots(7, delta=0.6), "delta"),
    ("make-aggregator-name", lambda d: jq.make_aggregator("median"), "aggregator"),
    # training
    ("train-config-type", lambda d: jq.train("cfg"), "config"),
    ("train-steps", lambda d: jq.train(jq.TrainConfig(steps=0)), "steps"),
    ("train-lr-str", lambda d: jq.train(jq.TrainConfig(learning_rate="0.1")), "learning_rate"),
    ("train-hidden-int", lambda d: jq.train(jq.TrainConfig(hidden=32)), "hidden"),
    ("train-dtype", lambda d: jq.train(jq.TrainConfig(dtype="float16")), "dtype"),
    ("train-progress", lambda d: jq.train(jq.TrainConfig(steps=1), progress="yes"), "progress"),
    ("run-dir-holds-run", lambda d: jq.training.prepare_run_dir(_run_dir(d)), "out"),
    ("run-dir-both-flags", lambda d: jq.training.prepare_run_dir(d, resume=True, overwrite=True), "overwrite"),
    ("scheme-costs-params", lambda d: jq.training.scheme_costs(7, 0, 3), "num_params"),
]

# requests that cannot fit (BUDGET): the exact examples
MEMORY_CASES = [
    ("ghz-1e10", lambda d: jq.ghz(10**10), "n"),
    ("ghz-qfi-1e12", lambda d: jq.ghz_qfi(jq.dephasing(0.01), 10**12), "n"),
    ("ghz-qfi-profile-1e12", lambda d: jq.ghz_qfi_profile(jq.dephasing(0.01), 10**12), "n_max"),
    ("sample-parity-1e9", lambda d: jq.sample_parity(KEY, jq.ghz(8), np.zeros((4, 8)), 10**9), "shots"),
    ("sample-1e9", lambda d: jq.sample(KEY, jq.ghz(8), np.zeros(8), 10**9), "shots"),
    ("ring-ledger-1e6", lambda d: jq.ring_ledger(10**6, 10, bits=24), "num_nodes"),
    ("compare-1e5-nodes", lambda d: jq.allreduce.compare_allreduce(num_nodes=100_000, num_coords=20_000), "num_nodes"),
]


@pytest.mark.parametrize("thunk,name", [c[1:] for c in API_CASES], ids=[c[0] for c in API_CASES])
def test_bad_input_names_the_argument(tmp_path, thunk, name):
    with pytest.raises(ValueError) as err:
        thunk(tmp_path)
    assert f"`{name}`" in str(err.value), str(err.value)


@pytest.mark.parametrize("thunk,name", [c[1:] for c in MEMORY_CASES], ids=[c[0] for c in MEMORY_CASES])
def test_requests_that_cannot_fit_fail_early_with_advice(tmp_path, budget, thunk, name):
    with pytest.raises(ValueError) as err:
        thunk(tmp_path)
    msg = str(err.value)
    # names the argument, says how much is needed and what is available, and what to change
    assert f"Argument `{name}` asks for about" in msg and "available" in msg, msg
    assert "16.0 GiB" in msg and any(w in msg for w in ("reduce", "batches", "fewer")), msg


CLI_CASES = [
    (["allreduce", "--coords", "-5"], "`num_coords` (--coords)"),
    (["allreduce", "--nodes", "1"], "`num_nodes` (--nodes)"),
    (["allreduce", "--nodes", "100000", "--coords", "20000"], "`num_nodes` (--nodes) asks for about"),
    (["allreduce", "--fidelity", "0.1"], "`fidelity`"),
    (["allreduce", "--bits", "1"], "`bits`"),
    (["allreduce", "--ghz-shots", "0"], "`ghz_shots` (--ghz-shots)"),
    (["allreduce", "--clip", "-1"], "`clip`"),
    (["train", "--lr", "-1"], "`learning_rate` (--lr)"),
    (["train", "--steps", "0"], "`steps`"),
    (["train", "--batch-size", "-3"], "`batch_size` (--batch-size)"),
    (["train", "--hidden", "a,b"], "`hidden`"),
    (["train", "--sharding", "weird"], "`sharding`"),
    (["train", "--checkpoint-every", "0"], "`checkpoint_every` (--checkpoint-every)"),
    (["train", "--noise", "dephasing"], "`noise`"),
    (["train", "--resume", "--overwrite"], "`overwrite` (--overwrite)"),
    (["demo", "--workers", "1"], "`num_workers` (--workers)"),
    (["demo", "--dephasing", "0.7"], "`dephasing`"),
]


@pytest.mark.parametrize("argv,msg", CLI_CASES, ids=[" ".join(a) for a, _ in CLI_CASES])
def test_cli_bad_input_is_one_clean_line(tmp_path, capsys, budget, argv, msg):
    out = ["--out", str(tmp_path / "out")] if argv[0] in ("train", "demo") else []
    assert main([*argv, *out]) == 2
    err = capsys.readouterr().err
    assert msg in err and "Traceback" not in err, err


def test_cli_refuses_to_mix_a_new_run_with_an_old_checkpoint(tmp_path, capsys):
    d = _run_dir(tmp_path)
    assert main(["train", "--out", str(d), "--steps", "1", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "`out` (--out) already holds a run" in err and "--resume" in err and "--overwrite" in err
    assert (d / "checkpoint.npz").read_bytes() == b"x"  # untouched


def test_there_are_at_least_sixty_distinct_bad_input_cases():
    ids = [c[0] for c in API_CASES] + [c[0] for c in MEMORY_CASES] + [" ".join(a) for a, _ in CLI_CASES]
    assert len(set(ids)) == len(ids) >= 60


# ---------------------------------------------------------------------------------------------
# Former silent wrong results
# ---------------------------------------------------------------------------------------------


def test_aggregator_update_traced_nan_gives_nan_not_a_vote():
    """Under jit a NaN cannot raise: the coordinate's update is NaN (visible), never a -1 vote."""
    g = jnp.array([[np.nan, 1.0, -1.0], [1.0, 1.0, -1.0], [1.0, 1.0, -1.0]])
    for tx in (jq.majority_vote(), jq.ghz_majority_vote(shots=3, key=KEY), jq.mean_aggregation()):
        upd, _ = jax.jit(tx.update)({"w": g}, tx.init({"w": jnp.zeros(3)}))
        assert np.isnan(upd["w"][0]) and np.all(np.isfinite(upd["w"][1:])), upd


def test_aggregator_checks_the_tree_given_to_init_inside_an_optax_chain():
    params = {"a": jnp.zeros((2, 3)), "b": jnp.zeros((3,))}
    tx = optax.chain(jq.majority_vote(), optax.sgd(0.1))
    state = tx.init(params)
    good = {"a": jnp.ones((5, 2, 3)), "b": -jnp.ones((5, 3))}
    upd, _ = tx.update(good, state, params)
    assert upd["a"].shape == (2, 3) and upd["b"].shape == (3,)
    np.testing.assert_array_equal(upd["b"], np.full(3, 0.1))  # sgd(0.1) of a -1 majority
    with pytest.raises(ValueError, match="leading worker axis"):
        tx.update({"a": jnp.ones((2, 3)), "b": jnp.ones((3,))}, state, params)
    with pytest.raises(ValueError, match="tree structure"):
        tx.update({"a": jnp.ones((5, 2, 3))}, state, params)


def _qfi_closed_form_log(p: float, n: int) -> float:
    """ln(N^2 (1 - 2p)^(2N)), SPEC [5.5], in float64 on the host (independent of the package)."""
    return 2 * math.log(n) + 2 * n * math.log1p(-2 * p)


def test_ghz_qfi_log_space_is_exact_where_the_value_leaves_the_float_range():
    n = 10_000  # one size, so one compiled sweep per variant
    for p in (0.01, 0.2):
        got = float(jq.ghz_qfi(jq.dephasing(p), n, log=True))
        assert got == pytest.approx(_qfi_closed_form_log(p, n), rel=1e-9)
    # 3.3e-168: in range for float64 (the suite runs with x64), returned as it is
    assert float(jq.ghz_qfi(jq.dephasing(0.01), n)) == pytest.approx(math.exp(_qfi_closed_form_log(0.01, n)), rel=1e-9)
    with pytest.raises(ValueError, match=r"Argument `log`: the QFI at this `n` is exp\(-1019\d"):
        jq.ghz_qfi(jq.dephasing(0.2), n)  # exp(-10198) underflows even float64: an error, not 0.0
    assert float(jq.ghz_qfi(jq.dephasing(0.5), 5)) == 0.0  # a true zero is returned as 0.0
    prof = np.asarray(jq.ghz_qfi_profile(jq.dephasing(0.01), 200, log=True))
    want = [_qfi_closed_form_log(0.01, k) for k in range(1, 201)]
    np.testing.assert_allclose(prof, want, rtol=1e-9)


def test_ghz_qfi_in_default_float32_never_returns_zero_for_a_positive_value(tmp_path):
    """The issue's example in a fresh process with the default float32 (x64 off)."""
    code = (
        "import jaxqring as jq\n"
        "print(float(jq.ghz_qfi(jq.dephasing(0.01), 10_000, log=True)))\n"
        "try:\n"
        "    print(float(jq.ghz_qfi(jq.dephasing(0.01), 10_000)))\n"
        "except ValueError as e:\n"
        "    print('ValueError', e)\n"
    )
    env = dict(os.environ, JAX_PLATFORMS="cpu", JAX_ENABLE_X64="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    lines = out.stdout.strip().splitlines()
    assert out.returncode == 0, out.stderr
    assert float(lines[0]) == pytest.approx(_qfi_closed_form_log(0.01, 10_000), rel=1e-5)
    assert lines[1].startswith("ValueError Argument `log`") and "float32" in lines[1]
    # the message states ln F and F = exp(ln F) ~ 3.32e-168 (the closed form), to float32 accuracy
    log_f = float(re.search(r"exp\((-?[0-9.]+)\)", lines[1]).group(1))
    assert log_f == pytest.approx(_qfi_closed_form_log(0.01, 10_000), rel=1e-5)


# ---------------------------------------------------------------------------------------------
# Former crashes
# ---------------------------------------------------------------------------------------------


def test_superdense_ring_accepts_legacy_and_typed_keys_alike():
    g = np.random.default_rng(3).normal(0, 0.2, (4, 12))
    for key in (jax.random.PRNGKey(1), jax.random.key(1)):
        r = jq.ring_allreduce(g, scheme="superdense", bits=16, epr=jq.werner(0.9), key=key)
        assert r.sum.shape == (4, 12) and np.all(np.isfinite(r.mean))
    legacy = jq.ring_allreduce(g, scheme="superdense", bits=16, epr=jq.werner(0.9), key=jax.random.PRNGKey(1))
    typed = jq.ring_allreduce(g, scheme="superdense", bits=16, epr=jq.werner(0.9),
                              key=jax.random.wrap_key_data(jax.random.PRNGKey(1)))
    np.testing.assert_array_equal(legacy.sum, typed.sum)  # the same key in two spellings


def test_a_mesh_with_any_axis_name_works():
    mesh = jax.sharding.Mesh(np.array(jax.devices()[:1]), ("workers",))
    a = jq.ring_allreduce(GRADS, bits=12, mesh=mesh)
    b = jq.ring_allreduce(GRADS, bits=12)
    np.testing.assert_array_equal(a.sum, b.sum)


def test_to_quimb_with_phases_matches_the_package():
    pytest.importorskip("quimb")
    phases = np.array([0.1, 0.2, 0.3, 0.4])
    q = jq.to_quimb(jq.ghz(4), phases=phases)
    psi = np.asarray(q.to_dense()).ravel()
    want = np.zeros(16, complex)
    want[0], want[15] = 1 / np.sqrt(2), np.exp(1j * phases.sum()) / np.sqrt(2)
    np.testing.assert_allclose(abs(np.vdot(want, psi)), 1.0, atol=1e-9)


def test_memory_estimate_uses_the_device_or_host_figure():
    avail = checks_module.available_memory_bytes()
    assert avail is None or avail > 0
    assert checks_module.format_bytes(1.5 * 2**30) == "1.5 GiB"
    checks_module.check_memory("n", 10, what="x", fix="y", available=100)  # fits: no error
    with pytest.raises(ValueError, match=r"Argument `n` asks for about 1.0 KiB for x, but only 100 B"):
        checks_module.check_memory("n", 1024, what="x", fix="y", available=100)


# ---------------------------------------------------------------------------------------------
# Workflow: results saved from the API, progress, learning rate, ledger, version, help
# ---------------------------------------------------------------------------------------------


def test_train_result_save_writes_metrics_figure_and_params(tmp_path, capsys):
    cfg = jq.TrainConfig(aggregator="majority", num_workers=3, steps=6, hidden=(4,))
    res = jq.train(cfg, progress=True)
    assert "train majority" in capsys.readouterr().err  # the library's own progress bar
    paths = res.save(tmp_path / "run")
    assert sorted(os.listdir(tmp_path / "run")) == ["curves.png", "metrics.csv", "metrics.json", "params.npz"]
    doc = json.loads(open(paths["json"]).read())
    assert doc["summary"]["steps"] == 6 and doc["config"]["aggregator"] == "majority"
    rows = open(paths["csv"]).read().splitlines()
    assert rows[0] == "step," + ",".join(T.METRICS) and len(rows) == 7
    with np.load(paths["params"]) as z:
        leaves = jax.tree_util.tree_leaves(res.params)
        assert all(np.array_equal(z[f"leaf_{i:02d}"], x) for i, x in enumerate(leaves))
    assert open(paths["plot"], "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_default_learning_rate_keeps_a_long_run_bounded():
    """The issue's symptom: 3000 signSGD steps at the old fixed 0.01 ended at test loss 2.0+."""
    assert jq.TrainConfig(aggregator="majority", steps=200).lr == 0.01
    assert jq.TrainConfig(aggregator="majority", steps=4000).lr == pytest.approx(0.001)
    assert jq.TrainConfig(aggregator="mean", steps=4000).lr == 1.0
    assert jq.TrainConfig(aggregator="majority", steps=4000, learning_rate=0.05).lr == 0.05
    res = jq.train(jq.TrainConfig(aggregator="majority", steps=3000, eval_every=100))
    loss = res.history["test_loss"][np.isfinite(res.history["test_loss"])]
    assert loss.shape == (30,)
    assert loss[-1] < 0.35 and loss[3:].max() < 2 * loss.min(), loss  # bounded, no late blow-up
    assert res.history["test_accuracy"][-1] > 0.9


def test_ring_ledger_summary_is_a_per_link_per_round_table():
    led = jq.ring_ledger(4, 10, bits=12, scheme="superdense")
    text = led.summary()
    lines = text.splitlines()
    assert "superdense" in lines[0] and "qubit" in lines[0]
    link_rows = [ln for ln in lines if ln.strip().startswith("link")]
    round_rows = [ln for ln in lines if ln.strip()[:1].isdigit()]
    assert len(link_rows) == 4 and len(round_rows) == 2 * 3
    # per-link numbers: online, set-up, lifetime, payload; independent count: chunks of 10 over
    # 4 nodes are 3, 3, 2, 2 coordinates, 12-bit words, 2 bits per qubit, both directions of a link
    online = [int(r.split()[4]) for r in link_rows]
    assert sum(online) == 2 * 3 * (12 * 10) // 2 and online == list(led.online_per_link)
    assert led.totals()["online_total"] == 360 and "360 EPR pairs" in lines[-1]
    big = jq.ring_ledger(40, 100, bits=12).summary(max_nodes=5)
    assert "35 more nodes not shown" in big


def test_version_and_every_seed_has_help(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out.strip() == f"jaxqring {jq.__version__}"
    from jaxqring.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, p in sub.choices.items():
        for action in p._actions:
            if action.dest == "seed":
                assert action.help and "default" in action.help, (name, action.help)
            if action.dest == "out" and name in ("demo", "train"):
                assert "default" in action.help, (name, action.help)


def test_allreduce_cli_writes_json_and_csv(tmp_path, capsys):
    out = tmp_path / "ar"
    assert main(["allreduce", "--nodes", "4", "--coords", "40", "--bits", "10", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Werner pairs" in text and "delta/2" in text  # the noisy rows are explained
    doc = json.loads((out / "allreduce.json").read_text())
    assert [r["scheme"] for r in doc["rows"]][:2] == ["classical ring", "superdense ring (F=1)"]
    assert doc["rows"][1]["online_per_link"] * 2 == doc["rows"][0]["online_per_link"]
    csv_rows = (out / "allreduce.csv").read_text().splitlines()
    assert csv_rows[0].startswith("scheme,unit,online_per_link") and len(csv_rows) == 1 + len(doc["rows"])


# ---------------------------------------------------------------------------------------------
# The demo tells the story
# ---------------------------------------------------------------------------------------------


def test_scheme_costs_follow_the_spec_formulas():
    n, p, m = 7, 2410, 189
    rows = {c.scheme: c for c in jq.training.scheme_costs(n, p, m)}
    assert rows["classical mean (float ring)"].online_bits == 2 * (n - 1) * p * 32
    # 32-bit words are whole symbols: the superdense ring halves the online carriers exactly
    sd = rows["superdense ring of the mean"]
    assert sd.online_qubits * 2 == rows["classical mean (float ring)"].online_bits == sd.setup_qubits * 2
    assert rows["classical majority"].online_bits == 2 * n * p == 33_740
    ghz = rows[f"GHZ majority (M={m})"]
    assert (ghz.online_bits, ghz.setup_qubits) == (n * p * m, (n - 1) * p * m) == (3_188_430, 2_732_940)
    b = math.ceil(math.log2(n + 1)) + 1  # SPEC C6: 2**(b-1) - 1 >= N
    chunks = [len(c) for c in np.array_split(np.arange(p), n)]
    assert rows["superdense ring of the signs"].online_qubits == 2 * (n - 1) * sum(-(-b * c // 2) for c in chunks)


def test_demo_reading_and_figure_from_real_runs(tmp_path, monkeypatch, capsys):
    from jaxqring.training import _report as R

    base = jq.TrainConfig(num_workers=3, steps=3, hidden=(4,), shots=5)
    results = {
        "classical mean": jq.train(T.dataclasses.replace(base, aggregator="mean")),
        "classical majority": jq.train(T.dataclasses.replace(base, aggregator="majority")),
        "GHZ majority": jq.train(T.dataclasses.replace(base, aggregator="ghz_majority")),
    }
    runs = tuple(R.DemoRun(k, "-", jq.training.summary(v), v.cost, 0.0) for k, v in results.items())
    num_p = results["classical mean"].num_params
    schemes = jq.training.scheme_costs(3, num_p, 5)
    res = R.DemoComparison(3, 3, 0, 5, 0.2, 0.5, runs, 0.0, "", "", num_p, schemes)
    reading = jq.training.demo_reading(res)
    text = " ".join(reading)
    ratio = schemes[4].total / schemes[2].total
    assert f"{ratio:,.0f} times" in text and "Bottom line" in reading[-1]
    assert "0.50 of the online carriers" in text  # the superdense ring of the mean
    acc = results["GHZ majority"].history["test_accuracy"][-1]
    assert f"{acc:.3f}" in reading[0]
    jq.training.plot_demo(results, schemes, tmp_path / "demo.png")
    assert (tmp_path / "demo.png").read_bytes()[:4] == b"\x89PNG"
    # the CLI only prints what the library computed: the table, the communication, the reading
    import jaxqring.cli.demo as demo_cli

    monkeypatch.setattr(demo_cli, "demo_comparison", lambda *a, **k: res._replace(reading=reading))
    assert main(["demo", "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "Communication per aggregation step" in text and "superdense ring of the mean *" in text
    assert f"{schemes[4].online_bits:,d}" in text and "What this shows:" in text
    assert text.index("Bottom line") > text.index("What this shows:") > text.index("GHZ majority (M=5)")
