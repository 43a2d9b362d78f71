"""The tools: typed functions over the session, and the JSON schema of each, derived from its
signature — the same schema the built-in planner's calls and a language model's calls are
checked against.

A tool takes a :class:`ToolContext` and keyword arguments and returns a :class:`ToolResult`.
Timeline tools wrap the pure edits in :mod:`nemo_widgets.engine.edits`.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from nemo_widgets.engine import edits
from nemo_widgets.engine.toolkit import ToolContext, ToolResult

Ratio = Literal["9:16", "16:9", "1:1", "4:5", "4:3", "3:4"]
Fit = Literal["fit", "fill", "blur"]
SoundTarget = Literal["music", "video", "all"]


@dataclass
class Tool:
    name: str
    fn: Callable[..., ToolResult]
    description: str
    schema: dict[str, Any]
    edits: bool = True  # changes the timeline (costs a credit)
    vision: bool = False  # heavy: runs in the worker pool, costs by clip length


TOOLS: dict[str, Tool] = {}
#: Old names still accepted (clients and saved plans from before the rename).
ALIASES = {"add_bgm": "add_music", "remove_track": "remove_music"}


def _json_type(tp: Any) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if origin is Literal:
        vals = list(typing.get_args(tp))
        return {"type": "string" if isinstance(vals[0], str) else "number", "enum": vals}
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(inner) == 1:
            sub = _json_type(inner[0])
            t = sub.get("type")
            return {**sub, "type": [t, "null"]} if isinstance(t, str) else sub
        return {"anyOf": [_json_type(a) for a in inner] + [{"type": "null"}]}
    return {
        float: {"type": "number"},
        int: {"type": "integer"},
        str: {"type": "string"},
        bool: {"type": "boolean"},
    }.get(tp, {})


def schema_of(fn: Callable[..., Any]) -> dict[str, Any]:
    """JSON schema of a tool's keyword arguments (everything after the context)."""
    hints = typing.get_type_hints(fn)
    props: dict[str, Any] = {}
    required = []
    doc = inspect.getdoc(fn) or ""
    notes = {
        line.split(":", 1)[0].strip(): line.split(":", 1)[1].strip()
        for line in doc.splitlines()
        if line.startswith("    ") is False
        and ":" in line
        and line.split(":", 1)[0].strip().isidentifier()
    }
    for name, p in list(inspect.signature(fn).parameters.items())[1:]:
        prop = _json_type(hints[name])
        if name in notes:
            prop["description"] = notes[name]
        props[name] = prop
        if p.default is inspect.Parameter.empty:
            required.append(name)
    out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = required
    return out


def tool(
    *, edits_: bool = True, vision: bool = False
) -> Callable[[Callable[..., ToolResult]], Callable[..., ToolResult]]:
    def register(fn: Callable[..., ToolResult]) -> Callable[..., ToolResult]:
        name = fn.__name__.removeprefix("t_")
        doc = (inspect.getdoc(fn) or name).split("\n\n")[0].replace("\n", " ")
        TOOLS[name] = Tool(name, fn, doc, schema_of(fn), edits_, vision)
        return fn

    return register


def validate(name: str, args: Any) -> str | None:
    """Why these arguments do not fit the tool's schema, or None when they do."""
    t = TOOLS.get(ALIASES.get(name, name))
    if t is None:
        return f"unknown tool {name!r}"
    if not isinstance(args, dict):
        return "arguments must be an object"
    props = t.schema["properties"]
    for k in t.schema.get("required", []):
        if args.get(k) is None:
            return f"{name}: {k} is required"
    for k, v in args.items():
        if k not in props:
            return f"{name}: unknown argument {k!r}"
        if not _fits(v, props[k]):
            return f"{name}: {k}={v!r} does not fit {props[k]}"
    return None


def _fits(v: Any, prop: dict[str, Any]) -> bool:
    if "anyOf" in prop:
        return any(_fits(v, p) for p in prop["anyOf"])
    types_ = prop.get("type")
    types_ = types_ if isinstance(types_, list) else [types_]
    ok = False
    for ty in types_:
        ok = ok or {
            "null": v is None,
            "number": isinstance(v, int | float) and not isinstance(v, bool),
            "integer": isinstance(v, int) and not isinstance(v, bool),
            "string": isinstance(v, str),
            "boolean": isinstance(v, bool),
            None: True,
        }.get(ty, False)
    if ok and "enum" in prop and v is not None:
        ok = v in prop["enum"]
    return ok


def openai_tools() -> list[dict[str, Any]]:
    """The tools as OpenAI chat-completions ``tools``."""
    return [
        {
            "type": "function",
            "function": {"name": t.name, "description": t.description, "parameters": t.schema},
        }
        for t in TOOLS.values()
    ]


def run_edit(ctx: ToolContext, fn: Callable[..., edits.Done], *args: Any, **kw: Any) -> ToolResult:
    """Run a pure edit on a copy of the session's draft."""
    d = ctx.draft
    try:
        done = fn(d, *args, **kw)
    except edits.EditError as e:
        return ToolResult(e.en, e.zh, ok=False)
    state = dict(done.state)
    if "canvas_config" in state:
        state["canvas_config"] = {**ctx.state.get("canvas_config", {}), **state["canvas_config"]}
    return ToolResult(done.en, done.zh, d.to_dict(), state=state)


def _file(ctx: ToolContext, name: str | None, kinds: tuple[str, ...]) -> dict[str, Any] | None:
    files = [f for f in ctx.uploads() if f.get("file_type") in kinds]
    if name:
        low = name.lower()
        return next(
            (f for f in files if str(f.get("filename", "")).lower() in (low, low + ".mp3")),
            next((f for f in files if str(f.get("filename", "")).lower().startswith(low)), None),
        )
    return files[-1] if files else None


# -- timeline tools -------------------------------------------------------------------------------
@tool()
def t_trim(ctx: ToolContext, start: float = 0.0, end: float | None = None) -> ToolResult:
    """Keep only start..end of the video (seconds); everything else is removed.

    start: first second to keep
    end: last second to keep; null keeps to the end"""
    return run_edit(ctx, edits.trim, float(start or 0), end)


@tool()
def t_cut(ctx: ToolContext, start: float, end: float | None = None) -> ToolResult:
    """Remove the section start..end (seconds); the rest closes up.

    end: null removes to the end"""
    return run_edit(ctx, edits.cut, float(start), end)


@tool()
def t_split(ctx: ToolContext, at: float) -> ToolResult:
    """Split the clip at a time (seconds) into two segments."""
    return run_edit(ctx, edits.split, float(at))


@tool()
def t_set_speed(
    ctx: ToolContext,
    factor: float | None = None,
    relative: float | None = None,
    clip: int | None = None,
) -> ToolResult:
    """Change the playback speed.

    factor: absolute speed, 0.5 = half speed, 2 = double
    relative: multiply the current speed (1.25 = a bit faster)
    clip: 1-based clip number; null = every clip"""
    return run_edit(ctx, edits.set_speed, factor, relative, clip)


@tool()
def t_fade(
    ctx: ToolContext,
    direction: Literal["in", "out"],
    target: Literal["video", "audio", "both"] = "both",
    duration: float = 1.0,
    music_only: bool = False,
) -> ToolResult:
    """Fade the picture and/or the sound in at the start or out at the end.

    duration: seconds
    music_only: with target audio, fade only the background music"""
    return run_edit(ctx, edits.fade, direction, target, duration, music_only)


@tool()
def t_add_title(
    ctx: ToolContext,
    text: str,
    start: float = 0.0,
    duration: float = 3.0,
    position: Literal["top", "center", "bottom"] | None = None,
    color: str | None = None,
) -> ToolResult:
    """Add a title (text over the video)."""
    return run_edit(ctx, edits.add_title, text, start, duration, position, color)


@tool()
def t_edit_title(
    ctx: ToolContext,
    text: str | None = None,
    color: str | None = None,
    size: str | float | None = None,
    position: Literal["top", "center", "bottom"] | None = None,
) -> ToolResult:
    """Change the existing title: its text, colour, size ("bigger", "smaller" or a share of
    the frame height) or position. Never adds a title."""
    return run_edit(ctx, edits.edit_title, text, color, size, position)


@tool()
def t_remove_title(ctx: ToolContext) -> ToolResult:
    """Remove the titles."""
    return run_edit(ctx, edits.remove_title)


@tool()
def t_add_music(
    ctx: ToolContext, file: str | None = None, volume: float | None = None, fade: bool = False
) -> ToolResult:
    """Put an uploaded audio file under the video as background music.

    file: the uploaded file name, e.g. lofi.mp3
    volume: 0..1 (1 = full)"""
    f = (
        _file(ctx, file, ("audio",)) or _file(ctx, file, ("video",))
        if file
        else _file(ctx, None, ("audio",))
    )
    if f is None or not f.get("has_audio", f.get("file_type") == "audio"):
        return ToolResult(
            "Upload an audio file (mp3, wav, m4a or aac) first, then say e.g. "
            '"add lofi.mp3 as background music at 35%".',
            "请先上传音频文件（mp3、wav、m4a、aac），再说“把 lofi.mp3 作为背景音乐，音量 35%”。",
            ok=False,
        )
    return run_edit(ctx, edits.add_music, f, volume, fade)


@tool()
def t_replace_music(ctx: ToolContext, file: str) -> ToolResult:
    """Swap the background music for another uploaded audio file (same volume)."""
    f = _file(ctx, file, ("audio",))
    if f is None:
        return ToolResult(
            f"I can't find {file} in this session; upload it first.",
            f"找不到 {file}，请先上传。",
            ok=False,
        )
    d = ctx.draft
    old = next((s for t in d.tracks if t.kind == "audio" for s in t.segments), None)
    vol = None if old is None or old.volume is None else float(old.volume) / 100
    return run_edit(ctx, edits.add_music, f, vol)


@tool()
def t_remove_music(ctx: ToolContext) -> ToolResult:
    """Remove the background music."""
    return run_edit(ctx, edits.remove_music)


@tool()
def t_set_volume(
    ctx: ToolContext,
    target: SoundTarget = "video",
    level: float | None = None,
    relative: Literal["up", "down"] | None = None,
) -> ToolResult:
    """Set the volume of the music or the clip's own sound.

    level: 0..1 (1 = as recorded)
    relative: one step up or down from where it is"""
    return run_edit(ctx, edits.set_volume, target, level, relative)


@tool()
def t_mute(ctx: ToolContext, target: SoundTarget = "all") -> ToolResult:
    """Mute the music, the clip's sound or all sound."""
    return run_edit(ctx, edits.mute, target, True)


@tool()
def t_unmute(ctx: ToolContext, target: SoundTarget = "all") -> ToolResult:
    """Unmute."""
    return run_edit(ctx, edits.mute, target, False)


@tool()
def t_set_aspect(ctx: ToolContext, ratio: Ratio, fit: Fit = "fit") -> ToolResult:
    """Change the frame's aspect ratio (9:16 for TikTok/Reels/Shorts, 1:1 Instagram post,
    16:9 YouTube).

    fit: fit (bars), fill (crop) or blur (blurred padding)"""
    return run_edit(ctx, edits.set_aspect, ratio, fit)


@tool()
def t_remove_clip(ctx: ToolContext, clip: int) -> ToolResult:
    """Remove a clip from the timeline (1-based; -1 = last)."""
    return run_edit(ctx, edits.remove_clip, clip)


@tool()
def t_reorder(ctx: ToolContext, clip: int, to: int) -> ToolResult:
    """Move clip number ``clip`` to position ``to`` (both 1-based)."""
    return run_edit(ctx, edits.reorder, clip, to)


@tool()
def t_add_clip(ctx: ToolContext, file: str | None = None) -> ToolResult:
    """Append an uploaded video or image to the timeline."""
    f = _file(ctx, file, ("video", "image"))
    if f is None:
        return ToolResult("Upload a video first.", "请先上传视频。", ok=False)
    return run_edit(ctx, edits.add_clip, f)


# -- vision tools ----------------------------------------------------------------------------
def _unavailable(what_en: str, what_zh: str) -> ToolResult:
    return ToolResult(
        f"Sorry — {what_en} is not available in this install of the engine (the vision extras "
        "are missing), so nothing was changed.",
        f"抱歉，本地引擎暂不支持{what_zh}，未做任何修改。",
        ok=False,
    )


@tool(vision=True)
def t_remove_object(
    ctx: ToolContext,
    target: str,
    start: float | None = None,
    end: float | None = None,
    candidate: int | None = None,
) -> ToolResult:
    """Remove an object from the video and fill in behind it.

    target: the object phrase with its qualifiers, e.g. "grey car parked on the left"
    start: only from this second
    end: only up to this second
    candidate: the number of a candidate offered by the last question (1-3)"""
    try:
        from nemo_widgets.engine.vision.tools import tool_remove_object
    except ImportError:  # pragma: no cover - depends on the install
        return _unavailable("object removal", "物体去除")
    args = {
        k: v
        for k, v in {"target": target, "start": start, "end": end, "candidate": candidate}.items()
        if v is not None
    }
    return tool_remove_object(ctx, args)


@tool(vision=True)
def t_replace_background(
    ctx: ToolContext,
    mode: Literal["preset", "color", "blur", "image", "transparent"] = "preset",
    value: str | None = None,
    quality: Literal["fast", "best"] = "fast",
) -> ToolResult:
    """Replace, blur or remove the background behind the people in the video.

    value: preset name (studio, office, beach), colour name, or uploaded image file name
    quality: fast (real time, the default) or best (a slower, finer edge)"""
    try:
        from nemo_widgets.engine.vision.tools import tool_replace_background
    except ImportError:  # pragma: no cover - depends on the install
        return _unavailable("background replacement", "背景替换")
    return tool_replace_background(ctx, {"mode": mode, "value": value, "quality": quality})


# -- history ---------------------------------------------------------------------------------
@tool()
def t_undo(ctx: ToolContext) -> ToolResult:
    """Undo the last edit."""
    return ctx.engine.agent.history.undo(ctx)


@tool()
def t_redo(ctx: ToolContext) -> ToolResult:
    """Redo the last undone edit."""
    return ctx.engine.agent.history.redo(ctx)


#: Steps a planner may return that change nothing; the reply does the work.
NO_CHANGE_SCHEMAS: dict[str, dict[str, Any]] = {
    "export": {"description": "The user wants to render / download the video."},
    "credits": {"description": "The user asks how many credits are left."},
    "status": {"description": "The user asks what is on the timeline."},
    "help": {"description": "The user asks what you can do."},
    "answer": {"description": "Answer a question; change nothing.", "arg": "text"},
    "clarify": {
        "description": "Two readings are plausible or something essential is missing: ask.",
        "arg": "question",
    },
    "decline": {"description": "A negated or impossible request: do nothing.", "arg": "reason"},
}


def no_change_tools() -> list[dict[str, Any]]:
    out = []
    for name, spec in NO_CHANGE_SCHEMAS.items():
        props = {spec["arg"]: {"type": "string"}} if "arg" in spec else {}
        out.append(
            {
                "type": "function",
                "function": {
                    "name": name,
                    "description": spec["description"],
                    "parameters": {
                        "type": "object",
                        "properties": props,
                        "additionalProperties": False,
                    },
                },
            }
        )
    return out
