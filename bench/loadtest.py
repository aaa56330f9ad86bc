"""`make loadtest`: a mixed workload against a running Civic311 (gunicorn with production settings and a Celery
worker, started by scripts/loadtest.sh), at a set rate for a set time, ending with bench/loadgen's report plus
the acknowledged-versus-stored count of filings.

Mix: filing through Open311 POST (with an API key made for the run), private tracking pages, public request
pages, map tiles, Open311 GETs and the staff queue of a signed-in staff member. Exit status 1 on any error or
on a filing acknowledged but not stored (or stored twice).

    python -m bench.loadtest --base-url http://127.0.0.1:8089 --rate 20 --seconds 60
"""

import argparse
import asyncio
import math
import random
import sys
import uuid
from dataclasses import dataclass, field
from importlib import import_module

from bench.loadgen import LoadResult, Outcome, run_load, send_with_retry

# An answer later than this counts as an error (status 0); the run itself ends at most bench.loadgen's grace
# after its time is up, whatever the server does.
REQUEST_DEADLINE_SECONDS = 10
TRACKED_REQUESTS = 10  # filed before the run, for the tracking pages it reads
WEIGHTS = {"file (open311)": 2, "tracking page": 3, "public page": 2, "map tile": 4, "open311 get": 2, "staff queue": 1}


@dataclass
class Plan:
    run_id: str
    slug: str
    service_code: str
    api_key: str
    staff_cookie: dict
    points: list = field(default_factory=list)  # (lon, lat)
    tokens: list = field(default_factory=list)
    public_ids: list = field(default_factory=list)
    tiles: list = field(default_factory=list)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def prepare() -> Plan:
    """The run's own API key and staff session, and the requests, places and tiles to ask for."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.gis.geos import Point
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from open311.services import create_api_key
    from requests_app.models import ServiceRequest, ServiceType
    from requests_app.services import Submission, submit_request
    from routing.models import Team

    service_type = (
        ServiceType.objects.filter(active=True, stops_filing=False, delivery=ServiceType.Delivery.REALTIME)
        .exclude(questions__required=True)
        .select_related("jurisdiction")
        .order_by("pk")
        .first()
    )
    if service_type is None:
        raise SystemExit("No active service type without required questions: load the demo city (make run) first.")
    jurisdiction = service_type.jurisdiction
    _key, raw = create_api_key(application="make loadtest", jurisdiction=jurisdiction, writes_per_minute=1_000_000)

    team = Team.objects.filter(department__jurisdiction=jurisdiction).order_by("pk").first()
    if team is None:
        raise SystemExit(f"{jurisdiction.slug} has no team for the staff queue.")
    user, _created = get_user_model().objects.get_or_create(username="loadtest-staff", defaults={"is_staff": True})
    team.members.add(user)
    # Staff pages need a session verified by an authenticator, as after a sign-in with its code.
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="loadtest", confirmed=True
    )
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session.update(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            DEVICE_ID_SESSION_KEY: device.persistent_id,
        }
    )
    session.create()

    sample = list(
        ServiceRequest.objects.filter(jurisdiction=jurisdiction)
        .exclude(location=None)
        .order_by("-pk")
        .values_list("public_id", "location")[:200]
    )
    if not sample:
        raise SystemExit(f"{jurisdiction.slug} has no requests with a location to look at.")
    plan = Plan(
        run_id=uuid.uuid4().hex[:10],
        slug=jurisdiction.slug,
        service_code=service_type.code,
        api_key=raw,
        staff_cookie={settings.SESSION_COOKIE_NAME: session.session_key},
    )
    for public_id, point in sample:
        plan.public_ids.append(public_id)
        plan.points.append((point.x, point.y))
    # Requests keep only their tokens' digests, so no stored link can be read: the run files the requests whose
    # tracking pages it asks for, and holds their links as a resident would.
    for lon, lat in plan.points[:TRACKED_REQUESTS]:
        sr = submit_request(
            Submission(
                service_type=service_type,
                location=Point(lon, lat, srid=4326),
                description=f"Load test {plan.run_id}: a tracked request",
            )
        )
        plan.tokens.append(sr.tracking_token)
    plan.tiles = sorted({tile_of(lon, lat, z) for lon, lat in plan.points for z in (11, 14, 16)})
    return plan


def scenarios(plan: Plan) -> dict:
    counter = iter(range(10**9))

    async def file(client, deadline):
        lon, lat = random.choice(plan.points)
        number = next(counter)
        # As a careful Open311 client: a shed answer (503, Retry-After) is sent again after the wait, under the
        # same Idempotency-Key, so a retry never files twice.
        response, retries = await send_with_retry(
            lambda: client.post(
                "/open311/v2/requests.json",
                headers={"Idempotency-Key": f"loadtest-{plan.run_id}-{number}"},
                data={
                    "api_key": plan.api_key,
                    "jurisdiction_id": plan.slug,
                    "service_code": plan.service_code,
                    "lat": f"{lat:.6f}",
                    "long": f"{lon:.6f}",
                    "description": f"Load test {plan.run_id} #{number}",
                },
            ),
            deadline,
        )
        acknowledged = None
        if response.status_code == 200:
            body = response.json()[0]
            acknowledged = body.get("service_request_id") or body.get("token")
        return Outcome("", response.status_code, 0, acknowledged, retries)

    def get(path_of, **kwargs):
        async def fetch(client, deadline):
            response = await client.get(path_of(), **kwargs)
            return Outcome("", response.status_code, 0)

        return fetch

    pages = {
        "file (open311)": file,
        "tracking page": get(lambda: f"/track/{random.choice(plan.tokens)}/"),
        "public page": get(lambda: f"/requests/{random.choice(plan.public_ids)}/"),
        "map tile": get(lambda: "/map/{}/tiles/{}/{}/{}.mvt".format(plan.slug, *random.choice(plan.tiles))),
        "open311 get": get(
            lambda: random.choice(
                [
                    f"/open311/v2/requests.json?jurisdiction_id={plan.slug}&page_size=50",
                    f"/open311/v2/requests/{random.choice(plan.public_ids)}.json?jurisdiction_id={plan.slug}",
                    f"/open311/v2/services.json?jurisdiction_id={plan.slug}",
                ]
            )
        ),
        "staff queue": get(lambda: "/staff/", cookies=plan.staff_cookie),
    }
    return {name: (WEIGHTS[name], _bounded(fn)) for name, fn in pages.items()}


def _bounded(fn):
    async def call(client, deadline):
        try:
            return await asyncio.wait_for(fn(client, deadline), REQUEST_DEADLINE_SECONDS)
        except TimeoutError:
            return Outcome("", 0, 0)

    return call


def filings_stored(plan: Plan) -> int:
    from requests_app.models import ServiceRequest

    return ServiceRequest.objects.filter(description__startswith=f"Load test {plan.run_id} #").count()


@dataclass
class Report:
    result: LoadResult
    acknowledged: int
    stored: int

    @property
    def errors(self) -> list[Outcome]:
        # Stricter than loadgen's: a redirect (say, the staff queue sending to sign-in) is an error here too. A
        # shed answer (503 with Retry-After) is the server's honest "not now", counted apart.
        return [o for o in self.result.outcomes if not 200 <= o.status < 300 and not o.shed]

    @property
    def ok(self) -> bool:
        return not self.errors and self.acknowledged == self.stored

    def text(self) -> str:
        statuses = sorted({(o.scenario, o.status) for o in self.errors})
        return (
            self.result.table() + f"\nerrors: {len(self.errors)} {statuses if statuses else ''}"
            f"\nshed (503 with Retry-After): {len(self.result.shed)}"
            f"\nfilings acknowledged: {self.acknowledged}, stored: {self.stored}"
            f" ({'match' if self.acknowledged == self.stored else 'MISMATCH'})"
        )


def run(base_url: str, rate: float, seconds: float, progress=None) -> Report:
    plan = prepare()
    result = asyncio.run(run_load(base_url, scenarios(plan), rate, seconds, progress))
    acknowledged = sum(1 for o in result.outcomes if o.acknowledged_id)
    return Report(result, acknowledged, filings_stored(plan))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:8089")
    parser.add_argument("--rate", type=float, default=20, help="requests started per second")
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from requests_app.progress import Progress

    progress = Progress(int(args.rate * args.seconds), "requests started")
    report = run(args.base_url, args.rate, args.seconds, lambda done, _total: progress.advance(done - progress.done))
    progress.advance(progress.total - progress.done)
    progress.finish()
    print(report.text())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
