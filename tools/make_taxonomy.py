"""Generate ``corpus/data/taxonomy.toml``: the default facets, with every ISO 3166-1 state as an actor.

States come from well-kept packages rather than a typed list: ``pycountry`` (the ISO 3166-1 list:
alpha-3 ids, short, official and common names) and ``countryinfo`` (capitals, demonyms, alternative
spellings, UN regions). A small reviewed table below adds seats of government and leaders used as
metonyms in news copy (the Kremlin, the Pentagon, Kim Jong Un). Aliases claimed by two states
(``Dominican``, ``Congolese``) are dropped from both and listed, because an alias must name one label.

Run:  .venv/bin/pip install '.[taxonomy-tools]' && .venv/bin/python tools/make_taxonomy.py
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "corpus" / "data" / "taxonomy.toml"

REGIONS = {
    "africa": ("Africa", "All of Africa except Egypt."),
    "americas": ("Americas", "North, Central and South America and the Caribbean (the USA included)."),
    "asia": ("Asia", "East, South, Southeast and Central Asia (China, Japan, the Koreas, Taiwan, India, Pakistan, Afghanistan, the Philippines, …)."),
    "europe": ("Europe", "Europe, Russia, Ukraine, the Caucasus (Georgia, Armenia, Azerbaijan)."),
    "middle_east": ("Middle East", "The Gulf states, Iran, Iraq, Israel, Palestine, Jordan, Lebanon, Syria, Turkey, Egypt, Yemen, and the waters around them (Strait of Hormuz, Red Sea)."),
    "oceania": ("Oceania", "Australia, New Zealand, the Pacific islands."),
    "global": ("Global", "No single region: worldwide stories, or several regions with equal weight."),
}

THEMES = {
    "deterrence": ("Deterrence", "Deterrence posture and doctrine: nuclear or extended deterrence, nuclear umbrella, deploying forces or weapons explicitly to deter, \"strategic\" signalling.", {}),
    "military_training": ("Military training", "Military exercises, drills, war games, joint training, manoeuvres.", {"gdelt": "MILITARY"}),
    "alliance": ("Alliance", "Alliances and security partnerships: defence pacts, security agreements, basing, alliance summits and commitments (NATO, US–Japan, AUKUS, Quad), joining or leaving an alliance.", {}),
    "missile_nuclear": ("Missiles and nuclear", "Missile launches and tests, nuclear weapons programmes, enrichment, WMD, arms control of these weapons.", {"gdelt": "WMD"}),
    "armed_conflict": ("Armed conflict", "War, attacks, strikes, shelling, clashes, insurgency, terrorism, casualties of these.", {"gdelt": "ARMEDCONFLICT"}),
    "diplomacy": ("Diplomacy", "Talks, visits, summits, negotiations, ceasefire diplomacy, statements between governments, recognition, expulsions of diplomats.", {}),
    "sanctions": ("Sanctions", "Sanctions, embargoes, export controls, asset freezes.", {"gdelt": "SANCTIONS"}),
    "territorial_maritime": ("Territorial and maritime", "Territorial and border disputes, maritime incidents, freedom of navigation, straits and shipping security, airspace incursions.", {}),
    "defence_industry": ("Defence industry", "Defence budgets, arms sales and transfers, procurement, weapons production.", {}),
    "intelligence_cyber": ("Intelligence and cyber", "Intelligence sharing, espionage, spies, cyberattacks, information operations.", {"gdelt": "CYBER_ATTACK"}),
}

# Cue phrases of each theme: how wire copy says it. The classifier counts them as features (next to
# tf-idf), which carries a theme from a few short training items to a long article that uses the same
# words; annotators see them in the taxonomy. Matched case-insensitively as whole words.
THEME_CUES = {
    "deterrence": ["deterrence", "deterrent", "deter", "deters", "deterred", "deterring", "nuclear umbrella",
                   "extended deterrence", "show of force", "strategic signalling", "strategic signaling",
                   "forward presence", "tripwire force"],
    "military_training": ["military exercise", "military exercises", "joint exercise", "joint exercises", "exercise",
                          "exercises", "military drill", "military drills", "drill", "drills", "war game", "war games",
                          "wargame", "wargames", "manoeuvres", "maneuvers", "military training", "joint training",
                          "live-fire", "live fire", "training exercise", "naval exercise", "naval drills",
                          "joint patrol", "joint patrols"],
    "alliance": ["alliance", "allies", "ally", "allied", "defence pact", "defense pact", "mutual defence",
                 "mutual defense", "security pact", "security agreement", "security partnership",
                 "security cooperation", "defence cooperation", "defense cooperation", "treaty ally",
                 "visiting forces agreement", "trilateral", "collective defence", "collective defense"],
    "missile_nuclear": ["missile", "missiles", "ballistic missile", "ballistic missiles", "nuclear weapon",
                        "nuclear weapons", "nuclear programme", "nuclear program", "enrichment", "enriched uranium",
                        "uranium", "warhead", "warheads", "ICBM", "nuclear test", "hypersonic", "nuclear-capable",
                        "arms control", "non-proliferation"],
    "armed_conflict": ["airstrike", "airstrikes", "air strike", "air strikes", "shelling", "clashes", "killed",
                       "attack", "attacks", "offensive", "insurgents", "militants", "war", "drone strike",
                       "drone strikes", "drone attack", "casualties", "fighting", "bombardment", "terrorist attack"],
    "diplomacy": ["talks", "summit", "negotiations", "foreign minister", "foreign ministers", "ambassador",
                  "diplomatic", "diplomats", "envoy", "state visit", "peace talks", "bilateral", "ceasefire talks",
                  "expelled diplomats", "recognition"],
    "sanctions": ["sanctions", "sanctioned", "sanction", "embargo", "export controls", "asset freeze", "assets frozen",
                  "blacklist", "blacklisted", "entity list"],
    "territorial_maritime": ["territorial", "maritime", "coast guard", "disputed", "sovereignty", "border dispute",
                             "airspace", "freedom of navigation", "shoal", "reef", "strait", "exclusive economic zone",
                             "incursion", "incursions", "shipping lanes", "territorial waters"],
    "defence_industry": ["defence budget", "defense budget", "military spending", "defence spending",
                         "defense spending", "arms sale", "arms sales", "arms deal", "procurement", "arms exports",
                         "weapons production", "defence contractor", "defense contractor", "defence industry",
                         "defense industry", "arms package"],
    "intelligence_cyber": ["espionage", "spy", "spies", "spying", "intelligence", "cyberattack", "cyberattacks",
                           "cyber attack", "hackers", "hacking", "disinformation", "propaganda", "sabotage",
                           "surveillance", "intelligence sharing", "information operations"],
}

ORGS = {
    "NATO": ("NATO", ["North Atlantic Treaty Organization", "North Atlantic Treaty Organisation", "North Atlantic Alliance", "OTAN"], {"wikidata": "Q7184", "wikipedia": "NATO"}),
    # the guide: "The Security Council, UN agencies and missions -> UN" (their full names: "WHO" is also a word)
    "UN": ("United Nations", ["UN", "U.N.", "UN Security Council", "United Nations Security Council", "UN General Assembly", "United Nations General Assembly", "UNSC",
                              "World Health Organization", "World Food Programme", "World Food Program", "WFP", "UNICEF", "UNHCR", "UN Refugee Agency", "UNRWA",
                              "UNIFIL", "MONUSCO", "UNMISS", "OCHA", "UNESCO", "UNDP", "UN Human Rights Council", "UN Secretary-General", "António Guterres", "Antonio Guterres"], {"wikidata": "Q1065", "wikipedia": "United Nations"}),
    "EU": ("European Union", ["EU", "E.U.", "European Commission", "European Council", "Brussels"], {"wikidata": "Q458", "wikipedia": "European Union"}),
    "ASEAN": ("ASEAN", ["Association of Southeast Asian Nations"], {"wikidata": "Q7768", "wikipedia": "ASEAN"}),
    "QUAD": ("Quad", ["Quadrilateral Security Dialogue", "QUAD group", "Quad group"], {"wikipedia": "Quadrilateral Security Dialogue"}),
    "AUKUS": ("AUKUS", [], {"wikipedia": "AUKUS"}),
    "IAEA": ("International Atomic Energy Agency", ["IAEA", "UN nuclear watchdog"], {"wikipedia": "International Atomic Energy Agency"}),
    "G7": ("G7", ["Group of Seven", "G-7"], {"wikipedia": "G7"}),
    "AU": ("African Union", ["AU"], {"wikipedia": "African Union"}),
    "HAMAS": ("Hamas", ["Harakat al-Muqawama al-Islamiya", "Qassam Brigades", "al-Qassam Brigades"], {"wikipedia": "Hamas"}),
    "HEZBOLLAH": ("Hezbollah", ["Hizbollah", "Hizballah", "Hizbullah"], {"wikipedia": "Hezbollah"}),
    "HOUTHIS": ("Houthis", ["Houthi", "Houthi movement", "Ansar Allah", "Ansarallah"], {"wikipedia": "Houthis"}),
    "ISIS": ("Islamic State", ["ISIS", "ISIL", "IS group", "Daesh", "Islamic State of Iraq and the Levant", "Islamic State of Iraq and Syria"], {"wikipedia": "Islamic State"}),
}

# Seats of government, institutions and leaders that stand for their state in news copy.
# Reviewed by hand; leaders are those in office in the period of the bundled data (2024-2026).
METONYMS = {
    "USA": ["US", "U.S.", "USA", "U.S.A.", "America", "Washington", "White House", "the Pentagon", "Pentagon", "State Department", "U.S. military", "US military", "Donald Trump", "Joe Biden", "Lloyd Austin", "Pete Hegseth", "Marco Rubio"],
    "CHN": ["PRC", "People's Republic of China", "Beijing", "Zhongnanhai", "Xi Jinping", "People's Liberation Army", "PLA"],
    "JPN": ["Tokyo", "Japanese", "Shigeru Ishiba", "Sanae Takaichi", "Self-Defense Forces", "Japan Self-Defense Forces"],
    "KOR": ["South Korea", "Seoul", "South Korean", "Republic of Korea", "ROK", "Yoon Suk Yeol", "Lee Jae-myung"],
    "PRK": ["North Korea", "Pyongyang", "North Korean", "DPRK", "Kim Jong Un", "Kim Jong-un"],
    "RUS": ["Russia", "Moscow", "the Kremlin", "Kremlin", "Russian", "Vladimir Putin", "Putin"],
    "UKR": ["Ukraine", "Kyiv", "Kiev", "Ukrainian", "Volodymyr Zelenskyy", "Volodymyr Zelensky", "Zelenskyy", "Zelensky"],
    "TWN": ["Taiwan", "Taipei", "Taiwanese", "Republic of China", "Lai Ching-te"],
    "GBR": ["UK", "U.K.", "Britain", "Great Britain", "British", "London", "Downing Street", "Whitehall", "Keir Starmer"],
    "IRN": ["Iran", "Tehran", "Iranian", "Islamic Republic", "Ali Khamenei", "IRGC", "Islamic Revolutionary Guard Corps"],
    "ISR": ["Israel", "Jerusalem", "Israeli", "IDF", "Israel Defense Forces", "Benjamin Netanyahu", "Netanyahu"],
    "PSE": ["Palestine", "Palestinian", "Palestinian Authority", "Ramallah", "State of Palestine", "Mahmoud Abbas"],
    "IND": ["New Delhi", "Indian", "Narendra Modi"],
    "PAK": ["Islamabad", "Pakistani", "Shehbaz Sharif"],
    "DEU": ["Berlin", "German", "Friedrich Merz", "Olaf Scholz", "Bundeswehr"],
    "FRA": ["Paris", "French", "Emmanuel Macron", "Élysée", "Elysee"],
    "TUR": ["Ankara", "Turkish", "Türkiye", "Turkiye", "Recep Tayyip Erdoğan", "Erdogan", "Erdoğan"],
    "SAU": ["Riyadh", "Saudi", "Saudi Arabia"],
    "SYR": ["Damascus", "Syrian"],
    "AUS": ["Canberra", "Australian", "Anthony Albanese"],
    "PHL": ["Manila", "Filipino", "Philippine", "Philippines", "Ferdinand Marcos Jr."],
    "VNM": ["Vietnam", "Hanoi", "Vietnamese"],
    "VEN": ["Caracas", "Venezuelan", "Nicolás Maduro", "Nicolas Maduro"],
    "KGZ": ["Kyrgyz", "Bishkek"],
    "TJK": ["Tajik", "Dushanbe"],
    "COD": ["DR Congo", "DRC", "Kinshasa"],
    "IOT": ["Diego Garcia"],
}

# Demonyms and names that countryinfo lacks, in the forms news copy uses (it has "Argentinean", "Nepalese", ...).
MISSING_NAMES = {
    "ARG": ["Argentine"], "ECU": ["Ecuadorian"], "NPL": ["Nepali"], "KAZ": ["Kazakh", "Astana"], "UZB": ["Uzbek"],
    "BIH": ["Bosnian"], "SVN": ["Slovenian"], "ISL": ["Icelandic"], "YEM": ["Sanaa"],
}

# Phrases that contain a state's alias but do not name the state: the matcher consumes them so that
# "South China Sea" is not a mention of China, nor "New Mexico" of Mexico.
NOT_ALIASES = {
    "CHN": ["South China Sea", "East China Sea", "China Sea"],
    "FRA": ["Paris Agreement", "Paris Climate Agreement"],
    "IND": ["Indian Ocean"],
    "JPN": ["Sea of Japan", "Japan Sea"],
    "MEX": ["New Mexico", "Gulf of Mexico"],
    "JEY": ["New Jersey"],
    "GBR": ["New England", "British Columbia", "British Virgin Islands", "British Indian Ocean Territory"],
    "USA": ["Washington Post", "Washington state", "Washington State"],
}

# Alternative spellings in the source data that are ordinary English words ("Island" is Iceland's
# Icelandic name) and would tag every text that uses them.
COMMON_WORDS = {"island"}

# Aliases that two labels claim in the source data, given to the label that news copy means by them
# (the demonym "Indian" also belongs to the British Indian Ocean Territory, "Chinese" to Hong Kong).
PREFERRED = {"american": "USA", "chinese": "CHN", "french": "FRA", "indian": "IND", "norwegian": "NOR"}

REGION_OVERRIDES = {
    "EGY": "middle_east", "IRN": "middle_east", "TUR": "middle_east", "CYP": "europe",
    "ARM": "europe", "AZE": "europe", "GEO": "europe", "RUS": "europe",
}


def _countryinfo_by_alpha3() -> dict[str, dict]:
    out = {}
    for entry in resources.files("countryinfo").joinpath("data").iterdir():
        if entry.name.endswith(".json"):
            d = json.loads(entry.read_text(encoding="utf-8"))
            a3 = d.get("ISO", {}).get("alpha3")
            if a3:
                out[a3] = d
    return out


def _region(alpha3: str, info: dict) -> str:
    if alpha3 in REGION_OVERRIDES:
        return REGION_OVERRIDES[alpha3]
    r, sub = info.get("region", ""), info.get("subregion", "")
    if r == "Africa":
        return "africa"
    if r == "Americas":
        return "americas"
    if r == "Europe":
        return "europe"
    if r == "Oceania":
        return "oceania"
    if r == "Asia":
        return "middle_east" if sub == "Western Asia" else "asia"
    return "global"


def _usable(alias: str) -> bool:
    alias = alias.strip()
    return len(alias) > 3 and "," not in alias and all(ord(c) < 0x250 for c in alias)


def _states() -> list[tuple[str, str, list[str], dict, str]]:
    info = _countryinfo_by_alpha3()
    rows = []
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_3):
        d = info.get(c.alpha_3, {})
        display = getattr(c, "common_name", None) or d.get("name") or c.name
        if "," in display:
            display = d.get("name") or display
        names = [c.name, getattr(c, "official_name", ""), getattr(c, "common_name", ""), d.get("name", "")]
        names += list(d.get("altSpellings", []))
        for key in ("capital", "demonym"):
            if d.get(key):
                names.append(d[key])
        aliases = [a for a in names if a and _usable(a) and a.casefold() not in COMMON_WORDS]
        aliases += METONYMS.get(c.alpha_3, []) + MISSING_NAMES.get(c.alpha_3, [])
        refs = {"iso3166_alpha2": c.alpha_2, "iso3166_numeric": c.numeric}
        refs["wikipedia"] = display  # the English Wikipedia article is titled by the common name
        rows.append((c.alpha_3, display, aliases, refs, _region(c.alpha_3, d)))
    return rows


def _dedupe_aliases(entries: list[tuple[str, str, list[str]]]) -> tuple[dict[str, list[str]], list[str]]:
    owners: dict[str, set[str]] = {}
    for label_id, name, aliases in entries:
        for a in {name, *aliases}:
            owners.setdefault(a.casefold(), set()).add(label_id)
    for alias, winner in PREFERRED.items():
        if winner in owners.get(alias, set()):
            owners[alias] = {winner}
    clashes = sorted(k for k, v in owners.items() if len(v) > 1)
    out = {}
    for label_id, name, aliases in entries:
        seen, keep = {name.casefold()}, []
        for a in aliases:
            k = a.casefold()
            if k in seen or owners[k] != {label_id}:
                continue
            seen.add(k)
            keep.append(a)
        out[label_id] = keep
    return out, clashes


def _q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _label(facet: str, label_id: str, name: str, description: str = "", aliases=(), refs=None, **attrs) -> str:
    lines = [f"[facets.{facet}.labels.{label_id}]", f"name = {_q(name)}"]
    if description:
        lines.append(f"description = {_q(description)}")
    for k, v in attrs.items():
        if isinstance(v, list):
            lines.append(f"{k} = [" + ", ".join(_q(x) for x in v) + "]")
        else:
            lines.append(f"{k} = {_q(v)}")
    if aliases:
        lines.append("aliases = [" + ", ".join(_q(a) for a in aliases) + "]")
    if refs:
        lines.append("refs = { " + ", ".join(f"{k} = {_q(v)}" for k, v in refs.items()) + " }")
    return "\n".join(lines) + "\n"


def main() -> int:
    states = _states()
    entries = [(a3, name, aliases) for a3, name, aliases, _, _ in states]
    entries += [(oid, name, aliases) for oid, (name, aliases, _) in ORGS.items()]
    kept, clashes = _dedupe_aliases(entries)
    parts = [
        "# Generated by tools/make_taxonomy.py from pycountry (ISO 3166-1) and countryinfo (capitals,\n"
        "# demonyms, regions) plus a reviewed table of metonyms. Edit the script, not this file, for states;\n"
        "# descriptions follow ANNOTATION_GUIDE.md.\n",
        f"# Aliases dropped because two labels claimed them: {', '.join(clashes)}\n",
        '[taxonomy]\nname = "newstag-default"\nversion = "1"\n',
        '[facets.region]\nkind = "single"\ndescription = "Exactly one: where the story happens or whom it is mainly about. '
        'A US action inside another region takes that region; domestic politics takes the country\'s region."\n',
    ]
    parts += [_label("region", rid, name, desc) for rid, (name, desc) in REGIONS.items()]
    parts.append('[facets.themes]\nkind = "multi"\ndescription = "Any number: what the item is about. Items with no security angle get no theme."\n')
    parts += [_label("themes", tid, name, desc, THEME_CUES[tid], refs=refs) for tid, (name, desc, refs) in THEMES.items()]
    parts.append(
        '[facets.actors]\nkind = "multi"\ndescription = "States and organisations that act or are directly acted upon in the story, '
        'not every country merely mentioned. A government body, leader, army or official acts for its state."\n'
    )
    for oid, (name, _, refs) in ORGS.items():
        parts.append(_label("actors", oid, name, f"Organisation: {name}.", kept[oid], refs, kind="organisation"))
    for a3, name, _, refs, region in states:
        extra = {"not_aliases": NOT_ALIASES[a3]} if a3 in NOT_ALIASES else {}
        parts.append(_label("actors", a3, name, f"State: {name}.", kept[a3], refs, kind="state", region=region, **extra))
    OUT.write_text("\n".join(parts), encoding="utf-8")
    print(f"wrote {OUT} ({len(states)} states, {len(ORGS)} organisations; {len(clashes)} ambiguous aliases dropped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
