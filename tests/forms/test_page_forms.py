"""The front office pages' small inputs (forms.views.page_forms) read what the pages post under
the names they have always posted, and refuse what no page posts."""

import pytest
from werkzeug.datastructures import MultiDict

from forms.reveal import MAX_REASON
from forms.views.page_forms import (
    ActionPageForm,
    ConfirmDayForm,
    CountersignForm,
    FillPageForm,
    RevealForm,
)

NO_CSRF = {"csrf": False}


def _posted(app, form_class, **values):
    with app.test_request_context(method="POST", data=MultiDict(values)):
        form = form_class(meta=NO_CSRF)
        return form, form.validate()


@pytest.mark.parametrize("form_class", [ConfirmDayForm, CountersignForm])
def test_ticked_rows_are_code_and_revision_and_other_shapes_are_left_out(app, form_class):
    form, valid = _posted(app, form_class, record=["CP-2026-000001@2", "VR-2026-000003@10", "@4",
                                                    "CP-2026-1@", "CP-2026-2@x", "CP-2026-3@²", "no-at-sign"])
    assert valid and form.record.data == [("CP-2026-000001", 2), ("VR-2026-000003", 10)]


@pytest.mark.parametrize(("form_class", "message"), [(ConfirmDayForm, "Tick the registrations to confirm."),
                                                     (CountersignForm, "Tick the records to countersign.")])
def test_nothing_ticked_is_refused_with_the_pages_words(app, form_class, message):
    for sent in ({}, {"record": ["broken"]}):
        form, valid = _posted(app, form_class, **sent)
        assert not valid and [str(e) for e in form.record.errors] == [message]


def test_the_action_page_reads_revision_reason_and_the_add_a_row_button(app):
    form, valid = _posted(app, ActionPageForm, revision="3", reason=" 缺订单号 ", action="add_row:follow_ups")
    assert valid and form.row_to_add() == "follow_ups"
    assert (form.revision.data, form.reason.data) == (3, " 缺订单号 ")
    form, valid = _posted(app, ActionPageForm)
    assert valid and (form.revision.data, form.reason.data, form.row_to_add()) == (None, "", None)
    for broken in ("x", "0", "-1"):
        assert not _posted(app, ActionPageForm, revision=broken)[1], broken


def test_the_filling_page_confirms_only_with_submit_anyway(app):
    anyway, _ = _posted(app, FillPageForm, action="submit_anyway", confirmed="VR-2026-000001")
    assert anyway.confirmation() == "VR-2026-000001" and not anyway.saves_draft()
    plain, _ = _posted(app, FillPageForm, confirmed="VR-2026-000001")
    assert plain.action.data == "submit" and plain.confirmation() is False and plain.row_to_add() is None
    assert _posted(app, FillPageForm, action="save_draft")[0].saves_draft()
    assert _posted(app, FillPageForm, action="add_row:visits")[0].row_to_add() == "visits"


def test_a_reveal_needs_a_reason_the_service_would_take(app):
    assert _posted(app, RevealForm, reason=" 客户来电核对 ")[1]
    for reason in ("", "   ", "长" * (MAX_REASON + 1)):
        form, valid = _posted(app, RevealForm, reason=reason)
        assert not valid and list(form.errors) == ["reason"]
