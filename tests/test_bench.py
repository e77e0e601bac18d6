"""``jaxqring bench`` (issue 13, item 4): each cell runs in its own process, is checked against a
closed form, and is stopped at its cap; the report holds JSON, a markdown table and a figure.

Peers are optional (``pip install 'jaxqring[peers]'``): where one is not installed its cells
say so. stim is a test dependency and must report that it cannot run random phases.
"""

import json

import pytest

from jaxqring.bench import SIZES, bench_table, run_bench, run_cell


@pytest.mark.parametrize(("workload", "size"), [("W1", 64), ("W2", 100), ("W4", 8)])
def test_jaxqring_cells_pass_their_checks(workload, size):
    row = run_cell("jaxqring", workload, size, cap_s=300)
    assert row.get("ok") is True, row
    assert 0 < row["seconds"] <= row["cold_seconds"] + 1.0
    if workload in ("W1", "W2"):
        assert abs(row["z_score"]) <= 4  # parity mean within 4 standard errors of cos(Phi)


def test_cap_stops_a_cell_and_records_a_lower_bound():
    row = run_cell("jaxqring", "W1", 64, cap_s=0.2)  # spawning and importing JAX alone take longer
    assert row["timed_out"] is True and row["seconds_at_least"] == 0.2 and "seconds" not in row


def test_quick_report_with_peers(tmp_path):
    report = run_bench(tmp_path, quick=True, peers=True, workloads=("W3",), cap_s=300)
    sizes = SIZES["W3"]["quick"]
    ours = [c for c in report.cells if c["engine"] == "jaxqring"]
    assert [c["size"] for c in ours] == sizes and all(c["ok"] for c in ours)
    stim = [c for c in report.cells if c["engine"] == "stim"]
    assert stim and all("non-Clifford" in c["cannot"] for c in stim)
    doc = json.loads((tmp_path / "bench.json").read_text())
    assert len(doc["cells"]) == len(report.cells) and doc["quick"] is True
    table = (tmp_path / "bench.md").read_text()
    assert all(f"N = {n}" in table for n in sizes) and "fastest peer / jaxqring" in table
    assert (tmp_path / "bench.png").stat().st_size > 0


@pytest.mark.parametrize("engine", ["tensorcircuit-ng", "qiskit-aer"])
def test_peer_mps_cells_pass_the_same_check(engine):
    """A peer cell (only where the optional peer is installed) passes the parity check of W2."""
    pytest.importorskip({"tensorcircuit-ng": "tensorcircuit", "qiskit-aer": "qiskit_aer"}[engine],
                        reason=f"{engine} is an optional peer (pip install 'jaxqring[peers]')")
    row = run_cell(engine, "W2", 20, cap_s=300)
    assert row.get("ok") is True and abs(row["z_score"]) <= 4, row


def test_table_ratio_is_fastest_checked_peer_over_jaxqring():
    cells = [
        {"engine": "jaxqring", "workload": "W1", "size": 64, "seconds": 0.01, "ok": True},
        {"engine": "qiskit-aer", "workload": "W1", "size": 64, "seconds": 2.0, "ok": True},
        {"engine": "quimb", "workload": "W1", "size": 64, "seconds": 1.0, "ok": False},  # failed check: ignored
        {"engine": "jaxqring", "workload": "W1", "size": 1024, "seconds": 0.1, "ok": True},
        {"engine": "qiskit-aer", "workload": "W1", "size": 1024, "timed_out": True, "seconds_at_least": 90.0},
    ]
    table = bench_table(cells)
    assert "200x (qiskit-aer)" in table and "> 900x (all peers capped)" in table and "CHECK FAILED" in table


def test_bad_arguments():
    with pytest.raises(ValueError, match="workloads"):
        run_bench("unused", workloads=("W9",))
    with pytest.raises(ValueError, match="cap_s"):
        run_bench("unused", cap_s=0)
