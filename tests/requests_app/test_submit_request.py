import pytest
from django.contrib.gis.geos import Point

from contacts.models import Contact
from contacts.purposes import Purpose
from contacts.services import ContactDetails
from requests_app.exceptions import InvalidSubmission
from requests_app.models import Question, ServiceRequest
from requests_app.services import Submission, submit_request
from requests_app.statuses import RoutingState, Status
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db

HERE = Point(-122.4194, 37.7749, srid=4326)

UPDATES = frozenset({Purpose.STATUS_UPDATES})


def test_it_files_a_request_with_its_first_history_row(pothole):
    sr = submit_request(Submission(service_type=pothole, location=HERE, description="Deep hole"))
    assert sr.status == Status.SUBMITTED
    assert sr.routing_state == RoutingState.PENDING
    assert sr.jurisdiction == pothole.jurisdiction
    assert sr.status_changes.get().new_status == Status.SUBMITTED


def test_each_request_gets_a_readable_public_id_and_a_separate_unguessable_token(pothole):
    a = submit_request(Submission(service_type=pothole, location=HERE))
    b = submit_request(Submission(service_type=pothole, location=HERE))
    assert a.public_id != b.public_id
    assert len(a.public_id) == 9 and a.public_id[4] == "-"
    assert len(a.tracking_token) >= 32
    assert a.public_id not in a.tracking_token


def test_it_needs_a_location_and_writes_nothing_without_one(pothole):
    with pytest.raises(InvalidSubmission) as err:
        submit_request(Submission(service_type=pothole, description="Somewhere"))
    assert "location" in err.value.errors
    assert not ServiceRequest.objects.exists()


def test_an_address_alone_is_a_location(pothole):
    sr = submit_request(Submission(service_type=pothole, address="Market St & 5th St"))
    assert sr.location is None and sr.address == "Market St & 5th St"


def test_it_names_the_code_of_a_missing_required_answer(pothole):
    QuestionFactory(service_type=pothole, code="depth", required=True)
    with pytest.raises(InvalidSubmission) as err:
        submit_request(Submission(service_type=pothole, location=HERE))
    assert err.value.errors["depth"] == ["depth required"]
    assert not ServiceRequest.objects.exists()


def test_it_checks_answers_against_their_datatypes(pothole):
    QuestionFactory(service_type=pothole, code="width", datatype=Question.Datatype.NUMBER)
    QuestionFactory(
        service_type=pothole,
        code="lanes",
        datatype=Question.Datatype.MULTIVALUELIST,
        values=[{"key": "n", "name": "North"}, {"key": "s", "name": "South"}],
    )
    QuestionFactory(service_type=pothole, code="seen", datatype=Question.Datatype.DATETIME)
    with pytest.raises(InvalidSubmission) as err:
        submit_request(
            Submission(
                service_type=pothole,
                location=HERE,
                answers={"width": "wide", "lanes": ["n", "east"], "seen": "yesterday"},
            )
        )
    assert set(err.value.errors) == {"width", "lanes", "seen"}

    sr = submit_request(
        Submission(
            service_type=pothole,
            location=HERE,
            answers={"width": "2.5", "lanes": ["n", "s"], "seen": "2024-05-01T14:30:00Z"},
        )
    )
    assert sr.answers == {"width": 2.5, "lanes": ["n", "s"], "seen": "2024-05-01T14:30:00+00:00"}


def test_a_type_that_stops_filing_refuses_with_its_notice(pothole):
    pothole.stops_filing = True
    pothole.notice = "Danger to life: call 911"
    pothole.save()
    with pytest.raises(InvalidSubmission) as err:
        submit_request(Submission(service_type=pothole, location=HERE))
    assert err.value.errors["service_type"] == ["Danger to life: call 911"]


def test_contact_details_go_to_contacts_only(pothole):
    sr = submit_request(
        Submission(
            service_type=pothole,
            location=HERE,
            contact=ContactDetails(email="canary@example.org", language="en", purposes=UPDATES),
        )
    )
    assert Contact.objects.get(service_request_id=sr.pk).email == "canary@example.org"


def test_no_contact_row_is_made_when_none_was_given(pothole):
    submit_request(Submission(service_type=pothole, location=HERE, contact=ContactDetails(language="en")))
    assert not Contact.objects.exists()


def test_contact_details_without_a_consented_purpose_are_not_kept(pothole):
    submit_request(
        Submission(
            service_type=pothole, location=HERE, contact=ContactDetails(email="canary@example.org", language="en")
        )
    )
    assert not Contact.objects.exists()
