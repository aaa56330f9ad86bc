"""Media on the local disk and in an S3 bucket: a test that takes ``media_storage`` runs once against each. The
bucket is served by moto's server mode, a real S3 API over HTTP on a free port, as MinIO or AWS would be."""

import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
import httpx
import pytest

from config.buckets import PREFIXES, bucket_storages
from tests.faults.stack import Stack, free_port
from tests.permits.conftest import apply, calendar, skip_permit  # noqa: F401  (fixtures of the tests here)
from tests.staff.conftest import make_request, other_staff, other_team  # noqa: F401

KEYS = {"access_key": "civic311-test", "secret_key": "civic311-test-secret"}
REGION = "eu-west-1"


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server for the whole run; its address."""
    port = free_port()
    server = Path(sys.executable).parent / "moto_server"
    process = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        Stack.wait_for(lambda: httpx.get(url, timeout=2).status_code == 200, "moto's S3 server")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class MediaStorage:
    """Where this test's media go, and what is stored there: every file as "<prefix>/<name>", the prefixes being
    the bucket's (public, private, permit-documents), the folders' on disk."""

    kind: str
    folders: dict
    bucket: str = ""
    client: object = None

    def stored(self) -> set[str]:
        if self.kind == "s3":
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
            return {item["Key"] for page in pages for item in page.get("Contents", [])}
        return {
            f"{prefix}/{path.relative_to(folder).as_posix()}"
            for prefix, folder in self.folders.items()
            for path in Path(folder).rglob("*")
            if path.is_file()
        }


@pytest.fixture(params=["disk", "s3"])
def media_storage(request, settings, tmp_path) -> MediaStorage:
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT, settings.PERMIT_DOCUMENTS_ROOT = (
        tmp_path / "media",
        tmp_path / "private",
        tmp_path / "permit-documents",
    )
    folders = dict(
        zip(
            PREFIXES.values(),
            (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT, settings.PERMIT_DOCUMENTS_ROOT),
            strict=True,
        )
    )
    if request.param == "disk":
        return MediaStorage("disk", folders)
    endpoint, bucket = request.getfixturevalue("s3_server"), f"civic311-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = {
        **settings.STORAGES,
        **bucket_storages(bucket=bucket, endpoint_url=endpoint, region=REGION, **KEYS),
    }
    return MediaStorage("s3", folders, bucket, client)
