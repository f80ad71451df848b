"""The customer's pages: finding a customer by a number, the customer's records, and the way
there from one of their records. Adapters only: each calls one service of
:mod:`forms.customers.view` and renders; the services decide who sees what."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from core.auth.roles import NotFound
from core.i18n import current_locale
from core.web import current_actor, services
from forms.customers.view import MAX_NUMBER, NotANumber, customer_of, customer_page, find_customer

bp = Blueprint("customers", __name__)


@bp.get("/customers")
@login_required
def find() -> ResponseReturnValue:
    """The lookup form; with ``?number=``, the customer that number belongs to."""
    number = request.args.get("number")
    if number is None:
        return render_template("customers/find.html", number="", problem=None, max_length=MAX_NUMBER)
    try:
        customer_id = find_customer(services().db, current_actor(), number)
    except NotANumber as wrong:
        return render_template("customers/find.html", number=number[:MAX_NUMBER * 2], problem=str(wrong),
                               max_length=MAX_NUMBER), 400
    if customer_id is None:
        return _not_found(_("No records you may see carry this number."), number)
    return redirect(url_for("customers.customer", customer_id=customer_id))


@bp.get("/customers/<customer_id>")
@login_required
def customer(customer_id: str) -> ResponseReturnValue:
    s = services()
    try:
        view = customer_page(s.db, s.clock, current_actor(), customer_id, current_locale())
    except NotFound as missing:
        return _not_found(str(missing))
    return render_template("customers/customer.html", view=view)


@bp.get("/records/<code>/customer")
@login_required
def of_record(code: str) -> ResponseReturnValue:
    """From a record (its page, a search hit) to its customer's page."""
    customer_id = customer_of(services().db, current_actor(), code)  # NotFound: as the record's page
    if customer_id is None:
        return _not_found(_("This record carries no phone, policy or order number: it is linked to no "
                            "customer."))
    return redirect(url_for("customers.customer", customer_id=customer_id))


def _not_found(message: str, number: str = "") -> ResponseReturnValue:
    """The lookup form with what was not found, 404: the way on is another number."""
    return render_template("customers/find.html", number=number, problem=message, max_length=MAX_NUMBER,
                           nothing=True), 404
