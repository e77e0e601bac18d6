"""The README's Python examples run as written (in a temporary working directory)."""

import pathlib
import re

README = pathlib.Path(__file__).parent.parent / "README.md"


def test_readme_python_blocks_run(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert len(blocks) >= 5
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile("\n".join(blocks), str(README), "exec"), namespace)
    assert (tmp_path / "runs" / "ghz" / "checkpoint.npz").exists()
    assert namespace["res"].mean.shape == (100_000,)
    assert namespace["r"].mean.shape == (16, 100_000)
