"""Text → index terms, and query words → the same terms, so that Chinese is found without a
dictionary.

Chinese has no spaces and names are not in any dictionary, so a word segmenter misses names in
free text (DESIGN.md: jieba recall 0.44–0.62). Instead every run of Chinese characters goes into
the field ``cjk`` as its overlapping pairs followed by its last character alone: "外包装" →
"外包 包装 装". A query word of two characters is one ``cjk`` term; of three or more, a phrase
of its pairs; of one, a prefix: every character of a run starts a pair or is the run's last.
Every record containing the word is found (recall 1.0 by construction), and the common
two-character case costs a single term lookup. The lone last character also keeps two runs
apart: a phrase of pairs never bridges it, so "…客户，户要…" does not match "客户要".

The pairs carry no positions. A phrase is matched as the records holding all its pairs, then
checked against the record's Chinese text itself, kept as a column (``cjk_text``: the runs, one
per line) that is searched in place: decoding positions cost ~10 µs a posting, the substring
check well under 1 µs a candidate, and dropping them makes the index smaller and faster to write.

Single characters are not indexed on their own: that would nearly double the postings per
record, and writing postings is what indexing spends its time on (benchmarks/search.py).

A word shaped like a record code (``CP-2024-000001``, and order or part numbers written the same
way, ``SO-2026-88417``) also goes into ``words`` whole, as :func:`code_term` writes it, so that a
code typed in a search matches text that holds that code and not text that merely holds its
pieces apart (an access request for "CP-2024-000001" filed as AR-2025-000123 is not a record
holding "CP-2025-000123").

English words are case-folded and Porter-stemmed into ``words``; digit runs (phones, order and
part numbers) go into ``words`` whole and reversed into ``tail``, so a number's last digits are
a prefix query. Digit runs written apart by spaces, dashes or brackets ("021-6234 5678",
"139 1234 5679") are also indexed joined (:func:`joined_numbers`), so a number is found however
either side wrote it: the query joins what was typed the same way (:mod:`search.query`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from whoosh.lang.porter import stem

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PIECES = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<digits>\d+)|(?P<word>[^\W\d_{CJK}]+)")
#: A tail query needs this many digits (fewer would match half the index).
MIN_TAIL = 3
#: Digit runs kept apart by at most two of the characters people write inside a phone number.
NUMBER_RUN = re.compile(r"\d+(?:[\s\-()（）]{1,2}\d+)+")
_DIGITS = re.compile(r"\d+")
#: A word shaped like a record code, in text: letters, a four-digit year, a number, not inside a
#: longer run of Latin letters or digits (Chinese may touch it: "投诉CP-2024-000001号").
CODE_SHAPED = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2,8})-(\d{4})-(\d{1,9})(?![0-9])")


@dataclass(frozen=True)
class Piece:
    kind: str  # "cjk", "digits" or "word"
    text: str


def pieces(text: str) -> Iterator[Piece]:
    """Runs of Chinese characters, digits and other letters, in order; the rest is a separator."""
    for match in _PIECES.finditer(text):
        kind = match.lastgroup
        assert kind is not None
        yield Piece(kind, match.group())


def joined_numbers(text: str) -> list[str]:
    """The digits of every number written in groups ("139 1234 5679" → "13912345679"): a phone
    stored as ``021-62345678`` must be found when typed ``02162345678`` and the other way round."""
    return ["".join(_DIGITS.findall(match.group())) for match in NUMBER_RUN.finditer(text)]


def code_term(letters: str, year: str, number: str) -> str:
    """A code-shaped word as one ``words`` term, however its case and zero padding were written
    (``cp-2026-4`` and ``CP-2026-000004`` are one term; nothing stemmed has a dash)."""
    return f"{letters.casefold()}-{year}-{int(number):06d}"


def code_terms(text: str) -> list[str]:
    """The terms of every code-shaped word in ``text``."""
    return [code_term(*match.groups()) for match in CODE_SHAPED.finditer(text)]


#: An archival reference (档号, DA/T 22) or its start through the dot after the category:
#: ``Q012-WS·2026-D10-KF-0042``, ``Q012-WS·2026``, ``q012-ws·``. People type the dot as "·",
#: "・" or "•", read as "·"; or as "." when the year follows it (``Q012-WS.2026``: without the
#: year, "x-ray.pdf" would be taken for one).
ARCHIVAL_SHAPED = re.compile(r"[A-Za-z0-9]{1,8}-[A-Za-z0-9]{1,4}(?:[·・•]|\.(?=\d{4}))[A-Za-z0-9-]{0,30}")
#: A whole 档号 (every level, the item number in full): matched as one term, not as a start, so
#: item 1000 does not also find 10000.
ARCHIVAL_WHOLE = re.compile(r"[A-Za-z0-9]{1,8}-[A-Za-z0-9]{1,4}[·.・•]\d{4}-(?:Y|D\d{1,3})"
                            r"-[A-Za-z0-9]{1,8}-\d{4,6}", re.IGNORECASE)


def archival_term(text: str) -> str:
    """A 档号 (or its start) as its ``words`` term: case-folded, the dot written "·"."""
    return re.sub(r"[.・•]", "·", text.strip()).casefold()


def bigrams(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)]


def english(word: str) -> str:
    return stem(word.casefold())


@dataclass
class IndexTerms:
    """What one document's text contributes to the three analysed fields (lists of terms) and
    to the column of its Chinese runs."""

    cjk: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        for piece in pieces(text):
            if piece.kind == "cjk":
                self.cjk.extend(bigrams(piece.text))
                self.cjk.append(piece.text[-1])
                self.runs.append(piece.text)
            elif piece.kind == "digits":
                self.words.append(piece.text)
                self.tail.append(piece.text[::-1])
            else:
                self.words.append(english(piece.text))
        for number in joined_numbers(text):
            self.words.append(number)
            self.tail.append(number[::-1])
        self.words.extend(code_terms(text))

    def fields(self) -> dict[str, list[str] | bytes]:
        return {"cjk": self.cjk, "words": self.words, "tail": self.tail, TEXT_COLUMN: cjk_text(self.runs)}


#: The column holding a record's Chinese runs (UTF-8, one per line) for checking phrases.
TEXT_COLUMN = "cjk_text"


def cjk_text(runs: list[str]) -> bytes:
    """The runs as the column keeps them: a line each, so that no phrase spans two runs."""
    return "\n".join(runs).encode()
