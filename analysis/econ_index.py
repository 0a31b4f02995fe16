"""Economic Index lens: our interaction-pattern codes in Anthropic's collaboration taxonomy.

The Anthropic Economic Index (Handa et al., Feb 2025, arXiv 2503.04761) sorts Claude.ai
conversations into five collaboration patterns: **automation** = Directive ("complete task
delegation with minimal interaction") + Feedback Loop ("task completion guided by
environmental feedback", e.g. the user pastes errors back); **augmentation** = Task
Iteration ("collaborative refinement"), Learning ("knowledge acquisition and
understanding") + Validation ("work verification and improvement": the AI checks the
*user's* work). Researchers of AI at work want to see interview data in the same terms.

Mapping choices (participant level; a participant can have several subtypes):
- **Directive** <- ``pattern.delegation``: hands a whole task to AI and uses the output
  largely as it is. Same idea as the Index's definition.
- **Feedback Loop** <- ``pattern.iteration`` answers that talk about feeding errors, failures
  or results back to the AI (``FEEDBACK_CUES`` on the answer text). The codebook has no
  dedicated code; the cue split follows the Index's gloss ("the user sends errors back")
  and is a heuristic, stated as such on the page.
- **Task Iteration** <- the other ``pattern.iteration`` answers (back and forth, refining
  together).
- **Learning** <- ``pattern.learning``: uses AI to understand or learn something.
- **Validation** <- ``trigger.quality_check``: a second opinion on, or a check of, the
  participant's *own* work. Not ``pattern.verification``, which is the participant
  checking the AI's output: the opposite direction, and mapping it would mislabel data.
- Not mapped: ``pattern.draft_then_edit``, ``pattern.sounding_board`` and
  ``pattern.verification`` describe what people do around or after the chat, which usage
  logs cannot see; they are counted separately as "outside the taxonomy".

The split is reported per group as the share of participants with any automation pattern,
any augmentation pattern, and both. Those are multi-label shares of people, while the
Index's shares are single-label shares of conversations, so the published numbers are
shown beside ours as context, not as a target.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from analysis.aggregates import MISSING_GROUP, wilson_arrays

SUBTYPES = {
    "directive": ("Directive", "automation"),
    "feedback_loop": ("Feedback Loop", "automation"),
    "task_iteration": ("Task Iteration", "augmentation"),
    "learning": ("Learning", "augmentation"),
    "validation": ("Validation", "augmentation"),
}
DIRECT_CODES = {
    "directive": "pattern.delegation",
    "learning": "pattern.learning",
    "validation": "trigger.quality_check",
}
ITERATION_CODE = "pattern.iteration"
OUTSIDE_CODES = ("pattern.draft_then_edit", "pattern.sounding_board", "pattern.verification")
FEEDBACK_CUES = re.compile(
    r"\b(errors?|error messages?|stack ?traces?|exceptions?|bugs?|crash\w*|fail\w*|"
    r"(doesn.?t|didn.?t|does not|did not|won.?t) (work|run|compile)|broke\w*|"
    r"(paste|feed|send|give|copy|put)\w* (it |the \w+ |them )?back|"
    r"(results?|outputs?) (back|into it)|test(s|ing)? (it|the code|again))",
    re.IGNORECASE,
)
"""Answer text that makes an iteration answer a Feedback Loop (errors/results fed back)."""

MEASURES = {
    "augmentation": "Any augmentation pattern",
    "automation": "Any automation pattern",
    "both": "Both",
    "outside": "Only patterns outside the taxonomy",
    **{key: name for key, (name, _) in SUBTYPES.items()},
}
SPLIT_MEASURES = ("augmentation", "automation", "both")
ECON_COLUMNS = ["source", "dimension", "group", "measure", "label", "n", "total", "share",
                "ci_low", "ci_high", "note"]
ALL = "All participants"

PUBLISHED = pd.DataFrame(
    [
        ("Economic Index, Feb 2025", "augmentation", 0.574, "~1M Claude.ai conversations"),
        ("Economic Index, Feb 2025", "automation", 0.426, "~1M Claude.ai conversations"),
        ("Economic Index, Feb 2025", "directive", 0.278, "~1M Claude.ai conversations"),
        ("Economic Index, Feb 2025", "feedback_loop", 0.148, "~1M Claude.ai conversations"),
        ("Economic Index, Feb 2025", "task_iteration", 0.313, "~1M Claude.ai conversations"),
        ("Economic Index, Feb 2025", "learning", 0.233, "~1M Claude.ai conversations"),
        ("Economic Index, Feb 2025", "validation", 0.028, "~1M Claude.ai conversations"),
        ("Economic Index, Sep 2025", "augmentation", 0.47, "1M Claude.ai conversations, "
         "Aug 2025 (secondary sources; cited in the Interviewer post)"),
        ("Economic Index, Sep 2025", "automation", 0.491, "1M Claude.ai conversations, "
         "Aug 2025 (secondary sources; cited in the Interviewer post)"),
        ("Anthropic Interviewer, Dec 2025", "augmentation", 0.65,
         "workforce, AI's primary role as self-described in the interview"),
        ("Anthropic Interviewer, Dec 2025", "automation", 0.35,
         "workforce, AI's primary role as self-described in the interview"),
    ],
    columns=["source", "measure", "share", "note"],
)
"""Published shares (mission_anchors §2 and §1.2); conversations or people, single-label."""


def _has(participants: pd.DataFrame, code: str) -> np.ndarray:
    if code not in participants.columns:
        return np.zeros(len(participants), dtype=bool)
    return pd.to_numeric(participants[code], errors="coerce").fillna(0).to_numpy() > 0


ITERATION_KIND_COLUMNS = ["transcript_id", "feedback"]


def is_feedback(answers: pd.Series) -> pd.Series:
    """True for iteration answers that feed errors or results back (``FEEDBACK_CUES``)."""
    return answers.fillna("").astype(str).map(lambda t: bool(FEEDBACK_CUES.search(t)))


def iteration_kinds(segments: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    """One row per ``pattern.iteration`` answer: its transcript and whether it is a feedback
    loop (an assignment whose answer is missing counts as not feedback)."""
    coded = assignments[assignments["code"] == ITERATION_CODE][
        ["transcript_id", "segment_index"]].astype({"transcript_id": str})
    answers = segments[["transcript_id", "segment_index", "answer"]].astype(
        {"transcript_id": str})
    coded = coded.merge(answers, on=["transcript_id", "segment_index"], how="left")
    return pd.DataFrame({"transcript_id": coded["transcript_id"].to_numpy(),
                         "feedback": is_feedback(coded["answer"]).to_numpy(dtype=bool)},
                        columns=ITERATION_KIND_COLUMNS)


def _iteration_split(participants: pd.DataFrame, kinds: pd.DataFrame
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(feedback loop, task iteration) per participant from their iteration answers."""
    ids = participants["transcript_id"].astype(str)
    has_code = _has(participants, ITERATION_CODE)
    feedback = kinds["feedback"].astype(bool)
    loop_ids = set(kinds.loc[feedback, "transcript_id"].astype(str))
    other_ids = set(kinds.loc[~feedback, "transcript_id"].astype(str))
    loop = ids.isin(loop_ids).to_numpy() & has_code
    # A participant with the code but no assignment row (e.g. an edited import) iterates.
    iterate = (ids.isin(other_ids).to_numpy() | ~ids.isin(loop_ids | other_ids).to_numpy())
    return loop, iterate & has_code


def classify(participants: pd.DataFrame, segments: pd.DataFrame,
             assignments: pd.DataFrame, *, kinds: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per participant: a boolean per subtype, the two modes, both, outside.

    ``kinds``: ``iteration_kinds`` computed elsewhere (a large project streams its
    iteration answers through ``is_feedback``); ``segments``/``assignments`` are then unused.
    """
    if kinds is None:
        kinds = iteration_kinds(segments, assignments)
    loop, iterate = _iteration_split(participants, kinds)
    table = pd.DataFrame({"transcript_id": participants["transcript_id"].astype(str)})
    table["directive"] = _has(participants, DIRECT_CODES["directive"])
    table["feedback_loop"] = loop
    table["task_iteration"] = iterate
    table["learning"] = _has(participants, DIRECT_CODES["learning"])
    table["validation"] = _has(participants, DIRECT_CODES["validation"])
    table["automation"] = table["directive"] | table["feedback_loop"]
    table["augmentation"] = table[["task_iteration", "learning", "validation"]].any(axis=1)
    table["both"] = table["automation"] & table["augmentation"]
    outside = np.column_stack([_has(participants, c) for c in OUTSIDE_CODES]).any(axis=1)
    table["outside"] = outside & ~(table["automation"] | table["augmentation"])
    return table


def _group_labels(participants: pd.DataFrame, column: str) -> pd.Series:
    labels = participants[column].astype("string").str.strip()
    return labels.mask(labels.isna() | (labels == ""), MISSING_GROUP).astype(str)


def econ_split(participants: pd.DataFrame, segments: pd.DataFrame, assignments: pd.DataFrame,
               *, dimensions: tuple[str, ...] = ("cohort", "occupation_group"),
               min_group_size: int = 5, kinds: pd.DataFrame | None = None) -> pd.DataFrame:
    """Measured shares (every measure) for all participants and per group of each dimension.

    Groups smaller than ``min_group_size`` are left out (a share of two people is noise).
    """
    flags = classify(participants, segments, assignments, kinds=kinds)
    frames = [_shares(flags, "all", ALL)]
    for column in dimensions:
        if column not in participants.columns:
            continue
        labels = _group_labels(participants, column).to_numpy()
        counts = pd.Series(labels).value_counts()
        for group in sorted(counts.index, key=lambda g: (-counts[g], g)):
            if counts[group] >= min_group_size:
                frames.append(_shares(flags[labels == group], column, str(group)))
    return pd.concat(frames, ignore_index=True)[ECON_COLUMNS]


def _shares(flags: pd.DataFrame, dimension: str, group: str) -> pd.DataFrame:
    total = len(flags)
    measures = list(MEASURES)
    counts = flags[measures].sum(axis=0).to_numpy().astype(int) if total else np.zeros(
        len(measures), dtype=int)
    low, high = wilson_arrays(counts, total)
    return pd.DataFrame({
        "source": "measured", "dimension": dimension, "group": group, "measure": measures,
        "label": [MEASURES[m] for m in measures], "n": counts, "total": total,
        "share": counts / total if total else np.full(len(measures), math.nan),
        "ci_low": low, "ci_high": high, "note": "share of participants (multi-label)",
    })


def published_rows() -> pd.DataFrame:
    """The published shares in the same columns (no counts: only percentages were published)."""
    table = PUBLISHED.copy()
    table["dimension"] = "published"
    table["group"] = table["source"]
    table["label"] = table["measure"].map(MEASURES)
    for column in ("n", "total"):
        table[column] = pd.NA
    table["ci_low"] = math.nan
    table["ci_high"] = math.nan
    return table[ECON_COLUMNS]


def econ_table(participants: pd.DataFrame, segments: pd.DataFrame, assignments: pd.DataFrame,
               *, min_group_size: int = 5, kinds: pd.DataFrame | None = None) -> pd.DataFrame:
    """Measured rows followed by the published rows: what ``econ_index.csv`` holds."""
    measured = econ_split(participants, segments, assignments, min_group_size=min_group_size,
                          kinds=kinds)
    table = pd.concat([measured.astype({"n": "Int64", "total": "Int64"}),
                       published_rows().astype({"n": "Int64", "total": "Int64"})],
                      ignore_index=True)
    return table[ECON_COLUMNS]
