import pytest

from contacts.models import Consent, Contact
from contacts.purposes import Purpose
from contacts.services import erase_contact, withdraw_consent

pytestmark = pytest.mark.django_db


def test_withdrawing_one_purpose_keeps_the_contact_for_the_other(file_request):
    sr = file_request(email="two@example.org")
    assert withdraw_consent(service_request_id=sr.pk, purpose=Purpose.STATUS_UPDATES) == 1
    consent = Consent.objects.get(service_request_id=sr.pk, purpose=Purpose.STATUS_UPDATES)
    assert consent.withdrawn_at is not None and consent.ended_by == Consent.Ending.WITHDRAWN
    assert Contact.objects.get(service_request_id=sr.pk).email == "two@example.org"


def test_withdrawing_the_last_consent_erases_the_contact_at_once(file_request):
    sr = file_request(email="last@example.org", purposes=frozenset({Purpose.STATUS_UPDATES}))
    withdraw_consent(service_request_id=sr.pk)
    contact = Contact.objects.get(service_request_id=sr.pk)
    assert (contact.email, contact.erased_at is not None) == ("", True)


def test_withdrawing_everything_ends_every_live_consent(file_request):
    sr = file_request(email="all@example.org")
    assert withdraw_consent(service_request_id=sr.pk) == 2
    assert not Consent.objects.live().filter(service_request_id=sr.pk).exists()


def test_erasing_ends_the_consents_as_erased(file_request):
    sr = file_request(phone="+1 415 555 0102")
    erase_contact(service_request_id=sr.pk)
    assert set(Consent.objects.filter(service_request_id=sr.pk).values_list("ended_by", flat=True)) == {
        Consent.Ending.ERASED
    }


def test_an_unknown_purpose_is_rejected(file_request):
    sr = file_request(email="x@example.org")
    with pytest.raises(ValueError):
        withdraw_consent(service_request_id=sr.pk, purpose="marketing")
