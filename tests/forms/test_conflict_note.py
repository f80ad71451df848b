"""The note on a visit registration filed as a conflict names the claim's holder (display name)
and until when, and links the earlier record only for a reader who may open it (no 403 link)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

NOW = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _real_clock_fractions(clock):  # type: ignore[no-untyped-def]
    clock.current = NOW


def register(client, headers, staff: str, **more):  # type: ignore[no-untyped-def]
    data = {"visit_date": "2026-03-02", "customer_name": "周女士", "phone": "13700001111", "needs": "三居室",
            "receiving_staff": staff}
    return client.post("/api/v1/records", headers=headers, json={"form": "VR", "data": data, **more})


def test_the_conflict_note_names_the_holder_without_a_link_the_reader_cannot_open(  # type: ignore[no-untyped-def]
        client, token_for, logged_in):
    first = register(client, token_for("sales"), "sales").json["code"]
    clerk = token_for("clerk")  # customer service: another department, cannot open the sales record
    code = register(client, clerk, "clerk", confirm_conflict=True).json["code"]
    page = logged_in("clerk").get(f"/records/{code}", headers=ENGLISH)
    assert "registered earlier by Sales, whose claim runs until 2026-04-02" in page.text
    assert f'href="/records/{first}"' not in page.text
    assert logged_in("clerk").get(f"/records/{first}").status_code == 403  # why there is no link
    supervisor = logged_in("supervisor")  # customer service's supervisor: sees the clerk's record
    assert f'href="/records/{first}"' not in supervisor.get(f"/records/{code}").text


def test_the_conflict_note_links_the_earlier_record_for_those_who_can_open_it(  # type: ignore[no-untyped-def]
        client, token_for, logged_in):
    first = register(client, token_for("sales"), "sales").json["code"]
    code = register(client, token_for("sales_boss"), "sales_boss", confirm_conflict=True).json["code"]
    page = logged_in("sales_boss").get(f"/records/{code}", headers=ENGLISH)
    assert f'href="/records/{first}"' in page.text
    assert "registered earlier by Sales, whose claim runs until 2026-04-02" in page.text
    archivist = logged_in("archivist").get(f"/records/{code}")  # the records office opens every record
    assert f'href="/records/{first}"' in archivist.text and "其认领有效期至 2026-04-02" in archivist.text
