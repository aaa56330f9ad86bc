import pytest

from requests_app.statuses import RoutingState
from routing import classifier
from routing.models import RuleSet
from routing.router import route_request
from routing.rulesets import RuleSetNotDraft, activate_rule_set, copy_rule_set, save_classifier
from routing.selectors import suggest_service_type
from tests.factories import ServiceRequestFactory, ServiceTypeFactory

from .conftest import HERE

pytestmark = pytest.mark.django_db

HISTORY = (
    [("deep pothole in the road surface", "pothole")] * 20
    + [("streetlight out dark lamp post", "streetlight")] * 20
    + [("graffiti tag painted on wall", "graffiti")] * 20
)


def test_it_learns_which_words_belong_to_which_type():
    model = classifier.train(HISTORY)
    label, confidence = classifier.predict(model, "the lamp post is dark")[0]
    assert label == "streetlight" and confidence > 0.9


def test_text_with_no_known_word_gets_no_suggestion():
    assert classifier.predict(classifier.train(HISTORY), "zzz qqq") == []


def test_chinese_text_is_split_into_characters_and_pairs():
    model = classifier.train([("路灯不亮", "streetlight")] * 5 + [("道路坑洼", "pothole")] * 5)
    assert classifier.predict(model, "这里的路灯坏了")[0][0] == "streetlight"


@pytest.fixture
def trained(jurisdiction, pothole, department, team, downtown, routing_settings, make_rule_set):
    streetlight = ServiceTypeFactory(jurisdiction=jurisdiction, code="streetlight", name="Streetlight")
    ServiceTypeFactory(jurisdiction=jurisdiction, code="graffiti", name="Graffiti")
    other = ServiceTypeFactory(jurisdiction=jurisdiction, code="other", name="Other")
    routing_settings.general_type_codes = ["other"]
    routing_settings.save()
    save_classifier(jurisdiction, HISTORY)
    make_rule_set(
        {"service_type": pothole, "department": department, "team": team},
        {"service_type": streetlight, "department": department, "team": team},
    )
    return {"other": other, "streetlight": streetlight}


def test_a_request_filed_as_other_is_routed_by_the_suggested_type(trained, team):
    sr = ServiceRequestFactory(service_type=trained["other"], location=HERE, description="The lamp post is dark")
    decision = route_request(sr.pk)
    assert decision.state == RoutingState.ROUTED
    assert decision.routed_service_type == trained["streetlight"]
    assert decision.suggested_service_type == trained["streetlight"] and decision.confidence > 0.6
    assert decision.suggested_department == team.department


def test_an_unclear_other_request_goes_to_triage_for_a_person(trained):
    sr = ServiceRequestFactory(service_type=trained["other"], location=HERE, description="Something odd")
    decision = route_request(sr.pk)
    assert decision.state == RoutingState.TRIAGE
    assert decision.reason == "The description does not say clearly enough what kind of problem this is."


def test_a_type_the_resident_chose_is_never_outvoted_by_the_text(trained, pothole, team):
    # A Street Defects report of a missing manhole cover once went to the sign shop: the text model may
    # suggest, for staff to see, but routing follows the resident's own choice.
    sr = ServiceRequestFactory(
        service_type=pothole, location=HERE, description="streetlight out, the lamp post is dark"
    )
    decision = route_request(sr.pk)
    assert decision.state == RoutingState.ROUTED
    assert decision.routed_service_type == pothole
    assert decision.suggested_service_type == trained["streetlight"]


def test_a_type_that_fits_the_text_is_kept(trained, pothole):
    sr = ServiceRequestFactory(service_type=pothole, location=HERE, description="deep pothole in the road")
    assert route_request(sr.pk).routed_service_type == pothole


def test_learning_a_draft_model_leaves_live_routing_alone_until_the_draft_is_activated(
    trained, jurisdiction, department, team, make_rule_set
):
    draft = copy_rule_set(RuleSet.objects.active().get(jurisdiction=jurisdiction))
    # The draft's model learned that "lamp" means pothole work; live routing still reads the old model.
    save_classifier(jurisdiction, [("the lamp post is dark", "pothole")] * 50, rule_set=draft)
    sr = ServiceRequestFactory(service_type=trained["other"], location=HERE, description="The lamp post is dark")
    assert route_request(sr.pk).routed_service_type == trained["streetlight"]
    activate_rule_set(draft)
    again = ServiceRequestFactory(service_type=trained["other"], location=HERE, description="The lamp post is dark")
    assert route_request(again.pk).routed_service_type.code == "pothole"
    with pytest.raises(RuleSetNotDraft):
        save_classifier(jurisdiction, HISTORY, rule_set=draft)


def test_a_suggestion_for_a_text_comes_from_the_live_model(trained, jurisdiction):
    found, confidence = suggest_service_type(jurisdiction, "lamp post dark")
    assert found == trained["streetlight"] and confidence > 0.6
    assert suggest_service_type(jurisdiction, "zzz") is None
