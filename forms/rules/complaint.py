"""CP — complaint handling: a major (level 3) complaint is filed as a volume of its own (重大投诉
单独立卷). The flag follows the level whenever an action sets or corrects it."""

from __future__ import annotations

from typing import Any

from forms.rules.hooks import ActionContext, Filing
from forms.rules.registry import RuleRegistry

MAJOR = "3"


def register_rules(rules: RuleRegistry) -> None:
    rules.flag_submission("CP", major_at_registration)
    for action in ("classify", "correct", "complete"):
        rules.effect("CP", action, mark_volume)


def mark_volume(context: ActionContext) -> None:
    flags = dict(context.record.flags or {})
    if context.record.data.get("level") == MAJOR:
        flags["separate_volume"] = True
    else:
        flags.pop("separate_volume", None)
    context.record.flags = flags


def major_at_registration(filing: Filing) -> dict[str, Any] | None:
    return {"separate_volume": True} if filing.data.get("level") == MAJOR else None
