from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from frontend.staff.models import StaffRole
from tests.factories import UserFactory
from tests.staff.conftest import sign_in

PASSWORD = "correct horse battery staple"
LOGIN = reverse("staff:login")
QUEUE = reverse("staff:queue")


def code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_staff_sign_in_and_land_on_their_queue(client, staff):
    response = client.post(LOGIN, {"username": "staff", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == QUEUE and response.status_code == 200


def test_a_wrong_password_gets_a_clear_error(client, staff):
    response = client.post(LOGIN, {"username": "staff", "password": "nope"})
    assert response.status_code == 400 and response.context["form"].non_field_errors()


def test_an_operator_must_set_up_two_factor_before_seeing_anything(client, jurisdiction):
    operator = UserFactory(username="op")
    StaffRole.objects.create(user=operator, role=StaffRole.Role.OPERATOR, jurisdiction=jurisdiction)
    client.post(LOGIN, {"username": "op", "password": PASSWORD})
    response = client.get(QUEUE)
    assert response.status_code == 302 and response["Location"] == reverse("staff:two_factor")
    assert client.get(reverse("staff:map_data")).status_code == 403
    client.get(reverse("staff:two_factor"))
    device = TOTPDevice.objects.get(user=operator, confirmed=False)
    assert client.post(reverse("staff:two_factor"), {"otp_token": "000000" if code(device) != "000000"
                                                     else "111111"}).status_code == 400
    # A wrong code makes django-otp wait a second before the next try; the test skips the wait.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = client.post(reverse("staff:two_factor"), {"otp_token": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(QUEUE).status_code == 200


def test_with_an_authenticator_the_code_is_needed_to_sign_in(client, staff):
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    response = client.post(LOGIN, {"username": "staff", "password": PASSWORD})
    assert response.status_code == 400 and "Enter the code" in response.content.decode()
    response = client.post(LOGIN, {"username": "staff", "password": PASSWORD, "otp_token": code(device)})
    assert response.status_code == 302
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_failed_sign_ins_are_throttled(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(LOGIN, {"username": "staff", "password": "wrong"})
    response = client.post(LOGIN, {"username": "staff", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_signing_out_ends_the_session(client, staff):
    client.post(LOGIN, {"username": "staff", "password": PASSWORD})
    client.post(reverse("staff:logout"))
    assert client.get(QUEUE).status_code == 302


def test_a_superuser_runs_every_city_once_verified(client, operator, make_request, foreign_request):
    TOTPDevice.objects.create(user=operator, name="phone", confirmed=True)
    mine = make_request()
    response = sign_in(client, operator).get(QUEUE)
    assert response.status_code == 200, response.get("Location")
    assert {sr.public_id for sr in response.context["page"].rows} == {mine.public_id, foreign_request.public_id}
