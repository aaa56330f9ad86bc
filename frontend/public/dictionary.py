"""The data dictionary of the open data exports: one entry per column, in EXPORT_FIELDS order."""

from django.utils.translation import gettext as _

from .selectors import EXPORT_FIELDS


def export_field_descriptions() -> list[tuple[str, str, str]]:
    """(column, type, meaning) for every export column."""
    described = {
        "public_id": (_("text"), _("The request's public id; its page is /requests/<public_id>/.")),
        "service_code": (_("text"), _("Code of the service type (the Open311 service_code).")),
        "service_name": (_("text"), _("Name of the service type.")),
        "group": (_("text"), _("Group of the service type, such as Streets.")),
        "status": (
            _("text"),
            _(
                "Current status: submitted, acknowledged, in_progress, on_hold, resolved, "
                "closed, duplicate, not_ours or reopened."
            ),
        ),
        "department": (_("text"), _("Code of the department handling it; empty while not routed.")),
        "submitted_at": (_("date and time"), _("When it was filed (ISO 8601, UTC).")),
        "acknowledged_at": (_("date and time"), _("When the city first acknowledged it; empty if not yet.")),
        "closed_at": (_("date and time"), _("When it was closed; empty while open.")),
        "expected_at": (_("date and time"), _("When the city promised to deal with it; empty if no promise.")),
        "longitude": (_("number"), _("Longitude (WGS 84) of the published point.")),
        "latitude": (_("number"), _("Latitude (WGS 84) of the published point.")),
        "location_coarsened": (
            _("true/false"),
            _(
                "True for sensitive service types (such as noise or anything "
                "at a home): the point is snapped to a grid of about 220 m and "
                "the address is left out."
            ),
        ),
        "address": (_("text"), _("The address given, with personal identifiers removed; empty when coarsened.")),
        "description": (_("text"), _("The description, with emails and phone numbers replaced by [removed].")),
        "me_too_count": (_("integer"), _("How many people said they have the same problem.")),
    }
    return [(name, *described[name]) for name in EXPORT_FIELDS]
