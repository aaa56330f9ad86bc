import csv
import io
import json

import pytest
from django.core.management import call_command

from demo.loader import DATA_DIR, SF_SLUG, SHENZHEN_SLUG
from requests_app.models import Jurisdiction, ServiceRequest, ServiceType, StatusChange
from routing.models import Area, Department, Team

pytestmark = pytest.mark.django_db
ROWS = 600


def _first_rows(n):
    with open(DATA_DIR / "sf311_sample.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))[:n]


def _load(tmp_path):
    out = io.StringIO()
    call_command("load_demo", sf_rows=ROWS, logins_file=str(tmp_path / "logins.txt"), stdout=out)
    return out.getvalue()


def test_it_loads_san_francisco_from_the_real_data(tmp_path):
    output = _load(tmp_path)
    rows = _first_rows(ROWS)
    sf = Jurisdiction.objects.get(slug=SF_SLUG)
    # The demo's permit applications (demo/permits.py) come on top of the city's own data.
    assert ServiceRequest.objects.filter(jurisdiction=sf, permit__isnull=True).count() == len(rows)
    assert ServiceType.objects.filter(jurisdiction=sf, permit_type__isnull=True).count() == len(
        {r["category"] for r in rows}
    )
    assert Team.objects.filter(department__jurisdiction=sf).count() > 0
    with open(DATA_DIR / "sf_neighborhoods.geojson", encoding="utf-8") as f:
        assert Area.objects.filter(layer__jurisdiction=sf).count() == len(json.load(f)["features"])
    open_rows = sum(r["status"] == "Open" for r in rows)
    assert ServiceRequest.objects.filter(jurisdiction=sf, permit__isnull=True).open().count() == open_rows
    assert "San Francisco requests: done" in output  # progress is shown


def test_real_dates_statuses_and_notes_survive_the_import(tmp_path):
    _load(tmp_path)
    row = next(r for r in _first_rows(ROWS) if r["status"] == "Closed" and r["status_notes"])
    sr = ServiceRequest.objects.get(external_id=row["unique_key"])
    assert sr.submitted_at.strftime("%Y-%m-%d %H:%M:%S") == row["created_date"][:19]
    assert sr.is_closed
    assert sr.status_changes.last().public_note == row["status_notes"].strip()
    assert sr.location.y == pytest.approx(float(row["latitude"]))


def test_a_rerun_adds_no_duplicate_rows(tmp_path):
    _load(tmp_path)
    counts = [
        ServiceRequest.objects.count(),
        StatusChange.objects.count(),
        Area.objects.count(),
        Department.objects.count(),
        ServiceType.objects.count(),
    ]
    logins = (tmp_path / "logins.txt").read_text()
    _load(tmp_path)
    assert [
        ServiceRequest.objects.count(),
        StatusChange.objects.count(),
        Area.objects.count(),
        Department.objects.count(),
        ServiceType.objects.count(),
    ] == counts
    assert (tmp_path / "logins.txt").read_text() == logins  # accounts are created once


def test_shenzhen_is_a_second_city_in_chinese(tmp_path):
    _load(tmp_path)
    sz = Jurisdiction.objects.get(slug=SHENZHEN_SLUG)
    assert sz.default_language == "zh-hans"
    futian = Area.objects.get(layer__jurisdiction=sz, code="440304")
    assert (futian.name, futian.localized_name("zh-hans")) == ("Futian", "福田区")
    assert ServiceType.objects.filter(jurisdiction=sz, kind=ServiceType.Kind.PERMIT).exists()


def test_demo_accounts_exist_for_each_department_and_an_operator(tmp_path, django_user_model):
    _load(tmp_path)
    lines = (tmp_path / "logins.txt").read_text().splitlines()
    usernames = {line.split("\t")[0] for line in lines}
    assert "operator" in usernames
    assert len(usernames) == Department.objects.count() + 1
    operator = django_user_model.objects.get(username="operator")
    password = next(line.split("\t")[1] for line in lines if line.startswith("operator\t"))
    assert operator.check_password(password) and operator.is_superuser


def test_no_team_is_named_after_a_person(tmp_path):
    _load(tmp_path)
    assert not Team.objects.filter(name__contains="Survey Tech - ").exists()


def test_it_loads_permit_types_in_both_cities_with_applications_in_every_state(tmp_path):
    from permits.models import Permit, PermitType
    from permits.pipeline import State

    _load(tmp_path)
    _load(tmp_path)  # a rerun adds no second set
    assert set(PermitType.objects.values_list("service_type__jurisdiction__slug", "service_type__code")) == {
        (SF_SLUG, "permit-skip"),
        (SF_SLUG, "permit-block-party"),
        (SHENZHEN_SLUG, "street-use-permit"),
    }
    for permit_type in PermitType.objects.all():
        assert set(permit_type.permits.values_list("state", flat=True)) == set(State.values), permit_type
    assert Permit.objects.count() == 27
    assert Permit.objects.filter(conflicts__isnull=False).distinct().count() >= 6


def test_the_demo_types_have_plain_names_real_descriptions_and_everything_in_chinese(tmp_path):
    _load(tmp_path)
    sf = Jurisdiction.objects.get(slug=SF_SLUG)
    defects = ServiceType.objects.get(jurisdiction=sf, code="street-defects")
    assert defects.name == "Pothole or street damage" and "pothole" in defects.keywords and "坑" in defects.keywords
    assert defects.localized_name("zh-hans") == "路面坑洞或损坏"
    options = defects.questions.get(code="kind").values
    assert options[0] == {"key": "pothole", "name": "Pothole", "name_translations": {"zh-hans": "坑洞"}}
    for st in ServiceType.objects.filter(jurisdiction__in=[sf, Jurisdiction.objects.get(slug=SHENZHEN_SLUG)]):
        assert st.description and st.description != st.name, st.code
        assert st.localized_name("zh-hans") != st.name or not st.name.isascii(), st.code
        assert st.localized_description("zh-hans") != st.description, st.code
        assert not st.name.startswith("General Request"), st.code
        for question in st.questions.all():
            assert question.localized_description("zh-hans") != question.description
            for value in question.values:
                assert value["name_translations"]["zh-hans"], (st.code, value)


def test_each_imported_request_carries_the_promise_its_type_would_get_today(tmp_path):
    from routing.clocks import Calendars, SlaTable
    from routing.models import RoutingSettings

    _load(tmp_path)
    sf = Jurisdiction.objects.get(slug=SF_SLUG)
    imported = ServiceRequest.objects.filter(jurisdiction=sf, permit__isnull=True)
    assert not imported.filter(expected_at=None).exists()
    sr = imported.select_related("department").filter(closed_at__isnull=False).first()
    calendar = Calendars(RoutingSettings.objects.get(jurisdiction=sf)).of(sr.department)
    assert sr.expected_at == calendar.add(sr.submitted_at, SlaTable(sf.pk).hours(sr.service_type_id, sr.priority))
    # Still open years after the promise: overdue, as the staff queue would show it.
    assert not imported.open().filter(overdue=False).exists()


def test_a_rerun_records_the_promise_of_requests_imported_before_it_was_kept(tmp_path):
    _load(tmp_path)
    ServiceRequest.objects.filter(permit__isnull=True).exclude(external_id="").update(expected_at=None)
    _load(tmp_path)
    assert (
        not ServiceRequest.objects.filter(permit__isnull=True).exclude(external_id="").filter(expected_at=None).exists()
    )


def test_the_demo_city_gets_street_lines_traced_between_the_intersections_its_requests_name(tmp_path):
    from requests_app.models import StreetSegment

    _load(tmp_path)
    sf = Jurisdiction.objects.get(slug=SF_SLUG)
    crossings = [r for r in _first_rows(ROWS) if r["incident_address"].startswith("Intersection of ")][:40]
    reached = 0
    for row in crossings:
        streets = set(row["incident_address"].removeprefix("Intersection of ").split(" and "))
        point = f"POINT({float(row['longitude'])} {float(row['latitude'])})"
        names = set(
            StreetSegment.objects.filter(jurisdiction=sf, centreline__dwithin=(point, 0.00001)).values_list(
                "name", flat=True
            )
        )
        reached += bool(names & streets)  # a line of one of its two streets reaches the crossing
    assert reached > len(crossings) / 2


def test_the_demo_never_replaces_streets_the_city_imported(tmp_path):
    from django.contrib.gis.geos import LineString

    from requests_app.models import StreetSegment
    from requests_app.services import replace_street_segments

    _load(tmp_path)
    sf = Jurisdiction.objects.get(slug=SF_SLUG)
    replace_street_segments(
        sf, [{"name": "MISSION ST", "centreline": LineString((-122.4195, 37.763), (-122.4193, 37.7648), srid=4326)}]
    )
    _load(tmp_path)
    assert list(StreetSegment.objects.filter(jurisdiction=sf).values_list("name", flat=True)) == ["MISSION ST"]


def test_the_sources_coded_descriptors_read_as_words(tmp_path):
    _load(tmp_path)
    row = next(r for r in _first_rows(ROWS) if "_" in r["descriptor"] and r["descriptor"] != r["complaint_type"])
    sr = ServiceRequest.objects.get(external_id=row["unique_key"])
    assert sr.description == row["descriptor"].strip().replace("_", " ") and "_" not in sr.public_description
