"""A build's documents spread over writer processes, each writing whole segments of its own.

The feeding process only batches documents (analysis is done by the writers: a
``SearchDocument`` goes over as it is and is analysed there, so both cores analyse and write);
each writer process keeps a :class:`search.segments.SegmentBuilder` and starts a new segment
after :data:`SEGMENT_DOCS` documents (its memory grows with the postings it holds). The
segments are put in the index's table of contents only once every writer has finished, under
Whoosh's write lock: a failed build leaves no index, only files a later build removes.
"""

from __future__ import annotations

import multiprocessing
import queue
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.context import SpawnProcess
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any, Protocol

from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex

from search.segments import SegmentBuilder
from search.whoosh_internals import Segment, commit_segments

#: Documents a writer process puts in one segment before starting the next (~3 KB a document
#: while building: 50,000 take about 150 MB; searching a few segments costs next to nothing).
SEGMENT_DOCS = 50_000
#: Documents sent to a writer process at a time.
BATCH = 200


class Indexable(Protocol):
    def fields(self) -> dict[str, Any]: ...


Document = dict[str, Any] | Indexable


def fields_of(document: Document) -> dict[str, Any]:
    return document if isinstance(document, dict) else document.fields()


def write_index(ix: FileIndex, documents: Iterable[Document], progress: Callable[[int], None],
                processes: int) -> int:
    """Write ``documents`` into the (new, empty) index ``ix`` as one or more segments and commit
    them; returns how many documents went in."""
    if processes <= 1:
        segments, count = _write_here(ix, documents, progress)
    else:
        segments, count = _write_in_processes(ix, documents, progress, processes)
    _commit(ix, segments)
    return count


def _write_here(ix: FileIndex, documents: Iterable[Document],
                progress: Callable[[int], None]) -> tuple[list[Segment], int]:
    segments = _segments(ix.storage, (fields_of(d) for d in documents), progress)
    return segments, sum(s.doc_count_all() for s in segments)


def _segments(storage: FileStorage, fields: Iterable[dict[str, Any]],
              progress: Callable[[int], None] = lambda _n: None) -> list[Segment]:
    schema = FileIndex(storage).schema
    segments: list[Segment] = []
    builder: SegmentBuilder | None = None
    for document in fields:
        builder = builder or SegmentBuilder(storage, schema)
        builder.add(document)
        progress(1)
        if builder.docnum >= SEGMENT_DOCS:
            segments.append(builder.finish())
            builder = None
    if builder is not None:
        segments.append(builder.finish())
    return segments


def _write_in_processes(ix: FileIndex, documents: Iterable[Document], progress: Callable[[int], None],
                        processes: int) -> tuple[list[Segment], int]:
    context = multiprocessing.get_context("spawn")  # no fork of a threaded server's state
    jobs: Queue[list[Document] | None] = context.Queue(processes * 4)
    results: Queue[tuple[bool, Any]] = context.Queue()
    folder = ix.storage.folder
    workers = [context.Process(target=_writer, args=(folder, jobs, results), daemon=True)
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    try:
        count = 0
        for batch in _batches(documents):
            _put(jobs, batch, workers)
            count += len(batch)
            progress(len(batch))
        for _worker in workers:
            _put(jobs, None, workers)
        segments = [segment for _worker in workers for segment in _result(results, workers)]
        for worker in workers:
            worker.join()
        return segments, count
    except BaseException:
        for worker in workers:
            worker.kill()
        raise


def _batches(documents: Iterable[Document]) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for document in documents:
        batch.append(document)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _put(jobs: Queue[list[Document] | None], item: list[Document] | None,
         workers: list[SpawnProcess]) -> None:
    while True:
        try:
            jobs.put(item, timeout=1)
            return
        except queue.Full:
            _check_alive(workers)


def _result(results: Queue[tuple[bool, Any]], workers: list[SpawnProcess]) -> list[Segment]:
    while True:
        try:
            ok, payload = results.get(timeout=1)
        except queue.Empty:
            _check_alive(workers)
            continue
        if not ok:
            raise RuntimeError(f"a search index writer process failed:\n{payload}")
        return payload


def _check_alive(workers: list[SpawnProcess]) -> None:
    dead = [w.exitcode for w in workers if w.exitcode not in (None, 0)]
    if dead:
        raise RuntimeError(f"a search index writer process died (exit code {dead[0]})")


def _writer(folder: str, jobs: Queue[list[Document] | None], results: Queue[tuple[bool, Any]]) -> None:
    """A writer process: batches in until ``None``, then its segments out (or the traceback)."""
    try:
        results.put((True, _segments(FileStorage(folder), _fields_from(jobs))))
    except BaseException:
        results.put((False, traceback.format_exc()))


def _fields_from(jobs: Queue[list[Document] | None]) -> Iterator[dict[str, Any]]:
    while (batch := jobs.get()) is not None:
        yield from map(fields_of, batch)


def _commit(ix: FileIndex, segments: list[Segment]) -> None:
    """Make ``segments`` the index's contents (a new generation), under Whoosh's write lock."""
    lock = ix.lock("WRITELOCK")
    if not lock.acquire(blocking=True):
        raise RuntimeError("could not lock the new index")
    try:
        commit_segments(ix, segments)
        for leftover in Path(ix.storage.folder).glob("*.tmp"):
            if leftover.is_dir() and not any(leftover.iterdir()):
                leftover.rmdir()
    finally:
        lock.release()
