"""The customer view as a service: every record of one customer the actor may see, read through
archive.records.get_record (so permissions, grants, need-to-know and the read audit apply) and
masked by forms.masking.shown_record as on the record page. Computed from the records."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from archive.models import Record
from archive.records import RecordView, get_record, visible_to
from core.audit import trail
from core.auth.roles import Actor
from core.clock import Clock
from core.db import Database
from forms.customers.linking import MAX_LINKED, _component
from forms.customers.models import CustomerKeyRow
from forms.masking import shown_record
from forms.versions import spec_version


@dataclass(frozen=True)
class CustomerView:
    customer_id: str
    records: list[RecordView]
    cut: bool  # the customer has more records than one page gathers (MAX_LINKED)


def _open_complaint(view: RecordView) -> bool:
    return view.form_code == "CP" and view.state not in ("closed", "completed")


def customer_page(db: Database, clock: Clock, actor: Actor, customer_id: str) -> CustomerView:
    """The records of the customer whose id is ``customer_id`` that ``actor`` may see, open
    complaints first, then newest first; audited ``customer.view`` with the count shown."""
    with db.reading() as session:
        prefix = customer_id[:20] if len(customer_id) == 20 else "-"  # no digest starts with "-"
        start = set(session.scalars(select(CustomerKeyRow.digest)
                                    .where(CustomerKeyRow.digest.startswith(prefix, autoescape=True))))
        ids, _, cut = _component(session, start, MAX_LINKED)
        codes = list(session.scalars(select(Record.code).where(Record.id.in_(ids), visible_to(actor))))
    views = []
    for code in codes:
        view = get_record(db, clock, actor, code, purpose="read")
        views.append(shown_record(spec_version(db, view.form_code, view.form_version), actor, view))
    views.sort(key=lambda v: v.submitted_at, reverse=True)
    views.sort(key=lambda v: not _open_complaint(v))
    trail.append_alone(db, at=clock.now(), actor=actor, action="customer.view", object_type="customer",
                       object_id=customer_id[:20], detail={"records": len(views)})
    return CustomerView(customer_id[:20], views, cut)
