"""What the words say about a thing without a name, and how well each candidate fits them.

"the white cone-shaped thing on the right of the table" → colour ``white``, shape
``pointed``, side ``right``, surface ``table``. Every stated quality ranks; none eliminates
(a colour word can be off in shade), except the kind: an overlay word ("logo", "watermark",
"水印") asks for an overlay, and a noun the detector knows ("cup") asks for that name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nemo_widgets.engine.vision.candidates import Candidate
from nemo_widgets.engine.vision.labels import COLOURS, NEAR_COLOURS, to_label

OVERLAY = re.compile(
    r"\b(logo|logos|watermarks?|timestamps?|time ?stamp|date|clock text|text|caption|captions|"
    r"subtitles?|overlay|bug|channel logo|writing|letters|words|title card|handle|credit)\b|"
    r"水印|字幕|台标|标志|时间戳|日期|文字|标识|logo"
)
_SHAPES = {
    "pointed": (
        r"\b(cone|cone-shaped|conical|pointy|pointed|triangular|triangle|party hat|hat)\b|锥|尖"
    ),
    "round": r"\b(round|circular|ball|disc|disk|circle|sphere|globe)\b|圆",
    "tall": r"\b(tall|long|thin|pole|post|bottle|stick)\b|高|细长",
    "wide": r"\b(wide|flat|long and low|banner|bar)\b|扁|宽",
    "box": r"\b(box|square|rectangular|cube|block|crate|sign|board|panel)\b|盒|箱|方",
}
_SIZE_BIG = r"\b(big|large|huge|giant|massive)\b|大"
_SIZE_SMALL = r"\b(small|little|tiny|mini)\b|小"
_GENERIC = re.compile(
    r"^(the |that |this |those |a |an )?(thing|things|object|objects|stuff|item|it|one|that|"
    r"this|something|whatever)$"
)
_WORD = re.compile(r"[a-z][a-z\-]*|[\u4e00-\u9fff]+")


@dataclass
class Wants:
    """What the words ask for."""

    overlay: bool = False
    overlay_kind: str | None = None  # watermark | text | logo
    label: str | None = None  # a COCO name
    unknown_noun: bool = False  # a noun the detector has no name for ("party hat")
    colour: str | None = None
    shape: str | None = None
    side: str | None = None  # left | right | centre
    vertical: str | None = None  # top | bottom
    corner: bool = False
    surface: bool = False  # "on the table", "on the desk", "on the floor"
    size: str | None = None  # big | small
    motion: str | None = None  # still | moving

    def stated(self) -> int:
        return sum(
            bool(x)
            for x in (
                self.colour,
                self.shape,
                self.side,
                self.vertical,
                self.corner,
                self.surface,
                self.size,
                self.motion,
                self.label,
            )
        )


def wants(words: str) -> Wants:
    low = words.lower().strip()
    w = Wants()
    w.overlay = bool(OVERLAY.search(low))
    if re.search(r"watermark|水印", low):
        w.overlay_kind = "watermark"
    elif re.search(
        r"\b(text|caption|subtitle|timestamp|time stamp|date|writing|letters|words)"
        r"|字幕|文字|时间戳|日期",
        low,
    ):
        w.overlay_kind = "text"
    elif re.search(r"\b(logo|bug)\b|台标|标志|标识|logo", low):
        w.overlay_kind = "logo"
    body = re.sub(
        r"\b(on|in|at|near|by|from|of) (the )?(table|desk|floor|ground|shelf|counter)\b.*", "", low
    )
    body = re.sub(
        r"\b(on|in|at|to) (the )?(top|bottom|upper|lower)?[ -]?"
        r"(left|right|corner|middle|centre|center)\b.*",
        "",
        body,
    )
    nouns = [t for t in _WORD.findall(body) if t not in COLOURS and t not in ("the", "a", "an")]
    for n in reversed(nouns):
        lab = to_label(n)
        if lab is not None and lab != "dining_table":
            w.label = lab
            break
    if w.label is None and not w.overlay:
        w.unknown_noun = bool(nouns) and not _GENERIC.match(body.strip())
        # "sign" and "table" map to COCO names people rarely mean for removal
    if w.label in ("stop_sign",) and "stop" not in low:
        w.label, w.unknown_noun = None, True
    w.colour = next(
        (c for k, c in COLOURS.items() if re.search(rf"\b{k}\b" if k.isascii() else k, low)), None
    )
    for name, pat in _SHAPES.items():
        if re.search(pat, low):
            w.shape = name
            break
    if re.search(r"\bleft\b|左", low):
        w.side = "left"
    elif re.search(r"\bright\b|右", low):
        w.side = "right"
    elif re.search(r"\b(middle|centre|center)\b|中间|中央", low):
        w.side = "centre"
    if re.search(r"\b(top|upper|above)\b|上", low):
        w.vertical = "top"
    elif re.search(r"\b(bottom|lower|below)\b|下", low):
        w.vertical = "bottom"
    w.corner = bool(re.search(r"\bcorner\b|角", low))
    w.surface = bool(
        re.search(
            r"\b(on|at|of) (the |a )?(table|desk|floor|ground|shelf|counter)\b|桌上|桌子上|地上",
            low,
        )
    )
    w.size = (
        "big" if re.search(_SIZE_BIG, low) else "small" if re.search(_SIZE_SMALL, low) else None
    )
    if re.search(r"\b(moving|walking|driving|running|passing|flying|rolling)\b|移动|走|跑", low):
        w.motion = "moving"
    elif re.search(r"\b(still|static|standing|sitting|parked|lying)\b|静止|放着|停", low):
        w.motion = "still"
    return w


def fit(c: Candidate, w: Wants, width: int, height: int, biggest: float) -> float:
    """How well ``c`` fits the words: 1 for a perfect fit of every stated quality, lower for
    each quality it misses (never 0: a wrong word lowers, it does not exclude)."""
    s = 1.0
    if w.overlay:
        s *= 1.0 if c.kind == "overlay" else 0.05
        o = c.overlay
        if o is not None and w.overlay_kind == "watermark":
            s *= 1.0 if o.opacity < 0.8 else 0.5  # a watermark is usually see-through
        elif o is not None and w.overlay_kind == "text":
            s *= 1.0 if o.textlike else 0.5
        elif o is not None and w.overlay_kind == "logo":
            s *= 1.0 if not o.textlike else 0.6
    elif c.kind == "overlay":
        s *= 0.1
    if w.label:
        s *= 1.0 if c.label == w.label else 0.2 if c.label is None else 0.05
    elif w.unknown_noun and c.label is not None:
        # A word the detector has no name for hardly means a thing it does name, when it is
        # sure of the name; an unsure name is often the detector forcing one of its 80 on a
        # thing outside them (a gift box called a cake).
        sure = c.track is not None and max(c.track.scores) >= 0.6
        s *= 0.25 if sure else 0.6
    cx, cy = c.centre(width, height)
    if w.colour:
        near = c.colour in NEAR_COLOURS.get(w.colour, ())
        s *= 1.0 if c.colour == w.colour else 0.45 if near else 0.15
    if w.side:
        lo = {"left": 0.0, "centre": 1 / 3, "right": 2 / 3}[w.side]
        s *= 1.0 if lo <= cx < lo + 1 / 3 else 0.45 if abs(cx - (lo + 1 / 6)) < 0.4 else 0.15
    if w.vertical:
        ok = cy < 0.4 if w.vertical == "top" else cy > 0.6
        s *= 1.0 if ok else 0.3
    if w.corner:
        edge = min(cx, 1 - cx) < 0.25 and min(cy, 1 - cy) < 0.25
        s *= 1.0 if edge else 0.3
    if w.surface and c.kind != "overlay":
        # On a table: below the middle of the frame, standing still.
        s *= 1.0 if cy > 0.4 and not c.moving else 0.4
    if w.shape:
        s *= 1.0 if c.shape == w.shape else 0.5
    if w.size:
        share = c.area(width, height) / max(biggest, 1e-9)
        s *= (share**0.5 if w.size == "big" else (1 - share) ** 2 + 0.1) if biggest > 0 else 1
    if w.motion:
        s *= 1.0 if c.moving == (w.motion == "moving") else 0.25
    return float(s * (0.6 + 0.4 * min(1.0, c.strength)))


def rank(
    cands: list[Candidate], words: str, width: int, height: int
) -> list[tuple[float, Candidate]]:
    w = wants(words)
    biggest = max((c.area(width, height) for c in cands), default=0.0)
    out = [(fit(c, w, width, height, biggest), c) for c in cands]
    return sorted(out, key=lambda x: -x[0])


def contradicts(c: Candidate, w: Wants, width: int, height: int) -> list[str]:
    """The qualities the words state that ``c`` plainly does not have ("pointed" for a box,
    "red" for a blue thing, "on the right" for a thing on the left). Ranking only lowers such
    a candidate; removing it without asking would be a guess."""
    out = []
    cx, cy = c.centre(width, height)
    if w.colour and c.colour != w.colour and c.colour not in NEAR_COLOURS.get(w.colour, ()):
        out.append("colour")
    if w.shape and c.shape and c.shape != w.shape:
        out.append("shape")
    if w.side:
        lo = {"left": 0.0, "centre": 1 / 3, "right": 2 / 3}[w.side]
        if not lo - 0.05 <= cx < lo + 1 / 3 + 0.05:
            out.append("side")
    if w.vertical and not (cy < 0.45 if w.vertical == "top" else cy > 0.55):
        out.append("vertical")
    if w.label and c.label != w.label:
        out.append("label")
    if w.motion and c.moving != (w.motion == "moving"):
        out.append("motion")
    return out


def clear_choice(
    ranked: list[tuple[float, Candidate]], words: str, width: int = 0, height: int = 0
) -> Candidate | None:
    """The one candidate the words clearly point at, or None (then ask). Never one that
    contradicts what the words say of it: then the thing meant was not found, and asking
    with pictures is the honest answer."""
    if not ranked:
        return None
    w = wants(words)
    top, c = ranked[0]
    if width and height and contradicts(c, w, width, height):
        return None
    if c.kind in ("salient", "moving") and len(c.boxes) < 2:
        # Seen in one look only: a detail of texture as often as a thing (the real one may
        # not have been proposed at all). Offered, never removed on the words alone.
        return None
    second = ranked[1][0] if len(ranked) > 1 else 0.0
    if top < 0.35:
        return None
    if w.stated() == 0 and not w.overlay:
        # Nothing said but a noun the detector has no name for: only the sole thing.
        return c if second < 0.2 * top else None
    return c if second <= 0.55 * top else None


def describe(c: Candidate, width: int, height: int, fps: float) -> str:
    """ "the white pointed thing on the right, 0–5 s"."""
    cx, cy = c.centre(width, height)
    horiz = "on the left" if cx < 1 / 3 else "on the right" if cx >= 2 / 3 else "in the middle"
    if c.kind == "overlay":
        vert = "top" if cy < 0.35 else "bottom" if cy > 0.65 else ""
        corner = min(cx, 1 - cx) < 0.25 and vert
        where = f"in the {vert} {horiz.split()[-1]} corner" if corner else horiz
        o = c.overlay
        what = "semi-transparent " if o is not None and o.opacity < 0.75 else ""
        noun = "text overlay" if o is not None and o.textlike else "logo / overlay"
        head = f"the {what}{c.colour + ' ' if c.colour else ''}{noun} {where}"
    else:
        name = (c.label or "").replace("_", " ") or {
            "pointed": "cone-shaped object",
            "round": "round object",
            "tall": "tall object",
            "wide": "wide object",
            "box": "box-shaped object",
        }.get(c.shape, "object")
        moving = " moving" if c.moving else ""
        if name == "person" and c.colour:  # a person's colour is what they wear
            head = f"the person in {c.colour}{moving} {horiz}"
        else:
            head = f"the {c.colour + ' ' if c.colour else ''}{name}{moving} {horiz}"
    return f"{head}, {c.first / fps:.0f}–{c.last / fps:.0f} s"
