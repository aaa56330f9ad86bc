"""Moderation of text: staff redact what the public sees of a request; the original stays for staff, the
history says who and why, and every public output follows at once."""

import pytest
from django.urls import reverse

from requests_app.exceptions import InvalidAction
from requests_app.models import Question, ServiceRequest
from staffing import services
from tests.factories import QuestionFactory
from tests.staff.conftest import sign_in

pytestmark = pytest.mark.django_db


def public_bodies(client, sr) -> dict[str, str]:
    slug = sr.jurisdiction.slug
    urls = {
        "open311": f"/open311/v2/requests/{sr.public_id}.json?extensions=true",
        "open311 xml": f"/open311/v2/requests/{sr.public_id}.xml?extensions=true",
        "card": f"/map/{slug}/cards/{sr.public_id}.json",
        "csv": f"/open-data/{slug}/requests.csv",
        "geojson": f"/open-data/{slug}/requests.geojson",
        "feed": f"/feeds/{slug}/types/pothole/rss/",
    }
    bodies = {}
    for name, url in urls.items():
        response = client.get(url)
        bodies[name] = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
    return bodies


def test_staff_redact_the_public_text_and_every_output_follows(client, staff, make_request, pothole):
    QuestionFactory(service_type=pothole, code="where", datatype=Question.Datatype.STRING, order=1)
    sr = make_request(
        description="Hole outside the Hendersons' house, they never fix anything",
        answers={"where": "Behind the Hendersons' gate"},
    )
    assert all("Hendersons" in body for name, body in public_bodies(client, sr).items() if name != "feed")

    response = sign_in(client, staff).post(
        reverse("staff:act", args=[sr.public_id, "redact-text"]),
        {"description": "Hole outside a house", "hide_answers": "on", "reason": "Names a neighbour"},
        follow=True,
    )
    assert response.status_code == 200
    client.logout()
    bodies = public_bodies(client, sr)
    assert not [name for name, body in bodies.items() if "Hendersons" in body]
    assert "Hole outside a house" in bodies["card"] and "Hole outside a house" in bodies["csv"]

    sr = ServiceRequest.objects.get(pk=sr.pk)
    assert "Hendersons" in sr.description and sr.answers == {"where": "Behind the Hendersons' gate"}
    entry = sr.status_changes.order_by("-id").first()
    assert entry.actor == staff and "Names a neighbour" in entry.internal_note and entry.public_note == ""


def test_a_redaction_is_masked_too_and_needs_a_reason(staff, make_request):
    sr = make_request(description="x")
    with pytest.raises(InvalidAction):
        services.redact_public_text(sr, by=staff, reason=" ", description="")
    sr = services.redact_public_text(sr, by=staff, reason="Tidy", description="Call 415-555-0123")
    assert sr.public_description == "Call [removed]"


def test_only_the_requests_department_may_redact(client, other_staff, make_request):
    sr = make_request(description="Hole")
    response = sign_in(client, other_staff).post(
        reverse("staff:act", args=[sr.public_id, "redact-text"]), {"description": "", "reason": "no"}
    )
    assert response.status_code in (403, 404)
    assert ServiceRequest.objects.get(pk=sr.pk).public_description == "Hole"
