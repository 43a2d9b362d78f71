"""What one clause leaves for the next: the thing it named ("the title is hard to read, …"),
the topic of the last edit ("…, and move it to the top"), details that fold into the step
before, and the session as the steps so far would leave it."""

from __future__ import annotations

import re

from nemo_widgets.engine.agent.language import lexicon as lx
from nemo_widgets.engine.agent.language.intents import Step
from nemo_widgets.engine.agent.language.objects import NOUNS_EN, object_phrase, object_words
from nemo_widgets.engine.agent.language.session import Session
from nemo_widgets.engine.edits import VOLUME_STEP

VERB = re.compile(
    r"\b(?:add|put|make|move|change|set|turn|remove|delete|cut|trim|keep|split|fade|mute|use|"
    r"play|replace|swap|speed|slow|blur|crop|lower|raise|increase|decrease|shorten|erase|get|"
    r"give|bring|place|rename|insert)\b|加|改|换|移|放|调|删|去掉|剪|变|用|分割|切|拆|分开"
)
ANSWERS = {
    "title_text": ("add_title",),
    "title_change": ("edit_title",),
    "trim_which": ("trim", "cut"),
    "which_speed": ("set_speed",),
    "which_ratio": ("set_aspect",),
    "which_instagram": ("set_aspect",),
    "which_background": ("replace_background",),
    "volume_level": ("set_volume", "mute"),
    "which_sound": ("set_volume", "mute"),
    "split_where": ("split",),
    "cut_or_split": ("split", "trim", "cut"),
    "remove_what": ("remove_object", "remove_music", "remove_title", "remove_clip", "trim", "cut"),
    "which_music": ("replace_music", "add_music"),
    "which_clip": ("remove_clip", "reorder"),
}
REFER = r"\b(?:it|them|they|that|those|this|these)\b|它们|它"
SPAN_VERB = re.compile(r"\b(?:cut|trim|chop|skip|drop|lose|keep)\b|剪|删|去掉|不要|保留|留着")


def mentioned(c: str) -> tuple[str, str] | None:
    """The thing a verbless clause talks about, for the clause after it."""
    if lx.TITLE.search(c):
        return ("the title", "标题")
    if lx.MUSIC.search(c):
        return ("the music", "音乐")
    if lx.BACKGROUND.search(c):
        return ("the background", "背景")
    if re.search(
        r"\b(?:noises?|noisy|sounds?|audio|wind|traffic(?! (?:cones?|lights?|signs?|signals?|"
        r"barriers?|posts?|poles?|bollards?|wardens?|cops?|islands?)))\b|噪音|杂音|原声|声音|环境音",
        c,
    ):
        return ("the original sound", "原声")  # "the street noise is too loud, …"
    return None


TOPIC = {
    "add_title": ("the title", "标题"),
    "edit_title": ("the title", "标题"),
    "add_music": ("the music", "音乐"),
    "replace_music": ("the music", "音乐"),
    "set_volume": ("the music", "音乐"),
}


def topic_of(step: Step) -> tuple[str, str] | None:
    """What "it" names after this step: the sound a volume step changed, not always music."""
    if step.tool in ("set_volume", "mute") and step.args.get("target") == "video":
        return ("the original sound", "原声")
    return TOPIC.get(step.tool)


_KIND = {
    "add_title": "title", "edit_title": "title", "remove_title": "title",
    "add_music": "song", "replace_music": "song", "remove_music": "song",
}  # fmt: skip


def new_one(c: str, last: Step | None) -> str:
    """ "remove the title and add a new one saying Thanks": "one" is a thing of the kind the
    step before was about ("a new title")."""
    kind = _KIND.get(last.tool) if last is not None else None
    if kind is None:
        return c
    return re.sub(r"\b(new|another|different|other) one\b", rf"\1 {kind}", c)


def that_clip(c: str, last: Step | None) -> str:
    """ "slow the beach clip down and then put it first": "it" is the clip the step before
    was about, for a clip's own edits (move, remove, copy)."""
    n = last.args.get("clip") if last is not None else None
    if not isinstance(n, int) or not re.search(
        r"\b(?:move|put|place|bring|drag|delete|remove|drop|duplicate|repeat)\b|放|移|挪|删|去掉", c
    ):
        return c
    return re.sub(r"它", f"第{n}段", re.sub(r"\bit\b", f"clip {n}", c))


_PIECE = re.compile(
    r"\b(?:delete|remove|drop|lose|cut|get rid of|throw away|trash|ditch)\s+(?:the\s+)?"
    r"(?P<en>first|1st|former|second|2nd|latter|last)\s+(?:half|piece|clip|segment|bit)\b|"
    r"(?:把)?(?P<zh>前面|后面|前|后|第一|第二|最后)(?:那|这|一)?(?:个)?(?:段|半|半段|部分|片段)(?:给)?(?:都)?"
    r"(?:删|去掉|不要|剪掉|拿掉)"
)


def split_piece(c: str, s: Session) -> Step | None:
    """ "split at 10 and delete the second half", "10秒处分割 再把后面那段删了": one of the two
    pieces the split just made goes (a clip of its own now)."""
    m = _PIECE.search(c)
    if m is None:
        return None
    if len(s.clips) != 2 or s.clips[0] != s.clips[1]:
        return Step("clarify", why="which_clip")  # only one clip's two halves are known pieces
    which = m.group("en") or m.group("zh")
    first = which in ("first", "1st", "former", "前面", "前", "第一")
    return Step("remove_clip", {"clip": 1 if first else 2})


SAME = {
    "add_title": ("edit_title",),
    "edit_title": ("edit_title",),
    "add_music": ("set_volume", "fade", "mute"),
    "replace_music": ("set_volume", "fade", "mute"),
    "set_volume": ("set_volume",),
}


def fold(last: Step, st: Step, verbless: bool) -> bool:
    """Fold a step into the one before when it only adds detail to it."""
    if (
        last.tool == st.tool
        and st.tool in ("set_speed", "split")
        and st.why == "implied"
        and last.why != "implied"
        and last.args.get("clip") == st.args.get("clip")
    ):
        # "从8秒那里切开，分成两段", "speed up 3 times, make it a timelapse": the value stated
        # wins over the one a word only implies — the same step said twice
        return True
    if last.tool == st.tool == "trim" and {last.why, st.why} == {"starts_at", "ends_at"}:
        # "so it starts at 3s and ends at 18s": one span, both times on the same clock
        a, b = (last, st) if last.why == "starts_at" else (st, last)
        if b.args["end"] > a.args["start"]:
            last.args.update({"start": a.args["start"], "end": b.args["end"]})
            last.why = ""
            return True
    if last.tool == st.tool == "edit_title" and not set(last.args) & set(st.args):
        last.args.update(st.args)  # "标题改成白色的，放底部": one restyle
        return True
    if last.tool == "add_title" and st.tool == "edit_title" and "text" not in st.args:
        last.args.update(st.args)
        return True
    if (
        last.tool == "add_music"
        and st.tool == "set_volume"
        and st.args.get("target") == "music"
        and "level" in st.args
    ):
        last.args["volume"] = st.args["level"]
        return True
    if (
        last.tool == "add_music"
        and st.tool == "set_volume"
        and st.args.get("target") == "music"
        and "relative" in st.args
        and "volume" not in last.args
    ):
        # "add music but keep it quiet": placed at a lower level, one step from full
        step = 1 / VOLUME_STEP if st.args["relative"] == "down" else 1.0
        last.args["volume"] = round(step, 4)
        return True
    if (
        last.tool == st.tool == "replace_music"
        and last.why == "any"
        and st.why in ("named", "same")
    ):
        # "换首歌，换成 upbeat": the second clause names the song the first asked for
        last.args["file"], last.why = st.args["file"], "named"
        return True
    if (
        last.tool in ("replace_music", "add_music")
        and st.tool == "add_music"
        and st.args.get("file") in (None, last.args.get("file"))
    ):
        # "换一首歌，用upbeat": the same song named again, not a second placement
        if st.args.get("volume") is not None:
            last.tool = "add_music"  # replace_music keeps the old level; this one names one
            last.args["volume"] = st.args["volume"]
        return True
    if (
        last.tool == st.tool == "replace_background"
        and last.args.get("mode") == "transparent"
        and st.args.get("mode") != "transparent"
    ):
        last.args.clear()  # "把人抠出来，背景换成白色": cut out, then the new background: one pass
        last.args.update(st.args)
        return True
    if (
        last.tool == st.tool == "set_aspect"
        and last.args.get("ratio") == st.args.get("ratio")
        and st.args.get("fit") != "fit"
    ):
        last.args.update(st.args)  # "做成9:16的，上下用模糊背景填充": how to fill, said after
        last.why = st.why  # said outright now, not only implied by a platform
        return True
    if (
        last.tool == st.tool == "set_speed"
        and "factor" in last.args
        and "factor" in st.args
        and last.args.get("clip") == st.args.get("clip")
    ):
        last.args.update(st.args)  # "slo-mo please, quarter speed": one speed, the exact one
        return True
    if (
        verbless
        and last.tool == st.tool
        and last.args.get("target") == st.args.get("target")
        and st.tool in ("set_speed", "set_aspect", "set_volume", "split")
    ):
        if not (st.tool == "set_aspect" and st.why == "purpose" and last.why != "purpose"):
            # (a platform said after the shape asked for says where it goes: "改成竖屏，发抖音")
            last.args.clear()
            last.args.update(st.args)  # a restatement: "…, like 1.5x"
            last.why = st.why
        return True
    return False


def no_more(core: str, s: Session, things: bool = True) -> Step | None:
    """不要配乐了 / 不要标题了 ("no more music"): a noun with no verb, for a thing that is there."""
    if re.search(
        r"\b(?:add|put|use|play|insert|change|make|remove|delete|cut|trim)\b|加|添|放|用|改|换|删|"
        r"剪|去",
        core,
    ):
        return None
    core = re.sub(r"^(?:any|some|the|more|this|that|my)\s+", "", core)
    core = re.sub(
        r"(?:\s+(?:anymore|any more|now|either|at all|here|on (?:this|it|the video|there)|"
        r"in (?:this|it|the video|there)))+$",
        "",
        core,
    )
    if re.fullmatch(
        r"(?:the )?(?:original|clip'?s?|video'?s?|own|camera|street|background) (?:sound|audio|"
        r"noise)|(?:视频的?)?(?:原声|原音|现场声音?)(?:了|啦)?",
        core,
    ):
        return Step("mute", {"target": "video"})  # "I don't want the original sound"
    if (
        lx.MUSIC.search(core)
        and s.music
        and re.search(
            r"了$|^(?:the )?(?:background |backing )?(?:music|songs?|bgm|soundtrack|tunes?|track)$|"
            r"^(?:背景)?音乐|^配乐",
            core,
        )
    ):
        return Step("remove_music")
    if (
        lx.TITLE.search(core)
        and s.titles
        and re.search(r"了$|^(?:the )?(?:titles?|captions?|subtitles?|text)$|^标题|^字幕", core)
    ):
        return Step("remove_title")
    if (
        things
        and object_words(core)
        and not re.search(
            r"\b(?:removed|deleted|erased|gone|touched|changed|moved|blurred|cut|edited|affected|"
            r"hidden|cropped|to (?:be|go|disappear))\b|删|去掉|动|改|换|剪|模糊",
            core,
        )
    ):
        # "don't want the grey car in the shot", "我不想要画面里的车": the thing should go
        zh = bool(re.search(r"[\u4e00-\u9fff]", core))
        target = object_phrase(("删掉" if zh else "remove ") + core) or core
        if not lx.PRONOUN.match(target):
            return Step("remove_object", {"target": target})
    return None


_THE_ONE = re.compile(
    r"^(?P<lead>(?:it'?s|its|it is|that'?s|thats|i mean|the one i mean is|specifically)\s+)?"
    r"(?:the\s+)?(?P<adj>(?:[a-z]+\s+){0,3}?)(?P<noun>one|car|van|truck|bike|person|guy|man|woman|"
    r"lady|kid)\s*(?P<rest>(?:on|in|at|near|by|parked|with|from|counting from|"
    r"behind|next to|closest|nearest|furthest|wearing|that'?s|that is|who'?s)\b.*)?$"
)


#: "就是停在路边那辆", "是左边的那个", "我说的是穿红衣服那个": which one, after the thing.
_THE_ONE_ZH = re.compile(
    r"(?:就是|是|我说的是|我是说|指的是)(?!那|这)(\S{2,14}?)(?:的)?(?:那|这)(?:一)?"
    r"(?:辆|个|位|只|台|部|条|块|根)"
)


def refine(c: str, thing: str) -> str | None:
    """ "…a black car…, it's the big one on the right": the thing named before, with the
    qualifiers this clause adds ("big black car on the right"); None if it adds none."""
    if re.search(r"[\u4e00-\u9fff]", thing) and (z := _THE_ONE_ZH.fullmatch(c.strip(" ，。!！"))):
        # "把电动车去掉，就是停在路边那辆": which one, said after it
        return f"{z.group(1)}的{thing}"
    m = _THE_ONE.match(c)
    if m is None or not (m.group("adj").strip() or m.group("rest")):
        return None
    if lx.REMOVE.search(c) or re.search(r"\b(?:not|no|never|that|this|those|these)\b", m["adj"]):
        return None  # "remove that one", "not the blue one": a request, an exclusion
    if m.group("noun") != "one" and not m.group("lead"):
        return None  # "…, and the red car": a second thing, unless "it's the second car …"
    # "i'd like the silver hatchback gone, …": the thing, not the wish around it
    thing = re.sub(
        r"^(?:i'?d like|i would like|i want|i need|we need|we want|i'?d love)\s+(?:the |that )?",
        "",
        thing,
    )
    adj = " ".join(w for w in m.group("adj").split() if w not in thing.split())
    rest = (m.group("rest") or "").strip()
    return " ".join(x for x in (adj, thing, rest) if x)


def noun_phrase(c: str) -> str | None:
    """The object named in a clause with no verb for it: "the man in the blue shirt is in the
    way" → "man in the blue shirt"."""
    if re.search(r"[\u4e00-\u9fff]", c):
        p = re.split(
            r"太|很|有点|挡|影响|真|特别|比较|一直|总是|抢戏|碍眼|出戏|辣眼|"
            r"(?:好|超|巨|挺)(?=丑|烦|难看|碍眼|抢戏|讨厌|多余|吵|乱|怪)",
            c,
        )[0]
        p = re.sub(
            r"^(?:(?:视频|画面|镜头)(?:里|中|上)(?!间)的?|里面|这个|那个|这些|那些|"
            r"有(?:一)?(?:个|辆|只|条|位|台|群|头|些|根|块))+",
            "",
            p,
        )
        return p or None
    m = _NOUN.search(c)
    if m is None:
        return None
    head = c[: m.start()].split()
    lead = []
    for w in reversed(head[-3:]):
        if w in (
            "the",
            "a",
            "an",
            "that",
            "this",
            "those",
            "these",
            "want",
            "i",
            "see",
            "is",
            "of",
        ):
            break
        lead.insert(0, w)
    rest = re.split(
        r"\s+(?:is|are|was|were|keeps?|looks?|gone|ruins?|bothers?|should|must|needs?|has|have|"
        r"always|in my way)\b|[,.;!?]|很|太|有点|挡|影响|在画面|"
        # "…car that kind of ruins the shot": an opinion, not a qualifier
        r"\s+(?:that|which|who)\s+(?:kind of |sort of |really |totally |just |literally |"
        r"kinda |always |keeps? )?(?:ruins?|bothers?|distracts?|annoys?|spoils?|blocks?|"
        r"messes|is (?:annoying|distracting|ugly|bad|in the way)|looks? (?:bad|ugly|weird))\b",
        c[m.start() :],
        maxsplit=1,
    )[0]
    phrase = " ".join([*lead, rest]).strip()
    return re.sub(r"\s+(?:who|which|that|who's|that's)$", "", phrase) or None


_NOUN = re.compile(
    r"\b(?:" + "|".join(re.escape(n) for n in NOUNS_EN) + r")\b|背景里的\S+?(?=太|很|有点|$)"
)


def imagine(s: Session, st: Step) -> None:
    """Update the session view as if the step had run (lengths for the next clauses)."""
    a = st.args
    if st.tool == "undo":
        s.undone()
    elif st.tool == "trim" and s.total:
        end = a.get("end") if a.get("end") is not None else s.total
        s.total = max(0.0, min(end, s.total) - (a.get("start") or 0))
    elif st.tool == "cut" and s.total:
        end = a.get("end") if a.get("end") is not None else s.total
        s.total = max(0.0, s.total - (min(end, s.total) - a.get("start", 0)))
    elif st.tool == "set_speed" and s.total:
        new = a.get("factor") or s.speed * (a.get("relative") or 1)
        s.total, s.speed = s.total * s.speed / new, new
    elif st.tool == "split" and len(s.clips) == 1:
        s.clips = [s.clips[0], s.clips[0]]  # "split at 10, then speed up the second clip"
    elif st.tool == "remove_clip" and 0 < int(a.get("clip") or 0) <= len(s.clips):
        s.clips.pop(int(a["clip"]) - 1)
    elif st.tool == "add_title":
        s.titles.append(a.get("text", ""))
    elif st.tool in ("add_music", "replace_music"):
        s.music = a.get("file")
    elif st.tool == "remove_music":
        s.music = None
    elif st.tool == "remove_title":
        s.titles = []
    elif st.tool == "set_aspect":
        s.aspect = a.get("ratio")
