from datetime import UTC, datetime, timedelta, timezone

import pytest

from open311_format.mapping import FMS_INBOUND, FMS_STATUS, WIRE_STATUS, inbound_fms_target, parse_w3c, w3c
from requests_app.statuses import ALLOWED_TRANSITIONS, CLOSED_STATUSES, OPEN_STATUSES, Status

FMS_EXTENDED = {
    "open",
    "closed",
    "fixed",
    "in_progress",
    "action_scheduled",
    "investigating",
    "duplicate",
    "not_councils_responsibility",
    "no_further_action",
    "internal_referral",
    "reopen",
    "for_triage",
}


def test_every_domain_status_has_a_wire_status_and_a_fixmystreet_status():
    assert {s for s in Status if WIRE_STATUS[s] == "open"} == OPEN_STATUSES
    assert {s for s in Status if WIRE_STATUS[s] == "closed"} == CLOSED_STATUSES
    assert set(FMS_STATUS) == set(Status) and set(FMS_STATUS.values()) <= FMS_EXTENDED


def test_every_fixmystreet_status_is_understood_inbound():
    assert {s.lower() for s in FMS_INBOUND} == FMS_EXTENDED | {"cancelled"}  # FixMyStreet also sends CANCELLED


@pytest.mark.parametrize(
    "wire, current, expected",
    [
        ("FIXED", Status.IN_PROGRESS, Status.RESOLVED),
        ("FIXED", Status.SUBMITTED, Status.CLOSED),
        ("fixed", Status.SUBMITTED, Status.CLOSED),
        ("OPEN", Status.ON_HOLD, Status.ON_HOLD),
        ("REOPEN", Status.CLOSED, Status.REOPENED),
        ("REOPEN", Status.IN_PROGRESS, Status.IN_PROGRESS),
        ("DUPLICATE", Status.CLOSED, None),
        ("NOT_COUNCILS_RESPONSIBILITY", Status.SUBMITTED, Status.NOT_OURS),
        ("SOMETHING", Status.SUBMITTED, None),
    ],
)
def test_an_inbound_update_goes_as_far_as_the_pipeline_allows(wire, current, expected):
    assert inbound_fms_target(wire, current, ALLOWED_TRANSITIONS[current]) == expected


def test_datetimes_go_out_in_utc_with_whole_seconds():
    moment = datetime(2026, 5, 1, 16, 30, 15, 987654, tzinfo=timezone(timedelta(hours=2)))
    assert w3c(moment) == "2026-05-01T14:30:15Z"
    assert w3c(None) is None


@pytest.mark.parametrize(
    "text", ["2026-05-01T14:30:15Z", "2026-05-01T16:30:15+02:00", "2026-05-01T16:30:15 02:00", "2026-05-01T14:30:15"]
)
def test_datetimes_come_in_with_z_an_offset_a_decoded_plus_or_no_zone(text):
    assert parse_w3c(text) == datetime(2026, 5, 1, 14, 30, 15, tzinfo=UTC)


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01T00:00:00Z", "2026-05-01T25:00:00Z", ""])
def test_unreadable_datetimes_are_none(text):
    assert parse_w3c(text) is None
