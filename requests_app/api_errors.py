"""One place that turns domain errors into DRF responses for the JSON APIs (Open311 has its own format)."""

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import InvalidSubmission, InvalidTransition


def exception_handler(exc, context):
    if isinstance(exc, InvalidSubmission):
        return Response({"errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, InvalidTransition):
        return Response({"errors": {"status": [str(exc)]}}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
