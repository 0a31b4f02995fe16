"""Participant withdrawal: erase one participant from a saved project, and from the file.

Why this is more than a DELETE: a participant's words live in many derived places — turns,
answer segments, code assignments and their evidence sentences, participant profiles, the
topics' representative quotes and keywords, the per-segment text hashes, the shared vector
cache, run notes — and DuckDB keeps freed blocks in the file, so deleted text stays readable
in the raw bytes until the file is rewritten. ``withdraw_participant`` rebuilds every frame
without the participant, re-chooses the quotes of the topics they were in from the remaining
members (same centroid rule as the topic model, vectors from the cache), drops topic words
no remaining answer contains, updates the counts, deletes their vectors, and finally
rewrites the store file (``Store.compact``).

Vectors are keyed by text hash and shared by projects: a vector is kept when another
remaining answer, in any project, still has the identical text (or paragraph unit). Its
bytes then belong to that other answer as much as to the withdrawn one, and they are numbers
that hold no text. The decision is documented in docs/TEAM.md.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.embedding import CachedEmbedder, embed_answers, make_embedder, text_key
from analysis.embedding.base import normalise_text
from analysis.embedding.units import DEFAULT_MAX_WORDS, split_units
from analysis.results import AnalysisResult
from analysis.store import ProjectState, Store
from analysis.topics import readable_label, representative_quotes, topic_centroids

WITHDRAWN_KEY = "withdrawn"
"""Fit and result keys after a withdrawal: the next analysis of the project starts afresh."""


@dataclass(frozen=True, slots=True)
class WithdrawalReport:
    """What one withdrawal removed (counts only: never the participant's id or words)."""

    turns: int
    answers: int
    assignments: int
    vectors_deleted: int
    vectors_kept_shared: int
    topics_requoted: int
    topics_dropped: int
    compact_seconds: float

    def detail(self) -> str:
        """The audit-log line: numbers only."""
        return (
            f"1 participant withdrawn: {self.turns} turns, {self.answers} answers, "
            f"{self.assignments} code assignments, {self.vectors_deleted} vectors deleted "
            f"({self.vectors_kept_shared} kept: identical text elsewhere), "
            f"{self.topics_requoted} topics re-quoted, {self.topics_dropped} dropped"
        )


def _unit_max_words(config: dict) -> int:
    return int(config.get("unit_max_words") or DEFAULT_MAX_WORDS)


def text_keys_of(answers: list[str], max_words: int) -> set[str]:
    """Every vector-cache key the answers were embedded under (answers and their units)."""
    keys = {text_key(a) for a in answers}
    for answer in answers:
        keys.update(text_key(u) for u in split_units(answer, max_words))
    return keys


def _keys_in_use(store: Store, skip: str, remaining: pd.DataFrame, max_words: int) -> set[str]:
    """Vector keys still needed: the remaining answers of this and every other project."""
    used = text_keys_of(list(remaining["answer"].astype(str)), max_words)
    for info in store.list_projects():
        if info.name == skip:
            continue
        other = store.load_base_result(info.name)
        state = store.get_state(info.name)
        if other is None or state is None:
            continue
        used |= text_keys_of(list(other.segments["answer"].astype(str)),
                             _unit_max_words(state.config))
    return used


def _drop_files(files: pd.DataFrame, source_files: set[str]) -> pd.DataFrame:
    """One transcript fewer in its source file; a file left with none disappears."""
    if not len(files) or "file" not in files:
        return files
    files = files.copy()
    hit = files["file"].astype(str).isin(source_files)
    if "transcripts" in files:
        files.loc[hit, "transcripts"] = files.loc[hit, "transcripts"].astype(int) - 1
        return files[~hit | (files["transcripts"] > 0)].reset_index(drop=True)
    return files[~hit].reset_index(drop=True)


def _words(value: object) -> list[str]:
    """Topic words as a list: saved as ``"a, b"`` text, or as a list in older results."""
    if isinstance(value, str):
        return [w.strip() for w in value.split(",") if w.strip()]
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [str(w).strip() for w in value if str(w).strip()]


def _present(word: str, texts: list[str]) -> bool:
    needle = word.casefold()
    return any(needle in t for t in texts)


def _retopic(
    result: AnalysisResult,
    gone: pd.DataFrame,
    vectors: np.ndarray,
    n_quotes: int,
) -> tuple[pd.DataFrame, int, int]:
    """Topic sizes, quotes and words without the withdrawn answers.

    Returns the new topics frame, how many topics were re-quoted and how many were dropped
    (their only members were the withdrawn participant's answers).
    """
    topics = result.topics.copy()
    if not len(topics):
        return topics, 0, 0
    segments = result.segments
    ids = segments["topic_id"].astype(int).to_numpy() if len(segments) else np.zeros(0, int)
    sizes = pd.Series(ids).value_counts()
    affected = set(gone["topic_id"].astype(int)) if "topic_id" in gone else set()
    gone_texts = {normalise_text(a).casefold() for a in gone["answer"].astype(str)}
    docs = list(segments["answer"].astype(str))
    lowered = [d.casefold() for d in docs]
    centroids = topic_centroids(vectors, ids) if len(docs) else {}
    keep, requoted = [], 0
    for row in topics.to_dict("records"):
        topic = int(row["topic_id"])
        row["size"] = int(sizes.get(topic, 0))
        if topic >= 0 and row["size"] == 0:
            continue
        quotes = [str(q) for q in (row.get("representative_quotes") or [])]
        stale = any(normalise_text(q).casefold() in gone_texts for q in quotes)
        if topic in affected or stale:
            members = np.flatnonzero(ids == topic)
            centroid = centroids.get(topic)
            row["representative_quotes"] = (
                representative_quotes(docs, vectors, members, centroid, n_quotes or len(quotes))
                if centroid is not None and len(members) else []
            )
            member_texts = [lowered[i] for i in members]
            listed = row.get("top_words")
            words = _words(listed)
            kept = [w for w in words if _present(w, member_texts)]
            if len(kept) != len(words):
                row["top_words"] = ", ".join(kept) if isinstance(listed, str) else kept
                if topic >= 0:
                    n_words = max(1, len(str(row.get("label") or "").split(",")))
                    row["label"] = readable_label(kept, n_words)
            requoted += 1
        keep.append(row)
    frame = pd.DataFrame(keep, columns=topics.columns)
    return frame, requoted, len(topics) - len(frame)


def _hierarchy(hierarchy: pd.DataFrame, topic_ids: set[int]) -> pd.DataFrame:
    """Forget dropped topics in the merge tree's member lists."""
    if not len(hierarchy) or "topics" not in hierarchy:
        return hierarchy
    hierarchy = hierarchy.copy()
    hierarchy["topics"] = [[t for t in ts if int(t) in topic_ids] for ts in hierarchy["topics"]]
    return hierarchy


def _pooled_vectors(store: Store, state: ProjectState, answers: list[str]) -> np.ndarray:
    """Answer vectors from the cache (the embedder runs only if the cache lost some)."""
    config = state.config
    backend = str(config.get("embedding_backend") or "minilm")
    options = (
        {"max_seq_length": int(config["max_seq_length"]), "batch_size": int(config["batch_size"])}
        if backend == "minilm" and "max_seq_length" in config and "batch_size" in config
        else {}
    )
    embedder = CachedEmbedder(make_embedder(backend, **options), store)
    return embed_answers(embedder, answers, _unit_max_words(config))


def withdraw_participant(
    store: Store, project: str, transcript_id: str, *, compact: bool = True
) -> WithdrawalReport:
    """Remove ``transcript_id`` and everything derived from it from ``project``.

    ``project`` is the store key (``ScopedStore.key``); access is checked by the caller.
    ``KeyError`` when the project or the participant is unknown. Topic renames and merges
    of surviving topics are kept; those of dropped topics are forgotten.
    """
    base = store.load_base_result(project)
    state = store.get_state(project)
    if base is None or state is None:
        raise KeyError(f"no project named {project!r}")
    tid = str(transcript_id)
    is_gone = base.transcripts["transcript_id"].astype(str) == tid
    if not is_gone.any():
        raise KeyError("no such participant in this project")
    source_files = set(base.transcripts.loc[is_gone, "source_file"].astype(str)) if (
        "source_file" in base.transcripts) else set()

    def without(frame: pd.DataFrame) -> pd.DataFrame:
        if not len(frame) or "transcript_id" not in frame:
            return frame
        return frame[frame["transcript_id"].astype(str) != tid].reset_index(drop=True)

    gone = base.segments[base.segments["transcript_id"].astype(str) == tid]
    n_turns = int((base.turns["transcript_id"].astype(str) == tid).sum()) if len(base.turns) else 0
    n_assign = int((base.assignments["transcript_id"].astype(str) == tid).sum()) if len(
        base.assignments) else 0
    quotes_per_topic = max(
        (len(q) for q in base.topics.get("representative_quotes", pd.Series(dtype=object))
         if isinstance(q, list)),
        default=0,
    )
    result = AnalysisResult(
        files=_drop_files(base.files, source_files),
        transcripts=without(base.transcripts),
        turns=without(base.turns),
        segments=without(base.segments),
        topics=base.topics,
        participants=without(base.participants),
        assignments=without(base.assignments),
        codebook=base.codebook,
        topic_hierarchy=base.topic_hierarchy,
        run=dict(base.run),
        messages=[m for m in base.messages if tid not in m],
    )
    max_words = _unit_max_words(state.config)
    answers = list(result.segments["answer"].astype(str))
    vectors = _pooled_vectors(store, state, answers) if answers else np.zeros((0, 0), np.float32)
    result.topics, requoted, dropped = _retopic(result, gone, vectors, quotes_per_topic)
    kept_ids = set(result.topics["topic_id"].astype(int)) if len(result.topics) else set()
    result.topic_hierarchy = _hierarchy(result.topic_hierarchy, kept_ids)
    labels = dict(zip(result.topics["topic_id"].astype(int), result.topics["label"], strict=False))
    if "topic_label" in result.segments and len(result.segments):
        result.segments = result.segments.copy()
        result.segments["topic_label"] = [
            labels.get(int(t), old) for t, old in
            zip(result.segments["topic_id"], result.segments["topic_label"], strict=True)
        ]
    counts = dict(result.run.get("counts") or {})
    counts.update(files=len(result.files), transcripts=len(result.transcripts),
                  segments=len(result.segments),
                  topics=int((result.topics["topic_id"] >= 0).sum()) if len(result.topics) else 0)
    result.run["counts"] = counts
    result.run["withdrawals"] = int(result.run.get("withdrawals", 0)) + 1

    keys = state.segment_keys
    if len(keys):
        keys = keys[keys["transcript_id"].astype(str) != tid].reset_index(drop=True)
    marker = hashlib.sha256(f"{state.result_key}|{len(result.transcripts)}".encode()).hexdigest()
    new_state = ProjectState(
        fit_key=f"{WITHDRAWN_KEY}:{marker[:16]}",
        result_key=f"{WITHDRAWN_KEY}:{marker[:16]}",
        model_id=state.model_id,
        config=state.config,
        codebook_yaml=state.codebook_yaml,
        segment_keys=keys,
    )
    edits = [e for e in store.get_topic_edits(project) if set(e.topic_ids) <= kept_ids]
    store.save_result(project, result, new_state)
    store.clear_topic_edits(project)
    for edit in edits:
        if edit.kind == "merge":
            store.merge_topics(project, edit.topic_ids, edit.label)
        else:
            store.rename_topic(project, edit.topic_ids[0], edit.label or "")

    candidates = text_keys_of(list(gone["answer"].astype(str)), max_words)
    in_use = _keys_in_use(store, project, result.segments, max_words)
    doomed = sorted(candidates - in_use)
    store.delete_vectors(doomed, state.model_id)
    started = time.perf_counter()
    if compact:
        store.compact()
    return WithdrawalReport(
        turns=n_turns,
        answers=len(gone),
        assignments=n_assign,
        vectors_deleted=len(doomed),
        vectors_kept_shared=len(candidates & in_use),
        topics_requoted=requoted,
        topics_dropped=dropped,
        compact_seconds=round(time.perf_counter() - started, 3),
    )
