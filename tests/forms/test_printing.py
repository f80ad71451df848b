"""A record's PDF handout: layout content checked with poppler, permissions, audit."""

from __future__ import annotations

import subprocess

from sqlalchemy import select

from core.audit.models import AuditEvent
from core.web import services
from forms.submission import submit
from forms.workflow import act
from tests.support.artifacts import ARTIFACTS
from tests.support.instance import actor_of
from tests.support.pdf import outside_the_body, painted_boxes, text_of
from tests.support.samples import RS_DATA


def submitted_rs(app) -> str:
    with app.app_context():
        s = services()
        return submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "RS", RS_DATA).code


def test_the_handout_carries_header_fields_rows_signatures_and_page_numbers(app, logged_in):
    code = submitted_rs(app)
    response = logged_in("clerk").get(f"/records/{code}.pdf?variant=business")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'inline; filename="{code}.pdf"'
    (ARTIFACTS / "rs-handout.pdf").write_bytes(response.data)
    text = text_of(response.data)
    for expected in ("客户续收服务登记表", "RS-2026-000001", "RS 版号 4", "客户服务部",
                     "保单号", "P20240315001", "投保人", "郑红梅", "访问记录", "电话访", "面访",
                     "客户称本月资金紧张", "资金周转困难", "下月再联系", "填写人签字",
                     "直接上级主管阅签", "业务联（公司留存）", "第 1 页，共 1 页"):
        assert expected in text, expected
    assert painted_boxes(response.data)[0] and outside_the_body(response.data) == []  # within the margins


def test_every_font_in_the_handout_is_embedded(app, logged_in):
    code = submitted_rs(app)
    pdf = logged_in("clerk").get(f"/records/{code}.pdf").data
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True,
                           check=True).stdout.decode().splitlines()[2:]
    assert fonts and all(" yes " in line and "Dossier-Sans" in line for line in fonts), fonts


def test_printing_is_permission_checked_and_audited(app, logged_in):
    code = submitted_rs(app)
    assert logged_in("sales").get(f"/records/{code}.pdf").status_code == 403
    assert logged_in("archivist").get(f"/records/{code}.pdf").status_code == 200
    with app.app_context(), services().db.reading() as session:
        events = session.execute(select(AuditEvent.action, AuditEvent.actor_name).where(
            AuditEvent.object_id == code)).all()
    assert ("record.print.denied", "sales") in events
    assert ("record.print", "archivist") in events


def test_user_text_cannot_inject_markup_into_the_pdf(app, logged_in):
    with app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "RS", {
            **RS_DATA, "policyholder": '<img src="file:///etc/passwd">"}</style>'}).code
    text = text_of(logged_in("clerk").get(f"/records/{code}.pdf").data)
    assert '<img src="file:///etc/passwd">' in text  # shown as text, not loaded


def test_a_long_complaint_breaks_across_pages_with_numbers_on_each(app, logged_in):
    with app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP", {
            "channel": "phone", "received_at": "2026-03-02T09:00:00+08:00",
            "customer_name": "上海恒丰", "phone": "13800138000",
            "complaint": "外包装破损，产品表面有划痕。" * 140}).code
    pdf = logged_in("clerk").get(f"/records/{code}.pdf").data
    text = text_of(pdf)
    assert outside_the_body(pdf) == []  # the broken table and the signatures keep to the margins
    pages = [page for page in text.split("\f") if page.strip()]
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} 页，共 {len(pages)} 页" in page and code in page


def test_the_api_serves_the_pdf_with_the_same_permissions(app, client, token_for):
    code = submitted_rs(app)
    response = client.get(f"/api/v1/records/{code}/pdf", headers=token_for("supervisor"))
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert "郑红梅" in text_of(response.data)
    assert client.get(f"/api/v1/records/{code}/pdf", headers=token_for("sales")).status_code == 403
    missing = client.get("/api/v1/records/RS-2026-999999/pdf", headers=token_for("clerk"))
    assert missing.status_code == 404 and missing.json["error"]


def test_rs_prints_as_two_labelled_parts_or_one(app, logged_in):
    code = submitted_rs(app)
    client = logged_in("clerk")
    both = text_of(client.get(f"/records/{code}.pdf").data)
    pages = [page for page in both.split("\f") if page.strip()]
    assert len(pages) == 2
    assert "业务联（公司留存）" in pages[0] and "客户联" not in pages[0]
    assert "客户联（交客户收执）" in pages[1] and "郑红梅" in pages[1]
    customer = text_of(client.get(f"/records/{code}.pdf?variant=customer").data)
    assert "客户联（交客户收执）" in customer and "业务联" not in customer


def complaint(app, level: str | None = None) -> str:
    """A complaint registered by the clerk and, given a level, classified by the supervisor."""
    with app.app_context():
        s = services()
        code = submit(s.db, s.clock, s.zone, actor_of(app, "clerk"), "CP", {
            "channel": "head_office", "received_at": "2026-03-02T09:00:00+08:00",
            "customer_name": "上海恒丰", "phone": "13800138000", "complaint": "划痕"}).code
        if level:
            act(s.db, s.clock, s.zone, actor_of(app, "supervisor"), code, "classify", fields={
                "cause_class": "quality", "level": level, "responsible_department": "CS"})
        return code


def test_cp_receipt_promises_a_response_by_level(app, logged_in):
    client = logged_in("clerk")
    urgent = text_of(client.get(f"/records/{complaint(app, level='3')}.pdf?variant=receipt").data)
    assert "客户投诉受理回执" in urgent and "CP-2026-000001" in urgent
    assert "三级（重大投诉）" in urgent and "总部转办" in urgent
    assert "2026-03-03 14:30" in urgent  # received Monday 09:00 + 12 working hours for level 3
    unclassified = text_of(client.get(f"/records/{complaint(app)}.pdf?variant=receipt").data)
    assert "待分类" in unclassified  # runs on the strictest limit until classified (issue 15, item 4)
    assert "2026-03-02 15:00" in unclassified and "分类后通知" not in unclassified  # 5 h, lunch off


def test_an_unknown_variant_is_a_clear_400(app, logged_in, client, token_for):
    code = submitted_rs(app)
    page = logged_in("clerk").get(f"/records/{code}.pdf?variant=receipt",
                                  headers={"Accept-Language": "en"})
    assert page.status_code == 400 and "variants: business, customer" in page.text
    api = client.get(f"/api/v1/records/{code}/pdf?variant=poster", headers=token_for("clerk"))
    assert api.status_code == 400 and api.json["fields"] == {"variant": "unknown"}
