"""The tables of a large ("scale") project, kept in the same DuckDB file as everything else.

Why tables rather than the Parquet blobs small projects use: a million answers must be
filtered, counted and paged by the database, never loaded whole. Rows of every project live
in the same tables, keyed by ``project``; there are deliberately no primary keys on the big
tables (DuckDB's ART indexes would hold every key in memory) — writers delete a project's
rows for a stage before re-writing them, inside one transaction.

Column meanings follow the CLI contract of the in-memory pipeline (``analysis.tables``):
``segments.csv`` / ``participants.csv`` written from these tables carry the same names.
"""

from __future__ import annotations

import duckdb

SCALE_SCHEMA = """
CREATE TABLE IF NOT EXISTS scale_projects (
    project VARCHAR PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,          -- ingesting | embedding | topics | coding | done
    n_transcripts BIGINT NOT NULL,
    n_segments BIGINT NOT NULL,
    n_topics INTEGER NOT NULL,
    model_id VARCHAR NOT NULL,
    config_json VARCHAR NOT NULL,
    codebook_yaml VARCHAR,
    run_json VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS scale_transcripts (
    project VARCHAR NOT NULL,
    transcript_id VARCHAR NOT NULL,
    cohort VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    n_segments INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS scale_segments (
    project VARCHAR NOT NULL,
    transcript_id VARCHAR NOT NULL,
    segment_index INTEGER NOT NULL,
    cohort VARCHAR NOT NULL,
    question VARCHAR NOT NULL,
    answer VARCHAR NOT NULL,
    text_hash VARCHAR NOT NULL,       -- analysis.embedding.text_key(answer): the vector key
    n_words INTEGER NOT NULL,
    topic_id INTEGER,                 -- NULL until the topic stage ran; -1 = outlier
    x REAL,
    y REAL
);
CREATE TABLE IF NOT EXISTS scale_topics (
    project VARCHAR NOT NULL,
    topic_id INTEGER NOT NULL,
    label VARCHAR NOT NULL,
    top_words VARCHAR NOT NULL,
    n_answers BIGINT NOT NULL,
    quotes_json VARCHAR NOT NULL      -- JSON list of representative answers
);
CREATE TABLE IF NOT EXISTS scale_codebook (
    project VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    code VARCHAR NOT NULL,
    facet VARCHAR NOT NULL,
    label VARCHAR NOT NULL,
    description VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS scale_assignments (
    project VARCHAR NOT NULL,
    transcript_id VARCHAR NOT NULL,
    segment_index INTEGER NOT NULL,
    code VARCHAR NOT NULL,
    confidence REAL NOT NULL,
    evidence VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS scale_participants (
    project VARCHAR NOT NULL,
    transcript_id VARCHAR NOT NULL,
    cohort VARCHAR NOT NULL,
    occupation VARCHAR NOT NULL,
    occupation_group VARCHAR NOT NULL
);
"""
"""Participant code flags are not stored: ``SELECT DISTINCT transcript_id, code FROM
scale_assignments`` is the roll-up (a participant has a code if any answer carries it)."""

SCALE_SCHEMA_ADDED = """
CREATE TABLE IF NOT EXISTS scale_files (
    project VARCHAR NOT NULL,
    position INTEGER NOT NULL,        -- input order, as files.csv lists them
    file VARCHAR NOT NULL,
    status VARCHAR NOT NULL,          -- parsed | rejected
    transcripts INTEGER NOT NULL,
    reason VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS scale_stages (
    project VARCHAR NOT NULL,
    stage VARCHAR NOT NULL,           -- ingest | embed | topics | coding
    status VARCHAR NOT NULL,          -- running | done
    cursor_json VARCHAR NOT NULL,     -- where a resumed run continues (stage-specific)
    seconds DOUBLE NOT NULL,          -- wall-clock seconds spent, summed over resumed runs
    peak_rss_mb DOUBLE NOT NULL,
    detail_json VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS scale_topic_rows (
    project VARCHAR NOT NULL,
    transcript_id VARCHAR NOT NULL,
    segment_index INTEGER NOT NULL,
    topic_id INTEGER NOT NULL,
    x REAL NOT NULL,
    y REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS scale_transcript_meta (
    project VARCHAR NOT NULL,
    transcript_id VARCHAR NOT NULL,
    position BIGINT NOT NULL,         -- ingest order, as transcripts.csv lists them
    n_turns INTEGER NOT NULL,
    n_participant_turns INTEGER NOT NULL,
    encoding VARCHAR NOT NULL,
    content_key VARCHAR NOT NULL,     -- analysis.ingest.build.content_key: duplicate check
    attributes_json VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS scale_question_groups (
    project VARCHAR NOT NULL,
    question_key VARCHAR NOT NULL,    -- analysis.questions.normalise_question(question)
    question_group VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS scale_coding_hits (
    project VARCHAR NOT NULL,
    chunk INTEGER NOT NULL,           -- the coding chunk (whole transcripts), from 0
    ordinal INTEGER NOT NULL,         -- hit order within the chunk (row, then codebook)
    row_in_chunk INTEGER NOT NULL,
    code_column INTEGER NOT NULL,     -- position in the codebook
    confidence DOUBLE NOT NULL,       -- after the similarity re-weighing
    sentence VARCHAR NOT NULL
);
"""
"""Added by the streaming pipeline (``analysis.scale.run``); only ever added to.

- ``scale_files``: every input file parsed (with a count) or rejected (with a reason).
- ``scale_stages``: per stage its status, resume cursor, seconds and peak memory.
- ``scale_topic_rows``: topic ids and map positions written chunk by chunk, merged into
  ``scale_segments`` in one statement when the stage ends (one join instead of an UPDATE
  per chunk).
- ``scale_transcript_meta``: the rest of ``transcripts.csv`` and the ingest bookkeeping.
- ``scale_question_groups``: the corpus's question groups (``analysis.questions``), one row
  per distinct question: the ``question_group`` column of ``segments.csv`` and the coder's
  question context.
- ``scale_coding_hits``: the coding stage's cue hits from its first pass over the answers,
  read back by its last pass so the answers are scanned once; emptied when coding ends.
The original tables get no new columns: their writers insert rows by position.
"""

SCALE_TABLES = (
    "scale_projects",
    "scale_transcripts",
    "scale_segments",
    "scale_topics",
    "scale_codebook",
    "scale_assignments",
    "scale_participants",
    "scale_files",
    "scale_stages",
    "scale_topic_rows",
    "scale_transcript_meta",
    "scale_question_groups",
    "scale_coding_hits",
)


def ensure_scale_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the scale tables if this store file has never held a large project."""
    con.execute(SCALE_SCHEMA)
    con.execute(SCALE_SCHEMA_ADDED)
