"""A labelled set of photographs for face and licence plate detection, built from real photographs that
scikit-image ships (no download): the astronaut and the cameraman (real faces, labelled by hand), 100 faces of
the Labeled Faces in the Wild subset pasted into real street-free scenes at several sizes, and licence plates
rendered onto car-like shapes over real backgrounds. Photos with nothing to find measure false positives.

Used by bench/photos.py and by the tests (tests/requests_app/test_blur_photo.py).
"""

import os
import random
import string
from dataclasses import dataclass, field

import numpy as np
import skimage
from PIL import Image, ImageDraw, ImageFont
from skimage import data

# Hand-drawn boxes (x, y, w, h) around the faces of scikit-image's two portraits, in their 512x512 pixels.
ASTRONAUT_FACE = (172, 58, 100, 108)
CAMERAMAN_FACE = (180, 100, 92, 96)
# Real photographs with no face and no plate in them.
EMPTY_SCENES = (
    "coffee",
    "chelsea",
    "rocket",
    "motorcycle_left",
    "horse",
    "brick",
    "grass",
    "gravel",
    "coins",
    "page",
    "text",
    "hubble_deep_field",
    "moon",
    "retina",
    "immunohistochemistry",
    "cell",
)
BACKGROUNDS = ("coffee", "rocket", "motorcycle_left", "grass", "brick", "gravel")


@dataclass
class Sample:
    name: str
    image: Image.Image
    faces: list[tuple[int, int, int, int]] = field(default_factory=list)
    plates: list[tuple[int, int, int, int]] = field(default_factory=list)


def _rgb(array) -> Image.Image:
    image = Image.fromarray(np.asarray(array))
    return image.convert("RGB")


def _scene(name: str) -> Image.Image:
    if name == "motorcycle_left":
        return _rgb(data.stereo_motorcycle()[0])
    return _rgb(getattr(data, name)())


def _scaled(image: Image.Image, boxes, scale: float):
    size = (round(image.width * scale), round(image.height * scale))
    return image.resize(size, Image.Resampling.LANCZOS), [tuple(round(v * scale) for v in b) for b in boxes]


def astronaut(scale: float = 1.0) -> Sample:
    image, boxes = _scaled(_rgb(data.astronaut()), [ASTRONAUT_FACE], scale)
    return Sample(f"astronaut x{scale}", image, faces=boxes)


def cameraman(scale: float = 1.0) -> Sample:
    image, boxes = _scaled(_rgb(data.camera()), [CAMERAMAN_FACE], scale)
    return Sample(f"cameraman x{scale}", image, faces=boxes)


def lfw_faces() -> np.ndarray:
    """The 100 face crops (25x25 grey, 0..1) of scikit-image's LFW subset; the other 100 are not faces."""
    return np.load(os.path.join(os.path.dirname(skimage.__file__), "data", "lfw_subset.npy"))[:100]


def faces_in_scenes(size: int, per_image: int = 4, seed: int = 20) -> list[Sample]:
    """Every LFW face once, ``size`` pixels wide, ``per_image`` to a real background."""
    rng = random.Random(seed + size)
    faces = lfw_faces()
    samples = []
    for start in range(0, len(faces), per_image):
        background = _scene(BACKGROUNDS[(start // per_image) % len(BACKGROUNDS)]).resize((640, 480))
        boxes = []
        for i, face in enumerate(faces[start : start + per_image]):
            crop = Image.fromarray((face * 255).astype(np.uint8)).resize((size, size), Image.Resampling.BICUBIC)
            # One face per quadrant, so no two overlap.
            col, row = i % 2, i // 2
            x = col * 320 + rng.randint(10, max(10, 310 - size))
            y = row * 240 + rng.randint(10, max(10, 230 - size))
            background.paste(crop.convert("RGB"), (x, y))
            boxes.append((x, y, size, size))
        samples.append(Sample(f"lfw {size}px #{start // per_image}", background, faces=boxes))
    return samples


def _font(size: int):
    return ImageFont.load_default(size=size)


def plate_text(rng: random.Random) -> str:
    letters = "ABCEHKMOPTXY"  # the letters plates in many countries share
    return (
        rng.choice(letters)
        + "".join(rng.choice(string.digits) for _ in range(3))
        + rng.choice(letters)
        + rng.choice(letters)
        + " "
        + "".join(rng.choice(string.digits) for _ in range(2))
    )


def render_plate(text: str, width: int) -> Image.Image:
    """A plate as a camera sees it head-on: dark characters on white, a black rim, about 4.6 : 1."""
    height = round(width / 4.6)
    plate = Image.new("RGB", (width, height), (235, 235, 230))
    draw = ImageDraw.Draw(plate)
    draw.rectangle((0, 0, width - 1, height - 1), outline=(20, 20, 20), width=max(2, width // 80))
    font = _font(round(height * 0.72))
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(
        ((width - (right - left)) / 2 - left, (height - (bottom - top)) / 2 - top), text, font=font, fill=(15, 15, 15)
    )
    return plate


def car_with_plate(width: int, background: str, seed: int) -> Sample:
    """The back of a car (body, rear window, lights) over a real photograph, its plate ``width`` pixels wide."""
    rng = random.Random(seed)
    scene = _scene(background).resize((800, 600))
    draw = ImageDraw.Draw(scene)
    car_w = width * 4
    car_h = round(car_w * 0.55)
    x0 = rng.randint(0, max(0, scene.width - car_w))
    y0 = rng.randint(0, max(0, scene.height - car_h))
    body = tuple(rng.randint(30, 200) for _ in range(3))
    draw.rounded_rectangle((x0, y0, x0 + car_w, y0 + car_h), radius=car_w // 12, fill=body)
    draw.rectangle((x0 + car_w // 8, y0 + car_h // 10, x0 + car_w * 7 // 8, y0 + car_h * 4 // 10), fill=(40, 50, 60))
    for lx in (x0 + car_w // 20, x0 + car_w * 16 // 20):
        draw.rectangle((lx, y0 + car_h // 2, lx + car_w // 7, y0 + car_h * 6 // 10), fill=(190, 20, 20))
    plate = render_plate(plate_text(rng), width)
    px, py = x0 + (car_w - plate.width) // 2, y0 + car_h * 13 // 20
    scene.paste(plate, (px, py))
    return Sample(f"plate {width}px on {background}", scene, plates=[(px, py, plate.width, plate.height)])


def empty_scenes() -> list[Sample]:
    return [Sample(name, _scene(name)) for name in EMPTY_SCENES]


def labelled_set() -> list[Sample]:
    samples = [astronaut(s) for s in (1.0, 0.7, 0.45, 0.3)] + [cameraman(s) for s in (1.0, 0.7, 0.45)]
    for size in (32, 56, 96):
        samples += faces_in_scenes(size)
    for i, width in enumerate((60, 80, 100, 130, 170, 220) * 3):
        samples.append(car_with_plate(width, BACKGROUNDS[i % len(BACKGROUNDS)], seed=i))
    return samples + empty_scenes()
