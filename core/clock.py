"""Injectable time.

Every rule that depends on "now" (code years, deadlines, retention) asks a :class:`Clock`, so
tests can freeze time. Times are stored in UTC; the configured zone is only for display and for
calendar questions such as "which year is this submission in".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FrozenClock:
    """A clock that only moves when told to (tests, demo data)."""

    current: datetime = field(default_factory=lambda: datetime(2026, 3, 1, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


def local(instant: datetime, zone: ZoneInfo) -> datetime:
    """``instant`` (aware) seen in ``zone``; naive values are taken as UTC, as stored."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(zone)
