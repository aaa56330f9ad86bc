"""The deciding department's permit pages: the queue with the decision clock in view, one permit with its
steps, clashes, documents and history, and one view per action (each checked against the staff scope)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from frontend.guards import staff_only
from permits import selectors, services
from permits.pipeline import State, Step
from requests_app.exceptions import DomainError

from . import forms
from .views import document_response


@require_GET
@staff_only()
def queue(request):
    state = request.GET.get("show", "undecided")
    if state not in ("undecided", "granted", "all"):
        state = "undecided"
    scope = request.scope
    permits = selectors.permit_queue(
        department_ids=scope.department_ids, jurisdiction_ids=scope.operator_jurisdiction_ids, state=state
    )[:200]
    return render(
        request, "permits/staff_queue.html", {"permits": permits, "show": state, "today": timezone.localdate()}
    )


def _visible(request, public_id):
    permit = selectors.permit_for_staff(public_id=public_id)
    if permit.service_request.jurisdiction_id not in request.scope.jurisdiction_ids:
        raise Http404  # another city's permits don't exist for this user
    return permit


@require_GET
@staff_only()
def detail(request, public_id):
    permit = _visible(request, public_id)
    works_on = request.scope.works_on(permit.service_request)
    return render(
        request,
        "permits/staff_permit.html",
        {
            "permit": permit,
            "sr": permit.service_request,
            "works_on": works_on,
            "today": timezone.localdate(),
            "pipeline": [(step, Step(step).label) for step in permit.permit_type.pipeline],
            "State": State,
            "Step": Step,
            "issued": selectors.is_issued(permit),
            "step_form": forms.StepForm(auto_id="step_%s"),
            "information_form": forms.InformationForm(auto_id="info_%s"),
            "decision_form": forms.DecisionForm(auto_id="decision_%s"),
            "payment_form": forms.PaymentForm(auto_id="pay_%s"),
            "extension_form": forms.ExtensionDecisionForm(auto_id="extension_%s"),
            "revocation_form": forms.RevocationForm(auto_id="revoke_%s"),
        },
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


ACTIONS = {
    "step": (forms.StepForm, lambda r, p, d: services.complete_step(p, by=r.user, note=d["note"])),
    "information": (
        forms.InformationForm,
        lambda r, p, d: services.request_information(p, by=r.user, question=d["question"]),
    ),
    "decide": (
        forms.DecisionForm,
        lambda r, p, d: services.decide_permit(
            p,
            by=r.user,
            approve=d["decision"] == "approve",
            added_conditions=_lines(d["added_conditions"]),
            reasons=d["reasons"],
        ),
    ),
    "paid": (forms.PaymentForm, lambda r, p, d: services.mark_fee_paid(p, by=r.user, reference=d["reference"])),
    "extension": (
        forms.ExtensionDecisionForm,
        lambda r, p, d: services.decide_extension(p, by=r.user, grant=d["grant"], note=d["note"]),
    ),
    "revoke": (forms.RevocationForm, lambda r, p, d: services.revoke_permit(p, by=r.user, reason=d["reason"])),
}


@require_POST
@staff_only()
def act(request, public_id, action):
    if action not in ACTIONS:
        raise Http404
    permit = _visible(request, public_id)
    request.scope.require_work(permit.service_request)
    form_class, handler = ACTIONS[action]
    form = form_class(request.POST)
    back = redirect("permit_staff:permit", public_id=permit.service_request.public_id)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return back
    try:
        handler(request, permit, form.cleaned_data)
    except DomainError as exc:
        messages.error(request, str(exc))
        return back
    messages.success(request, _("Done: %(id)s.") % {"id": permit.service_request.public_id})
    return back


@require_GET
@staff_only()
def document(request, public_id, document_id):
    _visible(request, public_id)
    return document_response(
        selectors.document_for_staff(user=request.user, public_id=public_id, document_id=document_id)
    )
