"""Text → index terms, and query words → the same terms, so that Chinese is found without a
dictionary.

Chinese has no spaces and names are not in any dictionary, so a word segmenter misses names in
free text (DESIGN.md: jieba recall 0.44–0.62). Instead every run of Chinese characters is indexed
twice: as single characters (field ``uni``) and as overlapping pairs (field ``bi``). A query word
of one character looks up ``uni``; of two, one ``bi`` term; of three or more, a phrase of its
pairs. Every record containing the word is found (recall 1.0 by construction), and the common
two-character case costs a single term lookup. English words are case-folded and Porter-stemmed;
digit runs (phones, order and part numbers) are indexed whole in ``uni`` and reversed in ``tail``,
so a number's last digits are a prefix query.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from whoosh.lang.porter import stem

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PIECES = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<digits>\d+)|(?P<word>[^\W\d_{CJK}]+)")
#: Put between runs in ``bi``; never a query term (queries hold no "|").
RUN_BREAK = "|"
#: A tail query needs this many digits (fewer would match half the index).
MIN_TAIL = 3


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


def bigrams(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)]


def english(word: str) -> str:
    return stem(word.casefold())


@dataclass
class IndexTerms:
    """What one document's text contributes to the three analysed fields (space-joined)."""

    uni: list[str] = field(default_factory=list)
    bi: list[str] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        for piece in pieces(text):
            if piece.kind == "cjk":
                self.uni.extend(piece.text)
                self.bi.extend(bigrams(piece.text))
                # Two runs would otherwise touch in ``bi``: "…客户，户要…" must not match "客户要".
                self.bi.append(RUN_BREAK)
            elif piece.kind == "digits":
                self.uni.append(piece.text)
                self.tail.append(piece.text[::-1])
            else:
                self.uni.append(english(piece.text))

    def fields(self) -> dict[str, str]:
        return {"uni": " ".join(self.uni), "bi": " ".join(self.bi), "tail": " ".join(self.tail)}
