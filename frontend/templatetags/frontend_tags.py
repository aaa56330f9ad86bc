from functools import lru_cache

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.filter
def errors_for(errors: dict, name: str) -> list:
    """The messages for one field or question code from an errors dict."""
    return errors.get(name, []) if errors else []


@register.filter
def unbroken(text: str) -> str:
    """Text kept on one line, for ids like 4NTA-45CC that a narrow screen would otherwise split at the hyphen."""
    return format_html('<span class="unbroken">{}</span>', text)


@register.inclusion_tag("frontend/_zone_note.html")
def zone_note(jurisdiction):
    """One line saying which time zone the page's times are in: the jurisdiction's, for every resident page."""
    return {"jurisdiction": jurisdiction}


@register.simple_tag
def map_tile_url() -> str:
    """The configured base-map tile template; empty means maps draw the city's own layers only."""
    return settings.CIVIC311_MAP_TILE_URL


@register.simple_tag
def street_tiles_url(jurisdiction) -> str:
    """The template ({z}/{x}/{y}) of the city's own street tiles, the base map when no tile server is configured."""
    return street_tiles_template(jurisdiction.slug)


def street_tiles_template(slug: str) -> str:
    return reverse("frontend:street-tile", args=[slug, 0, 0, 0]).replace("/0/0/0.json", "/{z}/{x}/{y}.json")


@register.simple_tag(takes_context=True)
def current_jurisdiction(context):
    """The city a page is about (a jurisdiction's page, or a request's), for the header; None on the home page."""
    if context.get("jurisdiction") is not None:
        return context["jurisdiction"]
    sr = context.get("sr")
    return getattr(sr, "jurisdiction", None)


@lru_cache(maxsize=64)
def _logo_path(slug: str) -> str:
    for extension in ("svg", "png"):
        if finders.find(f"frontend/logos/{slug}.{extension}"):
            return f"frontend/logos/{slug}.{extension}"
    return "frontend/logos/default.svg"


@register.simple_tag
def city_logo(jurisdiction) -> str:
    """The city's logo: drop frontend/logos/<jurisdiction slug>.svg (or .png) into the static files to show it."""
    return static(_logo_path(jurisdiction.slug if jurisdiction else ""))
