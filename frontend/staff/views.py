from base64 import b32encode
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from contacts.purposes import Purpose
from contacts.questions import ask_requester
from contacts.selectors import contact_for_staff, live_purposes
from frontend.guards import staff_only
from frontend.qr import qr_svg
from permits.selectors import has_permit
from requests_app.exceptions import DomainError, InvalidAction
from requests_app.models import ServiceRequest
from requests_app.statuses import Status
from routing.models import Department
from staffing import services

from . import forms, two_factor
from .models import SavedView
from .replies import bulk_replies, ready_replies_for, reply_for
from .selectors import SORTS, QueueFilters, changed_since, map_features, queue_page, request_for, request_page


def _no_store(response):
    """Pages with secrets or personal data are never kept by a browser or proxy cache."""
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def sign_in(request):
    form = forms.SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        auth_login(request, user)
        if form.device is not None:
            otp_login(request, form.device)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("staff:queue")
        response = redirect(target)
        if form.device is not None and not form.trusted and form.cleaned_data.get("trust_browser"):
            two_factor.remember_browser(response, user, form.device)
        return response
    return _no_store(
        render(
            request,
            "staff/sign_in.html",
            {"form": form, "next": request.GET.get("next", "")},
            status=400 if form.is_bound else 200,
        )
    )


@require_POST
def sign_out(request):
    auth_logout(request)
    return redirect("staff:login")


@require_http_methods(["GET", "POST"])
def two_factor_page(request):
    """Set up an authenticator (a QR code drawn here), or verify this session with a code from the one set up."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("staff:login"))
    device = two_factor.confirmed_device(request.user)
    confirmed = device is not None
    if not confirmed:
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by(
            "pk"
        ).first() or TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
    verified = request.user.is_verified()
    form = forms.ConfirmDeviceForm(request.POST or None)
    if request.method == "POST" and not verified and form.is_valid():
        refusal = two_factor.check_code(device, form.cleaned_data["otp_token"])
        if not refusal:
            if not confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                messages.success(request, _("Two-factor authentication is on."))
            otp_login(request, device)
            response = redirect("staff:queue")
            if form.cleaned_data["trust_browser"]:
                two_factor.remember_browser(response, request.user, device)
            return response
        form.add_error("otp_token", refusal)
    context = {"form": form, "confirmed": confirmed, "verified": verified}
    if not confirmed:
        context.update(
            secret=b32encode(device.bin_key).decode(),
            qr=qr_svg(device.config_url, title=_("Scan with your authenticator app")),
        )
    return _no_store(
        render(request, "staff/two_factor.html", context, status=400 if form.is_bound and form.errors else 200)
    )


# Where a queue page starts: its number (shown) and the cursor of the row it follows or precedes.
PAGING = ("page", "after", "before")


def _filter_form(request):
    return forms.QueueFilterForm(request.GET or None, scope=request.scope)


@require_GET
@staff_only()
def queue(request):
    form = _filter_form(request)
    if form.is_bound and not form.is_valid():
        return render(request, "staff/queue.html", {"form": form, "page": None, "saved_views": []}, status=400)
    filters = form.filters() if form.is_bound else QueueFilters()
    number = request.GET.get("page", "1")
    page = queue_page(
        request.scope,
        filters,
        user_id=request.user.pk,
        page=int(number) if number.isdigit() and len(number) < 9 else 1,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )
    query = request.GET.copy()
    for paging in PAGING:
        query.pop(paging, None)
    replies = bulk_replies(request.scope)
    return render(
        request,
        "staff/queue.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "sort": filters.sort,
            "sort_links": _sort_links(request, filters.sort),
            "saved_views": list(SavedView.objects.filter(user=request.user)),
            "save_form": forms.SavedViewForm(initial={"query": query.urlencode()}),
            "bulk_form": forms.BulkForm(scope=request.scope, replies=replies),
            "bulk_replies": [{"id": t.pk, "status": t.status} for t in replies],
            "poll_seconds": settings.STAFF_POLL_SECONDS,
            "loaded_at": timezone.now().isoformat(),
        },
    )


def _sort_links(request, current: str) -> dict:
    """For each sortable column: the link that sorts by it (the other way when it is already the sort), and
    its aria-sort state."""
    links = {}
    for key in SORTS:
        query = request.GET.copy()
        for paging in PAGING:
            query.pop(paging, None)
        query["sort"] = "-" + key if current == key else key
        state = "ascending" if current == key else "descending" if current == "-" + key else "none"
        links[key] = {"url": "?" + query.urlencode(), "state": state}
    return links


@require_GET
@staff_only(api=True)
def map_data(request):
    form = _filter_form(request)
    if form.is_bound and not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    filters = form.filters() if form.is_bound else QueueFilters()
    return HttpResponse(map_features(request.scope, filters, user_id=request.user.pk), content_type="application/json")


@require_GET
@staff_only(api=True)
def changes(request):
    since = parse_datetime(request.GET.get("since", ""))
    if since is None:
        return JsonResponse({"errors": {"since": [_("Give the time of the last look, as ISO 8601.")]}}, status=400)
    if timezone.is_naive(since):
        since = timezone.make_aware(since, timezone.utc)
    now = timezone.now()
    rows = changed_since(request.scope, max(since, now - timedelta(days=1)))
    return JsonResponse(
        {
            "now": now.isoformat(),
            "changed": [
                {
                    "id": r["public_id"],
                    "status": r["status"],
                    "status_label": Status(r["status"]).label,
                    "service_type": r["service_type__name"],
                    "address": r["address"],
                    "updated_at": r["updated_at"].isoformat(),
                    "url": reverse("staff:request", args=[r["public_id"]]),
                }
                for r in rows
            ],
        }
    )


@require_POST
@staff_only()
def save_view(request):
    form = forms.SavedViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the view a name."))
        return redirect("staff:queue")
    SavedView.objects.update_or_create(
        user=request.user, name=form.cleaned_data["name"].strip(), defaults={"query": form.cleaned_data["query"]}
    )
    messages.success(request, _("View saved."))
    return redirect(f"{reverse('staff:queue')}?{form.cleaned_data['query']}")


@require_POST
@staff_only()
def delete_view(request, pk):
    get_object_or_404(SavedView, pk=pk, user=request.user).delete()
    messages.success(request, _("View deleted."))
    return redirect("staff:queue")


def _visible_request(request, public_id):
    sr = request_for(request.scope, public_id)
    if sr is None:
        raise Http404
    return sr


def _request_context(request, sr, **extra) -> dict:
    data = request_page(request.scope, sr)
    templates = ready_replies_for(sr) if data.works_on else []
    is_permit_type = sr.service_type.kind == sr.service_type.Kind.PERMIT
    on_permit_page = is_permit_type and has_permit(sr)
    return {
        "page": data,
        "sr": sr,
        "templates": templates,
        "status_form": forms.StatusForm(initial={"to": sr.status}, auto_id="status_%s"),
        "hold_form": forms.HoldForm(auto_id="hold_%s"),
        "assign_form": forms.AssignForm(department_id=sr.department_id, auto_id="assign_%s"),
        "priority_form": forms.PriorityForm(initial={"priority": sr.priority}, auto_id="priority_%s"),
        "redact_form": forms.RedactTextForm(initial={"description": sr.public_description}, auto_id="redact_%s"),
        "type_form": forms.ServiceTypeForm(jurisdiction_id=sr.jurisdiction_id, auto_id="type_%s"),
        "transfer_form": forms.TransferForm(jurisdiction_id=sr.jurisdiction_id, auto_id="transfer_%s"),
        "merge_form": forms.MergeForm(auto_id="merge_%s"),
        "permit_form": forms.PermitForm(auto_id="permit_%s"),
        "contact_form": forms.ContactForm(auto_id="contact_%s"),
        "question_form": forms.QuestionForm(auto_id="question_%s"),
        "may_ask": Purpose.DEPARTMENT_QUESTIONS in data.consented,
        "consented": [Purpose(p).label for p in sorted(data.consented)],
        # An application filed through the permit form is decided on its permit page, which keeps the permit and
        # its request in step; the plain step form is for permit requests that came in without it.
        "is_permit": is_permit_type and not on_permit_page,
        "permit_page": on_permit_page,
        **extra,
    }


@require_GET
@staff_only()
def request_detail(request, public_id):
    sr = _visible_request(request, public_id)
    return render(request, "staff/request.html", _request_context(request, sr))


@require_POST
@staff_only()
def show_contact(request, public_id):
    """The requester's contact, on this response only: never stored in a message, the session or a log line."""
    sr = _visible_request(request, public_id)
    request.scope.require_work(sr)
    form = forms.ContactForm(request.POST, auto_id="contact_%s")
    contact, refusal = None, ""
    if form.is_valid():
        purpose = form.cleaned_data["purpose"]
        if purpose in live_purposes(sr.pk):
            # Raises PermissionDenied (403) for anyone the consent rule does not allow, before anything is read.
            contact = contact_for_staff(
                service_request=sr,
                user=request.user,
                reason=f"{Purpose(purpose).label}: {form.cleaned_data['reason'].strip()}",
            )
            if contact is None:
                refusal = _("Nothing to show: the contact was erased.")
        else:
            refusal = _("The requester did not agree to: %(purpose)s.") % {"purpose": Purpose(purpose).label}
    response = render(
        request,
        "staff/request.html",
        _request_context(
            request,
            sr,
            contact=contact,
            contact_refusal=refusal,
            contact_form=form,
            contact_purposes=[Purpose(p).label for p in sorted(contact.purposes)] if contact else [],
        ),
        status=400 if form.errors else 200,
    )
    return _no_store(response)


def _merge_target(request, sr, public_id):
    original = request_for(request.scope, public_id.strip())
    if original is None or original.jurisdiction_id != sr.jurisdiction_id:
        raise InvalidAction(_("No request %(id)s here.") % {"id": public_id})
    if not request.scope.works_on(original):
        raise InvalidAction(_("Merge only into a request of your department; transfer it first."))
    return original


def _do_acknowledge(request, sr, data):
    return services.acknowledge(sr, by=request.user)


def _do_status(request, sr, data):
    return services.set_status(
        sr, to=data["to"], by=request.user, public_note=data["public_note"], internal_note=data["internal_note"]
    )


def _do_hold(request, sr, data):
    return services.hold(
        sr, until=data["until"], by=request.user, public_note=data["public_note"], internal_note=data["internal_note"]
    )


def _do_assign(request, sr, data):
    assignee, team = data["assignee"], data["team"]
    if request.POST.get("self"):
        assignee = request.user
    elif (assignee is not None and assignee != request.user) or team is not None:
        request.scope.require_lead(sr)
    return services.assign(sr, by=request.user, assignee=assignee, team=team)


def _do_priority(request, sr, data):
    return services.change_priority(sr, priority=data["priority"], by=request.user, internal_note=data["internal_note"])


def _do_redact_text(request, sr, data):
    return services.redact_public_text(
        sr, by=request.user, reason=data["reason"], description=data["description"], hide_answers=data["hide_answers"]
    )


def _do_service_type(request, sr, data):
    return services.change_service_type(
        sr,
        service_type=data["service_type"],
        by=request.user,
        department=data["department"],
        internal_note=data["internal_note"],
    )


def _do_transfer(request, sr, data):
    return services.transfer(
        sr, to_department=data["department"], reason=data["reason"], by=request.user, public_note=data["public_note"]
    )


def _do_merge(request, sr, data):
    return services.merge(
        sr, into=_merge_target(request, sr, data["original"]), by=request.user, public_note=data["public_note"]
    )


def _do_question(request, sr, data):
    return ask_requester(sr, question=data["question"], by=request.user)


def _do_permit(request, sr, data):
    if has_permit(sr):
        raise InvalidAction(_("This application is decided on its permit page."))
    return services.set_permit_step(
        sr, step=data["step"], by=request.user, explanation=data["explanation"], internal_note=data["internal_note"]
    )


# action name: (form, handler, who may: "work" = the request's department or an operator of its city)
ACTIONS = {
    "acknowledge": (None, _do_acknowledge, "work"),
    "status": (forms.StatusForm, _do_status, "work"),
    "hold": (forms.HoldForm, _do_hold, "work"),
    "assign": (forms.AssignForm, _do_assign, "work"),
    "priority": (forms.PriorityForm, _do_priority, "work"),
    "redact-text": (forms.RedactTextForm, _do_redact_text, "work"),
    "service-type": (forms.ServiceTypeForm, _do_service_type, "work"),
    "transfer": (forms.TransferForm, _do_transfer, "work"),
    "merge": (forms.MergeForm, _do_merge, "work"),
    "permit": (forms.PermitForm, _do_permit, "work"),
    "question": (forms.QuestionForm, _do_question, "work"),
}


def _form_for(form_class, request, sr):
    if form_class is forms.AssignForm:
        return form_class(request.POST, department_id=sr.department_id)
    if form_class in (forms.ServiceTypeForm, forms.TransferForm):
        return form_class(request.POST, jurisdiction_id=sr.jurisdiction_id)
    return form_class(request.POST)


@require_POST
@staff_only()
def act(request, public_id, action):
    if action not in ACTIONS:
        raise Http404
    sr = _visible_request(request, public_id)
    form_class, handler, who = ACTIONS[action]
    if who == "work":
        request.scope.require_work(sr)
    back = redirect("staff:request", public_id=sr.public_id)
    data = {}
    if form_class is not None:
        form = _form_for(form_class, request, sr)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
            return back
        data = form.cleaned_data
    try:
        changed = handler(request, sr, data)
    except DomainError as exc:
        messages.error(request, str(exc))
        return back
    messages.success(request, _("Done: %(id)s.") % {"id": sr.public_id})
    if action == "transfer" and not request.scope.works_on(changed):
        return redirect("staff:queue")
    return back


def _bulk_status(request, sr, data, extra):
    public_note = data["public_note"]
    if data["reply_template"] is not None and not public_note.strip():
        public_note = reply_for(data["reply_template"], sr)
    return services.set_status(
        sr, to=data["to"], by=request.user, public_note=public_note, internal_note=data["internal_note"]
    )


BULK = {
    "acknowledge": lambda request, sr, data, extra: services.acknowledge(
        sr, by=request.user, public_note=data["public_note"]
    ),
    "assign": lambda request, sr, data, extra: services.assign(sr, by=request.user, assignee=extra["assignee"]),
    "status": _bulk_status,
    "transfer": lambda request, sr, data, extra: services.transfer(
        sr, to_department=extra["department"], reason=data["reason"], by=request.user, public_note=data["public_note"]
    ),
    "merge": lambda request, sr, data, extra: services.merge(
        sr, into=extra["original"], by=request.user, public_note=data["public_note"]
    ),
}


def _bulk_refusal(scope, sr, action, extra, user) -> str:
    """Why this row can't take the action for this user ("" if it can): the same rules as on the request page."""
    if action == "transfer":
        return ""
    if not scope.works_on(sr):
        return _("another department's request: transfer it, or ask that department.")
    if action == "merge" and not scope.leads(sr):
        return _("only a team lead, manager or operator may merge.")
    if action == "assign" and extra["assignee"].pk != user.pk and not scope.leads(sr):
        return _("only a team lead, manager or operator may assign someone else.")
    return ""


@require_POST
@staff_only()
def bulk(request):
    """Apply one action to each selected request, each in its own transaction; each row refused says why."""
    form = forms.BulkForm(request.POST, scope=request.scope, replies=bulk_replies(request.scope))
    back = f"{reverse('staff:queue')}?{request.POST.get('query', '')}"
    if not form.is_valid():
        for error in form.non_field_errors() or [e for errs in form.errors.values() for e in errs]:
            messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    selected = list(
        ServiceRequest.objects.filter(
            public_id__in=data["selected"], jurisdiction_id__in=request.scope.jurisdiction_ids
        ).select_related("service_type", "jurisdiction", "department")
    )
    if len(selected) != len(set(data["selected"])):
        raise Http404
    extra = {}
    try:
        if data["action"] == "assign":
            extra["assignee"] = _bulk_user(data["assignee"])
        elif data["action"] == "transfer":
            extra["department"] = _bulk_department(request, data["department"])
        elif data["action"] == "merge":
            extra["original"] = _merge_target(request, selected[0], data["original"])
    except InvalidAction as exc:
        messages.error(request, str(exc))
        return redirect(back)
    done, refused = 0, []
    for sr in selected:
        if data["action"] == "merge" and sr.pk == extra["original"].pk:
            continue
        refusal = _bulk_refusal(request.scope, sr, data["action"], extra, request.user)
        if not refusal:
            try:
                with transaction.atomic():
                    BULK[data["action"]](request, sr, data, extra)
                done += 1
                continue
            except DomainError as exc:
                refusal = str(exc)
        refused.append(_("%(id)s not changed: %(reason)s") % {"id": sr.public_id, "reason": refusal})
    messages.success(request, _("%(n)d requests changed.") % {"n": done})
    for line in refused:
        messages.warning(request, line)
    return redirect(back)


def _bulk_user(user_id):
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise InvalidAction(_("No such person."))
    return user


def _bulk_department(request, department_id):
    department = Department.objects.filter(
        pk=department_id, jurisdiction_id__in=request.scope.jurisdiction_ids, active=True
    ).first()
    if department is None:
        raise InvalidAction(_("No such department."))
    return department
