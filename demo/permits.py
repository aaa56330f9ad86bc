"""The demo city's permits: a skip on the street and a block party in San Francisco, 占道施工 in Shenzhen, with
a few applications in every state. Filed and decided through the same services as real ones; only the dates
of the demo's ended and running permits are moved into the past afterwards, since nobody can apply for one."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.gis.geos import LineString, Polygon
from django.db import transaction
from django.utils import timezone

from contacts.purposes import Purpose
from contacts.services import ContactDetails
from contacts.wording import PERMIT_WORDING_VERSION
from permits import clock
from permits.models import DocumentRequirement, Permit, PermitType
from permits.pipeline import DocumentKind, FeeKind, GeometryKind, Step
from permits.services import (
    PermitApplication,
    apply_for_permit,
    close_ended_permits,
    complete_step,
    decide_permit,
    mark_fee_paid,
    request_extension,
    request_information,
    revoke_permit,
)
from requests_app.models import Jurisdiction, ServiceRequest, ServiceType
from requests_app.statuses import RoutingState
from routing.models import Department, RoutingRule


def _demo_pdf(title: str) -> bytes:
    """A one-page plain PDF standing in for an applicant's plan."""
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, f"Demo document: {title}")
    page.showPage()
    page.save()
    return out.getvalue()


SF_TYPES = [
    {
        "code": "permit-skip",
        "name": "Skip or dumpster on the street",
        "zh": "街道上放置垃圾箱",
        "description": "Place a skip, dumpster or storage container on the street or in a parking lane.",
        "description_zh": "在街道或停车道上放置垃圾箱或储物箱。",
        "geometry_kind": GeometryKind.LINE,
        "min_notice_days": 3,
        "max_length_days": 30,
        "fee_kind": FeeKind.PER_DAY,
        "fee_amount": Decimal("35.00"),
        "currency": "USD",
        "decision_working_days": 5,
        "steps": [],
        "conditions": [
            ("Light and mark the skip with reflective tape at night.", "夜间须以反光带标示并照明。"),
            ("Keep at least 1.2 m of sidewalk clear for pedestrians.", "人行道须至少留出 1.2 米通行。"),
            ("Cover the skip when not loading.", "不装卸时须加盖。"),
        ],
        "documents": [
            ("site-plan", "Site plan", "现场平面图", [DocumentKind.PDF, DocumentKind.IMAGE], True),
            ("insurance", "Proof of liability insurance", "责任保险证明", [DocumentKind.PDF], True),
        ],
        "department": "public-works",
    },
    {
        "code": "permit-block-party",
        "name": "Block party (street closure)",
        "zh": "街区派对（封路）",
        "description": "Close a residential block to traffic for a neighbourhood event.",
        "description_zh": "为邻里活动封闭住宅街区交通。",
        "geometry_kind": GeometryKind.AREA,
        "min_notice_days": 10,
        "max_length_days": 1,
        "fee_kind": FeeKind.FIXED,
        "fee_amount": Decimal("150.00"),
        "currency": "USD",
        "decision_working_days": 10,
        "steps": [Step.CHECK, Step.DECISION],
        "conditions": [
            ("Keep a 4 m emergency lane open at all times.", "须始终保留 4 米宽的应急通道。"),
            ("Amplified sound ends at 22:00.", "扩音设备须于 22:00 前停止。"),
            ("Barricades are removed and the street swept by 23:00.", "23:00 前拆除路障并清扫街道。"),
        ],
        "documents": [
            (
                "neighbour-signatures",
                "Signatures of neighbours on the block",
                "同街区邻居签名",
                [DocumentKind.PDF, DocumentKind.IMAGE],
                True,
            )
        ],
        "department": "sfmta",
    },
]

SZ_TYPE = {
    "code": "street-use-permit",
    "geometry_kind": GeometryKind.AREA,
    "min_notice_days": 5,
    "max_length_days": 90,
    "fee_kind": FeeKind.PER_DAY,
    "fee_amount": Decimal("200.00"),
    "currency": "CNY",
    "decision_working_days": 15,
    "steps": [],
    "conditions": [
        ("施工区域须设置连续围挡和警示灯。", "Fence the works area continuously with warning lights."),
        ("夜间 22:00 至次日 7:00 禁止高噪声作业。", "No noisy works from 22:00 to 07:00."),
        ("施工结束后三日内恢复路面。", "Restore the road surface within three days of the end."),
    ],
    "documents": [
        ("construction-plan", "施工方案", "Construction plan", [DocumentKind.PDF], True),
        ("traffic-plan", "交通疏导方案", "Traffic management plan", [DocumentKind.PDF], False),
    ],
}


def _square(lon, lat, size=0.0004) -> Polygon:
    return Polygon(
        ((lon, lat), (lon + size, lat), (lon + size, lat + size / 2), (lon, lat + size / 2), (lon, lat)), srid=4326
    )


def _permit_type(jurisdiction, spec, service_type) -> PermitType:
    permit_type, _ = PermitType.objects.update_or_create(
        service_type=service_type,
        defaults={
            "geometry_kind": spec["geometry_kind"],
            "min_notice_days": spec["min_notice_days"],
            "max_length_days": spec["max_length_days"],
            "fee_kind": spec["fee_kind"],
            "fee_amount": spec["fee_amount"],
            "fee_currency": spec["currency"],
            "decision_working_days": spec["decision_working_days"],
            "steps": spec["steps"],
            "retention_days_after_end": 90,
            "standard_conditions": [
                {"text": text, "text_translations": {other: translated}}
                for text, translated in spec["conditions"]
                for other in (["zh-hans"] if jurisdiction.default_language == "en" else ["en"])
            ],
        },
    )
    other = "zh-hans" if jurisdiction.default_language == "en" else "en"
    for order, (code, name, translated, kinds, required) in enumerate(spec["documents"]):
        DocumentRequirement.objects.update_or_create(
            permit_type=permit_type,
            code=code,
            defaults={
                "name": name,
                "name_translations": {other: translated},
                "kinds": kinds,
                "required": required,
                "order": order,
                "max_bytes": 5 * 1024 * 1024,
            },
        )
    return permit_type


def _file(permit_type, department, geometry, start_in_days: int, days: int, address: str, language: str) -> Permit:
    from django.core.files.uploadedfile import SimpleUploadedFile

    jurisdiction = permit_type.service_type.jurisdiction
    hours, closed = clock.working_calendar(jurisdiction)
    start = clock.earliest_start(timezone.localdate(), permit_type.min_notice_days, hours, closed) + timedelta(
        days=start_in_days
    )
    documents = {
        requirement.code: SimpleUploadedFile(f"{requirement.code}.pdf", _demo_pdf(requirement.code), "application/pdf")
        for requirement in permit_type.documents.all()
    }
    with transaction.atomic():  # placed before routing's on-commit task can see it
        sr = apply_for_permit(
            PermitApplication(
                permit_type=permit_type,
                geometry=geometry,
                starts_on=start,
                ends_on=start + timedelta(days=days - 1),
                address=address,
                documents=documents,
                contact=ContactDetails(
                    phone="+10000000000",
                    language=language,
                    wording_version=PERMIT_WORDING_VERSION,
                    purposes=frozenset({Purpose.PERMIT_DECISION}),
                ),
            )
        )
        ServiceRequest.objects.filter(pk=sr.pk).update(department=department, routing_state=RoutingState.ROUTED)
    return sr.permit


def _through_the_steps(permit) -> Permit:
    while permit.step != Step.DECISION:
        permit = complete_step(permit, by=None, note="Demo: checked")
    return permit


def _move_dates(permit, start_offset: int, days: int) -> None:
    today = timezone.localdate()
    Permit.objects.filter(pk=permit.pk).update(
        starts_on=today + timedelta(days=start_offset), ends_on=today + timedelta(days=start_offset + days - 1)
    )


def _applications(permit_type, department, places, addresses, language) -> None:
    """One application in each state: new, at inspection, waiting, approved unpaid, running, refused, ended,
    revoked, and one asking for an extension."""
    days = min(3, permit_type.max_length_days)

    def file(i):
        # The second application asks for the first one's place and days, so the demo shows a clash.
        return _file(permit_type, department, places[i], 0 if i == 1 else i, days, addresses[i], language)

    file(0)
    complete_step(file(1), by=None, note="Demo: papers complete")
    request_information(file(2), by=None, question="Please send a photo of the place from the street.")
    decide_permit(_through_the_steps(file(3)), by=None, approve=True)
    running = mark_fee_paid(
        decide_permit(
            _through_the_steps(file(4)),
            by=None,
            approve=True,
            added_conditions=["Notify the neighbours two days ahead."],
        ),
        by=None,
        reference="DEMO-0004",
    )
    _move_dates(running, -1, days)
    decide_permit(_through_the_steps(file(5)), by=None, approve=False, reasons="Another closure on this street.")
    ended = mark_fee_paid(
        decide_permit(_through_the_steps(file(6)), by=None, approve=True), by=None, reference="DEMO-0006"
    )
    _move_dates(ended, -10, days)
    revoked = mark_fee_paid(
        decide_permit(_through_the_steps(file(7)), by=None, approve=True), by=None, reference="DEMO-0007"
    )
    revoke_permit(revoked, by=None, reason="Emergency utility works on this block.")
    extended = mark_fee_paid(
        decide_permit(_through_the_steps(file(8)), by=None, approve=True), by=None, reference="DEMO-0008"
    )
    if permit_type.max_length_days > 3:
        request_extension(extended, until=extended.ends_on + timedelta(days=1), reason="The works run late.")


SF_ADDRESSES = [
    "100 Market St",
    "100 Market St",
    "250 Valencia St",
    "1200 Folsom St",
    "40 Clement St",
    "700 Irving St",
    "15 Castro St",
    "500 Divisadero St",
    "2100 Mission St",
]
SZ_ADDRESSES = [
    "深南大道 6001 号",
    "深南大道 6001 号",
    "福华路 88 号",
    "滨河大道 300 号",
    "华强北路 1002 号",
    "红荔路 1 号",
    "莲花路 2000 号",
    "北环大道 7000 号",
    "科技园南路 15 号",
]


def load_demo_permits(*, sf_slug: str, shenzhen_slug: str, stdout=None) -> int:
    """Permit types and applications for both demo cities; rerunning adds no second set. Returns how many
    applications were filed."""
    filed = 0
    sf = Jurisdiction.objects.get(slug=sf_slug)
    for spec in SF_TYPES:
        service_type, _ = ServiceType.objects.update_or_create(
            jurisdiction=sf,
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "name_translations": {"zh-hans": spec["zh"]},
                "kind": ServiceType.Kind.PERMIT,
                "group": "Permits",
                "group_translations": {"zh-hans": "许可"},
                "description": spec["description"],
                "description_translations": {"zh-hans": spec["description_zh"]},
            },
        )
        permit_type = _permit_type(sf, spec, service_type)
        department = Department.objects.filter(jurisdiction=sf, code=spec["department"]).first()
        if permit_type.permits.exists():
            continue
        base = (-122.4194, 37.7749) if spec["geometry_kind"] == GeometryKind.LINE else (-122.4330, 37.7690)
        places = [
            LineString((base[0] + i * 0.003, base[1]), (base[0] + i * 0.003 + 0.0005, base[1] + 0.0002), srid=4326)
            if spec["geometry_kind"] == GeometryKind.LINE
            else _square(base[0] + i * 0.003, base[1] + 0.002)
            for i in range(9)
        ]
        places[1] = places[0]  # two applications for the same frontage: the demo shows a clash
        _applications(permit_type, department, places, SF_ADDRESSES, "en")
        filed += 9
    shenzhen = Jurisdiction.objects.filter(slug=shenzhen_slug).first()
    service_type = ServiceType.objects.filter(jurisdiction=shenzhen, code=SZ_TYPE["code"]).first()
    if service_type is not None:
        permit_type = _permit_type(shenzhen, SZ_TYPE, service_type)
        if not permit_type.permits.exists():
            rule = RoutingRule.objects.filter(service_type=service_type, rule_set__state="active").first()
            department = rule.department if rule else Department.objects.filter(jurisdiction=shenzhen).first()
            places = [_square(114.0579 + i * 0.004, 22.5431) for i in range(9)]
            places[1] = places[0]
            _applications(permit_type, department, places, SZ_ADDRESSES, "zh-hans")
            filed += 9
    close_ended_permits()
    if stdout is not None:
        stdout.write(f"Permits: {filed} demo applications")
    return filed
