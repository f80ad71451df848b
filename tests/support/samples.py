"""Complete, valid records of the renewal register (RS) for tests, and submitting them through
the API. (The complaint's is ``tests.support.instance.VALID_CP``.)"""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

#: A renewal register with two visit rows and a two-line reason: what a printed handout shows.
RS_DATA = {"policy_no": "P20240315001", "policyholder": "郑红梅", "phone": "13655556666",
           "due_date": "2026-01-20", "instalment": 3, "policy_state": "lapsed",
           "service_staff": "clerk", "nonpayment_reason": "资金周转困难\n下月再联系",
           "visits": [{"visit_date": "2026-02-25", "method": "phone", "notes": "客户称本月资金紧张"},
                      {"visit_date": "2026-03-01", "method": "face", "notes": "已当面说明复效流程"}],
           "customer_signature": {"on_paper": True}}  # RS v4: the customer signs when met face-to-face


def register_rs(client: FlaskClient, headers: dict[str, str], **changes: Any) -> str:
    """``RS_DATA`` with ``changes`` submitted through the API (201 asserted); its code."""
    response = client.post("/api/v1/records", headers=headers,
                           json={"form": "RS", "data": {**RS_DATA, **changes}})
    assert response.status_code == 201, response.json
    return str(response.json["code"])
