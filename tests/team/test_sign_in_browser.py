"""Two users sign in through a real OpenID Connect provider in a real browser.

Checks, in one run of provider + app (each start costs seconds): nothing is shown before
sign-in; a wrong password is refused by the provider; each user lists only their own and
shared projects; when the owner removes a member in the app, the member loses the open
project on their next click; signing out ends access (a reload shows the sign-in screen
again). The store's audit trail then holds the sign-ins, the open, the removal and the
sign-out.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from analysis.access import ScopedStore
from analysis.store import Store
from tests.analysis.fixture_project import load_fixture_result
from tests.browser.test_e2e import go_to, page_errors, wait_idle
from tests.conftest import PROJECT_ROOT
from tests.team.conftest import TeamServer, team_server

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

ANA, BEN = "ana@lab.org", "ben@lab.org"
ACCOUNTS = {ANA: "ana-pass-1", BEN: "ben-pass-2"}
ANA_PROJECT, BEN_PROJECT = "Ana interviews", "Ben pilot"
SHARED = f"{ANA}/{ANA_PROJECT}"
STEP_MS = 30_000
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts" / "browser" / "team"
"""Screenshots of both users' pages when the test fails (gitignored)."""


def seed_store(path: Path) -> None:
    """Ana owns a project shared with Ben; Ben owns one of his own."""
    store = Store(path)
    try:
        ana, ben = ScopedStore(store, ANA), ScopedStore(store, BEN)
        ana.save_result(ANA_PROJECT, load_fixture_result())
        ana.add_member(ANA_PROJECT, BEN)
        ben.save_result(BEN_PROJECT, load_fixture_result())
    finally:
        store.close()


def sign_in(page: Any, team: TeamServer, email: str, password: str) -> None:
    page.goto(team.app_url)
    wait_idle(page, 60_000)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(team.issuer)), timeout=STEP_MS)
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill(password)
    page.locator('button[type="submit"]').click()


def project_options(page: Any) -> list[str]:
    """The names in the Upload page's project picker (opens and closes the dropdown)."""
    go_to(page, "Upload & projects")
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Saved projects")
    try:
        box.first.wait_for(timeout=5_000)
    except Exception:  # no saved project at all: the picker is not drawn
        return []
    box.first.click()
    options = page.locator('[role="option"]')
    options.first.wait_for(timeout=STEP_MS)
    names = [options.nth(i).inner_text().strip() for i in range(options.count())]
    page.keyboard.press("Escape")
    return names


def sidebar_text(page: Any) -> str:
    return page.locator('[data-testid="stSidebar"]').inner_text()


def test_two_users_private_projects_member_removal_and_sign_out(
    tmp_path: Path, oidc_install: Path, browser: Any
) -> None:
    seed_store(tmp_path / "store.duckdb")
    with team_server(tmp_path, oidc_install, ACCOUNTS) as team:
        browse(team, browser)
    audit_trail_recorded_the_session(tmp_path / "store.duckdb")


def browse(team: TeamServer, browser: Any) -> None:
    ana_ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ben_ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ana, ben = ana_ctx.new_page(), ben_ctx.new_page()
    for page in (ana, ben):
        page.set_default_timeout(STEP_MS)
    try:
        # Nothing but the sign-in screen before sign-in, even when the very first request
        # of a fresh server asks for a page's URL directly (with a folder named pages/,
        # Streamlit's legacy mode would run that file alone, around the gate).
        ana.goto(f"{team.app_url}/upload")
        wait_idle(ana, 60_000)
        body = ana.locator('[data-testid="stApp"]').inner_text()
        assert "Sign in" in body and "Upload transcripts" not in body
        ana.goto(team.app_url)
        wait_idle(ana, 60_000)
        body = ana.locator('[data-testid="stApp"]').inner_text()
        assert "Sign in" in body
        assert ANA_PROJECT not in body and BEN_PROJECT not in body and "Overview" not in body

        # The provider refuses a wrong password (a real check, not any login).
        sign_in(ana, team, ANA, "wrong")
        ana.wait_for_load_state()
        assert "wrong e-mail or password" in ana.content()

        sign_in(ana, team, ANA, ACCOUNTS[ANA])
        ana.wait_for_url(re.compile(re.escape(team.app_url)), timeout=STEP_MS)
        wait_idle(ana, 60_000)
        assert ANA in sidebar_text(ana)
        assert project_options(ana) == [ANA_PROJECT]

        sign_in(ben, team, BEN, ACCOUNTS[BEN])
        ben.wait_for_url(re.compile(re.escape(team.app_url)), timeout=STEP_MS)
        wait_idle(ben, 60_000)
        assert BEN in sidebar_text(ben)
        assert sorted(project_options(ben)) == sorted([BEN_PROJECT, SHARED])

        # Ben opens Ana's shared project.
        box = ben.locator('[data-testid="stSelectbox"]').filter(has_text="Saved projects")
        box.first.click()
        ben.locator('[role="option"]').filter(has_text=SHARED).first.click()
        ben.get_by_test_id("stBaseButton-primary").filter(has_text="Open").first.click()
        wait_idle(ben)
        assert SHARED in sidebar_text(ben)

        # Ana removes Ben on the Team & privacy page.
        go_to(ana, "Team & privacy")
        ana.get_by_role("button", name="Remove member").click()
        wait_idle(ana)
        assert "no longer has access" in ana.locator('[data-testid="stMain"]').inner_text()

        # Ben's very next click: the project is gone from his session and his list.
        go_to(ben, "Overview")
        assert SHARED not in sidebar_text(ben)
        assert project_options(ben) == [BEN_PROJECT]
        assert not page_errors(ben) and not page_errors(ana)

        # Signing out ends access: the provider's sign-out, then only the sign-in screen.
        ben.get_by_role("button", name="Sign out").click()
        ben.wait_for_url(re.compile(re.escape(team.issuer)), timeout=STEP_MS)
        confirm = ben.locator('button[autofocus], button[type="submit"]').first
        confirm.click()
        ben.wait_for_url(re.compile(re.escape(team.app_url)), timeout=STEP_MS)
        wait_idle(ben, 60_000)
        ben.reload()
        wait_idle(ben, 60_000)
        body = ben.locator('[data-testid="stApp"]').inner_text()
        assert "Sign in" in body and BEN_PROJECT not in body and BEN not in body
        assert not [c for c in ben_ctx.cookies() if c["name"].startswith("_streamlit_user")]
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for name, page in (("ana", ana), ("ben", ben)):
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        raise
    finally:
        ana_ctx.close()
        ben_ctx.close()


def audit_trail_recorded_the_session(path: Path) -> None:
    """After the app stopped (DuckDB allows one writing process): the audit rows."""
    store = Store(path)
    try:
        rows = store.read_audit()
    finally:
        store.close()
    actions = set(zip(rows["user_email"], rows["action"], strict=True))
    assert {(ANA, "sign_in"), (BEN, "sign_in"), (BEN, "project_open"),
            (ANA, "member_remove"), (BEN, "sign_out")} <= actions
