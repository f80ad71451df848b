"""Linking records to customers: a record's key rows are replaced whenever its data changes,
and a customer is the connected component of records sharing any key. System-level: no
permission check and no audit here; the callers (the customer page) do both."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from archive.models import Record
from forms.customers.keys import CustomerKey, record_keys
from forms.customers.models import CustomerKeyRow

#: The most records one customer gathers; past it the walk stops and says so.
MAX_LINKED = 2000
#: A customer's id: the first hex digits of the smallest digest of their records' keys.
ID_LENGTH = 20


class LinkedCodes(list):
    """Record codes of one customer; ``cut`` says the walk stopped at MAX_LINKED."""

    cut: bool = False


def refresh_links(session: Session, record: Any, spec: Any, data: Mapping[str, Any] | None) -> None:
    """Replace the record's key rows with those of ``data`` (None: an anonymised or destroyed
    record, which leaves its customer). ``record`` is a Record, or a view naming its code."""
    record_id = record.id if isinstance(record, Record) else \
        session.scalar(select(Record.id).where(Record.code == record.code))
    replace_keys(session, record_id, record.form_code, spec, data)


def replace_keys(session: Session, record_id: int, form_code: str, spec: Any,
                 data: Mapping[str, Any] | None) -> None:
    """refresh_links by the record's id, for writers that insert rows without the ORM (the
    legacy import)."""
    session.execute(delete(CustomerKeyRow).where(CustomerKeyRow.record_id == record_id))
    if not data:
        return
    for key in sorted(record_keys(form_code, data, spec), key=lambda k: (k.kind, k.digest)):
        session.add(CustomerKeyRow(record_id=record_id, kind=key.kind, digest=key.digest))
    session.flush()


def component(session: Session, digests: set[str], limit: int) -> tuple[set[int], set[str], bool]:
    """Breadth-first over shared digests: record ids and digests reached, and whether cut."""
    record_ids: set[int] = set()
    seen: set[str] = set()
    frontier = set(digests)
    while frontier:
        seen |= frontier
        ids = set(session.scalars(select(CustomerKeyRow.record_id)
                                  .where(CustomerKeyRow.digest.in_(frontier))))
        new_ids = ids - record_ids
        record_ids |= new_ids
        if len(record_ids) >= limit:
            return record_ids, seen, True
        if not new_ids:
            break
        found = set(session.scalars(select(CustomerKeyRow.digest)
                                    .where(CustomerKeyRow.record_id.in_(new_ids))))
        frontier = found - seen
    return record_ids, seen, False


def linked_codes(session: Session, keys: Iterable[CustomerKey], limit: int = MAX_LINKED) -> LinkedCodes:
    """Every record code connected to ``keys`` through shared keys (bounded by ``limit``)."""
    record_ids, _, cut = component(session, {k.digest for k in keys}, limit)
    result = LinkedCodes(sorted(session.scalars(select(Record.code).where(Record.id.in_(record_ids)))))
    result.cut = cut
    return result


def customer_id_of(session: Session, code: str) -> str | None:
    """A stable opaque id for the record's customer: the smallest digest of its component."""
    digests = set(session.scalars(
        select(CustomerKeyRow.digest).join(Record, Record.id == CustomerKeyRow.record_id)
        .where(Record.code == code)))
    return customer_id_from(session, digests) if digests else None


def customer_id_from(session: Session, digests: set[str]) -> str:
    """The customer id of the component reached from ``digests`` (not empty): its smallest
    digest, cut to :data:`ID_LENGTH`, so every record of one customer gives the same id."""
    _, seen, _ = component(session, digests, MAX_LINKED)
    return min(seen)[:ID_LENGTH]
