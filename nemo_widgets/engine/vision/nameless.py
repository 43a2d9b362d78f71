"""Removing what the detector has no name for: propose, rank by the words, remove or ask.

The remove tool hands over here when the words name no COCO object ("the party hat", "the
thing on the left") or name an overlay ("the watermark", "the logo in the corner"), and when
the user picks one of the candidates offered before ("the second one", "第二个", "the white
one"). One clear fit is removed and said back; otherwise the reply offers at most three
numbered candidates: a still with numbered outlines in ``generated_media`` (kind
``candidates``, with each candidate's id, box and outline in video pixels, for a picker) and a
text list; ``state["candidates"]`` keeps them for the next message.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from nemo_widgets.draft import Effect
from nemo_widgets.engine.edits import COLOUR_ZH
from nemo_widgets.engine.toolkit import ToolResult
from nemo_widgets.engine.vision import wording
from nemo_widgets.engine.vision.candidates import Candidate, Proposal, propose
from nemo_widgets.engine.vision.labels import SYNONYMS
from nemo_widgets.engine.vision.remove import Scan, Track

_ORD_ZH = "一二三"
_COLOURS = ((230, 60, 60), (40, 150, 255), (250, 200, 30))
#: Proposals of recent clips (path, size, mtime) → Proposal: a pick reuses the question's.
_CACHE: OrderedDict[tuple[str, int, int], Proposal] = OrderedDict()
_LOCK = threading.Lock()


def _key(src: Path) -> tuple[str, int, int]:
    st = src.stat()
    return str(src), st.st_size, int(st.st_mtime_ns)


def proposal_for(src: Path, job: Any | None = None) -> Proposal:
    key = _key(src)
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None:
        return hit
    kw: dict[str, Any] = {}
    if job is not None:
        kw = {"check": job.check, "progress": lambda p: job.progress(0.4 * p)}
    prop = propose(src, **kw)
    with _LOCK:
        _CACHE[key] = prop
        while len(_CACHE) > 8:
            _CACHE.popitem(last=False)
    return prop


def remove_candidate(
    src: Path, out: Path, prop: Proposal, c: Candidate, job: Any | None = None
) -> float:
    """Remove one candidate into ``out``; the share of its area that had to be invented."""
    check = job.check if job is not None else (lambda: None)
    progress = (lambda p: job.progress(40 + 0.6 * p)) if job is not None else (lambda p: None)
    if c.kind == "overlay" and c.overlay is not None:
        from nemo_widgets.engine.vision.overlays import remove_overlays

        return remove_overlays(src, out, [c.overlay], check=check, progress=progress).invented_share
    from nemo_widgets.engine.vision.inpaint import inpaint_video
    from nemo_widgets.engine.vision.remove import Masker

    # A thing without a name is removed with its whole (grown) box: the silhouette network
    # misses the pale tip of a hat, and a part left behind is worse than a larger fill.
    boxes = dict(c.boxes)
    if not c.moving:  # still: every look's box at once (each look may see a part)
        b = np.array(list(boxes.values()))
        u = (*b[:, :2].min(axis=0).tolist(), *b[:, 2:].max(axis=0).tolist())
        lo, hi = prop.scan.shot_span(c.first)
        boxes = {lo: u, max(lo, hi - 1): u}
    t = c.track or Track("selection", boxes, [c.strength], shot=c.shot)
    masker = Masker([t], prop.scan)
    return inpaint_video(src, out, masker, check=check, progress=progress).invented_share


def _span(c: Candidate, fps: float) -> tuple[float, float]:
    if c.overlay is not None:
        return c.overlay.first / fps, c.overlay.last / fps
    return c.first / fps, c.last / fps


def _item(c: Candidate, prop: Proposal, n: int) -> dict[str, Any]:
    sc = prop.scan
    a, z = _span(c, sc.fps)
    cx, cy = c.centre(sc.width, sc.height)
    return {
        "n": n,
        "id": c.id,
        "kind": c.kind,
        "label": c.label,
        "colour": c.colour,
        "shape": c.shape,
        "moving": c.moving,
        "centre": [round(cx, 3), round(cy, 3)],
        "box": [round(v, 1) for v in c.box()],
        "from_s": round(a, 2),
        "to_s": round(z, 2),
        "description": wording.describe(c, sc.width, sc.height, sc.fps),
    }


def _outline(rgb: np.ndarray, c: Candidate, frame: int) -> list[list[int]]:
    """The candidate's outline at ``frame`` (video pixels): its silhouette's contour, or
    its box."""
    k = min(c.boxes, key=lambda j: abs(j - frame))
    x0, y0, x1, y1 = (int(v) for v in c.boxes[k])
    if c.overlay is not None:
        m = c.overlay.mask.astype(np.uint8)
    else:
        from nemo_widgets.engine.vision.silhouette import silhouette_model

        model = silhouette_model()
        m = np.zeros(rgb.shape[:2], np.uint8)
        crop = rgb[y0:y1, x0:x1]
        if model is not None and crop.size:
            s = (model(crop) > 0.5).astype(np.uint8)
            if 0.1 < s.mean() < 0.98:
                m[y0:y1, x0:x1] = s
        if not m.any():
            m[y0:y1, x0:x1] = 1
    cnts, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not cnts:
        return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
    big = max(cnts, key=cv2.contourArea)
    eps = 0.005 * cv2.arcLength(big, True)
    return cv2.approxPolyDP(big, eps, True).reshape(-1, 2).astype(int).tolist()


def still_with_outlines(
    src: Path, prop: Proposal, offered: list[Candidate], dest: Path
) -> tuple[float, list[list[list[int]]]]:
    """A still of the clip where the offered candidates are seen, each outlined and
    numbered; written to ``dest`` (PNG). Returns its time and the outlines."""
    from nemo_widgets.video_io import FrameReader

    keys = sorted(
        {k for c in offered if c.kind != "overlay" for k in c.boxes} or set(prop.scan.keyframes)
    )
    frame = max(
        keys, key=lambda k: sum(min(abs(k - j) for j in c.boxes) < prop.scan.fps for c in offered)
    )
    rgb = None
    t = 0.0
    with FrameReader(src) as r:
        for f in r:
            if f.index == frame:
                rgb, t = f.rgb.copy(), f.t
                break
    if rgb is None:
        raise ValueError("the clip ended before its keyframe")
    outlines = [_outline(rgb, c, frame) for c in offered]
    img = rgb.copy()
    thick = max(2, round(rgb.shape[1] / 320))
    for n, (poly, col) in enumerate(zip(outlines, _COLOURS, strict=False), start=1):
        pts = np.array(poly, np.int32).reshape(-1, 1, 2)
        cv2.polylines(img, [pts], True, (0, 0, 0), thick + 2)
        cv2.polylines(img, [pts], True, col, thick)
        x, y = np.array(poly).min(axis=0)
        r_ = max(9, round(rgb.shape[1] / 50))
        cx, cy = int(max(r_, x)), int(max(r_, y))
        cv2.circle(img, (cx, cy), r_, col, -1)
        cv2.circle(img, (cx, cy), r_, (0, 0, 0), 1)
        fs = r_ / 14
        (tw, th), _ = cv2.getTextSize(str(n), cv2.FONT_HERSHEY_SIMPLEX, fs, 2)
        cv2.putText(
            img, str(n), (cx - tw // 2, cy + th // 2), cv2.FONT_HERSHEY_SIMPLEX, fs, (0, 0, 0), 2
        )
    cv2.imwrite(str(dest), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    return t, outlines


def wants_nameless(words: str, label: str | None) -> bool:
    """Whether the words ask for something the detector cannot name: no COCO name (a
    table the thing stands on is not what is removed), an overlay ("the logo", "水印"), or a
    sign that is not a stop sign."""
    low = words.lower()
    if wording.OVERLAY.search(low) or wording.wants(words).label is None:
        return True
    return label is None or (label == "stop_sign" and "stop" not in low)


def nameless(
    ctx: Any,
    clip: dict[str, Any],
    src: Path,
    words: str,
    pick: int | None,
    *,
    missed: str | None = None,
) -> ToolResult:
    """Remove what ``words`` describe among the clip's candidates, or the ``pick``-th of
    those offered before; ask with a still when no candidate clearly fits. ``missed``: the
    detector looked for the words' COCO name and found nothing — then only ask."""
    from nemo_widgets.engine.vision.tools import _record, run_heavy_for

    pending = ctx.state.get("candidates") or {}
    offered_ids = [it["id"] for it in pending.get("items", [])] if pick else []
    out = ctx.engine.store.tmp_path(".mp4")
    still = ctx.engine.store.tmp_path(".png")

    def work(job: Any) -> dict[str, Any]:
        prop = proposal_for(src, job)
        sc = prop.scan
        ranked = wording.rank(prop.candidates, words, sc.width, sc.height)
        chosen = None
        if pick:
            by_id = {c.id: c for c in prop.candidates}
            if 1 <= pick <= len(offered_ids) and offered_ids[pick - 1] in by_id:
                chosen = by_id[offered_ids[pick - 1]]
        elif missed is None:
            chosen = wording.clear_choice(ranked, words, sc.width, sc.height)
        if chosen is not None:
            invented = remove_candidate(src, out, prop, chosen, job)
            return {"prop": prop, "chosen": chosen, "invented": invented}
        offered = [c for s, c in ranked if s >= 0.02][:3]
        if not offered:
            return {"prop": prop, "offered": []}
        t, outlines = still_with_outlines(src, prop, offered, still)
        return {"prop": prop, "offered": offered, "time": t, "outlines": outlines}

    res, took = run_heavy_for(ctx, clip, work, out, still)
    prop: Proposal = res["prop"]
    sc = prop.scan
    if "chosen" in res:
        still.unlink(missing_ok=True)
        c: Candidate = res["chosen"]
        what = wording.describe(c, sc.width, sc.height, sc.fps)
        a, z = _span(c, sc.fps)
        info = {
            "file_type": "video",
            "format": "mp4",
            "width": sc.width,
            "height": sc.height,
            "duration": round(sc.frames / sc.fps, 3),
            "frames": sc.frames,
        }
        obj = {
            "label": c.label or c.kind,
            "id": c.id,
            "from_s": round(a, 2),
            "to_s": round(z, 2),
            "description": what,
        }
        effect = Effect("remove_object", {"target": words, "label": c.label, "objects": [obj]})
        d, generated, gen = _record(ctx, clip, out, "removed", effect, info)
        inv = res["invented"]
        note = (
            f" About {100 * inv:.0f}% of its area was never visible in any frame and was "
            "invented from its surroundings; worth a look before you export."
            if inv >= 0.05
            else ""
        )
        return ToolResult(
            f"Removed {what} from {clip['filename']} (filled from the rest of the video in "
            f"{took:.1f} s).{note}",
            f"已从 {clip['filename']} 中去掉{_zh(c)}（{a:.0f}–{z:.0f} 秒，{took:.1f} 秒）。",
            d.to_dict(),
            state={"generated_media": generated, "selection": None, "candidates": None},
            data={"objects": [obj], "seconds": round(took, 2), "generated": gen.file_id},
        )
    offered: list[Candidate] = res.get("offered") or []
    if not offered:
        still.unlink(missing_ok=True)
        head = (
            f"{missed} in {clip['filename']}"
            if missed
            else (f'I couldn\'t find anything in {clip["filename"]} that looks like "{words}"')
        )
        return ToolResult(
            f"{head}, so nothing was changed. Draw a box around it (the Studio's \"Draw a box "
            'around it") and say "remove this".',
            f"在 {clip['filename']} 中没有找到“{words}”，未做修改。可以框选它后说“去掉这个”。",
            ok=False,
        )
    items = [_item(c, prop, n) for n, c in enumerate(offered, start=1)]
    n = len(items)
    which = "Which one is it? Say" if n > 1 else "Is that it? Say"
    head = (
        f"{missed} by that name in {clip['filename']}, so nothing was changed yet. "
        if missed
        else f'I can\'t tell for sure which thing is "{words}" in {clip["filename"]}, so '
        "nothing was changed yet. "
    )
    return _question(
        ctx,
        clip,
        (prop, offered, items, res["outlines"], res["time"], still),
        words,
        head
        + f"I found {n} candidate{'s' if n != 1 else ''} (numbered in the picture): "
        + "{listing}"
        + f'. {which} "the {"second" if n > 1 else "first"} one" '
        f'(or "第{"二" if n > 1 else "一"}个"), or draw a box around it.',
        f"我不确定“{words}”是哪一个，暂未修改。找到 {n} 个候选（图中已编号）：{{listing}}。"
        f"请说“第{_ORD_ZH[min(n, 2) - 1]}个”，或框选它。",
    )


def _question(
    ctx: Any,
    clip: dict[str, Any],
    shown: tuple[Proposal, list[Candidate], list[dict[str, Any]], list, float, Path],
    words: str,
    en: str,
    zh: str,
    *,
    named: bool = False,
) -> ToolResult:
    """Ask which of the ``shown`` candidates (proposal, candidates, their items, outlines,
    the still's time and file) is meant; ``en`` / ``zh`` hold ``{listing}`` for the list.
    Nothing changes; ``state["candidates"]`` keeps them for the pick."""
    from nemo_widgets.engine.vision.tools import _store_generated

    prop, offered, items, outlines, time_s, still = shown
    sc = prop.scan
    for it, poly in zip(items, outlines, strict=True):
        it["outline"] = poly
    info = {"file_type": "image", "format": "png", "width": sc.width, "height": sc.height}
    gen = _store_generated(ctx, clip, still, "candidates.png", info)
    entry = {
        "file_id": gen.file_id,
        "name": gen.filename,
        "kind": "candidates",
        "source": clip["file_id"],
        "url": ctx.engine.media_url(None, gen.file_id, ctx.user_id, gen.filename),
        **info,
        "time_s": round(time_s, 3),
        "words": words,
        "candidates": items,
    }
    generated = [*ctx.state.get("generated_media", []), entry]
    listing = "; ".join(f"{it['n']}. {it['description']}" for it in items)
    zh_list = "；".join(
        f"{it['n']}. {_zh(c, it['centre'][0])}" for it, c in zip(items, offered, strict=True)
    )
    pending = {"source": clip["file_id"], "words": words, "media": gen.file_id, "items": items}
    return ToolResult(
        en.replace("{listing}", listing),
        zh.replace("{listing}", zh_list),
        state={
            "generated_media": generated,
            "candidates": {**pending, "named": True} if named else pending,
        },
        ok=True,
        data={"question": True, "candidates": items, "still": gen.file_id},
    )


def ask_which(
    ctx: Any, clip: dict[str, Any], src: Path, sc: Scan, tracks: list[Track], words: str
) -> ToolResult:
    """The words name only a class and several objects of it fit alike (``remove.rivals``):
    ask which, with the numbered still; a pick removes that object (by its box)."""
    cands = []
    for n, t in enumerate(tracks, start=1):
        c = Candidate("object", dict(t.boxes), t.label, colour=t.colour(), track=t, id=f"t{n}")
        c.strength, c.moving, c.shot = float(max(t.scores)), t.speed(sc.fps) > 0.15, t.shot
        cands.append(c)
    prop = Proposal(cands, sc)
    still = ctx.engine.store.tmp_path(".png")
    time_s, outlines = still_with_outlines(src, prop, cands, still)
    items = [_item(c, prop, n) for n, c in enumerate(cands, start=1)]
    for it, c in zip(items, cands, strict=True):
        k = sorted(c.boxes)[len(c.boxes) // 2]  # where the pick looks for it again
        x0, y0, x1, y1 = c.boxes[k]
        it["at_s"] = round(k / sc.fps, 3)
        it["at_box"] = [x0 / sc.width, y0 / sc.height, x1 / sc.width, y1 / sc.height]
    label = (tracks[0].label or "object").replace("_", " ")
    many = {"person": "people", "bus": "buses"}.get(label, label + "s")
    n = len(items)
    return _question(
        ctx,
        clip,
        (prop, cands, items, outlines, time_s, still),
        words,
        f"I see {n} {many} in {clip['filename']} and can't tell which one you mean, so "
        "nothing was changed yet. They are numbered in the picture: {listing}. Which one is "
        f'it? Say "the first one" or "the second one" (or describe it: colour, left/right, '
        f'parked/moving), "remove all the {many}", or draw a box around it.',
        f"{clip['filename']} 里有 {n} 个{_ZH_NAMES.get(label, '物体')}，我不确定你指的是哪一个，"
        "暂未修改。图中已编号：{listing}。请说“第一个”或“第二个”，或框选它。",
        named=True,
    )


#: Chinese names of the detector's classes (the first Chinese synonym of each).
_ZH_NAMES: dict[str, str] = {}
for _w, _l in SYNONYMS.items():
    if _w and "\u4e00" <= _w[0] <= "\u9fff":
        _ZH_NAMES.setdefault(_l.replace("_", " "), _w)


def _zh(c: Candidate, centre_x: float | None = None) -> str:
    """The candidate in Chinese: 穿黑色衣服的人（中间）, 白色的车, 台标/水印."""
    colour = COLOUR_ZH.get(c.colour or "", "")
    name = _ZH_NAMES.get((c.label or "").replace("_", " "))
    if c.kind == "overlay" or not name:
        what = f"{colour}{'台标/水印' if c.kind == 'overlay' else '物体'}"
    elif name == "人":
        what = f"穿{colour}衣服的人" if colour else "人"
    else:
        what = f"{colour}的{name}" if colour else name
    if centre_x is None:
        return what
    side = "左边" if centre_x < 1 / 3 else "右边" if centre_x >= 2 / 3 else "中间"
    return f"{what}（{side}）"
