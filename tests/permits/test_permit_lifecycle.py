"""An application from filing to its end: the steps with who and when, conflicts, the decision told to the
applicant under consent, the fee, extension, revocation, and the beat task that closes ended permits."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.gis.geos import LineString, Point

from contacts.models import Contact, Notification
from contacts.services import erase_expired_contacts
from permits.exceptions import InvalidApplication, PermitActionRefused
from permits.models import Permit
from permits.pipeline import EventKind, State, Step
from permits.services import (
    close_ended_permits,
    complete_step,
    decide_extension,
    decide_permit,
    mark_fee_paid,
    request_extension,
    revoke_permit,
)
from permits.tasks import close_ended_permits_task
from requests_app.statuses import PermitStep, Status

from .conftest import FRONTAGE, at, pdf_with_javascript, upload

APPLIED = date(2026, 11, 30)
START, END = date(2026, 12, 7), date(2026, 12, 11)


@pytest.fixture
def permit(apply):
    with at(APPLIED):
        return apply(START, END)


def approved(permit, staff):
    complete_step(permit, by=staff, note="Plans complete")
    complete_step(permit, by=staff, note="Pavement wide enough")
    return decide_permit(permit, by=staff, approve=True, added_conditions=["Keep the hydrant clear."])


def test_an_application_stores_its_place_dates_fee_document_and_first_step(permit):
    sr = permit.service_request
    assert (permit.state, permit.step, sr.permit_step, sr.status) == (
        State.IN_REVIEW,
        Step.CHECK,
        PermitStep.RECEIVED,
        Status.SUBMITTED,
    )
    assert 50 < permit.length_m < 70 and permit.geometry.geom_type == "LineString"
    assert permit.fee_amount == Decimal("125.00")  # five days at 25
    assert [d.kind for d in permit.documents.all()] == ["pdf"]
    assert sr.location.equals(FRONTAGE.point_on_surface)
    assert Contact.objects.get(service_request_id=sr.pk).keep_until == END + timedelta(days=90)


def test_an_application_with_a_scripted_pdf_a_point_instead_of_a_line_and_no_dates_stores_nothing(apply):
    with at(APPLIED), pytest.raises(InvalidApplication) as refused:
        apply(None, None, geometry=Point(-122.4, 37.7, srid=4326), documents={"plan": upload(pdf_with_javascript())})
    assert set(refused.value.errors) >= {"geometry", "starts_on", "ends_on", "document_plan"}
    assert not Permit.objects.exists()


def test_a_permit_longer_than_its_type_allows_is_refused(apply):
    with at(APPLIED), pytest.raises(InvalidApplication) as refused:
        apply(START, START + timedelta(days=14))
    assert "at most 14 days" in refused.value.errors["ends_on"][0]


def test_each_step_is_recorded_with_who_did_it_and_when(permit, staff):
    complete_step(permit, by=staff, note="Plans complete")
    permit = complete_step(permit, by=staff, note="Pavement wide enough")
    steps = list(permit.events.filter(kind=EventKind.STEP_DONE).values_list("step", "actor__username"))
    assert steps == [(Step.CHECK, "staff"), (Step.SITE_INSPECTION, "staff")]
    assert permit.step == Step.DECISION and permit.service_request.status == Status.IN_PROGRESS
    with pytest.raises(PermitActionRefused, match="decision"):
        complete_step(permit, by=staff)


def test_approval_before_the_decision_step_is_refused(permit, staff):
    with pytest.raises(PermitActionRefused, match="earlier steps"):
        decide_permit(permit, by=staff, approve=True)


def test_approval_carries_the_standard_and_added_conditions_and_tells_the_applicant(
    permit, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        permit = approved(permit, staff)
    assert permit.state == State.APPROVED and permit.service_request.status == Status.RESOLVED
    assert permit.localized_conditions("en") == ["Light the skip at night.", "Keep the hydrant clear."]
    assert permit.localized_conditions("zh-hans")[0] == "夜间须照明。"
    told = set(
        Notification.objects.filter(service_request_id=permit.service_request_id).values_list(
            "event", "purpose", "medium"
        )
    )
    assert told == {("permit_decided", "permit_decision", "email"), ("permit_decided", "permit_decision", "sms")}


def test_refusal_needs_reasons_and_gives_them_to_the_applicant(permit, staff):
    with pytest.raises(PermitActionRefused, match="reasons"):
        decide_permit(permit, by=staff, approve=False)
    permit = decide_permit(permit, by=staff, approve=False, reasons="The pavement is too narrow.")
    assert permit.state == State.REFUSED and permit.service_request.permit_step == PermitStep.REFUSED
    assert "too narrow" in permit.service_request.status_changes.last().public_note


def test_without_consent_for_the_decision_nobody_is_told(apply, staff, django_capture_on_commit_callbacks):
    from contacts.services import ContactDetails

    with at(APPLIED):
        permit = apply(START, END, contact=ContactDetails(email="ana@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        decide_permit(permit, by=staff, approve=False, reasons="No")
    assert not Notification.objects.exists() and not Contact.objects.exists()


def test_the_fee_is_marked_paid_once_with_the_cashiers_reference(permit, staff):
    permit = approved(permit, staff)
    with pytest.raises(PermitActionRefused, match="reference"):
        mark_fee_paid(permit, by=staff, reference=" ")
    permit = mark_fee_paid(permit, by=staff, reference="SF-CASH-0042")
    assert permit.payment_reference == "SF-CASH-0042" and permit.fee_paid_at is not None
    with pytest.raises(PermitActionRefused, match="already"):
        mark_fee_paid(permit, by=staff, reference="again")


def test_an_extension_asked_and_granted_moves_the_end_the_fee_and_the_contacts_retention(permit, staff):
    permit = mark_fee_paid(approved(permit, staff), by=staff, reference="R1")
    with pytest.raises(PermitActionRefused, match="at most 14"):
        request_extension(permit, until=START + timedelta(days=20), reason="Longer works")
    permit = request_extension(permit, until=date(2026, 12, 13), reason="The kitchen arrives late")
    permit = decide_extension(permit, by=staff, grant=True)
    assert permit.ends_on == date(2026, 12, 13) and permit.fee_amount == Decimal("175.00")
    assert permit.fee_paid_at is None  # the two added days are due
    assert Contact.objects.get(service_request_id=permit.service_request_id).keep_until == date(2027, 3, 13)


def test_revocation_needs_a_reason_and_closes_the_request(permit, staff):
    permit = approved(permit, staff)
    with pytest.raises(PermitActionRefused):
        revoke_permit(permit, by=staff, reason="")
    permit = revoke_permit(permit, by=staff, reason="Emergency gas works on this block.")
    assert permit.state == State.REVOKED and permit.service_request.status == Status.CLOSED
    with pytest.raises(PermitActionRefused):
        revoke_permit(permit, by=staff, reason="Again")


def test_the_beat_task_ends_permits_after_their_last_day_only(permit, staff, apply):
    approved(permit, staff)
    with at(APPLIED):
        later = apply(date(2026, 12, 14), date(2026, 12, 18))
    approved(later, staff)
    with at(END):
        assert close_ended_permits() == 0
    with at(END + timedelta(days=1)):
        assert close_ended_permits_task() == 1
    permit.refresh_from_db()
    later.refresh_from_db()
    assert (permit.state, later.state) == (State.EXPIRED, State.APPROVED)
    assert permit.service_request.status_changes.last().new_status == Status.CLOSED


def test_the_contact_outlives_the_closed_request_until_the_permit_end_plus_the_citys_period(permit, staff):
    approved(permit, staff)
    with at(END + timedelta(days=1)):
        close_ended_permits()
    with at(END + timedelta(days=60)):
        assert erase_expired_contacts() == 0  # the request closed 59 days ago, past the 30-day rule
    with at(END + timedelta(days=91)):
        assert erase_expired_contacts() == 1


def test_an_application_overlapping_another_in_place_and_dates_is_flagged_with_the_other_linked(permit, apply):
    with at(APPLIED):
        clash = apply(date(2026, 12, 10), date(2026, 12, 12))
        elsewhere = apply(START, END, geometry=LineString((-122.40, 37.78), (-122.401, 37.781), srid=4326))
        afterwards = apply(date(2026, 12, 12), date(2026, 12, 14))
    assert set(clash.conflicts.all()) == {permit, afterwards}
    assert list(permit.conflicts.all()) == [clash]
    assert not elsewhere.conflicts.exists()
    assert list(afterwards.conflicts.all()) == [clash]
