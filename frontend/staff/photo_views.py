"""Staff and request photos: the original for the handling department, and moderation."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontend.guards import staff_only
from requests_app import photos
from requests_app.models import Photo

from .forms import PhotoModerationForm
from .selectors import request_for


def _photo_for_work(request, pk: int) -> Photo:
    photo = get_object_or_404(Photo.objects.select_related("service_request"), pk=pk)
    sr = request_for(request.scope, photo.service_request.public_id)
    if sr is None:
        raise Http404  # outside the user's jurisdictions: invisible, like the request
    request.scope.require_work(sr)
    return photo


@require_GET
@staff_only()
def photo_original(request, pk):
    """The unblurred original, to the handling department (or the city's operators) only, never cached."""
    photo = _photo_for_work(request, pk)
    if not photo.original:
        raise Http404
    try:
        handle = photo.original.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response


MODERATION = {
    "blur_box": lambda photo, data, by: photos.add_blur_box(
        photo, box=(data["left"], data["top"], data["width"], data["height"]), by=by, reason=data["reason"]
    ),
    "hide": lambda photo, data, by: photos.hide_photo(photo, by=by, reason=data["reason"]),
    "show": lambda photo, data, by: photos.show_photo(photo, by=by, reason=data["reason"]),
    "retry": lambda photo, data, by: photos.retry_photo(photo, by=by, reason=data["reason"]),
}


@require_POST
@staff_only()
def moderate_photo(request, pk):
    photo = _photo_for_work(request, pk)
    back = redirect("staff:request", public_id=photo.service_request.public_id)
    form = PhotoModerationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return back
    data = form.cleaned_data
    try:
        MODERATION[data["action"]](photo, data, request.user)
    except photos.InvalidPhoto as exc:
        messages.error(request, str(exc))
        return back
    messages.success(request, _("Done: the public copy of the photo is updated."))
    return back
