"""Heavy cores on a Dask cluster (``nemo-widgets serve --dask tcp://HOST:8786``).

The engine stays where it is — it answers HTTP, keeps the SQLite store, credits and session
state — and sends each job's heavy core (render, object removal, background replacement: pure
functions of files in and files out) to the cluster. What travels is the function and paths
under the engine's data dir, so every worker must see that dir at the same path (a shared
filesystem). Progress comes back through a Dask ``Variable``, a cancel goes out as a Dask ``Event``;
no networking of our own.

Faults: a worker that dies mid-job has its task re-run elsewhere by the scheduler (up to its
``allowed-failures``), then the job fails with :class:`JobLost`; a scheduler that goes away
fails the running jobs with :class:`ClusterGone` and the engine keeps answering.

Needs the optional extra: ``pip install 'nemo-widgets[dask]'``.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from nemo_widgets.engine.jobs import Cancelled, JobContext

log = logging.getLogger("nemo_widgets.engine")

T = TypeVar("T")

#: How often a worker looks at the cancel event, and at most how often it reports progress.
CHECK_EVERY_S = 0.5


class ClusterGone(RuntimeError):
    """The Dask scheduler cannot be reached: the job did not finish."""


class JobLost(RuntimeError):
    """The workers running the job kept dying: the scheduler gave up on it."""


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise RuntimeError(
            "running jobs on a Dask cluster needs Dask: pip install 'nemo-widgets[dask]'"
        ) from None
    return distributed


class RemoteJob:
    """What a heavy core gets on a worker: the same ``progress``/``check``/``cancelled`` as
    a local :class:`JobContext`, carried by a Dask ``Variable`` and a Dask ``Event``."""

    def __init__(self, key: str) -> None:
        distributed = _import_distributed()
        self.key = key
        self._progress = distributed.Variable(f"{key}-progress")
        self._cancel = distributed.Event(f"{key}-cancel")
        self._last_sent, self._last_value, self._last_check = 0.0, -1, 0.0
        self._cancelled = False

    def progress(self, value: float) -> None:
        v = max(0, min(100, int(value)))
        now = time.monotonic()
        if v != self._last_value and (now - self._last_sent > CHECK_EVERY_S or v == 100):
            self._last_sent, self._last_value = now, v
            self._progress.set(v)

    @property
    def cancelled(self) -> bool:
        now = time.monotonic()
        if not self._cancelled and now - self._last_check > CHECK_EVERY_S:
            self._last_check = now
            self._cancelled = self._cancel.is_set()
        return self._cancelled

    def check(self) -> None:
        if self.cancelled:
            raise Cancelled()


_MALLOC_TUNED = False


def _tune_malloc() -> None:
    """Undo what Dask's nanny does to glibc's malloc in every worker it starts.

    The nanny sets ``MALLOC_TRIM_THRESHOLD_=65536``, which also switches off glibc's dynamic
    mmap threshold: every allocation over 128 KiB — each decoded frame, each mask — then
    becomes an ``mmap`` and its page faults, and our video cores ran 3–6× slower on a
    worker than in the engine (measured: background replacement of a 2 s 640×480 clip,
    22–35 s against 4.4 s). Frames of up to 32 MiB are kept in the heap again and reused.
    """
    global _MALLOC_TUNED
    if _MALLOC_TUNED:
        return
    _MALLOC_TUNED = True
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to undo
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    libc.mallopt(m_mmap_threshold, 32 << 20)
    libc.mallopt(m_trim_threshold, 128 << 20)


def _run_remote(fn: Callable[[Any], T], key: str) -> tuple[T, str]:
    """On a worker: run the core; its result and the worker's address (where it ran)."""
    distributed = _import_distributed()
    _tune_malloc()
    return fn(RemoteJob(key)), distributed.get_worker().address


class DaskOffload:
    """Heavy cores on a ``distributed`` cluster: a ``Client``, or a scheduler address."""

    name = "dask"

    def __init__(self, cluster: Any, *, connect_timeout: float = 10) -> None:
        distributed = _import_distributed()
        self._distributed = distributed
        if isinstance(cluster, distributed.Client):
            self.client, self._own = cluster, False
        else:
            try:
                self.client = distributed.Client(cluster, timeout=connect_timeout)
            except OSError as e:
                raise ClusterGone(
                    f"cannot reach the Dask scheduler at {cluster} ({e}); start it, or run "
                    "without --dask to work on this machine"
                ) from None
            self._own = True
        self.address = self.client.scheduler.address
        #: Where each finished core ran, by job key (the last few; for logs and tests).
        self.ran_on: dict[str, str] = {}

    @property
    def slots(self) -> int:
        try:
            info = self.client.scheduler_info()
            return max(1, sum(w.get("nthreads", 1) for w in info["workers"].values()))
        except Exception:
            return 1

    def run(self, key: str, fn: Callable[[Any], T], ctx: JobContext) -> T:
        d = self._distributed
        tkey = f"nemo-{key.replace(':', '-')}-{uuid.uuid4().hex[:8]}"
        try:
            progress = d.Variable(f"{tkey}-progress", client=self.client)
            cancel = d.Event(f"{tkey}-cancel", client=self.client)
            fut = self.client.submit(_run_remote, fn, tkey, key=tkey, pure=False)
        except (OSError, d.comm.CommClosedError) as e:
            raise self._gone(e) from None
        cancel_sent = False
        try:
            while not fut.done():
                if ctx.cancelled and not cancel_sent:
                    cancel.set()  # the core stops at its next check() and raises Cancelled
                    cancel_sent = True
                with contextlib.suppress(TimeoutError):
                    ctx.progress(progress.get(timeout=0.25))
                time.sleep(0.2)
                if self.client.status not in ("running", "connecting"):
                    raise self._gone(None)
            if fut.status == "error":
                exc = fut.exception()
                if isinstance(exc, d.KilledWorker):
                    raise JobLost(
                        "the Dask workers running this job died (out of memory, or killed) "
                        "and the scheduler gave up on it; try again, or with fewer jobs at once"
                    )
                raise exc  # the core's own error, as if it had run here
            if fut.status == "cancelled":
                if ctx.cancelled:
                    raise Cancelled()
                raise self._gone(None)
            result, where = fut.result()
            self.ran_on[key] = where
            if len(self.ran_on) > 256:
                self.ran_on.pop(next(iter(self.ran_on)))
            log.info("job %s ran on %s", key, where)
            return result
        except (OSError, d.comm.CommClosedError) as e:
            raise self._gone(e) from None
        finally:
            if not fut.done():
                fut.cancel()
            fut.release()
            with contextlib.suppress(Exception):
                progress.delete()

    def _gone(self, e: BaseException | None) -> ClusterGone:
        why = f" ({type(e).__name__})" if e is not None else ""
        return ClusterGone(
            f"the Dask scheduler at {self.address} went away while this job ran{why}; "
            "nothing stored was lost — ask again once the cluster is back, or restart the "
            "engine without --dask"
        )

    def close(self) -> None:
        if self._own:
            self.client.close()
