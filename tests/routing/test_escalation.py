from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from contacts.purposes import Purpose
from contacts.services import ContactDetails, save_contact
from requests_app.models import StatusChange
from requests_app.statuses import Priority, Status
from routing.services import escalate_overdue_requests
from tests.factories import ServiceRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_request(pothole, team):
    lead = UserFactory(username="lead", email="lead@city.example")
    team.leads.add(lead)
    sr = ServiceRequestFactory(service_type=pothole, team=team, department=team.department,
                               expected_at=timezone.now() - timedelta(hours=1), priority=Priority.NORMAL)
    save_contact(service_request_id=sr.pk, details=ContactDetails(email="resident@home.example", first_name="Ada",
                                                                     purposes=frozenset({Purpose.STATUS_UPDATES})))
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
        overdue_request, pothole, django_capture_on_commit_callbacks):
    ServiceRequestFactory(service_type=pothole, status=Status.CLOSED, expected_at=timezone.now() - timedelta(days=1))
    ServiceRequestFactory(service_type=pothole, expected_at=timezone.now() + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_overdue_requests() == 1
        assert escalate_overdue_requests() == 0
    assert len(mail.outbox) == 1
