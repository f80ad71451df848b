"""Our PDF pipeline against raw WeasyPrint on the same HTML: raw WeasyPrint is the floor.

    .venv/bin/python benchmarks/pdf.py [--batch 500] [--warm 40] [--processes 1,2]

Prints one Markdown table and the machine line (nproc, CPU model, Python, load average before
the run, and how much CPU other processes used while it ran). It measures, for both pipelines:

- warm: median wall milliseconds per document in one process, after a few warm-up renders; the
  two pipelines render the same documents alternately, and ours' overhead is in % of raw, both
  from the two medians and as the median of ours / raw for the same document (less noisy);
- cold: a fresh ``python`` process that imports what it needs and renders its first document
  (the in-process time from before the imports to the PDF, and the whole process's wall time;
  median of ``--cold-runs``);
- PDF size in KB per document: the handouts of both pipelines, and ours' archival copy of the
  same records (PDF/A-3u with the record's JSON attached, as ``forms.pdf.archival.render_archival``
  makes it; raw WeasyPrint has no archival pipeline to compare), over all and for the 2-page ones;
- batch: ``--batch`` documents through a ``multiprocessing`` pool with 1 and 2 (``--processes``)
  worker processes, each building its renderer once and recycled after ``--recycle`` documents
  (``maxtasksperchild``); documents/s from pool start to the last PDF, the speed-up, and the
  workers' CPU per document.

The documents are complaint handouts (CP) exactly as ``forms.printing.print_record`` lays them
out: the CP spec from ``forms/specs`` and ``archive.records.RecordView`` objects with made-up but
realistic Chinese data (deterministic, ``--seed``), rendered through ``record.html`` with
``print_context`` (given what ``print_record`` gives it: the default public URL for the QR code,
and no logo, as this renderer has none). No database is involved. CP has no table field, so a
complaint's product rows are lines of its complaint text.

"Ours" is ``forms.pdf.render.Renderer(find_fonts(None, None)).render(html)``: one renderer per
process, which parses ``print.css`` (through our fetcher) and our ``@font-face`` stylesheet once
and gives them to every document (the layouts do not link them), creates our ``AssetFetcher`` per
document, and embeds compact CJK font subsets (``forms.pdf.compact_fonts``).

"Raw" is plain WeasyPrint on the same document content, with nothing of ours in the way: the
HTML's head gets a ``file://`` link to the same ``static/pdf/print.css``, followed by a
``<style>`` holding the same rules as our base stylesheet (``@font-face`` for the same font files
by ``file://`` URL, the same family name, ``html`` and ``@page`` font family), so each document
parses them as a plain WeasyPrint user's would, and it is rendered with WeasyPrint's default URL
fetcher as
``weasyprint.HTML(string=raw_html).write_pdf(font_config=font_config)``, with one
``FontConfiguration`` per process kept between documents, as ours keeps one. The HTML rewrite is
done before timing. Creating a new ``FontConfiguration`` for every document (the naive
``write_pdf(font_config=FontConfiguration())``) is not the floor: it reloads the font files each
time; it is shown on an extra line for information only.

Both pipelines must produce the same text (``pdftotext``) and the same font list (``pdffonts``)
for every warm document, and ours must refuse nothing; otherwise the script exits 1. It asserts
no duration: the figures are printed, not judged; a second table sets them beside issue 16's
targets (archival copy of a 2-page complaint ≤ 80 KB, warm ≤ 1.0× raw, cold ≤ 1.2× raw).

Worker processes start from a ``forkserver`` that has imported WeasyPrint and our renderer, so a
recycled worker pays for its renderer and its first render but not for the imports. WeasyPrint
copies the font files (about 38 MB for Noto Sans CJK regular and bold) into a temporary folder
for every ``FontConfiguration``, removed only when that object is garbage-collected: this run
points them at a private temporary directory, reports what processes that exited left there,
and removes it at the end.

Other processes compete for the same cores: the machine line says how much CPU they took
during each phase (from ``/proc/stat``, minus this script's own processes). Run it on an idle
machine; figures taken while others used a sizeable share of a core are not comparable.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import inspect
import json
import multiprocessing
import multiprocessing.util
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.machine import busy_seconds, cpu_model, own_seconds, stolen_seconds  # noqa: E402

PRINT_CSS = ROOT / "static" / "pdf" / "print.css"
WARMUP = 3
PRELOAD = ["weasyprint", "weasyprint.text.fonts", "forms.pdf.fonts", "forms.pdf.render"]


# --- documents -------------------------------------------------------------------------------

COMPANIES = ["上海恒丰贸易有限公司", "杭州瑞达电子科技有限公司", "苏州博远精密机械有限公司",
             "广州华南日用品有限公司", "成都天府餐饮管理有限公司", "南京金陵医药连锁有限公司",
             "深圳前海智联物流有限公司", "武汉江汉建材有限公司", "宁波东海塑胶制品厂",
             "青岛海润食品有限公司", "北京京华办公用品有限公司", "厦门鹭岛五金制品有限公司"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
         "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "志强", "晓燕", "海燕", "红梅"]
PRODUCTS = [("A-1023", "不锈钢保温杯 500ml"), ("B-2210", "陶瓷餐具套装 16件"),
            ("C-0871", "电热水壶 1.7L"), ("D-3305", "真空收纳袋 大号"), ("E-1190", "LED护眼台灯"),
            ("F-4420", "无线蓝牙耳机"), ("G-0562", "厨房置物架 三层"), ("H-7781", "儿童保温饭盒"),
            ("K-3016", "硅胶密封圈 φ85"), ("M-2048", "不粘炒锅 32cm")]
OPENINGS = ["客户来电反映，{date}收到的一批货物中有部分外包装破损，产品表面有明显划痕。",
            "客户通过网络留言投诉，所购产品使用不到一周即出现故障，无法正常加热。",
            "客户到店投诉，称上月订购的产品与样品颜色不一致，且数量少于送货单所列。",
            "总部转来客户投诉：该客户连续两批次收货均发现产品规格与合同约定不符。",
            "客户反映送货延迟三天，未提前通知，导致其门店促销活动无法按期开展。"]
DETAILS = ["经客户初步清点，不良品约占到货数量的百分之五左右。",
           "客户已拍照留存，并表示外箱在签收时即有挤压痕迹，但送货司机未予确认。",
           "客户称此前已两次联系业务员，均未得到明确答复，情绪较为激动。",
           "客户要求我司在三个工作日内派人到现场确认，并给出书面处理意见。",
           "部分产品的说明书缺失，标签上的生产日期模糊不清，客户担心是否为过期库存。",
           "客户同时指出，发票抬头有误，需要重新开具，否则无法按期付款。",
           "客户表示如问题不能妥善解决，将考虑更换供应商，并向行业协会反映。",
           "据客户描述，问题产品集中在同一生产批次，其他批次暂未发现异常。",
           "客户希望了解我司的质量追溯流程，以及后续如何避免同类问题再次发生。",
           "客户仓库人员已将不良品单独存放，等待我司安排退换或上门取件。"]
REQUESTS = ["退换不良品，并承担往返运费。", "按不良数量折价补偿，下批货优先发运。",
            "派人到现场确认后给出书面答复。", "重新开具发票并说明原因。"]
INVESTIGATIONS = ["经查，该批产品出库前抽检合格，破损系运输途中堆码过高所致。",
                  "经查，生产记录显示该批次注塑温度偏高，导致部分产品变形。",
                  "经查，仓库发货时错拣了相近规格的料号，复核环节未能发现。"]
CAUSES = ["包装箱强度不足，未按易碎品要求加装护角。", "首件检验漏项，工艺参数未及时调整。",
          "发货复核流程执行不到位。"]
ACTIONS = ["更换五层加强纸箱并加装护角，发货前增加跌落测试。",
           "修订作业指导书，增加首件检验项目，并对班组长进行培训。",
           "发货环节实行双人复核，扫码比对料号。"]
REPLIES = ["已电话告知客户处理结果，客户表示接受。", "已安排退换并补发，客户确认收货无误。"]
STATE_ORDER = ["registered", "classified", "investigating", "responded", "closed"]
STATES = ["registered", *STATE_ORDER]  # registered twice as often as the others


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def complaint_text(rng: random.Random, received: datetime) -> tuple[str, list[tuple[str, str, int, int]]]:
    """A 100–300 character account, then one line per product concerned."""
    target = rng.randint(100, 300)
    text = rng.choice(OPENINGS).format(date=f"{received.month}月{received.day}日")
    for sentence in rng.sample(DETAILS, len(DETAILS)):
        if len(text) + len(sentence) > target and len(text) >= 100:
            break
        text += sentence
    products = []
    for part, name in rng.sample(PRODUCTS, rng.randint(2, 4)):
        quantity = rng.choice([50, 100, 120, 200, 240, 500, 1000])
        products.append((part, name, quantity, rng.randint(1, max(2, quantity // 10))))
    lines = [f"{i}. 料号 {part}　{name}　到货 {qty} 件，不良 {bad} 件"
             for i, (part, name, qty, bad) in enumerate(products, start=1)]
    return text + "\n涉及产品：\n" + "\n".join(lines), products


def make_records(count: int, seed: int) -> tuple[Any, list[Any]]:
    """The CP spec and ``count`` complaint records with realistic Chinese data."""
    from archive.records import RecordView, RevisionView
    from forms.spec.library import load_or_fail
    from forms.submission import summary
    from forms.validation import validate

    spec = load_or_fail()["CP"]
    known = {field.name for field in dataclasses.fields(RecordView)}
    rng = random.Random(seed)
    start = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)
    records = []
    for seq in range(1, count + 1):
        received = start + timedelta(minutes=rng.randint(0, 20 * 24 * 60))
        received_local = received.astimezone(datetime.now().astimezone().tzinfo)
        text, products = complaint_text(rng, received_local)
        state = rng.choice(STATES)
        phone = rng.choice(["13", "15", "18", "17"]) + "".join(rng.choice("0123456789") for _ in range(9))
        if rng.random() < 0.2:
            phone = rng.choice(["021", "0571", "0512", "020"]) + "-" + str(rng.randint(5000000, 89999999))
        data: dict[str, Any] = {
            "channel": rng.choice(["phone", "online", "visit", "head_office"]),
            "received_at": received.astimezone(UTC).isoformat(),
            "customer_name": rng.choice(COMPANIES), "contact_person": person(rng), "phone": phone,
            "customer_tier": rng.choice("ABCD"),
            "order_no": f"SO{received.year}{rng.randint(100000, 999999)}",
            "part_no": products[0][0], "quantity": products[0][2], "defective_quantity": products[0][3],
            "delivery_date": (received - timedelta(days=rng.randint(1, 10))).date().isoformat(),
            "complaint": text, "customer_request": rng.choice(REQUESTS),
        }
        if state != "registered":
            data |= {"cause_class": rng.choice(["quality", "non_quality"]),
                     "level": rng.choice("123"), "responsible_department": rng.choice(["QA", "SALES"])}
        if state in ("investigating", "responded", "closed"):
            pick = rng.randrange(len(INVESTIGATIONS))
            data |= {"investigation": INVESTIGATIONS[pick], "root_cause": CAUSES[pick],
                     "corrective_action": ACTIONS[pick]}
        if state in ("responded", "closed"):
            data |= {"customer_reply": rng.choice(REPLIES), "customer_accepted": state == "closed"}
        data = validate(spec, data)
        submitted = received + timedelta(minutes=rng.randint(3, 90))
        # The history: the submission, then one revision per workflow step taken so far.
        steps = STATE_ORDER[: STATE_ORDER.index(state) + 1]
        revisions = tuple(
            RevisionView(number, "submit" if number == 1 else "transition", step,
                         "clerk" if number == 1 else "supervisor",
                         submitted + timedelta(hours=20 * (number - 1)), None)
            for number, step in enumerate(steps, start=1))
        view = {"code": f"CP-2026-{seq:06d}", "form_code": "CP", "form_version": spec.version,
                "state": state, "title": summary(spec, data), "data": data, "department_code": "CS",
                "department_name": ("客户服务部", "Customer Service"), "submitted_by": "clerk",
                "submitted_by_name": person(rng), "submitted_at": submitted, "revisions": revisions,
                "revision": len(revisions)}
        records.append(RecordView(**{k: v for k, v in view.items() if k in known}))
    return spec, records


def documents(count: int, seed: int) -> list[tuple[str, str, str]]:
    """(code, customer, HTML) per record, laid out as ``print_record`` lays out a CP handout."""
    from zoneinfo import ZoneInfo

    from core.config import DEFAULTS
    from forms.printing import LAYOUTS, print_context

    spec, records = make_records(count, seed)
    zone = ZoneInfo("Asia/Shanghai")
    printed_at = datetime(2026, 11, 23, 9, 0, tzinfo=zone)
    template = LAYOUTS.get_template("record.html")
    # The keyword-only options print_record passes, as far as this version of print_context takes
    # them: the default public URL, and no logo (our Renderer here is built without one).
    options = {"public_url": DEFAULTS.get("PUBLIC_URL"), "has_logo": False}
    accepted = inspect.signature(print_context).parameters
    options = {name: value for name, value in options.items() if name in accepted}
    return [(r.code, r.data["customer_name"],
             template.render(**print_context(spec, r, zone, DEFAULTS["COMPANY_NAME"], printed_at, **options),
                             copies=[None]))
            for r in records]


def archival_copies(count: int, seed: int) -> tuple[list[tuple[int, int]], float]:
    """(bytes, pages) of our archival copy of each of the first ``count`` records, rendered as
    ``forms.pdf.archival.handle`` renders it (PDF/A-3u, the record's JSON attached)."""
    from zoneinfo import ZoneInfo

    from core.config import DEFAULTS
    from forms.pdf.archival import render_archival
    from forms.pdf.fonts import find_fonts
    from forms.pdf.render import Renderer

    spec, records = make_records(count, seed)
    renderer = Renderer(find_fonts(None, None))
    made = [render_archival(renderer, spec, record, company=DEFAULTS["COMPANY_NAME"],
                            zone=ZoneInfo("Asia/Shanghai"), public_url=DEFAULTS["PUBLIC_URL"])
            for record in records]
    renderer.close()
    return [(len(copy.pdf), copy.pages) for copy in made], 0.0


def raw_html(html: str) -> str:
    """The same document for plain WeasyPrint: file:// stylesheet and fonts, our base rules inline."""
    from forms.pdf.fonts import find_fonts
    from forms.pdf.render import BASE_CSS

    fonts = find_fonts(None, None)
    base = (BASE_CSS.replace("url(dossier-font:regular)", f'url("{fonts.regular.as_uri()}")')
            .replace("url(dossier-font:bold)", f'url("{fonts.bold.as_uri()}")'))
    raw = html.replace("</head>", f'<link rel="stylesheet" href="{PRINT_CSS.as_uri()}">\n'
                                  f"<style>{base}</style>\n</head>", 1)
    if "</head>" not in html or "dossier-" in raw:
        raise SystemExit("the layout or our base stylesheet uses a URL raw_html() does not rewrite: "
                         "update raw_html() in benchmarks/pdf.py")
    return raw


# --- the two pipelines -----------------------------------------------------------------------

class Ours:
    def __init__(self) -> None:
        from forms.pdf.fonts import find_fonts
        from forms.pdf.render import Renderer

        self.renderer = Renderer(find_fonts(None, None))
        self.refused: list[str] = []

    def render(self, html: str) -> bytes:
        rendered = self.renderer.render(html)
        self.refused.extend(rendered.refused)
        return rendered.pdf


class Raw:
    def __init__(self) -> None:
        from weasyprint import HTML
        from weasyprint.text.fonts import FontConfiguration

        self.html_class = HTML
        self.font_config = FontConfiguration()

    def render(self, html: str) -> bytes:
        return self.html_class(string=html).write_pdf(font_config=self.font_config)


class RawFreshFonts:
    """For information: a new FontConfiguration for every document."""

    def __init__(self) -> None:
        from weasyprint import HTML
        from weasyprint.text.fonts import FontConfiguration

        self.html_class, self.font_config_class = HTML, FontConfiguration

    def render(self, html: str) -> bytes:
        return self.html_class(string=html).write_pdf(font_config=self.font_config_class())


PIPELINES = {"ours": Ours, "raw": Raw}


@dataclasses.dataclass
class Phase:
    """Wall time and the CPU other processes used while one phase ran."""

    name: str
    wall: float
    other_cpu: float
    steal: float


class Meter:
    def __init__(self) -> None:
        self.phases: list[Phase] = []

    def run(self, name: str, function: Any, *args: Any) -> Any:
        busy, steal, own, started = busy_seconds(), stolen_seconds(), own_seconds(), time.perf_counter()
        result, extra_own = function(*args)
        wall = time.perf_counter() - started
        busy_after, steal_after = busy_seconds(), stolen_seconds()
        other = (busy_after - busy) - (own_seconds() - own) - extra_own
        self.phases.append(Phase(name, wall, max(other, 0.0), steal_after - steal))
        return result


# --- measurements ----------------------------------------------------------------------------

def warm(docs: list[tuple[str, str, str]], raws: list[str], count: int) -> tuple[dict[str, Any], float]:
    pipelines = {"ours": Ours(), "raw": Raw()}
    for index in range(WARMUP):
        pipelines["ours"].render(docs[-1 - index][2])
        pipelines["raw"].render(raws[-1 - index])
    times: dict[str, list[float]] = {"ours": [], "raw": []}
    pdfs: dict[str, list[bytes]] = {"ours": [], "raw": []}
    for index in range(count):
        order = ("ours", "raw") if index % 2 == 0 else ("raw", "ours")
        for name in order:
            html = docs[index][2] if name == "ours" else raws[index]
            started = time.perf_counter()
            pdf = pipelines[name].render(html)
            times[name].append(time.perf_counter() - started)
            pdfs[name].append(pdf)
    fresh = RawFreshFonts()
    fresh_times = []
    for index in range(min(count, 10)):
        started = time.perf_counter()
        fresh.render(raws[index])
        fresh_times.append(time.perf_counter() - started)
    return {"times": times, "pdfs": pdfs, "fresh": fresh_times, "refused": pipelines["ours"].refused}, 0.0


def child(kind: str, html_file: str) -> None:
    """In a fresh process: imports, the renderer, and the first PDF, timed from the start."""
    started = time.perf_counter()
    pipeline = PIPELINES[kind]()
    pdf = pipeline.render(Path(html_file).read_text(encoding="utf-8"))
    print(json.dumps({"ms": (time.perf_counter() - started) * 1000, "bytes": len(pdf)}))


def cold(html: str, raw: str, runs: int, tmp: Path) -> tuple[dict[str, list[tuple[float, float]]], float]:
    files = {"ours": tmp / "ours.html", "raw": tmp / "raw.html"}
    files["ours"].write_text(html, encoding="utf-8")
    files["raw"].write_text(raw, encoding="utf-8")
    results: dict[str, list[tuple[float, float]]] = {"ours": [], "raw": []}
    for index in range(runs):
        for kind in ("ours", "raw") if index % 2 == 0 else ("raw", "ours"):
            started = time.perf_counter()
            out = subprocess.run([sys.executable, __file__, "--child", kind, str(files[kind])],
                                 capture_output=True, text=True, check=True, cwd=ROOT,
                                 env={**os.environ, "TMPDIR": str(tmp)})
            wall = (time.perf_counter() - started) * 1000
            results[kind].append((json.loads(out.stdout.strip().splitlines()[-1])["ms"], wall))
    return results, 0.0


_worker_pipeline: Any = None


def worker_init(kind: str, tmp: str) -> None:
    global _worker_pipeline
    tempfile.tempdir = tmp  # where WeasyPrint copies the font files
    _worker_pipeline = PIPELINES[kind]()
    if isinstance(_worker_pipeline, Ours):  # as `pdf export` does: remove the font copies on exit
        renderer = _worker_pipeline.renderer
        multiprocessing.util.Finalize(renderer, renderer.close, exitpriority=10)


def worker_render(html: str) -> tuple[int, float, int]:
    pdf = _worker_pipeline.render(html)
    return os.getpid(), time.process_time(), len(pdf)


def noop(_: object) -> None:
    return None


def batch(context: Any, kind: str, htmls: list[str], processes: int, recycle: int,
          tmp: Path) -> tuple[dict, float]:
    cpu_by_pid: dict[int, float] = {}
    total_bytes = 0
    started = time.perf_counter()
    with context.Pool(processes, initializer=worker_init, initargs=(kind, str(tmp)),
                      maxtasksperchild=recycle) as pool:
        for pid, cpu, size in pool.imap_unordered(worker_render, htmls, chunksize=1):
            cpu_by_pid[pid] = max(cpu, cpu_by_pid.get(pid, 0.0))
            total_bytes += size
        seconds = time.perf_counter() - started
    worker_cpu = sum(cpu_by_pid.values())
    return {"seconds": seconds, "rate": len(htmls) / seconds, "workers": len(cpu_by_pid),
            "worker_cpu": worker_cpu, "bytes": total_bytes}, worker_cpu


def pdf_tool(tool: str, pdf: bytes) -> str:
    return subprocess.run([tool, "-", "-"] if tool == "pdftotext" else [tool, "-"], input=pdf,
                          capture_output=True, check=True).stdout.decode("utf-8")


def same_content(docs: list[tuple[str, str, str]], result: dict[str, Any]) -> list[str]:
    """What differs between our PDFs and raw WeasyPrint's (empty when the comparison is fair)."""
    problems = [f"ours refused {url!r}" for url in result["refused"]]
    for index, (ours, raw) in enumerate(zip(result["pdfs"]["ours"], result["pdfs"]["raw"], strict=True)):
        code, customer, _html = docs[index]
        ours_text, raw_text = pdf_tool("pdftotext", ours), pdf_tool("pdftotext", raw)
        if ours_text != raw_text:
            problems.append(f"{code}: pdftotext differs ({len(ours_text)} vs {len(raw_text)} characters)")
        if code not in ours_text or customer not in ours_text:
            problems.append(f"{code}: the record code or customer is missing from our PDF")
        fonts = [[line.split()[0] for line in pdf_tool("pdffonts", pdf).splitlines()[2:]]
                 for pdf in (ours, raw)]
        if fonts[0] != fonts[1] or not fonts[0]:
            problems.append(f"{code}: fonts differ: ours {fonts[0]}, raw {fonts[1]}")
    return problems


# --- report ----------------------------------------------------------------------------------

def median_ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def percent(ours: float, raw: float) -> str:
    return f"{(ours - raw) / raw * 100:+.1f}%"


def leftover_font_dirs(tmp: Path) -> tuple[int, float]:
    """Font folders in ``tmp`` once this process has collected its own garbage: a FontConfiguration
    sits in a reference cycle, so only the cyclic collector runs its ``__del__``."""
    gc.collect()
    dirs = [d for d in tmp.glob("weasyprint-*") if d.is_dir()]
    size = sum(f.stat().st_size for d in dirs for f in d.iterdir() if f.is_file())
    return len(dirs), size / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--batch", type=int, default=500, help="documents per batch run")
    parser.add_argument("--warm", type=int, default=40, help="timed warm renders per pipeline")
    parser.add_argument("--processes", default="1,2", help="worker processes per batch run, e.g. 1,2")
    parser.add_argument("--recycle", type=int, default=100, help="documents per worker (maxtasksperchild)")
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh processes per pipeline")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "HTML_FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    processes = [int(p) for p in args.processes.split(",") if p.strip()]

    load_before = os.getloadavg()
    # Batch workers fork from a server that has imported WeasyPrint and our renderer and rendered
    # nothing; it is started now, before anything is timed and before the parent renders.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    with context.Pool(1) as pool:
        pool.map(noop, [None])
    # WeasyPrint copies the font files into a temporary folder per FontConfiguration: a private
    # one for this run (this process, the cold processes and the workers), removed at the end.
    tmp = Path(tempfile.mkdtemp(prefix="dossier-pdf-bench-"))
    tempfile.tempdir = str(tmp)
    try:
        docs = documents(max(args.batch, args.warm + WARMUP), args.seed)
        raws = [raw_html(html) for _code, _customer, html in docs]
        meter = Meter()
        result = meter.run("warm", warm, docs, raws, args.warm)
        problems = same_content(docs[: args.warm], result)
        if problems:
            print("The two pipelines do not render the same content; no figures:", file=sys.stderr)
            print("\n".join(f"  {p}" for p in problems), file=sys.stderr)
            return 1
        colds = meter.run("cold", cold, docs[0][2], raws[0], args.cold_runs, tmp)
        archival = meter.run("archival", archival_copies, args.warm, args.seed)
        left_cold = leftover_font_dirs(tmp)

        batches: dict[tuple[str, int], dict] = {}
        for count in processes:
            for kind in ("ours", "raw"):
                batches[kind, count] = meter.run(f"batch {kind} x{count}", batch, context, kind,
                                                 [html for _c, _n, html in docs[: args.batch]]
                                                 if kind == "ours" else raws[: args.batch],
                                                 count, args.recycle, tmp)
        load_after = os.getloadavg()
        left_all = leftover_font_dirs(tmp)
        left_batch = (left_all[0] - left_cold[0], left_all[1] - left_cold[1])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    times, pdfs = result["times"], result["pdfs"]
    ours_ms, raw_ms = median_ms(times["ours"]), median_ms(times["raw"])
    pages = [pdf_tool("pdfinfo", pdf) for pdf in pdfs["ours"]]
    page_counts = [int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
                   for info in pages]
    html_kb = [len(d[2].encode()) / 1024 for d in docs[: args.warm]]

    print(f"Machine: nproc {os.cpu_count()}; CPU {cpu_model()!r}; Python {platform.python_version()}; "
          f"load average before the run {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f}.")
    print("CPU used by other processes while each phase ran, and stolen by the hypervisor (cores on "
          "average): " + ", ".join(f"{p.name} {p.other_cpu / p.wall:.2f} / {p.steal / p.wall:.2f}"
                                   for p in meter.phases) + ".")
    pages_text = "–".join(dict.fromkeys(str(n) for n in (min(page_counts), max(page_counts))))
    print(f"Documents: CP handouts, {pages_text} pages, "
          f"HTML {min(html_kb):.1f}–{max(html_kb):.1f} KB "
          f"(seed {args.seed}); warm figures over {args.warm} documents after {WARMUP} warm-up renders.")
    print()
    print("| measure | ours | raw WeasyPrint | ours vs raw |")
    print("| --- | ---: | ---: | ---: |")
    p10 = {k: statistics.quantiles(v, n=10)[0] * 1000 for k, v in times.items()}
    p90 = {k: statistics.quantiles(v, n=10)[-1] * 1000 for k, v in times.items()}
    print(f"| warm render, median ms per document (p10–p90) "
          f"| {ours_ms:.1f} ({p10['ours']:.0f}–{p90['ours']:.0f}) "
          f"| {raw_ms:.1f} ({p10['raw']:.0f}–{p90['raw']:.0f}) | {percent(ours_ms, raw_ms)} |")
    paired = statistics.median(o / r for o, r in zip(times["ours"], times["raw"], strict=True))
    print(f"| warm overhead, median over documents of ours / raw for the same document | | "
          f"| {(paired - 1) * 100:+.1f}% |")
    cold_in = {k: statistics.median(ms for ms, _wall in v) for k, v in colds.items()}
    cold_wall = {k: statistics.median(wall for _ms, wall in v) for k, v in colds.items()}
    print(f"| cold: imports + first render in a fresh process, ms (median of {args.cold_runs}) "
          f"| {cold_in['ours']:.0f} | {cold_in['raw']:.0f} | {percent(cold_in['ours'], cold_in['raw'])} |")
    print(f"| cold: whole process wall time, ms | {cold_wall['ours']:.0f} | {cold_wall['raw']:.0f} "
          f"| {percent(cold_wall['ours'], cold_wall['raw'])} |")
    two_pages = [i for i, n in enumerate(page_counts) if n == 2]
    for label, chosen in (("", range(args.warm)), (f", the {len(two_pages)} of 2 pages", two_pages)):
        kb = {k: [len(v[i]) / 1024 for i in chosen] for k, v in pdfs.items()}
        if kb["ours"]:
            print(f"| PDF size, handout{label}, KB (mean; largest) "
                  f"| {statistics.mean(kb['ours']):.1f}; {max(kb['ours']):.1f} "
                  f"| {statistics.mean(kb['raw']):.1f}; {max(kb['raw']):.1f} "
                  f"| {percent(statistics.mean(kb['ours']), statistics.mean(kb['raw']))} |")
    archival_kb = {"": [size / 1024 for size, _pages in archival],
                   ", 2 pages": [size / 1024 for size, pages in archival if pages == 2]}
    for label, kb in archival_kb.items():
        if kb:
            print(f"| PDF size, archival copy (PDF/A-3u, data attached){label}, KB (mean; largest) "
                  f"| {statistics.mean(kb):.1f}; {max(kb):.1f} | | |")
    for count in processes:
        ours_b, raw_b = batches["ours", count], batches["raw", count]
        print(f"| batch of {args.batch}, {count} process{'es' if count > 1 else ''}, documents/s "
              f"| {ours_b['rate']:.2f} | {raw_b['rate']:.2f} | {percent(ours_b['rate'], raw_b['rate'])} |")
    if 1 in processes:
        for count in processes:
            if count > 1:
                ups = {k: batches[k, count]["rate"] / batches[k, 1]["rate"] for k in ("ours", "raw")}
                print(f"| speed-up, {count} processes vs 1 | ×{ups['ours']:.2f} | ×{ups['raw']:.2f} | |")
    print("| batch workers' CPU ms per document, " + ", ".join(
        f"{count} process{'es' if count > 1 else ''}" for count in processes) + " | "
        + " | ".join(", ".join(f"{batches[kind, count]['worker_cpu'] / args.batch * 1000:.0f}"
                               for count in processes) for kind in ("ours", "raw")) + " | |")
    fresh_ms = median_ms(result["fresh"])
    print(f"| for information: raw with a new FontConfiguration per document, median ms | | {fresh_ms:.1f} "
          f"| |")
    print()
    archival_2 = archival_kb[", 2 pages"] or archival_kb[""]
    cold_ratio = cold_in["ours"] / cold_in["raw"]
    print("| issue 16 target | figure | target | met |")
    print("| --- | ---: | ---: | :---: |")
    for label, figure, target, met in (
            ("archival copy of a 2-page complaint, KB (largest)", f"{max(archival_2):.1f}", "≤ 80",
             max(archival_2) <= 80),
            ("warm render, ours / raw (median over documents)", f"×{paired:.2f}", "≤ ×1.00", paired <= 1.0),
            ("cold start, ours / raw (imports + first render, medians)", f"×{cold_ratio:.2f}", "≤ ×1.20",
             cold_ratio <= 1.2)):
        print(f"| {label} | {figure} | {target} | {'yes' if met else 'NO'} |")
    print()
    identical = sum(o == r for o, r in zip(pdfs["ours"], pdfs["raw"], strict=True))
    print(f"Same text (pdftotext) and fonts (pdffonts) in both pipelines for all {args.warm} warm documents "
          f"({identical} of them byte-identical PDFs); ours refused no URL. Batch workers recycled "
          f"every {args.recycle} documents "
          f"(forkserver with WeasyPrint and our renderer imported). WeasyPrint font folders left in "
          f"the temporary directory by processes that had exited: {left_cold[0]} ({left_cold[1]:.0f} MB) "
          f"by the {2 * args.cold_runs} cold processes, {left_batch[0]} ({left_batch[1]:.0f} MB) by the "
          f"batch worker processes (raw's: WeasyPrint deletes them only when collected; ours close their "
          f"renderer in an exit hook as `pdf export` does; the script removes whatever is left).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
