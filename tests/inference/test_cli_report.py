"""The `jaxqring inference` command module: tables printed, JSON + figures written, bad input named."""

import argparse
import json

import pytest

from jaxqring.cli import inference as cmd


def _args(argv):
    p = argparse.ArgumentParser()
    cmd.add_arguments(p)
    return p.parse_args(argv)


def test_vsp_and_margin_commands_write_files(tmp_path, capsys):
    assert cmd.run(_args(["vsp", "--n-max", "6", "--out", str(tmp_path)])) == 0
    out = capsys.readouterr().out
    assert "2/2 instances decided correctly" in out and "16777216" in out
    doc = json.loads((tmp_path / "vsp.json").read_text())
    assert [m["n"] for m in doc["measured"]] == [4, 6] and (tmp_path / "vsp.png").stat().st_size > 0
    assert cmd.run(_args(["margin", "--dims", "32", "--gammas", "1,0.3", "--instances", "20", "--out", str(tmp_path)])) == 0
    doc = json.loads((tmp_path / "margin.json").read_text())
    assert [r["gamma"] for r in doc["rows"]] == [1.0, 0.3]
    assert doc["rows"][1]["quantum_cost"]["online_qubits"] == doc["rows"][1]["quantum_qubits"]


def test_bad_gamma_is_a_named_value_error(tmp_path):
    with pytest.raises(ValueError, match="`gamma` must lie in"):
        cmd.run(_args(["margin", "--gammas", "0", "--out", str(tmp_path)]))
    with pytest.raises(ValueError, match="`--gammas`"):
        cmd.run(_args(["margin", "--gammas", "a,b", "--out", str(tmp_path)]))
