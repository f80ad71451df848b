from tests.support.instance import VALID_CP, csrf_token


def test_clerk_submits_a_complaint_and_gets_a_code(logged_in):
    client = logged_in("clerk")
    page = client.get("/forms/CP/new")
    response = client.post("/forms/CP/new", data={
        "csrf_token": csrf_token(page.text), "action": "submit", "channel": "phone",
        "received_at": "2026-03-02 09:00", "customer_name": "测试客户",
        "phone": "138 0013 8000", "complaint": "产品表面划痕"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/records/CP-2026-000001"
    record = client.get("/records/CP-2026-000001")
    assert "测试客户" in record.text and "13800138000" in record.text


def test_missing_phone_is_reported_in_chinese(logged_in):
    client = logged_in("clerk")
    page = client.get("/forms/CP/new", headers={"Accept-Language": "zh-CN"})
    response = client.post("/forms/CP/new", headers={"Accept-Language": "zh-CN"}, data={
        "csrf_token": csrf_token(page.text), "action": "submit", "channel": "phone",
        "received_at": "2026-03-02 09:00", "customer_name": "测试客户", "complaint": "划痕"})
    assert response.status_code == 422
    assert "出现以下问题" in response.text
    assert '<a href="#phone">联系电话：此项必填。</a>' in response.text
    assert 'value="测试客户"' in response.text  # input kept


def test_the_error_summary_follows_the_page_order(logged_in):
    """The checks find problems in their own order (a bad number before a missing field); the
    summary lists them as the fields stand on the page."""
    client = logged_in("clerk")
    page = client.get("/forms/CP/new", headers={"Accept-Language": "zh-CN"})
    response = client.post("/forms/CP/new", headers={"Accept-Language": "zh-CN"}, data={
        "csrf_token": csrf_token(page.text), "action": "submit", "quantity": "twelve"})
    assert response.status_code == 422
    summary = response.text.split('id="error-summary"', 1)[1].split("</ul>", 1)[0]
    links = [summary.index(f'href="#{name}') for name in ("channel", "received_at", "phone", "quantity")]
    assert links == sorted(links), summary


def test_a_code_typed_in_lower_case_leads_to_the_record(logged_in):
    client = logged_in("clerk")
    page = client.get("/forms/CP/new")
    client.post("/forms/CP/new", data={
        "csrf_token": csrf_token(page.text), "action": "submit", "channel": "phone",
        "received_at": "2026-03-02 09:00", "customer_name": "测试客户",
        "phone": "138 0013 8000", "complaint": "产品表面划痕"})
    typed = client.get("/records/cp-2026-000001")
    assert typed.status_code == 301 and typed.headers["Location"] == "/records/CP-2026-000001"
    assert client.get("/records/cp-2026-000099", follow_redirects=True).status_code == 404
    short = client.get("/records/cp-2026-1")  # written short, as search and holds read it
    assert short.status_code == 301 and short.headers["Location"] == "/records/CP-2026-000001"


def test_the_api_reads_a_code_written_short(client, token_for):  # type: ignore[no-untyped-def]
    headers = token_for("clerk")
    made = client.post("/api/v1/records", headers=headers, json={"form": "CP", "data": VALID_CP})
    assert made.status_code == 201
    for written in ("cp-2026-1", "CP-2026-01", "cp-2026-000001"):
        read = client.get(f"/api/v1/records/{written}", headers=headers)
        assert read.status_code == 200 and read.json["code"] == "CP-2026-000001", written
    assert client.get("/api/v1/records/cp-2026-2", headers=headers).status_code == 404
