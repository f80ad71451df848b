"""Drafts keep what was typed and stay private; versions must be approved and stay attached."""

import pytest
from sqlalchemy import select

from archive.models import Record
from core.auth.roles import NotFound
from core.web import services
from forms import versions
from forms.drafts import get_draft
from forms.spec.library import load_or_fail
from forms.spec.parser import load_spec_file
from tests.support.instance import actor_of, csrf_token
from tests.support.spec_files import spec_dir_with

HALF_FILLED = {"action": "save_draft", "channel": "phone", "customer_name": "半填客户",
               "phone": "12", "quantity": "many"}


def save_half_filled(client):
    page = client.get("/forms/CP/new")
    response = client.post("/forms/CP/new", data={"csrf_token": csrf_token(page.text), **HALF_FILLED})
    assert response.status_code == 302
    return response.headers["Location"]


def test_a_draft_keeps_invalid_input_exactly_and_has_no_code(app, logged_in):
    client = logged_in("clerk")
    location = save_half_filled(client)
    page = client.get(location)
    assert 'value="半填客户"' in page.text and 'value="12"' in page.text and 'value="many"' in page.text
    with app.app_context(), services().db.reading() as session:
        assert session.scalar(select(Record.id)) is None
    assert "半填客户" not in client.get("/records").text


def test_drafts_are_private_to_their_author(app, logged_in):
    location = save_half_filled(logged_in("clerk"))
    assert logged_in("supervisor").get(location).status_code == 404
    assert logged_in("admin").get(location).status_code == 404
    draft_id = int(location.rsplit("/", 1)[1])
    with app.app_context(), pytest.raises(NotFound):
        get_draft(services().db, actor_of(app, "supervisor"), draft_id)


def test_submitting_a_draft_mints_a_code_and_removes_the_draft(logged_in):
    client = logged_in("clerk")
    location = save_half_filled(client)
    page = client.get(location)
    response = client.post(location, data={
        "csrf_token": csrf_token(page.text), "action": "submit", "channel": "phone",
        "received_at": "2026-03-02 10:00", "customer_name": "半填客户", "phone": "13800138000",
        "complaint": "补全后提交"})
    assert response.headers["Location"] == "/records/CP-2026-000001"
    assert client.get(location).status_code == 404


def test_a_bad_optional_value_blocks_submission_and_is_kept(logged_in):
    client = logged_in("clerk")
    page = client.get("/forms/CP/new")
    response = client.post("/forms/CP/new", data={
        "csrf_token": csrf_token(page.text), "action": "submit", "channel": "phone",
        "received_at": "2026-03-02 10:00", "customer_name": "客户", "phone": "13800138000",
        "complaint": "内容", "quantity": "many", "delivery_date": "2026-02-30"},
        headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert 'value="many"' in response.text and 'value="2026-02-30"' in response.text
    assert 'href="#quantity"' in response.text and 'href="#delivery_date"' in response.text


def test_rows_can_be_added_without_javascript(logged_in):
    client = logged_in("clerk")
    page = client.get("/forms/RS/new")
    assert 'name="visits-0-visit_date"' in page.text and 'name="visits-1-visit_date"' not in page.text
    response = client.post("/forms/RS/new", data={
        "csrf_token": csrf_token(page.text), "action": "add_row:visits",
        "policy_no": "P1", "visits-0-visit_date": "2026-03-01", "visits-0-method": "face"})
    assert response.status_code == 200
    assert 'name="visits-1-visit_date"' in response.text and 'value="P1"' in response.text


def test_changing_a_spec_without_a_new_version_is_refused(app, tmp_path):
    directory = spec_dir_with(tmp_path, "AR", ('max_length = 1000', 'max_length = 999'))
    with app.app_context():
        report = versions.register_specs(services().db, services().clock,
                                         {"AR": load_spec_file(directory / "AR.toml")})
    assert report.problems == ["AR v4: the spec file changed but its version number did not; "
                               "set version = 5 for the new fields"]


def test_a_new_version_needs_approval_and_old_records_keep_theirs(app, logged_in, tmp_path):
    client = logged_in("clerk")
    page = client.get("/forms/AR/new")
    client.post("/forms/AR/new", data={
        "csrf_token": csrf_token(page.text), "action": "submit", "applicant_department": "CS",
        "records_wanted": "CP-2026-000001", "purpose": "audit", "reason": "审计",
        "period_from": "2026-03-02", "period_to": "2026-03-09"})
    directory = spec_dir_with(tmp_path, "AR", ('version = 4', 'version = 5'))
    text = (directory / "AR.toml").read_text(encoding="utf-8")
    text = text.replace('label = { zh = "查阅理由", en = "Reason" }',
                        'label = { zh = "查阅事由", en = "Grounds" }')
    (directory / "AR.toml").write_text(text, encoding="utf-8")
    with app.app_context():
        report = versions.register_specs(services().db, services().clock,
                                         {"AR": load_spec_file(directory / "AR.toml")})
        assert report.registered == ["AR v5"]
        assert versions.current_spec(services().db, "AR").version == 4  # pending: not fillable
    admin = logged_in("admin")
    listing = admin.get("/admin/forms")
    assert "AR" in listing.text
    admin.post("/admin/forms/AR/5/approve", data={"csrf_token": csrf_token(listing.text)})
    with app.app_context():
        assert versions.current_spec(services().db, "AR").version == 5
    assert "查阅事由" in client.get("/forms/AR/new").text
    old = client.get("/records/AR-2026-000001")
    assert "查阅理由" in old.text and "查阅事由" not in old.text


def test_every_shipped_spec_is_registered_once(app):
    with app.app_context():
        listed = {(v.form_code, v.version, v.status) for v in versions.list_versions(services().db)}
    assert listed == {(code, spec.version, "approved") for code, spec in load_or_fail().items()}


def test_a_bad_cell_is_named_with_its_row_in_the_summary(logged_in):
    client = logged_in("clerk")
    page = client.get("/forms/RS/new", headers={"Accept-Language": "zh-CN"})
    response = client.post("/forms/RS/new", headers={"Accept-Language": "zh-CN"}, data={
        "csrf_token": csrf_token(page.text), "action": "submit",
        "visits-0-visit_date": "明天", "visits-0-method": "face"})
    assert ('<a href="#visits-0-visit_date">访问记录第1行（日期）：请按 2026-11-23 的格式填写日期。</a>'
            in response.text)
    assert '<a href="#visits-0-visit_date">访问记录：部分行有问题，请查看标出的单元格。</a>' in response.text
    assert '<a href="#policy_state-0">保单状态：此项必填。</a>' in response.text
