"""`jaxqring reproduce`: the registry of claims, the quick run, resume, determinism, the CLI."""

from __future__ import annotations

import ast
import json
import os
import pathlib

import pytest

import jaxqring as jq
from jaxqring.cli import main
from jaxqring.studies import _claims

CHEAP = ["ring_per_link_volume", "theorem1_ghz_optimal"]


@pytest.fixture(scope="module")
def quick_run(quick_claims_dir):
    """The whole registry at --quick sizes (the brief: < 3 minutes on 2 cores), measured once per
    session by the ``quick_claims_dir`` fixture; the report is written from those measurements."""
    return jq.studies.reproduce(quick_claims_dir, quick=True)


def test_every_claim_has_spec_reference_statement_and_public_api_study():
    names = [c.name for c in jq.studies.CLAIMS]
    assert len(names) == len(set(names))
    public = set(jq.__all__)
    for sub in ("allreduce", "metrology", "training", "studies", "interop"):
        public |= set(getattr(jq, sub).__all__)
    tree = ast.parse(pathlib.Path(_claims.__file__).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            for alias in node.names:
                assert alias.name in public, f"_claims imports the non-public name {alias.name}"
    for c in jq.studies.CLAIMS:
        assert c.spec.startswith("SPEC ") and any(ch in c.spec for ch in "[§"), c.name
        assert c.statement and c.source and c.group
        assert c.measure.__module__.startswith("jaxqring.studies")


def test_quick_run_gives_every_claim_a_value_verdict_and_figure(quick_run):
    assert [r.claim.name for r in quick_run.records] == [c.name for c in jq.studies.CLAIMS]
    doc = json.loads(pathlib.Path(quick_run.json_path).read_text())
    for r, d in zip(quick_run.records, doc["claims"]):
        assert d["verdict"] in ("holds", "holds under conditions", "fails")
        assert isinstance(d["value"], float) and d["conditions"]
        png = pathlib.Path(r.figure_path)
        assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = pathlib.Path(quick_run.report_path).read_text()
    assert report.count("## ") == len(quick_run.records)
    assert "| claim | measured | paper | verdict |" in report


def test_interrupted_run_resumes_without_recomputing(tmp_path):
    calls = []

    def stop_at_second(done, total, name):
        calls.append(name)
        if done == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        jq.studies.reproduce(tmp_path, quick=True, only=CHEAP, on_claim=stop_at_second)
    first = tmp_path / "claims" / f"{CHEAP[0]}.json"
    assert first.exists() and not (tmp_path / "claims" / f"{CHEAP[1]}.json").exists()
    before = first.read_bytes()
    rep = jq.studies.reproduce(tmp_path, quick=True, only=CHEAP)
    assert [r.resumed for r in rep.records] == [True, False]
    assert first.read_bytes() == before
    again = jq.studies.reproduce(tmp_path, quick=True, only=CHEAP)
    assert all(r.resumed for r in again.records)


def test_same_seed_same_numbers_and_other_flags_recompute(tmp_path):
    a = jq.studies.reproduce(tmp_path / "a", quick=True, only=CHEAP, seed=3)
    b = jq.studies.reproduce(tmp_path / "b", quick=True, only=CHEAP, seed=3)
    assert pathlib.Path(a.json_path).read_text() == pathlib.Path(b.json_path).read_text()
    assert pathlib.Path(a.report_path).read_text() == pathlib.Path(b.report_path).read_text()
    c = jq.studies.reproduce(tmp_path / "a", quick=True, only=CHEAP, seed=4)  # another seed: recomputed
    assert not any(r.resumed for r in c.records)


def test_bad_input(tmp_path):
    with pytest.raises(ValueError, match="`only`"):
        jq.studies.reproduce(tmp_path, only=["no_such_claim"])
    with pytest.raises(ValueError, match="`seed`"):
        jq.studies.reproduce(tmp_path, seed=-1)
    with pytest.raises(ValueError, match="`quick`"):
        jq.studies.reproduce(tmp_path, quick="yes")
    with pytest.raises(ValueError, match="`verdict`"):
        jq.studies.ClaimResult(1.0, 0.0, "x", "y", "probably", "z", {})


def test_cli_resumes_and_prints_the_verdicts(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["reproduce", "--quick", "--only", CHEAP[0], "--out", str(out), "--no-progress"]) == 0
    first = capsys.readouterr().out
    assert CHEAP[0] in first and "REPORT.md" in first
    assert main(["reproduce", "--quick", "--only", CHEAP[0], "--out", str(out), "--no-progress"]) == 0
    assert "(resumed)" in capsys.readouterr().out
    assert os.path.exists(out / "figures" / f"{CHEAP[0]}.png")
