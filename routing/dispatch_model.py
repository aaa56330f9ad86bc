"""The learned routing model: which team handles a request, from the signals a dispatcher reads.

Multinomial naive Bayes (scikit-learn) over the service type, the area at every layer the city has (alone and
with the type), the words of the request (plain word forms, alone and with the type, and character n-grams, so
Chinese needs no tokenizer), the answers to the type's questions and the time of day and week. Features are
hashed (no vocabulary to hold) and learning adds chunk after chunk into sparse count tables, so a million rows
learn in bounded memory; the model keeps only the columns it saw. It takes a sample weight (recent history
weighs more) and says how sure it is. No database access here.
"""

import io
from dataclasses import dataclass, field
from datetime import datetime

import joblib
import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.naive_bayes import MultinomialNB

from .rule_table import row_words

# Smoothing: small, because most signals (type, area, a descriptor's words) are near-certain when present.
ALPHA = 0.05
# Hashed widths: wide enough that distinct signals rarely share a column; only the columns seen are kept.
SIGNAL_COLUMNS = 2**20
TEXT_COLUMNS = 2**18
# Rows hashed and counted at a time: bounds the memory of learning, whatever the history's length.
CHUNK = 20_000


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
    words = sorted(row_words(s.text))
    tokens = [f"type={s.service_type}"] + [f"type={s.service_type}|word={w}" for w in words]
    tokens += [f"word={w}" for w in words]
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


SIGNAL_HASHER = HashingVectorizer(
    analyzer=_tokens_as_is, n_features=SIGNAL_COLUMNS, alternate_sign=False, norm=None, binary=True, dtype=np.float32
)
TEXT_HASHER = HashingVectorizer(
    analyzer="char_wb", ngram_range=(2, 4), n_features=TEXT_COLUMNS, alternate_sign=False, dtype=np.float32
)


def features(batch: list[Signals]) -> csr_matrix:
    """The hashed feature rows of ``batch``: signal tokens, then the text's character n-grams (l2-normed)."""
    return hstack(
        [
            SIGNAL_HASHER.transform([signal_tokens(s) for s in batch]),
            TEXT_HASHER.transform([s.text.lower() for s in batch]),
        ],
        format="csr",
    )


def _token_column(token: str) -> int:
    return int(SIGNAL_HASHER.transform([[token]]).indices[0])


@dataclass
class DispatchModel:
    """A trained model; labels are team ids. ``columns``: the hashed columns it saw, in its matrix order."""

    classifier: MultinomialNB
    columns: np.ndarray
    types: frozenset
    rows: int

    def _matrix(self, batch: list[Signals]) -> csr_matrix:
        return self.narrow(features(batch))

    def narrow(self, x: csr_matrix) -> csr_matrix:
        """Hashed rows narrowed to the model's own columns (a column it never saw says nothing)."""
        position = np.searchsorted(self.columns, x.indices)
        position = np.minimum(position, len(self.columns) - 1)
        seen = self.columns[position] == x.indices
        row_of = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
        return csr_matrix(
            (x.data[seen], (row_of[seen], position[seen])), shape=(x.shape[0], len(self.columns)), dtype=np.float64
        )

    def knows_type(self, service_type: str) -> bool:
        return service_type in self.types

    def predict(self, batch: list[Signals]) -> list[int]:
        found = []
        for start in range(0, len(batch), CHUNK):
            found += self.predict_features(features(batch[start : start + CHUNK]))
        return found

    def predict_features(self, x: csr_matrix) -> list[int]:
        return [int(label) for label in self.classifier.predict(self.narrow(x))] if x.shape[0] else []

    def probabilities(self, s: Signals) -> list[tuple[int, float]]:
        """(team id, probability) for every team, most likely first."""
        p = self.classifier.predict_proba(self._matrix([s]))[0]
        order = np.argsort(-p)
        return [(int(self.classifier.classes_[i]), float(p[i])) for i in order]

    def explain(self, s: Signals, team_id: int, limit: int = 3) -> list[str]:
        """The signal tokens (type, areas, words, answers, time) that spoke most for ``team_id`` over the
        runner-up."""
        classes = list(self.classifier.classes_)
        if team_id not in classes or len(classes) < 2:
            return []
        c = classes.index(team_id)
        log_prob = self.classifier.feature_log_prob_
        lifts = []
        for token in dict.fromkeys(signal_tokens(s)):
            column = _token_column(token)
            i = int(np.searchsorted(self.columns, column))
            if i < len(self.columns) and self.columns[i] == column:
                lift = log_prob[c, i] - np.delete(log_prob[:, i], c).max()
                if lift > 0:
                    lifts.append((-lift, token))
        return [token for _lift, token in sorted(lifts)[:limit]]


class Counts:
    """Weighted (class, feature) count tables, filled chunk after chunk; its memory grows with the distinct
    signals seen, not with the rows."""

    def __init__(self, classes):
        self.classes = np.asarray(sorted(classes))
        self.index = {c: i for i, c in enumerate(self.classes.tolist())}
        self.table = csr_matrix((len(self.classes), SIGNAL_COLUMNS + TEXT_COLUMNS), dtype=np.float64)
        self.totals = np.zeros(len(self.classes))
        self.types: set[str] = set()
        self.rows = 0

    def add(self, x: csr_matrix, batch: list[Signals], labels, weights=None) -> None:
        n = x.shape[0]
        w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
        label_index = np.fromiter((self.index[label] for label in labels), dtype=np.int64, count=n)
        y = csr_matrix((w, (label_index, np.arange(n))), shape=(len(self.classes), n))
        self.table = self.table + y @ x
        self.totals += np.bincount(label_index, weights=w, minlength=len(self.classes))
        self.types.update(s.service_type for s in batch)
        self.rows += n

    def model(self) -> DispatchModel:
        """The naive Bayes these counts make, exactly as if fitted on every row with its weight."""
        table = self.table.tocsc()
        columns = np.flatnonzero(np.diff(table.indptr)).astype(np.int64)
        # One row per class whose features are the class's counts, the class priors from the weighted totals:
        # scikit-learn's own fit then gives the same model as fitting the rows one by one.
        classifier = MultinomialNB(alpha=ALPHA, class_prior=self.totals / self.totals.sum())
        classifier.fit(table[:, columns].tocsr(), self.classes)
        return DispatchModel(classifier=classifier, columns=columns, types=frozenset(self.types), rows=self.rows)


def train(batch: list[Signals], team_ids: list[int], weights: list[float] | None = None) -> DispatchModel:
    """Fit on signals and the team each request belonged to, each row counting as much as its weight."""
    counts = Counts(set(team_ids))
    for start in range(0, len(batch), CHUNK):
        end = start + CHUNK
        chunk = batch[start:end]
        counts.add(features(chunk), chunk, team_ids[start:end], None if weights is None else weights[start:end])
    return counts.model()


# Raised whenever a stored model's shape changes: a model learned by an older release is then not loaded (live
# routing goes by rules until `routing_learn` runs again) rather than failing inside routing.
FORMAT = 2


def dumps(model: DispatchModel) -> bytes:
    buffer = io.BytesIO()
    joblib.dump((FORMAT, model), buffer, compress=3)
    return buffer.getvalue()


def loads(data: bytes) -> DispatchModel | None:
    """The stored model, or None when an older release stored it in a shape this one can't use."""
    stored = joblib.load(io.BytesIO(bytes(data)))
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == FORMAT:
        return stored[1]
    return None
