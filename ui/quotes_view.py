"""Quote-list helpers: the answers in view with their codes, topic, evidence and speaker."""

from __future__ import annotations

import pandas as pd

from ui.widgets import PageContext, role_of

QUOTE_COLUMNS = ["transcript_id", "segment_index", "cohort", "role", "question", "answer",
                 "codes", "topic", "evidence"]


def _code_labels(codes: object, labels: dict[str, str]) -> str:
    ids = [c for c in str(codes or "").split(";") if c]
    return "; ".join(labels.get(c, c) for c in ids)


def answers_in_view(ctx: PageContext, *, search: str = "", code: str | None = None,
                    only_coded: bool = False) -> pd.DataFrame:
    """Answers of the participants in view, narrowed like the filters say.

    With a keyword or topic filter active only the matching answers are listed (the
    participant filter keeps people; this list is about what they said).
    """
    segments = ctx.view.segments
    if ctx.spec.keyword.strip() or ctx.spec.topics:
        segments = segments[segments["match"]]
    if search.strip():
        needle = search.strip().casefold()
        haystack = (segments["answer"].fillna("").astype(str) + " "
                    + segments["question"].fillna("").astype(str)).str.casefold()
        segments = segments[haystack.str.contains(needle, regex=False)]
    codes = segments["codes"].fillna("").astype(str)
    if code:
        segments = segments[codes.str.split(";").map(lambda ids: code in ids)]
    elif only_coded:
        segments = segments[codes != ""]
    labels = dict(zip(ctx.codebook["code"], ctx.codebook["label"], strict=False))
    people = ctx.view.participants.assign(role=role_of(ctx.view.participants))
    table = segments.merge(people[["transcript_id", "cohort", "role"]], on="transcript_id",
                           how="left")
    table["codes"] = table["codes"].map(lambda c: _code_labels(c, labels))
    table["topic"] = table["topic_label"].fillna("").astype(str)
    table["evidence"] = _best_evidence(ctx, table, code)
    return table[QUOTE_COLUMNS].reset_index(drop=True)


def _best_evidence(ctx: PageContext, table: pd.DataFrame, code: str | None) -> pd.Series:
    """The highest-confidence evidence sentence of each answer (for the chosen code)."""
    assignments = ctx.view.assignments
    if code:
        assignments = assignments[assignments["code"] == code]
    if assignments.empty or table.empty:
        return pd.Series("", index=table.index, dtype=str)
    best = (assignments.sort_values("confidence", ascending=False, kind="mergesort")
            .drop_duplicates(["transcript_id", "segment_index"])
            .set_index(["transcript_id", "segment_index"])["evidence"])
    keys = pd.MultiIndex.from_frame(table[["transcript_id", "segment_index"]])
    return pd.Series(best.reindex(keys).fillna("").astype(str).to_numpy(), index=table.index)
