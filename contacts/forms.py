from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from routing.models import Area

from .services import ALERT_MONTHS, DEFAULT_ALERT_MONTHS

RADIUS_CHOICES = [(200, _("200 m")), (500, _("500 m")), (1000, _("1 km")), (2000, _("2 km"))]


class AreaAlertForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=254)
    area = forms.ModelChoiceField(
        label=_("An area"), queryset=Area.objects.none(), required=False, empty_label=_("(none: use a point instead)")
    )
    lat = forms.FloatField(label=_("Or a point: latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("longitude"), required=False, min_value=-180, max_value=180)
    radius = forms.TypedChoiceField(label=_("Within"), choices=RADIUS_CHOICES, coerce=int, initial=500)
    months = forms.TypedChoiceField(
        label=_("For how long"),
        coerce=int,
        initial=DEFAULT_ALERT_MONTHS,
        choices=[(n, ngettext_lazy("%(n)d month", "%(n)d months", n) % {"n": n}) for n in ALERT_MONTHS],
    )

    def __init__(self, *args, jurisdiction, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (
            Area.objects.filter(layer__jurisdiction=jurisdiction)
            .select_related("layer")
            .order_by("layer__code", "name")
        )
        self.fields["area"].label_from_instance = lambda area: area.localized_name()

    def clean(self):
        data = super().clean()
        has_point = data.get("lat") is not None and data.get("lon") is not None
        if not data.get("area") and not has_point:
            raise forms.ValidationError(_("Choose an area, or give a point."))
        if data.get("area") and has_point:
            raise forms.ValidationError(_("Choose an area or a point, not both."))
        return data
