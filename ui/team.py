"""The Team & privacy page's sections: members, participant withdrawal, the audit trail.

Why here and not in the page: each section checks the user's role through ``ui.auth`` and
the store through ``analysis.access``; the page only orders the sections. Withdrawal also
clears every Streamlit cache that could still hold the participant's words (filtered
views, aggregates, charts, built exports) before the project is reopened.

A large project (``ui.large_project``) has the same sections: members and the audit trail
go by the project's name, and withdrawal deletes the participant's rows from every scale
table (``analysis.scale.withdraw``). Its participants are found by an id search, not
listed whole (there can be a hundred thousand).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.caching.cache_utils import CachedFunc

from analysis import audit
from analysis.access import OWNER, AccessDenied, ScopedStore
from analysis.scale import queries
from analysis.scale.withdraw import participant_ids, withdraw_large_participant
from analysis.withdraw import withdraw_participant
from ui import auth, cache, large_project, state

WITHDRAW_PICK = "team.withdraw.pick"
WITHDRAW_CONFIRM = "team.withdraw.confirm"
WITHDRAW_SEARCH = "team.withdraw.search"
MAX_LISTED = 50
"""Participant ids a large project's withdrawal picker lists for one search."""
MEMBER_EMAIL = "team.member.email"
MEMBER_PICK = "team.member.pick"
FLASH = "team.flash"


def role(project: str) -> str | None:
    """The user's role in ``project``: always owner in local mode."""
    view = cache.store()
    if isinstance(view, ScopedStore):
        return view.role(project)
    if large_project.is_open():  # the open project is a large one (a scale_projects row)
        found = queries.project_revision(view, project) is not None
        return OWNER if found else None
    return OWNER if view.has_project(project) else None


def draw_flash() -> None:
    message = state.get(FLASH)
    if message:
        st.success(message, icon=":material/check_circle:")
        state.put(FLASH, None)


def draw_members(project: str, owner: bool) -> None:
    """Team mode: who can see the project; owners add and remove members."""
    view = cache.store()
    if not isinstance(view, ScopedStore):
        st.caption("Sharing needs sign-in: see “Running for a team” in the README.")
        return
    members = view.members(project)
    st.dataframe({"e-mail": [m[0] for m in members], "role": [m[1] for m in members]},
                 hide_index=True, width="stretch")
    if not owner:
        st.caption("Only the project's owner can add or remove members.")
        return
    with st.form("team.member.add", clear_on_submit=True, border=False):
        email = st.text_input("Add a member by e-mail", key=MEMBER_EMAIL,
                              placeholder="name@example.org", max_chars=254)
        if st.form_submit_button("Add member", icon=":material/person_add:"):
            try:
                added = view.add_member(project, email)
            except ValueError as error:
                st.error(str(error))
            else:
                state.put(FLASH, f"{added} can now open this project.")
                st.rerun()
    others = [m[0] for m in members if m[1] != OWNER]
    if others:
        chosen = st.selectbox("Member", others, key=MEMBER_PICK)
        if st.button("Remove member", key="team.member.remove", icon=":material/person_remove:"):
            view.remove_member(project, chosen)
            state.put(FLASH, f"{chosen} no longer has access (from their next click on).")
            st.rerun()


def withdraw(project: str, transcript_id: str) -> str:
    """Erase one participant, log it (counts only), drop every cache, reopen the project."""
    if role(project) != OWNER:  # the page only offers it to owners; checked here again
        raise AccessDenied(f"no project named {project!r}")
    key = auth.project_key(project)
    store = cache.get_store(cache.store_path())
    report = withdraw_participant(store, key, transcript_id)
    auth.record(audit.WITHDRAW, project, report.detail())
    clear_ui_caches()
    cache.project_changed(project)
    cache.open_project(project)
    return report.detail()


def withdraw_large(project: str, transcript_id: str) -> str:
    """``withdraw`` for the open large project: its scale rows, logged, caches dropped."""
    if role(project) != OWNER:
        raise AccessDenied(f"no project named {project!r}")
    store = cache.get_store(cache.store_path())
    report = withdraw_large_participant(store, project, transcript_id)
    auth.record(audit.WITHDRAW, project, report.detail())
    clear_ui_caches()
    large_project.open_project(project)  # the new revision: every query is asked afresh
    return report.detail()


def clear_ui_caches() -> None:
    """Empty every Streamlit cache of the app except the store connection itself.

    Filtered views, aggregates, charts, summaries and built exports of *every* session can
    hold the withdrawn participant's words; the shared DuckDB connection must stay (a second
    connection to the rewritten file would be a second database instance).
    """
    st.cache_data.clear()
    for name, module in list(sys.modules.items()):
        if name != "ui" and not name.startswith("ui."):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, CachedFunc) and value is not cache.get_store:
                value.clear()


def draw_withdrawal(project: state.ActiveProject, owner: bool) -> None:
    """Owner only: pick a participant, type their id to confirm, erase them."""
    if not owner:
        st.caption("Only the project's owner can withdraw a participant.")
        return
    ids = sorted(project.result.transcripts["transcript_id"].astype(str))
    if len(ids) < 2:
        st.caption("A project needs at least two participants to withdraw one.")
        return
    _pick_confirm_erase(
        ids,
        "Removes their transcript, answers, codes, quotes and cached vectors, re-chooses "
        "topic quotes and rewrites the store file. This cannot be undone.",
        lambda chosen: withdraw(project.name, chosen),
        (WITHDRAW_PICK, WITHDRAW_CONFIRM),
    )


def _pick_confirm_erase(ids: list[str], what: str, erase: Callable[[str], str],
                        keys: tuple[str, ...]) -> None:
    """Pick an id, type it again to confirm, erase; the outcome is flashed after a rerun.

    One flow for small and large projects, so the confirmation cannot drift between them.
    """
    chosen = st.selectbox("Participant", ids, key=WITHDRAW_PICK, index=None,
                          placeholder="Choose the participant who withdrew consent")
    st.caption(what)
    typed = st.text_input("Type the participant id to confirm", key=WITHDRAW_CONFIRM)
    ready = chosen is not None and typed.strip() == chosen
    if st.button("Withdraw participant", type="primary", disabled=not ready,
                 key="team.withdraw.go", icon=":material/person_off:"):
        with st.spinner("Erasing…"):
            detail = erase(str(chosen))
        state.put(FLASH, detail)
        for key in keys:
            st.session_state.pop(key, None)
        st.rerun()


def draw_large_withdrawal(project: str, owner: bool) -> None:
    """``draw_withdrawal`` for a large project: search an id, pick it, type it, erase."""
    if not owner:
        st.caption("Only the project's owner can withdraw a participant.")
        return
    store = cache.get_store(cache.store_path())
    _, n_total = participant_ids(store, project, "", 0)
    if n_total < 2:
        st.caption("A project needs at least two participants to withdraw one.")
        return
    search = st.text_input("Find the participant by id", key=WITHDRAW_SEARCH, max_chars=200,
                           placeholder="the start of the transcript id")
    ids, n_found = participant_ids(store, project, search.strip(), MAX_LISTED)
    if n_found > len(ids):
        st.caption(f"{n_found:,} ids match; the first {len(ids)} are listed: type more of "
                   "the id to narrow them.")
    _pick_confirm_erase(
        ids,
        "Removes their transcript, answers, codes, quotes and cached vectors from every table "
        "of this large project, re-chooses the topic quotes that were theirs and rewrites the "
        "store file. This cannot be undone.",
        lambda chosen: withdraw_large(project, chosen),
        (WITHDRAW_PICK, WITHDRAW_CONFIRM, WITHDRAW_SEARCH),
    )


def draw_audit(project: str, owner: bool) -> None:
    """Owner only: the project's audit rows and their CSV (itself an audited export)."""
    if not owner:
        st.caption("Only the project's owner can read its audit trail.")
        return
    rows = auth.audit_frame(project)
    st.dataframe(rows, hide_index=True, width="stretch")

    def data() -> bytes:
        payload = audit.audit_csv(auth.audit_frame(project))
        auth.record(audit.AUDIT_EXPORT, project, f"{len(payload)} bytes")
        return payload

    st.download_button("Audit trail CSV", data=data, file_name="audit.csv", mime="text/csv",
                       key="team.audit.csv", on_click="ignore", icon=":material/download:")
