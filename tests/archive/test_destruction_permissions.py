"""Who may name the witnesses of a destruction, confirm as one, and execute it — the same answer
on every way in: the list's page (with CSRF), the API (each person's own token) and the command
line (``archive dispose``, which executes only; witnesses confirm in the app, never at the
console). Every role of the test instance is tried at every step."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from archive import disposal, witnesses
from archive.models import DisposalWitness
from core.auth.models import User
from core.clock import FrozenClock
from core.web import services
from tests.support.instance import actor_of, csrf_token
from tests.support.lifecycle import DAYS_TO_2030, filed_complaints

OUTSIDERS = ("clerk", "supervisor", "sales", "sales_boss")  # not the records office: refused at the door
#: The answer for a refused value, by way in (the page shows its form again; the API: 422 for
#: naming and confirming, 409 for executing a list not ready).
REFUSED = {"page": (400, 400), "api": (422, 409)}


def approved(app: Flask, clock: FrozenClock) -> int:
    [code] = filed_complaints(app, 1)
    clock.advance(days=DAYS_TO_2030, microseconds=5)
    with app.app_context():
        s = services()
        listed = disposal.propose(s.db, s.clock, s.zone, actor_of(app, "archivist"), [code],
                                  "到期，经鉴定可销毁")
        disposal.decide(s.db, s.clock, actor_of(app, "admin"), listed.id, approve=True)
    return listed.id


Step = Callable[[str, str, dict[str, str]], int]


def page_step(app: Flask, list_id: int, logged_in: Callable[[str], FlaskClient]) -> Step:
    """POST one step of the list's page as ``who`` with a CSRF token from a page they may open."""
    clients: dict[str, FlaskClient] = {}

    def post(who: str, step: str, fields: dict[str, str]) -> int:
        client = clients.setdefault(who, logged_in(who))
        token = csrf_token(client.get("/profile").get_data(as_text=True))
        return client.post(f"/archive/disposal/{list_id}", data={"csrf_token": token, "step": step,
                                                                 **fields}).status_code
    return post


def api_step(app: Flask, list_id: int, token_for: Callable[[str], dict[str, str]]) -> Step:
    tokens: dict[str, dict[str, str]] = {}
    paths = {"witnesses": "witnesses", "confirm": "confirm", "execute": "execute"}

    def post(who: str, step: str, fields: dict[str, str]) -> int:
        headers = tokens.setdefault(who, token_for(who))
        body = {"witnesses": [fields["witness_1"], fields["witness_2"]]} if step == "witnesses" else None
        return app.test_client().post(f"/api/v1/archive/disposal-lists/{list_id}/{paths[step]}",
                                      headers=headers, json=body).status_code
    return post


def confirmed(app: Flask, list_id: int) -> dict[str, bool]:
    with app.app_context(), services().db.reading() as session:
        rows = session.execute(select(User.username, DisposalWitness.confirmed_at)
                               .join(User, User.id == DisposalWitness.user_id)
                               .where(DisposalWitness.list_id == list_id)).all()
    return {name: at is not None for name, at in rows}


@pytest.mark.parametrize("way", ["page", "api"])
def test_every_role_at_every_step(app: Flask, clock: FrozenClock, logged_in, token_for, way: str) -> None:  # type: ignore[no-untyped-def]
    list_id = approved(app, clock)
    post = page_step(app, list_id, logged_in) if way == "page" else api_step(app, list_id, token_for)
    done = 302 if way == "page" else 200
    value_refused, not_ready = REFUSED[way]
    pair = {"witness_1": "auditor", "witness_2": "admin"}

    for who in (*OUTSIDERS, "auditor"):  # naming is a keeper's (archivist, admin)
        assert post(who, "witnesses", pair) == 403, who
    assert post("admin", "witnesses", {"witness_1": "auditor", "witness_2": "archivist"}) == done
    assert post("archivist", "witnesses", pair) == done  # the executor names the pair it keeps
    assert confirmed(app, list_id) == {"auditor": False, "admin": False}

    assert post("archivist", "execute", {}) == not_ready  # nobody has confirmed
    for who in OUTSIDERS:
        assert post(who, "confirm", {}) == 403, who
    assert post("archivist", "confirm", {}) == value_refused  # not a witness
    assert post("auditor", "confirm", {}) == done
    assert post("auditor", "confirm", {}) == value_refused  # twice
    assert confirmed(app, list_id) == {"auditor": True, "admin": False}  # nobody confirms for another
    assert post("archivist", "execute", {}) == not_ready
    assert post("admin", "confirm", {}) == done

    for who in (*OUTSIDERS, "auditor"):
        assert post(who, "execute", {}) == 403, who
    assert post("admin", "execute", {}) == not_ready  # a witness does not execute
    assert post("archivist", "execute", {}) == done
    with app.app_context():
        assert disposal.get_list(services().db, actor_of(app, "archivist"), list_id).state == "executed"


def test_the_page_refuses_a_confirmation_without_its_csrf_token(app: Flask, clock: FrozenClock,
                                                                logged_in) -> None:  # type: ignore[no-untyped-def]
    list_id = approved(app, clock)
    with app.app_context():
        s = services()
        witnesses.name_witnesses(s.db, s.clock, actor_of(app, "archivist"), list_id, ("auditor", "admin"))
    answer = logged_in("auditor").post(f"/archive/disposal/{list_id}", data={"step": "confirm"})
    assert answer.status_code == 400
    assert confirmed(app, list_id) == {"auditor": False, "admin": False}


def test_the_command_line_executes_only_after_both_witnesses_confirmed(app: Flask,
                                                                      clock: FrozenClock) -> None:
    list_id = approved(app, clock)
    runner = app.test_cli_runner()
    early = runner.invoke(args=["archive", "dispose", str(list_id), "--by", "archivist"])
    assert early.exit_code != 0 and "监销人" in early.output
    with app.app_context():
        s = services()
        witnesses.name_witnesses(s.db, s.clock, actor_of(app, "archivist"), list_id, ("auditor", "admin"))
        witnesses.confirm(s.db, s.clock, actor_of(app, "auditor"), list_id)
    half = runner.invoke(args=["archive", "dispose", str(list_id), "--by", "archivist"])
    assert half.exit_code != 0 and "Admin（admin）" in half.output
    witness_app_confirm = runner.invoke(args=["archive", "confirm-witness", str(list_id), "--by", "admin"])
    assert witness_app_confirm.exit_code != 0  # no console command confirms for a witness
    with app.app_context():
        s = services()
        witnesses.confirm(s.db, s.clock, actor_of(app, "admin"), list_id)
    for who in ("auditor", "clerk"):
        refused = runner.invoke(args=["archive", "dispose", str(list_id), "--by", who])
        assert refused.exit_code != 0 and who in refused.output
    by_witness = runner.invoke(args=["archive", "dispose", str(list_id), "--by", "admin"])
    assert by_witness.exit_code != 0 and "监销人" in by_witness.output
    done = runner.invoke(args=["archive", "dispose", str(list_id), "--by", "archivist"])
    assert done.exit_code == 0, done.output


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=12),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                               max_size=2), max_leaves=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sent=JSON)
@example(sent=["auditor", "admin"])
@example(sent=["auditor", "auditor"])
@example(sent=["auditor"])
def test_any_witnesses_body_is_answered_never_a_500(app: Flask, clock: FrozenClock, token_for,  # type: ignore[no-untyped-def]
                                                    sent: object) -> None:
    """Whatever ``witnesses`` holds, the API answers 200 (two acceptable usernames) or 422
    naming the field, never 500."""
    list_id = getattr(app, "_witness_list", None) or approved(app, clock)
    app._witness_list = list_id  # type: ignore[attr-defined]
    answer = app.test_client().post(f"/api/v1/archive/disposal-lists/{list_id}/witnesses",
                                    headers=token_for("archivist"), json={"witnesses": sent})
    assert answer.status_code in (200, 422), answer.json
    if answer.status_code == 422:
        assert answer.json["fields"], answer.json
    else:
        assert sorted(sent) in (["admin", "auditor"],)  # type: ignore[arg-type]
