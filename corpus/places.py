"""Place names — towns and cities, provinces and states — and the country each lies in.

The gazetteer ``corpus/data/places.tsv`` is built from GeoNames (CC BY 4.0) by ``tools/build_places.py``: one
``name<TAB>ISO 3166 alpha-2 code<TAB>anchor`` a line, the anchor being the word of the name a text is searched
for (its rarest: "york" of New York); ``#`` lines are comments. It lets a tagger place an event that names
no country ("floods in Khyber Pakhtunkhwa", "a shooting in Boulder, Colorado"). This module owns that file's
format.
"""

from __future__ import annotations

__all__ = ["Gazetteer", "PlaceMention", "default_gazetteer_path", "load_gazetteer"]

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence

from .aliases import text_words
from .errors import InputError

_CODE = re.compile(r"[A-Z]{2}")


class PlaceMention(NamedTuple):
    """A place named in a text: its country (ISO 3166 alpha-2), its name's words (lower case) and the
    position of its first word among the text's words."""

    country: str
    name: str
    word: int


def default_gazetteer_path() -> Path:
    """The gazetteer that ships with newstag (``corpus/data/places.tsv``)."""
    return Path(__file__).resolve().parent / "data" / "places.tsv"


class Gazetteer:
    """Finds place names in text by its words (:func:`corpus.text_words` of the lower-cased text, which a
    tagger has at hand already), so case does not matter: the shipped list holds no name that is also a common
    lower-case English word (``tools/build_places.py`` leaves them out). Where names overlap, the earliest
    wins, then the longest ("Rio Grande do Sul" over "Rio Grande").

    Parameters
    ----------
    places : iterable of (name, ISO 3166 alpha-2 code, anchor)
        The anchor is the word of the name (lower case, one of :func:`corpus.text_words`) a text is searched
        for: best the rarest, so that a text's common words ("the", "new", "san") lead to no search.
    digest : str
        What identifies this list (the file's SHA-256); a fitted model records it.
    """

    def __init__(self, places: Iterable[tuple[str, str, str]], digest: str = ""):
        places = list(places)
        self.places = {name: country for name, country, _ in places}
        self.digest = digest
        names: dict[tuple[str, ...], str] = {}
        by_anchor: dict[str, list[tuple[int, tuple[str, ...], str, str]]] = {}  # (anchor's place, words, country, name)
        for name, country, anchor in places:
            words = tuple(text_words(name.lower()))
            if anchor not in words:
                raise InputError(f"gazetteer: the anchor {anchor!r} of {name!r} is not one of its words {list(words)}.")
            if names.setdefault(words, country) != country:
                raise InputError(f"gazetteer: {name!r} and another name with the same words have different "
                                 f"countries ({names[words]}, {country}); keep one.")
            by_anchor.setdefault(anchor, []).append((words.index(anchor), words, country, " ".join(words)))
        self._by_anchor = by_anchor
        self._anchors = frozenset(by_anchor)

    @classmethod
    def from_file(cls, path: str | Path) -> "Gazetteer":
        """Read a gazetteer file (see the module docstring); a bad line is an :class:`InputError` naming it."""
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise InputError(f"{path}: cannot read the gazetteer ({e.strerror or e}).") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError(f"{path}: the gazetteer must be UTF-8 ({e.reason} at byte {e.start}).") from None
        places: dict[str, tuple[str, str, str]] = {}
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3 or not parts[0].strip() or not _CODE.fullmatch(parts[1]) or not parts[2]:
                raise InputError(f"{path}:{n}: expected 'name<TAB>two-letter country code<TAB>anchor word', got "
                                 f"{line[:80]!r}; fix the line or rebuild the file with tools/build_places.py.")
            name = " ".join(parts[0].split())
            if name in places and places[name][1] != parts[1]:
                raise InputError(f"{path}:{n}: {name!r} is given twice, for {places[name][1]} and {parts[1]}; "
                                 "a name must have one country.")
            places[name] = (name, parts[1], parts[2])
        try:
            return cls(places.values(), hashlib.sha256(raw).hexdigest())
        except InputError as e:
            raise InputError(f"{path}: {e}") from None

    def __len__(self) -> int:
        return len(self.places)

    def find(self, text: str) -> list[PlaceMention]:
        """The places named in ``text``, in order."""
        return self.find_words(text_words(text.lower()))

    def find_words(self, words: Sequence[str]) -> list[PlaceMention]:
        """The places named by a text's lower-case words (:func:`corpus.text_words`), in order."""
        hits = self._anchors.intersection(words)  # most texts: one pass in C, and nothing more
        if not hits:
            return []
        n = len(words)
        found = []  # (start, -length, country, name) of every name present
        for w in hits:
            entries = self._by_anchor[w]
            i = -1
            for _ in range(words.count(w)):
                i = words.index(w, i + 1)
                for k, name, country, joined in entries:
                    if k == 0 and len(name) == 1:
                        found.append((i, -1, country, joined))
                        continue
                    s = i - k
                    if s >= 0 and s + len(name) <= n and tuple(words[s:s + len(name)]) == name:
                        found.append((s, -len(name), country, joined))
        if len(found) > 1:
            found.sort()
        out: list[PlaceMention] = []
        end = -1
        for s, neg, country, joined in found:  # the earliest, then the longest, of overlapping names
            if s >= end:
                out.append(PlaceMention(country, joined, s))
                end = s - neg
        return out


@lru_cache(maxsize=4)
def _load(path: str, stamp: tuple[int, int]) -> Gazetteer:
    return Gazetteer.from_file(path)


def load_gazetteer(path: str | Path | None = None) -> Gazetteer:
    """The gazetteer at ``path`` (default: the one that ships with newstag), read once per process."""
    p = Path(path) if path is not None else default_gazetteer_path()
    try:
        st = p.stat()
    except OSError as e:
        raise InputError(f"{p}: cannot read the gazetteer ({e.strerror or e}).") from None
    return _load(str(p.resolve()), (st.st_mtime_ns, st.st_size))
