"""``ReportContent`` as a 16:9 PowerPoint deck (python-pptx) for PowerPoint and LibreOffice.

Slides: a title slide (project, date, N, filter line), the findings, one slide per chart
(the plot as a high-resolution PNG under a real text title, with its caption line), and
one slide of representative quotes per top code.

WHY text boxes are sized by estimate: python-pptx cannot measure rendered text, and a deck
whose quotes run off the slide is unusable. Each box is filled by ``fit_paragraphs``, which
estimates wrapped line counts from an average glyph width (Arial, or its metric twin
Liberation Sans in LibreOffice), shrinks the font step by step, then shortens texts, then
drops trailing items, until the estimate fits. Every piece of user text is set as a plain
run (``run.text``), so nothing in a transcript is ever interpreted as markup or a field.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, replace

from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from analysis.report.content import ChartImage, QuoteGroup, ReportContent, trim

SLIDE_WIDTH_IN = 13.333
SLIDE_HEIGHT_IN = 7.5
MARGIN_IN = 0.6
CONTENT_WIDTH_IN = SLIDE_WIDTH_IN - 2 * MARGIN_IN
FONT = "Arial"
AVG_CHAR_EM = 0.52
"""Average glyph width of Arial/Liberation Sans running text, in ems (slightly generous)."""
LINE_SPACING = 1.2
BOX_PADDING_IN = 0.05
MIN_FONT_PT = 12
FINDINGS_PT = 18
BODY_TOP_IN = 1.85
BODY_HEIGHT_IN = 4.9

INK = RGBColor(0x22, 0x22, 0x22)
SUBTLE = RGBColor(0x55, 0x55, 0x55)
ACCENT = RGBColor(0x00, 0x72, 0xB2)  # the charts' primary Okabe-Ito blue


@dataclass(frozen=True, slots=True)
class Para:
    """One paragraph to place: its text, size, and looks (all sizes in points)."""

    text: str
    size: float
    space_before: float = 0.0
    color: RGBColor = INK
    bold: bool = False
    italic: bool = False
    bullet: bool = False


def estimated_lines(text: str, width_in: float, size_pt: float, *, bullet: bool = False) -> int:
    """Lines ``text`` wraps to in a box ``width_in`` wide at ``size_pt`` (estimate)."""
    usable = width_in - 2 * BOX_PADDING_IN - (0.3 if bullet else 0.0)
    per_line = max(4, int(usable * 72 / (size_pt * AVG_CHAR_EM)))
    return max(1, len(textwrap.wrap(text, per_line, break_long_words=True)))


def estimated_height(paras: Sequence[Para], width_in: float) -> float:
    """Inches the paragraphs take in a box ``width_in`` wide (estimate, padding included)."""
    points = sum(
        estimated_lines(p.text, width_in, p.size, bullet=p.bullet) * p.size * LINE_SPACING
        + p.space_before
        for p in paras
    )
    return points / 72 + 2 * BOX_PADDING_IN


def _scaled(paras: Sequence[Para], factor: float) -> list[Para]:
    return [
        replace(
            p, size=max(MIN_FONT_PT * 0.75, p.size * factor), space_before=p.space_before * factor
        )
        for p in paras
    ]


def fit_paragraphs(
    paras: Sequence[Para],
    width_in: float,
    height_in: float,
    *,
    min_pt: float = MIN_FONT_PT,
    shortenable: Sequence[int] = (),
    droppable: bool = False,
) -> list[Para]:
    """Shrink, then shorten (``shortenable`` indexes), then drop trailing items until it fits.

    Shrinking keeps the proportions between paragraphs; it stops when the largest font
    reaches ``min_pt``. Shortening cuts the longest shortenable text by a quarter (with an
    ellipsis). Dropping removes the last paragraph (only when ``droppable``).
    """
    current = list(paras)
    if not current:
        return current
    largest = max(p.size for p in current)
    factor = 1.0
    while True:
        candidate = _scaled(current, factor)
        if estimated_height(candidate, width_in) <= height_in:
            return candidate
        if largest * (factor - 0.05) >= min_pt:
            factor -= 0.05
            continue
        long_ones = [i for i in shortenable if i < len(current) and len(current[i].text) > 60]
        if long_ones:
            i = max(long_ones, key=lambda k: len(current[k].text))
            current[i] = replace(
                current[i], text=trim(current[i].text, len(current[i].text) * 3 // 4)
            )
            continue
        if droppable and len(current) > 1:
            current.pop()
            continue
        return candidate  # a single paragraph cut to the bone: show what fits


def _text_box(
    slide: Slide,
    paras: Sequence[Para],
    left: float,
    top: float,
    width: float,
    height: float,
    *,
    align: PP_ALIGN = PP_ALIGN.LEFT,
) -> None:
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, Inches(BOX_PADDING_IN))
    for index, spec in enumerate(paras):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        paragraph.line_spacing = LINE_SPACING
        if spec.space_before:
            paragraph.space_before = Pt(spec.space_before)
        if spec.bullet:
            p_pr = paragraph._p.get_or_add_pPr()
            p_pr.set("marL", str(Emu(Inches(0.3))))
            p_pr.set("indent", str(-Emu(Inches(0.3))))
            p_pr.append(p_pr.makeelement(qn("a:buChar"), {"char": "•"}))
        run = paragraph.add_run()
        run.text = spec.text  # a plain run: escaped XML text, never a field or markup
        font = run.font
        font.name = FONT
        font.size = Pt(math.floor(spec.size * 2) / 2)  # down to a half point: never larger
        font.bold = spec.bold
        font.italic = spec.italic
        font.color.rgb = spec.color


def _fitted_box(
    slide: Slide,
    paras: Sequence[Para],
    left: float,
    top: float,
    width: float,
    height: float,
    **fit: object,
) -> None:
    _text_box(slide, fit_paragraphs(paras, width, height, **fit), left, top, width, height)  # type: ignore[arg-type]


def _title(slide: Slide, text: str, subtitle: str = "") -> None:
    _fitted_box(
        slide,
        [Para(text, 30, bold=True)],
        MARGIN_IN,
        0.35,
        CONTENT_WIDTH_IN,
        0.85,
        min_pt=20,
        shortenable=[0],
    )
    if subtitle:
        _fitted_box(
            slide,
            [Para(subtitle, 16, color=SUBTLE)],
            MARGIN_IN,
            1.2,
            CONTENT_WIDTH_IN,
            0.55,
            shortenable=[0],
        )


def _footer(slide: Slide, text: str) -> None:
    _fitted_box(
        slide,
        [Para(text, 12, color=SUBTLE)],
        MARGIN_IN,
        6.85,
        CONTENT_WIDTH_IN,
        0.5,
        min_pt=9,
        shortenable=[0],
    )


def _title_slide(slide: Slide, content: ReportContent) -> None:
    band = slide.shapes.add_shape(1, 0, Inches(2.1), Inches(0.25), Inches(2.6))  # 1 = rectangle
    band.fill.solid()
    band.fill.fore_color.rgb = ACCENT
    band.line.fill.background()
    style = band._element.find(qn("p:style"))
    if style is not None:  # the theme's shape style adds a drop shadow LibreOffice draws
        band._element.remove(style)
    _fitted_box(
        slide,
        [Para(content.project, 40, bold=True)],
        MARGIN_IN,
        1.85,
        CONTENT_WIDTH_IN,
        1.65,
        min_pt=24,
        shortenable=[0],
    )
    lines = [
        Para(f"Interview Lens report · {content.generated}", 20, color=SUBTLE),
        Para(content.n_line, 20, space_before=6),
        Para(content.filter_line, 18, space_before=6, color=SUBTLE),
    ]
    _fitted_box(slide, lines, MARGIN_IN, 3.6, CONTENT_WIDTH_IN, 2.2, shortenable=[2])


def findings_pages(content: ReportContent) -> list[list[Para]]:
    """The findings laid out on as many slides as they need (section headings in bold).

    Sentences are never shortened: the summary is the report's argument, so a long one
    continues on a "Findings (continued)" slide instead.
    """
    if not content.findings:
        return [[Para("No participant in view has any code.", FINDINGS_PT)]]
    pages: list[list[Para]] = [[]]
    for group in content.findings:
        block = [Para(group.heading, FINDINGS_PT - 2, space_before=12, color=ACCENT, bold=True)]
        block += [Para(line, FINDINGS_PT, space_before=6, bullet=True) for line in group.lines]
        for para in block:
            page = pages[-1]
            last_is_heading = bool(page) and page[-1].bold
            if page and estimated_height([*page, para], CONTENT_WIDTH_IN) > BODY_HEIGHT_IN:
                moved = [page.pop()] if last_is_heading else []  # keep a heading with its text
                pages.append(moved)
            pages[-1].append(para)
    for page in pages:
        page[0] = replace(page[0], space_before=0)
    return pages


def _findings_slide(slide: Slide, content: ReportContent, paras: list[Para], title: str) -> None:
    _title(slide, title, f"{content.n_line} · {content.filter_line}")
    fitted = fit_paragraphs(paras, CONTENT_WIDTH_IN, BODY_HEIGHT_IN, shortenable=range(len(paras)))
    _text_box(slide, fitted, MARGIN_IN, BODY_TOP_IN, CONTENT_WIDTH_IN, BODY_HEIGHT_IN)


def _chart_slide(slide: Slide, chart: ChartImage) -> None:
    _title(slide, chart.title, " · ".join(chart.subtitle))
    with Image.open(io.BytesIO(chart.png)) as image:
        width_px, height_px = image.size
    box_top, box_height = BODY_TOP_IN, BODY_HEIGHT_IN
    scale = min(CONTENT_WIDTH_IN / width_px, box_height / height_px)
    width_in, height_in = width_px * scale, height_px * scale
    left = MARGIN_IN + (CONTENT_WIDTH_IN - width_in) / 2
    top = box_top + (box_height - height_in) / 2
    picture = slide.shapes.add_picture(
        io.BytesIO(chart.png), Inches(left), Inches(top), Inches(width_in), Inches(height_in)
    )
    picture.name = "Chart"
    _footer(slide, chart.caption)


def _quotes_slide(slide: Slide, group: QuoteGroup, content: ReportContent) -> None:
    _title(slide, f"Quotes: {group.label}", group.heading)
    paras: list[Para] = []
    for i, quote in enumerate(group.quotes):
        paras.append(Para(f"“{quote.text}”", 20, space_before=0 if i == 0 else 14))
        paras.append(Para(f"— {quote.who}", 15, color=SUBTLE, italic=True, space_before=2))
    fitted = fit_paragraphs(
        paras, CONTENT_WIDTH_IN, BODY_HEIGHT_IN, shortenable=range(0, len(paras), 2)
    )
    while estimated_height(fitted, CONTENT_WIDTH_IN) > BODY_HEIGHT_IN and len(paras) > 2:
        paras = paras[:-2]  # drop the last quote with its attribution
        fitted = fit_paragraphs(
            paras, CONTENT_WIDTH_IN, BODY_HEIGHT_IN, shortenable=range(0, len(paras), 2)
        )
    _text_box(slide, fitted, MARGIN_IN, BODY_TOP_IN, CONTENT_WIDTH_IN, BODY_HEIGHT_IN)
    _footer(
        slide,
        f"Source: Interview Lens · {content.project} · {content.n_line} · "
        f"{content.filter_line} · {content.generated}",
    )


def slide_titles(content: ReportContent) -> list[str]:
    """The title of every slide ``build_deck`` makes, in order (before any fitting cut)."""
    pages = len(findings_pages(content))
    return (
        [content.project, "Findings"]
        + ["Findings (continued)"] * (pages - 1)
        + [chart.title for chart in content.charts]
        + [f"Quotes: {group.label}" for group in content.quote_groups]
    )


def build_deck(content: ReportContent) -> bytes:
    """The deck as .pptx bytes (16:9)."""
    deck = Presentation()
    deck.slide_width = Inches(SLIDE_WIDTH_IN)
    deck.slide_height = Inches(SLIDE_HEIGHT_IN)
    blank = deck.slide_layouts[6]
    props = deck.core_properties
    props.title = trim(f"{content.project} — Interview Lens report", 250)
    props.author = "Interview Lens"
    props.subject = trim(content.filter_line, 250)
    props.keywords = "interviews; AI at work; qualitative analysis"
    props.comments = f"{content.n_line}. Generated {content.generated}."

    _title_slide(deck.slides.add_slide(blank), content)
    for page, paras in enumerate(findings_pages(content)):
        title = "Findings" if page == 0 else "Findings (continued)"
        _findings_slide(deck.slides.add_slide(blank), content, paras, title)
    for chart in content.charts:
        _chart_slide(deck.slides.add_slide(blank), chart)
    for group in content.quote_groups:
        _quotes_slide(deck.slides.add_slide(blank), group, content)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()
