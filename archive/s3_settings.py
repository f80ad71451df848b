"""The S3 file store's settings, read from the app config and checked before anything connects.

Each setting is checked on its own so a wrong one is named (``core.config.ConfigError``) when the
app starts, not found as a signature error on the first archived PDF. The endpoint is the only
address the store ever talks to: it must be a plain http(s) URL without credentials, query or
fragment, so a setting cannot smuggle a second destination in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from archive.files import BadKey, check_key
from core.config import ConfigError

#: S3's bucket naming rules (3–63 characters, lower-case letters, digits, dots and hyphens).
BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
REGION = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
ADDRESSING_STYLES = ("path", "virtual")


@dataclass(frozen=True)
class S3Settings:
    endpoint: str
    bucket: str
    prefix: str = ""
    region: str = "us-east-1"
    #: Both unset: boto3's own chain (AWS_ACCESS_KEY_ID…, ~/.aws, an instance role).
    access_key: str | None = None
    secret_key: str | None = None
    addressing_style: str = "path"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> S3Settings:
        """The settings in ``config`` (a Flask app's), or a ConfigError naming the wrong one."""
        access_key = _optional_text(config, "S3_ACCESS_KEY_ID")
        secret_key = _optional_text(config, "S3_SECRET_ACCESS_KEY")
        if (access_key is None) != (secret_key is None):
            given, missing = (("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY") if access_key
                              else ("S3_SECRET_ACCESS_KEY", "S3_ACCESS_KEY_ID"))
            raise ConfigError(f"{missing}: required when {given} is set (or leave both unset to use "
                              "the standard AWS credentials: environment, ~/.aws, instance role)")
        return cls(endpoint=_endpoint(config.get("S3_ENDPOINT_URL")),
                   bucket=_matching(config, "S3_BUCKET", BUCKET, None, "a bucket name (3–63 "
                                    "lower-case letters, digits, dots, hyphens)"),
                   prefix=_prefix(config.get("S3_PREFIX", "")),
                   region=_matching(config, "S3_REGION", REGION, "us-east-1", "a region name"),
                   access_key=access_key, secret_key=secret_key,
                   addressing_style=_style(config.get("S3_ADDRESSING_STYLE", "path")))


def _endpoint(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError("S3_ENDPOINT_URL: required when FILE_STORE is 's3' "
                          "(the service's address, e.g. https://oss-cn-hangzhou.aliyuncs.com)")
    parts = urlsplit(value.strip())
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if (parts.scheme not in ("http", "https") or not parts.hostname or not port_ok
            or parts.username or parts.password or parts.query or parts.fragment
            or parts.path not in ("", "/")):
        raise ConfigError(f"S3_ENDPOINT_URL: {value!r} is not an http(s) address of the form "
                          "https://host[:port] (no path, credentials, query or fragment)")
    return f"{parts.scheme}://{parts.netloc}"


def _matching(config: Mapping[str, Any], name: str, pattern: re.Pattern[str], default: str | None,
              what: str) -> str:
    value = config.get(name, default)
    if value is None or value == "":
        if default is None:
            raise ConfigError(f"{name}: required when FILE_STORE is 's3' ({what})")
        return default
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ConfigError(f"{name}: {value!r} is not {what}")
    return value


def _prefix(value: Any) -> str:
    """The key prefix without its slashes ("" for the bucket's top)."""
    if not isinstance(value, str):
        raise ConfigError(f"S3_PREFIX: {value!r} is not text")
    stripped = value.strip("/")
    if stripped:
        try:
            check_key(stripped)
        except BadKey:
            raise ConfigError(f"S3_PREFIX: {value!r} is not a key prefix (letters, digits, '.', '_', "
                              "'-' in '/'-separated parts, no '.' or '..' parts)") from None
    return stripped


def _style(value: Any) -> str:
    if value not in ADDRESSING_STYLES:
        raise ConfigError(f"S3_ADDRESSING_STYLE: {value!r} is not one of {', '.join(ADDRESSING_STYLES)}")
    return value


def _optional_text(config: Mapping[str, Any], name: str) -> str | None:
    value = config.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value != value.strip():
        raise ConfigError(f"{name}: must be text without surrounding spaces")
    return value
