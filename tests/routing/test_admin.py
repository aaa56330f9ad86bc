import pytest
from django.urls import reverse

from routing.admin import RoutingSettingsForm
from routing.models import RoutingModel, RuleSet
from tests.factories import ServiceRequestFactory
from tests.staff.conftest import sign_in

from .conftest import HERE
from .test_learned_model import model_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, operator):
    sign_in(client, operator)
    return client


def test_the_rule_set_page_flags_rules_that_can_never_match(admin_client, pothole, department, make_rule_set):
    rule_set = make_rule_set(
        {"name": "All potholes", "service_type": pothole, "department": department},
        {"name": "Potholes again", "service_type": pothole, "department": department},
        active=False,
    )
    page = admin_client.get(reverse("admin:routing_ruleset_change", args=[rule_set.pk]))
    assert page.status_code == 200
    assert "Rule Potholes again can never match" in page.content.decode()


def test_a_draft_is_evaluated_on_recent_requests_before_it_is_activated(
    admin_client, pothole, department, team, other_department, downtown, make_rule_set
):
    make_rule_set({"service_type": pothole, "department": department, "team": team})
    ServiceRequestFactory(service_type=pothole, location=HERE, department=department, team=team, routing_state="routed")
    draft = make_rule_set({"service_type": pothole, "department": other_department}, active=False)
    changelist = reverse("admin:routing_ruleset_changelist")
    page = admin_client.post(
        changelist, {"action": "evaluate_on_recent_requests", "_selected_action": [draft.pk]}, follow=True
    )
    assert "department_accuracy=0.000 queue_accuracy=0.000 rows=1" in page.content.decode()
    admin_client.post(changelist, {"action": "activate", "_selected_action": [draft.pk]})
    assert RuleSet.objects.get(state=RuleSet.State.ACTIVE) == draft


def test_a_copy_is_a_new_draft_with_the_same_rules(admin_client, pothole, department, make_rule_set):
    active = make_rule_set({"service_type": pothole, "department": department})
    admin_client.post(
        reverse("admin:routing_ruleset_changelist"), {"action": "copy_as_draft", "_selected_action": [active.pk]}
    )
    draft = RuleSet.objects.get(state=RuleSet.State.DRAFT)
    assert (draft.version, draft.rules.get().service_type) == (2, pothole)


def test_bad_business_hours_are_refused_with_the_reason(routing_settings):
    form = RoutingSettingsForm(
        instance=routing_settings,
        data={
            "jurisdiction": routing_settings.jurisdiction_id,
            "triage_department": routing_settings.triage_department_id,
            "triage_team": routing_settings.triage_team_id,
            "business_hours": '{"1": ["18:00", "08:00"]}',
            "general_type_codes": "",
            "classifier_threshold": 0.6,
            "duplicate_metres": 150,
            "duplicate_days": 30,
        },
    )
    assert not form.is_valid()
    assert form.errors["business_hours"] == ["Day 1: it opens after it closes"]


def test_an_active_rule_set_cannot_be_edited_in_place_but_a_draft_can(admin_client, pothole, department, make_rule_set):
    active = make_rule_set({"name": "All potholes", "service_type": pothole, "department": department})
    draft = make_rule_set({"name": "Draft potholes", "service_type": pothole, "department": department}, active=False)
    active_page = admin_client.get(reverse("admin:routing_ruleset_change", args=[active.pk])).content.decode()
    draft_page = admin_client.get(reverse("admin:routing_ruleset_change", args=[draft.pk])).content.decode()
    assert 'name="rules-0-department"' not in active_page and "All potholes" in active_page
    assert 'name="rules-0-department"' in draft_page


def test_an_operator_sees_a_routing_model_in_the_admin_but_cannot_change_it(admin_client, jurisdiction):
    routing_model = RoutingModel.objects.get(rule_set=model_draft(jurisdiction))
    url = reverse("admin:routing_routingmodel_change", args=[routing_model.pk])
    assert admin_client.get(reverse("admin:routing_routingmodel_changelist")).status_code == 200
    assert admin_client.post(url, {"rows": 1}).status_code == 403
    routing_model.refresh_from_db()
    assert routing_model.rows == 60
