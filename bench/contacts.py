"""Contact data: what encryption, consent records and the access-logged selector cost against raw SQL.

- save_contact (encrypted fields + one Consent row per purpose, one transaction each) against a raw single-row
  INSERT + COMMIT of the same plaintext row;
- the retention sweep (erase_expired_contacts) against one raw UPDATE of the same rows;
- the requester's data page selector (data_held_for, decrypting) against the same five SELECTs in raw SQL.
"""

import time

from django.db import connection, transaction
from django.utils import timezone

from bench.figures import Figure, percentiles, timed_ms
from contacts import crypto
from contacts.models import Consent, Contact
from contacts.purposes import Purpose
from contacts.selectors import data_held_for
from contacts.services import ContactDetails, erase_expired_contacts, save_contact
from contacts.wording import CURRENT_WORDING_VERSION, WORDING
from requests_app.progress import Progress
from requests_app.public_ids import new_tracking_token

SAVES = 1_000
SWEEP = 50_000
DETAILS = ContactDetails(
    first_name="Bench",
    last_name="Resident",
    email="bench.resident@example.org",
    phone="+1 415 555 0142",
    language="en",
    # Every purpose the current resident form asks about.
    purposes=frozenset(WORDING[CURRENT_WORDING_VERSION]),
)


def _closed_request_ids(jurisdiction_id: int, n: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM requests_app_servicerequest WHERE jurisdiction_id = %s AND closed_at < "
            "now() - interval '60 days' AND external_id LIKE 'bench-%%' ORDER BY id LIMIT %s",
            [jurisdiction_id, n],
        )
        return [row[0] for row in cursor.fetchall()]


def _clear(ids: list[int]) -> None:
    Consent.objects.filter(service_request_id__in=ids).delete()
    Contact.objects.filter(service_request_id__in=ids).delete()


def _bench_saves(ids: list[int]) -> Figure:
    progress = Progress(2 * len(ids), "contacts: saves")
    started = time.perf_counter()
    for sr_id in ids:
        save_contact(service_request_id=sr_id, details=DETAILS, tracking_token=new_tracking_token(), channel="web")
        progress.advance()
    project = len(ids) / (time.perf_counter() - started)
    _clear(ids)
    started = time.perf_counter()
    for sr_id in ids:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO contacts_contact (service_request_id, first_name, last_name, email, phone, "
                "device_id, tracking_token, language, created_at) VALUES (%s, %s, %s, %s, %s, '', %s, 'en', now())",
                [sr_id, DETAILS.first_name, DETAILS.last_name, DETAILS.email, DETAILS.phone, new_tracking_token()],
            )
        progress.advance()
    baseline = len(ids) / (time.perf_counter() - started)
    progress.finish()
    _clear(ids)
    return Figure(
        "contacts",
        "save_contact (encrypted, consents), /s",
        project,
        baseline,
        "saves/s",
        True,
        "raw INSERT+COMMIT",
        0.5,  # issue 15's aim: at least half the raw rate
    )


def _fill_for_sweep(ids: list[int]) -> None:
    # One ciphertext per field is enough to measure the sweep; the bulk insert is setup, not measured.
    values = {name: crypto.encrypt(getattr(DETAILS, name)) for name in ("first_name", "last_name", "email", "phone")}
    now = timezone.now()
    Contact.objects.bulk_create(
        [Contact(service_request_id=i, language="en", created_at=now) for i in ids], batch_size=5_000
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE contacts_contact SET first_name = %s, last_name = %s, email = %s, phone = %s "
            "WHERE service_request_id = ANY(%s)",
            [values["first_name"], values["last_name"], values["email"], values["phone"], ids],
        )
    Consent.objects.bulk_create(
        [
            Consent(
                service_request_id=i,
                purpose=Purpose.STATUS_UPDATES,
                channel="web",
                wording_version=CURRENT_WORDING_VERSION,
                how_given="web_form",
                given_at=now,
            )
            for i in ids
        ],
        batch_size=5_000,
    )


def _bench_sweep(ids: list[int]) -> Figure:
    _clear(ids)
    _fill_for_sweep(ids)
    started = time.perf_counter()
    erased = erase_expired_contacts()
    project = erased / (time.perf_counter() - started)
    _clear(ids)
    _fill_for_sweep(ids)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE contacts_contact SET first_name = '', last_name = '', email = '', phone = '', "
            "device_id = '', erased_at = now() WHERE service_request_id = ANY(%s)",
            [ids],
        )
        raw = cursor.rowcount
    baseline = raw / (time.perf_counter() - started)
    _clear(ids)
    return Figure(
        "contacts", f"retention sweep ({len(ids):,} contacts), rows/s", project, baseline, "rows/s", True, "raw UPDATE"
    )


def _bench_data_page(ids: list[int]) -> list[Figure]:
    sample = ids[:200]
    for sr_id in sample:
        save_contact(service_request_id=sr_id, details=DETAILS, tracking_token=new_tracking_token(), channel="web")
    it = iter(sample * 3)
    project = timed_ms(lambda: data_held_for(next(it)), 500)

    def raw():
        sr_id = next(it2)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT r.public_id, r.closed_at, j.contact_retention_days "
                "FROM requests_app_servicerequest r JOIN requests_app_jurisdiction j "
                "ON j.id = r.jurisdiction_id WHERE r.id = %s",
                [sr_id],
            )
            cursor.fetchall()
            for table in ("contacts_contact", "contacts_consent", "contacts_accesslog", "contacts_notification"):
                cursor.execute(f"SELECT * FROM {table} WHERE service_request_id = %s", [sr_id])
                cursor.fetchall()

    it2 = iter(sample * 3)
    baseline = timed_ms(raw, 500)
    _clear(sample)
    p50, p95 = percentiles(project)
    b50, b95 = percentiles(baseline)
    return [
        Figure("contacts", "data_held_for p50", p50, b50, "ms", False, "the same 5 raw SELECTs"),
        Figure("contacts", "data_held_for p95", p95, b95, "ms", False, "the same 5 raw SELECTs"),
    ]


def run(jurisdiction_id: int) -> list[Figure]:
    ids = _closed_request_ids(jurisdiction_id, SWEEP)
    _clear(ids)
    return [_bench_saves(ids[:SAVES]), _bench_sweep(ids), *_bench_data_page(ids)]
