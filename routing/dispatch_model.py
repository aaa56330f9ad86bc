"""The learned routing model: which team handles a request, from the signals a dispatcher reads.

Multinomial naive Bayes (scikit-learn) over the service type, the area at every layer the city has (alone and
with the type), the words of the request (character n-grams, so Chinese needs no tokenizer), the answers to
the type's questions and the time of day and week. It trains on a million rows in minutes with little memory,
takes a sample weight (recent history weighs more) and says how sure it is. No database access here.
"""

import io
from dataclasses import dataclass, field
from datetime import datetime

import joblib
import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.naive_bayes import MultinomialNB

from .rule_table import row_words

# Smoothing: small, because most signals (type, area, a descriptor's words) are near-certain when present.
ALPHA = 0.05
MAX_TEXT_FEATURES = 60_000


@dataclass
class Signals:
    """What the model looks at for one request."""

    service_type: str
    area_ids: list[int] = field(default_factory=list)
    text: str = ""
    answers: dict = field(default_factory=dict)
    opened: datetime | None = None  # local time


def signal_tokens(s: Signals) -> list[str]:
    """The categorical signals as tokens. Areas and words also go with the type: a type's queue often splits by
    area or by a word, which the words alone (shared across types) can't say."""
    tokens = [f"type={s.service_type}"] + [f"type={s.service_type}|word={w}" for w in sorted(row_words(s.text))]
    for area_id in s.area_ids:
        tokens += [f"area={area_id}", f"type={s.service_type}|area={area_id}"]
    for code, value in sorted(s.answers.items()):
        for v in value if isinstance(value, list) else [value]:
            if v not in ("", None):
                tokens.append(f"type={s.service_type}|answer={code}={v}")
    if s.opened is not None:
        tokens += [f"hour={s.opened.hour // 3 * 3}", f"weekday={s.opened.weekday()}"]
    return tokens


def _tokens_as_is(tokens: list[str]) -> list[str]:
    # A module-level function, not a lambda, so a stored model can be loaded again.
    return tokens


@dataclass
class DispatchModel:
    """A trained model; labels are team ids."""

    signals: CountVectorizer
    words: TfidfVectorizer
    classifier: MultinomialNB
    rows: int
    feature_names: np.ndarray  # both vectorizers' features, in matrix column order, for explanations

    def _matrix(self, batch: list[Signals]):
        return hstack(
            [
                self.signals.transform([signal_tokens(s) for s in batch]),
                self.words.transform([s.text.lower() for s in batch]),
            ]
        ).tocsr()

    def knows_type(self, service_type: str) -> bool:
        return f"type={service_type}" in self.signals.vocabulary_

    def predict(self, batch: list[Signals]) -> list[int]:
        return [int(label) for label in self.classifier.predict(self._matrix(batch))] if batch else []

    def probabilities(self, s: Signals) -> list[tuple[int, float]]:
        """(team id, probability) for every team, most likely first."""
        p = self.classifier.predict_proba(self._matrix([s]))[0]
        order = np.argsort(-p)
        return [(int(self.classifier.classes_[i]), float(p[i])) for i in order]

    def explain(self, s: Signals, team_id: int, limit: int = 3) -> list[str]:
        """The signals that spoke most for ``team_id`` over the runner-up: type/area tokens and words."""
        x = self._matrix([s])
        classes = list(self.classifier.classes_)
        if team_id not in classes or len(classes) < 2:
            return []
        c = classes.index(team_id)
        log_prob = self.classifier.feature_log_prob_
        others = np.delete(log_prob[:, x.indices], c, axis=0)
        lift = x.data * (log_prob[c, x.indices] - others.max(axis=0))
        best = [self.feature_names[x.indices[i]] for i in np.argsort(-lift)[:limit] if lift[i] > 0]
        return [str(name) for name in best]


def train(batch: list[Signals], team_ids: list[int], weights: list[float] | None = None) -> DispatchModel:
    """Fit on signals and the team each request belonged to, each row counting as much as its weight."""
    signals = CountVectorizer(analyzer=_tokens_as_is, binary=True, lowercase=False)
    words = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 4),
        min_df=2,
        max_features=MAX_TEXT_FEATURES,
        sublinear_tf=True,
        dtype=np.float32,
    )
    x_signals = signals.fit_transform([signal_tokens(s) for s in batch])
    texts = [s.text.lower() for s in batch]
    try:
        x_words = words.fit_transform(texts)
    except ValueError:  # no text at all (or too little to keep a feature): the words say nothing
        words = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), dtype=np.float32).fit(["-"])
        x_words = words.transform(texts)
    classifier = MultinomialNB(alpha=ALPHA)
    classifier.fit(
        hstack([x_signals, x_words]).tocsr(),
        np.asarray(team_ids),
        sample_weight=None if weights is None else np.asarray(weights, dtype=np.float64),
    )
    names = np.concatenate([signals.get_feature_names_out(), words.get_feature_names_out()])
    return DispatchModel(signals=signals, words=words, classifier=classifier, rows=len(batch), feature_names=names)


def dumps(model: DispatchModel) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    return buffer.getvalue()


def loads(data: bytes) -> DispatchModel:
    return joblib.load(io.BytesIO(bytes(data)))
