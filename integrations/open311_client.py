"""Civic311 as an Open311 GeoReport v2 client of another server, as FixMyStreet's Open311 integration is:
POST requests, resolve tokens, then read servicerequestupdates (or requests) for what happened there.

GeoReport names appear only at the edges that speak it (here and open311/), in the words of open311_format;
statuses map back through the same table the server side uses for FixMyStreet updates (open311_format.mapping).
"""

from urllib.parse import urlencode

import httpx
from django.conf import settings

from open311_format.mapping import parse_w3c, w3c


class ReceiverError(Exception):
    """The other side failed or refused. ``permanent``: retrying the same message can't help (a 4xx)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


# 4xx answers that may well pass later (timeouts, conflicts, rate limits) are retried like 5xx.
RETRYABLE_4XX = {408, 409, 425, 429}


def raise_for(response: httpx.Response) -> None:
    if response.is_success:
        return
    detail = ""
    try:
        body = response.json()
        if isinstance(body, list) and body and isinstance(body[0], dict):
            detail = str(body[0].get("description", ""))[:200]
    except ValueError:
        pass
    code = response.status_code
    permanent = 400 <= code < 500 and code not in RETRYABLE_4XX
    raise ReceiverError(f"HTTP {code} {detail}".strip(), permanent=permanent)


def http_client() -> httpx.Client:
    return httpx.Client(
        timeout=settings.INTEGRATIONS_HTTP_TIMEOUT_SECONDS, follow_redirects=False, headers={"user-agent": "Civic311"}
    )


def _call(method: str, url: str, **kwargs) -> httpx.Response:
    try:
        with http_client() as client:
            response = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise ReceiverError(type(exc).__name__) from None
    raise_for(response)
    return response


def _rows(response: httpx.Response) -> list[dict]:
    """The JSON list of an answer, its non-object items dropped. Raises ReceiverError for anything else."""
    try:
        body = response.json()
    except ValueError:
        raise ReceiverError(f"HTTP {response.status_code} without JSON") from None
    if not isinstance(body, list):
        raise ReceiverError(f"HTTP {response.status_code} without a JSON list")
    return [row for row in body if isinstance(row, dict)]


def _common(destination) -> dict:
    params = {"api_key": destination.api_key} if destination.api_key else {}
    if destination.remote_jurisdiction_id:
        params["jurisdiction_id"] = destination.remote_jurisdiction_id
    return params


def request_fields(
    *,
    destination,
    service_code: str,
    lat=None,
    lon=None,
    address: str = "",
    address_id: str = "",
    description: str = "",
    answers: dict | None = None,
    media_url: str = "",
    contact: dict | None = None,
) -> list[tuple[str, str]]:
    """The form fields of POST requests (repeated keys for multivaluelist answers)."""
    fields = list(_common(destination).items()) + [("service_code", service_code)]
    if lat is not None:
        fields += [("lat", f"{lat:.6f}"), ("long", f"{lon:.6f}")]
    if address:
        fields.append(("address_string", address))
    if address_id:
        fields.append(("address_id", address_id))
    if description:
        fields.append(("description", description[:4000]))
    for code, value in (answers or {}).items():
        if isinstance(value, list):
            fields += [(f"attribute[{code}][]", str(v)) for v in value]
        else:
            fields.append((f"attribute[{code}]", str(value)))
    if media_url:
        fields.append(("media_url", media_url))
    fields += [(name, value) for name, value in (contact or {}).items()]
    return fields


def post_request(destination, fields: list[tuple[str, str]]) -> tuple[str, str]:
    """File a request at the destination. Returns (its service_request_id, its token); one may be empty.

    Raises ReceiverError.
    """
    response = _call(
        "POST",
        destination.url + "requests.json",
        content=urlencode(fields).encode(),
        headers={"content-type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    rows = _rows(response)
    if not rows:
        raise ReceiverError("HTTP 200 without a request in the answer")
    first = rows[0]
    external_id, token = str(first.get("service_request_id") or ""), str(first.get("token") or "")
    if not (external_id or token):
        raise ReceiverError("HTTP 200 without service_request_id or token")
    return external_id, token


def id_for_token(destination, token: str) -> str:
    """The service_request_id a token turned into, or "" while it is pending. Raises ReceiverError."""
    response = _call("GET", destination.url + f"tokens/{token}.json", params=_common(destination))
    rows = _rows(response) or [{}]
    return str(rows[0].get("service_request_id") or "")


def updates_between(destination, start, end) -> list[dict] | None:
    """servicerequestupdates in the window as [{key, service_request_id, status, description, at}], or None if
    the server does not offer them (404). Raises ReceiverError."""
    params = _common(destination) | {"start_date": w3c(start), "end_date": w3c(end)}
    try:
        response = _call("GET", destination.url + "servicerequestupdates.json", params=params)
    except ReceiverError as exc:
        if str(exc).startswith("HTTP 404"):
            return None
        raise
    return [
        {
            "key": f"update:{row.get('update_id')}",
            "service_request_id": str(row.get("service_request_id") or ""),
            "status": str(row.get("status") or ""),
            "description": str(row.get("description") or ""),
            "at": parse_w3c(str(row.get("updated_datetime") or "")),
        }
        for row in _rows(response)
        if row.get("update_id") is not None
    ]


def current_states(destination, external_ids: list[str]) -> list[dict]:
    """GET requests for these ids, as updates keyed by status and update time. Raises ReceiverError."""
    if not external_ids:
        return []
    params = _common(destination) | {"service_request_id": ",".join(external_ids)}
    response = _call("GET", destination.url + "requests.json", params=params)
    return [
        {
            "key": f"state:{row.get('status')}@{row.get('updated_datetime')}",
            "service_request_id": str(row.get("service_request_id") or ""),
            "status": str(row.get("status") or ""),
            "description": str(row.get("status_notes") or ""),
            "at": parse_w3c(str(row.get("updated_datetime") or "")),
        }
        for row in _rows(response)
    ]
