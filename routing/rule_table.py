"""The learned rule table: a decision list per service type, most specific first, from weighted counts.

Words that move a type to another queue, areas that do, then the type's usual queue; a combination needs
enough (decayed) weight before it may overrule the type's usual queue, else it backs off to the type alone.
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from . import engine
from .history import HistoryRow

# A combination (type and area, type and word) needs this much (decayed) weight before it may overrule the
# type's usual queue: rarer ones back off to the type alone.
MIN_WEIGHT = 3.0
# A word overrules the type's usual queue only when most of the type's requests with it went elsewhere.
MIN_WORD_PURITY = 0.5
MAX_WORD_RULES_PER_TYPE = 25


@dataclass(frozen=True)
class Route:
    """One learned rule before it is stored: the type, optionally an area or a word, and the queue."""

    type: str
    queue: str
    area_id: int | None = None
    word: str = ""


def weights(rows: list[HistoryRow], half_life_days: float | None) -> list[float]:
    """Each row's weight: 1 for the newest, halving every ``half_life_days`` before it (1 for all without one)."""
    return decay_weights([r.opened for r in rows], half_life_days)


def row_words(text: str) -> set[str]:
    """The words a learned rule may use, in the engine's own matching: English plain forms, Chinese pairs."""
    found = set()
    for word in engine.WORD.findall(text.lower()):
        if any(engine.is_han(ch) for ch in word):
            found.update(word[i : i + 2] for i in range(len(word) - 1))
        elif len(word) > 2 and not word.isdigit():
            found.add(engine.stem(word))
    return found


def plan_routes(rows: list[HistoryRow], area_of: dict[int, int], half_life_days: float | None) -> list[Route]:
    """The learned decision list, most specific first: words that move a type to another queue, areas that do,
    then the type's usual queue. Counts are weighted by age, so a queue the city moved work to wins sooner."""
    w = weights(rows, half_life_days)
    by_type: dict[str, Counter] = defaultdict(Counter)
    by_area: dict[tuple, Counter] = defaultdict(Counter)
    by_word: dict[tuple, Counter] = defaultdict(Counter)
    for i, r in enumerate(rows):
        by_type[r.type][r.queue] += w[i]
        if i in area_of:
            by_area[(r.type, area_of[i])][r.queue] += w[i]
        for word in row_words(r.text):
            by_word[(r.type, word)][r.queue] += w[i]
    routes = []
    for name in sorted(by_type):
        usual = by_type[name].most_common(1)[0][0]
        words = []
        for (kind, word), counts in by_word.items():
            total = sum(counts.values())
            if kind != name or total < MIN_WEIGHT:
                continue
            best, best_w = counts.most_common(1)[0]
            if best != usual and best_w / total >= MIN_WORD_PURITY:
                words.append((-best_w / total, -total, word, best))
        for _purity, _total, word, best in sorted(words)[:MAX_WORD_RULES_PER_TYPE]:
            routes.append(Route(type=name, queue=best, word=word))
        for (kind, area_id), counts in sorted(by_area.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            if kind != name or sum(counts.values()) < MIN_WEIGHT:
                continue
            best, best_w = counts.most_common(1)[0]
            if best != usual and best_w > counts[usual]:
                routes.append(Route(type=name, queue=best, area_id=area_id))
        routes.append(Route(type=name, queue=usual))
    return routes


def predict_queue(routes_by_type: dict[str, list[Route]], row: HistoryRow, area_id: int | None) -> str | None:
    words = None
    for route in routes_by_type.get(row.type, []):
        if route.word:
            words = row_words(row.text) if words is None else words
            if route.word not in words:
                continue
        if route.area_id and route.area_id != area_id:
            continue
        return route.queue
    return None


def by_type(routes: list[Route]) -> dict[str, list[Route]]:
    grouped: dict[str, list[Route]] = defaultdict(list)
    for route in routes:
        grouped[route.type].append(route)
    return grouped


def decay_weights(
    opened: list[datetime | None], half_life_days: float | None, newest: datetime | None = None
) -> list[float]:
    """1 for the newest row, halving every ``half_life_days`` before it; all 1 without a half-life or dates.
    ``newest``: the newest of the whole history, when ``opened`` is one chunk of it."""
    newest = newest or max((t for t in opened if t is not None), default=None)
    if not half_life_days or newest is None:
        return [1.0] * len(opened)
    return [math.pow(0.5, (newest - t).total_seconds() / 86400 / half_life_days) if t else 1.0 for t in opened]
