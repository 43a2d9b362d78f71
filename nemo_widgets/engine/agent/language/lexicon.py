"""Step 3a: the word families the grammar is made of (English and Chinese), one place.

Each family is a regular expression over *normalised* text (see :mod:`.normalise`); the
grammar in :mod:`.intents` combines them. Adding a synonym here teaches every rule that
uses the family.
"""

from __future__ import annotations

import re


def rx(*alts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alts))


# -- verbs ---------------------------------------------------------------------------------
REMOVE = rx(
    r"\b(?:remove|removing|delete|deleting|erase|erasing|eliminate|get rid of|take out|clean up|"
    r"hide|"
    r"take away|wipe out|wipe|edit out|paint out|photoshop out|clean out|clear out|cut out|"
    r"drop|lose|ditch|scrub|kill|strip out|strip|nuke|zap|axe|nix|scrap)\b",
    r"\bphotoshop\b.*\bout\b|\bmake\b.+\b(?:disappear|vanish|go away)\b|"
    r"\bmake (?:disappear|vanish|go away)\b",
    r"\b(?:want|need|have|get|like)\b.+\b(?:removed|gone|deleted|erased)\b|"
    r"\b(?:can|could|may) (?:it|that|this|those|these|they|he|she|the [a-z ]{1,30}?) "
    r"(?:go|disappear|vanish)(?: away)?(?=\s*(?:$|[?.!,;]|please\b|pls\b|too\b|as well\b))|"
    r"\b(?:has to|have to|needs to|need to|must|should|can|could) (?:go(?! (?:before|after|first|"
    r"last|in front|behind|at the|to the))|be (?:removed|"
    r"taken out|cut out|erased|deleted|edited out|gone)|disappear)\b|"
    r"\b(?:gone|removed|deleted|erased)\W*$|^[a-z][a-z ]{1,40}? (?:remove|delete|erase)$",
    r"\b(?:get|take|cut|edit|paint|keep)\b.+\bout(?: of)?\b|\b(?:take|get)\b.+\boff\b",
    r"去掉|去除|删掉|删了|删除|移除|抹掉|擦掉|擦除|[pP]掉|弄掉|拿掉|消除|清除|干掉|删|去了|拿走|"
    r"弄走|去一下|去下(?!载)",
)
ADD = rx(
    r"\b(?:add|adding|put|insert|include|create|place|use|play|throw in|slap|stick|give it|"
    r"give me|attach|overlay|append|write|type)\b",
    r"加上|加入|添加|加个|加一个|加一段|加|配上|放上|插入|写上|用",
)
CHANGE = rx(
    r"\b(?:change|make|turn|set|switch|swap|replace|update|edit|modify|rename|fix|move|"
    r"put|color|colour|recolou?r|restyle)\b",
    r"改成|改为|换成|变成|改|换|调|设为|设置|移到|放到|挪到",
)
KEEP = rx(
    r"\b(?:keep|only keep|just keep|trim (?:it |the video |the clip )?(?:down )?to|"
    r"cut (?:it |the video |the clip )?(?:down )?to|shorten (?:it |the video )?to|"
    r"crop (?:it )?to|make it|only want|just want|only need|just need|only|just)\b",
    r"保留|只要|只留|截取|剪成|剪到|缩短到|缩短为|裁到|只保留",
)
CUT_AWAY = rx(
    r"\b(?:cut|trim|chop|snip|skip|remove|delete|drop|lose|get rid of|take out|take off|"
    r"throw away|shave|ditch)\b",
    r"剪掉|剪去|删掉|删除|去掉|切掉|裁掉|不要|剪",
)
TRIM_WORD = rx(r"\b(?:trim|cut|shorten|crop|chop|snip|clip it|shave)\b", r"剪|裁|截|缩短|修剪")

# -- nouns ---------------------------------------------------------------------------------
BACKGROUND = rx(
    r"\bbackground\b|\bbackdrop\b|\bbg\b|\bback ground\b|\bsetting behind\b|\bbehind me\b",
    r"\b(?:everything|what'?s|whatever'?s|stuff) behind\b",
    r"\bbehind (?:me|us|him|her|them|everything|everyone|it all|the (?:people|person|speaker|"
    r"subject))\b",
    r"\b(?:look|looks) like (?:i'?m|we'?re|they'?re|he'?s|she'?s|i am|we are) (?:in|at|on)\b",
    r"\bas if (?:i'?m|we'?re|i was|we were) (?:in|at|on)\b",
    r"\bgreen ?screen\b|\bchroma ?key\b|\bbokeh\b|\bportrait mode\b|人像模式",
    r"\b(?:put|place|stand|set|stick|show|teleport) (?:me|us|him|her|them|the (?:person|speaker|"
    r"people))\b.*"
    r"\b(?:in front of|on|at|in|to|into)\b",
    r"背景|背后|抠像|抠图|抠掉|抠出|虚化|绿幕",
)
MUSIC = rx(
    r"\bbackground track\b|\baudio track\b|\bmusic track\b|\b(?:other|another|different) track\b|"
    r"\bmusic\b|\bsongs?\b|\bbgm\b|"
    r"\bsoundtrack\b|\btune\b|\bbeat\b|\bmelody\b|\bbacking track\b",
    r"音乐|配乐|歌曲|歌|曲子|bgm",
)
TITLE = rx(
    r"\btitles?\b|\bcaptions?\b|\bsubtitles?\b|\btext\b|\bheading\b|\bheadline\b|"
    r"\blower third\b|\boverlay text\b|\bthe words\b|\bwording\b",
    r"标题|字幕|文字|文案|大字|(?:一行|几个|一句|一段|行)字|(?<=加|添|打|放)(?:一|个)?(?:句|行)话|(?<=加|添)一句(?=\s|[:：])|字(?=放|挪|移|改|换|调|变|大|小|号|体|的颜色)|^字",
)
CLIP = rx(
    r"\b(?:clip|clips|video|videos|segment|segments|shot|part|scene|footage)\b",
    r"片段|视频|段落|镜头|那段|这段|第\s*[一二三四五六七八九十\d]+\s*(?:个)?段|最后(?:一|1)?段",
)
VIDEO_SOUND = rx(
    r"\boriginal (?:audio|sound)\b|\bclip'?s? (?:audio|sound)\b|\bvideo'?s? (?:audio|sound)\b|"
    r"\bvoices?\b|\bdialog(?:ue)?\b|\bspeech\b|\bnatural sound\b|\bambient\b|\bstreet noise\b|"
    r"\bnoise\b|\b(?:sound|audio|volume) (?:of|in|on|from) (?:the |this |my )?(?:video|clip|"
    r"footage)\b|\bcamera (?:audio|"
    r"sound)\b|\b(?:street|traffic|wind|city|crowd|car|engine|road|ambient|"
    r"environment(?:al)?|room|own) (?:sounds?|noises?|audio)\b|\b(?:people|someone|them|him|"
    r"her|they|we|i) (?:talking|speaking|chatting)\b",
    r"原声|原音|人声|视频声音|视频的声音|现场(?:的)?声|现场(?:的)?音|环境音|环境声|街道(?:的)?声音|噪音|杂音|风声|车声",
)
SOUND = rx(r"\b(?:sound|audio|volume)\b", r"声音|音量|音频")
PRONOUN = re.compile(
    r"^(?:all of them|all|everyone|every one of them|全部|所有|全都|都|it|this|that|them|these|"
    r"those|"
    r"this one|that one|the one|one|this thing|him|her|he|she|they|"
    r"这个|那个|它|他|她|它们|他们)$"
)

# -- adjectives ------------------------------------------------------------------------------
COLOURS = {
    "red": "red",
    "blue": "blue",
    "green": "green",
    "yellow": "yellow",
    "white": "white",
    "black": "black",
    "grey": "grey",
    "gray": "grey",
    "orange": "orange",
    "purple": "purple",
    "pink": "pink",
    "gold": "gold",
    "golden": "gold",
    "brown": "brown",
    "cyan": "cyan",
    "magenta": "magenta",
    "navy": "navy",
    "silver": "silver",
    "红色": "red",
    "蓝色": "blue",
    "绿色": "green",
    "黄色": "yellow",
    "白色": "white",
    "黑色": "black",
    "灰色": "grey",
    "橙色": "orange",
    "紫色": "purple",
    "粉色": "pink",
    "金色": "gold",
    "红": "red",
    "蓝": "blue",
    "绿": "green",
    "黄": "yellow",
    "白": "white",
    "黑": "black",
}
_COLOUR_RX = re.compile(
    "|".join(
        rf"\b{re.escape(k)}\b" if k.isascii() else re.escape(k)
        for k in sorted(COLOURS, key=len, reverse=True)
    )
)


def colour_in(text: str) -> str | None:
    m = _COLOUR_RX.search(text)
    return COLOURS[m.group(0)] if m else None


BIGGER = rx(
    r"\b(?:bigger|larger|huge|enlarge|increase the size|more visible|bolder|size up)\b|"
    r"\b(?:increase|raise|bump up)\b.*\bsize\b",
    r"大一点|大一些|放大|变大|加大|大点|大一号|大(?:一|两|几)?个?字号|字号(?:调|改|变|加)?大|调大字号|"
    r"字(?:体)?(?:调|改|变|放)大",
)
SMALLER = rx(
    r"\b(?:smaller|tiny|shrink|reduce the size|less big)\b|\b(?:decrease|reduce|lower)\b.*\bsize\b",
    r"小一点|小一些|缩小|变小|小点|改小|调小|小一号|小(?:一|两|几)?个?字号|字号(?:调|改|变|减)?小|"
    r"调小字号",
)
POSITIONS = [
    ("top", rx(r"\b(?:top|upper|up top|the top)\b", r"顶部|上方|上面|顶端|最上|往上|上移|向上")),
    ("bottom", rx(r"\b(?:bottom|lower|down low)\b", r"底部|下方|下面|底端|最下|往下|下移|向下")),
    ("center", rx(r"\b(?:cent(?:er|re)|middle)\b", r"中间|中央|居中|正中")),
]
LOUDER = rx(
    r"\b(?:louder|raise|increase|boost|turn (?:it |the \w+ )?up|up the|pump up|crank)\b|\bup\b|"
    r"\bbarely hear\b|\bcan'?t hear\b|\bhard to hear\b|\btoo (?:quiet|soft|low)\b",
    r"大声|调大|调高|加大|提高|大一点|大一些|响一点|响一些|大点|听不见|听不清|太小声|太小了",
)
QUIETER = rx(
    r"\b(?:quieter|softer|lower|decrease|reduce|turn (?:it |the \w+ )?down|down|less loud|"
    r"too loud|not so loud|duck|fainter)\b|"
    r"\bkeep (?:it|them|the \w+) (?:quiet|low|soft|down|subtle|in the background)\b|"
    r"\b(?:drop|cut|bring down|take down)\b.*\b(?:volume|level|loudness)\b",
    r"\b(?:blasting|deafening|ear-?splitting|hurts? my ears|overpowering)\b",
    r"小声|调小|调低|降低|小一点|小一些|轻一点|轻一些|小点|太吵|太大声|太大了|太响|声音太大|"
    r"(?:别|不要)(?:那么|这么|太)(?:吵|大声|响)|太炸|炸耳|震耳|刺耳|吵死|太闹|耳朵(?:受不了|疼|痛)|"
    r"吵得",
)
A_BIT = rx(
    r"\b(?:a bit|a little|slightly|little|somewhat|a tad|a touch|bit|kinda|a notch|a little bit)\b",
    r"一点|一些|稍微|有点|稍稍|略微|点",
)
MUTE = rx(
    r"\bmute\b|\bsilence\b|\bsilent\b|\bno sound\b|\bwithout sound\b",
    r"\b(?:turn|switch|shut) (?:off|out) (?:the |all |my )?(?:original |clip'?s? |video'?s? |"
    r"camera )?(?:sound|audio|music|bgm|song|voices?)\b|"
    r"\b(?:turn|switch|shut) (?:the )?(?:original |clip'?s? |video'?s? )?(?:sound|audio|music|bgm|"
    r"song|voices?) off\b",
    r"^(?:the )?(?:music|sound|audio|bgm|song)s? off$",
    r"静音|消音|无声|(?:原声|声音|音乐|配乐|音频)(?:关掉|关了|关闭)|关掉(?:原声|声音|音乐)",
)
UNMUTE = rx(
    r"\bunmute\b|\bun-mute\b|\bsound back\b|\baudio back\b|\bturn (?:the )?sound (?:back )?on\b|"
    r"\b(?:turn|switch|put) (?:the )?(?:music|song|bgm|audio|sound|voices?) (?:back )?on\b|"
    r"\b(?:music|song|bgm|audio|sound) (?:back )?on(?: again)?$|"
    # the mute, undone: "take the mute off the music", "turn off mute", "cancel the mute"
    r"\b(?:take|turn|switch) (?:the )?mute off\b|\b(?:turn|switch|take) off (?:the )?mute\b|"
    r"\b(?:remove|cancel|disable|lift|get rid of) (?:the )?mute\b",
    r"静音(?:的?状态)?(?:给我)?(?:取消|去掉|关掉|关了|关闭|解除|撤销|撤掉|拿掉|不要了)|取消.{0,4}静音|解除.{0,4}静音|恢复声音|打开声音|开启声音|(?:音乐|声音|原声)(?:打开|开回来|恢复)|"
    r"(?:打开|恢复)(?:音乐|原声)",
)

# -- platforms and shapes ----------------------------------------------------------------------
PORTRAIT = rx(
    r"\b(?:vertical|portrait(?! mode)|tiktok|tik tok|reels?|shorts|(?:youtube|yt) short|snapchat|"
    r"phone screen|"
    r"upright)\b",
    # "story" alone is a story ("he's part of the story"); a platform's story is vertical
    r"\b(?:ig|insta|instagram|snapchat|facebook|fb|whatsapp) stor(?:y|ies)\b|"
    r"\b(?:for|to|on|in|into) (?:my|our|the|an?) (?:ig |insta |instagram )?stor(?:y|ies)\b",
    r"竖屏|竖版|竖的|竖向|抖音|快手|小红书|视频号|竖",
)
LANDSCAPE = rx(
    r"\b(?:horizontal|landscape|widescreen|wide screen|youtube|tv|desktop)\b",
    r"横屏|横版|横的|横向|宽屏|b站|bilibili|西瓜视频|横",
)
SQUARE = rx(
    r"\b(?:square|instagram post|instagram feed|ig post|insta post|feed post)\b",
    r"方形|正方形|方的",
)
PORTRAIT_45 = rx(r"\b(?:4 ?by ?5|four by five)\b")

# -- speech acts -------------------------------------------------------------------------------
NEGATION = rx(
    r"^(?:please |pls |and |but |also |maybe |perhaps |probably |actually |so )?(?:do not|don't|"
    r"dont|never|no need to|no need for|"
    r"stop|avoid|skip the|there's no need to|you don't need to|you dont need to|not)\b|"
    # terse "no fade", "no speed change" (not "no sound": silence; not "no more than 10 s")
    r"^(?:but |and )?no (?!sound\b|audio\b|(?:more|longer|less) than\b|(?:black )?bars\b|"
    r"wait\b|problem|worries\b|(?:i|you|we) \b)(?=[a-z])",
    r"\b(?:i|we) (?:do not|don't|dont) (?:think (?:we|i) )?(?:want|need)(?: you)?(?: to)?\b|"
    r"\b(?:i|we) (?:no longer|don'?t really|do not really) (?:want|need)(?: you)?(?: to)?\b|"
    r"\bi'?d rather not\b|"
    r"\b(?:keep|leave)\b.*\b(?:as it is|as is|alone|unchanged|the same|untouched)\b|"
    r"\b(?:as it is|the way it is|as is)$|^(?:leave|keep) (?:the |my )?[a-z]+$",
    r"^(?:请|我|我们|千万|一定|绝对|可|你|暂时|目前|现在|先)?(?:不要|别|不用|无需|不需要|没必要|先不要|先别|不想要|不想|"
    r"不必|用不着)",
    r"^(?:我)?(?:没让你|没叫你|没要你|没有让你|没说要|没说过要|谁让你|不是让你|不是叫你|不是要你|"
    r"不是说要)",
    r"^i (?:didn'?t|did not|never) (?:ask|tell|say|want)(?: you)?(?: to)?\b|"
    r"^who (?:told|asked) you to\b|^(?:make sure|be sure) (?:not to|you don'?t|to not)\b|"
    r"\bi(?:'?d| would)? (?:prefer|rather) not(?: to)?(?: have)?\b",
    # "骑车那个人别去掉", "音乐不要删": the thing first, then its negated verb
    r"(?<![分特区告])(?:不用|不要|别|无需|不需要|不必|千万别|可别)(?:再)?(?:给我)?(?:改|动|换|变|调|"
    r"删除?|加|剪|去掉|去除|拿掉|抹掉|抹去|擦掉|移除|[pP]掉|抠掉|关|碰|静音|加速|减速|放慢|替换|虚化|"
    r"模糊|淡出|淡入|裁)(?:掉|了|吧|啊|哦|呀|哈|"
    r"就行|就好|就可以|就成)*[。!！.~～]*$",
)
CANCEL = rx(
    r"^(?:(?:nah|no|ok|okay|oh|hmm+|um+|eh|meh|ugh|actually|wait|sorry|hey)[\s,.!]+)*"
    r"(?:never ?mind|nevermind|nvm|cancel(?: that| it)?|forget (?:it|that|about it)|"
    r"(?:it'?s |its |it is |is |that'?s |thats |looks |it looks |all )?(?:ok|okay|fine|good|"
    r"alright|all right)(?: (?:like this|like that|as it is|as is|the way it is|how it is))|"
    r"ignore that|no thanks|no thank you|nope|nah|nothing(?: else)?|that's all|that is all|"
    r"that'?s it|thats it|that'?ll be all|all done|i'?m done|done|nothing more|"
    r"(?:i )?changed my mind|(?:oh )?wait,? no|no,? wait|hold on|actually no|"
    r"no (?:edits|changes)(?: please)?|"
    r"leave it(?: as it is)?|"
    r"keep it as it is|it's fine|its fine|all good|no|no changes?|don't change anything|"
    r"do nothing|nothing to change|leave everything|don'?t|dont|do not|no,? (?:don'?t|dont|do not)"
    r"(?: do (?:it|that))?|thanks?(?: you)?(?: so much| a lot)?|thx|ty|cheers|perfect|great|"
    r"awesome|(?:that'?s |thats )?enough(?: for (?:now|today))?|bye|goodbye|see you)\W*$",
    r"^(?:(?:算了|哎|唉|嗯|呃|额)[\s,，]*)*(?:算了|不用了|取消|没事了?|不改了|就这样|先这样|保持原样|"
    r"可以了|好了|行了|够了|差不多了|就这些|没有了|没了|谢谢|多谢|谢了|完美|太好了|很好|不错|拜拜|再见|(?:先|暂时|还是)?不(?:弄|做|搞|改|剪|折腾|"
    r"动)了|(?:先|暂时)不(?:弄|做|搞|改|剪|动)|暂时不用了?|这样(?:就)?(?:挺好|可以|行|好)(?:的)?)"
    r"(?:吧|啊|了|的)?"
    r"(?:[\s,，]*(?:不用了|不要了|不改了|不用改了|取消吧?|没事了?))?\W*$",
)
UNSUPPORTED = rx(
    r"\b(?:reverse(?! the order)|backwards|rewind effect|transition|transitions|filter|sepia|"
    r"cross-?fades?|cross-?fading|dissolve|wipe transition|"
    r"black and white|grayscale|greyscale|stickers?|emojis?|stabili[sz]e|rotate|flip(?! the order)|"
    r"mirror|"
    r"voice ?over|narration|auto[- ]?captions?|transcribe|generate subtitles|zoom in|"
    r"(?:subtitles?|captions?|subs) automatically|automatic(?:ally)? (?:subtitles?|captions?)|"
    r"auto[- ]?subs?|auto[- ]?subtitles?|speech to text|pixelat\w*|censor\w*|"
    r"(?:auto(?:matically)?[- ]?)?generat\w* (?:the |some )?(?:subtitles?|captions?|subs)|"
    r"blur (?:out )?(?:the |his |her |their |all |my )?(?:faces?|license plates?|number plates?|"
    r"plates?)|"
    r"color grade|colour grade|lut|vintage|glitch|3d|explosion|dub|translate|upscale|"
    r"4k|denoise|sharpen|speed ?ramp(?:ing|s)?|ramp (?:the )?speed|"
    r"(?:slow|fast) (?:into|then|to) (?:fast|slow)|keyframes?|freeze ?frames?)\b",
    r"倒放|倒(?:转|着|著|过来)播放?|反(?:向|着|著)播放?|自动(?:生成|加上?|上|添加|配|出|识别)?(?:中文)?字幕|转场|滤镜|贴纸|防抖|旋转|镜像|配音|自动字幕|识别字幕|翻译|黑白|调色|交叉淡化|叠化|溶解|"
    r"马赛克|打码|(?:人脸|脸部|车牌)(?:模糊|虚化)|(?:模糊|虚化)(?:人脸|脸|车牌)|曲线变速|变速曲线|"
    r"渐变速|定格|关键帧|(?:由|从|先)(?:慢|快)(?:到|变|后|再)(?:快|慢)|越来越(?:快|慢)|逐渐(?:加速|减速|变快|变慢)",
)

#: Subtitles made from speech: not something the titles can do.
AUTO_SUBS = re.compile(
    r"\b(?:subtitles?|captions?|subs) automatically|automatic(?:ally)? (?:subtitles?|captions?)|"
    r"\bauto[- ]?(?:subs?|subtitles?|captions?)\b|\btranscri|speech to text|自动字幕|识别字幕|"
    r"\bgenerat\w* (?:the |some )?(?:subtitles?|captions?|subs)\b|"
    r"自动(?:生成|加上?|上|添加|配|出|识别)?(?:中文)?字幕|"
    r"语音转文字"
)

#: "no wait", "I mean", "sorry": the next clause replaces the one before.
CORRECTION = re.compile(
    r"(?:no|nah|oh)?[\s,]*(?:wait|i mean|sorry|i meant|make that|correction|rather)|no no|"
    r"no|nah|oops|actually|不对|不是|说错了|我是说|应该是|哦不|呃不|错了"
)
#: The frame's padding around a resized picture ("blur the bars", 上下用模糊填充).
PADDING = re.compile(
    r"\b(?:bars?|padding|borders?|empty (?:space|area)s?|the sides|top and bottom|above and below|"
    r"letterbox(?:ing)?|pillarbox(?:ing)?|edges)\b|上下|两边|两侧|左右|黑边|空白|留白|边上|补边|"
    r"填边|边缘"
)
