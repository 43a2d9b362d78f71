"""What the agent says: answers to questions, clarifying questions, help that fits the
session, and the one reply that closes a run. Only in the user's language."""

from __future__ import annotations

import re
from typing import Any

from nemo_widgets.draft import Draft, summary
from nemo_widgets.engine.agent.language.intents import Step
from nemo_widgets.engine.agent.language.session import Session
from nemo_widgets.engine.agent.planner import EDIT_CREDITS, VISION_CREDITS, VISION_STEP_S
from nemo_widgets.engine.media import MAX_DURATION_S

CLARIFY = {
    "thing_or_span": (
        "Should I remove that thing from the picture during that time, or cut that part out of "
        "the video? Nothing was changed yet.",
        "是把那段时间里的这个东西从画面里去掉，还是把这段视频剪掉？现在还没有改动。",
    ),
    "title_text": (
        'What should the title say? E.g. add the title "Summer 2024".',
        "标题写什么？例如：添加标题“夏日 2024”。",
    ),
    "title_change": (
        "What should change about the title: its text, colour, size or position?",
        "标题要怎么改：文字、颜色、大小还是位置？",
    ),
    "which_music": (
        "Which song? Upload another audio file and tell me its name.",
        "换成哪首？请先上传另一个音频文件。",
    ),
    "upload_music": (
        'Upload an audio file (mp3, wav, m4a) first, then say "add it as background music".',
        "请先上传音频文件（mp3、wav、m4a），再说“添加背景音乐”。",
    ),
    "undo_all": (
        'How far back? Say "undo" for the last change, or e.g. "undo the last 3 changes".',
        "要撤销几步？说“撤销”撤回上一步，或者“撤销三步”。",
    ),
    "fade_which": (
        "Fade in at the start, out at the end, or both?",
        "是开头淡入、结尾淡出，还是两头都要？",
    ),
    "length_which": (
        "Should the whole video become that long, or the title show that long?",
        "是把整个视频剪成这么长，还是让标题显示这么久？",
    ),
    "length_how": (
        "Cut it down to that length (keep the start), or speed it up to fit? Say e.g. "
        "“trim to 0:15” or “make it 2x faster”.",
        "是剪到这么长（保留开头），还是加速压缩到这么长？例如说“剪到15秒”。",
    ),
    "level_or_time": (
        "Is that a volume (e.g. “music at 10%”) or a time (e.g. “start the music at 0:10”)?",
        "是音量（例如“音乐音量10%”），还是时间（例如“音乐从第10秒开始”）？",
    ),
    "which_sound": (
        "The music or the video's own sound?",
        "是背景音乐，还是视频原声？",
    ),
    "volume_level": (
        "Louder or quieter — or to which level (e.g. 30%)?",
        "调大还是调小？或者调到多少（例如 30%）？",
    ),
    "which_instagram": (
        "For Instagram: 9:16 for Reels and Stories, or a post in 1:1 (square) or 4:5 — which?",
        "发 Instagram 的话：Reels 和快拍用 9:16，帖子用 1:1 方形或 4:5——要哪种？",
    ),
    "which_ratio": (
        "Which shape: 9:16 (vertical), 16:9 (widescreen), 1:1 (square) or 4:5?",
        "要哪种画幅：9:16 竖屏、16:9 横屏、1:1 方形还是 4:5？",
    ),
    "which_speed": (
        "Faster or slower, and by how much (e.g. 2x, half speed)?",
        "加快还是放慢？几倍速（例如 2 倍、0.5 倍）？",
    ),
    "split_where": (
        'Where should I split it? E.g. "split at 0:10".',
        "要在哪里分割？例如“在 0:10 分割”。",
    ),
    "add_what": (
        "Add what, and how: the picture as a clip on the timeline, or as the background?",
        "要添加什么、怎么加：把图片作为片段放进时间线，还是用作背景？",
    ),
    "cut_or_split": (
        "Split the video into two parts there (nothing is removed), or cut off everything after "
        "that point?",
        "是在那里分割成两段（不删任何内容），还是把那之后的部分都剪掉？",
    ),
    "reorder_where": (
        "Where should that clip go — to the start or the end?",
        "这个片段要移到哪里：开头还是结尾？",
    ),
    "which_clip": ("Which clip — the first, the second…?", "是哪个片段：第一个、第二个……？"),
    "trim_which": (
        'Which part should I keep or cut? E.g. "keep 0:03 to 0:20" or "cut the first 5 seconds".',
        "要保留或剪掉哪一段？例如“保留 0:03 到 0:20”或“剪掉前 5 秒”。",
    ),
    "which_part": (
        'Which part do you mean? Tell me its times, e.g. "0:10 to 0:15".',
        "是哪一段？请告诉我时间，例如“0:10 到 0:15”。",
    ),
    "remove_what": (
        'What should I remove — an object in the picture (e.g. "the parked car"), a clip, the '
        "music or the title?",
        "要去掉什么：画面里的物体（例如“停着的车”）、某个片段、背景音乐还是标题？",
    ),
    "which_background": (
        "What background would you like: blurred, a colour, a preset (studio, office, beach), an "
        "uploaded image, or transparent?",
        "想要什么背景：虚化、纯色、预设（摄影棚、办公室、海滩）、上传的图片，还是透明？",
    ),
    "which_image": (
        "Which image? Upload it or tell me its file name.",
        "用哪张图片？请上传或告诉我文件名。",
    ),
}

#: The edits by name, for a Chinese reply that has to name one.
TOOL_ZH = {
    "remove_object": "去掉物体", "replace_background": "换背景", "trim": "修剪", "cut": "剪掉一段",
    "split": "分割", "set_speed": "变速", "fade": "淡入淡出", "add_title": "添加标题",
    "edit_title": "修改标题", "remove_title": "删除标题", "add_music": "添加音乐",
    "replace_music": "换音乐", "remove_music": "删除音乐", "set_volume": "调音量", "mute": "静音",
    "unmute": "取消静音", "set_aspect": "改画幅", "remove_clip": "删除片段", "reorder": "调整顺序",
    "add_clip": "添加片段", "undo": "撤销", "redo": "重做",
}  # fmt: skip


def tool_name(name: str, zh: bool) -> str:
    """An edit's name as the user's language says it."""
    return TOOL_ZH.get(name, "修改") if zh else name.replace("_", " ")


_DECLINE = {
    "negated": (
        "OK — I won't do that; nothing was changed.",
        "好的，不做这个修改，时间线没有变化。",
    ),
    "cancel": ("OK, nothing was changed.", "好的，没有做任何修改。"),
    "already": ("OK — it already is; nothing was changed.", "好的，本来就是这样，没有做任何修改。"),
    "title_place": (
        "Titles go at the top, in the centre or at the bottom, centred across the frame; a "
        "corner or a side isn't possible yet, so nothing was changed.",
        "标题目前只能放在顶部、中间或底部（水平居中），还不能放到角落或左右两侧，所以没有做任何修改。",
    ),
    "unsupported": (
        "Sorry, I can't do that here yet, so nothing was changed.",
        "抱歉，这个功能暂不支持，没有做任何修改。",
    ),
}

_ABOUT = {
    "set_aspect": (
        "Aspect ratio is the frame's width to height: 9:16 is vertical (TikTok, Reels, Shorts, "
        "Douyin), "
        "16:9 is widescreen (YouTube), 1:1 is square (Instagram posts), 4:5 is a tall feed post.",
        "画幅是画面宽高比：9:16 是竖屏（抖音、小红书、Reels），16:9 是横屏（YouTube、B站），1:1 "
        "是方形，4:5 是竖版信息流。",
    ),
    "set_speed": (
        "Speed multiplies playback: 2x is twice as fast (half as long), 0.5x is slow motion.",
        "倍速：2 倍更快、时长减半；0.5 倍是慢动作。",
    ),
    "trim": (
        'Trimming keeps one part of the video, e.g. "keep 0:03 to 0:20" or "cut the first 5 '
        'seconds".',
        "修剪是保留视频的一段，例如“保留 0:03 到 0:20”或“剪掉前 5 秒”。",
    ),
    "cut": (
        'A cut removes a section from the middle and closes the gap, e.g. "remove 0:10 to 0:15".',
        "剪掉中间一段并接上，例如“删掉 0:10 到 0:15”。",
    ),
    "remove_object": (
        'I can remove people and things, e.g. "remove the grey car parked on the left".',
        "我可以去掉人或物体，例如“去掉左边停着的灰色汽车”。",
    ),
    "replace_background": (
        "I can blur the background, make it a colour, a preset, an image, or transparent.",
        "我可以虚化背景，换成纯色、预设、图片，或变成透明。",
    ),
}


def clarify(why: str, zh: bool) -> str:
    en_, zh_ = CLARIFY.get(why, CLARIFY["remove_what"])
    return zh_ if zh else en_


def file_names(state: dict[str, Any]) -> str:
    return ", ".join(str(f.get("filename")) for f in state.get("video_infos", []))


def help_text(state: dict[str, Any], zh: bool, why: str = "help") -> str:
    s = Session.of(state)
    if zh:
        lead = (
            "请输入指令。"
            if why == "empty"
            else "你好！"
            if why == "greeting"
            else "没听懂这句话，没有做任何修改。"
            if why == "unknown"
            else ""
        )
        if not s.files:
            return (
                lead
                + "先上传一个视频，然后可以说：“剪掉前 5 秒”、“改成抖音竖版”、“把背景里的车去掉”、"
                "“加标题‘你好’”。"
            )
        have = f"已上传：{file_names(state)}。"
        return (
            f"{lead}{have}我可以：去掉画面里的物体（“把左边的路人去掉”），背景虚化或替换，剪辑"
            "（“保留 0:03 到 0:20”、“剪掉前 5 秒”、“删掉 0:10 到 0:15”），分割，变速（“2 倍速”、"
            "“慢动作”），"
            "淡入淡出，添加或修改标题，背景音乐与音量，静音，改画幅（9:16、1:1、16:9），"
            "撤销和重做，导出。"
        )
    lead = (
        "Please type an instruction. "
        if why == "empty"
        else "Hi! "
        if why == "greeting"
        else "I didn't understand that, so nothing was changed. "
        if why == "unknown"
        else ""
    )
    if not s.files:
        return (
            lead + 'Upload a video first; then you can say e.g. "cut the first 5 seconds", '
            '"make it 9:16 for TikTok", "remove the car in the background" or "add the title '
            "'Hello'\"."
        )
    return (
        f'{lead}Uploaded: {file_names(state)}. I can remove an object ("remove the red car on the '
        f'left"), '
        'blur or replace the background ("blur the background", "green screen it"), trim '
        '("keep 0:03 to 0:20", "cut the first 5 seconds"), cut a section out ("remove 0:10 to '
        '0:15"), '
        'split, change the speed ("2x", "slow motion"), fade in/out, add or restyle a title, add '
        "or "
        "change music and volume, mute, change the aspect ratio (9:16, 1:1, 16:9), undo and redo, "
        "and export."
    )


def _frame(d: Draft) -> str | None:
    """The frame's size as "1280×720", or None when the draft does not say."""
    w, h = d.meta.get("width"), d.meta.get("height")
    return f"{w}×{h}" if w and h else None


def answer(step: Step, state: dict[str, Any], zh: bool) -> str:
    """Answer a question without changing anything."""
    q = step.why or ""
    about = step.args.get("about")
    d = Draft.parse(state.get("draft") or {})
    s = Session.of(state)
    tail_en, tail_zh = " (Nothing was changed.)", "（没有做任何修改。）"
    if (general := _general(q, zh)) is not None:
        return general + (tail_zh if zh else tail_en)
    if re.search(r"how long|duration|length|多长|时长|几秒|多少秒", q):
        secs = d.end / 1000
        return f"视频时长 {secs:.1f} 秒。" if zh else f"The timeline is {secs:.1f} s long."
    if re.search(r"\bmusic\b|\bsong\b|\bbgm\b|\btrack\b|音乐|配乐|歌|曲子", q) and about in (
        None,
        "add_music",
        "set_volume",
        "answer",
    ):
        if s.music:
            return (
                f"背景音乐是 {s.music}，音量 {s.music_volume:.0%}。"
                if zh
                else f"The music is {s.music} at {s.music_volume:.0%} volume."
            )
        return "现在没有背景音乐。" if zh else "There is no music on the timeline."
    if re.search(r"\btitle|标题|字幕", q) and about in (None, "edit_title", "add_title", "answer"):
        if s.titles:
            names = "、".join(s.titles) if zh else ", ".join(f'"{t}"' for t in s.titles)
            return f"标题：{names}。" if zh else f"The title reads {names}."
        return "现在没有标题。" if zh else "There is no title yet."
    if re.search(
        r"\baspect\b|\bratio\b|\bsize\b|\bresolution\b|画幅|比例|尺寸|分辨率", q
    ) and about in (None, "set_aspect"):
        cur = _frame(d) or "?"
        extra = _ABOUT["set_aspect"][1 if zh else 0]
        return (f"当前画面 {cur}。" + extra) if zh else f"The frame is {cur}. {extra}"
    if re.search(r"\bhow many clips\b|几个片段|多少个片段", q):
        return (
            f"时间线上有 {len(s.clips)} 个片段。"
            if zh
            else f"There are {len(s.clips)} clips on the timeline."
        )
    if about == "export" or re.search(r"\bwatermark|水印|\bexported\b", q):
        # "导出的视频有水印吗", "will the exported file have a watermark?": what an export gives
        size = _frame(d) or ("时间线的尺寸" if zh else "the timeline's size")
        if zh:
            return (
                f"导出的是 H.264/AAC 的 MP4（也可以选 WebM），没有水印，画面 {size}，"
                "导出不扣积分。" + tail_zh
            )
        return (
            f"An export is an H.264/AAC MP4 (or WebM if you ask), with no watermark, at {size}; "
            "exporting costs no credits." + tail_en
        )
    if about == "unsupported":  # "can you add stickers?": no, and nothing changed
        return decline(Step("decline", why="unsupported"), zh)
    if about in _ABOUT:
        return _ABOUT[about][1 if zh else 0] + (tail_zh if zh else tail_en)
    if re.search(r"\btimeline\b|\bclips?\b|时间线|片段", q):
        return status(state, zh)
    return (
        "这是个问题，所以没有改动。" + help_text(state, zh)
        if zh
        else "That sounds like a question, so I changed nothing. " + help_text(state, zh)
    )


def _general(q: str, zh: bool) -> str | None:
    """Questions about the tool itself, not this project: what things cost, the longest
    clip, how two edits differ."""
    low = q.lower()
    if re.search(
        r"\bcost|\bprice|\bcharge|\bfree\b|\bpay\b|\bcredits?\b|积分|收费|扣|钱|免费|付费|消耗", low
    ) and not re.search(r"\bhow many (?:credits )?(?:do i|have i|are)\b|还剩|余额|剩多少", low):
        one, five, step = EDIT_CREDITS, VISION_CREDITS, VISION_STEP_S
        if zh:
            return (
                f"导出不扣积分；每次改时间线（剪辑、标题、音乐等）扣 {one} 积分，"
                f"去掉物体或换背景扣 {five} 积分，片段超过 {step} 秒后每多 {step} 秒再加 1。"
            )
        return (
            f"Exporting costs no credits; each timeline edit (trim, title, music…) costs {one}, "
            f"and removing an object or replacing the background costs {five}, plus 1 for every "
            f"{step} s of clip over the first {step}."
        )
    if re.search(
        r"\bmax(?:imum)?\b|\blongest\b|\blonger than\b|\blimit\b|最长|上限|限制|最多多长", low
    ):
        hours = MAX_DURATION_S // 3600
        if zh:
            return f"上传的视频最长可以到 {hours} 小时；再长的请先剪短再上传。"
        return f"An uploaded video can be up to {hours} hours long; trim longer ones first."
    if re.search(r"\bdifference\b|\bdiffer|\bdifferent\b|区别|不同|不一样", low):
        kinds = [
            k
            for k, rx in (
                ("trim", r"\btrim|修剪|截取"),
                ("cut", r"\bcut\b|剪切|剪掉|删"),
                ("split", r"\bsplit|分割|切开"),
            )
            if re.search(rx, low)
        ]
        if len(kinds) >= 2:
            return " ".join(_ABOUT.get(k, _SPLIT)[1 if zh else 0] for k in kinds)
    return None


_SPLIT = (
    'Splitting cuts the video into two clips at a moment and removes nothing, e.g. "split at '
    '0:10".',
    "分割是在某一秒把视频切成两段，不删任何内容，例如“在 0:10 分割”。",
)


def status(state: dict[str, Any], zh: bool) -> str:
    d = Draft.parse(state.get("draft") or {})
    if not d.exportable:
        if zh:
            return "时间线是空的。" + (
                "已上传：" + file_names(state) if state.get("video_infos") else "请先上传视频。"
            )
        return "The timeline is empty." + (
            f" Uploaded: {file_names(state)}."
            if state.get("video_infos")
            else " Upload a video first."
        )
    s = Session.of(state)
    if zh:
        parts = [f"视频：{'、'.join(s.clips)}（{s.total:.1f} 秒）"]
        if s.music:
            parts.append(f"背景音乐：{s.music}（{s.music_volume:.0%}）")
        if s.titles:
            parts.append("标题：" + "、".join(f"“{t}”" for t in s.titles))
        if d.meta.get("aspect"):
            parts.append(f"画幅 {d.meta['aspect']}")
        return "时间线：" + "；".join(parts) + "。"
    return summary(d) + "."


def decline(step: Step, zh: bool) -> str:
    en_, zh_ = _DECLINE.get(step.why, _DECLINE["negated"])
    return zh_ if zh else en_


def credits(engine: Any, user_id: str, zh: bool) -> str:
    bal = engine.store.balance(user_id)
    n = bal.get("available", 0)
    return f"你还有 {n} 积分。" if zh else f"You have {n} credits left."


def export(state: dict[str, Any], zh: bool) -> str:
    d = Draft.parse(state.get("draft") or {})
    if not d.exportable:
        return (
            "时间线是空的，先上传视频再导出。"
            if zh
            else "The timeline is empty; upload a video before exporting."
        )
    if zh:
        return "可以导出了：在 notebook 里调用 session.export()（或点“导出”），会渲染成 mp4。"
    return "Ready to export: call session.export() (or press Export) and I'll render it to mp4."


def step_reply(st: Step, state: dict[str, Any], zh: bool, engine: Any, user_id: str | None) -> str:
    """The reply for one no-change step."""
    if st.tool == "answer":
        return st.args.get("text") or answer(st, state, zh)
    if st.tool == "clarify":
        if st.why == "unknown":
            return help_text(state, zh, "unknown")
        if st.why == "which_of":
            a, b = (", ".join(str(v) for v in o.values()) for o in st.args["options"])
            what = str(st.args.get("about", "")).replace("_", " ")
            if zh:
                return f"你是想要 {a}，还是 {b}？告诉我选哪个，我再改（现在没有改动）。"
            return f"Which {what} do you mean: {a}, or {b}? Tell me and I'll do it (no change yet)."
        return st.args.get("question") or clarify(st.why, zh)
    if st.tool == "decline":
        return st.args.get("reason") or decline(st, zh)
    if st.tool == "status":
        return status(state, zh)
    if st.tool == "credits":
        if engine is None or user_id is None:
            return "我来查一下积分。" if zh else "Let me check your credits."
        return credits(engine, user_id, zh)
    if st.tool == "export":
        return export(state, zh)
    tip = _ABOUT.get(st.args.get("about") or "")
    if tip:  # "how do I remove an object?": that edit first, then what else there is
        return (tip[1] if zh else tip[0]) + (" " if not zh else "") + help_text(state, zh, "help")
    return help_text(state, zh, st.why or "help")


def no_change_reply(p: Any, state: dict[str, Any], engine: Any, user_id: str | None) -> str:
    texts = [step_reply(st, state, p.zh, engine, user_id) for st in p.steps] + not_done(p, p.zh)
    return " ".join(t for i, t in enumerate(texts) if t and t not in texts[:i])


def not_done(p: Any, zh: bool) -> list[str]:
    """What the message asked not to be done, or what could not be done, said back (the
    steps the planner skipped: a negated clause, a platform that was only context)."""
    parts: list[str] = []
    for st in p.skipped:
        what = st.args.get("what")
        if st.args.get("reason"):  # not possible as asked (past the end…): say why
            why = re.sub(r"[;；,，]?\s*(?:nothing was changed|所以没有修改)", "", st.args["reason"])
            parts.append(("没有完成：" if zh else "Not done: ") + why)
            continue
        if st.why == "purpose":
            ratio = st.args.get("ratio", "9:16")
            parts.append(
                f"画幅没有改；如果要改成 {ratio}，告诉我一声。"
                if zh
                else f"I left the aspect ratio as it is; say “make it {ratio}” if you want "
                "that too."
            )
            continue
        if zh:
            parts.append("按你的要求，没有做" + ("该修改" if what else "那一项") + "。")
        else:
            parts.append(
                f"As you asked, I did not {what.replace('_', ' ') if what else 'do that'}."
            )
    return parts
