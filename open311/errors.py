"""The one Open311 error mapper: every failure of every endpoint becomes
``<errors><error><code/><description/></error></errors>`` (``[{"code", "description"}]`` in JSON)."""

import logging

from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response

from open311_format.mapping import wire_field
from requests_app.exceptions import InvalidSubmission, InvalidTransition
from requests_app.photos import InvalidPhoto

logger = logging.getLogger(__name__)


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str, headers: dict | None = None):
        self.status = status
        self.descriptions = descriptions
        self.headers = headers or {}
        super().__init__("; ".join(descriptions))


def bad_request(*descriptions: str) -> Open311Error:
    return Open311Error(400, *descriptions)


def not_found(description: str) -> Open311Error:
    return Open311Error(404, description)


def forbidden(description: str) -> Open311Error:
    return Open311Error(403, description)


def _submission_errors(errors: dict[str, list[str]]) -> list[str]:
    # Clients look for "<ATTRCODE> required"; the domain already words a missing answer that way.
    descriptions = []
    for field, messages in errors.items():
        for message in messages:
            descriptions.append(message if message.startswith(f"{field} ") else f"{wire_field(field)}: {message}")
    return descriptions


def error_payload(status: int, descriptions) -> list[dict]:
    return [{"code": status, "description": description} for description in descriptions]


def to_open311_error(exc: Exception) -> Open311Error:
    if isinstance(exc, Open311Error):
        return exc
    if isinstance(exc, InvalidSubmission):
        return Open311Error(400, *_submission_errors(exc.errors))
    if isinstance(exc, InvalidTransition):
        return Open311Error(400, str(exc))
    if isinstance(exc, InvalidPhoto):
        return Open311Error(400, f"media: {exc}")
    if isinstance(exc, Http404 | drf_exceptions.NotFound):
        return Open311Error(404, _("Not found."))
    if isinstance(exc, drf_exceptions.MethodNotAllowed):
        return Open311Error(405, str(exc.detail))
    if isinstance(exc, drf_exceptions.UnsupportedMediaType):
        return Open311Error(400, _("Send the body as application/x-www-form-urlencoded or multipart/form-data."))
    if isinstance(exc, drf_exceptions.APIException):
        return Open311Error(400 if exc.status_code >= 500 else exc.status_code, str(exc.detail))
    if isinstance(exc, ValidationError | DataError | ValueError | UnicodeError | SuspiciousOperation):
        logger.info("Open311 input refused: %s", type(exc).__name__)
        return Open311Error(400, _("The request could not be read."))
    raise exc


def error_response(exc: Exception) -> Response:
    error = to_open311_error(exc)
    response = Response(error_payload(error.status, error.descriptions), status=error.status, headers=error.headers)
    response.xml_root, response.xml_item = "errors", "error"
    return response
