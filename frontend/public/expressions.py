"""SQL for the public location, kept consistent with requests_app.public_location.coarsen.

Python's round() and PostgreSQL's round(double precision) both round halves to even, so the grid cell
picked here is the one coarsen() picks; the final round to 6 decimals goes through numeric like Python's.
"""

from django.db.models import Aggregate, BooleanField, Case, CharField, F, FloatField, Func, When

from requests_app.public_location import GRID_DEGREES


class _Coordinate(Func):
    output_field = FloatField()


class StX(_Coordinate):
    function = "ST_X"


class StY(_Coordinate):
    function = "ST_Y"


class Snapped(_Coordinate):
    template = f"round((round(%(expressions)s / {GRID_DEGREES!r}) * {GRID_DEGREES!r})::numeric, 6)::float8"


def _public(axis):
    return Case(
        When(service_type__sensitive=True, then=Snapped(axis("location"))),
        default=axis("location"),
        output_field=FloatField(),
    )


def public_x():
    """The published longitude: coarsened for sensitive service types."""
    return _public(StX)


def public_y():
    """The published latitude: coarsened for sensitive service types."""
    return _public(StY)


def coarsened():
    return Case(When(service_type__sensitive=True, then=True), default=False, output_field=BooleanField())


class Percentile(Aggregate):
    """percentile_cont over an interval or a number, e.g. Percentile(F("closed_at") - F("submitted_at"), 0.9)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def hours_between(start: str, end: str):
    """Hours from one timestamp column to another, as a number."""
    return Func(F(end) - F(start), template="EXTRACT(EPOCH FROM %(expressions)s) / 3600.0", output_field=FloatField())


class IsoUtc(Func):
    """A timestamp as ISO 8601 text in UTC, formatted by PostgreSQL (the export's hot loop then parses no dates)."""

    template = """to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""
    output_field = CharField()
