"""Timeline edits as plain functions on a :class:`~nemo_widgets.draft.Draft`.

Each edit changes the draft it is given (pass a copy to keep the original) and returns a
:class:`Done` with what happened in English and Chinese, or raises :class:`EditError` and
leaves the draft as it was. Times in arguments are seconds; the draft keeps milliseconds.
Used by the agent's tools and by the upload route; imports nothing from the agent.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from typing import Any

from nemo_widgets.draft import Draft, Segment, Track

#: Sizes for each supported aspect ratio.
RATIO_SIZES = {
    "9:16": (1080, 1920),
    "16:9": (1920, 1080),
    "1:1": (1080, 1080),
    "4:5": (1080, 1350),
    "4:3": (1440, 1080),
    "3:4": (1080, 1440),
}
#: One "a bit louder / quieter" step multiplies the volume by this (or divides by it).
VOLUME_STEP = 1.5
SIZE_STEP = 1.3
DEFAULT_TITLE_SIZE = 0.09


class EditError(Exception):
    """An edit that cannot be made; nothing was changed."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


@dataclass
class Done:
    en: str
    zh: str
    state: dict[str, Any] = field(default_factory=dict)


def sid() -> str:
    return "s_" + uuid.uuid4().hex[:8]


def video_track(d: Draft) -> Track:
    tr = next((t for t in d.tracks if t.kind == "video"), None)
    if tr is None:
        tr = Track(0, [])
        d.tracks.insert(0, tr)
    return tr


def relayout(tr: Track) -> None:
    """Place a track's segments one after the other from 0 (video track after edits)."""
    t = 0.0
    for s in tr.segments:
        s.start = round(t)
        t += s.duration


def fit_other_tracks(d: Draft) -> None:
    """Keep music and titles inside the (new) video length."""
    end = sum(s.duration for s in video_track(d).segments)
    for tr in d.tracks:
        if tr.kind == "video":
            continue
        kept = []
        for s in tr.segments:
            if s.start >= end:
                continue
            s.duration = min(s.duration, end - s.start)
            kept.append(s)
        tr.segments = kept


def length_s(d: Draft) -> float:
    return sum(s.duration for s in video_track(d).segments) / 1000


def _need_video(d: Draft) -> float:
    total = length_s(d)
    if total <= 0:
        raise EditError(
            "There is no clip on the timeline yet: upload a video first.",
            "时间线上还没有视频：请先上传视频。",
        )
    return total


def _keep_ranges(d: Draft, ranges: list[tuple[float, float]]) -> None:
    """Keep only these timeline ranges (ms) of the video track, closing up the gaps."""
    tr = video_track(d)
    new: list[Segment] = []
    for s in tr.segments:
        first = True
        for a, b in ranges:
            p0, p1 = max(s.start, a), min(s.end, b)
            if p1 - p0 < 1:
                continue
            seg = copy.deepcopy(s)
            seg.in_point = round((s.in_point or 0) + (p0 - s.start) * float(s.speed or 1))
            seg.duration = round(p1 - p0)
            if not first:  # the second piece of a cut is a new segment
                seg.id = sid()
            first = False
            new.append(seg)
    tr.segments = new
    relayout(tr)
    fit_other_tracks(d)
    d.recompute_duration()


def _check_range(total: float, start: float, end: float | None) -> tuple[float, float]:
    end = total if end is None else min(float(end), total)
    start = max(0.0, float(start))
    if start >= total or end <= start:
        raise EditError(
            f"That range is outside the video, which is {total:.1f} s long.",
            f"这个范围超出了视频长度（{total:.1f} 秒）。",
        )
    return start, end


def trim(d: Draft, start: float = 0.0, end: float | None = None) -> Done:
    """Keep only ``start``..``end`` (seconds; ``None`` = to the end)."""
    total = _need_video(d)
    a, b = _check_range(total, start, end)
    if a <= 0 and b >= total:
        raise EditError(
            f"The video is already {total:.1f} s long; nothing to trim.",
            f"视频本来就是 {total:.1f} 秒，无需修剪。",
        )
    _keep_ranges(d, [(a * 1000, b * 1000)])
    secs = d.end / 1000
    return Done(
        f"Trimmed to {a:g}–{b:g} s; the video is now {secs:.1f} s long.",
        f"已保留 {a:g}–{b:g} 秒，视频现在 {secs:.1f} 秒。",
    )


def cut(d: Draft, start: float, end: float | None = None) -> Done:
    """Remove ``start``..``end`` and close the gap."""
    total = _need_video(d)
    a, b = _check_range(total, start, end)
    if a <= 0 and b >= total:
        raise EditError(
            "That would remove the whole video; nothing was changed.",
            "这样会删掉整个视频，未做修改。",
        )
    _keep_ranges(d, [(0, a * 1000), (b * 1000, total * 1000)])
    secs = d.end / 1000
    return Done(
        f"Cut out {a:g}–{b:g} s; the video is now {secs:.1f} s long.",
        f"已剪掉 {a:g}–{b:g} 秒，视频现在 {secs:.1f} 秒。",
    )


def split(d: Draft, at: float) -> Done:
    total = _need_video(d)
    if not 0 < at < total:
        raise EditError(
            f"I can only split inside the video (0–{total:.1f} s).",
            f"只能在视频范围内分割（0–{total:.1f} 秒）。",
        )
    tr = video_track(d)
    ms = at * 1000
    out: list[Segment] = []
    for s in tr.segments:
        if s.start < ms < s.end and ms - s.start >= 1 and s.end - ms >= 1:
            b = copy.deepcopy(s)
            b.id = sid()
            b.in_point = round((s.in_point or 0) + (ms - s.start) * float(s.speed or 1))
            b.duration = round(s.end - ms)
            s.duration = round(ms - s.start)
            out += [s, b]
        else:
            out.append(s)
    tr.segments = out
    relayout(tr)
    d.recompute_duration()
    return Done(f"Split the clip at {at:g} s.", f"已在 {at:g} 秒处分割。")


def add_clip(d: Draft, f: dict[str, Any]) -> Done:
    """Append an uploaded video or image (its probe info) to the video track."""
    tr = video_track(d)
    dur = float(f.get("duration") or 0) * 1000 if f.get("file_type") == "video" else 5000
    tr.segments.append(
        Segment(
            start=round(tr.end),
            duration=round(dur),
            id=sid(),
            source=f["file_id"],
            in_point=0,
            label=str(f.get("filename", "clip")).rsplit(".", 1)[0],
        )
    )
    if not d.meta.get("aspect") and f.get("width"):
        d.meta.setdefault("width", f.get("display_width", f["width"]))
        d.meta.setdefault("height", f.get("display_height", f["height"]))
        if len(tr.segments) == 1:
            d.meta["width"] = f.get("display_width", f["width"])
            d.meta["height"] = f.get("display_height", f["height"])
            if f.get("fps"):
                d.meta["fps"] = f["fps"]
    d.recompute_duration()
    name = f.get("filename", "the clip")
    return Done(f"Added {name} to the timeline.", f"已添加 {name}。")


def _clip_index(tr: Track, clip: int | None) -> int:
    n = len(tr.segments)
    if clip is None or not (1 <= clip <= n or -n <= clip <= -1):
        raise EditError(
            f"There {'is' if n == 1 else 'are'} {n} clip{'s' if n != 1 else ''} on the "
            "timeline; which one?",
            f"时间线上有 {n} 个片段，是哪一个？",
        )
    return clip - 1 if clip > 0 else n + clip


def remove_clip(d: Draft, clip: int | None) -> Done:
    """Remove the ``clip``-th video segment (1-based; -1 = last)."""
    tr = video_track(d)
    if len(tr.segments) < 2:
        raise EditError(
            "That is the only clip; removing it would empty the timeline.",
            "这是唯一的片段，删除后时间线就空了。",
        )
    gone = tr.segments.pop(_clip_index(tr, clip))
    relayout(tr)
    fit_other_tracks(d)
    d.recompute_duration()
    name = gone.label or gone.source
    return Done(f"Removed {name} from the timeline.", f"已删除片段 {name}。")


def reorder(d: Draft, clip: int | None, to: int | None) -> Done:
    tr = video_track(d)
    n = len(tr.segments)
    if n < 2:
        raise EditError("There is only one clip to order.", "只有一个片段，无法调整顺序。")
    i = _clip_index(tr, clip)
    j = _clip_index(tr, to)
    if i == j:
        raise EditError("That clip is already there.", "这个片段已经在那个位置了。")
    tr.segments.insert(j, tr.segments.pop(i))
    relayout(tr)
    order = ", ".join(s.label or s.source or "?" for s in tr.segments)
    return Done(f"New order: {order}.", f"新顺序：{order}。")


#: Colour names as a Chinese reply says them (hex values stay as they are).
COLOUR_ZH = {
    "red": "红色", "white": "白色", "black": "黑色", "yellow": "黄色", "blue": "蓝色",
    "green": "绿色", "pink": "粉色", "orange": "橙色", "purple": "紫色", "grey": "灰色",
    "gray": "灰色", "gold": "金色", "silver": "银色", "brown": "棕色", "cyan": "青色",
    "navy": "深蓝色", "beige": "米色", "magenta": "品红色",
}  # fmt: skip


def _text_track(d: Draft, create: bool = False) -> Track | None:
    tr = next((t for t in d.tracks if t.kind == "text"), None)
    if tr is None and create:
        tr = Track(7, [])
        d.tracks.append(tr)
    return tr


def add_title(
    d: Draft,
    text: str,
    start: float = 0.0,
    duration: float = 3.0,
    position: str | None = None,
    color: str | None = None,
    size: float | None = None,
) -> Done:
    if not text:
        raise EditError("What should the title say?", "标题写什么？")
    start_ms, dur_ms = float(start) * 1000, float(duration or 3) * 1000
    if d.end and start_ms >= d.end:
        raise EditError(
            f"The video ends at {d.end / 1000:.1f} s; the title must start before.",
            "标题的开始时间超出了视频长度。",
        )
    if d.end:
        dur_ms = min(dur_ms, max(d.end - start_ms, 1))
    style: dict[str, Any] = {"pos": position or "center", "size": DEFAULT_TITLE_SIZE}
    if color:
        style["color"] = color
    if isinstance(size, int | float):
        style["size"] = float(size)
    tr = _text_track(d, create=True)
    assert tr is not None
    tr.segments.append(
        Segment(
            start=round(start_ms),
            duration=round(dur_ms),
            id=sid(),
            text=text,
            style=style,
            fade_in=300,
            fade_out=300,
        )
    )
    d.recompute_duration()
    a, b = start_ms / 1000, (start_ms + dur_ms) / 1000
    return Done(
        f'Added the title "{text}" from {a:g} to {b:g} s.',
        f"已添加标题“{text}”（{a:g}–{b:g} 秒）。",
    )


def _titles(d: Draft) -> list[Segment]:
    tr = _text_track(d)
    segs = [s for s in tr.segments if s.text is not None] if tr else []
    if not segs:
        raise EditError("There is no title on the timeline yet.", "时间线上还没有标题。")
    return segs


def edit_title(
    d: Draft,
    text: str | None = None,
    color: str | None = None,
    size: str | float | None = None,
    position: str | None = None,
) -> Done:
    """Change the text or style of the titles (all of them; usually there is one)."""
    segs = _titles(d)
    if text is None and color is None and size is None and position is None:
        raise EditError("What should change about the title?", "标题要怎么改？")
    en: list[str] = []
    zh: list[str] = []
    for s in segs:
        st = dict(s.style or {})
        if text is not None:
            s.text = text
        if color is not None:
            st["color"] = color
        if position is not None:
            st["pos"] = position
        if size is not None:
            cur = float(st.get("size") or DEFAULT_TITLE_SIZE)
            if size == "bigger":
                st["size"] = round(min(0.4, cur * SIZE_STEP), 4)
            elif size == "smaller":
                st["size"] = round(max(0.02, cur / SIZE_STEP), 4)
            else:
                st["size"] = float(size)
        s.style = st
    if text is not None:
        en.append(f'changed the text to "{text}"')
        zh.append(f"文字改为“{text}”")
    if color is not None:
        en.append(f"made it {color}")
        zh.append(f"颜色改为{COLOUR_ZH.get(str(color).lower(), color)}")
    if size is not None:
        en.append(
            "made it bigger"
            if size == "bigger"
            else "made it smaller"
            if size == "smaller"
            else f"set its size to {size}"
        )
        zh.append("放大了" if size == "bigger" else "缩小了" if size == "smaller" else "改了大小")
    if position is not None:
        en.append(f"moved it to the {position}")
        zh.append(f"移到了{ {'top': '顶部', 'bottom': '底部'}.get(position, '中间') }")
    return Done("Title: " + ", ".join(en) + ".", "标题：" + "，".join(zh) + "。")


def remove_title(d: Draft) -> Done:
    segs = _titles(d)
    d.tracks = [t for t in d.tracks if t.kind != "text"]
    d.recompute_duration()
    names = ", ".join(f'"{s.text}"' for s in segs)
    return Done(f"Removed the title {names}.", f"已删除标题 {names}。")


def _music_track(d: Draft) -> Track | None:
    return next((t for t in d.tracks if t.kind == "audio" and t.segments), None)


def add_music(d: Draft, f: dict[str, Any], volume: float | None = None, fade: bool = False) -> Done:
    """Put an uploaded audio file under the whole video as background music (0..1 volume)."""
    length = d.end or float(f.get("duration", 0)) * 1000
    vol = 100.0 if volume is None else round(float(volume) * 100, 2)
    tr = next((t for t in d.tracks if t.kind == "audio"), None)
    if tr is None:
        tr = Track(1, [])
        d.tracks.append(tr)
    tr.segments = [
        Segment(
            start=0,
            duration=round(length),
            id=sid(),
            source=f["file_id"],
            in_point=0,
            volume=vol,
            label=str(f["filename"]).rsplit(".", 1)[0],
            fade_in=1000 if fade else None,
            fade_out=2000,
        )
    ]
    tr.muted = None
    d.recompute_duration()
    return Done(
        f"Added {f['filename']} as background music at {vol:g}%.",
        f"已添加背景音乐 {f['filename']}，音量 {vol:g}%。",
    )


def remove_music(d: Draft) -> Done:
    if _music_track(d) is None:
        raise EditError("There is no music on the timeline.", "时间线上没有背景音乐。")
    d.tracks = [t for t in d.tracks if t.kind != "audio"]
    d.recompute_duration()
    return Done("Removed the background music.", "已删除背景音乐。")


def _sound_tracks(d: Draft, target: str) -> list[Track]:
    kinds = {"music": ("audio",), "video": ("video",), "all": ("audio", "video")}.get(
        target, ("audio", "video")
    )
    tracks = [t for t in d.tracks if t.kind in kinds and t.segments]
    if not tracks:
        what_en, what_zh = (
            ("background music", "背景音乐") if target == "music" else ("clip", "视频")
        )
        raise EditError(f"There is no {what_en} on the timeline.", f"时间线上没有{what_zh}。")
    return tracks


def set_volume(
    d: Draft, target: str = "video", level: float | None = None, relative: str | None = None
) -> Done:
    """Volume 0..1 (1 = as recorded), or one step ``up`` / ``down`` from where it is."""
    tracks = _sound_tracks(d, target)
    if level is None and relative not in ("up", "down"):
        raise EditError("How loud should it be?", "音量调到多少？")
    new = 0.0
    for tr in tracks:
        tr.muted = None
        for s in tr.segments:
            cur = 100.0 if s.volume is None else float(s.volume)
            if level is not None:
                s.volume = round(max(0.0, min(float(level), 10.0)) * 100, 2)
            elif relative == "up":
                s.volume = round(min(max(cur, 10.0) * VOLUME_STEP, 400.0), 2)
            else:
                s.volume = round(cur / VOLUME_STEP, 2)
            new = s.volume
    what_en = "music" if target == "music" else "clip sound" if target == "video" else "sound"
    what_zh = "背景音乐" if target == "music" else "原声" if target == "video" else "声音"
    if level is None:
        word_en = "Raised" if relative == "up" else "Lowered"
        word_zh = "调高" if relative == "up" else "调低"
        return Done(
            f"{word_en} the {what_en} volume one step, to {new:.0f}%.",
            f"已把{what_zh}音量{word_zh}一档，现在 {new:.0f}%。",
        )
    return Done(f"Set the {what_en} volume to {new:.0f}%.", f"{what_zh}音量已设为 {new:.0f}%。")


def mute(d: Draft, target: str = "all", on: bool = True) -> Done:
    tracks = _sound_tracks(d, target)
    for tr in tracks:
        tr.muted = True if on else None
    what_en = {"music": "the music", "video": "the clip sound"}.get(target, "all sound")
    what_zh = {"music": "背景音乐", "video": "原声"}.get(target, "全部声音")
    if on:
        return Done(f"Muted {what_en}.", f"已将{what_zh}静音。")
    return Done(f"Unmuted {what_en}.", f"已取消{what_zh}静音。")


def set_aspect(d: Draft, ratio: str, fit: str = "fit") -> Done:
    if ratio not in RATIO_SIZES:
        raise EditError(
            f"I can make 9:16, 16:9, 1:1, 4:5, 4:3 or 3:4, not {ratio}.",
            f"支持 9:16、16:9、1:1、4:5、4:3、3:4，不支持 {ratio}。",
        )
    fit = fit if fit in ("fit", "fill", "blur") else "fit"
    w, h = RATIO_SIZES[ratio]
    d.meta.update(width=w, height=h, aspect=ratio, fit=fit)
    how = {"fit": "fitted with bars", "fill": "cropped to fill", "blur": "with blurred padding"}
    how_zh = {"fit": "加黑边适配", "fill": "裁剪填满", "blur": "模糊背景填充"}
    return Done(
        f"Changed the aspect ratio to {ratio}, {how[fit]}.",
        f"画幅已改为 {ratio}（{how_zh[fit]}）。",
        state={"canvas_config": {"width": w, "height": h}},
    )


def set_speed(
    d: Draft, factor: float | None = None, relative: float | None = None, clip: int | None = None
) -> Done:
    _need_video(d)
    tr = video_track(d)
    targets = tr.segments if clip is None else [tr.segments[_clip_index(tr, clip)]]
    if factor is None and relative is None:
        raise EditError("How fast should it play?", "要调成几倍速？")
    for s in targets:
        old = float(s.speed or 1)
        new = float(factor) if factor is not None else old * float(relative or 1)
        if not 0.1 <= new <= 8:
            raise EditError("Speed must be between 0.1× and 8×.", "速度需在 0.1× 到 8× 之间。")
        s.duration = round(s.duration * old / new)
        s.speed = round(new, 4)
    relayout(tr)
    fit_other_tracks(d)
    d.recompute_duration()
    sp = float(targets[0].speed or 1)
    return Done(
        f"Set the speed to {sp:g}×; the video is now {d.end / 1000:.1f} s long.",
        f"已设为 {sp:g} 倍速，视频现在 {d.end / 1000:.1f} 秒。",
    )


def fade(
    d: Draft,
    direction: str = "in",
    target: str = "both",
    duration: float = 1.0,
    music_only: bool = False,
) -> Done:
    """Fade the picture (``video``), the sound (``audio``) or both in at the start or out at
    the end. The picture fade lives in the draft's metadata (``fade_in`` / ``fade_out`` ms)."""
    total = _need_video(d)
    ms = round(max(0.1, min(float(duration or 1), total / 2)) * 1000)
    key = "fade_in" if direction == "in" else "fade_out"
    if target in ("video", "both"):
        d.meta[key] = ms
    if target in ("audio", "both"):
        music = _music_track(d)
        tracks = [music] if music else []
        if not music_only:
            tracks.insert(0, video_track(d))
        elif music is None:
            raise EditError("There is no music on the timeline.", "时间线上没有背景音乐。")
        for tr in tracks:
            seg = tr.segments[0] if direction == "in" else tr.segments[-1]
            setattr(seg, key, ms)
    what_en = {"video": "the picture", "audio": "the music" if music_only else "the sound"}.get(
        target, "picture and sound"
    )
    what_zh = {"video": "画面", "audio": "背景音乐" if music_only else "声音"}.get(
        target, "画面和声音"
    )
    where_en = "in at the start" if direction == "in" else "out at the end"
    where_zh = "开头淡入" if direction == "in" else "结尾淡出"
    return Done(
        f"Faded {what_en} {where_en} over {ms / 1000:g} s.",
        f"已让{what_zh}{where_zh}（{ms / 1000:g} 秒）。",
    )
