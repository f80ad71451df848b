"""Languages: zh (default) and en.

Interface strings go through Flask-Babel catalogues (``core/translations``); content that comes
from form specs carries both languages and is picked with :func:`pick`.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale

SUPPORTED_LOCALES = ("zh", "en")
LOCALE_NAMES = {"zh": "中文", "en": "English"}


def select_locale() -> str:
    """The user's explicit choice, else the browser's preference, else the configured default."""
    if has_request_context():
        chosen = session.get("locale")
        if chosen in SUPPORTED_LOCALES:
            return chosen
        best = request.accept_languages.best_match(SUPPORTED_LOCALES)
        if best:
            return best
    return current_app.config.get("DEFAULT_LOCALE", "zh")


def current_locale() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "zh"


def pick(texts: Mapping[str, str] | None, locale: str | None = None) -> str:
    """The text in ``locale`` (falling back to zh, then en) from a ``{"zh": …, "en": …}`` map."""
    if not texts:
        return ""
    locale = locale or current_locale()
    return texts.get(locale) or texts.get("zh") or texts.get("en") or ""
