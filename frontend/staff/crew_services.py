"""What a field crew does on site, sent from its device: start, note, photo, fixed, can't fix.

Each action arrives with a key the device made when the crew tapped, so an action resent after a lost answer
applies once; its outcome is kept and answered again. An action that no longer fits (the request was closed,
transferred or given to someone else meanwhile) is kept as a conflict for the crew to see, never dropped.
State changes go through the staff services (and so requests_app's change_status): one status pipeline.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from requests_app.exceptions import DomainError
from requests_app.models import Photo, ServiceRequest
from requests_app.photos import InvalidPhoto, attach_photo, prepare_photo
from requests_app.statuses import ALLOWED_TRANSITIONS, OPEN_STATUSES, Status
from staffing import services

from .models import CrewAction


class CrewActionRefused(DomainError):
    """The action can't apply to the request as it is now; the message says why, for the crew."""


def _conflict(sr, scope) -> str:
    if sr.status not in OPEN_STATUSES:
        return _("%(id)s was closed meanwhile (%(status)s).") % {"id": sr.public_id, "status": sr.get_status_display()}
    if not scope.crews_on(sr):
        return _("%(id)s was transferred or given to someone else meanwhile.") % {"id": sr.public_id}
    return ""


def _start(sr, by, data):
    services.set_status(sr, to=Status.IN_PROGRESS, by=by, internal_note=_("Crew started work on site."))


def _note(sr, by, data):
    if not data["note"]:
        raise CrewActionRefused(_("The note was empty."))
    services.set_status(sr, to=sr.status, by=by, internal_note=data["note"])


def _photo(sr, by, data):
    if data["photo"] is None:
        raise CrewActionRefused(_("The photo was missing."))
    attach_photo(sr, data["photo"], source=Photo.Source.CREW)
    services.set_status(sr, to=sr.status, by=by, internal_note=data["note"] or _("Photo taken on site."))


def _fixed(sr, by, data):
    if data["photo"] is None:
        raise CrewActionRefused(_("Fixed needs a photo of the result."))
    if sr.status != Status.IN_PROGRESS and Status.RESOLVED not in ALLOWED_TRANSITIONS[sr.status]:
        services.set_status(sr, to=Status.IN_PROGRESS, by=by, internal_note=_("Crew started work on site."))
    attach_photo(sr, data["photo"], source=Photo.Source.AFTER)
    services.set_status(
        sr,
        to=Status.RESOLVED,
        by=by,
        public_note=data["public_note"] or _("Fixed by our crew."),
        internal_note=data["note"],
    )


def _cant_fix(sr, by, data):
    if not data["reason"]:
        raise CrewActionRefused(_("Say why it can't be fixed."))
    # Back to the queue: unassigned, with the reason where the department reads it.
    sr = services.assign(sr, by=by, assignee=None)
    services.set_status(
        sr, to=sr.status, by=by, internal_note=_("Crew could not fix it: %(reason)s") % {"reason": data["reason"]}
    )


APPLY = {
    CrewAction.Kind.START: _start,
    CrewAction.Kind.NOTE: _note,
    CrewAction.Kind.PHOTO: _photo,
    CrewAction.Kind.FIXED: _fixed,
    CrewAction.Kind.CANT_FIX: _cant_fix,
}


def record_crew_action(
    *,
    scope,
    by,
    key,
    service_request: ServiceRequest,
    kind: str,
    note: str = "",
    public_note: str = "",
    reason: str = "",
    photo=None,
    done_at=None,
) -> tuple[CrewAction, bool]:
    """Apply one crew action once. Returns (the kept action, whether it was already known by its key).

    A photo is put through the same intake as residents' photos (metadata stripped, re-encoded) before any lock.
    """
    known = CrewAction.objects.filter(key=key).first()
    if known is not None:
        return known, True
    data = {"note": note.strip(), "public_note": public_note.strip(), "reason": reason.strip(), "photo": None}
    refusal = ""
    if photo is not None:
        try:
            data["photo"] = prepare_photo(photo)
        except InvalidPhoto as exc:
            refusal = str(exc)
    try:
        with transaction.atomic():
            sr = ServiceRequest.objects.select_for_update().get(pk=service_request.pk)
            refusal = refusal or _conflict(sr, scope)
            if not refusal:
                try:
                    with transaction.atomic():
                        APPLY[kind](sr, by, data)
                except DomainError as exc:
                    refusal = str(exc)
            action = CrewAction.objects.create(
                key=key,
                user=by,
                service_request=sr,
                kind=kind,
                done_on_device_at=done_at,
                outcome=CrewAction.Outcome.CONFLICT if refusal else CrewAction.Outcome.DONE,
                message=refusal[:500],
            )
    except IntegrityError:
        # The same key sent twice at once: the other request applied it; answer with its outcome.
        return CrewAction.objects.get(key=key), True
    return action, False
