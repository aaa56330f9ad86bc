"""A backlog of photos to blur never delays routing: each kind of work has its queue, and routing its worker."""

import io
import time
import uuid

import httpx
import pytest
from PIL import Image
from skimage.data import astronaut

from tests.faults.stack import Client

pytestmark = pytest.mark.scale

PHOTO_FILINGS, PHOTOS_EACH = 4, 10


def phone_photo() -> bytes:
    # A real photograph (a face to find) at a phone's size: each takes the blurring worker a noticeable while.
    buffer = io.BytesIO()
    Image.fromarray(astronaut()).resize((1600, 1600)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def test_routing_answers_while_the_photo_queue_is_full(stack):
    url = stack.start_web(workers=2)
    client = Client(stack, url)
    photo = phone_photo()
    # Filed while no worker runs: forty photos wait in the photos queue, as after a storm of reports.
    for n in range(PHOTO_FILINGS):
        files = [(f"photo{i}", (f"p{i}.jpg", photo, "image/jpeg")) for i in range(PHOTOS_EACH)]
        answer = httpx.post(
            url + "/open311/v2/requests.json",
            data=client.form(n),
            files=files,
            headers={"Idempotency-Key": uuid.uuid4().hex},
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
    assert int(stack.redis("llen", "photos")) == PHOTO_FILINGS * PHOTOS_EACH

    # The shape `make run` starts: one worker for every queue, one for routing alone.
    stack.start_worker("worker", concurrency=1)
    stack.start_worker("routing", concurrency=1, queues="routing")
    stack.wait_worker_ready("worker")
    stack.wait_worker_ready("routing")
    stack.wait_until_routed(PHOTO_FILINGS, seconds=120)

    started = time.monotonic()
    probe = client.file(100)
    stack.wait_for(
        lambda: (
            stack.value("select routing_state from requests_app_servicerequest where public_id = %s", (probe,))
            != "pending"
        ),
        "routing of the probe",
        seconds=60,
    )
    routed_after = time.monotonic() - started
    waiting_photos = int(stack.redis("llen", "photos"))
    # Queues are first in, first out: had routing shared the photos' queue, the probe could not be routed while
    # photos filed before it still wait there.
    assert waiting_photos >= PHOTO_FILINGS * PHOTOS_EACH // 2, (waiting_photos, routed_after)
    assert routed_after < 30  # generous: the blurring worker keeps the machine's cores busy meanwhile
