from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils import timezone

from frontend.staff.models import SavedView
from requests_app.statuses import Priority, Status
from staffing.services import transfer
from tests.factories import AreaFactory, AreaLayerFactory, square
from tests.staff.conftest import sign_in

QUEUE = reverse("staff:queue")


def ids(response):
    return [sr.public_id for sr in response.context["page"].rows]


def test_the_queue_starts_with_the_newest_open_work_not_an_old_backlog(client, staff, make_request):
    now = timezone.now()
    backlog = make_request(submitted_at=now.replace(year=2011), overdue=True, expected_at=now.replace(year=2011))
    yesterday = make_request(submitted_at=now - timedelta(days=1))
    this_morning = make_request(submitted_at=now - timedelta(hours=2))
    make_request(status=Status.CLOSED, submitted_at=now)
    response = sign_in(client, staff).get(QUEUE)
    assert response.status_code == 200
    assert ids(response) == [this_morning.public_id, yesterday.public_id, backlog.public_id]


def test_sorting_by_due_puts_what_needs_action_first(client, staff, make_request):
    now = timezone.now()
    no_due = make_request(submitted_at=now - timedelta(days=9))
    due_soon = make_request(expected_at=now + timedelta(hours=2))
    due_later = make_request(expected_at=now + timedelta(days=3))
    overdue = make_request(overdue=True, expected_at=now - timedelta(hours=1))
    sign_in(client, staff)
    assert ids(client.get(f"{QUEUE}?sort=due")) == [
        overdue.public_id,
        due_soon.public_id,
        due_later.public_id,
        no_due.public_id,
    ]
    assert ids(client.get(f"{QUEUE}?sort=-due")) == [
        due_later.public_id,
        due_soon.public_id,
        overdue.public_id,
        no_due.public_id,
    ]


@pytest.mark.parametrize(
    "column, field, values",
    [
        ("priority", "priority", [Priority.LOW, Priority.URGENT, Priority.NORMAL]),
        ("status", "status", [Status.SUBMITTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS]),
        ("age", "submitted_at", [timedelta(days=3), timedelta(days=1), timedelta(days=2)]),
    ],
)
def test_each_column_sorts_both_ways(client, staff, make_request, column, field, values):
    now = timezone.now()
    rows = {}
    for value in values:
        sr = make_request(**{field: now - value if field == "submitted_at" else value})
        rows[sr.public_id] = now - (now - value) if field == "submitted_at" else value
    sign_in(client, staff)
    up, down = ids(client.get(f"{QUEUE}?sort={column}")), ids(client.get(f"{QUEUE}?sort=-{column}"))
    assert up == list(reversed(down)) and len(up) == 3
    if column == "age":  # youngest first
        assert [rows[i] for i in up] == sorted(values)
    elif column == "priority":
        assert [rows[i] for i in up] == sorted(values)
    else:
        assert up == sorted(up, key=lambda i: rows[i])


def test_sorting_by_type_and_area_uses_their_names(client, staff, make_request, jurisdiction, graffiti, pothole):
    layer = AreaLayerFactory(jurisdiction=jurisdiction, code="hoods", name="Neighbourhoods")
    AreaFactory(layer=layer, code="a", name="Alamo", boundary=square(-122.50, 37.70, 0.02))
    AreaFactory(layer=layer, code="z", name="Zoo", boundary=square(-122.40, 37.70, 0.02))
    in_zoo = make_request(location=Point(-122.39, 37.71, srid=4326), service_type=pothole)
    in_alamo = make_request(location=Point(-122.49, 37.71, srid=4326), service_type=graffiti)
    sign_in(client, staff)
    assert ids(client.get(f"{QUEUE}?sort=area")) == [in_alamo.public_id, in_zoo.public_id]
    assert ids(client.get(f"{QUEUE}?sort=-area")) == [in_zoo.public_id, in_alamo.public_id]
    assert ids(client.get(f"{QUEUE}?sort=type")) == [in_alamo.public_id, in_zoo.public_id]
    html = client.get(f"{QUEUE}?sort=area").content.decode()
    assert 'aria-sort="ascending"><a href="?sort=-area">' in html and "Alamo" in html


def test_an_unknown_sort_is_a_form_error(client, staff):
    response = sign_in(client, staff).get(f"{QUEUE}?sort=password")
    assert response.status_code == 400 and "sort" in response.context["form"].errors


def test_overdue_and_nearly_due_rows_are_marked(client, staff, make_request):
    now = timezone.now()
    make_request(expected_at=now - timedelta(minutes=5))  # past due, not yet swept
    make_request(expected_at=now + timedelta(hours=3))
    make_request(expected_at=now + timedelta(days=4))
    html = sign_in(client, staff).get(QUEUE).content.decode()
    assert html.count('<tr class="overdue">') == 1 and html.count('<tr class="due-soon">') == 1
    assert html.count('<tr class="">') == 1


def test_the_queue_shows_only_the_users_departments(client, staff, make_request, other_request, foreign_request):
    mine = make_request()
    assert ids(sign_in(client, staff).get(QUEUE)) == [mine.public_id]


def test_an_operator_sees_every_department_of_the_city(
    client, city_operator, make_request, other_request, foreign_request
):
    mine = make_request()
    assert set(ids(sign_in(client, city_operator).get(QUEUE))) == {mine.public_id, other_request.public_id}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=in_progress", ["working"]),
        ("assignee=me", ["working", "mine"]),
        ("assignee=none", ["plain", "overdue", "near", "far", "pothole2"]),
        ("overdue=on", ["overdue"]),
        ("q=elm", ["near"]),
        ("duplicates=on", ["near", "pothole2"]),
    ],
)
def test_filters_narrow_the_queue(client, staff, make_request, query, expected):
    named = {
        "plain": make_request(location=Point(-122.0, 37.0, srid=4326)),
        "working": make_request(status=Status.IN_PROGRESS, assignee=staff, location=Point(-121.0, 37.0, srid=4326)),
        "mine": make_request(assignee=staff, location=Point(-121.5, 37.0, srid=4326)),
        "overdue": make_request(overdue=True, location=Point(-121.2, 37.0, srid=4326)),
        "near": make_request(address="12 Elm St", location=Point(-122.4194, 37.7749, srid=4326)),
        "pothole2": make_request(location=Point(-122.4195, 37.7750, srid=4326)),
        "far": make_request(location=Point(-122.3, 37.8, srid=4326)),
    }
    response = sign_in(client, staff).get(f"{QUEUE}?{query}")
    assert response.status_code == 200
    by_id = {sr.public_id: name for name, sr in named.items()}
    assert sorted(by_id[i] for i in ids(response)) == sorted(expected)


def test_filters_by_type_area_and_date(client, staff, make_request, jurisdiction):
    inside = make_request(location=Point(0.5, 0.5, srid=4326), submitted_at=timezone.now() - timedelta(days=3))
    make_request(location=Point(5.5, 5.5, srid=4326))
    area = AreaFactory(layer=AreaLayerFactory(jurisdiction=jurisdiction), boundary=square(0, 0))
    day = (timezone.now() - timedelta(days=3)).date().isoformat()
    response = sign_in(client, staff).get(
        f"{QUEUE}?area={area.pk}&type={inside.service_type_id}&submitted_from={day}&submitted_to={day}"
    )
    assert ids(response) == [inside.public_id]


def test_search_finds_a_request_by_its_public_id(client, staff, make_request):
    wanted = make_request()
    make_request()
    assert ids(sign_in(client, staff).get(f"{QUEUE}?q={wanted.public_id.lower()}")) == [wanted.public_id]


def test_search_finds_a_request_by_any_part_of_its_id(client, staff, make_request):
    wanted = make_request()
    other = make_request()
    part = next(
        wanted.public_id[i : i + 4]
        for i in range(len(wanted.public_id) - 3)
        if wanted.public_id[i : i + 4] not in other.public_id
    )
    assert ids(sign_in(client, staff).get(f"{QUEUE}?q={part.lower()}")) == [wanted.public_id]


def test_search_finds_words_of_the_description_in_any_order(client, staff, make_request):
    wanted = make_request(description="Deep pothole by the school gate, cyclists swerve")
    make_request(description="Pothole on the bridge")
    sign_in(client, staff)
    assert ids(client.get(f"{QUEUE}?q=gate+pothole")) == [wanted.public_id]
    assert ids(client.get(f"{QUEUE}?q=Cyclists")) == [wanted.public_id]


def test_bad_filters_get_a_clear_error_not_a_500(client, staff):
    response = sign_in(client, staff).get(f"{QUEUE}?assignee=bob&submitted_from=yesterday")
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"assignee", "submitted_from"}
    assert client.get(f"{QUEUE}?assignee={'9' * 30}").status_code == 400
    map_response = client.get(reverse("staff:map_data") + "?type=999999")
    assert map_response.status_code == 400 and "type" in map_response.json()["errors"]


def test_a_saved_view_keeps_the_filters_for_its_owner(client, staff, make_request):
    sign_in(client, staff).post(reverse("staff:save_view"), {"name": "Overdue", "query": "overdue=on"})
    view = SavedView.objects.get(user=staff)
    assert (view.name, view.query) == ("Overdue", "overdue=on")
    response = client.get(QUEUE)
    assert [v.name for v in response.context["saved_views"]] == ["Overdue"]
    client.post(reverse("staff:delete_view", args=[view.pk]))
    assert not SavedView.objects.exists()


def test_the_map_shows_the_same_selection_as_geojson(client, staff, make_request, other_request):
    overdue = make_request(overdue=True, location=Point(-122.41, 37.77, srid=4326))
    make_request(location=None, address="No point")
    data = sign_in(client, staff).get(reverse("staff:map_data") + "?overdue=on").json()
    assert data["type"] == "FeatureCollection" and data["truncated"] is False
    assert data["features"] == [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [-122.41, 37.77]},
            "properties": {"id": overdue.public_id, "status": "submitted", "priority": 2, "overdue": True},
        }
    ]


def test_polling_shows_new_and_changed_requests_since_the_last_look(client, staff, make_request, other_request):
    since = timezone.now() - timedelta(minutes=1)
    make_request(updated_at=since - timedelta(minutes=5))
    fresh = make_request(updated_at=timezone.now())
    response = sign_in(client, staff).get(reverse("staff:changes"), {"since": since.isoformat()})
    assert [row["id"] for row in response.json()["changed"]] == [fresh.public_id]
    assert client.get(reverse("staff:changes"), {"since": "soon"}).status_code == 400


def test_the_receiving_queue_sees_why_a_request_was_transferred(
    client, staff, other_staff, make_request, other_department
):
    sr = transfer(make_request(), to_department=other_department, reason="Signal, not road", by=staff)
    response = sign_in(client, other_staff).get(QUEUE)
    row = response.context["page"].rows[0]
    assert (row.public_id, row.transfer_reason) == (sr.public_id, "Signal, not road")
    assert b"Signal, not road" in response.content


def test_the_queue_runs_the_same_queries_whatever_its_length(
    client, staff, make_request, other_department, django_assert_num_queries
):
    sign_in(client, staff)
    sr = make_request(assignee=staff)
    transfer(make_request(), to_department=other_department, reason="x", by=staff)
    client.get(QUEUE)
    # One of them reads the session's authenticator: every staff page needs a verified second factor.
    with django_assert_num_queries(18):
        client.get(QUEUE)
    for _ in range(30):
        make_request(assignee=staff)
    with django_assert_num_queries(18):
        response = client.get(QUEUE)
    assert len(response.context["page"].rows) == 31 and sr in response.context["page"].rows
    with django_assert_num_queries(8):
        client.get(reverse("staff:map_data"))


def test_the_filters_show_what_was_chosen(client, staff, make_request, pothole):
    html = sign_in(client, staff).get(f"{QUEUE}?status=in_progress&status=on_hold&type={pothole.pk}").content.decode()
    assert '<option value="in_progress" selected>' in html and '<option value="on_hold" selected>' in html
    assert f'<option value="{pothole.pk}" selected>Pothole</option>' in html
    assert '<option value="submitted">' in html
