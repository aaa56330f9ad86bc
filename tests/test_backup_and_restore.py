"""The documented backup procedure, end to end: back up, damage, restore, and find everything as it was."""

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.db import connection

from requests_app.models import Photo, ServiceRequest, StatusChange
from requests_app.services import change_status
from requests_app.statuses import Status
from tests.factories import ServiceRequestFactory

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = django_settings.DATABASES["default"]
    return f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _fingerprint() -> str:
    rows = [
        (*row[:-1], row[-1].wkt)
        for row in ServiceRequest.objects.order_by("public_id").values_list(
            "public_id", "tracking_token_digest", "status", "description", "submitted_at", "location"
        )
    ]
    rows += list(
        StatusChange.objects.order_by("id").values_list("service_request__public_id", "new_status", "public_note", "at")
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_the_same_rows_and_media(tmp_path, staff, pothole, settings):
    media, private = tmp_path / "media", tmp_path / "private"
    settings.MEDIA_ROOT = str(media)  # the fixture resets the storage, which caches its folder
    settings.PRIVATE_MEDIA_ROOT = str(private)
    requests = [ServiceRequestFactory(service_type=pothole, description=f"Hole number {i}") for i in range(5)]
    change_status(requests[0], to=Status.ACKNOWLEDGED, by=staff, public_note="On our list")
    Photo.objects.create(
        service_request=requests[1],
        original=ContentFile(b"\xff\xd8photo-bytes", name="p.jpg"),
        public_image=ContentFile(b"\xff\xd8blurred-bytes", name="p.jpg"),
        state=Photo.State.PUBLIC,
    )
    photo_path, copy_path = Path(Photo.objects.get().original.path), Path(Photo.objects.get().public_image.path)
    counts, fingerprint = (ServiceRequest.objects.count(), StatusChange.objects.count()), _fingerprint()

    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_MEDIA_ROOT": str(media),
        "DJANGO_PRIVATE_MEDIA_ROOT": str(private),
        "PERMIT_DOCUMENTS_ROOT": str(tmp_path / "permit-documents"),
    }
    document = tmp_path / "permit-documents" / "SF1" / "plan.pdf"  # kept apart from the media
    document.parent.mkdir(parents=True)
    document.write_bytes(b"%PDF-plan")
    backup = tmp_path / "backup"
    subprocess.run(["bash", "scripts/backup.sh", str(backup)], cwd=ROOT, env=env, check=True, capture_output=True)

    ServiceRequest.objects.all().delete()  # the disaster
    photo_path.unlink()
    copy_path.unlink()
    document.unlink()
    connection.close()  # restore drops the database: let go of our connection to it

    result = subprocess.run(
        ["bash", "scripts/restore.sh", str(backup)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert (ServiceRequest.objects.count(), StatusChange.objects.count()) == counts
    assert _fingerprint() == fingerprint
    assert photo_path.read_bytes() == b"\xff\xd8photo-bytes"
    assert copy_path.read_bytes() == b"\xff\xd8blurred-bytes"
    assert document.read_bytes() == b"%PDF-plan"


def test_restore_refuses_a_damaged_backup(tmp_path):
    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / "database.dump").write_bytes(b"not what was saved")
    (backup / "media.tar.gz").write_bytes(b"")
    (backup / "SHA256SUMS").write_text(f"{'0' * 64}  database.dump\n{'0' * 64}  media.tar.gz\n")
    result = subprocess.run(
        ["bash", "scripts/restore.sh", str(backup)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": "postgis://nobody@127.0.0.1:1/none"},
    )
    assert result.returncode != 0 and "checksums" in result.stderr
