"""optimise_parity_probe (moved from benchmarks/bench_fisher.py and the qfi_under_noise notebook)."""

import jax
import numpy as np
import pytest

import jaxqring as jq


def test_parity_optimiser_improves_and_respects_x_parity_bound():
    n, p = 4, 0.05
    eta = 1 - 2 * p
    init = jq.random_mps(jax.random.key(2), n, 2)
    r = jq.metrology.optimise_parity_probe(init, jq.dephasing(p), steps=40, learning_rate=0.05)
    assert r.curve.shape == (40,) and r.axes is None
    assert r.best_cfi > 2 * r.curve[0]
    # SPEC §5: an X-Y-plane parity readout has F_C <= ||w||_1^2 prod c_j^2 = N^2 eta^(2N)
    assert r.best_cfi <= n * n * eta ** (2 * n) * (1 + 1e-9)
    np.testing.assert_allclose(
        float(jq.parity_cfi(r.probe, r.theta, noise=jq.dephasing(p))), r.curve[-1], rtol=0.5
    )


def test_bad_input():
    init = jq.random_mps(jax.random.key(0), 3, 2)
    with pytest.raises(ValueError, match="steps"):
        jq.metrology.optimise_parity_probe(init, None, steps=0)
    with pytest.raises(ValueError, match="learning_rate"):
        jq.metrology.optimise_parity_probe(init, None, learning_rate=-1.0)
