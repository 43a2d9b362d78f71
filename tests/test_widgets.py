"""Widgets without a browser: handlers called as the front-end calls them, traits checked.

The engine is real (loopback); only the outgoing comm messages are captured, since there is
no browser on the other end.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

from nemo_widgets.client import AsyncNemoClient, Settings
from nemo_widgets.widgets import (
    BoxSelect,
    Controller,
    ExportPanel,
    PromptPanel,
    Studio,
    UploadPanel,
)
from nemo_widgets.widgets.panels import removal_note

pytestmark = pytest.mark.usefixtures("isolated_config")


def fast() -> Settings:
    return Settings(rate_limit_wait=0, poll_initial=0.05)


def capture(widget: Any) -> list[dict]:
    sent: list[dict] = []
    widget.send = lambda content, buffers=None: sent.append(content)
    return sent


def fetch_media(widget: Any, slot: str) -> bytes:
    """Pull a media slot as the front-end does: media-get per chunk, over the comm."""
    desc, got = widget.media[slot], b""
    replies: list[tuple[dict, list]] = []
    widget.send = lambda content, buffers=None: replies.append((content, buffers or []))
    while len(got) < desc["size"]:
        widget._on_front_end(
            widget, {"kind": "media-get", "id": desc["id"], "offset": len(got)}, []
        )
        content, buffers = replies.pop()
        assert content == {"kind": "media-chunk", "id": desc["id"], "offset": len(got)}, content
        assert 0 < len(buffers[0]) <= 2 * 1024 * 1024
        got += bytes(buffers[0])
    return got


async def settle(*widgets: Any) -> None:
    for _ in range(200):
        pending = [t for wdg in widgets for t in wdg._tasks]
        if not pending:
            return
        await asyncio.gather(*pending, return_exceptions=True)


def test_studio_headless_mirrors_the_ui(engine, clip: Path, tmp_path: Path) -> None:
    async def main() -> None:
        client = AsyncNemoClient(engine.base_url, settings=fast())
        studio = Studio(client)
        studio.export_panel.save_to = str(tmp_path)
        await settle(studio.status_bar)
        assert studio.status_bar.status == "Ready! (embedded engine)"
        assert studio.status_bar.credits["available"] == 100
        await studio.upload(clip)
        assert studio.upload_panel.files[0]["filename"] == "clip.mp4"
        assert studio.upload_panel.progress == 1.0
        result = await studio.say("add the title 'Hello' for 1 second")
        assert result.text.startswith("Added the title")
        msgs = studio.prompt.messages
        assert [m["role"] for m in msgs] == ["user", "assistant"]
        assert msgs[-1]["steps"] == [
            {
                "id": msgs[-1]["steps"][0]["id"],
                "name": "add_title",
                "label": "Adding the title",
                "status": "done",
            }
        ]
        assert msgs[-1]["text"] == result.text and not msgs[-1]["pending"]
        tl = studio.timeline_panel
        assert tl.summary == 'Timeline (2 tracks): 1. Video: clip (0-4s) 2. Title: "Hello" (0-1s)'
        assert [t["kind"] for t in tl.tracks] == ["video", "text"]
        assert "<table" in tl.table_html
        assert list(studio.timeline["kind"]) == ["video", "text"]
        # For people: mm:ss.mmm, named columns, no <NA>; the typed frame is still there.
        shown = studio.timeline.to_string()
        assert "<NA>" not in shown and "days" not in shown and "nan" not in shown
        assert list(studio.timeline["length"])[1] == "00:01.000"
        assert re.fullmatch(r"00:04\.\d{3}", studio.timeline["length"][0])
        assert list(studio.timeline["what"]) == ["clip", "Hello"]
        assert str(studio.timeline_data["duration"].dtype).startswith("timedelta")
        assert '<td class="nemo-col-start">00:00.000</td>' in tl.table_html
        lines: list[str] = []
        studio.prompt.observe(lambda ch: lines.append(ch["new"]), "status_line")
        res = await studio.export()
        assert "⏳ Exporting… 100 %" in lines and studio.prompt.status_line == ""
        ep = studio.export_panel
        assert ep.progress == 100 and ep.status == "completed"
        preview = Path(ep.preview_path).read_bytes()
        assert preview[4:8] == b"ftyp" and len(preview) < res.size * 3
        assert Path(ep.saved_path).exists() and ep.download_url == res.url
        # The browser gets the preview and the file through the comm, not from the engine.
        assert set(ep.media) >= {"preview", "download"}
        assert fetch_media(ep, "preview") == preview
        assert fetch_media(ep, "download") == Path(ep.saved_path).read_bytes()
        # Before/after: the timeline before the last edit (the title), rendered quickly.
        assert ep.media["before"]["label"] == "Before the last edit"
        assert fetch_media(ep, "before")[4:8] == b"ftyp"
        assert studio.status_bar.credits["available"] == 99
        await client.aclose()

    asyncio.run(main())


def test_chunked_upload_from_the_browser(engine, clip: Path) -> None:
    async def main() -> None:
        panel = UploadPanel(Controller(AsyncNemoClient(engine.base_url, settings=fast())))
        panel.chunk_bytes = 64 * 1024
        sent = capture(panel)
        data = clip.read_bytes()
        panel._on_front_end(
            panel, {"kind": "upload-start", "id": "u1", "name": "clip.mp4", "size": len(data)}, []
        )
        assert sent[-1] == {"kind": "upload-ack", "id": "u1", "received": 0}
        for off in range(0, len(data), panel.chunk_bytes):
            panel._on_front_end(
                panel,
                {"kind": "upload-chunk", "id": "u1", "offset": off},
                [memoryview(data[off : off + panel.chunk_bytes])],
            )
            assert sent[-1]["received"] == min(off + panel.chunk_bytes, len(data))
        assert 0.45 <= panel.progress <= 0.5
        panel._on_front_end(
            panel,
            {"kind": "upload-end", "id": "u1", "thumbnail": "data:image/jpeg;base64,AAAA"},
            [],
        )
        await settle(panel)
        assert not panel.error
        assert sent[-1]["kind"] == "upload-done"
        row = panel.files[0]
        assert row["filename"] == "clip.mp4" and row["width"] == 640
        assert row["thumbnail"].startswith("data:image/jpeg")
        assert row["hash"] == __import__("hashlib").sha256(data).hexdigest()

    asyncio.run(main())


def test_upload_refuses_before_sending(engine) -> None:
    async def main() -> None:
        panel = UploadPanel(Controller(AsyncNemoClient(engine.base_url, settings=fast())))
        sent = capture(panel)
        panel._on_front_end(
            panel, {"kind": "upload-start", "id": "a", "name": "notes.docx", "size": 10}, []
        )
        assert sent[-1]["kind"] == "upload-error" and "mp4 mov avi" in sent[-1]["message"]
        panel._on_front_end(
            panel, {"kind": "upload-start", "id": "b", "name": "big.mp4", "size": 600 * 2**20}, []
        )
        assert sent[-1]["kind"] == "upload-error" and "500 MB" in sent[-1]["message"]
        # A chunk out of order is refused and the partial file is dropped.
        panel._on_front_end(
            panel, {"kind": "upload-start", "id": "c", "name": "x.mp4", "size": 100}, []
        )
        panel._on_front_end(
            panel, {"kind": "upload-chunk", "id": "c", "offset": 50}, [memoryview(b"x" * 10)]
        )
        assert sent[-1]["kind"] == "upload-error" and "out of order" in sent[-1]["message"]
        assert "c" not in panel._incoming

    asyncio.run(main())


def test_prompt_routes_and_guards(engine, clip: Path) -> None:
    async def main() -> None:
        c = Controller(AsyncNemoClient(engine.base_url, settings=fast()))
        prompt = PromptPanel(c)
        await c.upload(clip)
        prompt._on_front_end(prompt, {"kind": "send", "text": "credits"}, [])
        await settle(prompt)
        assert prompt.messages[-1]["text"].startswith("Credits: 100 available")
        prompt._on_front_end(prompt, {"kind": "send", "text": "状态"}, [])
        await settle(prompt)
        assert prompt.messages[-1]["text"].startswith("Timeline (1 track)")
        prompt._on_front_end(prompt, {"kind": "send", "text": "keep 0:01 to 0:02"}, [])
        assert prompt.busy or prompt._tasks
        prompt._on_front_end(prompt, {"kind": "send", "text": "and again"}, [])
        await settle(prompt)
        sent_texts = [m["text"] for m in prompt.messages if m["role"] == "user"]
        assert "and again" in sent_texts or "in progress" in prompt.error
        prompt._on_front_end(prompt, {"kind": "send", "text": "   "}, [])
        await settle(prompt)
        assert "type an instruction" in prompt.error

    asyncio.run(main())


def test_gui_phrases_become_buttons_and_errors_show_inline(engine, clip: Path) -> None:
    async def main() -> None:
        c = Controller(AsyncNemoClient(engine.base_url, settings=fast()))
        studio_bar_errors: list[BaseException] = []
        c.on("error", lambda error: studio_bar_errors.append(error))
        prompt = PromptPanel(c)
        c.emit("message", role="assistant", text="Done! Click the Export button to download.")
        assert prompt.messages[-1]["actions"][0]["kind"] == "export"
        await c.upload(clip)
        user = c.session.client  # noqa: F841 - the session exists now
        store = engine.engine.store
        store.set_credits(store.lookup_token(c.client._token).user_id, 0)
        prompt.say("make it 9:16")
        await settle(prompt)
        assert "Out of credits" in prompt.error and "register" in prompt.error
        assert prompt.messages[-1].get("error") == prompt.error
        assert not prompt.busy
        assert studio_bar_errors and "bind=" in str(studio_bar_errors[-1])

    asyncio.run(main())


def test_box_selection_goes_with_the_next_instruction(engine, clip: Path) -> None:
    async def main() -> None:
        c = Controller(AsyncNemoClient(engine.base_url, settings=fast()))
        box = BoxSelect(c)
        got: list[Any] = []

        @box.on_submit
        def remember(b: list[float], t: float) -> None:
            got.append((b, t))

        await c.upload(clip)
        await settle(box)
        source = fetch_media(box, "source")
        assert source[4:8] == b"ftyp" and box.media["source"]["mime"] == "video/mp4"
        assert box.clip == {"name": "clip.mp4", "width": 640, "height": 360}
        assert engine.base_url not in str(box.get_state())  # nothing points at the engine
        box._on_front_end(box, {"kind": "box", "box": [0.1, 0.2, 0.4, 0.6], "time": 1.5}, [])
        assert got == [([0.1, 0.2, 0.4, 0.6], 1.5)] and c.selection is not None
        assert box.box_pixels == (64, 72, 256, 216)
        result = await c.say("remove this")
        assert c.selection is None  # sent once, with this instruction
        assert result.text.startswith("Removed"), result.text
        assert "what you boxed at 1.5 s (gone from 0 s to" in removal_note(result, c.sent_selection)
        assert c.state.get("selection") is None  # consumed by the removal
        assert c.state["generated_media"][-1]["kind"] == "removed"
        box._on_front_end(box, {"kind": "box", "box": [0.5, 0.5, 0.2, 0.9]}, [])
        assert "draw a box" in box.error

    asyncio.run(main())


def test_panels_refuse_unknown_arguments() -> None:
    with pytest.raises(TypeError, match="colour"):
        ExportPanel(colour="red")


def test_export_panel_webm_fallback(engine, clip: Path, tmp_path: Path) -> None:
    async def main() -> None:
        c = Controller(AsyncNemoClient(engine.base_url, settings=fast()))
        panel = ExportPanel(c, save_to=str(tmp_path))
        await c.upload(clip)
        panel._on_front_end(panel, {"kind": "export", "format": "webm"}, [])
        await settle(panel)
        assert not panel.error, panel.error
        assert panel.format == "webm" and panel.saved_path.endswith(".webm")
        assert Path(panel.saved_path).read_bytes()[:4] == b"\x1a\x45\xdf\xa3"  # EBML (WebM)

    asyncio.run(main())


def test_messages_from_a_subshell_thread_run_on_the_home_loop(engine, clip: Path) -> None:
    """ipykernel 7 may handle widget messages in a subshell thread with its own event loop;
    the work must still run on the loop that owns the client's connections."""
    import threading

    async def main() -> None:
        c = Controller(AsyncNemoClient(engine.base_url, settings=fast()))
        prompt = PromptPanel(c)
        await c.upload(clip)  # the client's connections now belong to this loop

        async def in_subshell() -> None:
            prompt._on_front_end(prompt, {"kind": "send", "text": "credits"}, [])

        t = threading.Thread(target=lambda: asyncio.run(in_subshell()))
        t.start()
        await asyncio.to_thread(t.join)
        for _ in range(100):
            if prompt.messages and prompt.messages[-1]["role"] == "assistant":
                break
            await asyncio.sleep(0.05)
        assert not prompt.error, prompt.error
        assert prompt.messages[-1]["text"].startswith("Credits: 100 available")

    asyncio.run(main())


def test_progress_streams_and_cancel_stops_the_step(engine, tmp_path: Path) -> None:
    """A long AI step streams progress into the chat bubble (percent, frames, time left); the
    Cancel button stops it on the engine: the draft is unchanged, no credit is spent, the chat
    unlocks and takes the next instruction."""
    from nemo_widgets.synth import make_clip

    long_clip = make_clip(tmp_path / "long.mp4", seconds=12, width=640, height=360)

    async def main() -> None:
        c = Controller(AsyncNemoClient(engine.base_url, settings=fast()))
        prompt = PromptPanel(c)
        await c.upload(long_clip)
        before = c.state.get("draft")
        credits = (await c.credits()).available
        seen: list[dict] = []
        c.on("progress", lambda **p: seen.append(p))
        prompt._on_front_end(
            prompt,
            {"kind": "send", "text": "replace my background with a clean studio backdrop"},
            [],
        )
        for _ in range(600):
            if seen and seen[-1]["percent"] >= 3:
                break
            await asyncio.sleep(0.05)
        assert seen, "no progress while the step ran"
        step = prompt.messages[-1]["steps"][0]
        assert step["status"] == "running" and step["progress"]["percent"] >= 3
        assert step["progress"]["total_frames"] == 300
        assert 0 < step["progress"]["frames"] <= 300 and step["progress"]["eta_s"] is not None
        assert c.job is not None and c.job["kind"] == "run" and prompt.job == "run"
        prompt._on_front_end(prompt, {"kind": "cancel"}, [])
        await settle(prompt)
        assert not prompt.busy and prompt.job == "" and c.job is None
        last = prompt.messages[-1]
        assert last["text"].startswith("Cancelled"), last
        assert not last.get("pending")
        await c.refresh()
        assert c.state.get("draft") == before  # nothing half-done landed
        assert (await c.credits()).available == credits  # and nothing was charged
        assert engine.engine.pool._cancel == {}  # the job is gone from the pool
        result = await c.say("add the title 'After' for 1 second")
        assert result.text.startswith("Added the title")

    asyncio.run(main())


def test_an_interrupted_run_ends_its_job_before_the_chat_unlocks(engine, tmp_path: Path) -> None:
    """The kernel's ■ cancels the task awaiting ``say``. The panels must hear that the job is
    over (Cancel buttons hide) before the chat unlocks; the other order let the browser show
    an unlocked chat beside a live Cancel button (the flaky browser test)."""
    from nemo_widgets.synth import make_clip

    long_clip = make_clip(tmp_path / "long.mp4", seconds=12, width=640, height=360)

    async def main() -> None:
        c = Controller(AsyncNemoClient(engine.base_url, settings=fast()))
        prompt = PromptPanel(c)
        await c.upload(long_clip)
        order: list[tuple[str, Any]] = []
        prompt.observe(lambda ch: order.append((ch["name"], ch["new"])), names=["busy", "job"])
        seen: list[dict] = []
        c.on("progress", lambda **p: seen.append(p))
        task = asyncio.ensure_future(c.say("replace my background with a clean studio backdrop"))
        for _ in range(600):
            if seen:
                break
            await asyncio.sleep(0.05)
        assert seen and prompt.job == "run" and prompt.busy
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert order[-2:] == [("job", ""), ("busy", False)], order
        last = prompt.messages[-1]
        assert last["text"].startswith("Cancelled"), last
        # The step that was running shows as cancelled, not as still running.
        assert [st["status"] for st in last["steps"]] == ["cancelled"], last["steps"]
        assert "progress" not in last["steps"][0]
        assert c.job is None and not c.lock.locked()

    asyncio.run(main())


def test_studio_cancel_with_nothing_running(engine) -> None:
    async def main() -> None:
        studio = Studio(AsyncNemoClient(engine.base_url, settings=fast()))
        await settle(studio.status_bar)
        assert await studio.cancel() is False

    asyncio.run(main())


def test_a_project_comes_back(engine, clip: Path, tmp_path: Path) -> None:
    """A second Studio on the same project (a re-run cell, a restarted kernel) finds the
    session: uploads, timeline and the last export; its previews live in the project."""
    from nemo_widgets.widgets._project import Project

    async def main() -> None:
        root = tmp_path / "data"
        one = Studio(
            AsyncNemoClient(engine.base_url, settings=fast()), project=Project("demo", root)
        )
        one.export_panel.save_to = str(tmp_path / "out")
        await settle(one.status_bar)
        assert "project “demo”" in one.status_bar.status
        await one.upload(clip)
        await one.say("add the title 'Kept' for 1 second")
        res = await one.export()
        saved = Project("demo", root).load()
        assert saved["session_id"] == one.controller.session.id
        assert saved["last_export"]["path"] == str(Path(res.path).resolve())

        two = Studio(
            AsyncNemoClient(engine.base_url, settings=fast()), project=Project("demo", root)
        )
        await settle(two.status_bar, two.box, two.export_panel)
        assert two.controller.session.id == one.controller.session.id
        assert two.summary == one.summary and 'Title: "Kept"' in two.summary
        assert [f["filename"] for f in two.upload_panel.files] == ["clip.mp4"]
        # Re-running the notebook's upload cell does not add the clip a second time.
        again = await two.upload(clip)
        assert [f.filename for f in again] == ["clip.mp4"]
        assert two.summary == one.summary
        assert "already in this project" in two.prompt.messages[-1]["text"]
        assert two.export_panel.status == "completed" and not two.export_panel.stale
        assert fetch_media(two.export_panel, "download") == Path(res.path).read_bytes()
        assert set(two.box.media) == {"source"}
        assert (root / "projects" / "demo" / "cache").is_dir()
        # An edit makes the export out of date.
        await two.say("add the title 'Later' for 1 second")
        assert two.export_panel.stale

    asyncio.run(main())


def test_output_size_is_chosen_never_the_first_clips(engine, tmp_path: Path) -> None:
    """After a 400×300 clip, a 1280×720 one: the default export is the largest source (not
    the first clip's size); the presets give what they say."""
    import av

    from nemo_widgets.synth import make_clip
    from nemo_widgets.widgets._output import output_meta

    small = make_clip(tmp_path / "small.mp4", seconds=1, width=400, height=300, audio=False)
    big = make_clip(tmp_path / "big.mp4", seconds=1, width=1280, height=720, audio=False)

    def size(path: Path) -> tuple[int, int]:
        with av.open(str(path)) as c:
            s = c.streams.video[0]
            return s.codec_context.width, s.codec_context.height

    async def main() -> None:
        c = Controller(AsyncNemoClient(engine.base_url, settings=fast()))
        panel = UploadPanel(c)
        (first,) = await c.upload(small)
        (second,) = await c.upload(big)
        # The media bin: the first clip went onto the empty timeline, the second waits.
        assert c.on_timeline == {first.raw["file_id"]} and len(c.draft.tracks[0].segments) == 1
        assert panel.on_timeline == [first.raw["file_id"]]
        panel._on_front_end(panel, {"kind": "add_to_timeline", "filename": "big.mp4"}, [])
        await settle(panel)
        assert not panel.error, panel.error
        assert c.on_timeline == {first.raw["file_id"], second.raw["file_id"]}
        assert (c.draft.meta["width"], c.draft.meta["height"]) == (400, 300)  # the trap
        res = await c.export(quality="low", download_to=tmp_path)
        assert size(res.path) == (1280, 720)
        res = await c.export(quality="low", download_to=tmp_path, size="9:16")
        assert size(res.path) == (1080, 1920)
        with pytest.raises(ValueError, match="size must be one of"):
            await c.export(size="4k")

    asyncio.run(main())
    infos = [{"file_id": "a", "file_type": "video", "width": 3840, "height": 2160}]
    draft = {"t": [{"sg": [{"src": "a"}]}]}
    assert output_meta("source", draft, infos) == {"width": 1920, "height": 1080}
    assert output_meta("720p", draft, infos)["width"] == 1280
    portrait = [{"file_id": "a", "file_type": "video", "width": 1080, "height": 1920}]
    assert output_meta("1080p", draft, portrait)["height"] == 1920
    assert output_meta("source", {**draft, "m": {"aspect": "9:16"}}, infos) == {}


def test_cancel_an_export(engine, tmp_path: Path) -> None:
    """The export panel's Cancel stops the render job on the engine and unlocks the panel."""
    from nemo_widgets.synth import make_clip

    long_clip = make_clip(tmp_path / "long.mp4", seconds=20, width=1280, height=720)

    async def main() -> None:
        c = Controller(AsyncNemoClient(engine.base_url, settings=fast()))
        panel = ExportPanel(c, save_to=str(tmp_path / "out"))
        await c.upload(long_clip)
        panel._on_front_end(panel, {"kind": "export"}, [])
        for _ in range(600):
            if panel.job == "export" and panel.progress > 0:
                break
            await asyncio.sleep(0.05)
        assert panel.job == "export" and panel.busy
        panel._on_front_end(panel, {"kind": "cancel"}, [])
        await settle(panel)
        assert panel.status == "cancelled" and not panel.busy and panel.job == ""
        assert not panel.saved_path and c.job is None
        jobs = engine.engine.store._all("SELECT status FROM jobs")
        assert [j["status"] for j in jobs] == ["cancelled"]

    asyncio.run(main())


def test_add_to_timeline_names_the_right_file() -> None:
    """ "add the clip second.mp4": the file named in full, not clip.mp4 by its stem "clip"."""
    from nemo_widgets.engine.agent import plan

    files = [
        {"filename": "clip.mp4", "file_type": "video"},
        {"filename": "second.mp4", "file_type": "video"},
    ]
    p = plan("add the clip second.mp4 to the timeline", {"video_infos": files})
    assert [(c.name, c.args) for c in p.calls] == [("add_clip", {"file": "second.mp4"})]


def test_timeline_thumbnails_come_from_the_kernel(engine, tmp_path: Path) -> None:
    """Each clip on the timeline gets a thumbnail the kernel made from the media (its colour
    is the clip's), offered as a media slot pulled over the comm, made once per media."""
    import io

    from PIL import Image

    from nemo_widgets.synth import make_clip
    from nemo_widgets.widgets import TimelinePanel

    red = make_clip(tmp_path / "red.mp4", seconds=1, colour=(220, 30, 30), audio=False)
    blue = make_clip(tmp_path / "blue.mp4", seconds=1, colour=(30, 30, 220), audio=False)

    async def main() -> None:
        c = Controller(AsyncNemoClient(engine.base_url, settings=fast()))
        c.placement = "always"
        timeline = TimelinePanel(c)
        await c.upload(red, blue)
        await settle(timeline)
        segs = [s for t in timeline.tracks if t["kind"] == "video" for s in t["segments"]]
        assert len(segs) == 2 and all(s["thumb"] for s in segs), segs
        for seg, want in zip(segs, [(220, 30, 30), (30, 30, 220)], strict=True):
            desc = timeline.media[seg["thumb"]]
            assert desc["mime"] == "image/jpeg" and desc["size"] < 20_000
            img = Image.open(io.BytesIO(fetch_media(timeline, seg["thumb"]))).convert("RGB")
            assert img.height == 72
            got = img.getpixel((img.width // 2, img.height // 2))
            assert all(abs(g - w) < 25 for g, w in zip(got, want, strict=True)), (got, want)
        ids = {k: v["id"] for k, v in timeline.media.items()}
        await c.refresh()  # the timeline again: the same thumbnails, nothing made anew
        await settle(timeline)
        assert {k: v["id"] for k, v in timeline.media.items()} == ids
        assert len(list((c.workdir / "thumbs").glob("*.jpg"))) == 2

    asyncio.run(main())


def test_a_box_given_in_code_is_used_like_a_drawn_one() -> None:
    """For front-ends that cannot play the clip (VS Code has no H.264): the box from code."""
    c = Controller()
    box = BoxSelect(c)
    box.select([0.1, 0.2, 0.5, 0.6], 1.5)
    assert c.selection == {"box": [0.1, 0.2, 0.5, 0.6], "time": 1.5}
    assert box.box == [0.1, 0.2, 0.5, 0.6] and box.time == 1.5
    with pytest.raises(ValueError, match="draw a box inside the frame"):
        box.select([0.5, 0.5, 0.4, 0.6])
    assert c.selection["box"] == [0.1, 0.2, 0.5, 0.6]  # a bad box changes nothing


def test_a_quick_preview_of_the_timeline_after_each_edit(engine, tmp_path: Path) -> None:
    """After an edit the timeline panel gets a small low-quality render of the new timeline
    (over the comm, like all media): the whole timeline, the short side at most 360 px."""
    import av

    from nemo_widgets.synth import make_clip
    from nemo_widgets.widgets import TimelinePanel

    clip = make_clip(tmp_path / "clip.mp4", seconds=2, width=640, height=480)

    async def main() -> None:
        c = Controller(AsyncNemoClient(engine.base_url, settings=fast()))
        c.quick_previews = True
        timeline = TimelinePanel(c)
        await c.upload(clip)
        await c.say("add the title 'Quick' for 1 second")
        for _ in range(600):
            if "timeline" in timeline.media:
                break
            await asyncio.sleep(0.05)
        desc = timeline.media["timeline"]
        assert desc["mime"] == "video/mp4" and desc["label"].startswith("Quick preview")
        out = tmp_path / "quick.mp4"
        out.write_bytes(fetch_media(timeline, "timeline"))
        with av.open(str(out)) as f:
            v = f.streams.video[0]
            assert (v.width, v.height) == (480, 360)
            assert abs(float(f.duration / av.time_base) - 2.0) < 0.2
        assert len(list((c.workdir / "timeline").glob("*.mp4"))) == 1

    asyncio.run(main())


def test_box_select_shows_the_mask_the_removal_will_use(engine, tmp_path: Path) -> None:
    """Drawing a box asks the embedded engine for its mask; the overlay (an RGBA PNG the
    clip's size) comes over the comm and covers the boxed square, not the other."""
    import io

    import numpy as np
    from PIL import Image

    from tests.test_mask_preview import BOXED, OTHER, _cover, _norm, two_squares

    async def main() -> None:
        c = Controller(AsyncNemoClient(engine.base_url, settings=fast()))
        box = BoxSelect(c)
        await c.upload(two_squares(tmp_path / "two.mp4"))
        await settle(box)
        want = _norm(BOXED)
        box._on_front_end(box, {"kind": "preview", "box": want, "time": 0.4}, [])
        await settle(box)
        desc = box.media["mask"]
        assert desc["mime"] == "image/png" and desc["box"] == want and desc["time"] == 0.4
        assert desc["label"] == "selection" and 0 < desc["share"] < 0.2
        rgba = np.asarray(Image.open(io.BytesIO(fetch_media(box, "mask"))))
        assert rgba.shape == (160, 240, 4)
        shown = rgba[..., 3] > 0
        assert _cover(shown, BOXED) > 0.98 and _cover(shown, OTHER) < 0.01
        assert engine.base_url not in str(box.get_state())
        assert c.selection is None  # a preview selects nothing and runs nothing
        # A new box replaces the old mask; a service without the route shows none.
        box._on_front_end(box, {"kind": "preview", "box": _norm(OTHER), "time": 0.2}, [])
        await settle(box)
        assert box.media["mask"]["box"] == _norm(OTHER)

    asyncio.run(main())


def test_the_candidate_picker_shows_the_question_and_a_click_picks(engine, tmp_path: Path) -> None:
    """ "remove the toy" among three unnamed things: the reply carries the picker (the still
    over the comm, the outlines in video pixels); a click on 2 says "the second one" through
    the normal run path, the disc is gone, the others stay, and the picker is closed."""
    import io

    from PIL import Image

    from nemo_widgets.synth import frame_at
    from tests.things import H, W, shares, three_things

    async def main() -> None:
        c = Controller(AsyncNemoClient(engine.base_url, settings=fast()))
        prompt = PromptPanel(c)
        src = three_things(tmp_path / "things.mp4")
        await c.upload(src)
        prompt._on_front_end(prompt, {"kind": "send", "text": "remove the toy"}, [])
        await settle(prompt)
        index = len(prompt.messages) - 1
        picker = prompt.messages[index]["picker"]
        assert "nothing was changed yet" in prompt.messages[index]["text"]
        assert (picker["width"], picker["height"]) == (W, H) and not picker["closed"]
        items = picker["candidates"]
        assert [it["n"] for it in items] == [1, 2, 3], items
        for it in items:
            assert len(it["outline"]) >= 3
            assert all(0 <= x <= W and 0 <= y <= H for x, y in it["outline"])
        x0, y0, x1, y1 = items[1]["box"]  # the disc, in the middle
        assert 130 < (x0 + x1) / 2 < 190 and 110 < (y0 + y1) / 2 < 150, items[1]
        still = Image.open(io.BytesIO(fetch_media(prompt, picker["slot"])))
        assert still.size == (W, H) and still.format == "PNG"
        assert engine.base_url not in str(prompt.get_state())
        prompt._on_front_end(prompt, {"kind": "pick", "index": index, "n": 2}, [])
        assert prompt.messages[index]["picker"]["answered"] == 2
        await settle(prompt)
        assert [m["text"] for m in prompt.messages if m["role"] == "user"][-1] == "the second one"
        assert prompt.messages[-1]["text"].startswith("Removed the yellow"), prompt.messages[-1]
        assert prompt.messages[index]["picker"]["closed"]
        gen = c.state["generated_media"][-1]
        assert gen["kind"] == "removed"
        out = await c.session.client.download(c._local(gen["url"]), tmp_path / "out.mp4")
        left = shares(frame_at(out, 0.5))
        assert left["disc"] < 0.05 and left["square"] > 0.95 and left["triangle"] > 0.95, left
        # Answered: a second click is refused, nothing runs.
        n = len(prompt.messages)
        prompt._on_front_end(prompt, {"kind": "pick", "index": index, "n": 3}, [])
        assert "already answered" in prompt.error and len(prompt.messages) == n

    asyncio.run(main())


def test_a_picker_click_in_a_chinese_chat_says_it_in_chinese(engine, tmp_path: Path) -> None:
    """The question asked in Chinese: a click sends 第二个 (what the user could type there),
    not English words, and the engine removes the second candidate."""
    from nemo_widgets.synth import frame_at
    from tests.things import shares, three_things

    async def main() -> None:
        c = Controller(AsyncNemoClient(engine.base_url, settings=fast()))
        prompt = PromptPanel(c)
        await c.upload(three_things(tmp_path / "things.mp4"))
        prompt._on_front_end(prompt, {"kind": "send", "text": "把那个玩具去掉"}, [])
        await settle(prompt)
        index = len(prompt.messages) - 1
        assert prompt.messages[index].get("picker"), prompt.messages[index]["text"]
        prompt._on_front_end(prompt, {"kind": "pick", "index": index, "n": 2}, [])
        await settle(prompt)
        assert [m["text"] for m in prompt.messages if m["role"] == "user"][-1] == "第二个"
        gen = c.state["generated_media"][-1]
        assert gen["kind"] == "removed", prompt.messages[-1]["text"]
        out = await c.session.client.download(c._local(gen["url"]), tmp_path / "out.mp4")
        left = shares(frame_at(out, 0.5))
        assert left["disc"] < 0.05 and left["square"] > 0.95 and left["triangle"] > 0.95, left

    asyncio.run(main())
