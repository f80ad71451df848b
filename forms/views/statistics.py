"""The weekly complaint statistics page (charts drawn here as SVG) and its CSV download."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from core.i18n import current_locale
from core.numbers import whole_number
from core.web import current_actor, services
from forms.statistics import DIMENSIONS, MAX_WEEKS, as_csv, complaint_stats

DEFAULT_WEEKS = 12


def _weeks() -> int:
    weeks = whole_number(request.args.get("weeks"), low=1)
    return min(weeks, MAX_WEEKS) if weeks else DEFAULT_WEEKS


@login_required
def complaint_statistics() -> ResponseReturnValue:
    stats = complaint_stats(services().db, services().clock, services().zone, current_actor(),
                            weeks=_weeks(), locale=current_locale())
    breakdowns = {d: [(label, count) for _value, label, count in stats.totals[d]] for d in DIMENSIONS}
    return render_template("forms/statistics.html", stats=stats, dimensions=DIMENSIONS, breakdowns=breakdowns,
                           weeks=len(stats.weeks), period_end=stats.weeks[-1].start + timedelta(days=6))


@login_required
def complaint_statistics_csv() -> ResponseReturnValue:
    stats = complaint_stats(services().db, services().clock, services().zone, current_actor(),
                            weeks=_weeks(), locale=current_locale())
    first = stats.weeks[0].start.isoformat()
    return Response(as_csv(stats), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="complaints-weekly-from-{first}.csv"'})
