"""Decoded frames kept once, for a second look without a second decode.

A stage that must read a clip twice — object removal scans it for the objects, then analyses
it with the masks of the ones chosen — can keep the frames the first pass decoded: upright
RGB, written raw to a file in a temp folder and read back memory-mapped (the pages the first
pass wrote are usually still in the page cache). Bounded: past ``budget`` bytes (or half the
free disk) the cache gives up and deletes what it held, and the second pass decodes again.

    with FrameCache(tmp_dir) as cache:
        for f in FrameReader(src):
            cache.add(f)
            ...
        if cache.finish():
            for f in cache.frames(check):      # CachedFrame: index, t, pts, rgb
                ...
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

#: Disk a cache may take by default (a 1080p clip of about 12 s at 30 fps).
CACHE_BYTES = 2 << 30


class CachedFrame:
    """A frame read back from a :class:`FrameCache`: ``index``, ``t``, ``pts`` and ``rgb``
    (a copy-on-write view onto the mapped file), as :class:`~.reader.DecodedFrame` has them."""

    __slots__ = ("index", "pts", "rgb", "t")

    def __init__(self, index: int, t: float, pts: int | None, rgb: np.ndarray) -> None:
        self.index, self.t, self.pts, self.rgb = index, t, pts, rgb

    def lean(self) -> CachedFrame:
        """This frame, to hold for later (its picture costs no memory: it is on the map)."""
        return self


class FrameCache:
    """Upright RGB frames of one source in a raw file under ``folder`` (see the module)."""

    def __init__(self, folder: str | Path, budget: int = CACHE_BYTES) -> None:
        folder = Path(folder)
        self.budget = min(budget, shutil.disk_usage(folder).free // 2)
        self._file: Any = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in finish/close
            dir=folder, prefix=".frames-", suffix=".rgb", delete=False
        )
        self.path = Path(self._file.name)
        self.shape: tuple[int, ...] | None = None
        self.times: list[float] = []
        self.pts: list[int | None] = []
        #: False once a frame did not fit (over budget, or a change of size).
        self.whole = True

    def add(self, f: Any) -> None:
        """Keep frame ``f`` (a :class:`~.reader.DecodedFrame`, taken in decode order)."""
        if not self.whole:
            return
        rgb = np.ascontiguousarray(f.rgb)
        if self.shape is None:
            self.shape = rgb.shape
        if (
            rgb.shape != self.shape
            or f.index != len(self.times)
            or (len(self.times) + 1) * rgb.nbytes > self.budget
        ):
            self._give_up()
            return
        try:
            self._file.write(rgb.data)
        except OSError:  # the disk filled up: the second pass decodes instead
            self._give_up()
            return
        self.times.append(f.t)
        self.pts.append(f.pts)

    def expect(self, frames: int, nbytes: int) -> bool:
        """Say that about ``frames`` frames of ``nbytes`` each are coming: a cache that could
        not hold them gives up now, instead of writing up to its budget for nothing."""
        if self.whole and frames * nbytes > self.budget:
            self._give_up()
        return self.whole

    def _give_up(self) -> None:
        self.whole = False
        self.close()

    def finish(self) -> bool:
        """Done writing: whether every frame is held (else the file is gone already)."""
        if self.whole and self._file is not None:
            try:
                self._file.close()  # flushes: may find the disk full
            except OSError:
                self._give_up()
            self._file = None
        if not self.times:
            self._give_up()
        return self.whole

    def frames(self, check: Callable[[], None] | None = None, every: int = 16) -> Iterator[Any]:
        """The frames held, in order (``check`` called every ``every`` frames)."""
        if not self.whole or self.shape is None:
            raise RuntimeError("the frame cache does not hold the whole clip")
        mapped = np.memmap(self.path, np.uint8, "c", shape=(len(self.times), *self.shape))
        for i, (t, pts) in enumerate(zip(self.times, self.pts, strict=True)):
            if check is not None and i % every == 0:
                check()
            yield CachedFrame(i, t, pts, mapped[i])

    def close(self) -> None:
        """Delete the file (the cache holds nothing after)."""
        if self._file is not None:
            with contextlib.suppress(Exception):
                self._file.close()
            self._file = None
        self.path.unlink(missing_ok=True)
        self.whole = False

    def __enter__(self) -> FrameCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
