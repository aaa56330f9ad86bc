from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitPagesConfig(AppConfig):
    name = "frontend.permit_pages"
    label = "permit_pages"
    verbose_name = _("Permit pages")
