"""Which reads a replica may serve: public tables inside a public read, never personal data or accounts."""

from django.contrib.auth.models import User
from django.contrib.sessions.models import Session

from config.replicas import PRIMARY, ReplicaRouter, reads_from_primary, reads_from_replica
from contacts.models import Contact
from requests_app.models import ServiceRequest
from routing.models import Area

ROUTER = ReplicaRouter()


def with_replica(settings):
    settings.DATABASE_REPLICAS = ["replica1"]


def test_public_tables_are_read_from_a_replica_inside_a_public_read(settings):
    with_replica(settings)
    with reads_from_replica():
        assert ROUTER.db_for_read(ServiceRequest) == "replica1"
        assert ROUTER.db_for_read(Area) == "replica1"


def test_personal_data_accounts_and_sessions_are_always_read_from_the_primary(settings):
    with_replica(settings)
    with reads_from_replica():
        assert {ROUTER.db_for_read(model) for model in (Contact, User, Session)} == {PRIMARY}


def test_reads_outside_a_public_read_and_all_writes_go_to_the_primary(settings):
    with_replica(settings)
    assert ROUTER.db_for_read(ServiceRequest) == PRIMARY
    with reads_from_replica():
        assert ROUTER.db_for_write(ServiceRequest) == PRIMARY
        with reads_from_primary():
            assert ROUTER.db_for_read(ServiceRequest) == PRIMARY


def test_without_replicas_everything_reads_the_primary():
    with reads_from_replica():
        assert ROUTER.db_for_read(ServiceRequest) == PRIMARY


def test_only_the_primary_is_migrated():
    assert ROUTER.allow_migrate(PRIMARY, "requests_app")
    assert not ROUTER.allow_migrate("replica1", "requests_app")
