"""From what people say to what a COCO detector knows: labels, synonyms and qualifiers.

"remove the red van parked on the left" → label ``truck``, colour ``red``, motion ``still``,
side ``left``. Shared by the agent (to understand) and object removal (to pick the instance).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

COCO = (
    "person",
    "bicycle",
    "car",
    "motorcycle",
    "airplane",
    "bus",
    "train",
    "truck",
    "boat",
    "traffic_light",
    "fire_hydrant",
    "stop_sign",
    "parking_meter",
    "bench",
    "bird",
    "cat",
    "dog",
    "horse",
    "sheep",
    "cow",
    "elephant",
    "bear",
    "zebra",
    "giraffe",
    "backpack",
    "umbrella",
    "handbag",
    "tie",
    "suitcase",
    "frisbee",
    "skis",
    "snowboard",
    "sports_ball",
    "kite",
    "baseball_bat",
    "baseball_glove",
    "skateboard",
    "surfboard",
    "tennis_racket",
    "bottle",
    "wine_glass",
    "cup",
    "fork",
    "knife",
    "spoon",
    "bowl",
    "banana",
    "apple",
    "sandwich",
    "orange",
    "broccoli",
    "carrot",
    "hot_dog",
    "pizza",
    "donut",
    "cake",
    "chair",
    "couch",
    "potted_plant",
    "bed",
    "dining_table",
    "toilet",
    "tv",
    "laptop",
    "mouse",
    "remote",
    "keyboard",
    "cell_phone",
    "microwave",
    "oven",
    "toaster",
    "sink",
    "refrigerator",
    "book",
    "clock",
    "vase",
    "scissors",
    "teddy_bear",
    "hair_drier",
    "toothbrush",
)

#: What people say → COCO label (plurals are handled separately).
SYNONYMS: dict[str, str] = {
    # people
    "man": "person",
    "woman": "person",
    "men": "person",
    "women": "person",
    "guy": "person",
    "girl": "person",
    "boy": "person",
    "kid": "person",
    "child": "person",
    "children": "person",
    "pedestrian": "person",
    "people": "person",
    "someone": "person",
    "photobomber": "person",
    "passerby": "person",
    "passer-by": "person",
    "tourist": "person",
    "jogger": "person",
    "runner": "person",
    "cyclist": "person",
    "biker": "person",
    "lady": "person",
    "rider": "person",
    "dude": "person",
    "bloke": "person",
    "guys": "person",
    "walker": "person",
    "gentleman": "person",
    "teenager": "person",
    "teen": "person",
    "skater": "person",
    "男的": "person",
    "女的": "person",
    "人影": "person",
    "人": "person",
    **dict.fromkeys(
        (
            "小姐姐",
            "小哥哥",
            "小哥",
            "大叔",
            "大妈",
            "大爷",
            "阿姨",
            "大哥",
            "大姐",
            "姐姐",
            "哥哥",
            "男生",
            "女生",
            "男孩",
            "女孩",
            "小孩",
            "孩子",
            "姑娘",
            "小伙",
            "美女",
            "帅哥",
            "老人",
            "老太太",
            "老头",
        ),
        "person",
    ),
    "行人": "person",
    "路人": "person",
    "男人": "person",
    "女人": "person",
    # vehicles
    "automobile": "car",
    "vehicle": "car",
    "sedan": "car",
    "suv": "car",
    "taxi": "car",
    "cab": "car",
    "jeep": "car",
    "hatchback": "car",
    "车": "car",
    "汽车": "car",
    # a car named by its make ("the black BMW", "那辆特斯拉"): a car to the detector
    **dict.fromkeys(
        (
            "bmw",
            "beemer",
            "mercedes",
            "merc",
            "benz",
            "tesla",
            "toyota",
            "honda",
            "audi",
            "porsche",
            "volkswagen",
            "vw",
            "ford",
            "nissan",
            "hyundai",
            "kia",
            "mazda",
            "volvo",
            "lexus",
            "subaru",
            "prius",
            "宝马",
            "奔驰",
            "宾士",
            "特斯拉",
            "丰田",
            "本田",
            "奥迪",
            "保时捷",
            "福特",
            "沃尔沃",
            "比亚迪",
        ),
        "car",
    ),
    "轿车": "car",
    "van": "truck",
    "lorry": "truck",
    "pickup": "truck",
    "pickup truck": "truck",
    "minivan": "truck",
    "卡车": "truck",
    "货车": "truck",
    "面包车": "truck",
    "motorbike": "motorcycle",
    "scooter": "motorcycle",
    "moped": "motorcycle",
    "摩托车": "motorcycle",
    "电动车": "motorcycle",
    "电瓶车": "motorcycle",
    "电摩": "motorcycle",
    "e-scooter": "motorcycle",
    "bike": "bicycle",
    "cycle": "bicycle",
    "自行车": "bicycle",
    "单车": "bicycle",
    "coach": "bus",
    "公交车": "bus",
    "巴士": "bus",
    "tram": "train",
    "plane": "airplane",
    "aeroplane": "airplane",
    "ship": "boat",
    "船": "boat",
    # animals and things
    "puppy": "dog",
    "doggy": "dog",
    "狗": "dog",
    "kitten": "cat",
    "kitty": "cat",
    "猫": "cat",
    "bird": "bird",
    "鸟": "bird",
    "phone": "cell_phone",
    "mobile": "cell_phone",
    "smartphone": "cell_phone",
    "手机": "cell_phone",
    "mug": "cup",
    "杯子": "cup",
    "plant": "potted_plant",
    "sofa": "couch",
    "table": "dining_table",
    "television": "tv",
    "monitor": "tv",
    "bag": "handbag",
    "purse": "handbag",
    "luggage": "suitcase",
    "ball": "sports_ball",
    "sign": "stop_sign",
    # the same road sign said in Chinese (as "sign" is, the detector's nearest class)
    "路牌": "stop_sign",
    "路标": "stop_sign",
    "指示牌": "stop_sign",
    "标志牌": "stop_sign",
    "交通标志": "stop_sign",
    "traffic light": "traffic_light",
    "hydrant": "fire_hydrant",
    "瓶子": "bottle",
    "椅子": "chair",
    "伞": "umbrella",
}

COLOURS = {
    "red": "red",
    "blue": "blue",
    "green": "green",
    "yellow": "yellow",
    "white": "white",
    "black": "black",
    "grey": "grey",
    "gray": "grey",
    "silver": "grey",
    "orange": "orange",
    "brown": "brown",
    "purple": "purple",
    "pink": "pink",
    "红": "red",
    "蓝": "blue",
    "绿": "green",
    "黄": "yellow",
    "白": "white",
    "黑": "black",
    "灰": "grey",
    "银": "grey",
    "橙": "orange",
    "棕": "brown",
    "紫": "purple",
    "粉": "pink",
}

_STILL = (
    r"\b(parked|still|stationary|standing|sitting|static|not moving)\b|停着|停在|静止|站着|坐着"
)
_MOVING = (
    r"\b(moving|walking|driving|running|passing|crossing|riding|going by|drives? by|"
    r"walks? by|"
    # "the pedestrian who walks towards the camera", "the car that drives past"
    r"(?:who|that|which)\s+(?:is\s+)?(?:walks|drives|runs|passes|crosses|rides|moves|comes|goes|"
    r"cycles|jogs))\b|走|移动|开过|经过|跑|正在开|在开|开着|行驶|开走|开来|遛"
)
_BACK = (
    r"\b(in the background|background|far(?! (?:left|right|side|end))|distant|behind)\b|"
    r"背景|远处|后面"
)
_FRONT = r"\b(in the foreground|foreground|in front|front|close|near)\b|前景|前面|近处"
_ALL = r"\b(all|every|each|both)\b|所有|全部|每个"
#: "the second car from the left", "左边第二辆车": which one, counted across the frame
_ORDINAL = {
    **dict.fromkeys(("first", "1st", "一", "1"), 1),
    **dict.fromkeys(("second", "2nd", "二", "2"), 2),
    **dict.fromkeys(("third", "3rd", "三", "3"), 3),
    **dict.fromkeys(("fourth", "4th", "四", "4"), 4),
    **dict.fromkeys(("fifth", "5th", "五", "5"), 5),
}
_ORDINAL_RX = re.compile(
    r"\b(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\b(?!\s+(?:\d|time|half|clip|part|"
    r"second|seconds|frame|shot))|第\s*([一二三四五1-5])\s*(?:个|辆|台|位|只|部|棵)"
)


@dataclass(frozen=True)
class Target:
    """What to remove, as a detector query."""

    label: str | None
    words: str
    colour: str | None = None
    motion: str | None = None  # still | moving
    depth: str | None = None  # background | foreground
    side: str | None = None  # left | right | centre
    all: bool = False
    ordinal: int | None = None  # 2 for "the second (from the left)"

    def to_args(self) -> dict[str, object]:
        return {k: v for k, v in asdict(self).items() if v not in (None, False)}


def to_label(noun: str) -> str | None:
    """A COCO label for a noun phrase's head word ("red vans" → ``truck``)."""
    n = noun.lower().strip()
    if n in SYNONYMS:
        return SYNONYMS[n]
    if n.replace(" ", "_") in COCO:
        return n.replace(" ", "_")
    for cand in (n[:-1] if n.endswith("s") else None, n[:-2] if n.endswith("es") else None):
        if cand and (cand in SYNONYMS or cand in COCO):
            return SYNONYMS.get(cand, cand)
    # Chinese: the head is the last known word ("骑自行车的人" is a person), the longest of
    # those that end there ("自行车", not "车").
    hits = [w for w in SYNONYMS if not w.isascii() and w in n]
    return SYNONYMS[max(hits, key=lambda w: (n.rfind(w) + len(w), len(w)))] if hits else None


#: Where an English noun phrase's head ends: "the guy on the bike" is a person, "the man with
#: the umbrella" a man, "the kid next to the car" a kid — not the thing named after them.
_HEAD_END = re.compile(
    r"\s(?:who|that|which|with|w/?|on|in|at|wearing|riding|holding|carrying|walking|pushing|"
    r"pulling|near|next to|beside|behind|in front of|by|from|crossing|standing|sitting|driving|"
    r"parked|under|over|inside|outside|of|to|towards|along|leaning|using|eating|drinking|"
    r"talking|looking|playing)\b"
)


def _label_of(phrase: str) -> str | None:
    label = None
    for w in reversed(re.findall(r"[a-z][a-z\-]*|[\u4e00-\u9fff]+", phrase)):
        label = to_label(w)
        if label:
            break
    if label is None and phrase:
        label = to_label(phrase)
    return label


def _head(phrase: str) -> str:
    """The head of an object phrase: before a prepositional or relative part in English,
    after the last 的 in Chinese ("骑电动车的大哥" is a 大哥, not a 车)."""
    if re.search(r"[\u4e00-\u9fff]", phrase):
        if phrase.endswith("的") and re.search(r"骑|穿|戴|拿|背|推|牵|抱|开着|打着", phrase):
            return "人"  # "那个骑自行车的": the one riding it
        return phrase.rsplit("的", 1)[-1]
    m = _HEAD_END.search(phrase)
    return phrase[: m.start()] if m else phrase


#: Where a phrase turns to another thing ("the car behind the cyclist", "the man next to the
#: bike"): the object's own colour, side and depth are said before it.
_RELATION = re.compile(
    r"\s(?:(?:like\s+|just\s+|right\s+)?(?:behind|next to|beside|near|close to|in front of|by|"
    r"under|underneath|above|below|between|past|following|chasing|(?:to the )?(?:left|right) of)"
    r")\s+(?:the|a|an|that|this|those|these|my|his|her)\b.*$"
)


def _own_part(phrase: str) -> str:
    """The object phrase up to where it names another thing."""
    return _RELATION.sub("", phrase) if not re.search(r"[\u4e00-\u9fff]", phrase) else phrase


def parse_target(text: str, words: str | None) -> Target:
    """The object and its qualifiers from the whole instruction and the object phrase."""
    low = _own_part(text.lower())
    phrase = _own_part((words or "").lower())
    head = _head(phrase)
    label = (_label_of(head) if head.strip() and head != phrase else None) or _label_of(phrase)
    colour = next(
        (
            c
            for w, c in COLOURS.items()
            if re.search(rf"\b{w}\b" if w.isascii() else w, phrase or low)
        ),
        None,
    )
    motion = "moving" if re.search(_MOVING, low) else "still" if re.search(_STILL, low) else None
    depth = (
        "background" if re.search(_BACK, low) else "foreground" if re.search(_FRONT, low) else None
    )
    side = None
    if re.search(r"\b(on the |to the |at the )?left\b|左", low):
        side = "left"
    elif re.search(r"\b(on the |to the |at the )?right\b(?!\s+(?:there|here|now|away)\b)|右", low):
        side = "right"
    elif re.search(r"\b(centre|center|middle)\b|中间|中央", low):
        side = "centre"
    o = _ORDINAL_RX.search(phrase or low)
    ordinal = _ORDINAL[o.group(1) or o.group(2)] if o else None
    plural = bool(re.search(r"\b(people|men|women|children|cars|vans|trucks|persons|dogs)\b", low))
    many = bool(re.search(_ALL, low)) or plural
    return Target(label, words or "", colour, motion, depth, side, many and not ordinal, ordinal)


#: Colours that people use for the same paint or cloth: a "grey" car may read as silver,
#: white or black in the shade. A qualifier in a near colour ranks lower, never excludes.
NEAR_COLOURS: dict[str, set[str]] = {
    "grey": {"white", "black"},
    "white": {"grey"},
    "black": {"grey", "brown"},
    "red": {"orange", "pink", "purple", "brown"},
    "orange": {"red", "yellow", "brown"},
    "yellow": {"orange"},
    "brown": {"orange", "red", "black"},
    "pink": {"red", "purple"},
    "purple": {"blue", "pink"},
    "blue": {"purple", "green"},
    "green": {"blue", "yellow"},
}
