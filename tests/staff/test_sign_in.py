from base64 import b32encode

from django.contrib.admin.models import DELETION, LogEntry
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from frontend.staff.two_factor import TRUSTED_COOKIE
from staffing.models import StaffRole
from tests.factories import UserFactory
from tests.staff.conftest import sign_in

PASSWORD = "correct horse battery staple"
LOGIN = reverse("staff:login")
QUEUE = reverse("staff:queue")
TWO_FACTOR = reverse("staff:two_factor")


def code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong_code(device):
    return "000000" if code(device) != "000000" else "111111"


def skip_the_wait(device):
    """A wrong code makes django-otp wait before the next try; tests that mean to try again skip the wait."""
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)


def test_staff_without_an_authenticator_set_one_up_from_a_qr_code_before_seeing_anything(client, staff):
    response = client.post(LOGIN, {"username": "staff", "password": PASSWORD})
    assert response.status_code == 302
    response = client.get(QUEUE)
    assert response.status_code == 302 and response["Location"] == TWO_FACTOR
    assert client.get(reverse("staff:map_data")).status_code == 403
    page = client.get(TWO_FACTOR)
    html = page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert "<svg" in html and "otpauth://" not in html  # drawn here, never a raw link
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert client.post(TWO_FACTOR, {"otp_token": wrong_code(device)}).status_code == 400
    skip_the_wait(device)
    response = client.post(TWO_FACTOR, {"otp_token": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(QUEUE).status_code == 200


def test_an_operator_must_set_up_two_factor_before_seeing_anything(client, jurisdiction):
    operator = UserFactory(username="op")
    StaffRole.objects.create(user=operator, role=StaffRole.Role.OPERATOR, jurisdiction=jurisdiction)
    client.post(LOGIN, {"username": "op", "password": PASSWORD})
    response = client.get(QUEUE)
    assert response.status_code == 302 and response["Location"] == TWO_FACTOR


def test_a_wrong_password_gets_a_clear_error(client, staff):
    response = client.post(LOGIN, {"username": "staff", "password": "nope"})
    assert response.status_code == 400 and response.context["form"].non_field_errors()


def test_with_an_authenticator_the_code_is_needed_to_sign_in(client, staff):
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    response = client.post(LOGIN, {"username": "staff", "password": PASSWORD})
    assert response.status_code == 400 and "Enter the code" in response.content.decode()
    response = client.post(LOGIN, {"username": "staff", "password": PASSWORD, "otp_token": code(device)})
    assert response.status_code == 302
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(QUEUE).status_code == 200


def test_a_code_refused_for_throttling_says_so_and_when_to_try_again(client, staff):
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client.post(LOGIN, {"username": "staff", "password": PASSWORD, "otp_token": wrong_code(device)})
    # The right code, too soon after a wrong one: refused, with the wait named.
    response = client.post(LOGIN, {"username": "staff", "password": PASSWORD, "otp_token": code(device)})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Too many wrong codes. Try again in" in text and "second" in text
    assert "_auth_user_id" not in client.session


def test_a_browser_trusted_for_the_shift_signs_in_without_a_code_until_the_device_is_reset(client, staff, operator):
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    response = client.post(
        LOGIN, {"username": "staff", "password": PASSWORD, "otp_token": code(device), "trust_browser": "on"}
    )
    cookie = response.cookies[TRUSTED_COOKIE]
    assert cookie["httponly"] and cookie["max-age"] == 10 * 3600
    client.post(reverse("staff:logout"))
    response = client.post(LOGIN, {"username": "staff", "password": PASSWORD})
    assert response.status_code == 302 and client.get(QUEUE).status_code == 200
    # Another person's password with this browser's cookie still needs their own code.
    client.post(reverse("staff:logout"))
    TOTPDevice.objects.create(user=operator, name="phone", confirmed=True)
    assert client.post(LOGIN, {"username": "operator", "password": PASSWORD}).status_code == 400
    # A lost phone, reset by an operator: the cookie named that device and no longer works.
    sign_in(client, operator).post("/admin/otp_totp/totpdevice/", {"action": "reset", "_selected_action": [device.pk]})
    client.post(reverse("staff:logout"))
    client.cookies[TRUSTED_COOKIE] = cookie.value
    client.post(LOGIN, {"username": "staff", "password": PASSWORD})
    assert client.get(QUEUE)["Location"] == TWO_FACTOR


def test_an_operator_resets_a_lost_authenticator_in_the_admin_and_it_is_logged(client, staff, operator):
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    listing = sign_in(client, operator).get("/admin/otp_totp/totpdevice/")
    assert listing.status_code == 200 and "staff" in listing.content.decode()
    detail = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    # The secret never shows: not as hex, not as the base32 an app takes, not as a QR code or an otpauth link.
    for secret in (device.key, b32encode(device.bin_key).decode(), "otpauth://", "qrcode"):
        assert secret not in listing.content.decode() and secret not in detail
    response = client.post("/admin/otp_totp/totpdevice/", {"action": "reset", "_selected_action": [device.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff).exists()
    entry = LogEntry.objects.get(action_flag=DELETION, user=operator)
    assert "staff" in entry.change_message and entry.object_id == str(device.pk)


def test_department_staff_cannot_reset_anyones_authenticator(client, staff, lead):
    device = TOTPDevice.objects.create(user=lead, name="phone", confirmed=True)
    response = sign_in(client, staff).post(
        "/admin/otp_totp/totpdevice/", {"action": "reset", "_selected_action": [device.pk]}
    )
    assert response.status_code == 403 and TOTPDevice.objects.filter(pk=device.pk).exists()


def test_failed_sign_ins_are_throttled(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(LOGIN, {"username": "staff", "password": "wrong"})
    response = client.post(LOGIN, {"username": "staff", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_signing_out_ends_the_session(client, staff):
    sign_in(client, staff)
    client.post(reverse("staff:logout"))
    assert client.get(QUEUE).status_code == 302


def test_a_superuser_runs_every_city_once_verified(client, operator, make_request, foreign_request):
    mine = make_request()
    response = sign_in(client, operator).get(QUEUE)
    assert response.status_code == 200, response.get("Location")
    assert {sr.public_id for sr in response.context["page"].rows} == {mine.public_id, foreign_request.public_id}
