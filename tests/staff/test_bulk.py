from django.urls import reverse

from requests_app.statuses import Status
from tests.staff.conftest import sign_in

BULK = reverse("staff:bulk")


def test_a_lead_resolves_a_selection_and_hears_what_was_skipped(client, lead, make_request):
    working = [make_request(status=Status.IN_PROGRESS) for _ in range(3)]
    new = make_request()
    response = sign_in(client, lead).post(
        BULK,
        {
            "selected": [sr.public_id for sr in working + [new]],
            "action": "status",
            "to": "resolved",
            "public_note": "Street resurfaced",
        },
        follow=True,
    )
    for sr in working:
        sr.refresh_from_db()
        assert sr.status == Status.RESOLVED
        assert sr.status_changes.last().public_note == "Street resurfaced"
    new.refresh_from_db()
    assert new.status == Status.SUBMITTED
    messages = [str(m) for m in response.context["messages"]]
    assert "3 requests changed." in messages and any(new.public_id in m for m in messages)


def test_a_lead_merges_a_selection_into_one(client, lead, make_request):
    original, dup1, dup2 = make_request(), make_request(), make_request(me_too_count=2)
    sign_in(client, lead).post(
        BULK,
        {
            "selected": [original.public_id, dup1.public_id, dup2.public_id],
            "action": "merge",
            "original": original.public_id,
        },
    )
    original.refresh_from_db()
    assert original.me_too_count == 1 + 3 and original.status == Status.SUBMITTED
    assert set(original.duplicates.values_list("public_id", flat=True)) == {dup1.public_id, dup2.public_id}


def test_a_lead_assigns_and_transfers_in_bulk(client, lead, staff, make_request, other_department):
    first, second = make_request(), make_request()
    sign_in(client, lead).post(
        BULK, {"selected": [first.public_id, second.public_id], "action": "assign", "assignee": staff.pk}
    )
    assert {sr.assignee for sr in (first.__class__.objects.filter(pk__in=[first.pk, second.pk]))} == {staff}
    client.post(
        BULK,
        {"selected": [first.public_id], "action": "transfer", "department": other_department.pk, "reason": "Signals"},
    )
    first.refresh_from_db()
    assert first.department == other_department


def test_a_bulk_action_without_what_it_needs_is_refused(client, lead, make_request):
    sr = make_request()
    response = sign_in(client, lead).post(BULK, {"selected": [sr.public_id], "action": "transfer"}, follow=True)
    assert any("needs" in str(m) for m in response.context["messages"])
    response = client.post(BULK, {"action": "status", "to": "closed"}, follow=True)
    assert any("Select at least one" in str(m) for m in response.context["messages"])
    sr.refresh_from_db()
    assert sr.status_changes.count() == 0


def test_team_staff_acknowledge_their_departments_requests_and_hear_why_a_row_was_refused(
    client, staff, make_request, other_request
):
    new, already = make_request(), make_request(status=Status.IN_PROGRESS)
    response = sign_in(client, staff).post(
        BULK,
        {"selected": [new.public_id, already.public_id, other_request.public_id], "action": "acknowledge"},
        follow=True,
    )
    new.refresh_from_db(), already.refresh_from_db(), other_request.refresh_from_db()
    assert new.status == Status.ACKNOWLEDGED and already.status == Status.IN_PROGRESS
    assert other_request.status == Status.SUBMITTED and other_request.status_changes.count() == 0
    messages = [str(m) for m in response.context["messages"]]
    assert "1 requests changed." in messages
    assert any(m.startswith(f"{already.public_id} not changed: ") for m in messages)
    assert any(
        m == f"{other_request.public_id} not changed: another department's request: transfer it, or ask "
        "that department."
        for m in messages
    )


def test_team_staff_may_take_work_in_bulk_but_not_hand_it_to_a_colleague(client, staff, lead, make_request):
    first, second = make_request(), make_request()
    sign_in(client, staff).post(BULK, {"selected": [first.public_id], "action": "assign", "assignee": staff.pk})
    response = client.post(BULK, {"selected": [second.public_id], "action": "assign", "assignee": lead.pk}, follow=True)
    first.refresh_from_db(), second.refresh_from_db()
    assert first.assignee == staff and second.assignee is None
    assert any("only a team lead" in str(m) for m in response.context["messages"])


def test_a_bulk_status_with_a_ready_reply_fills_it_per_request_in_each_requesters_language(
    client, staff, make_request, jurisdiction, with_contact
):
    from contacts.purposes import Purpose
    from contacts.services import ContactDetails, save_contact
    from frontend.staff.models import ResponseTemplate

    jurisdiction.languages = ["en", "zh-hans"]
    jurisdiction.save()
    english = ResponseTemplate.objects.create(
        jurisdiction=jurisdiction, status=Status.RESOLVED, language="en", name="Fixed", text="{public_id} is fixed."
    )
    ResponseTemplate.objects.create(
        jurisdiction=jurisdiction, status=Status.RESOLVED, language="zh-hans", name="Fixed", text="{public_id} 已修好。"
    )
    first, second = make_request(status=Status.IN_PROGRESS), make_request(status=Status.IN_PROGRESS)
    save_contact(
        service_request_id=second.pk,
        details=ContactDetails(
            email="li@example.org", language="zh-hans", purposes=frozenset({Purpose.STATUS_UPDATES})
        ),
        tracking_token=second.tracking_token,
    )
    sign_in(client, staff).post(
        BULK, {"selected": [first.public_id, second.public_id], "action": "status", "reply": english.pk}
    )
    first.refresh_from_db(), second.refresh_from_db()
    assert first.status == second.status == Status.RESOLVED
    assert first.status_changes.last().public_note == f"{first.public_id} is fixed."
    assert second.status_changes.last().public_note == f"{second.public_id} 已修好。"
