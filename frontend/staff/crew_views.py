"""Crew mode: an installable page of its own (manifest and service worker scoped to /staff/crew/) that works
without signal. The page and its data are cached at the start of a shift; actions queue on the device and come
here one by one, each with the key the device gave it."""

import uuid

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from contacts.selectors import phone_for_crew, requests_a_crew_may_call
from frontend.guards import crew_only

from .crew_selectors import crew_shortlist, find_crew_request
from .crew_services import record_crew_action
from .models import CrewAction

CREW_WORKER_VERSION = "3"


def crew_text() -> dict:
    """The words crew.js shows, translated here (the script itself holds none)."""
    return {
        "start": _("Start work"),
        "note": _("Note"),
        "add_note": _("Add the note"),
        "photo": _("Photo"),
        "add_photo": _("Add the photo"),
        "fixed": _("Fixed"),
        "public_note": _("Note for the requester (public)"),
        "after_photo": _("Photo after the fix"),
        "mark_fixed": _("Mark fixed"),
        "cant_fix": _("Can't fix"),
        "reason": _("Why not (back to the queue)"),
        "send_cant_fix": _("Send back to the queue"),
        "answers": _("Answers"),
        "photos": _("Photos"),
        "notes": _("Notes"),
        "due": _("Due"),
        "priority": _("Priority"),
        "status": _("Status"),
        "online": _("Online."),
        "offline": _("Offline: actions are kept on this phone and sent when the signal is back."),
        "waiting": _("Actions waiting to be sent: %(n)s"),
        "all_sent": _("Everything is sent."),
        "queued": _("Queued"),
        "sent": _("Sent"),
        "kept": _("Kept for offline: %(n)s requests, %(p)s photos, at %(t)s."),
        "no_copy": _("No copy of today's work on this phone yet: connect once and start the shift."),
        "route": _("Ordered by route from where you stand."),
        "no_position": _("Location unavailable: ordered by priority."),
        "dismiss": _("Dismiss"),
        "photo_needed": _("Add a photo of the result first."),
        "reason_needed": _("Say why it can't be fixed."),
        "note_needed": _("Write the note first."),
        "sign_in": _("Sign in again to send the waiting actions."),
        "photo_alt": _("Photo %(n)s of %(id)s"),
        "from_you": _("%(km)s km from you"),
        "you": _("You are here"),
        "show_phone": _("Show phone to call"),
        "call": _("Call %(phone)s"),
        "phone_offline": _("Showing the number needs signal: it is never kept on this phone."),
    }


@require_GET
@crew_only()
def crew_page(request):
    response = render(request, "staff/crew.html", {"text": crew_text()})
    response["Cache-Control"] = "no-cache, private"
    return response


def _item(sr, *, may_call: bool) -> dict:
    return {
        "id": sr.public_id,
        "service": sr.service_type.localized_name(),
        "status": sr.status,
        "status_label": str(sr.get_status_display()),
        "priority": sr.get_priority_display(),
        "address": sr.address,
        "description": sr.description,
        "lat": round(sr.location.y, 6) if sr.location else None,
        "lon": round(sr.location.x, 6) if sr.location else None,
        "due": sr.expected_at.isoformat() if sr.expected_at else None,
        "answers": [{"question": q, "answer": a} for q, a in sr.labelled_answers],
        # The blurred public copies: enough to find the spot, and safe to keep on a phone for a shift.
        "photos": [p.public_image.url for p in sr.photos.all()],
        "notes": [{"at": at.isoformat(), "text": text} for at, text in sr.notes],
        # Whether a "Show phone to call" tap may work: never the number, which this list (kept offline) must not hold.
        "may_call": may_call,
    }


@require_GET
@crew_only(api=True)
def crew_shortlist_data(request):
    rows = crew_shortlist(request.scope)
    callable_ids = requests_a_crew_may_call([sr.pk for sr in rows])
    response = JsonResponse(
        {"items": [_item(sr, may_call=sr.pk in callable_ids) for sr in rows], "language": translation.get_language()}
    )
    response["Cache-Control"] = "no-cache, private"
    return response


KINDS = set(CrewAction.Kind.values)


@require_POST
@crew_only(api=True)
def crew_action(request):
    """One queued action. 200 done, 409 conflict (kept, shown to the crew), the same answer again for a key
    already seen; 400 for a malformed action, 404 for a request outside the crew's city."""
    errors = {}
    try:
        key = uuid.UUID(request.POST.get("key", ""))
    except ValueError:
        errors["key"] = [_("Send the action's key (a UUID).")]
    kind = request.POST.get("kind", "")
    if kind not in KINDS:
        errors["kind"] = [_("Unknown action.")]
    done_at = None
    if request.POST.get("done_at"):
        try:
            done_at = parse_datetime(request.POST["done_at"])
        except ValueError:
            done_at = None
        if done_at is None:
            errors["done_at"] = [_("Give the time on the device as ISO 8601.")]
    if errors:
        return JsonResponse({"errors": errors}, status=400)
    sr = find_crew_request(request.scope, request.POST.get("request", ""))
    if sr is None:
        return JsonResponse({"errors": {"request": [_("No such request here.")]}}, status=404)
    action, replayed = record_crew_action(
        scope=request.scope,
        by=request.user,
        key=key,
        service_request=sr,
        kind=kind,
        note=request.POST.get("note", "")[:4000],
        public_note=request.POST.get("public_note", "")[:4000],
        reason=request.POST.get("reason", "")[:4000],
        photo=request.FILES.get("photo"),
        done_at=done_at,
    )
    if action.user_id != request.user.pk:
        raise PermissionDenied
    sr.refresh_from_db(fields=["status"])
    return JsonResponse(
        {
            "key": str(action.key),
            "outcome": action.outcome,
            "message": action.message,
            "replayed": replayed,
            "status": sr.status,
            "status_label": str(sr.get_status_display()),
        },
        status=409 if action.outcome == CrewAction.Outcome.CONFLICT else 200,
    )


@require_POST
@crew_only(api=True)
def crew_phone(request, public_id):
    """The requester's number, on a deliberate tap, online only: the answer is never stored (no-store) and the
    service worker passes POSTs by. 403 unless the department lets crews call and the requester agreed."""
    sr = find_crew_request(request.scope, public_id)
    if sr is None:
        return JsonResponse({"errors": {"request": [_("No such request here.")]}}, status=404)
    try:
        phone = phone_for_crew(service_request=sr, user=request.user)
    except PermissionDenied as refusal:
        return JsonResponse({"errors": {"phone": [str(refusal)]}}, status=403)
    response = JsonResponse({"phone": phone})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def crew_manifest(request):
    return JsonResponse(
        {
            "name": _("Civic311 crew"),
            "short_name": _("Crew"),
            "start_url": reverse("staff:crew"),
            "scope": reverse("staff:crew"),
            "id": reverse("staff:crew"),
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1b4332",
            "lang": translation.get_language(),
            "description": _("Today's work for a field crew, with or without signal."),
            "icons": [
                {"src": static(f"frontend/icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
                for size in (192, 512)
            ],
        },
        content_type="application/manifest+json",
    )


@require_GET
def crew_service_worker(request):
    response = render(
        request, "staff/crew_sw.js", {"version": CREW_WORKER_VERSION}, content_type="application/javascript"
    )
    response["Cache-Control"] = "no-cache"
    return response
