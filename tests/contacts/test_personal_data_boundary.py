import json

import pytest
from django.apps import apps
from django.contrib.gis.geos import Point
from django.core import serializers

from contacts.models import Contact
from contacts.purposes import Purpose
from contacts.services import ContactDetails, erase_contact
from requests_app.models import ServiceRequest
from requests_app.services import Submission, submit_request

PERSONAL_FIELD_NAMES = {"email", "phone", "first_name", "last_name", "device_id"}

UPDATES = frozenset({Purpose.STATUS_UPDATES})


def test_no_model_outside_contacts_has_a_personal_field():
    for model in apps.get_models():
        if model._meta.app_label in {"contacts", "auth"}:
            continue  # auth.User holds staff accounts, not residents
        names = {f.name for f in model._meta.get_fields()}
        assert not names & PERSONAL_FIELD_NAMES, model


def test_no_orm_path_leads_from_a_request_to_its_contact():
    related = {f.related_model for f in ServiceRequest._meta.get_fields() if f.is_relation}
    assert Contact not in related
    assert not any(name.startswith("contact") for name in dir(ServiceRequest))


@pytest.mark.django_db
def test_a_serialised_request_carries_no_personal_data(pothole):
    sr = submit_request(
        Submission(
            service_type=pothole,
            location=Point(-122.4, 37.7, srid=4326),
            contact=ContactDetails(
                email="canary-7781@example.org", phone="+1 555 0100", first_name="Canaryname", purposes=UPDATES
            ),
        )
    )
    dumped = serializers.serialize("json", ServiceRequest.objects.filter(pk=sr.pk))
    assert "canary-7781" not in dumped and "0100" not in dumped and "Canaryname" not in dumped
    assert not PERSONAL_FIELD_NAMES & set(json.loads(dumped)[0]["fields"])


@pytest.mark.django_db
def test_erasure_scrubs_the_person_and_keeps_the_request(pothole):
    sr = submit_request(
        Submission(
            service_type=pothole,
            location=Point(-122.4, 37.7, srid=4326),
            contact=ContactDetails(email="canary@example.org", phone="+1 555 0100", purposes=UPDATES),
        )
    )
    assert erase_contact(service_request_id=sr.pk) is True
    contact = Contact.objects.get(service_request_id=sr.pk)
    assert (contact.email, contact.phone, contact.erased_at is not None) == ("", "", True)
    assert ServiceRequest.objects.filter(pk=sr.pk).exists()
    assert erase_contact(service_request_id=sr.pk) is False
