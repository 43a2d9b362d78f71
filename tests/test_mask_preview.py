"""The mask a drawn box will give, shown before anything runs (issue #22): the embedded
engine's ``mask-preview`` route runs the removal's own box → track → Masker steps on the boxed
frame. By pixels: it covers the boxed object and not the other; it costs nothing and changes
nothing; the hosted service (no route) gives ``None``, not an error."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import cv2
import numpy as np
import pytest

from nemo_widgets.client import AsyncNemoClient, Settings
from nemo_widgets.client._base import ROUTES
from nemo_widgets.synth import write_frames
from tests.conftest import Api

W, H = 240, 160
BOXED = (30, 40, 80, 90)  # x0, y0, x1, y1 in the clip's pixels
OTHER = (150, 70, 200, 120)


def two_squares(path: Path) -> Path:
    yy, xx = np.mgrid[0:H, 0:W]
    base = np.stack([xx * 200 // W + 30, yy * 160 // H + 60, np.full_like(xx, 90)], axis=-1)
    frames = []
    for _ in range(20):
        img = base.astype(np.uint8)
        for x0, y0, x1, y1 in (BOXED, OTHER):
            img[y0:y1, x0:x1] = (220, 40, 170)
        frames.append(img)
    return write_frames(path, frames, crf=12)


def _norm(b: tuple[int, int, int, int], pad: int = 3) -> list[float]:
    return [(b[0] - pad) / W, (b[1] - pad) / H, (b[2] + pad) / W, (b[3] + pad) / H]


def _cover(mask: np.ndarray, b: tuple[int, int, int, int]) -> float:
    return float(mask[b[1] : b[3], b[0] : b[2]].mean())


def test_the_preview_mask_covers_the_boxed_object_and_not_the_other(
    api: Api, tmp_path: Path
) -> None:
    src = two_squares(tmp_path / "two.mp4")
    sid = api.session()
    api.upload(sid, src)
    before = api.state(sid)
    credits = api.http.get("/api/credits/balance/simple", headers=api.headers).json()["data"]
    r = api.http.post(
        f"/api/mask-preview/nemo_agent/me/{sid}",
        json={"box": _norm(BOXED), "time": 0.4},
        headers=api.headers,
    )
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert (d["width"], d["height"]) == (W, H) and abs(d["time"] - 0.4) < 0.05
    png = base64.b64decode(d["mask_png"])
    mask = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE) > 127
    assert mask.shape == (H, W)
    assert _cover(mask, BOXED) > 0.98, _cover(mask, BOXED)
    assert _cover(mask, OTHER) < 0.01, _cover(mask, OTHER)
    assert mask.mean() < 3 * (50 * 50) / (W * H)  # the box and its margin, not the frame
    assert abs(d["area"] - mask.mean()) < 1e-3
    # Nothing changed, nothing spent.
    assert api.state(sid) == before
    assert api.http.get("/api/credits/balance/simple", headers=api.headers).json()["data"] == (
        credits
    )
    # A bad box is a clear 400, not a guess.
    r = api.http.post(
        f"/api/mask-preview/nemo_agent/me/{sid}",
        json={"box": [0.5, 0.5, 0.2, 0.9], "time": 0},
        headers=api.headers,
    )
    assert r.status_code == 400 and "box" in r.json()["message"], r.text


def test_the_client_gets_the_preview_or_none_where_there_is_no_route(
    engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def main() -> None:
        client = AsyncNemoClient(engine.base_url, settings=Settings(rate_limit_wait=0))
        session = await client.create_session()
        await session.upload(two_squares(tmp_path / "two.mp4"))
        got = await session.mask_preview(_norm(OTHER), 0.2)
        assert got is not None and got["label"] == "selection"
        png = base64.b64decode(got["mask_png"])
        mask = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE) > 127
        assert _cover(mask, OTHER) > 0.98 and _cover(mask, BOXED) < 0.01
        # A service without the route (the hosted API): None, and the session is untouched.
        sid = session.id
        monkeypatch.setitem(ROUTES, "mask_preview", "/api/no-such-route/{sid}")
        assert await session.mask_preview(_norm(OTHER), 0.2) is None
        assert session.id == sid
        await client.aclose()

    asyncio.run(main())
