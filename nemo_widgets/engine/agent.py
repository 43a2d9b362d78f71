"""The engine's agent: what people type → tool calls on the session, streamed as ADK events.

The hosted agent uses a language model; ours must work offline, so it is a deterministic
interpreter of English and Chinese instructions. :func:`plan` turns a message into a
:class:`Plan` (tool calls with their arguments, or a reply); :meth:`Agent.run` executes it, one
``functionCall`` event, then the tool's ``functionResponse`` with ``actions.stateDelta``, then a
short reply in the user's language.

Tools are registered in :data:`TOOLS`; heavy ones (vision) run in the engine's worker pool.
"""

from __future__ import annotations

import copy
import random
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nemo_widgets.draft import Draft, Segment, Track, diff, summary
from nemo_widgets.engine import events as ev
from nemo_widgets.engine.jobs import Cancelled

# -- parsing helpers -----------------------------------------------------------------------
_TIME = r"(?:\d+:)?\d+:\d+(?:\.\d+)?|\d+(?:\.\d+)?\s*(?:s|sec|secs|seconds?|秒|ms)?"
_TIME_RE = re.compile(_TIME)


def parse_time(text: str) -> float | None:
    """Seconds from ``0:05``, ``1:02.5``, ``00:01:05``, ``5s``, ``5 seconds``, ``5秒``."""
    t = text.strip().lower()
    m = re.fullmatch(r"(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)", t)
    if m:
        h, mi, s = m.groups()
        return int(h or 0) * 3600 + int(mi) * 60 + float(s)
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(ms|s|sec|secs|seconds?|秒|minutes?|mins?|分钟)?", t)
    if m:
        v, unit = float(m.group(1)), m.group(2) or "s"
        if unit == "ms":
            return v / 1000
        if unit.startswith("min") or unit == "分钟":
            return v * 60
        return v
    return None


def _range(text: str) -> tuple[float, float] | None:
    m = re.search(
        rf"(?:from|between|keep|到|从)?\s*({_TIME})\s*(?:to|-|–|and|until|到|至)\s*({_TIME})",
        text,
        re.I,
    )
    if not m:
        return None
    a, b = parse_time(m.group(1)), parse_time(m.group(2))
    if a is None or b is None or b <= a:
        return None
    return a, b


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "last": -1,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
    "第一": 1,
    "第二": 2,
    "第三": 3,
    "第四": 4,
    "最后": -1,
}


@dataclass
class Call:
    name: str
    args: dict[str, Any]
    cost: int = 1


@dataclass
class Plan:
    calls: list[Call] = field(default_factory=list)
    reply: str | None = None  # a reply with no tool call (questions, help)

    @property
    def cost(self) -> int:
        return sum(c.cost for c in self.calls)


@dataclass
class ToolResult:
    message_en: str
    message_zh: str
    draft: dict[str, Any] | None = None
    state: dict[str, Any] = field(default_factory=dict)  # other state keys to set
    ok: bool = True
    data: dict[str, Any] = field(default_factory=dict)


class ToolContext:
    """What a tool sees: the session state, the engine's store and pool, progress."""

    def __init__(
        self,
        engine: Any,
        user_id: str,
        session_id: str,
        state: dict[str, Any],
        on_progress: Callable[[int, int | None], None] | None = None,
    ) -> None:
        self.engine, self.user_id, self.session_id = engine, user_id, session_id
        self.state = state
        #: Told (percent, frames in the job or None) while heavy work runs.
        self.on_progress = on_progress
        #: Frames the heavy work goes through, when a tool knows (for "frame n of N").
        self.frames_total: int | None = None

    @property
    def draft(self) -> Draft:
        return Draft.parse(self.state.get("draft") or {})

    def uploads(self, kind: str | None = None) -> list[dict[str, Any]]:
        files = self.state.get("video_infos", [])
        return [f for f in files if kind is None or f.get("file_type") == kind]

    def run_heavy(self, fn: Callable[[Any], Any]) -> Any:
        """Run CPU-heavy work in the engine's bounded pool and wait for it."""
        key = f"{self.user_id}:tool:{self.session_id}:{uuid.uuid4().hex[:8]}"
        report = self.on_progress

        def progress(p: int) -> None:
            if report is not None:
                report(p, self.frames_total)

        return self.engine.pool.submit(key, fn, on_progress=progress).result()


# -- the interpreter -------------------------------------------------------------------------
_BG_WORDS = re.compile(r"background|backdrop|背景|\bbg\b", re.I)
_TIMELINE_Q = re.compile(
    r"what'?s on the timeline|what is on the timeline|show (me )?the timeline|"
    r"timeline summary|时间线|有什么",
    re.I,
)
_DURATION_Q = re.compile(r"how long|duration|length of|多长|时长", re.I)


def _find_upload(
    text: str, files: list[dict[str, Any]], kind: str | None = None
) -> dict[str, Any] | None:
    cands = [f for f in files if kind is None or f.get("file_type") == kind]
    low = text.lower()
    names = [(str(f.get("filename", "")).lower(), f) for f in cands]
    # A full file name first ("clip2.mp4" must not be taken for "clip.mp4" by its stem), then
    # the longest stem named.
    for name, f in names:
        if name and name in low:
            return f
    for name, f in sorted(names, key=lambda nf: -len(nf[0])):
        stem = name.rsplit(".", 1)[0]
        if stem and stem in low:
            return f
    return None


def _which_clip(text: str) -> int | None:
    """0-based index of "the second clip" / "clip 2" / "第二个视频"; -1 for last."""
    low = text.lower()
    for word, n in _ORDINALS.items():
        if re.search(rf"{word}\s*(?:个)?\s*(clip|video|segment|视频|片段)", low):
            return n - 1 if n > 0 else -1
    m = re.search(r"(?:clip|video|segment)\s*#?\s*(\d+)", low)
    return int(m.group(1)) - 1 if m else None


def _percent(text: str) -> float | None:
    m = re.search(r"(\d+(?:\.\d+)?)\s*(%|percent|％)", text)
    return float(m.group(1)) if m else None


def plan(text: str, state: dict[str, Any]) -> Plan:
    """Understand one instruction. Pure: reads the state, changes nothing."""
    t = text.strip()
    low = t.lower()
    zh = is_chinese(t)
    files = state.get("video_infos", [])
    if not t:
        return Plan(reply=_help(zh, "empty"))
    if re.fullmatch(r"(undo|撤销|撤回|undo that|undo the last (edit|change))[.!]?", low):
        return Plan([Call("undo", {})])
    if (_TIMELINE_Q.search(t) and "?" in t) or re.fullmatch(
        r"(what'?s on the timeline\??|时间线上有什么？?)", low
    ):
        return Plan(reply=summary(state.get("draft")))
    if _DURATION_Q.search(t) and ("?" in t or "？" in t or low.startswith("how")):
        d = Draft.parse(state.get("draft") or {})
        secs = d.end / 1000
        return Plan(
            reply=(f"视频时长 {secs:.1f} 秒。" if zh else f"The timeline is {secs:.1f} s long.")
        )

    calls: list[Call] = []
    # Background replacement / blur / removal ("remove the car in the background" is not).
    target = _object_word(low)
    # "remove the background" is about the background; "the car in the background" is not.
    about_bg = target is None or bool(
        re.search(r"(background|backdrop|\bbg)$|背景$", target.strip(), re.I)
    )
    if (
        _BG_WORDS.search(t)
        and about_bg
        and re.search(
            r"replace|change|swap|blur|remove|make|put|use|set|turn|换|替换|模糊|去掉|删除|去除|改成|变成",
            t,
            re.I,
        )
    ) or re.search(r"put me (in front of|on|in)|in front of", low):
        calls.append(
            Call("replace_background", _background_args(t, files), cost=_vision_cost(state))
        )
    # Object removal.
    elif re.search(r"\b(remove|erase|delete|get rid of|take out|wipe out)\b", low) or re.search(
        r"去掉|去除|删掉|移除|擦除", t
    ):
        clip = _which_clip(t)
        if (
            clip is not None
            and re.search(r"\b(clip|video|segment)\b|视频|片段", low)
            and not re.search(r"\b(car|person|people|man|woman)\b", low)
        ):
            calls.append(Call("remove_clip", {"index": clip}))
        elif re.search(r"\b(first|last) (\d+(?:\.\d+)?) ?(s|sec|seconds?)\b", low):
            m = re.search(r"\b(first|last) (\d+(?:\.\d+)?)", low)
            assert m
            calls.append(Call("trim", {"drop_" + m.group(1): float(m.group(2))}))
        elif re.search(r"\b(music|bgm|title|text)\b|音乐|标题", low):
            what = "audio" if re.search(r"music|bgm|音乐", low) else "text"
            calls.append(Call("remove_track", {"kind": what}))
        else:
            calls.append(Call("remove_object", _object_args(t), cost=_vision_cost(state)))
    # Titles.
    elif re.search(r"\btitle\b|\bcaption\b|\btext\b|标题|字幕|文字", low):
        calls.append(Call("add_title", _title_args(t)))
    # Volume / mute (before music: "set the music volume to 20%" is not adding music).
    elif re.search(r"\bmute\b|静音|\bunmute\b|volume|louder|quieter|音量", low) and not re.search(
        r"\badd\b|\bas (bgm|music)\b|添加|加入", low
    ):
        calls.append(Call("set_volume", _volume_args(t)))
    # Background music.
    elif re.search(r"\bbgm\b|music|soundtrack|song|背景音乐|配乐", low):
        calls.append(Call("add_bgm", _bgm_args(t, files)))
    # Aspect ratio.
    elif re.search(
        r"\b(9:16|16:9|1:1|4:5|4:3|vertical|portrait|square|landscape|horizontal)\b|竖屏|横屏|方形|aspect",
        low,
    ):
        calls.append(Call("set_aspect", _aspect_args(t)))
    # Speed.
    elif re.search(
        r"speed|faster|slower|slow[ -]?mo|(\d+(?:\.\d+)?)\s*x\b|倍速|加速|减速|慢动作", low
    ):
        calls.append(Call("set_speed", _speed_args(t)))
    # Reorder.
    elif re.search(r"\b(move|swap|reorder|put)\b.*\b(clip|video)s?\b|交换|调换", low):
        calls.append(Call("reorder", _reorder_args(t, len(_video_segments(state)))))
    # Trim / cut.
    elif re.search(r"\b(trim|cut|keep|shorten|only)\b|剪|保留|裁剪", low):
        calls.append(Call("trim", _trim_args(t)))
    elif re.search(r"\b(add|put|use|append|insert)\b.*\b(clip|video|it)\b|加入|添加视频", low):
        f = _find_upload(t, files)
        calls.append(Call("add_clip", {"file": f["filename"] if f else None}))
    if not calls:
        return Plan(reply=_help(zh, "unknown"))
    return Plan(calls)


def _vision_cost(state: dict[str, Any]) -> int:
    """Vision work costs by clip length: 5 credits, plus 1 for every 10 s over the first 10."""
    videos = [f for f in state.get("video_infos", []) if f.get("file_type") == "video"]
    seconds = float(videos[-1].get("duration") or 0) if videos else 0.0
    return 5 + max(0, int(seconds - 10) // 10)


def _help(zh: bool, why: str) -> str:
    if zh:
        return (
            "我可以：去掉视频里的物体（“把背景里的车去掉”），替换或模糊背景，"
            "剪辑（“保留 0:03 到 0:20”），"
            "添加标题、背景音乐、调节音量、改画幅（9:16、1:1）、变速、撤销。请先上传视频。"
        )
    lead = "Please type an instruction." if why == "empty" else "I didn't understand that."
    return (
        f'{lead} I can: remove an object ("remove the car parked in the background"; or draw '
        'a box around it), replace or blur the background ("replace my background with a '
        'clean studio backdrop"), trim ("keep 0:03 to 0:20"), add a title ("add the title '
        '\'Urban Dreams\' for 3 seconds"), add music ("add lofi.mp3 as BGM at 35%"), set the '
        "volume or mute, change the aspect ratio (9:16, 1:1, 16:9), change the speed, reorder "
        "or remove clips, and undo."
    )


def _title_args(t: str) -> dict[str, Any]:
    m = re.search(r"[\"“”'‘’「『]([^\"“”'‘’」』]+)[\"“”'‘’」』]", t)
    text = m.group(1) if m else None
    if text is None:
        m2 = re.search(
            r"(?:title|caption|text|标题|字幕)\s*(?:saying|that says|:|：)?\s*(.+?)"
            r"(?:\s+(?:for|at|on)\s+\d|$)",
            t,
            re.I,
        )
        text = m2.group(1).strip() if m2 else None
    args: dict[str, Any] = {"text": text}
    m = re.search(rf"(?:for|持续)\s*({_TIME})", t, re.I)
    if m:
        args["duration"] = parse_time(m.group(1))
    rng = _range(t)
    if rng and not m:
        args["start"], args["duration"] = rng[0], rng[1] - rng[0]
    m = re.search(rf"\bat\s*({_TIME})", t, re.I)
    if m and "start" not in args:
        args["start"] = parse_time(m.group(1))
    for pos in ("top", "bottom", "center", "centre"):
        if re.search(rf"\b{pos}\b", t, re.I):
            args["position"] = "center" if pos == "centre" else pos
    if "顶部" in t or "上方" in t:
        args["position"] = "top"
    if "底部" in t or "下方" in t:
        args["position"] = "bottom"
    return args


def _bgm_args(t: str, files: list[dict[str, Any]]) -> dict[str, Any]:
    f = _find_upload(t, files, "audio") or _find_upload(t, files)
    if f is None:
        audios = [x for x in files if x.get("file_type") == "audio"]
        f = audios[-1] if audios else None
    args: dict[str, Any] = {"file": f.get("filename") if f else None}
    pct = _percent(t)
    if pct is not None:
        args["volume"] = pct
    if re.search(r"fade", t, re.I):
        args["fade"] = True
    return args


def _volume_args(t: str) -> dict[str, Any]:
    low = t.lower()
    target = "audio" if re.search(r"music|bgm|song|音乐", low) else "video"
    if re.search(r"\bunmute\b|取消静音", low):
        return {"target": target, "volume": 100}
    if re.search(r"\bmute\b|静音", low):
        return {"target": target, "volume": 0}
    pct = _percent(t)
    if pct is None:
        pct = 150 if re.search(r"louder|up|大", low) else 50
    return {"target": target, "volume": pct}


def _aspect_args(t: str) -> dict[str, Any]:
    low = t.lower()
    m = re.search(r"\b(\d{1,2}):(\d{1,2})\b", low)
    if m:
        ratio = f"{m.group(1)}:{m.group(2)}"
    elif re.search(r"vertical|portrait|竖屏", low):
        ratio = "9:16"
    elif re.search(r"square|方形", low):
        ratio = "1:1"
    else:
        ratio = "16:9"
    fit = "fit"
    if re.search(r"blur", low):
        fit = "blur"
    elif re.search(r"\bfill\b|\bcrop\b|zoom|裁", low):
        fit = "fill"
    return {"ratio": ratio, "fit": fit}


def _speed_args(t: str) -> dict[str, Any]:
    low = t.lower()
    m = re.search(r"(\d+(?:\.\d+)?)\s*(x|×|倍)", low)
    speed = float(m.group(1)) if m else None
    if speed is None:
        speed = 0.5 if re.search(r"slow|减速|慢", low) else 2.0
    elif re.search(r"slow", low) and speed > 1:
        speed = 1 / speed
    return {"speed": speed, "clip": _which_clip(t)}


def _reorder_args(t: str, n: int) -> dict[str, Any]:
    low = t.lower()
    src = _which_clip(t)
    if re.search(r"swap|交换|调换", low):
        return {"swap": True}
    dest = (
        0
        if re.search(r"start|beginning|front|first place|开头", low)
        else n - 1
        if re.search(r"\bend\b|last place|结尾", low)
        else None
    )
    return {"index": src, "to": dest}


def _trim_args(t: str) -> dict[str, Any]:
    low = t.lower()
    rng = _range(t)
    m = re.search(r"\b(first|last) (\d+(?:\.\d+)?)", low)
    if m and re.search(r"cut|trim|remove|drop|delete", low):
        return {"drop_" + m.group(1): float(m.group(2))}
    m = re.search(r"\b(first|last) (\d+(?:\.\d+)?)", low)
    if m:  # "keep only the first 10 seconds"
        return {"keep_" + m.group(1): float(m.group(2))}
    if rng:
        if re.search(r"cut out|remove|delete|drop|剪掉|删掉", low):
            return {"cut": list(rng)}
        return {"keep": list(rng)}
    m = re.search(rf"(?:to|down to|at most)\s*({_TIME})", low)
    if m:
        v = parse_time(m.group(1))
        if v:
            return {"keep": [0, v]}
    return {}


def _object_args(t: str) -> dict[str, Any]:
    from nemo_widgets.engine.vision.labels import parse_target

    args: dict[str, Any] = {"query": t}
    rng = _range(t)
    if rng:
        args["start"], args["end"] = rng
    target = parse_target(t, _object_word(t.lower()))
    return args | {"target": target.words or None} | target.to_args()


def _object_word(low: str) -> str | None:
    if re.search(
        r"\b(remove|erase|delete)\s+(this|that|it|the selection|the box)\b", low
    ) or re.search(r"去掉这个|删掉这个", low):
        return None
    m = re.search(
        r"(?:remove|erase|delete|get rid of|take out|wipe out)\s+(?:all\s+)?(?:of\s+)?"
        r"(?:the|a|an|that|this|those|these|my)?\s*(.+?)(?:\s+(?:from|in|between|that|which|"
        r"who|at|on|out of|parked|walking|standing|moving|sitting)\b|[.,!]|$)",
        low,
    )
    if m:
        return m.group(1).strip() or None
    m = re.search(r"把(.+?)(去掉|去除|删掉|移除|擦除)", low)
    return m.group(1) if m else None


def _background_args(t: str, files: list[dict[str, Any]]) -> dict[str, Any]:
    low = t.lower()
    args: dict[str, Any] = {"query": t}
    img = next(
        (
            f
            for f in files
            if f.get("file_type") in ("image", "video")
            and str(f.get("filename", "")).lower() in low
        ),
        None,
    )
    if re.search(r"\bblur|模糊", low):
        args["mode"] = "blur"
    elif re.search(
        r"(remove|delete|transparent|去掉|删除|去除)\b.*(background|背景)|(background|背景).*(remove|transparent)",
        low,
    ) and not re.search(r"replace|with|换成", low):
        args["mode"] = "transparent"
    elif img is not None:
        args["mode"], args["file"] = "media", img["filename"]
    else:
        args["mode"] = "preset"
        m = re.search(
            r"(?:with|to|into|make (?:the )?background|换成|改成|变成)\s+(?:a |an |the )?(.+?)"
            r"(?:\s+(?:background|backdrop))?[.!]?$",
            low,
        )
        args["background"] = m.group(1).strip() if m else "studio"
    return args


# -- tools -----------------------------------------------------------------------------------
def _video_track(d: Draft) -> Track:
    tr = next((t for t in d.tracks if t.kind == "video"), None)
    if tr is None:
        tr = Track(0, [])
        d.tracks.insert(0, tr)
    return tr


def _video_segments(state: dict[str, Any]) -> list[dict[str, Any]]:
    d = state.get("draft") or {}
    for tr in d.get("t", []):
        if tr.get("tt") == 0:
            return tr.get("sg", [])
    return []


def _relayout(tr: Track) -> None:
    """Place a track's segments one after the other from 0 (video track after edits)."""
    t = 0.0
    for s in tr.segments:
        s.start = round(t)
        t += s.duration


def _no_video(ctx: ToolContext) -> ToolResult | None:
    if not _video_track(ctx.draft).segments:
        return ToolResult(
            "There is no clip on the timeline yet: upload a video first.",
            "时间线上还没有视频：请先上传视频。",
            ok=False,
        )
    return None


def tool_trim(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    if (r := _no_video(ctx)) is not None:
        return r
    d = ctx.draft
    tr = _video_track(d)
    total = sum(s.duration for s in tr.segments) / 1000
    keep: list[float] | None = args.get("keep")
    if "keep_first" in args:
        keep = [0, args["keep_first"]]
    if "keep_last" in args:
        keep = [max(0, total - args["keep_last"]), total]
    if "drop_first" in args:
        keep = [args["drop_first"], total]
    if "drop_last" in args:
        keep = [0, total - args["drop_last"]]
    cut = args.get("cut")
    if keep is None and cut is None:
        return ToolResult(
            'Tell me which part to keep, e.g. "keep 0:03 to 0:20".',
            "请告诉我保留哪一段，例如“保留 0:03 到 0:20”。",
            ok=False,
        )
    a, b = keep or cut  # type: ignore[misc]
    if b <= a or a >= total:
        return ToolResult(
            f"That range is outside the video, which is {total:.1f} s long.",
            f"这个范围超出了视频长度（{total:.1f} 秒）。",
            ok=False,
        )
    a_ms, b_ms = a * 1000, min(b, total) * 1000
    new: list[Segment] = []
    for s in tr.segments:
        s0, s1 = s.start, s.end
        pieces = (
            [(max(s0, a_ms), min(s1, b_ms))] if keep else [(s0, min(s1, a_ms)), (max(s0, b_ms), s1)]
        )
        for p0, p1 in pieces:
            if p1 - p0 < 1:
                continue
            seg = copy.deepcopy(s)
            speed = float(s.speed or 1)
            seg.in_point = round((s.in_point or 0) + (p0 - s0) * speed)
            seg.duration = round(p1 - p0)
            if seg is not s and len(pieces) > 1 and p0 > s0:
                seg.id = f"{s.id or 'seg'}_b"
            new.append(seg)
    tr.segments = new
    _relayout(tr)
    _fit_other_tracks(d)
    d.recompute_duration()
    secs = d.end / 1000
    if keep:
        return ToolResult(
            f"Trimmed to {a:g}–{min(b, total):g} s; the video is now {secs:.1f} s.",
            f"已保留 {a:g}–{min(b, total):g} 秒，视频现在 {secs:.1f} 秒。",
            d.to_dict(),
        )
    return ToolResult(
        f"Cut out {a:g}–{b:g} s; the video is now {secs:.1f} s.",
        f"已剪掉 {a:g}–{b:g} 秒，视频现在 {secs:.1f} 秒。",
        d.to_dict(),
    )


def _fit_other_tracks(d: Draft) -> None:
    """Keep BGM and titles inside the (new) video length."""
    end = sum(s.duration for s in _video_track(d).segments)
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


def tool_add_title(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    text = args.get("text")
    if not text:
        return ToolResult(
            "What should the title say? E.g. \"add the title 'Urban Dreams' for 3 seconds\".",
            "标题写什么？例如“添加标题‘城市之梦’3 秒”。",
            ok=False,
        )
    d = ctx.draft
    start = float(args.get("start") or 0) * 1000
    dur = float(args.get("duration") or 3) * 1000
    end = d.end or dur
    if d.end and start >= d.end:
        return ToolResult(
            f"The video ends at {d.end / 1000:.1f} s; the title must start before.",
            "标题的开始时间超出了视频长度。",
            ok=False,
        )
    dur = min(dur, max(end - start, 1)) if d.end else dur
    tr = next((t for t in d.tracks if t.kind == "text"), None)
    if tr is None:
        tr = Track(7, [])
        d.tracks.append(tr)
    style = {"pos": args.get("position", "center"), "size": 0.09}
    tr.segments.append(
        Segment(
            start=round(start),
            duration=round(dur),
            id=_sid(),
            text=text,
            style=style,
            fade_in=300,
            fade_out=300,
        )
    )
    d.recompute_duration()
    return ToolResult(
        f'Added the title "{text}" from {start / 1000:g} to {(start + dur) / 1000:g} s.',
        f"已添加标题“{text}”（{start / 1000:g}–{(start + dur) / 1000:g} 秒）。",
        d.to_dict(),
    )


def _sid() -> str:
    return "s_" + uuid.uuid4().hex[:8]


def tool_add_bgm(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    name = args.get("file")
    f = next((x for x in ctx.uploads() if x.get("filename") == name), None) if name else None
    if f is None or not f.get("has_audio", f.get("file_type") == "audio"):
        return ToolResult(
            "Upload an audio file (mp3, wav, m4a or aac) first, then say e.g. "
            '"add lofi.mp3 as BGM at 35%".',
            "请先上传音频文件（mp3、wav、m4a、aac），再说“把 lofi.mp3 作为背景音乐，音量 35%”。",
            ok=False,
        )
    d = ctx.draft
    length = d.end or float(f.get("duration", 0)) * 1000
    vol = float(args.get("volume", 100))
    tr = next((t for t in d.tracks if t.kind == "audio"), None)
    if tr is None:
        tr = Track(1, [])
        d.tracks.append(tr)
    label = str(f["filename"]).rsplit(".", 1)[0]
    tr.segments = [
        Segment(
            start=0,
            duration=round(length),
            id=_sid(),
            source=f["file_id"],
            in_point=0,
            volume=vol,
            label=label,
            fade_in=1000 if args.get("fade") else None,
            fade_out=2000,
        )
    ]
    d.recompute_duration()
    return ToolResult(
        f"Added {f['filename']} as background music at {vol:g}%.",
        f"已添加背景音乐 {f['filename']}，音量 {vol:g}%。",
        d.to_dict(),
    )


def tool_set_volume(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    d = ctx.draft
    kind = args.get("target", "video")
    vol = float(args["volume"])
    tracks = [t for t in d.tracks if t.kind == kind and t.segments]
    if not tracks:
        what_en, what_zh = ("background music", "背景音乐") if kind == "audio" else ("clip", "视频")
        return ToolResult(
            f"There is no {what_en} on the timeline to change.",
            f"时间线上没有{what_zh}。",
            ok=False,
        )
    for tr in tracks:
        for s in tr.segments:
            s.volume = vol
    d.recompute_duration()
    what = "music" if kind == "audio" else "clip sound"
    if vol == 0:
        return ToolResult(f"Muted the {what}.", "已静音。", d.to_dict())
    return ToolResult(f"Set the {what} volume to {vol:g}%.", f"音量已设为 {vol:g}%。", d.to_dict())


_RATIO_SIZES = {
    "9:16": (1080, 1920),
    "16:9": (1920, 1080),
    "1:1": (1080, 1080),
    "4:5": (1080, 1350),
    "4:3": (1440, 1080),
    "3:4": (1080, 1440),
}


def tool_set_aspect(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    ratio = args.get("ratio", "16:9")
    if ratio not in _RATIO_SIZES:
        return ToolResult(
            f"I can make 9:16, 16:9, 1:1, 4:5, 4:3 or 3:4, not {ratio}.",
            f"支持 9:16、16:9、1:1、4:5、4:3、3:4，不支持 {ratio}。",
            ok=False,
        )
    d = ctx.draft
    w, h = _RATIO_SIZES[ratio]
    d.meta.update(width=w, height=h, aspect=ratio, fit=args.get("fit", "fit"))
    how = {"fit": "fitted with bars", "fill": "cropped to fill", "blur": "with blurred padding"}[
        d.meta["fit"]
    ]
    return ToolResult(
        f"Changed the aspect ratio to {ratio}, {how}.",
        f"画幅已改为 {ratio}。",
        d.to_dict(),
        state={"canvas_config": {**ctx.state.get("canvas_config", {}), "width": w, "height": h}},
    )


def tool_set_speed(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    if (r := _no_video(ctx)) is not None:
        return r
    speed = float(args.get("speed", 1))
    if not 0.1 <= speed <= 8:
        return ToolResult(
            "Speed must be between 0.1× and 8×.", "速度需在 0.1× 到 8× 之间。", ok=False
        )
    d = ctx.draft
    tr = _video_track(d)
    idx = args.get("clip")
    targets = (
        tr.segments
        if idx is None
        else [tr.segments[idx]]
        if -len(tr.segments) <= idx < len(tr.segments)
        else []
    )
    if not targets:
        return ToolResult(
            "There is no such clip on the timeline.", "时间线上没有这个视频片段。", ok=False
        )
    for s in targets:
        old = float(s.speed or 1)
        s.duration = round(s.duration * old / speed)
        s.speed = speed
    _relayout(tr)
    d.recompute_duration()
    return ToolResult(
        f"Set the speed to {speed:g}×; the video is now {d.end / 1000:.1f} s.",
        f"已设为 {speed:g} 倍速，视频现在 {d.end / 1000:.1f} 秒。",
        d.to_dict(),
    )


def tool_remove_clip(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    d = ctx.draft
    tr = _video_track(d)
    i = args.get("index")
    if i is None or not -len(tr.segments) <= i < len(tr.segments):
        return ToolResult(
            f"There are {len(tr.segments)} clips on the timeline; which one?",
            f"时间线上有 {len(tr.segments)} 个片段，要删除哪一个？",
            ok=False,
        )
    gone = tr.segments.pop(i)
    _relayout(tr)
    _fit_other_tracks(d)
    d.recompute_duration()
    name = gone.label or gone.source
    return ToolResult(f"Removed {name} from the timeline.", f"已删除片段 {name}。", d.to_dict())


def tool_reorder(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    d = ctx.draft
    tr = _video_track(d)
    n = len(tr.segments)
    if n < 2:
        return ToolResult(
            "There is only one clip; upload more to reorder.",
            "只有一个片段，无法调整顺序。",
            ok=False,
        )
    if args.get("swap") and n == 2:
        tr.segments.reverse()
    else:
        i, to = args.get("index"), args.get("to")
        if i is None or to is None or not -n <= i < n:
            return ToolResult(
                'Say which clip goes where, e.g. "move the second clip to the start".',
                "请说明把哪个片段移到哪里。",
                ok=False,
            )
        tr.segments.insert(to, tr.segments.pop(i))
    _relayout(tr)
    order = ", ".join(s.label or s.source or "?" for s in tr.segments)
    return ToolResult(f"New order: {order}.", f"新顺序：{order}。", d.to_dict())


def tool_remove_track(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    d = ctx.draft
    kind = args["kind"]
    before = len(d.tracks)
    d.tracks = [t for t in d.tracks if t.kind != kind]
    if len(d.tracks) == before:
        return ToolResult(
            "There is nothing like that on the timeline.", "时间线上没有这个内容。", ok=False
        )
    d.recompute_duration()
    what = "the music" if kind == "audio" else "the titles"
    return ToolResult(f"Removed {what}.", "已删除。", d.to_dict())


def tool_add_clip(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    name = args.get("file")
    videos = ctx.uploads("video") + ctx.uploads("image")
    f = next((x for x in videos if x.get("filename") == name), videos[-1] if videos else None)
    if f is None:
        return ToolResult("Upload a video first.", "请先上传视频。", ok=False)
    d = ctx.draft
    add_clip_to_draft(d, f)
    return ToolResult(
        f"Added {f['filename']} to the timeline.", f"已添加 {f['filename']}。", d.to_dict()
    )


def add_clip_to_draft(d: Draft, f: dict[str, Any]) -> None:
    tr = _video_track(d)
    dur = float(f.get("duration") or 0) * 1000 if f.get("file_type") == "video" else 5000
    tr.segments.append(
        Segment(
            start=round(tr.end),
            duration=round(dur),
            id=_sid(),
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


def tool_unavailable(name: str) -> Callable[[ToolContext, dict[str, Any]], ToolResult]:
    def run(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
        what = {
            "remove_object": ("object removal", "物体去除"),
            "replace_background": ("background replacement", "背景替换"),
        }[name]
        return ToolResult(
            f"Sorry — {what[0]} is not available in this version of the embedded engine yet, so "
            "nothing was changed. Timeline edits (trim, titles, music, volume, aspect ratio, "
            "speed) work now; the hosted service (set NEMO_TOKEN) can do this today.",
            f"抱歉，本地引擎暂不支持{what[1]}，未做任何修改。",
            ok=False,
        )

    return run


TOOLS: dict[str, Callable[[ToolContext, dict[str, Any]], ToolResult]] = {
    "trim": tool_trim,
    "add_title": tool_add_title,
    "add_bgm": tool_add_bgm,
    "set_volume": tool_set_volume,
    "set_aspect": tool_set_aspect,
    "set_speed": tool_set_speed,
    "remove_clip": tool_remove_clip,
    "reorder": tool_reorder,
    "remove_track": tool_remove_track,
    "add_clip": tool_add_clip,
    "remove_object": tool_unavailable("remove_object"),
    "replace_background": tool_unavailable("replace_background"),
}


def _register_vision_tools() -> None:
    """Vision tools need the engine's vision extras (ai-edge-litert, models on first use)."""
    try:
        from nemo_widgets.engine.vision.tools import tool_remove_object, tool_replace_background
    except ImportError:  # pragma: no cover - depends on the install
        return
    TOOLS["replace_background"] = tool_replace_background
    TOOLS["remove_object"] = tool_remove_object


_register_vision_tools()


def _progress_reporter(
    emit: Callable[[dict[str, Any] | None], None], call_id: str, name: str
) -> Callable[[int, int | None], None]:
    """Progress of a tool's heavy work as ``{"type": "progress"}`` events: percent, frames
    done of total (when the tool knows them) and the time left, estimated from the pace."""
    t0 = time.monotonic()

    def report(percent: int, frames: int | None) -> None:
        took = time.monotonic() - t0
        eta = took * (100 - percent) / percent if percent >= 2 else None
        emit(
            {
                "type": "progress",
                "id": call_id,
                "name": name,
                "progress": percent,
                "frames": round(frames * percent / 100) if frames else None,
                "total_frames": frames,
                "eta_s": round(eta, 1) if eta is not None else None,
                "elapsed_s": round(took, 1),
            }
        )

    return report


class Agent:
    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self._rng = random.Random()

    def plan(self, session_id: str, text: str) -> Plan:
        return plan(text, self.engine.store.state(session_id))

    def run(
        self,
        who: Any,
        session_id: str,
        text: str,
        emit: Callable[[dict[str, Any] | None], None],
        *,
        state_delta: dict[str, Any] | None = None,
        the_plan: Plan | None = None,
        reservation: str | None = None,
    ) -> None:
        store = self.engine.store
        inv = ev.new_invocation_id()
        if state_delta:
            store.update_state(session_id, lambda s: s.update(state_delta))
        zh = is_chinese(text)
        p = the_plan or self.plan(session_id, text)
        consumed = False
        replies: list[str] = []
        try:
            if p.reply is not None and not p.calls:
                emit(ev.text_event(inv, p.reply, turn_complete=True))
                return
            any_change = False
            for call in p.calls:
                if self.engine.run_cancelled(session_id):
                    raise Cancelled()
                call_id = ev.new_call_id()
                emit(ev.call_event(inv, call_id, call.name, call.args))
                state = store.state(session_id)
                ctx = ToolContext(
                    self.engine,
                    who.user_id,
                    session_id,
                    state,
                    on_progress=_progress_reporter(emit, call_id, call.name),
                )
                if call.name == "undo":
                    result = self._undo(session_id)
                else:
                    try:
                        result = TOOLS[call.name](ctx, call.args)
                    except Exception as e:
                        full = store.disk_full(e)
                        if full is None:
                            raise
                        msg = str(full)
                        zh_msg = f"磁盘空间不足，无法完成：{msg}"
                        result = ToolResult(f"I could not finish: {msg}.", zh_msg, ok=False)
                delta: dict[str, Any] = dict(result.state)
                if result.draft is not None:
                    delta["draft"] = result.draft
                if delta:
                    old_draft = state.get("draft")
                    if call.name != "undo":
                        store.push_history(session_id, old_draft)
                    store.update_state(session_id, lambda s, d=delta: s.update(d))
                    any_change = any_change or result.draft != old_draft
                response = {
                    "status": "success" if result.ok else "error",
                    "message": result.message_en,
                    **result.data,
                }
                emit(ev.response_event(inv, call_id, call.name, response, delta or None))
                replies.append(result.message_zh if zh else result.message_en)
                consumed = consumed or result.ok
            silent = (
                any_change
                and self.engine.config.silent_edit_rate > 0
                and self._rng.random() < self.engine.config.silent_edit_rate
            )
            if not silent:
                emit(ev.text_event(inv, " ".join(replies), turn_complete=True))
        except Cancelled:
            done = " ".join(replies) if replies else ""
            emit(
                ev.text_event(
                    inv,
                    (
                        "已取消，正在进行的步骤没有改动任何内容。"
                        if zh
                        else "Cancelled: the step that was running changed nothing."
                    )
                    + (f" Done before: {done}" if done else ""),
                    turn_complete=True,
                )
            )
        finally:
            if reservation:
                store.settle(who.user_id, reservation, consume=consumed)

    def _undo(self, session_id: str) -> ToolResult:
        store = self.engine.store
        prev = store.pop_history(session_id)
        if prev is None:
            return ToolResult("There is nothing to undo.", "没有可以撤销的操作。", ok=False)
        changes = diff(store.state(session_id).get("draft"), prev)
        what = "; ".join(changes) if changes else "the last edit"
        return ToolResult(f"Undid {what}.", "已撤销上一步。", prev)
