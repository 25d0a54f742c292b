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


def _keys(aliases: list[str], fold: bool) -> list[str]:
    """The strings a pattern is built from: lower case for a case-insensitive one (unless lowering
    would change an alias's length, which would shift offsets)."""
    return sorted({a.lower() if fold and len(a.lower()) == len(a) else a for a in aliases})


def _scan_pattern(aliases: list[str], flags: int) -> re.Pattern[str] | None:
    """Finds, at every word start, the longest alias that ends on a word boundary (group 1); matches
    may overlap (a zero-width lookahead), so no alias hides another that starts inside it."""
    if not aliases:
        return None
    keys = _keys(aliases, bool(flags & re.IGNORECASE))
    first = "".join(sorted({re.escape(k[0]) for k in keys}))  # skip positions no alias can start at
    return re.compile(rf"(?<!\w)(?=[{first}])(?=({_trie(keys)})(?!\w))", flags)


_WORD = re.compile(r"\w+")


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"  # what ``\w`` matches in a str pattern


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
        self._exact = _scan_pattern(exact, 0)
        self._folded = _scan_pattern(folded, re.IGNORECASE)
        # For speed, aliases are also grouped by their first word (lower case): a text is then tried
        # only where such a word starts, with an anchored pattern per first word.
        by_first: dict[str, tuple[list[str], list[str]]] = {}
        for aliases, exact_mode in ((exact, True), (folded, False)):
            for alias in aliases:
                m = _WORD.match(alias.lower())
                by_first.setdefault(m.group(0) if m and m.start() == 0 else "", ([], []))[0 if exact_mode else 1].append(alias)
        self._everywhere = "" in by_first  # an alias that starts with punctuation: no first word to look for
        self._at_word: dict[str, list[tuple[re.Pattern[str], bool]]] = {}
        for word, (ex, fo) in by_first.items():
            pats = []
            if ex:
                pats.append((re.compile(rf"(?:{_trie(_keys(ex, False))})(?!\w)"), True))
            if fo:
                pats.append((re.compile(rf"(?:{_trie(_keys(fo, True))})(?!\w)", re.IGNORECASE), False))
            self._at_word[word] = pats
        self._first_words = frozenset(self._at_word)

    def _label_of(self, text: str, exact: bool) -> str | None:
        text = " ".join(text.split())
        return self._owner.get(text) if exact else self._owner.get(text.casefold())

    def find(self, text: str) -> list[Mention]:
        """All non-overlapping mentions in order of position (not-alias phrases removed).

        Every alias occurrence that starts and ends on a word boundary is a candidate; where candidates
        overlap, the earliest wins, then the longest ("South Korea" over "Korea").
        """
        lower = text.lower()
        if self._everywhere or len(lower) != len(text):
            found = self._find_by_scanning(text)
        else:
            found = self._find_at_words(text, lower)
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        out: list[Mention] = []
        end = -1
        for m in found:
            if m.start >= end:
                out.append(m)
                end = m.end
        return [m for m in out if m.label is not None]

    def _find_by_scanning(self, text: str) -> list[Mention]:
        found = []
        for pat, exact in ((self._exact, True), (self._folded, False)):
            if pat is None:
                continue
            for m in pat.finditer(text):
                s, e = m.span(1)
                found.append(Mention(self._label_of(text[s:e], exact), s, e, text[s:e]))
        return found

    def _find_at_words(self, text: str, lower: str) -> list[Mention]:
        """The same candidates as :meth:`_find_by_scanning`, tried only at the words that start an alias."""
        found = []
        for word in self._first_words.intersection(_WORD.findall(lower)):
            patterns = self._at_word[word]
            pos = lower.find(word)
            while pos >= 0:
                if pos == 0 or not _is_word_char(text[pos - 1]):
                    for pat, exact in patterns:
                        m = pat.match(text if exact else lower, pos)
                        if m is not None:
                            s, e = m.span()
                            found.append(Mention(self._label_of(text[s:e], exact), s, e, text[s:e]))
                pos = lower.find(word, pos + 1)
        return found

    def labels(self, text: str) -> list[str]:
        """Label ids mentioned in ``text``, in order of first mention."""
        return list(dict.fromkeys(m.label for m in self.find(text)))

    @cached_property
    def label_ids(self) -> list[str]:
        return self.facet.ids
