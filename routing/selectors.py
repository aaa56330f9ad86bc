"""Routing reads: the public reason, everything stored for staff, and what is wrong with a rule set."""

from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from requests_app.models import Jurisdiction, ServiceType
from requests_app.statuses import RoutingState

from . import classifier, engine
from .config import classifier_model_for
from .models import Area, PossibleDuplicate, RoutingDecision, RoutingRule, RuleSet


def reason_text(decision: RoutingDecision, area: Area | None) -> str:
    """The plain-language, public reason for a decision, in the active language. No personal data."""
    language = translation.get_language()
    values = {
        "type": decision.routed_service_type.localized_name(language) if decision.routed_service_type else "",
        "department": decision.department.localized_name(language) if decision.department else "",
        "team": decision.team.localized_name(language) if decision.team else "",
        "area": area.localized_name(language) if area else "",
    }
    if decision.state == RoutingState.TRIAGE:
        return _("%(type)s goes to %(department)s, where a person decides who handles it.") % values
    if area and decision.team:
        return _("%(type)s in %(area)s goes to %(department)s, %(team)s.") % values
    if area:
        return _("%(type)s in %(area)s goes to %(department)s.") % values
    if decision.team:
        return _("%(type)s goes to %(department)s, %(team)s.") % values
    return _("%(type)s goes to %(department)s.") % values


def latest_decision(service_request) -> RoutingDecision | None:
    return (
        RoutingDecision.objects.filter(service_request_id=service_request.pk)
        .select_related("routed_service_type", "department", "team")
        .order_by("-created_at", "-id")
        .first()
    )


def routing_reason_for(service_request, language: str | None = None) -> str:
    """Why the request went where it went, in plain words for the requester (no personal data, no staff names)."""
    language = language or service_request.jurisdiction.default_language
    with translation.override(language):
        if service_request.routing_state == RoutingState.PENDING:
            return _("Your request is waiting to be sent to the team that handles it.")
        decision = latest_decision(service_request)
        if decision is None:
            return _("Staff sent this request to the team that handles it.")
        if decision.inputs.get("staff_choice") or decision.department_id != service_request.department_id:
            # Staff corrected the routing: the engine's reason no longer explains where the request is.
            department = service_request.department
            if department is None:
                return _("Staff sent this request to the team that handles it.")
            return _("Staff sent this request to %(department)s.") % {"department": department.localized_name(language)}
        area_id = decision.inputs.get("reason_area_id")
        area = Area.objects.filter(pk=area_id).first() if area_id else None
        return reason_text(decision, area)


def decision_for_staff(service_request) -> dict:
    """Everything stored about how a request was routed, for staff: every decision, newest first, and duplicates."""
    decisions = (
        RoutingDecision.objects.filter(service_request_id=service_request.pk)
        .select_related(
            "rule",
            "rule_set",
            "routed_service_type",
            "suggested_service_type",
            "suggested_department",
            "department",
            "team",
            "assignee",
        )
        .prefetch_related("areas__layer")
        .order_by("-created_at", "-id")
    )
    duplicates = (
        PossibleDuplicate.objects.filter(service_request_id=service_request.pk)
        .select_related("candidate__service_type")
        .order_by("metres")
    )
    return {
        "routing_state": service_request.routing_state,
        "decisions": [
            {
                "at": d.created_at,
                "state": d.state,
                "rule_set_version": d.rule_set_version,
                "rule": d.rule_label,
                "rule_id": d.rule_id,
                "reason": d.reason,
                "areas": [{"layer": a.layer.code, "code": a.code, "name": a.name} for a in d.areas.all()],
                "inputs": d.inputs,
                "routed_service_type": d.routed_service_type.code if d.routed_service_type else None,
                "suggested_service_type": d.suggested_service_type.code if d.suggested_service_type else None,
                "suggested_department": d.suggested_department.name if d.suggested_department else None,
                "confidence": d.confidence,
                "department": d.department.name if d.department else None,
                "team": d.team.name if d.team else None,
                "assignee": d.assignee.get_username() if d.assignee else None,
                "priority": d.priority,
                "expected_at": d.expected_at,
            }
            for d in decisions
        ],
        "possible_duplicates": [
            {"public_id": p.candidate.public_id, "metres": round(p.metres, 1), "status": p.candidate.status}
            for p in duplicates
        ],
    }


def rule_set_problems(rule_set: RuleSet) -> list[str]:
    """What an operator should fix: rules that can never match, teams outside their department, types with no route."""
    rules = list(rule_set.rules.select_related("area", "service_type", "team").order_by("order", "id"))
    problems = []
    for rule_pk, shadow in engine.never_matching(rules).items():
        rule = next(r for r in rules if r.pk == rule_pk)
        if shadow is None:
            problems.append(_("Rule %(rule)s can never match: its conditions contradict each other.") % {"rule": rule})
        else:
            problems.append(
                _("Rule %(rule)s can never match: rule %(earlier)s before it takes every request it would.")
                % {"rule": rule, "earlier": shadow}
            )
    for rule in rules:
        if rule.team_id and rule.team.department_id != rule.department_id:
            problems.append(_("Rule %(rule)s sends to a team outside its department.") % {"rule": rule})
    for st in service_types_without_route(rule_set, rules):
        problems.append(_("No rule routes service type %(type)s: its requests go to triage.") % {"type": st.name})
    return problems


def service_types_without_route(rule_set: RuleSet, rules: list[RoutingRule] | None = None) -> list[ServiceType]:
    """Active service types that no rule can route (rules limited to an area still count as a route)."""
    rules = rules if rules is not None else list(rule_set.rules.all())
    typed = {r.service_type_id for r in rules if r.service_type_id}
    groups = {r.service_group.lower() for r in rules if r.service_group}
    catch_all = any(not r.service_type_id and not r.service_group for r in rules)
    if catch_all:
        return []
    return [
        st
        for st in ServiceType.objects.filter(jurisdiction_id=rule_set.jurisdiction_id, active=True).order_by("name")
        if st.pk not in typed and st.group.lower() not in groups
    ]


def areas_for_points(layer_id: int, points: list[tuple[float, float]]) -> dict[int, int]:
    """Which area of a layer covers each (lon, lat) point, in one query: {point index: area id}."""
    if not points:
        return {}
    sql = """
        SELECT p.i, (SELECT a.id FROM routing_area a
                     WHERE a.layer_id = %s AND ST_Covers(a.boundary, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326))
                     ORDER BY a.id LIMIT 1)
        FROM unnest(%s::int[], %s::float8[], %s::float8[]) AS p(i, x, y)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [layer_id, list(range(len(points))), [p[0] for p in points], [p[1] for p in points]])
        return {i: area_id for i, area_id in cursor.fetchall() if area_id is not None}


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
