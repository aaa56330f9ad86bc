"""The permit forms: the application (with its documents and its own consent), the applicant's answers, and
the staff actions. Questions come from the service type and are checked by submit_request like any request's."""

import json

from django import forms
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.utils.translation import gettext_lazy as _

from contacts.services import ContactDetails
from contacts.wording import PERMIT_WORDING_VERSION, WORDING
from permits.pipeline import DocumentKind
from requests_app.models import DESCRIPTION_MAX_LENGTH

ACCEPT = {DocumentKind.PDF: "application/pdf,.pdf", DocumentKind.IMAGE: "image/*"}
MAX_VERTICES = 200


class GeometryField(forms.CharField):
    """A GeoJSON geometry drawn on the map (hidden field), as a GEOS geometry in WGS 84."""

    widget = forms.HiddenInput

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            data = json.loads(value)
            if data.get("type") not in ("Point", "LineString", "Polygon"):
                raise ValueError
            geometry = GEOSGeometry(json.dumps({"type": data["type"], "coordinates": data["coordinates"]}), srid=4326)
        except (ValueError, TypeError, AttributeError, KeyError, GEOSException, GDALException):
            raise forms.ValidationError(_("The place drawn on the map could not be read; draw it again.")) from None
        if geometry.num_coords > MAX_VERTICES:
            raise forms.ValidationError(_("Draw the place with fewer points."))
        return geometry


def document_field(requirement) -> forms.FileField:
    kinds = ", ".join(str(DocumentKind(kind).label) for kind in requirement.kinds)
    return forms.FileField(
        label=requirement.localized_name(),
        required=False,
        help_text=_("%(kinds)s, at most %(mb).1f MB.") % {"kinds": kinds, "mb": requirement.max_bytes / 1024 / 1024},
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPT[k] for k in requirement.kinds)}),
    )


class ApplicationForm(forms.Form):
    geometry = GeometryField(required=False)
    address = forms.CharField(
        label=_("Address or place"),
        required=True,
        max_length=300,
        help_text=_("The street and number, or the stretch between two crossings."),
    )
    starts_on = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(
        label=_("What will you do there?"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    first_name = forms.CharField(label=_("First name"), required=False, max_length=100)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=100)
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    purposes = forms.MultipleChoiceField(
        label=_("What may we use your contact details for?"),
        required=False,
        choices=[(purpose.value, sentence) for purpose, sentence in WORDING[PERMIT_WORDING_VERSION].items()],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, permit_type, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purposes"].initial = []  # consent is never pre-ticked
        self.requirements = list(permit_type.documents.all())
        for requirement in self.requirements:
            self.fields[f"document_{requirement.code}"] = document_field(requirement)

    def document_fields(self):
        return [(requirement, self[f"document_{requirement.code}"]) for requirement in self.requirements]

    def clean(self):
        data = super().clean()
        gave_contact = any(data.get(name) for name in ("first_name", "last_name", "email", "phone"))
        if gave_contact and not data.get("purposes"):
            self.add_error("purposes", _("Tick what we may use your details for, or leave the contact fields empty."))
        return data

    def documents(self) -> dict:
        return {
            r.code: self.cleaned_data[f"document_{r.code}"]
            for r in self.requirements
            if self.cleaned_data.get(f"document_{r.code}")
        }

    def contact(self, *, language: str) -> ContactDetails:
        data = self.cleaned_data
        return ContactDetails(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            phone=data["phone"],
            language=language,
            purposes=frozenset(data["purposes"]),
            wording_version=PERMIT_WORDING_VERSION,
        )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, permit_type, **kwargs):
        super().__init__(*args, **kwargs)
        self.requirements = list(permit_type.documents.all())
        for requirement in self.requirements:
            self.fields[f"document_{requirement.code}"] = document_field(requirement)

    def documents(self) -> dict:
        return {
            r.code: self.cleaned_data[f"document_{r.code}"]
            for r in self.requirements
            if self.cleaned_data.get(f"document_{r.code}")
        }


class ExtensionForm(forms.Form):
    until = forms.DateField(label=_("New last day"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=_("Why do you need longer?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class StepForm(forms.Form):
    note = forms.CharField(
        label=_("What was checked (staff only)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InformationForm(forms.Form):
    question = forms.CharField(
        label=_("What do you need from the applicant?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], widget=forms.RadioSelect
    )
    added_conditions = forms.CharField(
        label=_("Added conditions, one per line"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reasons = forms.CharField(
        label=_("Reasons for refusing"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PaymentForm(forms.Form):
    reference = forms.CharField(label=_("Payment reference"), max_length=100)


class ExtensionDecisionForm(forms.Form):
    grant = forms.TypedChoiceField(
        label=_("Extension"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Grant")), ("no", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note to the applicant"), required=False, max_length=2000)


class RevocationForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revoking"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
