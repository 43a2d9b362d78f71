"""Step 6: the plan checked against the whole message before anything runs.

The readers before this one are tables of phrasings: a sentence they were not written for can
come out as a plan that does *part* of what was said, or the opposite of it. The checks here
look at the message and the finished plan as a whole, whatever the phrasing, and turn such a
plan into one short question in the user's language (a wrong edit is worse than a question):

* every number is used by a step (numbers.py);
* every request a clause makes by its own words (remove, speed, fade, title, music, aspect,
  "shorter", "that part") is done by a step;
* a thing said to stay as it is, or named only in what the edit is for, is no step's target;
* a verb the message negates is not done (unless asked for again, or for another thing);
* a span's fate is not reversed (kept when it was to go, or the other way), a level does not
  move against the complaint, one setting is not given two values;
* a question about the tool itself answers and does nothing; an undo after an edit of the
  same message takes that edit back.
"""

from __future__ import annotations

import re
from typing import Any

from nemo_widgets.engine.agent.language import lexicon as lx
from nemo_widgets.engine.agent.language.intents import Step
from nemo_widgets.engine.agent.language.numbers import Mention, loose_numbers, mentions
from nemo_widgets.engine.agent.language.numbers import close as _close
from nemo_widgets.engine.agent.language.read import NO_CHANGE
from nemo_widgets.engine.agent.language.session import Session
from nemo_widgets.engine.agent.language.times import time_range

__all__ = ["Mention", "check", "loose_numbers", "mentions"]

_GOES = re.compile(
    r"\b(?:delete|remove|get rid of|drop|lose|ditch|kill|cut (?:out|off)|chop off|trash|"
    r"(?:take|cut|chop|snip) (?:\S+ ){0,4}(?:out|off|away)|"
    r"throw away|don'?t (?:want|need))\b|删|去掉|不要|剪掉|切掉|砍掉|拿掉|扔掉|咔掉|干掉|去除|剪去|"
    r"(?:剪|切|砍)了"
)
_STAYS = re.compile(
    r"\b(?:keep|(?:only|just) (?=the |first|last|from|\d|keep|want|need)|leave|save|want only|"
    r"trim (?:it |this |the video )?(?:down )?to|"
    r"cut (?:it |this |the video )?(?:down )?to|shorten (?:it )?to|to the (?:first|last|final))\b|"
    r"保留|只要|只留|留|截取|剪成|剪到|缩短到|裁到|剩下前|剩下后"
)
#: "the rest stays", "其他都留着": what stays is the rest, not the span named.
_REST = re.compile(
    r"(?:\b[a-z']+\s+){0,3}(?:the rest|everything else|all else|the remainder|"
    r"the others?)\b[^,.;]{0,20}|"
    r"\b(?:before|after) (?:that|it|this)\b[^,.;]{0,20}|"
    r"\b(?:[a-z']+\s+){0,2}(?:everything|all|anything|what comes) (?:before|after)\b|"
    r"(?:删掉|去掉|删除|不要|保留|留着|留下)?(?:其他|其余|剩下的|别的|其它|前面的|后面的|之前的|之后的)"
    r"(?:的|部分)?(?:都|就|全)?\S{0,4}|"
    # "everything outside 0:05–0:12 goes", "5到12秒以外的都剪掉": the outside goes, not the span
    r"(?:\b[a-z']+\s+){0,3}(?:everything |all |anything )?outside(?: of)?\b|"
    r"(?:以外|之外|外面|外边)的?(?:部分|内容)?(?:都|就|全)?\S{0,4}"
)


def opposite_span(text: str, steps: list[Step], state: dict[str, Any]) -> bool:
    """The plan keeps exactly the span the message only asks to take out, or takes out the
    span it only asks to keep."""
    edits = [st for st in steps if st.tool not in NO_CHANGE]
    if not edits or edits[0].tool not in ("trim", "cut"):
        return False
    total = float(Session.of(state).total or 0.0)
    span = time_range(text, total)
    if span is None or not total:
        return False
    a, b = span[0], total if span[1] is None else span[1]
    st = edits[0]
    s0, s1 = st.args.get("start"), st.args.get("end")
    if not isinstance(s0, int | float):
        return False
    s1 = total if s1 is None else s1
    if not isinstance(s1, int | float) or (_close(a, 0.0) and _close(b, total)):
        return False
    plain = _REST.sub(" ", text)
    goes, stays = bool(_GOES.search(plain)), bool(_STAYS.search(plain))
    if _close(s0, a) and _close(s1, b):  # the plan keeps (trim) or takes out (cut) the span
        if st.tool == "trim":
            return goes and not stays
        return stays and not goes and not _GOES.search(text)
    # a trim that keeps the rest of the video when the span named is the one to keep
    rest = (_close(a, 0.0) and _close(s0, b) and _close(s1, total)) or (
        _close(b, total) and _close(s0, 0.0) and _close(s1, a)
    )
    if re.search(r"\b(?:don'?t|do not|dont|not|never)\b|别|不要|不用", text):
        return False  # "don't cut the first part, only the last 3 s": "only" is the cut's
    return st.tool == "trim" and rest and stays and not goes and not _GOES.search(text)


_RATIO = r"(?:1:1|9:16|16:9|4:5|5:4|3:4|4:3|21:9|2:3|3:2)"
#: What a clause asks for by its words alone, and the tools that do it. Said and not in
#: the plan, the plan did only part of the message.
_ASKS: dict[str, tuple[re.Pattern[str], set[str]]] = {
    "remove": (
        lx.REMOVE,
        {"remove_object", "replace_background", "remove_title", "remove_music", "cut", "trim",
         "remove_clip", "mute", "unmute", "set_volume", "split"},  # "去掉静音": the mute goes
    ),
    "speed": (
        re.compile(
            r"\bspeed (?:it |this |that |the video |everything )?up|\bslow (?:it |this )?down|"
            r"\bfaster\b|\bslower\b|\bslow[- ]?mo|倍速|加速|减速|慢动作|快放|慢放|放慢|加快"
        ),
        {"set_speed"},
    ),
    "fade": (re.compile(r"\bfade|淡入|淡出"), {"fade"}),
    "title": (
        re.compile(
            r"\b(?:add|put|change|edit|move|make|rename|restyle|recolou?r)\b[^,.]{0,20}"
            r"\b(?:title|caption|text)\b|(?:加|添加|改|换|移)[^，。,]{0,6}(?:标题|字幕|文字)"
        ),
        {"add_title", "edit_title", "remove_title"},
    ),
    "music": (
        re.compile(
            r"\b(?:add|put|play|use|louder|quieter|volume|mute|lower|raise|turn)\b[^,.]{0,20}"
            r"\b(?:music|song|bgm|track)\b|(?:加|配|换|调|静音)[^，。,]{0,6}(?:音乐|配乐|歌|bgm)"
        ),
        {"add_music", "replace_music", "remove_music", "set_volume", "mute", "unmute", "fade"},
    ),
    "length": (
        re.compile(r"(?<!\bno )\bshorter\b|(?<!\bno )\blonger\b|缩短|短一点|短点|变短|加长|长一点"),
        {"trim", "cut", "set_speed", "remove_clip", "split"},
    ),
    "part": (
        re.compile(
            r"\b(?:the|that|this) (?:(?!a\b)\w+ ){0,2}(?:part|section|segment|bit)\b|"
            r"(?:中间|那|这)(?:一)?(?:段|部分)"
        ),
        {"trim", "cut", "split", "remove_clip", "remove_object", "replace_background",
         "add_title", "edit_title", "remove_title", "add_clip", "reorder"},
    ),
    "aspect": (
        re.compile(
            rf"\b(?:make|turn|change|convert|switch|crop|reformat|resize)\b[^,.]{{0,20}}"
            rf"(?:\b{_RATIO}(?!\d)|\bvertical|\bportrait|\blandscape|\bsquare|\bwidescreen)|"
            rf"(?:改|变|转|换|做|弄)[^，。,]{{0,4}}(?:竖屏|横屏|竖版|横版|{_RATIO}(?!\d))"
        ),
        {"set_aspect"},
    ),
}  # fmt: skip
#: A clause that says what stays as it is, or what not to do, asks for nothing.
_AS_IS = re.compile(
    r"\b(?:no|not|don'?t|dont|never|without|leave|keep|as (?:it )?is|unchanged|alone)\b|"
    r"(?<![特区分级性识告])别|不用|不要|保持|不变|不动|留着|保留|不需要"
)
#: Clauses: at punctuation, "and"/"then", and at a space between Chinese words (a comma there).
_CLAUSES = re.compile(
    r"[,.;!?，。；！？、]|\band then\b|\bthen\b|\band\b|\balso\b|\bbut\b|然后|再|并且|还有|"
    r"但是?|可是|"
    r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])"
)


def left_out(text: str, steps: list[Step]) -> list[str]:
    """What a clause of the message asks for by its own words (remove, speed, fade, title,
    music, aspect) that no step of the plan does — the plan did only part of it."""
    tools = {st.tool for st in steps}
    if not tools - set(NO_CHANGE) or tools & {"clarify", "undo", "redo"}:
        return []
    t = re.sub(r"«\d+»", " ", text)
    for st in steps:  # a title's own words ("Music Monday") ask for nothing
        if isinstance(words := st.args.get("text"), str) and words.strip():
            t = t.replace(words.strip().lower(), " ")
    out: list[str] = []
    spans = any("start" in st.args or "clip" in st.args for st in steps)
    for clause in _CLAUSES.split(t):
        if _AS_IS.search(clause):
            continue
        for name, (asks, done_by) in _ASKS.items():
            if name == "part" and spans:
                continue  # a step with its own span or clip says which part
            if name not in out and asks.search(clause) and not tools & done_by:
                out.append(name)
    return out


#: What a thing is called, and whether a step changes it.
_TOPICS: dict[str, tuple[re.Pattern[str], Any]] = {
    "music": (
        re.compile(r"\bmusic\b|\bsongs?\b|\bbgm\b|音乐|配乐|歌"),
        lambda st, music: (
            st.tool in ("add_music", "replace_music", "remove_music")
            or (st.tool in ("set_volume", "mute", "unmute") and st.args.get("target") == "music")
            or (
                st.tool == "fade"
                and music
                and (st.args.get("target") in ("both", "audio") or st.args.get("music_only"))
            )
        ),
    ),
    "title": (
        re.compile(r"\btitles?\b|\bcaptions?\b|字幕|标题"),
        lambda st, music: st.tool in ("add_title", "edit_title", "remove_title"),
    ),
    "original sound": (
        re.compile(r"\b(?:original|street|video'?s?|camera) (?:sound|audio)\b|原声|现场声|环境音"),
        lambda st, music: (
            st.tool in ("set_volume", "mute", "unmute") and st.args.get("target") == "video"
        ),
    ),
}
#: A clause that says a thing stays as it is.
_STAYS_AS_IS = re.compile(
    r"\b(?:keep|leave|as (?:it )?is|unchanged|alone|the same|untouched|don'?t touch|"
    r"do not touch|no \w+ (?:on|for|to))\b|保持|不变|不动|别动|留着|保留|照旧|"
    r"不用(?:改|动|换|调)|别(?:改|动|换|调)"
)
_HOW = re.compile(
    r"\b(?:at|quiet|quieter|loud|louder|low|lower|high|soft|down|up)\b|\d|%|在|小|大|低|高"
)
#: What an edit is for ("…, so the music carries it", "…，好让音乐更清楚"): no request.
_PURPOSE = re.compile(r"\bso (?:that )?(?=the |my |it |its |you |we |i )|好让|免得|以便")


def _after_purpose(clause: str, text: str) -> bool:
    i = text.find(clause)
    return i > 0 and bool(re.search(r"(?:\bso(?: that)?|好让|免得|以便)\s*$", text[:i]))


_POINTS_BACK = re.compile(r"\b(?:it|them|that|its)\b|它")


def kept_as_is(text: str, steps: list[Step], state: dict[str, Any]) -> list[str]:
    """Things the message names only to say they stay as they are ("…, keep the music as
    it is", "音乐保持不变", "no fade on the music, …") that a step still changes."""
    music = bool(Session.of(state).music)
    clauses = [
        part
        for c in _CLAUSES.split(re.sub(r"«\d+»", " ", text))
        for part in _PURPOSE.split(c)
        if part.strip()
    ]
    purposes = {c for c in clauses if _after_purpose(c, text)}
    out = []
    for name, (words, changes) in _TOPICS.items():
        said = [c for c in clauses if words.search(c)]
        if not said or not all(
            c in purposes or (_STAYS_AS_IS.search(c) and not _HOW.search(c)) for c in said
        ):  # "keep the music at 50%", "keep it quiet": how it should be, a request
            continue
        if any(_POINTS_BACK.search(c) for c in clauses if c not in said):
            continue  # "keep the music but turn it down": "it" is the music
        if any(changes(st, music) for st in steps):
            out.append(name)
    return out


_TOO_QUIET = re.compile(
    r"\btoo (?:quiet|soft|low)\b|\bcan'?t hear\b|\bbarely hear|太小声|太小了|声音太小|太轻|"
    r"听不(?:见|清|到)|不够大|不够响"
)
_TOO_LOUD = re.compile(r"\btoo (?:loud|noisy)\b|\bso loud\b|太吵|太大声|太响|太大了|吵死|好吵")
_SOUNDS = {"music": _TOPICS["music"][0], "video": _TOPICS["original sound"][0]}


def against_complaint(text: str, steps: list[Step]) -> bool:
    """A level moved the wrong way for what the message complains of: "the bgm is too quiet,
    a little more" read as quieter, "the street sound is too loud" read as louder."""
    for clause in _CLAUSES.split(text):
        quiet, loud = bool(_TOO_QUIET.search(clause)), bool(_TOO_LOUD.search(clause))
        if quiet == loud or re.search(r"\bover\b|盖住|压住|盖过", clause):
            continue  # "I can't hear my voice over the music": two sounds, one too loud
        about = [k for k, w in _SOUNDS.items() if w.search(clause)]
        if len(about) != 1:
            continue
        wrong = "down" if quiet else "up"
        if any(
            st.tool == "set_volume"
            and st.args.get("target") == about[0]
            and st.args.get("relative") == wrong
            for st in steps
        ):
            return True
    return False


#: Verbs a negation can stand before, and the tools that would do them.
_VERBS: dict[str, tuple[str, set[str]]] = {
    "mute": (r"mute|silence|静音|消音", {"mute"}),
    "trim": (r"trim|cut|crop|shorten|剪|裁|截", {"trim", "cut"}),
    "split": (r"split|切开|分割|分成", {"split"}),
    "fade": (r"fade|淡入|淡出|渐", {"fade"}),
    "faster": (r"speed (?:it )?up|make it faster|加速|加快|快放", {"set_speed"}),
    "slower": (r"slow (?:it )?down|make it slower|减速|放慢|慢放", {"set_speed"}),
    "speed": (r"change the speed|变速|调速", {"set_speed"}),
    "remove": (
        r"remove|delete|erase|get rid of|删|去掉|抹掉",
        {"remove_object", "remove_music", "remove_title", "remove_clip"},
    ),
    "add": (r"add|put|加|配", {"add_music", "add_title", "add_clip"}),
}  # fmt: skip
_NEGATED = (
    r"(?:\bdon'?t|\bdo not|\bdont|\bnever|\bno need to|\bwithout|别|不要|不用|不必|无需|甭)"
    r"\s*(?:再|把[^，,。\s]{0,6}?|给[^，,。\s]{0,6}?|[a-z']+\s+){0,2}"
)


_INSTEAD = r"\b(?:only|just|but|instead|rather)\b|只|而是|改成"


def negated_done(text: str, steps: list[Step]) -> list[str]:
    """Verbs the message negates ("BGM别静音", "don't trim it") that a step still does —
    unless the same verb is asked for elsewhere ("don't mute the music, mute the street")."""
    tools = {st.tool: st for st in steps if st.tool not in NO_CHANGE}
    clauses = [c for c in _CLAUSES.split(re.sub(r"«\d+»", " ", text)) if c.strip()]
    out = []
    for name, (verb, doers) in _VERBS.items():
        neg = re.compile(rf"{_NEGATED}(?:{verb})")
        said = re.compile(verb)
        negated = [c for c in clauses if neg.search(c)]
        if not negated or any(said.search(c) and not neg.search(c) for c in clauses):
            continue
        after = text[text.find(negated[0]) + len(negated[0]) :]
        if re.search(_INSTEAD, negated[0][neg.search(negated[0]).end() :] + " " + after):
            continue  # "don't remove the car, only the bike": the verb again, for another thing
        for st in steps:
            if st.tool not in doers or st.tool not in tools:
                continue
            way = st.args.get("factor") or st.args.get("relative")
            if isinstance(way, int | float) and (name, way > 1) in (
                ("faster", False),
                ("slower", True),
            ):
                continue  # "don't speed it up, slow it to half": the other way
            target = st.args.get("target")
            about = [k for k, w in _SOUNDS.items() if any(w.search(c) for c in negated)]
            if target in ("music", "video") and about and target not in about:
                continue  # "原声别静音…": another sound than the one the step changes
            out.append(name)
            break
    return out


#: "can it do slow motion?", "这个软件能去掉路人吗": what the tool can do, no request.
_CAN_IT = re.compile(
    r"^(?:so |and |hey |hi |um |also )?(?:(?:can|could|will) (?:it|this|this app|the app|"
    r"this tool|the tool|nemo|the editor|the ai|you guys|this thing) (?:do|handle|support|"
    r"work with|process)\b|(?:does|do) (?:it|this|this app|the app|this tool|you guys) "
    r"(?:support|do|handle|work with)\b|is (?:it|this|this app|this tool) (?:able|capable)\b)|"
    r"(?:这个|你们|它|该)(?:软件|工具|app|应用|ai|程序|平台)?(?:能|可以|支持|会)(?!帮|给|不能)"
    r".{0,20}?(?:吗|么|嘛)[?？]?$|"
    r"^(?:能|可以|支持)(?:做|处理|支持|弄)(?!.*(?:帮|给我)).{0,12}(?:吗|么|嘛)[?？]?$"
)


_NAMES = {
    "length": ("how long it should be", "时长"),
    "part": ("which part", "哪一段"),
    "original sound": ("the original sound", "原声"),
    "remove": ("what to remove", "要去掉的东西"),
    "speed": ("the speed", "速度"),
    "fade": ("the fade", "淡入淡出"),
    "title": ("the title", "标题"),
    "music": ("the music", "音乐"),
    "aspect": ("the shape of the frame", "画幅比例"),
}


#: The questions that name nothing from the message: (Chinese, English), by the check's name.
_QUESTIONS = {
    "negated_done": (
        "这句话里说了不要做这一步，但我读出的修改正好会做它，怕改错了。请再说一遍要改什么。",
        "You said not to do that, but the edit I read would do it: could you say again what "
        "should change?",
    ),
    "which_way": ("是要调大还是调小？", "Should it be louder or quieter?"),
    "two_values": (
        "这句话里同一项设置给了两个不同的值，要用哪一个？",
        "That sets the same thing twice in two ways: which one do you mean?",
    ),
    "keep_or_remove": (
        "要把这一段删掉，还是只保留这一段？",
        "Should that part be cut out, or is it the part to keep?",
    ),
}


def _names(keys: list[str], zh: bool) -> str:
    names = [_NAMES[x][1 if zh else 0] for x in keys]
    return "、".join(names) if zh else " and ".join(names)


def _ask(why: str, zh: bool, zh_q: str, en_q: str) -> list[Step]:
    """One question instead of the plan, in the user's language, saying nothing changed."""
    q = f"{zh_q}现在还没有改动。" if zh else f"{en_q} Nothing was changed yet."
    return [Step("clarify", {"question": q}, why=why)]


def _said(ms: list[Mention], zh: bool) -> str:
    return ("、" if zh else ", ").join(f"“{m.said}”" for m in ms)


def taken_back(steps: list[Step]) -> list[Step]:
    """An undo after an edit of the same message takes that edit back ("make it 3x, scratch
    that, 2.5x" read as 3x, undo, 2.5x): neither is done — the edit would run, cost and be
    undone, and an undo of the project's earlier work was not what was meant."""
    out: list[Step] = []
    for st in steps:
        if st.tool == "undo" and out and out[-1].tool not in (*NO_CHANGE, "undo", "redo"):
            out.pop()
            continue
        out.append(st)
    return out


def check(
    steps: list[Step], text: str, state: dict[str, Any], zh: bool, skipped: list[Step]
) -> list[Step]:
    """The plan, or one question instead of it when it does not fit the whole message.
    ``skipped``: the steps declined along the way (a split past the end, a negated step) —
    the numbers they took are accounted for by the reply that says why."""
    steps = taken_back(steps)
    if not any(st.tool not in NO_CHANGE for st in steps):
        return steps
    said_back = [  # "there is no 50 s to split at": a number a declined step answers
        ("tnf", float(x))
        for st in skipped
        for v in st.args.values()
        if isinstance(v, str)
        for x in re.findall(r"\d+(?:\.\d+)?", v)
    ]
    if loose := [
        m
        for m in loose_numbers(text, steps, state)
        if not (isinstance(m.value, float) and any(_close(m.value, x) for _, x in said_back))
    ]:
        return _ask(
            "loose_number",
            zh,
            f"我没能确定 {_said(loose, True)} 指的是什么，怕改错了。请把要做的修改再说一遍（例如"
            f"“剪到12秒”）。",
            f"I'm not sure what {_said(loose, False)} is for, and I'd rather ask than make "
            f"the wrong edit: could you say the edit again in one line (e.g. “trim to 12 s”)?",
        )
    edits = [st for st in steps if st.tool not in NO_CHANGE]
    if _CAN_IT.search(text.strip()):
        # a question about what the tool can do: answered, nothing done
        return [Step("answer", {"about": edits[0].tool}, why=text)]
    if stays := kept_as_is(text, steps, state):
        return _ask(
            "kept_as_is",
            zh,
            f"你说{_names(stays, True)}保持不变，但我读出的修改会动到它，怕改错了。"
            f"请再说一遍要改什么。",
            f"You said to leave {_names(stays, False)} as it is, but the edit I read would "
            f"change it: could you say again what should change?",
        )
    if negated_done(text, steps):
        return _ask("negated_done", zh, *_QUESTIONS["negated_done"])
    if against_complaint(text, steps):
        return _ask("which_way", zh, *_QUESTIONS["which_way"])
    setters = [
        st.tool
        for st in edits
        if st.tool in ("set_aspect", "replace_background")
        or (st.tool == "set_speed" and "factor" in st.args)
    ]
    if len(setters) != len(set(setters)):
        return _ask("two_values", zh, *_QUESTIONS["two_values"])
    if missed := left_out(text, steps):
        return _ask(
            "left_out",
            zh,
            f"这句话里关于{_names(missed, True)}的部分我没读懂，怕只做一半或做错。"
            f"请把这部分再说一遍。",
            f"I couldn't read the part about {_names(missed, False)}, and I'd rather ask than "
            f"do only half of it: could you say that part again?",
        )
    if opposite_span(text, steps, state):
        return _ask("keep_or_remove", zh, *_QUESTIONS["keep_or_remove"])
    return steps
