"""A small city for the staff queue: one department with staff, a lead and a manager, another department,
an operator, and a second city whose staff must never see the first."""

import pytest
from django.contrib.gis.geos import Point
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from contacts.services import ContactDetails, save_contact
from routing.models import RoutingRule, RuleSet
from routing.rulesets import activate_rule_set
from staffing.models import StaffRole
from tests.factories import (
    AreaFactory,
    AreaLayerFactory,
    DepartmentFactory,
    JurisdictionFactory,
    ServiceRequestFactory,
    ServiceTypeFactory,
    TeamFactory,
    UserFactory,
    square,
)


@pytest.fixture
def lead(team):
    user = UserFactory(username="lead")
    team.members.add(user)
    team.leads.add(user)
    return user


def with_role(username, role, jurisdiction, department=None):
    """A user holding one StaffRole: a department manager, or an operator of a city."""
    user = UserFactory(username=username)
    StaffRole.objects.create(user=user, role=role, jurisdiction=jurisdiction, department=department)
    return user


@pytest.fixture
def manager(department, jurisdiction):
    return with_role("manager", StaffRole.Role.MANAGER, jurisdiction, department)


@pytest.fixture
def city_operator(jurisdiction):
    user = with_role("city-operator", StaffRole.Role.OPERATOR, jurisdiction)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


@pytest.fixture
def other_team(other_department):
    return TeamFactory(department=other_department, code="signals", name="Signals")


@pytest.fixture
def other_staff(other_team):
    user = UserFactory(username="other-staff")
    other_team.members.add(user)
    return user


@pytest.fixture
def elsewhere(db):
    return JurisdictionFactory(slug="sz.example", name="Shenzhen", languages=["zh-hans", "en"])


@pytest.fixture
def elsewhere_department(elsewhere):
    return DepartmentFactory(jurisdiction=elsewhere, code="urban", name="Urban Management")


@pytest.fixture
def foreign_staff(elsewhere_department):
    user = UserFactory(username="foreign-staff")
    TeamFactory(department=elsewhere_department, code="roads").members.add(user)
    return user


@pytest.fixture
def nobody(db):
    return UserFactory(username="nobody", is_staff=False)


@pytest.fixture
def make_request(pothole, department, team):
    def make(**kwargs):
        kwargs.setdefault("service_type", pothole)
        kwargs.setdefault("department", department)
        kwargs.setdefault("team", team)
        kwargs.setdefault("location", Point(-122.4194, 37.7749, srid=4326))
        return ServiceRequestFactory(**kwargs)

    return make


@pytest.fixture
def other_request(other_department, jurisdiction):
    return ServiceRequestFactory(
        service_type=ServiceTypeFactory(jurisdiction=jurisdiction, code="signal"),
        department=other_department,
        address="9 Market St",
    )


@pytest.fixture
def foreign_request(elsewhere, elsewhere_department):
    return ServiceRequestFactory(
        service_type=ServiceTypeFactory(jurisdiction=elsewhere, code="road"),
        department=elsewhere_department,
        location=Point(114.05, 22.54, srid=4326),
    )


def sign_in(client, user):
    """Sign a staff member in as production requires: with a confirmed authenticator, used in this session
    (django-otp's session key, as django_otp.login sets it). One is set up for them if they have none."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="phone", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def graffiti(jurisdiction):
    return ServiceTypeFactory(jurisdiction=jurisdiction, code="graffiti", name="Graffiti")


@pytest.fixture
def downtown(jurisdiction):
    layer = AreaLayerFactory(jurisdiction=jurisdiction, code="districts", name="Districts")
    return AreaFactory(layer=layer, code="downtown", name="Downtown", boundary=square(-122.45, 37.75, 0.05))


@pytest.fixture
def rules(jurisdiction, downtown, pothole, graffiti, department, team, other_department, other_team):
    """The active rule set: potholes downtown to Streets of Public Works, graffiti anywhere to Signals of Transport."""
    rule_set = RuleSet.objects.create(jurisdiction=jurisdiction, version=1)
    RoutingRule.objects.create(
        rule_set=rule_set,
        order=1,
        name="Potholes downtown",
        service_type=pothole,
        area=downtown,
        department=department,
        team=team,
    )
    RoutingRule.objects.create(
        rule_set=rule_set, order=2, name="Graffiti", service_type=graffiti, department=other_department, team=other_team
    )
    return activate_rule_set(rule_set)


@pytest.fixture
def with_contact():
    """Give a request a kept contact, consented to the given purposes."""

    def give(sr, *purposes, email="ana@example.org", phone=""):
        save_contact(
            service_request_id=sr.pk,
            details=ContactDetails(
                first_name="Ana",
                last_name="Lima",
                email=email,
                phone=phone,
                language="en",
                purposes=frozenset(purposes),
            ),
            tracking_token=sr.tracking_token,
        )
        return sr

    return give


@pytest.fixture
def crew(department, jurisdiction):
    """A field crew member of Public Works, with an authenticator (crew mode wants two factors)."""
    user = with_role("crew-ana", StaffRole.Role.CREW, jurisdiction, department)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def sends(callbacks) -> list:
    """The message sends among the callbacks waiting for a commit (the public map's count waits there too)."""
    from config.queueing import enqueue
    from contacts.tasks import send_notification_task

    return [c for c in callbacks if getattr(c, "func", None) is enqueue and c.args[0] is send_notification_task]
