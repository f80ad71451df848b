"""phone_key and the keyed digests: any spelling of one number is one key, different numbers
differ, junk is no key, and the digest holds no number in clear."""

from __future__ import annotations

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from forms.customers.keys import CustomerKey, key_of, phone_key, record_keys

mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
landlines = st.tuples(st.from_regex(r"0(10|2[0-9]|[3-9][0-9]{2})", fullmatch=True),
                      st.from_regex(r"[2-8][0-9]{7}", fullmatch=True))


def _spell(digits: str, parts: list[int], separator: str, prefix: str, full_width: bool) -> str:
    """One way people write a number: cut into groups, a separator, a country prefix."""
    groups, rest = [], digits
    for size in parts:
        if rest:
            groups.append(rest[:size])
            rest = rest[size:]
    groups.append(rest)
    text = prefix + separator.join(g for g in groups if g)
    return text.translate(str.maketrans("0123456789", "０１２３４５６７８９")) if full_width else text


spellings = st.tuples(st.lists(st.integers(1, 5), max_size=4), st.sampled_from(["", " ", "-", ".", " - "]),
                      st.sampled_from(["", "+86 ", "+86", "0086 ", "86 "]), st.booleans())


@given(mobiles, spellings)
def test_any_spelling_of_a_mobile_is_its_eleven_digits(mobile: str, spelling: tuple) -> None:
    assert phone_key(_spell(mobile, *spelling)) == mobile


@given(landlines, spellings)
def test_any_spelling_of_a_landline_is_area_code_and_number(landline: tuple, spelling: tuple) -> None:
    """With a country prefix the area code loses its 0 (+86 21 ...), as people write it."""
    area, number = landline
    parts, separator, prefix, full_width = spelling
    written = _spell(area + number, parts, separator, "", full_width)
    if prefix:
        head = _spell(area[1:], [], "", prefix, full_width)
        written = head + separator + _spell(number, parts, separator, "", full_width)
    assert phone_key(written) == area + number


def test_the_plan_s_examples() -> None:
    landline = {phone_key("021-6234 5678"), phone_key("02162345678"), phone_key("+86 21 6234 5678")}
    assert landline == {"02162345678"}
    mobile = {phone_key("138 0013 8000"), phone_key("+86 138-0013-8000"), phone_key("(138)00138000")}
    assert mobile == {"13800138000"}


@given(mobiles, mobiles)
def test_different_mobiles_differ(first: str, second: str) -> None:
    assert (phone_key(first) == phone_key(second)) == (first == second)


@given(st.text(alphabet=st.characters(blacklist_categories=("Nd",)), max_size=20))
def test_text_without_digits_is_no_phone(text: str) -> None:
    assert phone_key(text) is None


@pytest.mark.parametrize("junk", ["", "12345", "1380013800", "138001380001", "23800138000", "abc13800138000",
                                  "phone", "+1 415 555 0100 99"])
def test_junk_is_no_phone(junk: str) -> None:
    assert phone_key(junk) is None


def test_digests_are_keyed_and_hold_no_number(app: Flask) -> None:
    with app.app_context():
        key = key_of("phone", "138 0013 8000")
        assert key == key_of("phone", "+86 138-0013-8000")
        assert isinstance(key, CustomerKey) and len(key.digest) == 64 and "13800138000" not in key.digest
        assert key != key_of("policy", "13800138000")
        assert key_of("phone", "not a phone") is None
        app.config["SECRET_KEY"] = "another instance"
        assert key_of("phone", "13800138000") != key


def test_record_keys_reads_the_customer_fields(app: Flask) -> None:
    with app.app_context():
        data = {"customer_name": "钱文华", "phone": "13800138000", "policy_no": "p-2026 001",
                "customer_tier": "VIP", "note": "13900139000"}
        keys = record_keys("CP", data)
        assert keys == {key_of("phone", "13800138000"), key_of("policy", "P2026001")}
