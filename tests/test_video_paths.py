"""Every tool reads video through the one reader and writes it through the one writer:
a phone clip flagged with a display rotation comes back upright, at its shown size, from
removal, background replacement and every timeline edit rendered; and removal decodes its
source a bounded number of times (counted on the real decoder, not a mock)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from nemo_widgets.draft import Draft
from nemo_widgets.engine import edits
from nemo_widgets.engine.media import probe
from nemo_widgets.engine.render import render
from nemo_widgets.engine.vision.background import BackgroundSpec, replace_background
from nemo_widgets.engine.vision.inpaint import Known, analyse
from nemo_widgets.engine.vision.labels import Target
from nemo_widgets.engine.vision.remove import remove_object
from nemo_widgets.synth import set_display_rotation, write_frames
from nemo_widgets.video_io import FrameCache, FrameReader, counting_decodes

pytestmark = pytest.mark.slow

W, H = 96, 64  # stored (landscape), as a phone's sensor writes it
RED, MAGENTA = (230, 20, 20), (220, 40, 170)


def _stored() -> np.ndarray:
    """A smooth textured picture, a red marker in the stored top-left corner and a magenta
    object in the middle (to remove)."""
    rng = np.random.default_rng(0)
    coarse = rng.integers(60, 190, (8, 12, 3)).astype(np.uint8)
    img = cv2.resize(coarse, (W, H), interpolation=cv2.INTER_CUBIC)
    img[:16, :16] = RED
    cv2.ellipse(img, (W // 2, H // 2), (9, 7), 0, 0, 360, MAGENTA, -1)
    return img


def _phone_clip(path: Path, degrees: int, seconds: float = 1.0) -> tuple[Path, np.ndarray]:
    """A clip stored landscape and flagged to be shown turned ``degrees`` clockwise, and the
    picture as it should be shown (upright)."""
    first = _stored()
    n = round(25 * seconds)
    tone = 0.3 * np.sin(2 * np.pi * 440 * np.arange(48_000 * n // 25) / 48_000)
    write_frames(path, [first] * n, crf=12, audio=np.tile(tone.astype(np.float32), (2, 1)))
    if degrees:
        set_display_rotation(path, degrees, H, W)
    return path, np.ascontiguousarray(np.rot90(first, -degrees // 90))


def _red_centre(rgb: np.ndarray) -> tuple[float, float]:
    px = rgb.astype(int)
    red = (px[..., 0] > 170) & (px[..., 1] < 90) & (px[..., 2] < 90)
    assert red.sum() > 50, "the red marker is gone"
    ys, xs = np.nonzero(red)
    return float(xs.mean()), float(ys.mean())


def _is_upright(out: Path, upright: np.ndarray, at_s: float = 0.5) -> None:
    """``out`` is shown at ``upright``'s size, unrotated, with the marker where it should be."""
    with FrameReader(out) as r:
        f = next((f for f in r if f.t >= at_s), None)
        assert f is not None
        assert f.rotation == 0
        rgb = f.rgb
    assert rgb.shape[:2] == upright.shape[:2], (rgb.shape, upright.shape)
    got, want = _red_centre(rgb), _red_centre(upright)
    assert abs(got[0] - want[0]) < 4 and abs(got[1] - want[1]) < 4, (got, want)


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_removal_of_a_phone_clip_comes_back_upright(tmp_path: Path, degrees: int) -> None:
    src, upright = _phone_clip(tmp_path / "phone.mp4", degrees)
    out = tmp_path / "removed.mp4"
    res = remove_object(src, out, Target(None, "this"), box=(0.3, 0.3, 0.7, 0.7), box_time=0.5)
    assert res.fill is not None and res.fill.filled_frames > 0
    assert (res.scan.width, res.scan.height) == (upright.shape[1], upright.shape[0])
    _is_upright(out, upright)
    with FrameReader(out) as r:
        mid = r.peek().rgb[upright.shape[0] // 2, upright.shape[1] // 2].astype(int)
    assert not (mid[0] > 170 and mid[1] < 90 and mid[2] > 120), mid  # the object is gone


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_background_of_a_phone_clip_comes_back_upright(tmp_path: Path, degrees: int) -> None:
    src, upright = _phone_clip(tmp_path / "phone.mp4", degrees)
    out, alpha = tmp_path / "bg.mp4", tmp_path / "bg.webm"
    spec = BackgroundSpec("colour", colour=(0, 160, 60))
    # The first half is matted (nobody there: all background); the rest passes through.
    res = replace_background(src, out, spec, end_s=0.5, alpha_out=alpha)
    assert (res.width, res.height) == (upright.shape[1], upright.shape[0])
    _is_upright(out, upright, at_s=0.8)
    with FrameReader(out) as r:
        first = r.peek().rgb.astype(int)
    assert np.abs(first - (0, 160, 60)).max(axis=2).mean() < 40  # the new background
    with FrameReader(alpha) as r:
        assert r.peek().rgb.shape[:2] == upright.shape[:2]


#: Each timeline edit (the agent's tools and the upload route call these), as it changes a
#: draft holding the clip ``c`` (its probe: ``f``).
EDITS: dict[str, Callable[[Draft, dict], object]] = {
    "as added": lambda d, f: None,
    "trim": lambda d, f: edits.trim(d, 0.2, 1.8),
    "cut": lambda d, f: edits.cut(d, 0.4, 0.8),
    "split": lambda d, f: edits.split(d, 1.0),
    "speed": lambda d, f: edits.set_speed(d, 2.0),
    "add clip": lambda d, f: edits.add_clip(d, f),
    "reorder": lambda d, f: (edits.split(d, 0.5), edits.reorder(d, 1, 2)),
    "remove clip": lambda d, f: (edits.split(d, 0.5), edits.remove_clip(d, 1)),
    "title": lambda d, f: edits.add_title(d, "hi", 0.0, 2.0, size=0.05),
    "volume": lambda d, f: edits.set_volume(d, "video", 0.5),
    "mute": lambda d, f: edits.mute(d),
    "fade": lambda d, f: (edits.fade(d, "in", duration=0.2), edits.fade(d, "out", duration=0.2)),
}


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_every_edit_of_a_phone_clip_renders_upright(tmp_path: Path, degrees: int) -> None:
    src, upright = _phone_clip(tmp_path / "phone.mp4", degrees, seconds=2.0)
    info = probe(src)
    f = {**info, "file_id": "c", "filename": "phone.mp4"}
    base = Draft()
    edits.add_clip(base, f)
    assert (base.meta["width"], base.meta["height"]) == (upright.shape[1], upright.shape[0])
    for name, edit in EDITS.items():
        d = copy.deepcopy(base)
        edit(d, f)
        out = tmp_path / f"{name.replace(' ', '_')}.mp4"
        render(d, lambda ref: (src, info) if ref == "c" else None, out, quality="low")
        try:
            _is_upright(out, upright, at_s=min(0.5, d.end / 2000))
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}") from e


def _marker_where(rgb: np.ndarray, upright: np.ndarray) -> None:
    """``rgb`` is ``upright`` at another scale: the same aspect, the marker in its place."""

    def marker(img: np.ndarray) -> tuple[float, float]:  # the largest red blob (not texture)
        px = img.astype(int)
        red = ((px[..., 0] > 170) & (px[..., 1] < 90) & (px[..., 2] < 90)).astype(np.uint8)
        n, _, stats, centres = cv2.connectedComponentsWithStats(red)
        assert n > 1, "the red marker is gone"
        biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        return float(centres[biggest][0]), float(centres[biggest][1])

    h, w = rgb.shape[:2]
    got, want = marker(rgb), marker(cv2.resize(upright, (w, h), interpolation=cv2.INTER_AREA))
    assert abs(got[0] - want[0]) < 3 and abs(got[1] - want[1]) < 3, (got, want)


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_previews_thumbnails_and_stills_of_a_phone_clip_are_upright(
    tmp_path: Path, degrees: int
) -> None:
    """The widgets' browser proxy, the timeline thumbnail and ``stills.frame`` read (and
    write) through the same video_io as the engine: a portrait phone clip stays upright."""
    from PIL import Image

    from nemo_widgets.stills import frame
    from nemo_widgets.widgets._media import make_proxy, make_thumb

    src, upright = _phone_clip(tmp_path / "phone.mp4", degrees)
    uh, uw = upright.shape[:2]
    # A short side of 48 px makes the 96x64 clip go through the transcode (not served as is).
    proxy, mime = make_proxy(src, tmp_path / "proxy.mp4", side=48)
    assert proxy == tmp_path / "proxy.mp4" and mime == "video/mp4"
    with FrameReader(proxy) as r:
        f = r.peek()
        assert f.rotation == 0
        shown = f.rgb
        frames = sum(1 for _ in r)
    assert min(shown.shape[:2]) == 48
    assert (shown.shape[0] > shown.shape[1]) == (uh > uw), (shown.shape, upright.shape)
    _marker_where(shown, upright)
    assert frames == 25  # every frame, at the source's times

    thumb = make_thumb(src, 0.5, tmp_path / "thumb.jpg", height=48)
    assert thumb is not None
    with Image.open(thumb) as im:
        small = np.asarray(im.convert("RGB"))
    assert small.shape[0] == 48 and abs(small.shape[1] - round(uw * 48 / uh)) <= 1
    _marker_where(small, upright)

    still = np.asarray(frame(src, 0.5).convert("RGB"))
    assert still.shape[:2] == upright.shape[:2]
    _marker_where(still, upright)


def test_removal_decodes_its_source_a_bounded_number_of_times(tmp_path: Path) -> None:
    """Counted on the real decoder: the scan (detector and cuts, its frames kept in a
    FrameCache), then the analysis (holes, motion, plates) and the fill, both from the cache:
    a clip that fits is decoded once. Without the cache the analysis and the fill decode
    again, and the output is the same frame for frame."""
    src, _ = _phone_clip(tmp_path / "clip.mp4", 0)
    with FrameReader(src) as r:
        frames = sum(1 for _ in r)
    outs = {}
    for name, budget in (("cached", 1 << 30), ("decoded", 0)):
        work = tmp_path / name
        work.mkdir()
        with counting_decodes() as decoded:
            res = remove_object(
                src,
                work / "o.mp4",
                Target(None, "this"),
                box=(0.3, 0.3, 0.7, 0.7),
                cache_bytes=budget,
            )
        assert res.fill is not None and res.fill.frames == frames
        passes = decoded[src.resolve()] / frames
        assert passes == int(passes)  # whole passes, nothing decoded twice inside one
        assert set(decoded) == {src.resolve()}
        assert [p.name for p in work.iterdir()] == ["o.mp4"]  # the cache is gone
        with FrameReader(work / "o.mp4") as r:
            outs[name] = (passes, [f.rgb for f in r])
    assert outs["cached"][0] == 1 and outs["decoded"][0] == 3  # was 4, then 3 and 2
    assert len(outs["cached"][1]) == len(outs["decoded"][1]) == frames
    for a, b in zip(outs["cached"][1], outs["decoded"][1], strict=True):
        assert np.array_equal(a, b)


def test_one_pass_analysis_builds_the_same_plates_as_two(tmp_path: Path) -> None:
    """With the shots and the holes' bounds known (as removal knows them from its scan), the
    analysis decodes once, and what it builds is exactly what two passes build: a static shot
    whose hole moves (plate and stack), then a cut, then a panning shot (warped samples)."""
    rng = np.random.default_rng(1)
    world = cv2.resize(
        rng.integers(0, 255, (24, 75, 3)).astype(np.uint8), (300, 96), interpolation=cv2.INTER_CUBIC
    )
    frames, masks, bounds = [], [], []
    for i in range(40):
        x = 0 if i < 20 else 2 * (i - 20)  # still, then a cut to a pan
        img = world[:, x : x + 128].copy() if i < 20 else world[::-1, 100 + x : 228 + x].copy()
        m = np.zeros((96, 128), np.uint8)
        cx = 30 + 3 * (i % 20)
        cv2.circle(m, (cx, 48), 10, 1, -1)
        img[m > 0] = MAGENTA
        frames.append(img)
        masks.append(m.astype(bool))
        bounds.append((cx - 13, 35, cx + 13, 61))
    src = write_frames(tmp_path / "scene.mp4", frames, pix_fmt="yuv444p", crf=8)
    with counting_decodes() as two_passes:
        two = analyse(src, lambda i, rgb: masks[i])
    assert [s.start for s in two.shots] == [0, 20]
    known = Known([0, 20], 40, lambda i: bounds[i])
    with counting_decodes() as one_pass:
        one = analyse(src, lambda i, rgb: masks[i], known=known)
    assert two_passes[src.resolve()] == 80 and one_pass[src.resolve()] == 40
    assert set(one.plates) == set(two.plates) == {0, 1} and set(one.stacks) == {0}
    for k in two.plates:
        assert one.plates[k][1] == two.plates[k][1]
        assert np.array_equal(one.plates[k][0], two.plates[k][0])
        assert np.array_equal(one.plates[k][2], two.plates[k][2])
    for a, b in zip(one.stacks[0].__dict__.values(), two.stacks[0].__dict__.values(), strict=True):
        assert np.array_equal(a, b)
    assert (one.hole_area, one.parallax) == (two.hole_area, two.parallax)
    # The frames kept by an earlier pass (a FrameCache): no decode, the same plates.
    with FrameCache(tmp_path) as cache:
        with FrameReader(src) as r:
            for f in r:
                cache.add(f)
        assert cache.finish()
        with counting_decodes() as from_cache:
            kept = analyse(src, lambda i, rgb: masks[i], known=known, cache=cache)
        assert not from_cache
        for k in two.plates:
            assert np.array_equal(kept.plates[k][0], two.plates[k][0])
            assert np.array_equal(kept.plates[k][2], two.plates[k][2])
        for a, b in zip(
            kept.stacks[0].__dict__.values(), two.stacks[0].__dict__.values(), strict=True
        ):
            assert np.array_equal(a, b)
        # Over its budget a cache gives up, deletes its file, and the analysis decodes.
        small = FrameCache(tmp_path, budget=5 * 96 * 128 * 3)
        with FrameReader(src) as r:
            for f in r:
                small.add(f)
        assert not small.finish() and not small.path.exists()
    assert not cache.path.exists()
    # Bounds that do not hold the holes: a second pass, and still the same plates.
    with counting_decodes() as fell_back:
        again = analyse(src, lambda i, rgb: masks[i], known=Known([0, 20], 40, lambda i: None))
    assert fell_back[src.resolve()] == 80
    assert np.array_equal(again.plates[0][0], two.plates[0][0])


@pytest.mark.parametrize("degrees", [90, 270])
def test_a_new_aspect_of_a_phone_clip_frames_it_upright(tmp_path: Path, degrees: int) -> None:
    """16:9 of a portrait phone clip: pillarboxed, the picture upright in the middle."""
    src, upright = _phone_clip(tmp_path / "phone.mp4", degrees, seconds=1.0)
    info = probe(src)
    d = Draft()
    edits.add_clip(d, {**info, "file_id": "c", "filename": "phone.mp4"})
    edits.set_aspect(d, "16:9", "fit")
    out = tmp_path / "wide.mp4"
    render(d, lambda ref: (src, info) if ref == "c" else None, out, quality="low")
    with FrameReader(out) as r:
        f = next(f for f in r if f.t >= 0.5)
        assert f.rotation == 0
        rgb = f.rgb
    h, w = rgb.shape[:2]
    assert abs(w / h - 16 / 9) < 0.02, (w, h)
    uh, uw = upright.shape[:2]
    s = min(w / uw, h / uh)
    x0, y0 = round((w - uw * s) / 2), round((h - uh * s) / 2)
    picture = rgb[y0 : y0 + round(uh * s), x0 : x0 + round(uw * s)]
    assert rgb[:, : max(1, x0 - 4)].mean() < 20  # the bars are black
    _marker_where(picture, upright)
