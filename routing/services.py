"""Routing's state changes: route a request, escalate overdue ones, activate a rule set, store a classifier.

Each is one transaction that locks what it changes and writes the history row beside it.
"""
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from requests_app.models import Jurisdiction, ServiceRequest, ServiceType, StatusChange
from requests_app.selectors import nearby_open_requests
from requests_app.statuses import OPEN_STATUSES, Priority, RoutingState

from . import classifier, engine
from .hours import add_business_hours, is_open
from .models import (Area, AreaLayer, Department, DuplicateWindow, PossibleDuplicate, RoutingDecision, RoutingRule,
                     RoutingSettings, RuleSet, SlaTarget, Team, TextClassifier)
from .selectors import reason_text

logger = logging.getLogger(__name__)

# When the classifier gives the filed type less than this, the text and the type disagree.
MISMATCH_PROBABILITY = 0.02
# Fewer words than this say too little to second-guess the resident's choice of type.
MIN_WORDS_TO_CLASSIFY = 3


class RuleSetNotDraft(Exception):
    pass


# --- Cached reads of what rarely changes ------------------------------------------------------------------------
# Rules and the classifier are read once per process and version; each routing checks the version in one query.
_rules_cache: dict[int, tuple[tuple, list[RoutingRule]]] = {}
_classifier_cache: dict[int, tuple[object, dict]] = {}


def rules_of(rule_set: RuleSet) -> list[RoutingRule]:
    key = (rule_set.pk, rule_set.version, rule_set.updated_at)
    cached = _rules_cache.get(rule_set.pk)
    if cached and cached[0] == key:
        return cached[1]
    rules = list(rule_set.rules.select_related("department", "team", "area", "area__layer", "service_type")
                 .order_by("order", "id"))
    _rules_cache[rule_set.pk] = (key, rules)
    return rules


def _classifier_model(jurisdiction_id: int) -> dict | None:
    row = TextClassifier.objects.filter(jurisdiction_id=jurisdiction_id).values("trained_at").first()
    if row is None:
        return None
    cached = _classifier_cache.get(jurisdiction_id)
    if cached and cached[0] == row["trained_at"]:
        return cached[1]
    model = TextClassifier.objects.get(jurisdiction_id=jurisdiction_id).model
    _classifier_cache[jurisdiction_id] = (row["trained_at"], model)
    return model


# --- Settings ----------------------------------------------------------------------------------------------------
def ensure_routing_settings(jurisdiction: Jurisdiction) -> RoutingSettings:
    """The jurisdiction's routing settings, made with a "Triage" department the first time they are needed."""
    found = RoutingSettings.objects.select_related("triage_department", "triage_team").filter(
        jurisdiction=jurisdiction).first()
    if found:
        return found
    department, _created = Department.objects.get_or_create(
        jurisdiction=jurisdiction, code="triage", defaults={"name": "Triage", "name_translations": {"zh-hans": "分诊"}})
    team, _created = Team.objects.get_or_create(
        department=department, code="triage", defaults={"name": "Triage", "name_translations": {"zh-hans": "分诊"}})
    found, _created = RoutingSettings.objects.get_or_create(
        jurisdiction=jurisdiction, defaults={"triage_department": department, "triage_team": team})
    return found


# --- Routing -----------------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    """The engine's choice for one request, before anything is written."""

    state: str
    department: Department
    team: Team | None
    rule: RoutingRule | None
    rule_set: RuleSet | None
    routed_type: ServiceType
    reason: str
    areas: list[Area]
    inputs: engine.Inputs
    suggestion: tuple[str, float] | None = None
    suggested_type: ServiceType | None = None


def _areas_covering(jurisdiction_id: int, point) -> list[Area]:
    if point is None:
        return []
    return list(Area.objects.filter(layer__jurisdiction_id=jurisdiction_id, boundary__covers=point)
                .select_related("layer").only("id", "code", "name", "name_translations", "layer__id",
                                              "layer__code", "layer__name").order_by("layer__code", "id"))


def decide(sr: ServiceRequest, *, rule_set: RuleSet | None, routing_settings: RoutingSettings,
           now=None, rule_filter=None) -> Outcome:
    """Choose a department and team for a request without writing anything (used by the router and the evaluator)."""
    jurisdiction = sr.jurisdiction
    now = now or timezone.now()
    local = now.astimezone(ZoneInfo(jurisdiction.timezone))
    areas = _areas_covering(jurisdiction.pk, sr.location)
    routed_type = sr.service_type
    suggestion, suggested_type, triage_reason = None, None, ""

    model = _classifier_model(jurisdiction.pk) if sr.description else None
    predictions = classifier.predict(model, sr.description) if model else []
    is_general = sr.service_type.code in routing_settings.general_type_codes
    if predictions:
        suggestion = predictions[0]
        suggested_type = ServiceType.objects.filter(jurisdiction=jurisdiction, code=suggestion[0]).first()
    if is_general:
        if suggested_type and suggestion[1] >= routing_settings.classifier_threshold:
            routed_type = suggested_type
        else:
            triage_reason = _("The description does not say clearly enough what kind of problem this is.")
    elif predictions and len(classifier.tokens(sr.description)) >= MIN_WORDS_TO_CLASSIFY:
        filed = dict(predictions).get(sr.service_type.code, 0.0)
        if suggested_type and suggested_type != sr.service_type and filed < MISMATCH_PROBABILITY:
            if suggestion[1] >= routing_settings.classifier_threshold:
                routed_type = suggested_type
            else:
                triage_reason = _("The description does not fit the service type chosen.")

    inputs = engine.Inputs(
        service_type_id=routed_type.pk, service_group=routed_type.group,
        area_ids={a.pk for a in areas}, layer_ids={a.layer_id for a in areas}, answers=sr.answers or {},
        description=sr.description, local_hour=local.hour,
        in_business_hours=is_open(routing_settings.business_hours, now, jurisdiction.timezone),
        priority=sr.priority)
    rule = None
    if not triage_reason:
        if sr.location is not None and not areas and jurisdiction.area_layers.exists():
            triage_reason = _("The location lies outside every area we know.")
        elif rule_set is None:
            triage_reason = _("No routing rules are active yet.")
        else:
            rules = rules_of(rule_set)
            rule = engine.first_match([r for r in rules if rule_filter(r)] if rule_filter else rules, inputs)
            if rule is None:
                triage_reason = _("No routing rule covers this request.")
    common = {"rule_set": rule_set, "routed_type": routed_type, "areas": areas, "inputs": inputs,
              "suggestion": suggestion, "suggested_type": suggested_type}
    if rule is None:
        return Outcome(state=RoutingState.TRIAGE, department=routing_settings.triage_department,
                       team=routing_settings.triage_team, rule=None, reason=triage_reason, **common)
    return Outcome(state=RoutingState.ROUTED, department=rule.department, team=rule.team, rule=rule,
                   reason=_("Rule %(rule)s matched.") % {"rule": rule}, **common)


def _pick_assignee(team: Team | None, strategy: str):
    if team is None or strategy == Team.Strategy.NONE:
        return None
    # Lock the team so two routings at once do not both pick the same "next" member.
    Team.objects.select_for_update().filter(pk=team.pk).first()
    members = list(team.members.filter(is_active=True).order_by("id"))
    if not members:
        return None
    if strategy == Team.Strategy.ROUND_ROBIN:
        last = (RoutingDecision.objects.filter(team=team, assignee__isnull=False)
                .order_by("-created_at", "-id").values_list("assignee_id", flat=True).first())
        ids = [m.pk for m in members]
        if last in ids:
            return members[(ids.index(last) + 1) % len(members)]
        return members[0]
    loads = dict(team.members.filter(is_active=True).annotate(
        load=Count("assigned_requests", filter=Q(assigned_requests__status__in=OPEN_STATUSES,
                                                 assigned_requests__team=team))).values_list("id", "load"))
    return min(members, key=lambda m: (loads.get(m.pk, 0), m.pk))


def sla_hours_for(jurisdiction_id: int, service_type_id: int, priority: int) -> int | None:
    """The most specific SLA target: type and priority, then type, then priority, then the jurisdiction's."""
    targets = SlaTarget.objects.filter(jurisdiction_id=jurisdiction_id).filter(
        Q(service_type_id=service_type_id) | Q(service_type__isnull=True)).filter(
        Q(priority=priority) | Q(priority__isnull=True)).values_list("service_type_id", "priority", "hours")
    ranked = sorted(targets, key=lambda t: (t[0] is None, t[1] is None))
    return ranked[0][2] if ranked else None


def _duplicates(sr: ServiceRequest, routing_settings: RoutingSettings) -> list[PossibleDuplicate]:
    if sr.location is None:
        return []
    window = DuplicateWindow.objects.filter(service_type_id=sr.service_type_id).first()
    metres = window.metres if window else routing_settings.duplicate_metres
    days = window.days if window else routing_settings.duplicate_days
    found = nearby_open_requests(service_type=sr.service_type, point=sr.location, metres=metres, days=days,
                                 exclude_id=sr.pk)
    rows = [PossibleDuplicate(service_request=sr, candidate=c, metres=c.distance.m) for c in found]
    PossibleDuplicate.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


@transaction.atomic
def route_request(service_request_id: int) -> RoutingDecision | None:
    """Route a waiting request: department, team, assignee, priority, due time, history note, duplicates.

    Idempotent: a request that is no longer waiting keeps its routing and its last decision is returned
    (None if staff placed it by hand). Raises ServiceRequest.DoesNotExist for an unknown id.
    """
    sr = (ServiceRequest.objects.select_for_update(of=("self",)).select_related("service_type", "jurisdiction")
          .get(pk=service_request_id))
    if sr.routing_state != RoutingState.PENDING:
        return sr.routing_decisions.first()
    jurisdiction = sr.jurisdiction
    routing_settings = ensure_routing_settings(jurisdiction)
    rule_set = RuleSet.objects.active().filter(jurisdiction=jurisdiction).first()
    now = timezone.now()
    outcome = decide(sr, rule_set=rule_set, routing_settings=routing_settings, now=now)
    rule = outcome.rule

    priority = rule.set_priority if rule and rule.set_priority else sr.priority
    strategy = (rule.assignment_strategy if rule and rule.assignment_strategy
                else outcome.team.assignment_strategy if outcome.team else Team.Strategy.NONE)
    assignee = _pick_assignee(outcome.team, strategy)
    hours = (rule.sla_hours if rule and rule.sla_hours
             else sla_hours_for(jurisdiction.pk, outcome.routed_type.pk, priority))
    expected_at = (add_business_hours(sr.submitted_at, hours, routing_settings.business_hours, jurisdiction.timezone)
                   if hours else None)
    reason_area = _reason_area(outcome.areas, rule)
    record = outcome.inputs.as_record() | {
        "reason_area_id": reason_area.pk if reason_area else None,
        "classifier_used": outcome.suggestion is not None,
    }
    decision = RoutingDecision.objects.create(
        service_request=sr, created_at=now, state=outcome.state, rule_set=rule_set,
        rule_set_version=rule_set.version if rule_set else None, rule=rule, rule_label=str(rule) if rule else "",
        inputs=record, routed_service_type=outcome.routed_type, suggested_service_type=outcome.suggested_type,
        suggested_department=_department_for_type(outcome.suggested_type, rule_set, outcome.inputs),
        confidence=outcome.suggestion[1] if outcome.suggestion else None, department=outcome.department,
        team=outcome.team, assignee=assignee, priority=priority, expected_at=expected_at, reason=outcome.reason)
    decision.areas.set(outcome.areas)
    duplicates = _duplicates(sr, routing_settings)

    with translation.override(jurisdiction.default_language):
        public_reason = reason_text(decision, reason_area)
    internal = outcome.reason
    if duplicates:
        internal += " " + _("Possible duplicates: %(ids)s.") % {
            "ids": ", ".join(d.candidate.public_id for d in duplicates)}
    StatusChange.objects.create(service_request=sr, at=now, old_status=sr.status, new_status=sr.status,
                                public_note=public_reason, internal_note=internal)
    sr.department, sr.team, sr.assignee = outcome.department, outcome.team, assignee
    sr.priority, sr.expected_at, sr.routing_state, sr.updated_at = priority, expected_at, outcome.state, now
    sr.save(update_fields=["department", "team", "assignee", "priority", "expected_at", "routing_state",
                           "updated_at"])
    return decision


def _reason_area(areas: list[Area], rule: RoutingRule | None) -> Area | None:
    if rule and rule.area_id:
        return rule.area
    if rule and rule.area_layer_id:
        return next((a for a in areas if a.layer_id == rule.area_layer_id), None)
    return areas[0] if areas else None


def _department_for_type(service_type: ServiceType | None, rule_set: RuleSet | None, inputs: engine.Inputs):
    if service_type is None or rule_set is None:
        return None
    probe = engine.Inputs(**{**inputs.__dict__, "service_type_id": service_type.pk,
                             "service_group": service_type.group})
    rule = engine.first_match(rules_of(rule_set), probe)
    return rule.department if rule else None


def route_waiting_requests(*, older_than_seconds: int, limit: int = 500) -> int:
    """Route requests still waiting after a while (a lost task, Redis down at filing); returns how many."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(ServiceRequest.objects.waiting_for_routing().filter(submitted_at__lte=cutoff)
               .order_by("submitted_at").values_list("pk", flat=True)[:limit])
    for pk in ids:
        try:
            route_request(pk)
        except Exception:  # one bad request must not stop the sweep; it stays pending and is logged
            logger.exception("routing request %s failed", pk)
    return len(ids)


# --- SLA escalation ----------------------------------------------------------------------------------------------
@transaction.atomic
def escalate_overdue_request(service_request_id: int, *, now=None) -> bool:
    """Mark an open request past its due time as overdue, raise its priority and tell the team leads.

    Returns False when it is not (or no longer) due for escalation.
    """
    now = now or timezone.now()
    sr = (ServiceRequest.objects.select_for_update(of=("self",)).select_related("service_type", "team")
          .get(pk=service_request_id))
    if sr.overdue or not sr.is_open or sr.expected_at is None or sr.expected_at > now:
        return False
    old_priority = sr.priority
    sr.priority = min(sr.priority + 1, Priority.URGENT)
    sr.overdue, sr.updated_at = True, now
    note = _("Past its target time (%(expected)s): marked overdue, priority %(old)s → %(new)s.") % {
        "expected": sr.expected_at.isoformat(timespec="minutes"), "old": Priority(old_priority).label,
        "new": Priority(sr.priority).label}
    StatusChange.objects.create(service_request=sr, at=now, old_status=sr.status, new_status=sr.status,
                                internal_note=note)
    sr.save(update_fields=["priority", "overdue", "updated_at"])
    if sr.team_id:
        transaction.on_commit(lambda: notify_team_leads_of_overdue(sr.pk))
    return True


def notify_team_leads_of_overdue(service_request_id: int) -> int:
    """Email the team leads that a request is overdue: its id, type and due time, never the resident's data."""
    sr = ServiceRequest.objects.select_related("service_type", "team").get(pk=service_request_id)
    leads = [u.email for u in sr.team.leads.filter(is_active=True).exclude(email="")] if sr.team else []
    if not leads:
        return 0
    subject = _("Overdue: request %(id)s (%(type)s)") % {"id": sr.public_id, "type": sr.service_type.name}
    body = _("Request %(id)s (%(type)s) in team %(team)s was due at %(expected)s and is not resolved. "
             "Its priority is now %(priority)s.") % {
        "id": sr.public_id, "type": sr.service_type.name, "team": sr.team.name,
        "expected": sr.expected_at.isoformat(timespec="minutes"), "priority": Priority(sr.priority).label}
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, leads)


def escalate_overdue_requests(*, now=None, limit: int = 1000) -> int:
    """Escalate every open request past its due time; returns how many were escalated."""
    now = now or timezone.now()
    ids = list(ServiceRequest.objects.open().filter(overdue=False, expected_at__lt=now)
               .order_by("expected_at").values_list("pk", flat=True)[:limit])
    return sum(escalate_overdue_request(pk, now=now) for pk in ids)


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
        state=RuleSet.State.RETIRED, updated_at=now)
    rule_set.state, rule_set.activated_at, rule_set.updated_at = RuleSet.State.ACTIVE, now, now
    rule_set.save(update_fields=["state", "activated_at", "updated_at"])
    return rule_set


def next_rule_set_version(jurisdiction: Jurisdiction) -> int:
    last = RuleSet.objects.filter(jurisdiction=jurisdiction).order_by("-version").values_list("version", flat=True)
    return (last.first() or 0) + 1


@transaction.atomic
def save_classifier(jurisdiction: Jurisdiction, examples: list[tuple[str, str]]) -> TextClassifier:
    """Train the jurisdiction's text classifier on (text, service type code) pairs and store it."""
    model = classifier.train(examples)
    found, _created = TextClassifier.objects.update_or_create(
        jurisdiction=jurisdiction, defaults={"model": model, "rows": sum(model["docs"].values()),
                                             "trained_at": timezone.now()})
    return found


@transaction.atomic
def copy_rule_set(rule_set: RuleSet) -> RuleSet:
    """A new draft with the same rules, to edit and evaluate before it replaces the active one."""
    draft = RuleSet.objects.create(jurisdiction_id=rule_set.jurisdiction_id,
                                   version=next_rule_set_version(rule_set.jurisdiction),
                                   note=_("Copy of version %(version)s") % {"version": rule_set.version})
    rules = list(rule_set.rules.all())
    for rule in rules:
        rule.pk, rule.rule_set = None, draft
    RoutingRule.objects.bulk_create(rules)
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


def prepare_area_features(features: list[dict], *, name_field: str, code_field: str | None = None,
                          repair: bool = False) -> list[tuple[str, str, MultiPolygon]]:
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
def import_area_layer(jurisdiction: Jurisdiction, *, code: str, name: str,
                      areas: list[tuple[str, str, MultiPolygon]], progress=None) -> tuple[AreaLayer, int]:
    """Create or refresh an area layer from prepared areas; returns the layer and how many areas are new."""
    layer, _created = AreaLayer.objects.get_or_create(jurisdiction=jurisdiction, code=code, defaults={"name": name})
    created = 0
    for area_code, area_name, boundary in areas:
        _area, was_created = Area.objects.update_or_create(layer=layer, code=area_code,
                                                           defaults={"name": area_name, "boundary": boundary})
        created += was_created
        if progress:
            progress.advance()
    return layer, created
