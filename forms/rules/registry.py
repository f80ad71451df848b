"""The registry of form rules: several named hooks per key, run in registration order.

A key is a form code (submission hooks) or a (form code, action name) pair (action hooks). Any
number of hooks may share a key; each has a name, unique for its key and kind, so registering a
second hook under a name already taken — a module registered twice, two modules picking the
same name — is refused with :class:`DuplicateHook` instead of silently replacing the first.

Order is registration order, and registration is explicit: :func:`forms.rules.office_rules`
calls each rule module's ``register_rules(registry)`` in the order it lists them, and a module
registers its hooks in the order its ``register_rules`` is written. Where several hooks of one
key run:

* prepare hooks' findings and submit flag hooks' flags are merged, the first hook's value
  winning for a key two of them return;
* checks all run, their problems merged, the first hook's message winning for a field two of
  them name;
* effects all run, one after the other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from forms.rules.hooks import (
    ActionContext,
    Check,
    Effect,
    Filing,
    Prepare,
    Preparing,
    SubmitCheck,
    SubmitEffect,
    SubmitFlags,
    Submitted,
)

K = TypeVar("K")
F = TypeVar("F", bound=Callable[..., Any])
ActionKey = tuple[str, str]


class DuplicateHook(ValueError):
    """A hook of that kind and name is already registered for that key."""


@dataclass(frozen=True)
class Hook(Generic[F]):
    name: str
    function: F


class Hooks(Generic[K, F]):
    """The hooks of one kind: per key, in registration order, names unique per key."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._by_key: dict[K, list[Hook[F]]] = {}

    def add(self, key: K, function: F, name: str | None = None) -> None:
        """Append ``function`` to ``key``'s hooks under ``name`` (by default its module and name)."""
        name = name or f"{function.__module__}.{function.__qualname__}"
        hooks = self._by_key.setdefault(key, [])
        if any(hook.name == name for hook in hooks):
            raise DuplicateHook(f"a {self.kind} hook named {name!r} is already registered for {key!r}")
        hooks.append(Hook(name, function))

    def __getitem__(self, key: K) -> tuple[F, ...]:
        return tuple(hook.function for hook in self._by_key.get(key, ()))

    def names(self, key: K) -> list[str]:
        return [hook.name for hook in self._by_key.get(key, ())]


class RuleRegistry:
    """Every hook of every form rule, and the actions a second person must take (four eyes)."""

    def __init__(self) -> None:
        self.prepares: Hooks[ActionKey, Prepare] = Hooks("prepare")
        self.checks: Hooks[ActionKey, Check] = Hooks("check")
        self.effects: Hooks[ActionKey, Effect] = Hooks("effect")
        self.submit_checks: Hooks[str, SubmitCheck] = Hooks("submit check")
        self.submit_flags: Hooks[str, SubmitFlags] = Hooks("submit flags")
        self.submit_effects: Hooks[str, SubmitEffect] = Hooks("submit effect")
        self._four_eyes: set[ActionKey] = set()

    # Registering (each rule module's register_rules).

    def prepare(self, form: str, action: str, hook: Prepare, *, name: str | None = None) -> None:
        """Run ``hook`` before the transaction of ``action`` on ``form`` opens (searches, reads)."""
        self.prepares.add((form, action), hook, name)

    def check(self, form: str, action: str, hook: Check, *, name: str | None = None) -> None:
        self.checks.add((form, action), hook, name)

    def effect(self, form: str, action: str, hook: Effect, *, name: str | None = None) -> None:
        self.effects.add((form, action), hook, name)

    def check_submission(self, form: str, hook: SubmitCheck, *, name: str | None = None) -> None:
        self.submit_checks.add(form, hook, name)

    def flag_submission(self, form: str, hook: SubmitFlags, *, name: str | None = None) -> None:
        """Decide flags for a new record of ``form`` before its insert (written with it)."""
        self.submit_flags.add(form, hook, name)

    def on_submit(self, form: str, hook: SubmitEffect, *, name: str | None = None) -> None:
        """Run ``hook`` once a new record of ``form`` is inserted (its code minted)."""
        self.submit_effects.add(form, hook, name)

    def four_eyes(self, form: str, action: str) -> None:
        """Declare that ``action`` on ``form`` must be taken by someone other than the submitter."""
        self._four_eyes.add((form, action))

    # Running (forms.workflow, forms.submission, the pages that offer actions).

    def needs_second_person(self, form: str, action: str) -> bool:
        return (form, action) in self._four_eyes

    def prepares_for(self, form: str, action: str) -> bool:
        return bool(self.prepares[form, action])

    def prepare_action(self, form: str, action: str, preparing: Preparing) -> dict[str, Any]:
        return _first_wins(hook(preparing) for hook in self.prepares[form, action])

    def problems_with_action(self, form: str, action: str, context: ActionContext,
                             data: dict[str, Any]) -> dict[str, str]:
        return _first_wins([hook(context, data) for hook in self.checks[form, action]])

    def take_effects(self, form: str, action: str, context: ActionContext) -> None:
        for hook in self.effects[form, action]:
            hook(context)

    def problems_with_submission(self, form: str, data: dict[str, Any], today: date) -> dict[str, str]:
        return _first_wins([hook(data, today) for hook in self.submit_checks[form]])

    def flags_for(self, filing: Filing) -> dict[str, Any] | None:
        return _first_wins(hook(filing) or {} for hook in self.submit_flags[filing.form_code]) or None

    def after_submission(self, submitted: Submitted) -> None:
        for hook in self.submit_effects[submitted.record.form_code]:
            hook(submitted)


def _first_wins(parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The parts merged, in order; a key two parts have keeps the first's value."""
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            merged.setdefault(key, value)
    return merged
