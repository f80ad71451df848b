"""The destruction's two witnesses (监销人) and the register's lines, through the real services on
a frozen clock that carries microseconds: naming, each witness's own confirmation, every refusal
in Chinese and in English, execution only after both confirmed, and what the filed register
(DD) and the tombstone keep (档号, masked title, 年度, 保管期限, 已保管年限, 页数, 销毁原因)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from archive import disposal, retention, witnesses
from archive.destruction_register import years_between
from archive.disposal import DisposalRefused
from archive.models import Record, Rendition, Tombstone
from archive.ports import archive_ports
from core import db_schema
from core.audit.checkpoints import CHECKPOINT_FILE
from core.audit.models import AuditEvent
from core.auth import accounts
from core.auth.departments import ensure_default_departments
from core.auth.roles import PermissionDenied
from core.clock import FrozenClock, local
from core.web import services
from forms import versions
from forms.spec.library import load_or_fail
from tests.support.instance import PASSWORD, actor_of, make_app
from tests.support.lifecycle import DAYS_TO_2030, filed_complaints, work_outbox

APPRAISAL = "保管期满，经鉴定已无继续保存价值，建议销毁。"


def approved_list(app: Flask, clock: FrozenClock, count: int = 1) -> tuple[int, list[str]]:
    """``count`` filed complaints, due, appraised and proposed by the archivist, approved by the
    admin, the clock moved on by odd fractions of a second between the steps."""
    codes = filed_complaints(app, count)
    clock.advance(days=DAYS_TO_2030, microseconds=345678)
    with app.app_context():
        s = services()
        listed = disposal.propose(s.db, s.clock, s.zone, actor_of(app, "archivist"), codes, APPRAISAL)
        clock.advance(minutes=7, microseconds=111)
        disposal.decide(s.db, s.clock, actor_of(app, "admin"), listed.id, approve=True)
    return listed.id, codes


def name(app: Flask, list_id: int, pair: tuple[str, str],
         by: str = "archivist") -> tuple[witnesses.WitnessView, ...]:
    with app.app_context():
        s = services()
        return witnesses.name_witnesses(s.db, s.clock, actor_of(app, by), list_id, pair)


def confirm(app: Flask, list_id: int, who: str) -> witnesses.WitnessView:
    with app.app_context():
        s = services()
        return witnesses.confirm(s.db, s.clock, actor_of(app, who), list_id)


def execute(app: Flask, list_id: int, by: str = "archivist") -> disposal.ListView:
    with app.app_context():
        s = services()
        hooks = archive_ports().disposal_hooks()
        return disposal.execute(s.db, s.clock, s.zone, actor_of(app, by), list_id, hooks)


def refusal(app: Flask, call: Callable[[], object], locale: str) -> dict[str, str]:
    """The fields a service call refused, with its messages in ``locale`` (the language a
    browser asking for it gets)."""
    with app.test_request_context(headers={"Accept-Language": locale}), \
            pytest.raises(DisposalRefused) as refused:
        call()
    return dict(refused.value.errors)


def test_both_witnesses_confirm_then_the_register_lists_every_column(app: Flask, clock: FrozenClock) -> None:
    list_id, [code] = approved_list(app, clock)
    with app.app_context(), services().db.reading() as session:
        record = session.scalar(select(Record).where(Record.code == code))
        reference, filed_revision, record_id = record.archival_code, record.filed_revision, record.id
        pages = session.scalar(select(Rendition.pages).where(Rendition.record_id == record_id,
                                                             Rendition.revision == filed_revision))
    assert reference and reference.startswith("Q012-WS·2026-D3-") and pages
    named = name(app, list_id, ("auditor", "admin"))
    assert [(w.username, w.confirmed_at) for w in named] == [("auditor", None), ("admin", None)]
    clock.advance(minutes=3, microseconds=222)
    first = confirm(app, list_id, "auditor")
    clock.advance(minutes=2, microseconds=333)
    second = confirm(app, list_id, "admin")
    assert first.confirmed_at == second.confirmed_at - timedelta(minutes=2, microseconds=333)
    assert first.confirmed_at.microsecond != 0
    clock.advance(minutes=1, microseconds=444)
    done = execute(app, list_id)
    assert done.state == "executed" and dict(done.items) == {code: "destroyed"}
    assert [w.username for w in done.witnesses] == ["auditor", "admin"]
    work_outbox(app)  # the register's archival copy is made and the register filed

    with app.app_context(), services().db.reading() as session:
        zone = services().zone
        register = session.execute(select(
            Record.form_code, Record.form_version, Record.end_action, Record.data)
            .where(Record.code == done.register_code)).one()
        tombstone_reference = session.scalar(select(Tombstone.archival_code).where(Tombstone.code == code))
        events = session.execute(select(AuditEvent.action, AuditEvent.actor_name).where(
            AuditEvent.object_type == "disposal_list", AuditEvent.object_id == str(list_id))).all()
    data = register.data
    assert tuple(register[:3]) == ("DD", 3, "permanent")
    assert data["appraisal"] == APPRAISAL and data["appraised_by"] == "Archivist（archivist）"
    assert data["approved_by"] == "Admin（admin）" and data["executed_by"] == "Archivist（archivist）"
    assert data["witnesses"] == [
        {"name": "Auditor（auditor）", "confirmed_at": local(first.confirmed_at, zone).isoformat()},
        {"name": "Admin（admin）", "confirmed_at": local(second.confirmed_at, zone).isoformat()}]
    confirmed = datetime.fromisoformat(data["witnesses"][0]["confirmed_at"])
    assert confirmed.microsecond == first.confirmed_at.microsecond
    [line] = data["items"]
    assert line["seq"] == 1 and line["code"] == code and line["archival_code"] == reference
    assert line["year"] == 2026 and line["retention"] == "D3" and line["pages"] == pages
    # closed in March 2026 (the class counts from closure), destroyed on 1 January 2030: 3 whole years
    assert line["years_kept"] == 3
    assert line["reason"].startswith("保管期满：客诉处理记录（3年），D3；客户服务档案管理制度")
    assert "上海恒丰" not in line["title"] and "上***" in line["title"]  # masked, as the disposal pages
    assert "上海恒丰" not in str(data)
    assert tombstone_reference == reference
    assert ("disposal.witnesses", "archivist") in events
    assert ("disposal.witness", "auditor") in events and ("disposal.witness", "admin") in events
    # the worker anchored the trail after the destruction: a checkpoint covering its event
    lines = [json.loads(line) for line in
             (Path(app.instance_path) / CHECKPOINT_FILE).read_text("utf-8").splitlines()]
    [anchor] = [line for line in lines if line["reason"] == f"destruction DL-{list_id} {done.register_code}"]
    assert anchor["seq"] >= executed_seq(app, list_id)


def executed_seq(app: Flask, list_id: int) -> int:
    with app.app_context(), services().db.reading() as session:
        return session.scalar(select(AuditEvent.seq).where(AuditEvent.action == "disposal.execute",
                                                           AuditEvent.object_id == str(list_id)))


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_naming_refuses_each_wrong_witness_naming_the_field(app: Flask, clock: FrozenClock,
                                                            locale: str) -> None:
    list_id, _codes = approved_list(app, clock)
    cases = {
        ("auditor", "auditor"): ("witness_2", {"zh": "两名监销人须为不同的人", "en": "two different people"}),
        ("archivist", "auditor"): ("witness_1", {"zh": "不能同时担任监销人", "en": "cannot also witness"}),
        ("clerk", "auditor"): ("witness_1", {"zh": "Clerk（clerk） 的角色是填写人",
                                             "en": "Clerk（clerk） is a staff member"}),
        ("auditor", "supervisor"): ("witness_2", {"zh": "的角色是直接上级主管", "en": "is a supervisor"}),
        ("nobody", "auditor"): ("witness_1", {"zh": "没有名为 nobody 的在用用户",
                                              "en": "no active user nobody"}),
        ("", "auditor"): ("witness_1", {"zh": "请选择监销人", "en": "Choose a witness"}),
    }
    for pair, (field, words) in cases.items():
        errors = refusal(app, lambda pair=pair: name(app, list_id, pair), locale)
        assert set(errors) == {field} and words[locale] in errors[field], (pair, errors)
    with app.app_context():
        assert disposal.get_list(services().db, actor_of(app, "admin"), list_id).witnesses == ()


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_confirming_and_executing_refuse_what_is_not_done_yet(app: Flask, clock: FrozenClock,
                                                              locale: str) -> None:
    list_id, [code] = approved_list(app, clock)
    words = {"zh": ("请先指定两名监销人", "不是销毁清单", "尚未确认：Admin（admin）", "不能重复确认",
                    "不能执行销毁", "已执行"),
             "en": ("Name two witnesses", "not a witness of destruction list",
                    "not yet confirmed: Admin（admin）",
                    "already confirmed", "cannot execute it", "executed")}[locale]
    assert words[0] in refusal(app, lambda: execute(app, list_id), locale)["witnesses"]
    name(app, list_id, ("auditor", "admin"))
    assert words[1] in refusal(app, lambda: confirm(app, list_id, "archivist"), locale)["confirm"]
    confirm(app, list_id, "auditor")
    assert words[2] in refusal(app, lambda: execute(app, list_id), locale)["witnesses"]
    assert words[3] in refusal(app, lambda: confirm(app, list_id, "auditor"), locale)["confirm"]
    confirm(app, list_id, "admin")
    assert words[4] in refusal(app, lambda: execute(app, list_id, by="admin"), locale)["witnesses"]
    with app.app_context(), services().db.reading() as session:
        assert session.scalar(select(Record.id).where(Record.code == code)) is not None  # nothing destroyed
    execute(app, list_id)
    assert words[5] in refusal(app, lambda: confirm(app, list_id, "admin"), locale)["list"]
    assert words[5] in refusal(app, lambda: name(app, list_id, ("auditor", "admin")), locale)["list"]


def test_a_list_not_approved_takes_no_witnesses(app: Flask, clock: FrozenClock) -> None:
    [code] = filed_complaints(app, 1)
    clock.advance(days=DAYS_TO_2030, microseconds=1)
    with app.app_context():
        s = services()
        listed = disposal.propose(s.db, s.clock, s.zone, actor_of(app, "archivist"), [code], APPRAISAL)
    assert "待批准" in refusal(app, lambda: name(app, listed.id, ("auditor", "admin")), "zh")["list"]
    english = refusal(app, lambda: name(app, listed.id, ("auditor", "admin")), "en")
    assert "awaiting approval" in english["list"]


def test_only_keepers_name_and_only_the_records_office_confirms(app: Flask, clock: FrozenClock) -> None:
    list_id, _codes = approved_list(app, clock)
    for role in ("auditor", "supervisor", "clerk"):
        with pytest.raises(PermissionDenied):
            name(app, list_id, ("auditor", "admin"), by=role)
    name(app, list_id, ("auditor", "archivist"), by="admin")  # an admin may name too, not themselves
    for role in ("clerk", "supervisor"):
        with pytest.raises(PermissionDenied):
            confirm(app, list_id, role)


def test_naming_again_keeps_a_kept_witness_confirmation_and_drops_the_other(app: Flask,
                                                                           clock: FrozenClock) -> None:
    list_id, _codes = approved_list(app, clock)
    name(app, list_id, ("auditor", "admin"))
    kept = confirm(app, list_id, "auditor")
    again = name(app, list_id, ("archivist", "auditor"), by="admin")
    assert {w.username: w.confirmed_at for w in again} == {"auditor": kept.confirmed_at, "archivist": None}
    with app.app_context(), services().db.reading() as session:
        detail = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "disposal.witnesses")
                                 .order_by(AuditEvent.seq)).all()[-1]
    assert detail == {"witnesses": ["archivist", "auditor"], "replaced": ["admin"]}
    confirm(app, list_id, "archivist")
    done = execute(app, list_id, by="admin")  # the admin is no witness any more
    assert done.state == "executed"


def test_a_record_cleared_by_review_gives_the_archivist_reason(app: Flask, clock: FrozenClock) -> None:
    [code] = filed_complaints(app, 1)
    with app.app_context(), services().db.transaction() as session:
        session.scalar(select(Record).where(Record.code == code)).end_action = "review"
    clock.advance(days=DAYS_TO_2030, microseconds=9)
    with app.app_context():
        s = services()
        disposal.review(s.db, s.clock, s.zone, actor_of(app, "archivist"), code, keep_years=0,
                        reason="已结案三年，无争议")
        listed = disposal.propose(s.db, s.clock, s.zone, actor_of(app, "archivist"), [code], APPRAISAL)
        disposal.decide(s.db, s.clock, actor_of(app, "admin"), listed.id, approve=True)
    name(app, listed.id, ("auditor", "admin"))
    confirm(app, listed.id, "auditor")
    confirm(app, listed.id, "admin")
    done = execute(app, listed.id)
    with app.app_context(), services().db.reading() as session:
        data = session.scalar(select(Record.data).where(Record.code == done.register_code))
    assert data["items"][0]["reason"] == "复核决定销毁：已结案三年，无争议"


POOL = ("admin", "archivist", "auditor", "clerk", "supervisor", "sales_boss", "nobody", "")
ROLES = {"admin": "admin", "archivist": "archivist", "auditor": "auditor", "clerk": "clerk",
         "supervisor": "supervisor", "sales_boss": "supervisor"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.sampled_from(POOL), second=st.sampled_from(POOL),
       namer=st.sampled_from(("archivist", "admin")))
def test_any_pair_is_taken_exactly_when_the_rules_allow_it(app: Flask, clock: FrozenClock, first: str,
                                                          second: str, namer: str) -> None:
    """Whatever two names are sent, they are taken if and only if both are active users of the
    records office, different, and not the one naming; otherwise each wrong one is named."""
    list_id = _the_list(app, clock)
    wrong = {field for field, who in (("witness_1", first), ("witness_2", second))
             if ROLES.get(who) not in ("admin", "archivist", "auditor") or who == namer}
    if first and first == second and "witness_2" not in wrong:
        wrong.add("witness_2")
    if wrong:
        assert set(refusal(app, lambda: name(app, list_id, (first, second), by=namer), "en")) == wrong
    else:
        # A pair named again in the other order keeps its rows (and their confirmations), so
        # the witnesses are compared as the pair they are, not in the order sent.
        taken = name(app, list_id, (first, second), by=namer)
        assert sorted(w.username for w in taken) == sorted((first, second))


def _the_list(app: Flask, clock: FrozenClock) -> int:
    """One approved list for every example (naming again replaces the pair)."""
    found = getattr(app, "_witness_list", None)
    if found is None:
        found, _codes = approved_list(app, clock)
        app._witness_list = found  # type: ignore[attr-defined]
    return found


@given(start=st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
       days=st.integers(min_value=0, max_value=40_000))
def test_years_kept_are_whole_years_as_a_calendar_counts_them(start: date, days: int) -> None:
    end = start + timedelta(days=days)
    assert years_between(start, end) == relativedelta(end, start).years


def test_export_and_import_carry_the_witnesses(app: Flask, clock: FrozenClock, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    list_id, _codes = approved_list(app, clock)
    name(app, list_id, ("auditor", "admin"))
    confirm(app, list_id, "auditor")
    confirm(app, list_id, "admin")
    execute(app, list_id)
    work_outbox(app)
    out = tmp_path / "export"
    exported = app.test_cli_runner().invoke(args=["archive", "export", "--lang", "en", "--out", str(out),
                                                  "--by", "archivist"])
    assert exported.exit_code == 0, exported.output
    with app.app_context():
        before = disposal.list_lists(services().db, actor_of(app, "admin"))

    monkeypatch.setenv("DOSSIER_INSTANCE", str(tmp_path / "target"))
    target = make_app(f"sqlite:///{tmp_path / 'target.sqlite3'}", clock)
    try:
        with target.app_context():
            s = services()
            db_schema.upgrade(s.db)
            ensure_default_departments(s.db)
            retention.ensure_defaults(s.db, s.clock)
            versions.register_specs(s.db, s.clock, load_or_fail())
            accounts.create_user(s.db, s.clock, username="admin", password=PASSWORD, role="admin",
                                 department_code="ARCHIVE")
        imported = target.test_cli_runner().invoke(args=["archive", "import", "--lang", "en", str(out)])
        assert imported.exit_code == 0, imported.output
        with target.app_context():
            after = disposal.list_lists(services().db, actor_of(target, "admin"))
    finally:
        with target.app_context():
            services().db.dispose()
    assert [(w.username, w.named_by, w.confirmed_at) for w in after[0].witnesses] == \
        [(w.username, w.named_by, w.confirmed_at) for w in before[0].witnesses]
    assert after[0].witnesses[0].confirmed_at is not None
