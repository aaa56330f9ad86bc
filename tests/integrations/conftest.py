import pytest
from django.contrib.gis.geos import Point

from contacts.purposes import Purpose
from contacts.services import ContactDetails
from integrations.events import Event
from integrations.models import OnwardDestination, WebhookSubscription, new_webhook_secret
from requests_app.services import Submission, submit_request
from routing.config import ensure_routing_settings
from routing.models import RoutingRule, RuleSet
from routing.rulesets import activate_rule_set

from .receiver import Receiver

HERE = Point(-122.4194, 37.7749, srid=4326)


@pytest.fixture
def secret():
    return new_webhook_secret()


@pytest.fixture
def receiver(secret):
    running = Receiver(webhook_secret=secret).start()
    yield running
    running.stop()


@pytest.fixture
def potholes_to_public_works(jurisdiction, pothole, department, team):
    """Routing sends every pothole to Public Works."""
    ensure_routing_settings(jurisdiction)
    rule_set = RuleSet.objects.create(jurisdiction=jurisdiction, version=1)
    RoutingRule.objects.create(rule_set=rule_set, order=1, service_type=pothole, department=department, team=team)
    return activate_rule_set(rule_set)


@pytest.fixture
def contractor(jurisdiction, department, receiver):
    """Public Works hands its requests to a contractor's Open311 server, which needs an email address."""
    return OnwardDestination.objects.create(
        jurisdiction=jurisdiction,
        name="Streets contractor",
        kind=OnwardDestination.Kind.OPEN311,
        url=receiver.base_url + "open311/v2/",
        api_key="contractor-key",
        remote_jurisdiction_id="contractor.example",
        department=department,
        service_codes={"pothole": "PH01"},
        contact_fields=["email"],
    )


@pytest.fixture
def subscription(jurisdiction, receiver, secret):
    return WebhookSubscription.objects.create(
        jurisdiction=jurisdiction,
        url=receiver.base_url + "hooks",
        secrets=secret,
        events=[Event.FILED, Event.ROUTED, Event.STATUS_CHANGED, Event.CLOSED],
    )


@pytest.fixture
def file_pothole(pothole):
    def file(description="A pothole as deep as a shoe", purposes=(), email="", first_name="", phone=""):
        contact = ContactDetails(email=email, first_name=first_name, phone=phone, purposes=frozenset(purposes))
        return submit_request(
            Submission(
                service_type=pothole, location=HERE, description=description, address="1 Market St", contact=contact
            )
        )

    return file


ASK_ME = (Purpose.DEPARTMENT_QUESTIONS,)
