"""``jaxqring allreduce``: the comparison table of the ring schemes and the GHZ aggregate.

Oracles: per-link counts from tests/oracles/ring.py (SPEC [1.2], [2.6]) and the [1.4] error
bound delta/2 of the quantiser (tests/oracles/quantiser.py).
"""

from jaxqring import cli

from ..oracles import ring as R
from ..oracles.quantiser import q_max


def test_cli_allreduce_table(capsys):
    assert cli.main(["allreduce", "--nodes", "4", "--coords", "64", "--bits", "8", "--fidelity", "0.9"]) == 0
    out = capsys.readouterr().out
    # columns after the 26-character label: unit, online/link, setup/link, rounds, max|err|, ...
    lines = [line for line in out.splitlines() if " ring" in line or "GHZ agg" in line]
    rows = {line[:26].strip(): line[26:].split() for line in lines}
    led = R.ledger(4, 64, 8)
    assert rows["classical ring"][:4] == ["bit", str(led["classical_bits"].max()), "0", "6"]
    half = str(led["online_qubits"].max())
    assert rows["superdense ring (F=1)"][:4] == ["qubit", half, half, "6"]
    assert rows["superdense ring (F=0.9)"][:4] == ["qubit", half, half, "6"]
    delta = 1.0 / q_max(8, 4)
    assert float(rows["classical ring"][4]) <= delta / 2  # noiseless error within [1.4]
    assert float(rows["superdense ring (F=1)"][4]) == float(rows["classical ring"][4])
    assert "GHZ aggregation" in rows


def test_cli_allreduce_bad_fidelity(capsys):
    assert cli.main(["allreduce", "--nodes", "4", "--coords", "8", "--fidelity", "0.1"]) == 2
    assert "Argument `fidelity`" in capsys.readouterr().err
