"""Chart builders: valid Vega-Lite, the expected encodings, and real PNG/SVG exports."""

from __future__ import annotations

import io
import struct
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import pytest
import vl_convert
from defusedxml import ElementTree
from PIL import Image

from analysis.aggregates import (
    code_prevalence,
    cooccurrence,
    group_differences,
    prevalence_by_group,
    topic_by_group,
)
from tests.analysis.fixture_project import load_fixture_result
from ui import charts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CAPTION = charts.caption_line(
    source="Interview Lens · fixture", n=12, filters="Cohort: workforce", date="2026-11-26"
)


@pytest.fixture(scope="module")
def result():
    return load_fixture_result()


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _fields(spec: Any) -> set[str]:
    """Every ``field`` named anywhere in a Vega-Lite spec."""
    found: set[str] = set()
    if isinstance(spec, dict):
        if isinstance(spec.get("field"), str):
            found.add(spec["field"])
        for value in spec.values():
            found |= _fields(value)
    elif isinstance(spec, list):
        for value in spec:
            found |= _fields(value)
    return found


def _dataset_rows(spec: dict) -> list[dict]:
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def _build_all(result, presentation: bool = False) -> dict[str, tuple[alt.TopLevelMixin, set]]:
    p, cb = result.participants, result.codebook
    sub = "Cohort: workforce · N = 12"
    kw = {"subtitle": sub, "presentation": presentation}
    grouped = prevalence_by_group(p, cb, "cohort", facet="trigger", min_group_size=2)
    return {
        "prevalence": (
            charts.chart_prevalence(code_prevalence(p, cb, "trigger"), title="Triggers", **kw),
            {"label", "share", "ci_low", "ci_high", "display"},
        ),
        "by_group": (
            charts.chart_prevalence_by_group(grouped, title="Triggers by cohort", **kw),
            {"label", "group", "share", "ci_low", "ci_high", "display"},
        ),
        "heatmap": (
            charts.chart_heatmap(grouped, row="label", col="group", title="Heatmap", **kw),
            {"label", "group", "share", "cell"},
        ),
        "cooccurrence": (
            charts.chart_cooccurrence(cooccurrence(p, cb), title="Together", **kw),
            {"label_a", "label_b", "colour", "cell"},
        ),
        "topic_sizes": (
            charts.chart_topic_sizes(result.topics, title="Topics", **kw),
            {"label", "size", "display"},
        ),
        "topic_map": (
            charts.chart_topic_map(result.segments, title="Map", **kw),
            {"x", "y", "shown_topic", "answer_text"},
        ),
        "topic_by_group": (
            charts.chart_topic_by_group(
                topic_by_group(result.segments, p, "cohort"), title="Topic × cohort", **kw
            ),
            {"label", "group", "share", "cell"},
        ),
    }


def test_every_chart_is_valid_and_encodes_expected_fields(result) -> None:
    for name, (chart, expected) in _build_all(result).items():
        spec = chart.to_dict()  # validates against the Vega-Lite schema
        assert expected <= _fields(spec), name
        assert spec["config"]["range"]["category"] == charts.OKABE_ITO, name
        title = spec.get("title") or next(
            layer["title"] for layer in spec.get("layer", []) if "title" in layer
        )
        assert title["subtitle"][0] == "Cohort: workforce · N = 12", name


def test_prevalence_chart_labels_counts_and_keeps_codebook_order(result) -> None:
    table = code_prevalence(result.participants, result.codebook)
    spec = charts.chart_prevalence(table, title="All codes", subtitle="N = 12").to_dict()
    rows = _dataset_rows(spec)
    assert [r["display"] for r in rows][:3] == ["42% (5/12)", "42% (5/12)", "58% (7/12)"]
    y_sort = next(
        layer["encoding"]["y"]["sort"] for layer in spec["layer"] if "y" in layer["encoding"]
    )
    assert y_sort == list(result.codebook["label"])
    # Several facets: coloured by facet in the palette's order.
    colour = spec["layer"][0]["encoding"]["color"]
    assert colour["field"] == "facet" and colour["scale"]["range"] == charts.OKABE_ITO


def test_hidden_small_groups_never_reach_the_chart(result) -> None:
    grouped = prevalence_by_group(result.participants, result.codebook, "cohort")
    assert [g for g, _ in grouped.hidden] == ["creatives", "scientists"]
    spec = charts.chart_prevalence_by_group(grouped, title="t", subtitle="s").to_dict()
    assert {r["group"] for r in _dataset_rows(spec)} == {"workforce"}


def test_heatmap_cells_show_share_and_counts(result) -> None:
    grouped = prevalence_by_group(
        result.participants, result.codebook, "cohort", facet="trigger", min_group_size=2
    )
    spec = charts.chart_heatmap(
        grouped, row="group", col="label", title="t", subtitle="s"
    ).to_dict()
    cells = {(r["group"], r["label"]): r["cell"] for r in _dataset_rows(spec)}
    assert cells[("creatives", "Ideation")] == "100%\n4/4"
    assert cells[("scientists", "Ideation")] == "0%\n0/2"


def test_presentation_mode_enlarges_type() -> None:
    normal, large = charts.theme_config(False), charts.theme_config(True)
    assert large["title"]["fontSize"] > normal["title"]["fontSize"]
    assert large["axis"]["labelFontSize"] > normal["axis"]["labelFontSize"]
    assert large["text"]["fontSize"] > normal["text"]["fontSize"]
    assert alt.theme.active == charts.THEME_NAME


def test_empty_tables_render_a_message_not_an_error(result) -> None:
    empty = code_prevalence(result.participants, result.codebook).iloc[0:0]
    chart = charts.chart_prevalence(empty, title="t", subtitle="s")
    assert _dataset_rows(chart.to_dict())[0]["message"]
    grouped = prevalence_by_group(result.participants, result.codebook, "cohort", min_group_size=50)
    assert charts.chart_heatmap(
        grouped, row="label", col="group", title="t", subtitle="s"
    ).to_dict()
    assert charts.chart_prevalence_by_group(grouped, title="t", subtitle="s").to_dict()


def test_topic_map_keeps_answer_text_as_plain_data_and_samples_big_corpora(result) -> None:
    spec = charts.chart_topic_map(result.segments, title="Map", subtitle="s").to_dict()
    answers = {r.get("answer_text") for r in _dataset_rows(spec)}
    assert any("<b>title ideas</b>" in (a or "") for a in answers)  # shown as text, untouched
    assert "html" not in str(spec).lower()

    rng = np.random.default_rng(0)
    n = charts.MAX_MAP_POINTS + 500
    big = pd.DataFrame(
        {
            "transcript_id": [f"t{i % 900}" for i in range(n)],
            "question": "q",
            "answer": ["an answer " * 60] * n,
            "topic_id": rng.integers(-1, 12, n),
            "x": rng.normal(size=n),
            "y": rng.normal(size=n),
        }
    )
    big["topic_label"] = big["topic_id"].map(lambda t: f"topic {t}")
    spec = charts.chart_topic_map(big, title="Map", subtitle="All").to_dict()
    points = [r for r in _dataset_rows(spec) if "answer_text" in r]
    assert len(points) == charts.MAX_MAP_POINTS
    assert max(len(r["answer_text"]) for r in points) <= charts.MAP_TEXT_CHARS
    assert spec["title"]["subtitle"][-1].startswith(f"Showing a random {charts.MAX_MAP_POINTS:,}")


def test_caption_line_states_source_n_filters_and_date() -> None:
    assert CAPTION == (
        "Source: Interview Lens · fixture · N = 12 participants · filters: Cohort: workforce"
        " · 2026-11-26"
    )
    plain = charts.caption_line(source="s", n=1250, filters="All participants", date="d")
    assert "N = 1,250 participants · no filters" in plain


def _dark_pixels(png: bytes, box: tuple[int, int, int, int]) -> int:
    image = Image.open(io.BytesIO(png)).convert("L").crop(box)
    return int((np.asarray(image) < 140).sum())


def test_png_and_svg_exports_carry_the_caption(result) -> None:
    for name, (chart, _) in _build_all(result).items():
        png = charts.chart_to_png(chart, caption=CAPTION)
        width, height = _png_size(png)
        assert 600 <= width <= 4000 and 200 <= height <= 4000, (name, width, height)
        # The caption is the bottom line: it must have rendered glyphs (a missing font
        # would leave it blank), and the title at the top too.
        assert _dark_pixels(png, (0, height - 70, width, height)) > 200, name
        assert _dark_pixels(png, (0, 0, width, 90)) > 200, name
        svg = charts.chart_to_svg(chart, caption=CAPTION)
        root = ElementTree.fromstring(svg)
        assert root.tag.endswith("svg"), name
        texts = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
        assert "N = 12 participants" in texts and "2026-11-26" in texts, name


def test_png_scale_two_doubles_the_pixels(result) -> None:
    chart = charts.chart_prevalence(
        code_prevalence(result.participants, result.codebook, "outcome"), title="t", subtitle="s"
    )
    w1, h1 = _png_size(charts.chart_to_png(chart, caption=CAPTION, scale=1.0))
    w2, h2 = _png_size(charts.chart_to_png(chart, caption=CAPTION, scale=2.0))
    assert abs(w2 - 2 * w1) <= 2 and abs(h2 - 2 * h1) <= 2
    # The caption adds height compared to the bare chart.
    bare = _png_size(bytes(vl_convert.vegalite_to_png(chart.to_dict())))
    assert h1 > bare[1]


def test_presentation_png_is_larger(result) -> None:
    table = code_prevalence(result.participants, result.codebook, "trigger")
    normal = charts.chart_prevalence(table, title="t", subtitle="s")
    large = charts.chart_prevalence(table, title="t", subtitle="s", presentation=True)
    assert (
        _png_size(charts.chart_to_png(large, caption=CAPTION))[0]
        > _png_size(charts.chart_to_png(normal, caption=CAPTION))[0]
    )


def test_cooccurrence_of_a_whole_codebook_switches_to_compact_cells() -> None:
    rng = np.random.default_rng(3)
    codes = [f"trigger.c{i:02d}" for i in range(charts.COOCCURRENCE_COMPACT_ABOVE + 2)]
    codebook = pd.DataFrame({"code": codes, "facet": "trigger", "label": codes})
    participants = pd.DataFrame({c: rng.integers(0, 2, 40) for c in codes})
    table = cooccurrence(participants, codebook)
    spec = charts.chart_cooccurrence(table, title="t", subtitle="N = 40").to_dict()
    cells = [r["cell"] for r in _dataset_rows(spec) if "cell" in r]
    assert cells and all("\n" not in c for c in cells)
    assert spec["title"]["subtitle"][-1] == charts.COOCCURRENCE_NOTE
    small = cooccurrence(participants, codebook.head(4))
    spec = charts.chart_cooccurrence(small, title="t", subtitle="cell = both").to_dict()
    assert all("\n" in r["cell"] for r in _dataset_rows(spec) if not r.get("diagonal", True))
    assert spec["title"]["subtitle"] == ["cell = both"]


def test_group_differences_chart_diverges_with_intervals(result) -> None:
    table = group_differences(
        result.participants, result.codebook, "cohort", "workforce", "creatives"
    )
    chart = charts.chart_group_differences(
        table, group_a="workforce", group_b="creatives", title="Gaps", subtitle="N = 10"
    )
    spec = chart.to_dict()
    assert {"diff", "diff_ci_low", "diff_ci_high", "ahead", "display"} <= _fields(spec)
    rows = {r["code"]: r for r in _dataset_rows(spec) if "code" in r}
    ideation = rows["trigger.ideation"]
    assert ideation["ahead"] == "creatives"
    assert ideation["display"].startswith("-83 pts (17% vs 100%) · q = ")
    assert rows["culture.encouraged"]["ahead"] == "workforce"
    width, height = _png_size(charts.chart_to_png(chart, caption=CAPTION))
    assert width > 800 and height > 300
    assert (
        len(
            _dataset_rows(
                charts.chart_group_differences(
                    table, group_a="a", group_b="b", title="t", subtitle="s", top_n=2
                ).to_dict()
            )
        )
        <= 3
    )
