"""The corpus's question groups (``analysis.questions``) for a streaming project.

Grouping is corpus-wide (a question becomes a group when enough interviews ask it), so it
runs once over every answer's question, in the in-memory pipeline's (transcript, answer)
order, and keeps one row per distinct question. That is the one step of the streaming run
that holds a column of the whole corpus in memory: the question texts and transcript ids
(about 0.4 GB at a million answers), never the answers.
"""

from __future__ import annotations

from analysis.questions import group_questions, normalise_question
from analysis.scale.db import insert_rows, query_frame, stream_frames, transaction
from analysis.store import Store

_QUESTIONS = (
    "SELECT question, transcript_id FROM scale_segments WHERE project = ? "
    "ORDER BY transcript_id, segment_index"
)


def build_question_groups(store: Store, project: str) -> int:
    """Group the project's questions and store ``question_key -> question_group``."""
    questions: list[str] = []
    transcript_ids: list[str] = []
    for chunk in stream_frames(store, _QUESTIONS, [project], 50_000):
        questions.extend(chunk["question"].tolist())
        transcript_ids.extend(chunk["transcript_id"].tolist())
    labels = group_questions(questions, transcript_ids).labels if questions else []
    group_of = {normalise_question(q): label for q, label in zip(questions, labels, strict=True)}
    del questions, transcript_ids, labels
    with transaction(store) as con:
        con.execute("DELETE FROM scale_question_groups WHERE project = ?", [project])
        insert_rows(
            con,
            "scale_question_groups",
            {
                "project": [project] * len(group_of),
                "question_key": list(group_of),
                "question_group": list(group_of.values()),
            },
        )
    return len(group_of)


def question_groups(store: Store, project: str) -> dict[str, str]:
    """``normalise_question(question) -> question_group`` as stored for the project."""
    frame = query_frame(
        store,
        "SELECT question_key, question_group FROM scale_question_groups WHERE project = ?",
        [project],
    )
    return dict(zip(frame["question_key"], frame["question_group"], strict=True))
