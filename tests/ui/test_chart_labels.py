"""Axis labels that must all be readable: heatmap columns and long topic labels.

Rendered to SVG with vl-convert (the same Vega the browser runs), with the axis defaults
Streamlit's own chart theme adds (``labelOverlap: true``, ``labelLimit: 100``), because
that is where labels went missing: Vega hides labels whose bounding boxes overlap.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import vl_convert

from analysis.aggregates import cooccurrence
from ui import charts

CODE_LABELS = [
    "Ideas and creative block", "Time pressure and deadlines", "Technical problem",
    "Wording and tone help", "Learning something new", "Boredom with routine work",
    "Data analysis and numbers", "Checking facts and sources",
]
_TEXT = re.compile(r"<text([^>]*)>(.*?)</text>", re.S)
_TAG = re.compile(r"<[^>]+>")


def _visible_texts(spec: dict) -> list[str]:
    """Text of every SVG text element Vega left visible, with Streamlit's axis defaults."""
    spec["config"]["axis"] = {"labelOverlap": True, "labelSeparation": 4, "labelLimit": 100,
                              **spec["config"]["axis"]}
    svg = vl_convert.vegalite_to_svg(spec)
    # A multi-line label is one <text> of <tspan>s: read it as its lines joined by spaces.
    return [" ".join(_TAG.sub(" ", body).split()) for attrs, body in _TEXT.findall(svg)
            if 'opacity="0"' not in attrs]


def test_every_cooccurrence_column_label_shows() -> None:
    codes = [f"trigger.c{i}" for i in range(len(CODE_LABELS))]
    codebook = pd.DataFrame({"code": codes, "facet": "trigger", "label": CODE_LABELS})
    rng = np.random.default_rng(0)
    people = pd.DataFrame({c: rng.integers(0, 2, 30) for c in codes})
    for presentation in (False, True):
        spec = charts.chart_cooccurrence(cooccurrence(people, codebook), title="t",
                                         subtitle="s", presentation=presentation).to_dict()
        texts = _visible_texts(spec)
        for label in CODE_LABELS:  # once as a row label, once as a column label
            assert texts.count(label) == 2, (label, presentation)


def test_topic_size_labels_wrap_instead_of_being_cut() -> None:
    topics = pd.DataFrame({
        "topic_id": [0, 1, 2],
        "label": ["Allowed disclose, confidentiality, write guidance, company policy",
                  "Spreadsheets, formulas", "Allowed disclose, confidentiality, write guidance"
                  ", company policy"],
        "size": [40, 25, 10],
    })
    spec = charts.chart_topic_sizes(topics, title="t", subtitle="s").to_dict()
    texts = _visible_texts(spec)
    assert not any(t.endswith("…") for t in texts), texts
    words = " ".join(texts)
    for word in ("Allowed", "confidentiality,", "guidance,", "policy", "Spreadsheets,"):
        assert word in words
    # Two topics with the same label stay two bars.
    rows = [r for rows in spec["datasets"].values() for r in rows]
    assert len({r["axis_label"] for r in rows}) == 3
