"""The decision clock counts working days in routing.hours' calendar: weekends and public holidays don't count,
and the days spent waiting for the applicant's answer are added to it."""

from datetime import date

from permits.pipeline import State
from permits.services import answer_information, request_information

from .conftest import at

MONDAY_BEFORE_THANKSGIVING = date(2026, 11, 23)


def test_the_decision_is_due_five_working_days_later_skipping_thanksgiving_the_day_after_and_the_weekend(apply):
    with at(MONDAY_BEFORE_THANKSGIVING):
        permit = apply(date(2026, 12, 8), date(2026, 12, 10))
    # Tue 24, Wed 25, (Thu 26 and Fri 27 are California holidays, then the weekend), Mon 30, Tue 1, Wed 2.
    assert permit.decision_due_on == date(2026, 12, 2)


def test_an_information_request_stops_the_clock_and_the_answer_restarts_it_later_by_the_days_waited(apply, staff):
    with at(MONDAY_BEFORE_THANKSGIVING):
        permit = apply(date(2026, 12, 8), date(2026, 12, 10))
    with at(date(2026, 11, 24)):
        permit = request_information(permit, by=staff, question="Which side of the street?")
    assert permit.state == State.WAITING_FOR_APPLICANT and permit.clock_paused
    with at(date(2026, 12, 1)):
        permit = answer_information(permit, answer="The north side, outside number 1.")
    # Waiting from Tue 24 to Tue 1 took three working days (Wed 25, Mon 30, Tue 1): due Dec 2 + 3 = Mon Dec 7.
    assert (permit.state, permit.paused_working_days, permit.paused_since) == (State.IN_REVIEW, 3, None)
    assert permit.decision_due_on == date(2026, 12, 7)


def test_an_answer_given_the_same_day_it_was_asked_costs_no_working_day(apply, staff):
    with at(MONDAY_BEFORE_THANKSGIVING):
        permit = apply(date(2026, 12, 8), date(2026, 12, 10))
        permit = request_information(permit, by=staff, question="Which side of the street?")
        permit = answer_information(permit, answer="North")
    assert permit.decision_due_on == date(2026, 12, 2)


def test_the_minimum_notice_counts_working_days_too(apply):
    import pytest

    from permits.exceptions import InvalidApplication

    with at(date(2026, 11, 25)), pytest.raises(InvalidApplication) as refused:
        # Two working days after Wed 25: Mon 30 and Tue 1, so Monday 30 is too early.
        apply(date(2026, 11, 30), date(2026, 12, 1))
    assert "2026-12-01" in refused.value.errors["starts_on"][0]
