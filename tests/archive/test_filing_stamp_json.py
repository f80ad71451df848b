"""The filing stamp's values (archive/filing_stamp.py) for any 档号: the six cells in DA/T 22's
order, the attached JSON's ``filing_stamp`` reading back as the same 档号, and the content
fingerprint recoverable from a stamped copy's JSON whatever the record's data holds."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from archive.archival_codes import ArchivalReference, retention_label
from archive.content import canonical_json
from archive.filing_stamp import PAGES, content_of_attached, stamp_cells, stamp_json, stamped_json

CAPS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

references = st.builds(
    ArchivalReference,
    fonds=st.text(CAPS, min_size=1, max_size=8),
    category=st.text(CAPS, min_size=1, max_size=4),
    year=st.integers(1000, 9999),
    retention=st.one_of(st.just("Y"), st.integers(1, 999).map(lambda years: f"D{years}")),
    organisation=st.text(CAPS, min_size=1, max_size=8),
    item=st.integers(1, 999_999),
)
#: What a record's data may hold: any JSON (Chinese text, nesting, numbers, nulls).
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)


def content_document(data: dict[str, Any]) -> dict[str, Any]:
    return {"format": "dossier.record/1", "code": "CP-2026-000001", "revision": 3, "data": data}


def test_the_example_stamp_reads_as_da_t_22_lays_it_out() -> None:
    reference = ArchivalReference("Q012", "WS", 2026, "D10", "KF", 42)
    assert stamp_cells(reference) == [[("全宗号", "Q012"), ("年度", "2026"), ("件号", "0042")],
                                      [("保管期限", "定期10年"), ("机构（问题）", "KF"), ("页数", PAGES)]]
    assert stamp_json(reference, 2) == {
        "archival_code": "Q012-WS·2026-D10-KF-0042", "fonds": "Q012", "year": 2026, "item": "0042",
        "retention": "D10", "retention_label": "定期10年", "organisation": "KF", "pages": 2}


@given(references, st.integers(1, 500))
def test_the_stamps_values_are_the_references_levels(reference: ArchivalReference, pages: int) -> None:
    values = stamp_json(reference, pages)
    assert ArchivalReference.parse(values["archival_code"]) == reference
    assert ArchivalReference(values["fonds"], reference.category, values["year"], values["retention"],
                             values["organisation"], int(values["item"])) == reference
    [(fonds, year, item), (retention, organisation, counted)] = stamp_cells(reference)
    assert (fonds[1], year[1], item[1]) == (values["fonds"], str(values["year"]), values["item"])
    assert retention[1] == retention_label(reference.retention, "zh")
    assert organisation[1] == reference.organisation
    assert counted == ("页数", PAGES) and len(item[1]) >= 4


@given(references, st.integers(1, 500), st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_the_fingerprint_is_recovered_from_a_stamped_copys_json(reference: ArchivalReference, pages: int,
                                                               data: dict[str, Any]) -> None:
    content = canonical_json(content_document(data))
    attached = stamped_json(content, stamp_json(reference, pages))
    assert json.loads(attached)["filing_stamp"]["archival_code"] == reference.text
    assert content_of_attached(attached) == content
    assert hashlib.sha256(content_of_attached(attached)).hexdigest() == hashlib.sha256(content).hexdigest()
    assert content_of_attached(content) == content  # an unstamped copy's JSON is the content itself
