"""The applicant's permit pages (apply, what happens next, answer, extension, documents, certificate) and the
public ones (verification page, map layer, open data)."""

import csv
import io
import json

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from config import ratelimits
from contacts.wording import PERMIT_WORDING_VERSION
from frontend.form_keys import form_client, form_content
from frontend.forms import IDEMPOTENCY_KEY
from frontend.pages import jurisdiction_for, plain_required_messages, questions_with_answers, tracked, wants_json
from frontend.services import submit_request_once
from masking import mask_personal_identifiers
from permits import clock, selectors
from permits.certificate import certificate_pdf
from permits.exceptions import InvalidApplication, PermitActionRefused
from permits.models import PermitType
from permits.services import PermitApplication, answer_information, apply_for_permit, request_extension
from requests_app.exceptions import DomainError
from requests_app.idempotency import IdempotencyConflict
from requests_app.statuses import Channel

from .forms import AnswerForm, ApplicationForm, ExtensionForm


def _permit_type(jurisdiction, code: str) -> PermitType:
    return get_object_or_404(
        PermitType.objects.select_related("service_type__jurisdiction").prefetch_related(
            "documents", "service_type__questions"
        ),
        service_type__jurisdiction=jurisdiction,
        service_type__code=code,
        service_type__active=True,
    )


def _file(request, permit_type, form):
    """Build the application from the form and file it once per Idempotency-Key; return (request, created, errors)."""
    service_type = permit_type.service_type
    errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    answers = {row["question"].code: row["value"] for row in questions_with_answers(service_type, request.POST)}
    if errors:
        return None, False, errors
    data = form.cleaned_data
    application = PermitApplication(
        permit_type=permit_type,
        geometry=data["geometry"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        address=data["address"],
        description=data["description"],
        answers=answers,
        documents=form.documents(),
        channel=Channel.WEB,
        contact=form.contact(language=translation.get_language()),
    )
    key = request.headers.get("Idempotency-Key") or request.POST.get("idempotency_key", "")
    try:
        if key:
            if not IDEMPOTENCY_KEY.match(key):
                return None, False, {"idempotency_key": [_("The Idempotency-Key is not valid.")]}
            sr, created = submit_request_once(
                application,
                client=form_client(request),
                key=key,
                content=form_content(request, service_type),
                submit=apply_for_permit,
            )
        else:
            sr, created = apply_for_permit(application), True
    except IdempotencyConflict as exc:
        return None, False, {"idempotency_key": [str(exc)]}
    except InvalidApplication as exc:
        return None, False, plain_required_messages(service_type, answers, exc.errors)
    return sr, created, {}


def apply(request, slug, code):
    jurisdiction = jurisdiction_for(request, slug)
    permit_type = _permit_type(jurisdiction, code)
    form, errors, status = ApplicationForm(permit_type=permit_type), {}, 200
    if request.method == "POST":
        ratelimits.count(ratelimits.filing_limit(), ratelimits.client_address(request))
        form = ApplicationForm(request.POST, request.FILES, permit_type=permit_type)
        form.is_valid()
        sr, created, errors = _file(request, permit_type, form)
        if sr is not None:
            filed_url = reverse("permit_pages:filed", args=[sr.tracking_token])
            if wants_json(request):
                return JsonResponse(
                    {
                        "public_id": sr.public_id,
                        "filed_url": filed_url,
                        "tracking_url": request.build_absolute_uri(reverse("frontend:track", args=[sr.tracking_token])),
                    },
                    status=201 if created else 200,
                )
            return redirect(filed_url)
        if wants_json(request):
            return JsonResponse({"errors": errors}, status=400)
        status = 400
    elif request.method != "GET":
        return HttpResponse(status=405)
    hours, closed = clock.working_calendar(jurisdiction)
    today = timezone.localdate()
    return render(
        request,
        "permits/apply.html",
        {
            "jurisdiction": jurisdiction,
            "permit_type": permit_type,
            "service_type": permit_type.service_type,
            "form": form,
            "errors": errors,
            "consent_wording": PERMIT_WORDING_VERSION,
            "questions": questions_with_answers(
                permit_type.service_type, request.POST if request.method == "POST" else None
            ),
            "earliest_start": clock.earliest_start(today, permit_type.min_notice_days, hours, closed),
            "decision_due": selectors.decision_due_for_today(permit_type),
            "conditions": permit_type.localized_conditions(),
        },
        status=status,
    )


def _tracked_permit(request, token):
    sr = tracked(request, token)
    permit = selectors.permit_of(sr)
    if permit is None:
        raise Http404
    return sr, permit


@require_GET
def filed(request, token):
    sr, permit = _tracked_permit(request, token)
    return render(
        request,
        "permits/filed.html",
        {
            "sr": sr,
            "permit": permit,
            "tracking_url": request.build_absolute_uri(reverse("frontend:track", args=[token])),
        },
    )


@require_POST
def answer(request, token):
    sr, permit = _tracked_permit(request, token)
    form = AnswerForm(request.POST, request.FILES, permit_type=permit.permit_type)
    if form.is_valid():
        try:
            answer_information(permit, answer=form.cleaned_data["answer"], documents=form.documents())
            messages.success(request, _("Thank you: the department has your answer and the clock runs again."))
        except InvalidApplication as exc:
            for problems in exc.errors.values():
                for problem in problems:
                    messages.error(request, problem)
        except DomainError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Your answer could not be read; please try again."))
    return redirect("frontend:track", token=token)


@require_POST
def extension(request, token):
    sr, permit = _tracked_permit(request, token)
    form = ExtensionForm(request.POST)
    if form.is_valid():
        try:
            request_extension(permit, until=form.cleaned_data["until"], reason=form.cleaned_data["reason"])
            messages.success(request, _("Your request for an extension was sent to the department."))
        except PermitActionRefused as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Give the new last day and the reason."))
    return redirect("frontend:track", token=token)


def document_response(document) -> FileResponse:
    """A stored document as a download: never cached, never sniffed into something a browser would run."""
    extension = document.file.name.rsplit(".", 1)[-1]
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=True,
        filename=f"{document.requirement.code}-{document.pk}.{extension}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@require_GET
def document(request, token, document_id):
    # A miss counts against the client's address like a wrong tracking link, so documents can't be guessed.
    return document_response(
        ratelimits.looked_up_or_counted(
            request, lambda: selectors.document_for_applicant(token=token, document_id=document_id)
        )
    )


def verification_url(request, permit) -> str:
    return request.build_absolute_uri(reverse("permit_pages:verify", args=[permit.verification_code]))


@require_GET
def certificate(request, token):
    sr, permit = _tracked_permit(request, token)
    if not selectors.is_issued(permit):
        raise Http404
    pdf = certificate_pdf(
        permit,
        verification_url=verification_url(request, permit),
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="permit-{sr.public_id}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def verify(request, code):
    permit = selectors.verification_page_for(code=code)
    jurisdiction_for(request, permit.service_request.jurisdiction.slug)
    return render(
        request,
        "permits/verify.html",
        {
            "permit": permit,
            "sr": permit.service_request,
            "validity": selectors.validity_of(permit),
            "place": mask_personal_identifiers(permit.service_request.address),
        },
    )


def _public_feature(request, permit) -> dict:
    sr = permit.service_request
    return {
        "type": "Feature",
        "geometry": json.loads(permit.geometry.geojson),
        "properties": {
            "permit": sr.public_id,
            "type": sr.service_type.localized_name(),
            "type_code": sr.service_type.code,
            "place": mask_personal_identifiers(sr.address),
            "starts_on": permit.starts_on.isoformat(),
            "ends_on": permit.ends_on.isoformat(),
            "conditions": permit.localized_conditions(),
            "verification_url": verification_url(request, permit),
        },
    }


@require_GET
def permits_geojson(request, slug):
    jurisdiction = jurisdiction_for(request, slug)
    features = [_public_feature(request, p) for p in selectors.active_permits(jurisdiction)]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def permits_csv(request, slug):
    jurisdiction = jurisdiction_for(request, slug)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "permit",
            "type_code",
            "type",
            "place",
            "starts_on",
            "ends_on",
            "geometry_wkt",
            "conditions",
            "verification_url",
        ]
    )
    for permit in selectors.active_permits(jurisdiction):
        feature = _public_feature(request, permit)["properties"]
        writer.writerow(
            [
                _cell(value)
                for value in (
                    feature["permit"],
                    feature["type_code"],
                    feature["type"],
                    feature["place"],
                    feature["starts_on"],
                    feature["ends_on"],
                    permit.geometry.wkt,
                    " | ".join(feature["conditions"]),
                    feature["verification_url"],
                )
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-permits.csv"'
    return response


def _cell(value: str) -> str:
    # A cell a spreadsheet would run as a formula is quoted as text (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
