"""The archival reference (档号) as text: its levels written and read back, junk refused naming
the level, retention codes and their labels, and the settings it is built from (refused at start
when a code cannot stand in a level)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.archival_codes import ArchivalReference, ArchivalScheme, retention_code, retention_label
from archive.retention import ClassView
from core.config import ConfigError, instance_paths, load_config

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


def test_the_example_of_da_t_22_is_written_and_read_as_given() -> None:
    reference = ArchivalReference("Q012", "WS", 2026, "D10", "KF", 42)
    assert reference.text == "Q012-WS·2026-D10-KF-0042"
    assert ArchivalReference.parse("Q012-WS·2026-D10-KF-0042") == reference
    assert ArchivalReference("Q012", "WS", 2026, "Y", "KF", 12345).text == "Q012-WS·2026-Y-KF-12345"


@given(references)
def test_text_reads_back_into_the_same_levels(reference: ArchivalReference) -> None:
    text = reference.text
    assert ArchivalReference.parse(text) == reference
    assert len(text) <= 39 and text.count("·") == 1 and text.count("-") == 4


@given(st.text(max_size=60))
def test_any_text_is_either_a_reference_written_one_way_or_refused_with_a_message(text: str) -> None:
    try:
        reference = ArchivalReference.parse(text)
    except ValueError as refused:
        assert str(refused).strip(), "a refusal must say what is wrong"
    else:
        assert reference.text == text


@given(references, st.sampled_from(["fonds", "category", "year", "retention", "organisation", "item"]),
       st.sampled_from(["", "-", "·", "a", "Ü", " ", "A B", "档"]))
def test_a_broken_level_is_refused_naming_that_level(reference: ArchivalReference, level: str,
                                                    junk: str) -> None:
    levels = {"fonds": reference.fonds, "category": reference.category, "year": str(reference.year),
              "retention": reference.retention, "organisation": reference.organisation,
              "item": f"{reference.item:04d}"}
    levels[level] = junk
    text = f"{levels['fonds']}-{levels['category']}·{levels['year']}-{levels['retention']}-" \
           f"{levels['organisation']}-{levels['item']}"
    with pytest.raises(ValueError) as refused:
        ArchivalReference.parse(text)
    assert str(refused.value)


@pytest.mark.parametrize(("text", "named"), [
    ("", "empty"),
    ("Q012-WS-2026-D10-KF-0042", "five levels"),
    ("Q012-WS·2026·X-D10-KF-0042", "five levels"),
    ("q012-WS·2026-D10-KF-0042", "fonds number (全宗号) “q012”"),
    ("Q012-文书·2026-D10-KF-0042", "category code (门类代码) “文书”"),
    ("Q012-WS·26-D10-KF-0042", "year (年度) “26”"),
    ("Q012-WS·2026-D010-KF-0042", "retention code (保管期限) “D010”"),
    ("Q012-WS·2026-P-KF-0042", "retention code (保管期限) “P”"),
    ("Q012-WS·2026-D10-K F-0042", "organisation code (机构（问题）代码) “K F”"),
    ("Q012-WS·2026-D10-KF-42", "item number (件号) “42”"),
    ("Q012-WS·2026-D10-KF-0000", "item number (件号) “0000”"),
    ("Q012-WS·2026-D10-KF-00042", "item number (件号) “00042”"),
    ("Q012-WS·2026-D10-KF-" + "9" * 30, "too long"),
])
def test_junk_is_refused_naming_what_is_wrong(text: str, named: str) -> None:
    with pytest.raises(ValueError, match=named.replace("(", r"\(").replace(")", r"\)")):
        ArchivalReference.parse(text)


@pytest.mark.parametrize(("levels", "named"), [
    (("Q-1", "WS", 2026, "D10", "KF", 1), "fonds"),
    (("Q012", "WS", 2026, "D10", "KF", 0), "item number"),
    (("Q012", "WS", 2026, "D10", "KF", True), "item number"),
    (("Q012", "WS", 26, "D10", "KF", 1), "year"),
])
def test_a_reference_with_a_wrong_level_cannot_be_made(levels: tuple, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        ArchivalReference(*levels)


def _class(years: int, months: int, action: str) -> ClassView:
    return ClassView("c", "类", "class", years, months, "filing", None, True, action, "mandate")


def test_retention_codes_follow_da_t_22_and_read_for_people_in_both_languages() -> None:
    assert retention_code(_class(0, 0, "permanent")) == "Y"
    assert retention_code(_class(30, 0, "destroy")) == "D30"
    assert retention_code(_class(10, 0, "review")) == "D10"
    assert retention_code(_class(0, 6, "destroy")) == "D1"
    assert retention_code(_class(2, 3, "destroy")) == "D3"
    assert [retention_label("Y", "zh"), retention_label("D30", "zh"), retention_label("D3", "zh")] == \
        ["永久", "定期30年", "定期3年"]
    assert [retention_label("Y", "en"), retention_label("D30", "en"), retention_label("D1", "en")] == \
        ["Permanent", "30 years", "1 year"]
    with pytest.raises(ValueError, match="D07"):
        retention_label("D07", "en")


def test_the_scheme_maps_forms_and_departments_with_sensible_fallbacks() -> None:
    scheme = ArchivalScheme.from_config(load_config(instance_paths({"DOSSIER_INSTANCE": "/nonexistent"}),
                                                    {"ARCHIVAL_CATEGORIES": {"AR": "KJ"}}, environ={}))
    assert scheme.fonds == "Q012"
    assert (scheme.category("CP"), scheme.category("AR")) == ("WS", "KJ")
    assert [scheme.organisation(code) for code in ("CS", "SALES", "QA", "RENEWAL", "ARCHIVE")] == \
        ["KF", "XS", "ZL", "XU", "DA"]
    assert (scheme.organisation("legal-2"), scheme.organisation("后勤"), scheme.organisation(None)) == \
        ("LEGAL2", "ZH", "ZH")


@pytest.mark.parametrize(("overrides", "named"), [
    ({"ARCHIVAL_FONDS": "q012"}, "ARCHIVAL_FONDS: 'q012'"),
    ({"ARCHIVAL_FONDS": "Q0123456789"}, "ARCHIVAL_FONDS: 'Q0123456789'"),
    ({"ARCHIVAL_FONDS": 12}, "ARCHIVAL_FONDS: 12"),
    ({"ARCHIVAL_CATEGORIES": {"CP": "W-S"}}, "ARCHIVAL_CATEGORIES.CP: 'W-S'"),
    ({"ARCHIVAL_CATEGORIES": "WS"}, "ARCHIVAL_CATEGORIES: must be a table"),
    ({"ARCHIVAL_ORGANISATIONS": {"CS": "客服"}}, "ARCHIVAL_ORGANISATIONS.CS: '客服'"),
    ({"ARCHIVAL_ORGANISATIONS": {"CS": ""}}, "ARCHIVAL_ORGANISATIONS.CS: ''"),
])
def test_a_setting_that_cannot_be_a_level_is_refused_at_start_naming_it(overrides: dict, named: str,
                                                                      tmp_path) -> None:
    with pytest.raises(ConfigError) as refused:
        load_config(instance_paths({"DOSSIER_INSTANCE": str(tmp_path)}), overrides, environ={})
    assert str(refused.value).startswith(named)


def test_a_bad_code_in_config_toml_stops_the_app_naming_it(tmp_path) -> None:
    (tmp_path / "config.toml").write_text('[archival_organisations]\nCS = "K·F"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"ARCHIVAL_ORGANISATIONS\.CS: 'K·F'"):
        load_config(instance_paths({"DOSSIER_INSTANCE": str(tmp_path)}), environ={})
