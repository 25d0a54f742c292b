"""Find mentions of taxonomy labels in text through their names and aliases."""

from __future__ import annotations

__all__ = ["Mention", "AliasMatcher", "text_words", "spaced_words"]

import re
from functools import cached_property
from typing import NamedTuple, Sequence

from .taxonomy import Facet


class Mention(NamedTuple):
    """A mention of a label in a text: the label id (None for a not-alias phrase, which is never
    returned), the character offsets and the text matched. A NamedTuple: typed and immutable, and
    made at tuple speed (a batch of articles makes tens of thousands)."""

    label: str | None
    start: int
    end: int
    text: str


def _case_sensitive(alias: str) -> bool:
    """Acronyms (``US``, ``U.S.``, ``UN``, ``AU``) must match in capitals, or ``us`` would be the USA."""
    letters = [c for c in alias if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(letters) <= 6


_PLURAL_ENDINGS = ("an", "i", "o", "k")


def _plural(alias: str) -> str | None:
    """The plural of a demonym-like alias: capitalised words, the last ending in -an, -i, -o or -k (Israeli,
    Filipino, Greek, South Korean) also name their state as Israelis, Filipinos, Greeks, South Koreans. Other
    aliases (America, Korea, acronyms, phrases with lower-case words) take none: "the Americas" is not the
    United States."""
    words = alias.split(" ")
    if _case_sensitive(alias) or not all(w[:1].isupper() and w.isalpha() for w in words):
        return None
    return alias + "s" if alias.lower().endswith(_PLURAL_ENDINGS) else None


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
# Every ASCII character that is not \w becomes a space: an ASCII text's \w+ runs are then its split().
_NOT_WORD_ASCII = str.maketrans({chr(c): " " for c in range(128) if not _WORD.fullmatch(chr(c))})


def text_words(text: str) -> list[str]:
    """The ``\\w+`` runs of ``text``, in order (an ASCII text by ``translate`` + ``split``: the same words,
    faster than the regex)."""
    spaced = spaced_words(text)
    return spaced.split() if spaced is not None else _WORD.findall(text)


def spaced_words(text: str) -> str | None:
    """An ASCII ``text`` with every character that is not ``\\w`` turned into a space (same length, same
    offsets), so that ``spaced[a:b].split() == text_words(text[a:b])`` for any slice; None for a text that is
    not ASCII (there, use :func:`text_words` on the slice)."""
    return text.translate(_NOT_WORD_ASCII) if text.isascii() else None


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"  # what ``\w`` matches in a str pattern


def _needs_test(needs: set[frozenset[str]]) -> tuple[frozenset[str], tuple[frozenset[str], ...]] | None:
    """What a text's words must hold for one of a first word's aliases to fit: None when nothing more
    (an alias of that one word), else ``(single words, any one of which will do; word sets, any one of
    which will do)``, without a set that holds another (it could never be the only one to fit)."""
    if frozenset() in needs:
        return None
    minimal = [n for n in needs if not any(m < n for m in needs)]
    singles = frozenset(next(iter(n)) for n in minimal if len(n) == 1)
    return singles, tuple(sorted((n for n in minimal if len(n) > 1), key=sorted))


def _position(m: "Mention") -> tuple[int, int]:
    return m.start, m.start - m.end  # earliest first, then longest


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
            phrases += [(p, label.id) for a, _ in phrases if (p := _plural(a)) is not None]
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
        # For speed, aliases are also grouped by their first word (lower case): a text is searched only for
        # the groups whose first word it contains, and only when it also contains every word of at least
        # one of the group's aliases (a text with "the" but not "kremlin" is not searched for "the Kremlin").
        by_first: dict[str, tuple[list[str], list[str]]] = {}
        for aliases, exact_mode in ((exact, True), (folded, False)):
            for alias in aliases:
                m = _WORD.match(alias.lower())
                by_first.setdefault(m.group(0) if m and m.start() == 0 else "", ([], []))[0 if exact_mode else 1].append(alias)
        # Scan every position when an alias starts with punctuation (no first word to look for), or when
        # lowering an alias changes its length ('İ'): its words in lower case are not those of the text.
        self._everywhere = "" in by_first or any(len(a.lower()) != len(a) for a in folded)
        # first word -> (what else a text must hold, see _needs_test; [(pattern, exact, owner of each key)])
        self._at_word: dict[str, tuple[tuple[frozenset[str], tuple[frozenset[str], ...]] | None,
                                       list[tuple[re.Pattern[str], bool, dict]]]] = {}
        for word, (ex, fo) in by_first.items():
            needs = {frozenset(_WORD.findall(a.lower())) - {word} for a in ex + fo}
            pats = []
            if ex:
                keys = _keys(ex, False)
                pats.append((re.compile(rf"(?:{_trie(keys)})(?!\w)"), True, {k: self._owner[k] for k in keys}))
            if fo:
                # lower-case keys searched in the lower-cased text, case-sensitively (faster, same matches)
                keys = _keys(fo, True)
                pats.append((re.compile(rf"(?:{_trie(keys)})(?!\w)"), False,
                             {k: self._owner.get(k.casefold()) for k in keys}))
            self._at_word[word] = (_needs_test(needs), pats)
        self._first_words = frozenset(self._at_word)
        # every word a search may depend on: the words of a text that matter are its intersection with these
        self._relevant = self._first_words.union(*(w for needs, _ in self._at_word.values() if needs is not None
                                                   for w in (needs[0], *needs[1])))

    def _label_of(self, text: str, exact: bool) -> str | None:
        text = " ".join(text.split())
        return self._owner.get(text) if exact else self._owner.get(text.casefold())

    def find(self, text: str, *, lower: str | None = None, words: Sequence[str] | None = None) -> list[Mention]:
        """All non-overlapping mentions in order of position (not-alias phrases removed, and an alias right
        before a dollar sign — "US$35", "HK$2" — as it names a currency).

        Every alias occurrence that starts and ends on a word boundary is a candidate; where candidates
        overlap, the earliest wins, then the longest ("South Korea" over "Korea").

        ``lower`` (``text.lower()``) and ``words`` (its ``\\w+`` runs) may be given when the caller has
        them already (the tagger tokenises each text once for tf-idf and every facet's aliases).
        """
        if lower is None:
            lower = text.lower()
        if self._everywhere or len(lower) != len(text):
            found = self._find_by_scanning(text)
        else:
            found = self._find_at_words(text, lower, text_words(lower) if words is None else words)
        if len(found) > 1:
            found.sort(key=_position)
        out: list[Mention] = []
        end = -1
        for m in found:
            if m.start >= end:
                if m.label is not None and text[m.end:m.end + 1] != "$":  # US$, NZ$, HK$: a currency, not the state
                    out.append(m)
                end = m.end
        return out

    def _find_by_scanning(self, text: str) -> list[Mention]:
        found = []
        for pat, exact in ((self._exact, True), (self._folded, False)):
            if pat is None:
                continue
            for m in pat.finditer(text):
                s, e = m.span(1)
                found.append(Mention(self._label_of(text[s:e], exact), s, e, text[s:e]))
        return found

    def _find_at_words(self, text: str, lower: str, words: Sequence[str]) -> list[Mention]:
        """The same candidates as :meth:`_find_by_scanning`, searched for only where a text holds an
        alias's first word (and every other word of one of that word's aliases)."""
        found = []
        present = self._relevant.intersection(words)
        for word in self._first_words.intersection(present):
            needs, patterns = self._at_word[word]
            if needs is not None:
                singles, sets = needs
                if singles.isdisjoint(present) and not any(n <= present for n in sets):
                    continue
            for pat, exact, owner in patterns:
                haystack = text if exact else lower
                m = pat.search(haystack)
                while m is not None:
                    s, e = m.span()
                    if s and _is_word_char(haystack[s - 1]):  # starts inside a word: try again one further
                        m = pat.search(haystack, s + 1)
                        continue
                    found.append(Mention(owner[m.group()], s, e, text[s:e]))  # what matched is a key
                    m = pat.search(haystack, e)
        return found

    def labels(self, text: str) -> list[str]:
        """Label ids mentioned in ``text``, in order of first mention."""
        return list(dict.fromkeys(m.label for m in self.find(text)))

    @cached_property
    def label_ids(self) -> list[str]:
        return self.facet.ids
