"""A saved two-project store with one participant whose words carry a distinctive marker.

Built from the hand-written 12-participant fixture (no model fitting, so it takes well
under a second): participant ``w01`` is renamed to ``PARTICIPANT`` and their answers, turns,
evidence sentences and a topic quote carry ``MARKER``. One of their answers (``SHARED``)
is also an answer in a second project, to test the shared-vector rule.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.embedding import CachedEmbedder, embed_answers, make_embedder, text_key
from analysis.results import AnalysisResult
from analysis.store import ProjectState, Store
from tests.analysis.fixture_project import load_fixture_result

MARKER = "Quillfeather Zanzibarian"
PARTICIPANT = "withdrawn-participant-7731"
SHARED = "Our manager encourages it and colleagues share prompts in a team channel."
PROJECT = "owner@lab.org/Study"
OTHER = "owner@lab.org/Other"
CONFIG = {"embedding_backend": "hashing", "unit_max_words": 120}


def marked_result() -> AnalysisResult:
    """The fixture with ``w01`` turned into the marked participant."""
    result = load_fixture_result()
    for name in ("transcripts", "turns", "segments", "participants", "assignments"):
        frame = getattr(result, name)
        frame["transcript_id"] = frame["transcript_id"].replace({"w01": PARTICIPANT})
    segments = result.segments
    mine = segments["transcript_id"] == PARTICIPANT
    old_answers = list(segments.loc[mine, "answer"])
    new_answers = [f"{a} My colleague {MARKER} calls this the {MARKER} routine." for a in
                   old_answers]
    new_answers.append(SHARED)
    segments.loc[mine, "answer"] = new_answers[: int(mine.sum())]
    extra = segments[mine].tail(1).copy()
    extra["segment_index"] = int(segments.loc[mine, "segment_index"].max()) + 1
    extra["answer"] = SHARED
    result.segments = pd.concat([segments, extra], ignore_index=True)
    turns = result.turns
    turns.loc[turns["transcript_id"] == PARTICIPANT, "text"] += f" ({MARKER})"
    assignments = result.assignments
    assignments.loc[assignments["transcript_id"] == PARTICIPANT, "evidence"] = (
        f"My colleague {MARKER} calls this the routine."
    )
    replaced = dict(zip(old_answers, new_answers, strict=False))
    result.topics["representative_quotes"] = [
        [replaced.get(q, q) for q in quotes] for quotes in result.topics["representative_quotes"]
    ]
    result.messages = [f"Metadata row for {PARTICIPANT} matched by transcript id."]
    return result


def segment_keys(result: AnalysisResult) -> pd.DataFrame:
    frame = result.segments[["transcript_id", "segment_index"]].copy()
    frame["text_hash"] = [text_key(a) for a in result.segments["answer"]]
    return frame


def build_store(path: Path) -> Store:
    """The store file with ``PROJECT`` (marked) and ``OTHER`` (shares one answer)."""
    store = Store(path)
    embedder = CachedEmbedder(make_embedder("hashing"), store)
    result = marked_result()
    embed_answers(embedder, list(result.segments["answer"]), 120)
    state = ProjectState(fit_key="fit", result_key="res", model_id=embedder.model_id,
                         config=dict(CONFIG), codebook_yaml=None,
                         segment_keys=segment_keys(result))
    store.save_result(PROJECT, result, state)
    other = load_fixture_result()
    other.segments = other.segments.head(3).copy()
    other.segments.loc[0, "answer"] = SHARED
    embed_answers(embedder, list(other.segments["answer"]), 120)
    store.save_result(OTHER, other, ProjectState(
        fit_key="fit2", result_key="res2", model_id=embedder.model_id, config=dict(CONFIG),
        codebook_yaml=None, segment_keys=segment_keys(other)))
    return store
