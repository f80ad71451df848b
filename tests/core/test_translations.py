"""Every interface string has a Chinese translation, and the compiled catalogue is current."""

import io
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "core" / "translations" / "zh" / "LC_MESSAGES"


def test_every_extracted_message_is_translated(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "-k", "_l", "-o", str(pot), "--no-location",
                    str(ROOT)], check=True, capture_output=True, cwd=ROOT)
    with pot.open("rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    with (CATALOGUE / "messages.po").open("rb") as fh:
        translated = {m.id for m in read_po(fh) if m.id and m.string}
    assert wanted - translated == set()


def test_the_compiled_catalogue_matches_the_po_file():
    with (CATALOGUE / "messages.po").open("rb") as fh:
        po = {_key(m.id): _key(m.string) for m in read_po(fh) if m.id}
    mo = {_key(m.id): _key(m.string)
          for m in read_mo(io.BytesIO((CATALOGUE / "messages.mo").read_bytes())) if m.id}
    assert po == mo


def _key(value):
    """Plural messages come back as lists from the compiled file and as tuples from the source."""
    return tuple(value) if isinstance(value, list | tuple) else value
