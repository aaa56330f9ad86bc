import io
import json

import pytest
from django.core.management import CommandError, call_command

from requests_app.models import Jurisdiction, ServiceType
from routing.models import Area, RoutingRule, RuleSet, TextClassifier

pytestmark = pytest.mark.django_db

WEST = [[[-122.5, 37.7], [-122.5, 37.8], [-122.45, 37.8], [-122.45, 37.7], [-122.5, 37.7]]]
EAST = [[[-122.45, 37.7], [-122.45, 37.8], [-122.4, 37.8], [-122.4, 37.7], [-122.45, 37.7]]]
BOWTIE = [[[-122.4, 37.7], [-122.35, 37.8], [-122.35, 37.7], [-122.4, 37.8], [-122.4, 37.7]]]


def geojson(tmp_path, *shapes) -> str:
    features = [{"type": "Feature", "properties": {"name": name}, "geometry": {"type": "Polygon", "coordinates": c}}
                for name, c in shapes]
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


HEADER = "id,kind,lat,lon,queue,opened,note,kind\n"
# The usual queue for potholes is "Streets", except in East; text decides nothing here.
OLD = ([f"{i},Pothole,37.75,-122.48,Streets,2019-01-0{1 + i % 5} 10:00:00,deep hole,x\n" for i in range(6)]
       + [f"{10 + i},Pothole,37.75,-122.42,East crew,2019-01-0{1 + i % 5} 10:00:00,deep hole,x\n" for i in range(4)]
       + [f"{20 + i},Graffiti,37.75,-122.48,Cleaning,2019-01-03 10:00:00,paint tag,x\n" for i in range(5)]
       + ["30,Pothole,0,0,Streets,2019-01-04 10:00:00,hole,x\n"])
NEW = ["40,Pothole,37.76,-122.47,Streets,2019-03-01 10:00:00,hole,x\n",
       "41,Pothole,37.76,-122.41,East crew,2019-03-01 10:00:00,hole,x\n",
       "42,Graffiti,37.76,-122.47,Streets,2019-03-02 10:00:00,tag,x\n",
       "43,Brand new type,37.76,-122.47,Streets,2019-03-02 10:00:00,?,x\n",
       "44,Pothole,,,Streets,2019-03-02 10:00:00,hole,x\n"]
COLUMNS = "type=kind,lat=lat,long=lon,queue=queue,opened=opened,text=note"


@pytest.fixture
def history(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text(HEADER + "".join(OLD + NEW))
    return str(path)


def learn(tmp_path, history, **extra):
    out = io.StringIO()
    call_command("routing_learn", jurisdiction="newtown.example", timezone="America/Los_Angeles", history=history,
                 areas=geojson(tmp_path, ("West", WEST), ("East", EAST)), area_field="name", columns=COLUMNS,
                 until="2019-02-01", stdout=out, **extra)
    return out.getvalue()


def test_routing_learn_makes_the_city_its_queues_and_a_draft_rule_set(tmp_path, history):
    output = learn(tmp_path, history)
    jurisdiction = Jurisdiction.objects.get(slug="newtown.example")
    assert jurisdiction.timezone == "America/Los_Angeles"
    assert set(ServiceType.objects.filter(jurisdiction=jurisdiction).values_list("name", flat=True)) == {
        "Pothole", "Graffiti"}
    rule_set = RuleSet.objects.get(jurisdiction=jurisdiction)
    assert rule_set.state == RuleSet.State.DRAFT
    rules = [(r.service_type.name if r.service_type else None, r.area.name if r.area else None, r.team.name)
             for r in rule_set.rules.select_related("service_type", "area", "team")]
    assert rules == [("Graffiti", None, "Cleaning"), ("Pothole", "East", "East crew"), ("Pothole", None, "Streets"),
                     (None, None, "Triage")]
    assert TextClassifier.objects.get(jurisdiction=jurisdiction).rows == 16
    assert "2 × blank or 0,0 coordinates" in output
    assert "repeated column kind (the first is used)" in output
    assert "2 type rules, 1 area rules, 1 fallback" in output


def test_routing_evaluate_replays_newer_rows_and_ends_with_the_figures(tmp_path, history):
    learn(tmp_path, history)
    out = io.StringIO()
    call_command("routing_evaluate", jurisdiction="newtown.example", history=history, columns=COLUMNS,
                 since="2019-02-01", rule_set="draft", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[-1] == "department_accuracy=0.667 queue_accuracy=0.667 rows=3"
    assert "1 × unknown service type" in out.getvalue() and "1 × no location" in out.getvalue()
    assert "baseline, the service type alone: department accuracy 0.333, queue accuracy 0.333" in out.getvalue()
    assert not RoutingRule.objects.filter(rule_set__state=RuleSet.State.ACTIVE).exists()


def test_bad_column_maps_are_a_clear_error(tmp_path, history):
    with pytest.raises(CommandError, match="Not in the file: nope"):
        call_command("routing_learn", jurisdiction="newtown.example", timezone="UTC", history=history,
                     columns="type=nope,queue=queue", stdout=io.StringIO())


def test_a_new_jurisdiction_needs_a_time_zone(tmp_path, history):
    with pytest.raises(CommandError, match="give its --timezone"):
        call_command("routing_learn", jurisdiction="nowhere.example", history=history, columns=COLUMNS,
                     stdout=io.StringIO())
