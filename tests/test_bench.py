"""``jaxqring bench`` (issue 13, item 4): each cell runs in its own process, is checked against a
closed form, and is stopped at its cap; the report holds JSON, a markdown table and a figure.

Peers are optional for users (``pip install 'jaxqring[peers]'``: where one is not installed its
cells say so); the test extra installs Qiskit-Aer and tensorcircuit-ng so that their cells and the
Qiskit GapIP circuit (an oracle independent of jaxqring's kernels) are checked on every run. stim
is a test dependency and must report that it cannot run random phases. tensorcircuit is never
imported in the test process: its import turns jax_enable_x64 off (its cells run in their own
processes).
"""

import json
import math

import numpy as np
import pytest

from jaxqring import conflict
from jaxqring.bench import SIZES, bench_table, run_bench, run_cell
from jaxqring.bench._cells import (
    W4_CHECK_RUNS,
    W4_OVERLAP,
    W4_ROUNDS,
    applicability,
    w4_outcome_check,
)

from .helpers import ALPHA, accept_pvalue, chi2_gof_pvalue
from .oracles.conflict import augment as augment_oracle


@pytest.mark.parametrize(("workload", "size"), [("W1", 64), ("W2", 100), ("W4", 8)])
def test_jaxqring_cells_pass_their_checks(workload, size):
    row = run_cell("jaxqring", workload, size, cap_s=300)
    assert row.get("ok") is True, row
    assert 0 < row["seconds"] <= row["cold_seconds"] + 1.0
    # The device the cell ran on (this suite: the CPU, whose memory is the process's RSS).
    assert row["backend"] == "cpu" and row["num_devices"] >= 1 and "device_peak_gib" not in row
    if workload in ("W1", "W2"):
        assert abs(row["z_score"]) <= 4  # parity mean within 4 standard errors of cos(Phi)
    else:  # W4: the in-peak test of 33 further runs (false-failure rate 1e-6)
        assert row["runs"] == W4_CHECK_RUNS and row["p_value"] > 1e-6 and 0 <= row["outcome"] < 2**W4_ROUNDS


def test_cap_stops_a_cell_and_records_a_lower_bound():
    row = run_cell("jaxqring", "W1", 64, cap_s=0.2)  # spawning and importing JAX alone take longer
    assert row["timed_out"] is True and row["seconds_at_least"] == 0.2 and "seconds" not in row


def test_quick_report_with_peers(tmp_path):
    # A 25 s cap: QuTiP PIQS at N = 128 is stopped there (a lower bound, as in the real report).
    report = run_bench(tmp_path, quick=True, peers=True, workloads=("W3",), cap_s=25)
    sizes = SIZES["W3"]["quick"]
    ours = [c for c in report.cells if c["engine"] == "jaxqring"]
    assert [c["size"] for c in ours] == sizes and all(c["ok"] for c in ours)
    stim = [c for c in report.cells if c["engine"] == "stim"]
    assert stim and all("non-Clifford" in c["cannot"] for c in stim)
    doc = json.loads((tmp_path / "bench.json").read_text())
    assert len(doc["cells"]) == len(report.cells) and doc["quick"] is True
    table = (tmp_path / "bench.md").read_text()
    assert all(f"N = {n}" in table for n in sizes) and "fastest peer / jaxqring" in table
    assert doc["jaxqring_device"].startswith("cpu: ") and "jaxqring ran on cpu: " in table
    assert (tmp_path / "bench.png").stat().st_size > 0


@pytest.mark.parametrize("engine", ["tensorcircuit-ng", "qiskit-aer"])
def test_peer_mps_cells_pass_the_same_check(engine):
    """A peer cell passes the parity check of W2."""
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


def test_an_engine_that_reaches_the_cap_skips_its_larger_sizes(tmp_path, monkeypatch):
    """After a timeout, the same engine's larger sizes of that workload are lower bounds, not runs;
    other engines and workloads still run; ``skip_after_cap=False`` runs every cell."""
    from jaxqring.bench import _suite

    started = []

    def fake_cell(engine, workload, size, *, seed=0, cap_s=120.0):
        started.append((engine, workload, size))
        row = {"engine": engine, "workload": workload, "size": size}
        if engine == "quimb" and size >= 256:  # quimb reaches the cap from N = 256 on
            return row | {"timed_out": True, "seconds_at_least": cap_s}
        return row | {"seconds": 1e-3 * size, "ok": True}

    monkeypatch.setattr(_suite, "run_cell", fake_cell)
    monkeypatch.setattr(_suite, "installed", lambda engine: engine in ("jaxqring", "quimb"))
    sizes = SIZES["W1"]["full"]
    report = run_bench(tmp_path, peers=True, workloads=("W1",), cap_s=7)
    quimb = {c["size"]: c for c in report.cells if c["engine"] == "quimb"}
    assert [s for e, w, s in started if e == "quimb"] == [64, 256]
    assert [s for e, w, s in started if e == "jaxqring"] == sizes
    for size in sizes[2:]:
        assert quimb[size] == {"engine": "quimb", "workload": "W1", "size": size,
                               "seconds_at_least": 7.0, "skipped_after_cap": 256}
    table = (tmp_path / "bench.md").read_text()
    assert "> 7 s (not run: cap at N = 256)" in table
    assert f"> {7 / (1e-3 * sizes[-1]):.3g}x (all peers capped)" in table  # the skipped bound counts
    started.clear()
    run_bench(tmp_path, peers=True, workloads=("W1",), cap_s=7, skip_after_cap=False)
    assert [s for e, w, s in started if e == "quimb"] == sizes


def test_every_engine_is_timed_by_one_rule(monkeypatch):
    """Cold first call, then the best of repeats within the warm budget; jaxqring's compiling
    first call is left out of the best; a peer call as long as the budget is timed once."""
    from jaxqring.bench import _cells

    def scripted(durations):
        it = iter(durations)

        def fake_timed(fn):
            return next(it), fn()

        return fake_timed

    monkeypatch.setattr(_cells, "WARM_BUDGET_S", 1.0)
    # a peer: 0.3 s first call, then 0.1 s calls until 1 s is spent (0.3 + 7 x 0.1)
    monkeypatch.setattr(_cells, "_timed", scripted([0.3] + [0.1] * 20))
    row, out = _cells._measure(lambda: "x")
    assert out == "x" and row == {"seconds": 0.1, "cold_seconds": 0.3, "calls": 9}
    # a peer whose first call is faster than its repeats: the best is the first call
    monkeypatch.setattr(_cells, "_timed", scripted([0.2, 0.5, 0.5]))
    assert _cells._measure(lambda: None)[0] == {"seconds": 0.2, "cold_seconds": 0.2, "calls": 3}
    # a slow peer: one call
    monkeypatch.setattr(_cells, "_timed", scripted([5.0]))
    assert _cells._measure(lambda: None)[0] == {"seconds": 5.0, "cold_seconds": 5.0, "calls": 1}
    # jaxqring: at least two warm calls even when slow; the compiling first call counts in neither
    # the best nor the budget (a 5 s compilation still leaves 1 s of warm calls: 1 + 8 x 0.125 s)
    monkeypatch.setattr(_cells, "_timed", scripted([0.05, 3.0, 2.0]))
    assert _cells._measure(lambda: None, compiles=True)[0] == {"seconds": 2.0, "cold_seconds": 0.05, "calls": 3}
    monkeypatch.setattr(_cells, "_timed", scripted([5.0] + [0.125] * 20))
    assert _cells._measure(lambda: None, compiles=True)[0] == {"seconds": 0.125, "cold_seconds": 5.0, "calls": 9}
    # the call limit holds when calls are fast
    monkeypatch.setattr(_cells, "_timed", scripted([1e-4] * (_cells.WARM_MAX_CALLS + 5)))
    assert _cells._measure(lambda: None)[0]["calls"] == _cells.WARM_MAX_CALLS


def test_bad_arguments():
    with pytest.raises(ValueError, match="workloads"):
        run_bench("unused", workloads=("W9",))
    with pytest.raises(ValueError, match="cap_s"):
        run_bench("unused", cap_s=0)


# ------------------------------------------------------------------------------------- W4 check


def _iterative_qpe_law_numpy(c_prime, num_rounds, feedback=True, sign=1.0):
    """Outcome law of t-round iterative QPE of sign * G on |v>, G the rotation by 2 alpha on
    span{u, v} (SPEC [8.3]), LSB first; ``feedback=False`` drops the §4 feedback phase. A numpy
    re-derivation for the alternatives the W4 check must reject."""
    a = math.acos(c_prime)
    g = sign * np.array([[math.cos(2 * a), -math.sin(2 * a)], [math.sin(2 * a), math.cos(2 * a)]])
    branches = {0: np.array([1.0, 0.0], complex)}
    for r in range(num_rounds):
        gm = np.linalg.matrix_power(g, 2 ** (num_rounds - 1 - r))
        new = {}
        for low, psi in branches.items():
            omega = -2 * math.pi * low / 2 ** (r + 1) if feedback else 0.0
            rotated = np.exp(1j * omega) * (gm @ psi)
            new[low], new[low + 2**r] = (psi + rotated) / 2, (psi - rotated) / 2
        branches = new
    return np.array([np.vdot(branches[y], branches[y]).real for y in range(2**num_rounds)])


def test_w4_check_accepts_the_law_and_rejects_wrong_engines():
    law = np.asarray(conflict.gapip_law(W4_OVERLAP, W4_ROUNDS))
    c_prime = (1 + W4_OVERLAP) / 2
    # the numpy model reproduces the law, so its variants below are the right alternatives
    np.testing.assert_allclose(_iterative_qpe_law_numpy(c_prime, W4_ROUNDS), law, atol=1e-12)
    rng = np.random.default_rng(11)
    good = w4_outcome_check(rng.choice(law.size, W4_CHECK_RUNS, p=law), law)
    assert good["ok"] and accept_pvalue(good["p_value"]), good
    assert good["peak_outcomes"] == [17, 18, 46, 47] and abs(good["peak_mass"] - 0.8235) < 1e-4
    wrong = {
        "overlap sign": np.asarray(conflict.gapip_law(-W4_OVERLAP, W4_ROUNDS)),
        "-R_u R_v convention": _iterative_qpe_law_numpy(c_prime, W4_ROUNDS, sign=-1.0),
        "no feedback phase": _iterative_qpe_law_numpy(c_prime, W4_ROUNDS, feedback=False),
    }
    for name, alt in wrong.items():
        alt = alt / alt.sum()
        # in-peak mass of the wrong law <= 0.15: rejected (<= 14 of 33) with probability > 1 - 1e-5
        row = w4_outcome_check(rng.choice(law.size, W4_CHECK_RUNS, p=alt), law)
        assert not row["ok"] and row["in_peak"] <= 14, (name, row)
    with pytest.raises(ValueError, match="outcomes"):
        w4_outcome_check([64], law)


@pytest.mark.parametrize(("overlap", "num_rounds", "num_coords"), [(0.3, 6, 8), (-0.55, 5, 5)])
def test_qiskit_gapip_circuit_has_the_gapip_law(overlap, num_rounds, num_coords):
    """The Qiskit circuit (built from u, v alone) sampled with many shots against SPEC [8.4]."""
    from qiskit_aer import AerSimulator

    from jaxqring.bench._cells import qiskit_gapip_circuit

    rng = np.random.default_rng(5)
    g = rng.normal(size=num_coords)
    g /= np.linalg.norm(g)
    w = rng.normal(size=num_coords)
    w -= (g @ w) * g
    w /= np.linalg.norm(w)
    h = overlap * g + math.sqrt(1 - overlap**2) * w
    u, v = augment_oracle(g), augment_oracle(h)  # SPEC A11, numpy only
    qc = qiskit_gapip_circuit(u, v, num_rounds)
    assert qc.num_qubits == int(math.log2(u.size)) + 1 and qc.num_clbits == num_rounds
    shots = 3000
    counts = AerSimulator(method="statevector").run(qc, shots=shots, seed_simulator=3).result().get_counts()
    observed = np.zeros(2**num_rounds)
    for bits, c in counts.items():
        observed[int(bits, 2)] += c
    assert observed.sum() == shots
    law = np.asarray(conflict.gapip_law(float(g @ h), num_rounds))
    assert chi2_gof_pvalue(observed, law) > ALPHA
    # the same counts are far from the law of the opposite overlap (the test can fail)
    assert chi2_gof_pvalue(observed, np.asarray(conflict.gapip_law(-float(g @ h), num_rounds))) < ALPHA


def test_qiskit_w4_cell_passes_its_check():
    row = run_cell("qiskit-aer", "W4", 4, cap_s=300)
    assert row.get("ok") is True, row
    assert row["runs"] == W4_CHECK_RUNS and row["num_qubits"] == 4 + 2 and 0 <= row["outcome"] < 2**W4_ROUNDS
    assert 0 < row["seconds"] <= row["cold_seconds"]


def test_quimb_w3_cell_matches_the_closed_form():
    row = run_cell("quimb", "W3", 6, cap_s=300)
    assert row.get("ok") is True, row
    phases = np.random.default_rng(0).uniform(0.0, 2 * math.pi, 6)  # the cell's phases for seed 0
    expected = (1 - 2 * 0.01) ** 6 * math.cos(phases.sum())  # SPEC [3.8]
    assert abs(row["value"] - expected) <= 1e-8 * abs(expected)


def test_w4_and_w3_applicability():
    assert applicability("qiskit-aer", "W4", 10) is None
    assert "cannot" in applicability("qiskit-aer", "W4", 22)
    assert applicability("quimb", "W3", 12) is None
    assert "4^N" in applicability("quimb", "W3", 13)["cannot"]
    for engine in ("quimb", "qutip", "tensorcircuit-ng"):
        assert "not_implemented" in applicability(engine, "W4", 10)
    assert "non-Clifford" in applicability("stim", "W4", 10)["cannot"]
