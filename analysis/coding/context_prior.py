"""Question-context prior learned from the corpus: where does each code usually fire?

Why: a semi-structured guide asks the same questions in every interview, and a code's
evidence clusters in the answers to a few of them (culture signals in answers to the
colleagues question, kept tasks in answers to the tasks-you-keep question). The codebook's
hand-written ``context`` patterns capture a little of this; this module learns it from the
user's own corpus, for any codebook, with no labels: the share of answers in each question
group (``analysis.questions``) that carry a confident hit of the code, against the code's
share in the whole corpus. A hit's confidence then moves by ``weight`` × log2 of that ratio
(clipped), so a hit that the similarity re-weighing pushed just under the threshold in the
code's usual context comes back, and a borderline hit in a context where the code is rare
drops out. It re-weighs hits only; it never creates an assignment.

Shape (so chunked coding equals whole-corpus coding): ``GroupHitCounts`` are plain sums
(answers per group, confident hits per group and code) that chunks can add up;
``QuestionPrior.from_counts`` turns the corpus total into the small table that ``shift``
reads per hit. Groups are shrunk toward the corpus share by ``SHRINK_ANSWERS`` answers, so a
small group, or a small corpus, gets a prior near zero.

Measured on the dev labels (docs/EVALUATION.md, "Question-context prior"): product path
check-half macro-F1 0.617 -> 0.628, all-90 0.681 -> 0.688, prevalence error 4.4 -> 4.2 pp.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

PRIOR_WEIGHT = 0.1
"""Confidence change per doubling of a code's rate in a question group. At 0.1 a group where
the code is 4x as common as overall adds 0.2; a group where it is half as common subtracts
0.1 (the clip's floor), which never removes a plain single cue hit (0.6) on its own."""
PRIOR_CLIP = (-1.0, 2.0)
"""log2-ratio range: at most halve, at most quadruple."""
SHRINK_ANSWERS = 20.0
"""Pseudo-answers at the corpus rate added to every group before its rate is taken."""
POSITIVE_CONFIDENCE = 0.6
"""A hit at or above this confidence (after similarity) counts as a confident hit."""


@dataclass(slots=True)
class GroupHitCounts:
    """Sufficient statistics of the prior; ``+`` adds two chunks' counts."""

    n_codes: int
    answers: dict[str, int] = field(default_factory=dict)
    hits: dict[str, np.ndarray] = field(default_factory=dict)

    def __add__(self, other: GroupHitCounts) -> GroupHitCounts:
        total = GroupHitCounts(
            self.n_codes, dict(self.answers), {k: v.copy() for k, v in self.hits.items()}
        )
        for group, n in other.answers.items():
            total.answers[group] = total.answers.get(group, 0) + n
            total.hits[group] = total.hits.get(group, np.zeros(self.n_codes)) + other.hits[group]
        return total


def count_group_hits(
    groups: Sequence[str], hits: Iterable[tuple[int, int, float]], n_codes: int
) -> GroupHitCounts:
    """Count answers per question group and confident hits per group and code.

    ``groups``: one question-group label per answer (row); ``hits``: (row, code column,
    confidence) with the confidence after any similarity re-weighing. A code counts once
    per answer.
    """
    counts = GroupHitCounts(n_codes)
    for group in groups:
        counts.answers[group] = counts.answers.get(group, 0) + 1
    seen: set[tuple[int, int]] = set()
    for row, column, confidence in hits:
        if confidence < POSITIVE_CONFIDENCE or (row, column) in seen:
            continue
        seen.add((row, column))
        group = groups[row]
        if group not in counts.hits:
            counts.hits[group] = np.zeros(n_codes)
        counts.hits[group][column] += 1
    for group in counts.answers:
        counts.hits.setdefault(group, np.zeros(n_codes))
    return counts


@dataclass(frozen=True, slots=True)
class QuestionPrior:
    """log2(shrunk group rate / corpus rate) per question group (rows) and code (columns)."""

    groups: dict[str, int]
    log_ratio: np.ndarray
    weight: float = PRIOR_WEIGHT

    @classmethod
    def from_counts(cls, counts: GroupHitCounts, weight: float = PRIOR_WEIGHT) -> QuestionPrior:
        names = sorted(counts.answers)
        if not names:
            return cls({}, np.zeros((0, counts.n_codes)), weight)
        answers = np.array([counts.answers[g] for g in names], dtype=float)
        hits = np.vstack([counts.hits[g] for g in names])
        overall = hits.sum(axis=0) / answers.sum()
        rate = (hits + SHRINK_ANSWERS * overall) / (answers[:, None] + SHRINK_ANSWERS)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(overall > 0, np.log2(rate / np.where(overall > 0, overall, 1.0)), 0.0)
        log_ratio = np.clip(ratio, *PRIOR_CLIP)
        return cls({g: i for i, g in enumerate(names)}, log_ratio, weight)

    def shift(self, group: str, column: int) -> float:
        """Confidence change for a hit of code ``column`` in an answer of ``group``."""
        index = self.groups.get(group)
        return 0.0 if index is None else float(self.weight * self.log_ratio[index, column])
