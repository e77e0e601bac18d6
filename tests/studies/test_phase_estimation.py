"""Phase-estimation studies: dephasing failure thresholds and Heisenberg scaling (SPEC [4.3], [4.4], A6).

Oracles: the exact binomial failure law of tests/oracles/kitaev.py (never the package's own),
Cramer-Rao values and the [4.2] grid bound 8/pi^2.
"""

import numpy as np
import pytest

import jaxqring as jq

from ..helpers import binomial_interval
from ..oracles.kitaev import failure_probability, max_nodes_dephasing


def test_dephasing_study_and_threshold(key):
    study = jq.dephasing_failure_study(
        key, dephasing=(0.01, 0.03), num_nodes=(4, 16), bits=6, shots_per_round=3,
        num_coords=3000, target=0.05,
    )
    for a in range(2):
        for b in range(2):
            lo, hi = binomial_interval(3000, study.predicted[a, b])
            assert lo <= study.measured[a, b] * 3000 <= hi
    mpo = jq.dephasing_failure_study(
        key, dephasing=(0.01, 0.03), num_nodes=(16,), bits=6, shots_per_round=3,
        num_coords=3000, target=0.05, method="mps",
    )
    # same key, and laws equal to rounding: the MPO path reproduces the closed form's draws
    np.testing.assert_array_equal(mpo.measured[:, 0], study.measured[:, 1])
    for a, p in enumerate(study.dephasing):
        for b, n in enumerate(study.num_nodes):
            assert study.predicted[a, b] == pytest.approx(failure_probability(3, 6, (1 - 2 * p) ** n), rel=1e-10)
    np.testing.assert_array_equal(
        study.max_nodes, [max_nodes_dephasing(0.05, p, bits=6, shots=3) for p in study.dephasing]
    )


@pytest.mark.parametrize("p,n_max", [(0.001, 54), (0.002, 27), (0.005, 10), (0.01, 5), (0.02, 2)])
def test_readme_dephasing_thresholds(p, n_max):
    """README: with M = 5 shots per round and b = 8 the aggregate is wrong more often than 1 in
    100 beyond N = 54, 27, 10, 5, 2 nodes for p = 0.001 ... 0.02. Oracle: the exact binomial law."""
    assert max_nodes_dephasing(1e-2, p, bits=8, shots=5) == n_max
    assert failure_probability(5, 8, (1 - 2 * p) ** n_max) <= 1e-2 < failure_probability(5, 8, (1 - 2 * p) ** (n_max + 1))
    assert jq.max_nodes_for_failure(1e-2, dephasing=p, bits=8, shots_per_round=5) == n_max


def test_heisenberg_scaling_slopes(key):
    """Fitted log-log slopes: GHZ -1 (vs N), product -1/2 (vs N), Kitaev -1 (vs Q)."""
    s = jq.heisenberg_study(key, num_nodes=(2, 4, 8, 16, 32, 64), copies=256, repeats=4000,
                            kitaev_rounds=(3, 4, 5, 6, 7, 8, 9), kitaev_nodes=8)
    assert s.ghz_slope == pytest.approx(-1.0, abs=0.1)
    assert s.product_slope == pytest.approx(-0.5, abs=0.1)
    assert s.kitaev_slope == pytest.approx(-1.0, abs=0.1)
    # Cramer-Rao at the working point: 1/(N sqrt(nu)) and 1/sqrt(N nu) (SPEC [4.4]).
    np.testing.assert_allclose(s.ghz_error, 1 / (s.num_nodes * np.sqrt(256)), rtol=0.1)
    np.testing.assert_allclose(s.product_error, 1 / np.sqrt(s.num_nodes * 256), rtol=0.1)
    # [4.2]: within one grid step with probability >= 8/pi^2 (lower binomial bound).
    lo, _ = binomial_interval(4000, 8 / np.pi**2)
    assert np.all(s.kitaev_within_grid * 4000 >= lo)
    np.testing.assert_array_equal(s.kitaev_phase_applications, 2 ** s.kitaev_rounds - 1)
    np.testing.assert_array_equal(s.kitaev_copies, s.kitaev_rounds)
