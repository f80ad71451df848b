"""Demo data: one user per role and a few realistic records of every form (Chinese content)."""

from __future__ import annotations

import secrets
import tomllib
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from archive.models import Record
from archive.stores import file_store
from core.auth import accounts
from core.auth.models import User
from core.clock import Clock
from core.db import Database
from forms import versions
from forms.demo_files import demo_photos
from forms.models import FormVersion
from forms.submission import submit
from forms.workflow import act

DEMO_USERS = (
    # username, role, department, display name
    ("admin", "admin", "ARCHIVE", "陈静"),
    ("archivist", "archivist", "ARCHIVE", "王芳"),
    ("auditor", "auditor", None, "刘洋"),
    ("supervisor", "supervisor", "CS", "李娜"),
    ("clerk", "clerk", "CS", "张伟"),
    ("sales", "clerk", "SALES", "赵磊"),
    ("renewal", "clerk", "RENEWAL", "孙丽"),
    # Each department's records are countersigned by its own supervisor: without these, the
    # sales and renewal clerks' visits and registers could never be finished in the demo.
    ("sales_boss", "supervisor", "SALES", "吴敏"),
    ("renewal_boss", "supervisor", "RENEWAL", "周强"),
)


def ensure_demo_users(db: Database, clock: Clock) -> list[tuple[str, str, str]]:
    """Create the demo users, or give them fresh passwords; returns (username, role, password).

    Pending form versions are then approved by the demo admin (see :func:`approve_pending`).
    """
    printed = []
    for username, role, department, name in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        with db.transaction() as session:
            user = session.scalar(select(User).filter_by(username=username))
            if user is not None:
                user.password_hash, user.failed_logins, user.locked_until = (
                    generate_password_hash(password), 0, None)
        if user is None:
            accounts.create_user(db, clock, username=username, password=password, role=role,
                                 department_code=department, display_name=name)
        printed.append((username, role, password))
    return printed


def approve_pending(db: Database, clock: Clock) -> list[str]:
    """Approve every pending form version as the demo admin; returns what was approved."""
    with db.reading() as session:
        admin = session.scalar(select(User).filter_by(username="admin")).actor()
        pending = session.execute(select(FormVersion.form_code, FormVersion.version).where(
            FormVersion.status == FormVersion.PENDING)).all()
    for form_code, version in pending:
        versions.approve(db, clock, admin, form_code, version)
    return [f"{form_code} v{version}" for form_code, version in pending]


SAMPLES = {
    "clerk": [
        ("CP", {"channel": "phone", "received_at": "{now}", "customer_name": "上海恒丰贸易有限公司",
                "contact_person": "王建国", "phone": "13800138000", "order_no": "SO-2026-0815",
                "part_no": "PN-44718", "quantity": 500, "defective_quantity": 37,
                "complaint": "收到的第二批货物外包装破损，部分产品表面有划痕，影响销售。",
                "customer_request": "要求补发37件合格品并承担运费。", "defect_photos": "{photos}"}),
        ("CP", {"channel": "head_office", "received_at": "{now}", "customer_name": "李秀英",
                "phone": "021-62345678", "complaint": "客服热线多次无人接听，投诉服务态度差。"}),
        ("CP", {"channel": "visit", "received_at": "{now}", "customer_name": "深圳新世纪电子",
                "phone": "13912345678", "order_no": "SO-2026-0902", "part_no": "PN-50211",
                "complaint": "批量产品出现漏电，客户生产线停产，要求紧急处理。"}),
        # Received two weeks ago and still unclassified: past even the strictest limit, so a
        # fresh demo office shows an overdue complaint (issue 15: overdue without any cron).
        # Two weeks, not three days: CP v6 counts working hours, and three days back from the
        # middle of the National Day or Spring Festival holiday hold none; any two weeks hold
        # several working days.
        ("CP", {"channel": "online", "received_at": "{two_weeks_ago}", "customer_name": "杭州明远物流",
                "phone": "13700137000", "order_no": "SO-2026-0766",
                "complaint": "网上订单显示已发货，但物流信息一周未更新，客户多次催问无人答复。"}),
        ("AR", {"applicant_department": "CS", "records_wanted": "CP-2026-000001",
                "purpose": "complaint", "reason": "跟进客户投诉的改善结果，准备回访。",
                "period_from": "{today}", "period_to": "{in_week}"}),
        # Handled to the end (see FINISHED): filed by the worker, so the office has a catalogue.
        ("CP", {"channel": "phone", "received_at": "{now}", "customer_name": "苏州嘉禾电子",
                "phone": "13611112222", "order_no": "SO-2026-0701", "part_no": "PN-31009",
                "complaint": "包装标签与实物型号不符，仓库无法入库。"}),
        ("CP", {"channel": "online", "received_at": "{now}", "customer_name": "宁波东海五金",
                "phone": "13522223333", "complaint": "发票抬头开错，财务无法报销。"}),
        # One customer across records (issue 21): 上海恒丰 again, the phone written with +86; the
        # renewal register's 郑红梅 complains too (customer service and renewal, one customer).
        ("CP", {"channel": "online", "received_at": "{now}", "customer_name": "上海恒丰贸易有限公司",
                "contact_person": "王建国", "phone": "+8613800138000", "order_no": "SO-2026-0815",
                "complaint": "补发的37件中仍有3件表面划伤，要求再次处理。"}),
        ("CP", {"channel": "phone", "received_at": "{now}", "customer_name": "郑红梅",
                "phone": "13655556666", "complaint": "续期缴费提醒短信重复发送，每天多条。"}),
        # A personal data request waiting to be gathered: 李秀英 asks to see what is held.
        ("PR", {"request_kinds": ["see"], "received_at": "{now}", "channel": "phone",
                "customer_name": "李秀英", "phone": "021-62345678", "identity_check": "callback",
                "identity_note": "回拨登记电话核实本人"}),
    ],
    "sales": [
        ("VR", {"visit_date": "{today}", "customer_name": "周女士", "phone": "13700001111",
                "needs": "三室两厅，120平方米左右，预算300万。", "feedback": "对小区绿化满意，嫌价格偏高。",
                "customer_tier": "B", "receiving_staff": "sales"}),
        ("VR", {"visit_date": "{today}", "customer_name": "吴先生", "phone": "15811112222",
                "needs": "两室一厅，近地铁。", "receiving_staff": "sales"}),
    ],
    "renewal": [
        ("RS", {"policy_no": "P20240315001", "policyholder": "郑红梅", "phone": "13655556666",
                "due_date": "{due}", "instalment": 3, "policy_state": "grace",
                "service_staff": "renewal",
                "visits": [{"visit_date": "{today}", "method": "phone", "notes": "客户称本月资金紧张"}],
                "nonpayment_reason": "资金周转困难", "customer_choice": "pay"}),
        ("RS", {"policy_no": "P20230808017", "policyholder": "黄志强", "due_date": "{due}",
                "instalment": 5, "policy_state": "lapsed", "service_staff": "renewal",
                "visits": [{"visit_date": "{today}", "method": "unreachable"}]}),
    ],
}


#: The supervisor's classification of sample complaints, by customer: a registration carries
#: only what is known at registration (forms.steps), so the demo classifies as the office does.
CLASSIFIED = {
    "上海恒丰贸易有限公司": {"cause_class": "quality", "level": "2", "responsible_department": "QA"},
    "深圳新世纪电子": {"cause_class": "quality", "level": "3", "responsible_department": "QA"},
    "苏州嘉禾电子": {"cause_class": "quality", "level": "1", "responsible_department": "CS"},
    "宁波东海五金": {"cause_class": "non_quality", "level": "1", "responsible_department": "CS"},
}

#: Sample complaints the office has finished (issue 20): investigated, answered, closed and
#: countersigned, so the worker files them once their archival copies are rendered, and a fresh
#: demo office has filed records with their 档号 in the 归档文件目录 and a year to transfer.
FINISHED = frozenset({"苏州嘉禾电子", "宁波东海五金"})
FINISHING_STEPS = (
    ("investigate", "clerk", {"investigation": "核对出库单与包装记录，确认为贴标环节差错。"}),
    ("respond", "clerk", {"root_cause": "贴标前未复核型号", "corrective_action": "贴标后增加扫码复核",
                          "customer_reply": "已致电说明并安排更换"}),
    ("close", "supervisor", {"customer_accepted": True}),
    ("countersign", "supervisor", {}),
)


def name_the_anonymiser(config_file: Path, username: str = "archivist") -> bool:
    """Name the demo archivist as the one the daily anonymisation runs as (forms.jobs), unless
    the instance config already names someone; returns whether the file was changed. Without
    it a fresh demo office would show that job failing from its first day. The line goes first
    in the file: a key after a ``[table]`` would belong to that table."""
    existing = config_file.read_text(encoding="utf-8") if config_file.exists() else ""
    if "PERSONAL_ANONYMISE_BY" in {key.upper() for key in tomllib.loads(existing)}:
        return False
    line = (f"# Added by `flask demo`: the daily anonymisation runs as the demo archivist.\n"
            f"personal_anonymise_by = \"{username}\"\n")
    config_file.write_text(line + existing, encoding="utf-8")
    return True


def create_sample_records(db: Database, clock: Clock, zone: ZoneInfo) -> int:
    """Submit the samples through the normal service, once (skipped if records exist)."""
    with db.reading() as session:
        if session.scalar(select(func.count()).select_from(Record)):
            return 0
        actors = {u.username: u.actor() for u in session.scalars(select(User))}
    now = clock.now().astimezone(zone)
    values = {"{now}": now.replace(second=0, microsecond=0).isoformat(),
              "{two_weeks_ago}": (now - timedelta(days=14)).replace(second=0, microsecond=0).isoformat(),
              "{today}": now.date().isoformat(),
              "{in_week}": (now.date() + timedelta(days=7)).isoformat(),
              "{due}": (now.date() - timedelta(days=35)).isoformat(),
              "{photos}": demo_photos(file_store())}  # drawn, checked and stored like an upload
    created = 0
    for username, samples in SAMPLES.items():
        for form_code, data in samples:
            record = submit(db, clock, zone, actors[username], form_code, _fill_in(data, values))
            classified = CLASSIFIED.get(data.get("customer_name", "")) if form_code == "CP" else None
            if classified:
                act(db, clock, zone, actors["supervisor"], record.code, "classify", fields=classified)
            if data.get("customer_name") in FINISHED:
                for action, who, fields in FINISHING_STEPS:
                    act(db, clock, zone, actors[who], record.code, action, fields=fields)
            created += 1
    return created


def _fill_in(data: object, values: dict[str, str]) -> object:
    if isinstance(data, dict):
        return {k: _fill_in(v, values) for k, v in data.items()}
    if isinstance(data, list):
        return [_fill_in(v, values) for v in data]
    return values.get(data, data) if isinstance(data, str) else data
