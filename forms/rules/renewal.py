"""RS — the renewal collection service register: for policies more than 30 days past their due
date only, handed in within 3 days of the policy's lapse.

A register for a policy 30 days past due or less is refused (day 31 is the first accepted). A
register handed in later than 3 days after the lapse date is taken, as the work was done, and
flagged late on the record (``flags.late_days``) for the renewal manager.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _

from forms.rules.hooks import Filing
from forms.rules.registry import RuleRegistry

PAST_DUE_DAYS = 30
HAND_IN_DAYS = 3


def register_rules(rules: RuleRegistry) -> None:
    rules.check_submission("RS", only_long_past_due)
    rules.flag_submission("RS", late_hand_in)


def only_long_past_due(data: dict[str, Any], today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    due = date.fromisoformat(data["due_date"])
    past = (today - due).days
    if past <= PAST_DUE_DAYS:
        errors["due_date"] = _("The renewal register is for policies more than %(limit)d days past their due "
                               "date; this one is %(days)d day(s) past.", limit=PAST_DUE_DAYS, days=past)
    lapse = data.get("lapse_date")
    if lapse and date.fromisoformat(lapse) < due:
        errors["lapse_date"] = _("Is before the due date.")
    return errors


def late_hand_in(filing: Filing) -> dict[str, Any] | None:
    lapse = filing.data.get("lapse_date")
    if not lapse:
        return None
    hand_in_by = date.fromisoformat(lapse) + timedelta(days=HAND_IN_DAYS)
    late = (filing.today - hand_in_by).days
    return {"late_days": late, "hand_in_by": hand_in_by.isoformat()} if late > 0 else None
