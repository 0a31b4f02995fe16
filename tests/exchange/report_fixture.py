"""A hostile and a verbose variant of the app's fixture result, for the report tests.

Hostile: markup, event handlers and ``javascript:`` links in answers (the fixture's own
hostile participant), in a code label, a topic label and the project name, so the tests
can show they come out as text. Verbose: very long answers, labels and findings, so the
tests can show slides never overflow.
"""

from __future__ import annotations

from functools import lru_cache

from analysis.filters import FilterSpec
from analysis.report.content import FindingGroup, ReportContent
from analysis.results import AnalysisResult
from tests.app.fixture_result import build_result
from ui.report_charts import build_report

HOSTILE_LABEL = '<script>alert("label")</script><img src=x onerror=alert(4)>'
HOSTILE_TOPIC = '<a href="javascript:alert(5)">topic</a><svg onload=alert(6)>'
HOSTILE_PROJECT = "<b onmouseover=alert(7)>Q3 interviews</b> & co"
DATE = "2026-11-27"


def hostile_result() -> AnalysisResult:
    """The fixture with hostile text in a code label (a top code) and a topic label."""
    result = build_result()
    codebook = result.codebook.copy()
    codebook.loc[codebook["code"] == "outcome.saves_time", "label"] = HOSTILE_LABEL
    result.codebook = codebook
    topics = result.topics.copy()
    topics.loc[topics["topic_id"] == 3, "label"] = HOSTILE_TOPIC
    result.topics = topics
    segments = result.segments.copy()
    segments.loc[segments["topic_id"] == 3, "topic_label"] = HOSTILE_TOPIC
    result.segments = segments
    return result


@lru_cache(maxsize=1)
def hostile_content() -> ReportContent:
    """Rendered once per test process (vl-convert is the slow part), shared by the tests."""
    return build_report(hostile_result(), FilterSpec(), project=HOSTILE_PROJECT, generated=DATE)


def verbose_result() -> AnalysisResult:
    """Every answer about 1,500 characters long, with the evidence deep inside it."""
    result = build_result()
    segments = result.segments.copy()
    filler = "and then we talked about how the whole team works with it every week " * 10
    segments["answer"] = [filler + str(answer) + " " + filler for answer in segments["answer"]]
    result.segments = segments
    return result


@lru_cache(maxsize=1)
def verbose_content() -> ReportContent:
    """Long answers plus forty long findings sentences in two sections (charts reused)."""
    content = build_report(
        verbose_result(),
        FilterSpec(),
        project="Verbose " * 30,
        generated=DATE,
        charts=hostile_content().charts,
    )
    sentence = "A very long finding sentence that keeps going with numbers 42% (5 of 12) " * 3
    extra = (
        FindingGroup(heading="Section A", lines=tuple(f"{i}. {sentence}" for i in range(20))),
        FindingGroup(heading="Section B", lines=tuple(f"{i}. {sentence}" for i in range(20))),
    )
    return ReportContent(
        project=content.project,
        generated=content.generated,
        n_participants=content.n_participants,
        n_total=content.n_total,
        filters_text="Keyword: " + "x" * 400,
        findings=content.findings + extra,
        charts=content.charts,
        quote_groups=content.quote_groups,
    )


