"""AR: approval opens exactly the listed records to the applicant for the requested days; every
read under the grant is audited with the request's code; nothing else opens, nothing is writable."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from core.audit.models import AuditEvent
from core.web import services
from tests.support.instance import VALID_CP


def request(client, headers, wanted: str, first: str = "2026-03-02", last: str = "2026-03-03"):  # type: ignore[no-untyped-def]
    data = {"applicant_department": "SALES", "records_wanted": wanted, "purpose": "complaint",
            "reason": "跟进客户投诉", "period_from": first, "period_to": last}
    response = client.post("/api/v1/records", headers=headers, json={"form": "AR", "data": data})
    assert response.status_code == 201, response.json
    return response.json["code"]


def test_approval_opens_exactly_the_listed_records_for_the_period(app, client, clock, token_for):  # type: ignore[no-untyped-def]
    clerk, sales, archivist = token_for("clerk"), token_for("sales"), token_for("archivist")
    wanted, other = (client.post("/api/v1/records", headers=clerk, json={"form": "CP", "data": VALID_CP})
                     .json["code"] for _ in range(2))
    refused = client.get(f"/api/v1/records/{wanted}", headers=sales)
    assert refused.status_code == 403 and "file an archive access request (AR)" in refused.json["error"]

    ar = request(client, sales, f"{wanted.lower()} 客户投诉\n")
    assert client.get(f"/api/v1/records/{wanted}", headers=sales).status_code == 403  # not yet approved
    approved = client.post(f"/api/v1/records/{ar}/actions/approve", headers=archivist, json={})
    assert approved.status_code == 200, approved.json

    opened = client.get(f"/api/v1/records/{wanted}", headers=sales)
    assert opened.status_code == 200 and opened.json["code"] == wanted
    assert client.get(f"/api/v1/records/{wanted}/pdf", headers=sales).status_code == 200
    assert client.get(f"/api/v1/records/{other}", headers=sales).status_code == 403
    client.post(f"/api/v1/records/{wanted}/actions/classify", headers=token_for("supervisor"), json={
        "fields": {"cause_class": "quality", "level": "1", "responsible_department": "CS"}})
    assert client.get(f"/api/v1/records/{wanted}/actions", headers=clerk).json["actions"]  # investigate
    assert client.get(f"/api/v1/records/{wanted}/actions", headers=sales).json["actions"] == []  # read only
    assert client.post(f"/api/v1/records/{wanted}/actions/correct", headers=sales,
                       json={"fields": {"phone": "13900139000"}, "reason": "x"}).status_code == 403
    with app.app_context(), services().db.reading() as session:
        reads = session.execute(select(AuditEvent.action, AuditEvent.detail).where(
            AuditEvent.object_id == wanted, AuditEvent.action.in_(["record.read", "record.print"]))).all()
    assert {(action, detail.get("grant")) for action, detail in reads if detail.get("grant")} == {
        ("record.read", ar), ("record.print", ar)}

    clock.current = datetime(2026, 3, 3, 15, 59, 59, tzinfo=UTC)  # 23:59:59 on the last day, Shanghai
    assert client.get(f"/api/v1/records/{wanted}", headers=sales).status_code == 200
    clock.current = datetime(2026, 3, 3, 16, 0, 0, tzinfo=UTC)  # midnight: the period is over
    assert client.get(f"/api/v1/records/{wanted}", headers=sales).status_code == 403


def test_a_request_must_name_existing_records_and_a_sane_period(client, token_for):  # type: ignore[no-untyped-def]
    sales, archivist = token_for("sales"), token_for("archivist")
    for wanted, first, last, field, message in [
        ("CP-2026-999999", "2026-03-02", "2026-03-03", "records_wanted", "No such record: CP-2026-999999."),
        ("上个月的全部投诉", "2026-03-02", "2026-03-03", "records_wanted", "Names no record code"),
        ("CP-2026-999999", "2026-03-05", "2026-03-03", "period_to", "Ends before the period starts."),
    ]:
        ar = request(client, sales, wanted, first, last)
        response = client.post(f"/api/v1/records/{ar}/actions/approve", headers=archivist, json={})
        assert response.status_code == 422 and message in response.json["fields"][field]
        assert client.get(f"/api/v1/records/{ar}", headers=archivist).json["state"] == "requested"


def test_a_denied_request_opens_nothing(client, token_for):  # type: ignore[no-untyped-def]
    clerk, sales, archivist = token_for("clerk"), token_for("sales"), token_for("archivist")
    wanted = client.post("/api/v1/records", headers=clerk, json={"form": "CP", "data": VALID_CP}).json["code"]
    ar = request(client, sales, wanted)
    denied = client.post(f"/api/v1/records/{ar}/actions/deny", headers=archivist,
                         json={"reason": "无业务需要"})
    assert denied.status_code == 200
    assert client.get(f"/api/v1/records/{wanted}", headers=sales).status_code == 403


def test_granted_records_are_found_by_search_and_nothing_else_is(app, client, token_for):  # type: ignore[no-untyped-def]
    clerk, sales, archivist = token_for("clerk"), token_for("sales"), token_for("archivist")
    data = {**VALID_CP, "complaint": "冷藏柜压缩机异响"}
    wanted, other = (client.post("/api/v1/records", headers=clerk, json={"form": "CP", "data": data})
                     .json["code"] for _ in range(2))
    ar = request(client, sales, wanted)
    app.test_cli_runner().invoke(args=["outbox", "run", "--once"])

    def found() -> set[str]:
        response = client.get("/api/v1/search", query_string={"q": "压缩机异响"}, headers=sales)
        assert response.status_code == 200, response.json
        return {hit["code"] for hit in response.json["hits"]}

    assert found() == set()
    client.post(f"/api/v1/records/{ar}/actions/approve", headers=archivist, json={})
    assert found() == {wanted} and other not in found()


def test_a_saved_search_is_frozen_into_grants_at_approval(app, client, token_for):  # type: ignore[no-untyped-def]
    clerk, sales, archivist = token_for("clerk"), token_for("sales"), token_for("archivist")
    found_then = [client.post("/api/v1/records", headers=clerk, json={"form": "CP", "data": {
        **VALID_CP, "complaint": "冷藏柜压缩机异响"}}).json["code"] for _ in range(2)]
    unrelated = client.post("/api/v1/records", headers=clerk,
                            json={"form": "CP", "data": VALID_CP}).json["code"]
    app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    # q=压缩机异响, as the browser's address bar shows the search page
    link = "http://127.0.0.1:5000/search?q=%E5%8E%8B%E7%BC%A9%E6%9C%BA%E5%BC%82%E5%93%8D&form=CP"
    ar = request(client, sales, f"上月压缩机投诉：{link}")
    approved = client.post(f"/api/v1/records/{ar}/actions/approve", headers=archivist, json={})
    assert approved.status_code == 200, approved.json
    later = client.post("/api/v1/records", headers=clerk, json={"form": "CP", "data": {
        **VALID_CP, "complaint": "压缩机异响又出现"}}).json["code"]
    app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    for code in found_then:
        assert client.get(f"/api/v1/records/{code}", headers=sales).status_code == 200
    for code in (unrelated, later):  # not found by the search, or found only after the approval
        assert client.get(f"/api/v1/records/{code}", headers=sales).status_code == 403
    with app.app_context(), services().db.reading() as session:
        detail = session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "access.grant"))
    assert sorted(detail["codes"]) == sorted(found_then)


def test_a_bad_saved_search_stops_the_approval_with_a_reason(client, token_for):  # type: ignore[no-untyped-def]
    ar = request(client, token_for("sales"), "/search?sort=sideways")
    refused = client.post(f"/api/v1/records/{ar}/actions/approve", headers=token_for("archivist"), json={})
    assert refused.status_code == 422 and "cannot be used: sort" in refused.json["fields"]["records_wanted"]
