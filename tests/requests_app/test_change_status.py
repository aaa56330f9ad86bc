import pytest

from requests_app.exceptions import InvalidTransition
from requests_app.services import change_status
from requests_app.statuses import ALLOWED_TRANSITIONS, Status
from tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db

# Sorted: a set's order follows the process's string hashing, and every pytest-xdist process must collect the
# same tests in the same order.
ALLOWED = [(old, new) for old, targets in ALLOWED_TRANSITIONS.items() for new in sorted(targets)]
REFUSED = [(old, new) for old in Status for new in Status if new != old and new not in ALLOWED_TRANSITIONS[old]]


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_it_allows_each_transition_of_the_pipeline(old, new, staff):
    sr = ServiceRequestFactory(status=old)
    change_status(sr, to=new, by=staff)
    sr.refresh_from_db()
    assert sr.status == new
    change = sr.status_changes.get()
    assert (change.old_status, change.new_status, change.actor) == (old, new, staff)


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_it_refuses_each_transition_not_in_the_pipeline_and_writes_nothing(old, new, staff):
    sr = ServiceRequestFactory(status=old)
    with pytest.raises(InvalidTransition):
        change_status(sr, to=new, by=staff)
    sr.refresh_from_db()
    assert sr.status == old
    assert not sr.status_changes.exists()


def test_it_rejects_jumping_from_submitted_to_resolved(staff):
    with pytest.raises(InvalidTransition):
        change_status(ServiceRequestFactory(), to=Status.RESOLVED, by=staff)


def test_it_keeps_public_and_internal_notes_apart(staff):
    sr = change_status(
        ServiceRequestFactory(),
        to=Status.ACKNOWLEDGED,
        by=staff,
        public_note="Crew booked for Tuesday",
        internal_note="Needs the big truck",
    )
    change = sr.status_changes.get()
    assert change.public_note == "Crew booked for Tuesday"
    assert change.internal_note == "Needs the big truck"


def test_it_stamps_acknowledgement_and_closing_times_and_clears_them_on_reopen(staff):
    sr = ServiceRequestFactory()
    sr = change_status(sr, to=Status.ACKNOWLEDGED, by=staff)
    assert sr.acknowledged_at is not None and sr.closed_at is None
    sr = change_status(sr, to=Status.RESOLVED, by=staff)
    assert sr.closed_at is not None and sr.is_closed
    sr = change_status(sr, to=Status.REOPENED, by=staff)
    assert sr.closed_at is None and sr.is_open
    assert list(sr.status_changes.values_list("new_status", flat=True)) == ["acknowledged", "resolved", "reopened"]


def test_a_note_without_a_status_change_is_recorded_in_the_history(staff):
    sr = ServiceRequestFactory(status=Status.IN_PROGRESS)
    change_status(sr, to=Status.IN_PROGRESS, by=staff, public_note="Parts ordered")
    change = sr.status_changes.get()
    assert (change.old_status, change.new_status, change.public_note) == ("in_progress", "in_progress", "Parts ordered")


def test_the_same_status_without_a_note_writes_nothing(staff):
    sr = ServiceRequestFactory(status=Status.IN_PROGRESS)
    change_status(sr, to=Status.IN_PROGRESS, by=staff)
    assert not sr.status_changes.exists()
