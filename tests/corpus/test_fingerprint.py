import re
import unicodedata
import zlib

import numpy as np
import pytest

from corpus import Article, article_id, from_articles, near_duplicate_groups, normalise
from corpus.fingerprint import _QUOTES, NearDuplicateIndex, NearDuplicateParams

STORY = (
    "North Korea fired two short-range ballistic missiles into the sea off its east coast on Thursday, "
    "South Korea's military said, the latest in a series of launches that have raised tension on the "
    "peninsula. Japan's coast guard warned ships in the area and Tokyo lodged a protest through embassy "
    "channels in Beijing. Officials in Seoul said the missiles flew about 350 kilometres before falling "
    "outside Japan's exclusive economic zone, and that the launches came days after joint drills ended."
)


def test_normalise_folds_case_quotes_dashes_and_white_space():
    assert normalise("  “Hello”\u00a0 World — ok ") == normalise('"hello" world - OK')


def test_article_id_is_sixteen_hex_digits_and_ignores_formatting_differences():
    a = article_id("Title", "Body  text.\n\nMore.")
    assert len(a) == 16 and int(a, 16) >= 0
    assert a == article_id("TITLE", "Body text. More.")
    assert a != article_id("Title", "Body text. More!")


def test_article_id_is_the_same_in_every_process():
    # sha256, never Python's salted hash(): this value is fixed forever.
    assert article_id("a", "b") == "7e18f737311b2dc3"


def test_small_edits_land_in_one_near_duplicate_group_and_other_stories_do_not():
    edited = STORY.replace("on Thursday", "on Thursday morning").replace("about 350", "roughly 350")
    other = "The European Union agreed a new package of sanctions on Russian oil exports after talks in Brussels."
    ids = ["b2", "a1", "c3"]
    groups = near_duplicate_groups(ids, [STORY, edited, other])
    assert groups[0] == groups[1] == "a1"
    assert groups[2] == "c3"


def test_exact_duplicates_are_stored_once_with_every_source_listed(taxonomy):
    arts = [Article(title="T", body=STORY, origin="x/1.txt"), Article(title="t", body=STORY + " ", origin="y/2.txt"),
            Article(title="Other", body="Something else entirely happened.", origin="z.txt")]
    c = from_articles(arts, taxonomy)
    assert len(c) == 2
    row = next(r for r in c.dataset if r["title"] == "T")
    assert row["sources"] == ["x/1.txt", "y/2.txt"]


def test_adding_articles_never_changes_existing_ids(taxonomy):
    base = [Article(title=f"Story {i}", body=f"Body number {i} about drills.") for i in range(5)]
    before = set(from_articles(base, taxonomy).ids)
    after = set(from_articles(base + [Article(title="New", body="A new story.")], taxonomy).ids)
    assert before < after and len(after - before) == 1


def _signature_one_shingle_at_a_time(index, text: str) -> np.ndarray:
    """The MinHash signature as first defined, written out plainly: regex words of the normalised text,
    CRC-32 per word, polynomial shingle hashes, and each permutation's minimum over them."""
    p = index.params
    words = re.findall(r"\w+", unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold())
    toks = [zlib.crc32(w.encode("utf-8")) for w in words]
    if not toks:
        return np.full(p.permutations, np.iinfo(np.uint64).max, dtype=np.uint64)
    k = min(p.shingle, len(toks))
    shingles = []
    for i in range(len(toks) - k + 1):
        h = 0
        for t in toks[i : i + k]:
            h = (h * 1_000_003 + t) % (1 << 64)
        shingles.append(h & ((1 << 61) - 1))
    a = [int(x) for x in index._a.ravel()]
    b = [int(x) for x in index._b.ravel()]
    return np.array([min((ai * s + bi) % (1 << 64) for s in shingles) for ai, bi in zip(a, b)], dtype=np.uint64)


TEXTS = [
    STORY,
    "",
    "   \n\n  ",
    "One",
    "Two words",
    "Exactly three words",
    "Four words here now",
    "“Smart” quotes — and dashes – in Ünïcode text, Straße, ＦＵＬＬＷＩＤＴＨ digits １２３, snake_case_words.",
    "ASCII punctuation: don't, co-operate; e-mail@example.com (50%) #tag $1,000.50 a_b __init__ [x]{y}|z~`^\\/",
    "Tabs\tand\x1fcontrol\x0bchars\rsplit\x1cwords too",
    "İstanbul ΣΊΣΥΦΟΣ ß ﬁ ligature ǅ",
]


@pytest.mark.parametrize("shingle", [1, 3, 5])
def test_signatures_equal_the_per_shingle_definition_in_one_batch_and_one_at_a_time(shingle):
    # signatures() vectorises over many texts' words and shingles at once; the bytes must not change, or the
    # near-duplicate groups of every corpus built before would.
    index = NearDuplicateIndex(NearDuplicateParams(shingle=shingle))
    texts = TEXTS + [STORY.replace("Thursday", "Friday"), STORY[:200]] * 3
    expected = np.stack([_signature_one_shingle_at_a_time(index, t) for t in texts])
    assert np.array_equal(index.signatures(texts), expected)
    assert all(np.array_equal(index.signature(t), e) for t, e in zip(texts, expected))
    many = texts * 200  # several batches
    assert np.array_equal(NearDuplicateIndex(index.params).signatures(many), np.concatenate([expected] * 200))


def test_signatures_of_no_texts_and_of_wordless_texts():
    index = NearDuplicateIndex()
    assert index.signatures([]).shape == (0, 128)
    assert (index.signatures(["", "...", " - "]) == np.iinfo(np.uint64).max).all()


def _mixed_texts():
    import random

    rng = random.Random(7)
    vocab = ["drills", "near", "Okinawa", "Café", "Straße", "ﬁnal", "missile", "“quoted”", "—", "Ünited", "seoul", "42",
             "x_y"]
    return ["", "one", "two words", "Japan and Korea hold drills near Okinawa."] + [
        " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 3000))) for _ in range(20)]


def test_signatures_of_normal_texts_are_those_computed_before_long_texts_went_in_pieces():
    import hashlib

    from corpus.fingerprint import NearDuplicateIndex

    sigs = NearDuplicateIndex().signatures(_mixed_texts())
    # The bytes of these signatures before the change (commit fff4d42): corpora keep their groups.
    assert hashlib.sha256(sigs.tobytes()).hexdigest() == "0399dae3a8af91f8fa00b573577c098670a03f6f9558e397a0de18739c61595f"


def test_a_long_text_goes_through_in_bounded_chunks_with_the_same_signature_and_id(monkeypatch):
    import numpy as np

    import corpus.fingerprint as fp

    texts = _mixed_texts()
    whole = fp.NearDuplicateIndex().signatures(texts)
    ids = [fp.article_id("T", t) for t in texts]
    digests = fp.text_digests(texts)
    sizes = []
    shingles = fp.NearDuplicateIndex._shingles
    monkeypatch.setattr(fp, "_PIECE_CHARS", 50)  # every text of more than 50 characters is a long one now
    monkeypatch.setattr(fp, "_BATCH_SHINGLES", 64)
    monkeypatch.setattr(fp.NearDuplicateIndex, "_shingles",
                        lambda self, tokens, counts: sizes.append(tokens.size) or shingles(self, tokens, counts))
    pieces = fp._pieces(texts[-1])
    assert len(pieces) > 10 and max(len(p) for p in pieces) < 50 + 40 and "".join(pieces) == texts[-1]
    np.testing.assert_array_equal(fp.NearDuplicateIndex().signatures(texts), whole)
    assert max(sizes) <= 64 + 2  # a batch of shingles plus the shingle's other words, never a whole text
    assert [fp.article_id("T", t) for t in texts] == ids
    np.testing.assert_array_equal(fp.text_digests(texts), digests)  # a model's training digests too
