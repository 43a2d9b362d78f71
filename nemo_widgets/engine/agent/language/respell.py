"""Real-word typos: "spilt the clip", "fad in", "move the tittle", "the sliver car".

The normaliser never rewrites a dictionary word (so "moving", "parked", "fades" stay). But a
typo can land on another real word. Two gated second chances:

- :func:`command_typos` — only when a clause says nothing the planner knows: each word one
  edit (a swap, an extra or a missing letter, a changed letter) from a word the grammar keys
  on is read as that word, and the clause is read again; the new reading is kept only if it
  says something (the caller checks).
- :func:`colour_typos` — a word one edit from a colour, right before a thing that can be
  removed ("sliver car", "gery van"), is that colour.
"""

from __future__ import annotations

import re

from nemo_widgets.engine.agent.language.normalise import _KEEP, KEYWORDS, _edits, is_word
from nemo_widgets.engine.agent.language.spelling import frequency

_COLOURS = (
    "silver", "grey", "gray", "red", "blue", "green", "white", "black", "yellow", "orange",
    "pink", "purple", "brown",
)  # fmt: skip
#: Words of the command vocabulary a typo is most likely aiming at (verbs and the parts).
_COMMANDS = sorted({w for w in KEYWORDS if len(w) >= 4 and w.isalpha() and w not in _COLOURS})
#: Short words never rewritten (a typo of "fade" is "fad", but "the"/"and"/"it" are words).
_SHORT_OK = re.compile(r"^[a-z]{3,}$")


def _near(w: str, vocab: list[str] | tuple[str, ...]) -> str | None:
    if w in vocab or not _SHORT_OK.match(w):
        return None
    hits = [k for k in vocab if abs(len(k) - len(w)) <= 1 and k[0] == w[0] and _edits(w, k) == 1]
    return hits[0] if len(hits) == 1 else None  # one candidate only: never a guess between two


def command_typos(c: str) -> str:
    """The clause with a word one edit from a command word read as that word — only where a
    command word goes: first (the verb: "spilt the clip", "fad in") or after an article (the
    thing: "move the tittle"); never a word the grammar already knows ("red" is not "redo")."""
    if re.search(r"[\u4e00-\u9fff«]", c):
        return c

    def fix(m: re.Match[str]) -> str:
        w = m.group(2)
        if w in KEYWORDS or w in _KEEP:
            return m.group(0)
        k = _near(w, _COMMANDS)
        # A common word is meant as itself ("a fake video" is not "a fade video"): only a
        # word ten times rarer than the command word is read as its typo ("spilt", "fad").
        if k is None or frequency(w) * 10 > max(frequency(k), 1):
            return m.group(0)
        return m.group(1) + k

    return re.sub(
        r"(^|\b(?:the|a|an|my|this|that|to|some|in|add|remove|mute|unmute|make|put|change|"
        r"cut|split|move|use)\s+)([a-z]+)",
        fix,
        c,
    )


def colour_typos(t: str, nouns: list[str]) -> str:
    """ "sliver car" → "silver car": a near-colour right before a thing."""
    if not nouns:
        return t
    noun = "|".join(re.escape(n) for n in nouns)

    def fix(m: re.Match[str]) -> str:
        w = m.group(1)
        return (_near(w, _COLOURS) or w) + m.group(2)

    return re.sub(rf"\b([a-z]{{3,}})(\s+(?:{noun})\b)", fix, t)


def object_typos(t: str, nouns: list[str]) -> str:
    """ "the bycicle rider" → "the bicycle rider", "pedestrain" → "pedestrian": a word that
    is no word (the dictionary says so) within two edits of one thing's name — the only one,
    with the same first letter — is that thing. Real words and short words stay."""
    singles = [n for n in nouns if " " not in n and len(n) >= 5 and n.isalpha()]

    def fix(m: re.Match[str]) -> str:
        w = m.group(0)
        if len(w) < 5 or w in KEYWORDS or w in _KEEP or is_word(w) is not False:
            return w
        hits = {
            n
            for n in singles
            if n[0] == w[0]
            and abs(len(n) - len(w)) <= 2
            and _edits(w, n) <= (1 if len(w) < 7 else 2)
        }
        return hits.pop() if len(hits) == 1 else w

    t = re.sub(r"\b(?:teh|hte|th)\b(?=\s+[a-z])", "the", t)  # "remove teh car"
    return re.sub(r"\b[a-z]{5,}\b", fix, t)
