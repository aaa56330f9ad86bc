"""Routing throughput and latency.

- Decisions per second routing N pending requests (100,000 by default, ROUTING_BENCH_REQUESTS to change) as the
  sweep does after an outage: batches of 500 locked with SKIP LOCKED, each routed in full (areas, rules,
  classifier, assignment, SLA, duplicates, decision and history rows) in one transaction,
  against 1,000+ area polygons and a rule set of realistic size, next to the raw rate of the same
  point-in-polygon lookups issued one by one in SQL on the same points and polygons.
- Latency of routing one request right after filing it, next to one raw point-in-polygon lookup, and the worker
  CPU it costs (time.process_time around route_request, one request at a time).

Each figure is printed with its aim and whether this run met it.
"""

import os
import random
import time

from django.contrib.gis.geos import Point
from django.db import connection, transaction

from bench.figures import Figure, percentiles, timed_ms
from requests_app.models import Jurisdiction, ServiceRequest, ServiceType
from requests_app.progress import Progress
from requests_app.services import Submission, submit_request
from routing.models import Area, AreaLayer, RoutingRule, RuleSet
from routing.router import route_request
from routing.rulesets import copy_rule_set
from routing.sweep import route_waiting_requests

N = int(os.environ.get("ROUTING_BENCH_REQUESTS", "100000"))
SINGLE = 200  # requests filed and routed one by one
AIM_RATIO = 0.5  # sweep decisions/s against raw point-in-polygon lookups/s
AIM_LATENCY_MS = 100  # routed within this long of filing
AIM_CPU_MS = 2.0  # worker CPU for routing one request
GRID = 32  # 32 × 32 = 1,024 cells, plus the 117 neighborhoods
BBOX = (-122.52, 37.70, -122.36, 37.82)
MARK = "routing-bench-"

GRID_SQL = """
INSERT INTO routing_area (layer_id, code, name, name_translations, boundary)
SELECT %(layer)s, 'cell-' || i || '-' || j, 'Cell ' || i || '/' || j, '{}'::jsonb,
       ST_Multi(ST_MakeEnvelope(%(x0)s + i * %(dx)s, %(y0)s + j * %(dy)s,
                                %(x0)s + (i + 1) * %(dx)s, %(y0)s + (j + 1) * %(dy)s, 4326))
FROM generate_series(0, %(n)s - 1) i, generate_series(0, %(n)s - 1) j
ON CONFLICT DO NOTHING
"""

PENDING_SQL = """
INSERT INTO requests_app_servicerequest
  (jurisdiction_id, public_id, tracking_token_digest, service_type_id, status, priority, location, address, address_id,
   zipcode, description, answers, public_description, public_answers, channel, routing_state, submitted_at,
   updated_at, me_too_count, external_id, overdue, permit_step)
SELECT %(j)s, 'R' || lpad(to_hex(g), 7, '0'), md5('routing' || g::text || clock_timestamp()::text),
       (%(types)s::bigint[])[1 + g %% array_length(%(types)s::bigint[], 1)], 'submitted', 2,
       ST_SetSRID(ST_MakePoint(%(x0)s + random() * %(w)s, %(y0)s + random() * %(h)s), 4326),
       '', '', '', (ARRAY['Deep pothole', 'Graffiti on the wall', 'Streetlight out', 'Overflowing bin',
                         'Blocked sidewalk', ''])[1 + g %% 6],
       '{}'::jsonb, '', '{}'::jsonb, 'web', 'pending', now() - (g %% 600) * interval '1 second',
       now(), 0, %(mark)s || g, false, ''
FROM generate_series(1, %(n)s) AS g
"""


def _grid_layer(jurisdiction) -> AreaLayer:
    layer, _ = AreaLayer.objects.get_or_create(
        jurisdiction=jurisdiction, code="bench-grid", defaults={"name": "Maintenance cells"}
    )
    dx, dy = (BBOX[2] - BBOX[0]) / GRID, (BBOX[3] - BBOX[1]) / GRID
    with connection.cursor() as cursor:
        cursor.execute(GRID_SQL, {"layer": layer.pk, "x0": BBOX[0], "y0": BBOX[1], "dx": dx, "dy": dy, "n": GRID})
    return layer


def _bench_rule_set(jurisdiction, layer) -> tuple[RuleSet, RuleSet | None]:
    """The learned demo rules plus per-cell and word rules in front of them: a few hundred rules."""
    previous = RuleSet.objects.active().filter(jurisdiction=jurisdiction).first()
    draft = copy_rule_set(previous) if previous else RuleSet.objects.create(jurisdiction=jurisdiction, version=999)
    rng = random.Random(7)
    learned = list(draft.rules.filter(department__isnull=False).exclude(team__isnull=True))
    cells = list(Area.objects.filter(layer=layer).values_list("id", flat=True))
    types = list(ServiceType.objects.filter(jurisdiction=jurisdiction))
    extra = []
    for i in range(250):
        target = rng.choice(learned)
        extra.append(
            RoutingRule(
                rule_set=draft,
                order=i,
                name=f"cell rule {i}",
                service_type=rng.choice(types),
                area_id=rng.choice(cells),
                department_id=target.department_id,
                team_id=target.team_id,
            )
        )
    for i, word in enumerate(["needle", "flooding", "fallen tree", "gas", "injured"]):
        target = rng.choice(learned)
        extra.append(
            RoutingRule(
                rule_set=draft,
                order=250 + i,
                name=f"word {word}",
                words=[word],
                department_id=target.department_id,
                team_id=target.team_id,
                set_priority=4,
            )
        )
    RoutingRule.objects.bulk_create(extra)
    RoutingRule.objects.filter(rule_set=draft, name__startswith="cell rule").update(order=0)
    for rule in learned:  # learned rules follow the extra ones
        RoutingRule.objects.filter(pk=rule.pk).update(order=1000 + rule.order)
    with transaction.atomic():
        RuleSet.objects.filter(jurisdiction=jurisdiction, state=RuleSet.State.ACTIVE).update(
            state=RuleSet.State.RETIRED
        )
        draft.state = RuleSet.State.ACTIVE
        draft.save(update_fields=["state"])
    return draft, previous


def _restore(jurisdiction, bench_rules: RuleSet, previous: RuleSet | None) -> None:
    with connection.cursor() as cursor:
        ids = "SELECT id FROM requests_app_servicerequest WHERE external_id LIKE 'routing-bench-%%' OR id = ANY(%s)"
        filed = list(
            ServiceRequest.objects.filter(routing_decisions__rule_set=bench_rules)
            .exclude(external_id__startswith=MARK)
            .values_list("pk", flat=True)
        )
        for table, column in (
            ("routing_possibleduplicate", "service_request_id"),
            ("routing_possibleduplicate", "candidate_id"),
            ("requests_app_statuschange", "service_request_id"),
            ("routing_routingdecision", "service_request_id"),
            ("routing_slaclock", "service_request_id"),
            ("routing_escalationnotice", "service_request_id"),
            ("contacts_contact", "service_request_id"),
            ("requests_app_servicerequest", "id"),
        ):
            if table == "routing_routingdecision":
                cursor.execute(
                    f"DELETE FROM routing_routingdecision_areas WHERE routingdecision_id IN "
                    f"(SELECT id FROM routing_routingdecision WHERE service_request_id IN ({ids}))",
                    [filed],
                )
            cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({ids})", [filed])
    with transaction.atomic():
        bench_rules.delete()
        if previous:
            RuleSet.objects.filter(pk=previous.pk).update(state=RuleSet.State.ACTIVE)


def _raw_lookups_per_second(points, layer_ids) -> float:
    sql = (
        "SELECT id FROM routing_area WHERE layer_id = ANY(%s) "
        "AND ST_Covers(boundary, ST_SetSRID(ST_MakePoint(%s, %s), 4326))"
    )
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for x, y in points:
            cursor.execute(sql, [layer_ids, x, y])
            cursor.fetchall()
        return len(points) / (time.perf_counter() - started)


def run(jurisdiction_id: int) -> list[Figure]:
    jurisdiction = Jurisdiction.objects.get(pk=jurisdiction_id)
    layer = _grid_layer(jurisdiction)
    layer_ids = list(AreaLayer.objects.filter(jurisdiction=jurisdiction).values_list("id", flat=True))
    polygons = Area.objects.filter(layer_id__in=layer_ids).count()
    bench_rules, previous = _bench_rule_set(jurisdiction, layer)
    try:
        types = list(ServiceType.objects.filter(jurisdiction=jurisdiction).values_list("id", flat=True))
        with connection.cursor() as cursor:
            cursor.execute(
                PENDING_SQL,
                {
                    "j": jurisdiction_id,
                    "types": types,
                    "x0": BBOX[0],
                    "y0": BBOX[1],
                    "w": BBOX[2] - BBOX[0],
                    "h": BBOX[3] - BBOX[1],
                    "n": N,
                    "mark": MARK,
                },
            )
            cursor.execute("ANALYZE requests_app_servicerequest")
        pending = list(
            ServiceRequest.objects.filter(external_id__startswith=MARK)
            .order_by("pk")
            .values_list("location", flat=True)
        )
        print(
            f"routing {len(pending):,} pending requests against {polygons:,} polygons and "
            f"{bench_rules.rules.count()} rules",
            flush=True,
        )
        progress = Progress(len(pending), "routing", None)
        started = time.perf_counter()
        while routed := route_waiting_requests(older_than_seconds=0, limit=5000):
            progress.advance(routed)
        rate = len(pending) / (time.perf_counter() - started)
        progress.finish()
        assert not ServiceRequest.objects.filter(external_id__startswith=MARK).waiting_for_routing().exists()
        points = [(loc.x, loc.y) for loc in pending[: min(len(pending), 20_000)]]
        raw_rate = _raw_lookups_per_second(points, layer_ids)

        st = ServiceType.objects.filter(jurisdiction=jurisdiction).order_by("pk").first()
        rng = random.Random(11)

        def file_then_route():
            point = Point(BBOX[0] + rng.random() * 0.16, BBOX[1] + rng.random() * 0.12, srid=4326)
            sr = submit_request(Submission(service_type=st, location=point, description="Deep pothole"))
            started, cpu_started = time.perf_counter(), time.process_time()
            route_request(sr.pk)
            cpu.append((time.process_time() - cpu_started) * 1000)
            samples.append((time.perf_counter() - started) * 1000)

        samples: list[float] = []
        cpu: list[float] = []
        for _ in range(SINGLE):
            file_then_route()
        p50, p95 = percentiles(samples)
        cpu_ms = sum(cpu) / len(cpu)
        raw_ms = timed_ms(lambda: _raw_lookups_per_second(points[:1], layer_ids), 200)
        raw_p50, raw_p95 = percentiles(raw_ms)
    finally:
        _restore(jurisdiction, bench_rules, previous)
    ratio = rate / raw_rate
    for label, met in (
        (
            f"sweep decisions/s {rate:,.0f} / raw PIP lookups/s {raw_rate:,.0f} = {ratio:.2f} (aim ≥ {AIM_RATIO})",
            ratio >= AIM_RATIO,
        ),
        (f"routed within {p95:.1f} ms of filing, p95 (aim ≤ {AIM_LATENCY_MS} ms)", p95 <= AIM_LATENCY_MS),
        (f"worker CPU {cpu_ms:.2f} ms per request routed one by one (aim < {AIM_CPU_MS} ms)", cpu_ms < AIM_CPU_MS),
    ):
        print(f"routing: {label}: {'met' if met else 'NOT met'}", flush=True)
    return [
        Figure(
            "routing",
            f"decisions/s ({len(pending):,} pending, {polygons:,} polygons)",
            rate,
            raw_rate,
            "req/s",
            True,
            "raw PIP lookups/s",
        ),
        Figure("routing", "route right after filing p50", p50, raw_p50, "ms", False, "raw PIP lookup"),
        Figure("routing", "route right after filing p95", p95, raw_p95, "ms", False, "raw PIP lookup"),
        Figure("routing", f"worker CPU per request ({SINGLE} one by one)", cpu_ms, AIM_CPU_MS, "ms", False, "aim"),
    ]
