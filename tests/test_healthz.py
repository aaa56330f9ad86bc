import pytest

from tests.celery_worker import running_worker

DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery
def test_it_reports_ok_when_database_redis_and_a_worker_answer(client):
    with running_worker():
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "celery": "ok"}


@pytest.mark.django_db
def test_it_reports_celery_down_when_no_worker_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["celery"] == "down"
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_it_reports_redis_down_with_a_non_200_status(client, settings):
    from config.celery import app

    settings.REDIS_URL = DEAD_REDIS
    app.conf.broker_url = DEAD_REDIS
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = settings.CELERY_BROKER_URL
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "down"
    assert response.json()["checks"]["celery"] == "down"


@pytest.mark.django_db
def test_it_reports_the_database_down(client, settings, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "down"


@pytest.mark.django_db
def test_liveness_answers_without_asking_the_database_or_the_workers(client, django_assert_num_queries):
    # A load balancer checks it several times a second: it must cost nothing and not follow the workers' health.
    with django_assert_num_queries(0):
        response = client.get("/livez")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
