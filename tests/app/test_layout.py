"""The page files' folder: never ``pages/``, and every page file is routed by ``app.py``.

Why: a folder named ``pages/`` next to ``app.py`` switches on Streamlit's legacy multipage
mode until ``st.navigation`` has run once in the server process. The first visitor of a
freshly started server who opened a deep link such as ``/triggers`` then ran that file
alone: no router, no shared sidebar, no project, and none of ``app.py``'s gates (sign-in in
team mode, the settings self-check). The browser test ``tests/browser/test_deep_link.py``
shows the user-facing side; this one keeps the cause from coming back.
"""

from __future__ import annotations

import re

from tests.conftest import PROJECT_ROOT


def test_no_legacy_pages_folder_next_to_the_entrypoint() -> None:
    assert (PROJECT_ROOT / "app.py").is_file()
    assert not (PROJECT_ROOT / "pages").exists(), (
        "rename it: a pages/ folder turns on Streamlit's legacy multipage mode"
    )


def test_every_page_file_is_in_the_navigation_and_every_route_exists() -> None:
    router = (PROJECT_ROOT / "app.py").read_text()
    routed = set(re.findall(r'st\.Page\("(app_pages/[a-z_]+\.py)"', router))
    on_disk = {f"app_pages/{p.name}" for p in (PROJECT_ROOT / "app_pages").glob("*.py")}
    assert len(on_disk) >= 19
    assert routed == on_disk
