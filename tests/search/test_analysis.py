"""Chinese, English and numbers into index terms; every query word finds every record holding it."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

from search.analysis import IndexTerms, pieces
from search.collect import collect
from search.indexing import SearchDocument, build
from search.store import SearchStore
from tests.support.whoosh_oracle import whoosh_query

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘"
            "袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦"
            "邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅志文斌波辉鹏宇浩"
PHRASES = ["外包装破损", "表面有划痕", "要求补发", "延迟交货", "数量短缺", "型号错误", "客户要求退货",
           "质量异常", "说明书缺失", "颜色不符", "尺寸偏大", "包装受潮", "运输途中损坏", "发票抬头错误"]


def test_text_splits_into_chinese_runs_digits_and_words() -> None:
    found = [(p.kind, p.text) for p in pieces("王小明13800138000, Scratches on SO-2026-0815！")]
    assert found == [("cjk", "王小明"), ("digits", "13800138000"), ("word", "Scratches"),
                     ("word", "on"), ("word", "SO"), ("digits", "2026"), ("digits", "0815")]


def test_terms_hold_pairs_last_characters_stems_numbers_and_tails() -> None:
    terms = IndexTerms()
    terms.add("外包装破损 Scratches 13800138000 王")
    assert terms.cjk == ["外包", "包装", "装破", "破损", "损", "王"]
    assert terms.words == ["scratch", "13800138000"]
    assert terms.tail == ["00083100831"]


def corpus(size: int, seed: int = 7) -> tuple[list[SearchDocument], list[str]]:
    rng = random.Random(seed)
    names = sorted({rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
                    for _ in range(size)})
    documents = []
    for n in range(size):
        text = "，".join(rng.sample(PHRASES, 3)) + f"。联系人{rng.choice(names)}，{rng.choice(names)}跟进。"
        documents.append(SearchDocument(
            code=f"CP-2026-{n + 1:06d}", form="CP", year=2026, state="submitted", department="CS",
            submitted_at=datetime(2026, 3, 1, tzinfo=UTC), revision=1, title="", texts=(text,)))
    return documents, names


def hits(store: SearchStore, text: str) -> set[str]:
    query = whoosh_query(text)
    searcher = store.searcher()  # as a search request finds them (search.collect)
    page = collect(searcher, query, facets=(), newest_first=True, page=1, per_page=100_000).page
    return {searcher.stored_fields(n)["code"] for n in page}


def test_recall_and_precision_are_one_for_names_and_phrases(tmp_path: Path) -> None:
    documents, names = corpus(600)
    store = SearchStore(tmp_path)
    build(store, (d.fields() for d in documents))
    words = [*names[:150], *PHRASES, "划痕", "补发", "外包装", "王", "损"]  # single characters too
    for word in words:
        truth = {d.code for d in documents if any(word in text for text in d.texts)}
        assert hits(store, word) == truth, word  # every record holding the word, and only those


def test_a_phrase_never_matches_across_two_runs(tmp_path: Path) -> None:
    store = SearchStore(tmp_path)
    build(store, [SearchDocument("CP-2026-000001", "CP", 2026, "submitted", "CS",
                                 datetime(2026, 3, 1, tzinfo=UTC), 1, "", ("甲客户，户要乙",)).fields()])
    assert hits(store, "客户") == {"CP-2026-000001"} and hits(store, "客户要") == set()
    assert hits(store, "乙") == {"CP-2026-000001"}  # a character only ever last in its run


def test_numbers_written_in_groups_are_also_indexed_joined() -> None:
    terms = IndexTerms()
    terms.add("电话 021-6234 5678，手机 139 1234 5679")
    assert "02162345678" in terms.words and "13912345679" in terms.words
    assert "87654326120" in terms.tail  # the joined number's tail too


def test_a_number_typed_in_groups_is_one_word_with_its_national_forms() -> None:
    from search.query import number_forms, query_words, record_code

    assert list(query_words("王 +86 139 1234 5679 SO-2026-88417")) == [
        "王", "+86 139 1234 5679", "SO-2026-88417"]
    assert number_forms("+86 139 1234 5679") == ["8613912345679", "13912345679"]
    assert number_forms("+86 21 6234 5678") == ["862162345678", "02162345678"]
    assert number_forms("86 21 6234 5678") == ["862162345678"]  # no plus: maybe not a country code
    assert record_code(" cp-2026-4 ") == "CP-2026-000004" and record_code("CP-2026-") is None
    assert record_code("CP-2026-4 划痕") is None
