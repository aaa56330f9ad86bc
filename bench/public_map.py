"""The public map and open data on the benchmark dataset.

Tiles: p50/p95 latency of the tile endpoint (through Django, with the Redis tile cache off, so every tile is
computed) at city, district and street zoom, next to the hand-written PostGIS query that produces the same
tile, timed in the same run. Export: rows per second of the streamed CSV export next to a raw COPY of the
same rows and columns.
"""

import random
import time

from django.db import connection
from django.test import Client, override_settings

from bench.figures import Figure, percentiles, timed_ms
from frontend.public.selectors import CLUSTER_CELLS, MAX_POINTS_PER_TILE, POINTS_ZOOM
from frontend.public.tiles import tile_for
from requests_app.models import Jurisdiction
from requests_app.public_location import GRID_DEGREES
from requests_app.statuses import OPEN_STATUSES

ZOOMS = {"city": 12, "district": 14, "street": 17}
TILES_PER_ZOOM = 12
REPEAT = 3
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

PUBLIC = """
  SELECT sr.public_id, sr.status, sr.submitted_at,
         CASE WHEN st.sensitive THEN round((round(ST_X(sr.location) / {g}) * {g})::numeric, 6)::float8
              ELSE ST_X(sr.location) END AS px,
         CASE WHEN st.sensitive THEN round((round(ST_Y(sr.location) / {g}) * {g})::numeric, 6)::float8
              ELSE ST_Y(sr.location) END AS py
  FROM requests_app_servicerequest sr JOIN requests_app_servicetype st ON st.id = sr.service_type_id
  WHERE sr.jurisdiction_id = %(j)s
    AND sr.location && ST_MakeEnvelope(%(w)s - {g}, %(s)s - {g}, %(e)s + {g}, %(n)s + {g}, 4326)
""".format(g=repr(GRID_DEGREES))

RAW_CLUSTERS = f"""
SELECT floor((px - %(w)s) / %(cx)s), floor((py - %(s)s) / %(cy)s), count(*),
       count(*) FILTER (WHERE status = ANY(%(open)s)), avg(px), avg(py)
FROM ({PUBLIC}) p
WHERE px >= %(w)s AND px < %(e)s AND py > %(s)s AND py <= %(n)s
GROUP BY 1, 2
"""

RAW_POINTS = f"""
SELECT public_id, status, px, py FROM ({PUBLIC}) p
WHERE px >= %(w)s AND px < %(e)s AND py > %(s)s AND py <= %(n)s
ORDER BY submitted_at DESC LIMIT {MAX_POINTS_PER_TILE + 1}
"""

RAW_EXPORT = f"""
COPY (
  SELECT sr.public_id, st.code, st.name, st."group", sr.status, d.code, sr.submitted_at, sr.acknowledged_at,
         sr.closed_at, sr.expected_at, p.px, p.py, st.sensitive,
         CASE WHEN st.sensitive THEN '' ELSE sr.address END, sr.public_description, sr.me_too_count
  FROM requests_app_servicerequest sr
  JOIN requests_app_servicetype st ON st.id = sr.service_type_id
  LEFT JOIN routing_department d ON d.id = sr.department_id
  CROSS JOIN LATERAL (SELECT
         CASE WHEN st.sensitive
              THEN round((round(ST_X(sr.location) / {GRID_DEGREES!r}) * {GRID_DEGREES!r})::numeric, 6)::float8
              ELSE ST_X(sr.location) END AS px,
         CASE WHEN st.sensitive
              THEN round((round(ST_Y(sr.location) / {GRID_DEGREES!r}) * {GRID_DEGREES!r})::numeric, 6)::float8
              ELSE ST_Y(sr.location) END AS py) p
  WHERE sr.jurisdiction_id = %s
) TO STDOUT WITH (FORMAT csv, HEADER)
"""


def _tiles(z: int, rng: random.Random):
    # Where the benchmark data lies (bench/dataset.py): San Francisco.
    return [tile_for(-122.50 + rng.random() * 0.13, 37.72 + rng.random() * 0.08, z) for _ in range(TILES_PER_ZOOM)]


def _raw_tile(jurisdiction_id: int, tile) -> int:
    west, south, east, north = tile.bounds()
    params = {
        "j": jurisdiction_id,
        "w": west,
        "s": south,
        "e": east,
        "n": north,
        "cx": (east - west) / CLUSTER_CELLS,
        "cy": (north - south) / CLUSTER_CELLS,
        "open": list(OPEN_STATUSES),
    }
    with connection.cursor() as cursor:
        cursor.execute(RAW_POINTS if tile.z >= POINTS_ZOOM else RAW_CLUSTERS, params)
        return len(cursor.fetchall())


def _tile_figures(jurisdiction, client) -> list[Figure]:
    rng = random.Random(311)
    figures = []
    for label, z in ZOOMS.items():
        tiles = _tiles(z, rng)
        urls = [f"/map/{jurisdiction.slug}/tiles/{t.z}/{t.x}/{t.y}.json" for t in tiles]
        for url in urls[:2]:
            client.get(url)  # warm the connection and the page cache
        project, raw = [], []
        for _ in range(REPEAT):
            for url, tile in zip(urls, tiles, strict=False):
                project += timed_ms(lambda url=url: _ok(client.get(url)), 1)
                raw += timed_ms(lambda tile=tile: _raw_tile(jurisdiction.pk, tile), 1)
        p50, p95 = percentiles(project)
        raw50, raw95 = percentiles(raw)
        figures.append(Figure("public_map", f"tile z{z} ({label}) p50", p50, raw50, "ms", False, "raw PostGIS query"))
        figures.append(Figure("public_map", f"tile z{z} ({label}) p95", p95, raw95, "ms", False, "raw PostGIS query"))
    return figures


def _ok(response):
    assert response.status_code == 200, response.status_code
    return response


def _export_figure(jurisdiction, client) -> Figure:
    started = time.perf_counter()
    response = _ok(client.get(f"/open-data/{jurisdiction.slug}/requests.csv"))
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
    project = lines / (time.perf_counter() - started)

    started = time.perf_counter()
    copied = 0
    with connection.cursor() as cursor:
        with cursor.connection.cursor().copy(RAW_EXPORT, [jurisdiction.pk]) as copy:
            for chunk in copy:
                copied += bytes(chunk).count(b"\n")
    raw = (copied - 1) / (time.perf_counter() - started)
    print(f"  export: {lines:,} rows streamed, {copied - 1:,} rows copied", flush=True)
    # Issue 15's aim: within half of the raw COPY.
    return Figure("public_map", "CSV export rows/s", project, raw, "rows/s", True, "raw COPY", 0.5)


def run(jurisdiction_id: int) -> list[Figure]:
    jurisdiction = Jurisdiction.objects.get(pk=jurisdiction_id)
    client = Client()
    with override_settings(CACHES=NO_CACHE, ALLOWED_HOSTS=["testserver"]):
        figures = _tile_figures(jurisdiction, client)
        figures.append(_export_figure(jurisdiction, client))
    return figures
