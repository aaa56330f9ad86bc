import pytest
from django.db import connection

from contacts.models import Consent, Contact
from contacts.purposes import Purpose
from contacts.services import ContactDetails, contact_not_kept_reason, save_contact
from contacts.wording import CURRENT_WORDING_VERSION, WORDING, consent_wording
from tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db


def test_it_records_one_consent_per_purpose_with_channel_wording_language_and_how(file_request):
    sr = file_request(channel="open311", email="a@example.org", language="zh-hans")
    consents = Consent.objects.filter(service_request_id=sr.pk).order_by("purpose")
    assert [(c.purpose, c.channel, c.wording_version, c.language, c.how_given) for c in consents] == [
        (Purpose.DEPARTMENT_QUESTIONS, "open311", CURRENT_WORDING_VERSION, "zh-hans", Consent.Method.OPEN311_CLIENT),
        (Purpose.STATUS_UPDATES, "open311", CURRENT_WORDING_VERSION, "zh-hans", Consent.Method.OPEN311_CLIENT),
    ]
    assert all(c.given_at and c.is_live for c in consents)


def test_it_stores_nothing_without_a_purpose(file_request):
    sr = file_request(email="nopurpose@example.org", purposes=frozenset())
    assert not Contact.objects.filter(service_request_id=sr.pk).exists()
    assert not Consent.objects.filter(service_request_id=sr.pk).exists()


def test_it_stores_nothing_when_only_an_unusable_email_was_given(file_request):
    sr = file_request(email="not an address")
    assert not Contact.objects.filter(service_request_id=sr.pk).exists()


def test_giving_the_same_purpose_again_keeps_one_live_consent(file_request):
    sr = file_request(phone="+1 415 555 0101", purposes=frozenset({Purpose.STATUS_UPDATES}))
    save_contact(
        service_request_id=sr.pk,
        details=ContactDetails(phone="+1 415 555 0101", purposes=frozenset({Purpose.STATUS_UPDATES})),
        tracking_token=sr.tracking_token,
        how_given=Consent.Method.STAFF,
    )
    assert Consent.objects.live().filter(service_request_id=sr.pk).count() == 1


def test_it_rejects_a_purpose_that_does_not_exist():
    sr = ServiceRequestFactory()
    with pytest.raises(ValueError):
        save_contact(
            service_request_id=sr.pk,
            details=ContactDetails(email="a@example.org", purposes=frozenset({"marketing"})),
            tracking_token=sr.tracking_token,
        )


def test_contact_fields_are_encrypted_at_rest(file_request):
    sr = file_request(first_name="Plainname", email="plain-canary@example.org", phone="+1 415 555 0199")
    with connection.cursor() as cursor:
        cursor.execute("SELECT first_name, email, phone FROM contacts_contact WHERE service_request_id = %s", [sr.pk])
        stored = cursor.fetchone()
    assert not any(v in "".join(stored) for v in ("Plainname", "plain-canary", "0199"))
    contact = Contact.objects.get(service_request_id=sr.pk)
    assert (contact.first_name, contact.email, contact.phone) == (
        "Plainname",
        "plain-canary@example.org",
        "+1 415 555 0199",
    )


def test_a_field_not_given_is_stored_empty_not_as_an_encrypted_empty_string(file_request):
    sr = file_request(email="only-mail@example.org")
    with connection.cursor() as cursor:
        cursor.execute("SELECT first_name, phone, email FROM contacts_contact WHERE service_request_id = %s", [sr.pk])
        first_name, phone, email = cursor.fetchone()
    assert (first_name, phone) == ("", "") and email not in ("", "only-mail@example.org")


def test_the_wording_of_each_purpose_is_a_plain_sentence_that_names_the_request():
    assert "updates about this request" in consent_wording(Purpose.STATUS_UPDATES)
    assert "question about this request" in consent_wording(Purpose.DEPARTMENT_QUESTIONS)


def test_the_wording_version_the_resident_read_is_recorded_and_unknown_ones_are_refused(file_request):
    sr = file_request(email="w@example.org", wording_version=CURRENT_WORDING_VERSION)
    assert set(Consent.objects.filter(service_request_id=sr.pk).values_list("wording_version", flat=True)) == {
        CURRENT_WORDING_VERSION
    }
    with pytest.raises(ValueError):
        save_contact(
            service_request_id=sr.pk,
            details=ContactDetails(
                email="w@example.org", wording_version="v0", purposes=frozenset(WORDING[CURRENT_WORDING_VERSION])
            ),
            tracking_token=sr.tracking_token,
        )


def test_callers_can_tell_the_resident_why_nothing_was_kept():
    assert "consent" in contact_not_kept_reason(ContactDetails(email="a@example.org"))
    assert "not valid" in contact_not_kept_reason(
        ContactDetails(email="nope", purposes=frozenset(WORDING[CURRENT_WORDING_VERSION]))
    )
    assert (
        contact_not_kept_reason(
            ContactDetails(email="a@example.org", purposes=frozenset(WORDING[CURRENT_WORDING_VERSION]))
        )
        == ""
    )
    assert contact_not_kept_reason(ContactDetails()) == ""


def test_a_contact_and_its_consents_are_kept_by_one_statement(django_assert_num_queries):
    sr = ServiceRequestFactory()
    details = ContactDetails(email="one@example.org", purposes=frozenset(WORDING[CURRENT_WORDING_VERSION]))
    # No transaction or savepoint around it either: the one statement is atomic on its own.
    with django_assert_num_queries(1):
        contact = save_contact(service_request_id=sr.pk, details=details, tracking_token="tok", channel="web")
    stored = Contact.objects.get(service_request_id=sr.pk)
    assert stored.pk == contact.pk and (stored.email, stored.tracking_token) == ("one@example.org", "tok")
    assert Consent.objects.live().filter(service_request_id=sr.pk).count() == len(WORDING[CURRENT_WORDING_VERSION])
    # Given again after an erasure, the same row holds the details again, and no second live consent appears.
    Contact.objects.filter(pk=contact.pk).update(email="", erased_at=sr.submitted_at)
    again = save_contact(service_request_id=sr.pk, details=details, tracking_token="tok2", channel="web")
    stored.refresh_from_db()
    assert again.pk == stored.pk and stored.erased_at is None and stored.tracking_token == "tok2"
    assert Consent.objects.live().filter(service_request_id=sr.pk).count() == len(WORDING[CURRENT_WORDING_VERSION])
