"""Cora data, preprocessing and the SIGN-style network (a few epochs only; full runs are in
benchmarks/bench_inference.py)."""

import numpy as np
import pytest

from jaxqring import inference as inf

from ..oracles import statevector as O


@pytest.fixture(scope="module")
def data():
    return inf.load_cora()


def test_shipped_data_matches_provenance(data):
    assert data.features.shape == (2708, 1433) and data.num_classes == 7
    assert (len(data.train_index), len(data.val_index), len(data.test_index)) == (140, 500, 1000)
    assert np.bincount(data.labels[data.test_index]).tolist() == [130, 91, 144, 319, 149, 103, 64]
    assert np.bincount(data.labels[data.train_index]).tolist() == [20] * 7
    assert int(data.features.sum()) == 49216 and data.edges.shape == (5278, 2)


def test_adjacency_and_hop_features_match_numpy(data):
    a = inf.normalised_adjacency(data)
    want = O.cora_adjacency(data.edges, data.num_nodes)
    np.testing.assert_allclose(a, want, rtol=1e-12, atol=1e-15)
    hops = inf.hop_features(data, 3)
    x = data.features / data.features.sum(1, keepdims=True)
    np.testing.assert_allclose(hops[2], want @ (want @ x), rtol=1e-5, atol=1e-7)  # float32 storage


def test_decision_accuracy_matches_oracle():
    rng = np.random.default_rng(0)
    for _ in range(5):
        logits = rng.normal(size=(50, 7))
        labels = rng.integers(0, 7, size=50)
        got = float(inf.decision_accuracy(logits, labels, 7))
        assert abs(got - O.pair_decision_accuracy(logits, labels, 7)) < 1e-12


@pytest.mark.parametrize("model", ["quadratic", "prelu"])
def test_few_epochs_learn(model):
    res = inf.train_cora(model, seed=0, epochs=12)
    assert res.model == model and res.epochs == 12 and res.val_curve.shape == (12,)
    assert 0 <= res.best_epoch < 12 and res.val_accuracy == pytest.approx(res.val_curve.max())
    # chance (majority class) is 31.9 % on the test split; 12 epochs of Adam already do far better
    assert res.test_accuracy > 55.0
    assert 0.0 <= res.decision_accuracy <= 100.0 and (res.decision_accuracy * 21 / 100) == pytest.approx(
        round(res.decision_accuracy * 21 / 100), abs=1e-4
    )


def test_summary_and_bad_input():
    r = inf.CoraResult("quadratic", 0, 5, 78.0, 85.7, 79.0, 3, 1.0, np.zeros(5))
    s = inf.summarise([r, r._replace(seed=1, test_accuracy=79.0)])
    assert s["quadratic"]["test_accuracy"]["mean"] == pytest.approx(78.5)
    assert s["quadratic"]["test_accuracy"]["published_mean"] == 78.69
    with pytest.raises(ValueError, match="`model` must be one of"):
        inf.train_cora("relu")
    with pytest.raises(ValueError, match="`epochs` must be >= 1"):
        inf.train_cora("prelu", epochs=0)
