"""What routing one request costs, and the configuration routers keep in memory between requests."""

import random

import pytest
from django.db import connection

from routing.engine import Inputs, RuleIndex, first_match
from routing.models import RoutingRule, RoutingSettings, Team
from routing.router import route_request
from tests.factories import ServiceRequestFactory, TeamFactory, UserFactory

from .conftest import HERE

pytestmark = pytest.mark.django_db

# The savepoint pair (a transaction in production) · lock the request · the configuration version · the areas
# covering it · lock the team with its members · its last assignee · the decision · its areas · open requests
# nearby · the possible duplicate found · the history note · the SLA clock · the request's routing · the
# integrations' webhook subscriptions and onward destinations.
QUERIES_TO_ROUTE_ONE = 16


def test_routing_one_request_takes_a_fixed_number_of_queries(
    pothole, department, team, downtown, routing_settings, make_rule_set, django_assert_max_num_queries
):
    team.assignment_strategy = Team.Strategy.ROUND_ROBIN
    team.save()
    team.members.add(UserFactory(), UserFactory())
    make_rule_set({"service_type": pothole, "department": department, "team": team})
    route_request(ServiceRequestFactory(service_type=pothole, location=HERE).pk)  # reads the configuration once
    sr = ServiceRequestFactory(service_type=pothole, location=HERE)

    # At most: one more is read when another test in this process left a cached setting stale.
    with django_assert_max_num_queries(QUERIES_TO_ROUTE_ONE):
        decision = route_request(sr.pk)

    assert decision.team == team and decision.assignee is not None


def test_a_change_to_what_routing_reads_reaches_the_next_request_however_it_was_made(
    pothole, department, team, downtown, routing_settings, make_rule_set
):
    rule_set = make_rule_set({"service_type": pothole, "department": department, "team": team})
    assert route_request(ServiceRequestFactory(service_type=pothole, location=HERE).pk).team == team
    night_crew = TeamFactory(department=department, code="night", name="Night crew")

    RoutingRule.objects.filter(rule_set=rule_set).update(team=night_crew)  # no service told anyone

    assert route_request(ServiceRequestFactory(service_type=pothole, location=HERE).pk).team == night_crew


def test_routing_itself_leaves_the_configuration_version_alone(
    pothole, department, team, downtown, routing_settings, make_rule_set
):
    make_rule_set({"service_type": pothole, "department": department, "team": team})
    before = RoutingSettings.objects.get(pk=routing_settings.pk).config_version
    route_request(ServiceRequestFactory(service_type=pothole, location=HERE).pk)
    route_request(ServiceRequestFactory(service_type=pothole, location=HERE).pk)
    assert RoutingSettings.objects.get(pk=routing_settings.pk).config_version == before


def test_the_index_the_duplicate_search_reads_holds_open_requests_only():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'sr_open_location'")
        (definition,) = cursor.fetchone()
    assert "WHERE" in definition and "'submitted'" in definition and "'closed'" not in definition


def test_the_rule_index_picks_the_same_rule_as_reading_every_rule_in_order():
    rng = random.Random(3)
    rules = [
        RoutingRule(
            pk=i,
            order=i,
            service_type_id=rng.choice([None, 1, 2, 3]),
            area_id=rng.choice([None, 10, 11, 12, 13]),
            words=rng.choice([[], ["flood"], ["needle"]]),
            min_priority=rng.choice([None, 3]),
        )
        for i in range(300)
    ]
    index = RuleIndex(rules)
    for _ in range(500):
        inputs = Inputs(
            service_type_id=rng.choice([1, 2, 3, 4]),
            area_ids=set(rng.sample([10, 11, 12, 13, 14], rng.randint(0, 2))),
            description=rng.choice(["", "flooded street", "a needle"]),
            priority=rng.choice([1, 2, 3, 4]),
        )
        allow = rng.choice([None, lambda r: r.pk % 2 == 0])
        expected = first_match([r for r in rules if allow is None or allow(r)], inputs)
        assert index.first_match(inputs, allow) is expected
