import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contacts.models import AccessLog
from contacts.purposes import Purpose
from contacts.selectors import contact_for_staff
from contacts.services import withdraw_consent
from tests.factories import TeamFactory, UserFactory
from tests.staff.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_department_staff(other_department):
    user = UserFactory(username="elsewhere")
    TeamFactory(department=other_department).members.add(user)
    return user


def test_staff_of_the_department_see_the_contact_and_the_look_is_logged(file_request, staff):
    sr = file_request(email="seen@example.org", first_name="Ada")
    contact = contact_for_staff(service_request=sr, user=staff, reason="Ask where exactly the hole is")
    assert (contact.email, contact.first_name) == ("seen@example.org", "Ada")
    log = AccessLog.objects.get()
    assert (log.service_request_id, log.user, log.reason) == (sr.pk, staff, "Ask where exactly the hole is")
    assert sorted(log.purposes) == sorted([Purpose.DEPARTMENT_QUESTIONS, Purpose.STATUS_UPDATES])


def test_staff_of_another_department_are_refused_and_nothing_is_logged(file_request, other_department_staff):
    sr = file_request(email="private@example.org")
    with pytest.raises(PermissionDenied):
        contact_for_staff(service_request=sr, user=other_department_staff, reason="Curious")
    assert not AccessLog.objects.exists()


def test_an_operator_may_look(file_request, operator):
    sr = file_request(phone="+1 415 555 0103")
    assert contact_for_staff(service_request=sr, user=operator, reason="Audit").phone == "+1 415 555 0103"


def test_only_the_purposes_still_consented_to_come_with_the_contact(file_request, staff):
    sr = file_request(email="limited@example.org")
    withdraw_consent(service_request_id=sr.pk, purpose=Purpose.STATUS_UPDATES)
    contact = contact_for_staff(service_request=sr, user=staff, reason="A question")
    assert contact.purposes == frozenset({Purpose.DEPARTMENT_QUESTIONS})


def test_nothing_is_shown_once_every_consent_is_withdrawn(file_request, staff):
    sr = file_request(email="withdrawn@example.org")
    withdraw_consent(service_request_id=sr.pk)
    assert contact_for_staff(service_request=sr, user=staff, reason="A question") is None
    assert AccessLog.objects.get().purposes == []


def test_a_look_needs_a_reason(file_request, staff):
    sr = file_request(email="why@example.org")
    with pytest.raises(ValidationError):
        contact_for_staff(service_request=sr, user=staff, reason="  ")


def test_operators_read_the_access_log_in_the_admin_and_cannot_change_it(client, file_request, staff, operator):
    sr = file_request(email="log@example.org")
    contact_for_staff(service_request=sr, user=staff, reason="Arrange a visit")
    sign_in(client, operator)
    listing = client.get("/admin/contacts/accesslog/")
    assert listing.status_code == 200 and "Arrange a visit" in listing.content.decode()
    log = AccessLog.objects.get()
    assert client.post(f"/admin/contacts/accesslog/{log.pk}/change/", {"reason": "edited"}).status_code == 403
    assert client.post(f"/admin/contacts/accesslog/{log.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AccessLog.objects.get().reason == "Arrange a visit"


def test_department_staff_cannot_read_the_access_log(client, staff):
    sign_in(client, staff)
    assert client.get("/admin/contacts/accesslog/").status_code == 403
