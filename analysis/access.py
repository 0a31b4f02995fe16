"""Private projects on a shared server: who may list, open, change and share a project.

Why a wrapper and not checks sprinkled over the app: every read of a project (page, cache,
pipeline, export) goes through one store object, so a signed-in user's ``ScopedStore`` is
the single place where access is decided. A project the user may not see behaves exactly
like a project that does not exist (same ``None``/``KeyError``), so its name, size or
existence cannot be inferred from error messages.

Project keys are owner-qualified: a project ``"Study 1"`` created by ``ana@lab.org`` is
stored as ``"ana@lab.org/Study 1"``. Two users can then both call a project "Study 1"
without one learning that the other's exists (a shared name table would refuse the second
one). The owner sees their own projects by their plain name; shared projects appear under
the full key (``"ana@lab.org/Study 1"``), which also says whose they are.

Projects without members (created before sign-in was configured, or by the CLI) are
visible to nobody in team mode; ``claim_unowned`` hands one to an owner explicitly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from analysis import audit
from analysis.results import AnalysisResult
from analysis.store import ProjectInfo, ProjectState, Store

OWNER = "owner"
MEMBER = "member"
ROLES = (OWNER, MEMBER)
_EMAIL = re.compile(r"^[^@\s/]+@[^@\s/]+\.[^@\s/]+$")
MAX_EMAIL = 254


class AccessDenied(KeyError):
    """Raised for a project the user may not touch; reads like "no such project"."""


def normalise_email(email: str) -> str:
    """Lower-cased, trimmed e-mail; ``ValueError`` for anything that is not one address.

    ``/`` is refused because it separates the owner from the name in project keys.
    """
    value = str(email or "").strip().casefold()
    if not value or len(value) > MAX_EMAIL or not _EMAIL.match(value):
        raise ValueError("enter one e-mail address, like name@example.org")
    return value


def owned_key(owner: str, name: str) -> str:
    """The store key of ``owner``'s project called ``name``."""
    return f"{normalise_email(owner)}/{name}"


def claim_unowned(store: Store, project: str, owner: str) -> None:
    """Give an ownerless project (made in local mode or by the CLI) to ``owner``.

    An administrator's step on the server (documented in docs/TEAM.md), never offered in the
    app: in the app an ownerless project is invisible.
    """
    if not store.has_project(project):
        raise KeyError(f"no project named {project!r}")
    if store.get_members(project):
        raise ValueError("this project already has an owner")
    store.put_member(project, normalise_email(owner), OWNER, added_by="admin")


class ScopedStore:
    """The store as one signed-in user may use it (same methods the app and pipeline call).

    Names passed in and handed out are *display names* (own projects unqualified, shared
    ones as their full key); ``key`` maps a display name to the store key.
    """

    def __init__(self, store: Store, user: str) -> None:
        self.store = store
        self.user = normalise_email(user)
        self.path = store.path
        self._log = audit.AuditLog(store)

    # -- names and roles ---------------------------------------------------------------------
    def _memberships(self) -> dict[str, str]:
        return self.store.member_projects(self.user)

    def key(self, name: str) -> str:
        """Store key for a display name: own project first, then a shared one by full key."""
        memberships = self._memberships()
        own = owned_key(self.user, name)
        if own in memberships or name not in memberships:
            return own
        return name

    def display_name(self, key: str) -> str:
        prefix = f"{self.user}/"
        return key[len(prefix):] if key.startswith(prefix) else key

    def role(self, name: str) -> str | None:
        """``"owner"``, ``"member"`` or None (no access) for a display name."""
        return self._memberships().get(self.key(name))

    def _require(self, name: str, *, owner: bool = False) -> str:
        key = self.key(name)
        role = self._memberships().get(key)
        if role is None or (owner and role != OWNER) or not self.store.has_project(key):
            raise AccessDenied(f"no project named {name!r}")
        return key

    # -- listing and reading ------------------------------------------------------------------
    def list_projects(self) -> list[ProjectInfo]:
        mine = self._memberships()
        return [
            replace(info, name=self.display_name(info.name))
            for info in self.store.list_projects()
            if info.name in mine
        ]

    def has_project(self, project: str) -> bool:
        key = self.key(project)
        return key in self._memberships() and self.store.has_project(key)

    def load_result(self, project: str) -> AnalysisResult | None:
        return self.store.load_result(self.key(project)) if self.has_project(project) else None

    def load_base_result(self, project: str) -> AnalysisResult | None:
        if not self.has_project(project):
            return None
        return self.store.load_base_result(self.key(project))

    def get_state(self, project: str) -> ProjectState | None:
        return self.store.get_state(self.key(project)) if self.has_project(project) else None

    def get_codebook(self, project: str) -> str | None:
        return self.store.get_codebook(self.key(project)) if self.has_project(project) else None

    def get_topic_edits(self, project: str) -> list[Any]:
        return self.store.get_topic_edits(self._require(project))

    # -- writing --------------------------------------------------------------------------------
    def save_result(
        self, project: str, result: AnalysisResult, state: ProjectState | None = None
    ) -> None:
        """Save a project the user may edit, or create a new one owned by the user."""
        key = self.key(project)
        exists = self.store.has_project(key)
        if exists and key not in self._memberships():
            raise AccessDenied(f"no project named {project!r}")
        self.store.save_result(key, result, state)
        if not exists:
            self.store.put_member(key, self.user, OWNER, added_by=self.user)
        self._log.record(self.user, audit.PROJECT_SAVE if exists else audit.UPLOAD, key,
                         f"{len(result.transcripts)} transcripts, {len(result.segments)} answers")

    def delete_project(self, project: str) -> None:
        """Owner only. Like the store, deleting a project that does not exist does nothing
        (an unknown name resolves into the user's own namespace, so this reveals nothing)."""
        if not self.store.has_project(self.key(project)):
            return
        key = self._require(project, owner=True)
        self.store.delete_project(key)
        self._log.record(self.user, audit.PROJECT_DELETE, key)

    def rename_topic(self, project: str, topic_id: int, label: str) -> None:
        self.store.rename_topic(self._require(project), topic_id, label)

    def merge_topics(
        self, project: str, topic_ids: Sequence[int], label: str | None = None
    ) -> None:
        self.store.merge_topics(self._require(project), topic_ids, label)

    def clear_topic_edits(self, project: str) -> None:
        self.store.clear_topic_edits(self._require(project))

    # -- members (owners only change them) ------------------------------------------------------
    def members(self, project: str) -> list[tuple[str, str]]:
        return self.store.get_members(self._require(project))

    def add_member(self, project: str, email: str) -> str:
        """Share with ``email`` as a member; returns the normalised address."""
        key = self._require(project, owner=True)
        address = normalise_email(email)
        if address == self.user:
            raise ValueError("you already own this project")
        self.store.put_member(key, address, MEMBER, added_by=self.user)
        self._log.record(self.user, audit.MEMBER_ADD, key, address)
        return address

    def remove_member(self, project: str, email: str) -> str:
        """Take a member off the project; effective on their next interaction."""
        key = self._require(project, owner=True)
        address = normalise_email(email)
        if address == self.user:
            raise ValueError("the owner cannot be removed")
        self.store.delete_member(key, address)
        self._log.record(self.user, audit.MEMBER_REMOVE, key, address)
        return address

    # -- the shared vector cache (keyed by text hash, not by project) ---------------------------
    def get_vectors(self, keys: Sequence[str], model_id: str) -> dict[str, np.ndarray]:
        return self.store.get_vectors(keys, model_id)

    def put_vectors(self, keys: Sequence[str], vectors: np.ndarray, model_id: str) -> None:
        self.store.put_vectors(keys, vectors, model_id)

    def count_vectors(self, model_id: str | None = None) -> int:
        return self.store.count_vectors(model_id)
