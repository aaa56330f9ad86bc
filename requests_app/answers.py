"""Checking a resident's answers against a service type's questions (Open311 datatypes)."""

from datetime import datetime

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .models import Question


def _clean_one(question: Question, raw):
    if question.datatype == Question.Datatype.MULTIVALUELIST:
        values = raw if isinstance(raw, (list, tuple)) else [raw]
        values = [str(v).strip() for v in values if str(v).strip()]
        unknown = [v for v in values if v not in question.allowed_keys]
        if unknown:
            raise ValueError(_("%(values)s is not one of the choices.") % {"values": ", ".join(unknown)})
        return values
    if isinstance(raw, (list, tuple)):
        if len(raw) > 1:
            raise ValueError(_("Give one answer only."))
        raw = raw[0] if raw else ""
    value = str(raw).strip()
    if not value:
        return None
    if question.datatype == Question.Datatype.SINGLEVALUELIST:
        if value not in question.allowed_keys:
            raise ValueError(_("%(value)s is not one of the choices.") % {"value": value})
        return value
    if question.datatype == Question.Datatype.NUMBER:
        try:
            number = float(value)
        except ValueError:
            raise ValueError(_("Enter a number.")) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(_("Enter a number."))
        return int(number) if number.is_integer() else number
    if question.datatype == Question.Datatype.DATETIME:
        parsed = _parse_datetime(value)
        if parsed is None:
            raise ValueError(_("Enter a date and time such as 2024-05-01T14:30:00Z."))
        return parsed.isoformat()
    limit = 4000 if question.datatype == Question.Datatype.TEXT else 500
    if len(value) > limit:
        raise ValueError(_("Keep this under %(limit)d characters.") % {"limit": limit})
    return value


def _parse_datetime(value: str) -> datetime | None:
    try:
        return parse_datetime(value.replace(" ", "+", 1) if "T" in value and " " in value else value)
    except ValueError:
        return None


def clean_answers(questions, raw_answers: dict) -> tuple[dict, dict[str, list[str]]]:
    """Return (answers, errors): answers keyed by question code, errors keyed by question code."""
    answers, errors = {}, {}
    for question in questions:
        if not question.variable:
            continue
        raw = raw_answers.get(question.code)
        try:
            value = _clean_one(question, raw) if raw not in (None, "", []) else None
        except ValueError as exc:
            errors[question.code] = [str(exc)]
            continue
        if value in (None, []):
            if question.required:
                errors[question.code] = [_("%(code)s required") % {"code": question.code}]
            continue
        answers[question.code] = value
    return answers, errors
