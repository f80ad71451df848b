"""Issue 6's walk through a real browser: a complaint is filed, an archivist catalogues it, holds it,
sees it kept past its retention end, releases the hold and proposes its destruction; the archivist
cannot approve, an admin does, the list is executed and the record is gone, leaving a tombstone and a
permanently filed destruction register. Every archive page on the way passes axe, in Chinese and in
English."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect

from archive.retention import list_classes, update_class
from core.clock import FrozenClock
from core.web import services
from tests.support.destruction import witnessed_in_browser
from tests.support.instance import actor_of
from tests.support.journeys import assert_accessible, sign_in
from tests.support.lifecycle import DAYS_TO_2030, close_complaint, new_complaint, work_outbox
from tests.support.page_width import PHONE

pytestmark = pytest.mark.browser


def archive_section(page: Page, link: str) -> None:
    """Open a page of the records office by its link in the office's sub-navigation."""
    page.get_by_role("navigation", name="档案").get_by_role("link", name=link, exact=True).click()


def row_of(page: Page, code: str) -> Locator:
    """The table rows that mention ``code``."""
    return page.locator("table tbody tr").filter(has_text=code)


def test_a_complaint_walks_from_filing_through_a_hold_to_disposal(  # type: ignore[no-untyped-def]
        app: Flask, clock: FrozenClock, live_server, new_page, artifacts, token_for) -> None:
    code = new_complaint(app)
    close_complaint(app, code)  # classified, investigated, answered, closed and countersigned

    archivist = new_page("zh-CN")
    sign_in(archivist, live_server, "archivist")
    archivist.get_by_role("navigation", name="主导航").get_by_role("link", name="档案").click()
    expect(archivist.locator("h1")).to_have_text("待归档")
    expect(row_of(archivist, code)).to_contain_text("归档副本（生成中）")
    assert_accessible(archivist, "filing queue (zh-CN)")

    work_outbox(app)  # the archival copy is rendered and stored: the record is filed
    archivist.reload()
    expect(archivist.locator("main")).to_contain_text("没有待归档的记录。")

    archive_section(archivist, "案卷目录")
    expect(archivist.locator("h1")).to_have_text("案卷目录")
    archivist.get_by_label("表单").fill("CP")
    archivist.get_by_label("年度").fill("2026")
    archivist.get_by_role("button", name="显示").click()
    entry = row_of(archivist, code)
    expect(entry.locator("td")).to_have_count(7)
    cells = entry.locator("td")
    expect(cells.nth(0)).to_have_text("1")
    expect(cells.nth(1)).to_have_text(code)
    expect(cells.nth(3)).to_have_text(re.compile(r"^[1-9]\d*$"))  # pages of the archival copy
    expect(cells.nth(4)).to_have_text("2026-03-02")
    expect(cells.nth(6)).to_have_text("complaint-3y 客诉处理记录（3年）: 2029-12-31")
    volume = cells.nth(5).inner_text()
    archivist.get_by_label("案卷").select_option(label=f"{volume} (1)")
    archivist.get_by_role("button", name="显示").click()
    expect(archivist).to_have_url(re.compile(rf"volume={re.escape(volume)}"))
    expect(row_of(archivist, code)).to_have_count(1)
    archivist.screenshot(path=str(artifacts / "archive-walk-catalogue-zh.png"), full_page=True)
    assert_accessible(archivist, "catalogue (zh-CN)")

    # a legal hold, placed by the archivist, with the record added by its code
    archive_section(archivist, "冻结")
    expect(archivist.locator("h1")).to_have_text("冻结")
    expect(archivist.locator("main")).to_contain_text("没有冻结。")
    assert_accessible(archivist, "legal holds, none yet (zh-CN)")
    archivist.get_by_label("名称").fill("诉讼 2026-01")
    archivist.get_by_label("理由").fill("客户起诉，保全相关记录")
    expect(archivist.get_by_label("负责人", exact=True)).to_have_value("archivist")  # chosen from a list
    archivist.get_by_role("button", name="设立冻结").click()
    expect(archivist.locator("h1")).to_have_text("冻结：诉讼 2026-01")
    expect(archivist.locator("[role=status]")).to_contain_text("已设立冻结")
    expect(archivist.locator("main")).to_contain_text("客户起诉，保全相关记录")
    archivist.get_by_label("按编号加入记录").fill(code)
    archivist.get_by_role("button", name="加入冻结").click()
    expect(archivist.locator("main")).to_contain_text(f"已加入冻结的档案 1 份：{code}。")
    expect(archivist.locator("ul.codes").get_by_role("link", name=code)).to_be_visible()
    assert_accessible(archivist, "a hold with its record (zh-CN)")
    hold_url = archivist.url

    # past the retention end (31 December 2029): the held record is kept
    clock.advance(days=DAYS_TO_2030)
    archive_section(archivist, "销毁")
    expect(archivist.locator("h1")).to_have_text("销毁")
    expect(archivist.locator("main")).to_contain_text("没有到期的记录。")
    expect(archivist.locator("main")).not_to_contain_text(code)
    assert_accessible(archivist, "disposal, nothing due (zh-CN)")

    archivist.goto(hold_url)
    archivist.get_by_label("解除理由").fill("诉讼已结案")
    archivist.get_by_role("button", name="解除冻结").click()
    expect(archivist.locator("main")).to_contain_text("冻结已解除。")
    expect(archivist.locator("dl.summary")).to_contain_text("诉讼已结案")
    expect(archivist.get_by_role("button", name="解除冻结")).to_have_count(0)
    assert_accessible(archivist, "a released hold (zh-CN)")
    archive_section(archivist, "冻结")
    expect(row_of(archivist, "诉讼 2026-01")).to_contain_text("已解除")

    archive_section(archivist, "销毁")
    due = row_of(archivist, code)
    expect(due).to_contain_text("2029-12-31")
    expect(archivist.get_by_label(code)).to_be_checked()
    archivist.screenshot(path=str(artifacts / "archive-walk-disposal-zh.png"), full_page=True)
    assert_accessible(archivist, "disposal with a record due (zh-CN)")
    archivist.get_by_label("鉴定意见").fill("2029 年到期客诉，冻结已解除")
    archivist.get_by_role("button", name="提出销毁清单").click()
    expect(archivist.locator("h1")).to_have_text(re.compile(r"^销毁清单 DL-\d+$"))
    expect(archivist.locator("main")).to_contain_text("管理员批准")
    expect(row_of(archivist, code)).to_be_visible()
    assert_accessible(archivist, "a proposed destruction list (zh-CN)")
    list_url = archivist.url

    # the proposer cannot approve (no button is offered; the service refuses it too, see
    # tests/archive/test_disposal.py); an administrator can
    expect(archivist.get_by_role("button", name="批准")).to_have_count(0)
    expect(archivist.locator("main")).to_contain_text("本清单须由提出人以外的管理员批准或驳回。")
    expect(archivist.locator("#list-state")).to_have_text("待批准")
    expect(archivist.locator("dl.summary")).not_to_contain_text("决定")  # still undecided
    expect(archivist.get_by_role("button", name="执行销毁")).to_have_count(0)

    admin = new_page("zh-CN")
    sign_in(admin, live_server, "admin")
    admin.get_by_role("navigation", name="主导航").get_by_role("link", name="档案").click()
    archive_section(admin, "销毁")
    admin.get_by_role("link", name=list_url.rsplit("/", 1)[1].join(["DL-", ""])).click()
    expect(admin).to_have_url(list_url)
    expect(admin.locator("main")).to_contain_text("2029 年到期客诉，冻结已解除")
    admin.get_by_role("button", name="批准").click()
    expect(admin.locator("[role=status]")).to_have_text(
        "销毁清单已批准；请指定两名监销人，二人分别确认后方可执行销毁。")
    expect(admin.locator("#list-state")).to_have_text("已批准待执行")
    expect(admin.locator("dl.summary")).to_contain_text("决定")  # who approved, and when
    expect(admin.get_by_role("button", name="批准")).to_have_count(0)
    assert_accessible(admin, "an approved destruction list (zh-CN)")
    expect(admin.get_by_role("button", name="执行销毁")).to_have_count(0)  # two witnesses first
    auditor = new_page("zh-CN")
    sign_in(auditor, live_server, "auditor")
    witnessed_in_browser(admin, list_url, {"archivist": archivist, "auditor": auditor})
    admin.get_by_role("button", name="执行销毁").click()
    expect(admin.get_by_role("button", name="执行销毁")).to_have_count(0)
    expect(row_of(admin, code)).to_contain_text("已销毁")
    expect(admin.locator("[role=status]")).to_contain_text("销毁清单已执行，销毁清册为 DD-2030-")
    register = admin.locator("dl.summary").get_by_role("link", name=re.compile(r"^DD-2030-\d{6}$"))
    expect(register).to_be_visible()
    register_code = register.inner_text()
    assert_accessible(admin, "an executed destruction list (zh-CN)")
    work_outbox(app)  # files go, the register's archival copy is made and the register is filed

    # the record is gone: its page is its tombstone, and the register is kept permanently
    archivist.goto(f"{live_server}/records/{code}")
    expect(archivist.locator("h1")).to_have_text(f"{code} 已销毁")
    expect(archivist.locator("main")).to_contain_text("Admin")  # who approved, by display name
    expect(archivist.locator("main")).not_to_contain_text("上海恒丰")
    assert_accessible(archivist, "a destroyed record's tombstone (zh-CN)")
    archivist.get_by_role("navigation", name="主导航").get_by_role("link", name="档案").click()
    archive_section(archivist, "已销毁档案")
    expect(row_of(archivist, code)).to_contain_text("DL-")
    assert_accessible(archivist, "destroyed records (zh-CN)")
    desk = archivist.viewport_size
    archivist.set_viewport_size(PHONE)  # seven columns become one card per tombstone
    assert archivist.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert desk is not None
    archivist.set_viewport_size(desk)
    tombstones = archivist.request.get(f"{live_server}/api/v1/archive/tombstones?form=CP",
                                       headers=token_for("archivist"))
    assert tombstones.ok, tombstones.text()
    assert [t["code"] for t in tombstones.json()["tombstones"]] == [code]
    archivist.get_by_role("navigation", name="主导航").get_by_role("link", name="档案").click()
    archive_section(archivist, "案卷目录")
    archivist.get_by_label("表单").fill("DD")
    archivist.get_by_label("年度").fill("2030")
    archivist.get_by_role("button", name="显示").click()
    expect(row_of(archivist, register_code).locator("td").nth(6)).to_have_text("permanent 永久保存: 永久")
    assert_accessible(archivist, "catalogue of destruction registers (zh-CN)")
    archivist.get_by_role("link", name=register_code).click()
    expect(archivist.locator("h1")).to_have_text(register_code)
    expect(archivist.locator("main")).to_contain_text(code)  # the register names what it destroyed
    archivist.goto(f"{live_server}/archive/catalogue?form=CP&year=2026")
    expect(archivist.locator("main")).to_contain_text("该表单该年度没有已归档的记录。")


#: What the pages say, in each language the accessibility pass runs in.
TEXT = {
    "zh-CN": {"main": "主导航", "archive": "档案", "queue": "待归档", "countersign": "主管阅签",
              "catalogue": "案卷目录", "catalogue_h1": "案卷目录", "show": "显示",
              "retention": "complaint-3y 客诉处理记录（3年）: 2029-12-31", "holds": "冻结",
              "name": "名称", "reason": "理由",
              "place": "设立冻结", "problem": "出现以下问题", "name_error": "名称须为 1 到 200 个字符。",
              "add_label": "按编号加入记录", "add": "加入冻结",
              "unknown": "未加入：CP-2026-999999：没有这份档案。",
              "release": "解除冻结", "release_error": "理由须为 1 到 2000 个字符。",
              "disposal": "销毁", "propose": "提出销毁清单", "list": "销毁清单", "appraisal": "鉴定意见",
              "classes": "保存期限类别", "change": "修改 complaint-3y", "to_review": "由档案管理员复核",
              "save": "保存", "saved": "保存期限类别 complaint-3y 已保存。", "review": "鉴定",
              "review_list": "鉴定清单", "keep": "延长保管（年）", "decide": "决定",
              "decided": "决定已记录。"},
    "en": {"main": "Main", "archive": "Archive", "queue": "Filing queue",
           "countersign": "the supervisor’s countersignature", "catalogue": "Catalogue",
           "catalogue_h1": "Catalogue",
           "retention": "complaint-3y Complaint handling (3 years): 2029-12-31",
           "show": "Show", "holds": "Legal holds", "name": "Name", "reason": "Reason",
           "place": "Place the hold", "problem": "There is a problem",
           "name_error": "A name of 1 to 200 characters.", "add_label": "Add records by code",
           "add": "Add to the hold", "unknown": "Not added: CP-2026-999999: no such record.",
           "release": "Release the hold", "release_error": "A reason of 1 to 2000 characters.",
           "disposal": "Disposal", "propose": "Propose a destruction list", "list": "Destruction list",
           "appraisal": "Appraisal (鉴定意见)",
           "classes": "Retention classes", "change": "Change complaint-3y",
           "to_review": "Review by an archivist", "save": "Save",
           "saved": "Retention class complaint-3y saved.",
           "review": "Review", "review_list": "Review list", "keep": "Keep for (years)", "decide": "Decide",
           "decided": "Decision recorded."},
}


def assert_summary_links_resolve(page: Page) -> None:
    """Each link of the error summary leads to an element on the page (the field in question)."""
    for href in page.locator(".error-summary a").evaluate_all("links => links.map(a => a.hash)"):
        assert page.locator(href).count() == 1, f"the error summary links to {href}, which is not on the page"


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_archive_page_passes_axe(  # type: ignore[no-untyped-def]
        app: Flask, clock: FrozenClock, live_server, new_page, artifacts, locale) -> None:
    """Each records-office page in the states a user meets it in, errors included."""
    t = TEXT[locale]
    waiting, held, listed, reviewed = (new_complaint(app) for _ in range(4))
    close_complaint(app, waiting, countersign=False)
    for code in (held, listed, reviewed):
        close_complaint(app, code)
    work_outbox(app)

    page = new_page(locale)
    sign_in(page, live_server, "archivist")
    page.get_by_role("navigation", name=t["main"]).get_by_role("link", name=t["archive"]).click()

    def visit(link: str, heading: str) -> None:
        page.get_by_role("navigation", name=t["archive"]).get_by_role("link", name=link, exact=True).click()
        expect(page.locator("h1")).to_have_text(heading)

    expect(page.locator("h1")).to_have_text(t["queue"])
    expect(row_of(page, waiting)).to_contain_text(t["countersign"])
    assert_accessible(page, f"filing queue ({locale})")
    visit(t["catalogue"], t["catalogue_h1"])
    page.get_by_role("button", name=t["show"]).click()
    expect(page.locator("table tbody tr")).to_have_count(3)
    expect(row_of(page, held)).to_contain_text(t["retention"])
    page.screenshot(path=str(artifacts / f"archive-catalogue-{locale}.png"), full_page=True)
    assert_accessible(page, f"catalogue ({locale})")

    visit(t["holds"], t["holds"])
    page.get_by_role("button", name=t["place"]).click()  # nothing filled in: refused
    expect(page.locator(".error-summary")).to_contain_text(t["problem"])
    expect(page.locator(".error-summary")).to_contain_text(t["name_error"])
    assert_summary_links_resolve(page)
    assert_accessible(page, f"legal holds with errors ({locale})")
    page.get_by_label(t["name"], exact=True).fill("Audit 2026")
    page.get_by_label(t["reason"], exact=True).fill("年度审计 annual audit")
    page.get_by_role("button", name=t["place"]).click()
    expect(page.locator("h1")).to_contain_text("Audit 2026")
    page.get_by_label(t["add_label"]).fill(f"{held} CP-2026-999999")
    page.get_by_role("button", name=t["add"]).click()
    expect(page.locator(".error-summary")).to_contain_text(t["unknown"])
    expect(page.get_by_label(t["add_label"])).to_have_value("CP-2026-999999")  # the refused one, to correct
    expect(page.locator("ul.codes")).to_have_text(held)  # the valid one is added all the same
    assert_summary_links_resolve(page)
    assert_accessible(page, f"a hold, unknown code refused ({locale})")
    page.get_by_role("button", name=t["release"]).click()  # no reason: refused, the hold stays
    expect(page.locator(".error-summary")).to_contain_text(t["release_error"])
    assert_summary_links_resolve(page)
    assert_accessible(page, f"a hold, release refused ({locale})")
    visit(t["holds"], t["holds"])
    assert_accessible(page, f"legal holds ({locale})")

    clock.advance(days=DAYS_TO_2030)
    visit(t["disposal"], t["disposal"])
    expect(page.locator("table tbody tr")).to_have_count(2)  # the held record is not due
    expect(row_of(page, held)).to_have_count(0)
    page.screenshot(path=str(artifacts / f"archive-disposal-{locale}.png"), full_page=True)
    assert_accessible(page, f"disposal ({locale})")
    page.get_by_label(reviewed).uncheck()
    page.get_by_label(t["appraisal"]).fill("保管期满，经鉴定可销毁")
    page.get_by_role("button", name=t["propose"]).click()
    expect(page.locator("h1")).to_have_text(re.compile(rf"^{t['list']} DL-\d+$"))
    expect(page.locator("table tbody tr")).to_have_text([re.compile(listed)])
    assert_accessible(page, f"a proposed destruction list ({locale})")

    admin = new_page(locale)  # an administrator sends the complaints' class to review
    sign_in(admin, live_server, "admin")
    admin.get_by_role("navigation", name=t["main"]).get_by_role("link", name=t["classes"]).click()
    expect(admin.locator("h1")).to_have_text(t["classes"])
    assert_accessible(admin, f"retention classes ({locale})")
    admin.get_by_role("link", name=t["change"]).click()
    expect(admin.locator("h1")).to_have_text("complaint-3y")
    assert_accessible(admin, f"a retention class ({locale})")
    admin.get_by_label(t["to_review"]).check()
    admin.get_by_role("button", name=t["save"]).click()
    expect(admin.locator("[role=status]")).to_have_text(t["saved"])

    visit(t["review"], t["review_list"])
    decision = row_of(page, reviewed)
    expect(decision).to_contain_text("2029-12-31")
    assert_accessible(page, f"review list ({locale})")
    decision.get_by_label(t["keep"]).fill("2")
    decision.get_by_label(t["reason"], exact=True).fill("典型案例 a textbook case")
    decision.get_by_role("button", name=t["decide"]).click()
    expect(page.locator("[role=status]")).to_have_text(t["decided"])
    expect(row_of(page, reviewed)).to_have_count(0)  # kept to 2031: off the list


def filed_and_due(app: Flask, clock: FrozenClock) -> str:
    """One complaint filed in March 2026 and, on 1 January 2030, due for destruction."""
    code = new_complaint(app)
    close_complaint(app, code)
    work_outbox(app)
    clock.advance(days=DAYS_TO_2030)
    return code


def send_complaints_to_review(app: Flask) -> None:
    with app.app_context():
        s = services()
        [cls] = [c for c in list_classes(s.db) if c.code == "complaint-3y"]
        update_class(s.db, s.clock, actor_of(app, "admin"), cls.code, {**cls.values(), "action": "review"},
                     zone=s.zone)


def test_a_record_kept_on_review_after_its_proposal_is_not_destroyed(  # type: ignore[no-untyped-def]
        app: Flask, clock: FrozenClock, live_server, new_page) -> None:
    code = filed_and_due(app, clock)
    archivist, admin = new_page("zh-CN"), new_page("zh-CN")
    sign_in(archivist, live_server, "archivist")
    archivist.goto(f"{live_server}/archive/disposal")
    archivist.get_by_label("鉴定意见").fill("保管期满，经鉴定可销毁")
    archivist.get_by_role("button", name="提出销毁清单").click()
    expect(archivist.locator("h1")).to_have_text(re.compile(r"^销毁清单 DL-\d+$"))
    list_url = archivist.url
    sign_in(admin, live_server, "admin")
    admin.goto(f"{live_server}/admin/retention/complaint-3y")
    admin.get_by_label("由档案管理员复核").check()
    admin.get_by_role("button", name="保存").click()
    expect(admin.locator("[role=status]")).to_have_text("保存期限类别 complaint-3y 已保存。")
    archivist.goto(f"{live_server}/archive/review")
    decision = row_of(archivist, code)
    decision.get_by_label("延长保管（年）").fill("2")
    decision.get_by_label("理由", exact=True).fill("典型案例")
    decision.get_by_role("button", name="决定").click()
    expect(archivist.locator("[role=status]")).to_have_text("决定已记录。")
    admin.goto(list_url)
    admin.get_by_role("button", name="批准").click()
    auditor = new_page("zh-CN")
    sign_in(auditor, live_server, "auditor")
    witnessed_in_browser(admin, list_url, {"archivist": archivist, "auditor": auditor})
    admin.get_by_role("button", name="执行销毁").click()
    expect(admin.get_by_role("button", name="执行销毁")).to_have_count(0)
    expect(row_of(admin, code)).not_to_contain_text("已销毁", timeout=2_000)
    archivist.goto(f"{live_server}/records/{code}")
    expect(archivist.locator("h1")).to_have_text(code)


def test_a_refused_review_decision_points_at_its_field(  # type: ignore[no-untyped-def]
        app: Flask, clock: FrozenClock, live_server, new_page) -> None:
    code = filed_and_due(app, clock)
    send_complaints_to_review(app)
    page = new_page("zh-CN")
    sign_in(page, live_server, "archivist")
    page.goto(f"{live_server}/archive/review")
    row_of(page, code).get_by_role("button", name="决定").click()  # no reason given
    expect(page.locator(".error-summary")).to_contain_text("请说明理由")
    assert_accessible(page, "review list with an error (zh-CN)")
    assert_summary_links_resolve(page)
    expect(row_of(page, code)).to_contain_text("请说明理由", timeout=2_000)


def test_a_destruction_list_state_reads_in_chinese(  # type: ignore[no-untyped-def]
        app: Flask, clock: FrozenClock, live_server, new_page) -> None:
    filed_and_due(app, clock)
    page = new_page("zh-CN")
    sign_in(page, live_server, "archivist")
    page.goto(f"{live_server}/archive/disposal")
    page.get_by_label("鉴定意见").fill("保管期满，经鉴定可销毁")
    page.get_by_role("button", name="提出销毁清单").click()
    expect(page.locator("#list-state")).to_have_text(re.compile(r"^[\u4e00-\u9fff]+$"), timeout=2_000)
