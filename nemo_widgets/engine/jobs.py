"""A bounded worker pool for CPU-heavy work (renders, vision), with progress and cancel.

Work runs in threads: PyAV, OpenCV and numpy release the GIL in their heavy loops, so the event
loop keeps answering other users' requests while a job runs. The pool size bounds CPU use; jobs
beyond it wait in the queue with status ``pending``.

A job's heavy core — a pure function of files in and files out, ``fn(job)`` where ``job`` has
``progress(0–100)``, ``check()`` and ``cancelled`` — goes through :meth:`JobContext.heavy`,
which hands it to the engine's :class:`Offload`: :class:`InProcess` runs it right there, in the
pool's thread; :class:`~nemo_widgets.engine.dask_jobs.DaskOffload` runs it on a Dask cluster
while the pool's thread waits, relaying progress and cancel. Everything around the core (the
store, credits, state) stays on the engine.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

log = logging.getLogger("nemo_widgets.engine")

T = TypeVar("T")


class Cancelled(Exception):
    """Raised inside a job when its cancel flag is set."""


@dataclass
class JobContext:
    """What a running job gets: progress reporting and a cancel check."""

    job_id: str
    on_progress: Callable[[int], None] = lambda p: None
    cancel_event: threading.Event = field(default_factory=threading.Event)
    #: Raises when the job must stop for a reason of the machine's (the disk filling up).
    guard: Callable[[], None] | None = None
    _last: float = 0.0
    _last_value: int = -1
    _guarded: float = 0.0

    def progress(self, value: float) -> None:
        """Report 0–100; throttled to a few writes a second."""
        v = max(0, min(100, int(value)))
        now = time.monotonic()
        if v != self._last_value and (now - self._last > 0.25 or v in (0, 100)):
            self._last, self._last_value = now, v
            self.on_progress(v)

    def check(self) -> None:
        """Called often by every job: raises :class:`Cancelled` or the guard's error."""
        if self.cancel_event.is_set():
            raise Cancelled()
        if self.guard is not None and time.monotonic() - self._guarded > 1.0:
            self._guarded = time.monotonic()
            self.guard()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    #: Where heavy cores run (set by the pool).
    offload: Offload | None = None

    def heavy(self, fn: Callable[[Any], T]) -> T:
        """Run a job's heavy core where the engine sends heavy work; its result."""
        return (self.offload or IN_PROCESS).run(self.job_id, fn, self)


class Offload(Protocol):
    """Where heavy cores run: one interface, a local and a Dask implementation."""

    #: "local" or "dask": said in logs and by ``nemo-widgets serve``.
    name: str
    #: How many heavy cores can run at once (the engine sizes its pool to it).
    slots: int

    def run(self, key: str, fn: Callable[[Any], T], ctx: JobContext) -> T: ...

    def close(self) -> None: ...


class InProcess:
    """Heavy cores run in the calling pool thread, with the job's own context."""

    name = "local"

    def __init__(self, slots: int = 1) -> None:
        self.slots = slots

    def run(self, key: str, fn: Callable[[Any], T], ctx: JobContext) -> T:
        return fn(ctx)

    def close(self) -> None:
        pass


IN_PROCESS = InProcess()


class WorkerPool:
    def __init__(
        self,
        workers: int,
        guard: Callable[[], None] | None = None,
        offload: Offload | None = None,
    ) -> None:
        self.offload = offload or InProcess(max(1, workers))
        # With a cluster, a pool thread only waits for its job: as many as the cluster has
        # slots, so the cluster and not this machine bounds the work.
        self.workers = max(1, workers, self.offload.slots)
        self.guard = guard
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="nemo-job")
        self._cancel: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def submit(
        self,
        key: str,
        fn: Callable[[JobContext], Any],
        on_progress: Callable[[int], None] = lambda p: None,
    ) -> Future[Any]:
        ev = threading.Event()
        with self._lock:
            self._cancel[key] = ev
        ctx = JobContext(key, on_progress, ev, self.guard)
        ctx.offload = self.offload

        def run() -> Any:
            try:
                if ctx.cancelled:
                    raise Cancelled()
                return fn(ctx)
            finally:
                with self._lock:
                    self._cancel.pop(key, None)

        return self._pool.submit(run)

    def cancel(self, key: str) -> bool:
        with self._lock:
            ev = self._cancel.get(key)
        if ev is None:
            return False
        ev.set()
        return True

    def cancel_prefix(self, prefix: str) -> int:
        """Cancel every job whose key starts with ``prefix`` (a session's tool jobs)."""
        with self._lock:
            events = [ev for key, ev in self._cancel.items() if key.startswith(prefix)]
        for ev in events:
            ev.set()
        return len(events)

    def shutdown(self) -> None:
        with self._lock:
            for ev in self._cancel.values():
                ev.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.offload.close()
