"""Small helpers of the widgets: step labels, friendly errors, running work on the kernel's
loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from nemo_widgets.client import InsufficientCredits, NemoError, UploadedFile

#: What the UI shows for tool names (progress steps, never chat text).
STEP_LABELS = {
    "remove_object": "Removing the object",
    "replace_background": "Replacing the background",
    "trim": "Trimming",
    "add_title": "Adding the title",
    "add_bgm": "Adding music",
    "set_volume": "Setting the volume",
    "set_aspect": "Changing the aspect ratio",
    "set_speed": "Changing the speed",
    "reorder": "Reordering clips",
    "remove_clip": "Removing the clip",
    "remove_track": "Removing the track",
    "add_clip": "Adding the clip",
    "undo": "Undoing",
}


def friendly(err: BaseException) -> str:
    """What to show under a widget: the message with what to do, never a raw trace or token."""
    if isinstance(err, InsufficientCredits):
        return f"Out of credits. {err.hint}"
    if isinstance(err, NemoError):
        return str(err)
    if isinstance(err, FileNotFoundError | ValueError):
        return str(err)
    return f"{type(err).__name__}: {err}"


def _already_text(files: list[UploadedFile]) -> str:
    names = ", ".join(f.filename for f in files)
    return f"{names}: already in this project, so not uploaded again."


def run_soon(
    coro: Awaitable[Any],
    on_error: Callable[[BaseException], None],
    tasks: set[Any],
    loop: asyncio.AbstractEventLoop | None = None,
) -> Any:
    """Run ``coro`` as a task on ``loop`` (the controller's home loop, the kernel's), kept
    until done; errors go to ``on_error`` (shown under the widget), not into a log.

    Called from the home loop it returns the task; called from another thread or loop (a
    subshell handling a widget message) it schedules the task there and returns a
    ``concurrent.futures.Future``.
    """
    try:
        current: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        current = None
    target = loop or current
    if target is None:
        raise RuntimeError("no event loop to run on; use the Studio from a notebook or await it")

    def report(exc: BaseException | None) -> None:
        if exc is not None:
            on_error(exc)

    if target is current:
        task = asyncio.ensure_future(coro)
        tasks.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            tasks.discard(t)
            if not t.cancelled():
                report(t.exception())

        task.add_done_callback(done)
        return task
    fut = asyncio.run_coroutine_threadsafe(coro, target)  # type: ignore[arg-type]
    tasks.add(fut)

    def done_threadsafe(f: Any) -> None:
        tasks.discard(f)
        if not f.cancelled():
            report(f.exception())

    fut.add_done_callback(done_threadsafe)
    return fut
