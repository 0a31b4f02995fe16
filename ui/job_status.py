"""How a session shows a background job (``ui.jobs``) it is waiting for: one look for all jobs.

The Upload page's analyses and the Codebook page's re-coding of a large project both wait
on the same queue; they show their position in it, a status box and a progress bar the
same way.
"""

from __future__ import annotations

import time

import streamlit as st

from ui import jobs

POLL_S = 0.5
"""How often the inline wait redraws the progress bar."""
FRAGMENT_POLL_S = 1.0
"""How often the status box redraws once the page has stopped waiting inline."""


def label(job: jobs.Job, running: str) -> str:
    """The queue position while waiting, else ``running`` and the job's current stage."""
    position = jobs.queue().position(job)
    if position:
        return f"Queued, position {position}: another analysis is running on this server"
    return f"{running} {job.stage}"


def wait_inline(job: jobs.Job, wait_s: float, running: str, ended: str) -> None:
    """Follow ``job`` for up to ``wait_s`` seconds in a status box with a progress bar."""
    with st.status(label(job, running), expanded=True) as status:
        bar = st.progress(0.0, text="Waiting for a free slot")
        deadline = time.monotonic() + wait_s
        while not job.finished and time.monotonic() < deadline:
            status.update(label=label(job, running))
            bar.progress(job.fraction, text=job.stage)
            job.wait(POLL_S)
        status.update(label=ended if job.finished else label(job, running),
                      state="complete" if job.state == jobs.DONE else
                      "error" if job.state == jobs.FAILED else "running",
                      expanded=not job.finished)


@st.fragment(run_every=FRAGMENT_POLL_S)
def poll(key: str, running: str) -> None:
    """A self-refreshing status box for the job ``key``; reruns the app when it has ended."""
    job = jobs.queue().get(key)
    if job is None or job.finished:
        st.rerun(scope="app")
    st.info(label(job, running), icon=":material/hourglass_top:")
    st.progress(job.fraction, text=job.stage)
