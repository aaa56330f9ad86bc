"""Face and licence plate blurring: how much of the labelled set (bench/photo_set.py) it finds, what it blurs
that it should not, and what it costs per megapixel against re-encoding the photo alone.

A face or plate counts as found when the padded box that would be blurred covers at least 60% of its label;
a detection that touches no label is a false positive. Aims: recall >= 0.9 for faces wider than 40 px and
>= 0.8 for readable plates (80 px wide and more).

Run alone with ``python -m bench photos`` (after `make bench` set up the database) or as part of `make bench`.
"""

import io
import time

from PIL import Image

from bench.figures import Figure
from bench.photo_set import labelled_set
from requests_app.photo_detection import Box, Kind, blur_regions, detect

COVERED = 0.6
FACE_MIN_PX = 40
PLATE_READABLE_PX = 80


def _covered(label, boxes: list[Box], width: int, height: int) -> bool:
    lx, ly, lw, lh = label
    for box in boxes:
        area = box.padded(width, height)
        ix = max(0, min(lx + lw, area.x + area.w) - max(lx, area.x))
        iy = max(0, min(ly + lh, area.y + area.h) - max(ly, area.y))
        if ix * iy >= COVERED * lw * lh:
            return True
    return False


def _touches(box: Box, labels) -> bool:
    return any(
        box.x < lx + lw and lx < box.x + box.w and box.y < ly + lh and ly < box.y + box.h for lx, ly, lw, lh in labels
    )


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def measure() -> dict:
    counts = {"faces": [0, 0], "small_faces": [0, 0], "plates": [0, 0], "small_plates": [0, 0]}
    false_positives, detections, images, megapixels, blur_s, plain_s, blur_cpu_s = 0, 0, 0, 0.0, 0.0, 0.0, 0.0
    for sample in labelled_set():
        data = _jpeg(sample.image)
        started, cpu = time.perf_counter(), time.process_time()
        image = Image.open(io.BytesIO(data)).convert("RGB")
        boxes = detect(image)
        _jpeg(blur_regions(image, boxes))
        blur_s += time.perf_counter() - started
        blur_cpu_s += time.process_time() - cpu
        started = time.perf_counter()
        _jpeg(Image.open(io.BytesIO(data)).convert("RGB"))  # what publishing costs without looking at it
        plain_s += time.perf_counter() - started
        images += 1
        megapixels += image.width * image.height / 1e6
        faces = [b for b in boxes if b.kind == Kind.FACE]
        plates = [b for b in boxes if b.kind == Kind.PLATE]
        for label in sample.faces:
            key = "faces" if label[2] > FACE_MIN_PX else "small_faces"
            counts[key][0] += _covered(label, faces, image.width, image.height)
            counts[key][1] += 1
        for label in sample.plates:
            key = "plates" if label[2] >= PLATE_READABLE_PX else "small_plates"
            counts[key][0] += _covered(label, plates, image.width, image.height)
            counts[key][1] += 1
        false_positives += sum(not _touches(b, sample.faces + sample.plates) for b in boxes)
        detections += len(boxes)
    return {
        "counts": counts,
        "false_positives": false_positives,
        "detections": detections,
        "images": images,
        "megapixels": megapixels,
        "blur_ms_per_mp": blur_s * 1000 / megapixels,
        "blur_cpu_ms_per_mp": blur_cpu_s * 1000 / megapixels,
        "plain_ms_per_mp": plain_s * 1000 / megapixels,
    }


def run(jurisdiction_id=None) -> list[Figure]:
    result = measure()
    counts = result["counts"]
    for key, (found, total) in counts.items():
        print(f"  {key:<13} found {found:>4} of {total:>4}  recall {found / max(total, 1):.3f}", flush=True)
    print(
        f"  false positives {result['false_positives']} of {result['detections']} boxes, "
        f"in {result['images']} photographs "
        f"({result['megapixels']:.1f} megapixels)"
    )
    # On a shared machine the wall clock counts other processes' turns too; CPU time is this work's own.
    print(
        f"  detect + blur + encode: {result['blur_ms_per_mp']:.0f} ms per megapixel wall clock, "
        f"{result['blur_cpu_ms_per_mp']:.0f} ms CPU",
        flush=True,
    )

    def recall(key):
        found, total = counts[key]
        return found / max(total, 1)

    return [
        Figure("photos", "face recall, faces > 40 px", recall("faces"), 0.9, "share", True, "aim"),
        Figure("photos", "plate recall, plates >= 80 px wide", recall("plates"), 0.8, "share", True, "aim"),
        Figure(
            "photos",
            "boxes that are a face or plate (precision)",
            1 - result["false_positives"] / max(result["detections"], 1),
            1.0,
            "share",
            True,
            "all",
        ),
        Figure(
            "photos",
            "detect + blur + encode, per megapixel",
            result["blur_ms_per_mp"],
            result["plain_ms_per_mp"],
            "ms/MP",
            False,
            "encode only",
        ),
    ]
