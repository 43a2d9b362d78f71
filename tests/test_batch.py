"""client.batch: one instruction over many files against a real engine — one session per
file, bounded concurrency, a failing file reported in its row while the others finish."""

from __future__ import annotations

import asyncio
from pathlib import Path

import av
import pandas as pd
import pytest

from nemo_widgets.client import AsyncNemoClient, NemoClient, Settings
from nemo_widgets.synth import make_clip

pytestmark = [pytest.mark.usefixtures("isolated_config"), pytest.mark.slow]


def _fast() -> Settings:
    return Settings(rate_limit_wait=0, poll_initial=0.05, initial_backoff=0.01)


def _files(tmp_path: Path) -> list[Path]:
    good = [
        make_clip(tmp_path / "a.mp4", seconds=1, width=320, height=180),
        make_clip(tmp_path / "b.mp4", seconds=1, width=240, height=160),
    ]
    other = tmp_path / "sub"
    other.mkdir()
    same_stem = make_clip(other / "a.mp4", seconds=1, width=160, height=120)
    text = tmp_path / "notes.mp4"
    text.write_text("not a video\n" * 40)
    return [*good, same_stem, text, tmp_path / "missing.mp4"]


def _size(path: str) -> tuple[int, int]:
    with av.open(path) as c:
        return c.streams.video[0].width, c.streams.video[0].height


def _check(df, tmp_path: Path) -> None:
    assert list(df.columns) == ["file", "reply", "changes", "seconds", "output", "url", "error"]
    assert list(df.file) == ["a.mp4", "b.mp4", "a.mp4", "notes.mp4", "missing.mp4"]
    ok = df[df.error.isna()]
    assert len(ok) == 3, df.to_string()
    outs = [Path(p) for p in ok.output]
    assert [p.name for p in outs] == ["a.mp4", "b.mp4", "a-2.mp4"]  # never overwritten
    for p in outs:
        assert p.parent == tmp_path / "out"
        w, h = _size(str(p))
        assert w == h  # the instruction really ran on each file: 1:1
    assert all("1:1" in c for c in ok.changes)
    assert "text file" in df.error[3]
    assert "no such file" in df.error[4] and pd.isna(df.output[4])


def test_batch_sync(engine, tmp_path: Path) -> None:
    with NemoClient(engine.base_url, settings=_fast()) as client:
        df = client.batch(
            _files(tmp_path), "make it 1:1", download_to=tmp_path / "out", progress=False
        )
    _check(df, tmp_path)


def test_batch_async_with_progress_bar(
    engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def main():
        async with AsyncNemoClient(engine.base_url, settings=_fast()) as client:
            return await client.batch(
                _files(tmp_path), "make it 1:1", download_to=tmp_path / "out", concurrency=3
            )

    _check(asyncio.run(main()), tmp_path)
    assert "5/5" in capsys.readouterr().err  # the text bar of a terminal


def test_batch_step_that_changes_nothing_is_an_error_not_an_export(engine, tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", seconds=1, width=160, height=120)
    with NemoClient(engine.base_url, settings=_fast()) as client:
        df = client.batch([clip], "flibbertigibbet wumpus", download_to=tmp_path, progress=False)
        assert pd.isna(df.output[0]) and "changed nothing" in df.error[0]
        df = client.batch([clip], "make it 1:1", download_to=tmp_path, progress=False)
        assert Path(df.output[0]).name == "c-edited.mp4"  # the source is never overwritten
        assert _size(str(clip)) == (160, 120)
        df = client.batch([clip], ["make it 1:1", "make it 9:16"], export=False, progress=False)
    assert pd.isna(df.error[0]) and pd.isna(df.output[0])
    assert "1:1" in df.changes[0] and "9:16" in df.changes[0]


def test_batch_panel_runs_the_form(engine, tmp_path: Path) -> None:
    from nemo_widgets.widgets import BatchPanel

    (tmp_path / "clips").mkdir()
    for name in ("x.mp4", "y.mp4"):
        make_clip(tmp_path / "clips" / name, seconds=1, width=160, height=120)

    async def main():
        async with AsyncNemoClient(engine.base_url, settings=_fast()) as client:
            panel = BatchPanel(
                client,
                files=f"{tmp_path}/clips/*.mp4\n{tmp_path}/gone.mp4",
                instruction="make it 1:1",
                download_to=str(tmp_path / "out"),
            )
            assert await BatchPanel(client).start() is None  # an empty form asks, runs nothing
            return panel, await panel.start()

    panel, df = asyncio.run(main())
    assert list(df.file) == ["x.mp4", "y.mp4", "gone.mp4"]
    assert panel.progress.value == panel.progress.max == 3
    assert panel.progress.bar_style == "warning"  # one failed
    assert "2 of 3 exported" in panel.status.value and "1 failed" in panel.status.value
    assert "no such file" in panel.table.value and "x.mp4" in panel.table.value
    assert all(len(set(_size(p))) == 1 for p in df.output.dropna())  # square: 1:1
