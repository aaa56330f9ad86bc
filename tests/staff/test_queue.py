from datetime import timedelta
from unittest.mock import patch

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
    for _ in range(9):
        make_request(assignee=staff, team=None)
    client.get(QUEUE)
    # One of them reads the session's authenticator: every staff page needs a verified second factor.
    with django_assert_num_queries(18):
        response = client.get(QUEUE)
    assert len(response.context["page"].rows) == 10
    for _ in range(50):
        make_request(assignee=staff)
    with django_assert_num_queries(18):
        response = client.get(QUEUE)
    assert len(response.context["page"].rows) == 50
    next_page = response.context["page"].next
    with django_assert_num_queries(18):
        response = client.get(f"{QUEUE}?after={next_page}&page=2")
    assert len(response.context["page"].rows) == 10 and sr in response.context["page"].rows
    with django_assert_num_queries(8):
        client.get(reverse("staff:map_data"))


def walk(client, response, *, link: str):
    """Every page of the queue from ``response`` on by its "next" or "previous" links: the ids of each page,
    and the last page reached."""
    pages = []
    while True:
        assert response.status_code == 200
        page = response.context["page"]
        pages.append(ids(response))
        cursor = getattr(page, link)
        if not cursor:
            return pages, response
        there = "after" if link == "next" else "before"
        number = page.page + (1 if link == "next" else -1)
        response = client.get(f"{QUEUE}?{response.context['query']}&{there}={cursor}&page={number}")


@pytest.mark.parametrize("sort", ["", "due", "-due", "priority", "-status", "area", "-area", "type", "-age"])
def test_the_pages_follow_each_other_by_cursor_without_gaps_or_repeats(
    client, staff, make_request, jurisdiction, graffiti, pothole, sort
):
    layer = AreaLayerFactory(jurisdiction=jurisdiction, code="hoods", name="Neighbourhoods")
    AreaFactory(layer=layer, code="a", name="Alamo", boundary=square(-122.50, 37.70, 0.02))
    now = timezone.now()
    for i in range(130):
        make_request(
            # Ties in every key (same time, same due time, no due time, no area) so the tie-breaks are tested too.
            submitted_at=now - timedelta(hours=i // 3),
            expected_at=None if i % 4 == 0 else now + timedelta(hours=i % 5),
            priority=[Priority.LOW, Priority.NORMAL, Priority.URGENT][i % 3],
            status=[Status.SUBMITTED, Status.IN_PROGRESS][i % 2],
            service_type=graffiti if i % 2 else pothole,
            location=Point(-122.49, 37.71, srid=4326) if i % 3 else Point(-122.0, 37.0, srid=4326),
        )
    sign_in(client, staff)
    pages, last = walk(client, client.get(f"{QUEUE}?sort={sort}"), link="next")
    assert [len(p) for p in pages] == [50, 50, 30]
    assert (last.context["page"].page, last.context["page"].pages) == (3, 3)
    everything = [i for p in pages for i in p]
    assert len(set(everything)) == 130
    # The same order as one sort of the whole selection, read with no paging at all.
    with patch("frontend.staff.selectors.PAGE_SIZE", 200):
        assert everything == ids(client.get(f"{QUEUE}?sort={sort}"))
    # And back from the last page by the "previous" links, page by page, to the first.
    back, first = walk(client, last, link="previous")
    assert back == list(reversed(pages)) and first.context["page"].page == 1


def test_the_page_links_carry_the_cursor_and_the_filters(client, staff, make_request):
    for _ in range(51):
        make_request()
    html = sign_in(client, staff).get(f"{QUEUE}?overdue=&sort=due").content.decode()
    nav = html[html.index('<nav class="pages"') :]
    assert 'rel="next"' in nav and "sort=due" in nav and "&amp;after=" in nav and 'rel="prev"' not in nav
    assert "Page 1 of 2" in nav


@pytest.mark.parametrize("cursor", ["nonsense", "W10", "WyJ4IiwxXQ", "%00", "WzEsMl0"])
def test_a_broken_cursor_opens_the_first_page_not_a_500(client, staff, make_request, cursor):
    first = make_request()
    response = sign_in(client, staff).get(f"{QUEUE}?after={cursor}&page=7")
    assert response.status_code == 200 and ids(response) == [first.public_id]
    assert response.context["page"].page == 1


def test_a_large_backlog_is_counted_only_up_to_a_cap(client, staff, make_request):
    for _ in range(4):
        make_request()
    sign_in(client, staff)
    with patch("frontend.staff.selectors.COUNT_CAP", 3), patch("frontend.staff.selectors.PAGE_SIZE", 2):
        response = client.get(QUEUE)
    page = response.context["page"]
    assert (page.total, page.capped, page.pages, len(page.rows)) == (3, True, 0, 2)
    html = response.content.decode()
    assert "More than 3 open requests" in html and "Page 1</" not in html and "of 0" not in html
    with patch("frontend.staff.selectors.COUNT_CAP", 4):
        response = client.get(QUEUE)
    assert "4 open requests" in response.content.decode() and not response.context["page"].capped


def test_the_map_reads_only_the_points_in_its_box(client, staff, make_request):
    inside = make_request(location=Point(-122.41, 37.77, srid=4326))
    make_request(location=Point(-121.0, 37.0, srid=4326))
    sign_in(client, staff)
    data = client.get(reverse("staff:map_data"), {"bbox": "-122.5,37.7,-122.3,37.8"}).json()
    assert [f["properties"]["id"] for f in data["features"]] == [inside.public_id]
    assert len(client.get(reverse("staff:map_data")).json()["features"]) == 2


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "10,0,5,1", "0,0,1,100"])
def test_a_bad_map_box_is_a_clear_error(client, staff, bbox):
    response = sign_in(client, staff).get(reverse("staff:map_data"), {"bbox": bbox})
    assert response.status_code == 400 and "bbox" in response.json()["errors"]


def test_the_map_says_when_it_shows_only_the_first_points(client, staff, make_request):
    for _ in range(3):
        make_request()
    sign_in(client, staff)
    with patch("frontend.staff.selectors.MAP_LIMIT", 2):
        data = client.get(reverse("staff:map_data")).json()
    assert len(data["features"]) == 2 and data["truncated"] is True


def test_the_filters_show_what_was_chosen(client, staff, make_request, pothole):
    html = sign_in(client, staff).get(f"{QUEUE}?status=in_progress&status=on_hold&type={pothole.pk}").content.decode()
    assert '<option value="in_progress" selected>' in html and '<option value="on_hold" selected>' in html
    assert f'<option value="{pothole.pk}" selected>Pothole</option>' in html
    assert '<option value="submitted">' in html
