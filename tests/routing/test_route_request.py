from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from requests_app.models import ServiceRequest, StatusChange
from requests_app.statuses import Priority, RoutingState, Status
from routing.models import DuplicateWindow, RoutingDecision, SlaTarget, Team
from routing.router import route_request
from routing.sweep import route_waiting_requests
from tests.factories import ServiceRequestFactory, ServiceTypeFactory, TeamFactory, UserFactory

from .conftest import AT_SEA, HERE, SOUTH

pytestmark = pytest.mark.django_db
SOUTH_500M = Point(-122.4194, 37.7704, srid=4326)


def test_the_first_matching_rule_decides_and_the_decision_records_why(
    pothole, department, team, other_department, downtown, south, make_rule_set
):
    south_team = TeamFactory(department=other_department, name="South crew")
    rule_set = make_rule_set(
        {
            "name": "Potholes in the south",
            "service_type": pothole,
            "area": south,
            "department": other_department,
            "team": south_team,
        },
        {"name": "Potholes", "service_type": pothole, "department": department, "team": team},
    )
    sr = ServiceRequestFactory(service_type=pothole, location=SOUTH)

    decision = route_request(sr.pk)

    sr.refresh_from_db()
    assert (sr.department, sr.team, sr.routing_state) == (other_department, south_team, RoutingState.ROUTED)
    assert decision.rule.name == "Potholes in the south"
    assert decision.rule_set_version == rule_set.version
    assert list(decision.areas.all()) == [south]
    assert decision.inputs["service_type_id"] == pothole.pk


def test_it_writes_one_staff_history_note_and_keeps_the_public_reason_live(
    pothole, department, team, downtown, make_rule_set
):
    make_rule_set({"service_type": pothole, "department": department, "team": team})
    sr = ServiceRequestFactory(service_type=pothole, location=HERE)
    route_request(sr.pk)
    note = StatusChange.objects.get(service_request=sr)
    assert note.old_status == note.new_status == Status.SUBMITTED
    assert note.public_note == ""
    assert note.internal_note.startswith("Pothole in Downtown goes to Public Works, Streets.")


def test_a_second_delivery_routes_once(pothole, department, team, downtown, make_rule_set):
    make_rule_set({"service_type": pothole, "department": department, "team": team})
    sr = ServiceRequestFactory(service_type=pothole, location=HERE)
    first = route_request(sr.pk)
    second = route_request(sr.pk)
    assert first == second
    assert RoutingDecision.objects.filter(service_request=sr).count() == 1
    assert StatusChange.objects.filter(service_request=sr).count() == 1


def test_a_point_outside_every_area_goes_to_triage_with_the_reason(
    pothole, department, team, downtown, routing_settings, make_rule_set
):
    make_rule_set({"service_type": pothole, "department": department, "team": team})
    sr = ServiceRequestFactory(service_type=pothole, location=AT_SEA)
    decision = route_request(sr.pk)
    sr.refresh_from_db()
    assert sr.routing_state == RoutingState.TRIAGE
    assert sr.department == routing_settings.triage_department
    assert "outside every area" in decision.reason


def test_a_request_no_rule_covers_goes_to_triage(pothole, jurisdiction, department, team, downtown, make_rule_set):
    make_rule_set({"service_group": "Parks", "department": department, "team": team})
    sr = ServiceRequestFactory(service_type=pothole, location=HERE)
    decision = route_request(sr.pk)
    assert decision.state == RoutingState.TRIAGE
    assert decision.reason == "No routing rule covers this request."
    assert sr.__class__.objects.get(pk=sr.pk).department.code == "triage"


def test_without_an_active_rule_set_nothing_is_left_unrouted(pothole, downtown):
    sr = ServiceRequestFactory(service_type=pothole, location=HERE)
    route_request(sr.pk)
    sr.refresh_from_db()
    assert sr.routing_state == RoutingState.TRIAGE and sr.department is not None


def test_a_rule_can_raise_the_priority_and_set_the_due_time_in_business_hours(
    pothole, department, team, downtown, routing_settings, make_rule_set
):
    routing_settings.business_hours = {str(d): ["09:00", "17:00"] for d in range(5)}
    routing_settings.save()
    make_rule_set(
        {
            "service_type": pothole,
            "words": ["sinkhole"],
            "department": department,
            "team": team,
            "set_priority": Priority.URGENT,
            "sla_hours": 4,
        }
    )
    # Friday 15:00 in San Francisco: two hours left that day, two more on Monday morning.
    friday = datetime(2025, 6, 6, 22, 0, tzinfo=UTC)
    sr = ServiceRequestFactory(
        service_type=pothole, location=HERE, description="A sinkhole opened", submitted_at=friday
    )
    route_request(sr.pk)
    sr.refresh_from_db()
    assert sr.priority == Priority.URGENT
    assert sr.expected_at == datetime(2025, 6, 9, 18, 0, tzinfo=UTC)  # Monday 11:00 local


def test_the_most_specific_sla_target_sets_the_due_time(
    pothole, jurisdiction, department, team, downtown, make_rule_set
):
    SlaTarget.objects.create(jurisdiction=jurisdiction, hours=100)
    SlaTarget.objects.create(jurisdiction=jurisdiction, service_type=pothole, hours=10)
    make_rule_set({"service_type": pothole, "department": department, "team": team})
    sr = ServiceRequestFactory(service_type=pothole, location=HERE, submitted_at=timezone.now())
    route_request(sr.pk)
    sr.refresh_from_db()
    assert (sr.expected_at - sr.submitted_at).total_seconds() == 10 * 3600


def test_round_robin_takes_turns_among_the_team(pothole, department, team, downtown, make_rule_set):
    team.assignment_strategy = Team.Strategy.ROUND_ROBIN
    team.save()
    alice, bob = UserFactory(username="a-member"), UserFactory(username="b-member")
    team.members.add(alice, bob)
    make_rule_set({"service_type": pothole, "department": department, "team": team})
    assignees = []
    for _ in range(3):
        sr = ServiceRequestFactory(service_type=pothole, location=HERE)
        route_request(sr.pk)
        sr.refresh_from_db()
        assignees.append(sr.assignee)
    assert assignees == [alice, bob, alice]


def test_least_open_work_picks_the_member_with_fewest_open_requests(pothole, department, team, downtown, make_rule_set):
    busy, free = UserFactory(username="busy"), UserFactory(username="free")
    team.members.add(busy, free)
    ServiceRequestFactory(service_type=pothole, team=team, assignee=busy, routing_state=RoutingState.ROUTED)
    make_rule_set(
        {
            "service_type": pothole,
            "department": department,
            "team": team,
            "assignment_strategy": Team.Strategy.LEAST_OPEN,
        }
    )
    sr = ServiceRequestFactory(service_type=pothole, location=HERE)
    route_request(sr.pk)
    sr.refresh_from_db()
    assert sr.assignee == free


def test_open_requests_of_the_same_type_nearby_are_linked_as_possible_duplicates(
    pothole, department, team, downtown, make_rule_set
):
    make_rule_set({"service_type": pothole, "department": department, "team": team})
    earlier = ServiceRequestFactory(service_type=pothole, location=HERE, routing_state=RoutingState.ROUTED)
    ServiceRequestFactory(service_type=pothole, location=SOUTH, routing_state=RoutingState.ROUTED)
    sr = ServiceRequestFactory(service_type=pothole, location=HERE)
    route_request(sr.pk)
    assert [d.candidate for d in sr.possible_duplicates.all()] == [earlier]
    assert earlier.public_id in StatusChange.objects.get(service_request=sr).internal_note


def test_the_sweep_routes_old_waiting_requests_of_every_jurisdiction_in_batches(
    pothole, department, team, downtown, make_rule_set
):
    make_rule_set({"service_type": pothole, "department": department, "team": team})
    elsewhere = ServiceTypeFactory()
    old = timezone.now() - timedelta(minutes=5)
    waiting = [ServiceRequestFactory(service_type=pothole, location=HERE, submitted_at=old) for _ in range(3)]
    other_city = ServiceRequestFactory(service_type=elsewhere, submitted_at=old)
    fresh = ServiceRequestFactory(service_type=pothole, location=HERE)

    assert route_waiting_requests(older_than_seconds=60, batch=2) == 4

    states = dict(ServiceRequest.objects.values_list("pk", "routing_state"))
    assert [states[sr.pk] for sr in waiting] == [RoutingState.ROUTED] * 3
    assert states[other_city.pk] == RoutingState.TRIAGE  # its city has no rules yet
    assert states[fresh.pk] == RoutingState.PENDING  # its own task is still on the way


def test_a_per_type_duplicate_window_overrides_the_jurisdictions(pothole, department, team, downtown, make_rule_set):
    make_rule_set({"service_type": pothole, "department": department, "team": team})
    DuplicateWindow.objects.create(service_type=pothole, metres=1000, days=1)
    ServiceRequestFactory(service_type=pothole, location=HERE, submitted_at=timezone.now() - timedelta(days=3))
    farther = ServiceRequestFactory(service_type=pothole, location=SOUTH_500M)
    sr = ServiceRequestFactory(service_type=pothole, location=HERE)
    route_request(sr.pk)
    assert [d.candidate for d in sr.possible_duplicates.all()] == [farther]
