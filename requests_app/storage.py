"""Where original photos are kept: on disk under PRIVATE_MEDIA_ROOT (outside MEDIA_ROOT), with no URL."""
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":  # tests point it at a folder of their own
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        # A file here is served only by a view that checks who asks (frontend.staff.photo_views);
        # FileSystemStorage would otherwise make a /media/ link for it.
        raise ValueError("private files have no public URL")
