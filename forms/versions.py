"""Form versions: registering specs from disk, approving them, finding the one to fill.

A spec file whose (code, version) is new becomes a *pending* version; an admin approves it
before anyone can fill it. Editing a registered version's file without raising its version
number is refused, so a version always means one exact set of fields.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from weakref import WeakKeyDictionary

from sqlalchemy import Row, Select, bindparam, select
from sqlalchemy.orm import Session

from archive.retention import class_codes
from core.audit import trail
from core.auth.roles import Actor, NotFound, PermissionDenied
from core.clock import Clock
from core.db import Database
from forms.models import FormVersion
from forms.spec.model import FormSpec
from forms.spec.parser import parse_spec

_PARSED: dict[str, FormSpec] = {}
#: Per database (an app's, a test's): (form code, version) → its spec (see :func:`spec_version`).
_BY_VERSION: WeakKeyDictionary[Database, dict[tuple[str, int], FormSpec]] = WeakKeyDictionary()


def spec_hash(spec: FormSpec) -> str:
    canonical = json.dumps(spec.raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class VersionInfo:
    form_code: str
    version: int
    status: str
    registered_at: datetime
    approved_at: datetime | None


@dataclass(frozen=True)
class SyncReport:
    registered: list[str]
    unchanged: list[str]
    problems: list[str]


def register_specs(db: Database, clock: Clock, specs: dict[str, FormSpec]) -> SyncReport:
    """Record every spec version not yet known; report edited-in-place versions as problems."""
    report = SyncReport([], [], [])
    retention = class_codes(db)
    with db.transaction() as session:
        for spec in specs.values():
            label = f"{spec.code} v{spec.version}"
            if spec.retention not in retention:
                report.problems.append(
                    f"{label}: retention class {spec.retention!r} does not exist (known: "
                    f"{', '.join(sorted(retention)) or 'none'}); not registered")
                continue
            existing = session.scalar(select(FormVersion).filter_by(
                form_code=spec.code, version=spec.version))
            if existing is None:  # a system form (never filled by staff) needs no approval
                status = FormVersion.APPROVED if spec.system else FormVersion.PENDING
                session.add(FormVersion(form_code=spec.code, version=spec.version, spec=spec.raw,
                                        spec_hash=spec_hash(spec), status=status,
                                        registered_at=clock.now(),
                                        approved_at=clock.now() if spec.system else None))
                trail.append(session, at=clock.now(), actor=None, action="form_version.register",
                             object_type="form_version", object_id=label)
                report.registered.append(label)
            elif existing.spec_hash != spec_hash(spec):
                report.problems.append(
                    f"{label}: the spec file changed but its version number did not; "
                    f"set version = {spec.version + 1} for the new fields")
            else:
                report.unchanged.append(label)
    return report


def approve(db: Database, clock: Clock, actor: Actor, form_code: str, version: int) -> None:
    if not actor.is_admin:
        raise PermissionDenied("only an administrator can approve a form version")
    with db.transaction() as session:
        row = session.scalar(select(FormVersion).filter_by(form_code=form_code, version=version))
        if row is None:
            raise NotFound(f"{form_code} v{version}")
        if row.status == FormVersion.APPROVED:
            return
        row.status, row.approved_at, row.approved_by_id = (
            FormVersion.APPROVED, clock.now(), actor.user_id)
        trail.append(session, at=clock.now(), actor=actor, action="form_version.approve",
                     object_type="form_version", object_id=f"{form_code} v{version}")


def list_versions(db: Database) -> list[VersionInfo]:
    with db.reading() as session:
        rows = session.scalars(select(FormVersion).order_by(
            FormVersion.form_code, FormVersion.version.desc())).all()
        return [VersionInfo(r.form_code, r.version, r.status, r.registered_at, r.approved_at)
                for r in rows]


def current_specs(db: Database) -> dict[str, FormSpec]:
    """The newest approved version of every form type: what can be filled now."""
    with db.reading() as session:
        rows = session.connection().execute(_APPROVED_VERSIONS).all()
        return {row.form_code: _parsed(session, row) for row in rows}


def fillable_specs(db: Database) -> dict[str, FormSpec]:
    """The forms staff can fill now: the current ones, less those the system writes itself."""
    return {code: spec for code, spec in current_specs(db).items() if not spec.system}


def fillable_spec(db: Database, form_code: str) -> FormSpec:
    """The current version of a form staff may fill; a system form is refused as not found."""
    spec = current_spec(db, form_code)
    if spec.system:
        raise NotFound(f"form {form_code} is written by the system, not filled in")
    return spec


def current_spec(db: Database, form_code: str) -> FormSpec:
    """The newest approved version of one form type (asked on every submission)."""
    with db.reading() as session:
        row = session.connection().execute(_CURRENT_VERSION, {"form_code": form_code}).first()
        if row is None:
            raise NotFound(f"form {form_code} has no approved version")
        return _parsed(session, row)


def spec_version(db: Database, form_code: str, version: int) -> FormSpec:
    """The exact version a record was filled against (approved or not).

    Looked up once per process and database: a registered version never changes (registering
    refuses an edited file under the same version, importing refuses a different spec under it,
    nothing deletes one), and a record page asked for it three times, each a transaction.
    """
    known = _BY_VERSION.setdefault(db, {})
    spec = known.get((form_code, version))
    if spec is None:
        with db.reading() as session:
            row = session.execute(_version_keys().filter_by(form_code=form_code, version=version)).first()
            if row is None:
                raise NotFound(f"{form_code} v{version}")
            spec = known[(form_code, version)] = _parsed(session, row)
    return spec


def _version_keys() -> Select[tuple[int, str, int, str]]:
    """Which version, without its (large) stored spec: that is read only when not yet parsed."""
    return select(FormVersion.id, FormVersion.form_code, FormVersion.version, FormVersion.spec_hash)


#: Built once, as _CURRENT_VERSION: asked by the forms page and every filed record's page.
_APPROVED_VERSIONS = _version_keys().where(FormVersion.status == FormVersion.APPROVED).order_by(
    FormVersion.version)
_CURRENT_VERSION = _version_keys().where(
    FormVersion.form_code == bindparam("form_code"), FormVersion.status == FormVersion.APPROVED,
).order_by(FormVersion.version.desc()).limit(1)


def _parsed(session: Session, row: Row[tuple[int, str, int, str]]) -> FormSpec:
    """Stored specs are immutable, so each distinct one is read and parsed once per process."""
    if row.spec_hash not in _PARSED:
        raw = session.scalar(select(FormVersion.spec).where(FormVersion.id == row.id))
        _PARSED[row.spec_hash] = parse_spec(raw, f"{row.form_code} v{row.version} (database)")
    return _PARSED[row.spec_hash]
