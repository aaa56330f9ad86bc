"""Routing requests: department, team, assignee, priority, due time, history note and duplicates.

A batch of locked requests is routed in one transaction that writes each decision and history row beside it.
"""

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from requests_app.models import ServiceRequest, StatusChange
from requests_app.statuses import RoutingState

from .areas import areas_covering
from .assignment import Assigner
from .clocks import new_clock, save_clocks
from .config import Context, context_for
from .decisions import decide, department_for_type, reason_area
from .duplicates import link_possible_duplicates
from .models import RoutingDecision, Team
from .selectors import reason_text
from .signals import requests_routed


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
        return route_locked([sr])[0]


def route_locked(srs: list[ServiceRequest]) -> list[RoutingDecision]:
    """Route requests already locked in the current transaction; returns their decisions in the same order."""
    now = timezone.now()
    decisions: dict[int, RoutingDecision] = {}
    by_jurisdiction: dict[int, list[ServiceRequest]] = {}
    for sr in srs:
        by_jurisdiction.setdefault(sr.jurisdiction_id, []).append(sr)
    for group in by_jurisdiction.values():
        decisions.update(_route_group(group, context_for(group[0].jurisdiction), now))
    return [decisions[sr.pk] for sr in srs]


def _route_group(srs: list[ServiceRequest], ctx: Context, now) -> dict[int, RoutingDecision]:
    jurisdiction = ctx.jurisdiction
    assigner, sla, calendars = Assigner(), ctx.sla, ctx.calendars
    decisions, area_links, reason_areas, clocks = [], [], [], []
    covering = areas_covering(jurisdiction.pk, [sr.location for sr in srs], known=ctx.areas)
    for sr, areas in zip(srs, covering, strict=False):
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
        area = reason_area(outcome.areas, rule)
        reason_areas.append(area)
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
                    "reason_area_id": area.pk if area else None,
                    "classifier_used": outcome.suggestion is not None,
                    "learned_model": outcome.learned,
                },
                routed_service_type=outcome.routed_type,
                suggested_service_type=outcome.suggested_type,
                suggested_department=department_for_type(outcome.suggested_type, ctx, outcome.inputs),
                confidence=outcome.suggestion[1] if outcome.suggestion else None,
                department=outcome.department,
                team=outcome.team,
                assignee_id=assigner.pick(outcome.team, strategy),
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
    duplicates = link_possible_duplicates(srs, ctx)

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
            sr.department, sr.team, sr.assignee_id = decision.department, decision.team, decision.assignee_id
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
