from datetime import UTC, datetime

from routing.engine import Inputs, first_match, never_matching
from routing.hours import add_business_hours, is_open, validate_business_hours
from routing.models import RoutingRule

WEEKDAYS = {str(d): ["09:00", "17:00"] for d in range(5)}
TZ = "America/Los_Angeles"


def test_no_business_hours_means_around_the_clock():
    start = datetime(2025, 6, 7, 3, 0, tzinfo=UTC)
    assert is_open({}, start, TZ)
    assert add_business_hours(start, 5, {}, TZ) == datetime(2025, 6, 7, 8, 0, tzinfo=UTC)


def test_hours_filed_at_the_weekend_start_counting_on_monday_morning():
    saturday = datetime(2025, 6, 7, 18, 0, tzinfo=UTC)
    assert not is_open(WEEKDAYS, saturday, TZ)
    assert add_business_hours(saturday, 3, WEEKDAYS, TZ) == datetime(2025, 6, 9, 19, 0, tzinfo=UTC)


def test_bad_business_hours_are_explained():
    assert validate_business_hours({"7": ["09:00", "17:00"], "1": ["18:00", "08:00"], "2": "nine"}) == [
        "7 is not a weekday number from 0 to 6",
        "Day 1: it opens after it closes",
        'Day 2: give ["HH:MM", "HH:MM"]',
    ]


def rule(pk, **fields):
    return RoutingRule(pk=pk, order=pk, name=f"r{pk}", department_id=1, **fields)


def test_words_answers_and_night_hours_are_conditions():
    night = rule(1, words=["needle"], hour_from=22, hour_to=6)
    answered = rule(2, answer_code="kind", answer_value="blocking")
    fallback = rule(3)
    rules = [night, answered, fallback]
    assert first_match(rules, Inputs(service_type_id=1, description="A needle here", local_hour=23)) == night
    assert first_match(rules, Inputs(service_type_id=1, description="A needle here", local_hour=12)) == fallback
    assert first_match(rules, Inputs(service_type_id=1, answers={"kind": "blocking"})) == answered


def test_a_rule_with_an_empty_hour_range_can_never_match():
    assert never_matching([rule(1, hour_from=3, hour_to=3)]) == {1: None}


def test_a_rule_behind_a_broader_one_is_flagged_with_the_rule_that_shadows_it():
    broad, narrow, other = (
        rule(1, service_type_id=5),
        rule(2, service_type_id=5, words=["deep"]),
        rule(3, service_type_id=6),
    )
    assert never_matching([broad, narrow, other]) == {2: broad}


def test_a_chinese_rule_word_is_found_inside_running_text_without_spaces():
    manhole = rule(1, words=["井盖"])
    assert first_match([manhole], Inputs(service_type_id=1, description="人行道上的井盖不见了，很危险")) == manhole
    assert first_match([manhole], Inputs(service_type_id=1, description="路灯坏了")) is None


def test_an_english_rule_word_matches_its_other_forms_but_not_other_words():
    pothole, flood = rule(1, words=["pothole"]), rule(2, words=["flood"])
    assert first_match([pothole], Inputs(service_type_id=1, description="Two deep POTHOLES on Main")) == pothole
    assert first_match([flood], Inputs(service_type_id=1, description="The street flooded overnight")) == flood
    assert first_match([flood], Inputs(service_type_id=1, description="Flooding at the corner")) == flood
    assert first_match([pothole, flood], Inputs(service_type_id=1, description="floodlight broken")) is None
