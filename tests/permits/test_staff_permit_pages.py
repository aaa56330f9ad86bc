"""The deciding department's permit pages: the queue in decision-clock order with paused clocks and clashes in
view, and a permit page whose actions only its own department sees."""

from datetime import date

from django.urls import reverse

from permits.services import request_information
from requests_app.models import ServiceRequest
from tests.staff.conftest import other_staff, other_team, sign_in  # noqa: F401  (fixtures)

from .conftest import at

APPLIED = date(2026, 11, 30)


def test_the_queue_orders_by_the_decision_day_shows_paused_clocks_and_counts_clashes(client, apply, staff, department):
    with at(APPLIED):
        first = apply(date(2026, 12, 7), date(2026, 12, 9))
        clash = apply(date(2026, 12, 8), date(2026, 12, 10))
        request_information(first, by=staff, question="Which side?")
    ServiceRequest.objects.update(department=department)
    sign_in(client, staff)
    with at(date(2026, 12, 1)):
        page = client.get(reverse("permit_staff:queue")).content.decode()
    assert page.index(clash.service_request.public_id) < page.index(first.service_request.public_id)
    assert f"Due {clash.decision_due_on:%m/%d/%Y}" in page
    assert "Paused since" in page and "<strong>1</strong>" in page


def test_another_department_reads_the_permit_without_its_actions_or_document_links(
    client, apply, other_staff, staff, department
):
    with at(APPLIED):
        permit = apply(date(2026, 12, 7), date(2026, 12, 9))
    ServiceRequest.objects.update(department=department)
    sign_in(client, other_staff)
    page = client.get(reverse("permit_staff:permit", args=[permit.service_request.public_id])).content.decode()
    assert "Site plan" in page and "/documents/" not in page and "Record the decision" not in page
    client.logout()
    sign_in(client, staff)
    page = client.get(reverse("permit_staff:permit", args=[permit.service_request.public_id])).content.decode()
    assert "/documents/" in page and "Record the decision" in page


def test_the_application_form_speaks_chinese_to_a_chinese_reader(client, skip_permit):
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("permit_pages:apply", args=[skip_permit.service_type.jurisdiction.slug, "skip"]))
    text = page.content.decode()
    assert "提交申请" in text and "夜间须照明。" in text and "接下来会怎样" in text


def test_an_application_is_decided_on_its_permit_page_not_by_the_request_pages_step_form(
    client, apply, staff, department
):
    with at(APPLIED):
        permit = apply(date(2026, 12, 7), date(2026, 12, 9))
    ServiceRequest.objects.update(department=department)
    sr = permit.service_request
    sign_in(client, staff)

    page = client.get(reverse("staff:request", args=[sr.public_id])).content.decode()
    answer = client.post(
        reverse("staff:act", args=[sr.public_id, "permit"]),
        {"step": "approved", "explanation": "Looks fine", "internal_note": ""},
        follow=True,
    )

    assert reverse("permit_staff:permit", args=[sr.public_id]) in page and "Permit decision" not in page
    assert "decided on its permit page" in answer.content.decode()
    sr.refresh_from_db()
    permit.refresh_from_db()
    assert sr.permit_step != "approved" and permit.state != "approved"
