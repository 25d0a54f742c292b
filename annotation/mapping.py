"""A Label Studio project's controls and choice values, mapped to the taxonomy's facets and labels.

The one place for these rules, used for every export (``annotate import``/``pull``) and for a project's
labeling config (the ML backend, ``annotate predict``), so that a project made by hand works as well as
one made from ``newstag annotate config``:

- a **control** (``from_name`` in a result, a column in JSON_MIN/CSV, a ``<Choices name=...>`` in a
  config) maps to the facet whose name equals it, case-insensitively and with spaces, hyphens and
  underscores alike (``Region`` -> ``region``, ``Defence-Industry`` -> ``defence_industry``), unless an
  override ``CONTROL=FACET`` says otherwise (``topic=themes``, ``country=actors``); overrides name controls
  exactly. Controls mapped to nothing are listed (:attr:`ControlMap.unmapped`), never silently read as a facet;
- a **choice value** maps to the facet's label whose id, display name or alias equals it,
  case-insensitively and with runs of white space as one space (``"Middle East"`` -> ``middle_east``).
  An exact id always wins; a value that names two labels is ambiguous and, like an unknown value, an
  error naming the candidates;
- in a config, a ``<Choice>`` stands for the label its ``alias`` or else its ``value`` names; results
  carry the alias when there is one, else the value (Label Studio's rule);
- the text is the task field the control's ``toName`` object reads (``<Text name="text" value="$text">``
  reads ``data.text``); with no such object, the first ``<Text>`` of the config.
"""

from __future__ import annotations

__all__ = ["ConfigMap", "ControlMap", "FacetControl", "LabelMatcher", "map_controls", "map_label_config",
           "parse_overrides", "task_text"]

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from corpus import Facet, InputError, Taxonomy, TaxonomyError

from .config import TEXT_FIELD
from .errors import ConfigError

_SEPARATORS = re.compile(r"[\s_-]+")


def _key(text: str) -> str:
    """A choice value's key: case and runs of white space ignored."""
    return " ".join(text.split()).casefold()


def _control_key(text: str) -> str:
    """A control or facet name's key: case ignored, spaces, hyphens and underscores alike."""
    return _SEPARATORS.sub("_", text.strip()).casefold()


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
    by_key = {_control_key(n): n for n in taxonomy.facet_names}
    for item in items:
        control, sep, facet = item.partition("=")
        control, facet = control.strip(), facet.strip()
        if not sep or not control or not facet:
            raise TaxonomyError(f"--map {item!r}: expected CONTROL=FACET, e.g. topic=themes (the control's name "
                                f"in the Label Studio labeling config, then one of {taxonomy.facet_names}).")
        if _control_key(facet) not in by_key:
            raise TaxonomyError(f"--map {item!r}: facet {facet!r} is not in taxonomy {taxonomy.name!r}; its facets "
                                f"are {taxonomy.facet_names}.")
        out[control] = by_key[_control_key(facet)]
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
    by_key = {_control_key(n): n for n in taxonomy.facet_names}
    facets: dict[str, str] = {}
    unmapped = []
    for control in dict.fromkeys(control_names):
        facet = overrides.get(control) or by_key.get(_control_key(control))
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


@dataclass(frozen=True)
class FacetControl:
    """The ``<Choices>`` control of one facet.

    Attributes
    ----------
    facet : the facet's name
    from_name, to_name : the control's ``name`` and ``toName`` (what a result's ``from_name``/``to_name`` hold)
    tokens : label id -> what a result holds for it (the choice's alias, else its value)
    unmapped_choices : choices that stand for no label of the facet (never predicted; an annotation
        that picks one is reported)
    missing_labels : labels of the facet that have no choice (predictions cannot show them)
    """

    facet: str
    from_name: str
    to_name: str
    tokens: Mapping[str, str]
    unmapped_choices: tuple[str, ...] = ()
    missing_labels: tuple[str, ...] = ()
    labels_of_token: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class ConfigMap:
    """The facets a labeling config holds (``controls``, taxonomy order) and the task field with the text."""

    controls: Mapping[str, FacetControl]
    text_field: str
    taxonomy: Taxonomy = field(repr=False)

    def notes(self) -> list[str]:
        """What the config cannot show or hold: facets without a control, labels without a choice."""
        out = [f"facet {f!r} has no <Choices> control in the config; it is neither predicted nor learned"
               for f in self.taxonomy.facet_names if f not in self.controls]
        for c in self.controls.values():
            if c.missing_labels:
                out.append(f"control {c.from_name!r} ({c.facet}) has no choice for {list(c.missing_labels)}")
            if c.unmapped_choices:
                out.append(f"control {c.from_name!r} ({c.facet}): choices {list(c.unmapped_choices)} stand for "
                           f"no label of the taxonomy")
        return out

    def read_result(self, result: Any, where: str = "annotation") -> dict[str, Any]:
        """The facet labels an annotation's ``result`` list holds: ``{facet: label id | [label ids]}``.

        Every facet of the config is in the answer (a single-label facet nobody chose: None; a multi-label
        one: ``[]``); results of other controls (spans, text areas) are ignored.

        Raises
        ------
        ConfigError
            When an item is malformed, a choice stands for no label, or a single-label facet got two.
        """
        if not isinstance(result, list):
            raise ConfigError(f"{where}: 'result' must be a list of result items, got {type(result).__name__}.")
        by_name = {c.from_name: c for c in self.controls.values()}
        chosen: dict[str, list[str]] = {}
        for n, item in enumerate(result):
            if not isinstance(item, Mapping):
                raise ConfigError(f"{where}, result item {n}: expected an object, got {type(item).__name__}.")
            control = by_name.get(item.get("from_name"))
            if control is None or item.get("type", "choices") != "choices":
                continue
            value = item.get("value")
            values = value.get("choices") if isinstance(value, Mapping) else None
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ConfigError(f"{where}, result item {n} ({control.from_name}): expected "
                                  f"value.choices as a list of strings, got {value!r}.")
            for v in values:
                label = control.labels_of_token.get(v)
                if label is None:
                    raise ConfigError(
                        f"{where}: choice {v!r} of control {control.from_name!r} stands for no label of facet "
                        f"{control.facet!r} ({', '.join(self.taxonomy.facet(control.facet).ids)}); "
                        f"give the <Choice> an alias that is a label id, or add the label to the taxonomy.")
                chosen.setdefault(control.facet, []).append(label)
        out: dict[str, Any] = {}
        for facet, control in self.controls.items():
            labels = list(dict.fromkeys(chosen.get(facet, [])))
            if self.taxonomy.facet(facet).multi:
                out[facet] = labels
            elif len(labels) > 1:
                raise ConfigError(f"{where}: single-label facet {facet!r} got {len(labels)} choices {labels}; "
                                  f"set choice=\"single\" on control {control.from_name!r}.")
            else:
                out[facet] = labels[0] if labels else None
        return out


def _tag(el: ET.Element) -> str:
    return el.tag.rsplit("}", 1)[-1].casefold()


def _facet_control(el: ET.Element, facet: Facet) -> FacetControl:
    matcher = LabelMatcher(facet)
    tokens: dict[str, str] = {}
    back: dict[str, str] = {}
    unmapped = []
    for ch in el.iter():
        if _tag(ch) != "choice":
            continue
        value, alias = ch.get("value") or "", ch.get("alias") or ""
        token = alias or value
        label = (matcher.label(alias) if alias else None) or matcher.label(value)
        if label is None:
            unmapped.append(token)
            continue
        tokens.setdefault(label, token)
        back[token] = label
    missing = tuple(lab for lab in facet.ids if lab not in tokens)
    return FacetControl(facet.name, el.get("name", ""), el.get("toName", ""), tokens, tuple(unmapped), missing, back)


def map_label_config(label_config: str, taxonomy: Taxonomy, *, overrides: Mapping[str, str] | None = None,
                     where: str = "labeling config") -> ConfigMap:
    """Map a labeling config's ``<Choices>`` controls to the taxonomy's facets (rules in the module docstring).

    Parameters
    ----------
    label_config : the config XML (a project's ``label_config``)
    taxonomy : the facets and labels of the model
    overrides : ``{control: facet}`` for controls not named after their facet (:func:`parse_overrides`)
    where : names the config in messages (``project 3``, ``/predict request``)

    Raises
    ------
    ConfigError
        When the config is not XML, or no ``<Choices>`` control maps to a facet (the message lists the
        controls found and the facets expected).
    """
    if not isinstance(label_config, str) or not label_config.strip():
        raise ConfigError(f"{where}: no labeling config (expected the project's XML, got {label_config!r:.80}).")
    try:
        root = ET.fromstring(label_config)
    except ET.ParseError as exc:
        raise ConfigError(f"{where}: the labeling config is not valid XML ({exc}).") from None
    objects = {el.get("name"): el for el in root.iter() if el.get("name") and (el.get("value") or "").startswith("$")}
    controls: dict[str, FacetControl] = {}
    choices = [el for el in root.iter() if _tag(el) == "choices"]
    seen = [el.get("name") or "" for el in choices]
    by_control = map_controls(seen, taxonomy, overrides).facets
    for el, name in zip(choices, seen):
        facet = by_control.get(name)
        if facet is not None and facet not in controls:
            controls[facet] = _facet_control(el, taxonomy.facet(facet))
    if not controls:
        raise ConfigError(
            f"{where}: no <Choices> control maps to a facet of taxonomy {taxonomy.name!r}; found controls "
            f"{seen or 'none'}, expected names like {taxonomy.facet_names}. Name each facet's <Choices> after "
            f"the facet, or make the project's config with `newstag annotate config`.")
    ordered = {f: controls[f] for f in taxonomy.facet_names if f in controls}
    first = next(iter(ordered.values()))
    target = objects.get(first.to_name)
    if target is None:
        texts = [el for el in root.iter() if _tag(el) == "text" and (el.get("value") or "").startswith("$")]
        target = texts[0] if texts else None
    field_name = (target.get("value") or "")[1:] if target is not None else TEXT_FIELD
    return ConfigMap(ordered, field_name or TEXT_FIELD, taxonomy)


def task_text(data: Any, text_field: str = TEXT_FIELD, *, where: str = "task") -> str:
    """The text a model reads for a task's ``data``: its ``title`` and the text field, as ``newstag tag`` reads
    ``{"title", "text"}`` (title, blank line, text); ``data.text`` when the config's field is absent.

    Raises
    ------
    InputError
        When the task has no text string in either field.
    """
    if not isinstance(data, Mapping):
        raise InputError(f"{where}: 'data' must be an object with a {text_field!r} field, got {type(data).__name__}.")
    for name in dict.fromkeys((text_field, TEXT_FIELD)):
        text = data.get(name)
        if isinstance(text, str) and text.strip():
            title = data.get("title") if name != "title" else None
            return f"{title}\n\n{text}" if isinstance(title, str) and title else text
    raise InputError(f"{where}: no text: data.{text_field} is {data.get(text_field)!r}; every task needs the "
                      f"article text in data.{text_field} (fields given: {sorted(data)[:10]}).")
