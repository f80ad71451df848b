"""Drafts: half-filled forms saved as typed. A draft has no code and only its author sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.auth.roles import Actor, NotFound, PermissionDenied
from core.clock import Clock
from core.db import Database
from forms.fields import REGISTRY
from forms.models import Draft, FormVersion
from forms.spec.model import FormSpec
from forms.versions import fillable_spec, spec_version


@dataclass(frozen=True)
class DraftView:
    id: int
    form_code: str
    version: int
    data: dict[str, Any]
    updated_at: datetime
    title: dict[str, str] = field(default_factory=dict)  # the form's name (zh/en)
    summary: str = ""  # what identifies it: the summary fields as typed (the customer …)
    dated: str = ""  # the first date typed in (received, visited, due …)


#: A typed value longer than this is cut in the list of drafts.
SUMMARY_PART = 24


def identify(spec: FormSpec, raw: dict[str, Any]) -> tuple[str, str]:
    """(summary, date) of a draft from what was typed: a list of "CP · draft #3" rows does not
    say which complaint each is. The summary fields are the ones the form's titles use."""
    parts = []
    for name in spec.print_layout.get("summary", []):
        value = raw.get(name)
        if isinstance(value, str) and value.strip():
            text = " ".join(value.split())
            parts.append(text if len(text) <= SUMMARY_PART else text[:SUMMARY_PART - 1] + "…")
    dated = next((str(raw[f.name]).strip() for f in spec.fields
                  if REGISTRY[f.type].holds_day and str(raw.get(f.name) or "").strip()), "")
    return " · ".join(parts), dated


def save_draft(db: Database, clock: Clock, actor: Actor, form_code: str, raw: dict[str, Any],
               draft_id: int | None = None) -> int:
    """Create or update the actor's draft; input is kept exactly as typed, valid or not."""
    if not actor.may_fill_forms:
        raise PermissionDenied("your role cannot fill forms")
    spec = fillable_spec(db, form_code)
    now = clock.now()
    raw = without_nul(raw)
    with db.transaction() as session:
        if draft_id is None:
            version_id = session.scalar(select(FormVersion.id).filter_by(
                form_code=spec.code, version=spec.version))
            draft = Draft(form_version_id=version_id, author_id=actor.user_id, data=raw,
                          created_at=now, updated_at=now)
            session.add(draft)
            session.flush()
            return draft.id
        draft = owned_draft(session, actor, draft_id)
        draft.data, draft.updated_at = raw, now
        return draft.id


def without_nul(value: Any) -> Any:
    """``value`` with NUL characters removed from its texts: PostgreSQL's text and JSON cannot
    hold them (a pasted NUL made saving the draft a 500) and nobody types one on purpose."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {k: without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    return value


def get_draft(db: Database, actor: Actor, draft_id: int) -> DraftView:
    with db.reading() as session:
        draft = owned_draft(session, actor, draft_id)
        version = session.get(FormVersion, draft.form_version_id)
        return DraftView(draft.id, version.form_code, version.version, draft.data,
                         draft.updated_at)


def list_drafts(db: Database, actor: Actor) -> list[DraftView]:
    """The actor's drafts, last saved first, each with what identifies it."""
    with db.reading() as session:
        rows = session.execute(
            select(Draft, FormVersion).join(FormVersion, FormVersion.id == Draft.form_version_id)
            .where(Draft.author_id == actor.user_id).order_by(Draft.updated_at.desc(), Draft.id.desc())
        ).all()
        found = [(d.id, v.form_code, v.version, d.data, d.updated_at) for d, v in rows]
    views = []
    for draft_id, form_code, version, data, updated_at in found:
        spec = spec_version(db, form_code, version)
        summary, dated = identify(spec, data)
        views.append(DraftView(draft_id, form_code, version, data, updated_at, dict(spec.title),
                               summary, dated))
    return views


def delete_draft(db: Database, actor: Actor, draft_id: int) -> None:
    with db.transaction() as session:
        session.delete(owned_draft(session, actor, draft_id))


def owned_draft(session: Session, actor: Actor, draft_id: int) -> Draft:
    """The draft if it is the actor's; other people's drafts do not exist for them."""
    draft = session.get(Draft, draft_id)
    if draft is None or draft.author_id != actor.user_id:
        raise NotFound(f"draft {draft_id}")
    return draft
