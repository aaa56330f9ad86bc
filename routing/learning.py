"""Turn a city's 311 history into a draft rule set: one route per type where the type decides, per-area routes
where the area decides, a fallback to triage, and a text classifier trained on the history's own words."""
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from requests_app.models import Jurisdiction, ServiceType

from .history import HistoryRow, rows_from_requests
from . import engine
from .models import Area, AreaLayer, Department, RoutingRule, RuleSet, Team
from .selectors import areas_for_points
from .services import ensure_routing_settings, next_rule_set_version, save_classifier

# A combination (type and area, type and word) needs this much (decayed) weight before it may overrule the
# type's usual queue: rarer ones back off to the type alone.
MIN_WEIGHT = 3.0
# A word overrules the type's usual queue only when most of the type's requests with it went elsewhere.
MIN_WORD_PURITY = 0.5
MAX_WORD_RULES_PER_TYPE = 25
# Half-lives (days) tried when the city lets the evaluation choose; None weighs every year alike.
HALF_LIVES = (None, 365, 180, 90, 30)
# The newest share of the training rows held out to choose the half-life (never the test period).
VALIDATION_SHARE = 0.2


@dataclass(frozen=True)
class Route:
    """One learned rule before it is stored: the type, optionally an area or a word, and the queue."""

    type: str
    queue: str
    area_id: int | None = None
    word: str = ""


def weights(rows: list[HistoryRow], half_life_days: float | None) -> list[float]:
    """Each row's weight: 1 for the newest, halving every ``half_life_days`` before it (1 for all without one)."""
    dated = [r.opened for r in rows if r.opened is not None]
    if not half_life_days or not dated:
        return [1.0] * len(rows)
    newest = max(dated)
    return [0.5 ** ((newest - r.opened).total_seconds() / 86400 / half_life_days) if r.opened else 1.0
            for r in rows]


def row_words(text: str) -> set[str]:
    """The words a learned rule may use, in the engine's own matching: English plain forms, Chinese pairs."""
    found = set()
    for word in engine.WORD.findall(text.lower()):
        if any(engine.is_han(ch) for ch in word):
            found.update(word[i:i + 2] for i in range(len(word) - 1))
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


def choose_half_life(rows: list[HistoryRow], area_of: dict[int, int], candidates=HALF_LIVES,
                     progress=None) -> tuple[float | None, list[tuple[float | None, float]]]:
    """Learn on the older part of the training rows, score each half-life on the newest part; the best wins.

    Returns the chosen half-life and (half-life, queue accuracy on the validation slice) for each candidate.
    """
    order = sorted(range(len(rows)), key=lambda i: (rows[i].opened is None, rows[i].opened))
    cut = int(len(order) * (1 - VALIDATION_SHARE))
    older, newer = order[:cut], order[cut:]
    if not older or not newer:
        return None, []
    fit_rows = [rows[i] for i in older]
    fit_areas = {j: area_of[i] for j, i in enumerate(older) if i in area_of}
    scores = []
    for half_life in candidates:
        routes = by_type(plan_routes(fit_rows, fit_areas, half_life))
        hits = sum(predict_queue(routes, rows[i], area_of.get(i)) == rows[i].queue for i in newer)
        scores.append((half_life, hits / len(newer)))
        if progress:
            progress.advance()
    best = max(scores, key=lambda s: s[1])[0]  # first best: no decay unless decay does better
    return best, scores


@dataclass
class Learned:
    rule_set: RuleSet
    rows: int
    departments: int
    teams: int
    service_types: int
    type_rules: int
    area_rules: int
    word_rules: int
    classifier_rows: int
    new_types: list[str] = field(default_factory=list)
    half_life_days: float | None = None


def _department(jurisdiction, name: str, cache: dict) -> Department:
    if name not in cache:
        found = Department.objects.filter(jurisdiction=jurisdiction, name=name).first()
        cache[name] = found or Department.objects.create(jurisdiction=jurisdiction, name=name[:200],
                                                         code=_free_code(jurisdiction, slugify(name)[:60] or "dept"))
    return cache[name]


def _free_code(jurisdiction, code: str) -> str:
    candidate, n = code, 1
    while Department.objects.filter(jurisdiction=jurisdiction, code=candidate).exists():
        n += 1
        candidate = f"{code[:55]}-{n}"
    return candidate


def _team(department: Department, name: str) -> Team:
    found = Team.objects.filter(department=department, name=name[:200]).first()
    if found:
        return found
    code, n = slugify(name)[:80] or "team", 1
    while Team.objects.filter(department=department, code=code).exists():
        n += 1
        code = f"{slugify(name)[:74]}-{n}"
    return Team.objects.create(department=department, name=name[:200], code=code)


def _service_type(jurisdiction, name: str, new_types: list) -> ServiceType:
    code = slugify(name)[:60] or "other"
    found = ServiceType.objects.filter(jurisdiction=jurisdiction, code=code).first()
    if found:
        return found
    # Residents can't file it yet: it goes live when an operator activates the rule set that brought it.
    created = ServiceType.objects.create(jurisdiction=jurisdiction, code=code, name=name[:200], active=False)
    new_types.append(created)
    return created


def areas_of_rows(rows: list[HistoryRow], layer: AreaLayer | None) -> dict[int, int]:
    """{row index: id of the layer's area covering it}, in one query."""
    if layer is None:
        return {}
    located = [(i, r) for i, r in enumerate(rows) if r.lat is not None]
    found = areas_for_points(layer.pk, [(r.lon, r.lat) for _i, r in located])
    return {located[j][0]: area_id for j, area_id in found.items()}


@transaction.atomic
def learn_rule_set(jurisdiction: Jurisdiction, rows: list[HistoryRow], *, layer: AreaLayer | None,
                   half_life_days: float | None = None, area_of: dict[int, int] | None = None,
                   progress=None) -> Learned:
    """Make departments, teams (queues), service types and a draft rule set (with its text model) from history.

    Nothing of it is live: new service types stay inactive until the rule set is activated.
    """
    routing_settings = ensure_routing_settings(jurisdiction)
    departments: dict[str, Department] = {}
    queue_department = {}
    for queue, counts in _counts(rows, key=lambda r: r.queue, value=lambda r: r.department).items():
        queue_department[queue] = counts.most_common(1)[0][0]
    teams = {queue: _team(_department(jurisdiction, dept, departments), queue)
             for queue, dept in sorted(queue_department.items())}
    new_types: list[ServiceType] = []
    types = {name: _service_type(jurisdiction, name, new_types) for name in sorted({r.type for r in rows})}
    area_of = areas_of_rows(rows, layer) if area_of is None else area_of
    area_names = dict(Area.objects.filter(layer=layer).values_list("id", "name")) if layer else {}

    note = _("Learned from %(n)d history rows") % {"n": len(rows)}
    if half_life_days:
        note += _(", half-life %(days)s days") % {"days": f"{half_life_days:g}"}
    rule_set = RuleSet.objects.create(jurisdiction=jurisdiction, version=next_rule_set_version(jurisdiction),
                                      note=note)
    rule_set.new_service_types.set(new_types)
    routes = plan_routes(rows, area_of, half_life_days)
    rules = []
    for order, route in enumerate(routes, start=1):
        team = teams[route.queue]
        label = route.type + (f" / {area_names[route.area_id]}" if route.area_id else "") + \
            (f" / «{route.word}»" if route.word else "")
        rules.append(RoutingRule(rule_set=rule_set, order=order, name=label[:200], service_type=types[route.type],
                                 area_id=route.area_id, words=[route.word] if route.word else [],
                                 department=team.department, team=team))
        if progress and not route.area_id and not route.word:
            progress.advance()
    rules.append(RoutingRule(rule_set=rule_set, order=len(routes) + 1, name=_("Fallback: triage"),
                             department=routing_settings.triage_department, team=routing_settings.triage_team))
    RoutingRule.objects.bulk_create(rules, batch_size=2000)
    examples = [(r.text, types[r.type].code) for r in rows if r.text]
    trained = save_classifier(jurisdiction, examples, rule_set=rule_set) if examples else None
    return Learned(rule_set=rule_set, rows=len(rows), departments=len(departments), teams=len(teams),
                   service_types=len(types), type_rules=sum(1 for r in routes if not r.area_id and not r.word),
                   area_rules=sum(1 for r in routes if r.area_id), word_rules=sum(1 for r in routes if r.word),
                   classifier_rows=trained.rows if trained else 0, new_types=[st.name for st in new_types],
                   half_life_days=half_life_days)


def _counts(rows, *, key, value) -> dict[str, Counter]:
    counts: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        counts[key(r)][value(r)] += 1
    return counts


def learn_from_own_history(jurisdiction: Jurisdiction) -> Learned | None:
    """A draft rule set learned from this installation's closed requests and transfers, with the decay chosen
    on the newest fifth of them; its note carries that evaluation. Never activated here. None: nothing to learn."""
    rows, _skipped = rows_from_requests(jurisdiction.pk)
    if not rows:
        return None
    layer = AreaLayer.objects.filter(jurisdiction=jurisdiction).order_by("pk").first()
    area_of = areas_of_rows(rows, layer)
    half_life, scores = choose_half_life(rows, area_of)
    learned = learn_rule_set(jurisdiction, rows, layer=layer, half_life_days=half_life, area_of=area_of)
    if scores:
        learned.rule_set.note = (learned.rule_set.note + "; " + _("queue accuracy on the newest fifth: %(score).3f")
                                 % {"score": max(score for _h, score in scores)})[:300]
        learned.rule_set.save(update_fields=["note"])
    return learned
