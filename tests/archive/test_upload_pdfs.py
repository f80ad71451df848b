"""PDFs: clean ones (WeasyPrint's, pikepdf's) are stored unchanged with their page count; scripts
and outside actions are found wherever they hide (form fields, page actions, streams, escaped
names, object streams); odd structure (cycles, deep nesting, no pages) is refused or passed,
never a crash."""

from __future__ import annotations

import io

import pikepdf
import pytest
from hypothesis import given
from hypothesis import strategies as st
from weasyprint import HTML, Attachment

from archive.uploads import MB, Kind, Limits, UploadRefused, check_upload
from tests.support import upload_samples
from tests.support.hostile_files import raw_pdf

PDFS = Limits(kinds=frozenset({Kind.PDF}), max_bytes=20 * MB, max_files=1)


def refused_reason(data: bytes) -> str:
    with pytest.raises(UploadRefused) as refused:
        check_upload("x.pdf", data, PDFS)
    return str(refused.value.reason)


def test_raw_pdf_builder_makes_a_clean_pdf_that_is_accepted():
    checked = check_upload("plain.pdf", raw_pdf(), PDFS)
    assert checked.pages == 1


def test_small_slips_that_viewers_tolerate_are_not_damage():
    """qpdf repairs a page without /Resources with a warning; every viewer shows it."""
    data = raw_pdf().replace(b"/Resources << >>", b"/Rotate 0       ")  # same length: xref stays right
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 1 and pdf.get_warnings()  # reading the page, qpdf repaired it
    assert check_upload("slip.pdf", data, PDFS).pages == 1


def test_weasyprint_pdf_is_accepted_unchanged_with_its_pages():
    data = HTML(string="<p>损坏照片说明</p><p style='break-before: page'>page two</p>").write_pdf()
    checked = check_upload("说明.pdf", data, PDFS)
    assert (checked.data, checked.pages, checked.media_type, checked.name) == (
        data, 2, "application/pdf", "说明.pdf")
    assert checked.width is None and checked.height is None


def test_pikepdf_pdf_with_plain_links_is_accepted():
    name, data = upload_samples.clean_pdf(pages=3)
    assert check_upload(name, data, PDFS).pages == 3


@pytest.mark.parametrize("hidden", [
    # a form field's keystroke action
    b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (amount) /Rect [0 0 10 10] "
    b"/AA << /K << /S /JavaScript /JS (event.rc = true) >> >> >>",
    # a field's own action, the script in a stream
    b"<< /FT /Btn /T (go) /A << /S /JavaScript /JS 5 0 R >> >>",
    # the key written with a #-escape
    b"<< /S /JavaScript /J#53 (app.alert(1)) >>",
    # /JavaScript as an escaped action name only
    b"<< /S /J#61vaScript /URI (x) >>",
])
def test_javascript_is_found_wherever_it_hides(hidden):
    script_stream = b"<< /Length 11 >>\nstream\napp.alert()\nendstream"
    data = raw_pdf(hidden, script_stream)
    assert "JavaScript" in refused_reason(data)


@pytest.mark.parametrize("action", [b"/Launch /F (calc.exe)", b"/GoToR /F (other.pdf) /D [0 /Fit]",
                                    b"/SubmitForm /F (https://example.com/collect)",
                                    b"/ImportData /F (data.fdf)"])
def test_actions_that_reach_outside_are_refused(action):
    data = raw_pdf(b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S " + action + b" >> >>")
    assert "other programs or opens other files" in refused_reason(data)


def test_page_open_action_javascript_is_found():
    pdf = pikepdf.open(io.BytesIO(upload_samples.clean_pdf(pages=2)[1]))
    pdf.pages[1].AA = pikepdf.Dictionary(O=pikepdf.Dictionary(S=pikepdf.Name.JavaScript,
                                                               JS=pikepdf.String("1")))
    out = io.BytesIO()
    pdf.save(out)
    assert "JavaScript" in refused_reason(out.getvalue())


def test_a_file_attachment_annotation_is_refused():
    data = raw_pdf(b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] /FS (a.exe) >>")
    assert "attached files" in refused_reason(data)


def test_reference_cycles_do_not_loop():
    data = raw_pdf(b"<< /Next 5 0 R >>", b"<< /Next 4 0 R /Self 5 0 R >>")
    assert check_upload("cycle.pdf", data, PDFS).pages == 1


def test_deep_nesting_is_refused_or_accepted_never_crashes():
    deep = b"[" * 5000 + b"]" * 5000
    try:
        check_upload("deep.pdf", raw_pdf(b"<< /Deep " + deep + b" >>"), PDFS)
    except UploadRefused as refused:
        assert "damaged" in str(refused.reason)


def test_a_pdf_without_pages_is_refused():
    out = io.BytesIO()
    pikepdf.new().save(out)
    assert refused_reason(out.getvalue()) == "the PDF has no pages."


def test_a_pdf_with_an_attachment_like_our_archival_copies_is_refused():
    """Dossier's own PDF/A renditions attach the record's JSON: they are refused as uploads too
    (they are in the archive already; the attachment rule has no exception for them)."""
    data = HTML(string="<p>CP-2026-000123</p>").write_pdf(
        attachments=[Attachment(string='{"code": "CP-2026-000123"}', name="record.json")])
    assert "attached files" in refused_reason(data)


@pytest.mark.parametrize(("uri", "words"), [
    (b"(javascript:app.alert(1))", "JavaScript"), (b"( JavaScript :alert(1))", "JavaScript"),
    (b"<6A617661736372697074 3A616C657274283129>", "JavaScript"),  # hex string "javascript:alert(1)"
    (b"(file:///C:/Windows/System32/calc.exe)", "other programs or opens other files"),
    (b"(smb://host/share/x.exe)", "other programs or opens other files"),
])
def test_links_that_run_scripts_or_open_files_are_refused(uri, words):
    data = raw_pdf(b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI " + uri + b" >> >>")
    assert words in refused_reason(data)


@pytest.mark.parametrize("uri", [b"(https://example.com/a?b=c)", b"(mailto:office@example.com)",
                                 b"(page2.html)"])
def test_web_and_mail_links_are_fine(uri):
    data = raw_pdf(b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI " + uri + b" >> >>")
    assert check_upload("links.pdf", data, PDFS).pages == 1


WRAPPERS = [b"[ 1 %s ]", b"[ %s /Fit ]", b"<< /A %s >>", b"<< /AA << /O %s >> >>", b"<< /Next %s >>",
            b"<< /Kids [ %s ] /Count 1 >>", b"<< /Names [ (n) %s ] >>", b"<< /Type /Annot /A %s >>"]
DANGERS = {
    b"<< /S /JavaScript /JS (x) >>": "JavaScript", b"<< /JS (x) >>": "JavaScript",
    b"<< /S /URI /URI (javascript:x) >>": "JavaScript", b"<< /S /Launch /F (a.exe) >>": "other programs",
    b"<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>": "attached files",
    b"<< /EmbeddedFiles << /Names [ (a) 5 0 R ] >> >>": "attached files",
}


@given(st.lists(st.sampled_from(WRAPPERS), max_size=40), st.sampled_from(sorted(DANGERS)), st.booleans())
def test_a_danger_nested_anywhere_is_found(wrappers, danger, own_object):
    """Wrapped in arrays, dictionaries and actions to any depth, in an object of its own or
    inside another one: the walk finds it."""
    nested = danger
    for wrapper in wrappers:
        nested = wrapper % nested
    holder = nested if own_object else b"<< /Holder " + nested + b" >>"
    referred = b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream" if b"5 0 R" in danger \
        else b"<< /Plain 1 >>"
    data = raw_pdf(holder, referred)
    assert DANGERS[danger] in refused_reason(data)
