from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.purposes import Purpose
from requests_app.models import ServiceType
from requests_app.statuses import OPEN_STATUSES, PermitStep, Priority, Status
from routing.models import Area, Department, Team
from staffing.models import StaffRole

from . import two_factor
from .selectors import SORTS, QueueFilters


class SignInForm(AuthenticationForm):
    """Username and password, then the authenticator code, unless this browser is trusted for the shift."""

    otp_token = forms.CharField(
        label=_("Authenticator code"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    trust_browser = forms.BooleanField(label=_("Trust this browser until the end of my shift"), required=False)

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        self.device, self.trusted = None, False
        if user is not None:
            device = two_factor.confirmed_device(user)
            if device is not None and two_factor.trusted_device(self.request, user) == device:
                self.device, self.trusted = device, True
            elif device is not None:
                token = (cleaned.get("otp_token") or "").strip()
                if not token:
                    raise forms.ValidationError(_("Enter the code from your authenticator app."), code="otp_required")
                refusal = two_factor.check_code(device, token)
                if refusal:
                    raise forms.ValidationError(refusal, code="otp_invalid")
                self.device = device
        return cleaned


class ConfirmDeviceForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    trust_browser = forms.BooleanField(label=_("Trust this browser until the end of my shift"), required=False)


class QueueFilterForm(forms.Form):
    status = forms.MultipleChoiceField(
        label=_("Status"), required=False, choices=[(s.value, s.label) for s in Status if s in OPEN_STATUSES]
    )
    type = forms.ModelChoiceField(label=_("Service type"), required=False, queryset=ServiceType.objects.none())
    area = forms.ModelChoiceField(label=_("Area"), required=False, queryset=Area.objects.none())
    assignee = forms.CharField(label=_("Assignee"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    duplicates = forms.BooleanField(label=_("Possible duplicates"), required=False)
    submitted_from = forms.DateField(
        label=_("Submitted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_to = forms.DateField(
        label=_("Submitted to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Any part of an id, an address or words of the description"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    department = forms.ModelChoiceField(label=_("Department"), required=False, queryset=Department.objects.none())
    team = forms.ModelChoiceField(label=_("Team"), required=False, queryset=Team.objects.none())
    triage = forms.BooleanField(label=_("In triage only"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        widget=forms.HiddenInput,
        choices=[("", "")] + [(s, s) for key in SORTS for s in (key, "-" + key)],
    )
    bbox = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    # Shown in the compact bar; the others fold under "More filters".
    MAIN = ("q", "status", "type", "assignee")

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = ServiceType.objects.filter(jurisdiction_id__in=scope.jurisdiction_ids)
        self.fields["area"].queryset = Area.objects.filter(layer__jurisdiction_id__in=scope.jurisdiction_ids).defer(
            "boundary"
        )
        # Departments and teams an import made are offered only once an operator has activated them.
        self.fields["department"].queryset = Department.objects.filter(pk__in=scope.visible_department_ids, active=True)
        self.fields["team"].queryset = Team.objects.filter(
            department_id__in=scope.visible_department_ids, active=True, department__active=True
        )

    def clean_bbox(self):
        """The map's view as "west,south,east,north" in degrees."""
        value = self.cleaned_data["bbox"].strip()
        if not value:
            return None
        try:
            west, south, east, north = (float(part) for part in value.split(","))
        except ValueError:
            raise forms.ValidationError(_("Give the box as west,south,east,north in degrees.")) from None
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise forms.ValidationError(_("Give the box as west,south,east,north in degrees.")) from None
        return (west, south, east, north)

    def clean_assignee(self):
        value = self.cleaned_data["assignee"].strip()
        if value in ("", "me", "none") or (value.isdigit() and len(value) < 19):  # fits a bigint
            return value
        raise forms.ValidationError(_('Use "me", "none" or a user number.'))

    def filters(self) -> QueueFilters:
        d = self.cleaned_data
        return QueueFilters(
            statuses=tuple(d["status"]),
            service_type_id=d["type"].pk if d["type"] else None,
            area_id=d["area"].pk if d["area"] else None,
            assignee=d["assignee"],
            overdue=d["overdue"],
            possible_duplicates=d["duplicates"],
            submitted_from=d["submitted_from"],
            submitted_to=d["submitted_to"],
            q=d["q"].strip(),
            department_id=d["department"].pk if d["department"] else None,
            team_id=d["team"].pk if d["team"] else None,
            triage=d["triage"],
            sort=d["sort"],
            bbox=d["bbox"],
        )

    def main_fields(self):
        return [self[name] for name in self.MAIN]

    def more_fields(self):
        return [field for field in self if field.name not in self.MAIN and not field.is_hidden]

    @staticmethod
    def _chosen(fields) -> list:
        return [field for field in fields if field.value() not in (None, "", [], False)]

    def more_chosen(self) -> bool:
        return bool(self._chosen(self.more_fields()))

    def chosen_count(self) -> int:
        """How many filters are set: the "Filters (n)" toggle says it on a phone, where the bar is folded."""
        return len(self._chosen(self.main_fields() + self.more_fields()))


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name of this view"), max_length=80)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)


class NoteFields(forms.Form):
    public_note = forms.CharField(
        label=_("Public note (the requester and the public see it)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    internal_note = forms.CharField(
        label=_("Internal note (your department only)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )


class StatusForm(NoteFields):
    to = forms.ChoiceField(label=_("New status"), choices=Status.choices)


class HoldForm(NoteFields):
    until = forms.DateField(label=_("On hold until"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until <= timezone.localdate():
            raise forms.ValidationError(_("Hold until a date after today."))
        return until


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assignee"), required=False, queryset=get_user_model().objects.none())
    team = forms.ModelChoiceField(label=_("Team"), required=False, queryset=Team.objects.none())

    def __init__(self, *args, department_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = (
            get_user_model()
            .objects.filter(
                Q(pk__in=Team.members.through.objects.filter(team__department_id=department_id).values("user_id"))
                | Q(
                    pk__in=StaffRole.objects.filter(role=StaffRole.Role.CREW, department_id=department_id).values(
                        "user_id"
                    )
                )
            )
            .order_by("username")
        )
        self.fields["team"].queryset = Team.objects.filter(department_id=department_id, active=True)


class RedactTextForm(forms.Form):
    description = forms.CharField(
        label=_("Public description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    hide_answers = forms.BooleanField(label=_("Hide the written answers from the public"), required=False)
    reason = forms.CharField(label=_("Why (kept in the history)"), max_length=500)


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    internal_note = forms.CharField(label=_("Internal note"), required=False, max_length=4000)


class ServiceTypeForm(forms.Form):
    service_type = forms.ModelChoiceField(label=_("Service type"), queryset=ServiceType.objects.none())
    department = forms.ModelChoiceField(
        label=_("Move to department"), required=False, queryset=Department.objects.none()
    )
    internal_note = forms.CharField(label=_("Internal note"), required=False, max_length=4000)

    def __init__(self, *args, jurisdiction_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_type"].queryset = ServiceType.objects.filter(jurisdiction_id=jurisdiction_id)
        self.fields["department"].queryset = Department.objects.filter(jurisdiction_id=jurisdiction_id, active=True)


class TransferForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Transfer to"), queryset=Department.objects.none())
    reason = forms.CharField(
        label=_("Reason (the receiving department sees it)"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    public_note = forms.CharField(label=_("Public note"), required=False, max_length=4000)

    def __init__(self, *args, jurisdiction_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(jurisdiction_id=jurisdiction_id, active=True)


class MergeForm(forms.Form):
    original = forms.CharField(label=_("Original request (public id)"), max_length=12)
    public_note = forms.CharField(label=_("Public note"), required=False, max_length=4000)


class PermitForm(forms.Form):
    step = forms.ChoiceField(label=_("Permit step"), choices=PermitStep.choices)
    explanation = forms.CharField(
        label=_("Explanation to the applicant"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    internal_note = forms.CharField(label=_("Internal note"), required=False, max_length=4000)


class ContactForm(forms.Form):
    purpose = forms.ChoiceField(label=_("What for"), choices=Purpose.choices)
    reason = forms.CharField(
        label=_("Why you need it (kept in the access log the requester can read)"),
        max_length=250,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("Question (the requester and the public see it on the request's page)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BulkForm(NoteFields):
    ACTIONS = [
        ("acknowledge", _("Acknowledge")),
        ("assign", _("Assign")),
        ("status", _("Change status")),
        ("transfer", _("Transfer")),
        ("merge", _("Merge into one")),
    ]
    field_order = [
        "action",
        "to",
        "reply",
        "assignee",
        "department",
        "original",
        "reason",
        "public_note",
        "internal_note",
    ]
    selected = forms.MultipleChoiceField(required=False, choices=[])
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    to = forms.ChoiceField(label=_("New status"), choices=[("", "-")] + list(Status.choices), required=False)
    reply = forms.TypedChoiceField(
        label=_("Ready reply"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Each request gets it in its requester's language"),
    )
    assignee = forms.TypedChoiceField(label=_("Assignee"), required=False, coerce=int, empty_value=None)
    department = forms.TypedChoiceField(label=_("Transfer to"), required=False, coerce=int, empty_value=None)
    original = forms.CharField(label=_("Original request (public id)"), required=False, max_length=12)
    reason = forms.CharField(label=_("Reason (the receiving department sees it)"), required=False, max_length=4000)

    def __init__(self, *args, scope, replies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selected"].choices = [(v, v) for v in self.data.getlist("selected")] if self.data else []
        people = (
            get_user_model()
            .objects.filter(
                Q(
                    pk__in=Team.members.through.objects.filter(
                        team__department_id__in=scope.visible_department_ids
                    ).values("user_id")
                )
                | Q(
                    pk__in=StaffRole.objects.filter(
                        role=StaffRole.Role.CREW, department_id__in=scope.visible_department_ids
                    ).values("user_id")
                )
            )
            .order_by("username")
        )
        self.fields["assignee"].choices = [("", "-")] + [(u.pk, u.get_username()) for u in people]
        departments = Department.objects.filter(jurisdiction_id__in=scope.jurisdiction_ids, active=True).order_by(
            "name"
        )
        self.fields["department"].choices = [("", "-")] + [(d.pk, d.localized_name()) for d in departments]
        self.replies = {t.pk: t for t in replies}
        self.fields["reply"].choices = [("", "-")] + [(t.pk, t.name) for t in replies]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("selected"):
            raise forms.ValidationError(_("Select at least one request."))
        action = cleaned.get("action")
        if action == "status" and not cleaned.get("to") and cleaned.get("reply"):
            cleaned["to"] = self.replies[cleaned["reply"]].status
        needs = {"assign": "assignee", "status": "to", "transfer": "department", "merge": "original"}
        if action in needs and not cleaned.get(needs[action]):
            raise forms.ValidationError(
                _("This action needs: %(field)s.") % {"field": self.fields[needs[action]].label}
            )
        if action == "transfer" and not (cleaned.get("reason") or "").strip():
            raise forms.ValidationError(_("Say why the requests are transferred."))
        cleaned["reply_template"] = self.replies.get(cleaned.get("reply"))
        return cleaned


class PhotoModerationForm(forms.Form):
    """Hide or show a photo, check it again, or blur one more box given in percent of the photo."""

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            ("blur_box", _("Blur a box")),
            ("hide", _("Hide")),
            ("show", _("Show again")),
            ("retry", _("Check again")),
        ],
    )
    reason = forms.CharField(label=_("Why"), max_length=300)
    left = forms.FloatField(label=_("Left (%)"), min_value=0, max_value=100, required=False)
    top = forms.FloatField(label=_("Top (%)"), min_value=0, max_value=100, required=False)
    width = forms.FloatField(label=_("Width (%)"), min_value=0, max_value=100, required=False)
    height = forms.FloatField(label=_("Height (%)"), min_value=0, max_value=100, required=False)

    def clean(self):
        cleaned = super().clean()
        box = [cleaned.get(name) for name in ("left", "top", "width", "height")]
        if cleaned.get("action") == "blur_box" and None in box:
            raise forms.ValidationError(_("Give the box: left, top, width and height in percent."))
        return cleaned
