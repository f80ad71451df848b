"""One disclosure rule everywhere: every route that can show a record's personal fields, for
every role, shows them whole exactly to those who need them (the submitter, the clerks and the
supervisor of the record's department) and masked or not at all to everyone else.

One office is built for the module (records of every form with distinctive personal values, a
correction, a filed complaint, one waiting to be filed, a hold, a disposal due date passed);
each (route, role) is one test case. A new route is one line of :data:`ROUTES`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from core.auth import accounts
from core.clock import FrozenClock
from core.web import services
from forms.submission import submit
from tests.support.attachments import stored_files
from tests.support.instance import PASSWORD, actor_of, login, make_app
from tests.support.lifecycle import DAYS_TO_2030, close_complaint, step, work_outbox
from tests.support.samples import RS_DATA
from tests.support.upload_samples import photo_jpeg

START = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)  # 09:30 in Shanghai, with microseconds

#: Each form's distinctive personal values, whole and as masked.
CP_NAME, CP_NAME_MASKED = "欧阳明华", "欧***"
CP_PHONE, CP_PHONE_MASKED = "13912345679", "139****5679"
CP_OLD_PHONE, CP_OLD_PHONE_MASKED = "13912345670", "139****5670"  # corrected: only in the history
CP2_NAME, CP2_NAME_MASKED = "上官婉清", "上***"  # closed, not filed yet: the filing queue
VR_NAME, VR_NAME_MASKED = "司马文静", "司***"
VR_PHONE, VR_PHONE_MASKED = "13812340001", "138****0001"
RS_NAME, RS_NAME_MASKED = "诸葛明远", "诸***"
RS_PHONE, RS_PHONE_MASKED = "13712340002", "137****0002"
AR_REASON = "核对东区投诉处理时限"  # AR has no personal fields: shown whole to all who see it
#: RS's personal file field (issue 19): its file by name, or withheld (page, print; API as JSON).
RS_SCAN, RS_SCAN_WITHHELD, RS_SCAN_API_WITHHELD = "客户联签字扫描.jpg", "已隐去 1 个文件", '"withheld": true'
#: RS's customer signature (issue 19), drawn: its SVG path on the page, its strokes in the API;
#: withheld elsewhere (the page shows "—", the API leaves the field out). On paper it is a drawing,
#: not text: tests/forms/test_signature_pages.py reads the copies' paths for each kind of reader.
RS_SIGNATURE = [[[123, 45], [678, 90]]]
RS_SIG_PATH, RS_SIG_API = 'd="M123 45L678 90"', "[[[123, 45], [678, 90]]]"

#: The roles of the matrix. All records are submitted by ``clerk`` in CS; ``granted`` is a clerk
#: of SALES reading them under an approved access request (AR), ``sales`` one without.
ROLES = ("clerk", "clerk2", "sales", "granted", "supervisor", "archivist", "auditor", "admin")
NEED = frozenset({"clerk", "clerk2", "supervisor"})  # the submitter; CP/VR/RS [personal] roles in CS
OFFICE = frozenset({"archivist", "auditor", "admin"})  # the records office's pages
WHOLE, MASKED, ABSENT, ANY = "whole", "masked", "not whole", "either"


@dataclass(frozen=True)
class Route:
    """``url`` (``{CP}`` etc. name the records, ``{hold}`` the hold) and the (whole, masked)
    values it shows of a record. ``seen_by`` see the record there (whole if they need it, masked
    if not); ``maybe`` may or may not (the inbox: what waits for them), so only a value shown
    whole without the need is a failure; anyone else must not see it whole at all. ``granted``:
    the route shows a record to whom an access grant opens it (one record, search), masked."""

    url: str
    values: tuple[tuple[str, str], ...]
    seen_by: frozenset[str] = frozenset(ROLES) - {"sales", "granted"}
    api: bool = False
    maybe: frozenset[str] = frozenset()
    granted: bool = False

    def expected(self, role: str) -> str:
        if role in self.seen_by or (role == "granted" and self.granted):
            return WHOLE if role in NEED else MASKED
        if role in self.maybe and role in NEED:
            return ANY
        return ABSENT


CP_NAMED = ((CP_NAME, CP_NAME_MASKED),)
CP_VALUES = (*CP_NAMED, (CP_PHONE, CP_PHONE_MASKED))
VR_VALUES = ((VR_NAME, VR_NAME_MASKED), (VR_PHONE, VR_PHONE_MASKED))
RS_VALUES = ((RS_NAME, RS_NAME_MASKED), (RS_PHONE, RS_PHONE_MASKED))
NAMES = ((CP_NAME, CP_NAME_MASKED), (VR_NAME, VR_NAME_MASKED), (RS_NAME, RS_NAME_MASKED))
EVERY_VALUE = CP_VALUES + VR_VALUES + RS_VALUES
NOBODY = frozenset[str]()

ROUTES: dict[str, Route] = {
    "CP page": Route("/records/{CP}", CP_VALUES, granted=True),
    "CP history (corrected phone)": Route("/records/{CP}", ((CP_OLD_PHONE, CP_OLD_PHONE_MASKED),),
                                          granted=True),
    "VR page": Route("/records/{VR}", VR_VALUES, granted=True),
    "RS page": Route("/records/{RS}", RS_VALUES, granted=True),
    "CP print": Route("/records/{CP}.pdf", CP_VALUES, granted=True),
    # The original of a corrected value on paper (printed beside the correction where it is):
    # whether it is printed is the print's business; shown whole only to whom needs it.
    "CP print (corrected phone)": Route("/records/{CP}.pdf", ((CP_OLD_PHONE, CP_OLD_PHONE_MASKED),),
                                        seen_by=NOBODY, maybe=frozenset(ROLES)),
    "CP receipt": Route("/records/{CP}.pdf?variant=receipt", CP_NAMED, granted=True),
    "VR print": Route("/records/{VR}.pdf", VR_VALUES, granted=True),
    "RS print": Route("/records/{RS}.pdf", RS_VALUES, granted=True),
    "RS page (signed copy scan)": Route("/records/{RS}", ((RS_SCAN, RS_SCAN_WITHHELD),), granted=True),
    "RS print (signed copy scan)": Route("/records/{RS}.pdf", ((RS_SCAN, RS_SCAN_WITHHELD),), granted=True),
    "API record RS (signed copy scan)": Route("/api/v1/records/{RS}", ((RS_SCAN, RS_SCAN_API_WITHHELD),),
                                              api=True, granted=True),
    "search page RS (signed copy scan)": Route("/search?q=P20240315001", ((RS_SCAN, RS_SCAN_WITHHELD),),
                                               seen_by=NOBODY, maybe=frozenset(ROLES)),
    "RS customer copy": Route("/records/{RS}.pdf?variant=customer", ((RS_NAME, RS_NAME_MASKED),),
                              granted=True),
    "RS page (customer signature)": Route("/records/{RS}", ((RS_SIG_PATH, "—"),), granted=True),
    "API record RS (customer signature)": Route("/api/v1/records/{RS}", ((RS_SIG_API, "P20240315001"),),
                                                api=True, granted=True),
    "record list": Route("/records?scope=department", NAMES),
    "inbox": Route("/inbox", ((VR_NAME, VR_NAME_MASKED), (RS_NAME, RS_NAME_MASKED)),
                   seen_by=frozenset({"supervisor"}), maybe=frozenset(ROLES)),
    "search page": Route("/search?q=学区", ((VR_NAME, VR_NAME_MASKED),), granted=True),
    "search page CP": Route("/search?q=划痕", CP_NAMED, granted=True),
    "search page RS": Route("/search?q=P20240315001", ((RS_NAME, RS_NAME_MASKED),), granted=True),
    "search page by a phone as typed": Route("/search?q=139+1234+5679", CP_NAMED, granted=True),
    "RS filing": Route("/filing/RS?month=2026-03", ((RS_NAME, RS_NAME_MASKED),)),
    "RS filing catalogue PDF": Route("/filing/RS.pdf?month=2026-03", ((RS_NAME, RS_NAME_MASKED),)),
    "day register": Route("/registrations/day?day=2026-03-02", ((VR_NAME, VR_NAME_MASKED),)),
    "statistics": Route("/stats/complaints", EVERY_VALUE, seen_by=NOBODY),
    "statistics CSV": Route("/stats/complaints.csv", EVERY_VALUE, seen_by=NOBODY),
    "archive filing queue": Route("/archive/", ((CP2_NAME, CP2_NAME_MASKED),), seen_by=OFFICE),
    "archive catalogue": Route("/archive/catalogue?form=CP&year=2026", CP_NAMED,
                               seen_by=OFFICE),
    "archive catalogue CSV": Route("/archive/catalogue?form=CP&year=2026&format=csv",
                                   CP_NAMED, seen_by=OFFICE),
    "archive catalogue PDF": Route("/archive/catalogue?form=CP&year=2026&format=pdf",
                                   CP_NAMED, seen_by=OFFICE),
    "item catalogue": Route("/archive/catalogue/items?year=2026", CP_NAMED, seen_by=OFFICE),
    "item catalogue CSV": Route("/archive/catalogue/items?year=2026&format=csv", CP_NAMED, seen_by=OFFICE),
    "item catalogue PDF": Route("/archive/catalogue/items?year=2026&format=pdf", CP_NAMED, seen_by=OFFICE),
    "hold search preview": Route("/archive/holds/{hold}?q=划痕", CP_NAMED, seen_by=OFFICE),
    "disposal due list": Route("/archive/disposal", CP_NAMED, seen_by=OFFICE),
    "auditor's list of reveals": Route("/audit/reveals", EVERY_VALUE, seen_by=NOBODY),
    "API record CP": Route("/api/v1/records/{CP}", CP_VALUES, api=True, granted=True),
    "API record VR": Route("/api/v1/records/{VR}", VR_VALUES, api=True, granted=True),
    "API record RS": Route("/api/v1/records/{RS}", RS_VALUES, api=True, granted=True),
    "API print CP": Route("/api/v1/records/{CP}/pdf", CP_VALUES, api=True, granted=True),
    "API actions CP": Route("/api/v1/records/{CP}/actions", CP_VALUES, api=True, seen_by=NOBODY),
    "API search": Route("/api/v1/search?q=学区", ((VR_NAME, VR_NAME_MASKED),), api=True, granted=True),
    "API search by phone tail": Route("/api/v1/search?q=5679", CP_NAMED, api=True, granted=True),
    "API record list": Route("/api/v1/records", NAMES, api=True),
    "API revisions CP": Route("/api/v1/records/{CP}/revisions",
                              (*CP_VALUES, (CP_OLD_PHONE, CP_OLD_PHONE_MASKED)), api=True, granted=True),
    "API inbox": Route("/api/v1/inbox", ((VR_NAME, VR_NAME_MASKED), (RS_NAME, RS_NAME_MASKED)), api=True,
                       seen_by=frozenset({"supervisor"}), maybe=frozenset(ROLES)),
    "API day register": Route("/api/v1/registrations/day?day=2026-03-02", VR_VALUES, api=True),
    "API RS filing": Route("/api/v1/filing/RS?month=2026-03", ((RS_NAME, RS_NAME_MASKED),), api=True),
    "API statistics": Route("/api/v1/stats/complaints", EVERY_VALUE, api=True, seen_by=NOBODY),
    "API archive filing queue": Route("/api/v1/archive/filing-queue", ((CP2_NAME, CP2_NAME_MASKED),),
                                      api=True, seen_by=OFFICE),
    "API disposal due list": Route("/api/v1/archive/disposal/due", CP_NAMED, api=True, seen_by=OFFICE),
    "API archive catalogue": Route("/api/v1/archive/catalogue?form=CP&year=2026", CP_NAMED,
                                   api=True, seen_by=OFFICE),
    "API item catalogue": Route("/api/v1/archive/catalogue/items?year=2026", CP_NAMED, api=True,
                                seen_by=OFFICE),
}


@dataclass
class Office:
    app: Flask
    codes: dict[str, str]
    clients: dict[str, FlaskClient]
    tokens: dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def office(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    directory = tmp_path_factory.mktemp("disclosure")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DOSSIER_INSTANCE", str(directory))
        patch.delenv("DOSSIER_DATABASE_URL", raising=False)
        shutil.copy(template_db, directory / "dossier.sqlite3")
        clock = FrozenClock(START)
        app = make_app(f"sqlite:///{directory / 'dossier.sqlite3'}", clock)
        codes = _records(app)
        clock.advance(days=DAYS_TO_2030)  # the filed complaint's retention has run out
        codes["hold"] = _hold(app)
        _grant(app, codes)
        clients, tokens = {}, {}
        for role in ROLES:
            clients[role] = app.test_client()
            login(clients[role], role)
            with app.app_context():
                token = accounts.create_token(services().db, services().clock, role, "matrix")
            tokens[role] = {"Authorization": f"Bearer {token}"}
        yield Office(app, codes, clients, tokens)
        with app.app_context():
            services().db.dispose()


def _records(app: Flask) -> dict[str, str]:
    """CP (corrected, closed, filed), CP2 (closed, not filed), VR, RS and AR, all by ``clerk``."""
    with app.app_context():
        s = services()
        accounts.create_user(s.db, s.clock, username="clerk2", password=PASSWORD, role="clerk",
                             department_code="CS", display_name="Clerk Two")
        clerk = actor_of(app, "clerk")

        def new(form: str, data: dict[str, Any]) -> str:
            return submit(s.db, s.clock, s.zone, clerk, form, data).code

        codes = {
            "CP": new("CP", {"channel": "phone", "received_at": "2026-03-02T09:00:00+08:00",
                             "customer_name": CP_NAME, "phone": CP_OLD_PHONE, "complaint": "包装破损划痕"}),
            "VR": new("VR", {"visit_date": "2026-03-02", "customer_name": VR_NAME, "phone": VR_PHONE,
                             "needs": "学区三居室", "receiving_staff": "clerk"}),
            "RS": new("RS", {**RS_DATA, "policyholder": RS_NAME, "phone": RS_PHONE,
                             "customer_signature": {"strokes": RS_SIGNATURE},
                             "signed_copy_scan": stored_files(app, (RS_SCAN, photo_jpeg()[1]))}),
            "AR": new("AR", {"applicant_department": "CS", "records_wanted": "CP-2026", "purpose": "audit",
                             "reason": AR_REASON, "period_from": "2026-03-02", "period_to": "2026-03-09"}),
        }
    step(app, codes["CP"], "correct", "supervisor", {"phone": CP_PHONE}, reason="号码记错")
    close_complaint(app, codes["CP"])
    work_outbox(app)  # files the complaint, indexes everything
    with app.app_context():
        codes["CP2"] = new("CP", {"channel": "phone", "received_at": "2026-03-02T09:00:00+08:00",
                                  "customer_name": CP2_NAME, "phone": "13912340003", "complaint": "迟发"})
    close_complaint(app, codes["CP2"])  # no outbox run: waits to be filed
    return codes


def _grant(app: Flask, codes: dict[str, str]) -> None:
    """``granted`` (a SALES clerk) files an AR for the CP, VR and RS records; the archivist approves."""
    with app.app_context():
        s = services()
        accounts.create_user(s.db, s.clock, username="granted", password=PASSWORD, role="clerk",
                             department_code="SALES", display_name="Granted")
        today = s.clock.now().astimezone(s.zone).date().isoformat()
        wanted = " ".join(codes[form] for form in ("CP", "VR", "RS"))
        ar = submit(s.db, s.clock, s.zone, actor_of(app, "granted"), "AR", {
            "applicant_department": "SALES", "records_wanted": wanted, "purpose": "complaint",
            "reason": "跟进客户投诉", "period_from": today, "period_to": today}).code
    step(app, ar, "approve", "archivist")


def _hold(app: Flask) -> str:
    from archive import holds

    with app.app_context():
        s = services()
        hold = holds.create_hold(s.db, s.clock, actor_of(app, "archivist"), name="诉讼", reason="客户起诉",
                                 owner="archivist")
    return str(hold.id)


def body(response: TestResponse) -> str:
    """What a person (or an integrator) reads of the response: PDF text, JSON, page, CSV."""
    from tests.support.pdf import text_of

    if response.mimetype == "application/pdf":
        return text_of(response.data)
    if response.is_json:
        return json.dumps(response.json, ensure_ascii=False)
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(ROUTES))
def test_personal_values_are_whole_only_for_those_who_need_them(office: Office, name: str, role: str) -> None:
    route = ROUTES[name]
    url = route.url.format(**office.codes)
    if route.api:
        response = office.app.test_client().get(url, headers=office.tokens[role])
    else:
        response = office.clients[role].get(url)
    text, expected = body(response), route.expected(role)
    assert response.status_code < 500, (name, role, response.status_code)
    for whole, masked in route.values:
        if expected == WHOLE:
            assert whole in text, f"{name} as {role}: {whole} not shown ({response.status_code})"
        elif expected != ANY:
            assert whole not in text, f"{name} as {role}: {whole} shown whole"
        if expected == MASKED:
            assert masked in text, f"{name} as {role}: {masked} not shown ({response.status_code})"


def test_a_form_without_personal_fields_shows_whole_to_all_who_see_it(office: Office) -> None:
    for role in ROLES:
        text = body(office.clients[role].get(f"/records/{office.codes['AR']}"))
        assert (AR_REASON in text) is (role not in ("sales", "granted")), role


@pytest.mark.parametrize("role", ROLES)
def test_a_personal_fields_file_is_served_only_to_those_who_need_it(office: Office, role: str) -> None:
    """The file routes of RS's signed copy scan (page: original and thumbnail; API: original):
    to those who read the field whole, refused (403) to everyone else, the granted clerk
    included (no need)."""
    code = office.codes["RS"]
    api = office.app.test_client().get(f"/api/v1/records/{code}", headers=office.tokens["clerk"])
    [scan] = api.json["data"]["signed_copy_scan"]
    for suffix in ("", "/thumb"):
        served = office.clients[role].get(f"/records/{code}/files/{scan['sha256']}{suffix}")
        assert served.status_code == (200 if role in NEED else 403), (role, suffix, served.status_code)
    over_api = office.app.test_client().get(f"/api/v1/records/{code}/files/{scan['sha256']}",
                                            headers=office.tokens[role])
    assert over_api.status_code == (200 if role in NEED else 403), (role, "API", over_api.status_code)
