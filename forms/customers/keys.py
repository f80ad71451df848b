"""Customer keys: a phone, policy or order number reduced to its canonical form and then to a
keyed digest, so the link table holds no personal data in clear (a digest is useless without
the instance's SECRET_KEY, and a phone number's space is too small for a plain hash)."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app

LINKING_KINDS = ("phone", "policy", "order")
DEFAULT_CUSTOMER_FIELDS: dict[str, Any] = {
    "phone": "*phone-typed fields*", "policy": ["policy_no"], "order": ["order_no"],
    "name": ["customer_name", "policyholder"], "tier": ["customer_tier"],
}
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0[1-9]\d{1,2}\d{7,8}")
_TYPED = re.compile(r"[\s\-.()（）]")


def phone_key(text: str) -> str | None:
    """The canonical digits of a mainland phone however written, or None when it is not one.

    Spaces, dashes, dots and brackets go; full-width digits become ASCII; a +86, 0086 or 86
    prefix is dropped. A mobile is its 11 digits; a landline its area code and number."""
    if not isinstance(text, str):
        return None
    compact = _TYPED.sub("", unicodedata.normalize("NFKC", text))
    prefixed = False
    for prefix in ("+86", "0086", "86"):
        if compact.startswith(prefix) and len(compact) > len(prefix) + 8:
            compact, prefixed = compact[len(prefix):], True
            break
    if _MOBILE.fullmatch(compact) and compact.isascii():
        return compact
    if prefixed and not compact.startswith("0"):
        compact = "0" + compact  # +86 21 6234 5678: the area code's 0 is dropped after +86
    if _LANDLINE.fullmatch(compact) and compact.isascii():
        return compact
    return None


def _plain_key(text: str) -> str | None:
    """A policy or order number: case and spacing do not make another number."""
    if not isinstance(text, str):
        return None
    compact = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text)).upper()
    return compact or None


@dataclass(frozen=True)
class CustomerKey:
    kind: str  # "phone" | "policy" | "order"
    digest: str


def _secret() -> bytes:
    """A key of its own derived from SECRET_KEY, so the digests serve no other purpose."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"dossier customer keys v1", hashlib.sha256).digest()


def key_of(kind: str, value: Any) -> CustomerKey | None:
    """The key of one value of a linking kind, or None when the value is no such number."""
    if kind not in LINKING_KINDS or value is None:
        return None
    canonical = phone_key(value) if kind == "phone" else _plain_key(value)
    if canonical is None:
        return None
    digest = hmac.new(_secret(), f"{kind}:{canonical}".encode(), hashlib.sha256).hexdigest()
    return CustomerKey(kind, digest)


def customer_fields() -> dict[str, Any]:
    return dict(current_app.config.get("CUSTOMER_FIELDS") or DEFAULT_CUSTOMER_FIELDS)


def _values(value: Any) -> Iterable[Any]:
    """A field's scalar values: a table's rows are read column by column."""
    if isinstance(value, list):
        for row in value:
            yield from (row.values() if isinstance(row, Mapping) else [row])
    elif value is not None:
        yield value


def _phone_fields(data: Mapping[str, Any], spec: Any) -> list[str]:
    """The phone-typed fields of the spec; without one, fields named like a phone."""
    if spec is not None:
        return [f.name for f in spec.fields
                if f.type == "phone" or any(c.type == "phone" for c in f.columns)]
    return [name for name in data if "phone" in name]


def record_keys(form_code: str, data: Mapping[str, Any], spec: Any = None) -> set[CustomerKey]:
    """The linking keys of a record's data (CUSTOMER_FIELDS names the fields, for every version)."""
    fields = customer_fields()
    keys: set[CustomerKey] = set()
    for kind in LINKING_KINDS:
        names = fields.get(kind) or []
        if isinstance(names, str):
            names = _phone_fields(data, spec) if names.startswith("*") else [names]
        for name in names:
            for value in _values(data.get(name)):
                key = key_of(kind, value)
                if key is not None:
                    keys.add(key)
    return keys
