"""Slide deck: slides, titles, images and text reopened with python-pptx; fitted text boxes;
LibreOffice headless converts it to a PDF with one page per slide and no text off the page."""

from __future__ import annotations

import ast
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Emu

from analysis.report.content import ELLIPSIS, ReportContent, excerpt, trim
from analysis.report.pptx_deck import (
    BODY_HEIGHT_IN,
    CONTENT_WIDTH_IN,
    Para,
    build_deck,
    estimated_height,
    fit_paragraphs,
    slide_titles,
)
from analysis.report.pptx_deck import (
    findings_pages as findings_pages_of,
)
from tests.app.fixture_result import HOSTILE_ANSWER
from tests.conftest import PROJECT_ROOT
from tests.exchange.report_fixture import (
    HOSTILE_LABEL,
    HOSTILE_PROJECT,
    hostile_content,
    verbose_content,
)

SOFFICE_TIMEOUT_S = 180


@pytest.fixture(scope="module")
def content() -> ReportContent:
    return hostile_content()


@pytest.fixture(scope="module")
def deck_bytes(content: ReportContent) -> bytes:
    return build_deck(content)


@pytest.fixture(scope="module")
def verbose() -> ReportContent:
    return verbose_content()


def _texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes
            if shape.has_text_frame and shape.text_frame.text]


def test_deck_has_title_findings_chart_and_quote_slides(content, deck_bytes) -> None:
    deck = Presentation(io.BytesIO(deck_bytes))
    titles = slide_titles(content)
    findings_pages = len(findings_pages_of(content))
    assert findings_pages == titles.count("Findings") + titles.count("Findings (continued)")
    assert len(deck.slides) == len(titles) == (
        1 + findings_pages + len(content.charts) + len(content.quote_groups))
    assert round(deck.slide_width / deck.slide_height, 2) == round(16 / 9, 2)
    assert len(content.charts) == 4 and len(content.quote_groups) == 4  # one per facet
    for slide, title in zip(deck.slides, titles, strict=True):
        assert _texts(slide)[0] == title
    title_text = "\n".join(_texts(deck.slides[0]))
    assert HOSTILE_PROJECT in title_text
    assert "N = 12 of 12 participants" in title_text and "Filters: none" in title_text
    assert "Interview Lens report · 2026-11-27" in title_text
    findings = "\n".join(_texts(deck.slides[1]))
    assert "Most common code in each facet" in findings
    assert "“Technical problem”, which 5 of 12 participants have (42%" in findings


def test_chart_slides_hold_a_high_resolution_image_with_caption(content, deck_bytes) -> None:
    deck = Presentation(io.BytesIO(deck_bytes))
    first_chart = slide_titles(content).index("Triggers: share of participants")
    for offset in range(len(content.charts)):
        slide = deck.slides[first_chart + offset]
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        picture = pictures[0]
        with Image.open(io.BytesIO(picture.image.blob)) as image:
            assert image.format == "PNG" and image.width >= 1500
            # the picture keeps the image's aspect ratio and stays on the slide
            assert picture.width / picture.height == pytest.approx(
                image.width / image.height, rel=0.01)
        assert picture.left >= 0 and picture.left + picture.width <= deck.slide_width
        assert picture.top + picture.height <= deck.slide_height
        texts = _texts(slide)
        assert texts[1] == "All participants · N = 12 of 12 participants"
        assert texts[-1].startswith("Source: Interview Lens") and "N = 12 participants" in texts[-1]


def test_quote_slides_show_quotes_with_roles_as_plain_text(content, deck_bytes) -> None:
    deck = Presentation(io.BytesIO(deck_bytes))
    titles = slide_titles(content)
    index = titles.index(f"Quotes: {HOSTILE_LABEL}")
    text = "\n".join(_texts(deck.slides[index]))
    assert "Outcomes · 5 of 12 participants (42%)" in text
    assert f"“{HOSTILE_ANSWER}”" in text  # the hostile answer, verbatim, as text
    assert "— work_006 · workforce · marketing specialist (Sales and Related)" in text
    with zipfile.ZipFile(io.BytesIO(deck_bytes)) as archive:
        slide_xml = archive.read(f"ppt/slides/slide{index + 1}.xml").decode("utf-8")
        everything = "".join(
            archive.read(name).decode("utf-8", "replace")
            for name in archive.namelist() if name.endswith(".xml"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in slide_xml
    assert "<script" not in everything and "<img" not in everything
    assert "javascript:" not in slide_xml.replace("javascript:alert(3)", "")
    assert "<a:hlinkClick" not in everything  # nothing became a link


def test_every_text_box_fits_by_estimate_even_for_long_text(verbose) -> None:
    deck = Presentation(io.BytesIO(build_deck(verbose)))
    titles = slide_titles(verbose)
    assert titles.count("Findings (continued)") >= 3  # 44 long sentences need several slides
    for slide in deck.slides:
        for shape in slide.shapes:
            if not shape.has_text_frame:
                continue
            paras = [Para(p.text, max(r.font.size.pt for r in p.runs),
                          space_before=p.space_before.pt if p.space_before else 0.0)
                     for p in shape.text_frame.paragraphs if p.runs]
            width, height = Emu(shape.width).inches, Emu(shape.height).inches
            assert estimated_height(paras, width) <= height + 1e-6, paras[0].text[:60]
            assert shape.top + shape.height <= deck.slide_height
    # no finding was dropped: every sentence is on some slide, whole
    all_text = "\n".join(t for slide in deck.slides for t in _texts(slide))
    for group in verbose.findings:
        for line in group.lines:
            assert line in all_text
    quotes = [s for s, t in zip(deck.slides, titles, strict=True) if t.startswith("Quotes:")]
    quote_text = "\n".join(_texts(quotes[0]))
    assert quote_text.count("“") >= 1 and ELLIPSIS in quote_text  # long answers cut, marked


def test_fit_paragraphs_shrinks_then_shortens_then_drops() -> None:
    short = [Para("word " * 40, 24)]
    fitted = fit_paragraphs(short, 6.0, 2.0)
    assert fitted[0].size < 24 and fitted[0].text == short[0].text  # shrunk, not cut
    long = [Para("word " * 400, 24)]
    fitted = fit_paragraphs(long, 6.0, 1.0, shortenable=[0])
    assert fitted[0].text.endswith(ELLIPSIS) and estimated_height(fitted, 6.0) <= 1.0
    many = [Para(f"item {i}", 20) for i in range(50)]
    fitted = fit_paragraphs(many, CONTENT_WIDTH_IN, BODY_HEIGHT_IN, droppable=True)
    assert 1 < len(fitted) < 50 and estimated_height(fitted, CONTENT_WIDTH_IN) <= BODY_HEIGHT_IN


def test_excerpt_keeps_the_evidence_and_marks_cuts() -> None:
    answer = "Before. " * 60 + "I paste the formula and ask what is wrong." + " After." * 60
    evidence = "I paste the formula and ask what is wrong."
    cut = excerpt(answer, evidence, 160)
    assert evidence in cut and len(cut) <= 160
    assert cut.startswith(ELLIPSIS) and cut.endswith(ELLIPSIS)
    assert excerpt("Short answer.", "Short", 160) == "Short answer."
    assert trim("one two three four five", 12) == "one two…"
    assert excerpt("a\x00b\x0bc   d", "", 100) == "abc d"  # control characters never reach XML


def test_report_writers_import_neither_streamlit_nor_ui() -> None:
    """The writers are pure: the CLI and any script can build decks from ``ReportContent``."""
    for path in sorted((PROJECT_ROOT / "analysis" / "report").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                root = name.split(".")[0]
                assert root not in ("streamlit", "ui"), f"{path.name} imports {name}"


def test_facet_titles_match_the_app_pages() -> None:
    from analysis.report.content import FACET_TITLES
    from ui.sidebar import FACETS

    assert FACET_TITLES == FACETS


def _pdf_of(deck: bytes, tmp_path: Path) -> Path:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice not installed (apt-get install -y libreoffice-impress)")
    source = tmp_path / "deck.pptx"
    source.write_bytes(deck)
    profile = tmp_path / "lo-profile"
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
               "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)]
    completed = subprocess.run(command, capture_output=True, timeout=SOFFICE_TIMEOUT_S,
                               check=False)
    pdf = tmp_path / "deck.pdf"
    assert completed.returncode == 0 and pdf.is_file(), completed.stderr[-2000:]
    return pdf


def test_libreoffice_renders_one_page_per_slide_with_text_on_the_page(verbose, tmp_path) -> None:
    pypdf = pytest.importorskip("pypdf")
    deck = build_deck(verbose)
    titles = slide_titles(verbose)
    reader = pypdf.PdfReader(str(_pdf_of(deck, tmp_path)))
    assert len(reader.pages) == len(titles)
    for page, title in zip(reader.pages, titles, strict=True):
        box = page.mediabox
        width, height = float(box.width), float(box.height)
        assert width / height == pytest.approx(16 / 9, rel=0.01)
        positions: list[tuple[float, float, str]] = []

        def visit(text, cm, tm, font, size, positions=positions) -> None:
            if text.strip():
                positions.append((cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3], text))

        text = page.extract_text(visitor_text=visit)
        assert title.split()[0] in text
        for x, y, fragment in positions:  # nothing runs off the slide
            assert -1 <= x <= width and -1 <= y <= height, (title, fragment[:40], x, y)
