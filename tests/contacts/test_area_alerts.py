"""Area alerts: double opt-in, the expiry the resident chose, one-click stop, and the address erased at the end."""

import re
from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from kombu.exceptions import OperationalError

from contacts.models import AreaAlert
from contacts.services import (
    confirm_area_alert,
    end_expired_area_alerts,
    send_area_alerts,
    stop_area_alert,
    subscribe_to_area_alerts,
)
from contacts.tasks import send_area_alert_confirmation_task, send_area_alerts_task
from requests_app.services import Submission, submit_request
from routing.tasks import route_request_task
from tests.factories import AreaFactory, AreaLayerFactory, square

pytestmark = pytest.mark.django_db

ADDRESS = "neighbour@example.org"
INSIDE = Point(-122.42, 37.77, srid=4326)
OUTSIDE = Point(-122.30, 37.70, srid=4326)


@pytest.fixture(autouse=True)
def tasks_in_process(monkeypatch):
    """The alert tasks run where they are queued (after commit): these tests are about what the alerts do, not
    about the worker. Routing is not wanted here."""
    for task in (send_area_alert_confirmation_task, send_area_alerts_task):
        monkeypatch.setattr(task, "delay", task.run)
    monkeypatch.setattr(route_request_task, "delay", lambda *args: None)


@pytest.fixture
def mission(jurisdiction):
    layer = AreaLayerFactory(jurisdiction=jurisdiction, code="neighborhoods", name="Neighborhoods")
    return AreaFactory(
        layer=layer,
        code="mission",
        name="Mission",
        name_translations={"zh-hans": "教会区"},
        boundary=square(-122.45, 37.75, 0.05),
    )


@pytest.fixture
def file_at(pothole, django_capture_on_commit_callbacks):
    def file(point):
        with django_capture_on_commit_callbacks(execute=True):
            return submit_request(Submission(service_type=pothole, location=point, description="Deep hole"))

    return file


def _link(message, kind: str) -> str:
    return re.search(rf"https?://\S+/alerts/{kind}/\S+/", message.body).group(0).split("://", 1)[1].split("/", 1)[1]


def _raw_email(alert) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM contacts_areaalert WHERE id = %s", [alert.pk])
        return cursor.fetchone()[0]


def _subscribed(jurisdiction, area, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return subscribe_to_area_alerts(jurisdiction=jurisdiction, email=ADDRESS, area=area, **kwargs)


def test_nothing_is_sent_before_the_link_mailed_to_the_address_is_confirmed(
    jurisdiction, mission, file_at, django_capture_on_commit_callbacks
):
    alert = _subscribed(jurisdiction, mission, django_capture_on_commit_callbacks)
    (confirmation,) = mail.outbox
    assert confirmation.to == [ADDRESS] and "/alerts/confirm/" in confirmation.body
    assert confirmation.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    file_at(INSIDE)
    assert len(mail.outbox) == 1

    client = Client()
    client.get("/" + _link(confirmation, "confirm"))
    assert AreaAlert.objects.get(pk=alert.pk).confirmed_at is None  # a mail scanner's GET confirms nothing
    client.post("/" + _link(confirmation, "confirm"))
    assert AreaAlert.objects.get(pk=alert.pk).confirmed_at is not None

    sr = file_at(INSIDE)
    file_at(OUTSIDE)
    (alert_message,) = mail.outbox[1:]
    assert sr.public_id in alert_message.subject and f"/requests/{sr.public_id}/" in alert_message.body
    assert alert_message.extra_headers["List-Unsubscribe"] == f"<http://localhost:8000/alerts/stop/{alert.token}/>"


def test_an_alert_near_a_point_covers_requests_within_the_distance_chosen(jurisdiction, file_at):
    alert = subscribe_to_area_alerts(jurisdiction=jurisdiction, email=ADDRESS, point=INSIDE, radius_metres=500)
    confirm_area_alert(alert.token)
    mail.outbox.clear()

    file_at(Point(-122.42, 37.773, srid=4326))  # about 330 m north
    file_at(Point(-122.42, 37.78, srid=4326))  # about 1.1 km north

    assert len(mail.outbox) == 1


def test_with_the_broker_unreachable_the_wish_is_kept_and_no_error_reaches_the_resident(
    jurisdiction, mission, monkeypatch, django_capture_on_commit_callbacks
):
    def unreachable(*_args):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_area_alert_confirmation_task, "delay", unreachable)
    alert = _subscribed(jurisdiction, mission, django_capture_on_commit_callbacks)
    assert AreaAlert.objects.get().pk == alert.pk and not mail.outbox


def test_the_address_is_kept_encrypted(jurisdiction, mission):
    alert = subscribe_to_area_alerts(jurisdiction=jurisdiction, email=ADDRESS, area=mission)

    assert ADDRESS not in _raw_email(alert) and AreaAlert.objects.get(pk=alert.pk).email == ADDRESS


def test_one_click_stop_from_the_mail_program_ends_the_alert_and_erases_the_address(jurisdiction, mission, file_at):
    alert = subscribe_to_area_alerts(jurisdiction=jurisdiction, email=ADDRESS, area=mission)
    confirm_area_alert(alert.token)

    # RFC 8058: the mail program POSTs this body to the List-Unsubscribe URL, with no cookie and no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        f"/alerts/stop/{alert.token}/", "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    alert.refresh_from_db()
    assert (alert.email, alert.ended_by) == ("", AreaAlert.Ending.STOPPED) and _raw_email(alert) == ""
    mail.outbox.clear()
    file_at(INSIDE)
    assert mail.outbox == []
    assert not stop_area_alert(alert.token)


def test_the_alert_lasts_six_months_unless_the_resident_chose_otherwise_and_then_ends_erased(jurisdiction, mission):
    default = subscribe_to_area_alerts(jurisdiction=jurisdiction, email=ADDRESS, area=mission)
    short = subscribe_to_area_alerts(jurisdiction=jurisdiction, email="other@example.org", area=mission, months=1)
    for alert in (default, short):
        confirm_area_alert(alert.token)
    assert (default.expires_at - default.created_at).days in (182, 183)
    assert (short.expires_at - short.created_at).days == 30

    assert end_expired_area_alerts(now=timezone.now() + timedelta(days=31)) == 1
    short.refresh_from_db()
    default.refresh_from_db()
    assert (short.email, short.ended_by) == ("", AreaAlert.Ending.EXPIRED)
    assert default.email == ADDRESS and default.ended_at is None


def test_an_alert_never_confirmed_is_erased_after_a_week(jurisdiction, mission):
    alert = subscribe_to_area_alerts(jurisdiction=jurisdiction, email=ADDRESS, area=mission)

    assert end_expired_area_alerts(now=timezone.now() + timedelta(days=6)) == 0
    assert end_expired_area_alerts(now=timezone.now() + timedelta(days=8)) == 1
    alert.refresh_from_db()
    assert (alert.email, alert.ended_by) == ("", AreaAlert.Ending.UNCONFIRMED)


def test_an_expired_alert_sends_nothing_even_before_the_sweep(jurisdiction, mission, file_at):
    alert = subscribe_to_area_alerts(jurisdiction=jurisdiction, email=ADDRESS, area=mission)
    confirm_area_alert(alert.token)
    AreaAlert.objects.filter(pk=alert.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    mail.outbox.clear()

    sr = file_at(INSIDE)

    assert send_area_alerts(sr.pk) == 0 and mail.outbox == []


@pytest.mark.parametrize("language, heading", [("en", "Alerts of new reports"), ("zh-hans", "新报告提醒")])
def test_the_subscribe_page_speaks_both_languages_and_is_linked_from_the_map(
    client, jurisdiction, mission, language, heading
):
    client.cookies["django_language"] = language
    page = client.get(f"/alerts/{jurisdiction.slug}/")
    assert page.status_code == 200 and heading in page.content.decode()
    assert f'href="/alerts/{jurisdiction.slug}/"' in client.get(f"/map/{jurisdiction.slug}/").content.decode()


def test_the_subscribe_page_files_the_wish_and_answers_a_bad_address_with_a_form_error(client, jurisdiction, mission):
    bad = client.post(
        f"/alerts/{jurisdiction.slug}/", {"email": "not-an-address", "area": mission.pk, "radius": 500, "months": 6}
    )
    assert bad.status_code == 200 and "errors" in bad.content.decode() and not AreaAlert.objects.exists()

    neither = client.post(f"/alerts/{jurisdiction.slug}/", {"email": ADDRESS, "radius": 500, "months": 6})
    assert neither.status_code == 200 and not AreaAlert.objects.exists()

    client.post(
        f"/alerts/{jurisdiction.slug}/", {"email": ADDRESS, "lat": 37.77, "lon": -122.42, "radius": 1000, "months": 3}
    )
    alert = AreaAlert.objects.get()
    assert (alert.radius_metres, alert.area, alert.confirmed_at) == (1000, None, None)
