"""Searches answer while the index takes commits (the 500 H5 saw under the ``search.index``
worker's batches): a thread's kept searcher never reads a segment file a concurrent commit has
merged away and deleted, and a searcher kept across many commits holds no deleted file open.

Whoosh's writer merges small segments on commit and then deletes every file of a segment the new
table of contents no longer names. A file a reader has already opened stays readable (POSIX);
a file it opens later is gone. Whoosh's segment reader opens its term and posting files at once
but each column (the stored fields, facets, dates, lengths) on first use, so a search whose
searcher was refreshed just before such a commit found no ``_stored`` column and failed with
``TypeError: 'NoneType' object is not subscriptable`` in ``stored_fields``."""

from __future__ import annotations

import os
import random
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from search.backend import FACETS, Everything, Found
from search.indexing import SearchDocument
from search.query import text_query
from search.store import SearchStore
from search.whoosh_backend import WhooshBackend

MOMENT = datetime(2026, 3, 2, 1, 2, 3, 456789, tzinfo=UTC)
FIRST = 200  # records in the built index
BATCHES = 80  # committed while searches run (about 10 s on a busy 2-core machine)
COMMITS = 200  # small commits a kept searcher follows (~7 s; old code kept 1 deleted file open each)
WORDS = ("外包装破损", "表面有划痕", "说明书缺失", "颜色不一致", "配件缺少")


def document(n: int, rng: random.Random, revision: int = 1) -> SearchDocument:
    return SearchDocument(code=f"CP-2026-{n:06d}", form="CP", year=2026, state="submitted",
                          department=rng.choice(("CS", "SALES", "QA")),
                          submitted_at=MOMENT + timedelta(minutes=n), revision=revision,
                          title=f"投诉 {n}", texts=(rng.choice(WORDS), "上海恒丰"))


def built(tmp_path: Path) -> WhooshBackend:
    rng = random.Random(18)
    backend = WhooshBackend(SearchStore(tmp_path / "search"))
    backend.build([document(n, rng) for n in range(FIRST)])
    return backend


def every(backend: WhooshBackend) -> Found:
    """What the freshness poller asks: every record, newest first, a page of 100, with facets
    (collect reads the facet and date columns, the page reads the stored fields)."""
    return backend.find(Everything(), scope=None, facets=FACETS, newest_first=True,
                        page=1, per_page=100)


def test_a_refreshed_searcher_reads_a_segment_merged_away_after_its_refresh(tmp_path: Path) -> None:
    """The race made deterministic: the kept searcher is refreshed (as every search does first),
    then a commit merges every segment into one and deletes the old files, then the search
    reads stored fields and columns through that searcher."""
    backend = built(tmp_path)
    rng = random.Random(5)
    backend.put([document(FIRST, rng)])
    searcher = backend.store.searcher()
    writer = backend.store.open().writer()
    writer.commit(optimize=True)  # one new segment; the files of the ones searched are deleted
    assert searcher.doc_count() == FIRST + 1
    codes = {searcher.stored_fields(docnum)["code"] for docnum in range(searcher.doc_count_all())}
    assert len(codes) == FIRST + 1
    # the next search refreshes onto the merged segment
    assert every(backend).total == FIRST + 1


def test_a_record_put_twice_in_one_batch_is_indexed_once(tmp_path: Path) -> None:
    backend = built(tmp_path)
    rng = random.Random(9)
    batch = [document(3, rng, revision=2), document(FIRST, rng), document(3, rng, revision=3)]
    assert backend.put(batch) == 2
    assert every(backend).total == FIRST + 1
    assert backend.indexed_revisions()["CP-2026-000003"] == 3


@pytest.mark.timeout(60)
def test_searches_while_small_batches_are_committed(tmp_path: Path) -> None:
    """A writer commits small batches (new records and corrections of old ones) as fast as it can
    while readers search through their kept searchers: no search fails, and each one's total is
    between the records there were when it started and those there were when it ended."""
    backend = built(tmp_path)
    committed = [FIRST]  # records in the index once the last commit returned
    committing = [FIRST]  # records in the index once the commit under way returns
    done = threading.Event()
    failures: list[BaseException] = []
    totals: list[tuple[int, int, int]] = []

    def write() -> None:
        rng = random.Random(7)
        n = FIRST
        try:
            for _batch in range(BATCHES):
                fresh = [document(n + i, rng) for i in range(rng.randint(1, 6))]
                olds = rng.sample(range(n), rng.randint(0, 3))
                corrected = [document(old, rng, revision=2) for old in olds]
                committing[0] = n + len(fresh)
                backend.put(fresh + corrected)
                n += len(fresh)
                committed[0] = n
        except BaseException as exc:  # reported by the test
            failures.append(exc)
        finally:
            done.set()

    def read() -> None:
        try:
            while not done.is_set():
                before = committed[0]
                found = every(backend)
                totals.append((before, found.total, committing[0]))
                assert len(found.page) == 100 and found.page[0].code == f"CP-2026-{found.total - 1:06d}"
        except BaseException as exc:  # reported by the test
            failures.append(exc)

    threads = [threading.Thread(target=write)] + [threading.Thread(target=read) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=50)
    assert not failures, repr(failures[0])
    assert len(totals) > 30
    assert all(before <= total <= after for before, total, after in totals)
    assert every(backend).total == committed[0]


def test_a_searcher_kept_across_many_commits_holds_no_deleted_file_open(tmp_path: Path) -> None:
    """After many small commits with searches between (one of them reading the Chinese text
    column, which is mapped into memory), the process has no more files open than after the
    first few, and none of them deleted (their disk space would never come back)."""
    backend = built(tmp_path)
    rng = random.Random(3)
    phrase = text_query("外包装破损")
    assert phrase is not None
    for n in range(FIRST, FIRST + COMMITS):
        backend.put([document(n, rng)])
        assert every(backend).total == n + 1
        assert backend.find(phrase, scope=None, facets=(), newest_first=False, page=1, per_page=10).total
    index = str(tmp_path)
    opened = [path for path in _open_files() if path.startswith(index)]
    mapped = [path for path in _mapped_files() if path.startswith(index)]
    assert [path for path in opened + mapped if path.endswith(" (deleted)")] == []
    # each file of the index once, and once more for each segment's mapped text column
    folder = backend.store.current_dir()
    assert folder is not None
    segments = len(backend.store.searcher().reader().leaf_readers())
    assert len(opened) <= len(os.listdir(folder)) + segments, (len(opened), segments)


def _open_files() -> list[str]:
    folder = Path("/proc/self/fd")
    paths = []
    for fd in os.listdir(folder):
        try:
            paths.append(os.readlink(folder / fd))
        except FileNotFoundError:
            continue
    return paths


def _mapped_files() -> list[str]:
    lines = Path("/proc/self/maps").read_text().splitlines()
    return [line.split(maxsplit=5)[5] for line in lines if len(line.split(maxsplit=5)) == 6]
