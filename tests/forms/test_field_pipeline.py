"""Property-based test of the whole way a record travels (issue 15): any values the published
JSON Schema accepts, sent to the API, come back unchanged from the record, are printed on its
PDF, are found by search, and survive ``archive export`` → ``archive import`` into a new
instance unchanged. Few examples: each renders PDFs and builds an instance."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import tempfile
import unicodedata
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from core.clock import FrozenClock
from core.web import services
from forms.fields import REGISTRY
from forms.pdf.fonts import find_fonts
from tests.support.archive_state import archive_state, revisions_of
from tests.support.field_values import TEST_FORM, install_test_form, record_data
from tests.support.instance import make_app

#: Each example takes seconds: shrinking one would take many minutes, so the failing one is shown.
NO_SHRINKING = (Phase.explicit, Phase.reuse, Phase.generate)
STAMP = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)
#: Runs of Chinese characters a search must find (two or more: one is a prefix query).
CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,6}")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(STAMP)


@pytest.fixture
def pipeline(app: Flask, token_for, logged_in, template_db: Path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    install_test_form(app)
    return {"app": app, "clerk": token_for("clerk"), "admin": token_for("admin"), "template": template_db}


def legible(text: str, drawable: frozenset[int] | None = None) -> str:
    """Text as a reader compares it: compatibility forms folded, and without the characters that
    print as nothing (spaces, line breaks where a line wraps, zero-width and control characters,
    unassigned code points) or whose text a PDF keeps only in part (emoji: a sequence drawn as one
    glyph maps back to its first code point); with ``drawable``, only the characters it holds."""
    return "".join(c for c in unicodedata.normalize("NFKC", text)
                   if unicodedata.category(c)[0] not in "ZC" and unicodedata.category(c) not in ("So", "Sk")
                   and (drawable is None or ord(c) in drawable))


@cache
def print_font_characters() -> frozenset[int]:
    """What the print font has glyphs for. Noto Sans CJK lacks the rarer ideographs (CJK
    extension B on: 𪚥, found by this test), which print as empty boxes; they are left out of
    the comparison rather than failing every run (reported in issue 15's note)."""
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(find_fonts().regular, fontNumber=0).getBestCmap())


def pdf_text(pdf: bytes) -> str:
    """The text in drawing order (``-raw``: a table cell's wrapped lines stay together)."""
    return subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")


def printed(data: dict[str, Any]) -> list[str]:
    """What the PDF shows of each value (Chinese labels, as the office prints), cells one by one."""
    values = []
    for field in TEST_FORM.fields:
        if field.name in data and field.type == "file":  # each file by name, in the printed list
            values += [item["name"] for item in data[field.name]]
        elif field.name in data and field.type == "rows":
            values += [REGISTRY[c.type].display(c, row[c.name], "zh")
                       for row in data[field.name] for c in field.columns if c.name in row]
        elif field.name in data and field.type not in ("user", "department"):  # shown by name
            values.append(REGISTRY[field.type].display(field, data[field.name], "zh"))
    return values


def search_words(data: dict[str, Any]) -> list[str]:
    """Queries that must find the record: Chinese words of its indexed text, its phone's tail."""
    words = []
    for name in ("title_text", "notes"):
        words += CJK_RUN.findall(data.get(name, ""))[:1]
    if "phone" in data:
        words.append(re.sub(r"\D", "", data["phone"])[-4:])
    return words


def new_target(template: Path, monkeypatch: pytest.MonkeyPatch, clock: FrozenClock) -> Flask:
    """A new instance as `flask init` leaves it (the test users included): nothing archived."""
    folder = Path(tempfile.mkdtemp(prefix="target-"))
    shutil.copy(template, folder / "dossier.sqlite3")
    monkeypatch.setenv("DOSSIER_INSTANCE", str(folder))
    return make_app(f"sqlite:///{folder}/dossier.sqlite3", clock)


@settings(max_examples=4, deadline=None, database=None, phases=NO_SHRINKING,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(batch=st.lists(record_data(), min_size=1, max_size=3))
def test_accepted_values_survive_pdf_search_export_and_import(pipeline, batch, monkeypatch, clock,  # type: ignore[no-untyped-def]
                                                              tmp_path_factory) -> None:
    random.seed()  # Hypothesis seeds `random` alike for every example; Whoosh names segments with it
    app = pipeline["app"]
    client = app.test_client()
    codes = {}
    for data in batch:
        created = client.post("/api/v1/records", json={"form": "PT", "data": data}, headers=pipeline["clerk"])
        assert created.status_code == 201, created.json
        codes[created.json["code"]] = created.json["data"]
    output = app.test_cli_runner().invoke(args=["outbox", "run", "--once"]).output
    assert "0 failed" in output, output

    for code, data in codes.items():
        pdf = client.get(f"/api/v1/records/{code}/pdf", headers=pipeline["clerk"])
        assert pdf.status_code == 200
        text = legible(pdf_text(pdf.data), print_font_characters())
        for value in printed(data):
            assert legible(value, print_font_characters()) in text, (value, text)
        for word in search_words(data):
            hits = client.get("/api/v1/search", query_string={"q": word, "per_page": 100},
                              headers=pipeline["admin"])
            assert hits.status_code == 200, hits.json
            assert code in [hit["code"] for hit in hits.json["hits"]], word

    out = tmp_path_factory.mktemp("export") / "out"
    exported = app.test_cli_runner().invoke(args=["archive", "export", "--lang", "en", "--out", str(out),
                                                  "--by", "archivist"])
    assert exported.exit_code == 0, exported.output
    target = new_target(pipeline["template"], monkeypatch, clock)
    try:
        imported = target.test_cli_runner().invoke(args=["archive", "import", "--lang", "en", str(out)])
        assert imported.exit_code == 0, imported.output
        assert archive_state(target) == archive_state(app)
        for code, data in codes.items():
            assert revisions_of(target, code) == revisions_of(app, code)
            assert archive_state(target)["records"][code]["data"] == data
    finally:
        with target.app_context():
            services().db.dispose()
