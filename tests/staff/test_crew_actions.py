"""Crew mode's server side: the shortlist (what is needed on site, never contact details) and the actions a
device sends, each applied once by its key, through the same services and status pipeline as the queue."""

import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from contacts.purposes import Purpose
from frontend.staff.models import CrewAction
from requests_app.models import Photo, StatusChange
from requests_app.photos import blur_photo
from requests_app.statuses import Status
from staffing.services import transfer
from tests.factories import QuestionFactory
from tests.staff.conftest import sign_in

ACTIONS = reverse("staff:crew_action")
SHORTLIST = reverse("staff:crew_shortlist")


def phone_photo(name="after.jpg") -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "CrewPhone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (37.0, 46.0, 29.7)
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 160, 30)).save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), "image/jpeg")


def post(client, sr, kind, key=None, **data):
    return client.post(ACTIONS, {"key": str(key or uuid.uuid4()), "request": sr.public_id, "kind": kind, **data})


def test_the_shortlist_has_what_is_needed_on_site_and_no_contact_details(
    client, crew, make_request, pothole, with_contact, staff
):
    QuestionFactory(
        service_type=pothole,
        code="kind",
        description="What is wrong?",
        datatype="singlevaluelist",
        values=[{"key": "manhole_cover_off", "name": "Manhole cover off"}],
    )
    mine = with_contact(
        make_request(assignee=crew, answers={"kind": "manhole_cover_off"}, description="Deep"),
        Purpose.STATUS_UPDATES,
        email="resident@example.org",
        phone="+14155550100",
    )
    Photo.objects.create(
        service_request=mine,
        original=SimpleUploadedFile("p.jpg", phone_photo().read()),
        public_image=SimpleUploadedFile("p.jpg", phone_photo().read()),
        state=Photo.State.PUBLIC,
    )
    make_request(assignee=staff)  # someone else's
    make_request(assignee=crew, status=Status.CLOSED)  # done already
    data = sign_in(client, crew).get(SHORTLIST).json()
    [item] = data["items"]
    assert item["id"] == mine.public_id and item["description"] == "Deep"
    assert item["answers"] == [{"question": "What is wrong?", "answer": "Manhole cover off"}]
    assert len(item["photos"]) == 1 and item["lat"] == 37.7749
    body = str(data)
    assert "resident@example.org" not in body and "4155550100" not in body
    assert not {"email", "phone", "contact"} & set(item)


def test_fixed_resolves_once_with_the_after_photo_stripped_and_the_public_note(client, crew, make_request):
    sr = make_request(assignee=crew)
    key = uuid.uuid4()
    sign_in(client, crew)
    first = post(client, sr, "fixed", key=key, public_note="Filled and rolled.", photo=phone_photo())
    again = post(client, sr, "fixed", key=key, public_note="Filled and rolled.", photo=phone_photo())
    assert first.status_code == again.status_code == 200
    assert first.json()["replayed"] is False and again.json()["replayed"] is True
    sr.refresh_from_db()
    assert sr.status == Status.RESOLVED
    assert StatusChange.objects.filter(service_request=sr, new_status=Status.RESOLVED).count() == 1
    assert sr.status_changes.get(new_status=Status.RESOLVED).public_note == "Filled and rolled."
    [after] = Photo.objects.filter(service_request=sr, source=Photo.Source.AFTER)
    with Image.open(after.original) as image:
        assert not image.getexif()
    assert CrewAction.objects.get(key=key).outcome == CrewAction.Outcome.DONE


def test_the_tracking_page_shows_the_after_photo_and_the_crews_public_note(client, crew, make_request):
    sr = make_request(assignee=crew)
    post(sign_in(client, crew), sr, "photo", photo=phone_photo("working.jpg"))
    post(client, sr, "fixed", public_note="Filled and rolled.", photo=phone_photo())
    client.logout()
    for photo_id in Photo.objects.filter(service_request=sr).values_list("pk", flat=True):
        blur_photo(photo_id)  # what the photo worker does: a photo is public only as its blurred copy
    html = client.get(reverse("frontend:track", args=[sr.tracking_token])).content.decode()
    assert "Filled and rolled." in html and "After the fix" in html
    after = Photo.objects.get(service_request=sr, source=Photo.Source.AFTER)
    working = Photo.objects.get(service_request=sr, source=Photo.Source.CREW)
    assert after.public_image.url in html and working.public_image.url not in html


def test_fixed_without_a_photo_is_kept_as_a_conflict_and_changes_nothing(client, crew, make_request):
    sr = make_request(assignee=crew)
    response = post(sign_in(client, crew), sr, "fixed", public_note="Done")
    assert response.status_code == 409 and "photo" in response.json()["message"]
    sr.refresh_from_db()
    assert sr.status == Status.SUBMITTED and sr.status_changes.count() == 0


def test_a_request_closed_meanwhile_is_a_conflict_the_crew_hears_of(client, crew, staff, make_request):
    sr = make_request(assignee=crew, status=Status.IN_PROGRESS)
    from staffing.services import set_status

    set_status(sr, to=Status.RESOLVED, by=staff, public_note="Done by another crew")
    response = post(sign_in(client, crew), sr, "fixed", photo=phone_photo())
    assert response.status_code == 409
    assert response.json()["message"] == f"{sr.public_id} was closed meanwhile (Resolved)."
    assert StatusChange.objects.filter(service_request=sr, new_status=Status.RESOLVED).count() == 1
    assert not Photo.objects.filter(service_request=sr).exists()


def test_a_request_transferred_meanwhile_is_a_conflict(client, crew, staff, make_request, other_department):
    sr = make_request(assignee=crew)
    transfer(sr, to_department=other_department, reason="Signals", by=staff)
    response = post(sign_in(client, crew), sr, "start")
    assert response.status_code == 409 and "transferred" in response.json()["message"]


def test_start_note_and_cant_fix_go_through_the_pipeline_and_back_to_the_queue(client, crew, make_request):
    sr = make_request(assignee=crew)
    sign_in(client, crew)
    assert post(client, sr, "start").status_code == 200
    assert post(client, sr, "note", note="Cones placed").status_code == 200
    assert post(client, sr, "cant_fix", reason="Gas leak: needs the utility first").status_code == 200
    sr.refresh_from_db()
    assert sr.status == Status.IN_PROGRESS and sr.assignee is None
    notes = list(sr.status_changes.order_by("id").values_list("internal_note", flat=True))
    assert notes[-1] == "Crew could not fix it: Gas leak: needs the utility first"
    assert "Cones placed" in notes and all(c.actor == crew for c in sr.status_changes.all())
    # Unassigned now: the crew can no longer act on it.
    assert post(client, sr, "note", note="late").status_code == 409


def test_cant_fix_without_a_reason_is_a_conflict(client, crew, make_request):
    sr = make_request(assignee=crew)
    assert post(sign_in(client, crew), sr, "cant_fix").status_code == 409
    sr.refresh_from_db()
    assert sr.assignee == crew


def test_malformed_actions_get_a_clear_error(client, crew, make_request, foreign_request):
    sr = make_request(assignee=crew)
    sign_in(client, crew)
    bad = client.post(
        ACTIONS, {"key": "nope", "request": sr.public_id, "kind": "explode", "done_at": "2026-13-45T99:00:00Z"}
    )
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"key", "kind", "done_at"}
    assert post(client, foreign_request, "start").status_code == 404


def test_a_key_is_the_crew_members_own(client, crew, make_request, department, jurisdiction):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from staffing.models import StaffRole
    from tests.staff.conftest import with_role

    sr = make_request(assignee=crew)
    key = uuid.uuid4()
    post(sign_in(client, crew), sr, "note", key=key, note="mine")
    other = with_role("crew-bo", StaffRole.Role.CREW, jurisdiction, department)
    TOTPDevice.objects.create(user=other, name="phone", confirmed=True)
    assert post(sign_in(client, other), sr, "note", key=key, note="mine").status_code == 403


def test_crew_mode_wants_two_factors_and_the_crew_role(client, crew, staff, make_request):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=crew).delete()
    client.force_login(crew)
    assert client.get(reverse("staff:crew")).url == reverse("staff:two_factor")
    assert client.get(SHORTLIST).status_code == 403
    assert sign_in(client, staff).get(reverse("staff:crew")).status_code == 403


def test_the_crew_page_is_installable_in_its_own_scope(client, crew):
    sign_in(client, crew)
    html = client.get(reverse("staff:crew")).content.decode()
    assert reverse("staff:crew_manifest") in html
    manifest = client.get(reverse("staff:crew_manifest")).json()
    assert manifest["scope"] == manifest["start_url"] == reverse("staff:crew")
    worker = client.get(reverse("staff:crew_sw"))
    assert worker["Content-Type"].startswith("application/javascript") and b"civic311-crew-" in worker.content
