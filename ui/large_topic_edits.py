"""Topics page, large project: rename or merge topics, applied in the database.

Why a module of its own: a small project records an edit that is replayed on load; a large
project is never loaded, so ``analysis.scale.topic_edits`` rewrites its topic tables in one
transaction instead. The forms are the small project's (``ui.topics_view.draw_edit_forms``);
after a saved edit the project is opened again: its revision has moved, so every cached
page query (sizes, charts, the sidebar's topic filter, quotes) is recomputed.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from analysis.scale import topic_edits
from analysis.scale.recode import project_status
from ui import cache, large_project, topics_view
from ui.widgets import PageContext, escape_markdown


def draw_edit(ctx: PageContext) -> None:
    """The rename and merge forms of the open large project."""
    project = ctx.project.name
    store = cache.get_store(cache.store_path())
    status = project_status(store, project)
    if status not in topic_edits.EDITABLE:
        st.info(f"This project is still being analysed ({status}); its topics can be "
                "renamed or merged once the topic stage has finished.",
                icon=":material/hourglass_top:")
        return
    st.caption("Large project: an edit is written to the stored topics and answers at once. "
               "A merge cannot be undone (the merged topics' answers take the lowest id).")

    def rename(topic: int, label: str) -> None:
        _saved(lambda: topic_edits.rename_topic(store, project, topic, label), project)

    def merge(topic_ids: list[int], label: str | None) -> None:
        _saved(lambda: topic_edits.merge_topics(store, project, topic_ids, label), project)

    topics_view.draw_edit_forms(ctx.result.topics, rename, merge)


def _saved(edit: Callable[[], None], project: str) -> None:
    """Run the edit; reopen the project at its new revision, or say why it was refused."""
    try:
        edit()
    except ValueError as exc:  # e.g. a topic merged away in another tab meanwhile
        st.error(escape_markdown(str(exc)))
        return
    large_project.open_project(project)
    st.rerun()
