"""A request keeps only a digest of its private link's token: after filing by the web form or by Open311, no
column of its row, its contact or its idempotency record holds the token the resident was given. The link still
opens the pages, messages still carry it, and once the contact is erased nothing can rebuild it."""

import hashlib
import importlib
import re

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from contacts.models import Contact, Notification
from contacts.purposes import Purpose
from contacts.services import notify_requester, send_notification
from frontend.forms import CONSENT_WORDING_VERSION
from open311.services import create_api_key
from requests_app.models import ServiceRequest
from requests_app.services import change_status
from requests_app.statuses import Status
from tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db

EMAIL = "ana.lima@example.org"
MIGRATION = "0012_tracking_tokens_kept_as_digests"


def file_by_form(client, jurisdiction, service_type, **contact) -> str:
    """File through the resident's form as a phone replaying its outbox would; the token of the link shown."""
    response = client.post(
        f"/{jurisdiction.slug}/report/{service_type.code}/",
        {
            "description": "Deep hole",
            "address": "1 Market St",
            "lat": "37.79",
            "lon": "-122.39",
            "consent_wording": CONSENT_WORDING_VERSION,
            **contact,
        },
        HTTP_ACCEPT="application/json",
        HTTP_IDEMPOTENCY_KEY="outbox-1",
    )
    assert response.status_code == 201, response.content
    return re.fullmatch(r"/track/([^/]+)/filed/", response.json()["filed_url"]).group(1)


def stored_rows(service_request_id: int) -> str:
    """Every column of the request's row, its contact's and every idempotency record, as the database has them."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT row_to_json(r)::text FROM requests_app_servicerequest r WHERE id = %(pk)s
            UNION ALL SELECT row_to_json(c)::text FROM contacts_contact c WHERE service_request_id = %(pk)s
            UNION ALL SELECT row_to_json(i)::text FROM requests_app_idempotentwrite i""",
            {"pk": service_request_id},
        )
        return "\n".join(row for (row,) in cursor.fetchall())


def send_queued_messages() -> None:
    for pk in Notification.objects.filter(state=Notification.State.PENDING).values_list("pk", flat=True):
        send_notification(pk)


def links_in(message) -> dict[str, str]:
    """The site-relative paths of the tracking, data and withdraw links in a message."""
    paths = re.findall(r"https?://[^/\s]+(/track/[^\s>]+)", message.body)
    return {("withdraw" if "/withdraw/" in p else "data" if p.endswith("/data/") else "track"): p for p in paths}


def test_a_web_filing_stores_no_plain_token_and_its_link_opens_the_pages(client, jurisdiction, pothole):
    token = file_by_form(client, jurisdiction, pothole, email=EMAIL, purposes=[Purpose.STATUS_UPDATES])
    sr = ServiceRequest.objects.get()
    stored = stored_rows(sr.pk)
    assert EMAIL not in stored and sr.public_id in stored  # the rows are there, read raw
    assert token not in stored
    assert sr.tracking_token_digest == hashlib.sha256(token.encode()).hexdigest()
    for path in (f"/track/{token}/", f"/track/{token}/data/"):
        response = client.get(path)
        assert response.status_code == 200 and sr.public_id in response.content.decode()
    assert client.get(f"/track/{sr.tracking_token_digest}/").status_code == 404  # the digest opens nothing


def test_an_open311_filing_stores_no_plain_token_and_the_mailed_link_opens_the_pages(client, jurisdiction, pothole):
    _key, api_key = create_api_key(application="Street app", jurisdiction=jurisdiction)
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": pothole.code,
            "lat": "37.78",
            "long": "-122.41",
            "email": EMAIL,
            "email_alerts_requested": "true",
        },
    )
    assert response.status_code == 200, response.content
    send_queued_messages()
    (received,) = mail.outbox
    links = links_in(received)
    token = links["track"].split("/")[2]
    sr = ServiceRequest.objects.get()
    assert token not in stored_rows(sr.pk)
    assert client.get(links["track"]).status_code == 200 and client.get(links["data"]).status_code == 200


def test_a_message_after_a_status_change_carries_working_links(client, jurisdiction, pothole, staff):
    token = file_by_form(client, jurisdiction, pothole, email=EMAIL, purposes=[Purpose.STATUS_UPDATES])
    sr = ServiceRequest.objects.get()
    Notification.objects.update(state=Notification.State.SENT)  # the filing's own message went out
    change_status(sr, to=Status.ACKNOWLEDGED, by=staff, public_note="Crew booked")
    send_queued_messages()
    (update,) = mail.outbox
    links = links_in(update)
    assert links["track"] == f"/track/{token}/"
    page = client.get(links["track"]).content.decode()
    assert sr.public_id in page and "Crew booked" in page
    assert client.get(links["data"]).status_code == 200
    assert client.post(links["withdraw"]).status_code == 302
    assert not Contact.objects.get(service_request_id=sr.pk).tracking_token  # the last consent took it along


@pytest.mark.parametrize("how", ["erase", "withdraw"])
def test_after_the_contact_is_erased_nothing_can_rebuild_the_link(client, jurisdiction, pothole, how):
    token = file_by_form(client, jurisdiction, pothole, email=EMAIL, purposes=[Purpose.STATUS_UPDATES])
    sr = ServiceRequest.objects.get()
    assert Contact.objects.get(service_request_id=sr.pk).tracking_token == token  # kept for the messages, until...
    path = {
        "erase": f"/track/{token}/data/erase/",
        "withdraw": f"/track/{token}/data/withdraw/{Purpose.STATUS_UPDATES}/",
    }[how]
    assert client.post(path).status_code == 302
    with connection.cursor() as cursor:
        cursor.execute("SELECT tracking_token FROM contacts_contact WHERE service_request_id = %s", [sr.pk])
        assert cursor.fetchone() == ("",)
    assert token not in stored_rows(sr.pk)
    assert notify_requester(sr.pk, "status_changed") == []


def test_a_request_filed_without_contact_details_keeps_no_copy_of_its_token(client, jurisdiction, pothole):
    token = file_by_form(client, jurisdiction, pothole)
    sr = ServiceRequest.objects.get()
    assert not Contact.objects.filter(service_request_id=sr.pk).exists()
    assert token not in stored_rows(sr.pk) and client.get(f"/track/{token}/").status_code == 200


def test_the_migration_digests_stored_tokens_and_keeps_them_only_with_live_contacts(monkeypatch):
    migration = importlib.import_module(f"requests_app.migrations.{MIGRATION}")
    monkeypatch.setattr(migration, "BATCH", 2)  # three requests: two batches
    with_contact, erased, without = ServiceRequestFactory.create_batch(3)
    Contact.objects.create(service_request_id=with_contact.pk, email=EMAIL)
    Contact.objects.create(service_request_id=erased.pk, erased_at=erased.submitted_at)
    plain = {sr.pk: f"old-token-{sr.pk}" for sr in (with_contact, erased, without)}
    with connection.cursor() as cursor:  # the table as it was before: plain tokens (rolled back with the test)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending: ALTER TABLE refuses them
        cursor.execute("ALTER TABLE requests_app_servicerequest ADD COLUMN tracking_token varchar(64)")
        for pk, token in plain.items():
            cursor.execute("UPDATE requests_app_servicerequest SET tracking_token = %s WHERE id = %s", [token, pk])
    # The models as the migration's RunPython sees them: after its first operation added the digest column.
    state = MigrationLoader(connection).project_state(("requests_app", MIGRATION), at_end=False)
    migration.Migration.operations[0].state_forwards("requests_app", state)

    migration.digest_tokens(state.apps, connection.schema_editor())

    digests = dict(ServiceRequest.objects.values_list("pk", "tracking_token_digest"))
    assert digests == {pk: hashlib.sha256(token.encode()).hexdigest() for pk, token in plain.items()}
    assert ServiceRequest.objects.tracked_by(plain[without.pk]).get() == without
    copies = dict(Contact.objects.values_list("service_request_id", "tracking_token"))
    assert copies == {with_contact.pk: plain[with_contact.pk], erased.pk: ""}
