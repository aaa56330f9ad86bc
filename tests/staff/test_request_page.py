from datetime import timedelta
from html import unescape

from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils import timezone

from frontend.staff import services
from frontend.staff.models import ResponseTemplate
from contacts.purposes import Purpose
from requests_app.models import Photo, ServiceRequest, StatusChange
from requests_app.statuses import RoutingState, Status
from routing.services import route_request
from tests.factories import QuestionFactory
from tests.staff.conftest import sign_in


def page(client, sr):
    return client.get(reverse("staff:request", args=[sr.public_id]))


def act(client, sr, action, data=None):
    return client.post(reverse("staff:act", args=[sr.public_id, action]), data or {}, follow=True)


def test_the_page_shows_details_answers_photos_history_duplicates_and_me_too(client, staff, make_request, pothole):
    QuestionFactory(service_type=pothole, code="depth", description="How deep?")
    sr = make_request(answers={"depth": "10 cm"}, me_too_count=4, description="Deep one on the corner")
    Photo.objects.create(service_request=sr, external_url="https://example.org/p.jpg")
    near = make_request(location=Point(-122.4195, 37.7750, srid=4326))
    services.set_status(sr, to=Status.ACKNOWLEDGED, by=staff, public_note="Crew booked")
    response = page(sign_in(client, staff), sr)
    html = response.content.decode()
    assert response.status_code == 200
    for text in ["Deep one on the corner", "How deep?", "10 cm", "https://example.org/p.jpg", "Crew booked",
                 near.public_id]:
        assert text in html
    assert response.context["page"].sr.me_too_count == 4


def test_another_department_never_sees_internal_notes(client, staff, other_staff, make_request):
    sr = make_request()
    services.set_status(sr, to=Status.ACKNOWLEDGED, by=staff, public_note="Seen", internal_note="Caller is rude")
    own = page(sign_in(client, staff), sr).content.decode()
    assert "Caller is rude" in own and "Seen" in own
    other = page(sign_in(client, other_staff), sr).content.decode()
    assert "Seen" in other and "Caller is rude" not in other
    assert ">Acknowledge</button>" not in other and ">Transfer</button>" not in other


def test_after_a_transfer_both_departments_read_the_reason_but_not_each_others_notes(
        client, staff, other_staff, make_request, other_department):
    sr = make_request()
    services.set_status(sr, to=Status.SUBMITTED, by=staff, internal_note="Our secret")
    services.transfer(sr, to_department=other_department, reason="Signals own this", by=staff)
    services.set_status(sr, to=Status.SUBMITTED, by=other_staff, internal_note="Their secret")
    theirs = page(sign_in(client, other_staff), sr).content.decode()
    assert "Signals own this" in theirs and "Their secret" in theirs and "Our secret" not in theirs
    ours = page(sign_in(client, staff), sr).content.decode()
    assert "Signals own this" in ours and "Our secret" in ours and "Their secret" not in ours


def test_actions_from_the_page_are_recorded_with_who(client, staff, make_request):
    sr = make_request()
    sign_in(client, staff)
    act(client, sr, "assign", {"self": "1"})
    act(client, sr, "status", {"to": "in_progress", "public_note": "On our way", "internal_note": "Van 3"})
    act(client, sr, "priority", {"priority": "3"})
    sr.refresh_from_db()
    assert (sr.assignee, sr.status, sr.priority) == (staff, Status.IN_PROGRESS, 3)
    assert set(StatusChange.objects.filter(service_request=sr).values_list("actor__username", flat=True)) == {"staff"}


def test_a_refused_action_says_why_and_changes_nothing(client, staff, make_request):
    sr = make_request()
    response = act(sign_in(client, staff), sr, "status", {"to": "resolved"})
    assert response.status_code == 200
    assert "can't go from submitted to resolved" in unescape(response.content.decode())
    response = act(client, sr, "hold", {"until": "not a date"})
    assert "Enter a valid date" in response.content.decode()
    response = act(client, sr, "merge", {"original": "NOPE-NOPE"})
    assert "No request NOPE-NOPE here" in response.content.decode()
    sr.refresh_from_db()
    assert sr.status == Status.SUBMITTED and sr.status_changes.count() == 0
    assert client.post(reverse("staff:act", args=[sr.public_id, "explode"])).status_code == 404


def test_response_templates_of_the_type_and_city_are_offered(client, staff, make_request, pothole, jurisdiction,
                                                             elsewhere):
    ResponseTemplate.objects.create(jurisdiction=jurisdiction, service_type=pothole, status=Status.RESOLVED,
                                    language="zh-hans", name="Filled", text="坑洞已填平。")
    ResponseTemplate.objects.create(jurisdiction=jurisdiction, language="en", name="Thanks", text="Thank you.")
    ResponseTemplate.objects.create(jurisdiction=elsewhere, language="en", name="Elsewhere", text="No.")
    response = page(sign_in(client, staff), make_request())
    assert [t["name"] for t in response.context["templates"]] == ["Filled", "Thanks"]
    assert "Filled (zh-hans)" in response.content.decode()


def test_the_request_page_runs_the_same_queries_whatever_its_history(client, staff, make_request, rules,
                                                                   with_contact, django_assert_num_queries):
    # Routed (decisions, their areas and layers), with consents: five queries more than a bare request page.
    # Photos take two: the photos and their moderation steps.
    sr = with_contact(make_request(), Purpose.STATUS_UPDATES)
    route_request(sr.pk)
    sign_in(client, staff)
    page(client, sr)
    with django_assert_num_queries(22):
        page(client, sr)
    for n in range(10):
        services.set_status(sr, to=sr.status, by=staff, internal_note=f"note {n}")
        Photo.objects.create(service_request=sr, external_url=f"https://example.org/{n}.jpg")
        make_request(location=Point(-122.4194 + n / 100000, 37.7749, srid=4326))
    ServiceRequest.objects.filter(pk=sr.pk).update(routing_state=RoutingState.PENDING)
    route_request(sr.pk)
    with django_assert_num_queries(22):
        response = page(client, sr)
    assert len(response.context["page"].history) == 12 and len(response.context["page"].routing["decisions"]) == 2 and len(response.context["page"].nearby) == 10


def test_a_hold_date_in_the_past_is_refused_by_the_form(client, staff, make_request):
    sr = make_request()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = act(sign_in(client, staff), sr, "hold", {"until": yesterday})
    assert "Hold until a date after today." in response.content.decode()
