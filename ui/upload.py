"""The Upload page's workflow: parse a batch, summarise it, override roles, analyse, save.

The parsing and summarising functions take plain ``(name, bytes)`` pairs, not Streamlit
``UploadedFile`` objects, so tests can drive exactly the code path the page uses. The
``draw_*`` functions are the page's sections; the page file only orders them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from analysis.records import IngestResult
from ui import cache, job_status, jobs, state
from ui.widgets import escape_markdown

TRANSCRIPT_TYPES = ["txt", "md", "csv", "tsv", "xlsx", "json", "jsonl", "vtt", "srt", "docx",
                    "zip"]
METADATA_TYPES = ["csv", "tsv", "xlsx"]
ALL_TRANSCRIPTS = "*"
PICK = "upload.pick"
PICK_SYNCED = "upload.pick.synced"
PREVIEW_TURNS = 40
SESSION_TAG = "upload.session_tag"
"""Random 4-hex tag of this session, part of its suggested project names."""
JOB = "upload.job"
"""This session's analysis on the job queue: ``(job key, project name, transcripts)``."""
INLINE_WAIT_S = 3600.0
"""How long the run that clicked "Analyse" follows the job before a poller takes over."""
RUNNING = "Analysing…"
ENGINE = "upload.engine"
RAY_ADDRESS = "upload.ray_address"
ENGINE_LABELS = {"local": "Local (this computer)", "ray": "Ray cluster"}
ENGINE_ERRORS = ("EngineUnavailable", "EngineError")

Blob = tuple[str, bytes]


@dataclass(slots=True)
class ParsedBatch:
    """One parsed upload: what went in (by digest), what came out, and its summary."""

    digest: str
    blobs: list[Blob]
    metadata: Blob | None
    overrides: dict[str, str]
    ingest: IngestResult
    files: pd.DataFrame = field(default_factory=pd.DataFrame)
    cohorts: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def n_parsed(self) -> int:
        return int((self.files["status"] == "parsed").sum()) if len(self.files) else 0

    @property
    def n_rejected(self) -> int:
        return int((self.files["status"] == "rejected").sum()) if len(self.files) else 0


def batch_digest(blobs: list[Blob], metadata: Blob | None, overrides: dict[str, str]) -> str:
    """Identifies a batch by content, so re-drawing the page never re-parses it."""
    digest = hashlib.sha256()
    for name, data in [*blobs, *([metadata] if metadata else [])]:
        digest.update(name.encode("utf-8", "replace") + b"\0")
        digest.update(hashlib.sha256(data).digest())
    digest.update(repr(sorted(overrides.items())).encode())
    return digest.hexdigest()[:16]


def files_summary(ingest: IngestResult) -> pd.DataFrame:
    """One row per input file: parsed (with transcripts) or rejected (with the reason)."""
    rows = [{"file": f.file, "status": f.status, "transcripts": f.transcripts,
             "reason": f.reason, "encoding": f.encoding} for f in ingest.files]
    return pd.DataFrame(rows, columns=["file", "status", "transcripts", "reason", "encoding"])


def cohort_summary(ingest: IngestResult) -> pd.DataFrame:
    """Transcripts (= participants) and non-empty participant answers per cohort."""
    rows: dict[str, dict[str, int]] = {}
    for transcript in ingest.transcripts:
        row = rows.setdefault(transcript.cohort, {"transcripts": 0, "answers": 0})
        row["transcripts"] += 1
        row["answers"] += len(transcript.participant_turns)
    frame = pd.DataFrame([{"cohort": c, **v} for c, v in sorted(rows.items())],
                         columns=["cohort", "transcripts", "answers"])
    return frame


def parse_uploads(
    blobs: list[Blob],
    *,
    metadata: Blob | None = None,
    overrides: dict[str, str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> ParsedBatch:
    """Parse uploaded files (ZIPs included) with the user's interviewer overrides."""
    from analysis.ingest import IngestOptions, ingest_blobs

    overrides = dict(overrides or {})
    ingest = ingest_blobs(list(blobs), metadata=metadata,
                          options=IngestOptions(interviewer_override=overrides),
                          progress=progress)
    return ParsedBatch(digest=batch_digest(blobs, metadata, overrides), blobs=list(blobs),
                       metadata=metadata, overrides=overrides, ingest=ingest,
                       files=files_summary(ingest), cohorts=cohort_summary(ingest))


def default_project_name() -> str:
    """"Upload <date time> · <session tag>": the tag is this session's own, so two
    sessions analysing in the same minute never save over each other's project."""
    tag = state.get(SESSION_TAG)
    if not tag:
        tag = secrets.token_hex(2)
        state.put(SESSION_TAG, tag)
    return f"Upload {dt.datetime.now():%Y-%m-%d %H:%M} · {tag}"


# --- page sections ---------------------------------------------------------------------


def draw_project_picker() -> None:
    """Saved projects: open one (instant, cached) or delete one."""
    names = cache.project_names()
    active = state.active_project()
    if active is not None:
        st.caption("Open now")
        st.text(active.name)
    if not names:
        st.caption("No saved projects yet.")
        return
    # The picker follows the open project (after an analysis or an open elsewhere), so
    # "Delete" never silently targets a project other than the one the user sees.
    if active is not None and active.name in names and state.get(PICK_SYNCED) != active.name:
        st.session_state[PICK] = active.name
        state.put(PICK_SYNCED, active.name)
    if st.session_state.get(PICK) not in names:
        st.session_state.pop(PICK, None)
    chosen = st.selectbox("Saved projects", names, key=PICK)
    row = st.container(horizontal=True)
    if row.button("Open", key="upload.open", icon=":material/folder_open:", type="primary"):
        cache.open_project(chosen)
        st.rerun()
    with row.popover("Delete", icon=":material/delete:"):
        st.caption("Deletes the saved analysis (not your files).")
        confirmed = st.button(f"Delete {chosen}", key="upload.delete", type="primary")
    if confirmed:
        cache.store().delete_project(chosen)
        cache.project_changed(chosen)
        if active is not None and active.name == chosen:
            state.clear_active_project()
        st.rerun()


def parse_with_progress(blobs: list[Blob], metadata: Blob | None,
                        overrides: dict[str, str]) -> ParsedBatch:
    """Parse (or reuse the parsed batch of the same content) with a visible progress bar."""
    previous: ParsedBatch | None = state.get(state.UPLOAD_BATCH)
    if previous is not None and previous.digest == batch_digest(blobs, metadata, overrides):
        return previous
    bar = st.progress(0.0, text="Parsing files…")

    def progress(done: int, total: int, name: str) -> None:
        bar.progress(min(1.0, done / max(1, total)), text=f"Parsing {done}/{total} files")

    batch = parse_uploads(blobs, metadata=metadata, overrides=overrides, progress=progress)
    bar.empty()
    state.put(state.UPLOAD_BATCH, batch)
    return batch


def limits_note() -> str:
    """The per-file, per-batch and archive limits the parser enforces, in words."""
    from analysis.ingest.limits import describe_limits

    return describe_limits()


def draw_summary(batch: ParsedBatch) -> None:
    """Files parsed/rejected with reasons, transcripts and answers per cohort, warnings."""
    ingest = batch.ingest
    cols = st.columns(5)
    cols[0].metric("Files parsed", batch.n_parsed)
    cols[1].metric("Files rejected", batch.n_rejected)
    cols[2].metric("Transcripts", len(ingest.transcripts))
    cols[3].metric("Duplicates skipped", len(ingest.duplicates))
    cols[4].metric("Unmatched metadata keys", len(ingest.metadata_unmatched))
    st.caption(limits_note())
    rejected = batch.files[batch.files["status"] == "rejected"]
    if len(rejected):
        st.warning(f"{len(rejected)} file(s) could not be used:")
        st.dataframe(rejected[["file", "reason"]], hide_index=True, width="stretch")
    if len(batch.cohorts):
        st.caption("Participants and answers per cohort")
        st.dataframe(batch.cohorts, hide_index=True)
    if ingest.duplicates:
        st.caption("Duplicates (kept → skipped)")
        st.dataframe(pd.DataFrame(ingest.duplicates, columns=["kept", "duplicate"]),
                     hide_index=True)
    if ingest.metadata_unmatched:
        st.caption("Metadata keys that match no transcript")
        st.dataframe(pd.DataFrame({"key": ingest.metadata_unmatched}), hide_index=True)
    for warning in ingest.warnings:
        st.caption(escape_markdown(warning))
    with st.expander("All files"):
        st.dataframe(batch.files, hide_index=True, width="stretch")


def draw_transcript(turns: pd.DataFrame, *, coded_turns: set[int] | None = None,
                    limit: int | None = None) -> None:
    """Turns as chat bubbles (interviewer vs participant), every text shown as plain text."""
    shown = turns if limit is None else turns.head(limit)
    for turn in shown.itertuples(index=False):
        interviewer = turn.role == "interviewer"
        with st.chat_message("assistant" if interviewer else "user",
                             avatar=":material/mic:" if interviewer else ":material/person:"):
            marker = " · coded" if coded_turns and int(turn.turn_index) in coded_turns else ""
            st.caption(f"{'Interviewer' if interviewer else 'Participant'} · "
                       f"{escape_markdown(turn.speaker)}{marker}")
            st.text(str(turn.text))
    if limit is not None and len(turns) > limit:
        st.caption(f"… {len(turns) - limit} more turns")


def draw_preview(batch: ParsedBatch) -> None:
    """One transcript, interviewer and participant turns visibly distinct."""
    transcripts = batch.ingest.transcripts
    if not transcripts:
        return
    ids = [t.transcript_id for t in transcripts]
    chosen = st.selectbox("Preview transcript", ids, key="upload.preview")
    transcript = transcripts[ids.index(chosen)] if chosen in ids else transcripts[0]
    turns = pd.DataFrame([{"turn_index": t.index, "speaker": t.speaker, "role": t.role,
                           "text": t.text} for t in transcript.turns])
    if state.redaction_on():
        from ui.redaction import redact_turns

        turns = redact_turns(turns, transcript.transcript_id)
    st.caption(f"Cohort {escape_markdown(transcript.cohort)} · "
               f"{len(transcript.turns)} turns · from {escape_markdown(transcript.source_file)}")
    if len(turns):
        with st.container(height=560):
            draw_transcript(turns, limit=PREVIEW_TURNS)


def draw_override(batch: ParsedBatch) -> dict[str, str] | None:
    """Let the user say which speaker label is the interviewer (one transcript or all).

    Returns the new override mapping when the user applies one, else None.
    """
    from analysis.ingest import speaker_summary

    summary = speaker_summary(batch.ingest)
    if summary.empty:
        return None
    st.dataframe(summary, hide_index=True, width="stretch")
    ids = [ALL_TRANSCRIPTS, *dict.fromkeys(summary["transcript_id"].astype(str))]
    scope = st.selectbox("Apply to", ids, key="upload.override.scope",
                         format_func=lambda t: "All transcripts" if t == ALL_TRANSCRIPTS else t)
    rows = summary if scope == ALL_TRANSCRIPTS else summary[summary["transcript_id"] == scope]
    speakers = list(dict.fromkeys(rows["speaker"].astype(str)))
    speaker = st.selectbox("Interviewer is", speakers, key="upload.override.speaker")
    if st.button("Apply and re-parse", key="upload.override.apply", icon=":material/sync:"):
        overrides = dict(batch.overrides)
        if scope == ALL_TRANSCRIPTS:
            overrides = {ALL_TRANSCRIPTS: speaker}
        else:
            overrides[scope] = speaker
        return overrides
    return None


@dataclass(frozen=True, slots=True)
class EngineChoice:
    """Where the analysis's embedding and coding run (``analysis.engines``)."""

    engine: str = "local"
    address: str | None = None


def draw_engine_setting() -> EngineChoice:
    """The "Engine" setting: local, or a Ray cluster (an address, or a local one)."""
    from analysis.engines import ray_available

    with st.expander("Engine", icon=":material/memory:"):
        engine = st.radio(
            "Where embedding and coding run", list(ENGINE_LABELS), key=ENGINE,
            format_func=ENGINE_LABELS.__getitem__, horizontal=True,
            help="Results are identical either way; Ray spreads the model over many "
                 "workers (docs/RAY.md).")
        if engine != "ray":
            return EngineChoice()
        if not ray_available():
            st.warning("Ray is not installed on this server; the analysis runs locally.")
            return EngineChoice()
        address = st.text_input(
            "Ray cluster address", key=RAY_ADDRESS, max_chars=200,
            placeholder="host:port or ray://host:port",
            help="Empty: a Ray cluster on this computer only (127.0.0.1). An address "
                 "connects to that cluster and to nothing else.")
        st.caption("The transcripts' answers are sent to the cluster's workers; results "
                   "are saved here, in this project's store.")
        return EngineChoice("ray", address.strip() or None)


def analysis_key(batch: ParsedBatch, project: str, engine: EngineChoice | None = None) -> str:
    """Same upload, settings, project name and store: the same analysis (one job)."""
    engine = engine or EngineChoice()
    text = "\0".join([batch.digest, project, cache.store_path(), engine.engine,
                      engine.address or ""])
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]


def analyse(batch: ParsedBatch, project: str, engine: EngineChoice | None = None) -> None:
    """Queue the pipeline for this batch (or join the same job in flight) and follow it.

    The work runs on the process-wide job queue (``ui.jobs``), never in this script
    thread, so a click elsewhere cannot interrupt or duplicate it; this run then shows
    its progress until it ends (a rerun keeps following it, see ``follow_job``).
    """
    from dataclasses import replace

    from analysis.config import PipelineConfig
    from analysis.pipeline import run_pipeline

    engine = engine or EngineChoice()
    config = replace(PipelineConfig(), engine=engine.engine, ray_address=engine.address)
    key = analysis_key(batch, project, engine)
    pending = state.get(JOB)
    if pending and pending[0] != key:
        running = jobs.queue().get(pending[0])
        if running is not None and not running.finished:
            st.info("This session already has an analysis queued or running; it can start "
                    "another once that one has finished.", icon=":material/hourglass_top:")
            return
    if not pending or pending[0] != key or jobs.queue().get(key) is None:
        try:
            target = cache.store()
        except Exception:  # no store: the result is still shown, just not saved
            target = None
        ingest = batch.ingest

        def work(progress: jobs.Progress) -> Any:
            return run_pipeline(ingest, project=project, store=target, config=config,
                                progress=progress)

        job = jobs.queue().submit(key, work)
        state.put(JOB, (job.key, project, len(ingest.transcripts)))
    follow_job(wait_s=INLINE_WAIT_S)


def follow_job(wait_s: float = 0.0) -> None:
    """Show this session's analysis: queued (with its position), running, or its outcome.

    With ``wait_s`` the run waits (drawing progress) up to that long; otherwise a small
    fragment polls the job and reruns the app once it has finished.
    """
    pending = state.get(JOB)
    if not pending:
        return
    key, project, transcripts = pending
    job = jobs.queue().get(key)
    if job is None:
        state.put(JOB, None)
        st.warning("The analysis finished too long ago to be opened here; run it again.")
        return
    if not job.finished and wait_s > 0:
        job_status.wait_inline(job, wait_s, RUNNING, "Analysis ended")
    if not job.finished:
        job_status.poll(key, RUNNING)
        return
    _finish(key, project, transcripts)


def _finish(key: str, project: str, transcripts: int) -> None:
    """Take the job's outcome: report a failure, or open the new project."""
    job = jobs.queue().claim(key)
    state.put(JOB, None)
    if job is None:
        return
    if job.state == jobs.FAILED and job.error in ENGINE_ERRORS:
        st.error("The Ray cluster could not be reached or could not run the analysis; "
                 "nothing was saved. Check the address under Engine, or choose Local.")
        return
    if job.state == jobs.FAILED:
        # Only the exception's type: its message may quote transcript text.
        st.error(f"The analysis stopped ({job.error}); nothing was saved. "
                 "Check the files above, or try again with more transcripts.")
        return
    result = job.result
    if project in cache.project_names():
        cache.project_changed(project)
        cache.open_project(project)
    else:
        cache.use_result(project, result)
    state.put(state.FLASH, f"Analysis of {transcripts} transcripts saved and opened.")
    # The sidebar was drawn for the previous project: draw everything again.
    st.rerun()


def draw_flash() -> None:
    """Show (once) the message left by the last analysis."""
    message = state.get(state.FLASH)
    if message:
        st.success(message, icon=":material/check_circle:")
        st.page_link(
            "app_pages/overview.py", label="Go to the overview", icon=":material/dashboard:"
        )
        state.put(state.FLASH, None)
