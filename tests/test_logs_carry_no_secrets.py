"""A resident's request from filing to erasure, an Open311 client and a staff member, all through gunicorn with
access logging (config/gunicorn.py) and the production settings; then every line gunicorn and the app wrote is
searched for the tracking link, the API key, the password, the email address and the phone number."""

import re
import time

import httpx
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from contacts.purposes import Purpose
from frontend.forms import CONSENT_WORDING_VERSION
from open311.services import create_api_key
from tests.gunicorn_server import production_server

EMAIL, PHONE = "ana.lima@example.org", "+1 415 555 0123"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def server(tmp_path):
    log = tmp_path / "server.log"
    with (
        open(log, "wb") as out,
        production_server(env={"LOG_LEVEL": "DEBUG", "CIVIC311_DEVELOPMENT": "true"}, output=out) as base,
    ):
        yield base, log


def form_post(client: httpx.Client, url: str, data: dict, headers=None) -> httpx.Response:
    page = client.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return client.post(url, data={**data, "csrfmiddlewaretoken": token}, headers={"Referer": url, **(headers or {})})


@pytest.mark.django_db(transaction=True)
def test_no_log_line_carries_a_token_key_password_email_or_phone(server, jurisdiction, pothole, staff):
    base, log = server
    _key, api_key = create_api_key(application="Logger", jurisdiction=jurisdiction)
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    # The server runs the production settings, whose hashers don't read the test settings' fast MD5 hashes.
    staff.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt(), iterations=1000)
    staff.save(update_fields=["password"])

    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as resident:
        filed = form_post(
            resident,
            f"{base}/{jurisdiction.slug}/report/{pothole.code}/",
            {
                "description": f"Deep hole; call me on {PHONE} or {EMAIL}",
                "address": "1 Market St",
                "lat": "37.79",
                "lon": "-122.39",
                "email": EMAIL,
                "phone": PHONE,
                "purposes": [Purpose.STATUS_UPDATES],
                "consent_wording": CONSENT_WORDING_VERSION,
            },
            headers={"Accept": "application/json"},
        )
        assert filed.status_code == 201, filed.text
        token = re.match(r"/track/([^/]+)/filed/", filed.json()["filed_url"]).group(1)
        for path in (
            f"/track/{token}/filed/",
            f"/track/{token}/",
            f"/track/{token}/data/",
            f"/track/{token}/data/download.json",
            f"/track/{token}x/",
            f"/track/{token}/data/?x=1",
        ):
            resident.get(path, headers={"Referer": f"{base}/track/{token}/"})
        page = resident.get(f"/track/{token}/data/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        erased = resident.post(
            f"/track/{token}/data/erase/",
            data={"csrfmiddlewaretoken": csrf},
            headers={"Referer": f"{base}/track/{token}/data/"},
        )
        assert erased.status_code in (200, 302)

    with httpx.Client(base_url=base, timeout=30) as client:
        response = client.post(
            f"/open311/v2/requests.json?api_key={api_key}&jurisdiction_id={jurisdiction.slug}",
            data={
                "service_code": pothole.code,
                "lat": "37.78",
                "long": "-122.41",
                "email": EMAIL,
                "phone": PHONE,
                "first_name": "Ana",
                "email_alerts_requested": "true",
            },
        )
        assert response.status_code == 200, response.text
        client.post(f"/open311/v2/requests.json?api_key={api_key}x", data={"service_code": pothole.code})
        client.get(f"/open311/v2/requests.json?api_key={api_key}&email={EMAIL}")

    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as clerk:
        code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
        signed_in = form_post(
            clerk, f"{base}/staff/sign-in/", {"username": "staff", "password": PASSWORD, "otp_token": code}
        )
        assert signed_in.status_code == 302
        assert clerk.get("/staff/").status_code == 200
        form_post(clerk, f"{base}/staff/sign-in/?password={PASSWORD}", {"username": "staff", "password": "wrong"})

    time.sleep(1)  # gunicorn writes the access log after each answer
    lines = log.read_text(errors="replace").splitlines()
    assert any('"GET /track/[redacted]/data/' in line for line in lines), lines[-20:]
    assert any("api_key=[redacted]" in line for line in lines)
    secrets_ = {
        "tracking token": token,
        "api key": api_key,
        "password": PASSWORD,
        "email": EMAIL,
        "email, encoded": EMAIL.replace("@", "%40"),
        "phone": PHONE,
        "phone, digits": "4155550123",
        "phone, encoded": PHONE.replace(" ", "+").replace("+", "%2B", 1),
    }
    for number, line in enumerate(lines):
        for what, secret in secrets_.items():
            assert secret not in line, f"line {number} carries the {what}: {line}"
