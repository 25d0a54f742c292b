"""Stable article ids and near-duplicate groups (MinHash over word shingles, banded LSH)."""

from __future__ import annotations

__all__ = ["normalise", "article_id", "text_digests", "NearDuplicateIndex", "NearDuplicateParams", "near_duplicate_groups",
           "groups_from_signatures", "table_fingerprint"]

import hashlib
import re
import unicodedata
import zlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})
_TOKEN = re.compile(r"\w+")


def normalise(text: str) -> str:
    """NFKC, case-folded, typographic quotes and dashes unified, white space collapsed."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return " ".join(text.split())


def article_id(title: str, body: str) -> str:
    """16 hex digits of SHA-256 over the normalised title and body: the same text gives the same id
    on every machine and run, and adding other articles never changes it. A long body is normalised
    a piece at a time (the same bytes are hashed: its words joined by single spaces)."""
    return _hash_normalised(hashlib.sha256(f"{normalise(title)}\n".encode("utf-8")), body).hexdigest()[:16]


def text_digests(texts: Sequence[str]) -> np.ndarray:
    """One 64-bit digest per text (BLAKE2b of :func:`normalise`), in order, as ``uint64``: the same words give the
    same digest whatever their case and white space. What a fitted model keeps of the texts it was trained on, so
    that it can tell them again (``Tagger.seen``) without keeping the texts. A long text is normalised a piece at a
    time, as by :func:`article_id`."""
    return np.fromiter((int.from_bytes(_hash_normalised(hashlib.blake2b(digest_size=8), t).digest(), "big")
                        for t in texts), dtype=np.uint64, count=len(texts))


def _hash_normalised(h, text: str):
    """``h`` (a hashlib object) updated with :func:`normalise` of ``text``, normalised a piece at a time so that a
    long text never needs several copies of itself (the same bytes: its words joined by single spaces)."""
    sep = b""
    for piece in _pieces(text):
        words = normalise(piece)
        if words:
            h.update(sep + words.encode("utf-8"))
            sep = b" "
    return h


_MASK61 = np.uint64((1 << 61) - 1)
_BATCH_SHINGLES = 1 << 12  # words (so at most as many shingles) per batch: permutations x this many uint64 (4 MiB at 128)
# A text longer than this many characters is read in pieces of about this size and its shingles go
# through the permutations a batch at a time, so memory stays bounded (a 50 MB article once needed
# 128 x words x 8 bytes, 8.9 GB); its signature is the same as in one piece.
_PIECE_CHARS = 1 << 20
_PIECE_END = re.compile(r"[ \t\n\r][\x00-\x7f]")  # after an ASCII space before an ASCII character: no NFKC
                                                   # composition, case folding or word spans across it
# An ASCII text is already NFKC, holds no typographic quotes, and case-folds as ``lower``: its words are
# those of one ``translate`` that lower-cases word characters (``\w``: letters, digits, ``_``) and blanks
# every other character, then ``split``.
_ASCII_WORDS = str.maketrans({chr(c): chr(c).lower() if chr(c).isalnum() or chr(c) == "_" else " " for c in range(128)})


def _words(text: str) -> list[str]:
    """The words (``\\w+``) of ``normalise(text)``. ASCII texts (96 % of the real articles) take the
    ``translate`` + ``split`` path: the same words in half the time of the regex over the normalised text.
    Collapsing white space would not change the words, so it is skipped."""
    if text.isascii():
        return text.translate(_ASCII_WORDS).split()
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold())


def _pieces(text: str) -> list[str]:
    """``text`` cut into pieces of about ``_PIECE_CHARS`` characters, each cut after an ASCII space that
    precedes an ASCII character: the pieces' words are the words of the whole text, in order."""
    out, start = [], 0
    while len(text) - start > _PIECE_CHARS:
        m = _PIECE_END.search(text, start + _PIECE_CHARS)
        if m is None:
            break
        out.append(text[start : m.start() + 1])
        start = m.start() + 1
    out.append(text[start:])
    return out


class _CrcCache(dict):
    """CRC-32 by word, computed on a word's first lookup (``__missing__``: no test of every hit for a miss)."""

    def __missing__(self, word: str) -> int:
        h = self[word] = zlib.crc32(word.encode("utf-8"))
        return h


@dataclass(frozen=True)
class NearDuplicateParams:
    shingle: int = 3
    permutations: int = 128
    bands: int = 32
    threshold: float = 0.6
    seed: int = 0

    def as_dict(self) -> dict:
        return {"method": "minhash-lsh", "shingle_words": self.shingle, "permutations": self.permutations,
                "bands": self.bands, "jaccard_threshold": self.threshold, "seed": self.seed}


class NearDuplicateIndex:
    """MinHash signatures of word shingles, bucketed by LSH bands.

    Token hashes are CRC-32 (stable across processes, unlike ``hash``); a shingle's hash combines its
    words' hashes as a polynomial (``h * 1_000_003 + t`` per word, mod 2**64, masked to 61 bits), and each
    permutation is the multiply-shift hash ``(a*h + b) mod 2**64`` with seeded odd ``a`` and ``b``. A text
    with fewer words than a shingle has one shingle of all its words; a text without words keeps the
    all-max signature.
    """

    def __init__(self, params: NearDuplicateParams | None = None):
        self.params = params or NearDuplicateParams()
        p = self.params
        if p.permutations % p.bands:
            raise ValueError(f"permutations ({p.permutations}) must be a multiple of bands ({p.bands}).")
        rng = np.random.default_rng(p.seed)
        self._a = rng.integers(1, 1 << 63, size=(p.permutations, 1), dtype=np.uint64) * np.uint64(2) + np.uint64(1)
        self._b = rng.integers(0, 1 << 63, size=(p.permutations, 1), dtype=np.uint64)
        self._tokens = _CrcCache()

    def _token_hashes(self, words: list[str]) -> np.ndarray:
        """CRC-32 of each word, cached by word (the real corpora repeat each of their words ~60 times)."""
        return np.fromiter(map(self._tokens.__getitem__, words), dtype=np.uint64, count=len(words))

    def _shingles(self, tokens: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The shingle hashes of consecutive texts, from their word hashes concatenated in ``tokens``
        (``counts[i]`` words of text ``i``): every text's shingles in order, and how many each text has.

        The polynomial runs over all the texts at once (a NumPy operation per word of a shingle, not per
        text), then keeps the windows that lie inside one text; repeats are kept: they do not change a
        minimum."""
        k = self.params.shingle
        n = tokens.size
        starts = np.cumsum(counts) - counts
        padded = np.concatenate([tokens, np.zeros(k - 1, dtype=np.uint64)])
        acc = np.zeros(n, dtype=np.uint64)
        short = []  # texts of j+1 < k words: their one shingle is the polynomial of j+1 words at their start
        for j in range(k):  # wraps mod 2**64
            acc = acc * np.uint64(1_000_003) + padded[j : j + n]
            if j + 1 < k:
                at = starts[counts == j + 1]
                short.append((at, acc[at]))
        for at, values in short:
            acc[at] = values
        keep = np.arange(n) + k <= np.repeat(starts + counts, counts)  # a whole shingle inside its text
        for at, _ in short:
            keep[at] = True
        per_text = np.where(counts >= k, counts - k + 1, np.minimum(counts, 1))
        return acc[keep] & _MASK61, per_text

    def signature(self, text: str) -> np.ndarray:
        return self.signatures([text])[0]

    def signatures(self, texts: Sequence[str], progress=None) -> np.ndarray:
        """The MinHash signature of every text, one row each. Texts go in batches of about
        ``_BATCH_SHINGLES`` words: their words are hashed and shingled together, and the permutations run
        over the batch's shingles at once, in a reused buffer, with ``np.minimum.reduceat`` per text."""
        sigs = np.full((len(texts), self.params.permutations), np.iinfo(np.uint64).max, dtype=np.uint64)
        buf = np.empty((self.params.permutations, 2 * _BATCH_SHINGLES), dtype=np.uint64)
        words: list[str] = []
        counts: list[int] = []
        first = 0  # the batch's first text

        def flush() -> None:
            sh, per_text = self._shingles(self._token_hashes(words), np.array(counts, dtype=np.int64))
            if not sh.size:
                return
            mixed = buf[:, : sh.size] if sh.size <= buf.shape[1] else np.empty_like(buf, shape=(buf.shape[0], sh.size))
            np.multiply(self._a, sh[None, :], out=mixed)
            np.add(mixed, self._b, out=mixed)
            has = np.flatnonzero(per_text)
            bounds = np.cumsum(per_text[has]) - per_text[has]
            sigs[first + has] = np.minimum.reduceat(mixed, bounds, axis=1).T

        for i, text in enumerate(texts):
            if len(text) > _PIECE_CHARS:
                if counts:
                    flush()
                sigs[i] = self._long_signature(text, buf)
                words, counts, first = [], [], i + 1
                if progress is not None:
                    progress(1)
                continue
            w = _words(text)
            words += w
            counts.append(len(w))
            if len(words) >= _BATCH_SHINGLES:
                flush()
                words, counts, first = [], [], i + 1
            if progress is not None:
                progress(1)
        if counts:
            flush()
        return sigs

    def _long_signature(self, text: str, buf: np.ndarray) -> np.ndarray:
        """The signature of one long text in bounded memory: its word hashes (8 bytes a word) from pieces
        of about ``_PIECE_CHARS`` characters, then its shingles ``_BATCH_SHINGLES`` at a time, each
        batch's minimum folded into the running one."""
        k = self.params.shingle
        tokens = np.concatenate([self._token_hashes(_words(piece)) for piece in _pieces(text)] or
                                [np.empty(0, dtype=np.uint64)])
        sig = np.full(self.params.permutations, np.iinfo(np.uint64).max, dtype=np.uint64)
        n = tokens.size
        step = buf.shape[1] // 2
        for s in range(0, max(n - k + 1, 1) if n else 0, step):
            chunk = tokens[s : s + step + k - 1]
            sh, _ = self._shingles(chunk, np.array([chunk.size], dtype=np.int64))
            mixed = buf[:, : sh.size]
            np.multiply(self._a, sh[None, :], out=mixed)
            np.add(mixed, self._b, out=mixed)
            np.minimum(sig, mixed.min(axis=1), out=sig)
        return sig

    def pairs(self, sigs: np.ndarray) -> list[tuple[int, int, float]]:
        """Candidate pairs from shared LSH buckets whose estimated Jaccard reaches the threshold."""
        p = self.params
        rows = p.permutations // p.bands
        seen: set[tuple[int, int]] = set()
        out = []
        for b in range(p.bands):
            band = np.ascontiguousarray(sigs[:, b * rows : (b + 1) * rows])
            keys = band.view(np.dtype((np.void, band.dtype.itemsize * rows))).ravel()
            order = np.argsort(keys, kind="stable")
            sorted_keys = keys[order]
            starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
            ends = np.r_[starts[1:], len(order)]
            shared = ends - starts >= 2  # the few buckets of two or more: a Python loop over every bucket cost more
            for s, e in zip(starts[shared].tolist(), ends[shared].tolist()):
                members = sorted(order[s:e].tolist())
                for x in range(len(members)):
                    for y in range(x + 1, len(members)):
                        pair = (members[x], members[y])
                        if pair in seen:
                            continue
                        seen.add(pair)
                        jac = float(np.mean(sigs[pair[0]] == sigs[pair[1]]))
                        if jac >= p.threshold:
                            out.append((pair[0], pair[1], jac))
        out.sort()
        return out


def near_duplicate_groups(ids: Sequence[str], texts: Sequence[str], params: NearDuplicateParams | None = None,
                          progress=None) -> list[str]:
    """For each article, the id of its near-duplicate group: the smallest article id in the group
    (an article with no near-duplicate is its own group)."""
    return groups_from_signatures(ids, NearDuplicateIndex(params).signatures(texts, progress), params)


def groups_from_signatures(ids: Sequence[str], sigs: np.ndarray, params: NearDuplicateParams | None = None) -> list[str]:
    """:func:`near_duplicate_groups` from signatures already computed (row ``i`` is article ``ids[i]``),
    so that signatures can be computed elsewhere (a Dask cluster) and grouped in one place."""
    index = NearDuplicateIndex(params)
    parent = list(range(len(ids)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, _ in index.pairs(sigs):
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    best: dict[int, str] = {}
    for i, aid in enumerate(ids):
        r = find(i)
        if r not in best or aid < best[r]:
            best[r] = aid
    return [best[find(i)] for i in range(len(ids))]


def table_fingerprint(table) -> str:
    """16 hex digits of SHA-256 over an Arrow table's schema and buffers, read in place (no copy):
    the fingerprint of an in-memory ``datasets.Dataset``, which ``datasets`` would otherwise compute
    by serialising the whole table (a copy that took a 50 MB article's build near 1 GiB)."""
    h = hashlib.sha256(str(table.schema).encode())
    for column in table.columns:
        for chunk in column.chunks:
            h.update(f"|{chunk.offset},{len(chunk)}|".encode())
            for buf in chunk.buffers():  # a nested array's buffers include its children's
                h.update(b"-" if buf is None else memoryview(buf))
    return h.hexdigest()[:16]
