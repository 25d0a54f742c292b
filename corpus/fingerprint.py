"""Stable article ids and near-duplicate groups (MinHash over word shingles, banded LSH)."""

from __future__ import annotations

__all__ = ["normalise", "article_id", "NearDuplicateIndex", "NearDuplicateParams", "near_duplicate_groups",
           "groups_from_signatures"]

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
    on every machine and run, and adding other articles never changes it."""
    blob = f"{normalise(title)}\n{normalise(body)}".encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


_MASK61 = np.uint64((1 << 61) - 1)
_BATCH_SHINGLES = 1 << 12  # shingles hashed at once: permutations x this many uint64 (4 MiB at 128, in cache)


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

    Token hashes are CRC-32 (stable across processes, unlike ``hash``); shingle hashes combine them
    in NumPy, and each permutation is the multiply-shift hash ``(a*h + b) mod 2**64`` with seeded odd
    ``a`` and ``b``.
    """

    def __init__(self, params: NearDuplicateParams | None = None):
        self.params = params or NearDuplicateParams()
        p = self.params
        if p.permutations % p.bands:
            raise ValueError(f"permutations ({p.permutations}) must be a multiple of bands ({p.bands}).")
        rng = np.random.default_rng(p.seed)
        self._a = rng.integers(1, 1 << 63, size=(p.permutations, 1), dtype=np.uint64) * np.uint64(2) + np.uint64(1)
        self._b = rng.integers(0, 1 << 63, size=(p.permutations, 1), dtype=np.uint64)
        self._tokens: dict[str, int] = {}

    def _token_hashes(self, text: str) -> np.ndarray:
        cache = self._tokens
        # the words of normalise(text): collapsing white space would not change them, so it is skipped
        toks = _TOKEN.findall(unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold())
        hashes = list(map(cache.get, toks))
        if None in hashes:
            for i, h in enumerate(hashes):
                if h is None:
                    hashes[i] = cache.setdefault(toks[i], zlib.crc32(toks[i].encode("utf-8")))
        return np.array(hashes, dtype=np.uint64)

    def _shingles(self, text: str) -> np.ndarray:
        """Hashes of the text's word shingles (masked to 61 bits; repeats kept: they do not change a minimum)."""
        toks = self._token_hashes(text)
        k = min(self.params.shingle, toks.size)
        n = toks.size - k + 1
        sh = np.zeros(n if toks.size else 0, dtype=np.uint64)
        for j in range(k):  # polynomial combination, wraps mod 2**64
            sh = sh * np.uint64(1_000_003) + toks[j : j + n]
        return sh & _MASK61

    def signature(self, text: str) -> np.ndarray:
        sh = self._shingles(text)
        if sh.size == 0:
            return np.full(self.params.permutations, np.iinfo(np.uint64).max, dtype=np.uint64)
        # multiply-shift hashing: (a*h + b) mod 2**64 with odd a, one row per permutation
        mixed = self._a * sh[None, :] + self._b
        return mixed.min(axis=1)

    def signatures(self, texts: Sequence[str], progress=None) -> np.ndarray:
        """``signature(text)`` of every text, stacked (the same bytes). The permutations run over many texts'
        shingles at once, in a reused buffer, with ``np.minimum.reduceat`` per text: 10-25 % less CPU time
        than one text at a time on the real corpora."""
        sigs = np.full((len(texts), self.params.permutations), np.iinfo(np.uint64).max, dtype=np.uint64)
        batch: list[np.ndarray] = []
        rows: list[int] = []
        size = 0
        buf = np.empty((self.params.permutations, 2 * _BATCH_SHINGLES), dtype=np.uint64)

        def flush() -> None:
            sh = np.concatenate(batch)
            mixed = buf[:, : sh.size] if sh.size <= buf.shape[1] else np.empty_like(buf, shape=(buf.shape[0], sh.size))
            np.multiply(self._a, sh[None, :], out=mixed)
            np.add(mixed, self._b, out=mixed)
            starts = np.cumsum([0] + [b.size for b in batch[:-1]])
            sigs[rows] = np.minimum.reduceat(mixed, starts, axis=1).T

        for i, text in enumerate(texts):
            sh = self._shingles(text)
            if sh.size:  # a text without words keeps the all-max signature
                batch.append(sh)
                rows.append(i)
                size += sh.size
                if size >= _BATCH_SHINGLES:
                    flush()
                    batch, rows, size = [], [], 0
            if progress is not None:
                progress(1)
        if batch:
            flush()
        return sigs

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
            for s, e in zip(starts, ends):
                if e - s < 2:
                    continue
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
