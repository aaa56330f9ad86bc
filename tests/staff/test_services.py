from datetime import timedelta

import pytest
from django.utils import timezone

from requests_app.exceptions import InvalidAction, InvalidTransition
from requests_app.models import ServiceType
from requests_app.statuses import PermitStep, Priority, Status
from staffing import services
from staffing.models import HistoryScope
from tests.factories import ServiceRequestFactory, ServiceTypeFactory, TeamFactory, UserFactory


def last_entry(sr):
    return sr.status_changes.select_related("scope").order_by("-id").first()


def test_acknowledging_records_who_and_when_in_the_department(make_request, staff, department):
    sr = services.acknowledge(make_request(), by=staff)
    entry = last_entry(sr)
    assert (sr.status, entry.actor, entry.old_status, entry.new_status) == (
        Status.ACKNOWLEDGED,
        staff,
        Status.SUBMITTED,
        Status.ACKNOWLEDGED,
    )
    assert sr.acknowledged_at is not None
    assert (entry.scope.kind, entry.scope.department) == (HistoryScope.Kind.STATUS, department)


def test_a_note_without_a_status_change_is_history_too(make_request, staff):
    sr = services.set_status(make_request(), to=Status.SUBMITTED, by=staff, internal_note="Crew checks Tuesday")
    entry = last_entry(sr)
    assert (entry.old_status, entry.new_status, entry.internal_note, entry.scope.kind) == (
        Status.SUBMITTED,
        Status.SUBMITTED,
        "Crew checks Tuesday",
        HistoryScope.Kind.NOTE,
    )


def test_saying_nothing_is_refused(make_request, staff):
    with pytest.raises(InvalidAction):
        services.set_status(make_request(), to=Status.SUBMITTED, by=staff)


def test_resolve_close_and_reopen_follow_the_pipeline(make_request, staff):
    sr = make_request(status=Status.IN_PROGRESS)
    sr = services.set_status(sr, to=Status.RESOLVED, by=staff, public_note="Filled")
    assert sr.closed_at is not None
    sr = services.set_status(sr, to=Status.CLOSED, by=staff)
    sr = services.set_status(sr, to=Status.REOPENED, by=staff, public_note="It came back")
    assert (sr.status, sr.closed_at) == (Status.REOPENED, None)
    with pytest.raises(InvalidTransition):
        services.set_status(make_request(), to=Status.RESOLVED, by=staff)


def test_hold_needs_a_future_date_and_keeps_it(make_request, staff):
    sr = make_request()
    with pytest.raises(InvalidAction):
        services.hold(sr, until=timezone.localdate(), by=staff)
    until = timezone.localdate() + timedelta(days=7)
    sr = services.hold(sr, until=until, by=staff, public_note="Waiting for dry weather")
    assert (sr.status, sr.on_hold_until) == (Status.ON_HOLD, until)
    assert [e.new_status for e in sr.status_changes.all()][-2:] == [Status.ACKNOWLEDGED, Status.ON_HOLD]
    with pytest.raises(InvalidAction):
        services.set_status(make_request(), to=Status.ON_HOLD, by=staff)


def test_assigning_to_someone_outside_the_department_is_refused(make_request, staff, other_staff, other_team):
    sr = make_request()
    with pytest.raises(InvalidAction):
        services.assign(sr, by=staff, assignee=other_staff)
    with pytest.raises(InvalidAction):
        services.assign(sr, by=staff, team=other_team)
    sr.refresh_from_db()
    assert sr.assignee is None and sr.status_changes.count() == 0


def test_assigning_to_a_colleague_and_a_team_is_recorded(make_request, staff, department):
    colleague = UserFactory(username="colleague")
    night = TeamFactory(department=department, code="night")
    night.members.add(colleague)
    sr = services.assign(make_request(), by=staff, assignee=colleague, team=night)
    assert (sr.assignee, sr.team) == (colleague, night)
    assert "colleague" in last_entry(sr).internal_note


def test_priority_changes_and_says_from_what(make_request, staff):
    sr = services.change_priority(make_request(), priority=Priority.URGENT, by=staff)
    assert sr.priority == Priority.URGENT
    assert "Urgent" in last_entry(sr).internal_note
    with pytest.raises(InvalidAction):
        services.change_priority(sr, priority=Priority.URGENT, by=staff)


def test_service_type_changes_within_the_city_only(make_request, staff, jurisdiction, elsewhere, other_department):
    sr = make_request()
    with pytest.raises(InvalidAction):
        services.change_service_type(sr, service_type=ServiceTypeFactory(jurisdiction=elsewhere), by=staff)
    graffiti = ServiceTypeFactory(jurisdiction=jurisdiction, name="Graffiti")
    sr = services.change_service_type(sr, service_type=graffiti, by=staff, department=other_department)
    assert (sr.service_type, sr.department, sr.team, sr.assignee) == (graffiti, other_department, None, None)
    assert "Graffiti" in last_entry(sr).internal_note


def test_transfer_needs_a_reason_and_the_receiving_department_sees_it(
    make_request, staff, department, other_department, elsewhere_department
):
    sr = make_request(assignee=staff)
    with pytest.raises(InvalidAction):
        services.transfer(sr, to_department=other_department, reason=" ", by=staff)
    with pytest.raises(InvalidAction):
        services.transfer(sr, to_department=elsewhere_department, reason="x", by=staff)
    with pytest.raises(InvalidAction):
        services.transfer(sr, to_department=department, reason="x", by=staff)
    sr = services.transfer(sr, to_department=other_department, reason="A traffic signal, not a pothole", by=staff)
    assert (sr.department, sr.team, sr.assignee) == (other_department, None, None)
    scope = last_entry(sr).scope
    assert (scope.kind, scope.department, scope.to_department) == (
        HistoryScope.Kind.TRANSFER,
        department,
        other_department,
    )


def test_merge_closes_the_duplicate_with_a_pointer_and_moves_me_too(make_request, staff):
    original = make_request(me_too_count=2)
    duplicate = make_request(me_too_count=3)
    earlier = make_request(status=Status.DUPLICATE, duplicate_of=duplicate)
    dup = services.merge(duplicate, into=original, by=staff)
    original.refresh_from_db()
    earlier.refresh_from_db()
    assert (dup.status, dup.duplicate_of, dup.me_too_count) == (Status.DUPLICATE, original, 0)
    assert dup.closed_at is not None
    assert original.me_too_count == 2 + 3 + 1
    assert earlier.duplicate_of == original
    assert original.public_id in last_entry(dup).public_note


def test_merging_into_a_merged_request_follows_the_pointer(make_request, staff):
    original, middle, third = make_request(), make_request(), make_request()
    services.merge(middle, into=original, by=staff)
    dup = services.merge(third, into=middle, by=staff)
    assert dup.duplicate_of == original


def test_merge_refuses_itself_a_closed_original_and_another_city(make_request, staff, foreign_request):
    sr = make_request()
    with pytest.raises(InvalidAction):
        services.merge(sr, into=sr, by=staff)
    with pytest.raises(InvalidAction):
        services.merge(sr, into=make_request(status=Status.CLOSED), by=staff)
    with pytest.raises(InvalidAction):
        services.merge(sr, into=foreign_request, by=staff)
    sr.refresh_from_db()
    assert sr.status == Status.SUBMITTED and sr.duplicate_of is None


@pytest.fixture
def permit(jurisdiction):
    return ServiceTypeFactory(jurisdiction=jurisdiction, code="street-event", kind=ServiceType.Kind.PERMIT)


def test_a_permit_moves_through_its_steps_and_the_decision_is_explained(make_request, staff, permit):
    sr = make_request(service_type=permit)
    sr = services.set_permit_step(sr, step=PermitStep.UNDER_REVIEW, by=staff)
    assert (sr.permit_step, sr.status) == (PermitStep.UNDER_REVIEW, Status.IN_PROGRESS)
    with pytest.raises(InvalidAction):
        services.set_permit_step(sr, step=PermitStep.APPROVED, by=staff)
    sr = services.set_permit_step(
        sr, step=PermitStep.APPROVED, by=staff, explanation="Approved for Saturday 9:00-17:00."
    )
    assert (sr.permit_step, sr.status) == (PermitStep.APPROVED, Status.RESOLVED)
    assert "Approved for Saturday" in last_entry(sr).public_note
    with pytest.raises(InvalidAction):
        services.set_permit_step(sr, step=PermitStep.UNDER_REVIEW, by=staff)


def test_problem_reports_have_no_permit_steps(make_request, staff):
    with pytest.raises(InvalidAction):
        services.set_permit_step(make_request(), step=PermitStep.UNDER_REVIEW, by=staff)


def test_merging_a_request_into_its_own_duplicate_is_refused(make_request, staff):
    original = make_request()
    dup = services.merge(make_request(), into=original, by=staff)
    with pytest.raises(InvalidAction):
        services.merge(original, into=dup, by=staff)
    original.refresh_from_db()
    assert (original.status, original.duplicate_of) == (Status.SUBMITTED, None)


def test_a_reopened_duplicate_loses_its_pointer_and_closing_time(make_request, staff):
    dup = services.merge(make_request(), into=make_request(), by=staff)
    sr = services.set_status(dup, to=Status.REOPENED, by=staff, public_note="不是同一个坑")
    sr.refresh_from_db()
    assert (sr.status, sr.duplicate_of, sr.closed_at) == (Status.REOPENED, None, None)


@pytest.mark.parametrize("to", [Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED])
def test_leaving_a_hold_drops_its_date(make_request, staff, to):
    sr = services.hold(make_request(), until=timezone.localdate() + timedelta(days=3), by=staff)
    sr = services.set_status(sr, to=to, by=staff)
    sr.refresh_from_db()
    assert (sr.status, sr.on_hold_until, sr.closed_at is not None) == (to, None, to != Status.IN_PROGRESS)


@pytest.mark.parametrize(
    "act",
    [
        lambda sr, staff, other: services.hold(
            sr, until=timezone.localdate() + timedelta(days=3), by=staff, public_note="请打电话13812345678"
        ),
        lambda sr, staff, other: services.transfer(
            sr, to_department=other, reason="Signals", by=staff, public_note="请打电话13812345678"
        ),
        lambda sr, staff, other: services.merge(
            sr,
            into=ServiceRequestFactory(
                jurisdiction=sr.jurisdiction, service_type=sr.service_type, department=sr.department
            ),
            by=staff,
            public_note="Call 415-555-0143",
        ),
    ],
    ids=["hold", "transfer", "merge"],
)
def test_every_actions_public_note_is_masked_in_either_language(act, make_request, staff, other_department):
    sr = make_request()
    act(sr, staff, other_department)
    note = last_entry(sr).public_note
    assert note and "13812345678" not in note and "555-0143" not in note
