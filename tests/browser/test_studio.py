"""The Studio in JupyterLab, in Chromium: upload, instruct, watch the timeline, export, play."""

from __future__ import annotations

from pathlib import Path

import pytest

from nemo_widgets.synth import make_clip
from tests.browser.conftest import (
    Lab,
    block_all_but_jupyter,
    open_and_run,
    page_errors,
    write_notebook,
)

pytestmark = pytest.mark.browser
SHOTS = Path("out/screenshots")
BLUE = (30, 40, 220)


def test_studio_end_to_end(lab: Lab, browser: object, front_end: str) -> None:
    clip = make_clip(lab.root / "clip.mp4", seconds=2, width=320, height=240)
    second = make_clip(
        lab.root / "second.mp4", seconds=1, width=320, height=240, audio=False, colour=BLUE
    )
    write_notebook(
        lab.root / f"studio-{front_end}.ipynb",
        "from nemo_widgets import Studio\nstudio = Studio(backend='engine')\nstudio",
    )
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    errors = page_errors(page)
    blocked = block_all_but_jupyter(page, lab)  # as with a remote kernel
    try:
        open_and_run(page, lab, f"studio-{front_end}.ipynb", front_end)
        page.wait_for_selector(".nemo-status[data-ok='true']", timeout=120_000)
        assert "Ready!" in page.inner_text(".nemo-status")
        assert "embedded engine" in page.inner_text(".nemo-status")
        # The balance is read just after the connection is announced: it follows within
        # seconds (a busy kernel once showed "Ready!" a moment before it).
        page.wait_for_function(
            "document.querySelector('.nemo-credits').textContent.includes('credits')",
            timeout=30_000,
        )

        # Upload through the widget's own file input (chunked transfer to the kernel).
        page.set_input_files(".nemo-upload input[type=file]", str(clip))
        page.wait_for_selector(".nemo-file-name:has-text('clip.mp4')", timeout=60_000)
        page.wait_for_selector(".nemo-file img.nemo-thumb", timeout=30_000)  # made in the browser
        facts = page.inner_text(".nemo-file-facts")
        assert "0:02" in facts and "320×240" in facts and "25 fps" in facts

        # An instruction: the reply streams in, the tool call is a step, the timeline changes.
        box = page.locator(".nemo-prompt textarea")
        box.fill("add the title 'Browser' for 1 second")
        box.press("Enter")
        page.wait_for_selector(
            ".nemo-msg-assistant .nemo-text:has-text('Added the title')", timeout=60_000
        )
        assert "Adding the title" in page.inner_text(".nemo-step")
        page.wait_for_function("document.querySelectorAll('.nemo-lane').length === 2")
        assert 'Title: "Browser"' in page.inner_text(".nemo-summary")
        assert not page.locator(".nemo-prompt textarea").is_disabled()

        # A quick low-resolution preview of the new timeline, in the timeline panel.
        quick = ".nemo-timeline video.nemo-timeline-preview"
        page.wait_for_function(
            f"""() => {{ const v = document.querySelector('{quick}');
            return v && v.readyState >= 2 && v.src.startsWith('blob:'); }}""",
            timeout=120_000,
        )
        assert 1.8 < page.eval_on_selector(quick, "v => v.duration") < 2.2
        assert "Quick preview" in page.inner_text(".nemo-timeline-preview-label")

        # Export: the preview proxy plays inline.
        page.click(".nemo-export-button")
        page.wait_for_function(
            """() => {
            const v = document.querySelector('.nemo-export .nemo-player:not(.nemo-before)');
            return v && !v.hidden && v.readyState >= 2; }""",
            timeout=120_000,
        )
        player = ".nemo-export .nemo-player:not(.nemo-before)"
        duration = page.eval_on_selector(player, "v => v.duration")
        assert 1.8 < duration < 2.2
        start = page.eval_on_selector(player, "v => { v.play(); return v.currentTime; }")
        page.wait_for_function(
            f"document.querySelector('{player}').currentTime > {start} + 0.3", timeout=10_000
        )
        assert page.eval_on_selector(player, "v => v.src").startswith("blob:")
        page.wait_for_selector(".nemo-download:not([hidden])", timeout=30_000)

        # The timeline: a ruler, and a playhead that follows the player.
        assert page.locator(".nemo-ruler .nemo-tick").count() >= 2
        page.wait_for_selector(".nemo-playhead:not([hidden])", timeout=10_000)
        first = page.eval_on_selector(".nemo-playhead", "p => p.getBoundingClientRect().left")
        page.wait_for_function(
            f"document.querySelector('.nemo-playhead').getBoundingClientRect().left > {first} + 2",
            timeout=10_000,
        )
        page.click(".nemo-table summary")
        table = page.inner_text(".nemo-table")
        assert "00:00.000" in table and "<NA>" not in table and "days" not in table
        sizes = page.eval_on_selector_all(".nemo-select-size option", "os => os.map(o => o.value)")
        assert sizes == ["source", "1080p", "720p", "9:16", "1:1"]

        # Before/after: the timeline before the last edit, labelled, as a wipe.
        page.wait_for_selector(".nemo-compare:not([hidden])", timeout=60_000)
        page.check(".nemo-compare-toggle")
        page.wait_for_function(
            """() => { const v = document.querySelector('.nemo-export .nemo-before');
            return !v.hidden && v.readyState >= 2 && v.src.startsWith('blob:'); }""",
            timeout=30_000,
        )
        assert page.inner_text(".nemo-wipe-before") == "Before the last edit"
        page.fill(".nemo-wipe", "25")
        clip = page.eval_on_selector(".nemo-export .nemo-before", "v => v.style.clipPath")
        assert clip.startswith("inset(0px 75%"), clip

        # An edit after the export marks it out of date.
        assert page.locator(".nemo-stale").is_hidden()
        box.fill("add the title 'Later' for 1 second")
        box.press("Enter")
        page.wait_for_selector(".nemo-stale:not([hidden])", timeout=60_000)

        # The media bin: a second clip waits in the list until added.
        page.set_input_files(".nemo-upload input[type=file]", str(second))
        page.wait_for_selector(".nemo-file:has-text('second.mp4') .nemo-add", timeout=60_000)
        assert page.locator(".nemo-kind-video .nemo-bar").count() == 1
        assert page.locator(".nemo-file:has-text('clip.mp4') .nemo-on-timeline").count() == 1
        page.click(".nemo-file:has-text('second.mp4') .nemo-add")
        page.wait_for_function(
            "document.querySelectorAll('.nemo-kind-video .nemo-bar').length === 2",
            timeout=60_000,
        )
        page.wait_for_selector(".nemo-file:has-text('second.mp4') .nemo-on-timeline")

        # Thumbnails on the clips: made by the kernel from the media, pulled over the comm
        # (blob: URLs; the engine's port is blocked), the second clip's in its own colour.
        thumbs = ".nemo-kind-video .nemo-bar img.nemo-bar-thumb"
        page.wait_for_function(
            f"""() => {{ const t = [...document.querySelectorAll('{thumbs}')];
            return t.length === 2 && t.every((i) => i.complete && i.naturalWidth > 0); }}""",
            timeout=60_000,
        )
        srcs = page.eval_on_selector_all(thumbs, "ts => ts.map((t) => t.src)")
        assert all(s.startswith("blob:") for s in srcs), srcs
        rgb = page.eval_on_selector_all(
            thumbs,
            """ts => { const t = ts[1], c = document.createElement('canvas');
            c.width = t.naturalWidth; c.height = t.naturalHeight;
            const g = c.getContext('2d'); g.drawImage(t, 0, 0);
            return [...g.getImageData(c.width >> 1, c.height >> 1, 1, 1).data].slice(0, 3); }""",
        )
        assert all(abs(a - b) < 30 for a, b in zip(rgb, BLUE, strict=True)), rgb

        # The quick preview follows the edit: now the whole 3 s timeline.
        page.wait_for_function(
            f"() => document.querySelector('{quick}').duration > 2.8", timeout=120_000
        )

        SHOTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1400, "height": 2400})  # the whole Studio in view
        page.wait_for_timeout(1500)
        page.add_style_tag(content=".Toastify { display: none !important; }")  # Lab's news ask
        page.locator(".nemo-studio").screenshot(path=str(SHOTS / f"studio-{front_end}.png"))

        # A narrow column: nothing sticks out of the Studio.
        page.set_viewport_size({"width": 700, "height": 1600})
        page.wait_for_timeout(500)
        right = page.eval_on_selector(".nemo-studio", "s => s.getBoundingClientRect().right")
        for sel in (
            player,
            ".nemo-box-stage",
            ".nemo-lanes",
            ".nemo-prompt textarea",
            ".nemo-prompt",
            ".nemo-upload",
            ".nemo-export",
            ".nemo-timeline-preview",
        ):
            edge = page.eval_on_selector(sel, "e => e.getBoundingClientRect().right")
            assert edge <= right + 1, (sel, edge, right)
        assert not blocked, blocked

        page.locator(".nemo-studio").screenshot(path=str(SHOTS / f"studio-{front_end}-narrow.png"))
        assert not errors, errors
    finally:
        page.close()
