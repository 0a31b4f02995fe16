"""What a report says, independent of its format: ``ReportContent`` and its building blocks.

The deck and the HTML page must tell the same story for the same filtered view, so the
choice of findings (``analysis.findings``, as on the app's Findings page), top codes and
quotes (``analysis.aggregates``) is made once here, and both writers only lay it out.
Everything here is plain text: transcript text is carried as ``str`` and each writer
escapes it for its format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from analysis.aggregates import code_prevalence, evidence_for_code
from analysis.filters import FilteredView
from analysis.findings import FACET_TITLES, SECTIONS, Findings, build_findings

QUOTE_CHARS = 320
"""A quote longer than this is cut around its evidence sentence, with an ellipsis."""
QUOTES_PER_CODE = 3
TOP_CODES_PER_FACET = 1
ELLIPSIS = "…"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class ChartImage:
    """One chart rendered for a report: title/subtitle as text, the plot as PNG and SVG.

    The title and subtitle are taken out of the Vega-Lite spec before rendering so each
    writer sets them as its own (editable, accessible) text.
    """

    title: str
    subtitle: tuple[str, ...]
    caption: str
    png: bytes
    svg: str


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    who: str


@dataclass(frozen=True, slots=True)
class QuoteGroup:
    """Representative quotes for one top code, with how many participants carry it."""

    code: str
    label: str
    facet: str
    n: int
    total: int
    quotes: tuple[Quote, ...]

    @property
    def heading(self) -> str:
        share = self.n / self.total if self.total else 0.0
        return f"{self.facet} · {self.n} of {self.total} participants ({share:.0%})"


@dataclass(frozen=True, slots=True)
class FindingGroup:
    """One section of the findings summary: a heading and its plain-text sentences."""

    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReportContent:
    """Everything a report shows, as plain text and rendered images."""

    project: str
    generated: str
    n_participants: int
    n_total: int
    filters_text: str
    findings: tuple[FindingGroup, ...]
    charts: tuple[ChartImage, ...] = ()
    quote_groups: tuple[QuoteGroup, ...] = field(default_factory=tuple)

    @property
    def n_line(self) -> str:
        return f"N = {self.n_participants:,} of {self.n_total:,} participants"

    @property
    def filter_line(self) -> str:
        text = self.filters_text.strip()
        return (
            "Filters: none (all participants)"
            if text in ("", "All participants")
            else (f"Filters: {text}")
        )


def plain(text: object) -> str:
    """One line of displayable text: control characters dropped, whitespace collapsed.

    XML (pptx) cannot hold most control characters, and a quote's line breaks would only
    waste slide space; the words themselves are kept verbatim.
    """
    value = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    return _SPACE.sub(" ", _CONTROL.sub("", value)).strip()


def trim(text: object, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, ending in "…"."""
    value = plain(text)
    if len(value) <= limit:
        return value
    cut = value[: max(1, limit - 1)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + ELLIPSIS


def excerpt(answer: object, evidence: object, limit: int = QUOTE_CHARS) -> str:
    """The answer, or when too long a window of it that keeps the evidence sentence.

    A quote on a slide must still show why it was coded, so a long answer is cut around
    its evidence (ellipsis on each cut side) rather than just truncated at the end.
    """
    text, ev = plain(answer), plain(evidence)
    if len(text) <= limit:
        return text
    start = text.find(ev) if ev else -1
    if start < 0:
        return trim(text, limit)
    if len(ev) >= limit - 2:
        return (ELLIPSIS if start > 0 else "") + trim(ev, limit - 1)
    budget = limit - 2  # room for an ellipsis on each side
    left = max(0, start - (budget - len(ev)) // 3)
    right = min(len(text), left + budget)
    left = max(0, right - budget)
    if left > 0:  # start on a word, never inside the evidence
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):  # end on a word, never inside the evidence
        space = text.rfind(" ", start + len(ev), right)
        right = space if space != -1 else right
    prefix = ELLIPSIS if left > 0 else ""
    suffix = ELLIPSIS if right < len(text) else ""
    return prefix + text[left:right].strip(" ,;:") + suffix


def role_text(occupation: object, group: object) -> str:
    """A participant's role: "nurse educator (Healthcare …)", "Unclear" when unknown."""
    occupation, group = plain(occupation), plain(group) or "Unclear"
    return f"{occupation} ({group})" if occupation else group


def top_codes(
    participants: pd.DataFrame, codebook: pd.DataFrame, per_facet: int = TOP_CODES_PER_FACET
) -> pd.DataFrame:
    """The most frequent codes of each facet among ``participants`` (codes nobody has left out).

    Facets come in the app's order (then any custom facets); within a facet, highest share
    first, ties in codebook order. Columns are those of ``code_prevalence``.
    """
    table = code_prevalence(participants, codebook)
    table = table[table["n"] > 0]
    if table.empty:
        return table.reset_index(drop=True)
    order = {facet: i for i, facet in enumerate(FACET_TITLES)}
    table = table.assign(
        _facet=table["facet"].map(lambda f: order.get(f, len(order))),
        _pos=range(len(table)),
    )
    table = table.sort_values(["_facet", "share", "_pos"], ascending=[True, False, True])
    table = table.groupby("facet", sort=False).head(per_facet)
    return table.drop(columns=["_facet", "_pos"]).reset_index(drop=True)


def facet_title(facet: object) -> str:
    name = plain(facet)
    return FACET_TITLES.get(name, name.replace("_", " ").capitalize())


def findings_groups(
    view: FilteredView,
    codebook: pd.DataFrame,
    topics: pd.DataFrame,
    *,
    filters_text: str,
    min_group_size: int = 5,
) -> list[FindingGroup]:
    """The findings summary (``analysis.findings``) as plain sentences under section headings.

    The report shows the same statistics-backed sentences as the app's Findings page; the
    numbers and quote references behind each sentence stay in the app's trace table.
    """
    summary = build_findings(
        view, codebook, topics, filters=filters_text, min_group_size=min_group_size
    )
    return finding_groups(summary)


def finding_groups(found: Findings) -> list[FindingGroup]:
    """A findings summary's sentences as plain text under its section headings (the
    in-memory report and a large project's, ``analysis.scale.report``, share this)."""
    groups = []
    for section, heading in SECTIONS.items():
        lines = tuple(plain(f.sentence) for f in found.section(section) if plain(f.sentence))
        if lines:
            groups.append(FindingGroup(heading=heading, lines=lines))
    return groups


def quote_groups(
    view: FilteredView,
    top: pd.DataFrame,
    *,
    per_code: int = QUOTES_PER_CODE,
    limit: int = QUOTE_CHARS,
) -> list[QuoteGroup]:
    """Up to ``per_code`` quotes (from different participants) for each top code.

    Quotes follow ``evidence_for_code``'s order (filter matches, then confidence), so the
    report shows what the app's evidence list shows first.
    """
    groups = []
    for row in top.itertuples(index=False):
        evidence = evidence_for_code(view, str(row.code), view.participants, limit=200)
        evidence = evidence.drop_duplicates("transcript_id").head(per_code)
        quotes = tuple(
            Quote(
                text=excerpt(item.answer, item.evidence, limit),
                who=" · ".join(
                    part
                    for part in (
                        plain(item.transcript_id),
                        plain(item.cohort),
                        role_text(item.occupation, item.occupation_group),
                    )
                    if part
                ),
            )
            for item in evidence.itertuples(index=False)
        )
        if quotes:
            groups.append(
                QuoteGroup(
                    code=str(row.code),
                    label=plain(row.label),
                    facet=facet_title(row.facet),
                    n=int(row.n),
                    total=int(row.total),
                    quotes=quotes,
                )
            )
    return groups


def topic_labels(topics: pd.DataFrame) -> Mapping[int, str]:
    """``topic_id -> label`` for naming topic filters."""
    if not len(topics):
        return {}
    return {
        int(t): str(label) for t, label in zip(topics["topic_id"], topics["label"], strict=False)
    }


def build_content(
    *,
    project: str,
    generated: str,
    view: FilteredView,
    codebook: pd.DataFrame,
    topics: pd.DataFrame,
    filters_text: str,
    charts: Sequence[ChartImage] = (),
    min_group_size: int = 5,
) -> ReportContent:
    """Assemble a report: the findings summary, the given charts and quotes per top code."""
    top = top_codes(view.participants, codebook)
    findings = findings_groups(
        view, codebook, topics, filters_text=filters_text, min_group_size=min_group_size
    )
    return assemble(project, generated, view, filters_text, findings, charts,
                    quote_groups(view, top))  # fmt: skip


def assemble(
    project: str,
    generated: str,
    view: FilteredView,
    filters_text: str,
    findings: Sequence[FindingGroup],
    charts: Sequence[ChartImage],
    quotes: Sequence[QuoteGroup],
) -> ReportContent:
    """The ``ReportContent`` of a view (the in-memory one or a large project's participant
    view), every text made plain."""
    return ReportContent(
        project=plain(project) or "Interview Lens project",
        generated=plain(generated),
        n_participants=int(view.n_participants),
        n_total=int(view.n_total_participants),
        filters_text=plain(filters_text),
        findings=tuple(findings),
        charts=tuple(charts),
        quote_groups=tuple(quotes),
    )
