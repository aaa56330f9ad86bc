"""Rows written before public text was stored get theirs from the data migration."""

import importlib

import pytest
from django.apps import apps

from requests_app.models import Jurisdiction, ServiceRequest, StatusChange
from tests.factories import JurisdictionFactory, ServiceRequestFactory, ServiceTypeFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("requests_app.migrations.0007_public_text_masking")


def test_existing_descriptions_answers_and_notes_are_masked_and_regions_set():
    shenzhen = JurisdictionFactory(slug="sz.example", timezone="Asia/Shanghai", regions=[])
    old = ServiceRequestFactory(
        service_type=ServiceTypeFactory(jurisdiction=shenzhen),
        description="我叫王小明，电话13812345678",
        answers={"where": "微信 zhang_88"},
    )
    ServiceRequest.objects.filter(pk=old.pk).update(public_description="", public_answers={})
    StatusChange.objects.create(service_request=old, new_status=old.status, public_note="已联系 13812345678")

    migration.mask_existing_text(apps, None)

    old.refresh_from_db()
    assert old.public_description == "我叫[removed]，电话[removed]"
    assert old.public_answers == {"where": "微信 [removed]"}
    assert StatusChange.objects.get(service_request=old).public_note == "已联系 [removed]"
    assert Jurisdiction.objects.get(pk=shenzhen.pk).regions == ["CN", "HK"]
    assert old.description == "我叫王小明，电话13812345678"  # the original stays for staff
