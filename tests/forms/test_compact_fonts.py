"""Compact CJK font subsets (forms/pdf/compact_fonts.py): the same text and the same pixels as
WeasyPrint's own subsetting, fonts holding only the glyphs the pages use under the ids the pages
name them by, the archival copy still PDF/A, and the fence around WeasyPrint's internals."""

from __future__ import annotations

import io
import re
import subprocess
import tomllib
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest
from fontTools.cffLib import CFFFontSet

from forms.pdf import compact_fonts
from forms.pdf.fonts import FontSet, find_fonts
from forms.pdf.render import Attached, Renderer

ROOT = Path(__file__).resolve().parents[2]
LINE = ("客户来电反映，收到的一批货物中有部分外包装破损，产品表面有明显划痕。"
        "<b>经客户初步清点</b>，不良品约占到货数量的百分之五左右（A-1023 不锈钢保温杯 500ml）。")
#: Two pages: regular and bold Chinese, Latin letters, digits and punctuation, a header and footer.
HANDOUT = ('<html lang="zh-CN"><head><style>'
           '@page { @top-right { content: "客户抱怨处理表 · CP"; } '
           '@bottom-right { content: "第 " counter(page) " 页"; } }</style></head><body>'
           "<h1>客户抱怨处理表</h1><p>Customer Complaint Handling · CP-2026-000002</p>"
           + "".join(f"<p>{n}. {LINE}</p>" for n in range(1, 31)) + "</body></html>")


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(find_fonts())


@pytest.fixture(scope="module")
def both(renderer: Renderer) -> dict[str, bytes]:
    """The handout as WeasyPrint subsets it on its own, and compacted."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("forms.pdf.render.compacting", lambda: nullcontext(None))
        weasyprint_alone = renderer.render(HANDOUT).pdf
    return {"weasyprint": weasyprint_alone, "compact": renderer.render(HANDOUT).pdf}


def poppler(tool: str, pdf: bytes, *arguments: str) -> bytes:
    """A poppler tool's output for ``pdf`` given on its standard input."""
    out = ["-"] if tool == "pdftotext" else []
    return subprocess.run([tool, *arguments, "-", *out], input=pdf, capture_output=True, check=True).stdout


def embedded_fonts(pdf: bytes) -> list[dict[str, object]]:
    """Each Type0 font: its font file's subtype, its CFF's CIDs (when CFF) and the CIDs its
    widths (W) and ToUnicode name."""
    found = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            for font in page.Resources.Font.values():
                cid_font = font.DescendantFonts[0]
                descriptor = cid_font.FontDescriptor
                program = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
                widths, cids, index = cid_font.W, set(), 0
                while index < len(widths):
                    first, listed = int(widths[index]), widths[index + 1]
                    cids |= set(range(first, first + len(listed)))
                    index += 2
                unicode_map = font.ToUnicode.read_bytes().decode()
                found.append({
                    "name": str(font.BaseFont), "subtype": str(program.get("/Subtype")),
                    "program": program.read_bytes(), "widths": cids,
                    "to_unicode": {int(c, 16) for c in re.findall(r"<([0-9a-f]{4})> <", unicode_map)}})
    return list({entry["name"]: entry for entry in found}.values())


def cff_cids(program: bytes) -> list[int]:
    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(program), None)
    top = fonts[fonts.fontNames[0]]
    assert top.ROS == ("Adobe", "Identity", 0)  # CID-keyed
    return [0, *(int(name.removeprefix("cid")) for name in top.charset[1:])]


def test_the_fence_is_written_for_the_weasyprint_installed_and_pinned() -> None:
    """compact_fonts replaces WeasyPrint's internal Font.subset: moving the pin means reading
    weasyprint/pdf/fonts.py of the new release again, then raising PINNED with it."""
    import weasyprint

    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert f"weasyprint=={compact_fonts.PINNED}" in dependencies
    assert weasyprint.__version__ == compact_fonts.PINNED


def test_a_compacted_handout_has_the_same_text_and_the_same_pixels(both: dict[str, bytes]) -> None:
    alone, compact = both["weasyprint"], both["compact"]
    text = poppler("pdftotext", compact, "-layout").decode()
    assert "客户抱怨处理表" in text and "经客户初步清点" in text and "Customer Complaint Handling" in text
    assert text == poppler("pdftotext", alone, "-layout").decode()
    assert "Pages:           2" in poppler("pdfinfo", compact).decode()
    for resolution in ("40", "110"):  # every page, grey levels, byte for byte
        assert poppler("pdftoppm", compact, "-r", resolution, "-gray") == \
            poppler("pdftoppm", alone, "-r", resolution, "-gray")


def test_each_font_holds_only_the_glyphs_the_pages_use_under_the_ids_they_use(
        both: dict[str, bytes]) -> None:
    fonts = embedded_fonts(both["compact"])
    assert sorted(str(f["name"]).split("+")[1] for f in fonts) == ["Dossier-Sans", "Dossier-Sans-Bold"]
    for font in fonts:
        assert font["subtype"] == "/CIDFontType0C"  # bare CFF: viewers look CIDs up in its charset
        cids = cff_cids(font["program"])  # type: ignore[arg-type]
        assert set(cids) == {0} | font["widths"]  # type: ignore[operator]
        assert font["to_unicode"] <= set(cids)  # type: ignore[operator]
    # WeasyPrint's own subsets keep a slot for every glyph of the font (65,535 in Noto Sans CJK)
    assert {f["subtype"] for f in embedded_fonts(both["weasyprint"])} == {"/OpenType"}


def test_the_archival_copy_stays_pdf_a_with_its_text(renderer: Renderer) -> None:
    data = Attached("CP-2026-000002.r1.json", b'{"code": "CP-2026-000002"}', "the record's data",
                    datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC))
    reports = {}
    ways = (("weasyprint", lambda: nullcontext(None)), ("compact", compact_fonts.compacting))
    for kind, compacting in ways:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("forms.pdf.render.compacting", compacting)
            pdf = renderer.render(HANDOUT, archival=True, attachments=[data]).pdf
        with pikepdf.open(io.BytesIO(pdf)) as document:
            assert document.open_metadata()["pdfaid:part"] == "3"
            # pikepdf's checker knows 3b, not 3u: the conformance letter is the one finding it reports
            report = pikepdf.pdfa.check(document, "3b")
        reports[kind] = [(f.rule, f.kind) for f in report.findings]
        assert [f for f in report.findings if f.kind == "violation"
                and f.rule != "ISO_19005_3:6.6.4-3"] == [], report.findings
        assert {f["subtype"] for f in embedded_fonts(pdf)} == (
            {"/CIDFontType0C"} if kind == "compact" else {"/OpenType"})
        reports[kind + " text"] = poppler("pdftotext", pdf).decode()
    assert reports["compact"] == reports["weasyprint"]
    assert reports["compact text"] == reports["weasyprint text"]


def test_weasyprint_used_directly_subsets_as_it_always_did(renderer: Renderer) -> None:
    """The replacement acts only inside our render (the finisher is its other half)."""
    from weasyprint import HTML

    renderer.render(HANDOUT)  # installs the wrapper
    fonts = find_fonts()
    html = HANDOUT.replace("<head>", (
        f'<head><style>@font-face {{ font-family: X; src: url("{fonts.regular.as_uri()}"); }}'
        "html { font-family: X; }</style>"))
    pdf = HTML(string=html).write_pdf(font_config=renderer.font_config)
    assert {f["subtype"] for f in embedded_fonts(pdf)} == {"/OpenType"}
    assert "客户抱怨处理表" in poppler("pdftotext", pdf).decode()


def test_a_font_that_is_not_cid_keyed_cff_is_subset_by_weasyprint() -> None:
    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not dejavu.is_file():
        pytest.skip("DejaVu Sans (a TrueType font) is not installed")
    pdf = Renderer(FontSet(dejavu, dejavu)).render("<p>Customer complaint 2026</p>").pdf
    assert "Customer complaint 2026" in poppler("pdftotext", pdf).decode()
    subtypes = {str(f["name"]).split("+")[1]: f["subtype"] for f in embedded_fonts(pdf)}
    assert subtypes["Dossier-Sans"] == "None"  # FontFile2: TrueType, as before
