"""Choosing how a rule set learns, on a validation slice taken from the end of the training period.

Each half-life is tried with each method — the learned rule table, the model, and the two baselines (the most
common queue for the type; for the type in each area) — learned on the older rows and scored on the newest
ones. The test period is never seen here: callers pass only training rows.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from . import dispatch_model
from .history import HistoryRow
from .rule_table import by_type, decay_weights, plan_routes, predict_queue

# Half-lives (days) tried when the city lets the evaluation choose; None weighs every year alike.
HALF_LIVES = (None, 365, 180, 90, 30)
# The newest share of the training rows held out to choose the half-life and the method.
VALIDATION_SHARE = 0.2
# Simplest first: on a tie the simpler method wins, and the type alone is always among the candidates,
# so the choice is never below the type-only baseline on the validation slice.
METHODS = ("type", "type_area", "rules", "model")
TARGETS = ("department", "queue")


@dataclass
class Score:
    method: str
    half_life_days: float | None
    department: float
    queue: float

    def of(self, target: str) -> float:
        return self.department if target == "department" else self.queue


@dataclass
class Choice:
    half_life_days: float | None
    decides: dict = field(default_factory=dict)  # target → method
    scores: list[Score] = field(default_factory=list)
    rows: int = 0  # validation rows

    def as_dict(self) -> dict:
        return {
            "half_life_days": self.half_life_days,
            "decides": self.decides,
            "validation_rows": self.rows,
            "scores": [
                {
                    "method": s.method,
                    "half_life_days": s.half_life_days,
                    "department_accuracy": round(s.department, 4),
                    "queue_accuracy": round(s.queue, 4),
                }
                for s in self.scores
            ],
        }


def signals_of(rows: list[HistoryRow], area_ids: dict[int, list[int]], timezone: str, indexes=None) -> list:
    """Rows (all, or those at ``indexes``) as the model sees a request: areas at every layer, local time."""
    zone = ZoneInfo(timezone)
    return [
        dispatch_model.Signals(
            service_type=rows[i].type,
            area_ids=area_ids.get(i, []),
            text=rows[i].text,
            answers=rows[i].answers,
            opened=rows[i].opened.astimezone(zone) if rows[i].opened else None,
        )
        for i in (range(len(rows)) if indexes is None else indexes)
    ]


def chunks(indexes) -> list:
    return [indexes[start : start + dispatch_model.CHUNK] for start in range(0, len(indexes), dispatch_model.CHUNK)]


def steps(rows: int, half_lives: int) -> int:
    """How many times choose() advances its progress: each half-life's rule table, then each chunk of rows."""
    older, newer = split_sizes(rows)
    return half_lives + len(chunks(range(older))) + len(chunks(range(newer)))


def split_sizes(rows: int) -> tuple[int, int]:
    cut = int(rows * (1 - VALIDATION_SHARE))
    return cut, rows - cut


def split(rows: list[HistoryRow]) -> tuple[list[int], list[int]]:
    """Indexes of the older rows (to learn on) and of the newest VALIDATION_SHARE (to score on)."""
    order = sorted(range(len(rows)), key=lambda i: (rows[i].opened is None, rows[i].opened))
    cut, _newer = split_sizes(len(order))
    return order[:cut], order[cut:]


def choose(
    rows: list[HistoryRow],
    area_of: dict[int, int],
    area_ids: dict[int, list[int]],
    timezone: str,
    *,
    half_lives=HALF_LIVES,
    progress=None,
) -> Choice:
    """The half-life and, per target, the method that did best on the newest rows of ``rows``."""
    older, newer = split(rows)
    if not older or not newer:
        return Choice(half_life_days=None, decides={t: "rules" for t in TARGETS})
    fit = [rows[i] for i in older]
    fit_area_of = {j: area_of[i] for j, i in enumerate(older) if i in area_of}
    department_of = majority_department(fit)
    actual = [rows[i] for i in newer]
    scores = []
    for half_life in half_lives:
        routes = plan_routes(fit, fit_area_of, half_life)
        tables = {
            "type": by_type([r for r in routes if not r.area_id and not r.word]),
            "type_area": by_type([r for r in routes if not r.word]),
            "rules": by_type(routes),
        }
        for method, table in tables.items():
            predicted = [predict_queue(table, rows[i], area_of.get(i)) for i in newer]
            scores.append(_score(method, half_life, predicted, actual, department_of))
        if progress:
            progress.advance()
    # The model: one pass over the older rows counts for every half-life at once, one over the newer scores them.
    queues = sorted({r.queue for r in fit})
    counts = {h: dispatch_model.Counts(range(len(queues))) for h in half_lives}
    newest = max((r.opened for r in fit if r.opened is not None), default=None)
    team_of = {queue: n for n, queue in enumerate(queues)}
    for chunk in chunks(older):
        batch = signals_of(rows, area_ids, timezone, chunk)
        x = dispatch_model.features(batch)
        labels = [team_of[rows[i].queue] for i in chunk]
        for h in half_lives:
            counts[h].add(x, batch, labels, decay_weights([rows[i].opened for i in chunk], h, newest))
        if progress:
            progress.advance()
    models = {h: counts.pop(h).model() for h in half_lives}
    predicted = {h: [] for h in half_lives}
    for chunk in chunks(newer):
        x = dispatch_model.features(signals_of(rows, area_ids, timezone, chunk))
        for h in half_lives:
            predicted[h] += [queues[t] for t in models[h].predict_features(x)]
        if progress:
            progress.advance()
    scores += [_score("model", h, predicted[h], actual, department_of) for h in half_lives]
    best_half_life = max(half_lives, key=lambda h: max(s.queue for s in scores if s.half_life_days == h))
    at_best = [s for s in scores if s.half_life_days == best_half_life]
    decides = {
        target: max(at_best, key=lambda s: (s.of(target), -METHODS.index(s.method))).method for target in TARGETS
    }
    return Choice(half_life_days=best_half_life, decides=decides, scores=scores, rows=len(newer))


def majority_department(rows: list[HistoryRow]) -> dict[str, str]:
    """Each queue's department: the one most of its rows name."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        counts[r.queue][r.department] += 1
    return {queue: c.most_common(1)[0][0] for queue, c in counts.items()}


def _score(method, half_life, predicted: list[str | None], actual: list[HistoryRow], department_of) -> Score:
    queue_hits = sum(p == r.queue for p, r in zip(predicted, actual, strict=False))
    department_hits = sum(
        p is not None and department_of.get(p) == r.department for p, r in zip(predicted, actual, strict=False)
    )
    n = len(actual)
    return Score(method=method, half_life_days=half_life, department=department_hits / n, queue=queue_hits / n)
