import re
from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.purposes import Purpose
from requests_app.models import ServiceRequest, StatusChange
from requests_app.services import change_status
from requests_app.statuses import Status
from tests.factories import ServiceRequestFactory, ServiceTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def handled(pothole, department, team, staff):
    sr = ServiceRequestFactory(
        service_type=pothole,
        department=department,
        team=team,
        me_too_count=4,
        description="Hole outside my flat, email me at jane@example.org",
        expected_at=timezone.now() + timedelta(days=3),
    )
    handled = change_status(
        sr,
        to=Status.ACKNOWLEDGED,
        by=staff,
        public_note="We called the resident on 415-555-0199 and will fill it this week",
        internal_note="Crew 7 has the asphalt",
    )
    handled.tracking_token = sr.tracking_token  # the row keeps only its digest
    return handled


def test_the_tracking_page_shows_status_timeline_department_team_and_me_too_count(client, handled):
    page = client.get(f"/track/{handled.tracking_token}/").content.decode()
    assert "Public Works · Streets" in page and '<dd id="me-too-count">4</dd>' in page
    assert "Acknowledged" in page and "will fill it this week" in page and "Expected by" in page
    assert "415-555-0199" not in page and "[removed]" in page and "Crew 7" not in page
    assert '<a href="data/">' in page


def test_an_unknown_tracking_token_is_a_404(client, handled):
    assert client.get("/track/not-a-real-token/").status_code == 404


def test_the_public_page_shows_the_masked_description_and_nothing_personal(client, handled):
    page = client.get(f"/requests/{handled.public_id.lower()}/").content.decode()
    assert handled.public_id in page and "Acknowledged" in page
    assert '<p id="public-description" class="resident-text">Hole outside my flat, email me at [removed]</p>' in page
    assert handled.tracking_token not in page and "jane@example.org" not in page
    assert "415-555-0199" not in page


def test_the_public_page_hides_the_address_of_a_sensitive_request(client, jurisdiction):
    noise = ServiceTypeFactory(jurisdiction=jurisdiction, code="noise", sensitive=True)
    sr = ServiceRequestFactory(service_type=noise, address="12 Quiet Lane")
    assert "12 Quiet Lane" not in client.get(f"/requests/{sr.public_id}/").content.decode()


def test_me_too_counts_once_per_browser(client, handled):
    first = client.post(f"/requests/{handled.public_id}/me-too/", HTTP_ACCEPT="application/json")
    again = client.post(f"/requests/{handled.public_id}/me-too/", HTTP_ACCEPT="application/json")
    assert first.json()["me_too_count"] == 5 and again.json()["me_too_count"] == 5
    assert again.json()["message"] == "You already said this affects you too."
    handled.refresh_from_db()
    assert handled.me_too_count == 5


def test_me_too_on_a_closed_request_explains_why_nothing_was_counted(client, pothole):
    sr = ServiceRequestFactory(service_type=pothole, status=Status.CLOSED)
    page = client.post(f"/requests/{sr.public_id}/me-too/", follow=True).content.decode()
    assert "This request is closed; file a new one instead." in page
    response = client.post(f"/requests/{sr.public_id}/me-too/", HTTP_ACCEPT="application/json")
    assert response.status_code == 409 and "service_request" in response.json()["errors"]


def test_after_resolution_the_requester_is_asked_if_it_was_fixed_and_can_say_yes(client, pothole):
    sr = ServiceRequestFactory(service_type=pothole, status=Status.RESOLVED, closed_at=timezone.now())
    page = client.get(f"/track/{sr.tracking_token}/").content.decode()
    assert "Was it fixed?" in page and "Reopen the request" in page
    client.post(f"/track/{sr.tracking_token}/fixed/")
    sr.refresh_from_db()
    assert sr.status == Status.CLOSED


def test_the_requester_reopens_a_request_that_is_not_fixed(client, pothole):
    sr = ServiceRequestFactory(service_type=pothole, status=Status.CLOSED, closed_at=timezone.now())
    page = client.post(f"/track/{sr.tracking_token}/reopen/", {"reason": "Still there"}, follow=True).content.decode()
    sr.refresh_from_db()
    assert sr.status == Status.REOPENED and "Your request is open again." in page


def test_reopening_after_the_window_is_refused_with_a_reason(client, pothole):
    sr = ServiceRequestFactory(
        service_type=pothole,
        status=Status.CLOSED,
        closed_at=timezone.now() - timedelta(days=90),
        updated_at=timezone.now() - timedelta(days=90),
    )
    assert "Reopen the request" not in client.get(f"/track/{sr.tracking_token}/").content.decode()
    page = client.post(f"/track/{sr.tracking_token}/reopen/", follow=True).content.decode()
    sr.refresh_from_db()
    assert sr.status == Status.CLOSED and "please file a new one" in page


def test_the_filed_page_gives_the_public_id_the_private_link_and_its_qr_code(client, handled):
    page = client.get(f"/track/{handled.tracking_token}/filed/").content.decode()
    assert handled.public_id in page and f"http://testserver/track/{handled.tracking_token}/" in page
    assert '<svg width="' in page and "<path" in page


def test_the_app_manifest_and_service_worker_are_served_for_installing(client, jurisdiction):
    manifest = client.get("/manifest.webmanifest")
    worker = client.get("/sw.js")
    assert manifest["Content-Type"] == "application/manifest+json" and manifest.json()["display"] == "standalone"
    assert worker["Content-Type"].startswith("application/javascript") and '"/track/"' in worker.content.decode()


def test_the_tracking_page_takes_a_fixed_number_of_queries(client, handled, django_assert_num_queries):
    with django_assert_num_queries(4):  # the request with its relations, its history, its photos, its comments
        client.get(f"/track/{handled.tracking_token}/")


def test_the_public_page_says_overdue_honestly_while_the_request_is_open(client, handled):
    url = f"/requests/{handled.public_id}/"
    assert "Overdue" not in client.get(url).content.decode()
    ServiceRequest.objects.filter(pk=handled.pk).update(overdue=True)
    assert '<strong id="overdue">Overdue: later than the city' in client.get(url).content.decode()
    ServiceRequest.objects.filter(pk=handled.pk).update(overdue=True, status=Status.CLOSED, closed_at=timezone.now())
    assert "Overdue" not in client.get(url).content.decode()


def test_pages_behind_the_private_link_are_never_cached_or_indexed(client, handled):
    token = handled.tracking_token
    for response in (
        client.get(f"/track/{token}/"),
        client.get(f"/track/{token}/filed/"),
        client.get(f"/track/{token}/data/"),
        client.get(f"/track/{token}/data/download.json"),
        client.get(f"/track/{token}/data/withdraw/{Purpose.STATUS_UPDATES}/"),
        client.post(f"/track/{token}/reopen/", {"reason": "Still there"}),
    ):
        assert "no-store" in response["Cache-Control"], response.request["PATH_INFO"]
        assert "noindex" in response["X-Robots-Tag"]
    # The public page of the same request may be cached and indexed: it holds nothing private.
    public = client.get(f"/requests/{handled.public_id}/")
    assert "no-store" not in public.get("Cache-Control", "") and "X-Robots-Tag" not in public


def test_the_timeline_shows_each_step_once_with_a_label_and_keeps_only_public_updates(client, pothole, staff):
    sr = ServiceRequestFactory(service_type=pothole)
    StatusChange.objects.create(service_request=sr, old_status="", new_status=Status.SUBMITTED)
    StatusChange.objects.create(
        service_request=sr,
        old_status=Status.SUBMITTED,
        new_status=Status.SUBMITTED,
        public_note="Sent to Streets: potholes in the Mission go there",
    )
    StatusChange.objects.create(
        service_request=sr, old_status=Status.SUBMITTED, new_status=Status.SUBMITTED, internal_note="Marked overdue"
    )
    change_status(sr, to=Status.ACKNOWLEDGED, by=staff)
    page = client.get(f"/track/{sr.tracking_token}/").content.decode()
    timeline = page[page.index('<ol class="timeline">') : page.index("</ol>")]
    assert timeline.count("<strong>Submitted</strong>") == 1 and timeline.count("<strong>Update</strong>") == 1
    assert "Sent to Streets" in timeline and "Marked overdue" not in timeline
    assert timeline.count("<strong>Acknowledged</strong>") == 1 and "submitted</strong>" not in timeline


@pytest.mark.parametrize("path", ["/track/{token}/", "/requests/{public_id}/"])
def test_request_pages_say_which_time_zone_their_times_are_in(client, handled, path):
    page = client.get(path.format(token=handled.tracking_token, public_id=handled.public_id)).content.decode()
    assert re.search(r"Times are San Francisco time \(America/Los_Angeles, UTC-0[78]00\)\.", page)


def test_the_requester_adds_a_comment_and_a_photo_kept_for_staff_not_published(client, handled):
    from tests.frontend.conftest import jpeg

    response = client.post(
        f"/track/{handled.tracking_token}/add/",
        {"text": "It got deeper after the rain, ring 415 555 0100", "photos": [jpeg()]},
        follow=True,
    )
    page = response.content.decode()
    assert "Thank you: the department will see what you added." in page
    assert "It got deeper after the rain" in page and handled.photos.count() == 1
    assert handled.resident_comments.get().text.startswith("It got deeper")
    public = client.get(f"/requests/{handled.public_id}/").content.decode()
    assert "It got deeper" not in public


def test_adding_nothing_says_so_and_stores_nothing(client, handled):
    page = client.post(f"/track/{handled.tracking_token}/add/", {"text": "  "}, follow=True).content.decode()
    assert "Write something or choose a photo." in page and not handled.resident_comments.exists()
