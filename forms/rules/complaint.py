"""CP — complaint handling: a major (level 3) complaint is filed as a volume of its own (重大投诉
单独立卷). The flag follows the level whenever an action sets or corrects it."""

from __future__ import annotations

from typing import Any

from forms.rules import ActionContext, Submitted, effect, on_submit

MAJOR = "3"


def _mark_volume(context: ActionContext) -> None:
    flags = dict(context.record.flags or {})
    if context.record.data.get("level") == MAJOR:
        flags["separate_volume"] = True
    else:
        flags.pop("separate_volume", None)
    context.record.flags = flags


for _action in ("classify", "correct", "complete"):
    effect("CP", _action)(_mark_volume)


@on_submit("CP")
def major_at_registration(submitted: Submitted) -> dict[str, Any] | None:
    return {"separate_volume": True} if submitted.record.data.get("level") == MAJOR else None
