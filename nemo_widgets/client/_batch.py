"""Batches: one instruction (or a few, in order) applied to many files, one session per file,
a bounded number at a time, with a progress bar; one file failing never stops the others.

The sync and async clients share this module's bookkeeping; only the waiting differs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nemo_widgets.client._errors import NemoError


class StepFailed(Exception):
    """An instruction of the batch did not do what it said on one file."""


#: The columns of the DataFrame a batch returns, in order.
COLUMNS = ["file", "reply", "changes", "seconds", "output", "url", "error"]


@dataclass
class BatchItem:
    """One file of a batch and what became of it."""

    file: Path
    output: Path | None = None
    reply: str = ""
    changes: list[str] = field(default_factory=list)
    url: str = ""
    error: str = ""
    seconds: float = 0.0
    _t0: float = field(default_factory=time.perf_counter, repr=False)

    def done(self) -> None:
        self.seconds = round(time.perf_counter() - self._t0, 2)

    def failed(self, e: BaseException) -> None:
        """What went wrong, in words a user can act on (the client's errors say what to do)."""
        plain = isinstance(e, NemoError | StepFailed | FileNotFoundError)
        self.error = str(e) if plain else f"{type(e).__name__}: {e}"
        self.output = None
        self.done()

    def absorb(self, result: Any) -> None:
        """Take one step's :class:`RunResult`; raises :class:`StepFailed` when the step failed
        or changed nothing (the file is then not exported: it would be the untouched clip)."""
        self.reply = "\n".join(x for x in (self.reply, result.text) if x)
        self.changes += result.changes
        failed = result.failed_tools
        if failed:
            why = failed[0].response.get("message") or failed[0].response.get("error")
            raise StepFailed(f"{failed[0].name} failed: {why or result.text}")
        if not result.changes and not result.tool_calls:
            raise StepFailed(f"the instruction changed nothing ({result.text.strip()[:200]})")

    def row(self) -> dict[str, Any]:
        return {
            "file": self.file.name,
            "reply": self.reply,
            "changes": "; ".join(self.changes),
            "seconds": self.seconds,
            "output": str(self.output) if self.output else None,
            "url": self.url or None,
            "error": self.error or None,
        }


def plan_items(
    files: Iterable[str | Path], download_to: str | Path | None, fmt: str
) -> list[BatchItem]:
    """One item per file; outputs ``<stem>.<fmt>`` under ``download_to``, numbered when two
    files share a stem. A missing file is marked failed here and never uploaded."""
    items, taken = [], set()
    for f in files:
        item = BatchItem(Path(f))
        if not item.file.is_file():
            item.failed(FileNotFoundError(f"no such file: {item.file}"))
        elif download_to is not None:
            stem, n = item.file.stem, 1
            if (Path(download_to) / item.file.name).resolve() == item.file.resolve():
                stem = f"{stem}-edited"  # never over the source
            while stem in taken:
                n += 1
                stem = f"{item.file.stem}-{n}"
            taken.add(stem)
            item.output = Path(download_to) / f"{stem}.{fmt}"
        items.append(item)
    if not items:
        raise ValueError("batch() needs at least one file")
    return items


def instructions(instruction: str | Sequence[str]) -> list[str]:
    steps = [instruction] if isinstance(instruction, str) else list(instruction)
    steps = [s for s in steps if s and s.strip()]
    if not steps:
        raise ValueError("batch() needs an instruction, e.g. 'blur the background'")
    return steps


def progress_bar(total: int, desc: str = "batch") -> Any:
    """A notebook widget bar under Jupyter, a text bar in a terminal (``tqdm.auto``)."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="file")


def result_frame(items: list[BatchItem]) -> Any:
    import pandas as pd

    return pd.DataFrame([it.row() for it in items], columns=COLUMNS)


def run_batch(
    client: Any,
    files: Iterable[str | Path],
    instruction: str | Sequence[str],
    *,
    export: bool = True,
    download_to: str | Path | None = None,
    format: str = "mp4",
    quality: str = "high",
    concurrency: int = 2,
    progress: bool = True,
    timeout: float | None = None,
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> Any:
    """``client.batch(...)``: apply ``instruction`` (or several, in order) to each file, in a
    session of its own, ``concurrency`` files at a time; export each (and download it into
    ``download_to``).

    One file failing never stops the others: its row says why. Returns a DataFrame with
    the columns ``file, reply, changes, seconds, output, url, error``; ``on_row`` gets each
    row as its file finishes (a UI's progress).
    """
    steps = instructions(instruction)
    items = plan_items(files, download_to if export else None, format)
    bar = progress_bar(len(items)) if progress else None

    def one(item: BatchItem) -> None:
        try:
            if item.error:
                return
            session = client.create_session()
            session.upload(item.file)
            for text in steps:
                item.absorb(session.say(text))
            if export:
                res = session.export(
                    format=format, quality=quality, download_to=item.output, timeout=timeout
                )
                item.url, item.output = res.url, res.path
            item.done()
        except Exception as e:
            item.failed(e)
        finally:
            if bar is not None:
                bar.update(1)
            if on_row is not None:
                on_row(item.row())

    try:
        with ThreadPoolExecutor(max(1, concurrency), thread_name_prefix="nemo-batch") as pool:
            list(pool.map(one, items))
    finally:
        if bar is not None:
            bar.close()
    return result_frame(items)


async def arun_batch(
    client: Any,
    files: Iterable[str | Path],
    instruction: str | Sequence[str],
    *,
    export: bool = True,
    download_to: str | Path | None = None,
    format: str = "mp4",
    quality: str = "high",
    concurrency: int = 2,
    progress: bool = True,
    timeout: float | None = None,
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> Any:
    """``await client.batch(...)``: the async twin of :func:`run_batch`."""
    steps = instructions(instruction)
    items = plan_items(files, download_to if export else None, format)
    bar = progress_bar(len(items)) if progress else None
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(item: BatchItem) -> None:
        try:
            if item.error:
                return
            async with gate:
                session = await client.create_session()
                await session.upload(item.file)
                for text in steps:
                    item.absorb(await session.say(text))
                if export:
                    res = await session.export(
                        format=format,
                        quality=quality,
                        download_to=item.output,
                        timeout=timeout,
                    )
                    item.url, item.output = res.url, res.path
            item.done()
        except Exception as e:
            item.failed(e)
        finally:
            if bar is not None:
                bar.update(1)
            if on_row is not None:
                on_row(item.row())

    try:
        await asyncio.gather(*(one(it) for it in items))
    finally:
        if bar is not None:
            bar.close()
    return result_frame(items)
