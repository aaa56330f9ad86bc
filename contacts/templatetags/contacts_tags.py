from django import template
from django.utils.dateparse import parse_datetime

register = template.Library()


@register.filter
def as_datetime(value: str | None):
    """The ISO timestamps of ``data_held_for`` (made for the JSON download) as datetimes, for the date filter."""
    return parse_datetime(value) if value else None
