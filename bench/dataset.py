"""The benchmark database: a separate PostGIS database with the demo city's types, areas and teams and
N synthetic requests spread over San Francisco, made once in SQL and reused by every benchmark."""

import os
import sys

import environ


def use_bench_database() -> None:
    """Point Django at the benchmark database (before django.setup())."""
    from pathlib import Path

    state_env = Path(__file__).resolve().parent.parent / ".state" / "env"
    environ.Env.read_env(state_env, overwrite=False)
    url = os.environ.get("DATABASE_URL", "postgis://civic311:civic311@127.0.0.1:5432/civic311")
    base, name = url.rsplit("/", 1)
    os.environ["DATABASE_URL"] = f"{base}/{name}_bench"  # beside the app's database, never in it
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _create_database_if_missing() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    bench_db = db["NAME"]
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    ) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", [bench_db]).fetchone():
            conn.execute(f'create database "{bench_db}"')
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"],
        dbname=bench_db,
        autocommit=True,
    ) as conn:
        conn.execute("create extension if not exists postgis")


FILL_SQL = """
WITH types AS (SELECT array_agg(id ORDER BY id) AS ids FROM requests_app_servicetype WHERE jurisdiction_id = %(j)s),
     teams AS (SELECT array_agg(t.id ORDER BY t.id) AS ids, array_agg(t.department_id ORDER BY t.id) AS depts
               FROM routing_team t JOIN routing_department d ON d.id = t.department_id WHERE d.jurisdiction_id = %(j)s)
INSERT INTO requests_app_servicerequest
  (jurisdiction_id, public_id, tracking_token_digest, service_type_id, status, priority, location, address, address_id,
   zipcode, description, answers, public_description, public_answers, channel, department_id, team_id, routing_state,
   submitted_at, updated_at,
   acknowledged_at, closed_at, me_too_count, external_id, overdue, permit_step)
SELECT %(j)s,
       'B' || lpad(to_hex(g), 7, '0'),
       md5(g::text || clock_timestamp()::text) || md5(g::text),
       types.ids[1 + (g * 7919) %% array_length(types.ids, 1)],
       CASE WHEN g %% 20 = 0 THEN 'acknowledged' WHEN g %% 20 = 1 THEN 'in_progress' ELSE 'closed' END,
       2,
       ST_SetSRID(ST_MakePoint(-122.51 + random() * 0.15, 37.71 + random() * 0.10), 4326),
       'Synthetic address ' || g, '', '', 'Synthetic request ' || g, '{}'::jsonb,
       'Synthetic request ' || g, '{}'::jsonb, 'web',
       teams.depts[1 + (g * 104729) %% array_length(teams.ids, 1)],
       teams.ids[1 + (g * 104729) %% array_length(teams.ids, 1)],
       'routed',
       now() - (g %% 365) * interval '1 day' - (g %% 1440) * interval '1 minute',
       now() - (g %% 365) * interval '1 day',
       now() - (g %% 365) * interval '1 day' - (g %% 1440) * interval '1 minute' + interval '2 hours',
       CASE WHEN g %% 20 > 1 THEN now() - (g %% 365) * interval '1 day' END,
       0, 'bench-' || g, false, ''
FROM generate_series(%(start)s::bigint, %(stop)s::bigint) AS g, types, teams
"""


def ensure_bench_data(n: int = 1_000_000, stream=sys.stdout) -> int:
    """Make sure the benchmark database holds at least ``n`` requests; returns the jurisdiction id."""
    _create_database_if_missing()
    from django.core.management import call_command
    from django.db import connection

    from requests_app.models import Jurisdiction, ServiceRequest
    from requests_app.progress import Progress

    call_command("migrate", "--no-input", verbosity=0)
    # Every run: the loader is idempotent, and it brings an older benchmark database up to the current demo
    # (areas, types, an active rule set).
    call_command("load_demo", sf_rows=2000, no_accounts=True, stdout=stream)
    jurisdiction = Jurisdiction.objects.get(slug="sfgov.org")
    have = ServiceRequest.objects.filter(external_id__startswith="bench-").count()
    if have >= n:
        return jurisdiction.pk
    progress = Progress(n - have, f"benchmark data ({n:,} requests)", stream)
    step = 50_000
    for start in range(have + 1, n + 1, step):
        stop = min(start + step - 1, n)
        with connection.cursor() as cursor:
            cursor.execute(FILL_SQL, {"j": jurisdiction.pk, "start": start, "stop": stop})
        progress.advance(stop - start + 1)
    progress.finish()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE requests_app_servicerequest")
    return jurisdiction.pk
