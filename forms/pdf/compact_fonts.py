"""Small embedded CJK fonts: CID-keyed CFF subsets without WeasyPrint's retained glyph ids.

WeasyPrint writes each glyph into the page as its id in the *full* font (``Identity-H``: character
code = CID = glyph id), so it subsets fonts keeping the original numbering (HarfBuzz's
``RETAIN_GIDS``). For Noto Sans CJK that leaves ~63,000 glyph slots (full-size charstring and
width indexes) in each subset for the 100–300 glyphs a handout uses: 96% of a 340 KB PDF, and of
the archive, which keeps one PDF/A per revision.

A CID-keyed CFF font does not need the slots to keep the ids: its charset names each glyph by CID,
and a viewer looks a CID up there when the font is embedded as bare CFF (``FontFile3`` with
``/Subtype /CIDFontType0C``; inside an OpenType wrapper poppler takes the CID for the glyph id).
So for a CID-keyed CFF whose CIDs are its glyph ids (Noto Sans CJK: Adobe-Identity-0) we subset
*without* retained ids — HarfBuzz keeps every glyph's CID — and embed the bare ``CFF`` table. The
page content, the widths (``W``) and ``ToUnicode``, all keyed by CID, stay exactly as WeasyPrint
wrote them. It is also faster: one HarfBuzz pass over a few hundred glyphs, not two over 63,000.

The fence: this replaces WeasyPrint's internal ``Font.subset`` (written against the version in
:data:`PINNED`, pinned in pyproject.toml; a test fails if either moves), and only inside
:func:`compacting`, whose finisher (WeasyPrint's public ``write_pdf(finisher=...)``) is the other
half — outside it, and for any other font or WeasyPrint version, WeasyPrint subsets as it always
does. Nothing else in the project imports WeasyPrint's font internals.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import partial
from itertools import pairwise
from typing import Any

log = logging.getLogger(__name__)

#: The WeasyPrint release whose ``weasyprint.pdf.fonts.Font`` this module was written against.
PINNED = "70.0"
#: Tables a PDF never reads from an embedded CFF font (the bare ``CFF`` table is what is embedded).
_DROPPED = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GDEF", b"GPOS", b"GSUB", b"JSTF",
            b"LTSH", b"PCLT", b"SVG ", b"VORG", b"cmap", b"name", b"post", b"vhea", b"vmtx")
Finisher = Callable[[Any, Any], None]


@dataclass
class _Render:
    """One ``write_pdf`` call: each compacted font's OpenType bytes (as WeasyPrint embeds them,
    kept alive so their ``id`` stays theirs) and the bare CFF table that replaces them."""

    compacted: dict[int, tuple[bytes, bytes]] = field(default_factory=dict)


_current: ContextVar[_Render | None] = ContextVar("dossier_compact_fonts", default=None)
_install_lock = threading.Lock()
_installed: bool | None = None


@contextmanager
def compacting() -> Iterator[Finisher | None]:
    """Within this block, CID-keyed CFF fonts are subset compactly; it yields the finisher to pass
    to ``write_pdf`` (``None`` when this WeasyPrint is not the pinned one: nothing changes)."""
    if not _install():
        yield None
        return
    render = _Render()
    token = _current.set(render)
    try:
        yield partial(_finish, render)
    finally:
        _current.reset(token)


def _install() -> bool:
    """Wrap ``Font.subset`` once per process; ``False`` (and a warning) on another WeasyPrint."""
    global _installed
    with _install_lock:
        if _installed is None:
            import weasyprint
            from weasyprint.pdf.fonts import Font

            _installed = weasyprint.__version__ == PINNED
            if _installed:
                Font.subset = _wrap(Font.subset)
            else:
                log.warning("WeasyPrint %s is not %s: fonts are embedded as WeasyPrint subsets them "
                            "(large CJK subsets)", weasyprint.__version__, PINNED)
        return _installed


Subset = Callable[[Any, dict[int, str], bool], None]


def _wrap(original: Subset) -> Subset:
    def subset(font: Any, to_unicode: dict[int, str], hinting: bool) -> None:
        render = _current.get()
        found = _compact(font, to_unicode, hinting) if render is not None and to_unicode else None
        if found is None:
            original(font, to_unicode, hinting)
            return
        font.file_content = found[0]
        render.compacted[id(found[0])] = found

    return subset


def _compact(font: Any, to_unicode: dict[int, str], hinting: bool) -> tuple[bytes, bytes] | None:
    """(OpenType, bare CFF) subset to the glyphs used, or ``None`` where this does not apply."""
    from weasyprint.text.ffi import harfbuzz_subset as hb
    from weasyprint.text.fonts import get_hb_object_data

    if (not hb or "CFF " not in font.tables or {"fvar", "CFF2"} & set(font.tables)
            or font.png or font.svg or font.colr):
        return None
    used = {gid for gid in to_unicode if gid < font.glyph_count} | {0}  # not the missing' stand-ins
    flags = hb.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED | hb.HB_SUBSET_FLAGS_DESUBROUTINIZE
    if not hinting:  # as WeasyPrint's own subsetting: no hints unless asked for
        flags |= hb.HB_SUBSET_FLAGS_NO_HINTING
    if font.missing:
        flags |= hb.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    face = _subset(font.hb_face, sorted(used), flags)
    cids = _cids(_cff_table(face)) if face is not None else None
    if cids is None or not _keeps_glyph_ids(cids, used):
        log.debug("%s: not a CID-keyed CFF keyed by glyph id; WeasyPrint subsets it", font.family)
        return None
    if len(cids) > len(used):  # HarfBuzz 6 adds the glyphs of the used characters' variation
        # sequences (cmap format 14); the first pass dropped the cmap, so a second one does not
        face = _subset(face, [new for new, cid in enumerate(cids) if cid in used], flags)
        if face is None:
            return None
    return get_hb_object_data(face), _cff_table(face)


def _subset(source: Any, glyphs: list[int], flags: int) -> Any | None:
    """HarfBuzz's subset of ``source`` to ``glyphs`` (sorted), new ids in the old order, or None."""
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

    plan = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy)
    wanted = harfbuzz_subset.hb_subset_input_glyph_set(plan)
    harfbuzz.hb_set_add_sorted_array(wanted, ffi.new(f"hb_codepoint_t[{len(glyphs)}]", glyphs), len(glyphs))
    dropped = sorted(harfbuzz.hb_tag_from_string(tag, -1) for tag in _DROPPED)
    harfbuzz.hb_set_add_sorted_array(
        harfbuzz_subset.hb_subset_input_set(plan, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG),
        ffi.new(f"hb_codepoint_t[{len(dropped)}]", dropped), len(dropped))
    harfbuzz_subset.hb_subset_input_set_flags(plan, flags)
    face = harfbuzz_subset.hb_subset_or_fail(source, plan)
    return None if face == ffi.NULL else ffi.gc(face, harfbuzz.hb_face_destroy)


def _cff_table(face: Any) -> bytes:
    from weasyprint.text.ffi import ffi, harfbuzz

    blob = harfbuzz.hb_face_reference_table(face, harfbuzz.hb_tag_from_string(b"CFF ", -1))
    try:
        length = ffi.new("unsigned int *")
        return bytes(ffi.buffer(harfbuzz.hb_blob_get_data(blob, length), length[0]))
    finally:
        harfbuzz.hb_blob_destroy(blob)


def _cids(cff: bytes) -> list[int] | None:
    """Each glyph's CID, by glyph id; ``None`` for a font that is not CID-keyed."""
    from fontTools.cffLib import CFFFontSet

    if not cff:
        return None
    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(cff), None)
    top = fonts[fonts.fontNames[0]]
    if not hasattr(top, "ROS"):
        return None
    try:
        return [0, *(int(name.removeprefix("cid")) for name in top.charset[1:])]
    except ValueError:
        return None


def _keeps_glyph_ids(cids: list[int], used: set[int]) -> bool:
    """Whether the subset holds every used glyph under its old id as CID.

    HarfBuzz keeps glyphs in their old order and their CIDs as they were, so in a font whose
    CIDs are its glyph ids the CIDs strictly increase and include every id the pages use.
    """
    return all(a < b for a, b in pairwise(cids)) and used <= set(cids)


def _finish(render: _Render, _document: Any, pdf: Any) -> None:
    """Embed each compacted font as bare CFF, where viewers find glyphs by CID."""
    import pydyf

    swapped = 0
    for item in pdf.objects:
        if not isinstance(item, pydyf.Stream) or item.extra.get("Subtype") != "/OpenType":
            continue
        found = render.compacted.get(id(item.stream[0])) if len(item.stream) == 1 else None
        if found is not None and found[0] is item.stream[0]:
            item.stream = [found[1]]
            item.extra["Subtype"] = "/CIDFontType0C"
            swapped += 1
    if swapped != len(render.compacted):  # an OpenType subset without retained ids would print garbage
        raise RuntimeError(f"{len(render.compacted) - swapped} compacted font(s) not embedded as CFF: "
                           f"WeasyPrint no longer embeds fonts as {__name__} expects")
