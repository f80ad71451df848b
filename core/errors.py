"""Error pages: a clear message in the user's language, never a traceback.

JSON errors for ``/api/`` are handled by :mod:`core.api`; these are the HTML ones.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from core.api import ApiError, is_api_request, json_error
from core.auth.roles import NotFound, PermissionDenied

log = logging.getLogger(__name__)


class ServiceUnreachable(RuntimeError):
    """A service the app relies on besides its database (the file store, later the mail
    server) cannot be reached or refuses us. Pages and the API answer 503 with a message in
    the reader's language; the exception's own text (hosts, buckets) goes to the log only."""


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Go back and try again."),
        401: _("Please sign in to continue."),
        403: _("You do not have permission to see this page."),
        404: _("There is no page at this address. Check the address or use the menu."),
        405: _("This page cannot be used that way."),
        413: _("What you sent is too large."),
        429: _("Too many attempts. Wait a few minutes and try again."),
        503: _("A service the archive relies on (its file storage) cannot be reached just now. "
               "Nothing was lost; try again in a few minutes, and tell an administrator if it lasts."),
        500: _("Something went wrong on our side. Your saved work is safe; try again."),
    }


API_MESSAGES = {
    400: "bad request", 401: "authentication required", 403: "forbidden",
    404: "not found", 405: "method not allowed", 413: "the request body is too large",
    429: "too many requests", 500: "internal error",
    503: "a service the archive relies on (its file storage) cannot be reached; try again later",
}


def render_error(status: int, detail: str | None = None) -> ResponseReturnValue:
    """An error page, or the JSON error shape for API paths."""
    if is_api_request():
        return json_error(status, detail or API_MESSAGES.get(status, "error"))
    message = detail or _messages().get(status, _messages()[500])
    return render_template("errors/error.html", status=status, message=message), status


def too_large_message() -> str:
    """The 413 answer with the limit that was passed: this request's own limit (a view taking
    files raises it with ``request.max_content_length``) or ``MAX_CONTENT_LENGTH``."""
    limit = request.max_content_length
    if not limit:
        return _messages()[413]
    size = f"{limit / (1024 * 1024):.1f}".removesuffix(".0")
    if is_api_request():
        return _("The request body is larger than %(mb)s MB (%(bytes)s bytes), the most this "
                 "address accepts.", mb=size, bytes=limit)
    return _("What you sent is larger than %(mb)s MB, the most this page accepts at once. "
             "Nothing was saved. Go back, make the files smaller or send fewer at a time, and "
             "send again.", mb=size)


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api(error: ApiError) -> ResponseReturnValue:
        return json_error(error.status, error.message, error.fields)

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> ResponseReturnValue:
        return render_error(400, _("The form expired or was sent from elsewhere. "
                                   "Reload the page and submit again."))

    @app.errorhandler(PermissionDenied)
    def _denied(error: PermissionDenied) -> ResponseReturnValue:
        return render_error(403, str(error) or None)

    @app.errorhandler(NotFound)
    def _missing(_error: NotFound) -> ResponseReturnValue:
        return render_error(404)

    @app.errorhandler(ServiceUnreachable)
    def _unreachable(error: ServiceUnreachable) -> ResponseReturnValue:
        log.error("service unreachable on %s %s: %s", request.method, request.path, error)
        return render_error(503)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_error: RequestEntityTooLarge) -> ResponseReturnValue:
        return render_error(413, too_large_message())

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> ResponseReturnValue:
        if isinstance(error, HTTPException):
            return _http(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(InternalServerError.code)
