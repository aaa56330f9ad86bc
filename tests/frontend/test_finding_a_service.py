"""Finding the right service: everyday words in both languages, the classifier's guess, and "not sure"."""

import pytest

from routing.config import ensure_routing_settings
from routing.rulesets import save_classifier
from tests.factories import ServiceTypeFactory

pytestmark = pytest.mark.django_db

PICKER = "/sf.example/report/"


@pytest.fixture
def street_defects(jurisdiction):
    return ServiceTypeFactory(
        jurisdiction=jurisdiction,
        code="street-defects",
        name="Pothole or street damage",
        name_translations={"zh-hans": "路面坑洞或损坏"},
        group="Streets",
        description="Potholes, a missing manhole cover or a shifted construction plate.",
        keywords=["pothole", "manhole", "坑", "坑洞", "井盖"],
    )


@pytest.fixture
def cleaning(jurisdiction):
    return ServiceTypeFactory(
        jurisdiction=jurisdiction,
        code="cleaning",
        name="Street cleaning, dumping or litter",
        group="Cleanliness",
        description="Litter or dumped bags on a street.",
        keywords=["trash", "garbage", "垃圾"],
    )


@pytest.fixture
def general(jurisdiction):
    general = ServiceTypeFactory(jurisdiction=jurisdiction, code="general", name="Something else", group="Other")
    routing_settings = ensure_routing_settings(jurisdiction)
    routing_settings.general_type_codes = ["general"]
    routing_settings.save()
    return general


def _found(client, query, **headers) -> str:
    return client.get(PICKER, {"q": query}, **headers).content.decode()


@pytest.mark.parametrize("query", ["pothole", "big pothole outside", "Manhole", "坑", "井盖不见了"])
def test_everyday_words_in_either_language_find_the_street_defects(client, street_defects, cleaning, query):
    page = _found(client, query)
    assert "Pothole or street damage" in page or "路面坑洞或损坏" in page
    assert "Street cleaning" not in page


def test_trash_finds_the_cleaning_service_by_its_search_words(client, street_defects, cleaning):
    page = _found(client, "trash")
    assert "Street cleaning, dumping or litter" in page and "Pothole or street damage" not in page


def test_the_classifier_suggests_a_service_from_the_words_typed(client, jurisdiction, street_defects, cleaning):
    save_classifier(
        jurisdiction,
        [("deep hole in the road by the bus stop", "street-defects")] * 5
        + [("bags dumped on the corner", "cleaning")] * 5,
    )
    page = _found(client, "hole in road")
    assert 'id="suggestion"' in page and "Looks like:" in page
    assert '<a href="/sf.example/report/street-defects/">Pothole or street damage</a>' in page
    assert 'id="suggestion"' not in _found(client, "zebra")


def test_not_sure_leads_to_the_catch_all_type_that_goes_to_triage(client, street_defects, general):
    page = client.get(PICKER).content.decode()
    assert 'href="/sf.example/report/general/">Describe the problem and we will sort it</a>' in page


def test_without_a_catch_all_type_there_is_no_not_sure_link(client, street_defects):
    assert 'id="not-sure"' not in client.get(PICKER).content.decode()
