"""Languages: zh (default) and en.

Interface strings go through Flask-Babel catalogues (``core/translations``); content that comes
from form specs carries both languages and is picked with :func:`pick`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import get_locale, get_translations

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
    """The page's language. Asked dozens of times per page (every ``pick``, every label), so it is
    read from Flask-Babel once per app context, where Flask-Babel keeps its own choice too."""
    if not has_app_context():
        return "zh"
    cached: str | None = g.get("dossier_locale")
    if cached is None:
        locale = get_locale()
        cached = g.dossier_locale = locale.language if locale is not None else "zh"
    return cached


def translations() -> Any:
    """The catalogue of the page's language, looked up once per app context: a template's
    ``_()`` through Flask-Babel's callables walks its context, domain and locale on every call
    (~80 calls on a record page with a long history)."""
    if not has_app_context():
        return get_translations()
    cached = g.get("dossier_translations")
    if cached is None:
        cached = g.dossier_translations = get_translations()
    return cached


def install_template_gettext(app: Flask) -> None:
    """Templates' ``_``/``gettext``/``ngettext`` through :func:`translations` (same newstyle
    semantics as Flask-Babel's own callables: autoescaped, ``%(name)s`` variables)."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def pick(texts: Mapping[str, str] | None, locale: str | None = None) -> str:
    """The text in ``locale`` (falling back to zh, then en) from a ``{"zh": …, "en": …}`` map."""
    if not texts:
        return ""
    locale = locale or current_locale()
    return texts.get(locale) or texts.get("zh") or texts.get("en") or ""
