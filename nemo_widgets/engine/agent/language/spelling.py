"""Step 1b of understanding: what people actually type, spelled one way.

- Traditional Chinese as Simplified (幫我把車刪掉 → 帮我把车删掉), with :mod:`zhconv`;
- English words typed inside a Chinese sentence (把 bgm 关掉, 加个 title 叫 Hello,
  帮我 trim 到 10s) as the Chinese words the grammar knows;
- chat shorthand (rmv, vol, vid, ppl, w/o …) as the words;
- numbers written as words (twenty five percent, nine point five seconds, one point two
  five times) as digits, with :mod:`text_to_num`;
- whether a word is an English word at all (:mod:`spellchecker`'s frequency list), so that a
  typo of a verb ("splt", "speeed", "trimm") is corrected and a real word never is.

Each library is optional: without it that step is skipped, never an error.
"""

from __future__ import annotations

import functools
import re

# -- Traditional → Simplified -------------------------------------------------------------------


@functools.cache
def _zhconv():  # the module or None
    try:
        import zhconv

        return zhconv
    except ImportError:  # pragma: no cover - engine extra not installed
        return None


def simplified(text: str) -> str:
    """Traditional characters as Simplified; other text unchanged."""
    zc = _zhconv()
    if zc is None or not re.search(r"[\u4e00-\u9fff]", text):
        return text
    return zc.convert(text, "zh-cn")


#: Words of Taiwan and Hong Kong usage as the mainland words the grammar keys on.
_REGIONAL = [
    ("直式", "竖屏"), ("横式", "横屏"), ("(?<=[成为])直的", "竖的"), ("直版", "竖版"),
    ("影片", "视频"), ("汇出", "导出"), ("音讯", "音频"), ("物件", "物体"),
    ("(?<!恢)复原(?!速)", "撤销"), ("档案", "文件"), ("删去", "删掉"),
    # Cantonese, written: 唔好 = 不要, 細啲 = 小一点, 刪走佢 = 删掉它, 嗰架 = 那辆 …
    ("唔好", "不要"), ("唔使", "不用"), ("唔该", "请"), ("(?<=[细小])啲", "一点"),
    ("(?<=[大快慢长短高低])啲", "一点"), ("细(?=一点)", "小"), ("细声", "小声"),
    ("大声啲", "大声一点"), ("删走|剪走|攞走|拎走", "删掉"), ("熄咗|熄埋|熄", "关掉"),
    ("(?<=[删去剪关改])咗", "掉"), ("咗", "了"), ("佢", "它"),
    ("[嗰𠮶](?:架|个|只|条|位|啲)?", "那个"), ("呢(?:个|架|只|条|段|啲)", "这个"),
    ("咩", "什么"), ("喺", "在"), ("最尾", "最后"), ("入面", "里面"), ("(?<=改)做", "成"),
    (r"同(?=\S{1,8}有什么分别)", "跟"), ("分别", "区别"), ("就得", "就行"),
    ("私家车", "轿车"), ("(?<=[将把])片(?=里面)", "视频"), ("睇", "看"), ("几多", "多少"),
    ("点样", "怎么"), ("(?<=做)啲(?=什么)", ""),
    # Pinyin input's sound-alikes of the words the grammar keys on: 虚话 (虚化), 标提 (标题),
    # 分隔一下 (分割), and 撤 (take down) for a thing that goes — 撤销/撤回 stay undo
    ("虚话", "虚化"), ("标提", "标题"), ("分隔(?=一下|开|成|为|两)", "分割"),
    ("撤(?:了|掉|下来|下去|走)", "去掉"),
]  # fmt: skip


def as_typed(phrase: str, raw: str) -> str:
    """A phrase read from the Simplified text, in the characters the user typed
    ("银色的车" → "銀色的車" when they wrote Traditional)."""
    if not re.search(r"[\u4e00-\u9fff]", phrase):
        return phrase
    low = raw.lower()
    conv = simplified(low)
    if conv == low or len(conv) != len(low):
        return phrase
    i = conv.find(phrase)
    return raw[i : i + len(phrase)] if i >= 0 else phrase


def regional(text: str) -> str:
    for a, b in _REGIONAL:
        text = re.sub(a, b, text)
    return text


# -- English inside Chinese ---------------------------------------------------------------------
_MIXED = [
    (r"(?:remove|delete|erase|rmv|rm|del|get rid of|cut out)\s*(?:掉|了)?", "删掉"),
    (r"trim(?:med)?\s*(掉|到|成)", r"剪\1"),
    (r"cut\s*(?=(?:from\s*)?\[?\s*(?:\d|\x00))", "剪掉"),  # "cut [4.2, 9.8]": that span goes
    (r"(?:trim|cut)\s*(?:off)?", "剪"),
    (r"split", "分割"),
    (r"fade\s*in", "淡入"),
    (r"fade\s*out", "淡出"),
    (r"fade", "淡出"),
    (r"slow\s*mo(?:tion)?|slo-?mo", "慢动作"),
    (r"titles?", "标题"),
    (r"captions?|subtitles?|subs", "字幕"),
    (r"text", "文字"),
    (r"music|songs?|bgm|soundtrack", "音乐"),
    (r"volume|vol", "音量"),
    (r"audio|sound", "声音"),
    (r"speed", "速度"),
    (r"(?:videos?|clips?|vid)(?!\s*#?\d)", "视频"),  # "clip 2" stays a clip's number
    (r"background|backdrop|bg", "背景"),
    (r"blur(?:red)?", "模糊"),
    (r"mute", "静音"),
    (r"unmute", "取消静音"),
    (r"undo", "撤销"),
    (r"redo", "重做"),
    (r"export|render|download", "导出"),
    (r"features?|functions?", "功能"),
    (r"help", "帮助"),
    (r"vertical|portrait", "竖屏"),
    # a vertical platform named in English ("转成reels的尺寸", "tiktok的比例")
    (r"reels?|tiktok|tik tok|(?:youtube |yt )?shorts|(?:ig |insta )?stor(?:y|ies)", "竖屏"),
    (r"horizontal|landscape", "横屏"),
    (r"add", "加"),
    (r"top", "顶部"),
    (r"bottom", "底部"),
    (r"cent(?:er|re)|middle", "中间"),
    (r"red", "红色"), (r"blue", "蓝色"), (r"green", "绿色"), (r"yellow", "黄色"),
    (r"white", "白色"), (r"black", "黑色"), (r"pink", "粉色"), (r"orange", "橙色"),
    (r"credits?|balance", "积分"),
    (r"status", "状态"),
]  # fmt: skip
_MIXED_RX = [(re.compile(rf"(?<![a-z]){a}(?![a-z])"), b) for a, b in _MIXED]
#: After these the words are the title's own ("加个标题叫 Music Time"): left as typed.
_WORDS_FOLLOW = re.compile(r"叫做?|写着|写上|写|内容是|内容为|显示|说|[:：]")


def mixed(text: str, protect: set[str] | frozenset[str] = frozenset()) -> str:
    """English words in a Chinese sentence → the Chinese words (before any title text);
    file names and the words of ``protect`` (the uploads' names) stay as typed."""
    if not re.search(r"[\u4e00-\u9fff]", text) or not re.search(r"[a-z]", text):
        return text
    m = _WORDS_FOLLOW.search(text)
    head, tail = (text[: m.end()], text[m.end() :]) if m else (text, "")
    kept: list[str] = []

    def hide(m: re.Match[str]) -> str:
        if "." not in m.group(0) and m.group(0) not in protect:
            return m.group(0)
        kept.append(m.group(0))
        return f"\x00{len(kept) - 1}\x00"

    head = re.sub(r"[a-z0-9_\-]+(?:\.[a-z0-9]+)?", hide, head)
    for rx, zh in _MIXED_RX:
        head = rx.sub(f"\x01{zh}\x02", head)
    head = re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], head)
    head = _spaced_words(head)
    return head + tail


def _spaced_words(head: str) -> str:
    """ "把 bgm 关掉": the spaces typed around an English word (both sides, or one side and the
    text's end) go with it; "竖屏 加bgm": a space between two Chinese words stays (it may
    separate two steps). The words are marked \x01…\x02 by :func:`mixed`."""
    out: list[str] = []
    pos = 0
    for m in re.finditer(r"\x01([^\x02]*)\x02", head):
        before, after = head[: m.start()], head[m.end() :]
        left = re.search(r"\s+$", before)
        right = re.match(r"\s+", after)
        if (left or not before.strip()) and (right or not after.strip()):
            keep = head[pos : left.start()] if left else head[pos : m.start()]
            out += [keep, m.group(1)]
            pos = m.end() + (right.end() if right else 0)
        else:
            out += [head[pos : m.start()], m.group(1)]
            pos = m.end()
    out.append(head[pos:])
    return "".join(out).strip()


# -- shorthand ------------------------------------------------------------------------------------
_SHORT = {
    "rmv": "remove", "rm": "remove", "del": "delete", "vol": "volume", "vid": "video",
    "vids": "videos", "ppl": "people", "pic": "picture", "txt": "text", "msc": "music",
    "bgm": "music", "ur": "your", "thx": "thanks", "ty": "thanks", "b4": "before",
    "gonna": "going to", "wanna": "want to", "gotta": "have to", "abt": "about",
    "pos": "position", "spd": "speed", "dur": "duration", "sec": "sec", "w/o": "without",
    "w/": "with", "bc": "because", "cuz": "because", "coz": "because", "ok": "ok",
}  # fmt: skip
_SHORT_RX = re.compile(r"(?<![\w/])(" + "|".join(re.escape(k) for k in _SHORT) + r")(?![\w/])")


def shorthand(text: str) -> str:
    text = re.sub(
        r"\bad(?= (?:a|an|the|some|music|a title|title|text|subtitles?|captions?|fade|bgm)\b)",
        "add",
        text,
    )  # "ad a title", a typo, not an advert
    return _SHORT_RX.sub(lambda m: _SHORT[m.group(1)], text)


# -- numbers as words -----------------------------------------------------------------------------
@functools.cache
def _alpha2digit():  # the function or None
    try:
        from text_to_num import alpha2digit

        return alpha2digit
    except ImportError:  # pragma: no cover - engine extra not installed
        return None


_ORDINAL = re.compile(
    r"\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|half|"
    r"quarter|thirds?|quarters?|halves)\b"
)


def number_words(text: str, protect: set[str] | frozenset[str] = frozenset()) -> str:
    """ "twenty five percent" → "25 percent", "nine point five" → "9.5", "a minute and a
    half" → "90 seconds"; "this one", "cut it in two" stay words."""
    t = re.sub(r"\ba minute and a half\b|\bone and a half minutes?\b", "90 seconds", text)
    t = re.sub(r"\bhalf a minute\b", "30 seconds", t)
    t = re.sub(r"\b(one|two|three|four|five) and a half\b", lambda m: f"{m.group(1)} point five", t)
    a2d = _alpha2digit()
    if a2d is not None and re.search(r"[a-z]", t):
        # ordinals stay words ("the first second", "the third clip"): only amounts change
        kept: list[str] = []

        def hide(m: re.Match[str]) -> str:
            kept.append(m.group(0))
            return f"qq{'z' * len(kept)}qq"

        masked = t
        if protect:  # the uploads' names ("twenty.mp3", "second.mp4") stay as typed: first,
            # before an ordinal inside one is hidden on its own
            masked = re.sub(
                r"[a-z0-9_\-]+(?:\.[a-z0-9]+)?",
                lambda m: hide(m) if m.group(0) in protect or "." in m.group(0) else m.group(0),
                masked,
            )
        masked = _ORDINAL.sub(hide, masked)
        try:
            masked = a2d(masked, "en")
            t = re.sub(r"qq(z+)qq", lambda m: kept[len(m.group(1)) - 1], masked)
        except Exception:  # a library edge case must not stop the planner
            pass
    t = re.sub(r"(?<![\d.])\bpoint (\d+)\b", r"0.\1", t)  # "point five" → 0.5
    t = re.sub(r"\b(\d+)\s*point\s*(\d+)\b", r"\1.\2", t)
    # "twelve and a half seconds", "2 and a half minutes": any count and a half, not only 1-5
    t = re.sub(
        r"\b(\d+) and a half (minutes?|mins?)\b",
        lambda m: f"{int(m.group(1)) * 60 + 30} seconds",
        t,
    )
    return re.sub(r"(?<![\d.])\b(\d+) and a half\b", r"\1.5", t)


# -- is it an English word? -----------------------------------------------------------------------
@functools.cache
def _speller():  # a SpellChecker or None
    try:
        from spellchecker import SpellChecker

        return SpellChecker(language="en", distance=1)
    except Exception:  # not installed, or no dictionary
        return None


def is_word(w: str) -> bool | None:
    """True when ``w`` is an English word (or a common inflection of one); None when no
    dictionary is installed (the caller falls back to its own list)."""
    sp = _speller()
    if sp is None:
        return None
    return w in sp.word_frequency


def frequency(w: str) -> int:
    """How common an English word is (0 when unknown or without a dictionary)."""
    sp = _speller()
    return int(sp.word_frequency[w]) if sp is not None else 0


__all__ = [
    "as_typed",
    "frequency",
    "is_word",
    "mixed",
    "number_words",
    "regional",
    "shorthand",
    "simplified",
]


def warm() -> None:
    """Load the dictionaries now (≈ 0.6 s, on a thread at engine start), not on the first
    message a user types."""
    zc = _zhconv()
    if zc is not None:
        zc.convert("影片", "zh-cn")
    _alpha2digit()
    _speller()
