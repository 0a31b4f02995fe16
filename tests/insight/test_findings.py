"""Findings summary on constructed corpora whose answers are known by construction."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.aggregates import wilson_interval
from analysis.filters import FilterSpec, apply_filters
from analysis.findings import REST, build_findings, odds_ratio, render_markdown
from analysis.results import AnalysisResult

CODEBOOK = pd.DataFrame(
    [
        ("trigger.a", "trigger", "Alpha trigger", ""),
        ("trigger.b", "trigger", "Beta trigger", ""),
        ("pattern.p", "pattern", "Some pattern", ""),
        ("culture.c", "culture", "Never said", ""),
        ("outcome.x", "outcome", "Big gap", ""),
        ("outcome.y", "outcome", "Small gap", ""),
    ],
    columns=["code", "facet", "label", "description"],
)
HOSTILE = "[x](javascript:alert(1))\n# Heading <img src=x onerror=alert(2)> ![i](http://t/p.png)"


def build(cohorts: dict[str, dict[str, int]], *, groups: str = "Unclear") -> AnalysisResult:
    """``cohorts``: cohort -> {"size": n, code: how many of them have it (the first ones)}."""
    participants, segments, assignments = [], [], []
    for cohort, spec in cohorts.items():
        for i in range(spec["size"]):
            tid = f"{cohort}_{i:03d}"
            row = {"transcript_id": tid, "cohort": cohort, "occupation": f"{cohort} worker",
                   "occupation_group": groups}
            codes = [c for c in CODEBOOK["code"] if i < spec.get(c, 0)]
            row.update({c: int(c in codes) for c in CODEBOOK["code"]})
            participants.append(row)
            for index, code in enumerate(codes or ["none"]):
                text = (HOSTILE if (cohort, i, code) == ("alpha", 0, "outcome.x")
                        else f"{tid} talks at some length about {code} in this answer.")
                segments.append({"transcript_id": tid, "segment_index": index,
                                 "question": "Q?", "answer": text,
                                 "topic_id": 0 if code == "trigger.a" else (
                                     1 if code == "trigger.b" else -1),
                                 "topic_label": {"trigger.a": "Topic A", "trigger.b": "Topic B"}
                                 .get(code, "Outliers"),
                                 "codes": "" if code == "none" else code})
                if code != "none":
                    assignments.append({"transcript_id": tid, "segment_index": index,
                                        "code": code, "confidence": 0.5 + i / 1000,
                                        "evidence": text})
    topics = pd.DataFrame({"topic_id": [-1, 0, 1], "label": ["Outliers", "Topic A", "Topic B"],
                           "size": [0, 0, 0], "top_words": ["", "", ""],
                           "representative_quotes": [[], [], []]})
    empty = pd.DataFrame()
    return AnalysisResult(files=empty, transcripts=empty, turns=empty,
                          segments=pd.DataFrame(segments), topics=topics,
                          participants=pd.DataFrame(participants),
                          assignments=pd.DataFrame(assignments), codebook=CODEBOOK)


TWO_COHORTS = {
    "alpha": {"size": 50, "outcome.x": 40, "outcome.y": 10, "trigger.a": 30, "trigger.b": 10,
              "pattern.p": 5},
    "beta": {"size": 50, "outcome.x": 5, "outcome.y": 12, "trigger.a": 30, "trigger.b": 10,
             "pattern.p": 5},
}


def findings_of(result: AnalysisResult, **kwargs):
    return build_findings(apply_filters(result, FilterSpec()), result.codebook, result.topics,
                          **kwargs)


def test_40_of_50_vs_5_of_50_survives_and_10_vs_12_does_not() -> None:
    found = findings_of(build(TWO_COHORTS))
    diffs = [f for f in found.section("cohort")]
    assert [f.kind for f in diffs] == ["difference"]
    gap = diffs[0]
    assert (gap.subject, gap.group, gap.versus) == ("outcome.x", "alpha", "beta")
    assert (gap.n, gap.total, gap.n_b, gap.total_b) == (40, 50, 5, 50)
    assert gap.diff == pytest.approx(0.70)
    assert gap.diff_ci_low > 0.5 and gap.diff_ci_high < 0.85
    assert gap.q_value < 1e-6 and gap.tests == 6  # six codes, one pairwise comparison
    assert gap.odds_ratio == pytest.approx(36.0)
    assert "80% (40/50) vs 10% (5/50)" in gap.sentence and "+70 points" in gap.sentence
    assert "outcome.y" not in {f.subject for f in found.findings if f.kind == "difference"}


def test_a_sentence_says_when_no_difference_survives() -> None:
    null = {"alpha": {"size": 50, "outcome.y": 10}, "beta": {"size": 50, "outcome.y": 12}}
    found = findings_of(build(null))
    (only,) = found.section("cohort")
    assert only.kind == "no_difference" and only.tests == 6
    assert "No difference between cohorts survives" in only.sentence
    (groups,) = found.section("occupation_group")
    assert "Fewer than two occupation groups" in groups.sentence  # all "Unclear"


def test_the_lower_group_is_named_second_in_a_pairwise_gap() -> None:
    flipped = {"beta": TWO_COHORTS["beta"] | {"size": 60}, "alpha": TWO_COHORTS["alpha"]}
    (gap,) = findings_of(build(flipped)).section("cohort")
    assert (gap.group, gap.versus, gap.n, gap.n_b) == ("alpha", "beta", 40, 5)
    assert gap.diff > 0


def test_three_groups_are_each_compared_with_everyone_else() -> None:
    three = dict(TWO_COHORTS, gamma={"size": 50, "outcome.x": 5, "outcome.y": 11})
    found = findings_of(build(three))
    gaps = found.section("cohort")
    assert gaps[0].group == "alpha" and gaps[0].versus == REST
    assert (gaps[0].n, gaps[0].total, gaps[0].n_b, gaps[0].total_b) == (40, 50, 10, 100)
    assert all(f.tests == 18 for f in gaps)  # 3 comparisons x 6 codes, one BH family
    # beta and gamma are lower than the rest on outcome.x: reported as "less common"
    assert any(f.group in ("beta", "gamma") and "is less common in" in f.sentence for f in gaps)
    assert gaps[0].sentence.startswith("“Big gap” (outcomes) is more common in alpha than in "
                                       "all other participants: 80% (40/50) vs 10% (10/100)")


def test_small_groups_are_not_compared() -> None:
    found = findings_of(build({"alpha": {"size": 50, "outcome.x": 40},
                               "beta": {"size": 4, "outcome.x": 0}}))
    (only,) = found.section("cohort")
    assert "Fewer than two cohorts" in only.sentence


def test_top_code_per_facet_with_wilson_interval() -> None:
    found = findings_of(build(TWO_COHORTS))
    top = {f.group: f for f in found.section("codes")}
    assert top["Triggers"].subject == "trigger.a" and (top["Triggers"].n, top["Triggers"].total
                                                       ) == (60, 100)
    assert (top["Triggers"].ci_low, top["Triggers"].ci_high) == wilson_interval(60, 100)
    assert top["Outcomes"].subject == "outcome.x" and top["Outcomes"].n == 45
    assert top["Interaction patterns"].subject == "pattern.p"
    assert top["Workplace culture"].kind == "top_code" and top["Workplace culture"].n == -1
    assert "no participant in view" in top["Workplace culture"].sentence


def test_every_quote_comes_from_a_participant_with_the_code() -> None:
    result = build(TWO_COHORTS)
    found = findings_of(result)
    people = result.participants.set_index("transcript_id")
    coded = [f for f in found.findings if f.kind in ("top_code", "difference") and f.n > 0]
    assert coded
    for finding in coded:
        assert len(finding.quotes) == 2
        assert len({q.transcript_id for q in finding.quotes}) == 2
        for quote in finding.quotes:
            assert people.at[quote.transcript_id, finding.subject] == 1
            assert quote.role == f"{people.at[quote.transcript_id, 'cohort']} worker (Unclear)"
            if finding.kind == "difference":
                assert people.at[quote.transcript_id, "cohort"] == finding.group


def test_quotes_follow_the_filters() -> None:
    result = build(TWO_COHORTS)
    view = apply_filters(result, FilterSpec(cohorts=("beta",)))
    found = build_findings(view, result.codebook, result.topics)
    assert found.n_participants == 50
    assert all(q.cohort == "beta" for f in found.findings for q in f.quotes)
    assert found.section("cohort")[0].kind == "no_difference"


def test_topics_report_answer_and_participant_shares() -> None:
    found = findings_of(build(TWO_COHORTS))
    first, second = found.section("topics")
    answers = len(apply_filters(build(TWO_COHORTS), FilterSpec()).segments)
    assert (first.subject, first.n, first.total, first.n_b, first.total_b) == (
        "0", 60, 100, 60, answers)
    assert second.subject == "1" and second.n == 20
    assert all(q.transcript_id in {f"alpha_{i:03d}" for i in range(30)}
               | {f"beta_{i:03d}" for i in range(30)} for q in first.quotes)


def test_markdown_escapes_quotes_and_keeps_the_trace() -> None:
    text = render_markdown(findings_of(build(TWO_COHORTS)))
    assert "alpha\\_000\\#" in text  # the hostile answer is quoted, escaped
    assert "<img" not in text and "](" not in text and "![" not in text
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == ["# Findings", "## Most common code in each facet",
                        "## Differences between cohorts",
                        "## Differences between occupation groups", "## Largest topics"]
    assert all(line.startswith("> ") or line == ">" for line in text.splitlines()
               if "“" in line and "talks" in line)
    assert re.search(r"n \\= 40\\/50 .* p \\= .* q \\= ", text)
    # the cohort section warns that cohorts may have had different question guides
    cohort_part = text.split("## Differences between cohorts")[1].split("## ")[0]
    assert "different question guides" in cohort_part


def test_odds_ratio_uses_haldane_only_with_a_zero_cell() -> None:
    assert odds_ratio(10, 20, 5, 20) == pytest.approx((10 * 15) / (10 * 5))
    assert odds_ratio(5, 5, 0, 5) == pytest.approx((5.5 * 5.5) / (0.5 * 0.5))


def test_no_participants_gives_an_empty_summary() -> None:
    result = build(TWO_COHORTS)
    view = apply_filters(result, FilterSpec(cohorts=("nobody",)))
    found = build_findings(view, result.codebook, result.topics)
    assert found.findings == []
    assert "nothing to summarise" in render_markdown(found)
    assert found.to_frame().empty
