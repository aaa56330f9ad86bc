"""Photos from residents: validated, re-encoded without metadata (EXIF, GPS, camera serials), renamed."""
import io
import warnings

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # beyond this an image is more likely a decompression bomb than a phone photo
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
MAX_EDGE = 2560
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}


class InvalidPhoto(ValueError):
    pass


def prepare_photo(upload) -> ContentFile:
    """Check an uploaded file is a real image and return it re-encoded as a JPEG with no metadata.

    Raises InvalidPhoto with a message for the resident.
    """
    if upload.size > MAX_UPLOAD_BYTES:
        raise InvalidPhoto(_("The photo is too large (at most 10 MB)."))
    data = upload.read()
    try:
        with warnings.catch_warnings():
            # Pillow only warns about a likely decompression bomb; here it is a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
        with probe:
            fmt = probe.format
            if probe.width * probe.height > MAX_PIXELS:
                raise InvalidPhoto(_("The photo has too many pixels."))
            probe.verify()
        if fmt not in ALLOWED_FORMATS:
            raise InvalidPhoto(_("Send a JPEG, PNG, WebP or GIF photo."))
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)  # keep the orientation the EXIF described, then drop EXIF
            image = image.convert("RGB")
            image.thumbnail((MAX_EDGE, MAX_EDGE))
            clean = Image.new("RGB", image.size)
            clean.paste(image)  # a fresh image carries no info dict, ICC profile or XMP from the upload
            out = io.BytesIO()
            clean.save(out, format="JPEG", quality=85, optimize=True)
    except InvalidPhoto:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise InvalidPhoto(_("The photo has too many pixels.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidPhoto(_("This file is not a photo we can read.")) from None
    return ContentFile(out.getvalue(), name="photo.jpg")
