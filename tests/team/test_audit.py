"""The audit trail is append-only, text-free by construction and survives a file rewrite."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import analysis.store as store_module
from analysis.audit import ACTIONS, AuditLog, audit_csv
from analysis.store import Store


@pytest.fixture
def store(tmp_path: Path):
    opened = Store(tmp_path / "store.duckdb")
    yield opened
    opened.close()


def test_rows_append_in_order_with_user_time_project_action(store: Store) -> None:
    log = AuditLog(store)
    first = log.record("ana@lab.org", "sign_in")
    second = log.record("ana@lab.org", "project_open", "ana@lab.org/Study", "opened")
    log.record("ben@lab.org", "export", "ben@lab.org/Other", "participants.csv, 12 rows")
    assert second == first + 1
    rows = log.read()
    assert list(rows["action"]) == ["sign_in", "project_open", "export"]
    assert list(rows["user_email"]) == ["ana@lab.org", "ana@lab.org", "ben@lab.org"]
    assert rows["happened_at"].notna().all()
    assert rows["happened_at"].is_monotonic_increasing
    only = log.read("ana@lab.org/Study")
    assert list(only["action"]) == ["project_open"]


def test_unknown_actions_and_anonymous_rows_are_refused(store: Store) -> None:
    log = AuditLog(store)
    with pytest.raises(ValueError):
        log.record("ana@lab.org", "delete_everything")
    with pytest.raises(ValueError):
        log.record("  ", "sign_in")
    assert log.read().empty


def test_details_are_one_short_line(store: Store) -> None:
    log = AuditLog(store)
    log.record("ana@lab.org", "upload", "p", "a\nb\tc " + "x" * 1000)
    detail = log.read()["detail"].iloc[0]
    assert "\n" not in detail and len(detail) <= 300 and detail.startswith("a b c")


def test_there_is_no_way_to_change_or_delete_a_row() -> None:
    """No public method of the log, and no store SQL, updates or deletes audit rows."""
    public = {name for name in dir(AuditLog) if not name.startswith("_")}
    assert public == {"record", "read"}
    source = inspect.getsource(store_module)
    statements = re.findall(r"(?:UPDATE|DELETE FROM|TRUNCATE|DROP TABLE)\s+(\w+)", source)
    assert statements, "the scan must see the store's other DELETE statements"
    assert "audit_log" not in statements
    assert not re.search(r"\{table\}[^\n]*audit_log|\"audit_log\"", source)


def test_audit_rows_survive_the_erasure_rewrite(store: Store) -> None:
    log = AuditLog(store)
    for action in ACTIONS[:4]:
        log.record("ana@lab.org", action, "ana@lab.org/Study")
    store.compact()
    assert list(log.read()["action"]) == list(ACTIONS[:4])
    assert log.record("ana@lab.org", "sign_out") == 5


def test_csv_export_escapes_formulas(store: Store) -> None:
    log = AuditLog(store)
    log.record("=cmd@lab.org", "sign_in", None, "=HYPERLINK(\"x\")")
    text = audit_csv(log.read()).decode("utf-8-sig")
    assert "'=cmd@lab.org" in text and "'=HYPERLINK" in text
    assert text.splitlines()[0].split(",")[:3] == ["seq", "happened_at", "user_email"]
