"""Done means (issue 22): "a returned record's filler sees the notice in the app and by e-mail
in their language". Two clerks file complaints; the supervisor returns both for completion; the
worker's pass sends the e-mails through a real SMTP server (aiosmtpd). The clerk who reads
English gets the notice on their page and the e-mail in English, the one who reads Chinese gets
both in Chinese: subject and body, the body linking to the record, no personal data in either.
On a frozen clock (with microseconds) and on the system clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from core.auth import accounts
from core.clock import Clock, FrozenClock, SystemClock
from core.web import services
from forms.submission import submit
from forms.workflow import act
from tests.support.instance import PASSWORD, VALID_CP, actor_of, csrf_token, login
from tests.support.notifications import PUBLIC_URL, mail_app, notes_of, set_prefs, work
from tests.support.smtp_server import SmtpServer

#: username -> (the language they read, their address, what the notice and e-mail say in it)
FILLERS = {
    "clerk": ("en", "clerk@office.test", "was returned to you for completion", "Open it in Dossier"),
    "xiaowang": ("zh", "xiaowang@office.test", "已退回给您补充", "在 Dossier 中打开"),
}
PERSONAL = (VALID_CP["customer_name"], VALID_CP["phone"], VALID_CP["complaint"])


@pytest.fixture(params=["frozen", "system"])
def office(request: pytest.FixtureRequest, template_db: Path, instance_dir: Path,
           smtp_server: SmtpServer) -> Iterator[Flask]:
    clock: Clock = (FrozenClock(datetime(2026, 3, 2, 2, 15, 9, 987654, tzinfo=UTC))
                    if request.param == "frozen" else SystemClock())
    app = mail_app(template_db, instance_dir, clock, smtp_server.config())
    with app.app_context():
        accounts.create_user(services().db, services().clock, username="xiaowang", password=PASSWORD,
                             role="clerk", department_code="CS", display_name="小王")
    for username, (language, address, _said, _link) in FILLERS.items():
        set_prefs(app, username, email=address, language=language, events=["record.returned"])
    yield app
    with app.app_context():
        services().db.dispose()


def _filed_and_returned(app: Flask) -> dict[str, str]:
    """Each filler files a complaint; the CS supervisor returns each for completion."""
    codes = {}
    with app.app_context():
        s = services()
        for username in FILLERS:
            code = submit(s.db, s.clock, s.zone, actor_of(app, username), "CP", VALID_CP).code
            act(s.db, s.clock, s.zone, actor_of(app, "supervisor"), code, "return", reason="缺少订单号")
            codes[username] = code
    return codes


def test_a_returned_records_filler_is_told_in_the_app_and_by_mail_in_their_language(
        office: Flask, smtp_server: SmtpServer) -> None:
    codes = _filed_and_returned(office)
    work(office, jobs=False)
    work(office, jobs=False)  # a second pass sends nothing again
    assert len(smtp_server.mailbox.messages) == len(FILLERS)
    for username, (language, address, said, opener) in FILLERS.items():
        code = codes[username]
        [mail] = smtp_server.mailbox.to(address)
        body = mail.get_content()
        assert mail["Subject"] == f"[Dossier] {code} {said}"
        assert opener in body and f"{PUBLIC_URL}/records/{code}" in body and said in body
        assert f"{PUBLIC_URL}/notifications/settings" in body  # where to choose the e-mails
        other = next(c for name, c in codes.items() if name != username)
        assert other not in mail["Subject"] and other not in body  # only their own record
        for personal in PERSONAL:
            assert personal not in mail["Subject"] and personal not in body
        [note] = notes_of(office, username)
        assert note.event == "record.returned" and note.emailed_at is not None

        client = office.test_client()  # the filler signs in and reads the app in their language
        client.post(f"/language/{language}", data={"csrf_token": csrf_token(client.get("/login").text)})
        login(client, username)
        page = client.get("/notifications").get_data(as_text=True)
        assert f'<a href="/records/{code}">{code} {said}</a>' in page
        assert other not in page and all(personal not in page for personal in PERSONAL)
    assert notes_of(office, "supervisor") == []  # who returned it is not told of it
