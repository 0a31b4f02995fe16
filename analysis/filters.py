"""The one filter every page applies: which participants (and answers) are in view.

Filtering works on the cached ``AnalysisResult`` tables only, never on models, so a
filter change is a few boolean masks over at most a few thousand rows. The unit of
filtering is the participant: answer-level criteria (topic, keyword) keep a participant
when ANY of their answers matches, and flag those answers in ``segments.match`` so
quote lists can lead with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.results import AnalysisResult

ATTRIBUTE_PREFIX = "attr."


@dataclass(frozen=True)
class FilterSpec:
    """An immutable, hashable filter (so it can key a cache and live in session state).

    Within one dimension the selected values are OR-ed (cohort A or B), except ``codes``,
    which are AND-ed (participant has every selected code); dimensions are AND-ed.
    """

    cohorts: tuple[str, ...] = ()
    occupation_groups: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    topics: tuple[int, ...] = ()
    keyword: str = ""
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def is_empty(self) -> bool:
        return not (
            self.cohorts
            or self.occupation_groups
            or self.codes
            or self.topics
            or self.keyword.strip()
            or any(values for _, values in self.attributes)
        )


@dataclass
class FilteredView:
    """The participants in view and their answers and code assignments.

    ``segments`` carries a boolean ``match`` column: True for answers that satisfy the
    answer-level criteria (topic, keyword), or for every answer when none is active.
    """

    participants: pd.DataFrame
    segments: pd.DataFrame
    assignments: pd.DataFrame
    n_participants: int
    n_total_participants: int


def _answer_match(segments: pd.DataFrame, spec: FilterSpec) -> pd.Series:
    match = pd.Series(True, index=segments.index)
    if spec.topics:
        wanted = {int(t) for t in spec.topics}
        topic_ids = pd.to_numeric(segments["topic_id"], errors="coerce")
        match &= topic_ids.isin(wanted)
    keyword = spec.keyword.strip()
    if keyword:
        answers = segments["answer"].fillna("").astype(str).str.casefold()
        match &= answers.str.contains(keyword.casefold(), regex=False)
    return match


def _attribute_values(result: AnalysisResult, column: str) -> pd.Series:
    """Attribute values per participant, from participants or else from transcripts."""
    participants = result.participants
    if column in participants.columns:
        values = participants[column]
    elif column in result.transcripts.columns:
        lookup = result.transcripts.set_index(result.transcripts["transcript_id"].astype(str))
        values = participants["transcript_id"].astype(str).map(lookup[column])
    else:
        return pd.Series(pd.NA, index=participants.index, dtype="string")
    return values.astype("string").str.strip()


def _participant_mask(result: AnalysisResult, spec: FilterSpec, answer_ids: set[str] | None):
    participants = result.participants
    mask = pd.Series(True, index=participants.index)
    if spec.cohorts:
        mask &= participants["cohort"].astype(str).isin(spec.cohorts)
    if spec.occupation_groups:
        mask &= participants["occupation_group"].astype(str).isin(spec.occupation_groups)
    for code in spec.codes:
        if code not in participants.columns:
            return pd.Series(False, index=participants.index)
        mask &= pd.to_numeric(participants[code], errors="coerce").fillna(0) > 0
    for column, allowed in spec.attributes:
        if allowed:
            mask &= _attribute_values(result, column).isin([str(v) for v in allowed]).fillna(False)
    if answer_ids is not None:
        mask &= participants["transcript_id"].astype(str).isin(answer_ids)
    return mask.astype(bool)


def apply_filters(result: AnalysisResult, spec: FilterSpec) -> FilteredView:
    """Restrict every participant-level table of ``result`` to the participants in ``spec``."""
    segments = result.segments.copy()
    match = _answer_match(segments, spec)
    segments["match"] = match.astype(bool)
    answer_level = bool(spec.topics) or bool(spec.keyword.strip())
    answer_ids = set(segments.loc[match, "transcript_id"].astype(str)) if answer_level else None
    mask = _participant_mask(result, spec, answer_ids)
    participants = result.participants[mask].reset_index(drop=True)
    kept = set(participants["transcript_id"].astype(str))
    segments = segments[segments["transcript_id"].astype(str).isin(kept)].reset_index(drop=True)
    assignments = result.assignments[
        result.assignments["transcript_id"].astype(str).isin(kept)
    ].reset_index(drop=True)
    return FilteredView(
        participants=participants,
        segments=segments,
        assignments=assignments,
        n_participants=len(participants),
        n_total_participants=len(result.participants),
    )


def attribute_label(column: str) -> str:
    """A metadata column's name as the app shows it: on sidebar filters, group pickers and
    the filter line under every chart (one spelling everywhere). The first letter is
    raised and the rest kept, so "AI_tools" reads "AI tools", not "Ai tools"."""
    name = str(column).removeprefix(ATTRIBUTE_PREFIX).replace("_", " ").strip()
    return name[:1].upper() + name[1:]


def describe_filters(
    spec: FilterSpec,
    codebook: pd.DataFrame,
    topic_labels: Mapping[int, str] | None = None,
) -> str:
    """One plain-text line naming the active filters, for chart subtitles and captions.

    Topics are named by ``topic_labels`` when given (else "#<id>"), codes by their
    codebook label.
    """
    if spec.is_empty():
        return "All participants"
    labels = dict(zip(codebook["code"], codebook["label"], strict=False)) if len(codebook) else {}
    parts: list[str] = []
    if spec.cohorts:
        parts.append("Cohort: " + ", ".join(spec.cohorts))
    if spec.occupation_groups:
        parts.append("Occupation group: " + ", ".join(spec.occupation_groups))
    if spec.codes:
        names = [str(labels.get(code, code)) for code in spec.codes]
        parts.append(("Codes (all): " if len(names) > 1 else "Code: ") + " + ".join(names))
    if spec.topics:
        parts.append(
            ("Topics: " if len(spec.topics) > 1 else "Topic: ")
            + ", ".join(
                str(topic_labels[t]) if topic_labels and t in topic_labels else f"#{t}"
                for t in spec.topics
            )
        )
    if spec.keyword.strip():
        parts.append(f'Keyword: "{spec.keyword.strip()}"')
    for column, allowed in spec.attributes:
        if allowed:
            parts.append(f"{attribute_label(column)}: " + ", ".join(allowed))
    return " · ".join(parts)
