"""Paper parity: our mention rates beside the figures Anthropic published for this corpus.

"Introducing Anthropic Interviewer" (Handa et al., 4 Dec 2025) reports percentages for
the three samples of the public AnthropicInterviewer dataset. A researcher who loads that
dataset should see, per published figure, the closest code of our codebook and the share
of the same sample that has it, with a Wilson 95% interval and counts, and a note where
the two measure different things. Three kinds of published number exist, and the note
says which one each row is:
- survey answers (e.g. 86% say AI saves time): the dataset holds no survey, so our
  mention rate is a different quantity and usually lower;
- interview mention rates found by Anthropic's AI analysis tool (e.g. 69% mentioned
  stigma): the same kind of quantity as ours, from a different classifier;
- "primary" or single-choice measures (e.g. the primary barrier, the primary role of AI):
  one answer per person, where our multi-label codes count every mention.
Where no code is close the row says so and carries no measured share: forcing a match
would put a wrong number beside a published one.

The wording of each figure follows ``shared/research/mission_anchors.md`` §1.2.
Detection: the dataset's ids are ``work_NNNN`` (workforce, 1,000), ``creativity_NNNN``
(creatives, 125) and ``science_NNNN`` (scientists, 125).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.aggregates import wilson_interval

ID_PATTERN = re.compile(r"^(work|creativity|science)_\d{4}$")
PREFIX_SAMPLE = {"work": "workforce", "creativity": "creatives", "science": "scientists"}
SAMPLES = ("workforce", "creatives", "scientists")
DETECT_SHARE = 0.9
"""Share of transcript ids that must follow the dataset's pattern to call it detected."""
SOURCE = "Handa et al., Introducing Anthropic Interviewer, Anthropic, 4 Dec 2025"

PARITY_COLUMNS = [
    "sample",
    "figure",
    "published",
    "published_share",
    "basis",
    "codes",
    "match",
    "population",
    "n",
    "total",
    "share",
    "ci_low",
    "ci_high",
    "note",
]

SURVEY = "survey answer, not in the transcripts: our share counts who mention it"
MENTION = "interview mention rate (Anthropic's AI analysis tool); ours is the codebook's"
PRIMARY = "one 'primary' answer per person; ours counts any mention"


@dataclass(frozen=True, slots=True)
class PublishedFigure:
    """One published percentage and how it maps (or does not) onto our codes.

    ``codes`` are OR-ed (a participant counts when they have any of them); ``given`` narrows
    the population to participants with that code (the paper's "of the anxious 55%").
    An empty ``codes`` means no code is close enough.
    """

    sample: str
    figure: str
    published: str
    published_share: float
    basis: str
    codes: tuple[str, ...] = ()
    match: str = "none"
    given: str = ""
    note: str = ""


FIGURES: tuple[PublishedFigure, ...] = (
    PublishedFigure("workforce", "AI saves them time", "86%", 0.86, "survey",
                    ("outcome.saves_time",), "close", note=SURVEY),
    PublishedFigure("workforce", "satisfied with the role AI plays in their work", "65%", 0.65,
                    "survey", ("outcome.satisfied",), "close", note=SURVEY),
    PublishedFigure("workforce", "mentioned the social stigma that can come with using AI at "
                    "work", "69%", 0.69, "interview mention", ("culture.stigma",), "close",
                    note=MENTION + "; ours also counts hidden use and fear of judgement"),
    PublishedFigure("workforce", "felt secure in their work and believed human skills are "
                    "irreplaceable", "41%", 0.41, "interview",
                    note="no code for feeling secure; job_concern is its opposite, not its "
                         "complement"),
    PublishedFigure("workforce", "expressed anxiety about AI's impact on their future", "55%",
                    0.55, "interview", ("outcome.job_concern",), "close",
                    note="our code is worry about jobs, the profession or own job security; "
                         "the paper's anxiety about 'their future' may be broader"),
    PublishedFigure("workforce", "of the anxious: set boundaries around AI use (e.g. an "
                    "educator always writes lesson plans)", "25%", 0.25, "interview",
                    ("outcome.keeps_human_tasks",), "partial", given="outcome.job_concern",
                    note="population: workforce participants with job_concern (our stand-in "
                         "for 'anxious'); keeps_human_tasks = deliberately keeps tasks"),
    PublishedFigure("workforce", "of the anxious: adapted their roles (took on more "
                    "responsibility or more specialised tasks)", "25%", 0.25, "interview",
                    note="no code for taking on more or more specialised work"),
    PublishedFigure("workforce", "expressed anxiety without any clear remediation plan", "8%",
                    0.08, "interview",
                    note="needs a judgement of 'no plan' that no code makes"),
    PublishedFigure("workforce", "described AI's primary role as augmentative", "65%", 0.65,
                    "interview (self-described)",
                    ("pattern.draft_then_edit", "pattern.iteration", "pattern.sounding_board",
                     "pattern.learning"), "partial",
                    note=PRIMARY + "; ours: any collaborative pattern, so with automative it "
                         "can exceed 100%"),
    PublishedFigure("workforce", "described AI's primary role as automative", "35%", 0.35,
                    "interview (self-described)", ("pattern.delegation",), "partial",
                    note=PRIMARY + "; ours: hands whole tasks to AI (delegation)"),
    PublishedFigure("workforce", "augmentation / automation in Claude usage (Economic Index, "
                    "Sep 2025)", "47% / 49%", math.nan, "Claude usage data",
                    note="conversation logs, not interviews: see the Economic Index lens"),
    PublishedFigure("workforce", "considered moving their careers toward managing and "
                    "overseeing AI systems", "48%", 0.48, "interview",
                    ("outcome.oversight_shift",), "close",
                    note="our code: their role is moving toward directing or overseeing AI"),
    PublishedFigure("creatives", "AI saved them time", "97%", 0.97,
                    "reported (survey or interview not stated)", ("outcome.saves_time",),
                    "close", note="if a survey answer, our mention rate is a lower bound"),
    PublishedFigure("creatives", "AI increased their work's quality", "68%", 0.68,
                    "reported (survey or interview not stated)", ("outcome.quality_gain",),
                    "close", note="if a survey answer, our mention rate is a lower bound"),
    PublishedFigure("creatives", "mentioned trying to manage peer judgment around AI use",
                    "70%", 0.70, "interview mention", ("culture.stigma",), "close",
                    note=MENTION + "; stigma covers fear of judgement by peers and clients"),
    PublishedFigure("creatives", "mentioned wanting to remain in control of their creative "
                    "outputs", "100%", 1.0, "interview mention",
                    ("outcome.keeps_human_tasks",), "partial",
                    note="ours: deliberately keeps some tasks (e.g. creative decisions); "
                         "wanting control without naming a task is not coded"),
    PublishedFigure("scientists", "trust and reliability concerns were the primary barrier",
                    "79%", 0.79, "share of interviews", ("outcome.reliability_concern",),
                    "close", note=PRIMARY.replace("'primary' answer", "primary barrier")),
    PublishedFigure("scientists", "technical limitations of current AI appeared", "27%", 0.27,
                    "share of interviews", ("outcome.frustrated",), "partial",
                    note="frustrated also covers wrong or generic output and wasted time"),
    PublishedFigure("scientists", "regulatory compliance as a barrier", "< 10%", math.nan,
                    "share of interviews", ("culture.restricted",), "partial",
                    note="restricted = banned or restricted at work (privacy, security, "
                         "compliance)"),
    PublishedFigure("scientists", "concerns about skill atrophy", "< 10%", math.nan,
                    "share of interviews", ("outcome.skill_concern",), "close",
                    note="skill_concern also counts practising on purpose to keep skills"),
    PublishedFigure("scientists", "cost barriers", "< 10%", math.nan, "share of interviews",
                    note="no code for cost"),
    PublishedFigure("scientists", "expressed a desire for more AI assistance in their research",
                    "91%", 0.91, "interview", note="no code for wanting more AI help"),
    PublishedFigure("all", "rated their interview satisfaction 5 or more on a 1–7 scale",
                    "97.6%", 0.976, "post-interview survey",
                    note="rates the interview itself; not in the transcripts"),
    PublishedFigure("all", "felt the conversation captured their thoughts well (5–7)",
                    "96.96%", 0.9696, "post-interview survey",
                    note="rates the interview itself; not in the transcripts"),
    PublishedFigure("all", "would recommend the interview format", "99.12%", 0.9912,
                    "post-interview survey",
                    note="rates the interview itself; not in the transcripts"),
)


def is_anthropic_interviewer(transcript_ids: pd.Series | list[str]) -> bool:
    """True when at least 90% of the ids follow the public dataset's id pattern."""
    ids = pd.Series(list(transcript_ids), dtype="string").dropna().str.strip()
    if ids.empty:
        return False
    return float(ids.str.match(ID_PATTERN).mean()) >= DETECT_SHARE


def sample_of(participants: pd.DataFrame) -> pd.Series:
    """The published sample of each participant: from the id prefix, else the cohort name.

    Ids decide when they follow the pattern, so a relabelled cohort column cannot move a
    participant between samples; otherwise (the user chose parity for a copy with other
    ids) a cohort named like a sample counts as it.
    """
    ids = participants["transcript_id"].astype(str).str.strip()
    by_id = ids.str.extract(r"^(work|creativity|science)_\d{4}$")[0].map(PREFIX_SAMPLE)
    cohort = participants.get("cohort", pd.Series("", index=participants.index))
    by_cohort = cohort.fillna("").astype(str).str.strip().str.casefold()
    by_cohort = by_cohort.where(by_cohort.isin(SAMPLES))
    return by_id.fillna(by_cohort).fillna("")


def _has_any(participants: pd.DataFrame, codes: tuple[str, ...]) -> np.ndarray | None:
    """Participants with any of ``codes``; None when a code is not in this result."""
    if any(code not in participants.columns for code in codes):
        return None
    frame = participants[list(codes)].apply(pd.to_numeric, errors="coerce").fillna(0)
    return (frame.to_numpy() > 0).any(axis=1)


def parity_table(participants: pd.DataFrame) -> pd.DataFrame:
    """One row per published figure with our closest measure (see the module docstring).

    ``participants`` must be the whole project (not a filtered view): the published
    figures describe whole samples.
    """
    samples = sample_of(participants).to_numpy()
    rows = []
    for fig in FIGURES:
        in_sample = np.ones(len(participants), bool) if fig.sample == "all" else (
            samples == fig.sample)
        population = fig.sample
        note = fig.note
        row = {"sample": fig.sample, "figure": fig.figure, "published": fig.published,
               "published_share": fig.published_share, "basis": fig.basis,
               "codes": " or ".join(fig.codes), "match": fig.match}
        measured = _has_any(participants, fig.codes) if fig.codes else None
        if fig.given:
            given = _has_any(participants, (fig.given,))
            population = f"{fig.sample} with {fig.given}"
            in_sample = in_sample & given if given is not None else in_sample & False
            measured = None if given is None else measured
        total = int(in_sample.sum())
        if measured is None or not total:
            n, share, low, high = -1, math.nan, math.nan, math.nan
            if fig.codes and measured is None:
                note = "a code of this row is not in this project's codebook; " + note
            elif fig.codes:
                note = f"nobody in {population}; " + note
        else:
            n = int(measured[in_sample].sum())
            share = n / total
            low, high = wilson_interval(n, total)
        rows.append({**row, "population": population, "n": n if n >= 0 else pd.NA,
                     "total": total if fig.codes else pd.NA, "share": share, "ci_low": low,
                     "ci_high": high, "note": note})
    table = pd.DataFrame(rows, columns=PARITY_COLUMNS)
    table["n"] = table["n"].astype("Int64")
    table["total"] = table["total"].astype("Int64")
    return table
