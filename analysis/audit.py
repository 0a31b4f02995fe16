"""The audit trail: who signed in, opened, uploaded, exported, withdrew or shared what, when.

Why append-only and text-free: ethics boards ask for a record that cannot be rewritten by
the people it records, and the record itself must not become a second copy of the data.
``AuditLog`` therefore offers ``record`` and ``read`` only (the store has no update or
delete for ``audit_log`` either), and a detail is a short, single-line note that callers
build from counts and e-mail addresses, never from transcript text or participant ids.
"""

from __future__ import annotations

import pandas as pd

from analysis.export import to_csv_bytes
from analysis.store import Store

SIGN_IN = "sign_in"
SIGN_OUT = "sign_out"
PROJECT_OPEN = "project_open"
UPLOAD = "upload"
EXPORT = "export"
WITHDRAW = "withdraw"
MEMBER_ADD = "member_add"
MEMBER_REMOVE = "member_remove"
PROJECT_DELETE = "project_delete"
PROJECT_SAVE = "project_save"
AUDIT_EXPORT = "audit_export"
ACTIONS = (SIGN_IN, SIGN_OUT, PROJECT_OPEN, UPLOAD, EXPORT, WITHDRAW, MEMBER_ADD,
           MEMBER_REMOVE, PROJECT_DELETE, PROJECT_SAVE, AUDIT_EXPORT)
MAX_DETAIL = 300


def clean_detail(detail: str) -> str:
    """One line, at most ``MAX_DETAIL`` characters (a log row is a note, not a document)."""
    text = " ".join(str(detail or "").split())
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


class AuditLog:
    """Append and read; deliberately nothing else."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def record(self, user: str, action: str, project: str | None = None,
               detail: str = "") -> int:
        """Append one row; returns its sequence number. Unknown actions are refused."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        if not str(user or "").strip():
            raise ValueError("an audit row needs a user")
        return self._store.append_audit(str(user).strip(), action, project, clean_detail(detail))

    def read(self, project: str | None = None) -> pd.DataFrame:
        """Rows in the order they were written (one project's, or all)."""
        return self._store.read_audit(project)


def audit_csv(frame: pd.DataFrame) -> bytes:
    """The owner's export: through the formula-escaping exporter like every other table."""
    return to_csv_bytes(frame)
