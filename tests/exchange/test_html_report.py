"""HTML report: safe to email (no script, handler, link or external reference; text escaped;
SVG allow-listed), complete (headings, findings, charts, quotes), and it renders in Chromium."""

from __future__ import annotations

import re

import pytest
import vl_convert
from lxml import etree, html

from analysis.aggregates import code_prevalence
from analysis.filters import FilterSpec
from analysis.report.html_report import CSP, build_html
from analysis.report.svg_safety import UnsafeSvgError, sanitize_svg
from tests.app.fixture_result import HOSTILE_ANSWER
from tests.conftest import PROJECT_ROOT
from tests.exchange.report_fixture import (
    DATE,
    HOSTILE_LABEL,
    HOSTILE_PROJECT,
    HOSTILE_TOPIC,
    hostile_content,
    hostile_result,
)
from ui.charts import chart_prevalence
from ui.report_charts import build_report

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts" / "browser" / "report"
LINK_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "poster", "data", "background",
                   "xlink:href", "ping", "codebase", "cite", "longdesc", "manifest"}
BANNED_TAGS = {"script", "iframe", "object", "embed", "link", "img", "base", "form", "a",
               "foreignobject", "use", "image", "audio", "video", "source", "frame", "frameset",
               "applet", "animate", "set", "meta-refresh"}


@pytest.fixture(scope="module")
def report() -> str:
    return build_html(hostile_content())


def _tree(document: str) -> html.HtmlElement:
    return html.document_fromstring(document)


def test_report_runs_nothing_and_loads_nothing(report: str) -> None:
    tree = _tree(report)
    tags = {str(el.tag).lower().rsplit("}", 1)[-1] for el in tree.iter() if isinstance(el.tag, str)}
    assert not tags & BANNED_TAGS, tags & BANNED_TAGS
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            name = name.lower()
            assert not name.startswith("on"), (element.tag, name)
            assert name not in LINK_ATTRIBUTES and not name.endswith("href"), (element.tag, name)
            assert "javascript:" not in value.lower() and "url(" not in value.lower()
            if name != "xmlns":  # the SVG namespace name is an identifier, never fetched
                assert not re.search(r"(https?:)?//", value), (element.tag, name, value)
        if element.tag == "meta" and element.get("http-equiv", "").lower() == "refresh":
            pytest.fail("meta refresh")
    style = "".join(el.text or "" for el in tree.iter("style"))
    assert "@import" not in style and "url(" not in style
    csp = tree.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')
    assert csp == [CSP] and "default-src 'none'" in CSP and "script-src" not in CSP


def test_hostile_text_is_shown_as_text(report: str) -> None:
    tree = _tree(report)
    text = tree.text_content()
    assert HOSTILE_ANSWER in text  # the answer's markup is visible, as characters
    assert HOSTILE_LABEL in text and HOSTILE_PROJECT in text
    assert tree.findtext(".//h1") == HOSTILE_PROJECT
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report
    assert "<script" not in report.lower() and "<img" not in report.lower()
    # the hostile code label also went through vl-convert into a chart: as SVG text
    svg_text = " ".join(t.text or "" for t in tree.iter("{http://www.w3.org/2000/svg}text", "text"))
    assert "alert(" in svg_text or "<script>" in svg_text


def test_hostile_topic_label_in_the_filter_line_is_text() -> None:
    content = build_report(hostile_result(), FilterSpec(topics=(3,)), project="p",
                           generated=DATE, charts=hostile_content().charts)
    document = build_html(content)
    tree = _tree(document)
    assert f"Filters: Topic: {HOSTILE_TOPIC}" in tree.text_content()
    assert not tree.xpath("//a | //svg[@onload] | //*[local-name()='svg'][@onload]")
    assert "<a href" not in document and "javascript:alert(5)" not in tree.xpath("//@*")


def test_report_has_every_section(report: str) -> None:
    tree = _tree(report)
    content = hostile_content()
    assert [h.text_content() for h in tree.iter("h2")] == [
        "Findings", "Charts", "Representative quotes"]
    h3 = [h.text_content() for h in tree.iter("h3")]
    for chart in content.charts:
        assert chart.title in h3
    for group in content.quote_groups:
        assert group.label in h3
    assert len(tree.xpath("//figure/*[local-name()='svg']")) == len(content.charts) == 4
    assert len(tree.xpath("//blockquote")) == sum(len(g.quotes) for g in content.quote_groups)
    text = tree.text_content()
    assert "N = 12 of 12 participants" in text and "generated 2026-11-27" in text
    assert "Filters: none (all participants)" in text
    assert "Most common code in each facet" in text
    assert "— work_006 · workforce · marketing specialist (Sales and Related)" in text


def test_sanitizer_strips_active_svg_content() -> None:
    hostile = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'onload="alert(1)" width="10" height="10"><script>alert(2)</script>'
        '<rect width="5" height="5" fill="url(http://evil/x)" onclick="alert(3)" '
        'style="background:url(http://evil/y)"/><rect clip-path="url(#c1)" width="1"/>'
        '<clipPath id="c1"><rect width="2"/></clipPath>'
        '<a xlink:href="javascript:alert(4)"><text>link</text></a>'
        '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'
        '<image href="http://evil/p.png"/><use xlink:href="http://evil/s.svg#a"/>'
        '<set attributeName="href" to="javascript:alert(5)"/><!-- comment -->'
        '<text x="1">&lt;script&gt;alert(6)&lt;/script&gt;&x;</text></svg>'
    )
    clean = sanitize_svg(hostile, id_prefix="c0-")
    root = etree.fromstring(clean.encode())
    tags = {etree.QName(el).localname for el in root.iter() if isinstance(el.tag, str)}
    assert tags == {"svg", "rect", "clipPath", "text"}
    attributes = {name for el in root.iter() for name in el.attrib}
    assert not {a for a in attributes if a.lower().startswith("on") or "href" in a or a == "style"}
    assert "evil" not in clean and "javascript" not in clean and "comment" not in clean
    assert "/etc/passwd" not in clean and "root:" not in clean
    assert 'clip-path="url(#c0-c1)"' in clean and 'id="c0-c1"' in clean  # ids kept apart
    assert root.findtext("{http://www.w3.org/2000/svg}text") == "<script>alert(6)</script>"
    with pytest.raises(UnsafeSvgError):
        sanitize_svg("<html><script>alert(1)</script></html>")
    with pytest.raises(UnsafeSvgError):
        sanitize_svg("<svg")


def test_real_chart_svg_survives_sanitizing_unchanged_in_substance() -> None:
    result = hostile_result()
    table = code_prevalence(result.participants, result.codebook, "outcome")
    raw = vl_convert.vegalite_to_svg(chart_prevalence(table, title="t", subtitle="s").to_dict())
    clean = sanitize_svg(raw)
    count = lambda svg, tag: len(re.findall(rf"<{tag}\b", svg))  # noqa: E731
    for tag in ("path", "text", "line", "rect", "g"):
        assert count(clean, tag) == count(raw, tag), tag  # nothing drawn is lost
    texts = [t.text for t in etree.fromstring(clean.encode()).iter("{*}text")]
    assert HOSTILE_LABEL[:30] in " ".join(t or "" for t in texts)  # label kept, as text


def test_chromium_renders_the_report_without_any_request(report: str, tmp_path) -> None:
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.is_file():
        pytest.skip("Debian chromium not installed (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    Image = pytest.importorskip("PIL.Image")
    path = tmp_path / "report.html"
    path.write_text(report, encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             headless=True)
        try:
            page = browser.new_page(java_script_enabled=False,
                                    viewport={"width": 1200, "height": 1600})
            page.on("request", lambda request: requests.append(request.url))
            dialogs: list[str] = []
            page.on("dialog", lambda dialog: dialogs.append(dialog.message))
            page.goto(path.as_uri())
            h1 = page.locator("h1").inner_text()
            h2 = page.locator("h2").all_inner_texts()
            svg_boxes = [page.locator("figure svg").nth(i).bounding_box() for i in range(4)]
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert h1 == HOSTILE_PROJECT
    assert h2 == ["Findings", "Charts", "Representative quotes"]
    assert all(box and box["width"] > 300 and box["height"] > 100 for box in svg_boxes)
    assert requests == [path.as_uri()] and dialogs == []
    with Image.open(shot) as image:
        grey = image.convert("L")
        assert grey.height > 1600  # full page: findings, four charts and quotes
        histogram = grey.histogram()
        dark = sum(histogram[:128])
        assert dark > 0.005 * grey.width * grey.height  # text and bars, not a blank page
        blue = image.convert("RGB").resize((200, 400)).getcolors(200 * 400) or []
        assert any(abs(r - 0x00) < 30 and abs(g - 0x72) < 30 and abs(b - 0xB2) < 30
                   for _, (r, g, b) in blue)  # the charts' bars are drawn
