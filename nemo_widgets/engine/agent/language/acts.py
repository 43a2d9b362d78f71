"""Speech acts: questions, help, credits, export, status, undo and redo — what a clause is
before what it edits."""

from __future__ import annotations

import re

Q_START = re.compile(
    r"^(?:will|would) (?!you\b|u\b|we\b)|^(?:what|what's|whats|why|how|which|where|when|who|is|"
    r"are|should|am i|isn't|(?:do|did) (?:you|i|we|they)|does (?:it|the|this|that|my|a|an|"
    r"\w+ing)\b|"
    r"can i|could i|may i|would it|will it|is there|are there|have i)\b"
)
_Q_ZH = re.compile(r"什么|为什么|怎么|如何|多少|多长|几秒|哪|是不是|是否|有没有|吗|呢|？|\?")
#: Saying one cannot do it oneself ("我也不懂怎么弄", "i don't know how to do that").
_CANT_DO_IT = re.compile(
    r"(?:不懂|不会|不知道|不清楚|搞不懂|弄不来)(?:该)?(?:怎么|咋|如何)(?:弄|搞|做|整|办|操作|剪)?|"
    r"\bi (?:don'?t|do not) know how\b|\bi have no (?:idea|clue) how\b|\bno idea how\b"
)
_REQUEST_ZH = re.compile(r"^(?:能不能|能否|可以|可不可以|你能|能|请|帮我|麻烦)")

UNDO = re.compile(
    r"^(?:undo|go back|revert|roll ?back|take (?:that|it) back|ctrl[-+ ]?z|restore|back)\b|"
    r"^scratch (?:that|it)\b|"
    r"\bundo\b|\brevert\b|\broll ?back\b|\bgo back\b|\bchange (?:it )?back\b|\bput it back\b|"
    r"\bprevious version\b|撤销|撤消|撤回|回退|恢复到?(?:修改|编辑|之)前|改回去|变回去|回到原来|"
    r"返回上一步|恢复上一步|回到上一步|上一步|还原|退回|恢复(?:成|到|为)?(?:原来|原本|原先|之前|刚才)的?"
    r"(?:样子|长度|版本|状态)|恢复原样|(?:刚才|刚刚|上一|之前)(?:那|这)?(?:一)?步"
    r"(?:不要了?|取消|算了|撤了)|(?:回到|恢复到?|返回)(?:上一?个|之前的?|刚才的?)版本|"
    # what the last edit took, asked back: "bring back the part you just cut off", "回到剪之前"
    r"\b(?:bring|put|get|give|add)\b.{0,25}\bback\b.{0,30}\b(?:you|i|we)(?: just)?(?: have)? "
    r"(?:cut|trimmed|removed|deleted|chopped|took|dropped|lost)\b|"
    r"\b(?:restore|recover|bring back|put back|get back) (?:what|the (?:part|bit|section|piece|"
    r"seconds?|ending|end|start|beginning|intro)) (?:you|i|we)(?: just)? (?:cut|trimmed|removed|"
    r"deleted|chopped|took|dropped)\b|"
    r"(?:恢复|回|退|变回|还原)(?:到|成|为)?(?:剪|修剪|剪辑|删|裁|改)(?:之|以)?前|"
    r"(?:改|变|弄|调|恢复)回(?:到)?(?:原来|之前|刚才|以前)(?:那样|的样子)?|"
    r"\b(?:the |my )?(?:original|full|whole|previous) (?:length|version|video|clip) back\b|"
    # "bring back the full 30 seconds", "bring back the whole video": what the trim took
    r"\b(?:bring|get|give|put) (?:me )?back (?:the |my )?(?:full|whole|entire|original|complete) "
    r"(?:\d+(?:\.\d+)? ?(?:seconds?|secs?|s)\b|length|video|clip|footage|thing)|"
    r"^(?:请|帮我)?(?:恢复|还原)(?:一下|回来|过来)?(?:吧|吗)?[。!！]?$|"
    # "make it like before", "put it back the way it was", "i regret the last change"
    r"\b(?:make|change|turn|set|put) (?:it|this|everything|things) (?:back )?(?:like|as|the way) "
    r"(?:it was )?(?:before|it was|earlier)\b|\bregret (?:the |that |my )?(?:last )?"
    r"(?:change|edit|step)\b|"
    r"(?:刚才|刚刚|之前)(?:剪|删|裁|去)掉的.{0,6}(?:找回来|恢复|加回来|放回来|还原|回来)"
)
#: "I messed up the trim", "剪错了": the reason for an undo said with it, no request of its own.
MESSED = re.compile(
    r"\b(?:i|we|you) (?:messed|screwed|mucked|f[a-z]*ed) (?:it |that |this )?up\b|\bwrong "
    r"(?:trim|cut|edit|one|part|bit)\b|\bmy (?:bad|mistake)\b|\b(?:a |my )?mistake\b|搞错|弄错|"
    r"剪错|剪坏|弄坏|删错|(?:剪|删|裁)(?:得)?(?:太)?多了|失误|手滑|\bregret\b|后悔|"
    r"(?:刚才|上一步|之前|刚刚)(?:那个|那步|的)?(?:剪辑|操作|修改|改动|编辑)?(?:不对|不好|错了)"
)
REDO = re.compile(
    r"恢复.*撤销|撤销的.*恢复|重新做|重新来.*撤销|撤销的.*(?:重新|再来|加回|回来)|\bredo\b|"
    r"\bdo (?:it|that) again\b|\bundo the undo\b|\bundid\b|\bwhat (?:i|you) undo\b|"
    r"\bre-do\b|重做|恢复撤销|反撤销"
)
HELP = re.compile(
    r"^(?:help|help me|\?|menu|commands|options)$|\bthings you can do\b|"
    r"\blist (?:the |all |all the |your |of )?(?:commands|options|features|tools)\b|"
    r"\bwhat (?:features|functions|tools|options|edits) (?:are there|do you have|does it have|"
    r"are available|have you got|can i use)\b|(?:有|都有)(?:哪些|什么)功能|"
    r"\bwhere (?:do|should|can) i (?:start|begin)\b|\bhow do i (?:get started|begin|start)\b|"
    r"从哪(?:里|儿)?开始|怎么开始|"
    # "第一次用 教教我", "新手，带带我", "i'm new here, show me around"
    r"^(?:我)?(?:第[一1]次用|新手|刚开始用|刚来)?[,，\s]*(?:教教我|教我一下|带带我|教一下)[吧呀啊!！]?$|"
    r"^(?:i'?m |im )?(?:new here|new to this|a beginner|first time(?: using this)?)[,.!\s]*"
    r"(?:(?:please |pls )?(?:show me around|teach me|help me out|where do i start|"
    r"what do i do))?[.!?]*$|"
    # "这个工具可以做什么？", "你能做些什么", "what can this tool do?"
    r"(?:工具|软件|app|你|它|这个)(?:都|还)?(?:可以|能|会)(?:帮我|为我|给我|帮你)?(?:做|干)(?:些|哪些|点)?(?:什么|啥)|"
    r"\bwhat (?:can|else can) (?:you|it|this|this tool|this app|the editor) do\b|"
    # "how does this thing work?", "how do I use this?", "这个怎么用？": how to use the editor
    r"\bhow (?:does|do) (?:this|it|this thing|this tool|this app|the editor|you) work\b|"
    r"\bhow (?:do|can|should) i use (?:this|it|you|the editor)\b|"
    r"^(?:这个|这)?(?:东西|工具)?(?:怎么|如何)(?:用|使用|玩)[?？吗呢啊]*$|"
    # "新手求教程", "tutorial please", "第一次用，不会用": a newcomer asks how it all works
    r"教程|新手|入门指南|不会用|不知道怎么用|\btutorials?\b|\bnewbie\b|\bbeginner\b|"
    r"\bi'?m new\b|\bnew here\b|\bfirst time (?:using|here|with)\b|\bwalk me through\b|"
    r"\bshow me what you can do\b|\b(?:what|"
    r"how) can you help\b|"
    r"\bwhat can i (?:do|say|ask)\b|\b(?:what|"
    r"which) commands\b|你会做什么|"
    r"有(?:什么|哪些|啥)(?:\s*(?:命令|指令|功能|commands?|options?)\s*)(?:可以用|能用|可用)?|"
    r"(?:命令|指令|功能)(?:列表|有哪些|都有什么)|"
    r"你会干什么|能干什么|能干啥|会干啥|能做啥|会做啥|会些啥|都?会些什么|都会什么|"
    r"\bwhat (?:else )?can you (?:do|make|edit)\b|"
    # "what is this tool able to do for me", "what can this app do?"
    r"\bwhat (?:else )?(?:can|could|does|is|are) (?:this|the|your) (?:tool|app|thing|editor|bot|"
    r"assistant|agent|program)(?: able to| capable of)? (?:do|doing)\b|"
    r"\bwhat (?:are|is) (?:you|this (?:tool|app|thing)) (?:able to|capable of) (?:do|doing)\b|"
    r"\bwhat (?:kind|sort|type)s? of (?:edits|things|stuff|changes)\b|\bwhat (?:do|"
    r"can) you (?:support|understand|handle)\b|"
    r"\bwhat are (?:the|your|my) (?:options|features|commands)\b|\bhow does this work\b|"
    r"^i'?m (?:lost|confused|stuck)\b|\bi don'?t know (?:what to do|how (?:this|it) works)\b|"
    r"\bhow do i use (?:this|you)\b|"
    r"\bwhat (?:can|should) i (?:say|ask|type)\b|帮助|你能做什么|你会什么|能做什么|怎么用|"
    r"有什么功能|你可以做什么|能干嘛|会干嘛|可以干嘛|能做嘛|能干些啥|(?:有)?哪些功能|功能有哪些|什么功能|都能做(?:什么|啥|哪些)|能做哪些"
)
#: A message that only greets: what can be done here is the answer.
GREETING = re.compile(
    r"(?:(?:hi|hello|hey|hiya|yo|hi there|hello there|good (?:morning|afternoon|evening)|你好|"
    r"您好|嗨|哈喽|哈啰|在吗)[\s!！,，.。~]*)+"
)
CREDITS = re.compile(
    r"\bcredits?\b|\bbalance\b|\bhow much (?:do i have )?left\b|\bquota\b|积分|余额|点数|额度"
)
EXPORT = re.compile(
    r"^(?:export|render|download|save|publish|output|finali[sz]e|finish|send me)\b|\bexport\b|"
    r"\brender\b|"
    r"\bdownload\b|\bsave (?:it|the video|my video|as)\b|导出|下载|渲染|生成视频|输出视频|保存视频|"
    r"\b(?:get|give|send|hand) me (?:the |my |a |an )?(?:final |finished |edited |whole )?"
    r"(?:video|file|version|cut|mp4|mov|result|movie|output|render)\b|"
    r"\bsend (?:it|the video|this) (?:over|to me)\b|\b(?:send|give|save) (?:it )?as (?:an? )?mp4\b|"
    r"(?:把)?(?:成片|成品|最终版|视频文件|mp4)(?:给我|发我|发给我)|(?:给我|发我)(?:成片|成品|mp4|视频文件)|"
    # "保存到相册", "存到手机里", "save it to my camera roll"
    r"(?:保存|存|导)(?:到|进|在)(?:我的?)?(?:相册|手机|本地|电脑|桌面)|"
    r"\bsave (?:it |this |the video )?(?:to|on|in)(?: my| the)? (?:phone|camera roll|gallery|"
    r"photos|computer|laptop|desktop|disk|device)\b"
)
STATUS = re.compile(
    r"^status\b|\bstatus\b|\bwhat'?s on (?:the|my) timeline\b|\bwhat is on (?:the|my) timeline\b|"
    r"\bshow (?:me )?(?:the |my )?(?:tracks|timeline|project|draft|edits)\b|\bwhat (?:have|"
    r"did) (?:i|we|you) "
    r"(?:got|done|made|changed)\b|\bwhat'?s in (?:the|my) (?:project|timeline)\b|\bsummar(?:y|ise|"
    r"ize)\b|"
    r"\bwhere are we\b|时间线上有什么|"
    # "把 upbeat.mp3 加到时间线上": the timeline is where a thing goes, not a question about it
    r"(?<!加到)(?<!放到)(?<!拖到)(?<!加进)(?<!放进)(?<!拖进)(?<!加入)(?<!放在)(?<!添到)时间线|当前状态|什么状态|什么情况|进度|状态|做了什么|"
    r"\b(?:current |present )?state of (?:the |my |this )?(?:project|timeline|video|edit|draft)\b|"
    r"\bwhat (?:does|do) (?:the |my )?(?:project|timeline|draft|edit) look like\b|"
    r"\bshow (?:me )?(?:the |my )?(?:current |latest )?(?:state|progress|project)\b|"
    r"现在(?:是)?(?:什么|啥)样|现在的样子|目前(?:的)?(?:情况|样子)|\brecap\b"
)


#: "how do I remove an object?", "怎么加字幕": how to use the tool (help on that edit).
HOW_TO = re.compile(
    r"^how (?:do|can|could|should|would) (?:i|we|you|one)\s+(?!know\b|tell\b)(?:\w+)\b"
    r"(?!.*\b(?:cost|price|long|much|many)\b)|"
    r"^(?:我)?(?:要|该|应该|可以)?(?:怎么|如何|怎样)(?:才能)?(?:把|给|加|去|删|剪|改|换|做|导出|调|"
    r"添加|设置|分割|变速|静音|撤销)"
)

#: "I liked it better before", "原来的更好": a wish for the version before (an undo).
PREFER_BEFORE = re.compile(
    r"\b(?:liked|preferred|prefer|like) it (?:better |more )?(?:before|the way it was)\b|"
    r"\b(?:was|looked|looks|sounded) better before\b|\bthe (?:old|previous|original|last) "
    r"(?:version|one|cut) (?:was|looked) better\b|(?:之前|原来|刚才)的?(?:更好|比较好|好看多了)"
)
#: "the background looks better", "the title is fine at the bottom": praise, not a request.
REMARK = re.compile(
    r"^(?:(?:wow|nice|great|cool|ok|okay|good|perfect|awesome|thanks|thank you|yes|yeah|yep)\W+)*"
    r"(?!(?:make|let|get|have|would|will|could|can|should|which|what|how|why|does|do|did|is|are|"
    r"was|if|when|where|who|whether|not|don'?t)\b)"
    r"(?:the |this |that |my |it |everything )?(?:\w+\s+){0,3}?(?:looks?|is|seems|sounds|feels|"
    r"was|are|'s)\s+(?:really |so |much |a lot |way |pretty |quite |very |just )?(?:fine|good|"
    r"great|better|nice|nicer|perfect|ok|okay|right|cool|amazing|awesome|lovely|beautiful|"
    r"gorgeous|much better)\b(?!.*\b(?:but|though|except|if|than)\b)"
)

#: "it's ok to crop the sides", "I don't mind cropping": leave to, not a step of its own.
PERMIT = re.compile(
    r"^(?:(?:it'?s|its|it is|that'?s|thats) (?:ok|okay|fine|alright|all right)(?: (?:to|if))?|"
    r"i don'?t mind(?: if)?|feel free to|no problem if|(?:可以|允许)(?=裁|剪))\s*"
)

_GENERIC = (
    r"(?:objects?|things|stuff|backgrounds|titles|subtitles|captions|music|videos|clips|people|"
    r"persons|cars|watermarks|logos|text|audio|sound|the speed|colou?rs|effects|transitions)"
)


#: Asked of the tool itself: "can it do slow motion?", "does this app handle 4k?",
#: "能做慢动作吗？", "这个软件能去掉视频里的路人吗", "一分半的视频也能处理吗",
#: "这首歌能当背景音乐吗".
_TOOL_CAN = re.compile(
    r"^(?:so |and |also )?(?:can|could|does|will) (?:it|this|this app|this tool|the app|the tool|"
    r"this thing|this software|the software|nemo|the editor|this editor|the ai|this ai) (?:also )?"
    r"(?:do|handle|support|make|create|work with|deal with)\b.*\?$|"
    r"(?:软件|工具|app|应用|程序|平台|你们|ai)(?:也)?(?:能|可以|会|支持)[^，,。]*?(?:吗|么|不|嘛)[？?]?$|"
    r"^(?:请问)?(?:这个|它|你)?(?:也)?(?:能|可以|会)(?:做|处理|支持)[^，,。]{1,12}?(?:吗|么|嘛)[？?]?$|"
    r"(?:也|还)(?:能|可以)(?:处理|做|支持|用)(?:吗|么|嘛)[？?]?$|"
    r"(?:能|可以)(?:当|用作|作为|当作)[^，,。]{1,10}?(?:吗|么|嘛)[？?]?$|"
    # "我之后要传的视频有1分20秒那么长 可以吗", "my next video is 5 minutes, is that ok?": a
    # video still to come, asked about
    r"(?:要|会|准备|打算|想)(?:传|上传)的(?:视频|片子|素材|文件)[^，,。]*?(?:可以|行|能行|没问题|ok|能处理|"
    r"支持)(?:吗|么|嘛|不)[？?]?$|"
    r"(?:my |the )?(?:next|other|new|future|longer|bigger) (?:video|clip|file|footage)s?.*"
    r"(?:is that|would that be|will that be|is it|would it be|will it be) (?:ok|okay|fine|"
    r"alright|a problem|too long|too big|supported)"
)


def capability(clause: str) -> bool:
    """ "can you remove objects?", "do you support titles?": about what can be done, no edit."""
    if _TOOL_CAN.search(clause) and not re.search(r"帮我|给我|帮忙|麻烦|把", clause):
        return True  # "can it do slow motion?", "这个软件能去掉路人吗", "一分半的视频也能处理吗"
    m = re.match(
        r"^(?:can|could) (?:you|u|i|we)\s+(?:also\s+)?\w+\s+(.+?)\W*$|"
        r"^is it possible to\s+\w+\s+(.+?)\W*$|"
        r"^(?:are you able to|do you know how to)\s+\w+\s+(.+?)\W*$|^do you (?:support|do|"
        r"handle)\s+(.+?)\W*$",
        clause,
    )
    if re.search(
        r"^(?:你|视频|这个视频|这个|这里|这儿)?(?:能|可以|会|能不能|可不可以)(?:帮我)?(?:去|去掉|删|删掉|加|添加|做|自动加)?"
        r"(?:水印|字幕|特效|转场|滤镜|台标|logo|背景音乐|配乐)(?:吗|么|不)?[？?]?$",
        clause,
    ):
        return True  # "能去水印吗": can it be done at all
    if re.search(
        r"^(?:去|去掉|删|删掉|加|添加|加个|做|自动加|自动生成)?(?:水印|字幕|特效|转场|滤镜|台标|logo)"
        r"(?:的话)?(?:可以|能|能做|行|做得到|支持)(?:吗|么|不|嘛)[？?]?$|"
        r"^(?:支持|有没有|有)(?:去|去掉|加|自动加)?(?:水印|字幕|特效|转场|滤镜|台标|logo)",
        clause,
    ):
        return True  # "去水印可以吗？": asked the other way round, the same question
    if m and m.group(2) and re.search(r"\bwithout (?:a|an|any)\s+\w+", clause):
        return True  # "is it possible to replace the background without a green screen?"
    obj = next((g for g in m.groups() if g), "") if m else ""
    if (
        obj
        and re.match(
            r"^(?:can|could) (?:you|u|i|we)\s+(?:also\s+)?(?:remove|erase|delete|cut out|take out)|"
            r"^is it possible to\s+(?:remove|erase|delete)|^are you able to\s+(?:remove|erase)",
            clause,
        )
        and re.fullmatch(r"(?:a|an|any)\s+\w+(?:\s+\w+)?(?: from (?:a|my) videos?)?", obj)
    ):
        return True  # "is it possible to remove a person?": any person, so can it at all
    return bool(
        obj
        and re.fullmatch(
            rf"(?:any |some )?{_GENERIC}(?: (?:from|in|of|to) (?:a |my |the )?videos?)?"
            rf"(?: too| automatically| for me| by (?:it|themselves|itself))?",
            obj,
        )
    )


#: "if I make it 9:16 will the sides get cropped?", "what happens if I …": a condition and a
#: question about its result — answered, never done.
IF_Q = re.compile(
    r"^(?:if|what if|suppose|supposing|say) (?:i|we|you)\b.*(?:\b(?:will|would|does|do|is|are|can|"
    r"could|should|won't|gets?|happens?)\b.*\?|\?$)|^what (?:happens|would happen) if\b"
)
#: "如果调成两倍速，声音会不会变尖？": the same, in Chinese, over several clauses.
IF_Q_ZH = re.compile(r"^(?:如果|假如|要是)[^。！!]*(?:会不会|会吗|吗|呢|？|\?)\W*$")
_Q_ZH_ALWAYS = re.compile(
    r"是啥意思|是什么意思|啥意思|什么意思|是啥$|会不会|^如果.*(?:吗|呢|？|\?|会)|是不是会|"
    r"会(?:怎么样|怎样|咋样|如何)|^要不要|^(?:该不该|应不应该|需不需要)|"
    # "你觉得要不要调快一点": an opinion asked, never the edit
    r"^(?:你|您)(?:觉得|认为|看)(?:.*(?:要不要|该不该|需不需要|应不应该|会不会|好不好|吗|呢|？|\?)|"
    r".*(?:怎么样|如何|咋样|还是|哪个|哪种|哪一个))|"
    # "剪切和修剪有啥区别", "视频最长能做到1分20秒吗", "导出要扣积分吗": about the tool, asked
    r"有(?:啥|什么|哪些)?(?:区别|不同)|区别(?:是|在)|"
    # "去掉一个路人要扣几个点": how much it costs, asked with the count inside
    r"(?:扣|花|费|用|要|需要|消耗)(?:掉)?(?:几|多少)个?(?:积分|点数|点|钱|credits?)\s*(?:啊|呀|呢)?[?？]?$|"
    r"(?:最长|最短|最多|最大|上限|限制|时长限制|收费|(?:扣|花|费|用|要|需要)(?:掉)?(?:几个?|多少个?)?(?:积分|点数|点|钱|credits?)|要钱|花钱|免费|"
    r"付费).*"
    r"(?:吗|么|嘛|呢|？|\?|多少|几)\s*[?？]?$"
)
#: A question about videos in general ("can a video be longer than 1m20s?", "is there a max
#: length?"): asked about the tool, not a request to change this one.
GENERAL_Q = re.compile(
    r"^(?:can|could|may|is|are|does|do|will) (?:a|an|any|my|your|the) (?:video|clip|project|"
    r"file|export|upload)s?\b(?: here)? (?:be|have|go|get|last|run|take)\b.*\?$|"
    r"\b(?:max(?:imum)?|min(?:imum)?|limit|longest|shortest)\b.*\?$|"
    r"^(?:what'?s|what is) the (?:difference|diff)\b|"
    r"^(?:does|do|will|would|is|are|can) (?:\w+ ){1,3}(?:cost|charge|use up|eat)\b.*\?$"
)


def is_question(raw: str, c: str) -> bool:
    if _CANT_DO_IT.search(c) and not re.search(r"[?？]\s*$", c):
        return False  # "我也不懂怎么弄", "i have no idea how to do this": why they ask, no question
    if IF_Q.search(c) or _Q_ZH_ALWAYS.search(c) or GENERAL_Q.search(c):
        return True
    if re.match(
        r"^(?:yo |so |hey |ok |quick question,? |just wondering,? )*(?:does|do|will|would|could|"
        r"can|won'?t|doesn'?t) (?!you\b|u\b)(?:\S+\s+){1,5}?(?:mess(?:es)? (?:up|with)|affect|ruin|"
        r"break|hurt|screw up|distort|wreck|change|lower|reduce)\b",
        c,
    ):
        return True  # "does 2x speed mess up the audio or nah": what an edit would do, asked
    if re.match(
        r"^i (?:was |am |'m )?wondering (?:if|whether) (?:you|u) (?:could|can|would|might)\s+"
        r"(?:possibly\s+|please\s+|maybe\s+)*(?!tell\b|show\b|explain\b)",
        c,
    ):
        return False  # "i was wondering if you could possibly erase the van": a polite request
    if re.match(
        r"^(?:can|could|would) you (?:tell|show) me (?:if|whether|what|how|which|where|when|why)\b|"
        # "could you explain what a split does", "explain to me how the fade works": asked
        r"^(?:(?:can|could|would) you |please )?explain (?:to me |me )?(?:what|how|why|whether|"
        r"the difference|the point)\b|"
        r"^(?:(?:can|could|would) you )?(?:check|see|find out|look up|confirm|count)\s+"
        r"(?:if|whether|what|how (?:many|much|long|loud)|which)\b|"
        r"^(?:do|does) (?:you|anyone) know (?:if|whether|what|how|which|where|when|why)\b|"
        r"^(?:tell|show) me (?:if|whether)\b|^i (?:wonder|was wondering) (?:if|whether)\b",
        c,
    ):
        return True  # "can you tell me if the title is at the top?": asks, changes nothing
    if re.match(
        r"^(?:can|could|would|will|won't)\s+(?:you|u|we)\b|^is it possible\b|^are you able\b|"
        r"^(?:can|could|would|should) (?:it|they|this|that|these|those|the \w+(?: \w+)?) be\b|"
        r"^how about\b|^what about\b|^why not\b|^do you mind\b",
        c,
    ):
        return False
    if Q_START.search(c):
        return True
    if re.search(r"[\u4e00-\u9fff]", c):
        if (
            re.match(r"\s*请问", raw) and re.search(r"什么|为什么|怎么|如何|多少|多长|哪|几", c)
        ) or (
            re.match(r"\s*(?:先问问|问一下|想问|我想问|问问)", raw)
            and re.search(r"什么|为什么|怎么|如何|多少|多长|哪|几|吗\s*[?？]?$|区别", c)
        ):
            return True  # "请问导出的视频是什么格式？": "may I ask", not "please do"
        if re.search(
            r"告诉我|(?:跟|和|给)我(?:说|讲)|说一下|讲一下|帮我(?:看看|查查|看一下|查一下)", c
        ) and re.search(r"多长|多久|几秒|几分|什么|多少|多大|多响|哪|有没有|是不是|是否", c):
            return True  # "能告诉我视频多长吗": asked as a request, still a question
        if (
            _REQUEST_ZH.search(c)
            or (
                # "可以帮我去掉左边的人吗": "could you help me …?" asks for the edit
                re.match(
                    r"\s*(?:能不能|能否|可以|可不可以|你能|能|麻烦|请)(?:你|您)?帮(?:我|忙)", raw
                )
                and re.search(r"吗\s*[?？]?$", c)
                and not re.search(r"看看|查查|多长|多久|几|什么|哪|多少|有没有|是不是|是否", c)
            )
            or (
                re.search(r"^(?:能不能|能否|可以|可不可以|你能|能|麻烦|请)(?:你)?(?:帮我)?", raw)
                and re.search(r"^把|^帮|^给", c)
                and re.search(r"吗\s*[?？]?$", c)
            )
        ):
            return False  # "可以把背景虚化吗？": asked politely, a request
        return bool(
            re.search(
                r"什么|为什么|怎么|如何|多少|多长|多久|多大|多响|多快|几比几|哪个|哪里|哪儿|在哪|是不是|是否|"
                r"有几(?:个|段|首|条)|几个片段|"
                r"有没有|(?:一共|总共|现在|目前|还剩|剩)(?:有)?几|几(?:秒|分钟?)(?:钟)?[啊呀呢了]+$|"
                r"哪(?:一)?[首张条些位]|(?:是|写的?|叫|用的?)啥|啥(?:字|内容|歌|音乐|意思|颜色|样子?)",
                c,
            )
            or (re.search(r"几", c) and c.endswith("?"))
            or (re.search(r"吗\??$", c) and not re.search(r"能|可以|帮|请|麻烦", c))
        )
    return False
