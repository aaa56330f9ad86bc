"""`make backup` and `make restore` with media in a bucket: the bucket is backed up by the object store's own
tools, so the backup holds the database and names the bucket; a restore leaves the bucket to those tools and
replays the erasure ledger, which deletes from the bucket again the photos of words withdrawn since the backup."""

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from bench.photo_set import astronaut
from contacts.services import erase_requester
from requests_app.models import Photo
from requests_app.photos import attach_photo, blur_photo
from tests.requests_app.photo_helpers import jpeg_upload
from tests.test_backup_and_restore import _database_url

from .conftest import KEYS, REGION

ROOT = Path(__file__).resolve().parents[2]


def bucket_environment(media_storage, ledger: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "ERASURE_LEDGER_PATH": str(ledger),
        "MEDIA_S3_BUCKET": media_storage.bucket,
        "MEDIA_S3_REGION": REGION,
        "MEDIA_S3_ENDPOINT_URL": django_settings.STORAGES["private"]["OPTIONS"]["endpoint_url"],
        "MEDIA_S3_ACCESS_KEY_ID": KEYS["access_key"],
        "MEDIA_S3_SECRET_ACCESS_KEY": KEYS["secret_key"],
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("media_storage", ["s3"], indirect=True)
def test_a_restore_deletes_again_from_the_bucket_the_photos_withdrawn_after_the_backup(
    tmp_path, make_request, media_storage, settings
):
    settings.ERASURE_LEDGER_PATH = str(tmp_path / "ledger.jsonl")
    photo = blur_photo(attach_photo(make_request(), jpeg_upload(astronaut().image)).pk)
    stored = media_storage.stored()
    files = {
        key: media_storage.client.get_object(Bucket=media_storage.bucket, Key=key)["Body"].read() for key in stored
    }
    env = bucket_environment(media_storage, Path(settings.ERASURE_LEDGER_PATH))
    backup = tmp_path / "backup"
    subprocess.run(["bash", "scripts/backup.sh", str(backup)], cwd=ROOT, env=env, check=True, capture_output=True)
    assert {path.name for path in backup.iterdir()} == {"database.dump", "media-in-bucket", "SHA256SUMS"}
    assert (backup / "media-in-bucket").read_text().strip() == media_storage.bucket

    erase_requester(photo.service_request_id, with_words=True, contact=False)
    assert media_storage.stored() == set()
    # The object store's tools bring the bucket back to the time of the backup (a versioned bucket's restore).
    for key, data in files.items():
        media_storage.client.put_object(Bucket=media_storage.bucket, Key=key, Body=data)

    connection.close()  # restore drops the database: let go of our connection to it
    result = subprocess.run(
        ["bash", "scripts/restore.sh", str(backup)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "1 requests' words withdrawn again" in result.stdout
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert media_storage.stored() == set()
