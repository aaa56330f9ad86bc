"""Load the demo jurisdictions (San Francisco from real 311 data, Shenzhen from its districts).

Every step is keyed by natural keys (codes, the source's case number), so a rerun adds nothing twice.
"""

import csv
import json
import secrets
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify

from frontend.public.services import rebuild_map_cells
from requests_app.models import Jurisdiction, Photo, Question, ServiceRequest, ServiceType, StatusChange, StreetSegment
from requests_app.progress import Progress
from requests_app.public_ids import new_public_id
from requests_app.public_text import masking_for
from requests_app.services import replace_street_segments
from requests_app.statuses import Channel, RoutingState, Status
from routing.clocks import Calendars, SlaTable, new_clock
from routing.config import ensure_routing_settings
from routing.history import HistoryRow
from routing.learning import learn_rule_set
from routing.models import (
    Area,
    AreaLayer,
    Department,
    EscalationLevel,
    RoutingRule,
    RoutingSettings,
    RuleSet,
    SlaTarget,
    Team,
)
from routing.rulesets import activate_rule_set, next_rule_set_version

from . import catalogue
from .permits import load_demo_permits
from .streets import street_segments_from_intersections

DATA_DIR = Path(__file__).parent / "data"
SF_SLUG = "sfgov.org"
SHENZHEN_SLUG = "sz.gov.cn"
CHUNK = 1000


def _parse_time(text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=UTC)


def _multipolygon(geometry: dict) -> MultiPolygon:
    geom = GEOSGeometry(json.dumps(geometry), srid=4326)
    if geom.geom_type == "Polygon":
        geom = MultiPolygon(geom, srid=4326)
    if not geom.valid:
        geom = geom.buffer(0)
        geom = geom if geom.geom_type == "MultiPolygon" else MultiPolygon(geom, srid=4326)
    return geom


def _load_layer(jurisdiction, code, name, name_zh, features, area_code_of, names_of) -> int:
    layer, _ = AreaLayer.objects.update_or_create(
        jurisdiction=jurisdiction, code=code, defaults={"name": name, "name_translations": {"zh-hans": name_zh}}
    )
    created = 0
    for feature in features:
        area_name, translations = names_of(feature["properties"])
        _area, was_created = Area.objects.update_or_create(
            layer=layer,
            code=area_code_of(feature["properties"]),
            defaults={
                "name": area_name,
                "name_translations": translations,
                "boundary": _multipolygon(feature["geometry"]),
            },
        )
        created += was_created
    return created


def _routing_defaults(jurisdiction, hours: tuple[str, str], holidays: tuple[str, str]) -> RoutingSettings:
    """Weekday business hours closed on the country's and region's public holidays, a triage team, SLA targets
    by priority to acknowledge and to resolve (in business hours), and three escalation levels."""
    routing_settings = ensure_routing_settings(jurisdiction)
    if not routing_settings.business_hours:
        routing_settings.business_hours = {str(day): list(hours) for day in range(5)}
    routing_settings.holiday_country, routing_settings.holiday_subdivision = holidays
    routing_settings.save(update_fields=["business_hours", "holiday_country", "holiday_subdivision"])
    for priority, acknowledge, resolve in ((None, 8, 72), (3, 4, 24), (4, 1, 8)):
        SlaTarget.objects.get_or_create(
            jurisdiction=jurisdiction,
            service_type=None,
            priority=priority,
            defaults={"acknowledge_hours": acknowledge, "hours": resolve},
        )
    for level, after_hours in (
        (EscalationLevel.Level.TEAM_LEAD, 0),
        (EscalationLevel.Level.DEPARTMENT_HEAD, 8),
        (EscalationLevel.Level.OPERATOR, 24),
    ):
        EscalationLevel.objects.get_or_create(
            jurisdiction=jurisdiction, level=level, defaults={"after_hours": after_hours}
        )
    return routing_settings


class Promises:
    """The time the city promised for each imported request: its type's SLA target counted in its department's
    working time from when it was filed, as routing counts it for a request filed today.

    The source's own history stays as it was: an imported request gets no live clock, so nothing escalates a
    years-old row; one still open past its promise is marked overdue, as the staff queue would show it.
    """

    def __init__(self, jurisdiction, routing_settings):
        self.jurisdiction = jurisdiction
        self.sla = SlaTable(jurisdiction.pk)
        self.calendars = Calendars(routing_settings, jurisdiction)
        self.now = timezone.now()

    def record(self, sr: ServiceRequest) -> None:
        clock = new_clock(
            sr,
            start=sr.submitted_at,
            calendar=self.calendars.of(sr.department),
            acknowledge_hours=None,
            resolve_hours=self.sla.hours(sr.service_type_id, sr.priority),
        )
        sr.expected_at = clock.resolve_due_at
        sr.overdue = sr.closed_at is None and sr.expected_at is not None and sr.expected_at < self.now

    def record_missing(self) -> int:
        """Promises for requests imported before the loader recorded them (a rerun on an older demo database)."""
        missing = list(
            ServiceRequest.objects.filter(jurisdiction=self.jurisdiction, expected_at=None, permit__isnull=True)
            .exclude(external_id="")
            .select_related("department")
        )
        for sr in missing:
            self.record(sr)
        ServiceRequest.objects.bulk_update(missing, ["expected_at", "overdue"], batch_size=CHUNK)
        return len(missing)


class DemoLoader:
    def __init__(self, stdout, sf_rows: int | None = None):
        self.stdout = stdout
        self.sf_rows = sf_rows
        self.logins: list[tuple[str, str, str]] = []

    # --- San Francisco -------------------------------------------------------------------------
    def load_san_francisco(self) -> dict:
        with open(DATA_DIR / "sf311_sample.csv", newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        if self.sf_rows is not None:
            rows = rows[: self.sf_rows]
        jurisdiction, _ = Jurisdiction.objects.update_or_create(
            slug=SF_SLUG,
            defaults={
                "name": "San Francisco",
                "name_translations": {"zh-hans": "旧金山"},
                "timezone": "America/Los_Angeles",
                "languages": ["en", "zh-hans"],
                "public_id_prefix": "SF",
                "regions": catalogue.SF_REGIONS,
                "published_contacts": catalogue.SF_PUBLISHED_CONTACTS,
            },
        )
        with open(DATA_DIR / "sf_neighborhoods.geojson", encoding="utf-8") as f:
            features = json.load(f)["features"]
        with transaction.atomic():
            _load_layer(
                jurisdiction,
                "neighborhoods",
                "Neighborhoods",
                "街区",
                features,
                area_code_of=lambda p: slugify(p["name"]),
                names_of=lambda p: (p["name"], {}),
            )
            teams = self._sf_departments_and_teams(jurisdiction, rows)
            service_types = self._sf_service_types(jurisdiction, rows, teams)
            # Before the requests: each imported request gets its promise from these targets, as filing does.
            routing_settings = _routing_defaults(jurisdiction, hours=("08:00", "17:00"), holidays=("US", "CA"))
        promises = Promises(jurisdiction, routing_settings)
        created = self._sf_requests(jurisdiction, rows, teams, service_types, promises)
        promises.record_missing()
        self._sf_routing(jurisdiction, rows, routing_settings)
        self._sf_streets(jurisdiction, rows)
        # Bulk-loaded requests send no signals: the public map's cells are counted once, from what was stored.
        rebuild_map_cells(jurisdiction)
        return {"jurisdiction": jurisdiction, "created": created, "rows": len(rows)}

    def _sf_routing(self, jurisdiction, rows, routing_settings) -> None:
        """Rules learned from the city's own history (the same service as `routing_learn`), made active once."""
        if not routing_settings.general_type_codes:
            # The agencies' "General Request" types are the catch-alls: "not sure" goes there, to triage.
            routing_settings.general_type_codes = sorted(
                ServiceType.objects.filter(jurisdiction=jurisdiction, code__startswith="general-request-").values_list(
                    "code", flat=True
                )
            )
            routing_settings.save(update_fields=["general_type_codes"])
        if RuleSet.objects.active().filter(jurisdiction=jurisdiction).exists():
            return
        history = []
        for r in rows:
            lat, lon = float(r["latitude"] or 0), float(r["longitude"] or 0)
            history.append(
                HistoryRow(
                    type=r["category"],
                    queue=catalogue.sf_team_name(r["agency_name"]),
                    department=catalogue.sf_department_for(r["agency_name"])[1],
                    lat=lat if (lat or lon) else None,
                    lon=lon if (lat or lon) else None,
                    opened=_parse_time(r["created_date"]),
                    text=f"{r['complaint_type']} {r['descriptor']}".strip(),
                )
            )
        layer = AreaLayer.objects.get(jurisdiction=jurisdiction, code="neighborhoods")
        learned = learn_rule_set(jurisdiction, history, layer=layer)
        activate_rule_set(learned.rule_set)
        self.stdout.write(
            f"San Francisco routing: rule set v{learned.rule_set.version} active "
            f"({learned.type_rules} type rules, {learned.area_rules} area rules)"
        )

    def _sf_streets(self, jurisdiction, rows) -> None:
        """Street lines for the map and the place search, traced from the data's intersections; never over
        streets the city imported itself."""
        if StreetSegment.objects.filter(jurisdiction=jurisdiction).exists():
            return
        count = replace_street_segments(jurisdiction, street_segments_from_intersections(rows))
        self.stdout.write(f"San Francisco streets: {count} lines traced from the requests' intersections")

    def _sf_departments_and_teams(self, jurisdiction, rows) -> dict[str, Team]:
        teams = {}
        for queue in sorted({r["agency_name"] for r in rows}):
            code, name, name_zh = catalogue.sf_department_for(queue)
            department, _ = Department.objects.update_or_create(
                jurisdiction=jurisdiction, code=code, defaults={"name": name, "name_translations": {"zh-hans": name_zh}}
            )
            team_name = catalogue.sf_team_name(queue)
            team, _ = Team.objects.get_or_create(
                department=department, code=slugify(team_name)[:80], defaults={"name": team_name}
            )
            teams[queue] = team
        return teams

    def _sf_service_types(self, jurisdiction, rows, teams) -> dict[str, ServiceType]:
        by_category = defaultdict(list)
        for r in rows:
            by_category[r["category"]].append(r)
        service_types = {}
        for category, cat_rows in sorted(by_category.items()):
            main_queue = Counter(r["agency_name"] for r in cat_rows).most_common(1)[0][0]
            department = teams[main_queue].department
            name, name_zh, description, description_zh, words = catalogue.sf_service_text(category)
            st, _ = ServiceType.objects.update_or_create(
                jurisdiction=jurisdiction,
                code=slugify(category)[:60],
                defaults={
                    "name": name,
                    "name_translations": {"zh-hans": name_zh},
                    "description": description or f"{name}: handled mostly by {department.name}.",
                    "description_translations": {"zh-hans": description_zh} if description_zh else {},
                    "group": department.name,
                    "group_translations": department.name_translations,
                    # The data's own words and the words residents search with, in both languages.
                    "keywords": sorted(
                        {w.lower() for w in category.replace("-", " ").split() if len(w) > 3} | set(words)
                    ),
                    "kind": ServiceType.Kind.PERMIT
                    if category in catalogue.SF_PERMIT_CATEGORIES
                    else ServiceType.Kind.PROBLEM,
                    "sensitive": category in catalogue.SF_SENSITIVE_CATEGORIES,
                },
            )
            kinds = sorted({r["complaint_type"].strip() for r in cat_rows if r["complaint_type"].strip()})
            extra = [(key, en, zh) for cat, key, en, zh in catalogue.SF_EXTRA_OPTIONS if cat == category]
            if kinds or extra:
                options = [{"key": key, "name": en, "name_translations": {"zh-hans": zh}} for key, en, zh in extra]
                for k in kinds:
                    label = k.replace("_", " ")
                    options.append(
                        {
                            "key": slugify(k)[:60] or "other",
                            "name": label,
                            "name_translations": {"zh-hans": catalogue.sf_option_zh(label)},
                        }
                    )
                Question.objects.update_or_create(
                    service_type=st,
                    code="kind",
                    defaults={
                        "datatype": Question.Datatype.SINGLEVALUELIST,
                        "order": 1,
                        "required": False,
                        "description": "What kind of problem is it?",
                        "description_translations": {"zh-hans": "是哪一类问题？"},
                        "values": options,
                    },
                )
            Question.objects.update_or_create(
                service_type=st,
                code="details",
                defaults={
                    "datatype": Question.Datatype.STRING,
                    "order": 2,
                    "required": False,
                    "description": "Anything that helps the crew find it (landmark, side of the street)?",
                    "description_translations": {"zh-hans": "有助于找到位置的信息（地标、街道哪一侧）？"},
                },
            )
            service_types[category] = st
        return service_types

    def _sf_requests(self, jurisdiction, rows, teams, service_types, promises) -> int:
        existing = set(
            ServiceRequest.objects.filter(jurisdiction=jurisdiction)
            .exclude(external_id="")
            .values_list("external_id", flat=True)
        )
        todo = [r for r in rows if r["unique_key"] not in existing]
        progress = Progress(len(todo), "San Francisco requests", self.stdout)
        for start in range(0, len(todo), CHUNK):
            chunk = todo[start : start + CHUNK]
            with transaction.atomic():
                self._insert_sf_chunk(jurisdiction, chunk, teams, service_types, promises)
            progress.advance(len(chunk))
        progress.finish()
        return len(todo)

    def _insert_sf_chunk(self, jurisdiction, chunk, teams, service_types, promises) -> None:
        requests, histories, photos = [], [], []
        masking = masking_for(jurisdiction)
        for r in chunk:
            team = teams[r["agency_name"]]
            st = service_types[r["category"]]
            submitted = _parse_time(r["created_date"])
            closed = _parse_time(r["closed_date"])
            updated = _parse_time(r["resolution_action_updated_date"]) or closed or submitted
            is_closed = r["status"].strip().lower() == "closed"
            lat, lon = float(r["latitude"] or 0), float(r["longitude"] or 0)
            complaint = slugify(r["complaint_type"].strip())[:60]
            descriptor = r["descriptor"].strip()
            # The source's descriptors are codes like "Trash_Dumping": shown to people as words.
            description = (
                descriptor.replace("_", " ") if descriptor and descriptor != r["complaint_type"].strip() else ""
            )
            answers = {"kind": complaint} if complaint else {}
            sr = ServiceRequest(
                jurisdiction=jurisdiction,
                public_id=new_public_id(),
                service_type=st,
                status=Status.CLOSED if is_closed else Status.ACKNOWLEDGED,
                location=Point(lon, lat, srid=4326) if (lat or lon) else None,
                address=r["incident_address"].strip()[:300],
                description=description,
                answers=answers,
                public_description=masking.text(description),
                public_answers=masking.answers(answers),
                channel=catalogue.SF_CHANNELS.get(r["source"], Channel.IMPORT),
                department=team.department,
                team=team,
                routing_state=RoutingState.ROUTED,
                submitted_at=submitted,
                updated_at=max(updated, submitted),
                acknowledged_at=submitted,
                # A closed row the source left without a closing date closed when it was last updated.
                closed_at=(closed or max(updated, submitted)) if is_closed else None,
                external_id=r["unique_key"],
            )
            promises.record(sr)
            requests.append(sr)
            notes = masking.text(r["status_notes"].strip())
            histories.append(
                [
                    StatusChange(at=submitted, old_status="", new_status=Status.SUBMITTED),
                    StatusChange(
                        at=submitted,
                        old_status=Status.SUBMITTED,
                        new_status=Status.ACKNOWLEDGED,
                        public_note="" if is_closed else notes,
                    ),
                ]
                + (
                    [
                        StatusChange(
                            at=closed or updated,
                            old_status=Status.ACKNOWLEDGED,
                            new_status=Status.CLOSED,
                            public_note=notes,
                        )
                    ]
                    if is_closed
                    else []
                )
            )
            photos.append(r["media_url"].strip())
        ServiceRequest.objects.bulk_create(requests)
        changes, photo_rows = [], []
        for sr, history, media_url in zip(requests, histories, photos, strict=False):
            for change in history:
                change.service_request = sr
                changes.append(change)
            if media_url.startswith(("http://", "https://")):
                photo_rows.append(
                    Photo(
                        service_request=sr,
                        external_url=media_url[:500],
                        state=Photo.State.PUBLIC,
                        created_at=sr.submitted_at,
                        changed_at=sr.submitted_at,
                    )
                )
        StatusChange.objects.bulk_create(changes)
        Photo.objects.bulk_create(photo_rows)

    # --- Shenzhen ------------------------------------------------------------------------------
    @transaction.atomic
    def load_shenzhen(self) -> Jurisdiction:
        jurisdiction, _ = Jurisdiction.objects.update_or_create(
            slug=SHENZHEN_SLUG,
            defaults={
                "name": "Shenzhen",
                "name_translations": {"zh-hans": "深圳"},
                "timezone": "Asia/Shanghai",
                "languages": ["zh-hans", "en"],
                "public_id_prefix": "SZ",
                "regions": catalogue.SHENZHEN_REGIONS,
                "published_contacts": catalogue.SHENZHEN_PUBLISHED_CONTACTS,
            },
        )
        with open(DATA_DIR / "shenzhen_districts.geojson", encoding="utf-8") as f:
            features = json.load(f)["features"]
        _load_layer(
            jurisdiction,
            "districts",
            "Districts",
            "行政区",
            features,
            area_code_of=lambda p: str(p["adcode"]),
            names_of=lambda p: (catalogue.SHENZHEN_DISTRICTS_EN[str(p["adcode"])], {"zh-hans": p["name"]}),
        )
        departments = {}
        for code, name, name_zh in catalogue.SHENZHEN_DEPARTMENTS:
            department, _ = Department.objects.update_or_create(
                jurisdiction=jurisdiction, code=code, defaults={"name": name, "name_translations": {"zh-hans": name_zh}}
            )
            Team.objects.get_or_create(
                department=department,
                code="general",
                defaults={"name": "General", "name_translations": {"zh-hans": "综合"}},
            )
            departments[code] = department
        service_types = []
        for code, name, name_zh, dept, group, group_zh, kind, sensitive in catalogue.SHENZHEN_SERVICE_TYPES:
            st, _ = ServiceType.objects.update_or_create(
                jurisdiction=jurisdiction,
                code=code,
                defaults={
                    "name": name,
                    "name_translations": {"zh-hans": name_zh},
                    "group": group,
                    "group_translations": {"zh-hans": group_zh},
                    "kind": kind,
                    "sensitive": sensitive,
                    "description": catalogue.SHENZHEN_SERVICE_TEXT[code][0],
                    "description_translations": {"zh-hans": catalogue.SHENZHEN_SERVICE_TEXT[code][1]},
                    "keywords": catalogue.SHENZHEN_SERVICE_TEXT[code][2],
                },
            )
            service_types.append((st, departments[dept]))
        self._shenzhen_routing(jurisdiction, service_types)
        return jurisdiction

    def _shenzhen_routing(self, jurisdiction, service_types) -> None:
        """One rule per service type to its bureau's general team, then the fallback to triage."""
        routing_settings = _routing_defaults(jurisdiction, hours=("09:00", "18:00"), holidays=("CN", ""))
        if RuleSet.objects.active().filter(jurisdiction=jurisdiction).exists():
            return
        rule_set = RuleSet.objects.create(
            jurisdiction=jurisdiction,
            version=next_rule_set_version(jurisdiction),
            note="Demo: one rule per service type",
        )
        rules = [
            RoutingRule(
                rule_set=rule_set,
                order=i,
                name=st.name,
                service_type=st,
                department=department,
                team=department.teams.get(code="general"),
            )
            for i, (st, department) in enumerate(service_types, start=1)
        ]
        rules.append(
            RoutingRule(
                rule_set=rule_set,
                order=len(rules) + 1,
                name="Fallback: triage",
                department=routing_settings.triage_department,
                team=routing_settings.triage_team,
            )
        )
        RoutingRule.objects.bulk_create(rules)
        activate_rule_set(rule_set)

    # --- Permits (demo/permits.py) ------------------------------------------------------------------
    def load_permits(self) -> int:
        """Permit types and applications in every state, for both cities (after both are loaded)."""
        loaded = load_demo_permits(sf_slug=SF_SLUG, shenzhen_slug=SHENZHEN_SLUG, stdout=self.stdout)
        # The applications are filed as residents file them, and a filed request reaches the map's cells once a
        # worker routes it; the demo shows them on the map from the start.
        for jurisdiction in Jurisdiction.objects.filter(slug__in=[SF_SLUG, SHENZHEN_SLUG]):
            rebuild_map_cells(jurisdiction)
        return loaded

    # --- People ---------------------------------------------------------------------------------
    def ensure_demo_accounts(self, known: set[str]) -> list[tuple[str, str, str]]:
        """One staff account per department and one operator.

        ``known`` are the accounts whose passwords the logins file already holds; any other demo account
        gets a fresh password, so the printed logins always work.
        """
        wanted = [("operator", None, "operator (all jurisdictions)")]
        for department in Department.objects.select_related("jurisdiction").order_by("jurisdiction__slug", "code"):
            username = f"staff-{department.jurisdiction.public_id_prefix.lower()}-{department.code}"[:150]
            wanted.append((username, department, f"staff, {department.name} ({department.jurisdiction.name})"))
        User = get_user_model()
        logins = []
        for username, department, role in wanted:
            if username in known:
                continue
            password = secrets.token_urlsafe(9)
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = True
            user.is_superuser = department is None
            user.set_password(password)
            user.save()
            if department is not None:
                # The busiest team of the department, so the demo login lands on a full queue.
                team = department.teams.annotate(load=Count("requests")).order_by("-load", "id").first()
                if team:
                    team.members.add(user)
            logins.append((username, password, role))
        return logins
