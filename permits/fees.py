"""What a permit costs: fixed, per day of its dates, or per metre of street it takes."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .pipeline import FeeKind


def permit_fee(*, fee_kind: str, amount: Decimal, starts_on: date, ends_on: date, length_m: float) -> Decimal:
    """The fee, rounded to cents; days count both ends (Monday to Friday is five days), metres round up."""
    if fee_kind == FeeKind.PER_DAY:
        units = Decimal((ends_on - starts_on).days + 1)
    elif fee_kind == FeeKind.PER_METRE:
        units = Decimal(max(1, int(-(-length_m // 1))))
    else:
        units = Decimal(1)
    return (Decimal(amount) * units).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
