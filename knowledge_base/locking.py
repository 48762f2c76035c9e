"""One writer at a time: a console publish, a console remove and ``uplifted kb sync`` must not interleave.

Each change journals its articles as pending, writes chunks, then deletes the chunks no longer live, and
:meth:`KnowledgeBase.repair` (run before every change) deletes what a *crashed* change left behind. Two changes
running together would break both: one's repair would treat the other's pending articles as a crash and delete
its new chunks for good, and each one's clean-up could delete chunks the other just published. So every change
holds the writer lock for its whole length; readers (patients' searches) never take it.

:class:`FileWriterLock` serialises the processes and threads of one machine that share a data dir (the server
and the CLI), through ``filelock`` (an OS-level lock the kernel releases if the holder dies, so a crash never
leaves the knowledge base locked). :class:`ThreadWriterLock` is for a knowledge base that lives in one process
only (tests, evals on a throwaway copy).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

from filelock import FileLock, Timeout


class WriterBusy(RuntimeError):
    """Another change held the knowledge base for longer than this one was willing to wait."""

    def __init__(self, waited_s: float) -> None:
        self.waited_s = waited_s
        super().__init__(
            f"another change to the knowledge base (a sync, publish or remove) is still running after {waited_s:g} "
            "seconds of waiting; nothing was changed, try again when it has finished"
        )


class WriterLock(Protocol):
    def hold(self) -> AbstractContextManager[None]: ...  # pragma: no cover - a protocol


class FileWriterLock:
    """The writer lock of every process on this machine that uses the same lock file. Re-entrant in a thread."""

    def __init__(self, path: Path, *, wait_s: float = 30.0) -> None:
        if wait_s < 0:
            raise ValueError("wait_s must not be negative")
        self.path = Path(path)
        self.wait_s = wait_s
        self._lock = FileLock(self.path, timeout=wait_s)

    @contextmanager
    def hold(self) -> Iterator[None]:
        try:
            self._lock.acquire()
        except Timeout:
            raise WriterBusy(self.wait_s) from None
        try:
            yield
        finally:
            self._lock.release()


class ThreadWriterLock:
    """The writer lock of one process's threads. Re-entrant in a thread."""

    def __init__(self, *, wait_s: float = 30.0) -> None:
        if wait_s < 0:
            raise ValueError("wait_s must not be negative")
        self.wait_s = wait_s
        self._lock = threading.RLock()

    @contextmanager
    def hold(self) -> Iterator[None]:
        if not self._lock.acquire(timeout=self.wait_s):
            raise WriterBusy(self.wait_s)
        try:
            yield
        finally:
            self._lock.release()
