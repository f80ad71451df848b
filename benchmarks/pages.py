"""The page mix of issue 16: 8 logged-in people clicking through pages with no pause.

    .venv/bin/python benchmarks/pages.py [--records 100000] [--seconds 60] [--people 8]
        [--database sqlite|postgresql] [--filed N] [--holds 3]

1. Builds a fresh instance (``flask init``, ``flask demo``), then creates ``--records`` records
   in-process through the project's own services (``forms.submission.submit`` and
   ``forms.workflow.act``, on a frozen clock stepped forward through 2024-2026), so every row is
   what the services write: all four forms (CP, VR, RS, AR), three years, five departments
   (the demo departments, with a clerk added for departments that have none), CP records in
   several states (registered, classified, returned, countersigned, closed). ``--filed`` CP
   records are taken to closed and countersigned, their archival copies made and filed by the
   outbox handler, which gives them retention dates (archival copies of the other records are
   not rendered: see ``_drain_outbox``; the outbox is left drained); ``--holds`` legal holds
   are put on a few records. Then ``flask search rebuild``. Not bulk inserts: at 20,000 records on
   SQLite the records took 40 s and draining the outbox (45,026 rows, one claim at a time)
   358 s; 100,000 was not tried and will take much longer (it prints how long).
2. Serves it as production does: ``gunicorn -k sync -w 2`` on 127.0.0.1 (as benchmarks/submit.py).
3. Runs ``--people`` concurrent people (clerk, supervisor, archivist, auditor in turn), each
   logged in through the login page with its CSRF token, each looping over the page mix with
   no think time until ``--seconds`` have passed: record page, my records (first and a deep
   page), department list, inbox, search (a 2-character word, a name, a code), complaint
   statistics, catalogue, RS filing, disposal due list, holds. A page a role may not see
   (403) is left out of that role's mix after the warm-up; a redirect (a code search opening its
   record, a page past the last) is timed as served, unless it sends to the login page.
4. Prints p50/p95/p99 per page kind and overall, requests/s, and each gunicorn worker's RSS
   after the run. It asserts no duration. Servers are stopped in a ``finally``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.machine import describe  # noqa: E402
from tests.support.postgres import free_port, start_server  # noqa: E402

VENV_BIN = Path(sys.executable).parent
ROLES = ("clerk", "supervisor", "archivist", "auditor")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅志文斌波辉鹏宇浩婷雪琳晨欣怡"
COMPLAINTS = ["收到的货物外包装破损，部分产品表面有划痕，影响销售。",
              "客服热线多次无人接听，投诉服务态度差。",
              "批量产品出现漏电，客户生产线停产，要求紧急处理。",
              "物流信息一周未更新，客户多次催问无人答复。",
              "安装师傅未按预约时间上门，安装时损坏了墙面。",
              "退款申请提交十天仍未到账，要求尽快处理。"]


def flask(env: dict[str, str], *args: str, timeout: float = 3600) -> str:
    result = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# --- building the instance (in a child process, so the app and its engine are its own) ----------

def build(env: dict[str, str], records: int, filed: int, holds: int, seed: int) -> dict[str, str]:
    """Create the records through the services in a child Python; returns what it printed as
    key=value (sample codes and names for the page mix)."""
    code = f"import benchmarks.pages as p; p.create_records({records}, {filed}, {holds}, {seed})"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=24 * 3600)
    if result.returncode != 0:
        raise SystemExit(f"building the records failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    found = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    print(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "", flush=True)
    for line in result.stderr.splitlines():
        if line.startswith(("  not done", "  outbox")):
            print(line, flush=True)
    return found


def create_records(count: int, filed: int, holds: int, seed: int) -> None:  # runs in the child
    from sqlalchemy import func, select

    from archive.holds import add_records, create_hold
    from archive.models import Record
    from core.app import create_app
    from core.auth import accounts
    from core.auth.models import Department, User
    from core.clock import FrozenClock
    from core.web import services
    from forms import rules
    from forms.submission import submit
    from forms.workflow import act

    rng = random.Random(seed)
    clock = FrozenClock(datetime(2024, 1, 2, 1, 0, tzinfo=UTC))
    app = create_app(clock=clock)
    started = time.perf_counter()
    with app.app_context():
        s = services()
        db, zone = s.db, s.zone
        with db.reading() as session:
            departments = [d.code for d in session.scalars(select(Department).order_by(Department.code))]
            clerks = {u.department.code: u.username for u in session.scalars(select(User))
                      if u.role == "clerk" and u.department is not None}
        for department in departments:
            if department not in clerks and len(clerks) < 5:
                username = f"clerk_{department.lower()}"
                accounts.create_user(db, clock, username=username, password="bench-" + username,
                                     role="clerk", department_code=department)
                clerks[department] = username
        with db.reading() as session:
            actors = {u.username: u.actor() for u in session.scalars(select(User))}
        cp_clerks = sorted(clerks.values())
        span = (datetime(2026, 11, 30, tzinfo=UTC) - clock.current).total_seconds()
        steps = sorted(rng.random() * span for _ in range(count))
        base, names, codes, failures = clock.current, [], defaultdict(list), defaultdict(int)
        filed_codes: list[str] = []
        mine: list[str] = []  # the demo clerk's complaints (CS): every role in the mix may read them
        to_file = set(rng.sample(range(count), min(filed, count)))
        for i, offset in enumerate(steps):
            clock.current = base + timedelta(seconds=offset)
            now = clock.current.astimezone(zone).replace(second=0, microsecond=0)
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
            form = "CP" if i in to_file else rng.choices(("CP", "VR", "RS", "AR"), (5, 2, 2, 1))[0]
            if form == "CP":
                by, data = "clerk" if i in to_file else rng.choice(cp_clerks), {
                    "channel": rng.choice(("phone", "visit", "online", "head_office")),
                    "received_at": now.isoformat(), "customer_name": name, "phone": phone,
                    "complaint": rng.choice(COMPLAINTS)}
            elif form == "VR":
                by, data = "sales", {"visit_date": now.date().isoformat(), "customer_name": name,
                                     "phone": phone, "needs": "两室一厅，近地铁。",
                                     "receiving_staff": "sales"}
            elif form == "RS":
                by, data = "renewal", {
                    "policy_no": f"P{now:%Y%m%d}{i:05d}", "policyholder": name, "phone": phone,
                    "due_date": (now.date() - timedelta(days=rng.randrange(31, 90))).isoformat(),
                    "instalment": rng.randrange(1, 10), "policy_state": rng.choice(("grace", "lapsed")),
                    "service_staff": "renewal",
                    "visits": [{"visit_date": now.date().isoformat(), "method": "phone",
                                "notes": "客户称本月资金紧张"}]}
            else:
                by, data = "clerk", {"applicant_department": "CS", "records_wanted": "CP-2024-000001",
                                     "purpose": "complaint", "reason": "跟进客户投诉的改善结果，准备回访。",
                                     "period_from": now.date().isoformat(),
                                     "period_to": (now.date() + timedelta(days=7)).isoformat()}
            try:
                record = submit(db, clock, zone, actors[by], form, data, confirmed=True)
            except (rules.NeedsConfirmation, Exception) as exc:  # counted, and shown below
                failures[f"{form} submit: {type(exc).__name__}: {str(exc)[:120]}"] += 1
                continue
            codes[form].append(record.code)
            if by == "clerk" and form == "CP":
                mine.append(record.code)
            names.append(name)
            if i in to_file:
                filed_codes.append(record.code)
            if form == "CP" and by == "clerk":
                _advance(act, db, clock, zone, actors, record.code, "close" if i in to_file
                         else rng.choice(("registered", "classified", "classified", "returned",
                                          "countersigned", "investigating")), failures)
            if (i + 1) % 1000 == 0:
                print(f"  {i + 1} records, {time.perf_counter() - started:.0f} s", file=sys.stderr,
                      flush=True)
        archivist = actors["archivist"]
        held = [c for form in ("CP", "VR", "RS") for c in codes[form][:holds * 2]]
        for h in range(holds):
            try:
                hold = create_hold(db, clock, archivist, name=f"诉讼保全 {h + 1}",
                                   reason="基准测试用的法律保全", owner="archivist")
                add_records(db, clock, archivist, hold.id, held[h::holds], zone=zone)
            except Exception as exc:
                failures[f"hold: {type(exc).__name__}: {str(exc)[:120]}"] += 1
        drained = created = time.perf_counter()
        report = _drain_outbox(db, clock, app, set(filed_codes))
        if report.failed:
            failures[f"outbox: {report.errors[:2]}"] += report.failed
        with db.reading() as session:
            filed_now = session.scalar(select(func.count()).select_from(Record).where(
                Record.filed_at.is_not(None)))
        print(f"  outbox drained ({report.done} rows) in {time.perf_counter() - drained:.0f} s; "
              f"{filed_now} records filed, with retention dates", file=sys.stderr, flush=True)
    for problem, times in sorted(failures.items()):
        print(f"  not done ({times}x): {problem}", file=sys.stderr)
    print(f"code={rng.choice(mine)}")
    print(f"deep={max(1, min(500, len(mine) // 20))}")
    print(f"name={rng.choice(names)}")
    print(f"created {sum(map(len, codes.values()))} records through the services "
          f"({', '.join(f'{f} {len(c)}' for f, c in sorted(codes.items()))}) in "
          f"{created - started:.0f} s; {sum(failures.values())} steps refused")


def _drain_outbox(db, clock, app, filed: set[str]):
    """Work off the outbox as the production worker would, with two exceptions: an archival
    copy is rendered (and the record filed) only for ``filed`` records, not for every revision
    of every record (that would take hours); search.index rows are passed over because
    ``search rebuild`` follows. The rows passed over are settled in one UPDATE (done, as a
    drained worker leaves them) rather than claimed one at a time, which took 358 s for 45,000
    rows; the filed records' rows go through the worker and its handlers."""
    from sqlalchemy import and_, not_, or_, update

    from core.outbox.cli import OutboxHandlers
    from core.outbox.models import OutboxItem
    from core.outbox.worker import OutboxWorker
    from core.ports import registry
    from forms.pdf.archival import TOPIC

    with db.transaction() as session:
        session.execute(update(OutboxItem).where(OutboxItem.done_at.is_(None), or_(
            OutboxItem.topic == "search.index",
            and_(OutboxItem.topic == TOPIC, not_(OutboxItem.subject.in_(sorted(filed))))))
            .values(done_at=clock.now()))
    handlers = dict(registry(OutboxHandlers, app))
    handlers["search.index"] = lambda task: None
    return OutboxWorker(db, clock, handlers, name="benchmark").run_once()


def _advance(act, db, clock, zone, actors, code, target, failures) -> None:
    supervisor, clerk = actors["supervisor"], actors["clerk"]
    plan = {"registered": [], "returned": [("return", supervisor, {})],
            "classified": [("classify", supervisor, {})], "countersigned": [("countersign", supervisor, {})],
            "investigating": [("classify", supervisor, {}), ("investigate", clerk, {})],
            "close": [("classify", supervisor, {}), ("investigate", clerk, {}), ("respond", clerk, {}),
                      ("close", supervisor, {}), ("countersign", supervisor, {})]}[target]
    fields = {"classify": {"cause_class": "quality", "level": "2", "responsible_department": "QA"},
              "investigate": {"investigation": "已核实，属于包装问题。"},
              "respond": {"root_cause": "运输包装强度不足", "corrective_action": "改用加强纸箱",
                          "customer_reply": "已致电客户说明改善措施"},
              "close": {"customer_accepted": True}}
    for action, actor, _ in plan:
        clock.advance(minutes=30)
        try:
            act(db, clock, zone, actor, code, action, fields=fields.get(action),
                reason="请补充订单信息" if action == "return" else "")
        except Exception as exc:
            failures[f"CP {action}: {type(exc).__name__}: {str(exc)[:120]}"] += 1
            return


# --- serving and clicking ------------------------------------------------------------------------

def pages(code: str, name: str, deep: str) -> list[tuple[str, str]]:
    q = urllib.parse.quote
    return [("record page", f"/records/{code}"), ("my records", "/records"),
            (f"my records p.{deep}", f"/records?page={deep}"),
            ("department list", "/records?scope=department"),
            ("inbox", "/inbox"), ("search 2-char word", f"/search?q={q('破损')}"),
            ("search name", f"/search?q={q(name)}"), ("search code", f"/search?q={code}"),
            ("complaint statistics", "/stats/complaints"), ("catalogue", "/archive/catalogue"),
            ("RS filing", "/filing/RS?month=2026-11"), ("disposal due", "/archive/disposal"),
            ("holds", "/archive/holds")]


class Person:
    def __init__(self, port: int, username: str, password: str) -> None:
        self.port, self.username, self.cookies = port, username, {}
        body = self.get("/login")[1]
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
        if token is None:
            raise SystemExit("no CSRF token on the login page")
        status, _ = self.request("POST", "/login", urllib.parse.urlencode(
            {"csrf_token": token.group(1), "username": username, "password": password}),
            {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise SystemExit(f"{username} could not log in (HTTP {status})")

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            connection.request(method, path, body=body, headers={**(headers or {}), "Cookie": cookie})
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                key, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[key.strip()] = value
            if 300 <= response.status < 400 and "/login" in (response.getheader("Location") or ""):
                return 401, text  # sent to the login page: not a page served
            return response.status, text
        finally:
            connection.close()

    def get(self, path: str) -> tuple[int, str]:
        return self.request("GET", path)


def passwords(demo_output: str) -> dict[str, str]:
    found = re.findall(r"^\s*\S+\s+(\S+)\s+password: (\S+)$", demo_output, re.MULTILINE)
    return dict(found)


def worker_rss_mb(master: int) -> list[float]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def run_people(port: int, logins: dict[str, str], mix: list[tuple[str, str]], people: int,
               seconds: float) -> tuple[dict[str, list[float]], float, list[str]]:
    persons = [Person(port, ROLES[i % len(ROLES)], logins[ROLES[i % len(ROLES)]]) for i in range(people)]
    allowed: dict[str, list[tuple[str, str]]] = {}
    skipped = []
    for role in ROLES:  # warm-up: every page once per role; a page the role may not see is left out
        person = next(p for p in persons if p.username == role)
        allowed[role] = []
        for kind, path in mix:
            status, _ = person.get(path)
            if isinstance(status, int) and status < 400:
                allowed[role].append((kind, path))
            else:
                skipped.append(f"{role}: {kind} HTTP {status} at the warm-up, left out of its mix")
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(people + 1, timeout=60)
    deadline = [0.0]

    def click(person: Person, seed: int) -> None:
        rng, mine = random.Random(seed), defaultdict(list)
        barrier.wait()
        pages_of = allowed[person.username]
        for _ in range(10**7):  # bounded; ends at the deadline
            if time.monotonic() >= deadline[0] or not pages_of:
                break
            kind, path = rng.choice(pages_of)
            started = time.perf_counter()
            try:
                status, _ = person.get(path)
            except OSError as exc:
                status = repr(exc)
            mine[kind].append(time.perf_counter() - started)
            if not isinstance(status, int) or status >= 400:
                with lock:
                    errors.append(f"{person.username} {kind}: {status}")
        with lock:
            for kind, values in mine.items():
                latencies[kind].extend(values)

    threads = [threading.Thread(target=click, args=(p, i), daemon=True) for i, p in enumerate(persons)]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + seconds
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=seconds + 300)
    elapsed = time.perf_counter() - started
    return latencies, elapsed, skipped + sorted(set(errors))[:20]


def quantiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        v = values[0] * 1000 if values else 0.0
        return v, v, v
    q = statistics.quantiles(values, n=100, method="inclusive")
    return q[49] * 1000, q[94] * 1000, q[98] * 1000


def report_run(latencies: dict[str, list[float]], elapsed: float, problems: list[str],
               mix: list[tuple[str, str]], rss: list[float]) -> None:
    """Print one run: p50/p95/p99 per page kind and overall, requests/s, the workers' RSS."""
    everything = [v for values in latencies.values() for v in values]
    print("| page | requests | p50 ms | p95 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for kind, _path in mix:
        if kind in latencies:
            p50, p95, p99 = quantiles(latencies[kind])
            print(f"| {kind} | {len(latencies[kind])} | {p50:.0f} | {p95:.0f} | {p99:.0f} |")
    p50, p95, p99 = quantiles(everything)
    print(f"| **all pages** | {len(everything)} | {p50:.0f} | {p95:.0f} | {p99:.0f} |\n")
    print(f"requests/s: {len(everything) / elapsed:.1f} over {elapsed:.1f} s")
    print(f"worker RSS after the run: {', '.join(f'{mb:.0f} MB' for mb in rss)}")
    for problem in problems:
        print(f"  not served: {problem}")
    print(flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--people", type=int, default=8)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--filed", type=int, default=None,
                        help="CP records closed, archived and filed (default records/200, at most 100)")
    parser.add_argument("--holds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--instance", type=Path, default=None,
                        help="SQLite only: build the instance in this folder and keep it; when it "
                             "already holds a finished build, serve it again without rebuilding")
    parser.add_argument("--runs", type=int, default=1,
                        help="repeat the people's run this many times on the same server, each printed")
    parser.add_argument("--build-only", action="store_true",
                        help="build (and keep) the instance, do not serve")
    args = parser.parse_args()
    if args.instance is not None and args.database != "sqlite":
        parser.error("--instance keeps SQLite instances only")
    filed = args.filed if args.filed is not None else min(100, max(1, args.records // 200))
    print(f"machine: {describe()}")
    print(f"server: gunicorn -k sync -w 2, {args.database}; {args.people} people, {args.seconds:.0f} s, "
          f"no think time\n", flush=True)
    instance = args.instance or Path(tempfile.mkdtemp(prefix="dossier-bench-pages-"))
    instance.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DOSSIER_INSTANCE": str(instance)}
    env.pop("DOSSIER_DATABASE_URL", None)
    pg, server = None, None
    try:
        if args.database == "postgresql":
            pg = start_server()
            env["DOSSIER_DATABASE_URL"] = pg.create_database("pages")
        built = instance / "benchmark-build.json"
        if built.exists():
            found, logins = json.loads(built.read_text(encoding="utf-8"))
            print(f"serving the instance built before in {instance}\n", flush=True)
        else:
            flask(env, "init")
            logins = passwords(flask(env, "demo"))
            started = time.perf_counter()
            found = build(env, args.records, filed, args.holds, args.seed)
            flask(env, "search", "rebuild")
            print(f"instance built in {time.perf_counter() - started:.0f} s (records, archival copies, "
                  f"filing, search rebuild)\n", flush=True)
            if args.instance is not None:
                built.write_text(json.dumps([found, logins]), encoding="utf-8")
        if args.build_only:
            return
        port = free_port()
        server = subprocess.Popen([str(VENV_BIN / "gunicorn"), "-k", "sync", "-w", "2", "-b",
                                   f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                                  cwd=ROOT, env=env)
        for _ in range(150):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/login")
                connection.getresponse().read()
                connection.close()
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("gunicorn did not come up") from None
                time.sleep(0.2)
        mix = pages(found["code"], found["name"], found["deep"])
        for run in range(1, args.runs + 1):
            if args.runs > 1:
                print(f"### run {run} of {args.runs}\n", flush=True)
            report_run(*run_people(port, logins, mix, args.people, args.seconds), mix,
                       worker_rss_mb(server.pid))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if pg is not None:
            pg.stop()


if __name__ == "__main__":
    main()
