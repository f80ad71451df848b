"""The office calendar page (/admin/calendar, administrators only): a year's holidays and
adjusted working days month by month, the working hours of each weekday, and the changes, each
posted with its CSRF token and made through forms.office_calendar (admin-only, audited, and
re-scheduling the open records whose deadline counts working time).

A refused value re-shows the page (422) with the message beside its field and what was typed.
A schedule file is checked first (a preview: what each line changes, every problem by line)
and imported only from the preview, which carries the checked text (base64) and checks it again.
After a change the page says how many open records got a new deadline and links them: the
codes ride in the session to the page the change redirects to (at most MAX_LISTED of them, so
the session cookie stays small; the count is always the full one).
"""

from __future__ import annotations

import base64
import binascii
from datetime import date

from babel.dates import format_skeleton, get_day_names
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from core.auth.roles import Actor
from core.errors import render_error
from core.problems import FieldProblems
from core.web import current_actor, services
from forms import office_calendar
from forms.calendar_file import FIRST_YEAR, LAST_YEAR, MAX_BYTES, UnreadableFile, decode_schedule
from forms.calendar_input import shown, span_text, year_asked
from forms.views.calendar_forms import (
    ApplyForm,
    CalendarForm,
    HoursForm,
    MarkDayForm,
    RemoveDayForm,
    UploadForm,
)
from forms.working_time import Span

bp = Blueprint("calendar", __name__, url_prefix="/admin/calendar")

MOVED = "calendar_moved"  # the session key of the last change's re-scheduled records
MAX_LISTED = 50


def _admin() -> Actor:
    """Others are refused before any parameter is read (the services check again)."""
    actor = current_actor()
    office_calendar.require_admin(actor)
    return actor


def _this_year() -> int:
    return services().clock.now().astimezone(services().zone).year


def _year(text: str | None) -> int | None:
    """The year asked for (this year in the office's zone when none), None when it is not one."""
    return _this_year() if text is None or text == "" else year_asked(text)


def _bad_year(text: str) -> ResponseReturnValue:
    return render_error(400, _("“%(value)s” is not a year from %(first)s to %(last)s.",
                               value=shown(text), first=FIRST_YEAR, last=LAST_YEAR))


@bp.get("")
@login_required
def page() -> ResponseReturnValue:
    actor = _admin()
    year = _year(request.args.get("year"))
    if year is None:
        return _bad_year(request.args.get("year", ""))
    return _page(actor, year)


def _page(actor: Actor, year: int, errors: dict[str, str] | None = None,
          typed: dict[str, str] | None = None) -> ResponseReturnValue:
    """The page; with ``errors`` (refused fields by id) as the answer to a refused post (422)."""
    view = office_calendar.year_view(services().db, actor, year)
    moved = session.pop(MOVED, None) if not errors else None
    locale = str(get_locale() or "zh")
    return render_template(
        "forms/calendar.html", view=view, errors=errors or {}, typed=typed or {}, moved=moved,
        weekday_names=get_day_names("wide", locale=locale),
        month_title=lambda month: format_skeleton("yMMMM", date(year, month, 1), locale=locale),
        day_label=lambda day: format_skeleton("MMMEd", day, locale=locale),
        spans_text=_spans_text, first_year=FIRST_YEAR, last_year=LAST_YEAR,
        max_kb=MAX_BYTES // 1024), 422 if errors else 200


def _spans_text(spans: tuple[Span, ...]) -> str:
    return ", ".join(span_text(span) for span in spans)


def _page_year(form: CalendarForm) -> int:
    """The year the posting page showed (to show it again), this year if it is not one."""
    return _year(form.year.data or "") or _this_year()


def _errors(form: CalendarForm) -> dict[str, str]:
    """The form's refusals by field name; an expired token (the app checks it first) as ``_``."""
    errors = {name: " ".join(str(m) for m in messages) for name, messages in form.errors.items()
              if name != "csrf_token"}
    return errors or {"_": _("The form expired. Submit again.")}


def _done(codes: list[str], message: str, year: int, anchor: str) -> ResponseReturnValue:
    flash(message, "success")
    session[MOVED] = {"count": len(codes), "codes": codes[:MAX_LISTED]}
    return redirect(url_for(".page", year=year, _anchor=anchor))


@bp.post("/days")
@login_required
def mark_day() -> ResponseReturnValue:
    """Make a day a holiday or an adjusted working day, with its name."""
    actor, s, form = _admin(), services(), MarkDayForm()
    typed = {name: form[name].data or "" for name in ("day", "kind", "name")}
    if form.validate():
        day, working, name = form.day.parsed, form.kind.parsed, form.name.parsed
        try:
            codes = office_calendar.set_day(s.db, s.clock, actor, day, working, name)
        except FieldProblems as refused:  # the service's own checks: the same words as the form's
            return _page(actor, _page_year(form), dict(refused.errors), typed)
        said = (_("%(day)s is now an adjusted working day: %(name)s.", day=day.isoformat(), name=name)
                if working else _("%(day)s is now a holiday: %(name)s.", day=day.isoformat(), name=name))
        return _done(codes, said, day.year, f"month-{day.month}")
    return _page(actor, _page_year(form), _errors(form), typed)


@bp.post("/days/remove")
@login_required
def remove_day() -> ResponseReturnValue:
    """Remove the office's own row for a day: the shipped schedule applies to it again."""
    actor, s, form = _admin(), services(), RemoveDayForm()
    if not form.validate():
        return _page(actor, _page_year(form), {"remove": " ".join(_errors(form).values())})
    day = form.day.parsed
    codes = office_calendar.remove_day(s.db, s.clock, actor, day)
    return _done(codes, _("%(day)s follows the shipped schedule again.", day=day.isoformat()),
                 day.year, f"month-{day.month}")


@bp.post("/hours")
@login_required
def set_hours() -> ResponseReturnValue:
    """Set one weekday's working hours (empty: a day off)."""
    actor, s, form = _admin(), services(), HoursForm()
    if not form.validate():
        errors = _errors(form)
        if "weekday" in errors or "_" in errors:
            return _page(actor, _page_year(form), {"hours": " ".join(errors.values())})
        field = f"hours-{form.weekday.parsed}"
        return _page(actor, _page_year(form), {field: errors["hours"]}, {field: form.hours.data or ""})
    weekday, field = form.weekday.parsed, f"hours-{form.weekday.parsed}"
    try:
        codes = office_calendar.set_hours(s.db, s.clock, actor, weekday, form.hours.parsed)
    except FieldProblems as refused:
        return _page(actor, _page_year(form), {field: " ".join(refused.errors.values())},
                     {field: form.hours.data or ""})
    name = get_day_names("wide", locale=str(get_locale() or "zh"))[weekday]
    return _done(codes, _("%(weekday)s's working hours are saved.", weekday=name), _page_year(form), "hours")


@bp.post("/schedule")
@login_required
def upload() -> ResponseReturnValue:
    """Check an uploaded schedule file: the preview of what it changes, or why it cannot be read."""
    actor, form = _admin(), UploadForm()
    if not form.validate():
        return _page(actor, _page_year(form), {"file": " ".join(_errors(form).values())})
    storage = form.file.data
    try:
        text = decode_schedule(storage.stream.read(MAX_BYTES + 1))  # never more than the limit
    except UnreadableFile as refused:
        return _page(actor, _page_year(form), {"file": str(refused)})
    return _preview(actor, text, shown(storage.filename or ""), _page_year(form))


def _preview(actor: Actor, text: str, file_name: str, year: int) -> ResponseReturnValue:
    checked = office_calendar.preview(services().db, actor, text)
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    locale = str(get_locale() or "zh")
    return render_template("forms/calendar_preview.html", preview=checked, encoded=encoded,
                           file_name=file_name, year=year,
                           day_label=lambda day: format_skeleton("yMMMEd", day, locale=locale)
                           ), 200 if checked.can_apply else 422


@bp.post("/schedule/apply")
@login_required
def apply_schedule() -> ResponseReturnValue:
    """Import the checked file (sent back by the preview), checked again before it is written."""
    actor, s, form = _admin(), services(), ApplyForm()
    try:
        if not form.validate():
            raise ValueError("expired")
        text = decode_schedule(base64.b64decode(form.schedule.data or "", validate=True))
    except (binascii.Error, ValueError):
        return render_error(400, _("The checked file did not come back as it was sent. "
                                   "Choose the file again."))
    checked = office_calendar.preview(s.db, actor, text)
    if not checked.can_apply:
        return _preview(actor, text, shown(form.file_name.data or ""), _page_year(form))
    codes = office_calendar.apply(s.db, s.clock, actor, checked.days, via="upload")
    first = min(row.day for row in checked.days)
    return _done(codes, _("%(count)s day(s) from the file are set.", count=len(checked.days)),
                 first.year, f"month-{first.month}")
