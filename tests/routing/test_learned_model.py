import io
from datetime import UTC, datetime, timedelta

import joblib
import pytest
from django.core.management import call_command
from django.utils import timezone

from requests_app.models import ServiceType
from routing import dispatch_model, validation
from routing.history import HistoryRow
from routing.learning import learn_rule_set, learn_with_choice
from routing.models import Department, RoutingModel, RoutingRule, RuleSet, Team
from routing.router import route_request
from routing.rulesets import activate_rule_set, copy_rule_set
from routing.validation import Choice, choose
from tests.factories import ServiceRequestFactory, ServiceTypeFactory, TeamFactory

from .test_commands import COLUMNS, learn

pytestmark = pytest.mark.django_db

START = datetime(2020, 1, 1, 9, tzinfo=UTC)


def row(kind, queue, text, day, department=None):
    return HistoryRow(
        type=kind,
        queue=queue,
        department=department or queue,
        lat=None,
        lon=None,
        opened=START + timedelta(days=day),
        text=text,
    )


def test_the_decay_and_the_method_are_chosen_without_reading_the_test_period(tmp_path, history, monkeypatch):
    learn(tmp_path, history)
    seen = []

    def choose_and_record(rows, *args, **kwargs):
        seen.extend(r.opened for r in rows)
        return choose(rows, *args, **kwargs)

    monkeypatch.setattr("routing.management.commands.routing_evaluate.choose", choose_and_record)
    out = io.StringIO()
    call_command(
        "routing_evaluate",
        jurisdiction="newtown.example",
        history=history,
        columns=COLUMNS,
        since="2019-02-01",
        rule_set="draft",
        choose_decay=True,
        stdout=out,
    )
    assert seen and max(seen) < datetime(2019, 2, 1, tzinfo=UTC)
    assert "learned model" in out.getvalue() and "baseline: the type alone" in out.getvalue()


def test_the_validation_slice_is_the_newest_fifth_of_the_training_rows():
    rows = [row("Pothole", "Streets", "hole", day) for day in (5, 1, 4, 2, 3, 9, 8, 7, 6, 0)]
    older, newer = validation.split(rows)
    assert sorted(rows[i].opened.day for i in newer) == [9, 10]
    assert len(older) == 8


# Potholes go to Streets. In the older rows the word "tree" came with a Parks crew, but the city stopped that:
# in the newest rows "tree" potholes go to Streets too. A learner that trusts the words does worse than the
# type alone; the type alone must win.
MISLEADING = (
    [row("Pothole", "Streets", "deep hole", day) for day in range(60)]
    + [row("Pothole", "Parks", "tree roots lifted it", day) for day in range(40)]
    + [row("Pothole", "Streets", "tree roots lifted it", day) for day in range(100, 125)]
)


def test_where_the_model_and_the_rule_table_would_do_worse_the_type_alone_decides():
    choice = choose(MISLEADING, {}, {}, "UTC")
    type_alone = next(s for s in choice.scores if s.method == "type" and s.half_life_days is choice.half_life_days)
    assert choice.decides == {"department": "type", "queue": "type"}
    for target in ("department", "queue"):
        assert max(s.of(target) for s in choice.scores if s.half_life_days == choice.half_life_days) == type_alone.of(
            target
        )
    model = next(s for s in choice.scores if s.method == "model" and s.half_life_days is None)
    assert model.queue < type_alone.queue  # the model really was worse: the fallback is not a tie


def test_a_draft_that_falls_back_to_the_type_routes_by_the_type_once_active(jurisdiction):
    learned, _choice = learn_with_choice(jurisdiction, MISLEADING, layer=None, half_life_days=None)
    assert learned.decides == {"department": "type", "queue": "type"} and learned.word_rules
    activate_rule_set(learned.rule_set)
    pothole = learned.rule_set.rules.get(name="Pothole").service_type
    sr = ServiceRequestFactory(jurisdiction=jurisdiction, service_type=pothole, description="tree roots lifted it")
    assert route_request(sr.pk).team.name == "Streets"


def model_draft(jurisdiction):
    """A draft whose model decides both targets, learned from rows where the words decide the queue."""
    rows = [row("Streetlight", "Lights", "lamp is dark", day) for day in range(30)] + [
        row("Streetlight", "Poles", "pole knocked down", day) for day in range(30)
    ]
    choice = Choice(half_life_days=None, decides={"department": "model", "queue": "model"})
    return learn_rule_set(jurisdiction, rows, layer=None, choice=choice).rule_set


def test_a_draft_model_changes_nothing_live_until_its_rule_set_is_activated(
    jurisdiction, department, team, make_rule_set
):
    light = ServiceTypeFactory(jurisdiction=jurisdiction, code="streetlight", name="Streetlight")
    make_rule_set({"service_type": light, "department": department, "team": team})
    draft = model_draft(jurisdiction)
    sr = ServiceRequestFactory(jurisdiction=jurisdiction, service_type=light, description="the pole was knocked down")
    live = route_request(sr.pk)
    assert live.team == team and live.inputs["learned_model"] is None

    activate_rule_set(draft)
    again = ServiceRequestFactory(jurisdiction=jurisdiction, service_type=light, description="pole knocked down")
    decision = route_request(again.pk)
    assert decision.team.name == "Poles" and decision.rule is None
    assert decision.inputs["learned_model"]["probability"] > 0.5
    assert "learned routing model chose Poles" in decision.reason and "words" in decision.reason


def test_rules_written_by_people_still_come_before_the_model(jurisdiction, department, team):
    draft = model_draft(jurisdiction)
    light = draft.rules.filter(service_type__isnull=False).first().service_type
    RoutingRule.objects.create(
        rule_set=draft, order=0, name="Lights by hand", service_type=light, department=department, team=team
    )
    activate_rule_set(draft)
    sr = ServiceRequestFactory(jurisdiction=jurisdiction, service_type=light, description="pole knocked down")
    assert route_request(sr.pk).team == team


def test_editing_an_active_rule_set_means_a_new_draft_with_its_own_copy_of_the_model(jurisdiction):
    draft = model_draft(jurisdiction)
    active = activate_rule_set(draft)
    copy = copy_rule_set(active)
    assert copy.state == RuleSet.State.DRAFT
    assert RoutingModel.objects.get(rule_set=copy).decides == RoutingModel.objects.get(rule_set=active).decides
    assert bytes(RoutingModel.objects.get(rule_set=copy).data) == bytes(RoutingModel.objects.get(rule_set=active).data)


def test_departments_and_teams_an_import_made_stay_inactive_until_activation(tmp_path, history):
    learn(tmp_path, history)
    rule_set = RuleSet.objects.get(jurisdiction__slug="newtown.example")
    made = Team.objects.filter(department__jurisdiction=rule_set.jurisdiction).exclude(code="triage")
    assert made.count() == 3 and not made.filter(active=True).exists()
    assert (
        not Department.objects.filter(jurisdiction=rule_set.jurisdiction, active=True).exclude(code="triage").exists()
    )
    activate_rule_set(rule_set)
    assert not made.filter(active=False).exists()
    assert not Department.objects.filter(jurisdiction=rule_set.jurisdiction, active=False).exists()


def test_an_import_reuses_the_citys_own_departments_and_teams_as_they_are(jurisdiction, department):
    TeamFactory(department=department, code="streets", name="Streets")
    rows = [row("Pothole", "Streets", "hole", day, department="Public Works") for day in range(5)]
    learned = learn_rule_set(jurisdiction, rows, layer=None)
    assert not learned.rule_set.new_teams.exists() and not learned.rule_set.new_departments.exists()
    assert Team.objects.get(code="streets").active


def test_an_empty_history_learns_a_rule_set_without_a_model_that_routes_to_triage(jurisdiction):
    learned = learn_rule_set(jurisdiction, [], layer=None)
    assert learned.rows == 0 and not RoutingModel.objects.filter(rule_set=learned.rule_set).exists()
    activate_rule_set(learned.rule_set)
    sr = ServiceRequestFactory(jurisdiction=jurisdiction, description="a hole in the road")
    assert route_request(sr.pk).department.code == "triage"


def test_a_type_the_model_never_saw_goes_to_triage_not_to_a_guess(jurisdiction):
    activate_rule_set(model_draft(jurisdiction))
    graffiti = ServiceTypeFactory(jurisdiction=jurisdiction, code="graffiti", name="Graffiti")
    sr = ServiceRequestFactory(jurisdiction=jurisdiction, service_type=graffiti, description="pole knocked down")
    decision = route_request(sr.pk)
    assert decision.department.code == "triage" and decision.inputs["learned_model"] is None


def test_a_model_stored_by_an_older_release_is_set_aside_and_routing_goes_by_rules(jurisdiction):
    draft = model_draft(jurisdiction)
    activate_rule_set(draft)
    light = ServiceType.objects.get(jurisdiction=jurisdiction, name="Streetlight")
    stored = RoutingModel.objects.get(rule_set=draft)
    # An older release pickled the bare model, without the format number.
    buffer = io.BytesIO()
    joblib.dump(dispatch_model.loads(stored.data), buffer)
    RoutingModel.objects.filter(pk=stored.pk).update(data=buffer.getvalue(), trained_at=timezone.now())

    sr = ServiceRequestFactory(jurisdiction=jurisdiction, service_type=light, description="pole knocked down")
    decision = route_request(sr.pk)

    assert decision.inputs["learned_model"] is None and "learned routing model" not in decision.reason
