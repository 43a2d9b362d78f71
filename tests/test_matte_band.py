"""Closed-form matting in the matte's edge band (``vision/band_matting.py``)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from nemo_widgets.engine.vision.band_matting import (
    EdgeSettler,
    _Laplacian,
    band_matting,
    settle_edge,
)


def _soft_disc(h: int = 120, w: int = 160) -> tuple[np.ndarray, np.ndarray]:
    """A disc with a 4-px soft rim, its colour varying across it, over a textured
    background: the image and its true alpha."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    dist = np.hypot(yy - h / 2, xx - w / 2)
    alpha = np.clip((40 - dist) / 4 + 0.5, 0, 1)
    fg = np.dstack([200 + 20 * np.sin(xx / 9), 90 + 0 * xx, 60 + 30 * np.cos(yy / 7)])
    rng = np.random.default_rng(0)
    bg = cv2.GaussianBlur(rng.uniform(0, 255, (h, w, 3)).astype(np.float32), (0, 0), 3)
    bg = 0.4 * bg + np.float32([20, 110, 160]) * 0.6
    img = alpha[..., None] * fg + (1 - alpha[..., None]) * bg
    return np.clip(img + 0.5, 0, 255).astype(np.uint8), alpha


def test_laplacian_is_zero_on_colour_linear_alpha_and_symmetric() -> None:
    """L·α = 0 where α is a linear function of the colour (the model's premise), and
    xᵀLy = yᵀLx (it is a symmetric operator, so conjugate gradients apply)."""
    rng = np.random.default_rng(1)
    img = rng.uniform(0, 1, (30, 40, 3))
    lap = _Laplacian(img, 1e-6)
    linear = (0.3 * img[..., 0] - 0.2 * img[..., 1] + 0.5 * img[..., 2] + 0.1).astype(np.float32)
    assert np.abs(lap(linear)[2:-2, 2:-2]).max() < 1e-3
    x, y = (rng.uniform(0, 1, (30, 40)).astype(np.float32) for _ in range(2))
    x[:2], x[-2:], x[:, :2], x[:, -2:] = 0, 0, 0, 0  # away from the border's reflection
    y[:2], y[-2:], y[:, :2], y[:, -2:] = 0, 0, 0, 0
    assert abs(float(np.vdot(x, lap(y))) - float(np.vdot(y, lap(x)))) < 1e-2 * abs(
        float(np.vdot(x, lap(x)))
    )


def test_band_matting_recovers_a_soft_edge_from_a_hard_shifted_one() -> None:
    """Given a hard mask whose edge is 2 px too far out, the band's solve puts the edge
    back on the picture's edge and gives it its ramp: with a weak prior the error falls by
    more than half (to a ninth), with the matte's default prior it still falls."""
    img, truth = _soft_disc()
    h, w = truth.shape
    yy, xx = np.mgrid[0:h, 0:w]
    crude = (np.hypot(yy - h / 2, xx - w / 2) < 42).astype(np.float32)
    out = band_matting(img, crude, reach=5, lam=0.001, iters=60)
    before, after = np.abs(crude - truth).mean(), np.abs(out - truth).mean()
    assert after < 0.5 * before, (before, after)
    assert np.abs(band_matting(img, crude, reach=5) - truth).mean() < 0.9 * before
    assert out.dtype == np.float32 and out.shape == truth.shape
    assert out.min() >= 0 and out.max() <= 1
    # Far from the edge nothing moves.
    far = np.abs(np.hypot(yy - h / 2, xx - w / 2) - 40) > 12
    assert np.array_equal(out[far], crude[far])


def test_band_matting_windows_agree_with_one_solve() -> None:
    """The tiled windows (solved together in one strip) give nearly what one solve over the
    band's whole box gives."""
    img, truth = _soft_disc()
    crude = (truth > 0.5).astype(np.float32)
    tiled = band_matting(img, crude, reach=5, iters=80, tile=16, halo=8)
    whole = band_matting(img, crude, reach=5, iters=80, tile=512, halo=0)
    assert np.abs(tiled - whole).mean() < 2e-3
    assert np.abs(tiled - truth).mean() < np.abs(crude - truth).mean()


def test_band_matting_leaves_an_alpha_without_an_edge_alone() -> None:
    img, _ = _soft_disc()
    for alpha in (np.zeros(img.shape[:2], np.float32), np.ones(img.shape[:2], np.float32)):
        assert np.array_equal(band_matting(img, alpha, reach=4), alpha)


def test_settle_edge_moves_a_shifted_hard_edge_towards_the_true_soft_one() -> None:
    """The matte's last step on a hard mask 2 px too far out: at full size and on a copy
    scaled down to half (the result scaled back up), the error falls and nothing far from
    the edge moves."""
    img, truth = _soft_disc()
    h, w = truth.shape
    yy, xx = np.mgrid[0:h, 0:w]
    dist = np.hypot(yy - h / 2, xx - w / 2)
    crude = (dist < 42).astype(np.float32)
    before = np.abs(crude - truth).mean()
    for side in (160, 80):
        out = settle_edge(
            img, crude, side=side, reach=1 / 50, lam=0.05, iters=10, gain=4.0, sigma=0.8
        )
        assert out.shape == crude.shape and out.dtype == np.float32
        assert out.min() >= 0 and out.max() <= 1
        assert np.abs(out - truth).mean() < 0.8 * before, side
        far = np.abs(dist - 41) > 16
        assert np.array_equal(out[far], crude[far]), side
    # No edge, nothing to do.
    empty = np.zeros((h, w), np.float32)
    assert np.array_equal(settle_edge(img, empty, side=80, reach=0.02, lam=0.05, iters=5,
                                      gain=4.0, sigma=0.8), empty)  # fmt: skip


@pytest.mark.parametrize("quality", ["fast", "best"])
def test_matte_settles_the_edge_in_both_modes_and_only_near_it(quality: str) -> None:
    """Both modes end with ``settle_edge`` on a real frame of the registry webcam clip:
    the alpha keeps the frame's size and changes only around the person's edge."""
    from nemo_widgets.engine.vision.matte import Matte
    from nemo_widgets.samples import sample_path
    from nemo_widgets.synth import frame_at

    rgb = frame_at(sample_path("webcam"), 0.5)
    h, w = rgb.shape[:2]

    class Off(Matte):
        EDGE_ITERS = 0
        EDGE_SIGMA = 0.0

    class Small(Matte):
        EDGE_SIDE = EDGE_SIDE_BEST = max(w, h) // 2

    plain = Off(w, h, quality=quality)(rgb)
    for kind in (Matte, Small):
        a = kind(w, h, quality=quality)(rgb)
        assert a.shape == (h, w) and a.dtype == np.float32, kind
        assert a.min() >= 0 and a.max() <= 1
        diff = np.abs(a - plain)
        assert diff.max() > 0.1, kind  # it did something
        far = (cv2.blur(plain, (31, 31)) < 0.01) | (cv2.blur(plain, (31, 31)) > 0.99)
        # (faint alpha far out, under 0.1, may be steepened to 0)
        assert diff[far].max() < 0.1, kind
        assert diff.mean() < 0.05, kind


def test_edge_settler_holds_a_still_edge_and_follows_a_moving_one() -> None:
    """Frame to frame: where the alpha it is given jitters a little, the settled edge keeps
    half of the last one (less flicker than settling each frame alone); where the edge
    really moves, it follows at once."""
    img, _ = _soft_disc()
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    dist = np.hypot(yy - h / 2, xx - w / 2)
    kw = dict(side=160, reach=1 / 50, lam=0.05, iters=5, gain=4.0, sigma=0.8)
    first = np.clip((41 - dist) / 2 + 0.5, 0, 1).astype(np.float32)
    jitter = np.clip(first + 0.06 * np.sin(xx / 3.0), 0, 1).astype(np.float32)
    steady = EdgeSettler(**kw)
    a1 = steady(img, first.copy())
    held = steady(img, jitter.copy())
    alone = settle_edge(img, jitter, **kw)
    assert np.abs(held - a1).mean() < 0.75 * np.abs(alone - a1).mean()
    moved = np.clip((33 - dist) / 2 + 0.5, 0, 1).astype(np.float32)
    follows = steady(img, moved.copy())
    ring = (dist > 36) & (dist < 40)  # person before, background now
    assert np.allclose(follows[ring], settle_edge(img, moved, **kw)[ring], atol=1e-6)
    assert follows[ring].max() < 0.05
