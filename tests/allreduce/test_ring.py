"""Ring all-reduce (SPEC §1, §2): schedule, ledger, exact results, noisy pairs, sharding, jit.

Oracles (tests/oracles/ring.py, quantiser.py): a plain numpy ring from SPEC §1 (per-node Python
loops, ``array_split`` chunks, mod 2**b words), with an optional deterministic Pauli error on
every superdense symbol (p = 1 channels flip a fixed bit of every symbol, so noisy runs have exact
expected outputs), and the per-link ledger counted message by message from the chunk sizes.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.sharding import Mesh

import jaxqring as jq
from jaxqring.kernels.comm.ring import ring_schedule

from ..helpers import binomial_interval
from ..oracles import ring as R
from ..oracles.quantiser import quantise

def grads_for(n, p, seed, dtype=np.float64):
    return np.random.default_rng(seed).uniform(-1.3, 1.3, size=(n, p)).astype(dtype)


# ---- schedule and ledger ([1.2], [1.3], [1.6], [2.6]) -------------------------------------------------

SIZES = [(n, p) for n in (2, 3, 4, 5, 8) for p in (1, 3, n, 3 * n, 17, 64, 1001)]


@pytest.mark.parametrize("n,p", SIZES)
def test_schedule_and_ledger(n, p):
    b = 7
    sched = ring_schedule(n, p, "cw")
    sizes = np.array([len(c) for c in np.array_split(np.arange(p), n)])
    np.testing.assert_array_equal(sched.chunk_sizes, sizes)
    r, j = np.arange(n - 1)[:, None], np.arange(n)[None, :]
    np.testing.assert_array_equal(sched.chunk[0], (j - r) % n)
    np.testing.assert_array_equal(sched.chunk[1], (j + 1 - r) % n)

    cl = jq.ring_ledger(n, p, bits=b, scheme="classical")
    sd = jq.ring_ledger(n, p, bits=b, scheme="superdense")
    assert cl.num_rounds == sd.num_rounds == 2 * (n - 1)
    # per link, per round: b |C_{(j-r) mod N}| (scatter), b |C_{(j+1-r) mod N}| (gather)
    np.testing.assert_array_equal(cl.online[0], b * sizes[(j - r) % n])
    np.testing.assert_array_equal(cl.online[1], b * sizes[(j + 1 - r) % n])
    assert not cl.setup.any()
    # [1.2]: per-link totals b[(P - |C_{j+1}|) + (P - |C_{j+2}|)]
    jj = np.arange(n)
    per_link = b * ((p - sizes[(jj + 1) % n]) + (p - sizes[(jj + 2) % n]))
    np.testing.assert_array_equal(cl.online_per_link, per_link)
    np.testing.assert_array_equal(cl.payload_bits_per_link, per_link)
    if p % n == 0:  # [1.3]
        assert np.all(cl.online_per_link == 2 * (n - 1) * p * b // n)
        assert np.all(sd.online_per_link == 2 * (n - 1) * math.ceil(b * p / (2 * n)))
        assert cl.online_total == 2 * (n - 1) * p * b
    # [2.6]: per message ceil(B/2) online qubits and as many EPR pairs / set-up qubits
    payload = cl.online
    np.testing.assert_array_equal(sd.online, -(-payload // 2))
    np.testing.assert_array_equal(sd.setup, sd.online)
    even = payload % 2 == 0
    np.testing.assert_array_equal(2 * sd.online[even], payload[even])  # exactly half
    lifetime = sd.online + sd.setup
    assert np.all((lifetime == payload) | (lifetime == payload + 1))
    odd_messages = np.zeros(n, np.int64)
    np.add.at(odd_messages, np.broadcast_to(jj, payload.shape)[~even], 1)
    np.testing.assert_array_equal(sd.lifetime_per_link, cl.online_per_link + odd_messages)
    assert sd.epr_pairs_total == sd.setup_total == sd.online_total
    assert sd.unit == "qubit" and cl.unit == "bit"


@pytest.mark.parametrize("n,p", [(3, 9), (4, 12), (5, 17), (8, 64)])
def test_ledger_counterclockwise_gather(n, p):
    """[1.6]: (N-1)Pb/N per direction, 2(N-1)Pb/N per undirected link (when N | P)."""
    b = 6
    led = jq.ring_ledger(n, p, bits=b, gather="ccw")
    sched = ring_schedule(n, p, "ccw")
    np.testing.assert_array_equal(sched.receiver[1], (np.arange(n) - 1) % n)
    cw_total = jq.ring_ledger(n, p, bits=b).online_total
    assert led.online_total == cw_total
    if p % n == 0:
        assert np.all(led.online_directed == (n - 1) * p * b // n)
        assert np.all(led.online_per_link == 2 * (n - 1) * p * b // n)


# ---- exact results --------------------------------------------------------------------------------


CASES = [(2, 1, 5), (3, 7, 6), (5, 3, 7), (4, 17, 9), (8, 64, 8), (6, 1000, 12)]


@pytest.mark.parametrize("n,p,b", CASES)
@pytest.mark.parametrize("gather", ["cw", "ccw"])
def test_noiseless_results_equal_numpy_sum(n, p, b, gather):
    g = grads_for(n, p, seed=n * 1000 + p)
    q, delta = quantise(g, b)
    expect = np.broadcast_to(q.sum(axis=0), (n, p))
    np.testing.assert_array_equal(R.ring_allreduce(q, b, gather=gather), expect)  # the oracle itself
    key = jax.random.key(7)
    runs = {
        "classical": jq.ring_allreduce(g, bits=b, gather=gather),
        "superdense": jq.ring_allreduce(g, scheme="superdense", bits=b, gather=gather),
        "superdense-F1": jq.ring_allreduce(
            g, scheme="superdense", bits=b, gather=gather, epr=jq.werner(1.0), key=key
        ),
    }
    for name, res in runs.items():
        assert res.sum.dtype == jnp.int32, name
        np.testing.assert_array_equal(np.asarray(res.sum), expect, err_msg=name)
        mean = np.asarray(res.mean)
        assert mean.dtype == np.float64
        np.testing.assert_array_equal(mean, np.asarray(jnp.asarray(expect, jnp.float64) * (delta / n)))
        assert np.max(np.abs(mean - np.clip(g, -1, 1).mean(axis=0))) <= delta / 2 + 1e-12  # [1.4]
    # per-link ledgers against the message-by-message count of the oracle (SPEC [1.2], [2.6])
    want = R.ledger(n, p, b, gather)
    sd, cl = runs["superdense"].ledger, runs["classical"].ledger
    np.testing.assert_array_equal(cl.online_per_link, want["classical_bits"])
    np.testing.assert_array_equal(sd.online_per_link, want["online_qubits"])
    np.testing.assert_array_equal(sd.lifetime_per_link, want["lifetime_qubits"])


def test_float32_gradients():
    g = grads_for(5, 23, seed=3, dtype=np.float32)
    q, _ = quantise(g.astype(np.float64), 10)
    res = jq.ring_allreduce(g, scheme="superdense", bits=10, clip=1.0)
    assert res.mean.dtype == jnp.float32
    # float32 and float64 quotients g / delta round differently only next to a half-integer;
    # these data have no coordinate there, so the float64 numpy oracle applies exactly.
    np.testing.assert_array_equal(np.asarray(res.sum), np.broadcast_to(q.sum(0), (5, 23)))


# ---- deterministic noisy channels (p = 1 Pauli errors) vs the numpy oracle -------------------------


@pytest.mark.parametrize("n,p,b", [(3, 7, 7), (4, 10, 8), (5, 3, 5)])
@pytest.mark.parametrize("pauli,flip", [("x", (0, 1)), ("y", (1, 1)), ("z", (1, 0))])
@pytest.mark.parametrize("gather", ["cw", "ccw"])
def test_deterministic_pauli_errors_match_oracle(n, p, b, pauli, flip, gather, key):
    g = grads_for(n, p, seed=11 * n + p)
    q, _ = quantise(g, b)
    epr = jq.pauli_epr(**{f"p_{pauli}": 1.0})
    res = jq.ring_allreduce(g, scheme="superdense", bits=b, epr=epr, key=key, gather=gather)
    np.testing.assert_array_equal(np.asarray(res.sum), R.ring_allreduce(q, b, gather=gather, channel=R.flip_channel(b, flip)))


# ---- noisy EPR pairs: statistics and error vs F ----------------------------------------------------


@pytest.mark.parametrize("epr_args", [("werner", 0.9), ("pauli", (0.03, 0.01, 0.06))])
def test_single_hop_words_correct_with_probability_f_to_the_b_over_2(key, epr_args):
    """N = 2: node 1 gets chunk 0 over one hop, node 0 gets chunk 1 over one hop (then only
    forwards it). Such a word (b even, aligned symbols) is exact with probability w_I^(b/2)."""
    kind, arg = epr_args
    epr = jq.werner(arg) if kind == "werner" else jq.pauli_epr(*arg)
    n, p, b = 2, 40_000, 8
    g = grads_for(n, p, seed=5)
    q, _ = quantise(g, b)
    s = np.asarray(jq.ring_allreduce(g, scheme="superdense", bits=b, epr=epr, key=key).sum)
    half = p // 2
    exact = q.sum(0)
    correct = np.concatenate([s[1, :half] == exact[:half], s[0, half:] == exact[half:]])
    # weight of the identity in the Pauli channel: F for a Werner pair, 1 - p_x - p_y - p_z otherwise
    w_i = arg if kind == "werner" else 1 - sum(arg)
    lo, hi = binomial_interval(p, w_i ** (b // 2))
    assert lo <= correct.sum() <= hi


def test_mean_error_grows_as_fidelity_falls(key):
    n, p, b = 4, 4000, 8
    g = grads_for(n, p, seed=9)
    q, delta = quantise(g, b)
    exact_mean = q.sum(0) * delta / n
    rms = []
    for f in (1.0, 0.999, 0.99, 0.9, 0.6):
        res = jq.ring_allreduce(g, scheme="superdense", bits=b, epr=jq.werner(f), key=key)
        rms.append(float(np.sqrt(np.mean((np.asarray(res.mean) - exact_mean) ** 2))))
    assert rms[0] == 0.0
    assert all(a < b_ for a, b_ in zip(rms, rms[1:])), rms


# ---- sharded ring: shard_map + ppermute on 2, 4, 8 host devices -------------------------------------


def mesh_of(d):
    return Mesh(np.array(jax.devices()[:d]), ("nodes",))


@pytest.mark.parametrize("d", [2, 4, 8])
@pytest.mark.parametrize("gather", ["cw", "ccw"])
def test_sharded_equals_vectorised(d, gather, key):
    assert len(jax.devices()) >= 8
    n, p, b = 8, 29, 7
    g = grads_for(n, p, seed=d)
    q, _ = quantise(g, b)
    mesh = mesh_of(d)
    cl = jq.ring_allreduce(g, bits=b, gather=gather, mesh=mesh)
    np.testing.assert_array_equal(np.asarray(cl.sum), np.broadcast_to(q.sum(0), (n, p)))
    epr = jq.werner(0.8)
    vec = jq.ring_allreduce(g, scheme="superdense", bits=b, epr=epr, key=key, gather=gather)
    sh = jq.ring_allreduce(g, scheme="superdense", bits=b, epr=epr, key=key, gather=gather, mesh=mesh)
    assert not np.array_equal(np.asarray(vec.sum), np.broadcast_to(q.sum(0), (n, p)))  # noise acted
    np.testing.assert_array_equal(np.asarray(sh.sum), np.asarray(vec.sum))


def test_sharded_several_nodes_per_device(key):
    n, p, b = 16, 50, 8
    g = grads_for(n, p, seed=1)
    epr = jq.pauli_epr(0.02, 0.01, 0.03)
    vec = jq.ring_allreduce(g, scheme="superdense", bits=b, epr=epr, key=key)
    sh = jq.ring_allreduce(g, scheme="superdense", bits=b, epr=epr, key=key, mesh=mesh_of(4))
    np.testing.assert_array_equal(np.asarray(sh.sum), np.asarray(vec.sum))


# ---- jit ----------------------------------------------------------------------------------------------


def test_usable_inside_jit_without_recompiling(key):
    n, p, b = 4, 33, 10
    g = jnp.asarray(grads_for(n, p, seed=2))

    @jax.jit
    def step(grads, k, f):
        res = jq.ring_allreduce(grads, scheme="superdense", bits=b, epr=jq.werner(f), key=k)
        return res.mean, res

    mean, res = step(g, key, 0.95)
    eager = jq.ring_allreduce(g, scheme="superdense", bits=b, epr=jq.werner(0.95), key=key)
    np.testing.assert_array_equal(np.asarray(mean), np.asarray(eager.mean))
    assert res.ledger.scheme == "superdense"
    np.testing.assert_array_equal(np.asarray(res.ledger.online), eager.ledger.online)
    step(g + 0.01, jax.random.fold_in(key, 1), 0.9)
    assert step._cache_size() == 1


# ---- validation ---------------------------------------------------------------------------------------


def test_bad_inputs_raise():
    g = grads_for(4, 8, seed=0)
    with pytest.raises(ValueError, match=r"Argument `grads` must have shape \(N, P\) with N >= 2"):
        jq.ring_allreduce(g[:1], bits=8)
    with pytest.raises(ValueError, match=r"Argument `grads` must have shape"):
        jq.ring_allreduce(g[0], bits=8)
    bad = g.copy()
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match="Argument `grads` must be finite"):
        jq.ring_allreduce(bad, bits=8)
    bad[1, 2] = np.inf
    with pytest.raises(ValueError, match="Argument `grads` must be finite"):
        jq.ring_allreduce(bad, bits=8)
    with pytest.raises(ValueError, match="Argument `bits` must be"):
        jq.ring_allreduce(g, bits=0)
    with pytest.raises(ValueError, match="Argument `bits` must satisfy"):
        jq.ring_allreduce(g, bits=3)  # 2**2 - 1 < N = 4
    with pytest.raises(ValueError, match="Argument `clip`"):
        jq.ring_allreduce(g, bits=8, clip=0.0)
    with pytest.raises(ValueError, match="Argument `scheme`"):
        jq.ring_allreduce(g, bits=8, scheme="quantum")
    with pytest.raises(ValueError, match="Argument `gather`"):
        jq.ring_allreduce(g, bits=8, gather="up")
    with pytest.raises(ValueError, match="Argument `epr` is only used by scheme='superdense'"):
        jq.ring_allreduce(g, bits=8, epr=jq.werner(0.9), key=jax.random.key(0))
    with pytest.raises(ValueError, match="Argument `key` must be a PRNG key"):
        jq.ring_allreduce(g, bits=8, scheme="superdense", epr=jq.werner(0.9))
    with pytest.raises(ValueError, match="Argument `key` must be a JAX PRNG key"):
        jq.ring_allreduce(g, bits=8, scheme="superdense", epr=jq.werner(0.9), key=3)
    with pytest.raises(ValueError, match="Argument `epr` must be None or an EPRModel"):
        jq.ring_allreduce(g, bits=8, scheme="superdense", epr=0.9, key=jax.random.key(0))
    with pytest.raises(ValueError, match="Argument `mesh` must have a size dividing"):
        jq.ring_allreduce(g[:3], bits=8, mesh=mesh_of(2))
    with pytest.raises(ValueError, match="Argument `fidelity`"):
        jq.ring_allreduce(g, bits=8, scheme="superdense", epr=jq.werner(0.1), key=jax.random.key(0))
