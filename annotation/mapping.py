"""A Label Studio project's controls and choice values, mapped to the taxonomy's facets and labels.

Used for every export (and, later, for a labeling config read by an ML backend), so that a project made
by hand works as well as one made from ``newstag annotate config``:

- a **control** (``from_name`` in a result, a column in JSON_MIN/CSV) maps to the facet whose name equals
  it, case-insensitively (``Region`` -> ``region``), unless an override ``CONTROL=FACET`` says otherwise
  (``topic=themes``, ``country=actors``); overrides name controls exactly. Controls mapped to nothing
  are listed (:attr:`ControlMap.unmapped`), never silently read as a facet;
- a **choice value** maps to the facet's label whose id, display name or alias equals it,
  case-insensitively and with runs of white space as one space (``"Middle East"`` -> ``middle_east``).
  An exact id always wins; a value that names two labels is ambiguous and, like an unknown value, an
  error naming the candidates.
"""

from __future__ import annotations

__all__ = ["ControlMap", "LabelMatcher", "map_controls", "parse_overrides"]

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from corpus import Facet, Taxonomy, TaxonomyError


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class ControlMap:
    """Controls -> facets: ``facets`` (control -> facet name), ``unmapped`` (controls mapped to nothing, sorted)."""

    facets: Mapping[str, str] = field(default_factory=dict)
    unmapped: tuple[str, ...] = ()

    def controls_of(self, facet: str) -> list[str]:
        """The controls that map to ``facet``."""
        return [c for c, f in self.facets.items() if f == facet]


def parse_overrides(items: Iterable[str], taxonomy: Taxonomy) -> dict[str, str]:
    """``["topic=themes", ...]`` (the ``--map`` options) as ``{control: facet}``.

    Raises
    ------
    TaxonomyError
        When an item is not ``CONTROL=FACET`` or names a facet that is not in the taxonomy.
    """
    out: dict[str, str] = {}
    by_key = {_key(n): n for n in taxonomy.facet_names}
    for item in items:
        control, sep, facet = item.partition("=")
        control, facet = control.strip(), facet.strip()
        if not sep or not control or not facet:
            raise TaxonomyError(f"--map {item!r}: expected CONTROL=FACET, e.g. topic=themes (the control's name "
                                f"in the Label Studio labeling config, then one of {taxonomy.facet_names}).")
        if _key(facet) not in by_key:
            raise TaxonomyError(f"--map {item!r}: facet {facet!r} is not in taxonomy {taxonomy.name!r}; its facets "
                                f"are {taxonomy.facet_names}.")
        out[control] = by_key[_key(facet)]
    return out


def map_controls(control_names: Iterable[str], taxonomy: Taxonomy,
                 overrides: Mapping[str, str] | None = None) -> ControlMap:
    """Map a project's control names to facets (rules in the module docstring).

    Parameters
    ----------
    control_names : the controls seen (result ``from_name`` values, export columns, or a labeling config's
        control names)
    taxonomy : the facets
    overrides : ``{control: facet}``, e.g. from :func:`parse_overrides`; a control named here maps to that
        facet whatever its name

    Returns
    -------
    ControlMap

    Raises
    ------
    TaxonomyError
        When an override names a facet that is not in the taxonomy.
    """
    overrides = dict(overrides or {})
    for control, facet in overrides.items():
        if facet not in taxonomy.facet_names:
            raise TaxonomyError(f"control {control!r} is mapped to facet {facet!r}, which is not in taxonomy "
                                f"{taxonomy.name!r}; its facets are {taxonomy.facet_names}.")
    by_key = {_key(n): n for n in taxonomy.facet_names}
    facets: dict[str, str] = {}
    unmapped = []
    for control in dict.fromkeys(control_names):
        facet = overrides.get(control) or by_key.get(_key(control))
        if facet is None:
            unmapped.append(control)
        else:
            facets[control] = facet
    return ControlMap(facets, tuple(sorted(unmapped)))


class LabelMatcher:
    """Choice values -> label ids of one facet (rules in the module docstring), cached."""

    def __init__(self, facet: Facet):
        self.facet = facet
        self.ids = {lab.id for lab in facet.labels}
        self.by_key: dict[str, set[str]] = {}
        for lab in facet.labels:
            for text in (lab.id, lab.name, *lab.aliases):
                self.by_key.setdefault(_key(text), set()).add(lab.id)
        self.cache: dict[object, str | None] = {}

    def label(self, value: object) -> str | None:
        """The label id ``value`` names, or None when it names none or several (see :meth:`error`)."""
        try:
            return self.cache[value]
        except KeyError:
            pass
        except TypeError:  # unhashable: not a label
            return None
        out = None
        if isinstance(value, str):
            if value in self.ids:
                out = value
            else:
                found = self.by_key.get(_key(value), ())
                out = next(iter(found)) if len(found) == 1 else None
        self.cache[value] = out
        return out

    def error(self, value: object, where: str = "") -> str:
        """Why ``value`` is not a label: ambiguous (with the candidates) or unknown (with the valid labels)."""
        found = self.by_key.get(_key(value), set()) if isinstance(value, str) else set()
        if len(found) > 1:
            order = self.facet.ids
            names = ", ".join(f"{i} ({self.facet.label(i).name})" for i in sorted(found, key=order.index))
            prefix = f"{where}: " if where else ""
            return (f"{prefix}{self.facet.name} value {value!r} is ambiguous: it names {len(found)} labels [{names}] "
                    f"by id, display name or alias. Use the label id in the Label Studio config (alias=\"ID\"), "
                    f"or make the names distinct in the taxonomy file.")
        ids = self.facet.ids
        shown = ", ".join(ids[:12]) + (", …" if len(ids) > 12 else "")
        prefix = f"{where}: " if where else ""
        return (f"{prefix}{self.facet.name} label {value!r} is not in the taxonomy's {self.facet.name} [{shown}] "
                f"(by id, display name or alias). Fix the label in Label Studio, add it to the taxonomy file as an "
                f"alias, or map the control to another facet with --map CONTROL=FACET.")
