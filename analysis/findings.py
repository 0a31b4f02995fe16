"""A plain-language summary of what the participants in view said, built from statistics.

A researcher who puts a claim on a slide needs the number behind it, its uncertainty and
a quote that shows what it means. So every sentence here is rendered from a structured
``Finding`` (statistic, counts, interval, p and q, the segment ids of its quotes), and
the Markdown and the page only ever display those records: nothing is written that the
numbers do not say, and no language model is involved.

The summary covers, for the filtered participants:
- the most common code of each facet (share of participants, Wilson 95% interval);
- the largest differences between cohorts and between occupation groups that survive a
  Benjamini–Hochberg correction over every test made for that grouping (two-sided Fisher
  exact tests; effect as a gap in percentage points with Newcombe's interval and an odds
  ratio), or a sentence saying that none survive;
- the largest topics (share of answers and of participants);
- two short quotes per finding, each from a different participant who has the code (or
  answered in the topic), with that participant's role.

Groups are compared pairwise when exactly two are large enough, otherwise each group
against every other participant whose group is known ("Unknown"/"Unclear" are never a
group to compare, and never in the comparison set), which keeps the number of tests
linear in the number of groups.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

import numpy as np
import pandas as pd

from analysis.aggregates import (
    MISSING_GROUP,
    benjamini_hochberg,
    code_prevalence,
    group_differences,
    wilson_interval,
)
from analysis.filters import FilteredView
from analysis.markdown_text import escape_inline
from analysis.tables import OUTLIER_TOPIC_ID

FACET_TITLES = {
    "trigger": "Triggers",
    "pattern": "Interaction patterns",
    "culture": "Workplace culture",
    "outcome": "Outcomes",
}
UNKNOWN_GROUPS = frozenset({MISSING_GROUP, "Unclear", ""})
"""Group values that mean "not known": never compared, never part of "everyone else"."""
GROUPINGS = {"cohort": "cohorts", "occupation_group": "occupation groups"}
REST = "all other participants"
ALPHA = 0.05
TOP_DIFFERENCES = 3
TOP_TOPICS = 3
QUOTES_PER_FINDING = 2
QUOTE_CHARS = 240
MIN_QUOTE_CHARS = 30
"""Evidence sentences shorter than this are used only when nothing longer exists."""


@dataclass(frozen=True, slots=True)
class Quote:
    """One short quote and whose it is; (transcript_id, segment_index) finds the answer."""

    transcript_id: str
    segment_index: int
    text: str
    role: str
    cohort: str

    @property
    def ref(self) -> str:
        return f"{self.transcript_id}#{self.segment_index}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One sentence of the summary and every number it was rendered from.

    ``kind`` is ``top_code``, ``difference``, ``no_difference`` or ``topic``. For
    differences, the ``*_b`` fields describe the comparison group and ``diff`` is
    share - share_b; fields that do not apply are NaN (floats) or -1 (counts).
    """

    kind: str
    section: str
    sentence: str
    subject: str
    label: str
    group: str = ""
    versus: str = ""
    n: int = -1
    total: int = -1
    share: float = math.nan
    ci_low: float = math.nan
    ci_high: float = math.nan
    n_b: int = -1
    total_b: int = -1
    share_b: float = math.nan
    diff: float = math.nan
    diff_ci_low: float = math.nan
    diff_ci_high: float = math.nan
    odds_ratio: float = math.nan
    p_value: float = math.nan
    q_value: float = math.nan
    tests: int = 0
    quotes: tuple[Quote, ...] = ()


@dataclass
class Findings:
    """The whole summary: who is in view and the findings in reading order."""

    n_participants: int
    n_answers: int
    filters: str
    findings: list[Finding] = field(default_factory=list)

    def section(self, name: str) -> list[Finding]:
        return [f for f in self.findings if f.section == name]

    def to_frame(self) -> pd.DataFrame:
        """One row per finding with its numbers and quote references (the trace table)."""
        names = [f.name for f in fields(Finding) if f.name != "quotes"]
        rows = []
        for finding in self.findings:
            row = {name: getattr(finding, name) for name in names}
            row["quotes"] = "; ".join(q.ref for q in finding.quotes)
            rows.append(row)
        return pd.DataFrame(rows, columns=[*names, "quotes"])


SECTIONS = {
    "codes": "Most common code in each facet",
    "cohort": "Differences between cohorts",
    "occupation_group": "Differences between occupation groups",
    "topics": "Largest topics",
}

SECTION_NOTES = {
    "cohort": (
        "Cohorts are often interviewed with different question guides (the public Anthropic "
        "Interviewer cohorts were), so a gap between cohorts can reflect what was asked as "
        "well as what people do."
    ),
}
"""A caveat printed under a section's heading wherever the summary is shown."""


# --------------------------------------------------------------------------- formatting
def pct(share: float) -> str:
    return f"{share:.0%}" if pd.notna(share) else "–"


def _interval(low: float, high: float) -> str:
    return f"95% CI {low * 100:.0f}–{high * 100:.0f}%"


def _p(value: float, name: str) -> str:
    if pd.isna(value):
        return f"{name} n/a"
    return f"{name} < 0.001" if value < 0.001 else f"{name} = {value:.3f}"


def role_text(occupation: Any, group: Any) -> str:
    """"occupation (group)", the group alone, or "Unclear" when nothing is known."""
    occupation = "" if pd.isna(occupation) else str(occupation).strip()
    group = ("" if pd.isna(group) else str(group).strip()) or "Unclear"
    return f"{occupation} ({group})" if occupation else group


def short_quote(text: Any, limit: int = QUOTE_CHARS) -> str:
    """One line of at most ``limit`` characters, cut at a word boundary with "…"."""
    value = " ".join(str(text or "").split())
    if len(value) <= limit:
        return value
    cut = value[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def odds_ratio(n_a: int, total_a: int, n_b: int, total_b: int) -> float:
    """Sample odds ratio, with Haldane's +0.5 in every cell when one cell is zero."""
    a, b, c, d = n_a, total_a - n_a, n_b, total_b - n_b
    if min(a, b, c, d) == 0:
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
    return (a * d) / (b * c)


# --------------------------------------------------------------------------- quotes
def _roles(participants: pd.DataFrame) -> pd.DataFrame:
    people = participants[["transcript_id"]].copy()
    people["transcript_id"] = people["transcript_id"].astype(str)
    occupation = participants.get("occupation", pd.Series("", index=participants.index))
    group = participants.get("occupation_group", pd.Series("", index=participants.index))
    people["role"] = [role_text(o, g) for o, g in zip(occupation, group, strict=True)]
    cohort = participants.get("cohort", pd.Series("", index=participants.index))
    people["cohort"] = cohort.fillna("").astype(str).to_numpy()
    return people


def code_quotes(view: FilteredView, code: str, among: set[str] | None = None,
                k: int = QUOTES_PER_FINDING) -> tuple[Quote, ...]:
    """``k`` evidence sentences for ``code`` from different participants who have it.

    Highest-confidence evidence first, sentences of at least ``MIN_QUOTE_CHARS`` before
    shorter ones, ties broken by transcript and answer order (deterministic).
    """
    assigned = view.assignments[view.assignments["code"] == code]
    if assigned.empty:
        return ()
    assigned = assigned.assign(transcript_id=assigned["transcript_id"].astype(str))
    if among is not None:
        assigned = assigned[assigned["transcript_id"].isin(among)]
    holders = _holders(view.participants, code)
    assigned = assigned[assigned["transcript_id"].isin(holders)]
    if assigned.empty:
        return ()
    answers = view.segments[["transcript_id", "segment_index", "answer"]].assign(
        transcript_id=view.segments["transcript_id"].astype(str))
    merged = assigned.merge(answers, on=["transcript_id", "segment_index"], how="left")
    evidence = merged["evidence"].fillna("").astype(str).str.strip()
    merged["text"] = evidence.where(evidence != "", merged["answer"].fillna("").astype(str))
    merged["short"] = merged["text"].str.len() < MIN_QUOTE_CHARS
    merged = merged[merged["text"].str.strip() != ""]
    merged = merged.sort_values(["short", "confidence", "transcript_id", "segment_index"],
                                ascending=[True, False, True, True], kind="mergesort")
    return _quotes(merged.drop_duplicates("transcript_id").head(k), view.participants)


def _holders(participants: pd.DataFrame, code: str) -> set[str]:
    if code not in participants.columns:
        return set()
    has = pd.to_numeric(participants[code], errors="coerce").fillna(0) > 0
    return set(participants.loc[has, "transcript_id"].astype(str))


def _quotes(rows: pd.DataFrame, participants: pd.DataFrame) -> tuple[Quote, ...]:
    roles = _roles(participants).set_index("transcript_id")
    out = []
    for row in rows.itertuples(index=False):
        tid = str(row.transcript_id)
        known = tid in roles.index
        out.append(Quote(
            transcript_id=tid,
            segment_index=int(row.segment_index),
            text=short_quote(row.text),
            role=str(roles.at[tid, "role"]) if known else "Unclear",
            cohort=str(roles.at[tid, "cohort"]) if known else "",
        ))
    return tuple(out)


def topic_quotes(view: FilteredView, topic_id: int, representative: list[str],
                 k: int = QUOTES_PER_FINDING) -> tuple[Quote, ...]:
    """Answers of the topic from different participants: the topic model's representative
    answers first (when they are in view), then mid-length answers in transcript order."""
    segments = view.segments[view.segments["topic_id"] == topic_id]
    if segments.empty:
        return ()
    segments = segments.assign(transcript_id=segments["transcript_id"].astype(str),
                               text=segments["answer"].fillna("").astype(str))
    rank = {text: i for i, text in enumerate(representative)}
    words = segments["text"].str.split().str.len()
    segments = segments.assign(
        rep=segments["text"].map(rank).fillna(len(rank)),
        off_length=~words.between(12, 80),
    )
    segments = segments.sort_values(["rep", "off_length", "transcript_id", "segment_index"],
                                    kind="mergesort")
    return _quotes(segments.drop_duplicates("transcript_id").head(k), view.participants)


# --------------------------------------------------------------------------- answer sources
TOPIC_SIZE_COLUMNS = ["topic_id", "label", "answers", "people"]


class AnswerSource(Protocol):
    """Where the summary reads answer-level facts from (the participants come from the view).

    The in-memory source (``ViewAnswers``) reads the view's segments and assignments; a
    large project's source (``analysis.scale.participant_views``) answers the same four
    questions in SQL and runs ``code_quotes``/``topic_quotes`` on a bounded set of candidate
    answers, so both paths select the same quotes with the same code.
    """

    def n_answers(self) -> int: ...

    def topic_sizes(self) -> pd.DataFrame: ...

    def code_quotes(self, code: str, among: set[str] | None) -> tuple[Quote, ...]: ...

    def topic_quotes(self, topic_id: int, representative: list[str]) -> tuple[Quote, ...]: ...


def topic_size_table(segments: pd.DataFrame) -> pd.DataFrame:
    """Real topics of ``segments`` (TOPIC_SIZE_COLUMNS), most answers first, then by id."""
    real = segments[segments["topic_id"] != OUTLIER_TOPIC_ID]
    if real.empty:
        return pd.DataFrame(columns=TOPIC_SIZE_COLUMNS)
    sizes = real.groupby("topic_id").agg(
        answers=("answer", "size"), people=("transcript_id", "nunique"))
    sizes = sizes.reset_index().sort_values(["answers", "topic_id"], ascending=[False, True],
                                            kind="mergesort")
    labels = real.drop_duplicates("topic_id").set_index("topic_id")["topic_label"]
    sizes["label"] = sizes["topic_id"].map(labels)
    return sizes[TOPIC_SIZE_COLUMNS].reset_index(drop=True)


@dataclass(frozen=True, slots=True)
class ViewAnswers:
    """The answers of an in-memory ``FilteredView`` (every answer is at hand)."""

    view: FilteredView

    def n_answers(self) -> int:
        return len(self.view.segments)

    def topic_sizes(self) -> pd.DataFrame:
        return topic_size_table(self.view.segments)

    def code_quotes(self, code: str, among: set[str] | None) -> tuple[Quote, ...]:
        return code_quotes(self.view, code, among=among)

    def topic_quotes(self, topic_id: int, representative: list[str]) -> tuple[Quote, ...]:
        return topic_quotes(self.view, topic_id, representative)


# --------------------------------------------------------------------------- sections
def _facet_title(facet: str) -> str:
    return FACET_TITLES.get(facet, str(facet).replace("_", " ").capitalize())


def top_code_findings(view: FilteredView, codebook: pd.DataFrame,
                      answers: AnswerSource | None = None) -> list[Finding]:
    """The most common code of each facet (codebook order breaks ties)."""
    answers = answers or ViewAnswers(view)
    table = code_prevalence(view.participants, codebook)
    out = []
    for facet in dict.fromkeys(table["facet"]):
        rows = table[table["facet"] == facet]
        title = _facet_title(facet)
        present = rows[rows["n"] > 0]
        if present.empty:
            out.append(Finding(
                kind="top_code", section="codes", subject=str(facet), label="", group=title,
                total=int(rows["total"].iloc[0]) if len(rows) else 0,
                sentence=f"{title}: no participant in view has any code of this facet."))
            continue
        best = present.loc[present["n"].idxmax()]
        n, total = int(best["n"]), int(best["total"])
        tied = [str(label) for label in present.loc[present["n"] == n, "label"]
                if label != best["label"]]
        tie = f", tied with {', '.join(f'“{t}”' for t in tied)}" if tied else ""
        sentence = (
            f"{title}: the most common code is “{best['label']}”{tie}, which "
            f"{n:,} of {total:,} participants have ({pct(best['share'])}, "
            f"{_interval(best['ci_low'], best['ci_high'])})."
        )
        out.append(Finding(
            kind="top_code", section="codes", sentence=sentence, subject=str(best["code"]),
            label=str(best["label"]), group=title, n=n, total=total,
            share=float(best["share"]), ci_low=float(best["ci_low"]),
            ci_high=float(best["ci_high"]), quotes=answers.code_quotes(str(best["code"]), None)))
    return out


def _group_labels(participants: pd.DataFrame, column: str) -> pd.Series:
    labels = participants[column].astype("string").str.strip()
    return labels.mask(labels.isna() | (labels == ""), MISSING_GROUP).astype(str)


def _comparisons(labels: pd.Series, min_group_size: int) -> list[tuple[str, str | None]]:
    """(group, other) pairs to test: A vs B for two eligible groups, else A vs the rest."""
    counts = labels[~labels.isin(UNKNOWN_GROUPS)].value_counts()
    eligible = sorted(counts[counts >= min_group_size].index, key=lambda g: (-counts[g], g))
    if len(eligible) < 2:
        return []
    if len(eligible) == 2:
        return [(eligible[0], eligible[1])]
    return [(group, None) for group in eligible]


def difference_findings(view: FilteredView, codebook: pd.DataFrame, column: str, *,
                        min_group_size: int = 5, alpha: float = ALPHA,
                        top: int = TOP_DIFFERENCES,
                        answers: AnswerSource | None = None) -> list[Finding]:
    """The largest code-share gaps between groups of ``column`` that survive BH at ``alpha``.

    The correction runs over every (comparison, code) test of this grouping at once, so
    comparing more groups makes each one harder to pass, as it should.
    """
    participants = view.participants
    noun = GROUPINGS.get(column, column)
    if column not in participants.columns or participants.empty:
        return []
    labels = _group_labels(participants, column)
    pairs = _comparisons(labels, min_group_size)
    if not pairs:
        return [Finding(kind="no_difference", section=column, subject=column, label="",
                        sentence=f"Fewer than two {noun} with at least {min_group_size} "
                                 "participants are in view, so none are compared.")]
    tables = []
    known = ~labels.isin(UNKNOWN_GROUPS)
    for group, other in pairs:
        if other is None:
            side = np.where(labels == group, group, REST)
            frame = participants[known.to_numpy()].assign(_side=side[known.to_numpy()])
            table = group_differences(frame, codebook, "_side", group, REST)
        else:
            table = group_differences(participants, codebook, column, group, other)
        tables.append(table.assign(group=group, versus=other or REST))
    tests = pd.concat(tables, ignore_index=True)
    tests = tests[tests["p_value"].notna()].reset_index(drop=True)
    tests["q_value"] = benjamini_hochberg(tests["p_value"])
    m = len(tests)
    significant = tests[tests["q_value"] < alpha]
    if significant.empty:
        return [Finding(
            kind="no_difference", section=column, subject=column, label="", tests=m,
            sentence=(f"No difference between {noun} survives the Benjamini–Hochberg "
                      f"correction (q < {alpha:g} over {m:,} Fisher exact tests)."))]
    significant = significant.reindex(
        significant["diff"].abs().sort_values(ascending=False, kind="mergesort").index)
    answers = answers or ViewAnswers(view)
    return [_difference_finding(view, row, column, m, answers) for row in
            significant.head(top).itertuples(index=False)]


def _difference_finding(view: FilteredView, row: Any, column: str, m: int,
                        answers: AnswerSource) -> Finding:
    group, versus = str(row.group), str(row.versus)
    n_a, t_a, n_b, t_b = int(row.n_a), int(row.total_a), int(row.n_b), int(row.total_b)
    diff, low, high = float(row.diff), float(row.diff_ci_low), float(row.diff_ci_high)
    if versus != REST and diff < 0:  # pairwise: name the higher group first
        group, versus, n_a, t_a, n_b, t_b = versus, group, n_b, t_b, n_a, t_a
        diff, low, high = -diff, -high, -low
    ratio = odds_ratio(n_a, t_a, n_b, t_b)
    direction = "more" if diff > 0 else "less"
    other = REST if versus == REST else versus
    sentence = (
        f"“{row.label}” ({_facet_title(row.facet).lower()}) is {direction} common in {group} "
        f"than in {other}: {pct(n_a / t_a)} ({n_a:,}/{t_a:,}) vs {pct(n_b / t_b)} "
        f"({n_b:,}/{t_b:,}), "
        f"a gap of {diff * 100:+.0f} points (95% CI {low * 100:+.0f} to {high * 100:+.0f}), "
        f"odds ratio {ratio:.2f}; Fisher {_p(row.p_value, 'p')}, "
        f"Benjamini–Hochberg {_p(row.q_value, 'q')} over {m:,} tests."
    )
    # Quotes illustrate the code, so they come from the side where it is more common.
    ids = view.participants["transcript_id"].astype(str)
    labels = _group_labels(view.participants, column).to_numpy()
    if diff > 0:
        among = set(ids[labels == group])
    elif versus == REST:
        among = set(ids[(labels != group) & ~np.isin(labels, list(UNKNOWN_GROUPS))])
    else:
        among = set(ids[labels == versus])
    return Finding(
        kind="difference", section=column, sentence=sentence, subject=str(row.code),
        label=str(row.label), group=group, versus=other, n=n_a, total=t_a, share=n_a / t_a,
        ci_low=wilson_interval(n_a, t_a)[0], ci_high=wilson_interval(n_a, t_a)[1],
        n_b=n_b, total_b=t_b, share_b=n_b / t_b, diff=diff, diff_ci_low=low,
        diff_ci_high=high, odds_ratio=ratio, p_value=float(row.p_value),
        q_value=float(row.q_value), tests=m,
        quotes=answers.code_quotes(str(row.code), among))


def topic_findings(view: FilteredView, topics: pd.DataFrame, top: int = TOP_TOPICS,
                   answers: AnswerSource | None = None) -> list[Finding]:
    """The largest topics by answers in view, with the share of participants they reach."""
    answers = answers or ViewAnswers(view)
    sizes = answers.topic_sizes()
    n_answers, n_people = answers.n_answers(), view.n_participants
    if sizes.empty or not n_people:
        return [Finding(kind="topic", section="topics", subject="", label="",
                        sentence="No answer in view belongs to a topic.")]
    labels = dict(zip(sizes["topic_id"], sizes["label"], strict=True))
    reps = _representatives(topics)
    out = []
    for rank, row in enumerate(sizes.head(top).itertuples(index=False), start=1):
        topic_id, count, people = int(row.topic_id), int(row.answers), int(row.people)
        low, high = wilson_interval(people, n_people)
        lead = "The largest topic" if rank == 1 else f"Topic {rank} by size"
        sentence = (
            f"{lead}, “{labels.get(topic_id, topic_id)}”, holds {pct(count / n_answers)} of "
            f"the answers in view ({count:,} of {n_answers:,}) and comes up with "
            f"{people:,} of {n_people:,} participants ({pct(people / n_people)}, "
            f"{_interval(low, high)})."
        )
        out.append(Finding(
            kind="topic", section="topics", sentence=sentence, subject=str(topic_id),
            label=str(labels.get(topic_id, topic_id)), n=people, total=n_people,
            share=people / n_people, ci_low=low, ci_high=high, n_b=count, total_b=n_answers,
            share_b=count / n_answers,
            quotes=answers.topic_quotes(topic_id, reps.get(topic_id, []))))
    return out


def _representatives(topics: pd.DataFrame) -> dict[int, list[str]]:
    if topics is None or topics.empty or "representative_quotes" not in topics.columns:
        return {}
    out: dict[int, list[str]] = {}
    for topic_id, quotes in zip(topics["topic_id"], topics["representative_quotes"],
                                strict=True):
        if hasattr(quotes, "tolist"):
            quotes = quotes.tolist()
        out[int(topic_id)] = [str(q) for q in quotes] if isinstance(quotes, list | tuple) else []
    return out


def build_findings(view: FilteredView, codebook: pd.DataFrame, topics: pd.DataFrame, *,
                   filters: str = "All participants", min_group_size: int = 5,
                   alpha: float = ALPHA, answers: AnswerSource | None = None) -> Findings:
    """Every section of the summary for the participants in ``view``.

    ``answers``: where answer counts and quotes come from (default: the view's own
    segments and assignments; a large project passes its SQL source).
    """
    answers = answers or ViewAnswers(view)
    found = Findings(n_participants=view.n_participants, n_answers=answers.n_answers(),
                     filters=filters)
    if not view.n_participants:
        return found
    found.findings.extend(top_code_findings(view, codebook, answers))
    for column in GROUPINGS:
        found.findings.extend(difference_findings(view, codebook, column,
                                                  min_group_size=min_group_size, alpha=alpha,
                                                  answers=answers))
    found.findings.extend(topic_findings(view, topics, answers=answers))
    return found


# --------------------------------------------------------------------------- rendering
def evidence_line(finding: Finding) -> str:
    """The plain-text trace of one finding: its subject, counts, interval, p, q, quotes."""
    parts = [f"{finding.kind}: {finding.subject}"] if finding.subject else [finding.kind]
    if finding.total > 0 and finding.n >= 0:
        parts.append(f"n = {finding.n}/{finding.total}")
    if pd.notna(finding.ci_low):
        parts.append(f"Wilson [{finding.ci_low:.3f}, {finding.ci_high:.3f}]")
    if finding.total_b > 0:
        parts.append(f"vs {finding.n_b}/{finding.total_b}")
    if pd.notna(finding.diff):
        parts.append(f"Newcombe [{finding.diff_ci_low:+.3f}, {finding.diff_ci_high:+.3f}]")
    if pd.notna(finding.p_value):
        parts.append(f"p = {finding.p_value:.2g}, q = {finding.q_value:.2g}")
    if finding.quotes:
        parts.append("quotes: " + ", ".join(q.ref for q in finding.quotes))
    return " · ".join(parts)


def render_markdown(findings: Findings, title: str = "Findings") -> str:
    """The summary as Markdown; every piece of user text is escaped (see ``markdown_text``)."""
    lines = [f"# {escape_inline(title)}", ""]
    lines.append(escape_inline(
        f"{findings.n_participants:,} participants, {findings.n_answers:,} answers "
        f"({findings.filters}). Shares are shares of participants with Wilson 95% intervals; "
        "each finding ends with the numbers and quote ids it was written from."))
    lines.append("")
    if not findings.findings:
        lines += ["No participant is in view, so there is nothing to summarise.", ""]
    for section, heading in SECTIONS.items():
        items = findings.section(section)
        if not items:
            continue
        lines += [f"## {heading}", ""]
        if section in SECTION_NOTES:
            lines += ["*" + escape_inline(SECTION_NOTES[section]) + "*", ""]
        for finding in items:
            lines += [escape_inline(finding.sentence), ""]
            for quote in finding.quotes:
                lines.append("> “" + escape_inline(quote.text) + "” — "
                             + escape_inline(f"{quote.role}, {quote.cohort}, {quote.ref}"))
                lines.append(">")
            if finding.quotes:
                lines.pop()
                lines.append("")
            lines += ["*" + escape_inline(evidence_line(finding)) + "*", ""]
    return "\n".join(lines).rstrip() + "\n"
