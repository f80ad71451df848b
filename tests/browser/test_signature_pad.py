"""The customer's signature on the RS register in a real browser (issue 19): drawn with the mouse
on the pad at phone width in Chinese and on a desk in English, submitted, shown on the record
page and printed in the signature box of the customer copy (read back from the PDF as a path);
"signed on paper" chosen by keyboard alone; a supervisor's stamp uploaded on the profile page
and printed beside the countersignature. Every page passes axe and fits its width."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pikepdf
import pytest
from flask import Flask
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect
from sqlalchemy import select

from archive.models import Record
from core.clock import SystemClock, local
from core.web import services
from tests.support.journeys import DESKTOP, PHONE, check, signed_in
from tests.support.pdf import text_of
from tests.support.signature_pdf import longest_polyline

pytestmark = pytest.mark.browser

TEXT = {"zh-CN": {"lapsed": "失效", "submit": "提交", "paper": "签于纸面：不使用签名框。",
                  "signed": "已在框内签名。", "clear": "清除签名"},
        "en": {"lapsed": "Lapsed", "submit": "Submit", "paper": "Signed on paper: the box is not used.",
               "signed": "Signed in the box.", "clear": "Clear the signature"}}


@pytest.fixture
def clock() -> SystemClock:
    return SystemClock()


def fill_register(app: Flask, page: Page, locale: str) -> None:
    with app.app_context():
        today = local(SystemClock().now(), services().zone).date()
    page.locator("#policy_no").fill("P20240315001")
    page.locator("#policyholder").fill("郑红梅")
    page.locator("#due_date").fill((today - timedelta(days=45)).isoformat())
    page.locator("#instalment").fill("3")
    page.get_by_label(TEXT[locale]["lapsed"], exact=True).check()
    page.locator("#service_staff").select_option("clerk")
    page.locator("#visits-0-visit_date").fill((today - timedelta(days=1)).isoformat())
    page.locator("#visits-0-method").select_option("face")


def draw(page: Page, strokes: list[list[tuple[float, float]]]) -> None:
    """Each stroke with the mouse: points as fractions of the pad's width and height."""
    canvas = page.locator("canvas.signature-pad__canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=4)
        page.mouse.up()


#: A zigzag across the pad and a short tick: 2 strokes.
ZIGZAG = [(0.1 + 0.08 * i, 0.2 if i % 2 else 0.8) for i in range(11)]
TICK = [(0.5, 0.5), (0.55, 0.6)]


def stored_signature(app: Flask, code: str) -> dict:  # type: ignore[type-arg]
    with app.app_context(), services().db.reading() as session:
        return dict(session.scalar(select(Record.data).where(Record.code == code))["customer_signature"])


def customer_copy(page: Page, base: str, code: str) -> bytes:
    response = page.request.get(f"{base}/records/{code}.pdf?variant=customer")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    return response.body()


@pytest.mark.parametrize(("locale", "size"), [("zh-CN", PHONE), ("en", DESKTOP)])
def test_a_signature_drawn_with_the_mouse_prints_on_the_customer_copy(  # type: ignore[no-untyped-def]
        app: Flask, live_server, new_page, artifacts, locale, size) -> None:
    t, tag = TEXT[locale], f"signature-{locale}-{size['width']}"
    clerk = signed_in(new_page, live_server, "clerk", locale, size)
    clerk.goto(f"{live_server}/forms/RS/new")
    fill_register(app, clerk, locale)
    pad = clerk.locator("[data-signature-pad]")
    expect(pad).to_be_visible()  # the script shows it
    draw(clerk, [TICK])
    clerk.get_by_role("button", name=t["clear"]).click()
    expect(clerk.locator("#customer_signature-strokes")).to_have_value("")
    draw(clerk, [ZIGZAG, TICK])
    expect(clerk.locator("[data-signature-status]")).to_have_text(t["signed"])
    posted = json.loads(clerk.locator("#customer_signature-strokes").input_value())
    assert len(posted) == 2 and len(posted[0]) >= len(ZIGZAG)
    check(clerk, artifacts, f"{tag}-drawn")
    clerk.get_by_role("button", name=t["submit"], exact=True).click()
    expect(clerk.locator("h1")).to_have_text(re.compile(r"^RS-\d{4}-\d{6}$"))
    code = clerk.locator("h1").inner_text()

    signature = stored_signature(app, code)
    assert signature["captured_by"] == "clerk" and re.fullmatch(r"[0-9a-f]{64}", signature["fingerprint"])
    first = signature["strokes"][0]
    assert all(0 <= x <= 1000 and 0 <= y <= 300 for x, y in first)
    assert abs(first[0][0] - 100) <= 15 and abs(first[0][1] - 240) <= 15  # the same box at any width
    expect(clerk.locator("main svg.signature-drawing path").first).to_be_attached()
    check(clerk, artifacts, f"{tag}-record")

    pdf = customer_copy(clerk, live_server, code)
    (artifacts / f"{tag}-customer-copy.pdf").write_bytes(pdf)
    assert longest_polyline(pdf) >= len(ZIGZAG) - 1
    text = text_of(pdf)
    assert "客户联（交客户收执）" in text and "客户签名" in text and "签于纸面" not in text


def test_signed_on_paper_by_keyboard_alone(app: Flask, live_server, new_page, artifacts) -> None:  # type: ignore[no-untyped-def]
    clerk = signed_in(new_page, live_server, "clerk", "en", DESKTOP)
    clerk.goto(f"{live_server}/forms/RS/new")
    fill_register(app, clerk, "en")
    clerk.locator("#visits-0-method").focus()
    for _step in range(30):  # Tab from the visit log to the box, as a keyboard user does
        clerk.keyboard.press("Tab")
        if clerk.evaluate("document.activeElement.id") == "customer_signature-on_paper":
            break
    else:
        pytest.fail("the 'signed on paper' box cannot be reached with Tab")
    clerk.keyboard.press("Space")
    expect(clerk.locator("#customer_signature-on_paper")).to_be_checked()
    expect(clerk.locator("[data-signature-status]")).to_have_text(TEXT["en"]["paper"])
    check(clerk, artifacts, "signature-on-paper-keyboard")
    for _step in range(10):
        clerk.keyboard.press("Tab")
        if clerk.evaluate("document.activeElement.value") == "submit":
            break
    clerk.keyboard.press("Enter")
    expect(clerk.locator("h1")).to_have_text(re.compile(r"^RS-\d{4}-\d{6}$"))
    code = clerk.locator("h1").inner_text()
    assert stored_signature(app, code)["on_paper"] is True
    signed_line = next(line for line in text_of(customer_copy(clerk, live_server, code)).splitlines()
                       if "客户签名" in line)
    assert "签于纸面" in signed_line


def stamp_png() -> bytes:
    image = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((8, 8, 152, 152), outline=(200, 0, 0, 255), width=10)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_a_supervisors_stamp_prints_beside_the_countersignature(  # type: ignore[no-untyped-def]
        app: Flask, live_server, new_page, artifacts, tmp_path) -> None:
    boss = signed_in(new_page, live_server, "supervisor", "zh-CN", PHONE)
    boss.locator("a.who").click()
    expect(boss.locator("h1")).to_have_text("个人资料")
    check(boss, artifacts, "profile-empty")
    (tmp_path / "印章.png").write_bytes(stamp_png())
    boss.get_by_label("个人印章").check()
    boss.locator("#mark-image").set_input_files(str(tmp_path / "印章.png"))
    boss.get_by_role("button", name="保存图片").click()
    expect(boss.locator("img.mark-preview__image")).to_be_visible()
    check(boss, artifacts, "profile-stamp")

    clerk = signed_in(new_page, live_server, "clerk", "zh-CN", DESKTOP)
    clerk.goto(f"{live_server}/forms/RS/new")
    fill_register(app, clerk, "zh-CN")
    clerk.locator("#customer_signature-on_paper").check()
    clerk.get_by_role("button", name="提交", exact=True).click()
    code = clerk.locator("h1").inner_text()

    boss.goto(f"{live_server}/records/{code}")
    boss.get_by_role("button", name="主管阅签").click()
    expect(boss.locator("[role=status]")).to_contain_text("主管阅签：已完成。")
    pdf = customer_copy(boss, live_server, code)
    (artifacts / "signature-stamp-customer-copy.pdf").write_bytes(pdf)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        sizes = [(int(image.Width), int(image.Height)) for page in document.pages
                 for image in page.get_images().values()]
    assert sizes == [(160, 160)]
