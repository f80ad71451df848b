"""The moment every test instance's frozen clock starts at (the shared ``clock`` fixture and the
instance templates, SQLite and PostgreSQL, are built on it)."""

from __future__ import annotations

from datetime import UTC, datetime

START = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
