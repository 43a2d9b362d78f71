"""The box drawn is the box used, and everything the browser shows comes over Jupyter.

In Chromium at a device pixel ratio of 2, with every request that is not to the Jupyter
server aborted (as on Colab, JupyterHub or through an SSH tunnel, where the engine's 127.0.0.1
is the kernel's machine, not the browser's): upload a portrait clip with two magenta squares,
find the upper square *on screen* (in a screenshot of the pillarboxed player), drag a box over
it, and check the box the engine received, in the clip's pixels; then "remove this", export,
and read the export: the boxed square is gone, the other one untouched.
"""

from __future__ import annotations

import ast
import io
from pathlib import Path

import numpy as np
import pytest

from nemo_widgets.synth import frame_at, write_frames
from tests.browser.conftest import (
    Lab,
    block_all_but_jupyter,
    kernel_eval,
    open_box_select,
    page_errors,
    studio_with_clip,
    write_notebook,
)

pytestmark = pytest.mark.browser
W, H = 180, 320  # portrait: pillarboxed in the 16:9 player
BOXED = (30, 60, 80, 110)  # x0, y0, x1, y1 in the clip's pixels
OTHER = (100, 200, 150, 250)
MAGENTA = (220, 40, 170)


def two_squares(path: Path) -> Path:
    yy, xx = np.mgrid[0:H, 0:W]
    base = np.stack([xx * 200 // W + 30, yy * 160 // H + 60, np.full_like(xx, 90)], axis=-1).astype(
        np.uint8
    )
    frames = []
    for _ in range(50):
        img = base.copy()
        for x0, y0, x1, y1 in (BOXED, OTHER):
            img[y0:y1, x0:x1] = MAGENTA
        frames.append(img)
    return write_frames(path, frames, crf=12)


def magenta(img: np.ndarray) -> np.ndarray:
    r, g, b = (img[..., i].astype(int) for i in range(3))
    return (r > 170) & (g < 100) & (b > 120)


def share(img: np.ndarray, box: tuple[int, int, int, int]) -> float:
    x0, y0, x1, y1 = box
    return float(magenta(img[y0 + 4 : y1 - 4, x0 + 4 : x1 - 4]).mean())


def test_the_box_drawn_is_the_box_used(lab: Lab, browser: object, front_end: str) -> None:
    from PIL import Image

    clip = two_squares(lab.root / "squares.mp4")
    name = f"box-{front_end}.ipynb"
    write_notebook(
        lab.root / name,
        "from nemo_widgets import Studio\nstudio = Studio(backend='engine')\nstudio",
    )
    page = browser.new_page(viewport={"width": 1300, "height": 1500}, device_scale_factor=2)
    errors = page_errors(page)
    blocked = block_all_but_jupyter(page, lab)
    try:
        engine_url = studio_with_clip(page, lab, name, front_end, clip)

        # The clip arrives through the comm as a blob: URL, and shows a frame.
        open_box_select(page)
        video = page.locator(".nemo-box-video")
        page.evaluate(
            """() => new Promise((ok) => { const v = document.querySelector('.nemo-box-video');
            v.addEventListener('seeked', ok, { once: true }); v.currentTime = 0.5; })"""
        )
        page.wait_for_timeout(300)

        # Find the upper square on screen: a screenshot of the player, in device pixels.
        # The Studio may still be laying out (thumbnails, the quick preview, the mask line):
        # measure the player until it stands still across its screenshot.
        for _ in range(20):
            before = video.bounding_box()
            shot = np.asarray(Image.open(io.BytesIO(video.screenshot())).convert("RGB"))
            rect = video.bounding_box()
            if all(abs(before[k] - rect[k]) < 0.5 for k in ("x", "y", "width", "height")):
                break
            page.wait_for_timeout(250)
        scale = shot.shape[1] / rect["width"]  # the device pixel ratio, as rendered
        assert abs(scale - 2) < 0.05
        mask = magenta(shot)
        mask[shot.shape[0] // 2 :] = False  # the upper square only
        ys, xs = np.nonzero(mask)
        assert len(xs) > 100, "the clip's square is not on screen"
        x0, x1 = xs.min() / scale, (xs.max() + 1) / scale
        y0, y1 = ys.min() / scale, (ys.max() + 1) / scale
        page.mouse.move(rect["x"] + x0, rect["y"] + y0)
        page.mouse.down()
        page.mouse.move(rect["x"] + (x0 + x1) / 2, rect["y"] + (y0 + y1) / 2, steps=3)
        page.mouse.move(rect["x"] + x1, rect["y"] + y1, steps=3)
        page.mouse.up()
        page.click(".nemo-box-use")
        assert "px of 180×320" in page.inner_text(".nemo-box-info")

        # The engine receives the box with the next instruction: read it from its state.
        prompt = page.locator(".nemo-prompt textarea")
        prompt.fill("add the title 'Box' for 1 second")
        prompt.press("Enter")
        page.wait_for_selector(".nemo-text:has-text('Added the title')", timeout=60_000)
        # The reply streams in before the run ends and the Studio re-reads the session's state:
        # ask until that state has arrived (or give up after 20 s).
        for _ in range(40):
            got = ast.literal_eval(
                kernel_eval(
                    page, lab, "(studio.controller.state.get('selection') or {}).get('box')"
                )
            )
            if got is not None:
                break
            page.wait_for_timeout(500)
        want = [BOXED[0] / W, BOXED[1] / H, BOXED[2] / W, BOXED[3] / H]
        assert got is not None, "no box reached the engine"
        assert np.allclose(got, want, atol=0.01), (got, want)

        # By outcome: the boxed square is gone from the export, the other one is untouched.
        page.wait_for_function(
            "() => !document.querySelector('.nemo-prompt textarea').disabled", timeout=30_000
        )
        prompt.fill("remove this")
        prompt.press("Enter")
        page.wait_for_selector(".nemo-text:has-text('Removed')", timeout=240_000)
        note = page.inner_text(".nemo-msg-assistant >> nth=-1 >> .nemo-msg-note")
        assert note.startswith("Removed: what you boxed at 0.5 s (gone from 0 s to "), note
        page.click(".nemo-export-button")
        player = ".nemo-export .nemo-player:not(.nemo-before)"
        page.wait_for_function(
            f"() => {{ const v = document.querySelector('{player}');"
            " return v && !v.hidden && v.readyState >= 2 && v.src.startsWith('blob:'); }",
            timeout=180_000,
        )
        saved = lab.root / ast.literal_eval(
            kernel_eval(page, lab, "studio.export_panel.saved_path")
        )
        out = frame_at(saved, 1.0)
        assert out.shape[:2] == (H, W)
        assert share(out, BOXED) < 0.05, share(out, BOXED)
        assert share(out, OTHER) > 0.9, share(out, OTHER)
        before = frame_at(clip, 1.0)
        assert share(before, BOXED) > 0.9  # (it was there)

        # The download comes over the comm too.
        page.wait_for_selector(".nemo-download:not([hidden])", timeout=30_000)
        with page.expect_download(timeout=60_000) as dl:
            page.click(".nemo-download")
        assert Path(dl.value.path()).read_bytes() == saved.read_bytes()

        port = engine_url.rsplit(":", 1)[-1].split("/")[0]
        assert not [u for u in blocked if f":{port}" in u], blocked
        assert not errors, errors
    finally:
        page.close()
