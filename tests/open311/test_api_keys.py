import io
import re

import pytest
from django.core.management import CommandError, call_command

from open311.models import ApiKey, key_digest
from open311.services import create_api_key, revoke_api_key
from tests.staff.conftest import sign_in

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("open311_key", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_prints_a_new_key_once_and_stores_only_its_digest(jurisdiction):
    raw = run(
        "create", "--application", "FixMyStreet", "--jurisdiction", "sf.example", "--writes-per-minute", "30"
    ).strip()
    key = ApiKey.objects.get()
    assert key.digest == key_digest(raw) and raw not in str(ApiKey.objects.values().get())
    assert (key.application, key.jurisdiction, key.writes_per_minute) == ("FixMyStreet", jurisdiction, 30)
    assert raw not in run("list") and key.prefix in run("list")


def test_the_command_revokes_a_key_by_its_prefix(jurisdiction):
    key, _raw = create_api_key(application="Old app", jurisdiction=jurisdiction)
    assert "Revoked" in run("revoke", key.prefix)
    key.refresh_from_db()
    assert key.revoked_at is not None and "revoked" in run("list")


def test_the_command_refuses_an_unknown_jurisdiction_or_prefix(jurisdiction):
    with pytest.raises(CommandError):
        run("create", "--application", "X", "--jurisdiction", "nowhere")
    with pytest.raises(CommandError):
        run("revoke", "zzzzzzzz")


def test_revoking_twice_keeps_the_first_time(jurisdiction):
    key, _raw = create_api_key(application="App", jurisdiction=jurisdiction)
    first = revoke_api_key(key).revoked_at
    assert revoke_api_key(key).revoked_at == first


def test_an_operator_creates_a_key_in_the_admin_and_sees_it_once(client, operator, jurisdiction):
    sign_in(client, operator)
    response = client.post(
        "/admin/open311/apikey/add/",
        {
            "application": "City app",
            "jurisdiction": jurisdiction.pk,
            "scopes": ["read", "file", "update"],
            "writes_per_minute": "",
        },
        follow=True,
    )
    key = ApiKey.objects.get()
    assert key.scopes == ["file", "read", "update"]
    [raw] = [
        m.group(1)
        for m in (re.search(r"The new key is ([\w-]+)\.", str(message)) for message in response.context["messages"])
        if m
    ]
    assert key_digest(raw) == key.digest
    assert raw not in client.get(f"/admin/open311/apikey/{key.pk}/change/").content.decode()
    client.post("/admin/open311/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_the_command_sets_scopes_and_refuses_unknown_ones(jurisdiction):
    out = io.StringIO()
    call_command(
        "open311_key",
        "create",
        "--application",
        "Reports only",
        "--jurisdiction",
        jurisdiction.slug,
        stdout=out,
        stderr=io.StringIO(),
    )
    key = ApiKey.objects.get()
    assert key.scopes == ["file", "read"]  # never update by default
    call_command("open311_key", "scopes", key.prefix, "read,update", stdout=io.StringIO())
    key.refresh_from_db()
    assert key.scopes == ["read", "update"]
    with pytest.raises(CommandError, match="not delete"):
        call_command("open311_key", "scopes", key.prefix, "read,delete")
    listing = io.StringIO()
    call_command("open311_key", "list", stdout=listing)
    assert "read,update" in listing.getvalue()
