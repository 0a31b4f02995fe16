"""``ReportContent`` as one self-contained HTML file that is safe to email.

Safe to email means: the file runs nothing and fetches nothing. There is no ``<script>``,
no event handler, no external stylesheet, font, image or link; a Content-Security-Policy
meta tag (``default-src 'none'``) makes a browser refuse any fetch even if something
slipped through. Every piece of text, transcript or label, goes through ``html.escape``;
charts are inline SVG rebuilt by ``svg_safety.sanitize_svg`` from an allow-list.
"""

from __future__ import annotations

from html import escape

from analysis.report.content import ChartImage, QuoteGroup, ReportContent
from analysis.report.svg_safety import sanitize_svg

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'"
"""No script, no fetch, no form target: only the inline stylesheet applies."""

STYLE = """
:root { color-scheme: light; }
body { font-family: "Source Sans Pro", "Helvetica Neue", Helvetica, Arial, "Liberation Sans",
       sans-serif; color: #222; background: #fff; margin: 0; line-height: 1.45; }
main { max-width: 62rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 2rem; margin: 0 0 .25rem; }
h2 { font-size: 1.45rem; margin: 2.5rem 0 .75rem; border-bottom: 3px solid #0072B2;
     padding-bottom: .25rem; }
h3 { font-size: 1.15rem; margin: 1.75rem 0 .25rem; }
.meta, .subtitle, figcaption, .who, footer { color: #555; }
.meta { margin: .15rem 0; }
.subtitle { margin: 0 0 .5rem; }
figure { margin: 1rem 0 2rem; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: .9rem; margin-top: .4rem; }
blockquote { margin: .75rem 0; padding: .5rem 1rem; border-left: 4px solid #B8B8B8;
             background: #f7f7f7; }
blockquote p { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.who { font-style: italic; font-size: .9rem; margin-top: .3rem; }
footer { font-size: .85rem; margin-top: 3rem; border-top: 1px solid #ddd; padding-top: .75rem; }
@media print { h2 { break-after: avoid; } figure, blockquote { break-inside: avoid; } }
"""


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _chart(chart: ChartImage, index: int) -> str:
    subtitle = "".join(f'<p class="subtitle">{_text(line)}</p>' for line in chart.subtitle)
    return (
        f"<figure><h3>{_text(chart.title)}</h3>{subtitle}"
        f"{sanitize_svg(chart.svg, id_prefix=f'c{index}-')}"
        f"<figcaption>{_text(chart.caption)}</figcaption></figure>"
    )


def _quotes(group: QuoteGroup) -> str:
    quotes = "".join(
        f'<blockquote><p>“{_text(quote.text)}”</p><p class="who">— {_text(quote.who)}</p>'
        "</blockquote>"
        for quote in group.quotes
    )
    return f'<h3>{_text(group.label)}</h3><p class="subtitle">{_text(group.heading)}</p>{quotes}'


def build_html(content: ReportContent) -> str:
    """The report as an HTML document (UTF-8 text)."""
    findings = "".join(
        f"<h3>{_text(group.heading)}</h3><ul>"
        + "".join(f"<li>{_text(line)}</li>" for line in group.lines)
        + "</ul>"
        for group in content.findings
    ) or ("<p>No participant in view has any code.</p>")
    charts = "".join(_chart(chart, i) for i, chart in enumerate(content.charts)) or (
        "<p>No charts in this report.</p>"
    )
    quotes = "".join(_quotes(group) for group in content.quote_groups) or (
        "<p>No coded answers in view.</p>"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_text(content.project)} — Interview Lens report</title>"
        f"<style>{STYLE}</style></head>\n<body><main>"
        f"<header><h1>{_text(content.project)}</h1>"
        f'<p class="meta">Interview Lens report · generated {_text(content.generated)}</p>'
        f'<p class="meta"><strong>{_text(content.n_line)}</strong></p>'
        f'<p class="meta">{_text(content.filter_line)}</p></header>\n'
        f'<section><h2 id="findings">Findings</h2>{findings}</section>\n'
        f'<section><h2 id="charts">Charts</h2>{charts}</section>\n'
        f'<section><h2 id="quotes">Representative quotes</h2>{quotes}</section>\n'
        "<footer>Shares are of participants (one interview counts once), with Wilson 95% "
        "intervals. Quotes are participants' own words, shortened with “…” where long. "
        "This file is self-contained: it runs no script and loads nothing from the network."
        "</footer></main></body></html>\n"
    )
