"""File requests carrying canaries in every personal field, then look everywhere the public can for them.

The walk covers every URL pattern outside the staff and admin areas, so a public page added later is checked
without touching this test. Pages reached by a requester's private link may show them what they wrote themselves
(the identifiers written into the description), never the contact details kept in ``contacts``.
"""

import itertools
import logging
import re
import uuid

import pytest
from django.apps import apps
from django.contrib.gis.geos import Point
from django.db import connection
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse

from config.celery import app
from contacts.models import Contact
from contacts.notifications import Event
from contacts.purposes import Purpose
from contacts.services import ContactDetails, notify_requester
from contacts.wording import CURRENT_WORDING_VERSION, WORDING
from integrations.events import SUBSCRIBABLE
from integrations.events import Event as IntegrationEvent
from integrations.models import OutboxMessage, WebhookSubscription
from requests_app.models import ServiceRequest, StatusChange
from requests_app.services import Submission, change_status, submit_request
from requests_app.statuses import Channel, Status

RUN = uuid.uuid4().hex[:8]
CANARY = {
    "first_name": f"Canaryfirst{RUN}",
    "last_name": f"Canarylast{RUN}",
    "email": f"canary-{RUN}@example.org",
    "phone": "+1 415 555 7731",
    "device_id": f"canary-device-{RUN}",
}
# Identifiers the resident also wrote into the description (their own words, shown back to them only).
WRITTEN = {"email": f"written-{RUN}@example.org", "phone": "+1 415 555 8842"}
# What a page could show of them: the values, and the phones as digits or their local part.
CONTACT_NEEDLES = [*CANARY.values(), "4155557731", "555 7731", "555-7731", "5557731"]
NEEDLES = [*CONTACT_NEEDLES, *WRITTEN.values(), "4155558842", "555 8842", "555-8842", "5558842"]
EXCLUDED_PREFIXES = ("admin/", "staff/", "media/", "i18n/")
# The requester's own data page shows their data to them, by design: it is the point of the page.
SHOWS_THE_REQUESTERS_OWN_DATA = {"contacts:data", "contacts:download"}


def _leaks(text: str, needles=NEEDLES) -> list[str]:
    return [needle for needle in needles if needle in text]


def _patterns(resolver, prefix="", namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            yield from _patterns(entry, prefix + str(entry.pattern), inner)
        else:
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), name, entry


def _candidates(requests) -> dict[str, list[str]]:
    """Sample values by kind; an argument whose name gives no hint gets every one of them."""
    kinds = {
        "token": [sr.tracking_token for sr in requests],
        "purpose": list(Purpose.values),
        "format": ["json", "xml"],
        "jurisdiction": [requests[0].jurisdiction.slug],
        "code": [requests[0].service_type.code, requests[0].department.code],
        "id": [sr.public_id for sr in requests] + [str(sr.pk) for sr in requests],
    }
    kinds["any"] = list(dict.fromkeys(v for values in kinds.values() for v in values))
    return kinds


def _values_for(argument: str, kinds: dict[str, list[str]]) -> list[str]:
    hint = next(
        (kind for kind in ("token", "purpose", "format", "jurisdiction", "code") if kind in argument),
        "id" if argument == "pk" or argument.endswith("id") else "any",
    )
    return kinds[hint]


def _argument_names(route: str, entry) -> list[str]:
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    return names or list(entry.pattern.regex.groupindex)


def _filled(route: str, values: dict[str, str]) -> str:
    """An unnamed pattern's URL: its regex groups and converters replaced by the values."""
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route)
    return "/" + re.sub(r"[\^$\\]", "", route)


def public_urls(requests) -> list[tuple[str, bool]]:
    """Every URL outside staff and admin, with whether it is the requester's own (reached by their private link)."""
    kinds = _candidates(requests)
    urls = []
    for route, name, entry in _patterns(get_resolver()):
        if route.lstrip("^").startswith(EXCLUDED_PREFIXES) or name in SHOWS_THE_REQUESTERS_OWN_DATA:
            continue
        arguments = _argument_names(route, entry)
        private = any("token" in argument for argument in arguments)
        if not arguments:
            urls.append((_filled(route, {}), private))
            continue
        for values in itertools.product(*(_values_for(argument, kinds) for argument in arguments)):
            if name:
                try:
                    urls.append((reverse(name, kwargs=dict(zip(arguments, values, strict=False))), private))
                except NoReverseMatch:
                    continue
            else:
                urls.append((_filled(route, dict(zip(arguments, values, strict=False))), private))
    return list(dict.fromkeys(urls))


@pytest.fixture
def canary_requests(published, caplog, pothole, department, staff, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    requests = []
    # Every event is written to the outbox for a webhook subscriber: its payloads are checked with every table.
    WebhookSubscription.objects.create(
        jurisdiction=pothole.jurisdiction,
        url="http://127.0.0.1:9/hooks",
        events=[value for value, _label in SUBSCRIBABLE],
    )
    with django_capture_on_commit_callbacks(execute=True):
        for channel in (Channel.WEB, Channel.OPEN311, Channel.MOBILE):
            sr = submit_request(
                Submission(
                    service_type=pothole,
                    location=Point(-122.41, 37.77, srid=4326),
                    address="1 Market St",
                    description=f"Deep hole. Call me at {WRITTEN['phone']} or {WRITTEN['email']}",
                    channel=channel,
                    contact=ContactDetails(
                        **CANARY, language="en", purposes=frozenset(WORDING[CURRENT_WORDING_VERSION])
                    ),
                )
            )
            ServiceRequest.objects.filter(pk=sr.pk).update(department=department)
            change_status(sr, to=Status.ACKNOWLEDGED, by=staff, public_note="We are on it.")
            notify_requester(sr.pk, Event.STATUS_CHANGED)
            filed = ServiceRequest.objects.select_related("jurisdiction", "service_type", "department").get(pk=sr.pk)
            filed.tracking_token = sr.tracking_token  # as the resident holds it: the row has only its digest
            requests.append(filed)
        # Given without a consent: stored nowhere.
        submit_request(
            Submission(
                service_type=pothole, location=Point(-122.42, 37.78, srid=4326), contact=ContactDetails(**CANARY)
            )
        )
    yield requests
    app.control.purge()  # the queued messages name rows this test rolls back


@pytest.mark.django_db
def test_no_canary_appears_in_any_public_page_log_task_or_history(client, published, canary_requests, caplog):
    fetched = {}
    slug = canary_requests[0].jurisdiction.slug
    for url, private in public_urls(canary_requests):
        # A requester's private page may show them what they wrote, never the contact details we keep.
        needles = CONTACT_NEEDLES if private else NEEDLES
        for query in ("", f"?jurisdiction_id={slug}"):
            response = client.get(url + query)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode("utf-8", "replace") + repr(dict(response.headers))
            assert not _leaks(text, needles), f"{url + query} shows {_leaks(text, needles)}"
            fetched[url + query] = response.status_code

    # The walk reached the pages it must: the home page and a page built from a filed request's arguments.
    assert fetched["/"] == 200
    token = canary_requests[0].tracking_token
    assert fetched[f"/track/{token}/data/withdraw/{Purpose.STATUS_UPDATES}/"] == 200

    assert published and not _leaks("".join(published))
    assert not _leaks(caplog.text)
    notes = StatusChange.objects.values_list("public_note", "internal_note")
    assert not _leaks(repr(list(notes)))


@pytest.mark.django_db
def test_no_table_outside_the_encrypted_contact_holds_a_canary(canary_requests):
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            columns = [
                f.column
                for f in model._meta.concrete_fields
                if not (model is ServiceRequest and f.name == "description")
            ]  # staff see the original
            selected = ", ".join(f"{connection.ops.quote_name(c)}::text" for c in columns)
            cursor.execute(f"SELECT {selected} FROM {connection.ops.quote_name(table)}")
            rows = repr(cursor.fetchall())
            assert not _leaks(rows), f"{table} holds {_leaks(rows)}"
    assert OutboxMessage.objects.filter(event=IntegrationEvent.STATUS_CHANGED).count() == 3  # payloads were checked
    assert Contact.objects.filter(email=CANARY["email"]).count() == 0  # the ciphertext can't even be searched
    assert sorted(Contact.objects.values_list("email", flat=True)) == [CANARY["email"]] * 3
