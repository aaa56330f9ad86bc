"""Media in one S3 bucket (AWS, MinIO, Ceph, a city's object store), a prefix per kind, for config/settings.py
when MEDIA_S3_BUCKET is set: the STORAGES entries that replace the folders on the local disk."""

PREFIXES = {"default": "public", "private": "private", "permit_documents": "permit-documents"}
BACKENDS = {
    "default": "requests_app.storage.PublicS3Storage",
    "private": "requests_app.storage.PrivateS3Storage",
    "permit_documents": "requests_app.storage.PrivateS3Storage",
}


def bucket_storages(
    *,
    bucket: str,
    endpoint_url: str = "",
    region: str = "",
    access_key: str = "",
    secret_key: str = "",
    addressing_style: str = "",
) -> dict:
    """STORAGES entries for the public copies, the original photos and the permit documents in ``bucket``.

    Empty values fall back to boto3's own: AWS's endpoint, its credential chain (an instance role, AWS_*
    variables), its addressing style.
    """
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,
        "region_name": region or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "addressing_style": addressing_style or None,
        "file_overwrite": False,  # as on disk: a name taken gets another, nothing is written over
        "default_acl": None,  # the bucket's own, private: never public-read
    }
    return {
        alias: {"BACKEND": BACKENDS[alias], "OPTIONS": {**options, "location": prefix}}
        for alias, prefix in PREFIXES.items()
    }
