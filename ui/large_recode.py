"""Codebook page, large project: re-run only the streaming coding stage, in the background.

Why the job queue (``ui.jobs``), as the Upload page's analysis: re-coding a million answers
takes minutes, must not be interrupted by the reruns every click causes, and must not run
twice when the button is clicked again or from a second tab (the job key is the store, the
project and the codebook text). The work (``analysis.scale.recode.recode_streaming``) reads
cached vectors chunk by chunk and never embeds an answer again. When it ends, the project
is opened again: its revision has moved, so every cached page query is recomputed with the
new codes.
"""

from __future__ import annotations

import hashlib
from typing import Any

import streamlit as st

from analysis.coding.codebook import default_codebook_yaml
from analysis.scale.db import query_frame
from ui import cache, job_status, jobs, large_project, state

JOB = "codebook.large.job"
"""This session's re-coding on the job queue: ``(job key, project)``."""
FLASH = "codebook.large.flash"
INLINE_WAIT_S = 600.0
"""How long the run that clicked follows the job before a small poller takes over."""
RUNNING = "Re-coding…"


def saved_yaml(project: str) -> str:
    """The codebook the large project was coded with (the default one when none is stored)."""
    try:
        frame = query_frame(
            cache.get_store(cache.store_path()),
            "SELECT codebook_yaml FROM scale_projects WHERE project = ?",
            [project],
        )
    except Exception:  # no store: nothing was coded with anything else
        return default_codebook_yaml()
    text = frame["codebook_yaml"].iloc[0] if len(frame) else None
    return text if isinstance(text, str) and text.strip() else default_codebook_yaml()


def job_key(project: str, codebook_yaml: str) -> str:
    """Same store, project and codebook: the same re-coding (one job)."""
    text = "\0".join(["recode", cache.store_path(), project, codebook_yaml])
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]


def start(project: str, codebook_yaml: str) -> jobs.Job:
    """Queue the re-coding (or join the same one in flight) and remember it for this session."""
    from analysis.scale.recode import recode_streaming

    store = cache.get_store(cache.store_path())

    def work(progress: jobs.Progress) -> Any:
        return recode_streaming(store, project, codebook_yaml, progress=progress)

    job = jobs.queue().submit(job_key(project, codebook_yaml), work)
    state.put(JOB, (job.key, project))
    return job


def draw_recode(project: str, draft: str) -> None:
    """The Apply section for a large project: status, the button, and the running job."""
    flash = state.get(FLASH)
    if flash:
        st.success(flash, icon=":material/check_circle:")
        state.put(FLASH, None)
    changed = draft != saved_yaml(project)
    st.caption("The draft differs from the codebook used for this project." if changed
               else "The draft is the codebook this project was coded with.")
    st.caption("Large project: only the coding stage runs again, on the stored answers and "
               "their cached vectors (nothing is embedded again); it can take minutes on a "
               "big project and goes on if you open another page.")
    from analysis.scale.recode import RECODABLE, project_status

    status = project_status(cache.get_store(cache.store_path()), project)
    if status is not None and status not in RECODABLE:
        st.info(f"This project is still being analysed ({status}); re-coding is offered once "
                "its run has finished.", icon=":material/hourglass_top:")
        return
    pending = state.get(JOB)
    busy = False
    if pending:
        running = jobs.queue().get(pending[0])
        busy = running is not None and not running.finished
    if st.button("Re-run coding", type="primary", key="codebook.recode",
                 icon=":material/refresh:", disabled=busy):
        start(project, draft)
        follow(wait_s=INLINE_WAIT_S)
        return
    follow()


def follow(wait_s: float = 0.0) -> None:
    """Show this session's re-coding: queued, running (with progress), or its outcome."""
    pending = state.get(JOB)
    if not pending:
        return
    key, project = pending
    job = jobs.queue().get(key)
    if job is None:
        state.put(JOB, None)
        return
    if not job.finished and wait_s > 0:
        job_status.wait_inline(job, wait_s, RUNNING, "Re-coding ended")
    if not job.finished:
        job_status.poll(key, RUNNING)
        return
    _finish(key, project)


def _finish(key: str, project: str) -> None:
    """Take the outcome: report a failure, or open the re-coded project again."""
    job = jobs.queue().claim(key)
    state.put(JOB, None)
    if job is None:
        return
    if job.state == jobs.FAILED:
        # Only the exception's type: its message may quote the codebook or answers.
        st.error(f"Re-coding stopped ({job.error}); the previous codes may be incomplete. "
                 "Run it again.")
        return
    record = job.result or {}
    if large_project.is_open() and state.get(state.ACTIVE_PROJECT) == project:
        large_project.open_project(project)  # new revision, new codebook in the shell
    state.put(FLASH, f"Coding updated: {int(record.get('assignments', 0)):,} code assignments "
              f"for {int(record.get('participants', 0)):,} participants "
              f"in {float(record.get('seconds', 0.0)):.1f} s.")
    st.rerun()
