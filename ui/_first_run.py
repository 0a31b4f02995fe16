"""Close Streamlit's legacy ``pages/`` auto-discovery before it can serve a page ungated.

Why: until ``st.navigation`` has run once in a server process, Streamlit serves every file in
``pages/`` on its own (multipage v1), so the very first visitor of a fresh server who asks for
``/upload`` would run ``pages/upload.py`` without ``app.py`` and its sign-in gate. Every page
imports ``ui`` first, so this runs (once per process) at the start of that first run: it
switches the process to ``app.py``'s navigation for good and, in team mode, shows the
sign-in screen instead of the page when nobody is signed in.
"""

from __future__ import annotations


def close_pages_directory() -> None:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    PagesManager.uses_pages_directory = False
    if get_script_run_ctx() is None:  # imported outside a script run (tests, CLI): no gate
        return
    from ui import auth

    auth.require_sign_in()
