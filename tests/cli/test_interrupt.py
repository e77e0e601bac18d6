"""Ctrl-C during ``jaxqring train``: a real SIGINT to a subprocess, a clean message with the
resume command, exit status 130, the last checkpoint intact; ``--resume`` then ends bitwise equal
(parameters and every metric) to an uninterrupted run. An interrupt while the outputs are
written loses nothing either: ``--resume`` writes them from the final checkpoint."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from jaxqring.cli import main
from jaxqring.training import _outputs as O
from jaxqring.training import _train as T

# signSGD majority vote: cheap steps, so the run is dominated by many small checkpointed chunks
ARGS = ["--workers", "3", "--aggregator", "majority", "--hidden", "8", "--steps", "600",
        "--checkpoint-every", "10", "--eval-every", "50", "--no-progress"]


def _cli(out, *extra):
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    cmd = [sys.executable, "-m", "jaxqring", "train", "--out", str(out), *ARGS, *extra]
    # A shell without job control starts background commands with SIGINT ignored, and children
    # inherit an ignored signal (Python then installs no KeyboardInterrupt handler). A user's
    # Ctrl-C reaches a foreground run, so the child must start with the default disposition
    # whatever launched pytest: a handler set here is reset to the default at exec. (No
    # preexec_fn: it forces a fork of this multithreaded JAX process.)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    finally:
        signal.signal(signal.SIGINT, previous)


def test_sigint_then_resume_is_bitwise_identical(tmp_path):
    stopped, ref = tmp_path / "stopped", tmp_path / "ref"
    proc, ref_proc = _cli(stopped), _cli(ref)
    ckpt = stopped / T.CHECKPOINT_NAME
    deadline = time.monotonic() + 240
    while not ckpt.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    # "interrupted after step S of 600; the last checkpoint (step C) is intact in PATH."
    line = next(ln for ln in err.splitlines() if "interrupted after step" in ln)
    step = int(line.split("interrupted after step ")[1].split()[0])
    saved = int(line.split("the last checkpoint (step ")[1].split(")")[0])
    assert 10 <= saved <= step < 600 and saved % 10 == 0
    assert not (stopped / "params.npz").exists()  # it really stopped before the end
    state, history, _ = T.read_checkpoint(str(ckpt), T.build(T.TrainConfig(
        aggregator="majority", num_workers=3, hidden=(8,), steps=600, eval_every=50).validated())[1])
    assert int(state.step) == saved and history["train_loss"].shape == (saved,)
    resume_line = next(ln for ln in err.splitlines() if ln.startswith("Resume with: "))
    resume_argv = shlex.split(resume_line[len("Resume with: "):])
    assert resume_argv[:2] == ["jaxqring", "train"] and resume_argv[-1] == "--resume"

    env = dict(os.environ, JAX_PLATFORMS="cpu")
    resumed = subprocess.run([sys.executable, "-m", "jaxqring", *resume_argv[1:]], env=env,
                             capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.startswith(f"resumed from step {saved}")
    ref_proc.communicate(timeout=300)
    assert ref_proc.returncode == 0
    with np.load(stopped / "params.npz") as a, np.load(ref / "params.npz") as b:
        assert a.files == b.files and all(np.array_equal(a[k], b[k]) for k in a.files)
    assert (stopped / "metrics.csv").read_text() == (ref / "metrics.csv").read_text()
    doc_a = json.loads((stopped / "metrics.json").read_text())
    doc_b = json.loads((ref / "metrics.json").read_text())
    assert doc_a["history"] == doc_b["history"] and doc_a["resumed_from"] == saved


def test_interrupt_while_writing_outputs_then_resume_writes_them(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    argv = ["train", "--out", str(out), "--workers", "3", "--aggregator", "majority", "--hidden", "4",
            "--steps", "12", "--no-progress"]
    real = O.save_figure
    monkeypatch.setattr(O, "save_figure", lambda fig, path: (_ for _ in ()).throw(KeyboardInterrupt))
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert "interrupted while writing the outputs" in err and "--resume" in err
    assert not (out / "curves.png").exists() and (out / T.CHECKPOINT_NAME).exists()
    monkeypatch.setattr(O, "save_figure", real)
    assert main([*argv, "--resume"]) == 0
    assert (out / "curves.png").read_bytes()[:4] == b"\x89PNG"
    doc = json.loads((out / "metrics.json").read_text())
    assert doc["resumed_from"] == 12 and len(doc["history"]["train_loss"]) == 12


def test_overwrite_replaces_an_old_run(tmp_path, capsys):
    out = tmp_path / "run"
    base = ["train", "--out", str(out), "--workers", "3", "--aggregator", "majority", "--hidden", "4", "--no-progress"]
    assert main([*base, "--steps", "4"]) == 0
    assert main([*base, "--steps", "6"]) == 2
    assert "already holds a run" in capsys.readouterr().err
    assert main([*base, "--steps", "6", "--overwrite"]) == 0
    doc = json.loads((out / "metrics.json").read_text())
    assert doc["config"]["steps"] == 6 and doc["resumed_from"] == 0


@pytest.mark.parametrize("when", ["first-chunk", "chunk"])
def test_library_interrupt_reports_the_last_checkpoint(tmp_path, when):
    cfg = T.TrainConfig(aggregator="majority", num_workers=3, steps=30, hidden=(4,))

    def stop(done, total, metrics):
        if when == "chunk" and done >= 20:
            raise KeyboardInterrupt

    if when == "first-chunk":
        with pytest.raises(T.TrainingInterrupted) as info:
            T.train(cfg, out_dir=tmp_path, checkpoint_every=10, callback=lambda *a: (_ for _ in ()).throw(KeyboardInterrupt))
        assert (info.value.step, info.value.checkpoint_step) == (10, 10)
    else:
        with pytest.raises(KeyboardInterrupt) as info:  # still a KeyboardInterrupt for callers
            T.train(cfg, out_dir=tmp_path, checkpoint_every=10, callback=stop)
        assert isinstance(info.value, T.TrainingInterrupted)
        assert (info.value.step, info.value.total, info.value.checkpoint_step) == (20, 30, 20)
        assert info.value.checkpoint_path == str(tmp_path / T.CHECKPOINT_NAME)
