"""The forms package's periodic jobs (run by the outbox worker, core.outbox.jobs): the deadline
tick and the anonymisation of personal data kept past its period."""

from __future__ import annotations

from flask import Flask, current_app

from core.auth import accounts
from core.auth.roles import PermissionDenied
from core.outbox.jobs import Outcome, register_job
from core.web import services
from forms import anonymise, deadline_notices, deadlines

#: Instance setting: the username the scheduled anonymisation runs as.
ANONYMISE_BY = "PERSONAL_ANONYMISE_BY"
#: Codes named in a job's one-line result; the rest are counted. A tick after a long stop can
#: mark thousands overdue, and the result is one line in `flask jobs` and in the worker's log
#: (each record's own change is in the audit trail).
NAMED_CODES = 10


def init_app(app: Flask) -> None:
    register_job(app, "deadline_tick", _tick, every=60,
                 description="give open records their deadline, mark the passed ones overdue (audited)")
    register_job(app, "personal_anonymise", _anonymise, every=86400,
                 description="anonymise personal fields of records filed more than [personal] years "
                             "ago, as the archivist named by personal_anonymise_by")


def _tick() -> Outcome:
    report = deadlines.tick(services().db, services().clock)
    fraction = float(current_app.config.get("NOTIFY_WARN_AT", deadline_notices.DEFAULT_WARN_AT))
    told = deadline_notices.notify_deadlines(services().db, services().clock.now(), fraction)
    return Outcome(True, f"{len(report.scheduled)} deadline(s) set, {len(report.marked)} newly overdue"
                         f"{named(report.marked)}; {report.overdue} overdue in all; supervisors told: "
                         f"{len(told.nearing)} nearing, {len(told.overdue)} overdue")


def named(codes: list[str]) -> str:
    """``': A, B, C'`` for the first :data:`NAMED_CODES` codes, ``' and N more'`` after them."""
    if not codes:
        return ""
    more = len(codes) - NAMED_CODES
    return ": " + ", ".join(codes[:NAMED_CODES]) + (f" and {more} more" if more > 0 else "")


def _anonymise() -> Outcome:
    """Anonymisation as a named archivist (``personal_anonymise_by`` in the instance config),
    not as an anonymous system actor: scrubbing personal data cannot be undone, and the
    records office answers for it, so the audit trail names the person whose standing decision
    the schedule carries out, as it would if they ran ``personal anonymise --by`` themselves.
    Unset, or naming no active archivist or admin, the run fails and says so: a schedule that
    silently anonymises nothing would leave data kept past its period unnoticed."""
    username = str(current_app.config.get(ANONYMISE_BY) or "")
    if not username:
        return Outcome(False, "not run: set personal_anonymise_by to the archivist it runs as "
                              "(instance/config.toml)")
    s = services()
    actor = accounts.actor_named(s.db, username)
    if actor is None:
        return Outcome(False, f"not run: personal_anonymise_by names no active user ({username!r})")
    try:
        outcome = anonymise.anonymise_due(s.db, s.clock, s.zone, actor)
    except PermissionDenied as exc:
        return Outcome(False, f"not run: {username}: {exc}")
    return Outcome(True, f"{len(outcome.done)} record(s) anonymised as {username}"
                         f"{named(list(outcome.done))}; {len(outcome.held)} held")
