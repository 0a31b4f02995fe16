"""Interview Lens: the router. Pages live in ``app_pages/``; this file only frames them.

Streamlit runs this file on every interaction: it opens a project on the first run
(a saved one, else the bundled demo), draws the shared sidebar filters and runs the
selected page. Anything that computes lives in ``analysis/``; anything that caches or
remembers lives in ``ui/``.
"""

from __future__ import annotations

import streamlit as st

from ui import auth, cache, selfcheck, sidebar, state

PAGES = {
    "Data": [
        st.Page("app_pages/upload.py", title="Upload & projects", icon=":material/upload_file:"),
    ],
    "Explore": [
        st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:",
                default=True),
        st.Page("app_pages/triggers.py", title="Triggers", icon=":material/bolt:"),
        st.Page("app_pages/patterns.py", title="Interaction patterns", icon=":material/sync_alt:"),
        st.Page("app_pages/culture.py", title="Workplace culture", icon=":material/groups:"),
        st.Page("app_pages/outcomes.py", title="Outcomes", icon=":material/flag:"),
        st.Page("app_pages/topics.py", title="Topics", icon=":material/bubble_chart:"),
        st.Page("app_pages/compare.py", title="Compare groups", icon=":material/compare_arrows:"),
        st.Page("app_pages/cooccurrence.py", title="Co-occurrence", icon=":material/grid_on:"),
        st.Page("app_pages/quotes.py", title="Quotes", icon=":material/format_quote:"),
        st.Page("app_pages/participants.py", title="Participants", icon=":material/person:"),
    ],
    "Insight": [
        st.Page("app_pages/findings.py", title="Findings", icon=":material/summarize:"),
        st.Page("app_pages/parity.py", title="Paper parity", icon=":material/fact_check:"),
        st.Page("app_pages/econ_index.py", title="Economic Index lens",
                icon=":material/precision_manufacturing:"),
        st.Page("app_pages/questions.py", title="Question × theme", icon=":material/quiz:"),
        st.Page("app_pages/saturation.py", title="Saturation", icon=":material/show_chart:"),
        st.Page("app_pages/agreement.py", title="Agreement with your coding",
                icon=":material/rule:"),
    ],
    "Manage": [
        st.Page("app_pages/codebook.py", title="Codebook", icon=":material/menu_book:"),
        st.Page("app_pages/team.py", title="Team & privacy", icon=":material/shield_person:"),
    ],
}


def main() -> None:
    """Wrapped in a function so tests and the browser run share one entry point."""
    auth.require_sign_in()  # team mode: nothing below runs before sign-in
    # Before st.navigation and not a :material/ icon: Streamlit's frontend fetches a
    # Material favicon (page or app icon) from fonts.gstatic.com; an emoji is a data: URL.
    st.set_page_config(page_title="Interview Lens", page_icon="💬",
                       layout="wide", initial_sidebar_state=sidebar.sidebar_state())
    page = st.navigation(PAGES)
    selfcheck.enforce()  # fail closed on unsafe settings, before any data is loaded
    cache.bootstrap()
    auth.guard_active_project()
    auth.draw_account()
    sidebar.draw_sidebar(state.active_project())
    page.run()


main()
