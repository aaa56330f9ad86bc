"""Where media live: folders on the local disk, or prefixes of one S3 bucket (django-storages) when
MEDIA_S3_BUCKET is set (config/settings.py picks the backends; STORAGES names them).

Private files (original photos, permit documents) have no URL in either place: only views that check who asks
serve them, streamed from storage. Public blurred copies are linked at MEDIA_URL, which config.urls serves from
whichever storage holds them.
"""

from urllib.parse import urljoin

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.encoding import filepath_to_uri
from django.utils.functional import LazyObject, cached_property, empty
from storages.backends.s3 import S3Storage


class PrivateStorage(FileSystemStorage):
    """A folder outside MEDIA_ROOT, named by the setting ``root_setting`` (PRIVATE_MEDIA_ROOT by default)."""

    def __init__(self, *args, root_setting: str = "PRIVATE_MEDIA_ROOT", **kwargs):
        self.root_setting = root_setting
        super().__init__(*args, **kwargs)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, getattr(settings, self.root_setting))

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == self.root_setting:  # tests point it at a folder of their own
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        # A file here is served only by a view that checks who asks (frontend.staff.photo_views);
        # FileSystemStorage would otherwise make a /media/ link for it.
        raise ValueError("private files have no public URL")


class PrivateS3Storage(S3Storage):
    """A prefix of the bucket (its ``location``) for private files: no URL, not even a signed one, so a link to
    an original can never be copied out of a page; the authorised views stream the file instead."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError("private files have no public URL")


class PublicS3Storage(S3Storage):
    """A prefix of the bucket for public blurred copies, linked like files on disk: at MEDIA_URL. config.urls
    streams them from the bucket, unless MEDIA_URL names a CDN the city publishes this prefix through."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        return urljoin(settings.MEDIA_URL, filepath_to_uri(name))


class ConfiguredStorage(LazyObject):
    """The storage STORAGES names under ``alias``, looked up on first use and again after the setting changes
    (as Django's default_storage): a model field keeps this object, so it follows the configuration."""

    def __init__(self, alias: str):
        self.__dict__["alias"] = alias
        super().__init__()

    def _setup(self):
        self._wrapped = storages[self.__dict__["alias"]]


configured = {alias: ConfiguredStorage(alias) for alias in ("private", "permit_documents")}


@receiver(setting_changed)
def _forget_configured_storages(*, setting, **kwargs):
    if setting == "STORAGES":
        for storage in configured.values():
            storage._wrapped = empty
