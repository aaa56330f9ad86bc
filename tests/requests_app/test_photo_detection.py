"""The detector on real photographs scikit-image ships: faces and plates found, empty scenes left alone."""

import pytest
from PIL import Image

from bench.photo_set import CAMERAMAN_FACE, cameraman, car_with_plate, empty_scenes
from requests_app.photo_detection import Box, DetectionFailed, Kind, blur_regions, detect


def _covers(box: Box, label, width, height) -> bool:
    area = box.padded(width, height)
    x, y, w, h = label
    return area.x <= x and area.y <= y and area.x + area.w >= x + w * 0.8 and area.y + area.h >= y + h * 0.8


def test_the_cameramans_face_is_found_and_its_padded_box_covers_it():
    sample = cameraman()
    faces = [b for b in detect(sample.image, plates=False) if b.kind == Kind.FACE]
    assert any(_covers(b, CAMERAMAN_FACE, *sample.image.size) for b in faces)


def test_a_rendered_plate_is_found():
    sample = car_with_plate(130, "brick", seed=7)
    plates = detect(sample.image, faces=False)
    assert any(_covers(b, sample.plates[0], *sample.image.size) for b in plates)


def test_a_coffee_cup_has_no_face_and_no_plate():
    coffee = next(s for s in empty_scenes() if s.name == "coffee")
    assert detect(coffee.image) == []


def test_an_image_beyond_the_pixel_limit_is_refused_not_scanned():
    with pytest.raises(DetectionFailed) as raised:
        detect(Image.new("RGB", (5000, 3000)))
    assert raised.value.code == "too_large"


def test_blurring_keeps_the_size_and_touches_only_the_padded_box():
    image = Image.effect_noise((200, 100), 80).convert("RGB")
    out = blur_regions(image, [Box(50, 25, 20, 20)])
    assert out.size == image.size
    assert out.getpixel((0, 0)) == image.getpixel((0, 0)) and out.getpixel((60, 35)) != image.getpixel((60, 35))
