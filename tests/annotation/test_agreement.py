"""Agreement figures, checked against hand-computed examples."""

from __future__ import annotations

import json

import pytest

from annotation import (AnnotationRecord, agreement, agreement_from_ratings, apply_annotations, cohen_kappa,
                        fleiss_kappa, krippendorff_alpha, masi_distance, plot_agreement)

F = frozenset

# Two annotators, ten items: (asia, asia) x5, (asia, europe) x1, (europe, asia) x1, (europe, europe) x3.
A = ["asia"] * 5 + ["asia", "europe"] + ["europe"] * 3
B = ["asia"] * 5 + ["europe", "asia"] + ["europe"] * 3


def test_cohens_kappa_matches_the_hand_computation():
    # p_o = 8/10 = 0.8; each annotator: asia 6/10, europe 4/10
    # p_e = 0.6*0.6 + 0.4*0.4 = 0.52;  kappa = (0.8 - 0.52) / (1 - 0.52) = 0.28 / 0.48 = 0.583333…
    k = cohen_kappa(A, B)
    assert k.value == pytest.approx(0.28 / 0.48) and k.n_items == 10


def test_cohens_kappa_agrees_with_scikit_learn():
    from sklearn.metrics import cohen_kappa_score

    a = ["x", "y", "z", "x", "x", "y", "z", "z", "x", "y", "y", "x"]
    b = ["x", "y", "y", "x", "z", "y", "z", "x", "x", "y", "z", "x"]
    assert cohen_kappa(a, b).value == pytest.approx(cohen_kappa_score(a, b))


def test_krippendorffs_alpha_nominal_matches_the_hand_computation():
    # Same ten items: n = 20 values; coincidences o(asia,europe) = o(europe,asia) = 2 (two disagreeing units,
    # 1/(m_u - 1) = 1 each); n_asia = 12, n_europe = 8.
    # D_o = 4 / 20 = 0.2;  D_e = 2*12*8 / (20*19) = 192/380;  alpha = 1 - 0.2 / (192/380) = 1 - 76/192 = 0.604167
    alpha = krippendorff_alpha(zip(A, B))
    assert alpha.value == pytest.approx(1 - 76 / 192) and alpha.n_items == 10


def test_krippendorffs_alpha_with_missing_values_matches_krippendorffs_published_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", 4 coders x 12 units with missing
    # values, nominal: alpha = 0.743. Unit 12 has a single value and is not pairable (11 items).
    units = [[1, 1, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2], [1, 2, 3, 4], [4, 4, 4, 4],
             [1, 1, 2, 1], [2, 2, 2, 2], [5, 5, 5], [1, 1], [3]]
    alpha = krippendorff_alpha(units)
    assert alpha.value == pytest.approx(0.743, abs=5e-4) and alpha.n_items == 11


def test_fleiss_kappa_matches_the_hand_computation():
    # 3 raters, 4 items: aaa, aab, bba, bbb.  P_i = (sum n_ij^2 - 3) / 6 = 1, 1/3, 1/3, 1 -> P_bar = 2/3
    # p_a = p_b = 6/12 = 0.5 -> P_e = 0.5;  kappa = (2/3 - 1/2) / (1 - 1/2) = 1/3
    k = fleiss_kappa([["a"] * 3, ["a", "a", "b"], ["b", "b", "a"], ["b"] * 3])
    assert k.value == pytest.approx(1 / 3) and k.n_items == 4


def test_masi_distance_follows_passonneau():
    assert masi_distance(F("ab"), F("ab")) == 0.0
    assert masi_distance(F(), F()) == 0.0
    assert masi_distance(F("ab"), F("a")) == pytest.approx(1 - 0.5 * 2 / 3)  # subset: J = 1/2, M = 2/3
    assert masi_distance(F("ab"), F("bc")) == pytest.approx(1 - (1 / 3) * (1 / 3))  # overlap: J = 1/3, M = 1/3
    assert masi_distance(F("a"), F("b")) == 1.0
    assert masi_distance(F(), F("b")) == 1.0


def test_krippendorffs_alpha_with_masi_matches_the_hand_computation():
    # items: {a,b}/{a} (d = 2/3), {c}/{c} (d = 0), {a}/{b} (d = 1); n = 6 values
    # D_o = (2*(2/3) + 0 + 2*1) / 6 = 5/9
    # D_e: over the 15 unordered pairs of the 6 values, three pairs at 2/3 ({a,b} with {a},{a},{b}), two at 0
    #      ({a}/{a}, {c}/{c}), ten at 1 -> sum 12; D_e = 2*12 / (6*5) = 0.8;  alpha = 1 - (5/9)/0.8 = 11/36
    alpha = krippendorff_alpha([[F("ab"), F("a")], [F("c"), F("c")], [F("a"), F("b")]], "masi")
    assert alpha.value == pytest.approx(11 / 36) and alpha.n_items == 3


def test_a_custom_distance_gives_the_same_as_the_builtin_one():
    units = [[F("ab"), F("a")], [F("c"), F("c"), F("a")], [F("a"), F("b")]]
    assert krippendorff_alpha(units, masi_distance).value == pytest.approx(krippendorff_alpha(units, "masi").value)


def test_figures_without_variation_or_items_are_undefined_with_a_note():
    assert krippendorff_alpha([["a", "a"], ["a", "a"]]).note.startswith("undefined: no variation")
    assert cohen_kappa(["a", "a"], ["a", "a"]).value is None
    assert krippendorff_alpha([["a"], ["b"]]).as_dict() == {"value": None, "n_items": 0,
                                                            "note": "undefined: no item has two annotations"}
    assert fleiss_kappa([["a", "b"], ["a", "b", "a"]]).note.startswith("undefined: annotators per item vary (2–3)")


def test_cohens_kappa_needs_paired_values():
    with pytest.raises(ValueError, match="cohen_kappa needs paired values, got 2 and 1"):
        cohen_kappa(["a", "b"], ["a"])


def test_per_label_figures_are_the_binary_present_absent_agreement(small_taxonomy):
    ratings = {"themes": {f"i{i}": {"1": a, "2": b} for i, (a, b) in enumerate([
        (["alliance"], ["alliance"]), (["alliance", "sanctions"], ["alliance"]), ([], []), (["sanctions"], ["sanctions"]),
    ])}}
    fa = agreement_from_ratings(ratings, small_taxonomy)["themes"]
    assert fa.n_items == 4 and set(fa.labels) == {"alliance", "sanctions"}
    # sanctions per item: (0,0) (1,0) (0,0) (1,1): p_o = 3/4; p_1 = 2/4, p_2 = 1/4;
    # p_e = 0.5*0.25 + 0.5*0.75 = 0.5;  kappa = (0.75 - 0.5) / 0.5 = 0.5
    s = fa.labels["sanctions"]
    assert s.cohen.value == pytest.approx(0.5) and s.positives == 3 and s.alpha.n_items == 4
    # alpha for sanctions: n = 8, n_1 = 3, n_0 = 5; D_o = 2/8 (one disagreeing unit, 2 ordered pairs)
    # D_e = 2*3*5/(8*7) = 30/56;  alpha = 1 - (2/8)/(30/56) = 1 - 56/120 = 0.533333
    assert s.alpha.value == pytest.approx(1 - 56 / 120)
    assert fa.labels["alliance"].alpha.value == 1.0  # (1,1) (1,1) (0,0) (0,0): D_o = 0
    assert fa.alpha.note == "" and fa.kind == "multi"


def test_per_label_fleiss_kappa_matches_the_general_formula(small_taxonomy):
    people = ("1", "2", "3")
    answers = [("asia", "asia", "europe"), ("asia", "asia", "asia"), ("europe", "europe", "asia"), ("global",) * 3]
    ratings = {"region": {f"i{i}": dict(zip(people, a)) for i, a in enumerate(answers)}}
    fa = agreement_from_ratings(ratings, small_taxonomy)["region"]
    assert fa.fleiss.value == pytest.approx(fleiss_kappa([list(a) for a in answers]).value)
    one_vs_rest = [[x == "asia" for x in a] for a in answers]
    assert fa.labels["asia"].fleiss.value == pytest.approx(fleiss_kappa(one_vs_rest).value)
    assert fa.labels["asia"].alpha.value == pytest.approx(krippendorff_alpha(one_vs_rest).value)
    assert fa.cohen is None and len(fa.pairs) == 3 and all(f.n_items == 4 for _, _, f in fa.pairs)


def test_agreement_on_a_corpus_uses_every_annotators_labels(small_corpus):
    records = []
    for i, (a, b) in enumerate(zip(A[:3], B[:3])):
        art = ("a1", "a2", "a3")[i]
        records += [AnnotationRecord(i, art, "1", {"region": (a,), "themes": ("alliance",), "actors": ()}),
                    AnnotationRecord(i, art, "2", {"region": (b,), "themes": (), "actors": ()})]
    corpus, _ = apply_annotations(small_corpus, records)
    report = agreement(corpus)
    region = report.facets["region"]
    assert (region.n_items, region.annotators, region.cohen.n_items) == (3, ["1", "2"], 3)
    assert region.alpha.note.startswith("undefined: no variation")  # all three items asia/asia
    themes = report.facets["themes"]
    # alliance: annotator 1 always, annotator 2 never: p_o = 0, p_e = 1*0 + 0*1 = 0 -> kappa 0
    assert themes.labels["alliance"].cohen.value == 0.0
    # MASI: three units {alliance}/{} at distance 1 -> D_o = 6/6 = 1; D_e = 2*9/(6*5) = 0.6; alpha = 1 - 1/0.6
    assert themes.alpha.value == pytest.approx(1 - 1 / 0.6) and themes.alpha.n_items == 3
    d = json.loads(json.dumps(report.as_dict()))
    assert d["articles"] == 4 and d["facets"]["region"]["krippendorff_alpha"]["distance"] == "nominal"
    assert d["facets"]["themes"]["krippendorff_alpha"]["distance"] == "masi"
    assert d["facets"]["region"]["pairs"][0]["annotators"] == ["1", "2"]


def test_the_agreement_plot_is_a_png(small_corpus, tmp_path):
    records = [AnnotationRecord(1, "a1", who, {"region": (r,), "themes": t, "actors": ()})
               for who, r, t in [("1", "asia", ("alliance",)), ("2", "europe", ("alliance", "sanctions"))]]
    records += [AnnotationRecord(2, "a2", who, {"region": ("asia",), "themes": (), "actors": ()}) for who in "12"]
    corpus, _ = apply_annotations(small_corpus, records)
    path = plot_agreement(agreement(corpus), tmp_path / "agreement.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_blockwise_sparse_masi_sum_equals_the_sum_over_every_pair():
    import random

    from annotation.agreement import _masi_expected

    rng = random.Random(3)
    totals: dict[frozenset, int] = {}
    for _ in range(80):
        v = frozenset(rng.sample("abcdefgh", rng.randint(0, 4)))
        totals[v] = totals.get(v, 0) + rng.randint(1, 3)
    brute = sum(ca * cb * masi_distance(a, b) for a, ca in totals.items() for b, cb in totals.items())
    assert _masi_expected(totals, block=7) == pytest.approx(brute)
    assert _masi_expected(totals) == pytest.approx(brute)


def test_ground_truth_adjudications_are_not_counted_as_ratings_unless_asked(small_corpus):
    records = [AnnotationRecord(1, "a1", "1", {"region": ("asia",), "themes": (), "actors": ()}),
               AnnotationRecord(1, "a1", "2", {"region": ("europe",), "themes": (), "actors": ()}),
               AnnotationRecord(1, "a1", "judge", {"region": ("asia",), "themes": (), "actors": ()}, ground_truth=True),
               AnnotationRecord(2, "a2", "1", {"region": ("asia",), "themes": (), "actors": ()}),
               AnnotationRecord(2, "a2", "2", {"region": ("asia",), "themes": (), "actors": ()})]
    corpus, _ = apply_annotations(small_corpus, records)
    assert agreement(corpus).facets["region"].annotators == ["1", "2"]
    assert agreement(corpus, ground_truth=True).facets["region"].annotators == ["1", "2", "judge"]
