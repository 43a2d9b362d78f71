"""Steps 2 and 4: split the instruction into clauses, read each one (negated? a question?),
and put the steps in order — imagining each edit so the next one sees its result."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from nemo_widgets.engine.agent.language import lexicon as lx
from nemo_widgets.engine.agent.language.acts import (
    GREETING,
    HELP,
    MESSED,
    PERMIT,
    PREFER_BEFORE,
    REMARK,
    UNDO,
    is_question,
)
from nemo_widgets.engine.agent.language.clauses import imperative, split_clauses
from nemo_widgets.engine.agent.language.context import (
    ANSWERS,
    REFER,
    SAME,
    SPAN_VERB,
    VERB,
    fold,
    imagine,
    mentioned,
    new_one,
    noun_phrase,
    refine,
    split_piece,
    that_clip,
    topic_of,
)
from nemo_widgets.engine.agent.language.contrast import (
    INSTEAD,
    OTHERS_GO,
    REST_GOES,
    at_end,
    end_remark,
    join_points,
    keeps,
    repeat_verb,
    spaced,
    split_rest,
)
from nemo_widgets.engine.agent.language.guard import check
from nemo_widgets.engine.agent.language.intents import Step, clip_ref
from nemo_widgets.engine.agent.language.moods import (
    CORRECTS,
    NARRATION,
    PERMIT_AFTER,
    SAME_AS,
    THERE_IS,
    compares,
    corrected_words,
    earlier_spans,
    if_question,
    judged_part,
    narrated,
    negation,
    overlap,
    question,
    same_but_fit,
    swap,
)
from nemo_widgets.engine.agent.language.normalise import Norm, normalise
from nemo_widgets.engine.agent.language.objects import (
    NOUNS_EN,
    object_phrase,
    object_words,
)
from nemo_widgets.engine.agent.language.read import NO_CHANGE
from nemo_widgets.engine.agent.language.read import alternatives as _alternatives
from nemo_widgets.engine.agent.language.read import read as _read
from nemo_widgets.engine.agent.language.read import understand_clause as _understand
from nemo_widgets.engine.agent.language.removal import kept_other, qualified, recoloured
from nemo_widgets.engine.agent.language.respell import colour_typos, command_typos, object_typos
from nemo_widgets.engine.agent.language.session import Session
from nemo_widgets.engine.agent.language.settle import settle
from nemo_widgets.engine.agent.language.sound import drowned
from nemo_widgets.engine.agent.language.spans import (
    BEFORE_GOES,
    span_step,
    vague_middle,
)
from nemo_widgets.engine.agent.language.times import time_range
from nemo_widgets.engine.agent.language.wanted import (
    PURPOSE,
    REASON_AFTER,
    URGING,
    after_negation,
    cleaned,
    span_and_rest,
)


@dataclass
class Understanding:
    steps: list[Step] = field(default_factory=list)
    zh: bool = False
    skipped: list[Step] = field(default_factory=list)  # negated clauses when others act
    text: str = ""


#: A clause that says only how a new frame is filled ("crop the sides", "填满屏幕").
_FIT_ONLY = re.compile(
    r"^(?:and |but |just |please )?(?:crop|fill|zoom|cut off|no (?:black )?bars)\b.{0,30}$|"
    r"^(?:两边|左右|上下)?(?:裁掉|裁|填满|铺满|放大)(?:屏幕|画面|两边)?(?:吧)?$"
)


#: A sentence with a subject of its own: said about something, no modifier of the step before.
#: "i can barely hear the street sounds", "都听不到原声了": what a sound too loud does
_CANT_HEAR = re.compile(
    r"\b(?:can'?t|cannot|can not|can barely|can hardly|barely|hardly|could(?:n'?t| not| barely))"
    r" (?:really |even )?hear\b|听不(?:见|清|到)"
)
_STATEMENT = re.compile(
    # what it is for ("so I'd like a title…" is the request the story led to)
    r"^so (?:that )?(?!i'?d like|i would like|i want|i need|we need|we want|we'?d like)"
    r"(?:the|my|our|i|we|you|people|everyone|it)\b|"
    r"^(?:it'?s|its|that'?s|thats|there'?s)\s+(?:just|so|too|really|kinda|a bit|nothing|boring|"
    r"useless|pointless|where|when|ugly|bad|annoying|distracting)\b|"
    r"^(?:my|our|his|her|their|i|we|he|she|they|it|this|that|there|everyone|people|someone)\b\s+"
    r"(?:\w+\s+)?(?:will|would|is|was|are|were|has|had|have|'s|'ll|'d|think|thinks|feel|feels|"
    r"might|may|can'?t|cannot|won'?t|gets?|looks?|says?|said|ruins|spoils|bothers|annoys|"
    r"distracts|blocks|keeps|makes|[a-z]+ed)\b"
)
#: A correction's new value alone: "12", "15秒吧", "make that 12", "12 instead".
_BARE_VALUE = re.compile(
    r"(?:make (?:it|that) |to |at )?(\d+(?:\.\d+)?)\s*(?:s|secs?|seconds?|秒|x|倍|%)?\s*"
    r"(?:吧|呢|instead|then|please|pls)?"
)
#: A correction's new span alone: "5 to 18", "0:05-0:18", "5到18秒".
_BARE_RANGE = re.compile(
    r"(?:make (?:it|that) |from )?\d+(?:\.\d+)?\s*(?:s|secs?|seconds?|秒)?\s*(?:to|-|–|~|到|至)\s*"
    r"\d+(?:\.\d+)?\s*(?:s|secs?|seconds?|秒)?\s*(?:吧|instead|then|please)?"
)
#: "…, and leave the parked ones", "keep the cyclist": things that stay, after a removal.
_LEFT_ALONE = re.compile(
    r"^(?:and\s+|but\s+)?(?:leave|keep)\s+(?:the|those|that|this|all|every|any)\b|"
    r"^(?:但是?)?(?:保留|留着|留下|别动|不要动)"
)
#: "…, but not the blue one", "not the one driving past", "except the red one".
_EXCLUDED = re.compile(
    r"^(?:but\s+)?(?:not|except|excluding|apart from|other than)\s+(?:the|that|this|those|any)\b|"
    r"^(?:但是?|可是)?(?:不要|别|不是)(?:删|去掉|动)?(?:那|这)"
)


#: "for an IG post", "it's for my tiktok", "发小红书用的": where the video goes, said as a purpose.
_FOR_PLATFORM = re.compile(
    r"(?:it'?s |its |this is |that'?s |thats )?(?:for|on) (?:an? |my |the |our )?(?:\w+ ){0,2}"
    r"(?:post|story|stories|feed|reel|reels|upload|page|account|instagram|ig|insta|tiktok|youtube|"
    r"facebook|fb|shorts)|"
    r"(?:要|是)?(?:发|用在|放|传)(?:到|在)?\S{1,6}?(?:用的|用|的|上)"
)
#: "i don't want to post her on facebook", "不想把他发到网上": what the edit is for.
_NOT_SHARE = re.compile(
    r"(?:and |but |because |cause |since |so )?(?:i|we) (?:really )?(?:don'?t|do not|would not|"
    r"wouldn'?t|can'?t|cannot) (?:want to |like to |be )?(?:post|share|upload|show|publish|send|"
    r"put (?:him|her|them|it) (?:on|online)|embarrass|expose|tag)\b.*|"
    r"(?:因为)?(?:我)?(?:不想|不要|不能)(?:把(?:他|她|它|他们)?)?(?:发|传|晒|分享|上传|公开)(?:到|在)?"
    r"(?:网上|朋友圈|抖音|微博|小红书|群里|ins|脸书)?.*"
)
#: "turn it down", "lower it a bit", "把它调小": "it", after a complaint that one sound covers
#: the other, is the loud one.
_IT_DOWN = re.compile(
    r"(?:please |pls |just |so )?(?:(?:turn|bring|take|dial|knock|tone) (?:it|that|this|them) down|"
    r"(?:lower|reduce|soften|quieten) (?:it|that|this|them)|(?:make|get) (?:it|that|them) "
    r"(?:quieter|softer|lower))(?: (?:a bit|a little|a touch|some|please|pls))*|"
    r"(?:把它|把那个)?(?:调小|关小|降低|压低|小)(?:一)?(?:点|些|一下)?(?:吧)?"
)


def understand(text: str, state: dict[str, Any]) -> Understanding:
    """The whole instruction → ordered steps, each clause read on its own."""
    s = Session.of(state)
    norm: Norm = normalise(text, protect=s.names())
    s.raw = norm.raw
    norm.text = colour_typos(norm.text, NOUNS_EN)  # "the sliver car" is the silver one
    norm.text = object_typos(norm.text, NOUNS_EN)  # "the bycicle rider" is a bicycle's
    norm.text = kept_other(norm.text)  # "remove the red car but not the blue one"
    u = Understanding(zh=norm.zh, text=norm.raw)
    if not norm.text or GREETING.fullmatch(norm.text):
        # nothing, or only "hi!": what can be done here
        u.steps.append(Step("help", why="greeting" if norm.text else "empty"))
        return u
    if (asked := if_question(norm.text, norm.asked, s, norm.quotes)) is not None:
        u.steps.append(asked)  # "if I trim it to 10 s, does the music get shorter too?"
        return u
    context: list[str] = []
    prev: tuple[str, list[Step], Session] | None = None
    pending: tuple | None = None  # a span named without a verb ("the first 3 s are boring")
    pending_text = ""
    earlier: list[str] = []  # spans named before that one ("the first 2 s and the last 2 s, …")
    mention: tuple[str, str] | None = None  # "the title is hard to read, …"
    last_edit: Step | None = None
    clauses = [
        p
        for c in join_points(split_clauses(norm.text))
        for p in spaced(c, lambda x: _understand(x, s, norm.quotes, []))
    ]
    correcting = False
    ask_skips = False  # the clause after a "which did you mean?" about a thing in a span
    remarks: list[Step] = []  # questions a remark raised ("it's super loud")
    declined: tuple[str, str] | None = None  # what the negated clause before was about
    neg_core = ""  # the negated clause before, without its negation
    end_side: str | None = None  # "the intro is too long, …": the end the next clause means
    for i, clause in enumerate(clauses):
        said = clause.strip(" .!。！").lower()
        if (
            last_edit is not None
            and last_edit.tool == "remove_object"
            and (PURPOSE.search(said) or REASON_AFTER.search(said))
        ):
            # "…, I want an empty street", "…, it covers my shop sign": what the removal is
            # for, or why — not a second thing to remove
            continue
        if len(clauses) > 1 and URGING.fullmatch(clause.strip().lower()):
            continue  # "导出 快点": hurry, not a faster video
        c = cleaned(clause)
        if not c:
            continue
        if (
            i
            and any(not (st.tool == "clarify" and st.why == "unknown") for st in u.steps)
            and (
                (_STATEMENT.match(clause.strip().lower()) and not VERB.search(c))
                # "…，挡住招牌了" (it blocks the sign), "…，我后面要抠图" (what I'll do later): why
                or re.fullmatch(r"(?:它|这样)?(?:挡住|挡着|遮住|挡到|盖住)\S{0,8}了?", c)
                or re.match(
                    r"我(?:后面|之后|等下|等会|待会|回头|一会儿?|以后)(?:还)?(?:要|会|想|打算)", c
                )
            )
        ):
            continue  # "…, so the music carries it", "…, it's just nothing happening": why
        if (
            _CANT_HEAR.search(c)
            and not VERB.search(c)
            and any(
                st.tool in ("set_volume", "mute") and st.args.get("relative") != "up"
                for st in u.steps
            )
        ):
            continue  # "the music is way too loud, i can barely hear the street": why it goes down
        if any(st.tool == "set_aspect" for st in u.steps) and _FOR_PLATFORM.fullmatch(
            c.strip(" .!")
        ):
            continue  # "4:5 please, for an IG post, …": where it goes, the shape already said
        if u.steps and _NOT_SHARE.match(c):
            continue  # "…, I don't want to post her online": why, after the edit it explains
        if ask_skips:
            ask_skips = False
            if lx.REMOVE.search(c) and (re.search(REFER, c) or len(c) <= 6):
                continue  # "…, get rid of it": what the question just asked about
        if (
            (there := re.search(r"有(?:一)?(?:只|个|辆|条|位|台|群|头|匹)", c)) is not None
            and object_words(c[there.end() :])
            and (span := time_range(c[: there.start()], s.total)) is not None
            and span[2] == "range"
            and re.search(r"(?:删|去掉|剪|不要|弄掉|拿掉)", c[there.end() :])
        ):
            u.steps.append(Step("clarify", why="thing_or_span"))  # "3秒到6秒有只狗 删了"
            continue
        if compares(c, u.steps, s, norm.quotes, context):
            continue  # "背景改成蓝色 像绿幕那种纯色", "…, like a green screen": a comparison
        if neg_core or declined is not None:
            c = after_negation(c, clause, (neg_core, declined), s, norm, context)
        declined, neg_core = None, ""
        if end_side and (again := at_end(c, end_side)) is not None:
            c = again  # "the intro is too long, cut 3 seconds off it": the first 3 seconds
        end_side = end_remark(c)
        if end_side and i < len(clauses) - 1:
            continue  # a remark about one end: the next clause says what to do with it
        whole, (c, rest) = c, split_rest(c)
        if rest and not keeps(c) and (st := span_and_rest(c, s, norm, context)) is not None:
            u.steps.append(st)  # "前5秒 后面的不要": the span stays; "剪掉前5秒 后面的不要": ask
            if st.tool != "clarify":
                last_edit = st
                imagine(s, st)
            continue
        if u.steps and u.steps[-1].tool == "trim" and REST_GOES.fullmatch(c.strip(" .!。")):
            if prev is not None and (keeps(prev[0]) or not VERB.search(prev[0])):
                continue  # "保留前10秒，后面的不要", "从0:12到结尾，其他不要了": the kept part
            u.steps[-1] = Step("clarify", why="trim_which")  # "cut the first 5 s, the rest goes"
            continue
        if u.steps and re.fullmatch(
            r"(?:but |and )?no (?:music|songs?|bgm)(?: (?:though|please|thanks|for now))?",
            clause.strip(" ,.!").lower(),
        ):
            # "add a title 'Hi', no music though": not adding it, not removing what is there
            u.steps.append(Step("decline", {"what": "add_music"}, why="negated"))
            continue
        if prev is not None and lx.CORRECTION.fullmatch(clause.strip(" ,.!…").lower()):
            correcting = True  # "cut the first 5 seconds, no wait, the first 3"
            continue
        if prev is not None and (m := CORRECTS.match(clause.strip().lower())) is not None:
            correcting = True  # "cut the first 5 s, i mean the first 3"
            c = CORRECTS.sub("", c).strip() or c
        if (u.steps or i < len(clauses) - 1) and re.fullmatch(
            r"(?:but |and )?(?:keep|leave) (?:the )?(?:music|song|bgm|title|street sound|original "
            r"sound|sound|audio)(?: (?:as it is|as is|normal|on|playing|alone|the same|there))?|"
            r"(?:但是?)?(?:留着|保留|保持|不动)(?:背景)?(?:音乐|配乐|标题|原声|声音)(?:不变|不动)?|"
            r"(?:但是?)?(?:背景)?(?:音乐|配乐|标题|原声|声音)(?:就|也|先)?(?:留着|保留|不变|不动|别动|不用动|"
            r"保持(?:不变|原样|原来的样子)?|照旧)(?:就行|就好|吧)?",
            clause.strip(" ,.!。，").lower(),
        ):
            if not u.steps:
                mention = mentioned(c)  # "keep the music but lower it": "it" is the music
            continue  # "把原声关掉，留着音乐": what stays as it is; no step of its own
        if re.fullmatch(r"(?:just|only) (?:the )?(?:music|song|bgm)", clause.strip(" ,.!").lower()):
            c = "only the music"  # not "the music" (that would add it)
        if (HELP.search(clause) and not is_question(norm.asked, c)) or HELP.search(
            clause.strip(" ?？")
        ):
            u.steps.append(Step("help"))
            continue
        if prev is not None and (m := PERMIT_AFTER.fullmatch(c)) is not None:
            # "…, blurry sides is fine", "…，两边模糊就行": a detail of the step before
            detail = m.group(1) or m.group(2)
            merged = _read(prev[0] + " " + detail, prev[2], norm.quotes, context)
            if same_but_fit(prev[1], merged):
                swap(u.steps, prev[1], merged)
                prev = (prev[0] + " " + detail, merged, prev[2])
                continue
        if (
            prev is not None
            and any(st.tool == "set_aspect" for st in prev[1])
            and _FIT_ONLY.search(c)
            and not re.search(r"\d", c)
        ):
            # "make it 9:16 and fill the screen, crop the sides": how the frame is filled,
            # said again or said after — a detail of the aspect change, not a request of its own
            merged = _read(prev[0] + " " + c, prev[2], norm.quotes, context)
            if merged == prev[1] or same_but_fit(prev[1], merged):
                if merged != prev[1]:
                    swap(u.steps, prev[1], merged)
                prev = (prev[0] + " " + c, merged, prev[2])
                continue
        if lx.CANCEL.search(c):
            u.steps.append(Step("decline", why="cancel"))  # "is ok like this", "nah forget it"
            continue
        if u.steps and not UNDO.search(c) and re.fullmatch(r"(.{1,6}?)(?:[\s,，]*\1)+[!！~]*", c):
            continue  # "加速到2倍 快点快点", "…, quick quick": urging, said of the step before
        if REMARK.match(c):
            # "nice, the background looks better": nothing asked; "OK" if it is all there is
            if len(clauses) == 1:
                u.steps.append(Step("decline", why="cancel"))
            continue
        if MESSED.search(c) and any(UNDO.search(o) for o in clauses if o is not clause):
            continue  # "go back, I messed up the trim": the reason for the undo
        if PREFER_BEFORE.search(c):
            # "I liked it better before the trim, put it back": the undo, said once
            if not any(UNDO.search(o) for o in clauses if o is not clause):
                u.steps.append(Step("undo"))
            continue
        if (
            u.steps
            and u.steps[-1].tool == "remove_object"
            and isinstance(thing := u.steps[-1].args.get("target"), str)
            and (fixed := recoloured(clause, thing)) is not None
        ):
            u.steps[-1].args["target"] = fixed  # "…, actually it's more maroon than red"
            continue
        if (m := PERMIT.match(c)) is not None:
            # "…, it's ok to crop the sides": a detail of the step before, or a request alone
            if prev is None:
                c = c[m.end() :].strip() or c
            else:
                merged = _read(prev[0] + " " + c[m.end() :], prev[2], norm.quotes, context)
                if merged and [x.tool for x in merged] == [x.tool for x in prev[1]]:
                    swap(u.steps, prev[1], merged)
                    prev = (prev[0] + " " + c, merged, prev[2])
                continue
        if (
            u.steps
            and u.steps[-1].tool == "remove_object"
            and isinstance(u.steps[-1].args.get("target"), str)
            and (
                _EXCLUDED.match(c)
                or (_LEFT_ALONE.match(c) and (object_words(c) or re.search(r"\bones?\b|的", c)))
            )
        ):
            # "remove the red car but not the blue one": what stays, said after what goes —
            # fine when the thing asked for is already told apart (a colour, parked, a side);
            # "remove the car but not the red one" is an all-but removal: ask
            if not qualified(u.steps[-1].args["target"], c):
                u.steps[-1] = Step("clarify", why="remove_what")
            continue
        if context and (better := refine(c, context[-1])) is not None:
            context[-1] = better  # "…, it's the big one on the right"
            continue
        if (
            u.steps
            and u.steps[-1].tool == "remove_object"
            and isinstance(u.steps[-1].args.get("target"), str)
            and (better := refine(c, u.steps[-1].args["target"])) is not None
        ):
            u.steps[-1].args["target"] = better  # "get the bin out, the one on the right side"
            continue
        if prev is not None and (again := repeat_verb(c, prev[0])) is not None:
            c = again  # "split at 10 s and again at 20": the verb of the clause before
        if (m := INSTEAD.match(c)) is not None and i < len(clauses) - 1:
            c = "don't " + imperative(c[m.end() :])  # "instead of removing the music, mute it"
        c = narrated(c)
        if i and NARRATION.match(c) and not clause.rstrip().endswith(("?", "？")):
            continue  # "…, from 10 to 14 s, where I sneezed": what happened there, no request
        if u.steps and u.steps[-1].why == "drowned" and _IT_DOWN.fullmatch(c.strip(" .!。！")):
            continue  # "the song is louder than the voices, turn it down": the loud one, done
        if u.steps and u.steps[-1].why == "drowned":
            # "the music drowns out the voices, lower it to 15%": "it" is the loud one
            zh_it, en_it = (
                ("音乐", "the music")
                if u.steps[-1].args["target"] == "music"
                else ("原声", "the original sound")
            )
            c = re.sub(r"\b(?:it|that|them)\b", en_it, re.sub("它", zh_it, c, count=1), count=1)
        if s.music and (hit := drowned(c)) is not None:
            # "…, the music drowns my voice": the reason; alone, the loud one goes down a step
            rest = (c[: hit[1].start()] + " " + c[hit[1].end() :]).strip(" ,，了")
            said = _understand(rest, s, norm.quotes, context) if rest else None
            if said and all(st.tool in ("set_volume", "mute") for st in said):
                c = rest  # "原声再大一点 BGM把说话声盖住了": the request and its reason, one clause
            else:
                step = Step("set_volume", {"target": hit[0], "relative": "down"}, why="drowned")
                u.steps.append(step)
                continue
        if lx.NEGATION.search(c):
            st, declined, neg_core = negation(c, s, norm.quotes, norm.zh, context)
            u.steps.append(st)
            if st.tool not in NO_CHANGE:
                imagine(s, st)  # "no music" on a project with music: it goes
                last_edit = st
            continue
        if u.steps and u.steps[-1].tool == "answer" and SAME_AS.search(c):
            continue  # "what does mute do, is it the same as removing the music": one question
        if (asked := question(c, clause, norm.asked, s, norm.quotes, context)) is not None:
            u.steps += asked
            continue
        if u.steps and u.steps[-1].tool == "split" and (piece := split_piece(c, s)) is not None:
            u.steps.append(piece)  # "split at 10 and delete the second half": that piece goes
            last_edit = piece
            imagine(s, piece)
            continue
        if (
            u.steps
            and (u.steps[-1].tool == "split" or u.steps[-1].why == "cut_or_split")
            and re.search(
                r"\b(?:delete|remove|drop|lose|cut|get rid of|throw away|trash)\s+(?:the\s+)?"
                r"(?:rest|remainder|everything else|other part|second part)\b|剩下的|"
                r"后面的(?:都)?(?:删|不要|去掉)",
                c,
            )
        ):
            # "cut the video at 15 seconds and delete the rest": keep what comes before
            u.steps[-1] = Step("trim", {"start": 0.0, "end": u.steps[-1].args["at"]})
            continue
        if (
            correcting
            and prev is not None
            and len(prev[1]) == 1
            and "text" in prev[1][0].args
            and (words := corrected_words(c, s, norm.quotes, context))
        ):  # "add a title Hi, no wait, make it Hello": the words change, nothing else
            u.steps[-1] = Step(prev[1][0].tool, {**prev[1][0].args, "text": words})
            prev, correcting = (c, [u.steps[-1]], prev[2]), False
            continue
        if (
            correcting
            and prev is not None
            and prev[1]
            and (v := _BARE_VALUE.fullmatch(c.strip(" .!。！"))) is not None
            and re.search(r"\d", prev[0])
        ):
            # "trim to 10 s — no, 12", "剪到12秒，不对，15秒吧": the number said before, changed
            c = re.sub(r"\d+(?:\.\d+)?(?!.*\d)", v.group(1), prev[0])
            s = copy.deepcopy(prev[2])  # read against the project before the step it replaces
        elif (
            correcting
            and prev is not None
            and prev[1]
            and _BARE_RANGE.fullmatch(c.strip(" .!。！"))
            and len(new := re.findall(r"\d+(?:\.\d+)?", c)) == 2
            and len(old := list(re.finditer(r"\d+(?:\.\d+)?", prev[0]))) >= 2
        ):
            # "keep 5 to 15 — actually make that 5 to 18": both ends said again
            a, b = old[-2], old[-1]
            c = f"{prev[0][: a.start()]}{new[0]}{prev[0][a.end() : b.start()]}{new[1]}"
            c += prev[0][b.end() :]
            s = copy.deepcopy(prev[2])
        c = new_one(c, last_edit)  # "…, and add a new one saying Thanks": a new title
        c = that_clip(c, last_edit)  # "…, then put it first": that clip
        steps = _alternatives(c, s, norm.quotes, context)
        topic = topic_of(last_edit) if last_edit is not None else None
        if (
            steps is None
            and topic is not None
            and re.search(r"\b(?:it|them)\b|它", c)
            and not re.search(r"\bmake it\b", c)
        ):
            # "lower the music to 20% and fade it out": "it" is the music
            again = re.sub(r"\b(?:it|them)\b|它", topic[1] if norm.zh else topic[0], c)
            more = _understand(again, s, norm.quotes, context)
            if more and all(st.tool != "clarify" for st in more):
                steps = more
        if steps is None:
            steps = _understand(c, s, norm.quotes, context)
        if (steps is None or all(st.tool == "clarify" for st in steps)) and (
            fixed := command_typos(c)
        ) != c:
            # "spilt the clip at 7 s", "fad in": a typo that is a word; kept if it then reads
            more = _understand(fixed, s, norm.quotes, context)
            if more and all(st.tool not in ("clarify", "decline") for st in more):
                steps, c = more, fixed
        steps = judged_part(c, steps) or steps  # "speed up the boring part": which part?
        weak = steps is None or all(st.tool == "clarify" and st.why != "which_part" for st in steps)
        verbless = not VERB.search(c)
        if (
            weak
            and verbless
            and last_edit is not None
            and last_edit.tool in ("trim", "cut")
            and prev
        ):
            # "剪掉前2秒和最后2秒", "cut the first 2 s and the last 2 s": the verb carries over
            verb = re.match(
                r"(?:cut(?: off| out)?|trim(?: off)?|remove|delete|drop|keep|chop(?: off)?|剪掉|"
                r"删掉|去掉|删除|"
                r"保留|剪)",
                prev[0],
            )
            more = _understand(verb.group(0) + " " + c, s, norm.quotes, context) if verb else None
            if more and more[0].tool in ("trim", "cut"):
                steps, weak = more, False
        refers = re.search(REFER, c) or len(c) <= 4 or (weak and len(c.split()) <= 3)
        if pending is not None and (
            (refers and (lx.REMOVE.search(c) or SPAN_VERB.search(c)))
            or REST_GOES.fullmatch(whole.strip(" .!。"))  # "0:02 to 0:12, the rest can go"
        ):
            # "the first 3 seconds are boring, cut them", "中间那段不好看，删了"
            keep = bool(re.search(r"\bkeep\b|保留|留着|只要", c) or BEFORE_GOES.search(c))
            # "0:05到0:20，其余的不要了": the span named stays
            keep = keep or bool(OTHERS_GO.search(whole) or REST_GOES.search(whole))
            last_edit = earlier_spans(earlier, s, keep, u.steps) or last_edit
            pending = time_range(pending_text, s.total) or pending
            steps, weak, pending = [span_step(*pending, s.total, keep=keep)], False, None
            if steps[0].tool == "cut" and vague_middle(pending_text):
                steps = [Step("clarify", why="trim_which")]  # "中间那段不好看，删了": how much?
        elif (
            pending is not None
            and steps
            and not weak
            and steps[0].tool in ("trim", "cut")
            and (lx.REMOVE.search(c) or SPAN_VERB.search(c))
        ):
            # "前三秒和后三秒都剪掉": the span named before takes the same verb, first
            keep = bool(re.search(r"\bkeep\b|保留|留着|只要", c))
            earlier_spans([*earlier, pending_text], s, keep, u.steps)
            last_edit = u.steps[-1]
            pending = None
            steps = _understand(c, s, norm.quotes, context) or steps
        elif (
            mention is not None
            and mention[0].startswith("clip ")
            and steps
            and steps[0].tool == "set_speed"
            and "clip" not in steps[0].args
        ):
            # "第二段太慢了，加快一点": the speed of the clip just named, not of everything
            steps[0].args["clip"] = int(mention[0].split()[1])
        elif mention is not None and refers and (weak or re.search(r"\b(?:it|that)\b|它", c)):
            # "the title is hard to read, make it bigger", "音乐不好听，删掉吧"
            en, zh = mention
            again = re.sub(REFER, zh if norm.zh else en, c)
            if again == c:
                again = (zh if norm.zh else en) + " " + c
            more = _understand(again, s, norm.quotes, context)
            if more and all(st.tool != "clarify" for st in more):
                steps, weak = more, False
        if (
            steps
            and steps[0].tool == "clarify"
            and last_edit is not None
            and last_edit.tool in ANSWERS.get(steps[0].why, ())
        ):
            continue  # "要发快手，改一下比例": the step before already said how
        if (
            weak
            and verbless
            and prev is not None
            and not (
                object_words(c) and last_edit is not None and last_edit.tool == "remove_object"
            )
            and not _STATEMENT.match(c)  # "…, my daughter will be mortified": a remark
        ):
            # A modifier of the clause before ("…, and fill the frame", "…, between 0:05 and 0:12").
            merged = _read(prev[0] + " " + c, prev[2], norm.quotes, context)
            if (
                merged
                and merged != prev[1]
                and (
                    [m.tool for m in merged] == [x.tool for x in prev[1]]
                    or (all(x.tool == "clarify" for x in prev[1]) and merged[0].tool != "clarify")
                )
            ):
                u.steps[-len(prev[1]) :] = merged
                prev = (prev[0] + " " + c, merged, prev[2])
                continue
        if weak and last_edit is not None:
            # "…, and move it to the top": the same topic as the step before.
            topic = topic_of(last_edit)
            if topic:
                en, zh = topic
                again = re.sub(r"\b(?:it|them)\b|它", en if not norm.zh else zh, c)
                if again == c:
                    again = (zh if norm.zh else en) + " " + c
                more = _understand(again, s, norm.quotes, context)
                if more and all(
                    st.tool == last_edit.tool or st.tool in SAME.get(last_edit.tool, ())
                    for st in more
                ):
                    steps, weak = more, False
        if weak and not verbless and prev is not None:
            # A modifier of the clause before ("…, and fill the frame", "…, between 0:05 and 0:12").
            merged = _read(prev[0] + " " + c, prev[2], norm.quotes, context)
            if (
                merged
                and merged != prev[1]
                and (
                    [m.tool for m in merged] == [x.tool for x in prev[1]]
                    or (all(x.tool == "clarify" for x in prev[1]) and merged[0].tool != "clarify")
                )
            ):
                u.steps[-len(prev[1]) :] = merged
                prev = (prev[0] + " " + c, merged, prev[2])
                continue
        if (
            steps
            and steps[0].tool == "clarify"
            and steps[0].why == "remove_what"
            and last_edit is not None
            and last_edit.tool.startswith("remove")
        ):
            continue  # "把配乐删了，删掉": the same removal said twice
        if (
            weak
            and verbless
            and mention is None
            and (topic := mentioned(c)) is not None
            and topic[0] == "the original sound"
            and (i < len(clauses) - 1 or not steps)
        ):
            # "the traffic sound is annoying, …": what "it" will mean, not a question yet
            mention = topic
            continue
        if steps is None:
            words = object_words(c)
            span = time_range(c, s.total)
            said = clauses[i + 1] if i + 1 < len(clauses) else ""
            if (
                span
                and span[2] == "range"
                and words
                and THERE_IS.search(c)
                and i + 1 < len(clauses)
                and not re.search(r"\b(?:him|her)\b|他|她", said)
            ):
                # "there's a dog from 3 to 6 seconds, get rid of it": the dog out of the
                # picture then, or those seconds out of the video? both fit: ask
                u.steps.append(Step("clarify", why="thing_or_span"))
                ask_skips = True
                continue
            if span and span[2] == "range" and not re.search(r"\b(?:him|her)\b|他|她", said):
                words = []  # "someone sneezes at 9 to 11 s, cut that out": a span beats a thing
            if (
                words
                and last_edit is not None
                and last_edit.tool == "remove_object"
                and len(c.split()) <= 6
            ):
                steps = [Step("remove_object", {"target": object_phrase("remove " + c) or c})]
            elif words:
                context.append(noun_phrase(c) or c)
                continue
            elif span is not None:
                if i and u.steps and u.steps[-1].tool == "clarify":
                    more = _understand(clauses[i - 1] + " " + c, s, norm.quotes, context)
                    if more and more[0].tool in ("trim", "cut"):
                        steps = more  # "chop off the last bit, the final 3 secs"
                        u.steps.pop()
                if steps is None and pending is not None and not overlap(pending, span):
                    earlier.append(pending_text)  # else "the middle, from 10 to 14 s": one span
                if steps is None:
                    pending, pending_text = span, c
                    continue
            elif (topic := mentioned(c)) is not None:
                mention = topic
                continue
            elif len(s.clips) > 1 and lx.CLIP.search(c) and (n := clip_ref(c, s)) is not None:
                mention = (f"clip {n}", f"第{n}个片段")  # "the beach part is boring, remove it"
                continue
            elif u.steps and u.steps[-1].tool not in NO_CHANGE:
                continue  # a trailing remark ("looks great")
            else:
                u.steps.append(Step("clarify", why="unknown"))
                continue
        if (
            correcting
            and prev is not None
            and steps
            and u.steps[-len(prev[1]) :] == prev[1]
            and [x.tool for x in prev[1] + steps] != ["add_title", "edit_title"]  # "…, make it red"
        ):
            # the correction replaces what the clause before asked for
            del u.steps[-len(prev[1]) :]
            s = copy.deepcopy(prev[2])
            last_edit = next((st for st in reversed(u.steps) if st.tool not in NO_CHANGE), None)
        correcting = False
        if (
            prev is not None
            and len(prev[1]) == 1
            and prev[1][0].tool == "trim"
            and u.steps
            and u.steps[-1] is prev[1][0]
            and [st.tool for st in steps] == ["trim"]
            and _read(c, prev[2], norm.quotes, context) == prev[1]
        ):
            continue  # "前半段删掉，留后半段": what stays, said after what goes — one trim
        prev = (c, steps, copy.deepcopy(s))
        if (
            u.steps
            and u.steps[-1].tool == "clarify"
            and any(st.tool in ANSWERS.get(u.steps[-1].why, ()) for st in steps)
        ):
            u.steps.pop()  # "加一个标题，写“你好”": the next clause answered the question
        for st in steps:
            if (
                st.tool == "fade"
                and last_edit is not None
                and topic_of(last_edit) == ("the music", "音乐")
                and not re.search(
                    r"\b(?:picture|image|video|visuals?|everything|all|both|sound|audio|black)\b|"
                    r"画面|视频|全部|声音|黑",
                    c,
                )
            ):
                # "把音乐调小然后淡出", "add the song and fade out": the music's fade
                st.args.update({"target": "audio", "music_only": True})
            if (
                u.steps
                and (st.tool, st.args) == (u.steps[-1].tool, u.steps[-1].args)
                and st.tool not in ("undo", "redo")
            ):
                continue  # said twice ("抠像，背景透明", "前面两秒不要了，从2秒开始")
            if (
                st.tool == "set_speed"
                and "clip" not in st.args
                and last_edit is not None
                and last_edit.tool == "set_speed"
                and "clip" in last_edit.args
                and u.steps
                and u.steps[-1] is last_edit
                and re.search(r"\b(?:it|that one|this one)\b|它", c)
            ):
                # "the second clip is too slow, speed it up": "it" is that clip, said once
                st.args["clip"] = last_edit.args["clip"]
                u.steps[-1] = st
                last_edit = st
                continue
            acts = [
                x for x in u.steps if x.tool != "decline"
            ] or u.steps  # "竖屏，不要裁切，两边模糊"
            if acts and fold(acts[-1], st, verbless):
                continue  # "加标题“你好”，放在顶部", "make it faster, like 1.5x"
            u.steps.append(st)
            if st.tool == "clarify" and verbless and not re.search(r"\?|吗|呢", clause):
                remarks.append(st)  # "it's super loud": a question only if nothing else is asked
            if st.tool not in NO_CHANGE:
                last_edit = st
                imagine(s, st)
    settle(u, clauses, remarks, norm.raw)
    u.steps = check(u.steps, norm.text, state, u.zh, u.skipped)  # against the whole message
    return u
