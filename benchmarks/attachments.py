"""What files on a record cost (issue 19): a complaint with ``--photos`` phone-sized photos
submitted through the API, its handout printed and its archival copy rendered.

    .venv/bin/python benchmarks/attachments.py [--photos 6] [--side 4000]

Makes a fresh instance in a temporary folder (migrated, the test users, every spec approved),
draws ``--photos`` JPEGs of ``--side`` x 3/4 ``--side`` pixels (blurred noise at quality 92:
about 3 MB at 4000 px, like a phone's), and prints the seconds and sizes of: the submission
(every upload checked by content, re-encoded without metadata, stored, read back, thumbnailed,
then the record's transaction), the handout (images scaled to 1200 px) and the archival PDF/A-3
(every original embedded), rendered by one outbox pass. It asserts no duration.
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageFilter

from archive.renditions import renditions_of
from core.auth import accounts
from core.clock import SystemClock
from core.web import services
from tests.support.instance import VALID_CP, make_app, populate

MB = 2**20


def photos(count: int, side: int) -> list[bytes]:
    rng, drawn = random.Random(19), []
    for _ in range(count):
        width, height = side // 10, side * 3 // 40
        small = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
        out = io.BytesIO()
        small.resize((side, side * 3 // 4)).filter(ImageFilter.GaussianBlur(2)).save(out, "JPEG", quality=92)
        drawn.append(out.getvalue())
    return drawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=6)
    parser.add_argument("--side", type=int, default=4000)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="attachments-")
    os.environ["DOSSIER_INSTANCE"] = folder
    app = make_app(f"sqlite:///{folder}/dossier.sqlite3", SystemClock())
    populate(app)
    with app.app_context():
        token = accounts.create_token(services().db, services().clock, "clerk", "benchmark")
    headers, client = {"Authorization": f"Bearer {token}"}, app.test_client()
    drawn = photos(args.photos, args.side)
    print(f"{len(drawn)} photos of {args.side} px, {sum(map(len, drawn)) / MB:.1f} MB in all")
    sent = [{"name": f"IMG_{i:04d}.jpg", "content_base64": base64.b64encode(photo).decode()}
            for i, photo in enumerate(drawn)]
    start = time.perf_counter()
    made = client.post("/api/v1/records", headers=headers,
                       json={"form": "CP", "data": {**VALID_CP, "defect_photos": sent}})
    print(f"submit: {made.status_code} in {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    handout = client.get(f"/api/v1/records/{made.json['code']}/pdf", headers=headers).data
    print(f"handout: {time.perf_counter() - start:.2f} s, {len(handout) / MB:.1f} MB")
    start = time.perf_counter()
    app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    with app.app_context():
        [stored] = renditions_of(services().db, made.json["code"])
    seconds = time.perf_counter() - start
    print(f"archival copy (and the index entry): {seconds:.2f} s, {stored.size / MB:.1f} MB")


if __name__ == "__main__":
    main()
