"""CSV cells that a spreadsheet would run as a formula are neutralised (CSV injection, OWASP's advice)."""

from django.db.models import Case, CharField, Value, When
from django.db.models.functions import Concat, Left, NullIf
from django.db.models.lookups import In

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as written to a public CSV: text starting like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row) -> list:
    return [safe_cell(value) for value in row]


def safe_text(expression):
    """``safe_cell`` done by PostgreSQL, for exports written by COPY; "" becomes NULL, which COPY writes as an empty
    cell (an empty string it would write as ``""``)."""
    return Case(
        When(In(Left(expression, 1), list(FORMULA_STARTS)), then=Concat(Value("'"), expression)),
        default=NullIf(expression, Value("")),
        output_field=CharField(),
    )
