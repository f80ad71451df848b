"""Our search index against raw Whoosh with a plain bigram analyzer on the same records.

    .venv/bin/python benchmarks/search.py [--records 100000] [--processes 2] [--queries 40] [--postgres]

Prints Markdown tables and the machine line. In one run, on ``--records`` generated records:

- indexing: records/s from the first record to the committed index, the index's size on disk,
  and the peak memory of the indexing processes. Ours is ``search.indexing.build`` on the
  ``SearchDocument``s, as ``search rebuild`` does it (analysed and written by ``--processes``
  writer processes); raw is Whoosh's multiprocessing writer with as many processes and
  ``--limitmb``, the same stored and facet fields, and one ``TEXT`` field analysed by Whoosh's
  ``NgramAnalyzer(2)`` (every pair of characters, punctuation included) in this process. Reading the records
  from the database is not included: the records are made in memory.
- queries: p50/p95 wall milliseconds per query for a mix of nine kinds (a 2-character word, two
  words, a phrase, a person's name, a code, a code prefix, a phone number's last 4 digits,
  filters only, a date range), ``--queries`` of each, run in shuffled order after a warm-up,
  ours and raw alternately. Each query is what one search request does to the index: bring
  the process's kept searcher up to date, one page of 20 hits sorted by relevance with counts
  for the four facets (form, year, state, department), the stored fields of the page. Ours also
  turns the typed words into the query (``search.query``) and makes the snippets
  (``search.service.find``); the audit row a real request writes is not included. Raw is
  Whoosh's own ``search_page`` with ``groupedby``, given its queries ready-made: a term, or a
  phrase of the word's pairs.
- single characters: the same for one-character queries (not in the mix: ours looks them up
  as a prefix over the pairs, see ``search.analysis``).
- recall and precision for person names and phrases: the records whose text holds the word
  (found by scanning the generated texts) against the records the index returns, for both.

The records are customer-service forms as the office keeps them: complaint (CP), visit (VR),
renewal (RS) and access request (AR) records over three years, each with a customer's Chinese
name, a mobile number, an order number and a 100–300 character account made of clauses with
products, parts, faults, cities, numbers and other people's names in them (deterministic,
``--seed``). Stock phrases ("要求退货", "已向客户致歉并说明处理流程") recur as they do in such an
office: a phrase taken at random from one record is in about a fifth of the others, which makes
phrases and common words the expensive queries.

With ``--postgres``, the PostgreSQL backend on the same records afterwards, beside our Whoosh
index (benchmarks/search_postgres.py's ``postgres_beside``: a server started as the tests start
theirs, indexing, the mix and more kinds on both backends, recall and precision).

It asserts no duration. It exits 1 if our recall or precision for names and phrases is below 1.0,
or with ``--postgres`` if that backend's is or the two backends found different totals (the index
would be wrong, not slow).
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from whoosh import index, sorting  # noqa: E402
from whoosh.analysis import NgramAnalyzer  # noqa: E402
from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema  # noqa: E402
from whoosh.query import And, Every, Phrase, Prefix, Query, Term  # noqa: E402

from benchmarks.machine import busy_seconds, describe, own_seconds  # noqa: E402
from search import backend  # noqa: E402
from search.analysis import pieces  # noqa: E402
from search.indexing import SearchDocument, build  # noqa: E402
from search.matching import matched  # noqa: E402
from search.query import Filters, combined, filter_queries, text_query  # noqa: E402
from search.service import FACETS, find  # noqa: E402
from search.store import SearchStore  # noqa: E402
from search.whoosh_backend import WhooshBackend, to_whoosh  # noqa: E402

# --- the records ------------------------------------------------------------------------------

SURNAMES = [*"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕"
            "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
            "戴莫孔向汤", "欧阳", "司马", "上官", "诸葛"]
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅志文斌波辉鹏宇浩婷雪琳晨欣怡子涵梓轩"
         "一诺依宸雨泽思佳俊凯嘉铭晓东海燕春秋冬晶莉慧颖倩")
PRODUCTS = ["空调", "冰箱", "洗衣机", "热水器", "净水器", "电视机", "微波炉", "燃气灶", "抽油烟机",
            "扫地机器人", "路由器", "笔记本电脑", "打印机", "手机", "电饭煲"]
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安", "苏州", "天津", "重庆"]
# An account is an opening, a problem or two, what the customer asks for and what was done. The
# clauses are templates with products, parts, faults, cities, numbers and people filled in
# (about 13,000 different problem clauses), so a phrase taken from one record is, typically, in
# a few percent of the others; the commonest requests and actions are in a fifth of them, as in
# an office where many people write about the same few troubles.
OPENINGS = ["客户反映", "客户来电称", "用户表示", "顾客投诉", "客户在门店反映", "客户通过微信反馈",
            "客户邮件说明", "家属代客户反映", "客户第{n}次来电", "回访时客户提出", "客户在网上留言",
            "{c}门店转来投诉，客户称"]
PARTS = ["压缩机", "电源板", "显示屏", "门封条", "排水管", "遥控器", "按键", "外壳", "插头", "风扇", "电机",
         "水箱", "滤网", "主板", "传感器", "加热管", "指示灯", "电池", "充电口", "喇叭", "摄像头", "把手",
         "底座", "面板", "出风口", "进水阀", "温控器", "定时器", "转盘", "密封圈"]
FAULTS = ["异响", "漏水", "失灵", "开裂", "发烫", "烧坏", "变形", "松动", "脱落", "生锈", "没有反应",
          "接触不良", "时好时坏", "有焦糊味", "结霜", "渗水", "过热", "卡住", "断裂", "闪烁", "报错",
          "噪音很大", "有划痕", "褪色", "破损", "无法启动", "频繁重启", "温度不准", "震动明显"]
PROBLEMS = [
    "{p}的{part}{fault}", "{p}使用{n}天后{part}{fault}", "新买的{p}{part}{fault}", "{p}维修后{part}又{fault}",
    "{p}{part}{fault}，无法正常使用", "{p}报错代码E{n}", "{p}外包装破损，{part}缺失",
    "送货时间比约定延迟了{n}天", "快递在{c}中转站滞留{n}天", "安装师傅未按预约时间上门",
    "安装时损坏了墙面", "安装费用与门店说明不一致", "发票抬头开具错误需要重开", "售后电话多次无人接听",
    "门店工作人员承诺的赠品未送达", "会员积分未按规则到账", "续费后服务未及时开通",
    "订单{o}的配送地址填写有误", "配送员态度恶劣", "收到的{p}是翻新机", "包装内少了保修卡",
    "优惠券未能抵扣", "退款申请提交{n}天仍未到账", "上门检测收取了额外费用", "收到的{p}颜色与订单不符",
    "{p}型号与订单不一致", "{p}说明书缺失，不会操作"]
REQUESTS = ["要求退货", "要求全额退款", "要求更换同型号新机", "要求尽快上门维修", "要求补发配件",
            "要求赔偿{n}百元", "要求主管回电", "希望尽快安排工程师检测", "要求延长保修{n}个月",
            "要求重开发票", "要求书面道歉", "表示如不解决将向消费者协会投诉", "要求退还安装费",
            "同意先行维修再视情况处理", "要求当面说明处理结果", "要求补偿会员积分", "没有提出具体要求"]
ACTIONS = ["已向客户致歉并说明处理流程", "已登记并转交技术部门分析", "已安排{c}服务网点的师傅跟进",
           "{x}师傅上门后确认故障", "承诺在{n}个工作日内给予答复", "经核实属于产品质量问题",
           "经检测为人为损坏，不在保修范围内", "退款将在{n}个工作日内原路返回", "客户对赔偿方案基本满意",
           "客户家属{x}代为办理", "联系人{x}称周末方便上门", "上门回访时客户不在家，改约{n}日后",
           "客户住址位于{c}市区，需加急处理", "客户提供了购买凭证和照片", "已补发配件，快递单号{o}",
           "已为客户更换新机", "已与物流公司核实签收记录", "主管{x}已回电说明", "客户情绪激动，已安抚",
           "已告知客户保修政策", "转交{c}分公司处理", "已开具新的发票并寄出", "已退回安装费用",
           "等待厂家鉴定结果", "客户暂不接受处理方案，继续跟进"]
WORDS = ["退货", "划痕", "噪音", "退款", "故障", "投诉", "维修", "安装", "发票", "配件", "延迟", "回访",
         "赠品", "积分", "检测", "快递", "主管", "保修", "凭证", "赔偿"]
FORMS = [("CP", "客户投诉处理单", 4), ("VR", "客户来访登记表", 3), ("RS", "续费收款服务登记表", 2),
         ("AR", "档案调阅申请单", 1)]
STATES = ["submitted", "countersigned", "closed"]
DEPARTMENTS = ["CS", "SALES", "SERVICE", "ARCHIVE", "FIN", "LOG"]
FIRST_DAY = datetime(2024, 1, 1, tzinfo=UTC)
DAYS = 3 * 365


@dataclass
class Corpus:
    documents: list[SearchDocument]
    names: list[str] = field(default_factory=list)  # every person named, in order of appearance
    phones: list[str] = field(default_factory=list)


class Records:
    """Deterministic records: ``Records(seed).make(count)``."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.corpus = Corpus([])

    def person(self) -> str:
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
        name = self.rng.choice(SURNAMES) + given
        self.corpus.names.append(name)
        return name

    def phone(self) -> str:
        number = "1" + self.rng.choice("3456789") + f"{self.rng.randrange(10**9):09d}"
        self.corpus.phones.append(number)
        return number

    def order(self) -> str:
        return f"SO{self.rng.randrange(2024, 2027)}{self.rng.randrange(10**8):08d}"

    def clause(self, choices: list[str]) -> str:
        template = self.rng.choice(choices)
        return template.format(
            p=self.rng.choice(PRODUCTS), part=self.rng.choice(PARTS), fault=self.rng.choice(FAULTS),
            n=self.rng.randrange(1, 30), c=self.rng.choice(CITIES),
            o=self.order() if "{o}" in template else "", x=self.person() if "{x}" in template else "")

    def account(self, size: int) -> str:
        clauses = [self.clause(OPENINGS) + self.clause(PROBLEMS)]
        kinds = [PROBLEMS, PROBLEMS, REQUESTS, ACTIONS]
        while sum(map(len, clauses)) < size:
            clauses.append(self.clause(self.rng.choice(kinds)))
        return "，".join(clauses) + "。"

    def make(self, count: int) -> Corpus:
        counters: dict[tuple[str, int], int] = {}
        weights = [weight for *_rest, weight in FORMS]
        for _ in range(count):
            form, title, _weight = self.rng.choices(FORMS, weights)[0]
            at = FIRST_DAY + timedelta(seconds=self.rng.randrange(DAYS * 86400))
            counters[form, at.year] = sequence = counters.get((form, at.year), 0) + 1
            customer = self.person()
            texts = (customer, self.phone(), self.order(), self.account(self.rng.randrange(100, 301)))
            self.corpus.documents.append(SearchDocument(
                code=f"{form}-{at.year}-{sequence:06d}", form=form, year=at.year,
                state=self.rng.choice(STATES), department=self.rng.choice(DEPARTMENTS), submitted_at=at,
                revision=1, title=f"{title} · {customer}", texts=texts))
        return self.corpus


# --- raw Whoosh: the floor ---------------------------------------------------------------------

def raw_schema() -> Schema:
    return Schema(
        code=ID(stored=True, unique=True, sortable=True), form=ID(stored=True, sortable=True),
        year=ID(stored=True, sortable=True), state=ID(stored=True, sortable=True),
        department=ID(stored=True, sortable=True), submitted_at=DATETIME(stored=True, sortable=True),
        title=STORED(), body=TEXT(analyzer=NgramAnalyzer(2), stored=True, phrase=True))


def raw_fields(document: SearchDocument) -> dict[str, Any]:
    return {"code": document.code, "form": document.form, "year": str(document.year),
            "state": document.state, "department": document.department,
            "submitted_at": document.submitted_at.replace(tzinfo=None), "title": document.title,
            "body": " · ".join(document.texts)}


def raw_build(folder: Path, documents: Iterable[dict[str, Any]], processes: int, limitmb: int) -> None:
    ix = index.create_in(str(folder), raw_schema())
    writer = ix.writer(procs=processes, limitmb=limitmb, multisegment=processes > 1)
    for fields in documents:
        writer.add_document(**fields)
    writer.commit()


def raw_text_query(text: str) -> Query | None:
    """A term or a phrase of pairs per word, as a plain bigram index is queried."""
    parts: list[Query] = []
    for word in text.split():
        pairs = [word[i:i + 2].lower() for i in range(len(word) - 1)] or [word.lower()]
        parts.append(Term("body", pairs[0]) if len(pairs) == 1 else Phrase("body", pairs))
    return None if not parts else parts[0] if len(parts) == 1 else And(parts)


# --- the queries -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Search:
    kind: str
    text: str = ""
    filters: Filters = field(default_factory=Filters)
    code: str | None = None  # the raw floor's query for codes and code prefixes
    prefix: bool = False

    def ours(self) -> backend.Query:
        return combined(text_query(self.text), filter_queries(self.filters, UTC_ZONE))

    def raw(self) -> Query:
        if self.code is not None:
            return Prefix("code", self.code) if self.prefix else Term("code", self.code)
        filters = [to_whoosh(q) for q in filter_queries(self.filters, UTC_ZONE)]
        parts = [q for q in (raw_text_query(self.text), *filters) if q is not None]
        return Every() if not parts else parts[0] if len(parts) == 1 else And(parts)


def a_phrase(corpus: Corpus, rng: random.Random) -> str:
    """3 to 6 characters from the account of a random record."""
    account = rng.choice(corpus.documents).texts[-1]
    run = rng.choice([p.text for p in pieces(account) if p.kind == "cjk" and len(p.text) >= 3])
    size = rng.randint(3, min(6, len(run)))
    start = rng.randrange(len(run) - size + 1)
    return run[start:start + size]


def the_mix(corpus: Corpus, per_kind: int, rng: random.Random) -> list[Search]:
    documents = corpus.documents

    def code_prefix() -> str:
        form, year = rng.choice(FORMS)[0], rng.choice((2024, 2025, 2026))
        return rng.choice((f"{form}-{year}-", f"{form}-{year}-00{rng.randrange(10, 99)}"))

    def day() -> datetime:
        return FIRST_DAY + timedelta(days=rng.randrange(DAYS - 31))

    makers: dict[str, Callable[[], Search]] = {
        "2-char word": lambda: Search("2-char word", rng.choice(WORDS)),
        "two words": lambda: Search("two words", " ".join(rng.sample(WORDS, 2))),
        "phrase (3–6 chars)": lambda: Search("phrase (3–6 chars)", a_phrase(corpus, rng)),
        "person's name": lambda: Search("person's name", rng.choice(corpus.names)),
        "code": lambda: (lambda code: Search("code", code, code=code))(rng.choice(documents).code),
        "code prefix": lambda: (lambda p: Search("code prefix", p, code=p, prefix=True))(code_prefix()),
        "phone tail (4 digits)": lambda: Search("phone tail (4 digits)", rng.choice(corpus.phones)[-4:]),
        "filters only": lambda: Search("filters only", filters=Filters(
            form=rng.choice(FORMS)[0], state=rng.choice(STATES))),
        "date range (31 days)": lambda: (lambda d: Search("date range (31 days)", filters=Filters(
            date_from=d.date(), date_to=(d + timedelta(days=30)).date())))(day()),
    }
    searches = [make() for make in makers.values() for _ in range(per_kind)]
    rng.shuffle(searches)
    return searches


UTC_ZONE: Any = None  # set in main(): the office zone the date filters use (UTC here)


class Ours:
    """A search request as ``search.service.search`` makes it, without the audit row: this
    thread's kept searcher, refreshed, then ``find``."""

    def __init__(self, store: SearchStore) -> None:
        self.backend = WhooshBackend(store)
        store.searcher()  # opened now, as Raw opens its own

    def __call__(self, search: Search) -> int:
        result = find(self.backend, search.ours(), scope=None, text=search.text,
                      sort="relevance", page=1, per_page=20)
        return result.total


class Raw:
    """The same with plain Whoosh: a kept searcher, refreshed per request as Whoosh's docs advise,
    one page of 20 with the four facet counts and the page's stored fields."""

    def __init__(self, folder: Path) -> None:
        self.searcher = index.open_dir(str(folder)).searcher()

    def __call__(self, search: Search) -> int:
        self.searcher = self.searcher.refresh()
        results = self.searcher.search_page(search.raw(), 1, pagelen=20, groupedby=list(FACETS),
                                            maptype=sorting.Count)
        for name in FACETS:
            results.results.groups(name)
        [hit.fields() for hit in results]
        return results.total


def timed(function: Callable[[Search], int], search: Search) -> tuple[float, int]:
    started = time.perf_counter()
    total = function(search)
    return (time.perf_counter() - started) * 1000, total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# --- recall ----------------------------------------------------------------------------------

class Finder:
    """Every record a query matches (unscored, unsorted: recall is about the index), by our
    matching (``search.matching``, which checks phrases on the text column: our index keeps no
    positions) or by Whoosh's."""

    def __init__(self, folder: Path, ours: bool) -> None:
        self.searcher = index.open_dir(str(folder)).searcher()
        self.ours = ours
        codes = self.searcher.reader().column_reader("code")
        self.codes = [codes[n] for n in range(self.searcher.doc_count_all())]

    def codes_for(self, query: Query) -> set[str]:
        if self.ours:
            docs = {n + offset for sub, offset in self.searcher.leaf_searchers()
                    for n in matched(sub, query)}
        else:
            docs = set(self.searcher.docs_for_query(query))
        return {self.codes[n] for n in docs}


def recall(corpus: Corpus, ours: Finder, raw: Finder, words: list[str]) -> dict[str, tuple[float, float]]:
    """Recall and precision summed over ``words``, for ours and raw."""
    texts = [("\x00".join(d.texts), d.code) for d in corpus.documents]
    counts = {"ours": [0, 0, 0], "raw": [0, 0, 0]}  # relevant, returned, relevant and returned
    for word in words:
        truth = {code for text, code in texts if word in text}
        query, raw_query = text_query(word), raw_text_query(word)
        assert query is not None and raw_query is not None
        for name, hits in (("ours", ours.codes_for(to_whoosh(query))), ("raw", raw.codes_for(raw_query))):
            counts[name][0] += len(truth)
            counts[name][1] += len(hits)
            counts[name][2] += len(truth & hits)
    return {name: (both / relevant if relevant else 1.0, both / returned if returned else 1.0)
            for name, (relevant, returned, both) in counts.items()}


# --- indexing --------------------------------------------------------------------------------

@dataclass
class Indexing:
    seconds: float
    size_mb: float
    other_cpu: float


def measure_indexing(run: Callable[[], None], folder: Path) -> Indexing:
    busy, own, started = busy_seconds(), own_seconds(), time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    other = (busy_seconds() - busy) - (own_seconds() - own)
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20
    return Indexing(seconds, size, max(other, 0.0) / seconds)


def with_progress(documents: list[SearchDocument], label: str) -> Iterator[SearchDocument]:
    step = max(1, len(documents) // 20)
    for n, document in enumerate(documents, start=1):
        if n % step == 0:
            print(f"  {label}: {n:,}/{len(documents):,}", file=sys.stderr, flush=True)
        yield document


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of the largest child, in MB. A spawned child
    starts with this process's peak at its start (Linux keeps the peak over ``execve``), so the
    child figure is its own only when it is above this process's (it is: ~600 against ~290)."""
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, children


# --- the run ---------------------------------------------------------------------------------

def index_both(corpus: Corpus, work: Path, args: argparse.Namespace) -> tuple[Path, Path]:
    """Build both indexes and print their figures; returns their folders."""
    ours_store, raw_folder = SearchStore(work / "ours"), work / "raw"
    raw_folder.mkdir()

    def ours_build() -> None:
        build(ours_store, with_progress(corpus.documents, "ours"), processes=args.processes)

    def raw() -> None:
        raw_build(raw_folder, (raw_fields(d) for d in corpus.documents), args.processes, args.limitmb)

    results = {"ours": measure_indexing(ours_build, work / "ours")}
    print("indexing raw…", file=sys.stderr, flush=True)
    results["raw bigram Whoosh"] = measure_indexing(raw, raw_folder)
    parent_mb, child_mb = peak_rss_mb()
    print(f"{args.records:,} records, seed {args.seed}; {args.processes} writer process(es) each; "
          f"raw with limitmb {args.limitmb}.\n")
    print("| indexing | seconds | records/s | index MB | other CPU (cores) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, result in results.items():
        print(f"| {name} | {result.seconds:.1f} | {args.records / result.seconds:,.0f} | "
              f"{result.size_mb:.0f} | {result.other_cpu:.2f} |")
    print(f"\nPeak memory: this process {parent_mb:,.0f} MB (it holds all records), largest writer "
          f"process {child_mb:,.0f} MB.\n", flush=True)
    ours_folder = ours_store.current_dir()
    assert ours_folder is not None
    return ours_folder, raw_folder


def query_both(corpus: Corpus, ours_root: Path, raw_folder: Path, args: argparse.Namespace,
               rng: random.Random) -> None:
    """Time the mix and single characters on both indexes and print the figures."""
    started = time.perf_counter()
    ours_request, raw_request = Ours(SearchStore(ours_root)), Raw(raw_folder)
    print(f"Opening both searchers took {time.perf_counter() - started:.2f} s (once per process).\n")
    for search in the_mix(corpus, 3, rng):  # warm-up: imports, caches, the page cache
        ours_request(search)
        raw_request(search)
    mix = the_mix(corpus, args.queries, rng)
    times: dict[str, dict[str, list[float]]] = {"ours": {}, "raw": {}}
    totals: dict[str, list[int]] = {}
    busy, own, started = busy_seconds(), own_seconds(), time.perf_counter()
    for n, search in enumerate(mix):
        pair: list[tuple[str, Callable[[Search], int]]] = [("ours", ours_request), ("raw", raw_request)]
        for name, function in (pair if n % 2 else pair[::-1]):
            ms, total = timed(function, search)
            times[name].setdefault(search.kind, []).append(ms)
            if name == "ours":
                totals.setdefault(search.kind, []).append(total)
    wall = time.perf_counter() - started
    other = max((busy_seconds() - busy) - (own_seconds() - own), 0.0) / wall
    characters = {c for d in corpus.documents[:200] for c in d.texts[-1] if "\u4e00" <= c <= "\u9fff"}
    singles = [Search("single character", c) for c in rng.sample(sorted(characters), 20)]
    single_ms = {"ours": [timed(ours_request, s)[0] for s in singles],
                 "raw": [timed(raw_request, s)[0] for s in singles]}

    print(f"Queries: {len(mix)} ({args.queries} of each kind), other processes used "
          f"{other:.2f} cores meanwhile.\n")
    print("| kind | ours p50 ms | ours p95 ms | raw p50 ms | raw p95 ms | median hits |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for kind in times["ours"]:
        ours, raw = times["ours"][kind], times["raw"][kind]
        print(f"| {kind} | {percentile(ours, .5):.1f} | {percentile(ours, .95):.1f} | "
              f"{percentile(raw, .5):.1f} | {percentile(raw, .95):.1f} | "
              f"{statistics.median(totals[kind]):,.0f} |")
    every = {name: [ms for kind in kinds.values() for ms in kind] for name, kinds in times.items()}
    print(f"| **the mix** | **{percentile(every['ours'], .5):.1f}** | "
          f"**{percentile(every['ours'], .95):.1f}** | **{percentile(every['raw'], .5):.1f}** | "
          f"**{percentile(every['raw'], .95):.1f}** | |")
    print(f"| single character (not in the mix) | {percentile(single_ms['ours'], .5):.1f} | "
          f"{percentile(single_ms['ours'], .95):.1f} | {percentile(single_ms['raw'], .5):.1f} | "
          f"{percentile(single_ms['raw'], .95):.1f} | |\n", flush=True)


def recall_both(corpus: Corpus, ours_folder: Path, raw_folder: Path, args: argparse.Namespace,
                rng: random.Random) -> float:
    """Print recall and precision for names and phrases; returns our worst figure."""
    names = rng.sample(sorted(set(corpus.names)), min(args.recall_words, len(set(corpus.names))))
    phrases = [a_phrase(corpus, rng) for _ in range(args.recall_words)]
    ours, raw = Finder(ours_folder, ours=True), Finder(raw_folder, ours=False)
    results = {f"{len(names)} person names": recall(corpus, ours, raw, names),
               f"{len(phrases)} phrases": recall(corpus, ours, raw, phrases)}
    print("| recall / precision | ours | raw bigram Whoosh |")
    print("| --- | ---: | ---: |")
    for label, result in results.items():
        print(f"| {label} | {result['ours'][0]:.4f} / {result['ours'][1]:.4f} | "
              f"{result['raw'][0]:.4f} / {result['raw'][1]:.4f} |")
    return min(min(result["ours"]) for result in results.values())


# --- memory ----------------------------------------------------------------------------------

MEMORY_PROBE = """
import sys
sys.path.insert(0, {root!r})
from pathlib import Path
from benchmarks.search import Ours, Raw, Search, anonymous_mb
from search.query import Filters
from search.store import SearchStore
before = anonymous_mb()
request = Ours(SearchStore(Path({ours!r}))) if {kind!r} == "ours" else Raw(Path({raw!r}))
opened = anonymous_mb()
for search in [Search("w", "退货"), Search("p", "要求退货"), Search("f", filters=Filters(form="CP")),
               Search("c", "CP-2025-", code="CP-2025-", prefix=True)]:
    request(search)
print(before, opened, anonymous_mb())
"""


def anonymous_mb() -> float:
    """This process's private resident memory (not the index files mapped from the page cache)."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["RssAnon"].split()[0]) / 1024


def memory_both(ours_root: Path, raw_folder: Path) -> None:
    """Private memory of a fresh process that opens one searcher and answers a few queries
    (a code prefix, a word, a phrase, filters): what each web server process holds per thread."""
    import subprocess

    print("| memory of one searcher process (MB) | at start | searcher open | after 4 queries |")
    print("| --- | ---: | ---: | ---: |")
    for kind in ("ours", "raw"):
        probe = MEMORY_PROBE.format(root=str(ROOT), ours=str(ours_root), raw=str(raw_folder), kind=kind)
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
        start, opened, after = (float(x) for x in out.stdout.split())
        print(f"| {kind} | {start:.0f} | {opened:.0f} | {after:.0f} |")
    print(flush=True)


def main() -> int:
    global UTC_ZONE
    from zoneinfo import ZoneInfo

    UTC_ZONE = ZoneInfo("UTC")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=2, help="indexing writer processes")
    parser.add_argument("--limitmb", type=int, default=256,
                        help="memory per writer process of raw Whoosh's writer")
    parser.add_argument("--queries", type=int, default=40, help="queries of each kind")
    parser.add_argument("--recall-words", type=int, default=200, help="names, and as many phrases")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--postgres", action="store_true",
                        help="also index and query the PostgreSQL backend on the same records")
    parser.add_argument("--keep", type=Path, help="build the indexes here and keep them; reuse "
                        "them if they are there (same --records and --seed, or figures are wrong)")
    args = parser.parse_args()
    print(f"Machine: {describe()}.\n", flush=True)
    work = args.keep or Path(tempfile.mkdtemp(prefix="dossier-search-bench-"))
    postgres_right = True
    try:
        print(f"making {args.records:,} records…", file=sys.stderr, flush=True)
        corpus = Records(args.seed).make(args.records)
        if args.keep and (work / "raw").is_dir():
            ours_folder, raw_folder = SearchStore(work / "ours").current_dir(), work / "raw"
            assert ours_folder is not None, f"{work} holds no finished index of ours"
            print(f"(indexes reused from {work}: no indexing figures)\n")
        else:
            work.mkdir(parents=True, exist_ok=True)
            ours_folder, raw_folder = index_both(corpus, work, args)
        rng = random.Random(args.seed + 1)
        print("querying…", file=sys.stderr, flush=True)
        query_both(corpus, work / "ours", raw_folder, args, rng)
        memory_both(work / "ours", raw_folder)
        print("recall…", file=sys.stderr, flush=True)
        worst = recall_both(corpus, ours_folder, raw_folder, args, rng)
        if args.postgres:
            from benchmarks.search_postgres import postgres_beside  # it imports this module

            postgres_right = postgres_beside(corpus, work / "ours", args.queries, args.recall_words,
                                             args.seed)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if worst < 1.0:
        print(f"\nFAILED: our recall or precision is {worst:.4f}, below 1.0", file=sys.stderr)
        return 1
    return 0 if postgres_right else 1


if __name__ == "__main__":
    sys.exit(main())
