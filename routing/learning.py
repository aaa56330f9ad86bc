"""Turn a city's 311 history into a draft rule set: departments, teams (queues) and service types, the learned
rule table, a routing model over every signal, a fallback to triage, and a text classifier for untyped requests.

Nothing of it is live until an operator activates the draft: new types, departments and teams stay inactive.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from requests_app.models import Jurisdiction, ServiceType

from . import dispatch_model
from .config import ensure_routing_settings
from .history import HistoryRow, rows_from_requests
from .models import Area, AreaLayer, Department, RoutingModel, RoutingRule, RuleSet, Team
from .rule_table import decay_weights, plan_routes
from .rulesets import next_rule_set_version, save_classifier
from .selectors import areas_for_points
from .validation import Choice, choose, chunks, signals_of


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
    decides: dict = field(default_factory=dict)


def _department(jurisdiction, name: str, cache: dict) -> Department:
    if name not in cache:
        found = Department.objects.filter(jurisdiction=jurisdiction, name=name[:200]).first()
        # Made by an import: a draft until an operator activates the rule set that brought it.
        cache[name] = found or Department.objects.create(
            jurisdiction=jurisdiction,
            name=name[:200],
            active=False,
            code=_free_code(jurisdiction, slugify(name)[:60] or "dept"),
        )
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
    return Team.objects.create(department=department, name=name[:200], code=code, active=False)


def _service_type(jurisdiction, name: str, new_types: list) -> ServiceType:
    code = slugify(name)[:60] or "other"
    found = ServiceType.objects.filter(jurisdiction=jurisdiction, code=code).first()
    if found:
        return found
    # Residents can't file it yet: it goes live when an operator activates the rule set that brought it.
    created = ServiceType.objects.create(jurisdiction=jurisdiction, code=code, name=name[:200], active=False)
    new_types.append(created)
    return created


# Points looked up per query: a million rows in one query would hold every point and answer in memory twice.
AREA_CHUNK = 50_000


def areas_of_rows(rows: list[HistoryRow], layer: AreaLayer | None, progress=None) -> dict[int, int]:
    """{row index: id of the layer's area covering it}, one query per AREA_CHUNK rows (progress advances by
    area_steps(rows))."""
    if layer is None:
        return {}
    areas = {}
    for start in range(0, len(rows), AREA_CHUNK):
        chunk = [i for i in range(start, min(start + AREA_CHUNK, len(rows))) if rows[i].lat is not None]
        found = areas_for_points(layer.pk, [(rows[i].lon, rows[i].lat) for i in chunk])
        areas.update((chunk[j], area_id) for j, area_id in found.items())
        if progress:
            progress.advance()
    return areas


def area_steps(rows: list[HistoryRow]) -> int:
    return -(-len(rows) // AREA_CHUNK)


def areas_at_every_layer(
    rows: list[HistoryRow], jurisdiction: Jurisdiction, known: dict[int, dict[int, int]] | None = None, progress=None
) -> dict[int, list[int]]:
    """{row index: ids of the areas covering it, one per layer the city has}; ``known``: {layer id: the
    areas_of_rows already looked up for it}, so a layer's points are looked up once."""
    found: dict[int, list[int]] = defaultdict(list)
    for layer in AreaLayer.objects.filter(jurisdiction=jurisdiction).order_by("pk"):
        of_layer = (known or {}).get(layer.pk)
        for i, area_id in (areas_of_rows(rows, layer, progress) if of_layer is None else of_layer).items():
            found[i].append(area_id)
    return found


@transaction.atomic
def learn_rule_set(
    jurisdiction: Jurisdiction,
    rows: list[HistoryRow],
    *,
    layer: AreaLayer | None,
    half_life_days: float | None = None,
    area_of: dict[int, int] | None = None,
    area_ids: dict[int, list[int]] | None = None,
    choice: Choice | None = None,
    progress=None,
    model_progress=None,
) -> Learned:
    """Make departments, teams (queues), service types and a draft rule set from history, with its routing
    model and text model. ``choice`` (from validation.choose) says which method decides each target and with
    which half-life; without one the rule table decides and the model fills in where no learned rule matches.

    Nothing of it is live: new service types, departments and teams stay inactive until the rule set is activated.
    """
    if choice is not None:
        half_life_days = choice.half_life_days
    routing_settings = ensure_routing_settings(jurisdiction)
    departments: dict[str, Department] = {}
    queue_department = {}
    for queue, counts in _counts(rows, key=lambda r: r.queue, value=lambda r: r.department).items():
        queue_department[queue] = counts.most_common(1)[0][0]
    teams = {
        queue: _team(_department(jurisdiction, dept, departments), queue)
        for queue, dept in sorted(queue_department.items())
    }
    new_types: list[ServiceType] = []
    types = {name: _service_type(jurisdiction, name, new_types) for name in sorted({r.type for r in rows})}
    area_of = areas_of_rows(rows, layer) if area_of is None else area_of
    area_names = dict(Area.objects.filter(layer=layer).values_list("id", "name")) if layer else {}

    note = _("Learned from %(n)d history rows") % {"n": len(rows)}
    if half_life_days:
        note += _(", half-life %(days)s days") % {"days": f"{half_life_days:g}"}
    rule_set = RuleSet.objects.create(jurisdiction=jurisdiction, version=next_rule_set_version(jurisdiction), note=note)
    rule_set.new_service_types.set(new_types)
    rule_set.new_departments.set([d for d in departments.values() if not d.active])
    rule_set.new_teams.set([t for t in teams.values() if not t.active])
    routes = plan_routes(rows, area_of, half_life_days)
    rules = []
    for order, route in enumerate(routes, start=1):
        team = teams[route.queue]
        label = (
            route.type
            + (f" / {area_names[route.area_id]}" if route.area_id else "")
            + (f" / «{route.word}»" if route.word else "")
        )
        rules.append(
            RoutingRule(
                rule_set=rule_set,
                order=order,
                name=label[:200],
                service_type=types[route.type],
                area_id=route.area_id,
                words=[route.word] if route.word else [],
                department=team.department,
                team=team,
                learned=True,
            )
        )
        if progress and not route.area_id and not route.word:
            progress.advance()
    rules.append(
        RoutingRule(
            rule_set=rule_set,
            order=len(routes) + 1,
            name=_("Fallback: triage"),
            department=routing_settings.triage_department,
            team=routing_settings.triage_team,
        )
    )
    RoutingRule.objects.bulk_create(rules, batch_size=2000)
    examples = [(r.text, types[r.type].code) for r in rows if r.text]
    trained = save_classifier(jurisdiction, examples, rule_set=rule_set) if examples else None
    area_ids = areas_at_every_layer(rows, jurisdiction) if area_ids is None else area_ids
    decides = choice.decides if choice else {"department": "rules", "queue": "rules"}
    if rows:  # an empty history (a city starting fresh) has nothing to fit: its rules and triage route alone
        model = _train_model(rows, area_ids, jurisdiction.timezone, teams, half_life_days, model_progress)
        RoutingModel.objects.create(
            rule_set=rule_set,
            rows=len(rows),
            half_life_days=half_life_days,
            decides=decides,
            validation=choice.as_dict() if choice else {},
            data=dispatch_model.dumps(model),
        )
    return Learned(
        rule_set=rule_set,
        rows=len(rows),
        departments=len(departments),
        teams=len(teams),
        service_types=len(types),
        type_rules=sum(1 for r in routes if not r.area_id and not r.word),
        area_rules=sum(1 for r in routes if r.area_id),
        word_rules=sum(1 for r in routes if r.word),
        classifier_rows=trained.rows if trained else 0,
        new_types=[st.name for st in new_types],
        half_life_days=half_life_days,
        decides=decides,
    )


def _train_model(rows, area_ids, timezone, teams, half_life_days, progress=None) -> dispatch_model.DispatchModel:
    """The routing model, learned chunk by chunk: only one chunk's signals and features are held at a time."""
    counts = dispatch_model.Counts(team.pk for team in teams.values())
    newest = max((r.opened for r in rows if r.opened is not None), default=None)
    for chunk in chunks(range(len(rows))):
        batch = signals_of(rows, area_ids, timezone, chunk)
        weights = decay_weights([rows[i].opened for i in chunk], half_life_days, newest)
        counts.add(dispatch_model.features(batch), batch, [teams[rows[i].queue].pk for i in chunk], weights)
        if progress:
            progress.advance()
    return counts.model()


def _counts(rows, *, key, value) -> dict[str, Counter]:
    counts: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        counts[key(r)][value(r)] += 1
    return counts


def learn_with_choice(
    jurisdiction: Jurisdiction,
    rows: list[HistoryRow],
    *,
    layer: AreaLayer | None,
    half_life_days: float | None | str = "auto",
) -> tuple[Learned, Choice]:
    """Choose the method per target (and the half-life, unless given) on the newest fifth of ``rows``, then
    learn the draft from all of them. The rows are the training period only: the caller keeps its test rows."""
    area_of = areas_of_rows(rows, layer)
    area_ids = areas_at_every_layer(rows, jurisdiction, known={layer.pk: area_of} if layer else None)
    candidates = None if half_life_days == "auto" else (half_life_days,)
    choice = choose(
        rows, area_of, area_ids, jurisdiction.timezone, **({} if candidates is None else {"half_lives": candidates})
    )
    learned = learn_rule_set(jurisdiction, rows, layer=layer, area_of=area_of, area_ids=area_ids, choice=choice)
    return learned, choice


def learn_from_own_history(jurisdiction: Jurisdiction) -> Learned | None:
    """A draft rule set learned from this installation's closed requests and transfers, the decay and the
    method chosen on the newest fifth of them; its note carries that evaluation. Never activated here.
    None: nothing to learn."""
    rows, _skipped = rows_from_requests(jurisdiction.pk)
    if not rows:
        return None
    layer = AreaLayer.objects.filter(jurisdiction=jurisdiction).order_by("pk").first()
    half_life = ensure_routing_settings(jurisdiction).learn_half_life_days
    learned, choice = learn_with_choice(jurisdiction, rows, layer=layer, half_life_days=half_life or "auto")
    best = [s for s in choice.scores if s.half_life_days == choice.half_life_days]
    if best:
        learned.rule_set.note = (
            learned.rule_set.note
            + "; "
            + _("on the newest fifth: department accuracy %(d).3f, queue accuracy %(q).3f")
            % {"d": max(s.department for s in best), "q": max(s.queue for s in best)}
        )[:300]
        learned.rule_set.save(update_fields=["note"])
    return learned
