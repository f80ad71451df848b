"""How the text types hide a personal value: masked for a reader without the need for it, and
the placeholder that replaces it once the record's personal-data period is over.

Placeholders keep the data valid against the spec (a later correction validates the whole
record): text ``已匿名``; a phone ``000-00000000``, which passes the phone pattern and is no
one's number (no area code 000); an e-mail address at the reserved ``.invalid`` domain.
"""

from __future__ import annotations

import re

MASK = "*"
#: Other text keeps its first character and always shows three stars, whatever its length.
OTHER_TEXT_STARS = 3
PHONE_HEAD, PHONE_TAIL = 3, 4
_CJK_NAME = re.compile(r"[\u3400-\u9fff\uf900-\ufaff·]{2,}")

TEXT_PLACEHOLDER = "已匿名"
PHONE_PLACEHOLDER = "000-00000000"
EMAIL_PLACEHOLDER = "anonymised@example.invalid"


def mask_phone(value: str) -> str:
    """First three and last four digits kept: ``13800138000`` → ``138****8000``."""
    digits = re.sub(r"\D", "", value)
    if value.startswith("+86"):
        digits = digits[2:]
    hidden = len(digits) - PHONE_HEAD - PHONE_TAIL
    if hidden <= 0:
        return MASK * len(digits)
    return digits[:PHONE_HEAD] + MASK * hidden + digits[-PHONE_TAIL:]


def mask_text(value: str) -> str:
    """A Chinese name keeps its first character, one star per other (``张三丰`` → ``张**``);
    other text keeps its first character and three stars, so its length is not told either."""
    text = value.strip()
    if not text:
        return text
    if _CJK_NAME.fullmatch(text):
        return text[0] + MASK * (len(text) - 1)
    return text[0] + MASK * OTHER_TEXT_STARS
