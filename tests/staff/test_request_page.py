from datetime import UTC, datetime, timedelta
from html import unescape

from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils import timezone

from contacts.purposes import Purpose
from contacts.services import ContactDetails, save_contact
from frontend.staff.models import ResponseTemplate
from requests_app.models import Photo, ServiceRequest, StatusChange
from requests_app.statuses import RoutingState, Status
from routing.router import route_request
from staffing import services
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
    for text in [
        "Deep one on the corner",
        "How deep?",
        "10 cm",
        "https://example.org/p.jpg",
        "Crew booked",
        near.public_id,
    ]:
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
    client, staff, other_staff, make_request, other_department
):
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


def test_response_templates_of_the_type_and_city_are_offered(
    client, staff, make_request, pothole, jurisdiction, elsewhere
):
    ResponseTemplate.objects.create(
        jurisdiction=jurisdiction,
        service_type=pothole,
        status=Status.RESOLVED,
        language="zh-hans",
        name="Filled",
        text="坑洞已填平。",
    )
    ResponseTemplate.objects.create(jurisdiction=jurisdiction, language="en", name="Thanks", text="Thank you.")
    ResponseTemplate.objects.create(jurisdiction=elsewhere, language="en", name="Elsewhere", text="No.")
    response = page(sign_in(client, staff), make_request(status=Status.IN_PROGRESS))
    assert [t["name"] for t in response.context["templates"]] == ["Filled", "Thanks"]
    assert "Filled" in response.content.decode()


def test_ready_replies_follow_the_status_the_request_can_take_next(client, staff, make_request, jurisdiction):
    ResponseTemplate.objects.create(
        jurisdiction=jurisdiction, status=Status.RESOLVED, language="en", name="Fixed", text="Fixed."
    )
    ResponseTemplate.objects.create(
        jurisdiction=jurisdiction, status=Status.ACKNOWLEDGED, language="en", name="Seen", text="Seen."
    )
    sign_in(client, staff)
    assert [t["name"] for t in page(client, make_request()).context["templates"]] == ["Seen"]
    assert [t["name"] for t in page(client, make_request(status=Status.IN_PROGRESS)).context["templates"]] == ["Fixed"]


def test_a_ready_reply_is_filled_in_and_in_the_requesters_language(
    client, staff, make_request, pothole, jurisdiction, with_contact
):
    jurisdiction.languages, jurisdiction.timezone = ["en", "zh-hans"], "America/Los_Angeles"
    jurisdiction.save()
    pothole.name_translations = {"zh-hans": "坑洞"}
    pothole.save()
    for language, text in (
        ("en", "{public_id}: your {service} is fixed. Due {due}. {unknown}"),
        ("zh-hans", "{public_id}：您的{service}已修好。"),
    ):
        ResponseTemplate.objects.create(
            jurisdiction=jurisdiction, status=Status.RESOLVED, language=language, name="Fixed", text=text
        )
    due = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    english = make_request(status=Status.IN_PROGRESS, expected_at=due)
    chinese = make_request(status=Status.IN_PROGRESS)
    save_contact(
        service_request_id=chinese.pk,
        details=ContactDetails(
            email="li@example.org", language="zh-hans", purposes=frozenset({Purpose.STATUS_UPDATES})
        ),
        tracking_token=chinese.tracking_token,
    )
    sign_in(client, staff)
    [reply] = page(client, english).context["templates"]
    assert reply["text"].startswith(f"{english.public_id}: your Pothole is fixed. Due ")
    assert "9 a.m. PST" in reply["text"] or "09:00" in reply["text"] or "9:00" in reply["text"]
    assert reply["text"].endswith("{unknown}")
    [reply] = page(client, chinese).context["templates"]
    assert reply["text"] == f"{chinese.public_id}：您的坑洞已修好。" and reply["language"] == "zh-hans"


def test_the_request_page_runs_the_same_queries_whatever_its_history(
    client, staff, make_request, rules, with_contact, django_assert_num_queries
):
    # Routed (decisions, their areas and layers), with consents: five queries more than a bare request page.
    # Photos take two: the photos and their moderation steps.
    sr = with_contact(make_request(), Purpose.STATUS_UPDATES)
    route_request(sr.pk)
    sign_in(client, staff)
    page(client, sr)
    with django_assert_num_queries(25):
        page(client, sr)
    for n in range(10):
        services.set_status(sr, to=sr.status, by=staff, internal_note=f"note {n}")
        Photo.objects.create(service_request=sr, external_url=f"https://example.org/{n}.jpg")
        make_request(location=Point(-122.4194 + n / 100000, 37.7749, srid=4326))
    ServiceRequest.objects.filter(pk=sr.pk).update(routing_state=RoutingState.PENDING)
    route_request(sr.pk)
    with django_assert_num_queries(25):
        response = page(client, sr)
    assert (
        len(response.context["page"].history) == 12
        and len(response.context["page"].routing["decisions"]) == 2
        and len(response.context["page"].nearby) == 10
    )


def test_a_hold_date_in_the_past_is_refused_by_the_form(client, staff, make_request):
    sr = make_request()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = act(sign_in(client, staff), sr, "hold", {"until": yesterday})
    assert "Hold until a date after today." in response.content.decode()


def test_answers_show_question_and_option_labels_never_codes_or_a_dict(client, staff, make_request, pothole):
    QuestionFactory(
        service_type=pothole,
        code="kind",
        description="What is wrong?",
        datatype="singlevaluelist",
        values=[
            {"key": "manhole_cover_off", "name": "Manhole cover off", "name_translations": {"zh-hans": "井盖缺失"}}
        ],
    )
    QuestionFactory(
        service_type=pothole,
        code="lanes",
        description="Which lanes?",
        datatype="multivaluelist",
        order=99,
        values=[{"key": "n", "name": "Northbound"}, {"key": "s", "name": "Southbound"}],
    )
    sr = make_request(answers={"kind": "manhole_cover_off", "lanes": ["n", "s"]})
    html = unescape(page(sign_in(client, staff), sr).content.decode())
    assert "<dt>What is wrong?</dt><dd>Manhole cover off</dd>" in html
    assert "<dt>Which lanes?</dt><dd>Northbound, Southbound</dd>" in html
    assert "manhole_cover_off" not in html and "{'" not in html
    chinese = unescape(
        client.get(reverse("staff:request", args=[sr.public_id]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    )
    assert "井盖缺失" in chinese


def test_staff_times_are_in_the_citys_zone_and_labelled(client, staff, make_request, jurisdiction):
    jurisdiction.timezone = "Asia/Shanghai"
    jurisdiction.save()
    sr = make_request(submitted_at=datetime(2026, 5, 1, 0, 30, tzinfo=UTC))
    html = page(sign_in(client, staff), sr).content.decode()
    assert "Times in Asia/Shanghai" in html and "2026-05-01 08:30 CST" in html
    assert "Times in Asia/Shanghai" in client.get(reverse("staff:queue")).content.decode()
