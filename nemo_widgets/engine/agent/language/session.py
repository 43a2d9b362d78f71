"""What the planner knows about the session: a small read-only view of the state, updated
as the steps of one plan are imagined (so "trim to 20 s, then cut the last 5" means 15–20)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from nemo_widgets.engine.agent.language.spelling import simplified

#: Chinese numerals, as a number in the normalised text may have been typed.
_NUMERALS = "[零〇一二两三四五六七八九十百千万]+"


@dataclass
class Session:
    total: float = 0.0  # seconds of video on the timeline
    clips: list[str] = field(default_factory=list)  # file names on the video track, in order
    files: list[dict[str, Any]] = field(default_factory=list)
    music: str | None = None  # file name of the music on the timeline
    music_volume: float = 1.0
    titles: list[str] = field(default_factory=list)
    speed: float = 1.0
    selection: bool = False
    aspect: str | None = None
    shape: str | None = None  # landscape | portrait | square: the frame as it is now
    history: bool = False
    raw: str = ""  # the instruction as typed, for the case of free text
    undo: list[Any] = field(default_factory=list)  # drafts an undo brings back, newest first

    def in_their_language(self, clause: str, en: str, zh: str) -> str:
        """``zh`` when the instruction (or, without one, ``clause``) is written in Chinese."""
        return zh if re.search(r"[\u4e00-\u9fff]", self.raw or clause) else en

    def raw_case(self, words: str) -> str:
        """``words`` (from the lower-cased text) as the user typed them."""
        i = self.raw.lower().find(words)
        if i >= 0:
            return self.raw[i : i + len(words)]
        # Normalising turned some of it into digits (第一个 → 第1个, "Top Ten" stays): the
        # user's own words, with a number matching the numerals it came from.
        pat = re.sub(r"\d+", lambda m: f"(?:{m.group(0)}|{_NUMERALS})", re.escape(words))
        m = re.search(pat.replace("\\ ", r"\s*"), self.raw, re.IGNORECASE)
        return m.group(0) if m else words

    @classmethod
    def of(cls, state: dict[str, Any]) -> Session:
        files = list(state.get("video_infos") or [])
        by_id = {f.get("file_id"): f for f in files}
        s = cls(files=files, selection=bool((state.get("selection") or {}).get("box")))
        s.undo = list(state.get("_undo") or [])
        d = state.get("draft") or {}
        for tr in d.get("t", []) if isinstance(d, dict) else []:
            segs = tr.get("sg", [])
            if tr.get("tt") == 0:
                s.total = sum(float(g.get("du", 0)) for g in segs) / 1000
                s.clips = [
                    by_id.get(g.get("src"), {}).get("filename") or str(g.get("n") or "clip")
                    for g in segs
                ]
                if segs:
                    s.speed = float(segs[0].get("sp") or 1)
            elif tr.get("tt") == 1 and segs:
                g = segs[0]
                s.music = by_id.get(g.get("src"), {}).get("filename") or str(g.get("n") or "")
                s.music_volume = float(g.get("v", 100)) / 100
            elif tr.get("tt") == 7:
                s.titles = [str(g.get("tx")) for g in segs if g.get("tx") is not None]
        meta = (d.get("m") or {}) if isinstance(d, dict) else {}
        s.aspect = meta.get("aspect")
        w, h = meta.get("width"), meta.get("height")
        if s.aspect is None and isinstance(w, int | float) and isinstance(h, int | float) and h:
            s.shape = "landscape" if w > h else "portrait" if w < h else "square"
        elif s.aspect is not None:
            a, b = (int(x) for x in s.aspect.split(":"))
            s.shape = "landscape" if a > b else "portrait" if a < b else "square"
        return s

    def undone(self) -> None:
        """The view after an undo: the draft it brings back (unknown: left as it is)."""
        if not self.undo:
            return
        draft, rest = self.undo[0], self.undo[1:]
        prev = Session.of({"draft": draft, "video_infos": self.files})
        for k in ("total", "clips", "music", "music_volume", "titles", "speed", "aspect", "shape"):
            setattr(self, k, getattr(prev, k))
        self.undo = rest

    def uploads(self, kind: str) -> list[dict[str, Any]]:
        return [f for f in self.files if f.get("file_type") == kind]

    def named(self, text: str, kind: str | None = None) -> dict[str, Any] | None:
        """An uploaded file the text names ("lofi.mp3", "lofi", "the beach clip"): a file
        named in full first ("second.mp4" is not "clip.mp4" by its stem in "add the clip
        second.mp4"), then the longest stem named as a word."""
        low = text.lower()
        files = [f for f in self.files if not kind or f.get("file_type") == kind]
        # the text is read in Simplified characters: so are the names ("海灘.mp4")
        names = [(simplified(str(f.get("filename", "")).lower()), f) for f in files]
        for name, f in names:
            if name and name in low:
                return f
        for name, f in sorted(names, key=lambda nf: -len(nf[0])):
            stem = name.rsplit(".", 1)[0]
            if len(stem) >= 3 and re.search(rf"(?<![a-z0-9]){re.escape(stem)}(?![a-z0-9])", low):
                return f
        return None

    def names(self) -> set[str]:
        out = set()
        for f in self.files:
            name = simplified(str(f.get("filename", "")).lower())
            out |= {name, name.rsplit(".", 1)[0]}
            out |= set(re.findall(r"[a-z]+", name))
        return out
