"""A real SMTP server for the notification tests: aiosmtpd's Controller on a free local port.

It keeps every message it accepted (parsed), answers ``550`` to any recipient whose address
starts with ``bad`` (a permanent refusal, as a real server answers an unknown mailbox), and can
be stopped and started again on the same port (the office's server being down).

It also speaks TLS as offices' servers do: STARTTLS on a plain port (``tls="starttls"``, then
required before mail) or TLS from the first byte (``tls="ssl"``, SMTPS), with a certificate
made by :func:`make_certificate` (the openssl command, as an office makes its own), and may
require a login (SMTP AUTH, offered only over TLS). Each accepted message is kept with how it
came: the TLS version of the connection (None in clear) and the login used."""

from __future__ import annotations

import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Certificate:
    """A certificate (PEM) and its private key, as files."""

    cert: Path
    key: Path


def make_certificate(directory: Path, *names: str) -> Certificate:
    """A self-signed certificate for ``names`` (DNS names, or IP addresses such as 127.0.0.1),
    valid for two days; the first name is also its common name."""
    alt = ",".join(f"IP:{n}" if n.replace(".", "").isdigit() else f"DNS:{n}" for n in names)
    cert, key = directory / f"{names[0]}.crt", directory / f"{names[0]}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", f"/CN={names[0]}", "-addext",
                    f"subjectAltName={alt}", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return Certificate(cert, key)


@dataclass(frozen=True)
class Arrival:
    """How an accepted message came: the connection's TLS version (None: in clear), the login."""

    tls: str | None
    login: str | None


class Mailbox:
    """aiosmtpd handler: refuses ``bad*`` addresses with 550, keeps the rest."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.arrivals: list[Arrival] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address.lower().startswith("bad"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        tls = server.transport.get_extra_info("ssl_object")
        login = session.auth_data.login.decode() if session.authenticated else None
        self.arrivals.append(Arrival(tls.version() if tls is not None else None, login))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


class SmtpServer:
    """The running server: its port, its mailbox, and stop/start for the outage tests.

    ``tls``: None (plain), ``"starttls"`` (offered, and required before MAIL) or ``"ssl"``
    (implicit TLS), with ``certificate``; ``login``: the (username, password) it requires."""

    def __init__(self, *, tls: str | None = None, certificate: Certificate | None = None,
                 login: tuple[str, str] | None = None) -> None:
        assert (tls is None) == (certificate is None), "TLS needs a certificate, and only TLS"
        self.port = free_port()
        self.mailbox = Mailbox()
        self.controller: Controller | None = None
        self.tls, self.certificate, self.login = tls, certificate, login

    def _server_context(self) -> ssl.SSLContext:
        assert self.certificate is not None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certificate.cert, self.certificate.key)
        return context

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and self.login is not None
              and (auth_data.login.decode(), auth_data.password.decode()) == self.login)
        # handled=False: aiosmtpd answers a failure itself (535), as a real server does
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    def start(self) -> None:
        options: dict[str, Any] = {}
        if self.tls == "starttls":
            options.update(tls_context=self._server_context(), require_starttls=True)
        elif self.tls == "ssl":
            options.update(ssl_context=self._server_context())
        if self.login is not None:
            # aiosmtpd counts only STARTTLS as TLS for AUTH; under SMTPS every byte is TLS already.
            options.update(authenticator=self._authenticate, auth_required=True,
                           auth_require_tls=self.tls != "ssl")
        self.controller = Controller(self.mailbox, hostname=HOST, port=self.port, **options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def config(self) -> dict[str, Any]:
        """The instance's ``[smtp]`` table pointing at this server (plain, local)."""
        return {"host": HOST, "port": self.port, "security": "none", "from": "dossier@office.test"}


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()
