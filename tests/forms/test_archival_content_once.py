"""The archival copy computes its revision's canonical content once: the attached JSON, the
fingerprint in its QR code and footer, and the one the rendition row keeps all come from it."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from flask import Flask

from archive.content import FORMAT, SHORT_FINGERPRINT, content_fingerprint
from archive.records import record_at_revision
from core.web import services
from forms import versions
from forms.pdf.archival import render_archival
from forms.pdf.service import configured_renderer
from forms.printing import verify_url
from forms.submission import submit
from tests.support.instance import VALID_CP, actor_of
from tests.support.pdf import text_of


def test_the_archival_copy_computes_the_canonical_content_once(app: Flask,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    with app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP", VALID_CP).code
        with s.db.reading() as session:
            record = record_at_revision(session, code, 1)
        assert record is not None
        spec = versions.spec_version(s.db, "CP", record.form_version)
        renderer = configured_renderer(app.config, Path(app.instance_path))
        dumps, documents = json.dumps, []

        def counting(document: Any, *args: Any, **kwargs: Any) -> str:
            if isinstance(document, dict) and document.get("format") == FORMAT:
                documents.append(document["code"])
            return dumps(document, *args, **kwargs)

        monkeypatch.setattr(json, "dumps", counting)
        made = render_archival(renderer, spec, record, company=app.config["COMPANY_NAME"], zone=s.zone,
                               public_url=app.config["PUBLIC_URL"])
        monkeypatch.undo()
    assert documents == [code]  # was three times: the QR code's link, the attachment, the fingerprint
    with pikepdf.open(io.BytesIO(made.pdf)) as pdf:
        [attached] = pdf.attachments.values()
        data = attached.get_file().read_bytes()
    assert hashlib.sha256(data).hexdigest() == made.content_fingerprint == content_fingerprint(record)
    short = made.content_fingerprint[:SHORT_FINGERPRINT]
    assert f"核验码 {short}" in text_of(made.pdf)
    assert verify_url("https://x/", record, short) == f"https://x/verify/{code}?r=1&f={short}"
