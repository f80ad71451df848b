"""The form rules' registry: several named hooks per key, run in registration order; a second
hook under a name already taken for its key is refused; the office's rule modules are registered
explicitly, once."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from forms import rules
from forms.rules import ActionContext, DuplicateHook, Filing, RuleRegistry, Submitted, renewal

TODAY = date(2026, 3, 2)


def test_two_effects_on_one_action_both_run_in_registration_order() -> None:
    registry, ran = RuleRegistry(), []

    def first(context: ActionContext) -> None:
        ran.append("first")

    def second(context: ActionContext) -> None:
        ran.append("second")

    registry.effect("CP", "classify", first)
    registry.effect("CP", "classify", second)
    registry.take_effects("CP", "classify", None)  # type: ignore[arg-type] - the hooks ignore it
    assert ran == ["first", "second"]
    registry.take_effects("CP", "correct", None)  # type: ignore[arg-type] - no hooks: nothing runs
    assert ran == ["first", "second"]
    assert registry.effects.names(("CP", "classify")) == [f"{__name__}.{first.__qualname__}",
                                                           f"{__name__}.{second.__qualname__}"]


def test_a_second_hook_under_a_taken_name_is_refused_and_the_first_stays() -> None:
    registry = RuleRegistry()
    registry.check("AR", "approve", lambda context, data: {"a": "first"}, name="codes exist")
    with pytest.raises(DuplicateHook, match="check hook named 'codes exist' is already registered for "
                                            r"\('AR', 'approve'\)"):
        registry.check("AR", "approve", lambda context, data: {"a": "second"}, name="codes exist")
    registry.check("AR", "deny", lambda context, data: {}, name="codes exist")  # another key: its own names
    registry.effect("AR", "approve", lambda context: None, name="codes exist")  # another kind too
    assert registry.problems_with_action("AR", "approve", None, {}) == {"a": "first"}  # type: ignore[arg-type]


def test_the_same_function_registered_twice_on_a_key_is_refused() -> None:
    """Without a name a hook is named by its module and function: a module's registration run
    twice on one registry fails instead of running its hooks twice."""
    def late(filing: Filing) -> dict[str, Any] | None:
        return None

    registry = RuleRegistry()
    registry.flag_submission("RS", late)
    with pytest.raises(DuplicateHook, match=r"submit flags hook named .*late' is already registered"):
        registry.flag_submission("RS", late)
    renewal.register_rules(registry)
    with pytest.raises(DuplicateHook):
        renewal.register_rules(registry)


def test_checks_all_run_and_the_first_message_for_a_field_wins() -> None:
    registry, ran = RuleRegistry(), []

    def period(data: dict[str, Any], today: date) -> dict[str, str]:
        ran.append("period")
        return {"period_to": "too long"}

    def codes(data: dict[str, Any], today: date) -> dict[str, str]:
        ran.append("codes")
        return {"records_wanted": "no such record", "period_to": "ends before it starts"}

    registry.check_submission("AR", period)
    registry.check_submission("AR", codes)
    assert registry.problems_with_submission("AR", {}, TODAY) == {
        "period_to": "too long", "records_wanted": "no such record"}
    assert ran == ["period", "codes"]
    assert registry.problems_with_submission("CP", {}, TODAY) == {}


def test_flags_merge_in_order_and_submit_effects_see_what_the_flag_hooks_found() -> None:
    registry, seen = RuleRegistry(), []

    def conflict(filing: Filing) -> dict[str, Any] | None:
        filing.found["claim"] = "VR-2026-000001"
        return {"conflict_with": "VR-2026-000001", "owed": 3}

    def owed(filing: Filing) -> dict[str, Any] | None:
        return {"owed": 2, "late_days": 1}

    def nothing(filing: Filing) -> dict[str, Any] | None:
        return None

    def after(submitted: Submitted) -> None:
        seen.append(submitted.found["claim"])

    for hook in (conflict, owed, nothing):
        registry.flag_submission("VR", hook)
    registry.on_submit("VR", after)
    filing = Filing(None, None, "VR", {}, TODAY)  # type: ignore[arg-type] - the hooks ignore them
    assert registry.flags_for(filing) == {"conflict_with": "VR-2026-000001", "owed": 3, "late_days": 1}
    assert registry.flags_for(Filing(None, None, "CP", {}, TODAY)) is None  # type: ignore[arg-type]

    class Record:
        form_code = "VR"

    registry.after_submission(Submitted(None, None, Record(), None, TODAY, found=filing.found))  # type: ignore[arg-type]
    assert seen == ["VR-2026-000001"]


def test_prepare_hooks_findings_are_merged_first_wins() -> None:
    registry = RuleRegistry()
    registry.prepare("AR", "approve", lambda preparing: {"codes": ["CP-2026-000001"], "problem": None},
                     name="resolve")
    registry.prepare("AR", "approve", lambda preparing: {"codes": [], "extra": 1}, name="more")
    assert registry.prepares_for("AR", "approve") and not registry.prepares_for("AR", "deny")
    assert registry.prepare_action("AR", "approve", None) == {  # type: ignore[arg-type]
        "codes": ["CP-2026-000001"], "problem": None, "extra": 1}


def test_the_office_rules_are_registered_once_by_their_modules_in_the_stated_order() -> None:
    office = rules.office_rules()
    assert rules.office_rules() is office  # built once per process
    assert office.needs_second_person("AR", "approve") and office.needs_second_person("AR", "deny")
    assert not office.needs_second_person("AR", "return")
    assert office.prepares.names(("AR", "approve")) == ["forms.rules.access_request.resolve_before_approval"]
    assert office.checks.names(("AR", "approve")) == ["forms.rules.access_request.before_approval"]
    assert office.submit_flags.names("VR") == ["forms.rules.visit_register.look_for_a_claim"]
    assert office.submit_effects.names("VR") == ["forms.rules.visit_register.claim_the_customer"]
    assert office.effects.names(("CP", "correct")) == ["forms.rules.complaint.mark_volume"]
    assert office.effects.names(("VR", "correct")) == ["forms.rules.visit_register.follow_the_phones"]
    again = RuleRegistry()
    for register in rules.RULE_MODULES:
        register(again)
    for register in rules.RULE_MODULES:  # each module's second registration is refused
        with pytest.raises(DuplicateHook):
            register(again)
