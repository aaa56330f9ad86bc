"""Every change to a request goes through the one writer (requests_app's record_change): the requester is told by
the one rule (contacts.receivers.message_for), nothing leaves before the commit, and a staff type change is routed
again by the Celery worker, as filing is."""

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from contacts.models import Notification
from contacts.notifications import Event
from contacts.purposes import Purpose
from contacts.receivers import message_for
from contacts.tasks import send_notification_task
from requests_app.models import ServiceRequest, ServiceType
from requests_app.statuses import PermitStep, Priority, RoutingState, Status
from routing.models import Department
from routing.tasks import route_request_task
from staffing import services
from tests.celery_worker import running_worker
from tests.factories import ServiceTypeFactory
from tests.staff.conftest import sends


@pytest.fixture
def permit_type(jurisdiction):
    return ServiceTypeFactory(jurisdiction=jurisdiction, code="street-event", kind=ServiceType.Kind.PERMIT)


def elsewhere_in_the_city(sr) -> Department:
    return Department.objects.filter(jurisdiction_id=sr.jurisdiction_id).exclude(pk=sr.department_id).first()


def told(sr) -> list[str]:
    return list(Notification.objects.filter(service_request_id=sr.pk).values_list("event", flat=True))


ACTIONS = {
    "hold with a public note": (
        {"status": Status.ACKNOWLEDGED},
        lambda sr, staff, other: services.hold(
            sr, until=timezone.localdate() + timedelta(days=3), by=staff, public_note="Parts ordered"
        ),
        [Event.STATUS_CHANGED],
    ),
    "hold of a new request (acknowledged first)": (
        {},
        lambda sr, staff, other: services.hold(sr, until=timezone.localdate() + timedelta(days=3), by=staff),
        [Event.STATUS_CHANGED],
    ),
    "merge": ({}, lambda sr, staff, other: services.merge(sr, into=other, by=staff), [Event.STATUS_CHANGED]),
    "permit step with a new status": (
        {"permit": True},
        lambda sr, staff, other: services.set_permit_step(sr, step=PermitStep.UNDER_REVIEW, by=staff),
        [Event.STATUS_CHANGED],
    ),
    "permit decision": (
        {"permit": True, "status": Status.IN_PROGRESS, "permit_step": PermitStep.UNDER_REVIEW},
        lambda sr, staff, other: services.set_permit_step(
            sr, step=PermitStep.APPROVED, by=staff, explanation="Approved for Saturday."
        ),
        [Event.STATUS_CHANGED],
    ),
    "internal note only": (
        {},
        lambda sr, staff, other: services.set_status(sr, to=sr.status, by=staff, internal_note="Checked the site"),
        [],
    ),
    "priority": (
        {},
        lambda sr, staff, other: services.change_priority(sr, priority=Priority.URGENT, by=staff),
        [],
    ),
    "acknowledge": ({}, lambda sr, staff, other: services.acknowledge(sr, by=staff), [Event.STATUS_CHANGED]),
    "resolve with a note in Chinese": (
        {"status": Status.IN_PROGRESS},
        lambda sr, staff, other: services.set_status(sr, to=Status.RESOLVED, by=staff, public_note="坑已补好，谢谢。"),
        [Event.STATUS_CHANGED],
    ),
    "a public note in Chinese without a new status": (
        {"status": Status.IN_PROGRESS},
        lambda sr, staff, other: services.set_status(sr, to=sr.status, by=staff, public_note="工人明天上午到场。"),
        [Event.STATUS_CHANGED],
    ),
    # A public note of ideographic spaces alone says nothing: the internal note is all there is.
    "a public note of full-width spaces": (
        {"status": Status.IN_PROGRESS},
        lambda sr, staff, other: services.set_status(
            sr, to=sr.status, by=staff, public_note="\u3000\u3000", internal_note="已查看"
        ),
        [],
    ),
    "reopen": (
        {"status": Status.RESOLVED},
        lambda sr, staff, other: services.set_status(sr, to=Status.REOPENED, by=staff),
        [Event.STATUS_CHANGED],
    ),
    "reopen a duplicate": (
        {"status": Status.DUPLICATE},
        lambda sr, staff, other: services.set_status(sr, to=Status.REOPENED, by=staff, internal_note="Not the same"),
        [Event.STATUS_CHANGED],
    ),
    "transfer with a public note": (
        {},
        lambda sr, staff, other: services.transfer(
            sr,
            to_department=elsewhere_in_the_city(sr),
            reason="A signal, not a pothole",
            by=staff,
            public_note="交通部门会处理。",
        ),
        [Event.STATUS_CHANGED],
    ),
    "transfer without a public note": (
        {},
        lambda sr, staff, other: services.transfer(
            sr, to_department=elsewhere_in_the_city(sr), reason="A signal, not a pothole", by=staff
        ),
        [],
    ),
    "assign": ({}, lambda sr, staff, other: services.assign(sr, by=staff, assignee=staff), []),
    "redact the public text": (
        {},
        lambda sr, staff, other: services.redact_public_text(sr, by=staff, reason="A name", description="A pothole"),
        [],
    ),
    "service type": (
        {},
        lambda sr, staff, other: services.change_service_type(
            sr, service_type=ServiceTypeFactory(jurisdiction=sr.jurisdiction, code="signal"), by=staff
        ),
        [],
    ),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_tells_the_requester_exactly_by_the_one_rule(
    action, staff, make_request, with_contact, permit_type, other_department, django_capture_on_commit_callbacks
):
    fields, act, expected = ACTIONS[action]
    if fields.pop("permit", False):
        fields["service_type"] = permit_type
    sr = with_contact(make_request(**fields), Purpose.STATUS_UPDATES)
    before = sr.status_changes.count()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        act(sr, staff, make_request())
    entries = list(sr.status_changes.order_by("id"))[before:]
    by_rule = [
        message_for(old_status=e.old_status, new_status=e.new_status, public_note=e.public_note) for e in entries
    ]
    # Queued with the change, one message however many history rows the action wrote; leaves on commit.
    assert told(sr) == expected == sorted({e for e in by_rule if e})
    assert all(n.state == Notification.State.PENDING for n in Notification.objects.all())
    assert len(sends(callbacks)) == len(expected)


def test_a_question_is_told_as_a_question(staff, make_request, with_contact, django_capture_on_commit_callbacks):
    from contacts.questions import ask_requester

    sr = with_contact(make_request(), Purpose.DEPARTMENT_QUESTIONS, Purpose.STATUS_UPDATES)
    with django_capture_on_commit_callbacks(execute=False):
        ask_requester(sr, question="Which side of the road?", by=staff)
    assert told(sr) == [Event.DEPARTMENT_QUESTION]


def test_a_change_that_rolls_back_leaves_nothing_behind(
    staff, make_request, with_contact, graffiti, django_capture_on_commit_callbacks, monkeypatch
):
    sent, routed = [], []
    monkeypatch.setattr(send_notification_task, "delay", lambda *args: sent.append(args))
    monkeypatch.setattr(route_request_task, "delay", lambda *args: routed.append(args))
    sr = with_contact(make_request(), Purpose.STATUS_UPDATES)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.hold(sr, until=timezone.localdate() + timedelta(days=3), by=staff, public_note="Parts ordered")
            services.change_service_type(sr, service_type=graffiti, by=staff)
            raise RuntimeError("the page failed after the change")
    assert callbacks == [] and sent == [] and routed == []
    assert not Notification.objects.exists()
    assert ServiceRequest.objects.get(pk=sr.pk).status == Status.SUBMITTED


def test_a_type_change_is_routed_by_a_task_after_commit_not_in_the_web_request(
    staff, make_request, rules, graffiti, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(route_request_task, "delay", lambda *args: queued.append(args))
    monkeypatch.setattr("routing.router.route_request", lambda *args: pytest.fail("routed in the web request"))
    sr = make_request()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.change_service_type(sr, service_type=graffiti, by=staff)
    assert queued == []
    for callback in callbacks:
        callback()
    assert queued == [(sr.pk,)]
    assert ServiceRequest.objects.get(pk=sr.pk).routing_state == RoutingState.PENDING


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_worker_routes_a_request_again_after_staff_change_its_type(
    staff, make_request, rules, graffiti, other_department, other_team
):
    sr = make_request()
    with running_worker():
        services.change_service_type(sr, service_type=graffiti, by=staff)
        deadline = time.monotonic() + 15
        while ServiceRequest.objects.get(pk=sr.pk).routing_state == RoutingState.PENDING:
            assert time.monotonic() < deadline, "not routed within 15 s"
            time.sleep(0.1)
    sr.refresh_from_db()
    assert (sr.routing_state, sr.department, sr.team) == (RoutingState.ROUTED, other_department, other_team)
