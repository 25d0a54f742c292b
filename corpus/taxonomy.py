"""The taxonomy: facets and their labels, loaded from one TOML file (the single source of truth).

Layout of the file::

    [taxonomy]
    name = "newstag-default"
    version = "1"

    [facets.region]
    kind = "single"            # "single" (exactly one label) or "multi" (any number)
    description = "..."

    [facets.region.labels.asia]
    name = "Asia"
    description = "..."
    aliases = ["Asian"]        # optional
    refs = { wikidata = "Q48" } # optional cross-references
    # any other key (for instance ``kind`` or ``region`` of an actor) is kept in ``Label.attrs``
"""

from __future__ import annotations

__all__ = ["Label", "Facet", "Taxonomy", "load_taxonomy", "default_taxonomy_path", "FACET_KINDS"]

import hashlib
import json
from importlib import resources
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from .errors import TaxonomyError

import tomllib

FACET_KINDS = ("single", "multi")
_LABEL_KEYS = {"name", "description", "aliases", "refs"}


def default_taxonomy_path() -> Path:
    """The default taxonomy: package data of ``corpus`` (``corpus/data/taxonomy.toml``), found with
    :mod:`importlib.resources`, so an installed wheel finds it as a source checkout does."""
    return Path(str(resources.files(__package__).joinpath("data", "taxonomy.toml")))


@dataclass(frozen=True)
class Label:
    id: str
    name: str
    description: str = ""
    aliases: tuple[str, ...] = ()
    refs: Mapping[str, str] = field(default_factory=dict)
    attrs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Facet:
    name: str
    kind: str
    labels: tuple[Label, ...]
    description: str = ""

    @property
    def multi(self) -> bool:
        return self.kind == "multi"

    @property
    def ids(self) -> list[str]:
        return [label.id for label in self.labels]

    def label(self, label_id: str) -> Label:
        for label in self.labels:
            if label.id == label_id:
                return label
        raise TaxonomyError(self.unknown_label_message(label_id))

    def unknown_label_message(self, value: object, where: str = "") -> str:
        shown = ", ".join(self.ids[:12]) + (", …" if len(self.ids) > 12 else "")
        prefix = f"{where}: " if where else ""
        return (
            f"{prefix}{self.name} label {value!r} is not in the taxonomy's {self.name} [{shown}]. "
            f"Fix the label at its source or add it to the taxonomy file."
        )

    def check(self, value: Any, where: str = "") -> Any:
        """Validate a value for this facet; return it normalised (str, or sorted list for multi).

        Raises
        ------
        TaxonomyError
            When a label is unknown, or the shape does not fit the facet's kind.
        """
        ids = set(self.ids)
        prefix = f"{where}: " if where else ""
        if self.multi:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, (list, tuple)):
                raise TaxonomyError(
                    f"{prefix}{self.name} expects a list of labels, got {type(value).__name__} {value!r}."
                )
            for v in value:
                if not isinstance(v, str) or v not in ids:
                    raise TaxonomyError(self.unknown_label_message(v, where))
            return sorted(set(value), key=self.ids.index)
        if isinstance(value, (list, tuple)):
            if len(value) != 1:
                raise TaxonomyError(
                    f"{prefix}{self.name} is single-label and expects exactly one label, got {list(value)!r}."
                )
            value = value[0]
        if not isinstance(value, str) or value not in ids:
            raise TaxonomyError(self.unknown_label_message(value, where))
        return value


@dataclass(frozen=True)
class Taxonomy:
    name: str
    version: str
    facets: tuple[Facet, ...]
    path: str = ""

    @property
    def facet_names(self) -> list[str]:
        return [f.name for f in self.facets]

    def facet(self, name: str) -> Facet:
        for f in self.facets:
            if f.name == name:
                return f
        raise TaxonomyError(
            f"facet {name!r} is not in taxonomy {self.name!r}; its facets are {self.facet_names}."
        )

    def to_dict(self) -> dict[str, Any]:
        """A canonical, JSON-serialisable form (what the hash is computed on)."""
        return {
            "taxonomy": {"name": self.name, "version": self.version},
            "facets": {
                f.name: {
                    "kind": f.kind,
                    "description": f.description,
                    "labels": {
                        lab.id: {
                            "name": lab.name,
                            "description": lab.description,
                            "aliases": list(lab.aliases),
                            "refs": dict(lab.refs),
                            **dict(lab.attrs),
                        }
                        for lab in f.labels
                    },
                }
                for f in self.facets
            },
        }

    @property
    def hash(self) -> str:
        blob = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def features(self):
        """The label columns as ``datasets.Features``: ``ClassLabel`` or a list of ``ClassLabel``."""
        import datasets

        list_type = getattr(datasets, "List", None) or datasets.Sequence
        cols = {}
        for f in self.facets:
            cl = datasets.ClassLabel(names=f.ids)
            cols[f.name] = list_type(cl) if f.multi else cl
        return datasets.Features(cols)

    def check_labels(self, labels: Mapping[str, Any], where: str = "") -> dict[str, Any]:
        """Validate a ``{facet: value}`` mapping; unknown facets are errors too."""
        out = {}
        for facet_name, value in labels.items():
            if facet_name not in self.facet_names:
                prefix = f"{where}: " if where else ""
                raise TaxonomyError(
                    f"{prefix}facet {facet_name!r} is not in the taxonomy; its facets are "
                    f"{self.facet_names}. Rename the column/field or add the facet to the taxonomy."
                )
            if value is None:
                continue
            out[facet_name] = self.facet(facet_name).check(value, where)
        return out


def _fail(path: str, msg: str) -> TaxonomyError:
    return TaxonomyError(f"taxonomy {path!r}: {msg}")


def _parse_label(path: str, facet: str, label_id: str, spec: Any) -> Label:
    where = f"facets.{facet}.labels.{label_id}"
    if not isinstance(spec, dict):
        raise _fail(path, f"{where} must be a table, got {type(spec).__name__}.")
    aliases = spec.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise _fail(path, f"{where}.aliases must be a list of non-empty strings, got {aliases!r}.")
    refs = spec.get("refs", {})
    if not isinstance(refs, dict):
        raise _fail(path, f"{where}.refs must be a table, got {refs!r}.")
    return Label(
        id=label_id,
        name=str(spec.get("name", label_id)),
        description=str(spec.get("description", "")),
        aliases=tuple(aliases),
        refs={k: str(v) for k, v in refs.items()},
        attrs={k: v for k, v in spec.items() if k not in _LABEL_KEYS},
    )


def _check_aliases(path: str, facet: Facet) -> None:
    owner: dict[str, str] = {}
    for label in facet.labels:
        for alias in {label.name, *label.aliases}:
            key = " ".join(alias.split()).casefold()
            other = owner.get(key)
            if other is not None and other != label.id:
                raise _fail(
                    path,
                    f"alias {alias!r} is claimed by two {facet.name} labels, {other!r} and {label.id!r}. "
                    f"An alias must point to one label: remove it from one of them.",
                )
            owner[key] = label.id


def parse_taxonomy(data: Mapping[str, Any], path: str = "<taxonomy>") -> Taxonomy:
    """Build and validate a :class:`Taxonomy` from the parsed TOML mapping."""
    head = data.get("taxonomy", {})
    facets_spec = data.get("facets")
    if not isinstance(facets_spec, dict) or not facets_spec:
        raise _fail(path, "no [facets.NAME] tables found; declare at least one facet.")
    facets = []
    for name, spec in facets_spec.items():
        if not isinstance(spec, dict):
            raise _fail(path, f"facets.{name} must be a table, got {type(spec).__name__}.")
        kind = spec.get("kind")
        if kind not in FACET_KINDS:
            raise _fail(
                path,
                f"facets.{name}.kind is {kind!r}; expected one of {list(FACET_KINDS)} "
                f"('single' for exactly one label, 'multi' for any number).",
            )
        labels_spec = spec.get("labels")
        if not isinstance(labels_spec, dict) or not labels_spec:
            raise _fail(path, f"facet {name!r} has no labels; add [facets.{name}.labels.ID] tables.")
        seen: dict[str, str] = {}
        labels = []
        for label_id, lspec in labels_spec.items():
            key = label_id.casefold()
            if key in seen:
                raise _fail(
                    path,
                    f"duplicate label id {label_id!r} in facet {name!r} (also {seen[key]!r}; "
                    f"ids are compared case-insensitively). Each label id must be unique: rename one.",
                )
            seen[key] = label_id
            labels.append(_parse_label(path, name, label_id, lspec))
        facet = Facet(name=name, kind=kind, labels=tuple(labels), description=str(spec.get("description", "")))
        _check_aliases(path, facet)
        facets.append(facet)
    return Taxonomy(
        name=str(head.get("name", "taxonomy")),
        version=str(head.get("version", "0")),
        facets=tuple(facets),
        path=path,
    )


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load and validate a taxonomy TOML file (the default one when ``path`` is None).

    Raises
    ------
    TaxonomyError
        When the file is missing, is not valid TOML (duplicate label ids included), or breaks a rule:
        unknown facet kind, empty facet, an alias claimed by two labels.
    """
    p = Path(path) if path is not None else default_taxonomy_path()
    if not p.is_file():
        raise TaxonomyError(f"taxonomy file {str(p)!r} does not exist; pass --taxonomy with an existing TOML file.")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise _fail(str(p), f"not UTF-8 text ({exc}); save it as UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        hint = (
            " A table declared twice usually means a duplicate label id: each label id must appear once per facet."
            if "twice" in str(exc) or "overwrite" in str(exc).lower()
            else ""
        )
        raise _fail(str(p), f"invalid TOML: {exc}.{hint}") from None
    return parse_taxonomy(data, str(p))


def label_counts(taxonomy: Taxonomy, rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """Count labels per facet over rows of ``{facet: value}`` (label ids)."""
    counts = {f.name: {i: 0 for i in f.ids} for f in taxonomy.facets}
    for row in rows:
        for f in taxonomy.facets:
            v = row.get(f.name)
            if v is None:
                continue
            for lab in v if isinstance(v, (list, tuple)) else [v]:
                counts[f.name][lab] += 1
    return counts
