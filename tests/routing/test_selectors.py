import pytest

from requests_app.statuses import RoutingState
from routing.router import route_request
from routing.selectors import decision_for_staff, routing_reason_for, rule_set_problems
from staffing.services import transfer
from tests.factories import ServiceRequestFactory, ServiceTypeFactory

from .conftest import HERE

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(pothole, department, team, downtown, make_rule_set):
    pothole.name_translations = {"zh-hans": "坑洞"}
    pothole.save()
    department.name_translations = {"zh-hans": "公共工程局"}
    department.save()
    make_rule_set({"name": "Potholes", "service_type": pothole, "department": department, "team": team})
    sr = ServiceRequestFactory(service_type=pothole, location=HERE)
    route_request(sr.pk)
    sr.refresh_from_db()
    return sr


def test_the_public_reason_names_type_area_department_and_team(routed):
    assert routing_reason_for(routed) == "Pothole in Downtown goes to Public Works, Streets."


def test_the_public_reason_speaks_chinese(routed):
    assert routing_reason_for(routed, language="zh-hans") == "坑洞（Downtown）由公共工程局 Streets 处理。"


def test_the_public_reason_never_shows_a_routing_staff_corrected(routed, other_department, staff):
    transfer(routed, to_department=other_department, reason="Not ours: water main", by=staff)
    routed.refresh_from_db()
    assert routing_reason_for(routed) == f"Staff sent this request to {other_department.name}."
    assert not routed.status_changes.filter(public_note__contains="Public Works").exists()


def test_a_waiting_request_says_it_is_waiting(pothole):
    sr = ServiceRequestFactory(service_type=pothole)
    assert routing_reason_for(sr) == "Your request is waiting to be sent to the team that handles it."


def test_staff_see_everything_stored(routed, downtown):
    stored = decision_for_staff(routed)
    decision = stored["decisions"][0]
    assert stored["routing_state"] == RoutingState.ROUTED
    assert (decision["rule"], decision["rule_set_version"], decision["team"]) == ("Potholes", 1, "Streets")
    assert decision["areas"] == [{"layer": "districts", "code": "downtown", "name": "Downtown"}]
    assert decision["inputs"]["area_ids"] == [downtown.pk]


def test_problems_name_shadowed_rules_foreign_teams_and_types_without_route(
    jurisdiction, pothole, department, other_department, team, make_rule_set
):
    ServiceTypeFactory(jurisdiction=jurisdiction, name="Graffiti", group="Cleanliness")
    rule_set = make_rule_set(
        {"name": "All potholes", "service_type": pothole, "department": department},
        {
            "name": "Deep potholes",
            "service_type": pothole,
            "words": ["deep"],
            "department": other_department,
            "team": team,
        },
        active=False,
    )
    assert rule_set_problems(rule_set) == [
        "Rule Deep potholes can never match: rule All potholes before it takes every request it would.",
        "Rule Deep potholes sends to a team outside its department.",
        "No rule routes service type Graffiti: its requests go to triage.",
    ]
