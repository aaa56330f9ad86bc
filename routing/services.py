"""Routing's state changes: route a request, escalate overdue ones, activate a rule set, store a classifier.

Each is one transaction that locks what it changes and writes the history row beside it.
"""

import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from config import config_cache
from requests_app.models import Jurisdiction, ServiceRequest, ServiceType, StatusChange
from requests_app.selectors import NearbyProbe, nearby_open_requests_for_many
from requests_app.statuses import OPEN_STATUSES, RoutingState

from . import classifier, dispatch_model, engine
from .clocks import Calendars, SlaTable, new_clock, save_clocks
from .hours import is_open
from .models import (
    Area,
    AreaLayer,
    Department,
    DuplicateWindow,
    PossibleDuplicate,
    RoutingDecision,
    RoutingModel,
    RoutingRule,
    RoutingSettings,
    RuleSet,
    Team,
    TextClassifier,
)
from .selectors import reason_text
from .signals import requests_routed

logger = logging.getLogger(__name__)


class RuleSetNotDraft(Exception):
    pass


# --- Cached reads of what rarely changes ------------------------------------------------------------------------
# Rules and the classifier are read once per process and version; each routing checks the version in one query.
_rules_cache: dict[int, tuple[tuple, list[RoutingRule]]] = {}
_classifier_cache: dict[int, tuple[tuple, dict]] = {}


def rules_of(rule_set: RuleSet) -> list[RoutingRule]:
    key = (rule_set.pk, rule_set.version, rule_set.updated_at)
    cached = _rules_cache.get(rule_set.pk)
    if cached and cached[0] == key:
        return cached[1]
    rules = list(
        rule_set.rules.select_related("department", "team", "area", "area__layer", "service_type").order_by(
            "order", "id"
        )
    )
    _rules_cache[rule_set.pk] = (key, rules)
    return rules


def _classifier_row(jurisdiction_id: int, rule_set: RuleSet | None):
    """The rule set's own model; a jurisdiction's unversioned model (trained before versions) serves any."""
    rows = TextClassifier.objects.filter(jurisdiction_id=jurisdiction_id)
    own = rows.filter(rule_set=rule_set) if rule_set else rows.none()
    return (
        own.values("pk", "trained_at").first() or rows.filter(rule_set__isnull=True).values("pk", "trained_at").first()
    )


def classifier_model_for(jurisdiction_id: int, rule_set: RuleSet | None = None) -> dict | None:
    row = _classifier_row(jurisdiction_id, rule_set)
    if row is None:
        return None
    key = (row["pk"], row["trained_at"])
    cached = _classifier_cache.get(row["pk"])
    if cached and cached[0] == key:
        return cached[1]
    model = TextClassifier.objects.get(pk=row["pk"]).model
    _classifier_cache[row["pk"]] = (key, model)
    return model


@dataclass
class LearnedRouting:
    """A rule set's routing model, ready to use: the model, which targets it decides, and its teams by id."""

    model: dispatch_model.DispatchModel
    decides: dict
    teams: dict[int, Team]


_routing_model_cache: dict[int, tuple[tuple, LearnedRouting]] = {}


def learned_routing_for(rule_set: RuleSet | None) -> LearnedRouting | None:
    """The rule set's own routing model, unpickled once per process and model version (one small query else)."""
    if rule_set is None:
        return None
    row = RoutingModel.objects.filter(rule_set=rule_set).values("pk", "trained_at").first()
    if row is None:
        return None
    key = (row["pk"], row["trained_at"])
    cached = _routing_model_cache.get(rule_set.pk)
    if cached and cached[0] == key:
        return cached[1]
    stored = RoutingModel.objects.get(pk=row["pk"])
    model = dispatch_model.loads(stored.data)
    teams = Team.objects.select_related("department").in_bulk([int(c) for c in model.classifier.classes_])
    learned = LearnedRouting(model=model, decides=stored.decides, teams=teams)
    _routing_model_cache[rule_set.pk] = (key, learned)
    return learned


def suggest_service_type(jurisdiction: Jurisdiction, text: str) -> tuple[ServiceType, float] | None:
    """The type the live text model thinks a description is about, with its confidence (None: no idea).

    A suggestion only: routing follows a type the resident chose; pages may offer this as "looks like".
    """
    rule_set = RuleSet.objects.active().filter(jurisdiction=jurisdiction).first()
    model = classifier_model_for(jurisdiction.pk, rule_set)
    predictions = classifier.predict(model, text) if model and text.strip() else []
    if not predictions:
        return None
    code, confidence = predictions[0]
    found = ServiceType.objects.filter(jurisdiction=jurisdiction, code=code).first()
    return (found, confidence) if found else None


# --- Settings ----------------------------------------------------------------------------------------------------
def ensure_routing_settings(jurisdiction: Jurisdiction) -> RoutingSettings:
    """The jurisdiction's routing settings, made with a "Triage" department the first time they are needed."""
    found = (
        RoutingSettings.objects.select_related("triage_department", "triage_team")
        .filter(jurisdiction=jurisdiction)
        .first()
    )
    if found:
        return found
    department, _created = Department.objects.get_or_create(
        jurisdiction=jurisdiction, code="triage", defaults={"name": "Triage", "name_translations": {"zh-hans": "分诊"}}
    )
    team, _created = Team.objects.get_or_create(
        department=department, code="triage", defaults={"name": "Triage", "name_translations": {"zh-hans": "分诊"}}
    )
    found, _created = RoutingSettings.objects.get_or_create(
        jurisdiction=jurisdiction, defaults={"triage_department": department, "triage_team": team}
    )
    return found


# --- Routing -----------------------------------------------------------------------------------------------------
@dataclass
class Context:
    """What routing one jurisdiction's requests needs, read once per batch."""

    jurisdiction: Jurisdiction
    routing_settings: RoutingSettings
    rule_set: RuleSet | None
    rules: list[RoutingRule]
    model: dict | None
    has_layers: bool
    calendars: Calendars
    learned: LearnedRouting | None = None
    types_by_code: dict = field(default_factory=dict)

    @classmethod
    def load(cls, jurisdiction: Jurisdiction, rule_set: RuleSet | None = None) -> "Context":
        """The jurisdiction's active rule set unless ``rule_set`` is given (a draft being evaluated)."""
        rule_set = rule_set or RuleSet.objects.active().filter(jurisdiction=jurisdiction).first()
        routing_settings = ensure_routing_settings(jurisdiction)
        return cls(
            jurisdiction=jurisdiction,
            routing_settings=routing_settings,
            rule_set=rule_set,
            rules=rules_of(rule_set) if rule_set else [],
            model=classifier_model_for(jurisdiction.pk, rule_set),
            has_layers=jurisdiction.area_layers.exists(),
            calendars=Calendars(routing_settings, jurisdiction),
            learned=learned_routing_for(rule_set),
        )

    def service_type(self, code: str) -> ServiceType | None:
        if code not in self.types_by_code:
            self.types_by_code[code] = ServiceType.objects.filter(jurisdiction=self.jurisdiction, code=code).first()
        return self.types_by_code[code]


@dataclass
class Outcome:
    """The engine's choice for one request, before anything is written."""

    state: str
    department: Department
    team: Team | None
    rule: RoutingRule | None
    routed_type: ServiceType
    reason: str
    areas: list[Area]
    inputs: engine.Inputs
    suggestion: tuple[str, float] | None = None
    suggested_type: ServiceType | None = None
    learned: dict | None = None  # what the routing model saw and how sure it was, when it decided


AREAS_SQL = """
    SELECT p.i, a.id
    FROM unnest(%s::int[], %s::float8[], %s::float8[]) AS p(i, x, y)
    JOIN routing_area a ON ST_Covers(a.boundary, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326))
    JOIN routing_arealayer l ON l.id = a.layer_id AND l.jurisdiction_id = %s
"""


def areas_covering(jurisdiction_id: int, points: list) -> list[list[Area]]:
    """The areas of every layer of a jurisdiction that cover each point (None: no point), in one query."""
    located = [(i, p) for i, p in enumerate(points) if p is not None]
    found: list[list[Area]] = [[] for _p in points]
    if not located:
        return found
    with connection.cursor() as cursor:
        cursor.execute(
            AREAS_SQL,
            [[i for i, _p in located], [p.x for _i, p in located], [p.y for _i, p in located], jurisdiction_id],
        )
        pairs = cursor.fetchall()
    areas = {
        a.pk: a
        for a in Area.objects.filter(pk__in={area_id for _i, area_id in pairs})
        .select_related("layer")
        .only("id", "code", "name", "name_translations", "layer__id", "layer__code", "layer__name")
    }
    for i, area_id in pairs:
        found[i].append(areas[area_id])
    for row in found:
        row.sort(key=lambda a: (a.layer.code, a.pk))
    return found


def decide(
    sr: ServiceRequest,
    ctx: Context,
    *,
    areas: list[Area],
    now=None,
    rule_filter=None,
    decides: dict | None = None,
    use_model: bool = True,
) -> Outcome:
    """Choose a department and team for a request without writing anything (used by the router and the evaluator).

    Rules written by people decide first. Where only learned rules (or none) match, the rule set's routing
    model decides the targets it won on validation, and fills in where no learned rule matches at all.
    The evaluator narrows this: ``rule_filter`` keeps some rules, ``decides`` overrides the stored choice of
    method per target, ``use_model=False`` leaves the model out.
    """
    jurisdiction, routing_settings = ctx.jurisdiction, ctx.routing_settings
    now = now or timezone.now()
    local = now.astimezone(ZoneInfo(jurisdiction.timezone))
    routed_type = sr.service_type
    suggestion, suggested_type, triage_reason = None, None, ""

    # The text model only fills in what the resident left open: a catch-all type is sorted by its words, a
    # chosen type is never outvoted (a "missing manhole cover" filed as Street Defects stays Street Defects).
    # For a chosen type the suggestion is still kept on the decision, for staff to see.
    predictions = classifier.predict(ctx.model, sr.description) if ctx.model and sr.description else []
    if predictions:
        suggestion = predictions[0]
        suggested_type = ctx.service_type(suggestion[0])
    if sr.service_type.code in routing_settings.general_type_codes:
        if suggested_type and suggestion[1] >= routing_settings.classifier_threshold:
            routed_type = suggested_type
        else:
            triage_reason = _("The description does not say clearly enough what kind of problem this is.")

    inputs = engine.Inputs(
        service_type_id=routed_type.pk,
        service_group=routed_type.group,
        area_ids={a.pk for a in areas},
        layer_ids={a.layer_id for a in areas},
        answers=sr.answers or {},
        description=sr.description,
        local_hour=local.hour,
        in_business_hours=is_open(
            routing_settings.business_hours, now, jurisdiction.timezone, closed_days=ctx.calendars.closed_days
        ),
        priority=sr.priority,
    )
    rule = None
    if not triage_reason:
        if sr.location is not None and not areas and ctx.has_layers:
            triage_reason = _("The location lies outside every area we know.")
        elif ctx.rule_set is None:
            triage_reason = _("No routing rules are active yet.")
        else:
            rules = [r for r in ctx.rules if rule_filter(r)] if rule_filter else ctx.rules
            rule = engine.first_match(rules, inputs)
            if use_model and ctx.learned and (rule is None or rule.learned or rule.is_unconditional):
                decides = ctx.learned.decides if decides is None else decides
                by_target = {target: _learned_rule(rules, rule, method, inputs) for target, method in decides.items()}
                signals = dispatch_model.Signals(
                    service_type=routed_type.name,
                    area_ids=[a.pk for a in areas],
                    text=sr.description,
                    answers=sr.answers or {},
                    opened=local,
                )
                chosen = _learned_choice(ctx.learned, signals, by_target, decides, areas)
                if chosen is not None:
                    department, team, learned = chosen
                    return Outcome(
                        state=RoutingState.ROUTED,
                        department=department,
                        team=team,
                        rule=None,
                        reason=learned.pop("reason"),
                        learned=learned,
                        routed_type=routed_type,
                        areas=areas,
                        inputs=inputs,
                        suggestion=suggestion,
                        suggested_type=suggested_type,
                    )
                rule = by_target.get("queue", rule)
            if rule is None:
                triage_reason = _("No routing rule covers this request.")
    common = {
        "routed_type": routed_type,
        "areas": areas,
        "inputs": inputs,
        "suggestion": suggestion,
        "suggested_type": suggested_type,
    }
    if rule is None:
        return Outcome(
            state=RoutingState.TRIAGE,
            department=routing_settings.triage_department,
            team=routing_settings.triage_team,
            rule=None,
            reason=triage_reason,
            **common,
        )
    return Outcome(
        state=RoutingState.ROUTED,
        department=rule.department,
        team=rule.team,
        rule=rule,
        reason=_("Rule %(rule)s matched.") % {"rule": rule},
        **common,
    )


def type_only(rule: RoutingRule) -> bool:
    """The baseline: rules that look at nothing but the service type (and the fallback)."""
    return not (rule.area_id or rule.area_layer_id or rule.words or rule.answer_code)


def type_and_area(rule: RoutingRule) -> bool:
    """The second baseline: the most common queue for the type in each area (no words, no answers)."""
    return not (rule.words or rule.answer_code)


# Which learned rules each rule method may use (the model is a method of its own).
LEARNED_RULES = {"type": type_only, "type_area": type_and_area}


def _learned_rule(rules: list[RoutingRule], rule: RoutingRule | None, method: str, inputs):
    """The rule a target's method picks: the first match among the learned rules that method may use."""
    keep = LEARNED_RULES.get(method)
    if keep is None or rule is None or not rule.learned:
        return rule
    return engine.first_match([r for r in rules if not r.learned or keep(r)], inputs)


def _open(rule: RoutingRule | None) -> bool:
    return rule is None or rule.is_unconditional


def _learned_choice(learned: LearnedRouting, signals, by_target: dict, decides: dict, areas: list[Area]):
    """(department, team, explanation) where the model decides a target, else None (the rules stand).

    The model decides the targets it won on validation and those no learned rule covers. Its department is
    the one its teams add up to most; the team is its likeliest within the department, unless rules decide
    the queue and their team belongs to that department.
    """
    by_model = {t: decides.get(t) == "model" or _open(by_target.get(t)) for t in ("department", "queue")}
    # A type the model never saw (made after it learned) is left to the rules and to triage, not to guesses.
    if not any(by_model.values()) or not learned.model.knows_type(signals.service_type):
        return None
    likely = [(learned.teams[t], p) for t, p in learned.model.probabilities(signals) if t in learned.teams]
    if not likely:
        return None
    if by_model["department"]:
        totals: dict[int, float] = {}
        for team, p in likely:
            totals[team.department_id] = totals.get(team.department_id, 0.0) + p
        best = max(totals, key=totals.get)
        department = next(team.department for team, _p in likely if team.department_id == best)
    else:
        department = by_target["department"].department
    rule_team = None if by_model["queue"] else by_target["queue"].team
    if rule_team is not None and rule_team.department_id == department.pk:
        team, probability = rule_team, {t.pk: p for t, p in likely}.get(rule_team.pk, 0.0)
    else:
        team, probability = next(((t, p) for t, p in likely if t.department_id == department.pk), (None, 0.0))
    said = [_signal_label(token, areas) for token in learned.model.explain(signals, team.pk)] if team else []
    reason = _("The learned routing model chose %(team)s with probability %(p).2f, from: %(signals)s.") % {
        "team": team or department,
        "p": probability,
        "signals": ", ".join(dict.fromkeys(said)) or _("the type"),
    }
    return (
        department,
        team,
        {
            "reason": reason,
            "probability": round(probability, 4),
            "signals": said,
            "decided": [t for t, yes in by_model.items() if yes],
        },
    )


def _signal_label(token: str, areas: list[Area]) -> str:
    """A model feature in a dispatcher's words: the type, an area by name, an answer, the time, or words."""
    names = {str(a.pk): a.name for a in areas}
    last = token.rsplit("|", 1)[-1]
    kind, _sep, value = last.partition("=")
    if kind == "area":
        return _("area %(name)s") % {"name": names.get(value, value)}
    if kind == "type":
        return _("the type")
    if kind == "answer":
        return _("the answer %(answer)s") % {"answer": value}
    if kind in ("hour", "weekday"):
        return _("the time of day and week")
    return _("the words «%(text)s»") % {"text": token.strip()}


class _Assigner:
    """Picks assignees for one batch; each team is locked and read once, then kept up to date in memory."""

    def __init__(self):
        self.members: dict[int, list] = {}
        self.next_index: dict[int, int] = {}
        self.loads: dict[int, dict[int, int]] = {}

    def pick(self, team: Team | None, strategy: str):
        if team is None or strategy == Team.Strategy.NONE:
            return None
        if team.pk not in self.members:
            # Lock the team so two routers at once do not both pick the same "next" member.
            Team.objects.select_for_update().filter(pk=team.pk).first()
            self.members[team.pk] = list(team.members.filter(is_active=True).order_by("id"))
        members = self.members[team.pk]
        if not members:
            return None
        if strategy == Team.Strategy.ROUND_ROBIN:
            if team.pk not in self.next_index:
                last = (
                    RoutingDecision.objects.filter(team=team, assignee__isnull=False)
                    .order_by("-created_at", "-id")
                    .values_list("assignee_id", flat=True)
                    .first()
                )
                ids = [m.pk for m in members]
                self.next_index[team.pk] = (ids.index(last) + 1) % len(ids) if last in ids else 0
            chosen = members[self.next_index[team.pk]]
            self.next_index[team.pk] = (self.next_index[team.pk] + 1) % len(members)
            return chosen
        if team.pk not in self.loads:
            self.loads[team.pk] = dict(
                team.members.filter(is_active=True)
                .annotate(
                    load=Count(
                        "assigned_requests",
                        filter=Q(assigned_requests__status__in=OPEN_STATUSES, assigned_requests__team=team),
                    )
                )
                .values_list("id", "load")
            )
        loads = self.loads[team.pk]
        chosen = min(members, key=lambda m: (loads.get(m.pk, 0), m.pk))
        loads[chosen.pk] = loads.get(chosen.pk, 0) + 1
        return chosen


def _duplicates(srs: list[ServiceRequest], routing_settings: RoutingSettings) -> dict[int, list[str]]:
    """Open requests of the same type nearby for each request, in one round trip, linked for staff."""
    located = [sr for sr in srs if sr.location is not None]
    if not located:
        return {}
    windows = {
        w.service_type_id: w
        for w in DuplicateWindow.objects.filter(service_type_id__in={sr.service_type_id for sr in located})
    }
    probes = []
    for sr in located:
        window = windows.get(sr.service_type_id)
        probes.append(
            NearbyProbe(
                key=sr.pk,
                service_type_id=sr.service_type_id,
                point=sr.location,
                exclude_id=sr.pk,
                metres=window.metres if window else routing_settings.duplicate_metres,
                days=window.days if window else routing_settings.duplicate_days,
            )
        )
    found = nearby_open_requests_for_many(probes)
    PossibleDuplicate.objects.bulk_create(
        [
            PossibleDuplicate(service_request_id=sr_id, candidate_id=pk, metres=metres)
            for sr_id, rows in found.items()
            for pk, _public_id, metres in rows
        ],
        ignore_conflicts=True,
    )
    return {sr_id: [public_id for _pk, public_id, _metres in rows] for sr_id, rows in found.items()}


def _locked_for_routing(requests):
    # FOR NO KEY UPDATE, not FOR UPDATE: routing changes no key of the request, and the weaker lock lets another
    # routing transaction link this request as a possible duplicate meanwhile (that insert's foreign key check
    # takes FOR KEY SHARE on it). With FOR UPDATE two nearby requests routed at once each waited for the other's
    # row: PostgreSQL broke the deadlock by failing one, left waiting for routing until the sweep.
    return requests.select_for_update(no_key=True, of=("self",))


def route_request(service_request_id: int) -> RoutingDecision | None:
    """Route a waiting request: department, team, assignee, priority, due time, history note, duplicates.

    Idempotent: a request that is no longer waiting keeps its routing and its last decision is returned
    (None if staff placed it by hand). Raises ServiceRequest.DoesNotExist for an unknown id.
    """
    with transaction.atomic():
        sr = (
            _locked_for_routing(ServiceRequest.objects)
            .select_related("service_type", "jurisdiction")
            .get(pk=service_request_id)
        )
        if sr.routing_state != RoutingState.PENDING:
            return sr.routing_decisions.first()
        return _route_locked([sr])[0]


def route_waiting_requests(*, older_than_seconds: int, limit: int = 5000, batch: int = 500) -> int:
    """Route requests still waiting after a while (a lost task, Redis down at filing); returns how many.

    Batches are locked with SKIP LOCKED, so several sweepers and the per-request tasks never route one twice.
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    done = 0
    while done < limit:
        srs: list[ServiceRequest] = []
        try:
            with transaction.atomic():
                srs = list(
                    ServiceRequest.objects.waiting_for_routing()
                    .filter(submitted_at__lte=cutoff)
                    .select_for_update(skip_locked=True, no_key=True, of=("self",))  # _locked_for_routing
                    .select_related("service_type", "jurisdiction")
                    .order_by("submitted_at", "pk")[: min(batch, limit - done)]
                )
                if srs:
                    _route_locked(srs)
        except Exception:  # one bad request must not stop the sweep: route this batch one by one instead
            logger.exception("routing a batch failed; routing its requests one by one")
            srs = _route_one_by_one([sr.pk for sr in srs])
        if not srs:
            break
        done += len(srs)
    return done


def _route_one_by_one(ids: list[int]) -> list[int]:
    for pk in ids:
        try:
            route_request(pk)
        except Exception:  # it stays pending and is logged; the next sweep tries again
            logger.exception("routing request %s failed", pk)
    return ids


def _route_locked(srs: list[ServiceRequest]) -> list[RoutingDecision]:
    """Route requests already locked in the current transaction; returns their decisions in the same order."""
    now = timezone.now()
    decisions: dict[int, RoutingDecision] = {}
    by_jurisdiction: dict[int, list[ServiceRequest]] = {}
    for sr in srs:
        by_jurisdiction.setdefault(sr.jurisdiction_id, []).append(sr)
    for group in by_jurisdiction.values():
        decisions.update(_route_group(group, Context.load(group[0].jurisdiction), now))
    return [decisions[sr.pk] for sr in srs]


def _route_group(srs: list[ServiceRequest], ctx: Context, now) -> dict[int, RoutingDecision]:
    jurisdiction, routing_settings = ctx.jurisdiction, ctx.routing_settings
    assigner, sla, calendars = _Assigner(), SlaTable(jurisdiction.pk), ctx.calendars
    decisions, area_links, reason_areas, clocks = [], [], [], []
    for sr, areas in zip(srs, areas_covering(jurisdiction.pk, [sr.location for sr in srs]), strict=False):
        outcome = decide(sr, ctx, areas=areas, now=now)
        rule = outcome.rule
        priority = rule.set_priority if rule and rule.set_priority else sr.priority
        strategy = (
            rule.assignment_strategy
            if rule and rule.assignment_strategy
            else outcome.team.assignment_strategy
            if outcome.team
            else Team.Strategy.NONE
        )
        hours = rule.sla_hours if rule and rule.sla_hours else sla.hours(outcome.routed_type.pk, priority)
        clock = new_clock(
            sr,
            start=sr.submitted_at,
            calendar=calendars.of(outcome.department),
            acknowledge_hours=sla.acknowledge_hours(outcome.routed_type.pk, priority),
            resolve_hours=hours,
        )
        clocks.append(clock)
        reason_area = _reason_area(outcome.areas, rule)
        reason_areas.append(reason_area)
        decisions.append(
            RoutingDecision(
                service_request=sr,
                created_at=now,
                state=outcome.state,
                rule_set=ctx.rule_set,
                rule_set_version=ctx.rule_set.version if ctx.rule_set else None,
                rule=rule,
                rule_label=str(rule) if rule else "",
                inputs=outcome.inputs.as_record()
                | {
                    "reason_area_id": reason_area.pk if reason_area else None,
                    "classifier_used": outcome.suggestion is not None,
                    "learned_model": outcome.learned,
                },
                routed_service_type=outcome.routed_type,
                suggested_service_type=outcome.suggested_type,
                suggested_department=_department_for_type(outcome.suggested_type, ctx, outcome.inputs),
                confidence=outcome.suggestion[1] if outcome.suggestion else None,
                department=outcome.department,
                team=outcome.team,
                assignee=assigner.pick(outcome.team, strategy),
                priority=priority,
                expected_at=clock.resolve_due_at,
                reason=outcome.reason,
            )
        )
        area_links.append(outcome.areas)
    RoutingDecision.objects.bulk_create(decisions)
    RoutingDecision.areas.through.objects.bulk_create(
        [
            RoutingDecision.areas.through(routingdecision_id=d.pk, area_id=a.pk)
            for d, areas in zip(decisions, area_links, strict=False)
            for a in areas
        ]
    )
    duplicates = _duplicates(srs, routing_settings)

    notes = []
    with translation.override(jurisdiction.default_language):
        for sr, decision, area in zip(srs, decisions, reason_areas, strict=False):
            # The public explanation is read from the latest decision when a page is shown (routing_reason_for),
            # never frozen into the public history: a routing staff later correct must not stay on show.
            internal = f"{reason_text(decision, area)} {decision.reason}"
            if duplicates.get(sr.pk):
                internal += " " + _("Possible duplicates: %(ids)s.") % {"ids": ", ".join(duplicates[sr.pk])}
            notes.append(
                StatusChange(
                    service_request=sr, at=now, old_status=sr.status, new_status=sr.status, internal_note=internal
                )
            )
            sr.department, sr.team, sr.assignee = decision.department, decision.team, decision.assignee
            sr.priority, sr.expected_at, sr.routing_state = decision.priority, decision.expected_at, decision.state
            sr.updated_at = now
    StatusChange.objects.bulk_create(notes)
    save_clocks(clocks)
    _save_routing(srs, now)
    requests_routed.send(sender=RoutingDecision, service_requests=srs)
    return {d.service_request_id: d for d in decisions}


SAVE_ROUTING_SQL = """
UPDATE requests_app_servicerequest AS sr
SET department_id = v.department_id, team_id = v.team_id, assignee_id = v.assignee_id, priority = v.priority,
    expected_at = v.expected_at, routing_state = v.routing_state, updated_at = %s
FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::int[], %s::smallint[], %s::timestamptz[], %s::text[])
     AS v(id, department_id, team_id, assignee_id, priority, expected_at, routing_state)
WHERE sr.id = v.id
"""


def _save_routing(srs: list[ServiceRequest], now) -> None:
    # One statement for the whole batch; Django's bulk_update builds a CASE per field and row, far slower.
    with connection.cursor() as cursor:
        cursor.execute(
            SAVE_ROUTING_SQL,
            [
                now,
                [sr.pk for sr in srs],
                [sr.department_id for sr in srs],
                [sr.team_id for sr in srs],
                [sr.assignee_id for sr in srs],
                [sr.priority for sr in srs],
                [sr.expected_at for sr in srs],
                [sr.routing_state for sr in srs],
            ],
        )


def _reason_area(areas: list[Area], rule: RoutingRule | None) -> Area | None:
    if rule and rule.area_id:
        return rule.area
    if rule and rule.area_layer_id:
        return next((a for a in areas if a.layer_id == rule.area_layer_id), None)
    return areas[0] if areas else None


def _department_for_type(service_type: ServiceType | None, ctx: Context, inputs: engine.Inputs):
    if service_type is None or ctx.rule_set is None:
        return None
    probe = engine.Inputs(
        **{**inputs.__dict__, "service_type_id": service_type.pk, "service_group": service_type.group}
    )
    rule = engine.first_match(ctx.rules, probe)
    return rule.department if rule else None


# --- Rule sets and the classifier --------------------------------------------------------------------------------
@transaction.atomic
def activate_rule_set(rule_set: RuleSet) -> RuleSet:
    """Make a draft the jurisdiction's active rule set; the previous active one is retired.

    Raises RuleSetNotDraft for a rule set that is not a draft.
    """
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if rule_set.state != RuleSet.State.DRAFT:
        raise RuleSetNotDraft(rule_set.pk)
    now = timezone.now()
    RuleSet.objects.filter(jurisdiction_id=rule_set.jurisdiction_id, state=RuleSet.State.ACTIVE).update(
        state=RuleSet.State.RETIRED, updated_at=now
    )
    rule_set.state, rule_set.activated_at, rule_set.updated_at = RuleSet.State.ACTIVE, now, now
    rule_set.save(update_fields=["state", "activated_at", "updated_at"])
    # Rules and the types, departments and teams an import brought go live together.
    rule_set.new_service_types.update(active=True)
    rule_set.new_departments.update(active=True)
    rule_set.new_teams.update(active=True)
    config_cache.bump()  # the types' update() sends no post_save
    return rule_set


def next_rule_set_version(jurisdiction: Jurisdiction) -> int:
    last = RuleSet.objects.filter(jurisdiction=jurisdiction).order_by("-version").values_list("version", flat=True)
    return (last.first() or 0) + 1


@transaction.atomic
def save_classifier(
    jurisdiction: Jurisdiction, examples: list[tuple[str, str]], *, rule_set: RuleSet | None = None
) -> TextClassifier:
    """Train a text classifier on (text, service type code) pairs and store it with the rule set it belongs to.

    Raises RuleSetNotDraft for a rule set already active or retired: its model changes only with a new draft.
    """
    if rule_set is not None:
        rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
        if rule_set.state != RuleSet.State.DRAFT:
            raise RuleSetNotDraft(rule_set.pk)
    model = classifier.train(examples)
    found, _created = TextClassifier.objects.update_or_create(
        jurisdiction=jurisdiction,
        rule_set=rule_set,
        defaults={"model": model, "rows": sum(model["docs"].values()), "trained_at": timezone.now()},
    )
    return found


@transaction.atomic
def copy_rule_set(rule_set: RuleSet) -> RuleSet:
    """A new draft with the same rules, to edit and evaluate before it replaces the active one."""
    draft = RuleSet.objects.create(
        jurisdiction_id=rule_set.jurisdiction_id,
        version=next_rule_set_version(rule_set.jurisdiction),
        note=_("Copy of version %(version)s") % {"version": rule_set.version},
    )
    rules = list(rule_set.rules.all())
    for rule in rules:
        rule.pk, rule.rule_set = None, draft
    RoutingRule.objects.bulk_create(rules)
    model = TextClassifier.objects.filter(rule_set=rule_set).first()
    if model is not None:
        model.pk, model.rule_set, model.trained_at = None, draft, timezone.now()
        model.save()
    routing_model = RoutingModel.objects.filter(rule_set=rule_set).first()
    if routing_model is not None:
        routing_model.pk, routing_model.rule_set, routing_model.trained_at = None, draft, timezone.now()
        routing_model.save()
    return draft


# --- Area layers -------------------------------------------------------------------------------------------------
class InvalidGeometries(Exception):
    """Raised with [(feature number, feature name, problem)] when features can't be imported as they are."""

    def __init__(self, problems: list[tuple[int, str, str]]):
        super().__init__(f"{len(problems)} invalid features")
        self.problems = problems


def _polygons_of(geom) -> MultiPolygon | None:
    if geom.geom_type == "Polygon":
        return MultiPolygon(geom, srid=4326)
    if geom.geom_type == "MultiPolygon":
        return geom
    if geom.geom_type == "GeometryCollection":
        parts = [p for g in geom for p in (g if g.geom_type == "MultiPolygon" else [g]) if p.geom_type == "Polygon"]
        return MultiPolygon(*parts, srid=4326) if parts else None
    return None


def prepare_area_features(
    features: list[dict], *, name_field: str, code_field: str | None = None, repair: bool = False
) -> list[tuple[str, str, MultiPolygon]]:
    """Check every feature of a GeoJSON layer and return (code, name, boundary) for each.

    Raises InvalidGeometries listing every bad feature; with ``repair`` invalid shapes are made valid instead.
    """
    prepared, problems = [], []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") or {}
        name = str(properties.get(name_field) or "").strip()
        code = slugify(str(properties.get(code_field) or "")) if code_field else slugify(name)
        label = name or f"#{number}"
        if not name or not code:
            problems.append((number, label, _("no %(field)s property") % {"field": code_field or name_field}))
            continue
        try:
            geom = GEOSGeometry(json.dumps(feature.get("geometry")), srid=4326)
        except (GEOSException, GDALException, ValueError, TypeError) as exc:
            problems.append((number, label, _("unreadable geometry (%(error)s)") % {"error": exc}))
            continue
        if not geom.valid:
            if not repair:
                problems.append((number, label, geom.valid_reason))
                continue
            geom = geom.make_valid()
        boundary = _polygons_of(geom)
        if boundary is None or boundary.empty:
            problems.append((number, label, _("not a polygon (%(type)s)") % {"type": geom.geom_type}))
            continue
        prepared.append((code[:120], name[:200], boundary))
    if problems:
        raise InvalidGeometries(problems)
    return prepared


@transaction.atomic
def import_area_layer(
    jurisdiction: Jurisdiction, *, code: str, name: str, areas: list[tuple[str, str, MultiPolygon]], progress=None
) -> tuple[AreaLayer, int]:
    """Create or refresh an area layer from prepared areas; returns the layer and how many areas are new."""
    layer, _created = AreaLayer.objects.get_or_create(jurisdiction=jurisdiction, code=code, defaults={"name": name})
    created = 0
    for area_code, area_name, boundary in areas:
        _area, was_created = Area.objects.update_or_create(
            layer=layer, code=area_code, defaults={"name": area_name, "boundary": boundary}
        )
        created += was_created
        if progress:
            progress.advance()
    return layer, created
