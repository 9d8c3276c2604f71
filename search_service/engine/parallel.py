"""A multi-process Whoosh writer that is safe to kill.

Whoosh's own ``MpWriter`` forks its workers. Forked workers inherit the job lock's file
descriptor (so a killed build's orphans would keep holding the lock) and outlive a parent that
was killed. This writer starts its workers with ``spawn`` (fresh interpreters that inherit no
descriptors) and each worker exits as soon as its parent is gone. Each worker writes its own
segment with :class:`~search_service.engine.segment_writer.BuildSegmentWriter`.

A worker leaves its part files (what it counted beside its segment) before it writes the
segment, the last and longest step of its work. A build can tell the workers it has sent every
document (:meth:`SpawnMpWriter.finish_documents`), wait for the parts
(:meth:`SpawnMpWriter.wait_for_parts`) and merge them while the workers write their segments,
then commit: on two cores that work would otherwise run alone after the workers end.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import queue
import threading
import time
from multiprocessing.context import SpawnProcess
from pathlib import Path

from search_service import words
from search_service.engine.segment_writer import BuildSegmentWriter, fewer_collections
from search_service.engine.whoosh_internals import MpWriter, SubWriterTask

_SPAWN = multiprocessing.get_context("spawn")
PARENT_CHECK_SECONDS = 0.5
# How many documents a worker indexes between two turns of sharing its word analyses (see
# words.WordExchange).
SHARE_EVERY = 16
# How often a build looks for its workers' part files while they work.
PART_CHECK_SECONDS = 0.02


class _SpawnedTask(SubWriterTask):
    """Whoosh's sub-writer, started with ``spawn`` and tied to its parent's life."""

    _start_method = "spawn"

    @staticmethod
    def _Popen(process_obj):  # multiprocessing's own hook name
        return SpawnProcess._Popen(process_obj)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_pid = os.getpid()

    def run(self) -> None:
        """Whoosh's loop for a multi-segment writer, with :class:`BuildSegmentWriter`."""
        threading.Thread(target=self._exit_with_parent, daemon=True).start()
        with fewer_collections():
            self._index_jobs()

    def _index_jobs(self) -> None:
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = BuildSegmentWriter(ix, _lk=False, **self.kwargs)
        self.exchange = words.WordExchange(self.storage.folder, writer.newsegment.segment_id())
        try:
            while self.running:
                job = self.jobqueue.get()
                if job is None:  # the parent has no more documents
                    break
                self._process_file(*job)
        finally:
            self.exchange.close()
        if not self.running:
            writer.cancel()
            return
        fieldnames = writer.pool.fieldnames
        segment = writer._finalize_segment()
        self.resultqueue.put((None, fieldnames, segment), timeout=5)

    def _process_file(self, filename: str, doc_count: int) -> None:
        """Whoosh's: index the documents of a job file (pickled ``(0, fields)`` pairs, then
        the file goes); sharing word analyses every :data:`SHARE_EVERY` documents."""
        writer = self.writer
        storage = writer.temp_storage()
        with storage.open_file(filename).raw_file() as handle:
            for number in range(1, doc_count + 1):
                _, fields = pickle.load(handle)  # written by this build's own parent
                writer.add_document(**fields)
                if number % SHARE_EVERY == 0 or number == doc_count:
                    self.exchange.share()
        storage.delete_file(filename)

    def _exit_with_parent(self) -> None:
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            if os.getppid() != self.parent_pid:
                os._exit(1)


class SpawnMpWriter(MpWriter):
    """``MpWriter`` whose workers are spawned, not forked (see the module docstring)."""

    def __init__(self, ix, procs: int, **kwargs):
        if not kwargs.get("multisegment"):
            raise ValueError("SpawnMpWriter writes one segment per worker: multisegment=True")
        super().__init__(ix, procs=procs, **kwargs)
        self.jobqueue = _SPAWN.Queue(self.procs * 4)
        self.resultqueue = _SPAWN.Queue()
        self._documents_finished = False

    def _new_task(self):
        task = _SpawnedTask(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task

    def finish_documents(self) -> None:
        """Send the documents still buffered and tell every worker that no more will come."""
        if self._documents_finished:
            return
        if self.docbuffer:
            self._enqueue()
        for _ in self.tasks:
            self.jobqueue.put(None)
        self._documents_finished = True

    def wait_for_parts(self, suffixes: tuple[str, ...]) -> bool:
        """After :meth:`finish_documents`: wait until every worker has left a file of each of
        ``suffixes`` in the index folder. False when a worker ended without them (it failed:
        the commit that follows reports it)."""
        folder = Path(self.storage.folder)

        def every_part() -> bool:
            return all(
                len(list(folder.glob(f"*{suffix}"))) >= len(self.tasks) for suffix in suffixes
            )

        while not every_part():
            if not all(task.is_alive() for task in self.tasks):
                return every_part()  # a worker that ended may have left its parts first
            time.sleep(PART_CHECK_SECONDS)
        return True

    def _commit(self, mergetype, optimize, merge) -> None:
        """Whoosh's commit for workers that write a segment each, after
        :meth:`finish_documents` (which it calls, if the build has not)."""
        self.finish_documents()
        finalsegments = self._merge_segments(mergetype, optimize, merge)
        for task in self.tasks:
            task.join()
        results = []
        for _ in self.tasks:
            with contextlib.suppress(queue.Empty):  # that worker failed: the build's count tells
                results.append(self.resultqueue.get(timeout=1))
        finalsegments += [segment for _, _, segment in results]
        if self._added:
            finalsegments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(finalsegments)
        self._finish()

    def cancel(self) -> None:
        # Whoosh's cancel only flags the parent's copies of the tasks; end the workers too.
        try:
            for task in self.tasks:
                if task.is_alive():
                    task.terminate()
                    task.join(5)
        finally:
            super().cancel()
