"""`jaxqring security` command module: table, JSON and figure; bad input is a ValueError naming the argument."""

import argparse
import json

import pytest

import jaxqring.security as sec
from jaxqring.cli import security as cmd
from jaxqring.security import _report

SMALL_SET = ("honest", "phase flip Z_0", "substitute |+>^N")


@pytest.fixture(autouse=True)
def _few_attacks(monkeypatch):
    """Three of the default attacks keep this test fast (the full table is the same code path)."""
    full = sec.default_attacks()
    monkeypatch.setattr(_report, "default_attacks", lambda: {name: full[name] for name in SMALL_SET})


def _args(tmp_path, *extra):
    p = argparse.ArgumentParser()
    cmd.add_arguments(p)
    return p.parse_args(["--nodes", "4", "--tested", "5", "--samples", "200", "--max-k", "50", "--out", str(tmp_path), *extra])


def test_security_command_writes_table_and_files(tmp_path, capsys):
    assert cmd.run(_args(tmp_path, "--dephasing", "0.01")) == 0
    out = capsys.readouterr().out
    assert "phase flip Z_0" in out and "substitute |+>^N" in out
    doc = json.loads((tmp_path / "security.json").read_text())
    rows = {r["attack"]: r for r in doc["rows"]}
    assert rows["honest"]["leakage_before"] == pytest.approx(0.0, abs=1e-12)
    assert rows["substitute |+>^N"]["leakage_before"] > 0.1
    assert all(r["sampled_in_interval"] for r in doc["rows"])
    assert (tmp_path / "security.png").stat().st_size > 0


def test_security_command_bad_input(tmp_path):
    with pytest.raises(ValueError, match="`n`"):
        cmd.run(_args(tmp_path, "--nodes", "1"))
    with pytest.raises(ValueError, match="`p`"):
        cmd.run(_args(tmp_path, "--dephasing", "1.5"))
