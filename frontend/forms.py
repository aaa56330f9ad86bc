"""The resident's filing form: the fields every service type shares. The questions come from the
service type's definition and are checked by requests_app.answers.clean_answers in submit_request."""

import re

from django import forms
from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _

from contacts.services import ContactDetails
from contacts.wording import CURRENT_WORDING_VERSION, WORDING
from requests_app.models import DESCRIPTION_MAX_LENGTH

# Shown beside the consent boxes and sent with the form, so what a resident agreed to can be traced to a wording.
# The sentences beside the consent boxes live in contacts.wording, versioned, so each recorded consent points
# at exactly what the resident read.
CONSENT_WORDING_VERSION = CURRENT_WORDING_VERSION
MAX_PHOTOS = 3
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{8,100}$")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos in one field; each is then checked by requests_app.photos.prepare_photo."""

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(one, initial) for one in data]
        return super().clean(data, initial)


class ReportForm(forms.Form):
    description = forms.CharField(
        label=_("What is the problem?"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    address = forms.CharField(
        label=_("Address or place"),
        required=False,
        max_length=300,
        help_text=_("For example a street address, a crossing or a landmark."),
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    photos = MultipleFileField(
        label=_("Photos (up to 3)"), required=False, widget=MultipleFileInput(attrs={"accept": "image/*"})
    )
    first_name = forms.CharField(label=_("First name"), required=False, max_length=100)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=100)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    purposes = forms.MultipleChoiceField(
        label=_("What may we use your contact details for?"),
        required=False,
        choices=[(purpose.value, sentence) for purpose, sentence in WORDING[CONSENT_WORDING_VERSION].items()],
        widget=forms.CheckboxSelectMultiple,
    )
    consent_wording = forms.CharField(required=False, widget=forms.HiddenInput, initial=CONSENT_WORDING_VERSION)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purposes"].initial = []  # consent is never pre-ticked

    def clean(self):
        data = super().clean()
        gave_contact = any(data.get(name) for name in ("first_name", "last_name", "email", "phone"))
        if gave_contact and not data.get("purposes"):
            self.add_error("purposes", _("Tick what we may use your details for, or leave the contact fields empty."))
        if data.get("purposes") and not (data.get("email") or data.get("phone")):
            self.add_error("email", _("Give an email or a phone number so we can reach you, or untick the boxes."))
        if (data.get("lat") is None) != (data.get("lon") is None):
            self.add_error("address", _("The map point was incomplete; pick it again or type an address."))
        return data

    def location(self) -> Point | None:
        lat, lon = self.cleaned_data.get("lat"), self.cleaned_data.get("lon")
        return Point(lon, lat, srid=4326) if lat is not None and lon is not None else None

    def contact(self, *, language: str) -> ContactDetails:
        data = self.cleaned_data
        # A page drafted offline may have shown an earlier wording: record the one it showed, if we know it.
        shown = data.get("consent_wording") if data.get("consent_wording") in WORDING else CONSENT_WORDING_VERSION
        return ContactDetails(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            phone=data["phone"],
            language=language,
            purposes=frozenset(data["purposes"]),
            wording_version=shown,
        )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("What is still wrong?"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AddToRequestForm(forms.Form):
    text = forms.CharField(
        label=_("Add a comment"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The department reads it; it is not published."),
    )
    photos = MultipleFileField(
        label=_("Add photos (up to 3)"), required=False, widget=MultipleFileInput(attrs={"accept": "image/*"})
    )
