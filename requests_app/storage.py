"""Private files (original photos under PRIVATE_MEDIA_ROOT, permit documents under PERMIT_DOCUMENTS_ROOT): on
disk outside MEDIA_ROOT, with no URL; only views that check who asks serve them."""
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
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
