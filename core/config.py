"""Configuration: defaults < ``instance/config.toml`` < environment variables.

The instance folder holds everything that belongs to one deployment (database, secret key,
stored files, search index). It defaults to ``./instance`` and moves with ``DOSSIER_INSTANCE``;
``DOSSIER_DATABASE_URL`` selects the database.
"""

from __future__ import annotations

import os
import re
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    "TIMEZONE": "Asia/Shanghai",
    "COMPANY_NAME": "客户服务部",
    "COMPANY_NAME_EN": "Customer Service Department",  # English pages' footer (the PDFs print Chinese)
    # Where staff and customers reach the site: the QR code on every printed copy points here.
    "PUBLIC_URL": "http://127.0.0.1:5000",
    "DEFAULT_LOCALE": "zh",
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "PAGE_SIZE": 20,
    # One view of a customer (forms/customers): which fields link records (phone: every
    # phone-typed field; policy and order numbers) and which are only shown (name, tier).
    "CUSTOMER_FIELDS": {"phone": "*phone-typed fields*", "policy": ["policy_no"], "order": ["order_no"],
                        "name": ["customer_name", "policyholder"], "tier": ["customer_tier"]},
    "DATABASE_PRE_PING": True,
    # Sign-in throttling (core.auth.throttle): failures of one account from one address, and of
    # one address over all accounts, before each next attempt waits; the first wait doubles per
    # further failure up to the longest; counts are forgotten after so many quiet minutes.
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_ADDRESS_MAX_FAILURES": 20,
    "LOGIN_DELAY_SECONDS": 2,
    "LOGIN_MAX_DELAY_SECONDS": 300,
    "LOGIN_FORGET_MINUTES": 60,
    # Reverse proxies in front of the app whose X-Forwarded-For is believed (0: none, the client
    # address is the connection's). Set 1 behind one nginx, or every sign-in shares its address.
    "TRUSTED_PROXIES": 0,
    # Need-to-know (archive/need_to_know.py): an auditor or admin reading a record outside their
    # department's work states a reason once per signed-in "session", or per "record"; "off"
    # for small offices where management is the office. Archivists are exempt (custodians).
    "NEED_TO_KNOW": "session",
    # The longest access an approved access request (AR) grants, in days, first and last included.
    "ACCESS_GRANT_MAX_DAYS": 90,
    # Days a personal data request (PR, 个人信息查阅/更正/删除申请) must be answered in, from receipt.
    "CUSTOMER_REQUEST_DAYS": 15,
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    # The archival reference (档号) each filed record gets (archive/archival_codes.py, DA/T 13):
    # the fonds number (全宗号); the category code (门类代码) by form code, WS (文书) for a form
    # not listed; the organisation code (机构（问题）代码) by department code, a department not
    # listed using its own code. Letters and digits only ("-" and "·" separate the levels).
    "ARCHIVAL_FONDS": "Q012",
    "ARCHIVAL_CATEGORIES": {},
    "ARCHIVAL_ORGANISATIONS": {"CS": "KF", "SALES": "XS", "QA": "ZL", "RENEWAL": "XU", "ARCHIVE": "DA"},
    # Minutes between the audit chain's periodic checkpoints in the instance folder (0: none;
    # destructions and transfers still write theirs). core/audit/anchor.py.
    "AUDIT_CHECKPOINT_MINUTES": 60,
    # The privacy notice (forms/notices/<id>.toml) shown to the customer and recorded with each
    # record, by form code (forms/privacy_notices.py); a form not listed records none.
    "PRIVACY_NOTICES": {"VR": "customer-service", "CP": "customer-service",
                        "RS": "customer-service", "PR": "customer-service"},
}

#: One level of an archival reference from the settings: capital letters and digits, at most
#: so many characters (the 档号 column holds 48), so that "-" and "·" can only separate levels.
ARCHIVAL_LEVEL = re.compile(r"[A-Z0-9]+")
ARCHIVAL_LENGTHS = {"ARCHIVAL_FONDS": 8, "ARCHIVAL_CATEGORIES": 4, "ARCHIVAL_ORGANISATIONS": 8}


LOGIN_NUMBERS = ("LOGIN_MAX_FAILURES", "LOGIN_ADDRESS_MAX_FAILURES", "LOGIN_DELAY_SECONDS",
                 "LOGIN_MAX_DELAY_SECONDS", "LOGIN_FORGET_MINUTES")


class ConfigError(Exception):
    """The configuration cannot be used; the message names the setting and the problem."""


@dataclass(frozen=True)
class InstancePaths:
    root: Path

    @property
    def config_file(self) -> Path:
        return self.root / "config.toml"

    @property
    def secret_key_file(self) -> Path:
        return self.root / "secret_key"

    @property
    def database_file(self) -> Path:
        return self.root / "dossier.sqlite3"


def instance_paths(environ: dict[str, str] | None = None) -> InstancePaths:
    environ = dict(os.environ) if environ is None else environ
    root = environ.get("DOSSIER_INSTANCE") or str(PROJECT_ROOT / "instance")
    return InstancePaths(Path(root).resolve())


def load_config(
    paths: InstancePaths, overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None
) -> dict[str, Any]:
    """Merge the configuration layers and check the values that can be checked up front."""
    environ = dict(os.environ) if environ is None else environ
    config = dict(DEFAULTS)
    from_file = _read_config_file(paths.config_file)
    config.update(from_file)
    if environ.get("DOSSIER_DATABASE_URL"):
        config["DATABASE_URL"] = environ["DOSSIER_DATABASE_URL"]
    config.update(overrides or {})
    # Not set: a copy printed from a page points where that page was served from (see
    # forms.pdf.service); the archival copy and batch exports, made without a request, use PUBLIC_URL.
    config.setdefault("PUBLIC_URL_SET", "PUBLIC_URL" in from_file or "PUBLIC_URL" in (overrides or {}))
    named = {**from_file, **(overrides or {})}
    if "COMPANY_NAME" in named and "COMPANY_NAME_EN" not in named:  # not the default's English name
        config["COMPANY_NAME_EN"] = config["COMPANY_NAME"]
    config.setdefault("DATABASE_URL", f"sqlite:///{paths.database_file}")
    try:
        ZoneInfo(str(config["TIMEZONE"]))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"TIMEZONE: unknown time zone {config['TIMEZONE']!r}") from exc
    public = urlsplit(str(config["PUBLIC_URL"]))
    if public.scheme not in ("http", "https") or not public.netloc or public.query or public.fragment:
        raise ConfigError(f"PUBLIC_URL: {config['PUBLIC_URL']!r} is not an http(s) address such as "
                          "https://records.example.com")
    for key in ("ACCESS_GRANT_MAX_DAYS", "CUSTOMER_REQUEST_DAYS"):
        days = config[key]
        if not isinstance(days, int) or isinstance(days, bool) or days < 1:
            raise ConfigError(f"{key}: must be a whole number of days, 1 or more, not {days!r}")
    if config["NEED_TO_KNOW"] not in ("session", "record", "off"):
        raise ConfigError(f"NEED_TO_KNOW: 'session', 'record' or 'off', not {config['NEED_TO_KNOW']!r}")
    proxies = config["TRUSTED_PROXIES"]
    if isinstance(proxies, bool) or not isinstance(proxies, int) or proxies < 0:
        raise ConfigError(f"TRUSTED_PROXIES: must be a whole number, 0 or more, not {proxies!r}")
    for key in LOGIN_NUMBERS:
        if isinstance(config[key], bool) or not isinstance(config[key], int | float) or config[key] <= 0:
            raise ConfigError(f"{key}: must be a number above 0, not {config[key]!r}")
    for key in ("PDF_LOGO", "PDF_FONT_REGULAR", "PDF_FONT_BOLD"):
        if key in config and not isinstance(config[key], str):
            raise ConfigError(f"{key}: must be a file path in quotes, not {config[key]!r}")
    check_archival_settings(config)
    return config


def check_archival_settings(config: dict[str, Any]) -> None:
    """Refuse a fonds, category or organisation code that cannot be one level of a 档号, naming
    the setting, the entry and the value (a wrong code found at filing would stop filing)."""
    _check_archival_level("ARCHIVAL_FONDS", config["ARCHIVAL_FONDS"])
    for key, example in (("ARCHIVAL_CATEGORIES", 'CP = "WS"'), ("ARCHIVAL_ORGANISATIONS", 'CS = "KF"')):
        table = config[key]
        if not isinstance(table, dict):
            raise ConfigError(f"{key}: must be a table of codes such as {{ {example} }}, not {table!r}")
        for name, value in table.items():
            _check_archival_level(f"{key}.{name}", value, ARCHIVAL_LENGTHS[key])


def _check_archival_level(name: str, value: Any, longest: int | None = None) -> None:
    longest = longest or ARCHIVAL_LENGTHS[name]
    if not isinstance(value, str) or not ARCHIVAL_LEVEL.fullmatch(value) or len(value) > longest:
        raise ConfigError(f"{name}: {value!r} is not an archival code: capital letters A-Z and digits "
                          f"only, 1 to {longest} characters (\"-\" and \"·\" separate a 档号's levels)")


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return {key.upper(): value for key, value in data.items()}


def ensure_secret_key(paths: InstancePaths) -> str:
    """Read the instance's secret key, creating it (mode 0600) on first run; never committed."""
    paths.root.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(paths.secret_key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return paths.secret_key_file.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        key = secrets.token_hex(32)
        fh.write(key + "\n")
    return key
