"""A department's question to the requester: a public note on their page and, under their consent to questions, a
message pointing there."""

from django.db import transaction
from django.utils.translation import gettext as _

from requests_app.exceptions import InvalidAction
from requests_app.models import ServiceRequest
from requests_app.services import check_open, record_change
from staffing.models import HistoryScope
from staffing.services import keep_scope

from .purposes import Purpose
from .selectors import live_purposes


@transaction.atomic
def ask_requester(service_request, *, question: str, by) -> ServiceRequest:
    """Ask the requester a question: a public note on their page, and a message if they consented to questions.

    Raises InvalidAction without a question, for a closed request, or without a live consent to questions.
    """
    sr = ServiceRequest.objects.select_for_update().get(pk=service_request.pk)
    check_open(sr)
    question = question.strip()
    if not question:
        raise InvalidAction(_("Write the question."))
    if Purpose.DEPARTMENT_QUESTIONS not in live_purposes(sr.pk):
        raise InvalidAction(_("The requester did not agree to questions from the department."))
    # The message (contacts.receivers.message_for) carries the request's id only: the question is on the page.
    sr = record_change(
        sr, by=by, public_note=question, internal_note=_("Question sent to the requester."), question=True
    )
    return keep_scope(sr, HistoryScope.Kind.NOTE)
