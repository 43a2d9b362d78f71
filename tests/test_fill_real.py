"""The fill alone on a real composited case the test builds itself: the registry street clip
(the truth), a real person cut with exact alpha from the registry bus photo composited into
it (colour matched, contact shadow, the clip's blur and noise), and the engine's fill given
the exact hole. Parked for the whole shot, nothing behind it is ever seen: the fill must beat
per-frame Telea and keep the street's texture. Walking through, what was seen must fill it."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from benchmarks._real import CUTS, Case, composite, cutout, grabcut_cutout, read_clip
from nemo_widgets.engine.vision.inpaint import inpaint_video
from nemo_widgets.samples import sample_path
from nemo_widgets.synth import write_frames

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def street() -> list[np.ndarray]:
    """24 frames of the street sample's static shot behind the fence."""
    return read_clip(sample_path("bikes"), 137, 24)


@pytest.fixture(scope="module")
def person() -> np.ndarray:
    img = cv2.cvtColor(cv2.imread(str(sample_path("bus_photo"))), cv2.COLOR_BGR2RGB)
    return grabcut_cutout(img, CUTS["man_beige"])


def _fill(tmp_path: Path, case: Case) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The filled frames and the holes they were given (the object's footprint, grown 2 px)."""
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    holes = [cv2.dilate(case.footprint(t).astype(np.uint8), k) > 0 for t in range(len(case.frames))]
    src = write_frames(tmp_path / "src.mp4", case.frames, crf=12)
    inpaint_video(src, tmp_path / "out.mp4", lambda i, rgb: holes[i])
    with av.open(str(tmp_path / "out.mp4")) as c:
        out = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    return out, holes


def _psnr(seq: list[np.ndarray], case: Case) -> float:
    vals = []
    for t, img in enumerate(seq):
        m = case.changed(t)
        d = (img.astype(np.float64) - case.truth[t])[m]
        vals.append(10 * np.log10(255**2 / max((d**2).mean(), 1e-9)))
    return float(np.mean(vals))


def _texture(seq: list[np.ndarray], case: Case) -> float:
    def grad(img: np.ndarray, m: np.ndarray) -> float:
        g = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.float32)
        mag = np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))
        return float(mag[cv2.erode(m.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0].mean())

    return float(
        np.mean([grad(s, case.changed(t)) / grad(case.truth[t], case.changed(t))
                 for t, s in enumerate(seq)])
    )  # fmt: skip


def _telea(case: Case) -> list[np.ndarray]:
    k = np.ones((5, 5), np.uint8)
    return [
        cv2.inpaint(f, cv2.dilate(case.changed(t).astype(np.uint8), k) * 255, 3, cv2.INPAINT_TELEA)
        for t, f in enumerate(case.frames)
    ]


def test_parked_person_never_seen_beats_telea_and_keeps_texture(
    tmp_path: Path, street, person
) -> None:
    case = composite("parked", "", street, person, foot=(330, 262), height=120)
    out, _ = _fill(tmp_path, case)
    ours, telea, untouched = _psnr(out, case), _psnr(_telea(case), case), _psnr(case.frames, case)
    tex, tex_telea = _texture(out, case), _texture(_telea(case), case)
    # Measured 16.1 dB against Telea's 15.9 (untouched 10.3); texture 0.69 against 0.45.
    assert ours >= telea and ours > untouched + 3, (ours, telea, untouched)
    assert 0.6 <= tex <= 1.5 and tex > tex_telea + 0.15, (tex, tex_telea)
    # One synthesis carried to every frame: the fill does not flicker.
    m = case.changed(0)
    flicker = np.mean([np.abs(b.astype(float) - a)[m].mean() for a, b in itertools.pairwise(out)])
    assert flicker < 3.0, flicker


def test_box_left_on_the_road_is_filled_with_road_not_a_smear(tmp_path: Path, street) -> None:
    """A gift box (exact alpha, from a registry photo) left on the road for the whole shot:
    the road and its lines carried across the hole, with the road's grain, well above
    per-frame Telea and the untouched frame, measured in the same run."""
    case = composite("parked", "", street, cutout("gift", tmp_path), foot=(420, 250), height=70)
    out, _ = _fill(tmp_path, case)
    ours, telea, untouched = _psnr(out, case), _psnr(_telea(case), case), _psnr(case.frames, case)
    tex, tex_telea = _texture(out, case), _texture(_telea(case), case)
    # Measured 14.7 dB against Telea's 12.9 and the untouched 12.4 (14.3 before the lines
    # crossing the ring were carried across); texture 1.03 against Telea's 0.59.
    assert ours >= telea + 1.2 and ours >= untouched + 1.5, (ours, telea, untouched)
    assert 0.6 <= tex <= 1.5 and tex > tex_telea + 0.15, (tex, tex_telea)


def _moving_filler(tmp_path: Path, case: Case) -> Callable[[str], list[np.ndarray]]:
    """``case`` written to a clip; the returned call fills it (into ``tmp_path / name``) with
    each frame's hole grown as the engine grows a moving object's mask, and reads it back."""
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (11, 11))  # the moving-object edge grow
    holes = [cv2.dilate(case.footprint(t).astype(np.uint8), k) > 0 for t in range(len(case.frames))]
    src = write_frames(tmp_path / "src.mp4", case.frames, crf=12)

    def fill(name: str) -> list[np.ndarray]:
        inpaint_video(src, tmp_path / name, lambda i, rgb: holes[i])
        with av.open(str(tmp_path / name)) as c:
            return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]

    return fill


def test_person_walking_past_is_filled_from_what_was_seen(tmp_path: Path, street, person) -> None:
    case = composite("walking", "", street, person, foot=(150, 262), height=120, dx=8.0)
    out, _ = _fill(tmp_path, case)
    ours, telea = _psnr(out, case), _psnr(_telea(case), case)
    assert ours >= 21 and ours > telea + 6, (ours, telea)  # measured 22.2 against 14.3


def test_walker_on_a_creeping_camera_is_filled_from_frames_lined_up(
    tmp_path: Path, person, monkeypatch
) -> None:
    """The street sample's "still" shot creeps (a hand held: ~0.2 px a frame, under what
    frame-to-frame motion calls moving, 8 px over two seconds). A walker's hole, grown as the
    engine grows a moving object's mask, is filled from the nearest frames in time: they must
    be lined up first. Baselines from the same run: the same fill with the stack left unmoved,
    per-frame Telea and the untouched input."""
    from nemo_widgets.engine.vision.inpaint import stack

    street = read_clip(sample_path("bikes"), 137, 40)
    case = composite("walking", "", street, person, foot=(120, 262), height=120, dx=6.0)
    fill = _moving_filler(tmp_path, case)
    ours = _psnr(fill("ours.mp4"), case)
    with monkeypatch.context() as m:
        m.setattr(stack, "drift", lambda frames, valid: None)
        still = _psnr(fill("still.mp4"), case)
    telea, untouched = _psnr(_telea(case), case), _psnr(case.frames, case)
    # Measured 24.6 dB; left unmoved 22.8, Telea 13.4, untouched 11.5.
    assert ours >= 23 and ours > still + 1 and ours > telea + 8, (ours, still, telea, untouched)


def test_motorbike_riding_past_keeps_what_passed_behind_it_out(tmp_path: Path) -> None:
    """A real motorbike (cut with exact alpha from the registry's photo) riding past the
    street's fence, its hole grown as the engine grows a moving object's: each frame takes
    what the nearest frames before and after saw; where one of them agrees with the shot's
    median and the other does not (a car passing behind, a remnant beside the hole), the one
    that agrees, not a blend of the two. Baselines from the same run: the blend everywhere,
    per-frame Telea and the untouched input."""
    import functools

    from benchmarks._real import photo_path
    from nemo_widgets.engine.vision.inpaint import stack

    img = cv2.cvtColor(cv2.imread(str(photo_path("motorcycle_photo"))), cv2.COLOR_BGR2RGB)
    bike = grabcut_cutout(img, CUTS["motorcycle"])
    street = read_clip(sample_path("bikes"), 137, 40)
    case = composite("riding", "", street, bike, foot=(90, 268), height=100, dx=6.0)
    fill = _moving_filler(tmp_path, case)
    ours = _psnr(fill("ours.mp4"), case)
    blend = functools.partialmethod(stack.Stack.plate, disagree=float("inf"))
    with pytest.MonkeyPatch.context() as m:
        m.setattr(stack.Stack, "plate", blend)
        blended = _psnr(fill("blend.mp4"), case)
    telea, untouched = _psnr(_telea(case), case), _psnr(case.frames, case)
    # Measured 21.9 dB; the blend everywhere 21.5, Telea and the untouched input far below.
    assert ours >= 21.3 and ours > blended + 0.2 and ours > telea + 6, (ours, blended, telea)
    assert ours > untouched + 8, (ours, untouched)
