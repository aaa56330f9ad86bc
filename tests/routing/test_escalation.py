from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.utils import timezone

from contacts.purposes import Purpose
from contacts.services import ContactDetails, save_contact
from requests_app.models import StatusChange
from requests_app.statuses import Priority, Status
from routing.escalation import deliver_escalation_notices, escalate_overdue_requests
from routing.models import EscalationLevel, EscalationNotice
from staffing.models import StaffRole
from tests.factories import ServiceRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_request(pothole, team):
    lead = UserFactory(username="lead", email="lead@city.example")
    team.leads.add(lead)
    sr = ServiceRequestFactory(
        service_type=pothole,
        team=team,
        department=team.department,
        expected_at=timezone.now() - timedelta(hours=1),
        priority=Priority.NORMAL,
    )
    save_contact(
        service_request_id=sr.pk,
        details=ContactDetails(
            email="resident@home.example", first_name="Ada", purposes=frozenset({Purpose.STATUS_UPDATES})
        ),
        tracking_token=sr.tracking_token,
    )
    return sr


def test_an_overdue_request_is_marked_raised_and_recorded(overdue_request, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_overdue_requests() == 1
    overdue_request.refresh_from_db()
    assert overdue_request.overdue and overdue_request.priority == Priority.HIGH
    assert "marked overdue" in StatusChange.objects.get(service_request=overdue_request).internal_note


def test_team_leads_are_told_by_email_without_the_residents_data(overdue_request, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        escalate_overdue_requests()
    [message] = mail.outbox
    assert message.to == ["lead@city.example"]
    assert overdue_request.public_id in message.subject
    text = message.subject + message.body
    assert "resident@home.example" not in text and "Ada" not in text and overdue_request.address not in text


def test_it_escalates_once_and_leaves_closed_and_on_time_requests_alone(
    overdue_request, pothole, django_capture_on_commit_callbacks
):
    ServiceRequestFactory(service_type=pothole, status=Status.CLOSED, expected_at=timezone.now() - timedelta(days=1))
    ServiceRequestFactory(service_type=pothole, expected_at=timezone.now() + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_overdue_requests() == 1
        assert escalate_overdue_requests() == 0
    assert len(mail.outbox) == 1


@pytest.fixture
def levels(overdue_request, jurisdiction):
    head = UserFactory(username="head", email="head@city.example")
    StaffRole.objects.create(
        user=head, role=StaffRole.Role.MANAGER, jurisdiction=jurisdiction, department=overdue_request.department
    )
    op = UserFactory(username="op", email="operator@city.example")
    StaffRole.objects.create(user=op, role=StaffRole.Role.OPERATOR, jurisdiction=jurisdiction)
    EscalationLevel.objects.create(jurisdiction=jurisdiction, level=EscalationLevel.Level.TEAM_LEAD, after_hours=0)
    EscalationLevel.objects.create(
        jurisdiction=jurisdiction, level=EscalationLevel.Level.DEPARTMENT_HEAD, after_hours=4
    )
    EscalationLevel.objects.create(jurisdiction=jurisdiction, level=EscalationLevel.Level.OPERATOR, after_hours=24)
    return overdue_request


def test_each_level_hears_only_once_its_own_delay_has_passed(levels, django_capture_on_commit_callbacks):
    due = levels.expected_at

    def escalate(hours_late):
        with django_capture_on_commit_callbacks(execute=True):
            return escalate_overdue_requests(now=due + timedelta(hours=hours_late))

    assert escalate(1) == 1
    assert [m.to for m in mail.outbox] == [["lead@city.example"]]
    assert escalate(2) == 0
    assert escalate(5) == 1
    assert mail.outbox[-1].to == ["head@city.example"]
    assert escalate(25) == 1
    assert [m.to[0] for m in mail.outbox] == ["lead@city.example", "head@city.example", "operator@city.example"]
    assert set(EscalationNotice.objects.values_list("state", flat=True)) == {EscalationNotice.State.SENT}


class FailingFor:
    """A mail backend that refuses one address, as a mail server that rejects it would."""

    def __init__(self, address):
        self.address = address

    def __call__(self, *args, **kwargs):
        from django.core.mail.backends.locmem import EmailBackend

        address = self.address

        class Backend(EmailBackend):
            def send_messages(self, messages):
                if any(address in m.to for m in messages):
                    raise SMTPException("550 mailbox unavailable")
                return super().send_messages(messages)

        return Backend(*args, **kwargs)


def test_a_failing_mail_server_keeps_the_notice_for_a_retry_and_the_rest_go_out(
    overdue_request, team, settings, django_capture_on_commit_callbacks
):
    team.leads.add(UserFactory(username="lead2", email="broken@city.example"))
    settings.EMAIL_BACKEND = "tests.routing.test_escalation.failing_backend"
    with django_capture_on_commit_callbacks(execute=True):
        escalate_overdue_requests()
    by_address = {n.recipient.email: n for n in EscalationNotice.objects.select_related("recipient")}
    assert by_address["lead@city.example"].state == EscalationNotice.State.SENT
    failed = by_address["broken@city.example"]
    assert (failed.state, failed.attempts) == (EscalationNotice.State.FAILED, 1)
    assert "550" in failed.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_escalation_notices() == 1
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (EscalationNotice.State.SENT, 2)


failing_backend = FailingFor("broken@city.example")
