"""Taking files in: what a page or an API call sends for a ``file`` field becomes stored files.

Every file is checked by its content (:mod:`archive.uploads`: type from the bytes, size, pixels,
a PDF's dangers, metadata dropped) and put in the file store by its SHA-256 *before* the record's
transaction; the field's value then holds only descriptors (``sha256``, ``name``, ``type``,
``size``), which the submission validates and the attachment rows index (:mod:`archive.attachments`).

Only bytes that came in through here are ever named by a value, so no one can attach a file
they cannot read by guessing its checksum:

- **Page**: a refused page (another field wrong, one file refused) keeps the files it accepted
  as *pending*: the page sends each back as a token signed with the app's secret and bound to the
  user (``itsdangerous``), in a ticked box under the same name, and a later post takes a token
  only if its signature and user hold. Unticking the box drops the file. The person never
  re-picks an accepted file; a refused one is named with its reason and must be picked again.
- **API**: a file is sent in the JSON body as ``{"name": "photo.jpg", "content_base64": "…"}``
  (base64 keeps one JSON request per submission, the same body the drafts and actions take; the
  body cap is raised for the call, :data:`API_BODY_CAP`). A descriptor without content is taken
  only when the record already holds that file (an action keeping it).

Nothing here writes the database: a refusal leaves at most stored objects no row names (see
:mod:`archive.attachments`).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from archive.attachments import (
    FileNotStored,
    NewFile,
    attachments_in,
    attachments_of,
    prepare,
    record_added,
    record_removed,
)
from archive.files import FileStore
from archive.models import Record
from archive.stores import file_store
from archive.uploads import (
    CheckedFile,
    Kind,
    Limits,
    UploadRefused,
    UploadsRefused,
    check_uploads,
    read_capped,
    thumbnail,
)
from core.db import Database
from forms.fields import REGISTRY
from forms.fields.base import FileRules
from forms.fields.files import is_descriptor
from forms.spec.model import FieldSpec, FormSpec
from forms.validation import InvalidData
from forms.versions import spec_version

TOKEN_SALT = "dossier.pending-file"  # noqa: S105 - a namespace for signatures, not a secret
#: The largest JSON body an API call that may carry files is read up to (base64 adds a third).
API_BODY_CAP = 96 * 1024 * 1024


def file_fields(spec: FormSpec) -> list[tuple[FieldSpec, FileRules]]:
    """The fields of ``spec`` that take files, with what each takes."""
    found = []
    for field in spec.fields:
        rules = REGISTRY[field.type].upload_rules(field)
        if rules is not None:
            found.append((field, rules))
    return found


def limits_of(rules: FileRules) -> Limits:
    return Limits(kinds=frozenset(Kind(kind) for kind in rules.kinds), max_bytes=rules.max_bytes,
                  max_files=rules.max_files)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=TOKEN_SALT)


def pending_token(user_id: int, descriptor: dict[str, Any]) -> str:
    """What a page sends back for a file it has taken (see the module's docstring)."""
    return _serializer().dumps({"u": user_id, "f": descriptor})


def _from_token(user_id: int, token: str) -> dict[str, Any] | None:
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        return None
    ok = isinstance(payload, dict) and payload.get("u") == user_id and is_descriptor(payload.get("f"))
    return payload["f"] if ok else None


def _stored(store: FileStore, checked: Iterable[CheckedFile]) -> list[dict[str, Any]]:
    """Each checked file put in the store (write-once, by content) and described."""
    described = []
    for item in checked:
        stored = store.put(item.data)
        described.append({"sha256": stored.sha256, "name": item.name, "type": item.media_type,
                          "size": stored.size})
    return described


def _take(store: FileStore, kept: list[dict[str, Any]], sent: list[tuple[str, bytes]],
          rules: FileRules) -> tuple[list[dict[str, Any]], str | None]:
    """Kept descriptors plus the sent files checked and stored; a message naming every refused
    file (the accepted ones are still returned: the page keeps them pending)."""
    room = rules.max_files - len(kept)
    if len(sent) > room:
        return kept, _("At most %(n)d file(s) can be attached here; remove some first.", n=rules.max_files)
    accepted: list[dict[str, Any]] = []
    messages: list[str] = []
    for name, data in sent:  # one by one, so an accepted file is kept when another is refused
        try:
            accepted.extend(_stored(store, check_uploads([(name, data)], limits_of(rules))))
        except UploadsRefused as refused:
            messages.extend(refused.messages())
    taken = list(kept)
    for item in accepted:  # the same bytes picked twice are one file
        if all(item["sha256"] != other["sha256"] for other in taken):
            taken.append(item)
    return taken, " ".join(messages) or None


def receive_posted(spec: FormSpec, form: Any, user_id: int, store: FileStore) -> dict[str, str]:
    """The page's file fields taken in: each field's ``data`` becomes its descriptors (kept
    tokens checked, new files checked and stored); problems by field name."""
    errors: dict[str, str] = {}
    for field, rules in file_fields(spec):
        widget = form[field.name]
        kept, sent = [], []
        for item in widget.data or []:
            if isinstance(item, dict) and is_descriptor(item):
                kept.append(item)  # filled from the draft or the record, not from the post
            elif isinstance(item, str):
                descriptor = _from_token(user_id, item)
                if descriptor is not None:
                    kept.append(descriptor)
            elif isinstance(item, FileStorage):
                name = item.filename or ""
                try:
                    sent.append((name, read_capped(item.stream, rules.max_bytes, name)))
                except UploadRefused as refusal:
                    errors[field.name] = refusal.message()
        widget.data, problem = _take(store, kept, sent, rules)
        if problem:
            errors[field.name] = " ".join(filter(None, [errors.get(field.name), problem]))
    return errors


def receive_json(spec: FormSpec, data: dict[str, Any], store: FileStore,
                 held: Collection[str] = ()) -> tuple[dict[str, Any], dict[str, str]]:
    """An API body's file fields taken in: ``{"name", "content_base64"}`` items checked and
    stored, descriptors kept only if their sha256 is among ``held`` (the record's files).
    Returns the data with descriptors and the problems by field."""
    received, errors = dict(data), {}
    for field, rules in file_fields(spec):
        value = data.get(field.name)
        if value is None or value == []:
            continue
        if not isinstance(value, list):
            errors[field.name] = _("Send a list of files, each {\"name\", \"content_base64\"}.")
            continue
        kept, sent, problem = _read_items(value, held)
        if problem is None:
            received[field.name], problem = _take(store, kept, sent, rules)
        if problem:
            errors[field.name] = problem
    return received, errors


Sent = list[tuple[str, bytes]]


def _read_items(items: list[Any], held: Collection[str]) -> tuple[list[dict[str, Any]], Sent, str | None]:
    kept, sent = [], []
    for index, item in enumerate(items, start=1):
        if is_descriptor(item) and "content_base64" not in item:
            if item["sha256"] not in held:
                return [], [], _("File %(n)d: send its content as content_base64; a checksum alone "
                                 "names no file of this record.", n=index)
            kept.append(item)
            continue
        if not isinstance(item, dict) or not isinstance(item.get("content_base64"), str) \
                or not isinstance(item.get("name"), str):
            return [], [], _("File %(n)d: send {\"name\", \"content_base64\"}.", n=index)
        try:
            sent.append((item["name"], base64.b64decode(item["content_base64"], validate=True)))
        except (binascii.Error, ValueError):
            return [], [], _("File %(n)d: content_base64 is not valid base64.", n=index)
    return kept, sent, None


def thumbnailed(db: Database, spec: FormSpec, code: str, data: dict[str, Any]) -> frozenset[str]:
    """The SHA-256s of the record's files that have a thumbnail (no query for a record whose
    ``data`` holds no file: the record page's statements are counted)."""
    if not any(REGISTRY[f.type].files(f, data.get(f.name)) for f, _rules in file_fields(spec)):
        return frozenset()
    return frozenset(item.sha256 for item in attachments_of(db, code) if item.has_thumbnail)


def make_thumbnail(name: str, media_type: str, data: bytes) -> bytes | None:
    """The record page's small image of a stored file (:func:`archive.uploads.thumbnail`)."""
    return thumbnail(CheckedFile(name=name, data=data, media_type=media_type, sha256=""))


def new_files(store: FileStore, spec: FormSpec, data: dict[str, Any],
              held: Collection[tuple[str, str]] = ()) -> list[NewFile]:
    """The files ``data`` names that the record does not hold yet (``held``: (field, sha256)),
    checked against the store, thumbnails stored; FileNotStored names one that is not there."""
    wanted = [(field.name, ref.sha256, ref.name, ref.media_type, ref.size)
              for field in spec.fields if field.name in data
              for ref in REGISTRY[field.type].files(field, data[field.name])
              if (field.name, ref.sha256) not in held]
    return prepare(store, wanted, make_thumbnail)


def record_file_checksums(db: Database, code: str) -> tuple[FormSpec, set[str]] | None:
    """The spec of record ``code`` and the SHA-256s of every file any of its revisions held
    (an action may keep or restore those by descriptor); None for a form without file fields or
    no such record (the action itself then answers)."""
    with db.reading() as session:
        found = session.execute(select(Record.id, Record.form_code, Record.form_version)
                                .where(Record.code == code)).first()
        if found is None:
            return None
        spec = spec_version(db, found.form_code, found.form_version)
        if not file_fields(spec):
            return None
        return spec, {item.sha256 for item in attachments_in(session, found.id)}


def descriptors_in(spec: FormSpec, data: dict[str, Any]) -> set[str]:
    """The SHA-256s of the files ``data`` names (a draft's: taken in when it was saved)."""
    return {sha256 for _field, sha256 in _pairs(spec, data)}


def _pairs(spec: FormSpec, data: dict[str, Any]) -> set[tuple[str, str]]:
    """(field, sha256) of every file ``data`` names."""
    return {(field.name, ref.sha256) for field, _rules in file_fields(spec)
            for ref in REGISTRY[field.type].files(field, data.get(field.name))}


def incoming_files(spec: FormSpec, current: dict[str, Any], fields: dict[str, Any]) -> list[NewFile]:
    """Before an action's transaction: the files ``fields`` adds to the record (``current``),
    checked against the store and thumbnailed (none read for a form without file fields)."""
    if not file_fields(spec) or not _pairs(spec, fields):
        return []
    try:
        return new_files(file_store(), spec, fields, held=_pairs(spec, current))
    except FileNotStored as missing:
        raise InvalidData({missing.field: str(missing)}) from None


def index_changes(session: Session, spec: FormSpec, code: str, revision: int, before: dict[str, Any],
                  after: dict[str, Any], incoming: list[NewFile], at: datetime) -> None:
    """In the action's transaction: rows for the files ``revision`` adds, the removed ones marked
    (:func:`archive.attachments.record_removed`; their bytes stay readable with the revision that
    held them). A file added that was not prepared (the record moved on meanwhile) is prepared here."""
    if not file_fields(spec):
        return
    old, new = _pairs(spec, before), _pairs(spec, after)
    added = [item for item in incoming if (item.field, item.sha256) in new - old]
    missing = (new - old) - {(item.field, item.sha256) for item in added}
    if missing:
        added += [item for item in new_files(file_store(), spec, after, held=old | {
            (item.field, item.sha256) for item in added})]
    record_added(session, code, revision, added, at)
    record_removed(session, code, revision, sorted(old - new))


__all__ = ["API_BODY_CAP", "FileNotStored", "descriptors_in", "file_fields", "incoming_files",
           "index_changes", "new_files", "pending_token", "receive_json", "receive_posted",
           "record_file_checksums", "thumbnailed"]
