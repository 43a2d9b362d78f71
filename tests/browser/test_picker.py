"""The candidate picker and the mask preview in a real browser, as a remote kernel's user sees
them (every request that is not to the Jupyter server aborted).

A generated clip holds three unnamed things (a blue square, a yellow disc, a red triangle).
Drawing a box around the triangle shows the mask the removal will use over the frame, before
anything runs. "remove the toy" cannot tell which: the reply shows the still with three
numbered outlines, drawn over the picture where the things are; hovering one highlights it,
clicking 2 picks it through the normal run path ("the second one"), the picker closes, and
the export shows the disc gone and the square and triangle untouched.
"""

from __future__ import annotations

import ast
import io

import numpy as np
import pytest

from nemo_widgets.synth import frame_at
from tests.browser.conftest import (
    Lab,
    block_all_but_jupyter,
    kernel_eval,
    open_box_select,
    page_errors,
    studio_with_clip,
    write_notebook,
)
from tests.things import DISC, TRIANGLE, H, W, shares, three_things

pytestmark = pytest.mark.browser


def _on_screen(page: object, selector: str) -> tuple[float, float, float, float]:
    """The picture's rect inside a contained <video>/<img> (x, y, w, h in CSS px)."""
    return tuple(
        page.evaluate(
            """(sel) => { const v = document.querySelector(sel); const r = v.getBoundingClientRect();
            const vw = v.videoWidth || v.naturalWidth, vh = v.videoHeight || v.naturalHeight;
            const s = Math.min(r.width / vw, r.height / vh);
            return [r.x + (r.width - vw * s) / 2, r.y + (r.height - vh * s) / 2, vw * s, vh * s]; }""",
            selector,
        )
    )


def test_pick_a_candidate_by_clicking_it(lab: Lab, browser: object, front_end: str) -> None:
    from PIL import Image

    clip = three_things(lab.root / "things.mp4")
    name = f"picker-{front_end}.ipynb"
    write_notebook(
        lab.root / name,
        "from nemo_widgets import Studio\nstudio = Studio(backend='engine')\nstudio",
    )
    page = browser.new_page(viewport={"width": 1300, "height": 1500})
    errors = page_errors(page)
    blocked = block_all_but_jupyter(page, lab)
    try:
        engine_url = studio_with_clip(page, lab, name, front_end, clip)

        # The mask preview: a box drawn around the triangle shows its mask over the frame.
        open_box_select(page)
        x, y, w, h = _on_screen(page, ".nemo-box-video")
        sx, sy = w / W, h / H
        (ax, ay), (bx, by) = (225, 95), (295, 155)  # around the triangle, in clip pixels
        page.mouse.move(x + ax * sx, y + ay * sy)
        page.mouse.down()
        page.mouse.move(x + bx * sx, y + by * sy, steps=4)
        page.mouse.up()
        page.wait_for_selector(".nemo-box-mask-info:not([hidden])", timeout=60_000)
        assert "what the removal will fill" in page.inner_text(".nemo-box-mask-info")
        stage = page.locator(".nemo-box-stage")
        r = stage.bounding_box()  # (measured with the picture's rect: same scroll)
        x, y, w, h = _on_screen(page, ".nemo-box-video")
        shot = np.asarray(Image.open(io.BytesIO(stage.screenshot())).convert("RGB")).astype(int)
        k = shot.shape[1] / r["width"]

        def at(px: float, py: float) -> np.ndarray:
            return shot[round((y + py * sy - r["y"]) * k), round((x + px * sx - r["x"]) * k)]

        tri = at(260, 140)  # inside the triangle: red under the translucent blue mask
        assert tri[2] > 120 and tri[2] > tri[0], tri  # (plain red: B ≈ 40; background: 110)
        disc = at(DISC[0], DISC[1])  # the disc has no mask over it: still yellow
        assert disc[0] > 180 and disc[1] > 170 and disc[2] < 110, disc
        selection = kernel_eval(page, lab, "studio.controller.selection")
        assert selection == "None", selection  # a preview selects nothing

        # The question, with the still and its numbered outlines.
        prompt = page.locator(".nemo-prompt textarea")
        prompt.fill("remove the toy")
        prompt.press("Enter")
        picker = ".nemo-picker[data-open='true']"
        page.wait_for_selector(f"{picker} polygon[data-n='3']", timeout=240_000)
        page.wait_for_function(
            "() => { const i = document.querySelector('.nemo-picker-still');"
            " return i && i.src.startsWith('blob:') && i.complete && i.naturalWidth > 0; }",
            timeout=60_000,
        )
        assert page.evaluate("document.querySelector('.nemo-picker-still').naturalWidth") == W
        # Outline 2 lies over the disc in the picture as shown (scaled from video pixels).
        still = _on_screen(page, ".nemo-picker-still")
        poly = page.locator(f"{picker} polygon[data-n='2']")
        pb = poly.bounding_box()
        cx = (pb["x"] + pb["width"] / 2 - still[0]) / still[2] * W
        cy = (pb["y"] + pb["height"] / 2 - still[1]) / still[3] * H
        assert abs(cx - DISC[0]) < 6 and abs(cy - DISC[1]) < 6, (cx, cy)
        tx = (page.locator(f"{picker} polygon[data-n='3']").bounding_box()["x"] - still[0]) * (
            W / still[2]
        )
        assert abs(tx - min(p[0] for p in TRIANGLE)) < 12, tx
        # Hover highlights it.
        fill = "(sel) => getComputedStyle(document.querySelector(sel)).fill"
        before = page.evaluate(fill, f"{picker} polygon[data-n='2']")
        poly.hover()
        assert page.evaluate(fill, f"{picker} polygon[data-n='2']") != before
        poly.click()

        # The pick runs like a typed message: the reply, then the picker closed.
        page.wait_for_selector(".nemo-text:has-text('Removed the yellow')", timeout=240_000)
        page.wait_for_selector(".nemo-picker[data-open='false']", timeout=30_000)
        assert page.locator(".nemo-picker[data-open='true']").count() == 0
        users = page.locator(".nemo-msg-user .nemo-text").all_inner_texts()
        assert users[-1] == "the second one", users
        assert "You picked 2." in page.inner_text(".nemo-picker-status")

        # By outcome: the disc is gone from the export, the other two untouched.
        page.wait_for_function(
            "() => !document.querySelector('.nemo-prompt textarea').disabled", timeout=30_000
        )
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
        left = shares(frame_at(saved, 0.5))
        assert left["disc"] < 0.05, left
        assert left["square"] > 0.9 and left["triangle"] > 0.9, left
        assert shares(frame_at(clip, 0.5))["disc"] > 0.95  # (it was there)

        port = engine_url.rsplit(":", 1)[-1].split("/")[0]
        assert not [u for u in blocked if f":{port}" in u], blocked
        assert not errors, errors
    finally:
        page.close()
