"""`flask demo`, which `./bootstrap.sh serve` runs: the office it makes must show the daily work
as it is, an overdue complaint included, and its scheduled jobs must not fail from day one."""

from __future__ import annotations

import hashlib
import tomllib
from datetime import datetime
from pathlib import Path

import pytest

from archive.files import content_key
from archive.stores import file_store
from core.clock import FrozenClock
from forms import demo
from forms.working_time import OFFICE_ZONE
from tests.support.clock import START


@pytest.fixture
def clock(request: pytest.FixtureRequest) -> FrozenClock:
    """The shared start (a Monday morning), or the moment a test names."""
    return FrozenClock(getattr(request, "param", START))


#: Whenever the demo runs, its old complaint is overdue: CP v6 counts working hours, and three
#: days back from the middle of National Day held none (it was due on 8 October).
@pytest.mark.parametrize("clock", [
    pytest.param(START, id="monday-morning"),
    pytest.param(datetime(2026, 10, 5, 10, 0, 0, 123456, tzinfo=OFFICE_ZONE), id="national-day"),
    pytest.param(datetime(2026, 2, 24, 8, 30, 0, 250000, tzinfo=OFFICE_ZONE), id="after-spring-festival"),
    pytest.param(datetime(2026, 3, 8, 21, 0, 0, 1, tzinfo=OFFICE_ZONE), id="sunday-evening"),
], indirect=True)
def test_the_demo_office_has_an_overdue_complaint_and_an_anonymiser(app, instance_dir, token_for) -> None:  # type: ignore[no-untyped-def]
    (instance_dir / "config.toml").write_text('[jobs]\nfixity_verify = 0\n', encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Sample records: 14 created." in result.output
    settings = tomllib.loads((instance_dir / "config.toml").read_text(encoding="utf-8"))
    assert settings == {"personal_anonymise_by": "archivist", "jobs": {"fixity_verify": 0}}
    overdue = app.test_client().get("/api/v1/records?form=CP&overdue=true",
                                    headers=token_for("supervisor")).json
    assert len(overdue["records"]) == 1 and "杭州明远物流" in overdue["records"][0]["title"]
    again = app.test_cli_runner().invoke(args=["demo"])
    assert "Sample records: already present." in again.output and "anonymisation" not in again.output


def test_a_named_anonymiser_is_kept(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('personal_anonymise_by = "keeper"\n', encoding="utf-8")
    assert demo.name_the_anonymiser(config) is False
    assert config.read_text(encoding="utf-8") == 'personal_anonymise_by = "keeper"\n'
    fresh = tmp_path / "fresh.toml"
    assert demo.name_the_anonymiser(fresh) is True
    assert tomllib.loads(fresh.read_text(encoding="utf-8")) == {"personal_anonymise_by": "archivist"}


def test_the_demo_complaint_has_two_drawn_photos_stored_by_content(app, token_for) -> None:  # type: ignore[no-untyped-def]
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    headers = token_for("clerk")
    record = app.test_client().get("/api/v1/records/CP-2026-000001", headers=headers).json
    photos = record["data"]["defect_photos"]
    assert [p["name"] for p in photos] == ["外包装破损.jpg", "表面划痕.jpg"]
    with app.app_context():  # the demo users' passwords are the demo's own: read the store
        stored = [file_store().get(content_key(photo["sha256"])) for photo in photos]
    assert [hashlib.sha256(data).hexdigest() for data in stored] == [photo["sha256"] for photo in photos]


def test_every_demo_department_with_clerks_has_a_supervisor_who_reads_their_records(app) -> None:  # type: ignore[no-untyped-def]
    """The walk found the renewal clerk's registers could not be finished: the only demo
    supervisor was Customer Service's, refused on them."""
    from core.auth import accounts
    from core.web import services

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        s = services()
        tokens = {name: accounts.create_token(s.db, s.clock, name, "test")
                  for name in ("renewal", "renewal_boss", "sales", "sales_boss", "supervisor")}
    client = app.test_client()

    def codes(who: str, form: str) -> list[str]:
        bearer = {"Authorization": f"Bearer {tokens[who]}"}
        listed = client.get(f"/api/v1/records?form={form}", headers=bearer)
        return [record["code"] for record in listed.json["records"]]

    for clerk, boss, form in (("renewal", "renewal_boss", "RS"), ("sales", "sales_boss", "VR")):
        theirs = codes(clerk, form)
        assert theirs and set(theirs) <= set(codes(boss, form)), (clerk, boss)
        assert not set(theirs) & set(codes("supervisor", form))  # another department's supervisor


def test_the_demo_office_has_customers_with_several_records(app, token_for) -> None:  # type: ignore[no-untyped-def]
    """A fresh office shows one view of a customer: 上海恒丰's two complaints (the phone written
    two ways) and 郑红梅's renewal register beside her complaint; and a request to answer."""
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    client = app.test_client()
    for number, forms in (("138 0013 8000", ["CP", "CP"]), ("13655556666", ["CP", "RS"])):
        found = client.get("/api/v1/customers", query_string={"number": number}, headers=token_for("admin"))
        assert found.status_code == 200, found.json
        assert sorted(r["form"] for r in found.json["records"]) == forms, number
    requests = client.get("/api/v1/records?form=PR", headers=token_for("clerk")).json["records"]
    assert [r["state"] for r in requests] == ["registered"]
