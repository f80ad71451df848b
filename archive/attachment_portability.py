"""Attachments in ``archive export`` / ``import`` (issue 19): each record's attachment rows go in
its JSON (``"attachments"``), each object (original and thumbnail) once under ``renditions/<key>``
like the renditions' files, checked against its row as it is copied; an import checks every
row's SHA-256 against the manifest's for the key it names before anything is inserted, so a
file that changed on the way is refused, not imported (the manifest check has already read each
file's bytes against the manifest)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from archive.files import CONTENT_KEY, FileStore
from archive.portability import FILES, ManifestWriter, PortabilityError, copy_out


def export_objects(store: FileStore, writer: ManifestWriter, rows: Iterable[Mapping[str, Any]],
                   copied: set[str]) -> None:
    """Copy each row's original and thumbnail out once (``copied``: keys already in the export:
    the same bytes attached to two records are one object)."""
    for row in rows:
        for key, expected in ((row["key"], row["sha256"]), (row["thumbnail_key"], None)):
            if key is None or key in copied:
                continue
            digest = copy_out(store, writer, key)
            match = CONTENT_KEY.fullmatch(key)
            if digest != (expected or (match.group(3) if match else digest)):
                raise PortabilityError(f"{key}: the stored attachment does not match its checksum; run "
                                       "`archive verify` and repair before exporting")
            copied.add(key)


def check_rows(rows: Iterable[Mapping[str, Any]], manifest: Mapping[str, Any], code: str) -> None:
    """Every attachment row of ``code`` names an object the export carries with the row's SHA-256."""
    listed = {entry["path"].removeprefix(FILES): entry["sha256"] for entry in manifest["files"]
              if entry["path"].startswith(FILES)}
    for row in rows:
        if listed.get(row["key"]) != row["sha256"]:
            raise PortabilityError(f"{code}: attachment “{row['name']}” ({row['key']}) is not in the export "
                                   f"with SHA-256 {row['sha256']}")
        if row.get("thumbnail_key") and row["thumbnail_key"] not in listed:
            raise PortabilityError(f"{code}: the thumbnail {row['thumbnail_key']} is not in the export")
