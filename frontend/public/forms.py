from django import forms
from django.utils.translation import gettext_lazy as _

from requests_app.statuses import Status


class RequestFilterForm(forms.Form):
    """The filters shared by the map, its tiles and the exports. Codes and ids only: no query to validate."""

    service_type = forms.CharField(label=_("Service type"), required=False, max_length=60)
    group = forms.CharField(label=_("Group"), required=False, max_length=120)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), ("open", _("Open")), ("closed", _("Closed")),
                                        *Status.choices])
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
