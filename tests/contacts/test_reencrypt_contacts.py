import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from contacts.crypto import ContactKeyError
from contacts.models import Contact

pytestmark = pytest.mark.django_db

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _stored_email(sr) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM contacts_contact WHERE service_request_id = %s", [sr.pk])
        return cursor.fetchone()[0]


def test_rotation_rewrites_every_contact_with_the_newest_key(file_request, settings):
    settings.CIVIC311_CONTACT_KEYS = [OLD]
    sr = file_request(email="rotate@example.org")
    before = _stored_email(sr)

    settings.CIVIC311_CONTACT_KEYS = [NEW, OLD]
    assert Contact.objects.get(service_request_id=sr.pk).email == "rotate@example.org"  # old rows still open
    out = io.StringIO()
    call_command("reencrypt_contacts", stdout=out)
    assert "done, 1" in out.getvalue()
    assert _stored_email(sr) != before

    settings.CIVIC311_CONTACT_KEYS = [NEW]
    assert Contact.objects.get(service_request_id=sr.pk).email == "rotate@example.org"


def test_a_value_no_configured_key_opens_fails_without_showing_it(file_request, settings):
    settings.CIVIC311_CONTACT_KEYS = [OLD]
    sr = file_request(email="lost@example.org")
    settings.CIVIC311_CONTACT_KEYS = [NEW]
    with pytest.raises(ContactKeyError) as error:
        Contact.objects.get(service_request_id=sr.pk)
    assert _stored_email(sr) not in str(error.value)


def test_without_keys_of_its_own_rotating_djangos_secret_key_keeps_contacts_readable(file_request, settings):
    settings.CIVIC311_CONTACT_KEYS = []
    settings.SECRET_KEY = "the-old-secret-" + "x" * 40
    sr = file_request(email="secret@example.org")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "the-new-secret-" + "y" * 40, [settings.SECRET_KEY]
    call_command("reencrypt_contacts", stdout=io.StringIO())
    settings.SECRET_KEY_FALLBACKS = []
    assert Contact.objects.get(service_request_id=sr.pk).email == "secret@example.org"
