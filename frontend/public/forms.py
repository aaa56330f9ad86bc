from django import forms
from django.utils.translation import gettext_lazy as _

from requests_app.statuses import Status


class RequestFilterForm(forms.Form):
    """The filters shared by the map, its tiles and the exports. Codes and ids only: no query to validate."""

    service_type = forms.CharField(label=_("Service type"), required=False, max_length=60)
    group = forms.CharField(label=_("Group"), required=False, max_length=120)
    # "Closed" stands for every way a request ends (closed, resolved, duplicate, not ours), so the status
    # of that name is not listed a second time among the stages.
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            ("open", _("Open")),
            ("closed", _("Closed")),
            (_("Stage"), [c for c in Status.choices if c[0] != Status.CLOSED]),
        ],
    )
    department = forms.CharField(label=_("Department"), required=False, max_length=60)
    area = forms.IntegerField(label=_("Area"), required=False, min_value=1)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


def form_errors(form) -> dict[str, list[str]]:
    return {field: [str(e) for e in errors] for field, errors in form.errors.items()}


class BoundsForm(forms.Form):
    """The part of the map in view, in degrees."""

    west = forms.FloatField(min_value=-180, max_value=180)
    south = forms.FloatField(min_value=-90, max_value=90)
    east = forms.FloatField(min_value=-180, max_value=180)
    north = forms.FloatField(min_value=-90, max_value=90)

    def clean(self):
        data = super().clean()
        if not self.errors and (data["west"] >= data["east"] or data["south"] >= data["north"]):
            raise forms.ValidationError(_("West must be less than east, and south less than north."))
        return data

    def box(self) -> tuple[float, float, float, float]:
        return tuple(self.cleaned_data[k] for k in ("west", "south", "east", "north"))


class StatsWindowForm(forms.Form):
    """The months the statistics page's month-by-month tables show."""

    since = forms.DateField(
        label=_("From month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    until = forms.DateField(
        label=_("To month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def window(self):
        return self.cleaned_data.get("since"), self.cleaned_data.get("until")
