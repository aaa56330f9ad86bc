import factory
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.utils import timezone

from requests_app.models import Jurisdiction, Question, ServiceRequest, ServiceType
from requests_app.public_ids import new_tracking_token
from requests_app.public_text import masking_for
from requests_app.statuses import CLOSED_STATUSES, Status
from routing.models import Area, AreaLayer, Department, Team


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")
    is_staff = True


class JurisdictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"city{n}.example")
    name = factory.Sequence(lambda n: f"City {n}")
    timezone = "America/Los_Angeles"
    languages = ["en", "zh-hans"]


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    jurisdiction = factory.SubFactory(JurisdictionFactory)
    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"Department {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    department = factory.SubFactory(DepartmentFactory)
    code = factory.Sequence(lambda n: f"team-{n}")
    name = factory.Sequence(lambda n: f"Team {n}")


class ServiceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceType

    jurisdiction = factory.SubFactory(JurisdictionFactory)
    code = factory.Sequence(lambda n: f"type-{n}")
    name = factory.Sequence(lambda n: f"Service {n}")
    description = "A kind of problem"
    group = "Streets"


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    service_type = factory.SubFactory(ServiceTypeFactory)
    code = factory.Sequence(lambda n: f"q{n}")
    datatype = Question.Datatype.STRING
    description = "A question"
    order = factory.Sequence(lambda n: n + 1)


class ServiceRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceRequest

    service_type = factory.SubFactory(ServiceTypeFactory)
    jurisdiction = factory.SelfAttribute("service_type.jurisdiction")
    status = Status.SUBMITTED
    # As the status pipeline keeps it (and the database holds it): a closed request has its closing time.
    closed_at = factory.LazyAttribute(lambda o: timezone.now() if o.status in CLOSED_STATUSES else None)
    location = factory.LazyFunction(lambda: Point(-122.4194, 37.7749, srid=4326))
    address = "1 Dr Carlton B Goodlett Pl"
    description = "A pothole as deep as a shoe"
    # As submit_request stores it: masked once, when written.
    public_description = factory.LazyAttribute(lambda o: masking_for(o.jurisdiction).text(o.description))
    public_answers = factory.LazyAttribute(lambda o: masking_for(o.jurisdiction).answers(o.answers))
    answers = factory.LazyFunction(dict)
    # Issued as submit_request issues it: the row keeps the digest, the returned object the plain token.
    tracking_token = factory.LazyFunction(new_tracking_token)


def tracking_token_for(sr: ServiceRequest) -> str:
    """A working private link's token for a request filed elsewhere in the test (Open311, a form whose answer the
    test did not read): the database keeps only digests, so a new token is issued in place of the first."""
    sr.tracking_token = new_tracking_token()
    ServiceRequest.objects.filter(pk=sr.pk).update(tracking_token_digest=sr.tracking_token_digest)
    return sr.tracking_token


class AreaLayerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AreaLayer

    jurisdiction = factory.SubFactory(JurisdictionFactory)
    code = factory.Sequence(lambda n: f"layer-{n}")
    name = "Districts"


def square(x0, y0, size=1.0) -> MultiPolygon:
    return MultiPolygon(
        Polygon(((x0, y0), (x0, y0 + size), (x0 + size, y0 + size), (x0 + size, y0), (x0, y0))), srid=4326
    )


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    layer = factory.SubFactory(AreaLayerFactory)
    code = factory.Sequence(lambda n: f"area-{n}")
    name = factory.Sequence(lambda n: f"Area {n}")
    boundary = factory.LazyFunction(lambda: square(0, 0))
