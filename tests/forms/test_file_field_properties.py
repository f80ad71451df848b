"""Whatever is sent for a file field is answered, never a 500, and never attaches a file that was
not sent (issue 19): any JSON in the API, any spec keys, any forged tokens on the page."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from archive.attachment_models import Attachment
from core.web import services
from forms.spec.parser import SpecError, parse_spec
from tests.support.instance import VALID_CP, csrf_token

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
JSON = st.recursive(SCALARS,
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                max_size=3),
                    max_leaves=8)
#: Items shaped like files, with any values in their keys (names, base64, checksums).
FILE_ITEMS = st.lists(st.fixed_dictionaries({}, optional={
    "name": JSON | st.text(max_size=40), "content_base64": JSON | st.text(max_size=60),
    "sha256": st.text("0123456789abcdef", min_size=64, max_size=64) | JSON,
    "type": JSON, "size": JSON}), max_size=3)
FUNCTION = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def _attachments(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context(), services().db.reading() as session:
        return session.scalar(select(func.count()).select_from(Attachment)) or 0


@settings(max_examples=40, deadline=None, suppress_health_check=FUNCTION)
@given(value=JSON | FILE_ITEMS)
def test_any_json_for_a_file_field_is_answered_and_attaches_nothing_unsent(app, client, token_for,
                                                                           value) -> None:
    response = client.post("/api/v1/records", headers=token_for("clerk"),
                           json={"form": "CP", "data": {**VALID_CP, "defect_photos": value}})
    assert response.status_code in (201, 422), (value, response.status_code)
    if response.status_code == 422:
        assert response.json["fields"], response.json
    assert _attachments(app) == 0  # nothing valid was sent: a real image is never drawn here


KEYS = st.fixed_dictionaries({}, optional={"accept": JSON, "max_files": JSON, "max_mb": JSON, "print": JSON,
                                           "required": JSON, "personal": JSON})


@settings(max_examples=80, deadline=None)
@given(keys=KEYS)
def test_any_spec_keys_are_read_or_refused_with_the_field_named(keys) -> None:
    raw = {"code": "ZZ", "version": 1, "title": {"zh": "测", "en": "T"}, "category": {"zh": "测", "en": "T"},
           "department": "CS", "retention": "complaint-3y",
           "fields": [{"name": "photos", "type": "file", "label": {"zh": "照片", "en": "Photos"}, **keys}],
           "workflow": {"initial": "open", "states": {"open": {"zh": "开", "en": "Open"}}}}
    try:
        spec = parse_spec(raw, "ZZ.toml")
    except SpecError as refused:
        assert all("ZZ.toml" in line for line in refused.problems)
        assert any("field 'photos'" in line for line in refused.problems)
    else:
        rules = spec.fields[0]
        assert rules.options.get("accept") and set(rules.options["accept"]) <= {"image", "pdf"}


@settings(max_examples=25, deadline=None, suppress_health_check=FUNCTION)
@given(tokens=st.lists(st.text(max_size=200), max_size=3))
def test_any_tokens_posted_on_the_page_keep_no_file(app, logged_in, tokens) -> None:
    clerk = logged_in("clerk")
    page = clerk.get("/forms/CP/new")
    response = clerk.post("/forms/CP/new", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page.text), "action": "submit", "channel": "phone",
        "received_at": "2026-03-02 09:00", "customer_name": "上海恒丰", "phone": "13800138000",
        "complaint": "划痕", "defect_photos": [*tokens, (io.BytesIO(b""), "")]})
    assert response.status_code in (302, 422), response.status_code
    assert _attachments(app) == 0
