"""Turn a city's 311 history into a draft rule set: one route per type where the type decides, per-area routes
where the area decides, a fallback to triage, and a text classifier trained on the history's own words."""
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from requests_app.models import Jurisdiction, ServiceType

from .history import HistoryRow
from .models import Area, AreaLayer, Department, RoutingRule, RuleSet, Team
from .selectors import areas_for_points
from .services import ensure_routing_settings, next_rule_set_version, save_classifier

# An area needs this many rows of a type before it may overrule the type's usual queue.
MIN_AREA_ROWS = 3


@dataclass
class Learned:
    rule_set: RuleSet
    rows: int
    departments: int
    teams: int
    service_types: int
    type_rules: int
    area_rules: int
    classifier_rows: int
    new_types: list[str] = field(default_factory=list)


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
    new_types.append(name)
    return ServiceType.objects.create(jurisdiction=jurisdiction, code=code, name=name[:200])


@transaction.atomic
def learn_rule_set(jurisdiction: Jurisdiction, rows: list[HistoryRow], *, layer: AreaLayer | None,
                   progress=None) -> Learned:
    """Make departments, teams (queues), service types and a draft rule set reproducing the history."""
    routing_settings = ensure_routing_settings(jurisdiction)
    departments: dict[str, Department] = {}
    queue_department = {}
    for queue, counts in _counts(rows, key=lambda r: r.queue, value=lambda r: r.department).items():
        queue_department[queue] = counts.most_common(1)[0][0]
    teams = {queue: _team(_department(jurisdiction, dept, departments), queue)
             for queue, dept in sorted(queue_department.items())}
    new_types: list[str] = []
    types = {name: _service_type(jurisdiction, name, new_types) for name in sorted({r.type for r in rows})}

    located = [(i, r) for i, r in enumerate(rows) if r.lat is not None]
    area_of, area_names = {}, {}
    if layer is not None:
        area_names = dict(Area.objects.filter(layer=layer).values_list("id", "name"))
        found = areas_for_points(layer.pk, [(r.lon, r.lat) for _i, r in located])
        area_of = {located[j][0]: area_id for j, area_id in found.items()}

    rule_set = RuleSet.objects.create(jurisdiction=jurisdiction, version=next_rule_set_version(jurisdiction),
                                      note=_("Learned from %(n)d history rows") % {"n": len(rows)})
    by_type = _counts(rows, key=lambda r: r.type, value=lambda r: r.queue)
    by_type_area: dict[tuple, Counter] = defaultdict(Counter)
    for i, r in enumerate(rows):
        if i in area_of:
            by_type_area[(r.type, area_of[i])][r.queue] += 1
    rules, order, area_rules = [], 0, 0
    for name in sorted(by_type):
        usual = by_type[name].most_common(1)[0][0]
        for (kind, area_id), counts in sorted(by_type_area.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            if kind != name or sum(counts.values()) < MIN_AREA_ROWS:
                continue
            best, best_n = counts.most_common(1)[0]
            if best != usual and best_n > counts[usual]:
                order += 1
                area_rules += 1
                rules.append(RoutingRule(rule_set=rule_set, order=order, name=f"{name} / {area_names[area_id]}"[:200],
                                         service_type=types[name], area_id=area_id,
                                         department=teams[best].department, team=teams[best]))
        order += 1
        rules.append(RoutingRule(rule_set=rule_set, order=order, name=name[:200], service_type=types[name],
                                 department=teams[usual].department, team=teams[usual]))
        if progress:
            progress.advance()
    rules.append(RoutingRule(rule_set=rule_set, order=order + 1, name=_("Fallback: triage"),
                             department=routing_settings.triage_department, team=routing_settings.triage_team))
    RoutingRule.objects.bulk_create(rules)
    examples = [(r.text, types[r.type].code) for r in rows if r.text]
    trained = save_classifier(jurisdiction, examples, rule_set=rule_set) if examples else None
    return Learned(rule_set=rule_set, rows=len(rows), departments=len(departments), teams=len(teams),
                   service_types=len(types), type_rules=len(by_type), area_rules=area_rules,
                   classifier_rows=trained.rows if trained else 0, new_types=new_types)


def _counts(rows, *, key, value) -> dict[str, Counter]:
    counts: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        counts[key(r)][value(r)] += 1
    return counts
