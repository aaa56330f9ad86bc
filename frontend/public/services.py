"""The map's pre-counted cells (models.MapCell): kept current request by request, or rebuilt in one pass."""

from django.db import connection, transaction

from requests_app.public_location import GRID_DEGREES

# The zooms served from cells; below the lowest the lowest band's cells are summed, from POINTS_ZOOM on the map
# shows single requests (selectors.POINTS_ZOOM).
LOWEST_BAND = 10
HIGHEST_BAND = 15
# Cells per tile side = 2 ** CELL_LEVELS: 8 cells, about 32 px on a 256 px tile.
CELL_LEVELS = 3

_SNAP = f"round((round(%s / {GRID_DEGREES!r}) * {GRID_DEGREES!r})::numeric, 6)::float8"

# What each request adds: its published point (sensitive types snapped, as expressions.public_x does), its filters
# and its local day. {where} picks the requests.
_FRESH = f"""
  SELECT sr.id, sr.jurisdiction_id, sr.service_type_id, sr.department_id, sr.status,
         (sr.submitted_at AT TIME ZONE j.timezone)::date AS day,
         CASE WHEN st.sensitive THEN {_SNAP % "ST_X(sr.location)"} ELSE ST_X(sr.location) END AS px,
         CASE WHEN st.sensitive THEN {_SNAP % "ST_Y(sr.location)"} ELSE ST_Y(sr.location) END AS py
  FROM requests_app_servicerequest sr
  JOIN requests_app_servicetype st ON st.id = sr.service_type_id
  JOIN requests_app_jurisdiction j ON j.id = sr.jurisdiction_id
  WHERE sr.location IS NOT NULL AND {{where}}
"""

_COLUMNS = "jurisdiction_id, service_type_id, department_id, status, day, px, py"

# Each change, in and out, added to every band and span in one statement; keys are grouped first, so that one
# statement never updates a cell twice, and in key order, so that concurrent changes lock cells in one order.
_APPLY = f"""
INSERT INTO public_mapcell (jurisdiction_id, band, span, cx, cy, period, service_type_id, department_id, status,
                            n, sum_x, sum_y)
SELECT d.jurisdiction_id, b.band, s.span,
       floor((d.px + 180) / 360 * (1 << (b.band + {CELL_LEVELS})))::int,
       floor((1 - asinh(tan(radians(d.py))) / pi()) / 2 * (1 << (b.band + {CELL_LEVELS})))::int,
       CASE s.span WHEN 'm' THEN date_trunc('month', d.day)::date WHEN 'd' THEN d.day END,
       d.service_type_id, d.department_id, d.status, sum(d.delta), sum(d.delta * d.px), sum(d.delta * d.py)
FROM delta d
CROSS JOIN generate_series({LOWEST_BAND}, {HIGHEST_BAND}) b(band)
CROSS JOIN (VALUES ('a'), ('m'), ('d')) s(span)
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
HAVING sum(d.delta) <> 0
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9
ON CONFLICT (jurisdiction_id, band, span, cx, cy, period, service_type_id, department_id, status) DO UPDATE
SET n = public_mapcell.n + EXCLUDED.n, sum_x = public_mapcell.sum_x + EXCLUDED.sum_x,
    sum_y = public_mapcell.sum_y + EXCLUDED.sum_y
"""

_RECOUNT = f"""
WITH fresh AS ({_FRESH.format(where="sr.id = ANY(%(ids)s)")}),
gone AS (DELETE FROM public_mapcellmember WHERE service_request_id = ANY(%(ids)s) RETURNING {_COLUMNS}),
kept AS (INSERT INTO public_mapcellmember (service_request_id, {_COLUMNS}) SELECT id, {_COLUMNS} FROM fresh),
delta AS (SELECT {_COLUMNS}, -1 AS delta FROM gone UNION ALL SELECT {_COLUMNS}, 1 FROM fresh)
{_APPLY}
"""

_REBUILD = f"""
WITH fresh AS ({_FRESH.format(where="sr.jurisdiction_id = %(j)s")}),
kept AS (INSERT INTO public_mapcellmember (service_request_id, {_COLUMNS}) SELECT id, {_COLUMNS} FROM fresh),
delta AS (SELECT {_COLUMNS}, 1 AS delta FROM fresh)
{_APPLY}
"""


def count_on_map(request_ids) -> None:
    """Take these requests' last counts out of the map cells and put their present state in (a filing, a status
    change, a routing that changed type or department). Its own transaction, so call it after the change commits."""
    ids = sorted(set(request_ids))
    if not ids:
        return
    # Cells a change empties stay, at zero, until the next rebuild: tiles skip them (selectors.map_cells).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_RECOUNT, {"ids": ids})


@transaction.atomic
def rebuild_map_cells(jurisdiction) -> None:
    """Count every request of the jurisdiction into the map cells anew (after a bulk load, or to repair)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM public_mapcell WHERE jurisdiction_id = %s", [jurisdiction.pk])
        cursor.execute("DELETE FROM public_mapcellmember WHERE jurisdiction_id = %s", [jurisdiction.pk])
        cursor.execute(_REBUILD, {"j": jurisdiction.pk})
