"""Sign-in, the signed-in user's view of the store, and the audit hooks of the app.

Two modes, decided by ``.streamlit/secrets.toml``:
- **local** (no ``[auth]`` section): today's single-user tool on 127.0.0.1; the store is
  used as is, audit rows are written under the user ``local``.
- **team** (``[auth]`` configured for Streamlit's native OpenID Connect): nothing is drawn
  before ``st.login()`` succeeded; the user is ``st.user.email``; every store access goes
  through ``analysis.access.ScopedStore`` for that e-mail, so a project the user is not a
  member of cannot be listed, opened or exported, and the check runs on every rerun (a
  removed member loses the open project on their next click).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from analysis import audit
from analysis.access import AccessDenied, ScopedStore
from ui import state

LOCAL_USER = "local"
SIGNED_IN_AS = "auth.signed_in_as"
"""The e-mail this session already logged a sign-in for (one row per session and user)."""
_SEEN_UPDATE = "auth.seen_update"
"""(project, updated_at) the session's open copy was loaded at (reload when it changed)."""


def team_mode() -> bool:
    """True when an ``[auth]`` section is configured (then sign-in is required)."""
    try:
        return bool(st.secrets.load_if_toml_exists() and "auth" in st.secrets)
    except Exception:  # an unreadable secrets file must not open the app unauthenticated
        return True


def current_user() -> str | None:
    """The signed-in e-mail in team mode (None before sign-in); ``local`` otherwise."""
    if not team_mode():
        return LOCAL_USER
    if not st.user.is_logged_in:
        return None
    email = st.user.get("email")
    return str(email).strip().casefold() if email else None


def require_sign_in() -> None:
    """Team mode: show only a sign-in screen until the provider has signed the user in."""
    if not team_mode():
        return
    user = current_user()
    if user is None:
        # A navigation with the sign-in screen as its only page, so no other page's URL
        # resolves before sign-in.
        st.navigation([st.Page(_sign_in_screen, title="Sign in", url_path="sign-in")],
                      position="hidden").run()
        st.stop()
    if state.get(SIGNED_IN_AS) != user:
        state.put(SIGNED_IN_AS, user)
        record(audit.SIGN_IN)


def _sign_in_screen() -> None:
    st.title("Interview Lens")
    if st.user.is_logged_in:  # signed in, but the provider sent no e-mail claim
        st.error("Your identity provider did not share an e-mail address; ask your "
                 "administrator to add the `email` scope.")
        st.button("Sign out", on_click=st.logout, key="auth.logout.noemail")
        return
    st.write("This team server holds interview data. Sign in to continue.")
    st.button("Sign in", type="primary", on_click=st.login, key="auth.login",
              icon=":material/login:")


def scoped(store: Any) -> Any:
    """The store as this session's user may use it (the store itself in local mode)."""
    if not team_mode():
        return store
    user = current_user()
    if user is None:
        raise AccessDenied("not signed in")
    return ScopedStore(store, user)


def _raw_store() -> Any:
    from ui.cache import get_store, store_path

    return get_store(store_path())


def project_key(project: str) -> str:
    """Store key of a project this user may open; ``AccessDenied`` (a KeyError) otherwise."""
    view = scoped(_raw_store())
    if isinstance(view, ScopedStore):
        if not view.has_project(project):
            raise AccessDenied(f"no project named {project!r}")
        return view.key(project)
    return project


def record(action: str, project: str | None = None, detail: str = "") -> None:
    """Append an audit row for this session's user (``project`` is a display name).

    In local mode a failing audit write never stops the tool; in team mode it does, because
    an unrecorded open or export is what the log exists to prevent.
    """
    user = current_user() or "anonymous"

    def write() -> None:
        key = project_key(project) if project is not None else None
        audit.AuditLog(_raw_store()).record(user, action, key, detail)

    if team_mode():
        write()
        return
    with contextlib.suppress(Exception):
        write()


def audited_export(file_name: str, build: Callable[[], bytes]) -> Callable[[], bytes]:
    """Wrap a deferred download's data callable so each download is logged (name and size).

    Streamlit runs deferred download callables outside the script run, where neither
    session state nor ``st.user`` is available: the user, the project key and the store
    are therefore captured now, while the button is drawn.
    """
    user = current_user() or "anonymous"
    project = state.active_project()
    key = _key_or_none(project.name) if project is not None else None
    log = audit.AuditLog(_raw_store())
    strict = team_mode()

    def data() -> bytes:
        payload = build()
        if strict:
            log.record(user, audit.EXPORT, key, f"{file_name}, {len(payload)} bytes")
        else:
            with contextlib.suppress(Exception):
                log.record(user, audit.EXPORT, key, f"{file_name}, {len(payload)} bytes")
        return payload

    return data


def _key_or_none(project: str) -> str | None:
    """The store key of an open project, None for one that is not saved (e.g. in memory)."""
    try:
        return project_key(project)
    except (KeyError, ValueError):
        return None


def guard_active_project() -> None:
    """Team mode, every rerun: drop an open project the user lost access to; reload one
    that changed in the store (a withdrawal or re-analysis by another member)."""
    if not team_mode():
        return
    project = state.active_project()
    if project is None:
        return
    view = scoped(_raw_store())
    listed = {info.name: info.updated_at for info in view.list_projects()}
    if project.name not in listed:
        state.clear_active_project()
        state.put(state.BOOT_MESSAGE, "The project you had open is no longer shared with you.")
        return
    seen = state.get(_SEEN_UPDATE)
    current = (project.name, str(listed[project.name]))
    if seen is not None and seen[0] == project.name and seen != current:
        from ui import cache

        cache.project_changed(project.name)
        cache.open_project(project.name)
    state.put(_SEEN_UPDATE, current)


def draw_account() -> None:
    """Sidebar: who is signed in, and the sign-out button (team mode only)."""
    if not team_mode():
        return
    user = current_user()
    with st.sidebar:
        st.caption("Signed in as")
        st.text(user or "")
        if st.button("Sign out", key="auth.logout", icon=":material/logout:"):
            record(audit.SIGN_OUT)
            for key in list(st.session_state.keys()):
                del st.session_state[key]
            st.logout()


def audit_frame(project: str) -> pd.DataFrame:
    """The audit rows of a project, for its owner only (``AccessDenied`` otherwise)."""
    view = scoped(_raw_store())
    key = project
    if isinstance(view, ScopedStore):
        if view.role(project) != "owner":
            raise AccessDenied(f"no project named {project!r}")
        key = view.key(project)
    return audit.AuditLog(_raw_store()).read(key)
