import hashlib
import json
from functools import wraps

from django.contrib import messages
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from config import ratelimits
from contacts.purposes import Purpose
from contacts.selectors import live_purposes
from permits.selectors import has_application_form, permit_of
from requests_app.answers import clean_answers
from requests_app.exceptions import DomainError, InvalidSubmission
from requests_app.geocoding import nearest_address
from requests_app.idempotency import IdempotencyConflict
from requests_app.models import ServiceRequest
from requests_app.photos import InvalidPhoto, prepare_photo
from requests_app.selectors import jurisdictions_overview, nearby_open_requests, nearby_open_requests_in_cell
from requests_app.services import (
    Submission,
    add_me_too,
    add_to_request,
    can_reopen,
    confirm_fixed,
    reopen_by_requester,
    submit_request,
)
from requests_app.statuses import Channel, Status
from routing.selectors import routing_reason_for

from . import selectors
from .form_keys import form_client, form_content
from .forms import IDEMPOTENCY_KEY, MAX_PHOTOS, AddToRequestForm, ReopenForm, ReportForm
from .pages import (
    jurisdiction_for,
    plain_required_messages,
    questions_with_answers,
    tracked,
    use_jurisdiction_language,
    wants_json,
)
from .public.tiles import Tile
from .qr import qr_svg
from .services import submit_request_once


def permit_tracking_context(permit) -> dict:
    from permits.selectors import is_issued

    from .permit_pages.forms import AnswerForm, ExtensionForm

    return {
        "permit": permit,
        "permit_issued": is_issued(permit),
        "extension_form": ExtensionForm(auto_id="ext_%s"),
        "answer_form": AnswerForm(permit_type=permit.permit_type, auto_id="answer_%s"),
    }


# Bump to make every installed app drop its kept copies at once.
SERVICE_WORKER_VERSION = "1"


def home(request):
    return render(request, "frontend/home.html", {"jurisdictions": jurisdictions_overview()})


@require_GET
def pick_service(request, slug):
    jurisdiction = jurisdiction_for(request, slug)
    query = request.GET.get("q", "")[:100]
    return render(
        request,
        "frontend/pick_service.html",
        {
            "jurisdiction": jurisdiction,
            "query": query,
            "groups": selectors.service_groups(jurisdiction=jurisdiction, query=query),
            "suggestion": selectors.suggested_service_type(jurisdiction=jurisdiction, text=query) if query else None,
            "not_sure": selectors.not_sure_service_type(jurisdiction=jurisdiction),
        },
    )


def _photos(files) -> list:
    uploads = files.getlist("photos")
    if len(uploads) > MAX_PHOTOS:
        raise InvalidPhoto(_("Send at most %(n)d photos.") % {"n": MAX_PHOTOS})
    return [prepare_photo(upload) for upload in uploads]


def _submit(request, service_type, form) -> tuple[ServiceRequest | None, bool, dict]:
    """Build the submission from the form and file it; return (request, created, errors)."""
    errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    answers = {row["question"].code: row["value"] for row in questions_with_answers(service_type, request.POST)}
    photos = []
    try:
        photos = _photos(request.FILES)
    except InvalidPhoto as exc:
        errors["photos"] = [str(exc)]
    if errors:
        # Say everything at once: the answers' own problems too, not only the form's.
        answer_errors = clean_answers(service_type.questions.all(), answers)[1]
        return None, False, {**plain_required_messages(service_type, answers, answer_errors), **errors}
    submission = Submission(
        service_type=service_type,
        location=form.location(),
        address=form.cleaned_data["address"],
        description=form.cleaned_data["description"],
        answers=answers,
        photos=photos,
        channel=Channel.WEB,
        contact=form.contact(language=translation.get_language()),
    )
    key = request.headers.get("Idempotency-Key") or request.POST.get("idempotency_key", "")
    try:
        if key:
            if not IDEMPOTENCY_KEY.match(key):
                return None, False, {"idempotency_key": [_("The Idempotency-Key is not valid.")]}
            sr, created = submit_request_once(
                submission, client=form_client(request), key=key, content=form_content(request, service_type)
            )
        else:
            sr, created = submit_request(submission), True
    except IdempotencyConflict as exc:
        return None, False, {"idempotency_key": [str(exc)]}
    except InvalidSubmission as exc:
        return None, False, plain_required_messages(service_type, answers, exc.errors)
    return sr, created, {}


def report(request, slug, code):
    jurisdiction = jurisdiction_for(request, slug)
    service_type = selectors.service_type_form(jurisdiction=jurisdiction, code=code)
    if service_type.kind == service_type.Kind.PERMIT and has_application_form(service_type):
        return redirect("permit_pages:apply", slug=slug, code=code)
    form, errors, status = ReportForm(), {}, 200
    if request.method == "POST":
        ratelimits.count(ratelimits.filing_limit(), ratelimits.client_address(request))
        form = ReportForm(request.POST, request.FILES)
        form.is_valid()
        sr, created, errors = _submit(request, service_type, form)
        if sr is not None:
            tracking_url = request.build_absolute_uri(reverse("frontend:track", args=[sr.tracking_token]))
            if wants_json(request):
                return JsonResponse(
                    {
                        "public_id": sr.public_id,
                        "tracking_url": tracking_url,
                        "filed_url": reverse("frontend:filed", args=[sr.tracking_token]),
                    },
                    status=201 if created else 200,
                )
            return redirect("frontend:filed", token=sr.tracking_token)
        if wants_json(request):
            return JsonResponse({"errors": errors}, status=400)
        status = 400
    elif request.method != "GET":
        return HttpResponse(status=405)
    return render(
        request,
        "frontend/report.html",
        {
            "jurisdiction": jurisdiction,
            "service_type": service_type,
            "form": form,
            "errors": errors,
            "non_field_errors": [
                m for name in ("service_type", "location", "idempotency_key") for m in errors.get(name, [])
            ],
            "questions": questions_with_answers(service_type, request.POST if request.method == "POST" else None),
        },
        status=status,
    )


def _point_from(request) -> Point | None:
    try:
        lat, lon = float(request.GET["lat"]), float(request.GET["lon"])
    except (KeyError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return Point(lon, lat, srid=4326)


@require_GET
def nearby(request, slug, code):
    jurisdiction = jurisdiction_for(request, slug)
    service_type = selectors.service_type_form(jurisdiction=jurisdiction, code=code)
    point = _point_from(request)
    if point is None:
        return JsonResponse({"errors": {"location": [_("Give lat and lon in degrees.")]}}, status=400)
    ratelimits.count(ratelimits.nearby_limit(), ratelimits.client_address(request))
    if service_type.sensitive:
        # Only the coarse cell is compared: an ordering or distance from the exact point would let repeated
        # probes walk to the door.
        found = nearby_open_requests_in_cell(service_type=service_type, point=point)
    else:
        found = nearby_open_requests(service_type=service_type, point=point)
    today = timezone.now()
    return JsonResponse(
        {
            "requests": [
                {
                    "public_id": sr.public_id,
                    "status": sr.get_status_display(),
                    # Enough to judge whether it is the same problem: what it is, what was written, how old it is.
                    "service_type": sr.service_type.localized_name(),
                    "days_old": (today - sr.submitted_at).days,
                    "excerpt": selectors.excerpt(sr.public_description),
                    "distance_m": None if service_type.sensitive else round(sr.distance.m),
                    "me_too_count": sr.me_too_count,
                    "url": reverse("frontend:public_request", args=[sr.public_id]),
                    "me_too_url": reverse("frontend:me_too", args=[sr.public_id]),
                }
                for sr in found
            ]
        }
    )


@require_GET
def places(request, slug):
    jurisdiction = jurisdiction_for(request, slug)
    places = selectors.places_matching(jurisdiction=jurisdiction, query=request.GET.get("q", "")[:100])
    return JsonResponse({"places": places})


@require_GET
def place_at(request, slug):
    jurisdiction = jurisdiction_for(request, slug)
    point = _point_from(request)
    if point is None:
        return JsonResponse({"errors": {"location": [_("Give lat and lon in degrees.")]}}, status=400)
    return JsonResponse({"address": nearest_address(jurisdiction=jurisdiction, point=point)})


@require_GET
@cache_control(max_age=3600)
@vary_on_headers("Accept-Language", "Cookie")  # area names come in the resident's language
def areas(request, slug):
    jurisdiction = jurisdiction_for(request, slug)
    return JsonResponse({"areas": selectors.area_outlines(jurisdiction=jurisdiction)})


STREET_TILE_SECONDS = 24 * 3600  # keyed by the streets' version: a new import is seen at once


def _street_tile_response(request, slug, z, x, y, make, content_type):
    jurisdiction = jurisdiction_for(request, slug)
    try:
        tile = Tile(z, x, y)
    except ValueError as error:
        return JsonResponse({"errors": {"tile": [str(error)]}}, status=400)
    language = get_language()
    version = selectors.streets_version(jurisdiction=jurisdiction)
    key = f"streets:tile:{content_type}:{jurisdiction.pk}:{version}:{language}:{z}/{x}/{y}"
    body = cache.get(key)
    if body is None:
        body = make(jurisdiction, tile, language)
        cache.set(key, body, STREET_TILE_SECONDS)
    etag = quote_etag(hashlib.sha256(body if isinstance(body, bytes) else body.encode()).hexdigest()[:32])
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(body, content_type=content_type)
        response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=3600)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])  # street names come in the visitor's language
    return response


@require_GET
def street_tile(request, slug, z, x, y):
    """The city's own base map where no tile server is configured: its imported streets, tile by tile."""

    def make(jurisdiction, tile, language):
        streets = selectors.street_tile(jurisdiction=jurisdiction, bounds=tile.bounds(), z=tile.z, language=language)
        return json.dumps(streets, separators=(",", ":"), ensure_ascii=False)

    return _street_tile_response(request, slug, z, x, y, make, "application/json")


@require_GET
def street_vector_tile(request, slug, z, x, y):
    """The same streets as vector tiles, for the public map (MapLibre)."""

    def make(jurisdiction, tile, language):
        return selectors.street_vector_tile(jurisdiction=jurisdiction, tile=tile, language=language)

    return _street_tile_response(request, slug, z, x, y, make, "application/vnd.mapbox-vector-tile")


def private_link(view):
    """Pages behind the private tracking link: never kept by a cache or indexed, whoever saw the link."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


@private_link
def filed(request, token):
    sr = tracked(request, token)
    use_jurisdiction_language(request, sr.jurisdiction)
    tracking_url = request.build_absolute_uri(reverse("frontend:track", args=[token]))
    return render(
        request,
        "frontend/filed.html",
        {
            "sr": sr,
            "tracking_url": tracking_url,
            "qr": qr_svg(tracking_url, title=_("QR code of your tracking link")),
            "updates_by_message": Purpose.STATUS_UPDATES in live_purposes(sr.pk),
        },
    )


@private_link
def track(request, token):
    sr = tracked(request, token)
    use_jurisdiction_language(request, sr.jurisdiction)
    # A permit application is decided, not fixed: its own section replaces "was it fixed?" and reopening.
    permit = permit_of(sr) if sr.service_type.kind == sr.service_type.Kind.PERMIT else None
    return render(
        request,
        "frontend/track.html",
        {
            "sr": sr,
            "routing_reason": routing_reason_for(sr, language=get_language()),
            "can_reopen": permit is None and can_reopen(sr),
            "ask_if_fixed": permit is None and sr.status == Status.RESOLVED,
            "reopen_form": ReopenForm(),
            "add_form": AddToRequestForm(),
            "photos": sr.photos.all(),
            "comments": sr.resident_comments.all(),
            **(permit_tracking_context(permit) if permit else {}),
        },
    )


@require_POST
@private_link
def reopen(request, token):
    sr = tracked(request, token)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            reopen_by_requester(sr, reason=form.cleaned_data["reason"])
            messages.success(request, _("Your request is open again. The department will look at it."))
        except DomainError as exc:
            messages.error(request, str(exc))
    return redirect("frontend:track", token=token)


@require_POST
@private_link
def add_to(request, token):
    sr = tracked(request, token)
    ratelimits.count(ratelimits.filing_limit(), ratelimits.client_address(request))
    form = AddToRequestForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise InvalidSubmission({name: [str(e) for e in errs] for name, errs in form.errors.items()})
        add_to_request(sr, text=form.cleaned_data["text"], photos=_photos(request.FILES))
        messages.success(request, _("Thank you: the department will see what you added."))
    except InvalidPhoto as exc:
        messages.error(request, str(exc))
    except InvalidSubmission as exc:
        messages.error(request, " ".join(m for errs in exc.errors.values() for m in errs))
    return redirect("frontend:track", token=token)


@require_POST
@private_link
def fixed(request, token):
    sr = tracked(request, token)
    try:
        confirm_fixed(sr)
        messages.success(request, _("Thank you. We closed the request."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("frontend:track", token=token)


def public_request(request, public_id):
    sr = selectors.public_page_for(public_id=public_id)
    use_jurisdiction_language(request, sr.jurisdiction)
    return render(
        request,
        "frontend/public_request.html",
        {"sr": sr, "routing_reason": routing_reason_for(sr, language=get_language())},
    )


@require_POST
def me_too(request, public_id):
    ratelimits.count(ratelimits.me_too_limit(), ratelimits.client_address(request))
    sr = get_object_or_404(ServiceRequest, public_id=public_id.upper())
    counted = request.session.get("me_too", [])
    # One "me too" per browser: the count is a signal, not a vote to be stuffed.
    if sr.public_id in counted:
        message = _("You already said this affects you too.")
    else:
        try:
            sr = add_me_too(sr)
        except DomainError as exc:
            if wants_json(request):
                return JsonResponse({"errors": {"service_request": [str(exc)]}}, status=409)
            messages.error(request, str(exc))
            return redirect("frontend:public_request", public_id=sr.public_id)
        request.session["me_too"] = counted + [sr.public_id]
        message = _("Thank you: we counted you. No need to file it again.")
    if wants_json(request):
        return JsonResponse({"me_too_count": sr.me_too_count, "message": message})
    messages.success(request, message)
    return redirect("frontend:public_request", public_id=sr.public_id)


@require_GET
def api_docs(request):
    return render(request, "frontend/api_docs.html", {"schema_url": reverse("api-schema")})


@require_GET
def manifest(request):
    return JsonResponse(
        {
            "name": "Civic311",
            "short_name": "Civic311",
            "start_url": reverse("frontend:home"),
            "scope": "/",
            "display": "standalone",
            "background_color": "#fbfbf8",
            "theme_color": "#0b5cad",
            "lang": translation.get_language(),
            "description": _("Report a problem to your city and follow it, without an account."),
            "icons": [
                {"src": static(f"frontend/icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
                for size in (192, 512)
            ],
        },
        content_type="application/manifest+json",
    )


@require_GET
def service_worker(request):
    # Served from the root so that it may control every resident page.
    response = render(
        request, "frontend/sw.js", {"version": SERVICE_WORKER_VERSION}, content_type="application/javascript"
    )
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request):
    return render(request, "frontend/offline.html")
