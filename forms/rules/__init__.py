"""Form rules that are logic rather than data: checks before an action and effects after it.

The spec says what each transition needs (fields, roles, states); a rule module says what a
form needs beyond that — an access request's codes must name existing records, its approval
opens them to the applicant, a visit registration claims the customer for its staff member.
Each module offers ``register_rules(registry)``, which registers its hooks by form code
(submission) or (form code, action name) on a :class:`RuleRegistry` (several hooks per key, run
in registration order, names unique per key: :mod:`forms.rules.registry`). :func:`office_rules`
is the one place that registers them; :mod:`forms.submission` and :mod:`forms.workflow` run
them (what each hook is given: :mod:`forms.rules.hooks`).

A new rule: a module here with its hooks and a ``register_rules``, added to :data:`RULE_MODULES`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from forms.customer_requests import gathering as customer_request
from forms.rules import access_request, complaint, renewal, visit_register
from forms.rules.hooks import (
    ActionContext,
    Check,
    Effect,
    Filing,
    NeedsConfirmation,
    Prepare,
    Preparing,
    SubmitCheck,
    SubmitEffect,
    SubmitFlags,
    Submitted,
)
from forms.rules.registry import DuplicateHook, RuleRegistry

__all__ = ["RULE_MODULES", "ActionContext", "Check", "DuplicateHook", "Effect", "Filing",
           "NeedsConfirmation", "Prepare", "Preparing", "RuleRegistry", "SubmitCheck", "SubmitEffect",
           "SubmitFlags", "Submitted", "office_rules"]

#: Each rule module's registration, in the order they register: where two modules hook the
#: same key, the earlier one's hook runs first.
RULE_MODULES: tuple[Callable[[RuleRegistry], None], ...] = (
    access_request.register_rules,
    complaint.register_rules,
    customer_request.register_rules,
    renewal.register_rules,
    visit_register.register_rules,
)


@cache
def office_rules() -> RuleRegistry:
    """The office's rules, registered once per process on first use (forms.init_app asks for
    them at start-up, so a duplicate hook name stops the app there)."""
    registry = RuleRegistry()
    for register in RULE_MODULES:
        register(registry)
    return registry
