"""Column contracts of the tidy tables the pipeline produces.

These names are a public interface: the CLI writes them to CSV files that scripts and
checks read, and the app's pages read them from the project store. Add columns, never
rename or remove them.
"""

from __future__ import annotations

FILES_COLUMNS = ["file", "status", "transcripts", "reason"]
TRANSCRIPTS_COLUMNS = [
    "transcript_id",
    "cohort",
    "source_file",
    "n_turns",
    "n_participant_turns",
    "encoding",
]
TURNS_COLUMNS = ["transcript_id", "turn_index", "speaker", "role", "text"]
SEGMENTS_COLUMNS = ["transcript_id", "segment_index", "question", "answer"]
SEGMENTS_ANALYSED_COLUMNS = [*SEGMENTS_COLUMNS, "topic_id", "topic_label", "x", "y", "codes"]
TOPICS_COLUMNS = ["topic_id", "label", "size", "top_words", "representative_quotes"]
PARTICIPANTS_BASE_COLUMNS = ["transcript_id", "cohort", "occupation", "occupation_group"]
"""Followed by one 0/1 column per code id, named exactly as the code id."""
ASSIGNMENTS_COLUMNS = ["transcript_id", "segment_index", "code", "confidence", "evidence"]
"""Segment-level code assignments; ``evidence`` is the best participant sentence."""

OUTLIER_TOPIC_ID = -1
