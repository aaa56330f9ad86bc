import csv
import io
import time
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from frontend.public.forecast import forecast, moving_average
from frontend.public.models import PublicSettings
from frontend.public.stats import Suppressed, days, refresh_statistics, statistics_for, with_gaps
from frontend.public.tasks import refresh_public_statistics_task
from requests_app.statuses import Status
from tests.celery_worker import running_worker
from tests.factories import JurisdictionFactory, ServiceRequestFactory, ServiceTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def timed_requests(pothole, department):
    """Six closed potholes acknowledged after 1..6 hours and closed after 10..60 hours."""
    start = timezone.now() - timedelta(days=30)
    return [
        ServiceRequestFactory(
            service_type=pothole,
            department=department,
            status=Status.CLOSED,
            submitted_at=start,
            acknowledged_at=start + timedelta(hours=h),
            closed_at=start + timedelta(hours=10 * h),
        )
        for h in range(1, 7)
    ]


def _tables(jurisdiction):
    refresh_statistics(jurisdiction)  # what the beat task does every 15 minutes
    return statistics_for(jurisdiction)[0]


def _rows(table):
    return {row[0]: row[1:] for row in table.rows}


def test_small_groups_are_suppressed_below_k(jurisdiction, timed_requests, noise):
    for _ in range(2):
        ServiceRequestFactory(service_type=noise)
    tables = _tables(jurisdiction)
    per_type = _rows(tables["per-type"])
    assert per_type["Noise"] == [Suppressed(5)] and str(per_type["Noise"][0]) == "<5"
    # Pothole's 6 is hidden as well: with the total (8, every other table's sum) it would give Noise's 2 away.
    assert per_type["Pothole"] == [Suppressed(5)]


def test_k_is_set_per_jurisdiction(jurisdiction, timed_requests):
    PublicSettings.objects.create(jurisdiction=jurisdiction, suppression_k=7)
    tables = _tables(jurisdiction)
    assert _rows(tables["per-type"])["Pothole"] == [Suppressed(7)]
    assert _rows(tables["times-department"])["Public Works"][1:] == [Suppressed(7)] * 4


def test_no_suppressed_number_reaches_the_page_or_the_csv(client, jurisdiction, timed_requests, noise, mission):
    for _ in range(3):
        ServiceRequestFactory(service_type=noise)
    refresh_statistics(jurisdiction)
    page = client.get(f"/stats/{jurisdiction.slug}/").content.decode()
    assert "&lt;5" in page
    for key in ("per-type", "per-area", "per-month", "open-backlog", "times-service-type", "forecast-service-type"):
        rows = list(csv.reader(io.StringIO(client.get(f"/stats/{jurisdiction.slug}/{key}.csv").content.decode())))
        counts = [cell for row in rows[1:] for cell in row[1:] if cell.isdigit()]
        assert all(int(cell) == 0 or int(cell) >= 5 for cell in counts), (key, rows)
    noise_row = [
        row
        for row in csv.reader(io.StringIO(client.get(f"/stats/{jurisdiction.slug}/per-type.csv").content.decode()))
        if row[0] == "Noise"
    ]
    assert noise_row == [["Noise", "<5"]]


def test_response_times_give_the_median_and_90th_percentile_in_days(jurisdiction, timed_requests):
    # Hours 3.5, 5.5, 35 and 55 as days, one decimal under ten days.
    row = _rows(_tables(jurisdiction)["times-department"])["Public Works"]
    assert row == [6, 0.1, 0.2, 1.5, 2.3]


def test_long_durations_are_whole_days():
    assert days(24 * 123.4, 9, 5) == 123 and days(30, 9, 5) == 1.2 and days(None, 9, 5) == ""


def test_a_run_of_months_without_requests_is_one_row_and_short_gaps_are_zeros():
    rows = with_gaps([(date(2019, 1, 1), 7), (date(2019, 3, 1), 8), (date(2026, 10, 1), 9)])
    assert rows[:3] == [("2019-01", 7), ("2019-02", 0), ("2019-03", 8)]
    label, gap = rows[3]
    assert label == "2019-04 – 2026-09" and str(gap) == "no requests from 2019-04 to 2026-09"
    assert rows[4] == ("2026-10", 9) and len(rows) == 5


def test_the_page_shows_resolve_times_per_area_and_month_within_the_chosen_months(
    client, jurisdiction, timed_requests, mission
):
    for sr in timed_requests:
        sr.location = mission.boundary.centroid
        sr.save()
    refresh_statistics(jurisdiction)
    month = timed_requests[0].submitted_at.astimezone(ZoneInfo(jurisdiction.timezone)).strftime("%Y-%m")
    page = client.get(f"/stats/{jurisdiction.slug}/").content.decode()
    trend = page[page.index('id="resolve-trend"') :]
    assert f'<th scope="row">Mission</th><td>{month}</td><td>6</td><td>1.5</td>' in trend
    later = client.get(f"/stats/{jurisdiction.slug}/?since=2099-01").content.decode()
    assert f"<td>{month}</td>" not in later
    assert "Hours" not in page and "No data yet" not in page


def test_the_sla_share_says_so_when_no_request_has_an_expected_date(client, jurisdiction, timed_requests):
    table = _tables(jurisdiction)["sla"]  # also prepares them for the page below
    assert table.rows == [] and "cannot be computed" in table.note
    assert "cannot be computed" in client.get(f"/stats/{jurisdiction.slug}/").content.decode()


def test_the_sla_share_counts_requests_closed_by_their_expected_date(jurisdiction, timed_requests):
    for sr in timed_requests:
        sr.expected_at = sr.submitted_at + timedelta(hours=35)
        sr.save()
    # 3 of 6 in time: the share would give the hidden 3 away, so it is hidden with it.
    assert _rows(_tables(jurisdiction)["sla"])["Public Works"] == [6, Suppressed(5), Suppressed(5)]


def test_requests_are_counted_per_area_and_month(jurisdiction, timed_requests, mission, presidio):
    tables = _tables(jurisdiction)
    assert _rows(tables["per-area"]) == {"Mission": [6]}
    month = timed_requests[0].submitted_at.astimezone(timezone.get_fixed_timezone(0)).strftime("%Y-%m")
    assert sum(r[1] for r in tables["per-month"].rows) == 6 and len(tables["per-month"].rows) in (1, 2)
    assert month[:4] in tables["per-month"].rows[0][0]


def test_the_statistics_page_draws_a_chart_beside_each_table(
    client, jurisdiction, timed_requests, mission, django_assert_num_queries
):
    with django_assert_num_queries(15):  # one or two per table, made once for every reader
        refresh_statistics(jurisdiction)
    with django_assert_num_queries(2):  # jurisdiction, k
        html = client.get(f"/stats/{jurisdiction.slug}/").content.decode()
    assert html.count("<svg") >= 6 and html.count("<table>") >= 6
    assert f"/stats/{jurisdiction.slug}/per-type.csv" in html and "Computed at" in html


def test_statistics_not_prepared_yet_are_announced_not_computed_in_the_request(client, jurisdiction, timed_requests):
    page = client.get(f"/stats/{jurisdiction.slug}/")
    assert page.status_code == 200 and "being prepared" in page.content.decode()
    assert "<table>" not in page.content.decode()
    csv_response = client.get(f"/stats/{jurisdiction.slug}/per-type.csv")
    assert csv_response.status_code == 503 and csv_response["Retry-After"] == "60"


@pytest.mark.django_db(transaction=True)
def test_a_worker_prepares_the_statistics_a_reader_asked_for(client, jurisdiction, timed_requests):
    with running_worker():
        assert "being prepared" in client.get(f"/stats/{jurisdiction.slug}/").content.decode()
        deadline = time.monotonic() + 20
        while statistics_for(jurisdiction) is None and time.monotonic() < deadline:
            time.sleep(0.2)
    html = client.get(f"/stats/{jurisdiction.slug}/").content.decode()
    assert "being prepared" not in html and "Requests per service type" in html


def test_the_beat_task_prepares_every_jurisdiction(jurisdiction, timed_requests):
    other = JurisdictionFactory(slug="elsewhere.example")
    refresh_public_statistics_task()
    assert statistics_for(jurisdiction) is not None and statistics_for(other) is not None


def test_an_unknown_table_is_not_found(client, jurisdiction):
    refresh_statistics(jurisdiction)
    assert client.get(f"/stats/{jurisdiction.slug}/nothing.csv").status_code == 404


def test_the_forecast_is_the_recent_mean_and_its_backtest_error_is_measured():
    history = [10, 10, 10, 10, 10, 10, 10, 10, 12, 8, 14, 6]
    result = forecast(history)
    assert result.next_weeks == [moving_average(history)[0]] * 4 == [10.0] * 4
    assert result.backtest_mae == 3.0 and result.backtest_actual_mean == 10.0


def test_a_short_history_forecasts_without_a_backtest():
    result = forecast([3, 4])
    assert result.next_weeks == [3.5] * 4 and result.backtest_mae is None


def test_the_forecast_table_covers_the_busy_types(jurisdiction, department):
    busy = ServiceTypeFactory(jurisdiction=jurisdiction, code="graffiti", name="Graffiti")
    now = timezone.now()
    for week in range(12):
        for _ in range(6):
            ServiceRequestFactory(service_type=busy, submitted_at=now - timedelta(weeks=week))
    table = _tables(jurisdiction)["forecast-service-type"]
    row = _rows(table)["Graffiti"]
    assert row[:4] == [6.0] * 4 and row[4] == 0.0


def test_the_statistics_page_speaks_chinese(client, jurisdiction, timed_requests):
    refresh_statistics(jurisdiction)
    html = client.get(f"/stats/{jurisdiction.slug}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "各服务类型的请求数" in html and "确认用时（天），中位数" in html


def test_a_lone_hidden_cell_gets_a_complement_so_the_total_cannot_reveal_it():
    from frontend.public.stats import Suppressed, suppress_groups

    assert suppress_groups([40, 3, 12, 25], 5) == [40, Suppressed(5), Suppressed(5), 25]
    assert suppress_groups([40, 3, 2, 25], 5) == [40, Suppressed(5), Suppressed(5), 25]
    assert suppress_groups([40, 12, 25], 5) == [40, 12, 25]


def test_a_two_way_table_hides_a_complement_in_the_row_and_in_the_column():
    from frontend.public.stats import Suppressed, suppress_groups

    # department A: cells 0 (type X) and 1 (type Y); department B: cells 2 (X) and 3 (Y)
    cells = suppress_groups([3, 30, 20, 40], 5, [[0, 1], [2, 3], [0, 2], [1, 3]])
    hidden = [i for i, n in enumerate(cells) if isinstance(n, Suppressed)]
    assert hidden == [0, 1, 2, 3]  # a single small cell in a 2x2 table can only be protected by hiding all four


def test_the_sla_share_never_reveals_a_small_number_closed_late(jurisdiction):
    from frontend.public.stats import Suppressed, _sla_row

    assert _sla_row({"name": "Works", "n": 20, "n_within": 18}, 5) == ["Works", 20, Suppressed(5), Suppressed(5)]
    assert _sla_row({"name": "Works", "n": 20, "n_within": 10}, 5) == ["Works", 20, 10, 50.0]


def test_the_demo_city_shows_its_share_resolved_within_the_promised_time(client, tmp_path):
    from django.core.management import call_command

    from demo.loader import SF_SLUG
    from requests_app.models import Jurisdiction

    call_command("load_demo", sf_rows=600, no_accounts=True, stdout=io.StringIO())
    sf = Jurisdiction.objects.get(slug=SF_SLUG)
    table = _tables(sf)["sla"]
    assert table.rows and not table.note
    closed_with_promise = sum(row[1] for row in table.rows if not isinstance(row[1], Suppressed))
    assert closed_with_promise > 300  # most of the 600 imported rows are closed
    page = client.get(f"/stats/{SF_SLUG}/").content.decode()
    assert "cannot be computed" not in page
