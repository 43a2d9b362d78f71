"""Things in the picture: object phrases ("the grey car parked on the left") and the
background. "The car in the background" is an object; "the background" alone is not."""

from __future__ import annotations

import re
from typing import Any

from nemo_widgets.engine.agent.language import lexicon as lx
from nemo_widgets.engine.agent.language.spelling import simplified

try:  # the detector's vocabulary; the vision side owns it
    from nemo_widgets.engine.vision.labels import COCO, SYNONYMS
except ImportError:  # pragma: no cover - vision extras not installed
    COCO, SYNONYMS = (), {}

_EXTRA = [
    "people",
    "person",
    "persons",
    "pedestrians",
    "pedestrian",
    "passersby",
    "passer-by",
    "man",
    "woman",
    "men",
    "women",
    "guy",
    "guys",
    "girl",
    "boy",
    "kid",
    "kids",
    "child",
    "children",
    "crowd",
    "tourists",
    "cyclist",
    "cyclists",
    "rider",
    "biker",
    "bikers",
    "car",
    "cars",
    "van",
    "vans",
    "truck",
    "trucks",
    "bus",
    "buses",
    "bike",
    "bikes",
    "bicycle",
    "bicycles",
    "motorbike",
    "motorcycle",
    "scooter",
    "dog",
    "dogs",
    "cat",
    "bird",
    "birds",
    "pole",
    "poles",
    "sign",
    "signs",
    "logo",
    "watermark",
    "trash",
    "bin",
    "can",
    "bottle",
    "cup",
    "tree",
    "trees",
    "lamp",
    "lamppost",
    "post",
    "wire",
    "wires",
    "cable",
    "stranger",
    "strangers",
    "photobomber",
    "someone",
    "object",
    "thing",
    "things",
    "vehicle",
    "vehicles",
    "taxi",
    "cab",
    "boat",
    "plane",
    "drone",
    "umbrella",
    "bag",
    "backpack",
    # street furniture people ask to remove
    "cone",
    "cones",
    "barrier",
    "barriers",
    "bollard",
    "bollards",
    "bins",
    "scaffolding",
    "stroller",
    "pram",
]
NOUNS_EN = sorted(
    {*(c.replace("_", " ") for c in COCO), *_EXTRA, *(k for k in SYNONYMS if k.isascii())},
    key=len,
    reverse=True,
)
NOUNS_ZH = sorted(
    {
        *(k for k in SYNONYMS if not k.isascii()),
        "人",
        "路人",
        "行人",
        "车",
        "车辆",
        "自行车",
        "电线杆",
        "垃圾桶",
        "树",
        "标志",
        "路牌",
        "电线",
        "狗",
        "猫",
        "鸟",
        "摩托",
        "汽车",
        "人群",
        "东西",
        "物体",
        "杂物",
        "招牌",
        "那个人",
        "男的",
        "女的",
        # people as they are called in chat ("戴帽子的大叔", "穿红衣服的小姐姐", "小小的人影")
        "大叔",
        "大爷",
        "阿姨",
        "小姐姐",
        "小哥",
        "小哥哥",
        "美女",
        "帅哥",
        "男人",
        "女人",
        "小孩",
        "人影",
    },
    key=len,
    reverse=True,
)
_NOUN_RX = re.compile(
    r"(?<![a-z0-9])(?:"  # "黑色suv": a Latin noun right after Chinese is still a word
    + "|".join(re.escape(n) for n in NOUNS_EN)
    + r")(?:s|es)?(?![a-z0-9])|"  # and its plural ("walkers", "riders")
    + "|".join(re.escape(n) for n in NOUNS_ZH)
)


def object_words(t: str) -> list[str]:
    """Object nouns in the text, in order (background music, titles and clips are not)."""
    t = re.sub(r"背景音乐|background music", "", t)
    return [m.group(0) for m in _NOUN_RX.finditer(t)]


_LEAD = r"(?:the|a|an|that|this|those|these|my|any|some|of|every|each|out)\s+"
_STOP = (
    r"\s+(?:from|out of|off)\s+(?:the |this |my )?(?:whole |entire )?(?:video|clip|shot|footage|"
    r"frame|"
    r"scene|picture|film|movie|vid)\b|\s+(?:in|throughout|across)\s+(?:the |this |my )?(?:whole |"
    r"entire )?"
    r"(?:video|clip|shot|footage|frame|scene|film|vid)\b|\s+(?:between|during)\b|\s+from\s+\d|"
    r"\s+at\s+\d|"
    r"\s+for\s+the\s+whole|\s+(?:please|pls|thanks|thank you|entirely|completely|for me|now|too)\b|"
    r"(?<!that)(?<!which)(?<!who)\s+(?:is|are|was|keeps|looks|ruins|bothers)\b|[.,!?;]|$"
)


def _clean(p: str) -> str:
    p = p.strip(" .,!?")
    if p in ("the", "a", "an", "my", "this", "that", "some"):
        return ""
    while True:
        q = re.sub(rf"^{_LEAD}", "", p)
        if q == p:
            break
        p = q
    return p.strip()


_ORDINAL_EN = {"1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth", "5th": "fifth"}
_ZH_DIGIT = dict(zip("123456789", "一二三四五六七八九", strict=True))
#: "every pedestrian", "all the cars", "both cyclists": how many, said before the thing
_HOW_MANY_EN = re.compile(r"\b(all|every|each|both)\b(?:\s+(?:of\s+)?(?:the|those|these)\b)?")
_HOW_MANY_ZH = re.compile(
    r"所有|全部|全都|每个|每一个|(?:都|全)(?:给)?(?:去掉|删|去除|移除|弄掉|[pP]掉|拿掉|抹掉|擦掉|干掉)"
)


def object_phrase(t: str) -> str | None:
    """The object phrase after a removal verb, qualifiers kept: "remove the grey car parked
    on the left from the video" → "grey car parked on the left". How many and which one stay
    in it ("every pedestrian", "所有路人", "左边第二辆车", "the third person from the left"):
    the object chooser reads them from these words alone."""
    p = _object_phrase(t)
    if not p or not object_words(p):
        return p
    if p.isascii():
        p = re.sub(r"\b(1st|2nd|3rd|4th|5th)\b", lambda m: _ORDINAL_EN[m.group(1)], p)
        q = _HOW_MANY_EN.search(t)
        if q and not _HOW_MANY_EN.search(p) and t.find(q.group(0)) < t.find(p.split()[0]):
            p = f"{q.group(1)} {p}"
        return p
    p = re.sub(r"第\s*([1-9])(?!\d)", lambda m: "第" + _ZH_DIGIT[m.group(1)], p)
    p = re.sub(r"(?:也|都|全部|全都|全|统统|通通|一起|吧)+$", "", p) or p
    many = _HOW_MANY_ZH.search(t)
    if many and many.group(0)[0] in "都全" and re.search(r"和|跟|与|以及|、|还有", t):
        many = None  # "把左边的车和右边的人都去掉": 都 is both of those, not every one
    if many and not re.search(r"所有|全部|每个|每一个", p):
        p = "所有" + p
    return p


def _object_phrase(t: str) -> str | None:
    terse = re.search(r"^(?:the\s+)?([a-z][a-z ]{1,40}?)\s+(?:remove|delete|erase|be gone|out)$", t)
    if (
        terse
        and object_words(terse.group(1))
        and not re.match(r"(?:take|get|cut|keep)\b", t)
        and not re.search(r"\b(?:be|should|must|needs?|has to|can|could)\b", terse.group(1))
    ):
        return _clean(terse.group(1))
    m = re.search(
        r"^(?:can|could|would|should|will)\s+(.+?)\s+be\s+(?:removed|deleted|erased|taken out)\b|"
        # "can the blue bins go?": asked, a removal
        r"^(?:can|could|may)\s+((?:the|that|this|those|these)\s+.+?)\s+(?:go|disappear|vanish)"
        r"(?: away)?(?=\s*(?:$|[?.!,;]|please\b|pls\b|too\b|as well\b))|"
        # "the man in the grey coat who walks past should be taken out"
        r"^(.+?)\s+(?:who|that|which)\s+.*?\s+(?:should|must|needs? to|has to|can|could)\s+be\s+"
        r"(?:removed|deleted|erased|taken out|cut out|edited out)\b",
        t,
    )
    if m:
        return _clean(next((g for g in m.groups() if g), "")) or None
    m = (
        re.search(r"\bmake\s+(.+?)\s+(?:disappear|vanish|go away)\b", t)
        or re.search(rf"\bmake\s+(?:disappear|vanish|go away)\s+(.+?)(?={_STOP})", t)
        or re.search(
            r"\b(?:want|need|have|get|like)\s+(.+?)\s+(?:removed|gone|deleted|erased|taken out|"
            r"out of (?:the )?"
            r"(?:shot|video|frame|picture))\b|^(.+?)\s+(?:has to|have to|needs to|need to|must|"
            r"should) (?:go|"
            r"be removed|disappear)\b|"
            # "i need the red bike gone": what is wanted gone, not who wants it
            r"^(?:i|we)\s+(?:want|need|would like|'d like)\s+(.+?)\s+(?:gone|removed|deleted|"
            r"erased)$|^(.+?)\s+(?:gone|removed|deleted|erased)$",
            t,
        )
    )
    if m:
        return _clean(next((g for g in m.groups() if g), "")) or None
    m = re.search(r"\b(?:photoshop|take|get|cut|edit|paint|keep)\s+(.+?)\s+(?:out|off)\b", t)
    if m:
        return _clean(m.group(1) or m.group(2)) or None
    m = re.search(
        r"\b(?:remove|delete|erase|eliminate|get rid of|take out|take away|wipe out|wipe|edit out|"
        r"paint out|photoshop out|clean out|clear out|clean up|cut out|ditch|scrub|strip out|lose|"
        r"drop|"
        r"kill|hide|mask out|blot out|nuke|zap|axe)\s+"
        rf"(?:all\s+(?:of\s+)?)?(.+?)(?={_STOP})",
        t,
    )
    if m:
        allw = "all " if re.search(r"\b(?:remove|delete|erase|get rid of)\s+all\b", t) else ""
        p = _clean(m.group(1))
        return (allw + p).strip() or None
    # "只去掉骑车的人", "就删掉那辆车": the adverb is not the thing
    t = re.sub(
        r"^(?:只|只要|只需要?|就|也|再|那就)(?=去掉|去除|删掉|删除|移除|抹掉|擦掉|[pP]掉)", "", t
    )
    zh = re.search(
        r"把(.+?)(?:给|都|全)?(?:去掉|去除|删掉|删了|删除|移除|抹掉|擦掉|擦除|[pP]掉|弄掉|拿掉|"
        r"消除|清除|干掉|去了|去一下|去下(?!载))"
        # the thing after the verb — not a particle, a thanks or the rest of the sentence
        # ("…可以帮我移除吗？感谢", "…给我消除掉 整干净点")
        r"|(?:去掉|去除|删掉|删除|移除|抹掉|擦掉|擦除|[pP]掉|消除|清除|干掉)掉?(?:视频|画面)?(?:里|"
        r"中(?!间)|上)?的?(?:一下)?(?![吗吧呢啊呀了?？!！,，。~～\s]|谢|感谢)(.+?)(?:吧|吗|$|，|。)"
        # the thing before the verb — not the request words alone ("能帮我移除背景里的…")
        r"|^(?!(?:请|你|您|我|能不能|能否|可不可以|可以|能|麻烦|帮我|给我|帮忙|\s)*(?:给|都|全)?"
        r"(?:去掉|删掉|删了|[pP]掉|抹掉|擦掉|弄掉|拿掉|干掉|去除|删除|移除|消除|清除))"
        r"(.+?)(?:给|都|全)?(?:去掉|删掉|删了|P掉|p掉|抹掉|擦掉|弄掉|拿掉|干掉|去除|删除|移除|消除|"
        r"清除)",
        t,
    )
    if zh:
        p = next(g for g in zh.groups() if g is not None)
        pieces = re.split(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", p.strip())
        if len(pieces) > 1:
            # "我昨天在楼下拍的 左边停了辆灰色的车特别丑 能帮我P掉吗": a space between Chinese
            # words is a pause; the thing is in the last stretch that names one
            named = [x for x in pieces if object_words(x)]
            p = named[-1] if named else p
        # a complaint after the thing is not part of it ("…的车特别丑", "…那个人好烦")
        p = re.sub(
            r"(?<=[\u4e00-\u9fff])(?:特别|太|好|很|真|超|挺|有点|非常|巨)?(?:丑|烦|碍眼|难看|多余|"
            r"讨厌|挡|影响画面|抢戏|出戏|辣眼睛?|煞风景)(?:了|啊|呀|死了)*(?:救命|无语|服了)?$",
            "",
            p,
        )
        p = re.sub(r"[吧了啊呀吗呢嘛]+$", "", p)
        p = re.sub(r"^(?:结果|但是|可是|不过|然后|就是|而且|因为|所以|还有)", "", p)
        p = p.strip(" ?？!！,，。~")
        p = re.sub(
            r"^(?:帮我|请|给我|你们|你|麻烦|能不能|能否|可不可以|可以|能)+(?:帮我|给我)?", "", p
        )
        # "骑自行车的那个人能帮我P掉吗": the request words trail the object
        p = re.sub(
            r"(?:你)?(?:能不能|能否|可不可以|可以|能|麻烦)?(?:帮我|给我|帮忙)(?:把)?$", "", p
        )
        p = re.sub(r"^把", "", p)
        p = re.sub(
            r"(?:视频|画面|镜头)(?:里面?|中|上)(?!间)的?|(?:那|这|一)(?:一)?(?:辆|台|部|个|位|只|条|棵|根|"
            r"块|张|群|对|件|堆)|那些|这些|一下|所有的",
            "",
            p,
        )
        return p.strip() or None
    return None


def is_background_only(phrase: str) -> bool:
    """The phrase names the background itself, not a thing in it."""
    p = re.sub(r"^(?:the|my|this|that)\s+", "", phrase.strip())
    return bool(
        re.fullmatch(
            r"(?:whole |entire )?(?:background|backdrop|bg|back ground|背景|视频背景|画面背景)", p
        )
    )


def _stem(f: dict[str, Any]) -> str:
    return simplified(str(f.get("filename", "")).lower()).rsplit(".", 1)[0]


_PRESETS = {
    "beach": "beach",
    "office": "office",
    "studio": "studio",
    "海滩": "beach",
    "沙滩": "beach",
    "海边": "beach",
    "seaside": "beach",
    "ocean": "beach",
    "办公室": "office",
    "摄影棚": "studio",
    "演播室": "studio",
    "演播厅": "studio",
    "影棚": "studio",
    "摄影室": "studio",
    "工作室": "studio",
}


_BEST_QUALITY = re.compile(
    r"\b(?:best|highest|top|max(?:imum)?|finest) quality\b|\bhigh[- ]quality\b|"
    r"最佳质量|最高质量|最好的质量|高质量|精细"
)


def background(
    t: str, files: list[dict[str, Any]], has_music: bool
) -> tuple[str, dict[str, Any]] | None:
    """("replace_background", args) or ("clarify", {}) for a clause about the background;
    "best quality" asks for the slower, finer matte."""
    found = _background(t, files, has_music)
    if found is not None and found[0] == "replace_background" and _BEST_QUALITY.search(t):
        return found[0], {**found[1], "quality": "best"}
    return found


def _background(
    t: str, files: list[dict[str, Any]], has_music: bool
) -> tuple[str, dict[str, Any]] | None:
    from nemo_widgets.engine.agent.language.intents import colour_in, shaded

    bare = t
    for f in files:  # "add backdrop.jpg to the timeline": a file's name says no "background"
        bare = bare.replace(simplified(str(f.get("filename", "")).lower()) or "\0", " ")
    if not lx.BACKGROUND.search(bare) or re.search(
        r"背景音乐|background (?:music|song|track|audio|noise|sound)", t
    ):
        return None
    img = next(
        (
            f
            for f in files
            if f.get("file_type") == "image"
            and (
                simplified(str(f.get("filename", "")).lower()) in t
                or re.search(
                    rf"(?<![a-z0-9]){re.escape(_stem(f))}(?![a-z0-9])",
                    t,
                )
            )
        ),
        None,
    )
    if re.search(
        r"(?<![a-z])blur|\bbokeh\b|\bportrait mode\b|人像模式|\bout of focus\b|\bdefocus|"
        r"\bsoft(?:en|er)?\b|"
        r"\bfuzzy\b|\bdepth of field\b|"
        r"虚化|模糊|景深|虚一点|虚掉|(?:弄|搞|打)?糊(?:掉|一点|一下|一些|些|了|化)|弄糊|搞糊",
        t,
    ):
        return "replace_background", {"mode": "blur"}
    if re.search(r"\bgreen ?screen\b|\bchroma\b|绿幕", t):
        return "replace_background", {"mode": "color", "value": "green"}
    if img is not None:
        return "replace_background", {"mode": "image", "value": img["filename"]}
    if re.search(
        r"\b(?:my|the|an?|uploaded) (?:image|picture|photo|pic)\b|图片|照片|(?:那|这)张图|"
        r"(?:传|上传)的(?:那张|这张)?图",
        t,
    ):
        imgs = [f for f in files if f.get("file_type") == "image"]
        if len(imgs) == 1:
            return "replace_background", {"mode": "image", "value": imgs[0]["filename"]}
        return "clarify", {"why": "which_image"}
    if re.search(
        r"\btransparent\b|\bcut (?:me|him|her|them|the person) out\b|\bisolate\b|抠像|抠图|抠掉|"
        r"抠出|透明|"
        r"去掉背景|"
        r"去除背景|删掉背景|删除背景|背景去掉|背景删掉|背景去除",
        t,
    ) or (lx.REMOVE.search(t) and not re.search(r"\b(?:with|to|into|instead)\b|换成|改成", t)):
        return "replace_background", {"mode": "transparent"}
    dest = re.search(r"\b(?:with|to|into|for|of)\s+(.+)$|(?:换成|改成|变成|换为|改为|成)(.+)$", t)
    where = (dest.group(1) or dest.group(2)) if dest else t
    colour = colour_in(where) or colour_in(t)
    for word, preset in _PRESETS.items():
        if re.search(rf"\b{word}\b" if word.isascii() else word, where):
            return "replace_background", {"mode": "preset", "value": preset}
    if colour:
        return "replace_background", {"mode": "color", "value": shaded(colour, t, anywhere=True)}
    if re.search(r"纯色|单色|\b(?:solid|plain|single|one) colou?r\b|\ba colou?r\b", t):
        return "clarify", {"why": "which_background"}  # "换成纯色的": which colour?
    if re.search(
        r"预设|模板|自带|内置|默认|\bpresets?\b|\bdefault\b|\bbuilt-?in\b|\btemplates?\b", t
    ):
        return "replace_background", {"mode": "preset", "value": "studio"}  # "用你们自带的模板"
    m = re.search(
        r"\b(?:with|to|into|for)\s+(?:a |an |the |some )?([a-z][a-z ]{2,30}?)(?:\s+(?:background|"
        r"backdrop|scene|one))?\s*$|(?:换成|改成|变成)(.+?)(?:背景)?$",
        t,
    )
    if (
        m
        and (v := (m.group(1) or m.group(2) or "").strip())
        and not re.search(r"^(?:something|it|this|that)\b", v)
    ):
        return "replace_background", {"mode": "preset", "value": v}
    named = re.search(
        r"(?:换个|换一个|换成一个|来个|来一个|弄个|搞个|整个|加个|用|要|放个|换)\s*(?P<a>[^\s，,。]{1,10}?)"
        r"(?:的)?\s*(?:当|做|作|作为)?背景|背景(?:用|是|要|放|弄成|搞成|整成|来个|来一个|换个|换成)\s*(?P<b>[^\s，,。]{1,10}?)"
        r"(?:的|吧|那种|之类的)*$|"
        r"\b(?:put|place|show|add)\s+(?:a |an |the |some )?(?P<c>[a-z][a-z ]{2,30}?)\s+behind "
        r"(?:me|us|him|her|them|the (?:person|people|speaker|subject))\b|"
        r"\b(?:put|place|stand|set|stick|show|teleport)\s+(?:me|us|him|her|them)\s+(?:in front of|"
        r"on|at|in|into)\s+(?:a |an |the |some )?(?P<d>[a-z][a-z ]{2,30}?)\s*$",
        t,
    )
    v = next((g for g in named.groups() if g), "").strip() if named else ""
    if v and not re.search(
        r"^(?:别|其他|其它|新|好看|漂亮|美|酷|高级|一个|个|不同|一样|这|那|啥|什么|更|点|something|it|this|that|"
        r"different|new|nice|another|other)",
        v,
    ):
        # "换个星空背景", "用雪山当背景", "背景用夜景", "put a starry sky behind me": a scene named
        return "replace_background", {"mode": "preset", "value": v}
    if re.search(r"\b(?:clean|professional|plain|neutral|nicer|better)\b|干净|专业|简洁", t):
        return "replace_background", {"mode": "preset", "value": "studio"}
    return "clarify", {"why": "which_background"}
