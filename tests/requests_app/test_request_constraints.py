"""The database holds what the status pipeline promises: a write that bypasses the services and breaks it is
refused, and the migration mends older rows before it adds the constraints."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from requests_app.models import ServiceRequest
from requests_app.statuses import CLOSED_STATUSES, OPEN_STATUSES, Status
from tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("requests_app.migrations.0016_request_invariants_held_by_the_database")


def refused(**fields):
    sr = ServiceRequestFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequest.objects.filter(pk=sr.pk).update(**fields)
    return sr


@pytest.mark.parametrize("status", sorted(CLOSED_STATUSES))
def test_a_closed_request_without_its_closing_time_is_refused(status):
    refused(status=status)
    refused(status=status, closed_at=None)


@pytest.mark.parametrize("status", sorted(OPEN_STATUSES))
def test_an_open_request_with_a_closing_time_is_refused(status):
    refused(status=status, closed_at=timezone.now())
    # Nor is a closed one reopened by a raw write that keeps its closing time.
    sr = ServiceRequestFactory(status=Status.CLOSED)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequest.objects.filter(pk=sr.pk).update(status=status)


@pytest.mark.parametrize("status", sorted(set(Status) - {Status.DUPLICATE}))
def test_a_pointer_to_an_original_on_a_request_that_is_no_duplicate_is_refused(status):
    closed_at = timezone.now() if status in CLOSED_STATUSES else None
    refused(status=status, closed_at=closed_at, duplicate_of=ServiceRequestFactory())
    # Nor may a duplicate leave its status and keep its pointer.
    sr = ServiceRequestFactory(status=Status.DUPLICATE, duplicate_of=ServiceRequestFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequest.objects.filter(pk=sr.pk).update(status=status, closed_at=closed_at)


def test_a_request_that_is_a_duplicate_of_itself_is_refused():
    sr = ServiceRequestFactory(status=Status.DUPLICATE)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequest.objects.filter(pk=sr.pk).update(duplicate_of=sr)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequestFactory(status=Status.DUPLICATE, duplicate_of_id=sr.pk + 1, id=sr.pk + 1)


@pytest.mark.parametrize("status", sorted(set(Status) - {Status.ON_HOLD}))
def test_a_hold_date_on_a_request_not_on_hold_is_refused(status):
    closed_at = timezone.now() if status in CLOSED_STATUSES else None
    refused(status=status, closed_at=closed_at, on_hold_until=timezone.localdate() + timedelta(days=3))


def test_an_acknowledgement_before_filing_is_refused():
    sr = ServiceRequestFactory()
    refused(acknowledged_at=sr.submitted_at - timedelta(hours=1))


def test_bulk_update_is_refused_too():
    rows = [ServiceRequestFactory(), ServiceRequestFactory()]
    rows[1].status = Status.CLOSED  # without closed_at
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequest.objects.bulk_update(rows, ["status"])


def test_the_rows_the_pipeline_writes_are_accepted():
    original = ServiceRequestFactory()
    ServiceRequestFactory(status=Status.DUPLICATE, duplicate_of=original)
    ServiceRequestFactory(status=Status.ON_HOLD, on_hold_until=timezone.localdate() + timedelta(days=1))
    ServiceRequestFactory(status=Status.CLOSED)
    assert ServiceRequest.objects.count() == 4


def test_the_migration_mends_older_rows_so_the_constraints_can_be_added():
    constraints = [c for c in ServiceRequest._meta.constraints if c.name.startswith("sr_")]
    with connection.cursor() as cursor:  # foreign keys checked at once, as the migration asks, so the table can change
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.schema_editor() as editor:
        for constraint in constraints:
            editor.remove_constraint(ServiceRequest, constraint)
    now = timezone.now()
    closed = ServiceRequestFactory(status=Status.CLOSED, closed_at=None)
    reopened = ServiceRequestFactory(status=Status.REOPENED, closed_at=now)
    original = ServiceRequestFactory()
    reopened_duplicate = ServiceRequestFactory(duplicate_of=original)
    itself = ServiceRequestFactory(status=Status.DUPLICATE)
    ServiceRequest.objects.filter(pk=itself.pk).update(duplicate_of=itself)
    released = ServiceRequestFactory(status=Status.IN_PROGRESS, on_hold_until=timezone.localdate())
    early = ServiceRequestFactory(acknowledged_at=now - timedelta(days=1), submitted_at=now)

    migration.mend_rows(apps, None)
    with connection.schema_editor() as editor:  # refused if a row still breaks one
        for constraint in constraints:
            editor.add_constraint(ServiceRequest, constraint)

    def row(sr):
        return ServiceRequest.objects.get(pk=sr.pk)

    assert row(closed).closed_at == row(closed).updated_at and row(reopened).closed_at is None
    assert row(reopened_duplicate).duplicate_of is None and row(itself).duplicate_of is None
    assert row(released).on_hold_until is None and row(early).acknowledged_at == row(early).submitted_at
