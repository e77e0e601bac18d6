"""The API reference (docs/mkdocs.yml: mkdocs + mkdocstrings) builds from the docstrings with
warnings as errors: a broken cross-reference, an unparsable docstring section or a missing
page fails the suite. Needs the ``docs`` extra (skipped without it)."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).parent.parent


def test_api_reference_builds_with_warnings_as_errors(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    pytest.importorskip("mkdocstrings_handlers.python")
    site = tmp_path / "site"
    out = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "docs" / "mkdocs.yml"), "-d", str(site)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert out.returncode == 0, out.stderr[-4000:]
    pages = {p.parent.name for p in site.glob("*/index.html")}
    assert {"core", "allreduce", "metrology", "security", "conflict", "inference", "training", "studies", "interop"} <= pages
    training = (site / "training" / "index.html").read_text()
    for name in ("ghz_majority_vote", "TrainResult", "prepare_run_dir", "demo_reading"):
        assert name in training, name
