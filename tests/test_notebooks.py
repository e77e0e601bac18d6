"""Execute every notebook in notebooks/ at small sizes so they cannot rot.

Convention: a notebook reads ``JAXQRING_NOTEBOOK_SMALL`` (set to "1" here) and shrinks its
sizes accordingly; it writes figures with matplotlib's Agg backend. Its registry section reads
its claims from ``JAXQRING_CLAIMS_DIR``, here the session's quick measurements.
"""

import pathlib

import nbclient
import nbformat
import pytest

NOTEBOOKS = sorted((pathlib.Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(path, tmp_path, monkeypatch, quick_claims_dir):
    monkeypatch.setenv("JAXQRING_NOTEBOOK_SMALL", "1")
    # The registry's claims at quick sizes, measured once for the session (conftest).
    monkeypatch.setenv("JAXQRING_CLAIMS_DIR", str(quick_claims_dir))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]
    assert not errors


def test_every_claim_of_the_registry_is_shown_by_one_notebook():
    """Issue 15: the notebooks follow the registry; each claim appears in exactly one of them,
    measured through ``jq.studies.measure_claims`` (the functions ``jaxqring reproduce`` runs)."""
    import ast

    import jaxqring as jq

    shown = {}
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code" or "CLAIMS_OF_THIS_NOTEBOOK =" not in cell.source:
                continue
            assert "jq.studies.measure_claims(" in cell.source, path.name
            line = next(ln for ln in cell.source.splitlines() if ln.startswith("CLAIMS_OF_THIS_NOTEBOOK ="))
            for name in ast.literal_eval(line.split("=", 1)[1].strip()):
                assert name not in shown, (name, shown.get(name), path.name)
                shown[name] = path.name
    assert sorted(shown) == sorted(c.name for c in jq.studies.CLAIMS)
