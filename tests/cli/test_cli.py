"""CLI surface: help text and error reporting."""

import subprocess
import sys

from jaxqring import cli


def test_help_lists_commands(capsys):
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    for name in cli.COMMANDS:
        assert name in out


def test_module_entry_point_help():
    res = subprocess.run([sys.executable, "-m", "jaxqring", "--help"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0
    assert "demo" in res.stdout
