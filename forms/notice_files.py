"""Privacy notice files (``forms/notices/<id>.toml``): read and checked, every problem named.

A notice is what staff read or hand to the customer before personal data is recorded: its
title, the purpose the data is collected for (with, optionally, a purpose of its own for each
form that uses it: ``[purposes.CP]``), and the text (what, why, how long, who sees it, the
customer's rights), each in Chinese and English. The file's name is its id, so a record's
notice id always finds its file.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NOTICE_DIR = Path(__file__).resolve().parent / "notices"
#: An id is part of a file name and of the records' column (String(40)).
NOTICE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
PARTS = ("title", "purpose", "text")
FORM_CODE = re.compile(r"[A-Z]{2,8}")
LANGUAGES = ("zh", "en")


class NoticeError(Exception):
    """A notice file cannot be used; ``problems`` names the file and each thing wrong in it."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Notice:
    """One version of one notice as its file says it."""

    notice_id: str
    version: int
    title: dict[str, str]
    purpose: dict[str, str]
    text: dict[str, str]
    #: A form's own purpose by form code, where it says more than the general one.
    purposes: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def content(self) -> dict[str, Any]:
        """What is registered and hashed (``purposes`` only when given: a file without them
        hashes as it did before they existed)."""
        return {"title": self.title, "purpose": self.purpose, "text": self.text,
                **({"purposes": self.purposes} if self.purposes else {})}

    @property
    def label(self) -> str:
        return f"{self.notice_id} v{self.version}"


def content_hash(content: dict[str, Any]) -> str:
    """The hash a registered version keeps: the same words in, the same hash out."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_notice(raw: Any, source: str, expected_id: str | None = None) -> Notice:
    """The notice in ``raw`` (a parsed TOML table); NoticeError names everything wrong at once."""
    if not isinstance(raw, dict):
        raise NoticeError([f"{source}: not a table of settings"])
    problems: list[str] = []
    notice_id, version = raw.get("id"), raw.get("version")
    if not isinstance(notice_id, str) or not NOTICE_ID.fullmatch(notice_id):
        problems.append(f"{source}: id must be lower-case letters, digits and '-', at most 40 "
                        f"characters (found {notice_id!r})")
    elif expected_id is not None and notice_id != expected_id:
        problems.append(f"{source}: id {notice_id!r} differs from the file name {expected_id!r}")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        problems.append(f"{source}: version must be a whole number from 1 (found {version!r})")
    parts = {part: _bilingual(raw.get(part), f"{source}: [{part}]", problems) for part in PARTS}
    purposes = _form_purposes(raw.get("purposes", {}), source, problems)
    unknown = sorted(set(raw) - {"id", "version", "purposes", *PARTS})
    if unknown:
        problems.append(f"{source}: unknown key(s) {', '.join(unknown)}")
    if problems:
        raise NoticeError(problems)
    return Notice(notice_id, version, parts["title"], parts["purpose"], parts["text"], purposes)


def _form_purposes(value: Any, source: str, problems: list[str]) -> dict[str, dict[str, str]]:
    """``[purposes.<FORM CODE>]`` tables, each zh and en like the general purpose."""
    if not isinstance(value, dict):
        problems.append(f"{source}: [purposes] must hold one table per form code")
        return {}
    found = {}
    for code, purpose in value.items():
        if not FORM_CODE.fullmatch(str(code)):
            problems.append(f"{source}: [purposes.{code}]: not a form code (capital letters, 2-8)")
            continue
        found[str(code)] = _bilingual(purpose, f"{source}: [purposes.{code}]", problems)
    return found


def _bilingual(value: Any, where: str, problems: list[str]) -> dict[str, str]:
    """{"zh": …, "en": …}, both non-blank text, or a problem naming what is missing."""
    if not isinstance(value, dict):
        problems.append(f"{where} is missing: give zh and en")
        return {}
    found = {}
    for language in LANGUAGES:
        text = value.get(language)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where} {language} is missing or empty")
        else:
            found[language] = text.strip()
    extra = sorted(set(value) - set(LANGUAGES))
    if extra:
        problems.append(f"{where}: unknown language(s) {', '.join(map(str, extra))} (zh and en only)")
    return found


def load_notice_file(path: Path) -> Notice:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise NoticeError([f"{path}: not valid TOML ({exc})"]) from None
    return parse_notice(raw, str(path), expected_id=path.stem)


def load_notices(directory: Path = NOTICE_DIR) -> tuple[dict[str, Notice], list[str]]:
    """Every notice of the directory by id, and every problem of every file (none: all valid)."""
    notices: dict[str, Notice] = {}
    problems: list[str] = []
    for path in sorted(directory.glob("*.toml")) if directory.is_dir() else []:
        try:
            notice = load_notice_file(path)
        except NoticeError as exc:
            problems.extend(exc.problems)
            continue
        notices[notice.notice_id] = notice
    return notices, problems


def setting_problems(setting: Any, notices: dict[str, Notice]) -> list[str]:
    """What is wrong with PRIVACY_NOTICES: a form naming a notice no file gives."""
    if not isinstance(setting, dict):
        return [f"PRIVACY_NOTICES must map form codes to notice ids (found {type(setting).__name__})"]
    return [f"PRIVACY_NOTICES: form {code} names notice {notice_id!r}, but forms/notices has no "
            f"{notice_id}.toml (known: {', '.join(sorted(notices)) or 'none'})"
            for code, notice_id in sorted(setting.items()) if notice_id not in notices]
