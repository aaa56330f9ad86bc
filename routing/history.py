"""Reading a city's 311 history export through a column map, skipping (and counting) the rows it can't use."""

import csv
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils.translation import gettext as _

from requests_app.models import ServiceRequest
from requests_app.statuses import Status

REQUIRED = ("type", "queue")
KNOWN = ("type", "lat", "long", "department", "queue", "opened", "text")


class BadColumns(ValueError):
    pass


@dataclass(slots=True)
class HistoryRow:
    type: str
    queue: str
    department: str
    lat: float | None
    lon: float | None
    opened: datetime | None
    text: str
    answers: dict = field(default_factory=dict)


def parse_columns(spec: str) -> dict[str, list[str]]:
    """``type=category,lat=latitude,text=a+b`` → {"type": ["category"], "lat": ["latitude"], "text": ["a", "b"]}.

    Raises BadColumns for an unknown key or a missing required one.
    """
    columns = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key, _sep, value = part.partition("=")
        if key not in KNOWN or not value:
            raise BadColumns(
                _("Unknown column mapping %(part)r; use %(known)s.")
                % {"part": part, "known": ", ".join(f"{k}=COLUMN" for k in KNOWN)}
            )
        columns[key] = [v.strip() for v in value.split("+") if v.strip()]
    missing = [k for k in REQUIRED if k not in columns]
    if missing:
        raise BadColumns(_("Map the %(keys)s column(s).") % {"keys": ", ".join(missing)})
    return columns


def department_of_queue(queue: str) -> str:
    """Without a department column, a queue's department is its name up to the first " - " (e.g. "DPW - ...")."""
    return queue.split(" - ")[0].strip()


def _parse_time(text: str) -> datetime | None:
    text = text.strip().removesuffix(" UTC").replace("T", " ").rstrip("Z")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M"):
        try:
            return datetime.strptime(text[:26], fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _coordinate(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value


def read_history(path, columns: dict[str, list[str]]) -> tuple[list[HistoryRow], Counter]:
    """Rows of the export, and a count of what was skipped or left out, by reason.

    Raises BadColumns when a mapped column is not in the file.
    """
    skipped: Counter = Counter()
    rows = []
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader, [])]
        index = {}
        for i, name in enumerate(header):
            if name in index:
                skipped[_("repeated column %(name)s (the first is used)") % {"name": name}] += 1
            else:
                index[name] = i
        missing = sorted({c for cols in columns.values() for c in cols} - set(index))
        if missing:
            raise BadColumns(_("Not in the file: %(columns)s.") % {"columns": ", ".join(missing)})

        def get(record, key):
            return " ".join(record[index[c]].strip() for c in columns.get(key, []) if index[c] < len(record)).strip()

        for record in reader:
            # A million rows name a few hundred types and queues: one string each, not one per row.
            kind, queue = sys.intern(get(record, "type")), sys.intern(get(record, "queue"))
            if not kind or not queue:
                skipped[_("no type or queue")] += 1
                continue
            lat, lon = _coordinate(get(record, "lat")), _coordinate(get(record, "long"))
            if lat is None or lon is None or (lat == 0 and lon == 0) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
                skipped[_("blank or 0,0 coordinates")] += 1
                lat = lon = None
            rows.append(
                HistoryRow(
                    type=kind,
                    queue=queue,
                    department=sys.intern(get(record, "department") or department_of_queue(queue)),
                    lat=lat,
                    lon=lon,
                    opened=_parse_time(get(record, "opened")) if "opened" in columns else None,
                    text=get(record, "text"),
                )
            )
    return rows, skipped


def rows_from_requests(jurisdiction_id: int) -> tuple[list[HistoryRow], Counter]:
    """This installation's own closed requests as history: where each one ended up is where it belonged.

    A staff transfer moved a request to the right place, so its final department and team are the lesson
    (the routing engine's first choice is the mistake being corrected). Requests closed as not ours or as
    duplicates, and those without a team, teach nothing and are counted as skipped.
    """
    skipped: Counter = Counter()
    rows = []
    closed = (
        ServiceRequest.objects.filter(jurisdiction_id=jurisdiction_id, status__in=[Status.RESOLVED, Status.CLOSED])
        .values_list(
            "service_type__name", "team__name", "department__name", "location", "submitted_at", "description", "answers"
        )
        .order_by("submitted_at", "id")
    )
    for kind, team, department, location, submitted_at, description, answers in closed.iterator(chunk_size=5000):
        if not team:
            skipped[_("closed without a team")] += 1
            continue
        rows.append(
            HistoryRow(
                type=kind,
                queue=team,
                department=department or "",
                lat=location.y if location else None,
                lon=location.x if location else None,
                opened=submitted_at,
                text=description or "",
                answers=answers or {},
            )
        )
    return rows, skipped
