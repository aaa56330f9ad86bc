import numpy as np
import pytest
from sklearn.naive_bayes import MultinomialNB

from routing import dispatch_model
from routing.dispatch_model import Signals

ROWS = [
    (Signals("Streetlight", [7], "lamp is dark"), 1, 1.0),
    (Signals("Streetlight", [7], "pole knocked down"), 2, 0.5),
    (Signals("Streetlight", [8], "路灯不亮"), 1, 0.25),
    (Signals("Pothole", [8], "deep hole"), 3, 1.0),
    (Signals("Pothole", [7], "hole near the pole"), 3, 0.75),
]


def test_counting_chunk_by_chunk_makes_the_model_a_fit_on_every_row_would(monkeypatch):
    batch, teams, weights = (list(column) for column in zip(*ROWS, strict=True))
    monkeypatch.setattr(dispatch_model, "CHUNK", 2)
    model = dispatch_model.train(batch, teams, weights)

    x = dispatch_model.features(batch)
    seen = np.flatnonzero(np.asarray(x.sum(axis=0)).ravel())
    whole = MultinomialNB(alpha=dispatch_model.ALPHA).fit(x[:, seen], teams, sample_weight=weights)
    assert list(model.columns) == list(seen)
    assert np.allclose(model.classifier.feature_log_prob_, whole.feature_log_prob_)
    assert np.allclose(model.classifier.class_log_prior_, whole.class_log_prior_)
    assert model.rows == 5 and model.knows_type("Pothole") and not model.knows_type("Graffiti")


def test_the_model_names_the_signals_it_went_by_and_ignores_words_it_never_saw():
    batch, teams, _weights = (list(column) for column in zip(*ROWS, strict=True))
    model = dispatch_model.train(batch, teams)
    request = Signals("Streetlight", [7], "pole knocked down, never-seen-word")
    assert model.probabilities(request)[0][0] == 2
    assert model.predict([request, Signals("Pothole", [8], "zzz")]) == [2, 3]
    assert "type=Streetlight|word=pol" in model.explain(request, 2, limit=10)  # words in their stemmed form
    assert dispatch_model.loads(dispatch_model.dumps(model)).predict([request]) == [2]


@pytest.mark.parametrize("weights", [None, [1.0] * 5])
def test_without_weights_every_row_counts_once(weights):
    batch, teams, _weights = (list(column) for column in zip(*ROWS, strict=True))
    model = dispatch_model.train(batch, teams, weights)
    assert np.allclose(np.exp(model.classifier.class_log_prior_), [2 / 5, 1 / 5, 2 / 5])
