"""Entanglement supply: exact Markov chain vs Monte Carlo vs closed forms; wall-clock; the EPR hook.

Independent references used here:
* replace-oldest memory without purification: the good pairs after n steps are
  min(C, Binomial(m min(n, w), p)) (the freshest pairs are kept, w = number of good ages);
* the per-step arrival law with purification at heralding, rebuilt with scipy.stats.binom;
* the ring ledger (SPEC [2.6]) for the pairs one all-reduce consumes;
* hand-computed round times for the classical and superdense rings.
Statistical comparisons use chi-square goodness of fit at ALPHA = 1e-6 with fixed keys.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jaxqring.kernels.comm import supply as KS
from scipy import stats

import jaxqring as jq
from jaxqring.allreduce import _purification as P
from jaxqring.allreduce import _supply as S
from jaxqring.allreduce import _wallclock as W

from ..helpers import ALPHA, chi2_gof_pvalue


def small_link(**kw):
    args = {"attempt_rate": 400.0, "herald_probability": 0.3, "capacity": 3, "fidelity": 0.97, "dephasing_rate": 2.0}
    args.update(kw)
    return S.link_model(**args)


DT, F_MIN = 0.01, 0.9  # 4 attempts per step; ages 0..3 steps are good for the default link
# One Monte Carlo configuration shared by the tests below: the kernel compiles once per shape
# (links, trials, steps, age buckets, purification rounds), and compiling the binomial sampler
# dominates the run time of this file.
MC = {"dt": DT, "steps": 9, "min_fidelity": F_MIN, "trials": 20_000}


def two_links(**kw):
    return small_link(num_links=2, herald_probability=[0.3, 0.6], **kw)


def test_link_model_ageing_closed_form():
    link = small_link(depolarizing_rate=0.5, num_links=2)
    t = np.array([0.0, 0.01, 0.05, 0.2])
    f = np.asarray(link.aged_fidelity(t))
    closed = 0.25 + (0.97 - 0.25) * np.exp(-2 * 0.5 * t) * (1 + 2 * np.exp(-2 * 2.0 * t)) / 3
    np.testing.assert_allclose(f, np.broadcast_to(closed[:, None], (4, 2)), atol=1e-14)
    assert link.num_links == 2 and link.capacity.dtype == jnp.int32


def test_link_model_is_a_pytree():
    link = small_link(num_links=3)
    leaves = jax.tree_util.tree_leaves(link)
    assert len(leaves) == 7
    doubled = jax.tree_util.tree_map(lambda a: a * 2, link)
    assert float(doubled.attempt_rate[0]) == 800.0


@pytest.mark.parametrize("policy", ["replace_oldest", "drop_new"])
@pytest.mark.parametrize("purify", [None, "dejmps:1"])
def test_exact_chain_matches_monte_carlo(policy, purify, key):
    link = two_links()
    exact = S.supply(link, method="exact", dt=DT, steps=9, min_fidelity=F_MIN, policy=policy, purify=purify)
    mc = S.supply(link, key=key, policy=policy, purify=purify, **MC)
    assert exact.good_law.shape == (9, 2, 4)
    np.testing.assert_allclose(np.asarray(exact.good_law.sum(-1)), 1.0, atol=1e-12)
    good = np.asarray(mc.good)
    for step in (0, 2, 5, 8):
        for l in range(2):
            counts = np.bincount(good[step, :, l], minlength=4)
            assert chi2_gof_pvalue(counts, np.asarray(exact.good_law[step, l])) > ALPHA
    # expected final age histogram: Monte Carlo mean within 6 standard errors of the exact one
    sd = np.asarray(mc.counts).std(axis=0) / math.sqrt(20_000) + 1e-9
    assert np.all(np.abs(np.asarray(mc.mean_counts) - np.asarray(exact.mean_counts)) < 6 * sd + 1e-12)


def test_exact_chain_matches_binomial_closed_form():
    link = small_link(capacity=4)
    res = S.supply(link, dt=DT, steps=8, min_fidelity=F_MIN, method="exact", cutoff=0.07)
    w = int(np.sum(np.asarray(res.good_mask[0])))
    assert w == 4  # ages 0..3 steps are good, 4.. are kept (cut-off 7 steps) but bad
    for n in range(1, 9):
        trials = 4 * min(n, w)
        law = stats.binom.pmf(np.arange(5), trials, 0.3)
        law[4] = stats.binom.sf(3, trials, 0.3)  # min(C, .) lumps the tail at C = 4
        np.testing.assert_allclose(np.asarray(res.good_law[n - 1, 0]), law, atol=1e-12)
    # the vectorised closed form used by wallclock() agrees with the chain
    ready = W.closed_form_ready(4.0, 0.3, 4, w, 3.0, 8)
    np.testing.assert_allclose(np.asarray(ready), np.asarray(res.ready_probability(np.array([3]))[:, 0]), atol=1e-12)


def test_arrival_law_with_purification():
    m, p, rounds = 7, 0.55, [0.8, 0.6]
    law = KS.arrival_law(m, p, rounds)
    ref = stats.binom.pmf(np.arange(m + 1), m, p)
    for q in rounds:  # k pairs -> Binomial(floor(k/2), q)
        nxt = np.zeros((len(ref) - 1) // 2 + 1)  # at most floor(k_max / 2) pairs survive
        for k, wk in enumerate(ref):
            nxt[: k // 2 + 1] += wk * stats.binom.pmf(np.arange(k // 2 + 1), k // 2, q)
        ref = nxt
    np.testing.assert_allclose(law, ref, atol=1e-14)


def test_monte_carlo_invariants_and_reproducibility(key):
    link = two_links(capacity=[5, 50], attempt_rate=2000.0)
    a = S.supply(link, key=key, **MC)
    b = S.supply(link, key=key, **MC)
    c = S.supply(link, key=jax.random.fold_in(key, 1), **MC)
    assert np.array_equal(np.asarray(a.good), np.asarray(b.good))
    assert not np.array_equal(np.asarray(a.good), np.asarray(c.good))
    good, stored = np.asarray(a.good), np.asarray(a.stored)
    assert np.all(good <= stored) and np.all(stored[:, :, 0] <= 5) and np.all(stored[:, :, 1] <= 50)
    assert np.array_equal(np.asarray(a.counts).sum(-1), stored[-1])
    d = S.supply(link, key=key, policy="drop_new", **MC)
    assert np.all(np.asarray(d.stored)[:, :, 0] <= 5) and np.all(np.asarray(d.good) <= np.asarray(d.stored))


def test_monte_carlo_compiles_once(key):
    # new parameters (data), another policy and another key reuse the compiled kernel
    S.supply(two_links(), key=key, **MC)
    before = KS.monte_carlo._cache_size()
    S.supply(two_links(capacity=2, attempt_rate=300.0), key=jax.random.fold_in(key, 3), policy="drop_new", **MC)
    assert KS.monte_carlo._cache_size() == before


def test_pairs_needed_matches_ledger():
    for n, p, b in [(4, 8, 6), (5, 13, 7), (3, 2, 3)]:
        led = jq.allreduce.ring_ledger(n, p, bits=b, scheme="superdense")
        np.testing.assert_array_equal(S.pairs_needed(n, p, bits=b), np.asarray(led.setup_per_link))
        cap = 2 + 0.9 * math.log2(0.9) + 0.1 * math.log2(0.1 / 3)  # C(0.9), SPEC [2.5]
        expect = np.ceil(np.asarray(led.payload_bits) / cap).sum(axis=(0, 1))
        np.testing.assert_array_equal(S.pairs_needed(n, p, bits=b, min_fidelity=0.9), expect)


def test_consume_freshest_first():
    bucket_state = np.stack([P.werner_pairs(f) for f in (0.99, 0.95, 0.9, 0.6)])[None]
    good_mask = np.array([[True, True, True, False]])
    counts = jnp.array([[2, 0, 5, 9]], jnp.int32)
    used, short, state = S.consume(counts, jnp.asarray(bucket_state), jnp.asarray(good_mask), np.array([4]))
    assert np.asarray(used).tolist() == [[2, 0, 2, 0]] and int(short[0]) == 0
    assert float(state[0, 0]) == pytest.approx((2 * 0.99 + 2 * 0.9) / 4, abs=1e-14)
    used, short, state = S.consume(counts, jnp.asarray(bucket_state), jnp.asarray(good_mask), np.array([10]))
    assert int(short[0]) == 3  # only 7 good pairs; the age-3 ones are too old
    assert float(state[0, 0]) == pytest.approx((2 * 0.99 + 5 * 0.9 + 3 * 0.25) / 10, abs=1e-14)


def ring(*args, **kwargs):
    return jq.allreduce.ring_allreduce(*args, **kwargs)


def test_supply_epr_end_to_end(key):
    grads = np.random.default_rng(0).normal(size=(4, 6)) * 0.3
    q_max = (2 ** (6 - 1) - 1) // 4  # SPEC C6 headroom, b = 6, N = 4
    exact_sum = np.clip(np.rint(np.clip(grads, -1, 1) / (1 / q_max)), -q_max, q_max).sum(axis=0)  # SPEC §1
    # perfect, plentiful pairs: the superdense ring decodes exactly
    perfect = S.supply_model(S.link_model(attempt_rate=1e4, herald_probability=1.0, capacity=1000, fidelity=1.0),
                             dt=0.01, steps=4, min_fidelity=0.99)
    draw = S.supply_epr(perfect, key=key, num_nodes=4, num_coords=6, bits=6).epr
    np.testing.assert_allclose(np.asarray(draw.pauli_weights), [1, 0, 0, 0], atol=1e-15)
    # traceable in the key (the training step is jitted): trace abstractly, no compile needed
    shape = jax.eval_shape(lambda k: S.supply_epr(perfect, key=k, num_nodes=4, num_coords=6, bits=6).epr.pauli_weights, key)
    assert shape.shape == (4,)
    res = ring(grads, scheme="superdense", bits=6, epr=draw, key=key)
    assert np.array_equal(np.asarray(res.sum), np.broadcast_to(exact_sum, (4, 6)))
    # scarce pairs: a shortfall becomes useless pairs, and the decoded sums are corrupted
    scarce = S.supply_model(small_link(), dt=DT, steps=4, min_fidelity=F_MIN)
    d = S.supply_epr(scarce, key=key, num_nodes=4, num_coords=6, bits=6)
    assert np.all(np.asarray(d.shortfall) > 0) and np.asarray(d.used).sum() + np.asarray(d.shortfall).sum() == d.needed.sum()
    assert 0.25 <= float(d.epr.fidelity) < 0.6
    bad = ring(grads, scheme="superdense", bits=6, epr=d.epr, key=key)
    assert not np.array_equal(np.asarray(bad.sum), np.broadcast_to(exact_sum, (4, 6)))


def test_superdense_sign_aggregator_draws_its_pairs_from_the_supply(key):
    """The training hook: perfect, plentiful pairs give the exact majority of the worker signs; a
    starved supply corrupts it; epr and supply are exclusive."""
    grads = {"w": jnp.asarray(np.random.default_rng(3).normal(size=(5, 64)))}
    majority = np.where(np.sum(np.sign(np.asarray(grads["w"])) > 0, axis=0) * 2 >= 5, 1.0, -1.0)
    perfect = S.supply_model(S.link_model(attempt_rate=1e4, herald_probability=1.0, capacity=10**4, fidelity=1.0),
                             dt=0.01, steps=4, min_fidelity=0.99)
    tx = jq.superdense_sign(key=key, supply=perfect)
    state = tx.init({"w": jnp.zeros(64)})
    upd, state = jax.jit(tx.update)(grads, state)
    np.testing.assert_array_equal(np.asarray(upd["w"]), majority)
    starved = S.supply_model(small_link(), dt=DT, steps=4, min_fidelity=F_MIN)
    tx = jq.superdense_sign(key=key, supply=starved)
    upd, _ = tx.update(grads, tx.init({"w": jnp.zeros(64)}))
    assert not np.array_equal(np.asarray(upd["w"]), majority)
    with pytest.raises(ValueError, match="`epr` and `supply`"):
        jq.superdense_sign(key=key, epr=jq.werner(0.9), supply=perfect)
    with pytest.raises(ValueError, match="`supply`"):
        jq.superdense_sign(key=key, supply="lots")


def test_wallclock_times_and_breakeven():
    n, p, b = 4, 1000, 8
    link = S.link_model(attempt_rate=1e6, herald_probability=0.05, capacity=10**5, fidelity=0.99,
                        dephasing_rate=0.5, qubit_rate=2e6)
    w = W.wallclock(link, num_nodes=n, num_coords=p, bits=b, bit_rate=1e6, dt=1e-3, steps=600, min_fidelity=0.9, latency=1e-4)
    rounds = 2 * (n - 1)
    assert w.classical_s == pytest.approx(rounds * (b * p / n / 1e6 + 1e-4), rel=1e-12)
    c = 2 + 0.9 * math.log2(0.9) + 0.1 * math.log2(0.1 / 3)
    assert w.online_s == pytest.approx(rounds * (math.ceil(b * p / n / c) / 2e6 + 1e-4), rel=1e-12)
    # set-up: the first step at which P(all 4 links ready) >= 0.99
    ages = 1e-3 * np.arange(600)
    good_ages = np.sum(0.25 + 0.74 * (1 + 2 * np.exp(-2 * 0.5 * ages)) / 3 >= 0.9)  # Werner ageing, SPEC [2.3]
    assert 150 < good_ages < 600  # the memory, not the horizon, limits the supply
    per_link = stats.binom.sf(w.pairs_needed[0] - 1, 1000 * np.minimum(np.arange(1, 601), good_ages), 0.05)
    ready = per_link**4
    assert 0 < ready[-1] and math.isfinite(w.setup_s)
    assert np.allclose(w.ready_probability, ready, atol=1e-9)
    assert w.setup_s == pytest.approx(1e-3 * (np.argmax(ready >= 0.99) + 1))
    # at the break-even bit rate both rings take equally long
    w2 = W.wallclock(link, num_nodes=n, num_coords=p, bits=b, bit_rate=w.breakeven_bit_rate, dt=1e-3, steps=600,
                     min_fidelity=0.9, latency=1e-4)
    assert w2.classical_s == pytest.approx(w.quantum_s, rel=1e-9)
    bmap = W.breakeven_map(link, attempt_rates=[1e6, 1e4], t2=[2.0, 1e-3], num_nodes=n, num_coords=p, bits=b,
                           dt=1e-3, steps=600, min_fidelity=0.9, latency=1e-4)
    assert bmap.breakeven_bit_rate[0, 0] == pytest.approx(w.breakeven_bit_rate, rel=1e-9)
    assert bmap.breakeven_bit_rate[0, 1] == 0.0  # T2 = 1 ms: pairs die before enough accumulate


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"attempt_rate": -1.0}, "attempt_rate"),
        ({"herald_probability": 1.5}, "herald_probability"),
        ({"herald_probability": -0.1}, "herald_probability"),
        ({"fidelity": 0.2}, "fidelity"),
        ({"capacity": 0}, "capacity"),
        ({"dephasing_rate": -2.0}, "dephasing_rate"),
        ({"depolarizing_rate": float("nan")}, "depolarizing_rate"),
        ({"qubit_rate": 0.0}, "qubit_rate"),
        ({"capacity": [3, 4], "herald_probability": [0.1, 0.2, 0.3]}, "same length"),
    ],
)
def test_link_model_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        small_link(**kwargs)


def test_supply_bad_input(key):
    link = small_link()
    with pytest.raises(ValueError, match="dt"):
        S.supply(link, dt=0.011, steps=3, min_fidelity=F_MIN, key=key)  # 4.4 attempts per step
    with pytest.raises(ValueError, match="min_fidelity"):
        S.supply(link, dt=DT, steps=3, min_fidelity=0.99, key=key)
    with pytest.raises(ValueError, match="key"):
        S.supply(link, dt=DT, steps=3, min_fidelity=F_MIN)
    with pytest.raises(ValueError, match="method"):
        S.supply(link, dt=DT, steps=3, min_fidelity=F_MIN, method="exakt")
    with pytest.raises(ValueError, match="purify"):
        S.supply(link, dt=DT, steps=3, min_fidelity=F_MIN, key=key, purify="pumping:2")
    with pytest.raises(ValueError, match="transition"):
        S.supply(small_link(capacity=40), dt=DT, steps=30, min_fidelity=0.5, method="exact")


def test_cli_supply_prints_table_histogram_and_verdict(capsys):
    import argparse

    from jaxqring.cli import supply as cli

    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    args = parser.parse_args(["--rate", "400", "--herald", "0.3", "--dt", "0.01", "--steps", "9", "--trials", "4",
                              "--nodes", "3", "--coords", "2", "--bits", "3", "--capacity", "12", "--t2", "2",
                              "--fidelity", "0.97", "--qubit-rate", "1e3", "--bit-rate", "10"])
    assert cli.run(args) == 0
    out = capsys.readouterr().out
    assert "Good pairs per link vs time" in out and "Fidelity of stored pairs" in out and "verdict:" in out
    with pytest.raises(ValueError, match="t2"):
        cli.run(parser.parse_args(["--t2", "0"]))
