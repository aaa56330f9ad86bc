import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from requests_app.models import Jurisdiction, ServiceRequest, ServiceType
from requests_app.statuses import Status
from routing.config import ensure_routing_settings
from routing.models import Area, RoutingRule, RuleSet, TextClassifier
from routing.rulesets import activate_rule_set
from routing.tasks import learn_routing_from_history_task
from staffing.services import transfer
from tests.factories import (
    DepartmentFactory,
    JurisdictionFactory,
    ServiceRequestFactory,
    ServiceTypeFactory,
    TeamFactory,
)

from .conftest import HEADER

pytestmark = pytest.mark.django_db

WEST = [[[-122.5, 37.7], [-122.5, 37.8], [-122.45, 37.8], [-122.45, 37.7], [-122.5, 37.7]]]
EAST = [[[-122.45, 37.7], [-122.45, 37.8], [-122.4, 37.8], [-122.4, 37.7], [-122.45, 37.7]]]
BOWTIE = [[[-122.4, 37.7], [-122.35, 37.8], [-122.35, 37.7], [-122.4, 37.8], [-122.4, 37.7]]]


def geojson(tmp_path, *shapes) -> str:
    features = [
        {"type": "Feature", "properties": {"name": name}, "geometry": {"type": "Polygon", "coordinates": c}}
        for name, c in shapes
    ]
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return str(path)


def test_import_areas_reports_each_invalid_feature_and_imports_nothing(tmp_path, jurisdiction):
    path = geojson(tmp_path, ("West", WEST), ("Bowtie", BOWTIE))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 of 2 features are invalid; nothing was imported"):
        call_command("import_areas", path, jurisdiction=jurisdiction.slug, layer="districts", stderr=err)
    assert "feature 2 (Bowtie): Self-intersection" in err.getvalue()
    assert not Area.objects.exists()


def test_import_areas_repairs_when_asked_and_shows_progress(tmp_path, jurisdiction):
    path = geojson(tmp_path, ("West", WEST), ("Bowtie", BOWTIE))
    out = io.StringIO()
    call_command("import_areas", path, jurisdiction=jurisdiction.slug, layer="districts", repair=True, stdout=out)
    assert sorted(Area.objects.values_list("code", flat=True)) == ["bowtie", "west"]
    assert Area.objects.get(code="bowtie").boundary.valid
    assert "areas: done, 2" in out.getvalue()


def test_import_areas_rejects_a_file_that_is_not_geojson(tmp_path, jurisdiction):
    path = tmp_path / "x.geojson"
    path.write_text("[1, 2]")
    with pytest.raises(CommandError, match="not a GeoJSON FeatureCollection"):
        call_command("import_areas", str(path), jurisdiction=jurisdiction.slug, layer="districts")


COLUMNS = "type=kind,lat=lat,long=lon,queue=queue,opened=opened,text=note"


def learn(tmp_path, history, **extra):
    out = io.StringIO()
    call_command(
        "routing_learn",
        jurisdiction="newtown.example",
        timezone="America/Los_Angeles",
        history=history,
        areas=geojson(tmp_path, ("West", WEST), ("East", EAST)),
        area_field="name",
        columns=COLUMNS,
        until="2019-02-01",
        stdout=out,
        **extra,
    )
    return out.getvalue()


def test_routing_learn_makes_the_city_its_queues_and_a_draft_rule_set(tmp_path, history):
    output = learn(tmp_path, history)
    jurisdiction = Jurisdiction.objects.get(slug="newtown.example")
    assert jurisdiction.timezone == "America/Los_Angeles"
    assert set(ServiceType.objects.filter(jurisdiction=jurisdiction).values_list("name", flat=True)) == {
        "Pothole",
        "Graffiti",
    }
    rule_set = RuleSet.objects.get(jurisdiction=jurisdiction)
    assert rule_set.state == RuleSet.State.DRAFT
    rules = [
        (r.service_type.name if r.service_type else None, r.area.name if r.area else None, r.team.name)
        for r in rule_set.rules.select_related("service_type", "area", "team")
    ]
    assert rules == [
        ("Graffiti", None, "Cleaning"),
        ("Pothole", "East", "East crew"),
        ("Pothole", None, "Streets"),
        (None, None, "Triage"),
    ]
    assert TextClassifier.objects.get(jurisdiction=jurisdiction).rows == 16
    assert "2 × blank or 0,0 coordinates" in output
    assert "repeated column kind (the first is used)" in output
    assert "2 type rules, 1 area rules, 0 word rules, 1 fallback" in output
    assert "no decay" in output and "half-life 90 days" in output


def test_learned_service_types_go_live_only_with_their_rule_set(tmp_path, history):
    learn(tmp_path, history)
    jurisdiction = Jurisdiction.objects.get(slug="newtown.example")
    assert not ServiceType.objects.filter(jurisdiction=jurisdiction, active=True).exists()
    activate_rule_set(RuleSet.objects.get(jurisdiction=jurisdiction))
    assert ServiceType.objects.filter(jurisdiction=jurisdiction, active=True).count() == 2


def test_routing_evaluate_replays_newer_rows_and_ends_with_the_figures(tmp_path, history):
    learn(tmp_path, history)
    out = io.StringIO()
    call_command(
        "routing_evaluate",
        jurisdiction="newtown.example",
        history=history,
        columns=COLUMNS,
        since="2019-02-01",
        rule_set="draft",
        stdout=out,
    )
    lines = out.getvalue().strip().splitlines()
    assert lines[-1] == "department_accuracy=0.667 queue_accuracy=0.667 rows=3"
    assert "1 × unknown service type" in out.getvalue() and "1 × no location" in out.getvalue()
    assert "baseline, the service type alone: department accuracy 0.333, queue accuracy 0.333" in out.getvalue()
    assert "baseline, the type in each area: department accuracy 0.667, queue accuracy 0.667" in out.getvalue()
    assert "text model, the type from the words alone" in out.getvalue()
    assert not RoutingRule.objects.filter(rule_set__state=RuleSet.State.ACTIVE).exists()


def test_routing_evaluate_speaks_json_with_precision_recall_and_confusions(tmp_path, history):
    learn(tmp_path, history)
    out = io.StringIO()
    call_command(
        "routing_evaluate",
        jurisdiction="newtown.example",
        history=history,
        columns=COLUMNS,
        since="2019-02-01",
        rule_set="draft",
        json=True,
        choose_decay=True,
        stdout=out,
    )
    figures = json.loads(out.getvalue())
    assert figures["learned"]["queue_accuracy"] == 0.6667
    assert figures["baselines"]["type_only"]["queue_accuracy"] == 0.3333
    streets = next(d for d in figures["departments"] if d["department"] == "Streets")
    # Two requests belonged to Streets; one arrived (the graffiti went to Cleaning), and all it got was its own.
    assert (streets["requests"], streets["precision"], streets["recall"]) == (2, 1.0, 0.5)
    assert figures["confusions"] == [{"actual": "Streets", "chosen": "Cleaning", "count": 1}]
    assert figures["department_confusions"] == [{"actual": "Streets", "chosen": "Cleaning", "count": 1}]
    # The decay is chosen on the training period (before --since) only.
    assert figures["decay"]["scores"] and "half_life_days" in figures["decay"]


MOVED = [f"{i},Pothole,37.75,-122.48,Old yard,2017-0{1 + i % 9}-01 10:00:00,hole,x\n" for i in range(10)] + [
    f"{20 + i},Pothole,37.75,-122.48,New depot,2019-0{1 + i % 4}-01 10:00:00,hole,x\n" for i in range(4)
]


def test_recent_history_weighs_more_so_work_the_city_moved_follows_the_move(tmp_path):
    path = tmp_path / "moved.csv"
    path.write_text(HEADER + "".join(MOVED))

    def usual_queue(half_life):
        call_command(
            "routing_learn",
            jurisdiction="moved.example",
            timezone="UTC",
            history=str(path),
            columns=COLUMNS,
            half_life_days=half_life,
            stdout=io.StringIO(),
        )
        rule_set = RuleSet.objects.filter(jurisdiction__slug="moved.example").order_by("-version").first()
        return rule_set.rules.get(service_type__name="Pothole").team.name

    assert usual_queue("none") == "Old yard"
    assert usual_queue("90") == "New depot"


def test_bad_column_maps_are_a_clear_error(tmp_path, history):
    with pytest.raises(CommandError, match="Not in the file: nope"):
        call_command(
            "routing_learn",
            jurisdiction="newtown.example",
            timezone="UTC",
            history=history,
            columns="type=nope,queue=queue",
            stdout=io.StringIO(),
        )


def test_a_new_jurisdiction_needs_a_time_zone(tmp_path, history):
    with pytest.raises(CommandError, match="give its --timezone"):
        call_command(
            "routing_learn", jurisdiction="nowhere.example", history=history, columns=COLUMNS, stdout=io.StringIO()
        )


def test_routing_learn_from_history_learns_where_staff_sent_the_citys_own_closed_requests(
    jurisdiction, pothole, department, team, other_department, staff
):
    drains = TeamFactory(department=other_department, code="drains", name="Drains")
    for _i in range(4):
        sr = ServiceRequestFactory(service_type=pothole, department=department, team=team, status=Status.ACKNOWLEDGED)
        transfer(sr, to_department=other_department, team=drains, reason="Sinkhole over a drain", by=staff)
        ServiceRequest.objects.filter(pk=sr.pk).update(status=Status.CLOSED, closed_at=timezone.now())
    ServiceRequestFactory(service_type=pothole, department=department, team=team, status=Status.CLOSED)
    ServiceRequestFactory(service_type=pothole, department=department, team=None, status=Status.CLOSED)
    ServiceRequestFactory(service_type=pothole, department=department, team=team)  # still open: not yet a lesson
    out = io.StringIO()
    call_command("routing_learn", jurisdiction=jurisdiction.slug, from_history=True, stdout=out)
    assert "1 × closed without a team" in out.getvalue()
    assert "Learned from 5 rows" in out.getvalue()
    draft = RuleSet.objects.get(jurisdiction=jurisdiction, state=RuleSet.State.DRAFT)
    assert draft.rules.get(service_type=pothole).team == drains
    assert not RuleSet.objects.filter(jurisdiction=jurisdiction, state=RuleSet.State.ACTIVE).exists()


def test_the_opt_in_beat_task_learns_a_draft_from_closed_requests_and_activates_nothing(
    jurisdiction, pothole, department, team, make_rule_set
):
    live = make_rule_set({"service_type": pothole, "department": department, "team": team})
    settings = ensure_routing_settings(jurisdiction)
    settings.learn_from_history = True
    settings.save(update_fields=["learn_from_history"])
    elsewhere = JurisdictionFactory(slug="elsewhere.example")  # never switched learning on: nothing learned there
    crew = TeamFactory(department=DepartmentFactory(jurisdiction=elsewhere))
    ServiceRequestFactory.create_batch(
        5,
        jurisdiction=elsewhere,
        service_type=ServiceTypeFactory(jurisdiction=elsewhere),
        department=crew.department,
        team=crew,
        status=Status.CLOSED,
    )
    for _i in range(5):
        ServiceRequestFactory(service_type=pothole, department=department, team=team, status=Status.CLOSED)
    [draft_id] = learn_routing_from_history_task()
    draft = RuleSet.objects.get(pk=draft_id)
    assert draft.state == RuleSet.State.DRAFT and "on the newest fifth: department accuracy" in draft.note
    assert RuleSet.objects.active().get(jurisdiction=jurisdiction) == live
