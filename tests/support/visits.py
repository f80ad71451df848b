"""Visit registrations (VR) submitted through the API, as the sales office's clients send them."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient


def register_visit(client: FlaskClient, headers: dict[str, str], staff: str, day: str,
                   phone: str = "13700001111", **more: Any) -> Any:
    """A registration received by ``staff``, filed as a conflict if it is one (the warning is
    tested in test_visit_conflicts); the API's answer (201 asserted)."""
    data = {"visit_date": day, "customer_name": "周女士", "phone": phone, "needs": "三居室",
            "receiving_staff": staff, **more}
    response = client.post("/api/v1/records", headers=headers,
                           json={"form": "VR", "data": data, "confirm_conflict": True})
    assert response.status_code == 201, response.json
    return response.json


def sales_visit(client: FlaskClient, headers: dict[str, str], day: str, phone: str) -> str:
    """A registration received by ``sales``, sent without confirming a conflict; its code."""
    data = {"visit_date": day, "customer_name": "周女士", "phone": phone, "needs": "三居室",
            "receiving_staff": "sales"}
    response = client.post("/api/v1/records", headers=headers, json={"form": "VR", "data": data})
    assert response.status_code == 201, response.json
    return str(response.json["code"])
