"""Every staff URL x every role x a request of the user's own department, another department, another city.

Allowed means the action happened (a redirect and a new history row); denied means 403 or 404 and nothing
about the request changed. Then the ways in that need more than a role: a password without the second factor
(staff pages and the admin, through the real sign-in forms), transfer-then-read, Open311 keys without the update
scope, and a replayed idempotency key of the resident's form.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from contacts.models import AccessLog
from contacts.permissions import may_see_contact
from contacts.purposes import Purpose
from frontend.forms import CONSENT_WORDING_VERSION
from frontend.staff.models import SavedView
from open311.services import create_api_key
from requests_app.models import ServiceType
from staffing.models import StaffRole
from staffing.services import InvalidAction, transfer
from tests.factories import ServiceRequestFactory, ServiceTypeFactory, TeamFactory, UserFactory
from tests.staff.conftest import sign_in, with_role

ROLES = ["staff", "lead", "manager", "city_operator", "crew"]
TARGETS = ["own", "other_department", "other_city"]
ACTIONS = [
    "view",
    "acknowledge",
    "status",
    "hold",
    "assign_self",
    "assign_colleague",
    "priority",
    "service_type",
    "transfer",
    "merge",
    "permit",
    "question",
    "contact",
    "bulk",
]


def expected(role, target, action):
    if role == "crew":
        return 403  # field crews work in crew mode only: no queue, no request pages, no contact details
    if target == "other_city":
        return 404
    if action == "view":
        return 200
    if action == "bulk" and target == "other_department" and role != "city_operator":
        return "refused"  # the row is refused with a reason; the others of the selection would go ahead
    if target == "other_department" and role != "city_operator":
        return 403
    if action == "assign_colleague" and role == "staff":
        return 403
    return "allowed"


@pytest.fixture
def world(
    request, jurisdiction, department, team, other_department, other_team, elsewhere, elsewhere_department, with_contact
):
    permit = ServiceTypeFactory(jurisdiction=jurisdiction, code="event", kind=ServiceType.Kind.PERMIT)
    foreign_permit = ServiceTypeFactory(jurisdiction=elsewhere, code="event", kind=ServiceType.Kind.PERMIT)
    colleagues = {}
    for dept in (department, other_department, elsewhere_department):
        colleagues[dept.pk] = UserFactory(username=f"colleague-{dept.code}")
        (dept.teams.first() or TeamFactory(department=dept)).members.add(colleagues[dept.pk])
    targets = {
        "own": ServiceRequestFactory(service_type=permit, department=department, team=team),
        "other_department": ServiceRequestFactory(service_type=permit, department=other_department),
        "other_city": ServiceRequestFactory(service_type=foreign_permit, department=elsewhere_department),
    }
    for sr in targets.values():
        with_contact(sr, Purpose.STATUS_UPDATES, Purpose.DEPARTMENT_QUESTIONS)
    originals = {
        "own": ServiceRequestFactory(service_type=permit, department=department),
        "other_department": ServiceRequestFactory(service_type=permit, department=other_department),
        "other_city": ServiceRequestFactory(service_type=foreign_permit, department=elsewhere_department),
    }
    return {
        "targets": targets,
        "originals": originals,
        "colleagues": colleagues,
        "departments": {jurisdiction.pk: [department, other_department], elsewhere.pk: [elsewhere_department]},
        "types": {
            jurisdiction.pk: ServiceTypeFactory(jurisdiction=jurisdiction, code="graffiti"),
            elsewhere.pk: ServiceTypeFactory(jurisdiction=elsewhere, code="graffiti"),
        },
    }


def call(client, world, target, action):
    sr, original = world["targets"][target], world["originals"][target]
    url = reverse("staff:act", args=[sr.public_id, action.split("_")[0].replace("service", "service-type")])
    # Another department of the request's own city (the foreign city's only one is refused as the same).
    other_department = next(
        (d for d in world["departments"][sr.jurisdiction_id] if d.pk != sr.department_id),
        world["departments"][sr.jurisdiction_id][0],
    )
    data = {
        "acknowledge": {},
        "status": {"to": "in_progress", "public_note": "On it"},
        "hold": {"until": (timezone.localdate() + timedelta(days=3)).isoformat()},
        "assign_self": {"self": "1"},
        "assign_colleague": {"assignee": world["colleagues"][sr.department_id].pk},
        "priority": {"priority": "4"},
        "service_type": {"service_type": world["types"][sr.jurisdiction_id].pk},
        "transfer": {"department": other_department.pk, "reason": "Not ours"},
        "merge": {"original": original.public_id},
        "permit": {"step": "under_review"},
        "question": {"question": "Which corner?"},
    }
    if action == "contact":
        return client.post(
            reverse("staff:contact", args=[sr.public_id]), {"purpose": Purpose.STATUS_UPDATES, "reason": "Calling back"}
        )
    if action == "view":
        return client.get(reverse("staff:request", args=[sr.public_id]))
    if action == "bulk":
        return client.post(reverse("staff:bulk"), {"selected": [sr.public_id], "action": "status", "to": "in_progress"})
    return client.post(url, data[action])


def snapshot(sr):
    sr.refresh_from_db()
    return model_to_dict(sr), sr.status_changes.count()


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_what_it_is_designed_to_and_nothing_else(request, client, world, role, target, action):
    user = request.getfixturevalue(role)
    sign_in(client, user)
    sr = world["targets"][target]
    before = snapshot(sr)
    response = call(client, world, target, action)
    outcome = expected(role, target, action)
    after = snapshot(sr)
    looks = AccessLog.objects.filter(service_request_id=sr.pk).count()
    if outcome == "allowed" and action == "contact":
        assert response.status_code == 200 and looks == 1 and "ana@example.org" in response.content.decode()
    elif outcome == "allowed":
        assert response.status_code == 302, response.content[:300]
        assert after[1] > before[1], [str(m) for m in response.wsgi_request._messages]
    elif outcome == "refused":
        assert response.status_code == 302 and after == before
        assert any(f"{sr.public_id} not changed" in str(m) for m in response.wsgi_request._messages)
    else:
        assert response.status_code == outcome
        assert after == before and looks == 0
        assert "ana@example.org" not in response.content.decode()


CONTACT_VIEWERS = {  # who, and whether they may see the contact of a request of "department"
    "staff": True,
    "lead": True,
    "manager": True,
    "city_operator": True,
    "operator": True,
    "other_staff": False,
    "other_manager": False,
    "foreign_staff": False,
    "foreign_operator": False,
    "nobody": False,
}


@pytest.fixture
def other_manager(other_department, jurisdiction):
    return with_role("other-manager", StaffRole.Role.MANAGER, jurisdiction, other_department)


@pytest.fixture
def foreign_operator(elsewhere):
    user = with_role("foreign-operator", StaffRole.Role.OPERATOR, elsewhere)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


@pytest.mark.parametrize("who, allowed", CONTACT_VIEWERS.items())
def test_the_contact_rule_follows_the_staff_roles_of_the_requests_department_and_city(
    request, make_request, who, allowed
):
    assert may_see_contact(request.getfixturevalue(who), make_request()) is allowed


def test_a_request_with_no_department_yet_is_seen_only_by_operators_of_its_city(make_request, staff, city_operator):
    sr = make_request(department=None, team=None)
    assert not may_see_contact(staff, sr) and may_see_contact(city_operator, sr)


STAFF_URLS = [
    ("get", "staff:queue", None, {}),
    ("get", "staff:map_data", None, {}),
    ("get", "staff:changes", None, {"since": "2026-01-01T00:00:00Z"}),
    ("post", "staff:save_view", None, {"name": "Mine", "query": "assignee=me"}),
    ("post", "staff:bulk", None, {"action": "status", "to": "in_progress"}),
    ("get", "staff:request", "sr", {}),
    ("post", "staff:act", "sr/acknowledge", {}),
    ("post", "staff:act", "sr/transfer", {"reason": "x"}),
]


@pytest.mark.parametrize(
    "method, name, args, data", STAFF_URLS, ids=[f"{m} {n} {a or ''}" for m, n, a, _d in STAFF_URLS]
)
@pytest.mark.parametrize("who", ["anonymous", "nobody", "foreign_staff"])
def test_outsiders_get_nothing(request, client, make_request, method, name, args, data, who):
    sr = make_request()
    if who != "anonymous":
        sign_in(client, request.getfixturevalue(who))
    url_args = [] if args is None else [sr.public_id] + args.split("/")[1:]
    before = snapshot(sr)
    response = getattr(client, method)(
        reverse(name, args=url_args), {**data, "selected": [sr.public_id]} if name == "staff:bulk" else data
    )
    if who == "anonymous":
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("staff:login"))
    elif who == "nobody":
        assert response.status_code == 403
    else:
        # Another city's staff: its requests are invisible, their own (empty) queue is fine.
        assert response.status_code == (404 if args or name == "staff:bulk" else (302 if method == "post" else 200))
    assert snapshot(sr) == before
    assert not SavedView.objects.exclude(user__username="foreign-staff").exists()


def test_nobody_may_delete_someone_elses_saved_view(client, staff, lead):
    view = SavedView.objects.create(user=lead, name="Lead's", query="")
    assert sign_in(client, staff).post(reverse("staff:delete_view", args=[view.pk])).status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


PASSWORD = "correct horse battery staple"


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.parametrize("who", ["staff", "lead", "manager", "city_operator", "operator"])
def test_the_admin_refuses_a_password_without_the_second_factor(client, request, who):
    user = request.getfixturevalue(who)
    get_user_model().objects.filter(pk=user.pk).update(is_staff=True)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="phone", confirmed=True
    )
    response = client.post(reverse("admin:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200 and response.context["form"].errors  # the form again, with its errors
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get("/admin/contacts/accesslog/").status_code == 302
    # The same form with the device's code lets them in: it was the missing factor that refused them.
    response = client.post(
        reverse("admin:login"),
        {
            "username": user.username,
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": current_code(device),
        },
    )
    assert response.status_code == 302 and client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize(
    "method, name, args, data", STAFF_URLS, ids=[f"{m} {n} {a or ''}" for m, n, a, _d in STAFF_URLS]
)
@pytest.mark.parametrize("who", ["staff", "lead", "manager", "city_operator"])
def test_staff_pages_refuse_a_password_without_the_second_factor(
    request, client, make_request, with_contact, who, method, name, args, data
):
    user = request.getfixturevalue(who)
    TOTPDevice.objects.filter(user=user).delete()  # never set one up: the password is all they have
    sr = with_contact(make_request(), Purpose.STATUS_UPDATES)
    assert client.post(reverse("staff:login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    url_args = [] if args is None else [sr.public_id] + args.split("/")[1:]
    before = snapshot(sr)
    response = getattr(client, method)(
        reverse(name, args=url_args), {**data, "selected": [sr.public_id]} if name == "staff:bulk" else data
    )
    if name in ("staff:map_data", "staff:changes"):
        assert response.status_code == 403
    else:
        assert response.status_code == 302 and response["Location"] == reverse("staff:two_factor")
    contact = client.post(
        reverse("staff:contact", args=[sr.public_id]), {"purpose": Purpose.STATUS_UPDATES, "reason": "Calling back"}
    )
    assert contact.status_code == 302 and "ana@example.org" not in contact.content.decode()
    assert snapshot(sr) == before and not AccessLog.objects.exists()


@pytest.mark.parametrize("who", ["other_staff", "other_manager"])
def test_another_department_can_neither_transfer_a_request_to_itself_nor_then_read_its_contact(
    request, client, make_request, with_contact, other_department, who
):
    sr = with_contact(make_request(), Purpose.STATUS_UPDATES)
    sign_in(client, request.getfixturevalue(who))
    response = client.post(
        reverse("staff:act", args=[sr.public_id, "transfer"]), {"department": other_department.pk, "reason": "Mine now"}
    )
    assert response.status_code == 403
    response = client.post(
        reverse("staff:bulk"),
        {"selected": [sr.public_id], "action": "transfer", "department": other_department.pk, "reason": "Mine now"},
    )
    # Bulk actions refuse row by row, with the reason on the queue page (the department check below).
    assert response.status_code in (302, 403)
    contact = client.post(
        reverse("staff:contact", args=[sr.public_id]), {"purpose": Purpose.STATUS_UPDATES, "reason": "Calling back"}
    )
    assert contact.status_code == 403 and "ana@example.org" not in contact.content.decode()
    sr.refresh_from_db()
    assert sr.department_id != other_department.pk and not AccessLog.objects.exists()


def test_the_transfer_service_itself_refuses_anyone_but_the_holding_department(
    make_request, other_staff, other_department
):
    sr = make_request()
    with pytest.raises(InvalidAction):
        transfer(sr, to_department=other_department, reason="Mine now", by=other_staff)
    sr.refresh_from_db()
    assert sr.department_id != other_department.pk


@pytest.mark.parametrize("who", ["other_staff", "other_manager", "foreign_staff", "foreign_operator"])
def test_another_departments_or_citys_staff_cannot_read_a_contact(request, client, make_request, with_contact, who):
    sr = with_contact(make_request(), Purpose.STATUS_UPDATES, Purpose.DEPARTMENT_QUESTIONS)
    response = sign_in(client, request.getfixturevalue(who)).post(
        reverse("staff:contact", args=[sr.public_id]), {"purpose": Purpose.STATUS_UPDATES, "reason": "Curious"}
    )
    assert response.status_code in (403, 404) and "ana@example.org" not in response.content.decode()
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("status", ["CLOSED", "FIXED", "NOT_COUNCILS_RESPONSIBILITY"])
def test_an_open311_key_without_the_update_scope_cannot_close_or_reclassify(
    client, make_request, jurisdiction, fmt, status
):
    sr = make_request()
    _key, raw = create_api_key(application="Reporting app", jurisdiction=jurisdiction)
    before = snapshot(sr)
    response = client.post(
        f"/open311/v2/servicerequestupdates.{fmt}",
        {
            "api_key": raw,
            "service_request_id": sr.public_id,
            "update_id": "u1",
            "status": status,
            "updated_datetime": "2026-05-01T10:00:00Z",
            "description": "Done",
        },
    )
    assert response.status_code == 403 and b"update" in response.content
    assert snapshot(sr) == before
    _key, raw = create_api_key(application="FixMyStreet", jurisdiction=jurisdiction, scopes=["read", "update"])
    response = client.post(
        f"/open311/v2/servicerequestupdates.{fmt}",
        {
            "api_key": raw,
            "service_request_id": sr.public_id,
            "update_id": "u1",
            "status": status,
            "updated_datetime": "2026-05-01T10:00:00Z",
            "description": "Done",
        },
    )
    assert response.status_code == 200 and snapshot(sr) != before


def test_a_replayed_form_idempotency_key_never_returns_someone_elses_tracking_link(pothole, jurisdiction):
    url = reverse("frontend:report", args=[jurisdiction.slug, pothole.code])
    form = {
        "address": "1 Market St",
        "description": "Deep hole",
        "email": "ana@example.org",
        "purposes": [Purpose.STATUS_UPDATES],
        "consent_wording": CONSENT_WORDING_VERSION,
    }
    headers = {"HTTP_IDEMPOTENCY_KEY": "3f1c9a0e-offline-1", "HTTP_ACCEPT": "application/json"}
    resident, stranger = Client(), Client()
    resident.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32
    stranger.cookies[settings.CSRF_COOKIE_NAME] = "b" * 32
    first = resident.post(url, form, **headers)
    assert first.status_code == 201
    # The same browser resending gets its own answer back.
    assert resident.post(url, form, **headers).json()["tracking_url"] == first.json()["tracking_url"]
    # Someone else replaying the key, with the same words or others, never gets the resident's link.
    for data in (form, {"address": "Anything"}):
        replay = stranger.post(url, data, **headers)
        assert first.json()["tracking_url"] not in replay.content.decode()
    # The key again from the resident's browser but with other content is refused, not answered.
    refused = resident.post(url, {**form, "description": "Something else"}, **headers)
    assert refused.status_code == 400 and "idempotency_key" in refused.json()["errors"]
    assert first.json()["tracking_url"] not in refused.content.decode()


CREW_TARGETS = {"assigned": 200, "unassigned": 409, "other_department": 409, "other_city": 404}


@pytest.mark.parametrize("target, status", CREW_TARGETS.items())
def test_a_crew_acts_only_on_the_work_assigned_to_it(
    client, crew, make_request, other_request, foreign_request, target, status
):
    import uuid

    sr = {
        "assigned": lambda: make_request(assignee=crew),
        "unassigned": make_request,
        "other_department": lambda: other_request,
        "other_city": lambda: foreign_request,
    }[target]()
    before = snapshot(sr)
    response = sign_in(client, crew).post(
        reverse("staff:crew_action"), {"key": str(uuid.uuid4()), "request": sr.public_id, "kind": "start"}
    )
    assert response.status_code == status
    assert (snapshot(sr) != before) is (status == 200)


@pytest.mark.parametrize("role", ["anonymous", "nobody", "staff", "lead", "manager", "city_operator"])
@pytest.mark.parametrize("name", ["staff:crew", "staff:crew_shortlist", "staff:crew_action"])
def test_only_crews_use_crew_mode(request, client, make_request, role, name):
    import uuid

    sr = make_request(assignee=request.getfixturevalue("staff"))
    if role != "anonymous":
        sign_in(client, request.getfixturevalue(role))
    before = snapshot(sr)
    if name == "staff:crew_action":
        response = client.post(reverse(name), {"key": str(uuid.uuid4()), "request": sr.public_id, "kind": "start"})
    else:
        response = client.get(reverse(name))
    assert response.status_code in ((302, 403) if role == "anonymous" and name == "staff:crew" else (403,))
    assert snapshot(sr) == before


# A call under consent: a crew sees the requester's number only on its own department's work assigned to it, when
# the department lets crews call and the requester agreed to a crew call; every shown number is a logged look.
CREW_CALLS = {
    "allowed": 200,
    "crew_of_another_department": 403,
    "department_does_not_allow": 403,
    "requester_did_not_consent": 403,
    "requester_consented_to_other_purposes_only": 403,
    "not_assigned_to_this_crew": 403,
    "department_staff": 403,
    "another_city": 404,
}


@pytest.mark.parametrize("case, status", CREW_CALLS.items())
def test_a_crew_sees_a_phone_number_only_under_the_departments_leave_and_the_requesters_consent(
    request,
    client,
    crew,
    staff,
    department,
    other_department,
    jurisdiction,
    make_request,
    foreign_request,
    with_contact,
    case,
    status,
):
    department.crew_may_call = case != "department_does_not_allow"
    department.save(update_fields=["crew_may_call"])
    caller = crew
    if case == "crew_of_another_department":
        caller = with_role("crew-bo", StaffRole.Role.CREW, jurisdiction, other_department)
    elif case == "department_staff":
        caller = staff
    sr = (
        foreign_request
        if case == "another_city"
        else make_request(assignee=None if case == "not_assigned_to_this_crew" else caller)
    )
    purposes = {
        "requester_did_not_consent": (),
        "requester_consented_to_other_purposes_only": (Purpose.STATUS_UPDATES, Purpose.DEPARTMENT_QUESTIONS),
    }.get(case, (Purpose.CREW_CALL,))
    if purposes:
        with_contact(sr, *purposes, phone="+1 415 555 0199")
    response = sign_in(client, caller).post(reverse("staff:crew_phone", args=[sr.public_id]))
    assert response.status_code == status
    looks = AccessLog.objects.filter(service_request_id=sr.pk)
    if status == 200:
        assert response.json() == {"phone": "+1 415 555 0199"}
        assert response["Cache-Control"] == "no-store"
        assert [(log.user, log.purposes) for log in looks] == [(caller, [Purpose.CREW_CALL])]
    else:
        assert "555" not in response.content.decode() and not looks.exists()


# A permit applicant's documents: the applicant through their tracking link, and staff of the deciding
# department (or an operator of its city), each staff look logged; nobody else, not even other departments.
DOCUMENT_READERS = {
    "staff": 200,
    "lead": 200,
    "manager": 200,
    "city_operator": 200,
    "other_staff": 403,
    "other_manager": 403,
    "foreign_staff": 404,
    "foreign_operator": 404,
    "nobody": 403,
    "anonymous": 302,
}


@pytest.fixture
def permit_document(make_request, jurisdiction):
    from django.contrib.gis.geos import Point
    from django.core.files.base import ContentFile

    from permits.models import DocumentRequirement, Permit, PermitDocument, PermitType

    service_type = ServiceTypeFactory(jurisdiction=jurisdiction, code="skip", kind=ServiceType.Kind.PERMIT)
    permit_type = PermitType.objects.create(service_type=service_type)
    requirement = DocumentRequirement.objects.create(permit_type=permit_type, code="plan", name="Plan", kinds=["pdf"])
    sr = make_request(service_type=service_type)
    today = timezone.localdate()
    permit = Permit.objects.create(
        service_request=sr,
        permit_type=permit_type,
        geometry=Point(-122.4, 37.7, srid=4326),
        starts_on=today,
        ends_on=today,
    )
    return PermitDocument.objects.create(
        permit=permit, requirement=requirement, kind="pdf", size=9, file=ContentFile(b"%PDF-1.4\n", name="plan.pdf")
    )


@pytest.mark.parametrize("who, outcome", DOCUMENT_READERS.items())
def test_a_permit_document_is_served_only_to_the_deciding_department_and_each_look_is_logged(
    request, client, permit_document, who, outcome
):
    from permits.models import DocumentLook

    if who != "anonymous":
        sign_in(client, request.getfixturevalue(who))
    sr = permit_document.permit.service_request
    response = client.get(reverse("permit_staff:document", args=[sr.public_id, permit_document.pk]))
    assert response.status_code == outcome
    looks = list(DocumentLook.objects.values_list("username", flat=True))
    assert looks == ([request.getfixturevalue(who).get_username()] if outcome == 200 else [])
    if outcome == 302:
        assert response["Location"].startswith(reverse("staff:login"))


def test_the_applicant_reads_their_document_by_the_tracking_link_and_no_other(client, permit_document):
    from permits.models import DocumentLook

    sr = permit_document.permit.service_request
    mine = client.get(reverse("permit_pages:document", args=[sr.tracking_token, permit_document.pk]))
    other = ServiceRequestFactory()
    theirs = client.get(reverse("permit_pages:document", args=[other.tracking_token, permit_document.pk]))
    assert (mine.status_code, theirs.status_code) == (200, 404) and not DocumentLook.objects.exists()


PERMIT_ACTIONS = {
    "step": {"note": "ok"},
    "information": {"question": "Which side?"},
    "paid": {"reference": "R1"},
    "decide": {"decision": "refuse", "reasons": "Too narrow"},
}


@pytest.mark.parametrize("action", PERMIT_ACTIONS)
@pytest.mark.parametrize(
    "who, allowed", [("staff", True), ("city_operator", True), ("other_staff", False), ("foreign_staff", False)]
)
def test_permit_actions_are_for_the_deciding_department_only(request, client, permit_document, action, who, allowed):
    permit = permit_document.permit
    sign_in(client, request.getfixturevalue(who))
    before = permit.events.count()
    response = client.post(
        reverse("permit_staff:act", args=[permit.service_request.public_id, action]), PERMIT_ACTIONS[action]
    )
    if allowed:
        assert response.status_code == 302 and permit.events.count() == before + 1, action
    else:
        assert response.status_code in (403, 404) and permit.events.count() == before
