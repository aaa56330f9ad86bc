import pytest

from requests_app.statuses import RoutingState
from tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db


def test_the_tracking_and_public_pages_say_why_the_request_went_where_it_went(client, pothole):
    sr = ServiceRequestFactory(service_type=pothole, routing_state=RoutingState.PENDING)
    waiting = "waiting to be sent to the team that handles it"
    assert waiting in client.get(f"/track/{sr.tracking_token}/").content.decode()
    assert waiting in client.get(f"/requests/{sr.public_id}/").content.decode()

    sr.routing_state = RoutingState.ROUTED
    sr.save()
    placed = "Staff sent this request to the team that handles it."
    assert placed in client.get(f"/track/{sr.tracking_token}/").content.decode()


def test_the_map_card_carries_the_routing_reason(client, pothole):
    sr = ServiceRequestFactory(service_type=pothole, routing_state=RoutingState.PENDING)
    card = client.get(f"/map/{pothole.jurisdiction.slug}/cards/{sr.public_id}.json").json()
    assert "waiting to be sent" in card["routing_reason"]
