import io

import pytest
from django.core.management import call_command

from demo.loader import SF_SLUG, SHENZHEN_SLUG
from requests_app.models import ServiceType
from requests_app.services import Submission, submit_request
from requests_app.statuses import RoutingState
from routing.models import RoutingSettings, RuleSet
from routing.router import route_request
from routing.selectors import routing_reason_for

from .conftest import HERE

pytestmark = pytest.mark.django_db


def test_the_demo_cities_end_with_active_rules_that_route_new_requests(tmp_path):
    call_command("load_demo", sf_rows=300, no_accounts=True, stdout=io.StringIO())
    call_command("load_demo", sf_rows=300, no_accounts=True, stdout=io.StringIO())
    assert RuleSet.objects.filter(jurisdiction__slug=SF_SLUG).count() == 1  # a rerun learns nothing twice
    for slug in (SF_SLUG, SHENZHEN_SLUG):
        assert RuleSet.objects.active().filter(jurisdiction__slug=slug).exists()
    streetlight = ServiceType.objects.get(jurisdiction__slug=SF_SLUG, code="streetlights")
    sr = submit_request(Submission(service_type=streetlight, location=HERE))
    route_request(sr.pk)
    sr.refresh_from_db()
    assert sr.routing_state == RoutingState.ROUTED and sr.expected_at is not None
    assert routing_reason_for(sr).startswith("Streetlight out or damaged in ")  # the plain name residents read


def test_in_the_demo_a_street_defect_about_a_missing_manhole_cover_stays_a_street_defect():
    call_command("load_demo", sf_rows=2000, no_accounts=True, stdout=io.StringIO())
    defects = ServiceType.objects.get(jurisdiction__slug=SF_SLUG, code="street-defects")
    sr = submit_request(
        Submission(
            service_type=defects, location=HERE, description="Sign missing: the manhole cover is missing, sign needed"
        )
    )
    decision = route_request(sr.pk)
    assert decision.routed_service_type == defects
    assert decision.rule.service_type == defects  # a rule for the chosen type decided, not the text model


def test_the_demo_cities_close_their_clocks_on_their_own_public_holidays():
    call_command("load_demo", sf_rows=300, no_accounts=True, stdout=io.StringIO())
    sf = RoutingSettings.objects.get(jurisdiction__slug=SF_SLUG)
    shenzhen = RoutingSettings.objects.get(jurisdiction__slug=SHENZHEN_SLUG)
    assert (sf.holiday_country, sf.holiday_subdivision) == ("US", "CA")
    assert shenzhen.holiday_country == "CN"
