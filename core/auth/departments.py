"""The departments a fresh instance starts with (editable later)."""

from __future__ import annotations

from sqlalchemy import select

from core.auth.models import Department
from core.db import Database

DEFAULT_DEPARTMENTS = (
    ("CS", "客户服务部", "Customer Service"),
    ("SALES", "销售部", "Sales"),
    ("QA", "质量管理部", "Quality Management"),
    ("RENEWAL", "续收部", "Renewal Collection"),
    ("ARCHIVE", "档案室", "Records Office"),
)


def ensure_default_departments(db: Database) -> int:
    """Insert the default departments that are missing; returns how many were added."""
    added = 0
    with db.transaction() as session:
        existing = set(session.scalars(select(Department.code)))
        for code, name_zh, name_en in DEFAULT_DEPARTMENTS:
            if code not in existing:
                session.add(Department(code=code, name_zh=name_zh, name_en=name_en))
                added += 1
    return added


def department_names(db: Database, language: str) -> dict[str, str]:
    """Code → name in ``language`` ("zh" or "en") of every department."""
    with db.reading() as session:
        rows = session.execute(select(Department.code, Department.name_zh, Department.name_en)).all()
    return {code: (zh if language == "zh" else en) for code, zh, en in rows}
