"""Which controls of a labeling config hold which facet: the map between a Label Studio project and the taxonomy.

A project's config is either the one :func:`annotation.labeling_config` generates or one written by hand;
both are read the same way:

- a ``<Choices>`` control belongs to a facet when its ``name`` equals the facet's name, with any case and
  with spaces or hyphens for underscores (``Region``, ``themes``, ``Defence-Industry``);
- a ``<Choice>`` stands for a label when its ``alias`` or its ``value`` equals the label's id, display
  name or one of its aliases, with any case (the id wins over a name, a name over an alias);
- results carry a choice's ``alias`` when it has one, else its ``value`` (Label Studio's rule);
- the text is the task field the control's ``toName`` object reads (``<Text name="text" value="$text">``
  reads ``data.text``); with no such object, the first ``<Text>`` of the config.

The ML backend maps its predictions and the annotations it learns from with this; ``newstag annotate
predict`` maps the predictions it writes into a project.
"""

from __future__ import annotations

__all__ = ["ConfigMap", "FacetControl", "map_label_config", "task_text"]

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any, Mapping

from corpus import Facet, InputError, Taxonomy

from .config import TEXT_FIELD
from .errors import ConfigError


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


def _key(text: str) -> str:
    return text.strip().casefold().replace("-", "_").replace(" ", "_")


def _tag(el: ET.Element) -> str:
    return el.tag.rsplit("}", 1)[-1].casefold()


def _label_index(facet: Facet) -> dict[str, str]:
    """casefolded id / display name / alias -> label id, the id first, then names, then aliases."""
    index: dict[str, str] = {}
    for rank in ("id", "name", "aliases"):
        for lab in facet.labels:
            keys = [lab.id] if rank == "id" else [lab.name] if rank == "name" else list(lab.aliases)
            for k in keys:
                if k:
                    index.setdefault(k.strip().casefold(), lab.id)
    return index


def _facet_control(el: ET.Element, facet: Facet) -> FacetControl:
    index = _label_index(facet)
    tokens: dict[str, str] = {}
    back: dict[str, str] = {}
    unmapped = []
    for ch in el.iter():
        if _tag(ch) != "choice":
            continue
        value, alias = ch.get("value") or "", ch.get("alias") or ""
        token = alias or value
        label = index.get(alias.strip().casefold()) if alias else None
        label = label or index.get(value.strip().casefold())
        if label is None:
            unmapped.append(token)
            continue
        tokens.setdefault(label, token)
        back[token] = label
    missing = tuple(lab for lab in facet.ids if lab not in tokens)
    return FacetControl(facet.name, el.get("name", ""), el.get("toName", ""), tokens, tuple(unmapped), missing, back)


def map_label_config(label_config: str, taxonomy: Taxonomy, *, where: str = "labeling config") -> ConfigMap:
    """Map a labeling config's ``<Choices>`` controls to the taxonomy's facets (rules in the module docstring).

    Parameters
    ----------
    label_config : the config XML (a project's ``label_config``)
    taxonomy : the facets and labels of the model
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
    facets = {_key(f.name): f for f in taxonomy.facets}
    objects = {el.get("name"): el for el in root.iter() if el.get("name") and (el.get("value") or "").startswith("$")}
    controls: dict[str, FacetControl] = {}
    seen = []
    for el in root.iter():
        if _tag(el) != "choices":
            continue
        name = el.get("name") or ""
        seen.append(name)
        facet = facets.get(_key(name))
        if facet is not None and facet.name not in controls:
            controls[facet.name] = _facet_control(el, facet)
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
