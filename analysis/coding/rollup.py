"""Roll segment-level assignments up to participants.

The rule is the codebook's: a participant has a code when any of their answers carries
it. Participants with no assignment still get a row of zeros, so shares are computed over
everyone interviewed, not over those who happened to be coded.
"""

from __future__ import annotations

import pandas as pd


def participant_codes(
    assignments: pd.DataFrame, transcript_ids: list[str], code_ids: list[str]
) -> pd.DataFrame:
    """``transcript_id`` + one 0/1 int column per code id, in codebook order."""
    table = pd.DataFrame(0, index=pd.Index(transcript_ids, name="transcript_id"), columns=code_ids)
    if len(assignments):
        present = assignments[assignments["code"].isin(code_ids)]
        pairs = present[["transcript_id", "code"]].drop_duplicates()
        pairs = pairs[pairs["transcript_id"].isin(table.index)]
        for transcript_id, code in zip(pairs["transcript_id"], pairs["code"], strict=True):
            table.at[transcript_id, code] = 1
    return table.astype(int).reset_index()


def segment_code_lists(assignments: pd.DataFrame, segments: pd.DataFrame) -> pd.Series:
    """The ``codes`` column of segments.csv: ``;``-joined code ids per segment row."""
    if not len(assignments):
        return pd.Series([""] * len(segments), index=segments.index, dtype=object)
    grouped = assignments.groupby(["transcript_id", "segment_index"], sort=False)["code"]
    joined = grouped.agg(";".join)
    keys = list(zip(segments["transcript_id"], segments["segment_index"], strict=True))
    return pd.Series([joined.get(key, "") for key in keys], index=segments.index, dtype=object)
