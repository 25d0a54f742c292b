"""Find mentions of taxonomy labels in text through their names and aliases."""

from __future__ import annotations

__all__ = ["Mention", "AliasMatcher"]

import re
from dataclasses import dataclass
from functools import cached_property

from .taxonomy import Facet


@dataclass(frozen=True)
class Mention:
    label: str
    start: int
    end: int
    text: str


def _case_sensitive(alias: str) -> bool:
    """Acronyms (``US``, ``U.S.``, ``UN``, ``AU``) must match in capitals, or ``us`` would be the USA."""
    letters = [c for c in alias if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(letters) <= 6


def _trie(words: list[str]) -> str:
    """A regular expression matching exactly ``words``, as a trie: ``korea(?:n)?`` for Korea and Korean.

    Each node's branches start with distinct characters and an optional end comes last, so at a given
    start the longest word that fits is tried first, as in a longest-first alternation, but Python's
    regex engine follows one branch per character instead of trying every word (19x faster on actors).
    """
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def _pattern(aliases: list[str], flags: int) -> re.Pattern[str] | None:
    """Whole-word matches of any alias, longest first; a case-insensitive trie is built on lower case."""
    if not aliases:
        return None
    fold = bool(flags & re.IGNORECASE)
    keys = sorted({a.lower() if fold and len(a.lower()) == len(a) else a for a in aliases})
    first = "".join(sorted({re.escape(k[0]) for k in keys}))  # skip positions no alias can start at
    return re.compile(rf"(?<!\w)(?=[{first}])(?:{_trie(keys)})(?!\w)", flags)


class AliasMatcher:
    """Matches the names and aliases of one facet's labels in text.

    Acronym-like aliases match case-sensitively, the rest case-insensitively; the longest match wins
    where two overlap ("South Korea" over "Korea"). A label's ``not_aliases`` (an attribute in the
    taxonomy) are phrases that contain an alias without naming the label ("South China Sea"): they are
    matched and then discarded, so the alias inside them does not count.
    """

    def __init__(self, facet: Facet):
        self.facet = facet
        self._owner: dict[str, str | None] = {}
        exact, folded = [], []
        for label in facet.labels:
            phrases = [(a, label.id) for a in {label.name, *label.aliases}]
            phrases += [(a, None) for a in label.attrs.get("not_aliases", ())]
            for alias, owner in phrases:
                alias = " ".join(alias.split())
                if _case_sensitive(alias):
                    self._owner[alias] = owner
                    exact.append(alias)
                else:
                    self._owner[alias.casefold()] = owner
                    folded.append(alias)
        self._exact = _pattern(exact, 0)
        self._folded = _pattern(folded, re.IGNORECASE)

    def _label_of(self, text: str, exact: bool) -> str | None:
        text = " ".join(text.split())
        return self._owner.get(text) if exact else self._owner.get(text.casefold())

    def find(self, text: str) -> list[Mention]:
        """All non-overlapping mentions in order of position (not-alias phrases removed)."""
        found = []
        for pat, exact in ((self._exact, True), (self._folded, False)):
            if pat is None:
                continue
            for m in pat.finditer(text):
                found.append(Mention(self._label_of(m.group(0), exact), m.start(), m.end(), m.group(0)))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        out: list[Mention] = []
        end = -1
        for m in found:
            if m.start >= end:
                out.append(m)
                end = m.end
        return [m for m in out if m.label is not None]

    def labels(self, text: str) -> list[str]:
        """Label ids mentioned in ``text``, in order of first mention."""
        return list(dict.fromkeys(m.label for m in self.find(text)))

    @cached_property
    def label_ids(self) -> list[str]:
        return self.facet.ids
