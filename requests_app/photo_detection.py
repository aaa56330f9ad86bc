"""Finding faces and licence plates in a photo, and blurring them beyond recovery. No Django, no network.

The detectors are the Haar cascades that ship inside the opencv-python-headless wheel (cv2.data.haarcascades):
frontal and profile faces, and plates. Nothing is downloaded and no image leaves the server.
"""

import enum
import functools
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageFilter

# One core per blurring task: the photo worker's concurrency, not OpenCV's thread pool, decides how much of
# the machine blurring takes, so a backlog of photos never crowds out routing on the same machine.
cv2.setNumThreads(1)

# Photos reach detection already re-encoded by prepare_photo (longest edge 2,560 px, about 6.6 megapixels);
# anything bigger did not come through intake and is refused rather than risk the worker's memory.
MAX_DETECTION_PIXELS = 12_000_000
# Faces smaller than this (in pixels) carry too little to identify anyone, and the cascades' false positives
# grow quickly below it.
MIN_FACE_PX = 20
MIN_PLATE_WIDTH_PX = 40
# The box is widened by this share of its size on each side: cascades find the inner face, not hair and ears,
# and a plate's frame can carry a dealer's name.
PADDING = 0.25


class Kind(enum.StrEnum):
    FACE = "face"
    PLATE = "plate"
    MANUAL = "manual"


class Strength(enum.IntEnum):
    """How far a region is destroyed; each level leaves nothing a de-blurring model could use."""

    PIXELATE = 1  # 8 cells across, each then smoothed
    COARSE = 2  # 4 cells across
    SOLID = 3  # one flat colour


CELLS = {Strength.PIXELATE: 8, Strength.COARSE: 4, Strength.SOLID: 1}


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int
    kind: str = Kind.FACE

    def padded(self, width: int, height: int, padding: float = PADDING) -> "Box":
        dx, dy = round(self.w * padding), round(self.h * padding)
        x0, y0 = max(0, self.x - dx), max(0, self.y - dy)
        x1, y1 = min(width, self.x + self.w + dx), min(height, self.y + self.h + dy)
        return Box(x0, y0, x1 - x0, y1 - y0, self.kind)

    def as_dict(self) -> dict:
        return {"x": self.x, "y": self.y, "w": self.w, "h": self.h, "kind": str(self.kind)}


class DetectionFailed(Exception):
    """The photo can't be checked; ``code`` says why (see requests_app.models.Photo.Failure)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@functools.cache
def _cascade(name: str) -> cv2.CascadeClassifier:
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + name)
    if cascade.empty():  # a broken wheel: fail loudly rather than publish unblurred photos
        raise RuntimeError(f"OpenCV cascade {name} did not load")
    return cascade


def _run(
    cascade_name: str, grey: np.ndarray, *, min_size: tuple[int, int], neighbours: int, scale: float = 1.1
) -> list[tuple[int, int, int, int]]:
    found = _cascade(cascade_name).detectMultiScale(grey, scaleFactor=scale, minNeighbors=neighbours, minSize=min_size)
    return [tuple(int(v) for v in box) for box in found] if len(found) else []


def detect_faces(grey: np.ndarray) -> list[Box]:
    """Frontal faces, and faces in profile looking either way (the profile cascade knows only one side)."""
    size = (MIN_FACE_PX, MIN_FACE_PX)
    boxes = [Box(*b, Kind.FACE) for b in _run("haarcascade_frontalface_default.xml", grey, min_size=size, neighbours=5)]
    # Profiles take coarser steps between scales: two passes (one mirrored) would otherwise cost three times
    # the frontal one, and the frontal pass already finds most faces turned less than halfway.
    boxes += [
        Box(*b, Kind.FACE) for b in _run("haarcascade_profileface.xml", grey, min_size=size, neighbours=5, scale=1.2)
    ]
    width = grey.shape[1]
    mirrored = np.ascontiguousarray(grey[:, ::-1])
    boxes += [
        Box(width - x - w, y, w, h, Kind.FACE)
        for x, y, w, h in _run("haarcascade_profileface.xml", mirrored, min_size=size, neighbours=5, scale=1.2)
    ]
    return boxes


def detect_plates(grey: np.ndarray) -> list[Box]:
    """Licence plates: a wide dark-on-light strip of characters."""
    size = (MIN_PLATE_WIDTH_PX, MIN_PLATE_WIDTH_PX // 4)
    return [
        Box(*b, Kind.PLATE) for b in _run("haarcascade_russian_plate_number.xml", grey, min_size=size, neighbours=3)
    ]


def detect(image: Image.Image, *, faces: bool = True, plates: bool = True) -> list[Box]:
    """Every face and plate found in an RGB image, as unpadded boxes in its pixels.

    Raises DetectionFailed("too_large") for an image beyond MAX_DETECTION_PIXELS.
    """
    if image.width * image.height > MAX_DETECTION_PIXELS:
        raise DetectionFailed("too_large")
    grey = cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2GRAY)
    grey = cv2.equalizeHist(grey)  # evens out the shade and backlight of street photos
    boxes = []
    if faces:
        boxes += detect_faces(grey)
    if plates:
        boxes += detect_plates(grey)
    return boxes


def blur_regions(image: Image.Image, boxes: list[Box], *, strength: int = Strength.PIXELATE) -> Image.Image:
    """A copy of the image with every box (padded) destroyed: pixelated to a few cells, then smoothed."""
    out = image.convert("RGB").copy()
    cells = CELLS[Strength(strength)]
    for box in boxes:
        area = box.padded(out.width, out.height)
        if area.w <= 0 or area.h <= 0:
            continue
        crop = out.crop((area.x, area.y, area.x + area.w, area.y + area.h))
        across = max(1, min(cells, area.w))
        down = max(1, min(cells, round(cells * area.h / max(area.w, 1)) or 1, area.h))
        # Averaging into a handful of cells throws the detail away; the smoothing then hides the cell edges,
        # which would otherwise show the averages plainly.
        crop = crop.resize((across, down), Image.Resampling.BOX).resize(crop.size, Image.Resampling.NEAREST)
        crop = crop.filter(ImageFilter.GaussianBlur(radius=max(2, min(area.w, area.h) // (cells * 2))))
        out.paste(crop, (area.x, area.y))
    return out
