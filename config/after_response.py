"""Work a web request causes that must not keep the person waiting: run once its answer is sent.

Django sends ``request_finished`` when the server closes the response, after the last byte went out; a
publish to the broker then costs the worker's time but not the resident's. Outside a web request (a task, a
command) the work runs at once. What is deferred must be safe to lose with the process: a request's routing is,
since the request row itself is the durable queue and the sweep routes what no task did.
"""

import logging
import threading
from collections.abc import Callable

from django.core.signals import request_finished, request_started

logger = logging.getLogger(__name__)

_request = threading.local()  # .deferred: a list while this thread serves a web request


def after_response(work: Callable[[], None]) -> None:
    deferred = getattr(_request, "deferred", None)
    if deferred is None:
        work()
    else:
        deferred.append(work)


def _request_started(**_kwargs) -> None:
    _request.deferred = []


def run_deferred() -> None:
    """Run what this thread deferred and stop deferring: when its response is closed (request_finished)."""
    _request_finished()


def _request_finished(**_kwargs) -> None:
    deferred, _request.deferred = getattr(_request, "deferred", None) or [], None
    for work in deferred:
        try:
            work()
        except Exception:  # noqa: BLE001 - the answer is sent; one failure must not stop the rest
            logger.exception("work after the response failed")


request_started.connect(_request_started, dispatch_uid="config.after_response.started")
request_finished.connect(_request_finished, dispatch_uid="config.after_response.finished")
