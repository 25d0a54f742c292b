"""The Label Studio labeling config, generated from the taxonomy (never kept by hand).

One ``<Choices>`` per facet (``choice="single"`` or ``"multiple"``) whose ``<Choice>`` shows the label's
display name, carries its description as a hint, and exports its id (``alias``): results hold taxonomy
ids. Optionally one ``<Labels>`` block per facet named in ``mentions`` for span annotation of mentions
(control name ``{facet}_mentions``); spans are validated on import but never become facet labels.

The task fields the config reads (``$title``, ``$text``) and every field a JSON_MIN/CSV export row
carries are reserved: a facet may not be named like one of them.
"""

from __future__ import annotations

__all__ = ["labeling_config", "mention_control", "TASK_FIELDS", "RESERVED_NAMES", "TEXT_FIELD", "SELECTION_FIELD"]

import xml.etree.ElementTree as ET
from typing import Iterable

from corpus import Taxonomy, TaxonomyError

TEXT_FIELD = "text"
SELECTION_FIELD = "newstag_selection"  # why active learning chose the task (annotation.active)
# The task ``data`` fields written by annotation.tasks and annotation.active (JSON_MIN flattens them into each row).
TASK_FIELDS = ("article_id", "source_id", "title", TEXT_FIELD, "section", "date", "source", "url", "group_id",
               SELECTION_FIELD)
# Fields Label Studio adds to each JSON_MIN / CSV row.
_MIN_FIELDS = ("id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time")
RESERVED_NAMES = frozenset(TASK_FIELDS + _MIN_FIELDS)


def mention_control(facet: str) -> str:
    """The name of the span ``<Labels>`` control for mentions of a facet's labels."""
    return f"{facet}_mentions"


def check_control_names(taxonomy: Taxonomy, mentions: Iterable[str] = ()) -> list[str]:
    """Check that facet (and mention control) names do not collide with task or export fields.

    Returns the list of mention facets (validated).

    Raises
    ------
    TaxonomyError
        When a facet is named like a reserved field, or ``mentions`` names an unknown facet.
    """
    names = taxonomy.facet_names
    mentions = list(dict.fromkeys(mentions))
    for m in mentions:
        taxonomy.facet(m)  # raises with the list of facets
    controls = names + [mention_control(m) for m in mentions]
    for c in controls:
        if c in RESERVED_NAMES:
            raise TaxonomyError(
                f"facet or control name {c!r} collides with a Label Studio task/export field "
                f"({', '.join(sorted(RESERVED_NAMES))}); rename the facet in the taxonomy file."
            )
    clash = set(names) & {mention_control(m) for m in mentions}
    if clash:
        raise TaxonomyError(f"facet {sorted(clash)[0]!r} collides with a mention control name; rename the facet.")
    return mentions


def labeling_config(taxonomy: Taxonomy, *, mentions: Iterable[str] = ()) -> str:
    """The labeling config XML for ``taxonomy``.

    Parameters
    ----------
    taxonomy : the facets and labels to annotate
    mentions : facets that also get span ``<Labels>`` (for instance ``["actors"]``)

    Returns
    -------
    str
        Deterministic, indented XML (same taxonomy, same bytes).
    """
    mentions = check_control_names(taxonomy, mentions)
    view = ET.Element("View")
    ET.SubElement(view, "Header", value="$title")
    for m in mentions:
        facet = taxonomy.facet(m)
        labels = ET.SubElement(view, "Labels", name=mention_control(m), toName=TEXT_FIELD)
        for lab in facet.labels:
            ET.SubElement(labels, "Label", value=lab.name, alias=lab.id, hint=lab.description or lab.name)
    ET.SubElement(view, "Text", name=TEXT_FIELD, value=f"${TEXT_FIELD}")
    for facet in taxonomy.facets:
        block = ET.SubElement(view, "View")
        ET.SubElement(block, "Header", value=facet.name.replace("_", " ").capitalize(), size="4")
        if facet.description:
            ET.SubElement(block, "Header", value=facet.description, size="6")
        attrs = {"name": facet.name, "toName": TEXT_FIELD, "choice": "multiple" if facet.multi else "single",
                 "showInline": "true"}
        if not facet.multi:
            attrs.update(required="true", requiredMessage=f"Pick exactly one {facet.name}.")
        choices = ET.SubElement(block, "Choices", attrs)
        for lab in facet.labels:
            ET.SubElement(choices, "Choice", value=lab.name, alias=lab.id, hint=lab.description or lab.name)
    ET.indent(view, space="  ")
    return ET.tostring(view, encoding="unicode") + "\n"
